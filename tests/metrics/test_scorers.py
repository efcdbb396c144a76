"""gate.metric / evaluate accept a scikit-learn scorer, a sklearn.metrics function or any callable
(y_true, y_pred) -> float: the value equals calling scikit-learn directly, the bootstrap interval
is seeded, a greater_is_better=False scorer reports the metric itself."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import evaluate, metric_from_callable

CLASSIFIERS = [
    (skm.make_scorer(skm.accuracy_score), skm.accuracy_score, {}),
    (skm.accuracy_score, skm.accuracy_score, {}),
    (skm.make_scorer(skm.fbeta_score, beta=2), skm.fbeta_score, {"beta": 2}),
    (skm.make_scorer(skm.f1_score, average="macro"), skm.f1_score, {"average": "macro"}),
    (skm.make_scorer(skm.matthews_corrcoef), skm.matthews_corrcoef, {}),
    (skm.make_scorer(skm.balanced_accuracy_score, adjusted=True), skm.balanced_accuracy_score,
     {"adjusted": True}),
    (lambda a, b: float(np.mean(a == b)), skm.accuracy_score, {}),
]
REGRESSORS = [
    (skm.make_scorer(skm.mean_squared_error, greater_is_better=False), skm.mean_squared_error),
    (skm.get_scorer("neg_mean_absolute_error"), skm.mean_absolute_error),
    (skm.make_scorer(skm.mean_pinball_loss, alpha=0.9, greater_is_better=False),
     lambda a, b: skm.mean_pinball_loss(a, b, alpha=0.9)),
    (skm.r2_score, skm.r2_score),
]


@settings(max_examples=30, deadline=None)
@given(st.integers(20, 150), st.integers(0, 10_000), st.integers(0, len(CLASSIFIERS) - 1))
def test_classification_scorer_value_equals_sklearn(n: int, seed: int, which: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    p = np.where(rng.random(n) < 0.7, y, 1 - y)
    obj, func, kw = CLASSIFIERS[which]
    r = evaluate(obj, y, p)
    assert r.value == pytest.approx(func(y, p, **kw), abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(20, 150), st.integers(0, 10_000), st.integers(0, len(REGRESSORS) - 1))
def test_regression_scorer_value_equals_sklearn(n: int, seed: int, which: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    p = y + rng.normal(scale=0.5, size=n)
    obj, func = REGRESSORS[which]
    r = evaluate(obj, y, p)
    assert r.value == pytest.approx(func(y, p), abs=1e-9)
    if getattr(obj, "_sign", 1) < 0:
        assert r.value >= 0
        assert r.direction == "lower"


def test_bootstrap_interval_is_seeded_and_reproducible() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.where(rng.random(200) < 0.8, y, 1 - y)

    def agreement_squared(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(a == b) ** 2)

    a = evaluate(agreement_squared, y, p, confidence=0.95, seed=11)
    b = evaluate(agreement_squared, y, p, confidence=0.95, seed=11)
    c = evaluate(agreement_squared, y, p, confidence=0.95, seed=12)
    assert a.method == "bootstrap"
    assert a.ci is not None
    assert a.ci == b.ci
    assert a.ci != c.ci
    assert a.ci[0] <= a.value <= a.ci[1]
    # the interval is a percentile bootstrap of the same function on resampled rows
    boot = np.random.default_rng(11)
    reps = [agreement_squared(y[i], p[i])
            for i in (boot.integers(0, 200, 200) for _ in range(1000))]
    assert a.ci == pytest.approx(tuple(np.quantile(reps, [0.025, 0.975])), abs=1e-12)
    f2 = skm.make_scorer(skm.fbeta_score, beta=2)
    one = evaluate(f2, y, p, confidence=0.9, seed=5, n_resamples=40)
    two = evaluate(f2, y, p, confidence=0.9, seed=5, n_resamples=40)
    assert one.ci is not None
    assert one.ci == two.ci
    assert one.method == "bootstrap"


def test_names_directions_and_the_report() -> None:
    rng = np.random.default_rng(1)
    y = rng.normal(size=300)
    p = y + rng.normal(scale=0.5, size=300)
    g = Gate(GateContext(nodeid="t::scorers", seed=2))
    neg = g.metric(skm.make_scorer(skm.mean_squared_error, greater_is_better=False), y, p,
                   max=0.5, confidence=0.95)
    assert neg.name == "mse", neg.message
    assert neg.direction == "lower", neg.message
    assert neg.passed, neg.message
    assert "greater_is_better=False" in neg.message
    assert "not scikit-learn's negated" in neg.message
    pin = g.metric(skm.make_scorer(skm.mean_pinball_loss, alpha=0.9, greater_is_better=False),
                   y, p, max=0.5)
    assert pin.name == "mean_pinball_loss(alpha=0.9)"
    assert pin.direction == "lower"
    assert "no naive baseline is known" in pin.message

    def cubed_error(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(np.abs(a - b) ** 3))

    c = g.metric(cubed_error, y, p, max=1.0, confidence=0.95, name="cubed")
    assert c.name == "cubed"
    assert c.direction == "lower"
    assert c.method == "bootstrap"
    yc = rng.integers(0, 2, 300)
    pc = np.where(rng.random(300) < 0.85, yc, 1 - yc)
    acc = g.metric(skm.make_scorer(skm.accuracy_score), yc, pc, min=0.8, confidence=0.95)
    assert acc.name == "accuracy"
    assert acc.method == "wilson"
    f2 = g.metric(skm.make_scorer(skm.fbeta_score, beta=0.5), yc, pc, min=0.5)
    assert f2.name == "fbeta_score(beta=0.5)"
    assert f2.details["naive"]["predictor"] in ("most-frequent", "stratified")
    auc = g.metric(skm.get_scorer("roc_auc"), yc, pc + rng.normal(size=300), min=0.6)
    assert auc.name == "roc_auc"


def test_bad_callables_and_unknown_names() -> None:
    with pytest.raises(ConfigError, match="scorer or a callable"):
        metric_from_callable(3)
    with pytest.raises(UnknownNameError) as info:
        evaluate("acuracy", [0, 1], [0, 1])
    msg = str(info.value)
    assert "did you mean 'accuracy'" in msg
    assert "register_metric" in msg
    assert "make_scorer" in msg
    with pytest.raises(InputError, match="sample_weight"):
        evaluate(lambda a, b: 0.5, [0, 1, 1], [0, 1, 0], sample_weight=[1, 1, 1])
    with pytest.raises(ConfigError, match="average"):
        evaluate(skm.f1_score, [0, 1, 1], [0, 1, 0], average="macro")


def test_every_sklearn_scorer_is_its_builtin_metric() -> None:
    from pytest_modelgate.metrics import get_metric
    from pytest_modelgate.metrics._registry import _SCORER_TO_PLAIN

    for name in skm.get_scorer_names():
        scorer = skm.get_scorer(name)
        spec = metric_from_callable(scorer)
        assert spec.builtin, name
        assert spec.direction == ("higher" if scorer._sign > 0 else "lower"), name
        # the unsigned metric of the scorer's name: "neg_log_loss" -> "log_loss"
        assert spec is get_metric(_SCORER_TO_PLAIN.get(name, name)), name
