"""ZIP64 archives (every ``torch.save`` file has a ZIP64 end record and locator) are read, and a
payload inside them is seen: committed fixtures from ``fixtures/make_torch_save_files.py`` plus a
real ``torch.save`` round when torch is importable."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from security_corpus import call_p4

from pytest_modelgate.security import scan, scan_bytes

FIXTURES = Path(__file__).parent / "fixtures"
# What torch.save({"w": torch.zeros(3)}) imports: the tensor reconstructors and storage class.
TORCH_GLOBALS = {"torch._utils:_rebuild_tensor_v2", "torch:FloatStorage",
                 "collections:OrderedDict"}


def _container_problems(result) -> list[str]:
    return [f.describe() for f in result.findings
            if f.opcode in ("zip", "zip-entry", "container", "file", "stream")]


def _check_benign(result) -> None:
    assert _container_problems(result) == [], result.report()
    assert result.formats[:2] == ("zip", "pytorch-zip") or "pytorch-zip" in result.formats
    assert any(m.endswith("/data.pkl") for m in result.members), result.members
    assert {g for g, _ in result.globals} <= TORCH_GLOBALS, result.globals
    assert "torch._utils:_rebuild_tensor_v2" in dict(result.globals)
    # Only the allow-list may still grade torch's reconstructors; nothing else is flagged.
    dotted = {g.replace(":", ".") for g in TORCH_GLOBALS}
    others = [f.describe() for f in result.findings if f.global_ not in dotted]
    assert others == []


def test_committed_torch_save_fixture_has_zip64_records() -> None:
    data = (FIXTURES / "torch_benign.pt").read_bytes()
    assert b"PK\x06\x06" in data  # the ZIP64 end record
    assert b"PK\x06\x07" in data  # and its locator


def test_benign_torch_save_is_read_without_a_central_directory_error() -> None:
    _check_benign(scan(FIXTURES / "torch_benign.pt"))


def test_malicious_torch_save_is_flagged_critical() -> None:
    result = scan(FIXTURES / "torch_malicious.pt")
    assert _container_problems(result) == [], result.report()
    hits = [f for f in result.findings if f.global_ in ("posix.system", "os.system")]
    assert hits, result.report()
    assert all(f.severity == "critical" for f in hits)
    assert hits[0].member.endswith("/data.pkl")


def _zip64_forced(members: list[tuple[str, bytes]]) -> bytes:
    """A zip whose end record fields are all 0xFFFF/0xFFFFFFFF, so only ZIP64 holds the values."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", allowZip64=True) as zf:
        for name, data in members:
            with zf.open(name, "w", force_zip64=True) as fh:
                fh.write(data)
    data = bytearray(buf.getvalue())
    eocd = data.rfind(b"PK\x05\x06")
    if data.rfind(b"PK\x06\x07") < 0:  # zipfile wrote no ZIP64 end record: add one
        n, cd_size, cd_off = struct.unpack_from("<HII", data, eocd + 10)
        rec = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, cd_size, cd_off)
        loc = struct.pack("<IIQI", 0x07064B50, 0, eocd, 1)
        data[eocd:eocd] = rec + loc
        eocd += len(rec) + len(loc)
    struct.pack_into("<HHII", data, eocd + 8, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)
    return bytes(data)


def test_zip64_end_record_with_extra_fields_is_followed_to_the_payload() -> None:
    data = _zip64_forced([("archive/data.pkl", call_p4("os", "system")),
                          ("archive/version", b"3\n")])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:  # a valid archive for Python's reader too
        assert zf.read("archive/version") == b"3\n"
    result = scan_bytes(data, name="model.pt")
    assert _container_problems(result) == [], result.report()
    assert any(f.global_ == "os.system" and f.severity == "critical" for f in result.findings)


def test_zip64_benign_archive_is_safe() -> None:
    import pickle

    data = _zip64_forced([("archive/data.pkl", pickle.dumps({"a": [1, 2.5]}, protocol=2))])
    result = scan_bytes(data, name="model.pt")
    assert result.safe, result.report()


def test_real_torch_save_when_torch_is_installed(tmp_path: Path) -> None:
    torch = pytest.importorskip(
        "torch", reason="torch is not installed here (it is not a project dependency); the "
        "committed fixtures from fixtures/make_torch_save_files.py cover torch.save's format")
    path = tmp_path / "model.pt"
    torch.save({"w": torch.zeros(3)}, path)
    _check_benign(scan(path))


def test_benign_torch_save_scans_safe() -> None:
    """Container parsing (ZIP64) and the allow-listed torch reconstructors together: a plain
    `torch.save` state dict is SAFE, with no finding at all."""
    result = scan(FIXTURES / "torch_benign.pt")
    assert result.safe, result.report()
    assert list(result.findings) == []
