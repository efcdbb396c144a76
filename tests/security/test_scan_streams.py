"""Compressed streams are decompressed in bounded pieces straight into the scan: multi-member
gzip, trailing bytes and decompression bombs finish fast in bounded memory, every byte produced
is charged to the budget, a payload anywhere in the stream is still found, and a per-file time
limit fails closed. The hostile files are built here; the heavy ones run in a subprocess that
measures its own peak memory."""

from __future__ import annotations

import gzip
import json
import math
import os
import pickle
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from security_corpus import call_p4

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.security import scan, scan_bytes

ROOT = Path(__file__).resolve().parents[2]
MIB = 1 << 20

_MEASURE = r"""
import json, pickle, resource, sys, time
from pytest_modelgate.security import scan, scan_bytes
scan_bytes(pickle.dumps({"warm": [1.0]}))  # lazy imports are not the scan's memory
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
result = scan(sys.argv[1])
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_delta_mib": (after - before) / 1024,
                  "result": result.to_dict()}))
"""


def _scan_measured(path: Path) -> dict:
    """Scan in a fresh interpreter; a hang fails the test (timeout) instead of blocking it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def _deflate_with_zeros(prefix: bytes, zeros: int, suffix: bytes, *, block: int = 16 * MIB
                        ) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix + zeros * b"\\0" + suffix`` built from one compressed block
    repeated (a full flush resets the compressor, so identical input gives identical output).
    Returns (deflate bytes, crc32, total size)."""
    assert zeros % block == 0
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(prefix) + comp.flush(zlib.Z_FULL_FLUSH)
    blank = bytes(block)
    zcomp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zblock = zcomp.compress(blank) + zcomp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(suffix) + comp.flush()
    crc = zlib.crc32(prefix)
    for _ in range(zeros // block):
        crc = zlib.crc32(blank, crc)
    crc = zlib.crc32(suffix, crc)
    return head + zblock * (zeros // block) + tail, crc, len(prefix) + zeros + len(suffix)


def gzip_with_zeros(prefix: bytes, zeros: int, suffix: bytes) -> bytes:
    """One gzip member holding ``prefix + zeros + suffix`` (2 GiB of zeros is ~2 MB)."""
    body, crc, size = _deflate_with_zeros(prefix, zeros, suffix)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + body + struct.pack("<II", crc, size & 0xFFFFFFFF)


def test_multi_member_gzip_of_zeros_finishes_fast(tmp_path: Path) -> None:
    path = tmp_path / "two_members.gz"
    member = gzip.compress(bytes(17 * MIB))
    path.write_bytes(member + member)
    assert path.stat().st_size < 64 * 1024
    out = _scan_measured(path)
    assert out["seconds"] < 10, out["seconds"]  # ~0.3-0.9 s idle; a hang never ends
    assert out["result"]["safe"] is False
    assert out["result"]["findings"][0]["technique"] == "unknown-format"


def test_zlib_stream_with_one_trailing_byte_finishes_fast(tmp_path: Path) -> None:
    path = tmp_path / "trailing.zlib"
    path.write_bytes(zlib.compress(bytes(17 * MIB)) + b"\x01")
    out = _scan_measured(path)
    assert out["seconds"] < 10, out["seconds"]  # ~0.3-0.9 s idle; a hang never ends
    assert out["result"]["safe"] is False
    techniques = {f["technique"] for f in out["result"]["findings"]}
    assert "corrupt-compression" in techniques, out["result"]["findings"]


def test_gzip_of_2gib_zeros_uses_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "zeros.gz"
    path.write_bytes(gzip_with_zeros(b"", 2 << 30, b""))
    assert path.stat().st_size < 3 * MIB
    out = _scan_measured(path)
    assert out["peak_delta_mib"] <= 64, out["peak_delta_mib"]
    assert out["seconds"] < 10, out["seconds"]  # ~0.3-0.9 s idle; a hang never ends
    assert out["result"]["safe"] is False


def test_payload_after_160mib_of_streamed_pickle_is_found_in_bounded_memory(
        tmp_path: Path) -> None:
    """The walker really consumes the stream: the GLOBAL os.system sits after a 160 MiB
    BINBYTES8, far past what is ever held in memory."""
    zeros = 160 * MIB
    prefix = b"\x80\x04\x8e" + struct.pack("<Q", zeros)
    suffix = b"0" + b"cos\nsystem\n" + b"\x8c\x0aecho pwned\x85R."
    path = tmp_path / "long.pkl.gz"
    path.write_bytes(gzip_with_zeros(prefix, zeros, suffix))
    out = _scan_measured(path)
    assert out["peak_delta_mib"] <= 64, out["peak_delta_mib"]
    hits = [f for f in out["result"]["findings"] if f["global"] == "os.system"]
    assert hits, out["result"]["findings"]
    assert hits[0]["offset"] == len(prefix) + zeros + 1  # offsets count the whole stream
    assert hits[0]["severity"] == "critical"


def test_malicious_pickle_in_the_second_gzip_member_is_found() -> None:
    first = gzip.compress(pickle.dumps(bytes(17 * MIB), protocol=4))
    second = gzip.compress(call_p4("os", "system"))
    result = scan_bytes(first + second, name="model.pkl.gz")
    assert any(f.global_ == "os.system" and f.severity == "critical" for f in result.findings), \
        result.report()


def test_concatenated_bz2_and_xz_streams_are_all_read() -> None:
    import bz2
    import lzma

    benign = pickle.dumps({"a": 1}, protocol=2)
    for compress in (bz2.compress, lambda d: lzma.compress(d, format=lzma.FORMAT_XZ)):
        data = compress(benign) + compress(call_p4("os", "system"))
        result = scan_bytes(data)
        assert any(f.global_ == "os.system" for f in result.findings), result.report()
        assert scan_bytes(compress(benign) + compress(benign)).safe


def test_every_decompressed_byte_is_charged_to_the_budget() -> None:
    data = zlib.compress(bytes(40 * MIB)) + b"\x01"
    result = scan_bytes(data, max_decompressed_bytes=8 * MIB)
    assert [f.technique for f in result.findings] == ["bomb"], result.report()


def test_big_compressed_joblib_is_walked_through_the_window(tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    np = pytest.importorskip("numpy")

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo pwned",))

    weights = np.zeros(5_000_000)  # 40 MB: more than the scanner holds in memory
    benign = tmp_path / "big.joblib"
    joblib.dump({"w": weights, "b": [1.0, 2.0]}, benign, compress=("zlib", 1))
    result = scan(benign)
    assert result.safe, result.report()
    assert result.formats[:2] == ("zlib", "joblib")
    assert result.bytes_scanned > 40_000_000
    bad = tmp_path / "bad.joblib"
    joblib.dump({"w": weights, "x": Payload()}, bad, compress=("zlib", 1))
    result = scan(bad)
    assert any(f.global_ in ("posix.system", "os.system") and f.severity == "critical"
               for f in result.findings), result.report()


def test_time_limit_fails_closed(tmp_path: Path) -> None:
    data = pickle.dumps([float(i) for i in range(30_000)], protocol=2)
    assert scan_bytes(data).safe
    result = scan_bytes(data, max_seconds=1e-9)
    assert not result.safe
    assert [f.technique for f in result.findings] == ["timeout"]
    assert "scan timed out after 1e-9 s" in result.findings[0].why
    path = tmp_path / "slow.pkl.gz"
    path.write_bytes(gzip.compress(data))
    result = scan(path, max_seconds=1e-9)
    assert not result.safe
    assert "timeout" in {f.technique for f in result.findings}


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, "5", True])
def test_time_limit_must_be_a_positive_number(bad: object) -> None:
    with pytest.raises(InputError, match="max_seconds"):
        scan_bytes(b"\x80\x04N.", max_seconds=bad)  # type: ignore[arg-type]


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_big_tar_gz_is_streamed_member_by_member() -> None:
    weights = ("model/weights.bin", bytes(20 * MIB))  # past what is held in memory
    benign = _tar([weights, ("model/model.pkl", pickle.dumps({"a": 1}, protocol=4))])
    result = scan_bytes(gzip.compress(benign, compresslevel=1), name="model.tar.gz")
    assert result.safe, result.report()
    assert result.formats[:2] == ("gzip", "tar")
    bad = _tar([weights, ("model/model.pkl", call_p4("os", "system"))])
    result = scan_bytes(gzip.compress(bad, compresslevel=1), name="model.tar.gz")
    hits = [f for f in result.findings if f.global_ == "os.system"]
    assert hits, result.report()
    assert hits[0].member == "<gzip>!model/model.pkl"


def test_zip_inside_a_long_stream_is_refused_by_name() -> None:
    from security_corpus import make_zip

    data = gzip.compress(make_zip([("archive/data/0", bytes(20 * MIB))]), compresslevel=1)
    result = scan_bytes(data, name="model.pt.gz")
    assert [(f.opcode, f.technique) for f in result.findings] == [("zip", "too-large")]
    assert "cannot be verified" in result.findings[0].why


def test_argument_longer_than_the_window_fails_closed() -> None:
    text = b"a" * (20 * MIB)
    data = gzip.compress(b"\x80\x04\x8d" + struct.pack("<Q", len(text)) + text + b".",
                         compresslevel=1)
    result = scan_bytes(data, name="model.pkl.gz")
    assert [f.technique for f in result.findings] == ["stream-window"], result.report()
    assert "streaming window" in result.findings[0].why


def test_joblib_object_array_pickle_across_window_refills(tmp_path: Path, monkeypatch) -> None:
    """The nested object-array pickle starts past the in-memory head, so the window is refilled
    while it is walked: the walk resumes inside it and still finds a payload near its end."""
    joblib = pytest.importorskip("joblib")
    np = pytest.importorskip("numpy")
    from pytest_modelgate.security import pickle_walk

    resumed = []
    real_resume = pickle_walk.Walker.resume

    def resume(self, pos, fork=None):  # type: ignore[no-untyped-def]
        resumed.append(self.pending is not None)
        return real_resume(self, pos, fork)

    monkeypatch.setattr(pickle_walk.Walker, "resume", resume)

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, ("echo pwned",))

    items = np.array([f"s{i}" for i in range(150_000)], dtype=object)
    benign = tmp_path / "obj.joblib"
    joblib.dump({"w": np.zeros(2_100_000), "o": items}, benign, compress=("zlib", 1))
    result = scan(benign)
    assert result.safe, result.report()
    assert any(resumed), "the nested pickle was never resumed after a refill"
    items[149_000] = Payload()
    bad = tmp_path / "obj_bad.joblib"
    joblib.dump({"w": np.zeros(2_100_000), "o": items}, bad, compress=("zlib", 1))
    result = scan(bad)
    assert any(f.global_ in ("posix.system", "os.system") for f in result.findings), \
        result.report()
