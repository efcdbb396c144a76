"""Pickle FRAME boundaries: an opcode or argument that crosses a frame end (or a frame opened
inside another) makes CPython's C unpickler, reading from a file, run bytes a linear reading never
sees (python/cpython#154848). The walker tracks frame ends and flags both, fail closed."""

from __future__ import annotations

import pickle
import struct
import subprocess
import sys
from pathlib import Path

from pytest_modelgate.security import scan, scan_bytes

PROTO, FRAME, STOP = b"\x80", b"\x95", b"."


def straddle_exploit(hidden: bytes) -> bytes:
    """A frame of 2 bytes holding a BINBYTES opcode whose 4-byte length crosses the frame end.

    Read linearly (pickletools, scanners) the BINBYTES swallows `hidden` as data; CPython's C
    unpickler reading a file (3.4 up to the 3.13.15/3.14.7 fix) resynchronises on the frame and
    runs `hidden`. The prefix aligns the frame on the unpickler's 128 KiB read-ahead window.
    """
    out = PROTO + b"\x05" + b"N" + b"V" + b"a" * (8192 * 16 - 17) + b"\n" + b"0" + b"("
    out += FRAME + struct.pack("<Q", 2)
    out += b"B" + b"\x07\x01\x00\x00"
    out += b"\x00\x00" + (hidden + b"(").ljust(256 + 5, b"N") + b"1"
    return out + STOP


SYSTEM = b"cos\nsystem\n" + b"Vecho pwned\n" + b"\x85R"


def test_straddling_opcode_hiding_os_system_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "straddle.pkl"
    data = straddle_exploit(SYSTEM)
    path.write_bytes(data)
    result = scan(path)
    hits = [f for f in result.findings if f.technique == "frame-straddle"]
    assert hits, result.report()
    assert hits[0].severity == "critical"
    # the BINBYTES opcode, right after the 9-byte FRAME opcode
    assert hits[0].offset == data.index(FRAME + struct.pack("<Q", 2)) + 9
    assert "FRAME" in hits[0].why


def test_the_straddle_exploit_really_runs_hidden_code(tmp_path: Path) -> None:
    """Proof the bytes above are a real bypass: a harmless print hidden the same way runs when
    CPython's pickle.load reads the file, though a linear reading shows only a BINBYTES."""
    import pickletools

    marker = b"cbuiltins\nprint\n" + b"VHIDDEN-CODE-RAN\n" + b"\x85R"
    data = straddle_exploit(marker)
    path = tmp_path / "proof.pkl"
    path.write_bytes(data)
    ops = [op.name for op, _, _ in pickletools.genops(data)]
    assert "GLOBAL" not in ops  # invisible to a linear reading
    assert "REDUCE" not in ops
    code = ("import pickle, sys\n"
            "try:\n    pickle.load(open(sys.argv[1], 'rb'))\n"
            "except pickle.UnpicklingError as e:\n    print('REJECTED', e)\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60).stdout
    if "REJECTED" in out:
        import pytest

        pytest.skip(f"this CPython enforces frame boundaries (fixed upstream): {out.strip()}")
    assert "HIDDEN-CODE-RAN" in out
    assert any(f.technique == "frame-straddle" for f in scan(path).findings)


def test_argument_crossing_a_frame_end_is_flagged() -> None:
    body = b"\x8c\x06" + b"abc"  # SHORT_BINUNICODE of 6 chars, 3 inside the frame
    data = PROTO + b"\x04" + FRAME + struct.pack("<Q", len(body)) + body + b"def" + STOP
    result = scan_bytes(data)
    hits = [f for f in result.findings if f.technique == "frame-straddle"]
    assert hits, result.report()
    assert (hits[0].offset, hits[0].severity) == (11, "critical")


def test_opcode_byte_straddling_ends_the_frame_inside_a_line_argument() -> None:
    body = b"cbuiltins\nl"  # GLOBAL whose second line continues past the frame
    data = PROTO + b"\x04" + FRAME + struct.pack("<Q", len(body)) + body + b"en\n)R" + STOP
    assert any(f.technique == "frame-straddle" for f in scan_bytes(data).findings)


def test_frame_opened_inside_another_frame_is_flagged() -> None:
    inner = b"N0"
    outer = FRAME + struct.pack("<Q", len(inner)) + inner + b"N"
    data = PROTO + b"\x04" + FRAME + struct.pack("<Q", len(outer)) + outer + STOP
    result = scan_bytes(data)
    hits = [f for f in result.findings if f.technique == "frame-nested"]
    assert hits, result.report()
    assert hits[0].offset == 11
    assert hits[0].severity in ("critical", "high")


def test_frames_that_end_between_opcodes_are_clean() -> None:
    obj = {f"key{i}": [float(i)] * 50 + [str(i) * 40] for i in range(3000)}
    for protocol in (4, 5):
        data = pickle.dumps(obj, protocol=protocol)
        assert data.count(FRAME) > 5  # really many frames
        result = scan_bytes(data)
        assert result.safe, result.report()


def test_frame_running_past_stop_is_flagged(tmp_path: Path) -> None:
    """pickle.load from an in-memory file (io.BytesIO, as loaders that read the file first do)
    consumes the whole frame, so a second load starts after the frame: bytes of the frame after
    STOP are skipped by the loader but walked by a linear reading."""
    decoy = b"C" + bytes([11 + 3])  # a linear reading swallows the real second pickle as bytes
    second = b"cbuiltins\nprint\n" + b"VSECOND-LOAD-RAN\n" + b"\x85R."
    body = b"N." + decoy
    data = PROTO + b"\x04" + FRAME + struct.pack("<Q", len(body)) + body + second + b"."
    hits = [f for f in scan_bytes(data).findings if f.technique == "frame-straddle"]
    assert hits, scan_bytes(data).report()
    assert hits[0].opcode == "STOP"
    path = tmp_path / "two.pkl"
    path.write_bytes(data)
    code = ("import io, pickle, sys\nf = io.BytesIO(open(sys.argv[1], 'rb').read())\n"
            "print(pickle.load(f))\nprint(pickle.load(f))\n")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                         text=True, timeout=60).stdout
    assert "SECOND-LOAD-RAN" in out  # the hidden second pickle is what the loader runs
