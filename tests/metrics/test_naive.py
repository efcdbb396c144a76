"""The naive baseline of metric gates: the trivial predictor's value equals scikit-learn's dummy
estimators on the same rows, and the gate fails a model that does not beat it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import NaiveResult, naive_baseline, register_metric, unregister_metric


def _imbalanced(n: int = 500, share: float = 0.08, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (rng.random(n) < share).astype(int)
    return X, y


def _gate() -> Gate:
    return Gate(GateContext(nodeid="t::naive", seed=3))


def test_most_frequent_dummy_on_92_8_data_fails_accuracy_min_09() -> None:
    from sklearn.dummy import DummyClassifier

    X, y = _imbalanced()
    p = DummyClassifier(strategy="most_frequent").fit(X, y).predict(X)
    r = _gate().metric("accuracy", y, p, min=0.9)
    assert r.value == pytest.approx(0.918)
    assert r.verdict == "failed"
    assert ("accuracy 0.918 does not beat the naive most-frequent predictor (0.918; always 0) "
            "on the same rows") in r.message
    assert r.details["naive"]["predictor"] == "most-frequent"
    assert r.details["naive"]["value"] == pytest.approx(0.918)
    # with an interval: no discordant pair, the gain is exactly 0 with an upper bound 0
    ci = _gate().metric("accuracy", y, p, min=0.9, confidence=0.95)
    assert ci.verdict == "failed"
    assert ci.details["naive"]["method"] == "mcnemar-exact"


def test_naive_false_opts_out_and_records_it() -> None:
    from sklearn.dummy import DummyClassifier

    X, y = _imbalanced()
    p = DummyClassifier(strategy="most_frequent").fit(X, y).predict(X)
    r = _gate().metric("accuracy", y, p, min=0.9, naive=False)
    assert r.verdict == "passed"
    assert r.details["naive"] == {"skipped": "naive=False"}


def test_a_real_model_beats_naive_and_says_by_how_much() -> None:
    _X, y = _imbalanced(2000)
    rng = np.random.default_rng(1)
    p = np.where(rng.random(y.size) < 0.97, y, 1 - y)
    r = _gate().metric("accuracy", y, p, min=0.9, confidence=0.95)
    assert r.verdict == "passed", r.message
    nv = r.details["naive"]
    assert nv["verdict"] == "passed"
    assert nv["delta"] > 0
    assert nv["ci"][0] > 0
    assert "the model beats it" in r.message


def test_undecided_gain_is_inconclusive_with_rows_needed() -> None:
    rng = np.random.default_rng(5)
    y = (rng.random(200) < 0.3).astype(int)
    p = np.zeros(200, dtype=int)
    pos = np.flatnonzero(y == 1)
    p[pos[:6]] = 1  # six more right than the most-frequent predictor,
    neg = np.flatnonzero(y == 0)
    p[neg[:2]] = 1  # two more wrong: gain +4 rows of 200, McNemar cannot decide
    r = _gate().metric("accuracy", y, p, confidence=0.95)
    assert r.verdict == "inconclusive", r.message
    assert r.details["naive"]["verdict"] == "inconclusive"
    assert r.details["rows_needed"]
    assert r.details["rows_needed"] > 200
    assert "rows would show whether it beats the naive predictor" in r.message
    # without an interval the point decides
    assert _gate().metric("accuracy", y, p).verdict == "passed"
    # a margin larger than the gain fails on the point
    m = _gate().metric("accuracy", y, p, naive_margin=0.05)
    assert m.verdict == "failed"
    assert "naive_margin 0.05" in m.message


def test_decide_point_fails_on_a_point_loss_to_naive() -> None:
    rng = np.random.default_rng(2)
    y = (rng.random(300) < 0.3).astype(int)
    p = np.zeros(300, dtype=int)
    p[np.flatnonzero(y == 0)[:3]] = 1  # three rows worse than always-0
    r = _gate().metric("accuracy", y, p, confidence=0.95)
    assert r.details["naive"]["delta"] < 0
    # 3 discordant pairs, all lost: McNemar's upper bound is still above 0
    assert r.verdict == "inconclusive"
    assert "the naive check is undecided" in r.message
    assert "decide='point'" in r.message
    point = _gate().metric("accuracy", y, p, confidence=0.95, decide="point")
    assert point.verdict == "failed"
    assert "decide='point'" in point.message
    many = _gate().metric("accuracy", np.tile(y, 10), np.tile(p, 10), confidence=0.95)
    assert many.verdict == "failed"  # 30 of 30 discordant pairs lost: the whole interval < 0


@settings(max_examples=15, deadline=None)
@given(st.integers(20, 200), st.floats(0.05, 0.95), st.integers(0, 10_000), st.booleans())
def test_classification_naive_values_equal_sklearn_dummy(n: int, share: float, seed: int,
                                                         weighted: bool) -> None:
    import sklearn.metrics as skm
    from sklearn.dummy import DummyClassifier

    rng = np.random.default_rng(seed)
    y = (rng.random(n) < share).astype(int)
    if np.unique(y).size < 2:
        y[0], y[1] = 0, 1
    w = rng.random(n) + 0.1 if weighted else None
    X = np.zeros((n, 1))
    p = rng.integers(0, 2, n)
    r = naive_baseline("accuracy", y, p, sample_weight=w)
    assert isinstance(r, NaiveResult)
    mf = DummyClassifier(strategy="most_frequent").fit(X, y, sample_weight=w)
    assert r.value == pytest.approx(skm.accuracy_score(y, mf.predict(X), sample_weight=w),
                                    abs=1e-9)
    prior = DummyClassifier(strategy="prior").fit(X, y, sample_weight=w).predict_proba(X)
    q = rng.random(n)
    for name, pred, ref in (
            ("log_loss", np.column_stack([1 - q, q]), skm.log_loss(y, prior, sample_weight=w)),
            ("brier", q, skm.brier_score_loss(y, prior[:, 1], sample_weight=w))):
        out = naive_baseline(name, y, pred, sample_weight=w)
        assert isinstance(out, NaiveResult)
        assert out.value == pytest.approx(ref, abs=1e-9), name
    auc = naive_baseline("roc_auc", y, rng.random(n), sample_weight=w)
    assert isinstance(auc, NaiveResult)
    assert auc.value == pytest.approx(0.5, abs=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(5, 200), st.integers(0, 10_000), st.booleans())
def test_regression_naive_values_equal_sklearn_dummy(n: int, seed: int, weighted: bool) -> None:
    import sklearn.metrics as skm
    from sklearn.dummy import DummyRegressor

    rng = np.random.default_rng(seed)
    y = rng.gamma(2.0, 3.0, n) + 0.01
    w = rng.random(n) + 0.1 if weighted else None
    X = np.zeros((n, 1))
    p = y + rng.normal(size=n)
    mean = DummyRegressor(strategy="mean").fit(X, y, sample_weight=w).predict(X)
    for name, func in (("mse", skm.mean_squared_error), ("rmse", skm.root_mean_squared_error),
                       ("r2", skm.r2_score), ("mean_poisson_deviance", skm.mean_poisson_deviance)):
        out = naive_baseline(name, y, np.abs(p) + 0.01, sample_weight=w)
        assert isinstance(out, NaiveResult), out
        assert out.value == pytest.approx(func(y, mean, sample_weight=w), abs=1e-9), name
    r2 = naive_baseline("r2", y, p, sample_weight=w)
    assert isinstance(r2, NaiveResult)
    assert abs(r2.value) < 1e-9
    if not weighted:  # DummyRegressor's weighted median interpolates differently (lower median)
        median = DummyRegressor(strategy="median").fit(X, y).predict(X)
        mae = naive_baseline("mae", y, p)
        assert isinstance(mae, NaiveResult)
        assert mae.value == pytest.approx(skm.mean_absolute_error(y, median), abs=1e-9)
    # the naive constant is the best constant for the loss: no constant does better
    mae_w = naive_baseline("mae", y, p, sample_weight=w)
    assert isinstance(mae_w, NaiveResult)
    for c in np.quantile(y, [0.1, 0.3, 0.45, 0.55, 0.7, 0.9]):
        assert mae_w.value <= skm.mean_absolute_error(y, np.full(n, c), sample_weight=w) + 1e-9


def test_f1_uses_the_stronger_of_most_frequent_and_stratified() -> None:
    import sklearn.metrics as skm

    _X, y = _imbalanced(1000, share=0.3)
    p = y.copy()
    out = naive_baseline("f1", y, p)
    assert isinstance(out, NaiveResult)
    assert out.predictor == "constant"  # always-0 has f1 0; always-1 has 2p/(1+p) > p
    # it is a seeded draw: the same seed gives the same naive value
    again = naive_baseline("f1", y, p)
    assert isinstance(again, NaiveResult)
    assert again.value == out.value
    # binary recall: never the always-positive constant (recall 1 by construction)
    yp = 1 - y  # the positive class is the majority
    rec = naive_baseline("recall", yp, yp)
    assert isinstance(rec, NaiveResult)
    assert rec.predictor in ("stratified", "uniform")
    assert rec.value < 1.0
    acc = naive_baseline("balanced_accuracy", y, p)
    assert isinstance(acc, NaiveResult)
    assert acc.value == pytest.approx(0.5)
    assert skm.f1_score(y, np.zeros_like(y)) == 0.0


def test_no_naive_for_custom_clustering_and_perfect_naive() -> None:
    register_metric("agreement", lambda a, b: float(np.mean(a == b)))
    try:
        y = np.r_[np.zeros(30), np.ones(10)].astype(int)
        r = _gate().metric("agreement", y, np.zeros(40, dtype=int), min=0.5)
        assert r.verdict == "passed"
        assert "no naive baseline is known for the custom metric 'agreement'" in r.message
        assert "skipped" in r.details["naive"]
    finally:
        unregister_metric("agreement")
    c = _gate().metric("adjusted_rand_score", [0, 0, 1, 1] * 10, [1, 1, 0, 0] * 10)
    assert "chance-corrected" in c.details["naive"]["skipped"]
    single = _gate().metric("accuracy", np.zeros(30, dtype=int), np.zeros(30, dtype=int),
                            min=0.9)
    assert single.verdict == "passed"
    assert "already perfect" in single.details["naive"]["skipped"]


def test_score_and_regression_gates_fail_a_constant_model() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.2).astype(int)
    r = _gate().metric("roc_auc", y, np.full(400, 0.3), confidence=0.95)
    assert r.verdict == "failed"
    assert "prior-score" in r.message
    yr = rng.normal(5, 2, 400)
    mse = _gate().metric("mse", yr, np.full(400, yr.mean()), max=10.0)
    assert mse.verdict == "failed"
    assert "does not beat the naive mean predictor" in mse.message
    good = _gate().metric("r2", yr, yr + rng.normal(0, 0.5, 400), min=0.5, confidence=0.95)
    assert good.verdict == "passed", good.message


def test_slices_apply_the_naive_check_overall_only() -> None:
    rng = np.random.default_rng(4)
    y = rng.integers(0, 2, 600)
    p = np.where(rng.random(600) < 0.9, y, 1 - y)
    groups = np.repeat(["a", "b", "c"], 200)
    r = _gate().metric("accuracy", y, p, min=0.8, slices=groups, confidence=0.95)
    assert r.verdict == "passed", r.message
    assert r.details["naive"]["n"] == 600
    assert all("naive" not in row for row in r.details["slices"]["results"])


def test_naive_check_does_not_more_than_double_gate_time() -> None:
    import time

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 50_000)
    p = np.where(rng.random(y.size) < 0.8, y, (y + 1) % 3)

    def best(**kw: object) -> float:
        times = []
        for i in range(5):
            t = time.perf_counter()
            Gate(GateContext(nodeid=f"t::{i}")).metric("f1_macro", y, p, min=0.5,
                                                      confidence=0.95, **kw)
            times.append(time.perf_counter() - t)
        return min(times)

    off, on = best(naive=False), best()
    assert math.isfinite(on / off), (on, off)
    assert on / off < 3.0, (on, off)


def test_weighted_confusion_naive_interval_is_vectorised_and_right() -> None:
    """With sample_weight the paired interval is a weighted row bootstrap of the joint cells;
    it agrees with the plain loop over resamples (same draws) to 1e-9."""
    import sklearn.metrics as skm

    rng = np.random.default_rng(8)
    y = (rng.random(300) < 0.3).astype(int)
    p = np.where(rng.random(300) < 0.85, y, 1 - y)
    w = rng.random(300) + 0.5
    out = naive_baseline("f1_macro", y, p, sample_weight=w, confidence=0.95, n_resamples=60,
                         seed=4)
    assert isinstance(out, NaiveResult)
    assert out.ci is not None
    assert "weighted joint" in out.details["resampling"]
    from pytest_modelgate.metrics import get_metric
    from pytest_modelgate.metrics._inputs import check_inputs
    from pytest_modelgate.metrics._naive import naive_candidates

    spec = get_metric("f1_macro")
    chk = check_inputs(spec, y, p, w)
    naive = next(pred for label, _, pred in naive_candidates(spec, chk, {}, 4)
                 if label == out.predictor)
    assert out.value == pytest.approx(skm.f1_score(y, naive, average="macro", sample_weight=w),
                                      abs=1e-9)
    boot = np.random.default_rng(4)
    reps = []
    for _ in range(60):
        i = boot.integers(0, 300, size=300)
        reps.append(skm.f1_score(y[i], p[i], average="macro", sample_weight=w[i])
                    - skm.f1_score(y[i], naive[i], average="macro", sample_weight=w[i],
                                   zero_division=0))
    lo, hi = np.quantile(reps, [0.05, 0.95])
    assert out.ci == pytest.approx((min(lo, out.delta), max(hi, out.delta)), abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-5, 3000), min_size=1, max_size=60), st.booleans())
def test_label_encoding_equals_numpy_unique(values: list[int], as_bool: bool) -> None:
    from pytest_modelgate.metrics._naive import _encode

    a = np.asarray(values) > 100 if as_bool else np.asarray(values)
    labels, inv = _encode(a)
    ref_labels, ref_inv = np.unique(a, return_inverse=True)
    assert np.array_equal(labels, ref_labels)
    assert labels.dtype == ref_labels.dtype
    assert np.array_equal(inv, ref_inv.ravel())


def test_no_paired_interval_is_never_a_silent_pass() -> None:
    from pytest_modelgate.metrics import get_metric
    from pytest_modelgate.metrics._naive import _verdict

    verdict, _, reason, _ = _verdict(get_metric("accuracy"), "most-frequent", "always 0", 0.95,
                                     0.9, 0.05, None, 0.0, 0.95, "interval", 0.8, 100)
    assert verdict == "inconclusive"
    assert "could not be computed" in reason
