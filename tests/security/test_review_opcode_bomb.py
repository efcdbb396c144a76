"""Review finding 11: a tiny gzip of `NONE POP` pairs kept the scanner busy for minutes (a 65 KB
file, 31 s; ~4 MB, the whole 600 s cap). Pickle opcodes walked one by one are now budgeted per
byte of the file beyond a free allowance, so such a file fails closed quickly; raw array data
(joblib) is skipped, not walked, so a highly compressible real model is not affected."""

from __future__ import annotations

import gzip
import pickle
import time

import numpy as np
import pytest

from pytest_modelgate.security import containers as C
from pytest_modelgate.security import scan_bytes


@pytest.fixture
def small_allowance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(C, "OPS_FREE", 1 << 20)  # the default (16M opcodes) costs ~8 s


def test_a_compressed_opcode_bomb_fails_closed_quickly(small_allowance: None) -> None:
    data = gzip.compress(b"\x80\x02" + b"N0" * (2 << 20) + b"N.", 9)
    t = time.perf_counter()
    r = scan_bytes(data)
    assert time.perf_counter() - t < 10
    assert not r.safe
    (f,) = r.findings
    assert f.technique == "opcode-bomb"
    assert "compression ratio" in f.why
    assert "above the limit" in f.why


def test_the_opcode_budget_spares_real_compressed_models(small_allowance: None) -> None:
    """Plain pickles (<= 1 opcode per byte), compressed object pickles and a joblib file whose
    zero array compresses ~1000:1 all stay SAFE."""
    joblib = pytest.importorskip("joblib")
    import io

    rng = np.random.default_rng(0)
    objs = {"ints": list(range(300_000)), "floats": rng.normal(size=200_000).tolist(),
            "vocab": {f"tok{i}": i for i in range(100_000)}}
    plain = pickle.dumps(objs, protocol=2)
    assert scan_bytes(plain).safe
    assert scan_bytes(gzip.compress(plain, 9)).safe
    buf = io.BytesIO()
    joblib.dump({"w": np.zeros(4_000_000), "objs": objs}, buf, compress=9)
    assert scan_bytes(buf.getvalue()).safe
