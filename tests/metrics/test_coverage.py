"""Intervals keep their promise on fresh data: coverage and the rows-needed estimate.

Bounded simulations; marked slow (they still run in CI).
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from pytest_modelgate.gates import Gate
from pytest_modelgate.metrics import evaluate

pytestmark = pytest.mark.slow


def test_accuracy_interval_covers_true_accuracy() -> None:
    """Over 200 fresh draws the 95% interval covers the true accuracy at least 92% of the time."""
    rng = np.random.default_rng(20261127)
    true_acc, n, hits = 0.87, 300, 0
    for _ in range(200):
        y = rng.integers(0, 2, n)
        p = np.where(rng.random(n) < true_acc, y, 1 - y)
        lo, hi = evaluate("accuracy", y, p, confidence=0.95).ci or (np.nan, np.nan)
        hits += lo <= true_acc <= hi
    assert hits / 200 >= 0.92


def test_f1_cell_bootstrap_coverage() -> None:
    rng = np.random.default_rng(1)
    n = 400

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        y = (rng.random(m) < 0.3).astype(int)
        p = np.where(rng.random(m) < np.where(y == 1, 0.8, 0.93), y, 1 - y)
        return y, p

    truth = f1_score(*draw(2_000_000))
    hits = sum(
        (lambda ci: ci[0] <= truth <= ci[1])(
            evaluate("f1", *draw(n), confidence=0.9, n_resamples=500, seed=s).ci)
        for s in range(150)
    )
    assert hits / 150 >= 0.84  # nominal 0.90; percentile bootstrap is a little liberal


def test_delong_coverage() -> None:
    rng = np.random.default_rng(2)

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, m)
        return y, rng.normal(size=m) + 1.2 * y

    truth = roc_auc_score(*draw(400_000))
    hits = sum(
        (lambda ci: ci[0] <= truth <= ci[1])(evaluate("roc_auc", *draw(200), confidence=0.9).ci)
        for _ in range(200)
    )
    assert hits / 200 >= 0.85


def test_rows_needed_is_about_right() -> None:
    """With the advertised number of rows the gate passes about `power` of the time."""
    rng = np.random.default_rng(3)
    true_acc, threshold = 0.9, 0.88
    y = rng.integers(0, 2, 1000)
    p = np.where(rng.random(1000) < true_acc, y, 1 - y)
    first = Gate().metric("accuracy", y, p, min=threshold, confidence=0.95)
    if first.verdict != "inconclusive":
        pytest.skip("the first draw already decided")
    rows = first.details["rows_needed"]
    passes = 0
    for _ in range(200):
        y2 = rng.integers(0, 2, rows)
        p2 = np.where(rng.random(rows) < first.value, y2, 1 - y2)
        passes += Gate().metric("accuracy", y2, p2, min=threshold, confidence=0.95).passed
    assert 0.65 <= passes / 200 <= 0.95  # 80% power, approximately


def test_compare_non_inferiority_false_pass_rate() -> None:
    """When the candidate is truly worse by more than max_drop, it passes at most ~5% of runs."""
    rng = np.random.default_rng(4)
    n, passed = 1500, 0
    for _ in range(200):
        y = rng.integers(0, 2, n)
        pb = np.where(rng.random(n) < 0.90, y, 1 - y)
        pc = np.where(rng.random(n) < 0.88, y, 1 - y)  # 2 points worse, max_drop 1 point
        passed += Gate().compare("accuracy", y, pc, pb, max_drop=0.01).passed
    assert passed / 200 <= 0.08
