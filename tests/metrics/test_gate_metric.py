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
    failed = g.metric("accuracy", y, p, min=0.93, confidence=0.95)  # the whole CI misses
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
    g = Gate(GateContext(baseline=lambda kind, name: stored if (kind, name) == ("metric", "accuracy") else None))
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


# -- issue 10 item 16: degenerate intervals never pass -------------------------------------------


def test_bootstrap_on_one_row_is_inconclusive_with_rows_needed() -> None:
    from pytest_modelgate.metrics import evaluate

    res = evaluate("mae", [1.0], [1.2], confidence=0.99)
    assert res.ci is None  # not the degenerate [0.2, 0.2]
    assert res.details["min_rows"] >= 20
    r = Gate().metric("mae", [1.0], [1.2], max=0.5, confidence=0.99)
    assert r.verdict == "inconclusive"
    assert r.details["rows_needed"] == res.details["min_rows"]
    assert f"about {res.details['min_rows']:,} rows would decide it" in r.message


def test_bootstrap_with_few_distinct_replicates_is_inconclusive() -> None:
    from pytest_modelgate.metrics import evaluate

    # f1 on perfect predictions: every resample scores 1, the interval would be [1, 1]
    assert evaluate("f1", [1, 1, 1], [1, 1, 1], confidence=0.95).ci is None
    y = np.array([0, 1] * 30)
    res = evaluate("f1", y, y, confidence=0.95)
    assert res.ci is None
    assert "distinct" in res.details["note"]
    r = Gate().metric("f1", y, y, min=0.5, confidence=0.95)
    assert r.verdict == "inconclusive"
    assert "distinct" in r.message
    # an ordinary bootstrap on enough varied rows still gives an interval
    rng = np.random.default_rng(0)
    t = rng.normal(size=200)
    assert evaluate("mae", t, t + rng.normal(size=200), confidence=0.95).ci is not None


def test_constant_predictor_with_a_structurally_constant_metric_is_decided_on_the_point() -> None:
    """Review V1: balanced_accuracy of a constant predictor is 0.5 on every resample that has
    both classes; more rows never decide it, so the point value decides (and says why).
    (naive=False: a constant predictor is the naive one, which the naive check fails.)"""
    y = np.array([1] * 395 + [0] * 5)
    p = np.ones(400, dtype=int)
    ok = Gate().metric("balanced_accuracy", y, p, min=0.4, confidence=0.95, naive=False)
    assert ok.verdict == "passed"
    assert "constant" in ok.message
    assert "evaluate on more rows" not in ok.message
    assert ok.details["interval"]["constant_predictions"] is True
    bad = Gate().metric("balanced_accuracy", y, p, min=0.6, confidence=0.95, naive=False)
    assert bad.verdict == "failed"
    assert "constant" in bad.message
    assert "evaluate on more rows" not in bad.message
    assert "rows_needed" not in bad.details
    # recall of an always-1 predictor is 1 in any population: decided on the point as well
    assert Gate().metric("recall", y, p, min=0.9, confidence=0.95, naive=False).verdict == "passed"


def test_degenerate_bootstrap_of_constant_predictions_says_so_plainly() -> None:
    # constant predictions on constant labels: nothing shows the model's errors; no pass, and
    # the message says plainly that the predictions are constant (rows of the other class
    # would decide it, so the rows advice stays)
    y = np.ones(60, dtype=int)
    r = Gate().metric("f1", y, y, min=0.5, confidence=0.95)
    assert r.verdict == "inconclusive"
    assert "the predictions are constant (every row predicts 1)" in r.message
    # precision of a constant predictor is the prevalence: it varies, more rows give an interval
    few = np.array([1] * 395 + [0] * 5)
    p = Gate().metric("precision", few, np.ones(400, dtype=int), min=0.5, confidence=0.95,
                      naive=False)  # a constant predictor is the naive one: that check fails it
    assert p.verdict == "inconclusive"
    assert "the predictions are constant" in p.message
    assert "more varied rows" in p.message
    # perfect (non-constant) predictions stay inconclusive: zero errors seen is not zero error
    z = np.array([0, 1] * 30)
    assert Gate().metric("f1", z, z, min=0.5, confidence=0.95).verdict == "inconclusive"


