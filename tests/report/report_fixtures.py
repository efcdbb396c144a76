"""A report document with every chart kind of the HTML view, built by the real judges (no
pytest run), plus a hand-made calibration result in the shape the calibration gate stores
(`details["reliability"]`, `details["per_class"][label]["reliability"]`)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.report import build_report
from pytest_modelgate.results import GateResult, RunRecord


def _bins(shift: float, n_bins: int = 10) -> list[dict[str, Any]]:
    out = []
    for i in range(n_bins):
        lo, hi = i / n_bins, (i + 1) / n_bins
        conf = (lo + hi) / 2
        out.append({"lo": lo, "hi": hi, "n": 20 + 10 * i, "confidence": conf,
                    "accuracy": min(1.0, max(0.0, conf - shift * conf * (1 - conf) * 4))})
    return out


def calibration_result(nodeid: str = "tests/test_cal.py::test_calibrated") -> GateResult:
    """A failed multiclass calibration result (ECE above max) with reliability bins."""
    per_class = {str(k): {"ece": 0.02 * (k + 1),
                          "reliability": {"strategy": "uniform", "n_bins": 10,
                                          "bins": _bins(0.05 * k)}} for k in range(3)}
    return GateResult(
        nodeid=nodeid, kind="calibration", name="ece", value=0.081, threshold={"max": 0.05},
        direction="lower", ci=(0.062, 0.1), confidence=0.95, margin=-0.05, verdict="failed",
        message="ece = 0.081 (95% CI [0.062, 0.1]); threshold max 0.05: FAILED",
        method="bootstrap", n=1000, unit=None,
        details={"reliability": {"strategy": "uniform", "n_bins": 10, "bins": _bins(0.15)},
                 "per_class": per_class})


def _slowish(x: np.ndarray) -> float:
    return float(np.sort(x).sum())


def sample_results(n_columns: int = 6, latency: bool = True) -> list[GateResult]:
    rng = np.random.default_rng(0)
    g = Gate(GateContext(nodeid="tests/gates/test_model.py::test_holdout", seed=0))
    y = rng.integers(0, 4, 600)
    pred = np.where(rng.random(600) < 0.85, y, rng.integers(0, 4, 600))
    g.metric("accuracy", y, pred, min=0.9, confidence=0.95)
    g.metric("f1_macro", y, pred, min=0.8, slices=np.where(y == 3, "rare", "common"))
    ref = rng.normal(size=(800, n_columns))
    cur = rng.normal(size=(700, n_columns))
    cur[:, 0] += 0.8
    cur[:, 1] *= 2.0
    g.drift(ref, cur, max_share=0.2)
    if latency:
        x = rng.random(2000)
        g.latency(_slowish, x, p50="50ms", p95="100ms", p99="200ms", throughput=10,
                  gate_options={"max_time": 0.3, "min_time": 0.1, "extend_time": 0.0,
                                "warmup": 2})
    return [*g.results, calibration_result()]


class BatchScaled:
    """A predict that standardises each request by its own mean: one row alone is scaled to 0."""

    def predict(self, X: Any) -> np.ndarray:
        x = np.asarray(X, dtype=float)[:, 0]
        return (x > x.mean()).astype(int)


#: rows of the integrity fixture's test set copied from train (duplicates) and pushed out of
#: the training range (range), the group rates of the fairness fixture
DUPLICATED_ROWS = (0, 1, 2, 3, 4, 5)
OUT_OF_RANGE_ROWS = tuple(range(10, 22))


def new_gate_results() -> list[GateResult]:
    """Failing integrity (duplicates, range), determinism (batch vs single row), fairness
    (three groups, one selected far less often) and seed-variance results from the real judges."""
    rng = np.random.default_rng(3)
    out: list[GateResult] = []
    g = Gate(GateContext(nodeid="tests/gates/test_data.py::test_split_is_clean", seed=0))
    X_train = rng.normal(size=(300, 4))
    y_train = (X_train[:, 0] + X_train[:, 1] + rng.normal(size=300) > 0).astype(int)
    X_test = rng.normal(size=(120, 4))
    y_test = (X_test[:, 0] + X_test[:, 1] + rng.normal(size=120) > 0).astype(int)
    X_test[list(DUPLICATED_ROWS)] = X_train[: len(DUPLICATED_ROWS)]
    y_test[list(DUPLICATED_ROWS)] = y_train[: len(DUPLICATED_ROWS)]
    X_test[list(OUT_OF_RANGE_ROWS), 2] = 50.0
    g.integrity(X_train, X_test, y_train=y_train, y_test=y_test)
    out += g.results
    g = Gate(GateContext(nodeid="tests/gates/test_serving.py::test_consistent", seed=0))
    g.determinism(BatchScaled(), X_test[:40])
    out += g.results
    g = Gate(GateContext(nodeid="tests/gates/test_fair.py::test_parity", seed=0))
    group = rng.choice(np.array(["A", "B", "C"]), 900, p=[0.5, 0.3, 0.2])
    y = rng.integers(0, 2, 900)
    pred = (rng.random(900) < np.where(group == "C", 0.2, 0.5)).astype(int)
    g.fairness(y, pred, sensitive=group, metric="demographic_parity_difference", max_gap=0.1,
               n_resamples=300)
    out += g.results
    g = Gate(GateContext(nodeid="tests/gates/test_seeds.py::test_recipe", seed=0))
    g.seed_variance(lambda s: 0.86 + 0.02 * float(np.sin(s)), seeds=6, min=0.87)
    out += g.results
    return out


def sample_report(n_columns: int = 6, latency: bool = True,
                  new_gates: bool = False) -> dict[str, Any]:
    run = RunRecord(seed=0, versions={"python": "3.11", "numpy": np.__version__},
                    models={"model": {"path": "models/m.skops", "version": "v2",
                                      "sha256": "ab" * 32, "allowed_globals": ["mypkg.Scaler"]}},
                    started="2026-01-01T00:00:00+00:00")
    results = sample_results(n_columns, latency) + (new_gate_results() if new_gates else [])
    doc = build_report(run, results)
    return json.loads(json.dumps(doc, sort_keys=True))  # type: ignore[no-any-return]
