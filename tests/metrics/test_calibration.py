"""Calibration engine: bins equal sklearn's calibration_curve, Brier equals brier_score_loss,
the Murphy identity holds, ECE equals a plain loop, the vectorised bootstrap matches a slow one."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from metrics_data import reference_calibration_error
from sklearn.calibration import calibration_curve

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.metrics import evaluate
from pytest_modelgate.metrics._calibration import (
    brier_decomposition,
    calibration,
    ece,
    mce,
    reliability,
)

_prob = st.floats(0.0, 1.0, allow_nan=False, allow_subnormal=False)


@st.composite
def binary_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 120))
    p = draw(arrays(np.float64, n, elements=_prob))
    y = draw(arrays(np.int64, n, elements=st.integers(0, 1)))
    return y, p


def _multiclass(n: int, k: int = 3, sharp: float = 2.0, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) * sharp + 1.5 * np.eye(k)[y]
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


@settings(max_examples=80, deadline=None)
@given(case=binary_case(), n_bins=st.integers(1, 12),
       strategy=st.sampled_from(["uniform", "quantile"]))
def test_bins_equal_sklearn_calibration_curve(case, n_bins: int, strategy: str) -> None:
    """Non-empty bins, in order, equal calibration_curve's (prob_true, prob_pred); sklearn
    drops the empty bins, we keep them as None."""
    y, p = case
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    rel = reliability(y, p, n_bins=n_bins, strategy=strategy)
    assert rel.n_bins == n_bins
    assert sum(rel.n) == len(y)
    acc = [a for a in rel.accuracy if a is not None]
    conf = [c for c in rel.confidence if c is not None]
    np.testing.assert_allclose(acc, prob_true, rtol=0, atol=1e-9)
    np.testing.assert_allclose(conf, prob_pred, rtol=0, atol=1e-9)
    assert all((c is None) == (m == 0) for c, m in zip(rel.confidence, rel.n, strict=True))


@settings(max_examples=80, deadline=None)
@given(case=binary_case(), n_bins=st.integers(1, 12),
       strategy=st.sampled_from(["uniform", "quantile"]), weighted=st.booleans())
def test_ece_and_mce_equal_a_plain_loop(case, n_bins: int, strategy: str,
                                        weighted: bool) -> None:
    y, p = case
    w = np.random.default_rng(len(y)).uniform(0.1, 3.0, len(y)) if weighted else None
    assert ece(y, p, n_bins=n_bins, strategy=strategy, sample_weight=w) == pytest.approx(
        reference_calibration_error(y, p, w, n_bins=n_bins, strategy=strategy), abs=1e-9)
    assert mce(y, p, n_bins=n_bins, strategy=strategy, sample_weight=w) == pytest.approx(
        reference_calibration_error(y, p, w, n_bins=n_bins, strategy=strategy, agg="max"),
        abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(case=binary_case(), n_bins=st.integers(1, 12),
       strategy=st.sampled_from(["uniform", "quantile"]))
def test_brier_equals_sklearn_and_the_murphy_identity_holds(case, n_bins: int,
                                                            strategy: str) -> None:
    """brier = REL - RES + UNC + within-bin variance - 2 x within-bin covariance, exactly."""
    y, p = case
    d = brier_decomposition(y, p, n_bins=n_bins, strategy=strategy)
    assert d.brier == pytest.approx(skm.brier_score_loss(y, p, pos_label=1), abs=1e-9)
    assert d.brier == pytest.approx(d.reliability - d.resolution + d.uncertainty
                                    + d.within_bin_variance - 2 * d.within_bin_covariance,
                                    abs=1e-12)
    base = float(np.mean(y))
    assert d.uncertainty == pytest.approx(base * (1 - base), abs=1e-12)
    assert d.reliability >= 0
    assert d.resolution >= 0


def test_murphy_identity_is_exact_when_forecasts_are_constant_per_bin() -> None:
    """brier ~= REL - RES + UNC, with equality when every bin holds one forecast value."""
    rng = np.random.default_rng(3)
    p = rng.choice([0.05, 0.25, 0.45, 0.65, 0.85], 4000)
    y = (rng.random(4000) < p * 0.8 + 0.1).astype(int)
    d = brier_decomposition(y, p, n_bins=5)
    assert d.within_bin_variance == pytest.approx(0.0, abs=1e-15)
    assert d.brier == pytest.approx(d.reliability - d.resolution + d.uncertainty, abs=1e-12)
    # on continuous forecasts the binned identity is approximate, the gap being the within-bin terms
    p2 = rng.random(4000)
    y2 = (rng.random(4000) < p2).astype(int)
    d2 = brier_decomposition(y2, p2, n_bins=10)
    assert abs(d2.brier - (d2.reliability - d2.resolution + d2.uncertainty)) < 0.01


def test_multiclass_brier_equals_sklearn() -> None:
    y, P = _multiclass(600)
    d = brier_decomposition(y, P)
    assert d.brier == pytest.approx(skm.brier_score_loss(y, P), abs=1e-9)
    assert d.brier == pytest.approx(d.reliability - d.resolution + d.uncertainty
                                    + d.within_bin_variance - 2 * d.within_bin_covariance,
                                    abs=1e-12)


def test_binary_two_column_proba_is_the_positive_class_curve() -> None:
    rng = np.random.default_rng(1)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(int)
    assert ece(y, np.column_stack([1 - p, p])) == pytest.approx(ece(y, p), abs=1e-12)
    r = calibration(y, np.column_stack([1 - p, p]))
    assert r.kind == "binary"
    assert not r.per_class


def test_multiclass_top_label_and_every_class() -> None:
    y, P = _multiclass(900, k=4)
    r = calibration(y, P, confidence=0.9, n_resamples=200)
    assert r.kind == "multiclass"
    top = P.max(axis=1)
    hit = (P.argmax(axis=1) == y).astype(int)
    assert r.ece == pytest.approx(reference_calibration_error(hit, top), abs=1e-9)
    assert set(r.per_class) == {"0", "1", "2", "3"}
    for k, cc in r.per_class.items():
        assert cc.ece == pytest.approx(
            reference_calibration_error((y == int(k)).astype(int), P[:, int(k)]), abs=1e-9)
        assert cc.ci is not None
        assert cc.ci[0] <= cc.ece <= cc.ci[1]
    assert r.worst_class is not None
    # string labels through labels=
    names = np.array(["a", "b", "c", "d"])
    r2 = calibration(names[y], P, labels=names)
    assert set(r2.per_class) == set(names)
    assert r2.ece == pytest.approx(r.ece)


def test_reliability_dict_has_the_report_keys() -> None:
    y, P = _multiclass(200)
    d = reliability(y, P, n_bins=5, strategy="quantile").to_dict()
    assert set(d) == {"strategy", "n_bins", "bins"}
    assert d["strategy"] == "quantile"
    assert len(d["bins"]) == 5
    for b in d["bins"]:
        assert set(b) == {"lo", "hi", "n", "confidence", "accuracy"}
        assert type(b["n"]) is int
    json.dumps(d)


def _slow_row_bootstrap(y, p, n_bins, strategy, reps, seed):
    from pytest_modelgate.metrics._calibration import bin_edges

    rng = np.random.default_rng(seed)
    edges = bin_edges(p, n_bins, strategy)  # bins fixed at the full-sample edges, as ours
    ids = np.searchsorted(edges[1:-1], p)
    out = np.empty(reps)
    for b in range(reps):
        i = rng.integers(0, len(y), len(y))
        conf = np.bincount(ids[i], weights=p[i], minlength=n_bins)
        acc = np.bincount(ids[i], weights=y[i], minlength=n_bins)
        out[b] = np.abs(acc - conf).sum() / len(y)
    return np.quantile(out, [0.05, 0.95])


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_vectorised_bootstrap_matches_a_row_bootstrap(strategy: str) -> None:
    rng = np.random.default_rng(5)
    p = rng.random(3000)
    y = (rng.random(3000) < np.clip(p * 1.2 - 0.1, 0, 1)).astype(int)
    fast = evaluate("ece" if strategy == "uniform" else "ece_quantile", y, p, confidence=0.9,
                    n_resamples=2000, seed=1)
    slow = _slow_row_bootstrap(y, p, 10, strategy, 2000, 2)
    assert fast.ci is not None
    width = slow[1] - slow[0]
    assert abs(fast.ci[0] - slow[0]) < 0.15 * width
    assert abs(fast.ci[1] - slow[1]) < 0.15 * width


def test_weighted_interval_is_an_exact_row_bootstrap() -> None:
    rng = np.random.default_rng(6)
    p = rng.random(400)
    y = (rng.random(400) < p).astype(int)
    r = evaluate("ece", y, p, sample_weight=np.ones(400), confidence=0.9, n_resamples=300,
                 seed=3)
    assert r.ci is not None
    assert "row bootstrap" in r.details["resampling"]
    plain = evaluate("ece", y, p, confidence=0.9, n_resamples=300, seed=3)
    assert r.value == pytest.approx(plain.value)


def test_seeded_and_reproducible() -> None:
    y, P = _multiclass(500)
    a = calibration(y, P, confidence=0.95, n_resamples=300, seed=4)
    b = calibration(y, P, confidence=0.95, n_resamples=300, seed=4)
    c = calibration(y, P, confidence=0.95, n_resamples=300, seed=5)
    assert a == b
    assert a.ci != c.ci
    e1 = evaluate("mce", y, P, confidence=0.95, n_resamples=100, seed=9)
    assert e1 == evaluate("mce", y, P, confidence=0.95, n_resamples=100, seed=9)


def test_direction_over_and_under_confident() -> None:
    rng = np.random.default_rng(8)
    true_p = rng.uniform(0.2, 0.8, 5000)
    y = (rng.random(5000) < true_p).astype(int)
    logit = np.log(true_p / (1 - true_p))
    sharp = 1 / (1 + np.exp(-3 * logit))
    timid = 1 / (1 + np.exp(-0.3 * logit))
    assert calibration(y, sharp).direction == "over-confident"
    assert calibration(y, timid).direction == "under-confident"
    yk, P = _multiclass(3000, sharp=3.0)
    assert calibration(yk, P).direction == "over-confident"


def test_calibrated_model_interval_reaches_zero_region() -> None:
    """A calibrated model's ECE is small and its interval is narrow at 20k rows."""
    rng = np.random.default_rng(10)
    p = rng.random(20_000)
    y = (rng.random(20_000) < p).astype(int)
    r = calibration(y, p, confidence=0.95)
    assert r.ci is not None
    assert r.ci[1] < 0.03
    assert r.ci[0] <= r.ece <= r.ci[1]


