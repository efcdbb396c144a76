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
from profile_errors import one_line_error

from pytest_modelgate.drift import Profile, profile

ROOT = Path(__file__).resolve().parents[2]


_one_line_error = one_line_error


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
    assert msg.count(str(bomb)) == 1
    assert "f8.npy" in msg
    assert "modelgate profile" in msg


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

    monkeypatch.setattr(np, "frombuffer", no_memory)
    msg = _one_line_error(good)
    assert "memory" in msg
    assert "modelgate profile" in msg


# -- F3: a loaded profile is checked for internal consistency ------------------------------------

def _doc() -> dict[str, Any]:
    pd = pytest.importorskip("pandas", reason="pandas not installed: "
                             "pip install 'pytest-modelgate[pandas]'")
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=3000),
                          "c": pd.Categorical(rng.choice(["a", "b", "c"], 3000))})
    return profile(frame).to_dict()


def _json_error(tmp_path: Path, doc: Any, name: str = "p.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return _one_line_error(path)


def _edit(doc: dict[str, Any], col: str, **fields: Any) -> dict[str, Any]:
    from pytest_modelgate.drift._profile import _enc

    out = json.loads(json.dumps(doc))
    for d in out["columns"]:
        if d["name"] == col:
            for k, v in fields.items():
                d[k] = _enc(np.asarray(v, float)) if k in ("values", "quantiles", "probs") \
                    else v
    return out


def test_inconsistent_numeric_columns_are_refused(tmp_path: Path) -> None:
    doc = _doc()
    x = next(d for d in doc["columns"] if d["name"] == "x")
    from pytest_modelgate.drift._profile import _dec

    values = _dec(x["values"])
    half_nan = values.copy()
    half_nan[::2] = np.nan
    cases = {
        "nan": _edit(doc, "x", values=half_nan),
        "short": _edit(doc, "x", values=values[:5]),
        "n_values": _edit(doc, "x", n_values=10),
        "negative": _edit(doc, "x", n_missing=-5),
        "more_than_n": _edit(doc, "x", n=10),
    }
    for name, bad in cases.items():
        msg = _json_error(tmp_path, bad, f"{name}.json")
        assert "'x'" in msg, (name, msg)
        assert "modelgate profile" in msg, (name, msg)


def test_inconsistent_sketches_are_refused(tmp_path: Path) -> None:
    doc = _doc()
    grid = {k: v for k, v in _edit(doc, "x", quantiles=[0.0, 2.0, 1.0],
                                   probs=[0.0, 0.5, 1.0]).items()}
    for d in grid["columns"]:
        d.pop("values", None) if d["name"] == "x" else None
    assert "'x'" in _json_error(tmp_path, grid, "grid.json")
    lengths = _edit(grid, "x", quantiles=[0.0, 1.0], probs=[0.0, 0.5, 1.0])
    assert "'x'" in _json_error(tmp_path, lengths, "lengths.json")
    probs = _edit(grid, "x", quantiles=[0.0, 1.0, 2.0], probs=[0.0, 0.7, 0.5])
    assert "'x'" in _json_error(tmp_path, probs, "probs.json")


def test_inconsistent_categorical_columns_are_refused(tmp_path: Path) -> None:
    doc = _doc()
    assert "'c'" in _json_error(tmp_path, _edit(doc, "c", counts=[]), "empty.json")
    assert "'c'" in _json_error(tmp_path, _edit(doc, "c", counts=[1000, -5, 2005]), "neg.json")
    assert "'c'" in _json_error(tmp_path, _edit(doc, "c", categories=["a"]), "cats.json")


def test_bad_top_level_fields_and_deep_json_are_one_line_errors(tmp_path: Path) -> None:
    doc = _doc()
    assert "version" in _json_error(tmp_path, dict(doc, version="two"), "v.json")
    assert "n_rows" in _json_error(tmp_path, dict(doc, n_rows=-5), "rows.json")
    _json_error(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json")
    _json_error(tmp_path, '{"format": "pytest-modelgate-profile", "meta": ' + "[" * 100_000
                + "]" * 100_000 + "}", "deepmeta.json")


def test_nan_values_in_a_binary_profile_are_refused(tmp_path: Path) -> None:
    from pytest_modelgate.drift._profile import _dec

    doc = _doc()
    x = next(d for d in doc["columns"] if d["name"] == "x")
    values = _dec(x["values"])
    values[:10] = np.nan
    good = tmp_path / "good.npz"
    good.write_bytes(Profile.from_dict(doc).to_bytes())
    hdr = _header(good)
    ref = next(d for d in hdr["columns"] if d["name"] == "x")["values"]
    with zipfile.ZipFile(good) as zf:
        f8 = np.lib.format.read_array(io.BytesIO(zf.read("f8.npy")))
        members = {n: zf.read(n) for n in zf.namelist()}
    f8[ref["start"]:ref["stop"]] = values
    buf = io.BytesIO()
    np.lib.format.write_array(buf, f8)
    members["f8.npy"] = buf.getvalue()
    bad = tmp_path / "bad.npz"
    with zipfile.ZipFile(bad, "w") as zf:
        for n, b in members.items():
            zf.writestr(n, b)
    assert "'x'" in _one_line_error(bad)


def test_good_profiles_still_load_after_the_checks(tmp_path: Path) -> None:
    doc = _doc()
    prof = Profile.from_dict(doc)
    assert Profile.load(prof.save(tmp_path / "p.npz")).n_rows == 3000
    sketch = profile(np.random.default_rng(1).normal(size=150_000))
    assert not sketch.exact
    assert Profile.load(sketch.save(tmp_path / "s.json")).n_rows == 150_000


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM (Linux)")
def test_a_zlib_bomb_in_a_json_profile_stays_in_bounded_memory(tmp_path: Path) -> None:
    import base64
    import zlib

    doc = profile(np.arange(3000.0)).to_dict()
    bomb = zlib.compress(bytes(256 * 1024 * 1024), 9)
    doc["columns"][0]["values"] = base64.b64encode(bomb).decode("ascii")
    path = tmp_path / "bomb.json"
    path.write_text(json.dumps(doc))
    assert path.stat().st_size < 2_000_000
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    assert out["outcome"] == "InputError"
    assert out["peak_delta_mib"] < 32, out
