"""The extension hooks of pytest-modelgate, added with `pytest_addhooks`.

Implement any of them in a `conftest.py` or a plugin. Registration hooks receive a
`register` callable; whatever a user's conftest registers is added before the built-ins are
consulted, so users' entries win over the defaults (which are `trylast`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import pytest

    from .results import GateResult

hookspec = pluggy.HookspecMarker("pytest")

__all__ = [
    "pytest_modelgate_amend_report",
    "pytest_modelgate_load_model",
    "pytest_modelgate_register_drift_tests",
    "pytest_modelgate_register_metrics",
    "pytest_modelgate_result",
]


@hookspec
def pytest_modelgate_register_metrics(register: Callable[..., None], config: pytest.Config) -> None:
    """Register custom metrics for `gate.metric` / `gate.compare`, once per session.

    ``register(name, func, *, direction="higher", needs="labels")``: `func(y_true, y_pred, *,
    sample_weight=None) -> float`; `direction` is "higher" or "lower" (which way is better);
    `needs` is "labels", "scores" or "proba". Registrations are removed when the session ends.

    Example (conftest.py)::

        def pytest_modelgate_register_metrics(register):
            def top_decile_precision(y_true, y_score, sample_weight=None):
                import numpy as np
                top = np.argsort(y_score)[-len(y_score) // 10:]
                return float(np.mean(np.asarray(y_true)[top]))
            register("top_decile_precision", top_decile_precision, needs="scores")
    """


@hookspec
def pytest_modelgate_register_drift_tests(
    register: Callable[..., None], config: pytest.Config
) -> None:
    """Register custom per-column drift tests for `gate.drift(method=...)`, once per session.

    ``register(name, func, **spec)`` with the keywords of
    `pytest_modelgate.drift.register_test`; removed again when the session ends.
    """


@hookspec(firstresult=True)
def pytest_modelgate_load_model(path: str, config: pytest.Config) -> Any | None:
    """Load the model artifact at `path` for the `modelgate_model` fixtures.

    Return the loaded model, or None to let the next implementation try. The built-in
    implementation (trylast) loads skops and ONNX files, and pickle/joblib files only after the
    static scanner passes them, trusting the extra globals of ``--modelgate-model-allow``.
    Example: load an MLflow model directory::

        def pytest_modelgate_load_model(path, config):
            if path.endswith("/MLmodel"):
                import mlflow.pyfunc
                return mlflow.pyfunc.load_model(path.rsplit("/", 1)[0])
            return None
    """


@hookspec
def pytest_modelgate_result(result: GateResult, config: pytest.Config) -> None:
    """Called once for every gate result, on the controller (also under pytest-xdist).

    A result sink: push to MLflow, a database, a Prometheus textfile (the built-in sinks,
    ``--modelgate-prometheus PATH`` and ``--modelgate-mlflow``, are implementations of this
    hook; see docs/sinks.md). Example (CSV)::

        import csv

        def pytest_modelgate_result(result, config):
            with open("gate-results.csv", "a", newline="") as fh:
                csv.writer(fh).writerow([result.nodeid, result.name, result.value, result.verdict])
    """


@hookspec
def pytest_modelgate_amend_report(report: dict[str, Any], config: pytest.Config) -> None:
    """Amend the JSON report in place before it is written (add CI metadata, links, owners).

    Example::

        import os

        def pytest_modelgate_amend_report(report, config):
            report["run"]["commit"] = os.environ.get("GITHUB_SHA")
    """