def test_point_gate_on_few_rows_notes_that_there_is_no_bound() -> None:
    """Review C1: a point gate (confidence=None) passing on 1 row says so; the verdict stays."""
    r = Gate().metric("accuracy", [1], [1], min=0.9)
    assert r.verdict == "passed"
    assert "n=1: no confidence bound; set confidence= to gate on uncertainty" in r.message
    big = Gate().metric("accuracy", *_labels(100, 0.95), min=0.9)
    assert "no confidence bound" not in big.message
    sure = Gate().metric("accuracy", *_labels(100, 0.95), min=0.5, confidence=0.95)
    assert "no confidence bound" not in sure.message


# -- issue 10 item 18: a point miss inside the interval is inconclusive ----------------------------


def _acc77() -> tuple[np.ndarray, np.ndarray]:
    """A constant predictor (the majority class) at 0.77: these tests exercise the interval
    rules, so they pass naive=False (the naive check would fail it, rightly)."""
    y = np.r_[np.ones(77), np.zeros(23)].astype(int)
    return y, np.ones(100, dtype=int)


def test_point_miss_with_straddling_interval_is_inconclusive() -> None:
    y, p = _acc77()
    r = Gate().metric("accuracy", y, p, min=0.78, confidence=0.99, naive=False)
    assert r.value == pytest.approx(0.77)
    assert r.ci is not None
    assert r.ci[0] < 0.78 < r.ci[1]
    assert r.verdict == "inconclusive"
    rows = r.details["rows_needed"]
    assert isinstance(rows, int)
    assert rows > 100
    assert f"{rows:,}" in r.message
    assert "misses" in r.message
    # decide="point": the point estimate decides
    assert Gate().metric("accuracy", y, p, min=0.78, confidence=0.99,
                         decide="point", naive=False).verdict == "failed"
    # the whole interval misses: failed
    assert Gate().metric("accuracy", y, p, min=0.9, confidence=0.99,
                         naive=False).verdict == "failed"
    with pytest.raises(ConfigError, match="decide"):
        Gate().metric("accuracy", y, p, min=0.78, confidence=0.99, decide="bound")


def test_point_miss_with_straddling_interval_on_max_and_slices() -> None:
    rng = np.random.default_rng(1)
    t = rng.normal(size=60)
    pred = t + rng.normal(scale=1.0, size=60)
    from pytest_modelgate.metrics import evaluate

    res = evaluate("mae", t, pred, confidence=0.95)
    assert res.ci is not None
    limit = res.value - (res.value - res.ci[0]) / 2  # point above max, lower bound below it
    r = Gate().metric("mae", t, pred, max=limit, confidence=0.95)
    assert r.verdict == "inconclusive"
    assert Gate().metric("mae", t, pred, max=limit, confidence=0.95,
                         decide="point").verdict == "failed"
    y, p = _acc77()
    keys = np.array(["a", "b"] * 50)
    s = Gate().metric("accuracy", np.r_[y, y], np.r_[p, p], min=0.78, confidence=0.99,
                      slices=np.r_[keys, keys], naive=False)
    assert s.verdict == "inconclusive"


def test_compare_point_miss_with_straddling_interval_is_inconclusive() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 400)
    base = y.copy()
    base[:40] = 1 - base[:40]
    cand = base.copy()
    cand[40:46] = 1 - cand[40:46]  # candidate loses 6 rows: delta -0.015
    r = Gate().compare("accuracy", y, cand, base, max_drop=0.01, confidence=0.95)
    assert r.value < -0.01
    assert r.ci is not None
    assert r.ci[1] > -0.01
    assert r.verdict == "inconclusive"
    assert r.details["rows_needed"] is not None
    assert Gate().compare("accuracy", y, cand, base, max_drop=0.01, confidence=0.95,
                          decide="point").verdict == "failed"


def test_accuracy_marker_takes_decide(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import numpy as np
import pytest

y = np.r_[np.ones(77), np.zeros(23)].astype(int)
p = np.ones(100, dtype=int)


@pytest.mark.accuracy(min=0.78, confidence=0.99, naive=False)
def test_interval(gate):
    assert gate.metric("accuracy", y, p).verdict == "inconclusive"


@pytest.mark.accuracy(min=0.78, confidence=0.99, decide="point", naive=False)
def test_point(gate):
    assert gate.metric("accuracy", y, p).verdict == "failed"
    assert gate.compare("accuracy", y, p, p).verdict == "passed"
    gate.results.clear()
''')
    result = pytester.runpytest_inprocess("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*INCONCLUSIVE*misses the threshold*"])
