"""--modelgate-update-baseline: refuses to store failing gates, survives inf/NaN, writes nothing
when the session is interrupted."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

TEST = '''
import numpy as np

rng = np.random.default_rng(0)
y_true = rng.integers(0, 2, 2000)
flip = rng.random(2000)

def test_model(gate):
    gate.metric("accuracy", y_true, np.where(flip < ACC, y_true, 1 - y_true), min=0.7,
                max_drop=0.02)
'''


def _stored(pytester: pytest.Pytester) -> dict:  # type: ignore[type-arg]
    data = json.loads((pytester.path / ".modelgate/baseline.json").read_text())
    return dict(data["gates"])


def test_update_refuses_a_run_with_failing_gates_unless_forced(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    first = pytester.runpytest("--modelgate", "--modelgate-update-baseline")
    first.assert_outcomes(passed=1)
    assert first.ret == 0
    before = (pytester.path / ".modelgate/baseline.json").read_text()

    pytester.makepyfile(test_u=TEST.replace("ACC", "0.6"))
    refused = pytester.runpytest("--modelgate", "--modelgate-update-baseline")
    refused.assert_outcomes(failed=1)
    assert refused.ret != 0
    refused.stdout.fnmatch_lines([
        "*baseline*not updated*1 gate*did not pass*test_u.py::test_model*metric 'accuracy'*",
        "*--modelgate-update-baseline=force*"])
    assert (pytester.path / ".modelgate/baseline.json").read_text() == before

    forced = pytester.runpytest("--modelgate", "--modelgate-update-baseline=force")
    forced.assert_outcomes(failed=1)
    value = _stored(pytester)["test_u.py::test_model"]["metric:accuracy"]["value"]
    assert 0.55 < value < 0.65


def test_update_mode_from_env_and_bad_values(pytester: pytest.Pytester,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.6"))
    monkeypatch.setenv("MODELGATE_UPDATE_BASELINE", "force")
    pytester.runpytest("--modelgate").assert_outcomes(failed=1)
    assert "test_u.py::test_model" in _stored(pytester)
    monkeypatch.setenv("MODELGATE_UPDATE_BASELINE", "sometimes")
    result = pytester.runpytest("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--modelgate-update-baseline*'sometimes'*force*"])


def test_non_finite_values_do_not_cancel_the_write(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inf='''
from pytest_modelgate.results import GateResult

def test_custom(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="loss", value=float("inf"),
                           ci=(1.0, float("inf"))))
    gate.record(GateResult(nodeid="", kind="custom", name="ok", value=0.5))
''')
    result = pytester.runpytest("--modelgate", "--modelgate-update-baseline")
    result.assert_outcomes(passed=1)
    assert result.ret == 0
    assert "could not" not in result.stdout.str()
    text = (pytester.path / ".modelgate/baseline.json").read_text()
    assert "Infinity" not in text
    entries = _stored(pytester)["test_inf.py::test_custom"]
    assert entries["custom:loss"] == {"value": "inf", "ci": [1.0, "inf"]}
    assert entries["custom:ok"] == {"value": 0.5}


def test_a_baseline_write_error_names_the_baseline_not_the_report(
        pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    (pytester.path / "blocker").write_text("a file where a directory should be")
    result = pytester.runpytest("--modelgate", "--modelgate-update-baseline",
                                "--modelgate-baseline=blocker/baseline.json")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*could not update the baseline*blocker*baseline.json*"])
    assert "could not write the gate report" not in result.stdout.str()
    assert (pytester.path / "modelgate-report.json").is_file()


def test_interrupted_session_writes_no_baseline(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=TEST.replace("ACC", "0.95"), test_b='''
def test_stop(gate):
    raise KeyboardInterrupt
''')
    pytester.runpytest("--modelgate", "test_a.py", "--modelgate-update-baseline")
    before = (pytester.path / ".modelgate/baseline.json").read_text()
    pytester.makepyfile(test_a=TEST.replace("ACC", "0.96"))
    result = pytester.runpytest("--modelgate", "--modelgate-update-baseline",
                                no_reraise_ctrlc=True)
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*baseline*not updated*interrupted*"])
    assert (pytester.path / ".modelgate/baseline.json").read_text() == before


def test_baseline_with_bad_entries_is_a_clear_error_not_a_pass(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    (pytester.path / ".modelgate").mkdir()
    for bad, words in (
        ({"schema_version": 1, "gates": {"test_u.py::test_model": {"accuracy": "0.95"}}},
         "*baseline.json*'test_u.py::test_model'*'accuracy'*not an object*"),
        ({"schema_version": 1, "gates": {"test_u.py::test_model": {
            "accuracy": {"kind": "metric", "value": "high"}}}},
         "*baseline.json*'test_u.py::test_model'*'accuracy'*value*'high'*"),
        ({"schema_version": 7, "gates": {}}, "*baseline.json*schema_version 7*newer*"),
    ):
        (pytester.path / ".modelgate/baseline.json").write_text(json.dumps(bad))
        result = pytester.runpytest("--modelgate")
        assert result.ret != 0
        result.stdout.fnmatch_lines([words])
        assert "no stored baseline" not in result.stdout.str()
        assert "INTERNALERROR" not in result.stdout.str()


def test_no_baseline_from_collect_only_or_shadow_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    pytester.runpytest("--modelgate", "--co", "--modelgate-update-baseline")
    assert not (pytester.path / ".modelgate").exists()
    result = pytester.runpytest("--modelgate", "--modelgate-warn-only",
                                "--modelgate-update-baseline")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*baseline*not updated*--modelgate-warn-only*"])
    assert not (pytester.path / ".modelgate/baseline.json").exists()


def test_two_concurrent_pytest_runs_keep_both_runs_entries(pytester: pytest.Pytester) -> None:
    slow = TEST.replace("ACC", "0.95") + "    import time\n    time.sleep(1.5)\n"
    pytester.makepyfile(test_a=slow, test_b=slow.replace("test_model", "test_other"))
    (pytester.path / ".modelgate").mkdir()
    (pytester.path / ".modelgate/baseline.json").write_text(json.dumps(
        {"schema_version": 2, "gates": {"test_old.py::test_x": {"metric:accuracy": {
            "value": 0.9}}}}))
    runs = [pytester.popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                            "--modelgate", f"--modelgate-report=r_{name}.json", f"{name}.py",
                            "--modelgate-update-baseline"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
            for name in ("test_a", "test_b")]
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0, out.decode()
    assert set(_stored(pytester)) == {"test_old.py::test_x", "test_a.py::test_model",
                                      "test_b.py::test_other"}


WAIVED = '''
import numpy as np
import pytest

rng = np.random.default_rng(0)
y_true = rng.integers(0, 2, 2000)
flip = rng.random(2000)

def pred(acc):
    return np.where(flip < acc, y_true, 1 - y_true)

def test_ok(gate):
    gate.metric("accuracy", y_true, pred(0.95), min=0.7)

@pytest.mark.xfail(strict=True, reason="known regression")
def test_known_bad(gate):
    gate.metric("f1", y_true, pred(0.95), min=0.7)
    gate.metric("accuracy", y_true, pred(ACC), min=0.7)

def test_skipped_later(gate):
    gate.metric("accuracy", y_true, pred(ACC), min=0.7)
    pytest.skip("data not available")
'''


def test_update_never_stores_a_waived_failure(pytester: pytest.Pytester) -> None:
    """An xfailed or skipped test's failing gate is not a value to accept: it is not stored
    (its earlier entry stays), the passing gates are, and the run says which were left out."""
    pytester.makepyfile(test_w=WAIVED.replace("ACC", "0.95"))
    pytester.runpytest("--modelgate", "--modelgate-update-baseline=force")  # xpass: force
    first = _stored(pytester)
    good = first["test_w.py::test_known_bad"]["metric:accuracy"]["value"]
    assert good > 0.9

    pytester.makepyfile(test_w=WAIVED.replace("ACC", "0.5"))
    result = pytester.runpytest("--modelgate", "--modelgate-update-baseline")
    result.assert_outcomes(passed=1, xfailed=1, skipped=1)
    assert result.ret == 0
    result.stdout.fnmatch_lines([
        "*baseline*2 gates not stored*did not pass*test_w.py::test_known_bad metric 'accuracy' "
        "(failed, xfailed)*test_w.py::test_skipped_later metric 'accuracy' (failed, skipped)*"])
    stored = _stored(pytester)
    assert stored["test_w.py::test_known_bad"]["metric:accuracy"]["value"] == good
    assert stored["test_w.py::test_skipped_later"] == first["test_w.py::test_skipped_later"]
    assert "metric:f1" in stored["test_w.py::test_known_bad"]


def test_update_flag_takes_no_value_so_a_following_path_stays_a_path(
        pytester: pytest.Pytester) -> None:
    """Review B3: `--modelgate-update-baseline tests/gates` (DESIGN 2.1's spelling) must not take
    the path as the flag's value; `=force` is only recognised in the `=` spelling."""
    pytester.mkdir("gates")
    (pytester.path / "gates" / "test_u.py").write_text(TEST.replace("ACC", "0.95"))
    plain = pytester.runpytest("--modelgate", "--modelgate-update-baseline", "gates")
    plain.assert_outcomes(passed=1)
    assert "gates/test_u.py::test_model" in _stored(pytester)

    (pytester.path / "gates" / "test_u.py").write_text(TEST.replace("ACC", "0.6"))
    refused = pytester.runpytest("--modelgate", "--modelgate-update-baseline", "gates")
    refused.assert_outcomes(failed=1)
    refused.stdout.fnmatch_lines(["*baseline*not updated*"])

    forced = pytester.runpytest("--modelgate", "--modelgate-update-baseline=force", "gates")
    forced.assert_outcomes(failed=1)
    value = _stored(pytester)["gates/test_u.py::test_model"]["metric:accuracy"]["value"]
    assert 0.55 < value < 0.65

    spaced = pytester.runpytest("--modelgate", "--modelgate-update-baseline", "force")
    assert spaced.ret == pytest.ExitCode.USAGE_ERROR  # 'force' is a (missing) path, not a value
    bad = pytester.runpytest("--modelgate", "--modelgate-update-baseline=sometimes")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--modelgate-update-baseline*"])


def test_cli_accepts_the_spellings_the_env_accepts(pytester: pytest.Pytester,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Review2 #12b: `=true`/`=yes`/`=1`/`=on`/`=update` and `=false`/`=no`/`=0`/`=off` work on
    the command line as in MODELGATE_UPDATE_BASELINE; the command line beats the env."""
    baseline = pytester.path / ".modelgate" / "baseline.json"
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    for value in ("true", "yes", "1", "on", "update"):
        baseline.unlink(missing_ok=True)
        result = pytester.runpytest("--modelgate", f"--modelgate-update-baseline={value}")
        result.assert_outcomes(passed=1)
        assert "test_u.py::test_model" in _stored(pytester), value
    monkeypatch.setenv("MODELGATE_UPDATE_BASELINE", "true")
    for value in ("false", "no", "0", "off"):
        baseline.unlink(missing_ok=True)
        result = pytester.runpytest("--modelgate", f"--modelgate-update-baseline={value}")
        result.assert_outcomes(passed=1)
        assert not baseline.exists(), value


def test_a_bad_cli_value_lists_what_is_accepted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_u=TEST.replace("ACC", "0.95"))
    bad = pytester.runpytest("--modelgate", "--modelgate-update-baseline=sometimes")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--modelgate-update-baseline=force*--modelgate-update-baseline="
                              "true*--modelgate-update-baseline=false*'sometimes'*"])
