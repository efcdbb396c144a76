"""The fast interval paths equal their references: scikit-learn / scipy values, and the plain
row bootstrap (same seed, same resamples) where the fast path is a re-arrangement of it."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.metrics import _boot_fast, _ci, evaluate, get_metric
from pytest_modelgate.metrics._inputs import check_inputs

CONFUSION_NAMES = [
    "accuracy", "balanced_accuracy", "matthews_corrcoef", "cohen_kappa",
    *[f"{b}{s}" for b in ("precision", "recall", "f1", "jaccard")
      for s in ("", "_macro", "_micro", "_weighted")],
]


@st.composite
def label_data(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, bool]:
    binary = draw(st.booleans())
    k = 2 if binary else draw(st.integers(3, 5))
    n = draw(st.integers(2, 60))
    y = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    p = np.array(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    w = None
    if draw(st.booleans()):
        w = np.array(draw(st.lists(st.floats(0.1, 5.0), min_size=n, max_size=n)))
    return y, p, w, binary


@settings(max_examples=60, deadline=None)
@given(data=label_data(), name=st.sampled_from(CONFUSION_NAMES))
def test_confusion_formulas_equal_sklearn(
    data: tuple[np.ndarray, np.ndarray, np.ndarray | None, bool], name: str
) -> None:
    y, p, w, binary = data
    spec = get_metric(name)
    if spec.average == "binary" and not binary:
        return
    chk = check_inputs(spec, y, p, w)
    codes, k, pos = _ci.confusion_codes(spec, chk, {})
    cm = np.bincount(codes, weights=w, minlength=k * k).astype(float).reshape(1, k, k)
    fast = _ci.confusion_fast(spec)
    assert fast is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = spec.func(y, p, sample_weight=w)
    got = float(fast(cm, pos)[0])
    if np.isnan(ref):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(ref, rel=1e-9, abs=1e-12)


def _data(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    p = np.where(rng.random(n) < 0.7, y, rng.integers(0, 3, n))
    return y, p, rng.uniform(0.2, 3.0, n)


@pytest.mark.parametrize("name", ["f1_macro", "balanced_accuracy", "matthews_corrcoef"])
def test_confusion_cell_bootstrap_matches_row_bootstrap(name: str) -> None:
    """Multinomial cell counts are the row bootstrap in distribution: intervals agree."""
    y, p, _ = _data(1000)
    fast = evaluate(name, y, p, confidence=0.9, n_resamples=2000, seed=1)
    assert "multinomial" in fast.details["resampling"]
    spec = get_metric(name)
    chk = check_inputs(spec, y, p)
    slow = _ci.generic_bootstrap(spec, chk, {}, 0.9, 300, np.random.default_rng(2))
    assert slow.ci is not None
    assert fast.ci is not None
    width = slow.ci[1] - slow.ci[0]
    assert abs(fast.ci[0] - slow.ci[0]) < 0.15 * width
    assert abs(fast.ci[1] - slow.ci[1]) < 0.15 * width


@pytest.mark.parametrize("name", ["f1_macro", "cohen_kappa", "precision_weighted"])
def test_weighted_confusion_bootstrap_equals_row_bootstrap(name: str) -> None:
    y, p, w = _data(300)
    fast = evaluate(name, y, p, confidence=0.9, n_resamples=150, seed=4, sample_weight=w)
    assert "weighted confusion" in fast.details["resampling"]
    spec = get_metric(name)
    ref = _ci.generic_bootstrap(spec, check_inputs(spec, y, p, w), {}, 0.9, 150,
                                np.random.default_rng(4))
    assert fast.ci == pytest.approx(ref.ci, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", ["mae", "mse", "rmse", "mape", "msle", "rmsle", "r2",
                                  "explained_variance", "neg_root_mean_squared_error"])
@pytest.mark.parametrize("weighted", [False, True])
def test_vectorised_regression_bootstrap_equals_row_bootstrap(name: str, weighted: bool) -> None:
    rng = np.random.default_rng(3)
    y = np.exp(rng.normal(3.0, 0.5, 300))  # a large mean: the sums must not cancel
    p = y * np.exp(rng.normal(0, 0.2, 300))
    w = rng.uniform(0.5, 2.0, 300) if weighted else None
    fast = evaluate(name, y, p, confidence=0.9, n_resamples=120, seed=9, sample_weight=w)
    assert "vectorised" in fast.details["resampling"]
    spec = get_metric(name)
    ref = _ci.generic_bootstrap(spec, check_inputs(spec, y, p, w), {}, 0.9, 120,
                                np.random.default_rng(9))
    assert fast.ci == pytest.approx(ref.ci, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", ["log_loss", "brier", "neg_log_loss"])
@pytest.mark.parametrize("multiclass", [False, True])
def test_vectorised_probability_bootstrap_equals_row_bootstrap(name: str, multiclass: bool) -> None:
    rng = np.random.default_rng(5)
    if multiclass:
        y = rng.integers(0, 3, 250)
        z = rng.normal(size=(250, 3)) + np.eye(3)[y]
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    else:
        y = rng.integers(0, 2, 250)
        p = np.clip(0.3 * y + 0.7 * rng.random(250), 0, 1)
        p[:3] = [0.0, 1.0, 0.5]  # clipping at eps must match scikit-learn
    fast = evaluate(name, y, p, confidence=0.9, n_resamples=120, seed=2)
    assert "vectorised" in fast.details["resampling"]
    spec = get_metric(name)
    ref = _ci.generic_bootstrap(spec, check_inputs(spec, y, p), {}, 0.9, 120,
                                np.random.default_rng(2))
    assert fast.ci == pytest.approx(ref.ci, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", ["roc_auc", "roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted",
                                  "roc_auc_ovo_weighted"])
def test_auc_bootstrap_equals_row_bootstrap(name: str) -> None:
    rng = np.random.default_rng(8)
    if name == "roc_auc":
        y = rng.integers(0, 2, 200)
        s = np.round(0.4 * y + rng.random(200), 1)  # ties
    else:
        y = rng.integers(0, 3, 200)
        z = np.round(rng.normal(size=(200, 3)) + np.eye(3)[y], 1)
        s = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    fast = evaluate(name, y, s, confidence=0.9, n_resamples=40, seed=6, ci_method="bootstrap")
    assert "vectorised" in fast.details["resampling"]
    spec = get_metric(name)
    if name == "roc_auc":  # binary: the class count is drawn first, then each class's rows
        auc = _boot_fast.BinaryAuc(y == 1, s.astype(float))
        reps = np.array([skm.roc_auc_score(y[auc.rows(neg, pos)], s[auc.rows(neg, pos)])
                         for neg, pos in auc.draw(np.random.default_rng(6), 40)])
        assert fast.ci == pytest.approx(_ci.percentile(reps, 0.9), rel=1e-9, abs=1e-12)
        return
    ref = _ci.generic_bootstrap(spec, check_inputs(spec, y, s), {}, 0.9, 40,
                                np.random.default_rng(6))
    assert fast.ci == pytest.approx(ref.ci, rel=1e-9, abs=1e-12)


def test_weighted_auc_uses_the_bootstrap() -> None:
    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 200)
    s = 0.4 * y + rng.random(200)
    w = rng.uniform(0.5, 2, 200)
    r = evaluate("roc_auc", y, s, confidence=0.9, n_resamples=80, seed=1, sample_weight=w)
    assert r.method == "bootstrap"
    assert r.value == pytest.approx(skm.roc_auc_score(y, s, sample_weight=w), rel=1e-12)


def _naive_delong(y: np.ndarray, s: np.ndarray) -> tuple[float, float]:
    """DeLong's estimator straight from the definition (O(m n) kernel matrix)."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    var = v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size
    return float(psi.mean()), float(var)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(10, 120), st.booleans())
