"""The naive-baseline check does not depend on the target's units (found in review: a model
worse than predicting the mean passed when the target was in units 1e6 times smaller, because
a naive loss below 1e-12 counted as "already perfect")."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.metrics import get_metric
from pytest_modelgate.metrics._evaluate import compute_value
from pytest_modelgate.metrics._inputs import check_inputs
from pytest_modelgate.metrics._naive import NaiveResult, against_naive


@pytest.mark.parametrize("scale", [1.0, 0.9e-6, 1e-9, 1e6])
@pytest.mark.parametrize("name", ["mse", "mae", "rmse"])
def test_a_model_worse_than_the_mean_fails_in_any_units(scale: float, name: str) -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=500)
    p = y.mean() + rng.normal(size=500)  # noise around the mean: worse than the mean itself
    spec = get_metric(name)
    chk = check_inputs(spec, y * scale, p * scale)
    res = against_naive(spec, chk, compute_value(spec, chk.y_true, chk.y_pred, None, {}), {},
                        confidence=0.95)
    assert isinstance(res, NaiveResult), res
    assert res.verdict == "failed"


def test_a_constant_target_is_still_already_perfect() -> None:
    spec = get_metric("mse")
    y = np.full(50, 3.5e-7)
    chk = check_inputs(spec, y, y + 1e-9)
    res = against_naive(spec, chk, compute_value(spec, chk.y_true, chk.y_pred, None, {}), {},
                        confidence=0.95)
    assert isinstance(res, str)
    assert "already perfect" in res
