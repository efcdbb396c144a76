"""Running gates: the --modelgate switch, skipping, one failure per test, warn-only, options."""

from __future__ import annotations

import json

import pytest

CUSTOM_GATES = '''
import pytest
from pytest_modelgate.results import GateResult, decide


def record(gate, name, value, ci=None, **bounds):
    d = decide(value, ci, **bounds)
    return gate.record(GateResult(
        nodeid="", kind="custom", name=name, value=value, threshold=bounds, ci=ci,
        margin=d.margin, verdict=d.verdict, message=d.reason,
    ))


def test_plain():
    assert True


@pytest.mark.modelgate
def test_marked_only():
    assert True


def test_two_failures(gate):
    record(gate, "accuracy", 0.80, min=0.9)
    record(gate, "f1", 0.87, (0.80, 0.90), min=0.86)
    record(gate, "recall", 0.99, min=0.5)


def test_passes(gate):
    record(gate, "precision", 0.95, (0.93, 0.97), min=0.9)
'''


def test_gate_tests_skipped_without_flag(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(passed=1, skipped=3)
    result.stdout.fnmatch_lines(["*model gate: run with --modelgate*"])
    assert not (pytester.path / "modelgate-report.json").exists()


def test_ini_switch_runs_gates_by_default(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    pytester.makeini("[pytest]\nmodelgate_run_by_default = true\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)


def test_all_failures_of_a_test_reported_together(
    pytester: pytest.Pytester, run_args: list[str]
) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*2 model gates did not pass:*",
        "*[[]FAILED[]] custom 'accuracy': value 0.8 < min 0.9*",
        "*[[]INCONCLUSIVE[]] custom 'f1': lower confidence bound 0.8 < min 0.86*",
    ])
    assert "INTERNALERROR" not in result.stdout.str()
    assert "error" not in result.parseoutcomes()
    # the summary table lists failures first, then passes
    out = result.stdout.str()
    table = out[out.index("model gates ="):]
    assert table.index("custom:accuracy") < table.index("custom:recall")
    assert table.index("custom:f1") < table.index("custom:precision")


def test_report_is_identical_with_and_without_xdist(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist not installed: pip install 'pytest-modelgate[xdist]'")
    pytester.makepyfile(CUSTOM_GATES)
    pytester.runpytest_subprocess("--modelgate", "--modelgate-report=serial.json")
    pytester.runpytest_subprocess("--modelgate", "-n", "2", "--modelgate-report=xdist.json")
    serial = json.loads((pytester.path / "serial.json").read_text())
    xdist = json.loads((pytester.path / "xdist.json").read_text())
    key = lambda r: (r["nodeid"], r["name"])  # noqa: E731
    assert sorted(serial["results"], key=key) == sorted(xdist["results"], key=key)
    assert len(serial["results"]) == 4


def test_warn_only_reports_but_does_not_fail(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    result = pytester.runpytest("--modelgate", "--modelgate-warn-only")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*FAILED (not enforced)*", "*warn-only mode*"])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["warn_only"] is True
    assert {r["verdict"] for r in report["results"]} == {"passed", "failed", "inconclusive"}


def test_inconclusive_can_be_tolerated(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    result = pytester.runpytest("--modelgate", "--modelgate-inconclusive=pass")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["*1 model gate did not pass*"])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    assert True\n")
    result = pytester.runpytest("-p", "no:modelgate")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest("-p", "no:modelgate", "--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_help_has_one_option_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([
        "model gates (pytest-modelgate):",
        "*--modelgate *",
        "*--modelgate-report=PATH*",
        "*--modelgate-seed=N*",
        "*modelgate_seed*",
    ])


def test_markers_documented_with_signatures(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.accuracy(metric='accuracy', min=None, max=None, confidence=None, slices=None*",
        "@pytest.mark.drift(method='auto', alpha=0.05, max_share=0.5, columns=None*",
        "@pytest.mark.latency(p50=None, p95=None, p99=None, throughput=None, memory=None*",
        "@pytest.mark.security(*",
        "@pytest.mark.modelgate(seeds=5):*",
    ])


def test_marker_selection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.latency(p95="5ms")
        def test_fast(gate):
            pass

        @pytest.mark.drift(alpha=0.01)
        def test_drift(gate):
            pass

        def test_unit():
            pass
        """
    )
    pytester.runpytest("--modelgate", "-m", "modelgate and not latency").assert_outcomes(
        passed=1, deselected=2
    )
    pytester.runpytest("--modelgate", "-m", "drift").assert_outcomes(passed=1, deselected=2)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("accuracy(minimum=0.9)", "*@pytest.mark.accuracy on *: unknown keyword(s) minimum*"),
        ("latency(p95='5 parsecs')", "*p95 must be a positive duration in seconds or a string like '5ms'; got '5 parsecs'*"),
        ("accuracy(0.9)", "*takes keyword arguments only*"),
        ("drift(alpha=3)", "*alpha must be a number in (0, 1), e.g. 0.05; got 3*"),
        ("accuracy(confidence=95)", "*confidence must be a number in (0, 1)*"),
    ],
)
def test_bad_marker_errors_its_own_test_only(pytester: pytest.Pytester, marker: str,
                                             message: str) -> None:
    """One bad marker argument is an error of that test, recorded in the report; the other gates
    still run (it used to abort the whole run at collection, exit 4, every gate hidden)."""
    pytester.makepyfile(f"import pytest\n\n@pytest.mark.{marker}\ndef test_x(gate):\n    pass\n\n"
                        "def test_other(gate):\n"
                        "    gate.metric('accuracy', [0, 1, 1, 0], [0, 1, 1, 0], min=0.5)\n")
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=1, errors=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([message])
    output = result.stderr.str() + result.stdout.str()
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output
    assert "_pytest" not in output
    assert "pytest_modelgate" not in output
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    verdicts = {r["nodeid"].split("::")[1]: r["verdict"] for r in report["results"]}
    assert verdicts == {"test_x": "error", "test_other": "passed"}
    error = next(r for r in report["results"] if r["verdict"] == "error")
    assert "ConfigError" in error["message"]
    assert error["details"]["phase"] == "setup"
    assert report["summary"]["error"] == 1


def test_bad_setting_names_its_source(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    monkeypatch.setenv("MODELGATE_SEED", "abc")
    result = pytester.runpytest("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--modelgate-seed: 'abc' is not an integer (from env MODELGATE_SEED)*"])


def test_cli_beats_env_beats_ini_beats_pyproject(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    pytester.makepyprojecttoml("[tool.modelgate]\nseed = 1\n[tool.pytest.ini_options]\nmodelgate_seed = '2'\n")

    def seed(*args: str) -> int:
        pytester.runpytest("--modelgate", *args)
        return int(json.loads((pytester.path / "modelgate-report.json").read_text())["run"]["seed"])

    assert seed() == 2
    monkeypatch.setenv("MODELGATE_SEED", "3")
    assert seed() == 3
    assert seed("--modelgate-seed=4") == 4


def test_unknown_pyproject_key_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    pytester.makepyprojecttoml("[tool.modelgate]\nsede = 1\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown key(s) sede*"])


def test_unwritable_report_path_fails_at_start(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CUSTOM_GATES)
    (pytester.path / "adir").mkdir()
    result = pytester.runpytest("--modelgate", "--modelgate-report=adir")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--modelgate-report: cannot write 'adir'*"])


@pytest.mark.parametrize(("content", "message"), [
    (b"tool = 3\n", "pyproject.toml: 'tool' must be a table"),
    (b"[tool]\nmodelgate = 3\n", "pyproject.toml: [tool.modelgate] must be a table; got 3"),
    (b"[tool.modelgate]\nseed = 1  # caf\xe9\n", "pyproject.toml: is not UTF-8 text (byte "),
    (b"[tool.modelgate\n", "pyproject.toml: invalid TOML"),
    (b"[tool.modelgate]\ngates = 3\n", "gates: expected a table of gate selectors"),
], ids=["tool-3", "modelgate-3", "not-utf8", "invalid", "gates-3"])
def test_bad_pyproject_reaching_the_plugin_is_a_one_line_usage_error(
    pytester: pytest.Pytester, content: bytes, message: str
) -> None:
    """Issue #10 "clear errors": pytest parses pyproject.toml itself before any plugin loads and
    crashes on some of these shapes (`_pytest/config/findpaths.py`, outside this plugin); with
    `-c pytest.ini` pytest skips it and the plugin's reader must report each in one line."""
    pytester.makepyfile("def test_x():\n    pass\n")
    (pytester.path / "pytest.ini").write_text("[pytest]\n")
    (pytester.path / "pyproject.toml").write_bytes(content)
    result = pytester.runpytest_subprocess("-c", "pytest.ini", "--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.stderr.lines if line.startswith("ERROR: ")]
    assert len(errors) == 1, result.stderr.str()
    assert message in errors[0]
    assert "Traceback" not in result.stderr.str() + result.stdout.str()