def test_delong_equals_definition(seed: int, n: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    y = np.r_[0, 0, 1, 1, rng.integers(0, 2, n)]
    s = 0.5 * y + rng.random(y.size)
    if ties:
        s = np.round(s, 1)
    auc, var = _naive_delong(y, s)
    r = evaluate("roc_auc", y, s, confidence=0.95)
    assert r.method == "delong"
    assert r.value == pytest.approx(auc, rel=1e-12)
    assert r.value == pytest.approx(skm.roc_auc_score(y, s), rel=1e-12)
    z = stats.norm.ppf(0.975)
    assert r.ci is not None
    lo, hi = max(0.0, auc - z * np.sqrt(var)), min(1.0, auc + z * np.sqrt(var))
    assert r.ci == pytest.approx((lo, hi), rel=1e-9, abs=1e-12)


def test_delong_needs_two_of_each_class() -> None:
    from pytest_modelgate.gates import Gate

    y = np.array([0, 0, 0, 0, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.9])
    r = evaluate("roc_auc", y, s, confidence=0.95)
    assert r.ci is None
    assert "too few rows" in r.details["note"]
    g = Gate().metric("roc_auc", y, s, min=0.9, confidence=0.95)
    assert g.verdict == "inconclusive"  # never a silent pass without the asked-for interval


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 400), st.floats(0.0, 1.0), st.sampled_from([0.8, 0.9, 0.95, 0.99]),
       st.sampled_from(["wilson", "clopper-pearson"]))
def test_proportion_intervals_equal_scipy(n: int, frac: float, conf: float, method: str) -> None:
    k = round(frac * n)
    y = np.ones(n, dtype=int)
    p = np.r_[np.ones(k, dtype=int), np.zeros(n - k, dtype=int)]
    r = evaluate("accuracy", y, p, confidence=conf, ci_method=method)
    ref = stats.binomtest(k, n).proportion_ci(conf, method="exact" if method != "wilson"
                                              else "wilson")
    assert r.ci == pytest.approx((ref.low, ref.high), rel=1e-12, abs=1e-15)
    assert r.method == method


def test_median_interval_equals_scipy_quantile_test() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=301)
    p = y + rng.normal(size=301)
    r = evaluate("median_ae", y, p, confidence=0.9)
    err = np.abs(y - p)
    ref = stats.quantile_test(err, q=np.median(err)).confidence_interval(0.9)
    assert r.method == "order-statistic"
    assert r.ci == pytest.approx((ref.low, ref.high))
    assert r.value == pytest.approx(skm.median_absolute_error(y, p))


def test_t_interval_option() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    p = y + rng.normal(size=200)
    r = evaluate("mae", y, p, confidence=0.95, ci_method="t")
    e = np.abs(y - p)
    ref = stats.t.interval(0.95, 199, loc=e.mean(), scale=stats.sem(e))
    assert r.ci == pytest.approx(ref, rel=1e-9)


def test_paths_are_picked_by_family() -> None:
    y, p, _ = _data(300)
    yb = (y > 0).astype(int)
    assert evaluate("accuracy", y, p, confidence=0.9).method == "wilson"
    for name in CONFUSION_NAMES[1:]:
        yy, pp = (yb, (p > 0).astype(int)) if get_metric(name).average == "binary" else (y, p)
        r = evaluate(name, yy, pp, confidence=0.9, n_resamples=50)
        assert "multinomial" in r.details["resampling"], name
    assert list(itertools.islice(CONFUSION_NAMES, 1))
