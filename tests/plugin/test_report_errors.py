"""Gate tests that raise instead of finishing are results too: verdict `error`, in every view."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

RAISING = '''
import pytest
from pytest_modelgate.results import GateResult


def test_ok(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="fine", value=1.0, verdict="passed"))


def test_bad_input(gate):
    gate.metric("accuracy", [0, 1, 1], [0, 1], min=0.5)


def test_bad_config(gate):
    gate.drift([1.0, 2.0], [1.0, 2.0], alpah=0.1)


def test_body_crash(gate):
    raise RuntimeError("boom in the test body")


@pytest.fixture
def broken():
    raise OSError("no data here")


def test_fixture_setup(gate, broken):
    pass


@pytest.fixture
def leaky():
    yield
    raise ValueError("cleanup failed")


def test_teardown(gate, leaky):
    gate.record(GateResult(nodeid="", kind="custom", name="kept", value=1.0, verdict="passed"))


def test_plain_unit_test_is_not_a_gate():
    raise RuntimeError("not a gate test")
'''


def _by_key(report: dict) -> dict[tuple[str, str, str], dict]:
    return {(r["nodeid"].split("::")[-1], r["kind"], r["name"]): r for r in report["results"]}


def test_raising_gates_are_error_results_in_every_view(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, run_args: list[str]
) -> None:
    pytester.makepyfile(RAISING)
    summary = pytester.path / "summary.md"
    summary.write_text("")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = pytester.runpytest_subprocess("--modelgate", "--modelgate-html=gates.html",
                                        "--junitxml=junit.xml", *run_args)
    res.assert_outcomes(passed=2, failed=4, errors=2)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    got = _by_key(report)
    assert set(got) == {
        ("test_ok", "custom", "fine"),
        ("test_bad_input", "metric", "accuracy"),
        ("test_bad_config", "drift", "dataset"),
        ("test_body_crash", "test", "test_body_crash"),
        ("test_fixture_setup", "test", "test_fixture_setup"),
        ("test_teardown", "custom", "kept"),
        ("test_teardown", "test", "test_teardown"),
    }
    bad_input = got["test_bad_input", "metric", "accuracy"]
    assert bad_input["verdict"] == "error"
    assert bad_input["passed"] is False
    assert bad_input["message"].startswith("InputError: y_true and y_pred have different lengths")
    assert "\n" not in bad_input["message"]
    assert got["test_bad_config", "drift", "dataset"]["message"].startswith(
        "ConfigError: gate.drift: unknown keyword(s) 'alpah'")
    assert got["test_body_crash", "test", "test_body_crash"]["message"] == \
        "RuntimeError: boom in the test body"
    setup = got["test_fixture_setup", "test", "test_fixture_setup"]
    assert setup["message"] == "in setup: OSError: no data here"
    assert setup["outcome"] == "error"
    teardown = got["test_teardown", "test", "test_teardown"]
    assert teardown["message"] == "in teardown: ValueError: cleanup failed"
    assert teardown["verdict"] == "error"
    assert got["test_teardown", "custom", "kept"]["verdict"] == "passed"
    assert report["summary"]["error"] == 5
    assert report["summary"]["total"] == 7
    assert report["summary"]["blocking"] == 5

    md = summary.read_text()  # the --modelgate-markdown file: see test_worker_death...
    assert md.startswith("## ❌ Model gates: 2/7 passed — 5 errors; 5 blocking")
    assert "boom in the test body" in md
    assert "| ERROR |" in md
    html = (pytester.path / "gates.html").read_text()
    assert html.count('<tr class="error"') == 5
    assert "boom in the test body" in html
    assert "2/7 passed" in html
    assert "2 passed, 5 errors; 5 blocking" in res.stdout.str()
    props = [json.loads(p.get("value", "")) for p in ET.parse(pytester.path / "junit.xml").iter(
        "property") if p.get("name") == "modelgate_result"]
    assert sorted((p["name"], p["verdict"]) for p in props) == sorted(
        (name, r["verdict"]) for (_, _, name), r in got.items())


def test_worker_death_is_an_error_result(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist not installed: pip install 'pytest-modelgate[xdist]'")
    pytester.makepyfile(
        '''
        import os
        from pytest_modelgate.results import GateResult


        def test_ok(gate):
            gate.record(GateResult(nodeid="", kind="custom", name="fine", value=1.0,
                                   verdict="passed"))


        def test_dies(gate):
            os._exit(3)


        def test_plain_dies():
            os._exit(3)
        '''
    )
    res = pytester.runpytest_subprocess("--modelgate", "-n", "2", "--modelgate-markdown=gates.md")
    res.assert_outcomes(passed=1, failed=2)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    got = _by_key(report)
    assert set(got) == {("test_ok", "custom", "fine"), ("test_dies", "test", "test_dies")}
    dead = got["test_dies", "test", "test_dies"]
    assert dead["verdict"] == "error"
    assert "crashed while running" in dead["message"]
    assert report["summary"]["blocking"] == 1
    assert (pytester.path / "gates.md").read_text().startswith("## ❌ Model gates: 1/2 passed")


def test_error_results_round_trip_and_render(tmp_path: Path) -> None:
    from pytest_modelgate.report import build_report, render_markdown, render_terminal
    from pytest_modelgate.results import GateResult, RunRecord

    err = GateResult(nodeid="t.py::a", kind="test", name="a", value=None, verdict="error",
                     message="RuntimeError: x", outcome="failed")
    assert GateResult.from_dict(err.to_dict()) == err
    run = RunRecord(seed=0)
    assert build_report(run, [err])["summary"]["error"] == 1
    assert render_markdown(run, [err]).startswith("## ❌")
    assert any("ERROR" in line for line in render_terminal([err], run))


def test_crashes_count_only_for_gate_tests_when_known() -> None:
    from types import SimpleNamespace

    from pytest_modelgate._xdist import XdistHooks

    hooks = XdistHooks(SimpleNamespace(started="", models={}))  # type: ignore[arg-type]
    crash = SimpleNamespace(longrepr="worker 'gw0' crashed while running 't.py::a'")
    hooks.pytest_handlecrashitem("t.py::a", crash, None)
    hooks.pytest_handlecrashitem("t.py::unit", crash, None)
    # no worker came down cleanly: which tests are gates is unknown, every crash is reported
    assert [r.name for r in hooks.crash_results(set())] == ["a", "unit"]
    hooks.pytest_testnodedown(SimpleNamespace(workeroutput={"modelgate_gate_tests": []}), None)
    assert hooks.crash_results({"t.py::a"})[0].to_dict()["verdict"] == "error"
    assert [r.name for r in hooks.crash_results({"t.py::a"})] == ["a"]


def test_markdown_escapes_html_in_names_and_messages() -> None:
    """Gate names and exception messages are data: in the step summary they must not become
    markup (`</details>` in a message used to close the details block early)."""
    from pytest_modelgate.report import render_markdown
    from pytest_modelgate.results import GateResult, RunRecord

    err = GateResult(nodeid="t.py::a", kind="metric", name="<img src=x onerror=alert(1)>",
                     value=None, verdict="error", outcome="failed",
                     message="ValueError: </details><script>alert(1)</script> & more")
    md = render_markdown(RunRecord(seed=0), [err])
    assert "<script>" not in md
    assert "<img" not in md
    assert md.count("</details>") == 1
    assert "&lt;script>" in md
    assert "& more" in md
