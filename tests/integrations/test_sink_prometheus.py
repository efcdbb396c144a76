"""`--modelgate-prometheus PATH`: gauges per gate, read back with prometheus_client's parser."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

parser = pytest.importorskip(
    "prometheus_client.parser",
    reason="prometheus-client not installed: pip install 'pytest-modelgate[prometheus]'")

ODD_NAMES = '''

from pytest_modelgate.results import GateResult


def test_odd_names(gate):
    gate.record(GateResult(nodeid="", kind="custom", name='say "hi" \\\\ now\\n', value=1.5,
                           threshold={"max": 2, "note": "text"}, verdict="passed"))
'''


def _families(text: str) -> dict[str, Any]:
    return {f.name: f for f in parser.text_string_to_metric_families(text)}


def _by(family: Any, **labels: str) -> list[Any]:
    return [s for s in family.samples
            if all(s.labels.get(k) == v for k, v in labels.items())]


def test_textfile_matches_the_json_report(pytester: pytest.Pytester, run_args: list[str],
                                          sink_gates: Callable[..., Path]) -> None:
    sink_gates(ODD_NAMES)
    res = pytester.runpytest("--modelgate", "--modelgate-prometheus=metrics/gates.prom",
                                        *run_args)
    res.assert_outcomes(passed=2, failed=1)
    out = pytester.path / "metrics" / "gates.prom"
    res.stdout.fnmatch_lines([f"modelgate: wrote {out.relative_to(pytester.path)}"])
    fams = _families(out.read_text())
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    for r in report["results"]:
        if r["kind"] != "metric":
            continue
        labels = {"nodeid": r["nodeid"], "kind": "metric", "name": r["name"]}
        [value] = _by(fams["modelgate_gate_value"], **labels)
        assert value.value == r["value"]
        [minimum] = _by(fams["modelgate_gate_threshold"], **labels, bound="min")
        assert minimum.value == r["threshold"]["min"]
        [passed] = _by(fams["modelgate_gate_passed"], **labels)
        assert passed.labels["verdict"] == r["verdict"]
        assert passed.value == (1.0 if r["verdict"] == "passed" else 0.0)
    [acc] = [r for r in report["results"] if r["nodeid"] == "test_gates.py::test_accuracy"]
    [low] = _by(fams["modelgate_gate_ci_lower"], nodeid="test_gates.py::test_accuracy")
    [high] = _by(fams["modelgate_gate_ci_upper"], nodeid="test_gates.py::test_accuracy")
    assert [low.value, high.value] == acc["ci"]
    assert _by(fams["modelgate_gates"], verdict="failed")[0].value == 1.0
    assert fams["modelgate_run_blocking"].samples[0].value == 1.0
    assert fams["modelgate_run_interrupted"].samples[0].value == 0.0
    # label values (quote, backslash, newline) survive escaping
    [odd] = _by(fams["modelgate_gate_value"], nodeid="test_gates.py::test_odd_names")
    assert odd.labels["name"] == 'say "hi" \\ now\n'
    assert odd.value == 1.5
    thresholds = _by(fams["modelgate_gate_threshold"], nodeid="test_gates.py::test_odd_names")
    assert {s.labels["bound"] for s in thresholds} == {"max"}  # the text bound is left out
    assert not list((pytester.path / "metrics").glob(".*.tmp"))


def test_env_and_ini_select_the_textfile(pytester: pytest.Pytester,
                                         monkeypatch: pytest.MonkeyPatch,
                                         sink_gates: Callable[..., Path]) -> None:
    sink_gates(ODD_NAMES)
    pytester.makeini("[pytest]\nmodelgate_prometheus = from-ini.prom\n")
    pytester.runpytest("--modelgate").assert_outcomes(passed=2, failed=1)
    assert "modelgate_gate_value" in (pytester.path / "from-ini.prom").read_text()
    monkeypatch.setenv("MODELGATE_PROMETHEUS", "from-env.prom")
    pytester.runpytest("--modelgate").assert_outcomes(passed=2, failed=1)
    assert (pytester.path / "from-env.prom").is_file()


def test_unwritable_path_is_a_usage_error_before_any_gate(
        pytester: pytest.Pytester, sink_gates: Callable[..., Path]) -> None:
    sink_gates()
    (pytester.path / "adir").mkdir()
    res = pytester.runpytest("--modelgate", "--modelgate-prometheus=adir")
    assert res.ret == pytest.ExitCode.USAGE_ERROR
    res.stderr.fnmatch_lines(["*--modelgate-prometheus: cannot write 'adir'*writable file path*"])
    assert "INTERNALERROR" not in res.stdout.str() + res.stderr.str()


def test_no_gate_test_ran_says_so_in_the_textfile(pytester: pytest.Pytester,
                                                  sink_gates: Callable[..., Path]) -> None:
    """Like the JSON report, a --modelgate run that selected no gate replaces the textfile with
    one that says so (zero gates, no_gates 1): a scraper never keeps the last run's verdict."""
    sink_gates()
    prom = pytester.path / "gates.prom"
    prom.write_text("# earlier\n")
    pytester.runpytest("--modelgate", f"--modelgate-prometheus={prom}", "-k", "nomatch")
    fams = _families(prom.read_text())
    assert [s.value for s in fams["modelgate_run_no_gates"].samples] == [1]
    assert all(s.value == 0 for s in fams["modelgate_gates"].samples)


def test_collect_only_leaves_the_textfile_alone(pytester: pytest.Pytester,
                                                sink_gates: Callable[..., Path]) -> None:
    sink_gates()
    prom = pytester.path / "gates.prom"
    prom.write_text("# earlier\n")
    pytester.runpytest("--modelgate", f"--modelgate-prometheus={prom}", "--co")
    assert prom.read_text() == "# earlier\n"
