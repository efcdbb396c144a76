"""The metric judge as the `gate` fixture calls it: verdicts, messages, baseline, slices."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates import metric as judge


def _labels(n: int, acc: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    wrong = rng.permutation(n)[: round(n * (1 - acc))]
    p = y.copy()
    p[wrong] = 1 - p[wrong]
    return y, p


def test_keywords_contract() -> None:
    for key in ("min", "max", "confidence", "slices", "max_drop", "min_slice_size",
                "n_resamples", "ci_method", "average"):
        assert key in judge.METRIC_KEYWORDS
    assert "max_drop" in judge.COMPARE_KEYWORDS
    assert "min_gain" in judge.COMPARE_KEYWORDS
    assert "metric" in judge.WEAK_SLICES_KEYWORDS
    assert "max_gap" in judge.WEAK_SLICES_KEYWORDS


def test_point_threshold_pass_and_fail() -> None:
    y, p = _labels(1000, 0.9)
    g = Gate(GateContext(nodeid="t::a"))
    ok = g.metric("accuracy", y, p, min=0.85)
    bad = g.metric("accuracy", y, p, min=0.95)
    assert ok.verdict == "passed"
    assert ok.kind == "metric"
    assert ok.value == pytest.approx(0.9)
    assert bad.verdict == "failed"
    assert "0.9" in bad.message
    assert "min 0.95" in bad.message
    assert "margin" in bad.message
    assert bad.margin == pytest.approx(0.9 - 0.95)


def test_three_verdicts_with_confidence() -> None:
    y, p = _labels(1000, 0.9)
    g = Gate(GateContext(nodeid="t::a", seed=3))
    passed = g.metric("accuracy", y, p, min=0.85, confidence=0.95)
    inconclusive = g.metric("accuracy", y, p, min=0.89, confidence=0.95)
    failed = g.metric("accuracy", y, p, min=0.91, confidence=0.95)
    assert [r.verdict for r in (passed, inconclusive, failed)] == [
        "passed", "inconclusive", "failed"]
    assert passed.ci is not None
    assert passed.method == "wilson"
    rows = inconclusive.details["rows_needed"]
    assert isinstance(rows, int)
    assert rows > 1000
    assert f"{rows:,}" in inconclusive.message
    assert "95% CI" in inconclusive.message
    # the rows-needed estimate is about right: with that many rows at the same accuracy the
    # lower bound clears the threshold
    y2, p2 = _labels(rows, 0.9, seed=1)
    assert g.metric("accuracy", y2, p2, min=0.89, confidence=0.95).verdict == "passed"


def test_max_threshold_for_loss() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=500)
    r = Gate().metric("mae", y, y + rng.normal(scale=0.1, size=500), max=0.2, confidence=0.9)
    assert r.verdict == "passed"
    assert r.direction == "lower"
    assert r.threshold == {"max": 0.2}


def test_baseline_max_drop() -> None:
    y, p = _labels(2000, 0.9)
    stored = {"value": 0.93, "ci": [0.92, 0.94], "n": 2000}
    g = Gate(GateContext(baseline=lambda name: stored if name == "accuracy" else None))
    r = g.metric("accuracy", y, p, max_drop=0.01, confidence=0.95)
    assert r.verdict == "failed"
    assert r.threshold["baseline_value"] == 0.93
    assert r.threshold["max_drop"] == 0.01
    assert r.details["baseline"]["limit"] == pytest.approx(0.92)
    assert "baseline" in r.message
    r2 = g.metric("accuracy", y, p, max_drop=0.05, confidence=0.95)
    assert r2.verdict == "passed"


def test_baseline_missing_passes_on_value_thresholds() -> None:
    y, p = _labels(500, 0.9)
    r = Gate().metric("accuracy", y, p, min=0.8, max_drop=0.01)
    assert r.verdict == "passed"
    assert r.details["baseline"]["status"] == "missing"
    assert "no stored baseline" in r.message


def test_slices_name_worst() -> None:
    y, p = _labels(900, 0.9)
    region = np.array(["north", "south", "east"] * 300)
    p = p.copy()
    east = np.flatnonzero(region == "east")[:120]
    p[east] = 1 - y[east]  # break the east slice
    r = Gate().metric("accuracy", y, p, min=0.8, slices=region, confidence=0.95)
    assert r.verdict == "failed"
    assert r.details["slices"]["worst"] == "east"
    assert "east" in r.message


def test_slices_by_column_name() -> None:
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
    y, p = _labels(400, 0.9)
    X = pd.DataFrame({"g": ["a", "b"] * 200, "x": np.arange(400)})
    r = Gate().metric("accuracy", y, p, min=0.5, slices="g", X=X)
    assert r.verdict == "passed"
    assert r.details["slices"]["n_gated"] == 2
    with pytest.raises(UnknownNameError, match="'gg'"):
        Gate().metric("accuracy", y, p, min=0.5, slices="gg", X=X)


def test_small_slices_reported_not_gated() -> None:
    y, p = _labels(300, 0.9)
    keys = np.array(["big"] * 290 + ["tiny"] * 10)
    p = p.copy()
    p[-10:] = 1 - y[-10:]
    r = Gate().metric("accuracy", y, p, min=0.8, slices=keys, min_slice_size=30)
    assert r.verdict == "passed"
    tiny = next(s for s in r.details["slices"]["results"] if s["key"] == "tiny")
    assert tiny["gated"] is False
    assert tiny["value"] == 0.0


def test_bad_config_errors() -> None:
    y, p = _labels(100, 0.9)
    with pytest.raises(ConfigError, match="min"):
        Gate().metric("accuracy", y, p, min=0.9, max=0.5)
    with pytest.raises(ConfigError, match="'mn'"):
        Gate().metric("accuracy", y, p, mn=0.9)
    with pytest.raises(ConfigError, match="confidence"):
        Gate().metric("accuracy", y, p, min=0.9, confidence=95)
    with pytest.raises(UnknownNameError, match="accuracy"):
        Gate().metric("acuracy", y, p, min=0.9)
    with pytest.raises(InputError, match="lengths"):
        Gate().metric("accuracy", y, p[:-1], min=0.9)


def test_result_is_plain_and_serialisable() -> None:
    import json

    y, p = _labels(500, 0.9)
    r = Gate().metric("f1", y, p, min=0.5, confidence=0.95)
    json.dumps(r.to_dict())
    assert type(r.value) is float
    assert all(type(x) is float for x in r.ci or ())
