"""Built-in result sinks for monitoring: a Prometheus textfile and MLflow tracking.

Each sink is a plain object the plugin registers with pytest's plugin manager: it receives every
gate result through the `pytest_modelgate_result` hook (on the controller, also under xdist)
and is closed once at the end of the session. A sink never raises into pytest: a problem is
kept in `errors`, which the plugin prints and turns into a failed run. No pytest import; mlflow
is imported only by the MLflow sink, when the first result arrives.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_modelgate._atomic import atomic_write_text
from pytest_modelgate.results import GateResult, RunRecord, is_blocking

__all__ = ["MlflowSink", "PrometheusTextfile", "mlflow_key", "render_prometheus"]


def _numbers(threshold: Mapping[str, Any]) -> list[tuple[str, float]]:
    """The numeric bounds of a threshold mapping (strings, flags and nested values left out)."""
    out = []
    for bound, v in threshold.items():
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            out.append((str(bound), float(v)))
    return out


# -- Prometheus textfile ------------------------------------------------------------------------

_HELP = {
    "modelgate_gate_value": "Measured value of a model gate (the report's value).",
    "modelgate_gate_threshold": "Threshold of a model gate, one series per bound (min, max, p95...).",
    "modelgate_gate_passed": "1 when the gate passed, else 0; the verdict label says how it ended.",
    "modelgate_gate_ci_lower": "Lower confidence bound of a gate's value, when it has an interval.",
    "modelgate_gate_ci_upper": "Upper confidence bound of a gate's value, when it has an interval.",
    "modelgate_gates": "Number of gate results of the last run, by verdict.",
    "modelgate_run_blocking": "Gate results that failed the last run (0: the run passed its gates).",
    "modelgate_run_interrupted": "1 when the last run was cut short (its results are incomplete).",
    "modelgate_run_no_gates": "1 when the last --modelgate run selected no gate (not a verdict).",
    "modelgate_last_run_timestamp_seconds": "When the last gate run finished (Unix time).",
}


def _escape(value: str) -> str:
    """A label value in the text exposition format: backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _sample(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _labels(pairs: Sequence[tuple[str, str]]) -> str:
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in pairs) + "}"


def render_prometheus(results: Sequence[GateResult], run: RunRecord | None = None,
                      finished: float | None = None) -> str:
    """The text exposition format (node_exporter's textfile collector reads it): gauges per gate
    labelled by test node id, gate kind and name; a repeated gate gets `#2`, `#3` in its name so
    no series is duplicated."""
    series: dict[str, list[str]] = {name: [] for name in _HELP}
    seen: dict[tuple[str, str, str], int] = {}
    for r in results:
        key = (r.nodeid, r.kind, r.name)
        seen[key] = seen.get(key, 0) + 1
        name = r.name if seen[key] == 1 else f"{r.name}#{seen[key]}"
        base = [("nodeid", r.nodeid), ("kind", r.kind), ("name", name)]
        if isinstance(r.value, (int, float)) and not isinstance(r.value, bool):
            series["modelgate_gate_value"].append(f"{_labels(base)} {_sample(r.value)}")
        for bound, v in _numbers(r.threshold):
            series["modelgate_gate_threshold"].append(
                f"{_labels([*base, ('bound', bound)])} {_sample(v)}")
        series["modelgate_gate_passed"].append(
            f"{_labels([*base, ('verdict', r.verdict)])} {1 if r.passed else 0}")
        if r.ci is not None:
            series["modelgate_gate_ci_lower"].append(f"{_labels(base)} {_sample(r.ci[0])}")
            series["modelgate_gate_ci_upper"].append(f"{_labels(base)} {_sample(r.ci[1])}")
    counts = dict.fromkeys(("passed", "failed", "inconclusive", "error"), 0)
    for r in results:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    series["modelgate_gates"] = [f'{{verdict="{v}"}} {n}' for v, n in counts.items()]
    run = run or RunRecord(seed=0)
    series["modelgate_run_blocking"] = [f" {sum(is_blocking(r, run) for r in results)}"]
    series["modelgate_run_interrupted"] = [f" {1 if run.interrupted else 0}"]
    series["modelgate_run_no_gates"] = [f" {1 if run.no_gates else 0}"]
    series["modelgate_last_run_timestamp_seconds"] = [
        f" {_sample(time.time() if finished is None else finished)}"]
    lines: list[str] = []
    for metric, samples in series.items():
        if not samples:
            continue
        lines += [f"# HELP {metric} {_HELP[metric]}", f"# TYPE {metric} gauge"]
        lines += [f"{metric}{s}" for s in samples]
    return "\n".join(lines) + "\n"


