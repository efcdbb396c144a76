"""gate.metric end to end: thresholds, marker defaults, policy overrides, baselines, custom metrics."""

from __future__ import annotations

import json

import pytest

DATA = '''
import numpy as np

rng = np.random.default_rng(0)
y_true = rng.integers(0, 2, 2000)
# a classifier that is right 92% of the time
y_pred = np.where(rng.random(2000) < 0.92, y_true, 1 - y_true)
'''


def test_metric_thresholds_and_unknown_names(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makepyfile(
        DATA + '''
import pytest


def test_good(gate):
    r = gate.metric("accuracy", y_true, y_pred, min=0.9)
    assert r.passed and abs(r.value - np.mean(y_true == y_pred)) < 1e-12


def test_bad(gate):
    gate.metric("accuracy", y_true, y_pred, min=0.95)
    gate.metric("f1", y_true, y_pred, min=0.5)


def test_unknown(gate):
    gate.metric("acuracy", y_true, y_pred, min=0.9)
'''
    )
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*1 model gate did not pass:*", "*[[]FAILED[]] metric 'accuracy'*0.95*"])
    result.stdout.fnmatch_lines(["*unknown metric 'acuracy'; did you mean 'accuracy'*"])
    assert "INTERNALERROR" not in result.stdout.str()


def test_marker_values_are_defaults_and_policy_overrides_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DATA + '''
import pytest


@pytest.mark.accuracy(metric="accuracy", min=0.9)
def test_marker(gate):
    r = gate.metric(y_true=y_true, y_pred=y_pred)
    assert r.threshold["min"] == EXPECTED


@pytest.mark.accuracy(min=0.9)
def test_call_beats_marker(gate):
    r = gate.metric("accuracy", y_true, y_pred, min=0.5)
    assert r.threshold["min"] == EXPECTED_CALL
'''.replace("EXPECTED_CALL", "CALL").replace("EXPECTED", "MARK")
    )
    pytester.makeconftest("import builtins\nbuiltins.MARK = 0.9\nbuiltins.CALL = 0.5\n")
    pytester.runpytest("--modelgate").assert_outcomes(passed=2)
    # the policy table wins over both marker and call, by gate name and by node id
    pytester.makepyprojecttoml(
        '[tool.modelgate.gates."metric:accuracy"]\nmin = 0.91\n'
        '[tool.modelgate.tests."test_marker_values_are_defaults_and_policy_overrides_them.py::test_marker"."metric"]\n'
        "min = 0.99\n"
    )
    pytester.makeconftest("import builtins\nbuiltins.MARK = 0.99\nbuiltins.CALL = 0.91\n")
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*metric 'accuracy'*0.99*"])


def test_policy_with_unknown_keyword_names_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DATA + "\ndef test_x(gate):\n    gate.metric('accuracy', y_true, y_pred, min=0.5)\n")
    pytester.makepyprojecttoml('[tool.modelgate.gates."metric"]\nminimum = 0.9\n')
    result = pytester.runpytest("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR  # caught at start-up, before any gate runs
    result.stderr.fnmatch_lines(["*gates.metric: unknown key 'minimum' (did you mean 'min'?)*"])


def test_baseline_round_trip(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        DATA + '''
def test_no_regression(gate):
    gate.metric("accuracy", y_true, y_pred, min=0.5, max_drop=0.01)
'''
    )
    first = pytester.runpytest("--modelgate", "-rA")
    first.assert_outcomes(passed=1)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert "no stored baseline" in report["results"][0]["message"].lower()
    assert not (pytester.path / ".modelgate/baseline.json").exists()

    pytester.runpytest("--modelgate", "--modelgate-update-baseline").assert_outcomes(passed=1)
    text = (pytester.path / ".modelgate/baseline.json").read_text()
    stored = json.loads(text)["gates"]["test_baseline_round_trip.py::test_no_regression"]["metric:accuracy"]
    assert 0.9 < stored["value"] < 0.94
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"

    # a worse model now regresses against the stored value
    pytester.makepyfile(
        DATA + '''
y_worse = np.where(rng.random(2000) < 0.85, y_true, 1 - y_true)

def test_no_regression(gate):
    gate.metric("accuracy", y_true, y_worse, min=0.5, max_drop=0.01)
'''
    )
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*metric 'accuracy'*baseline*"])


def test_corrupt_baseline_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DATA + "\ndef test_x(gate):\n    gate.metric('accuracy', y_true, y_pred, max_drop=0.01)\n")
    (pytester.path / ".modelgate").mkdir()
    (pytester.path / ".modelgate/baseline.json").write_text("{not json")
    result = pytester.runpytest("--modelgate")
    assert "INTERNALERROR" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*--modelgate-baseline*cannot read it*--modelgate-update-baseline*"])


def test_custom_metric_through_the_hook(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makeconftest(
        '''
def pytest_modelgate_register_metrics(register):
    def error_rate(y_true, y_pred, sample_weight=None):
        import numpy as np
        return float(np.mean(np.asarray(y_true) != np.asarray(y_pred)))
    register("error_rate", error_rate, direction="lower")
'''
    )
    pytester.makepyfile(DATA + "\ndef test_x(gate):\n    r = gate.metric('error_rate', y_true, y_pred, max=0.1)\n    assert r.direction == 'lower'\n")
    pytester.runpytest_subprocess("--modelgate", *run_args).assert_outcomes(passed=1)
