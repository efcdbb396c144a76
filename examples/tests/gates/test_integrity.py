"""Data integrity gates: the training/holdout split itself is checked, one report row per check."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.drift import profile


def test_split_is_clean(gate, split):
    """No holdout row repeats a training row (exactly or nearly), no label conflicts, no single
    pixel that gives the digit away, and the holdout fits the training data's schema."""
    X_train, X_holdout, y_train, y_holdout = split
    gate.integrity(X_train, X_holdout, y_train=y_train, y_test=y_holdout)


def test_todays_batch_fits_the_reference_schema(gate, split, tmp_path):
    """A scheduled check needs only the saved profile (`modelgate profile` stores the schema)."""
    X_train, X_holdout, _, _ = split
    path = tmp_path / "reference.npz"  # binary; a name ending in .json writes JSON
    profile(X_train).save(path)
    gate.integrity(path, X_holdout[:100])


@pytest.mark.xfail(strict=True, reason="demonstrates a leaking split: 20 training rows copied "
                                       "into the holdout")
def test_leaking_split_is_caught(gate, split):
    """20 holdout rows are copies of training rows: the duplicates check must fail and name them."""
    X_train, X_holdout, y_train, y_holdout = split
    rng = np.random.default_rng(0)
    leaked = X_holdout.copy()
    rows = np.sort(rng.choice(len(leaked), 20, replace=False))
    leaked[rows] = X_train[:20]
    y_leaked = y_holdout.copy()
    y_leaked[rows] = y_train[:20]
    gate.integrity(X_train, leaked, y_train=y_train, y_test=y_leaked, checks=["duplicates"])
