"""The example's model gates: run with `pytest --modelgate` after `python train.py`."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.mark.accuracy(metric="accuracy", min=0.90, confidence=0.95)
def test_holdout_accuracy(gate, modelgate_model, holdout):
    """The lower 95% confidence bound of holdout accuracy must clear 0.90."""
    X, y = holdout
    gate.metric(y_true=y, y_pred=modelgate_model.predict(X))


def test_per_class_recall(gate, modelgate_model, holdout):
    """Every digit is recognised: macro F1 and the worst class (as a slice) both gated."""
    X, y = holdout
    pred = modelgate_model.predict(X)
    gate.metric("f1_macro", y, pred, min=0.85)
    gate.metric("accuracy", y, pred, min=0.80, slices=y, min_slice_size=30)


def test_probabilities(gate, modelgate_model, holdout):
    """Calibrated scores: multiclass log loss must stay low."""
    X, y = holdout
    gate.metric("log_loss", y, modelgate_model.predict_proba(X), max=0.5)


def test_no_worse_than_champion(gate, modelgate_model, modelgate_baseline_model, holdout):
    """Champion vs challenger on the same rows: the candidate may lose at most 1 point."""
    X, y = holdout
    gate.compare("accuracy", y, modelgate_model.predict(X),
                 modelgate_baseline_model.predict(X), max_drop=0.01, confidence=0.95)


@pytest.mark.latency(p95="10ms")
def test_single_row_latency(gate, modelgate_model, holdout):
    """Serving budget: p95 of a single-row predict within 10 ms (upper confidence bound;
    calls preempted by other processes on a shared runner are left out and counted)."""
    X, _ = holdout
    gate.latency(modelgate_model.predict, X[:1])


def test_latency_relative_to_champion(gate, modelgate_model, modelgate_baseline_model, holdout):
    """Timed interleaved in this process: the candidate's p95 at most 1.5x the champion's."""
    X, _ = holdout
    gate.latency(modelgate_model.predict, X[:32], baseline=modelgate_baseline_model.predict,
                 max_ratio=1.5)


@pytest.mark.latency(memory="50MiB")
def test_batch_memory(gate, modelgate_model, holdout):
    """Peak memory of predicting the whole holdout stays within 50 MiB."""
    X, _ = holdout
    gate.memory(modelgate_model.predict_proba, X)


def test_baseline_regression(gate, modelgate_model, holdout):
    """Compared with the accepted result stored in .modelgate/baseline.json (when there is one)."""
    X, y = holdout
    gate.metric("balanced_accuracy", y, modelgate_model.predict(X), min=0.85, max_drop=0.02)


def test_scores_are_probabilities(modelgate_model, holdout):
    """An ordinary assertion in a gate test: it fails the test like any other."""
    X, _ = holdout
    proba = modelgate_model.predict_proba(X)
    assert np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.drift(alpha=0.05, max_share=0.2)
def test_holdout_has_not_drifted(gate, split):
    """Training data vs the holdout: same distribution, so no column may drift."""
    X_train, X_holdout, _, _ = split
    gate.drift(X_train, X_holdout)


@pytest.mark.xfail(strict=True, reason="demonstrates a drift failure: brighter, shifted scans")
@pytest.mark.drift(alpha=0.05, max_share=0.2)
def test_shifted_scans_are_caught(gate, split):
    """A copy of the holdout from a brighter scanner: the drift gate must fail on it."""
    X_train, X_holdout, _, _ = split
    shifted = np.clip(X_holdout * 1.4 + 2.0, 0, 16)
    gate.drift(X_train, shifted)


@pytest.mark.security(scan=True)
def test_artifact_is_safe(gate, modelgate_model):
    """The artifact passes the static scan (nothing in it is loaded or run to decide)."""
    gate.artifact(modelgate_model.path, name="model")  # one row across versions in compare


@pytest.mark.security(noise=0.05, max_flip_rate=0.05, confidence=0.95)
def test_predictions_are_stable_under_noise(gate, modelgate_model, holdout):
    """Noise of 5% of each feature's spread flips at most 5% of predictions (upper bound)."""
    X, _ = holdout
    gate.robustness(modelgate_model, X)


def test_hostile_inputs(gate, modelgate_model, holdout):
    """NaN, inf, huge values, wrong shapes: a clear error or valid output, never silent garbage."""
    X, _ = holdout
    gate.input_validation(modelgate_model, X[:20])
