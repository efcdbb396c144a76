"""`--modelgate-mlflow`: every gate as metrics and a verdict tag, in a local file-store
tracking URI (no server)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

_HAVE_MLFLOW = importlib.util.find_spec("mlflow") is not None
if _HAVE_MLFLOW:  # imported before pytester snapshots sys.modules, never re-imported half-way
    # (not unused: without them the in-process runs fail to import MlflowClient afterwards)
    import mlflow.entities
    import mlflow.tracking  # noqa: F401
needs_mlflow = pytest.mark.skipif(not _HAVE_MLFLOW, reason="mlflow not installed: pip install "
                                                           "'pytest-modelgate[mlflow]'")


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A file-store tracking URI in a temporary directory (MLflow 3 wants the opt-in for it)."""
    uri = (tmp_path / "mlruns").as_uri()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    for var in ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_NAME", "MLFLOW_EXPERIMENT_ID"):
        monkeypatch.delenv(var, raising=False)
    return uri


def _runs(uri: str, experiment: str = "Default") -> list[Any]:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(uri)
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None, f"no experiment {experiment!r}"
    return list(client.search_runs([exp.experiment_id]))


KEY = "modelgate/test_gates.py/test_accuracy/accuracy"
STRICT = "modelgate/test_gates.py/test_too_strict/accuracy"


@needs_mlflow
def test_each_gate_is_logged_to_a_new_run(pytester: pytest.Pytester, tracking: str,
                                          run_args: list[str],
                                          sink_gates: Callable[..., Path]) -> None:
    import json

    sink_gates()
    res = pytester.runpytest("--modelgate", "--modelgate-mlflow", *run_args)
    res.assert_outcomes(passed=1, failed=1)
    [run] = _runs(tracking)
    res.stdout.fnmatch_lines([f"modelgate: wrote MLflow run {run.info.run_id}"])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    acc = next(r for r in report["results"] if r["nodeid"].endswith("test_accuracy"))
    m, tags = run.data.metrics, run.data.tags
    assert m[f"{KEY}/value"] == acc["value"]
    assert m[f"{KEY}/threshold_min"] == 0.9
    assert [m[f"{KEY}/ci_lower"], m[f"{KEY}/ci_upper"]] == acc["ci"]
    assert (m[f"{KEY}/passed"], m[f"{STRICT}/passed"]) == (1.0, 0.0)
    assert (tags[f"{KEY}/verdict"], tags[f"{STRICT}/verdict"]) == ("passed", "failed")
    assert "min 0.99" in tags[f"{STRICT}/message"]
    assert tags["modelgate.verdict"] == "failed"
    assert run.info.status == "FAILED"  # the sink started the run, so it ends it
    artifacts = Path(run.info.artifact_uri.removeprefix("file://")) / "modelgate"
    assert json.loads((artifacts / "modelgate-report.json").read_text()) == report


@needs_mlflow
def test_the_active_run_of_the_session_is_used(pytester: pytest.Pytester, tracking: str,
                                                sink_gates: Callable[..., Path]) -> None:
    pytester.makeconftest('''
import mlflow
import pytest


@pytest.fixture(scope="session", autouse=True)
def mlflow_run():
    mlflow.set_experiment("nightly")
    run = mlflow.start_run(run_name="user run")
    open("run_id.txt", "w").write(run.info.run_id)
    yield run
    mlflow.end_run()
''')
    sink_gates()
    pytester.runpytest("--modelgate", "--modelgate-mlflow")
    [run] = _runs(tracking, "nightly")
    assert run.info.run_id == (pytester.path / "run_id.txt").read_text()
    assert run.data.tags[f"{KEY}/verdict"] == "passed"
    assert run.data.tags["mlflow.runName"] == "user run"


@needs_mlflow
def test_env_opt_in_and_experiment_name(pytester: pytest.Pytester, tracking: str,
                                        monkeypatch: pytest.MonkeyPatch,
                                        sink_gates: Callable[..., Path]) -> None:
    sink_gates(failing=False)
    monkeypatch.setenv("MODELGATE_MLFLOW", "1")
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", "scheduled-check")
    pytester.runpytest("--modelgate").assert_outcomes(passed=1)
    [run] = _runs(tracking, "scheduled-check")
    assert run.info.status == "FINISHED"
    assert run.data.tags["modelgate.verdict"] == "passed"


@needs_mlflow
def test_a_broken_tracking_uri_is_one_line_and_a_failed_run(pytester: pytest.Pytester,
                                                             tracking: str,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             sink_gates: Callable[..., Path]) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "nosuchscheme://nowhere")
    sink_gates(failing=False)
    res = pytester.runpytest("--modelgate", "--modelgate-mlflow")
    res.assert_outcomes(passed=1)
    assert res.ret == pytest.ExitCode.TESTS_FAILED
    res.stdout.fnmatch_lines(["modelgate: could not log to MLflow: *nosuchscheme*"])
    assert "INTERNALERROR" not in res.stdout.str() + res.stderr.str()


@pytest.mark.skipif(_HAVE_MLFLOW, reason="checks the message shown when mlflow is absent")
def test_flag_without_mlflow_is_a_usage_error(pytester: pytest.Pytester,
                                              sink_gates: Callable[..., Path]) -> None:
    sink_gates()
    res = pytester.runpytest("--modelgate", "--modelgate-mlflow")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    assert ("--modelgate-mlflow (from command line --modelgate-mlflow) needs MLflow: "
            "pip install 'pytest-modelgate[mlflow]'") in res.stderr.str()
