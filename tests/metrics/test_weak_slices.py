"""Automatic weak-segment search: a planted weak segment is found, named and gated."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import weak_slices


def _planted(n: int = 4000, seed: int = 0, weak: bool = True):
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "age": rng.integers(18, 90, n),
        "region": rng.choice(["north", "south", "east", "west"], n),
        "noise": rng.normal(size=n),
    })
    y = rng.integers(0, 2, n)
    bad = ((X["age"] > 70) & (X["region"] == "east")).to_numpy() if weak else np.zeros(n, bool)
    p = np.where(rng.random(n) < np.where(bad, 0.55, 0.92), y, 1 - y)
    return X, y, p


def test_finds_the_planted_segment() -> None:
    X, y, p = _planted()
    r = weak_slices(X, y, p, metric="accuracy")
    assert r.worst is not None
    assert "age >" in r.worst.rule
    assert "region in {east}" in r.worst.rule
    assert r.worst.gap > 0.2
    assert r.worst.value < 0.7
    assert set(r.worst.features) == {"age", "region"}
    assert [s.gap for s in r.segments] == sorted((s.gap for s in r.segments), reverse=True)


def test_no_planted_segment_small_gap() -> None:
    X, y, p = _planted(weak=False)
    r = weak_slices(X, y, p, metric="accuracy", confidence=0.95, seed=1)
    assert r.honest
    assert r.worst is not None
    assert r.worst.ci is not None
    assert r.worst.ci[0] < 0.05  # on held-out rows the "weakest" segment is not really weak


def test_honest_mode_is_seeded_and_splits() -> None:
    X, y, p = _planted(2000)
    a = weak_slices(X, y, p, confidence=0.9, seed=3)
    b = weak_slices(X, y, p, confidence=0.9, seed=3)
    assert a == b
    assert a.n_searched + a.n_evaluated == 2000


def test_regression_and_numpy_input() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3000, 3))
    y = X[:, 0] + rng.normal(scale=0.1, size=3000)
    p = y + np.where(X[:, 2] > 1.0, rng.normal(scale=2.0, size=3000), 0.0)
    r = weak_slices(X, y, p, metric="mae")
    assert r.direction == "lower"
    assert r.worst is not None
    assert "x2 >" in r.worst.rule


def test_errors() -> None:
    X, y, p = _planted(200)
    with pytest.raises(InputError, match="X"):
        weak_slices(None, y, p)
    with pytest.raises(ConfigError, match="min_size"):
        weak_slices(X, y, p, min_size=-1)
    with pytest.raises(InputError, match="min_size"):
        weak_slices(X, y, p, min_size=150)


def test_gate_weak_slices() -> None:
    X, y, p = _planted()
    g = Gate(GateContext(nodeid="t::w", seed=0))
    bad = g.weak_slices(X, y, p, metric="accuracy", max_gap=0.1)
    assert bad.kind == "weak_slices"
    assert bad.verdict == "failed"
    assert "region in {east}" in bad.message
    assert "max_gap 0.1" in bad.message
    assert bad.details["worst"]["n"] > 0
    ok = g.weak_slices(X, y, p, metric="accuracy", max_gap=0.5, confidence=0.95)
    assert ok.verdict == "passed"
    assert ok.ci is not None
    weighted = g.weak_slices(X, y, p, metric="accuracy", max_gap=0.1,
                             sample_weight=np.ones(len(y)))
    assert weighted.value == pytest.approx(bad.value)
    rel = g.weak_slices(X, y, p, metric="accuracy", max_gap=0.2, relative=True)
    assert rel.threshold["relative"] is True
    with pytest.raises(ConfigError, match="max_gapp"):
        g.weak_slices(X, y, p, max_gapp=0.1)
