"""Naive baseline and scikit-learn scorers: every metric gate also has to beat the trivial
predictor on the same rows (most-frequent class, class prior, mean/median), and `gate.metric`
takes a `make_scorer(...)` object or any callable as the metric."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.metrics import fbeta_score, log_loss, make_scorer


def test_zero_detector_beats_the_naive_predictor(gate, modelgate_model, holdout):
    """'Is it a 0?' has ~10% positives: 90% accuracy is what always answering 'no' scores.
    The gate also requires beating that predictor (paired McNemar test on the same rows)."""
    X, y = holdout
    is_zero = (y == 0).astype(int)
    pred = (modelgate_model.predict(X) == 0).astype(int)
    gate.metric("accuracy", is_zero, pred, min=0.85, confidence=0.95)


@pytest.mark.xfail(strict=True, reason="demonstrates the naive check: a dummy passes min=0.85")
def test_a_dummy_model_is_caught(gate, split, holdout):
    """DummyClassifier(most_frequent) scores ~0.9 accuracy on the 'is it a 0?' task and clears
    min=0.85, but it is the naive predictor itself: the gate fails it."""
    X_train, _, y_train, _ = split
    X, y = holdout
    dummy = DummyClassifier(strategy="most_frequent").fit(X_train, (y_train == 0).astype(int))
    gate.metric("accuracy", (y == 0).astype(int), dummy.predict(X), min=0.85)


def test_any_scikit_learn_scorer(gate, modelgate_model, holdout):
    """A scorer object and a plain callable (with a bootstrap confidence interval)."""
    X, y = holdout
    pred = modelgate_model.predict(X)
    gate.metric(make_scorer(fbeta_score, beta=2, average="macro"), y, pred, min=0.85)
    # greater_is_better=False: the gate reports the loss itself (lower is better), and a scorer
    # computing a built-in metric is that metric (here 'log_loss', with its fast interval)
    gate.metric(make_scorer(log_loss, greater_is_better=False, response_method="predict_proba"),
                y, modelgate_model.predict_proba(X), max=0.5, name="scorer_log_loss")

    def top_digit_share(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """Share of the rows whose predicted digit is right, among the digits 5-9."""
        high = y_true >= 5
        return float(np.mean(y_true[high] == y_pred[high]))

    gate.metric(top_digit_share, y, pred, min=0.85, confidence=0.95)
