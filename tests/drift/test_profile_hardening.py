"""Review #3 F2/F3: crafted or damaged profile files are one-line `InputError`s, never a
huge allocation, a traceback or a silently wrong drift verdict."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.drift import Profile, profile
from pytest_modelgate.exceptions import InputError

ROOT = Path(__file__).resolve().parents[2]


def _one_line_error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        Profile.load(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert info.value.__cause__ is None
    return msg


def _header(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as zf:
        raw = np.lib.format.read_array(io.BytesIO(zf.read("header.npy")))
    doc: dict[str, Any] = json.loads(raw.tobytes())
    return doc


def _bomb(good: Path, out: Path, mib: int) -> Path:
    """`good`'s header (unshuffled) with an f8 pool declared as `mib` MiB of zeros."""
    hdr = dict(_header(good), shuffle=None)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.frombuffer(json.dumps(hdr).encode(), np.uint8))
        zf.writestr("header.npy", buf.getvalue())
        for name, dtype in (("i8", "<i8"), ("u1", "|u1")):
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.empty(0, dtype))
            zf.writestr(f"{name}.npy", buf.getvalue())
        n = mib * 1024 * 1024 // 8
        info = zipfile.ZipInfo("f8.npy")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            buf = io.BytesIO()
            np.lib.format.write_array_header_1_0(
                buf, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
            fh.write(buf.getvalue())
            chunk = bytes(1024 * 1024)
            for _ in range(mib):
                fh.write(chunk)
    return out


def test_a_deflate_bomb_member_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    good = profile(np.arange(3000.0)).save(tmp_path / "good.npz")
    bomb = _bomb(good, tmp_path / "bomb.npz", 64)
    assert bomb.stat().st_size < 1_000_000  # small on disk, 64 MiB declared
    msg = _one_line_error(bomb)
    assert "f8.npy" in msg and "modelgate profile" in msg


_MEASURE = r"""
import json, sys
from pytest_modelgate.drift import Profile, profile
from pytest_modelgate.exceptions import InputError
import numpy as np

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

Profile.from_bytes(profile(np.arange(10.0)).to_bytes())  # lazy imports are not the load's
before = hwm()
try:
    Profile.load(sys.argv[1])
    outcome = "loaded"
except InputError as exc:
    outcome = "InputError"
print(json.dumps({"outcome": outcome, "peak_delta_mib": hwm() - before}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
def test_loading_a_bomb_stays_in_bounded_memory(tmp_path: Path) -> None:
    good = profile(np.arange(3000.0)).save(tmp_path / "good.npz")
    bomb = _bomb(good, tmp_path / "bomb.npz", 256)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(bomb)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["outcome"] == "InputError"
    assert out["peak_delta_mib"] < 32, out


def test_a_lying_npy_shape_is_refused(tmp_path: Path) -> None:
    """The .npy header of a member may not declare more than the profile's header needs."""
    good = tmp_path / "good.npz"
    good.write_bytes(profile(np.arange(3000.0)).to_bytes())  # uncompressed: no shuffle
    hdr = _header(good)
    out = tmp_path / "shape.npz"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(out, "w") as zf:
        for name in ("header", "i8", "u1"):
            zf.writestr(f"{name}.npy", src.read(f"{name}.npy"))
        buf = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buf, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
        zf.writestr("f8.npy", buf.getvalue() + np.arange(3000.0).tobytes())
    assert hdr["shuffle"] is None
    msg = _one_line_error(out)
    assert "f8.npy" in msg


def test_out_of_memory_is_a_one_line_input_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    good = profile(np.arange(3000.0)).save(tmp_path / "good.npz")

    def no_memory(*args: Any, **kwargs: Any) -> Any:
        raise MemoryError("Unable to allocate output buffer.")

    monkeypatch.setattr(np.lib.format, "read_array", no_memory)
    msg = _one_line_error(good)
    assert "memory" in msg and "modelgate profile" in msg