def test_too_few_rows_gives_no_interval() -> None:
    r = calibration([0, 1, 1, 0, 1], [0.1, 0.8, 0.7, 0.3, 0.9], confidence=0.95)
    assert r.ci is None
    assert r.method == "none"
    assert r.details["min_rows"] == 20


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_bins": 0}, "n_bins: must be a positive integer"),
    ({"n_bins": 2.5}, "n_bins: must be a positive integer"),
    ({"strategy": "equal"}, "strategy: must be 'uniform'"),
])
def test_bad_settings_are_config_errors(kwargs, match) -> None:
    with pytest.raises(ConfigError, match=match):
        ece([0, 1], [0.2, 0.7], **kwargs)


@pytest.mark.parametrize(("y", "p", "match"), [
    ([0, 1], [0.2, 1.7], r"proba: needs probabilities in \[0; 1\], got values in \[0.2; 1.7\]"),
    ([0, 1, 1], [0.2, 0.7], "different lengths"),
    ([0, 1], [0.2, float("nan")], "proba: contains NaN"),
    ([0, 1, 2], [0.2, 0.7, 0.1], "proba: is 1-D but y_true holds 3 classes"),
    ([0, 1], [[0.2, 0.7], [0.5, 0.5]], "proba: probability rows must sum to 1"),
    (["a", "b", "c", "d"], np.full((4, 3), 1 / 3), "pass labels=model.classes_"),
    ([0, 1], ["x", "y"], "proba: needs numeric probabilities"),
])
def test_bad_inputs_are_input_errors(y, p, match) -> None:
    with pytest.raises(InputError, match=match):
        calibration(y, p)


