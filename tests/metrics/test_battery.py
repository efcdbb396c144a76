"""One property battery over every registered metric (after sklearn's metrics/tests/test_common).

A new metric in the registry gets every property for free: value equals scikit-learn, perfect
predictions hit the bound, row order does not matter, the interval contains the value, the same
seed gives the same interval.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from metrics_data import make_inputs, reference_value

from pytest_modelgate.metrics import MetricResult, evaluate, get_metric, get_metric_names

NAMES = get_metric_names()
BUILTIN = [n for n in NAMES if get_metric(n).builtin]
RESAMPLES = 100


@pytest.fixture(autouse=True)
def _quiet() -> None:
    warnings.simplefilter("ignore", UserWarning)


def test_registry_covers_every_sklearn_scorer() -> None:
    missing = set(skm.get_scorer_names()) - set(NAMES)
    assert not missing
    for plain in ("accuracy", "balanced_accuracy", "precision", "recall", "f1", "f1_macro",
                  "f1_micro", "f1_weighted", "roc_auc", "roc_auc_ovr", "roc_auc_ovo",
                  "average_precision", "log_loss", "brier", "matthews_corrcoef", "cohen_kappa",
                  "r2", "mae", "mse", "rmse", "mape", "median_ae", "explained_variance",
                  "max_error"):
        assert plain in NAMES


@pytest.mark.parametrize("name", BUILTIN)
def test_value_equals_sklearn(name: str) -> None:
    spec = get_metric(name)
    y, p, _ = make_inputs(spec)
    got = evaluate(name, y, p).value
    assert got == pytest.approx(reference_value(spec, y, p), rel=1e-9, abs=1e-9)


def test_weights_refused_where_sklearn_refuses_them() -> None:
    from pytest_modelgate.exceptions import InputError

    y, p, _ = make_inputs(get_metric("roc_auc_ovo"))
    with pytest.raises(InputError, match=r"sample_weight.*roc_auc_ovr"):
        evaluate("roc_auc_ovo", y, p, sample_weight=np.ones(len(y)))


@pytest.mark.parametrize("name", [n for n in BUILTIN if get_metric(n).accepts_weight])
def test_weighted_value_equals_sklearn(name: str) -> None:
    spec = get_metric(name)
    y, p, _ = make_inputs(spec)
    w = np.random.default_rng(1).uniform(0.2, 2.0, len(y))
    got = evaluate(name, y, p, sample_weight=w).value
    assert got == pytest.approx(reference_value(spec, y, p, w), rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name", [n for n in BUILTIN if get_metric(n).perfect is not None])
def test_perfect_predictions_hit_the_bound(name: str) -> None:
    spec = get_metric(name)
    y, _, perfect = make_inputs(spec)
    assert spec.perfect is not None
    assert evaluate(name, y, perfect).value == pytest.approx(spec.perfect, abs=1e-9)


@pytest.mark.parametrize("name", BUILTIN)
def test_row_order_does_not_matter(name: str) -> None:
    spec = get_metric(name)
    y, p, _ = make_inputs(spec)
    perm = np.random.default_rng(7).permutation(len(y))
    a = evaluate(name, y, p).value
    b = evaluate(name, y[perm], p[perm]).value
    assert b == pytest.approx(a, rel=1e-9, abs=1e-12)


@functools.cache
def _ci(name: str, confidence: float, seed: int) -> MetricResult:
    y, p, _ = make_inputs(get_metric(name))
    return evaluate(name, y, p, confidence=confidence, n_resamples=_resamples(name), seed=seed)


def _resamples(name: str) -> int:
    """Fewer resamples where each one is a full scikit-learn call (the properties still hold)."""
    return 30 if get_metric(name).family == "generic" else RESAMPLES


@pytest.mark.parametrize("name", BUILTIN)
def test_interval_contains_value_and_is_seeded(name: str) -> None:
    spec = get_metric(name)
    y, p, _ = make_inputs(spec)
    r1 = _ci(name, 0.9, 11)
    r2 = evaluate(name, y, p, confidence=0.9, n_resamples=_resamples(name), seed=11)
    assert r1 == r2
    assert r1.method is not None
    if spec.family == "max":
        assert r1.ci is None
        assert r1.method == "none"
        return
    assert r1.ci is not None, r1.details
    lo, hi = r1.ci
    assert lo <= r1.value <= hi
    assert spec.bounds[0] <= lo
    assert hi <= spec.bounds[1]
    assert all(type(x) is float for x in (r1.value, lo, hi))
    if r1.method == "bootstrap" and hi > lo:
        r3 = evaluate(name, y, p, confidence=0.9, n_resamples=_resamples(name), seed=12)
        assert r3.ci != r1.ci  # the seed is really used


@pytest.mark.parametrize("name", BUILTIN)
def test_wider_interval_at_higher_confidence(name: str) -> None:
    spec = get_metric(name)
    if spec.family == "max":
        pytest.skip("no interval for a maximum")
    a = _ci(name, 0.9, 11).ci
    b = _ci(name, 0.99, 11).ci
    assert a is not None
    assert b is not None
    assert b[0] <= a[0] + 1e-12
    assert b[1] >= a[1] - 1e-12
    assert (b[1] - b[0]) > (a[1] - a[0]) or math.isclose(b[1] - b[0], 0.0, abs_tol=1e-12)


@pytest.mark.parametrize("name", BUILTIN)
def test_result_is_plain(name: str) -> None:
    import json

    spec = get_metric(name)
    y, p, _ = make_inputs(spec)
    r = evaluate(name, y, p)
    json.dumps(r.to_dict())
    assert r.n == len(y)
    assert r.direction == spec.direction
