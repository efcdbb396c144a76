"""Reports are written only when gate tests ran, with the permissions the umask asks for."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_modelgate._atomic import atomic_write_text
from pytest_modelgate.cli import main

GATES = '''
from pytest_modelgate.results import GateResult


def test_ok(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="fine", value=1.0, verdict="passed"))


def test_unit():
    pass
'''


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.parametrize("args", [
    ["--co"],
    ["does_not_exist.py"],
], ids=["collect-only", "usage-error"])
def test_runs_without_gates_leave_reports_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    pytester.makepyfile(GATES)
    outputs = ["--modelgate-markdown=gates.md", "--modelgate-html=gates.html"]
    pytester.runpytest("--modelgate", *outputs).assert_outcomes(passed=2)
    files = [pytester.path / n for n in ("modelgate-report.json", "gates.md", "gates.html")]
    before = [f.read_bytes() for f in files]
    summary = pytester.path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = pytester.runpytest("--modelgate", *outputs, *args)
    assert [f.read_bytes() for f in files] == before
    assert summary.read_text() == "earlier step\n"
    assert not [p for p in pytester.path.iterdir() if p.name.endswith(".tmp")]
    assert "no gate test ran: reports not written" in res.stdout.str()


@pytest.mark.parametrize("args", [
    ["-k", "nothing_matches_this"],
    ["-k", "test_unit"],
], ids=["deselected", "only-unit-tests"])
def test_a_run_with_no_gate_replaces_the_reports_with_a_no_gate_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    """Review C1: `-k nothing` used to leave the previous (green) report in place, and CI then
    uploaded a stale verdict. A --modelgate run that ran no gate says so in every report."""
    pytester.makepyfile(GATES)
    outputs = ["--modelgate-markdown=gates.md", "--modelgate-html=gates.html"]
    pytester.runpytest("--modelgate", *outputs).assert_outcomes(passed=2)
    summary = pytester.path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    res = pytester.runpytest("--modelgate", *outputs, *args)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["results"] == []
    assert report["run"]["no_gates"] is True
    assert report["summary"]["total"] == 0
    assert "no gate ran" in (pytester.path / "gates.md").read_text()
    assert "no gate ran" in (pytester.path / "gates.html").read_text()
    assert summary.read_text() == "earlier step\n"  # --modelgate-markdown given: not appended
    res.stdout.fnmatch_lines(["*no gate test ran*", "*wrote modelgate-report.json*"])
    assert main(["compare", "modelgate-report.json"]) == 0
    assert main(["compare", "--strict", "modelgate-report.json"]) == 1  # no verdict
    # the next run with gates is an ordinary report again
    pytester.runpytest("--modelgate").assert_outcomes(passed=2)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["no_gates"] is False
    assert len(report["results"]) == 1


def test_deselected_under_xdist_writes_a_no_gate_report(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist not installed: pip install 'pytest-modelgate[xdist]'")
    pytester.makepyfile(GATES)
    pytester.runpytest("--modelgate").assert_outcomes(passed=2)
    report = pytester.path / "modelgate-report.json"
    pytester.runpytest_subprocess("--modelgate", "-n", "2", "-k", "test_unit")
    data = json.loads(report.read_text())
    assert data["results"] == []
    assert data["run"]["no_gates"] is True


def test_reports_honour_the_umask(pytester: pytest.Pytester, umask_022: None) -> None:
    pytester.makepyfile(GATES)
    pytester.runpytest("--modelgate", "--modelgate-markdown=gates.md",
                       "--modelgate-html=gates.html").assert_outcomes(passed=2)
    for name in ("modelgate-report.json", "gates.md", "gates.html"):
        assert stat.S_IMODE((pytester.path / name).stat().st_mode) == 0o644, name


def test_atomic_write_modes(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        new = atomic_write_text(tmp_path / "new.txt", "x")
        assert stat.S_IMODE(new.stat().st_mode) == 0o640
        kept = tmp_path / "kept.txt"
        kept.write_text("old")
        kept.chmod(0o600)
        atomic_write_text(kept, "new")
        assert kept.read_text() == "new"
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # an existing file keeps its mode
    finally:
        os.umask(old)


def test_symlinked_reports_are_written_through_the_link(pytester: pytest.Pytester) -> None:
    """A report path that is a symlink (e.g. into a CI artifacts directory) keeps the link and
    rewrites its target."""
    pytester.makepyfile(GATES)
    out = pytester.path / "artifacts"
    out.mkdir()
    names = ("modelgate-report.json", "gates.md", "gates.html")
    for name in names:
        (out / name).write_text("old")
        (pytester.path / name).symlink_to(Path("artifacts") / name)
    pytester.runpytest("--modelgate", "--modelgate-markdown=gates.md",
                       "--modelgate-html=gates.html").assert_outcomes(passed=2)
    for name in names:
        assert (pytester.path / name).is_symlink(), name
        assert "fine" in (out / name).read_text(), name


def test_atomic_write_through_a_dangling_symlink(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "out" / "report.json")
    assert atomic_write_text(link, "new") == link
    assert link.is_symlink()
    assert (tmp_path / "out" / "report.json").read_text() == "new"


INTERRUPTED = '''
from pytest_modelgate.results import GateResult


def test_a(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="fine", value=1.0, verdict="passed"))


def test_b(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="bad", value=0.1, verdict="failed"))


def test_c(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="cut", value=0.2, verdict="failed"))
    raise KeyboardInterrupt


def test_d(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="never", value=1.0, verdict="passed"))
'''


def test_an_interrupted_run_writes_a_report_that_says_so(pytester: pytest.Pytester) -> None:
    """Ctrl-C / CI cancel: the report keeps every gate already evaluated (also those of the
    test cut short), records `interrupted` and no view shows it as a green verdict."""
    import json

    pytester.makepyfile(INTERRUPTED)
    res = pytester.runpytest("--modelgate", "--modelgate-markdown=gates.md",
                             "--modelgate-html=gates.html", no_reraise_ctrlc=True)
    assert res.ret == pytest.ExitCode.INTERRUPTED
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["interrupted"] is True
    assert sorted((r["name"], r["verdict"]) for r in report["results"]) == [
        ("bad", "failed"), ("cut", "failed"), ("fine", "passed")]
    md = (pytester.path / "gates.md").read_text().splitlines()[0]
    assert md.startswith("## ❌ ")
    assert "interrupted" in md
    assert "not a verdict" in md
    html = (pytester.path / "gates.html").read_text()
    assert "<h1>❌ Model gates: 1/3 passed — run interrupted" in html
    res.stdout.fnmatch_lines(["*run interrupted*not a verdict*"])
    path = str(pytester.path / "modelgate-report.json")
    report["results"] = [r for r in report["results"] if r["verdict"] == "passed"]
    (pytester.path / "modelgate-report.json").write_text(json.dumps(report))
    assert main(["compare", path, "--strict"]) == 1  # no verdict, even with no failure in it

    pytester.makepyfile(INTERRUPTED.replace("raise KeyboardInterrupt", "pass"))
    pytester.runpytest("--modelgate")
    assert json.loads((pytester.path / "modelgate-report.json").read_text())["run"][
        "interrupted"] is False


XDIST_INTERRUPTED = '''
import os
import signal
import time

from pytest_modelgate.results import GateResult


def test_a(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="fine", value=1.0, verdict="passed"))


def test_b(gate):
    gate.record(GateResult(nodeid="", kind="custom", name="cut", value=0.2, verdict="failed"))
    for _ in range(600):  # until the controller has test_a's results and test_b's setup
        if os.path.exists("ready"):
            break
        time.sleep(0.05)
    os.kill(os.getppid(), signal.SIGINT)  # the xdist controller: a CI cancel
    for _ in range(600):  # until the controller has written its report (then end quietly)
        if os.path.exists("done"):
            break
        time.sleep(0.05)
'''

XDIST_CONFTEST = '''
import pytest

SEEN = set()


@pytest.hookimpl(trylast=True)
def pytest_runtest_logreport(report):
    SEEN.add((report.nodeid.rsplit("::", 1)[-1], report.when))
    if {("test_a", "teardown"), ("test_b", "setup")} <= SEEN:
        open("ready", "w").close()


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):
        open("done", "w").close()
'''


def test_an_interrupted_xdist_run_reports_the_test_cut_short(pytester: pytest.Pytester) -> None:
    """Under xdist the controller receives no report of the test running at Ctrl-C: the report
    still says the run was interrupted, and names that gate test as cut short (an `error`), so
    no view shows the run as complete."""
    pytest.importorskip("xdist", reason="pytest-xdist not installed: pip install 'pytest-modelgate[xdist]'")
    pytester.makepyfile(XDIST_INTERRUPTED)
    pytester.makeconftest(XDIST_CONFTEST)
    res = pytester.runpytest_subprocess("--modelgate", "-n", "2", "-p", "no:randomly",
                                        "--modelgate-markdown=gates.md", timeout=60)
    assert res.ret == pytest.ExitCode.INTERRUPTED
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["interrupted"] is True
    cut = [r for r in report["results"] if r["nodeid"].endswith("::test_b")]
    assert len(cut) == 1
    assert cut[0]["verdict"] == "error"
    assert "interrupted" in cut[0]["message"]
    assert cut[0]["details"]["phase"] == "interrupted"
    assert [r["name"] for r in report["results"] if r["verdict"] == "passed"] == ["fine"]
    md = (pytester.path / "gates.md").read_text().splitlines()[0]
    assert md.startswith("## ❌ ")
    assert "interrupted" in md
