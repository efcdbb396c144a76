"""The naive baseline is the best of scikit-learn's dummy strategies for every metric: an
always-positive model must not beat "a predictor that learned nothing" on f1 / jaccard / fbeta."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import NaiveResult, naive_baseline


def _gate() -> Gate:
    return Gate(GateContext(nodeid="t::naive_constant", seed=3))


def test_always_positive_f1_fails_the_naive_check() -> None:
    rng = np.random.default_rng(1)
    y = (rng.random(2000) < 0.45).astype(int)
    r = naive_baseline("f1", y, np.ones_like(y), confidence=0.95)
    assert isinstance(r, NaiveResult)
    assert r.verdict == "failed"
    assert r.predictor == "constant"
    assert r.predicts == "always 1"
    assert r.value == pytest.approx(2 * y.mean() / (1 + y.mean()))
    g = _gate().metric("f1", y, np.ones_like(y), min=0.5)
    assert g.verdict == "failed"
    assert "naive constant predictor" in g.message


def test_always_positive_jaccard_and_fbeta_scorer_fail() -> None:
    from sklearn.metrics import fbeta_score, make_scorer

    rng = np.random.default_rng(1)
    y = (rng.random(1000) < 0.5).astype(int)
    y[:3] = 0  # the positive class is the minority
    if y.mean() >= 0.5:
        y[: int(y.sum() - 480)] = 0
    assert _gate().metric("jaccard", y, np.ones_like(y), min=0.45).verdict == "failed"
    y3 = (rng.random(1000) < 0.3).astype(int)
    fb = _gate().metric(make_scorer(fbeta_score, beta=2), y3, np.ones_like(y3), min=0.6)
    assert fb.verdict == "failed", fb.message


def test_always_string_positive_label_is_a_naive_candidate() -> None:
    rng = np.random.default_rng(2)
    y = np.where(rng.random(800) < 0.3, "yes", "no")
    r = _gate().metric("f1", y, np.full(800, "yes"), min=0.3, pos_label="yes")
    assert r.verdict == "failed"
    assert r.details["naive"]["predicts"] == "always 'yes'"


_LABEL_METRICS = ["accuracy", "balanced_accuracy", "matthews_corrcoef", "cohen_kappa",
                  *[f"{b}{a}" for b in ("precision", "recall", "f1", "jaccard")
                    for a in ("", "_macro", "_micro", "_weighted")]]


@settings(max_examples=4, deadline=None)
@given(st.integers(60, 150), st.floats(0.05, 0.95), st.integers(2, 3), st.integers(0, 10_000),
       st.booleans())
def test_naive_is_at_least_every_dummy_classifier_strategy(n: int, share: float, k: int,
                                                           seed: int, weighted: bool) -> None:
    """For each label metric the naive value >= DummyClassifier(most_frequent / prior /
    constant=each class) on the same rows, and >= the mean of the random strategies (stratified,
    uniform) up to their spread. Binary recall leaves out the constants that predict the
    positive class (recall 1 by construction: documented)."""
    from sklearn.dummy import DummyClassifier

    from pytest_modelgate.metrics._evaluate import resolve_metric

    rng = np.random.default_rng(seed)
    if k == 2:
        y = (rng.random(n) < share).astype(int)
    else:
        y = rng.choice(k, size=n, p=np.r_[share, np.full(k - 1, (1 - share) / (k - 1))])
    for c in range(k):
        y[c] = c
    w = rng.random(n) + 0.1 if weighted else None
    X = np.zeros((n, 1))
    model = rng.integers(0, k, n)
    for name in _LABEL_METRICS:
        spec = resolve_metric(name, None)
        if k > 2 and spec.average == "binary":
            continue
        r = naive_baseline(name, y, model, sample_weight=w, seed=seed)
        if isinstance(r, str):
            assert "already perfect" in r, (name, r)
            continue
        kw = dict(spec.kwargs)

        def score(pred: np.ndarray, kw: dict = kw, spec=spec) -> float:
            return float(spec.sklearn_func(y, pred, sample_weight=w, **kw))

        binary_recall = spec.base == "recall" and spec.average == "binary"
        strategies: list[dict] = [dict(strategy="prior"), dict(strategy="most_frequent")]
        strategies += [dict(strategy="constant", constant=c) for c in range(k)]
        for s in strategies:
            pred = DummyClassifier(**s).fit(X, y, sample_weight=w).predict(X)
            if binary_recall and np.all(pred == 1):
                continue
            assert r.value >= score(pred) - 1e-9, (name, s, r.value, score(pred))
        for strategy in ("stratified", "uniform"):
            draws = [score(DummyClassifier(strategy=strategy, random_state=i).fit(
                X, y, sample_weight=w).predict(X)) for i in range(6)]
            spread = 3.5 * float(np.std(draws)) + 0.01  # one seeded draw vs the mean
            assert r.value >= float(np.mean(draws)) - spread - 1e-9, (name, strategy)


def test_inconclusive_naive_check_names_the_naive_check_and_its_knobs() -> None:
    """An accuracy gate on 98/2 data whose threshold is met but whose gain over the naive
    most-frequent predictor is undecided: the message says the *naive check* is undecided,
    that the threshold check passed, and which knobs apply."""
    n = 1000
    y = np.zeros(n, int)
    y[:20] = 1
    p = np.zeros(n, int)
    p[:12] = 1
    p[100:105] = 1
    r = _gate().metric("accuracy", y, p, min=0.97, confidence=0.95)
    assert r.verdict == "inconclusive"
    m = r.message
    assert "INCONCLUSIVE: the naive check is undecided" in m, m
    assert "the threshold check passed" in m, m
    assert "; margin -0.0007452 (naive check). INCONCLUSIVE" in m, m
    assert "accuracy 0.987 vs the naive most-frequent 0.98: gain +0.007" in m, m
    assert "naive=False" in m, m
    assert "naive_margin=" in m, m
    assert "balanced_accuracy" in m, m  # accuracy on 98/2 data is the majority class's
    rows = r.details["rows_needed"]
    assert f"about {rows:,} rows would show whether it beats the naive predictor" in m, m


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_naive_regression_and_score_metrics_beat_every_dummy_strategy(seed: int) -> None:
    """Regression: the naive loss <= DummyRegressor(mean / median / quantile 0.1..0.9) on the
    same rows. Scores: the naive value is at least as good as DummyClassifier(prior / uniform /
    most_frequent) probabilities."""
    from sklearn.dummy import DummyClassifier, DummyRegressor

    from pytest_modelgate.metrics._evaluate import resolve_metric

    rng = np.random.default_rng(seed)
    n = 150
    X = np.zeros((n, 1))
    y = rng.gamma(2.0, 3.0, n) + 0.01
    strategies = [dict(strategy="mean"), dict(strategy="median")] + [
        dict(strategy="quantile", quantile=q) for q in (0.1, 0.3, 0.5, 0.7, 0.9)]
    for name in ("mse", "rmse", "r2", "mae", "median_ae", "mape", "msle", "max_error",
                 "explained_variance", "mean_poisson_deviance"):
        spec = resolve_metric(name, None)
        r = naive_baseline(name, y, y + rng.normal(size=n) ** 2, seed=seed)
        assert isinstance(r, NaiveResult), (name, r)
        for s in strategies:
            pred = DummyRegressor(**s).fit(X, y).predict(X)
            v = float(spec.func(y, pred, sample_weight=None))
            if spec.direction == "higher":
                assert r.value >= v - 1e-9, (name, s)
            else:
                assert r.value <= v + 1e-9, (name, s)
    yc = (rng.random(n) < 0.3).astype(int)
    for name in ("log_loss", "brier", "roc_auc", "average_precision"):
        spec = resolve_metric(name, None)
        q = rng.random(n)
        model = np.column_stack([1 - q, q]) if name == "log_loss" else q
        r = naive_baseline(name, yc, model, seed=seed)
        assert isinstance(r, NaiveResult), (name, r)
        for strategy in ("prior", "uniform", "most_frequent"):
            proba = DummyClassifier(strategy=strategy, random_state=0).fit(
                X, yc).predict_proba(X)
            arg = proba if name == "log_loss" else proba[:, 1]
            v = float(spec.func(yc, arg, sample_weight=None))
            if spec.direction == "higher":
                assert r.value >= v - 1e-9, (name, strategy)
            else:
                assert r.value <= v + 1e-9, (name, strategy)
