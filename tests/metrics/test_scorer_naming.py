"""Scorer naming: make_scorer(f1_score, pos_label=...) is f1 with that pos_label; an unnamed
lambda is reported as 'lambda' with a hint to pass name=."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import evaluate


def _gate() -> Gate:
    return Gate(GateContext(nodeid="t::scorer_naming", seed=0))


def test_make_scorer_f1_with_pos_label_is_f1_with_that_label() -> None:
    from sklearn.metrics import f1_score, make_scorer

    rng = np.random.default_rng(0)
    y = np.where(rng.random(400) < 0.3, "y", "n")
    p = y.copy()
    p[:40] = "y"
    r = _gate().metric(make_scorer(f1_score, pos_label="y"), y, p, min=0.5)
    assert r.name == "f1"
    assert r.value == pytest.approx(f1_score(y, p, pos_label="y"))
    assert r.details["naive"]["predicts"] == "always 'y'"
    direct = _gate().metric("f1", y, p, min=0.5, pos_label="y")
    assert r.value == direct.value
    assert evaluate(make_scorer(f1_score, pos_label="y"), y, p).value == direct.value


def test_unnamed_lambda_gets_a_name_hint() -> None:
    y = np.array([0, 1] * 50)
    r = _gate().metric(lambda t, p: float((t == p).mean()), y, y, min=0.9)
    assert r.name == "lambda"
    assert "pass name=" in r.message
    named = _gate().metric(lambda t, p: float((t == p).mean()), y, y, min=0.9,
                           name="agreement")
    assert named.name == "agreement"
    assert "pass name=" not in named.message