class PrometheusTextfile:
    """`--modelgate-prometheus PATH`: every result of the run in one textfile, written atomically
    at the end (point node_exporter's `--collector.textfile.directory` at its folder)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.results: list[GateResult] = []
        self.errors: list[str] = []

    def pytest_modelgate_result(self, result: GateResult, config: Any) -> None:
        self.results.append(result)

    def close(self, run: RunRecord, report_path: str | None = None) -> str | None:
        try:
            return str(atomic_write_text(self.path, render_prometheus(self.results, run)))
        except OSError as exc:
            self.errors.append(f"modelgate: could not write the Prometheus textfile "
                               f"{self.path}: {exc.strerror or exc}")
            return None


# -- MLflow -------------------------------------------------------------------------------------

_BAD_KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-./ ]+")


def mlflow_key(result: GateResult, suffix: str) -> str:
    """`modelgate/<test path>/<test name>/<gate name>/<suffix>` in the characters MLflow
    accepts in metric and tag keys (others become `_`), at most 250 characters."""
    nodeid = result.nodeid.replace("::", "/")
    raw = f"modelgate/{nodeid}/{result.name}"
    key = _BAD_KEY_CHARS.sub("_", raw).replace("//", "/").strip("/")
    tail = f"/{suffix}"
    return key[: 250 - len(tail)] + tail


class MlflowSink:
    """`--modelgate-mlflow`: each gate's value, thresholds and interval as metrics and its
    verdict as a tag, on the active MLflow run when the first result arrives (or the run
    `MLFLOW_RUN_ID` names), else on a run this sink starts and ends; the JSON report is logged
    as an artifact. Tracking URI and experiment come from MLflow's own settings
    (`MLFLOW_TRACKING_URI`, `MLFLOW_EXPERIMENT_NAME`)."""

    def __init__(self, run_name: str = "modelgate") -> None:
        self.run_name = run_name
        self.errors: list[str] = []
        self.run_id: str | None = None
        self.started_run = False
        self._client: Any = None
        self.results: list[GateResult] = []
        self._seen: dict[tuple[str, str, str], int] = {}

    def _target(self) -> str:
        import mlflow
        from mlflow.tracking import MlflowClient

        self._client = MlflowClient()
        active = mlflow.active_run()
        if active is not None:
            return str(active.info.run_id)
        import os

        if os.environ.get("MLFLOW_RUN_ID"):
            return os.environ["MLFLOW_RUN_ID"]
        experiment_id = os.environ.get("MLFLOW_EXPERIMENT_ID")
        if not experiment_id:
            name = os.environ.get("MLFLOW_EXPERIMENT_NAME") or "Default"
            found = self._client.get_experiment_by_name(name)
            experiment_id = (found.experiment_id if found is not None
                             else self._client.create_experiment(name))
        run = self._client.create_run(experiment_id, run_name=self.run_name,
                                      tags={"modelgate.started_by": "pytest-modelgate"})
        self.started_run = True
        return str(run.info.run_id)

    def pytest_modelgate_result(self, result: GateResult, config: Any) -> None:
        self.results.append(result)
        if self.errors:  # one failure is enough: do not retry (and time out) for every gate
            return
        try:
            self._log(result)
        except Exception as exc:
            self.errors.append(f"modelgate: could not log to MLflow: "
                               f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")

    def _log(self, result: GateResult) -> None:
        from mlflow.entities import Metric, RunTag

        if self.run_id is None:
            self.run_id = self._target()
        key = (result.nodeid, result.kind, result.name)
        self._seen[key] = self._seen.get(key, 0) + 1
        if self._seen[key] > 1:
            from dataclasses import replace

            result = replace(result, name=f"{result.name}#{self._seen[key]}")
        now = int(time.time() * 1000)
        values: list[tuple[str, float]] = []
        if isinstance(result.value, (int, float)) and not isinstance(result.value, bool):
            values.append(("value", float(result.value)))
        values += [(f"threshold_{bound}", v) for bound, v in _numbers(result.threshold)]
        if result.ci is not None:
            values += [("ci_lower", float(result.ci[0])), ("ci_upper", float(result.ci[1]))]
        values.append(("passed", 1.0 if result.passed else 0.0))
        metrics = [Metric(mlflow_key(result, name), v, now, 0) for name, v in values
                   if math.isfinite(v)]
        tags = [RunTag(mlflow_key(result, "verdict"), result.verdict)]
        if result.message:
            tags.append(RunTag(mlflow_key(result, "message"), result.message[:5000]))
        self._client.log_batch(self.run_id, metrics=metrics, tags=tags)

    def close(self, run: RunRecord, report_path: str | None = None) -> str | None:
        """Tag the run's overall gate verdict, attach the report, end a run this sink started."""
        if self.run_id is None or self._client is None:
            return None
        try:
            blocking = any(is_blocking(r, run) for r in self.results)
            self._client.set_tag(self.run_id, "modelgate.verdict",
                                 "interrupted" if run.interrupted else
                                 ("failed" if blocking else "passed"))
            if report_path and Path(report_path).is_file():
                self._client.log_artifact(self.run_id, report_path, artifact_path="modelgate")
            if self.started_run:
                self._client.set_terminated(self.run_id,
                                            "FAILED" if blocking or run.interrupted
                                            else "FINISHED")
        except Exception as exc:
            self.errors.append(f"modelgate: could not finish the MLflow run {self.run_id}: "
                               f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
            return None
        return None if self.errors else f"MLflow run {self.run_id}"
