"""Review finding H1: a 65 KB gzip of NONE/POP pairs cost 31 s of scan CPU (8 s after a first
opcode budget) and a directory of such files multiplied it. With the default limits such a file
is an opcode bomb in well under a second, and a directory scan or a `modelgate scan` invocation
has a total time cap: a file not scanned in time is a finding (exit 1), never SAFE."""

from __future__ import annotations

import gzip
import json
import pickle
import struct
import time
import zlib
from pathlib import Path

import pytest

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.security import containers as C
from pytest_modelgate.security import scan, scan_bytes
from pytest_modelgate.security.cli import cli_scan


def _bomb() -> bytes:
    """The review's file, ``gzip.compress(PROTO 2 + b"N0" * 32Mi + b"N.", 9)`` (~65 KB), built
    from one compressed 1 MiB block repeated (a full flush makes the blocks identical)."""
    block = b"N0" * (1 << 19)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = comp.compress(b"\x80\x02") + comp.flush(zlib.Z_FULL_FLUSH)
    zcomp = zlib.compressobj(9, zlib.DEFLATED, -15)
    zblock = zcomp.compress(block) + zcomp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.compress(b"N.") + comp.flush()
    crc = zlib.crc32(b"\x80\x02")
    for _ in range(64):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(b"N.", crc)
    size = 2 + 64 * len(block) + 2
    return (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head + zblock * 64 + tail
            + struct.pack("<II", crc, size & 0xFFFFFFFF))


def test_the_review_opcode_bomb_is_a_finding_in_well_under_a_second() -> None:
    data = _bomb()
    assert len(data) < 70_000
    assert gzip.decompress(data)[-4:] == b"N0N."  # a valid gzip of the review's stream
    t = time.process_time()
    r = scan_bytes(data, name="slow.pkl.gz")
    assert time.process_time() - t < 1.0
    (f,) = r.findings
    assert f.technique == "opcode-bomb"


def _slow_dir(root: Path, n: int) -> Path:
    root.mkdir()
    for i in range(n):
        (root / f"m{i}.pkl").write_bytes(pickle.dumps(list(range(200_000)), protocol=2))
    return root


def test_a_directory_scan_has_a_total_time_cap(tmp_path: Path) -> None:
    d = _slow_dir(tmp_path / "d", 6)
    r = scan(d, max_total_seconds=0.05)
    assert not r.safe
    assert any(f.technique == "total-timeout" for f in r.findings)
    assert any("max_total_seconds" in f.why for f in r.findings)
    assert len(r.files) == 6  # every file is accounted for, scanned or not


def test_the_cli_total_cap_covers_the_whole_invocation(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    d = _slow_dir(tmp_path / "d", 3)
    single = tmp_path / "one.pkl"
    single.write_bytes(pickle.dumps(list(range(200_000)), protocol=2))
    assert cli_scan([str(d), str(single)], max_total_seconds=0.05, as_json=True) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["safe"] is False
    assert len(doc["results"]) == 4
    assert any(f["technique"] == "total-timeout" for r in doc["results"] for f in r["findings"])
    assert cli_scan([str(d)], max_total_seconds=60) == 0


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "5", True])
def test_bad_total_caps_are_clear_errors(tmp_path: Path, bad: object) -> None:
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps(1))
    with pytest.raises(InputError, match="max_total_seconds"):
        scan(p, max_total_seconds=bad)  # type: ignore[arg-type]


def test_the_cli_flag_is_wired(tmp_path: Path) -> None:
    from pytest_modelgate.cli import build_parser

    args = build_parser().parse_args(["scan", "--max-total-seconds", "7", str(tmp_path)])
    assert args.max_total_seconds == 7.0


def test_the_budget_defaults_are_what_the_docs_say() -> None:
    assert C.OPS_FREE <= 2 << 20
    assert C.OPS_PER_BYTE == 20