def test_ece_through_evaluate_and_gate_metric() -> None:
    """`ece` is an ordinary metric name: evaluate (with n_bins/strategy) and gate.metric."""
    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(11)
    p = rng.random(2000)
    y = (rng.random(2000) < np.clip(p + 0.15, 0, 1)).astype(int)
    r = evaluate("ece", y, p, confidence=0.95, n_bins=5, strategy="quantile", seed=2)
    assert r.value == pytest.approx(reference_calibration_error(y, p, n_bins=5,
                                                                strategy="quantile"))
    assert r.method == "bootstrap"
    assert r.ci is not None
    assert r.ci[0] <= r.value <= r.ci[1]
    g = Gate()
    res = g.metric("ece", y, p, max=0.05, confidence=0.95)
    assert res.verdict == "failed"
    assert res.direction == "lower"
    assert "ece = " in res.message
    assert g.metric("ece_quantile", y, p, max=0.5).verdict == "passed"
    with pytest.raises(ConfigError, match="ci_method='t' applies to means"):
        evaluate("ece", y, p, confidence=0.95, ci_method="t")


def test_without_confidence_no_interval_is_drawn() -> None:
    rng = np.random.default_rng(12)
    p = rng.random(500)
    y = (rng.random(500) < p).astype(int)
    r = calibration(y, p)
    assert r.ci is None
    assert r.method is None
    assert r.n_resamples is None
