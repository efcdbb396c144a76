"""The pytest outcome beside every verdict, and one `is_blocking` rule for every view."""

from __future__ import annotations

import json

import pytest

from pytest_modelgate.cli import main
from pytest_modelgate.results import GateResult, RunRecord, is_blocking

OUTCOMES = '''
import pytest
from pytest_modelgate.results import GateResult, decide


def record(gate, name, value, ci=None, **bounds):
    d = decide(value, ci, **bounds)
    return gate.record(GateResult(
        nodeid="", kind="custom", name=name, value=value, threshold=bounds, ci=ci,
        margin=d.margin, verdict=d.verdict, message=d.reason,
    ))


def test_ok(gate):
    record(gate, "ok", 0.95, min=0.9)


@pytest.mark.xfail(strict=True, reason="known regression")
def test_known_bad(gate):
    record(gate, "known_bad", 0.5, min=0.9)


@pytest.mark.xfail(reason="might be fixed")
def test_maybe(gate):
    record(gate, "maybe", 0.95, min=0.9)


def test_skipped_later(gate):
    record(gate, "skipped_later", 0.1, min=0.9)
    pytest.skip("data not available")


def test_unsure(gate):
    record(gate, "unsure", 0.95, (0.85, 0.99), min=0.9)
'''


def _outcomes(report: dict) -> dict[str, tuple[str, str]]:
    return {r["name"]: (r["verdict"], r["outcome"]) for r in report["results"]}


def test_green_run_with_xfail_and_allowed_inconclusive_is_not_blocking(
    pytester: pytest.Pytester, run_args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makepyfile(OUTCOMES)
    res = pytester.runpytest_subprocess("--modelgate", "--modelgate-inconclusive=pass",
                                        "--modelgate-markdown=gates.md", *run_args)
    res.assert_outcomes(passed=2, xfailed=1, xpassed=1, skipped=1)
    assert res.ret == 0
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["schema_version"] == 2
    assert report["run"]["inconclusive"] == "pass"
    assert report["run"]["warn_only"] is False
    assert _outcomes(report) == {
        "ok": ("passed", "passed"),
        "known_bad": ("failed", "xfailed"),
        "maybe": ("passed", "xpassed"),
        "skipped_later": ("failed", "skipped"),
        "unsure": ("inconclusive", "passed"),
    }
    assert report["summary"]["blocking"] == 0
    assert report["summary"]["waived"] == 3
    md = (pytester.path / "gates.md").read_text()
    assert md.startswith("## ⚠️ Model gates: 2/5 passed — 3 waived (1 xfailed, 1 skipped, "
                         "1 inconclusive allowed); nothing blocking\n")
    assert "FAILED (xfailed)" in md
    assert "❌" not in md
    out = res.stdout.str()
    assert "FAILED (xfailed)" in out
    assert "2 passed, 3 waived (1 xfailed, 1 skipped, 1 inconclusive allowed); nothing " \
        "blocking" in out
    path = str(pytester.path / "modelgate-report.json")
    assert main(["compare", path, "--strict"]) == 0
    capsys.readouterr()


def test_inconclusive_blocks_by_default(
    pytester: pytest.Pytester, capsys: pytest.CaptureFixture[str]
) -> None:
    pytester.makepyfile(OUTCOMES)
    res = pytester.runpytest("--modelgate", "--modelgate-markdown=gates.md")
    res.assert_outcomes(passed=1, failed=1, xfailed=1, xpassed=1, skipped=1)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    assert report["run"]["inconclusive"] == "fail"
    assert _outcomes(report)["unsure"] == ("inconclusive", "failed")
    assert report["summary"]["blocking"] == 1
    # the waived failures (xfailed, skipped) are not counted as failed: only what blocks is
    assert (pytester.path / "gates.md").read_text().startswith(
        "## ❌ Model gates: 2/5 passed — 1 inconclusive, 2 waived (1 xfailed, 1 skipped); "
        "1 blocking\n")
    res.stdout.fnmatch_lines(["2 passed, 1 inconclusive, 2 waived (1 xfailed, 1 skipped); "
                              "1 blocking"])
    path = str(pytester.path / "modelgate-report.json")
    assert main(["compare", path, "--strict"]) == 1
    assert main(["compare", path]) == 0
    capsys.readouterr()


def test_warn_only_keeps_expected_gate_failures_xfailed(
    pytester: pytest.Pytester, run_args: list[str]
) -> None:
    """Shadow mode suppresses gate failures, but not the one an xfail test expects: that test is
    xfailed (strict or not), never a strict XPASS that fails the run."""
    pytester.makepyfile(OUTCOMES + '''

@pytest.mark.xfail(reason="known, not strict")
def test_known_bad_lax(gate):
    record(gate, "known_bad_lax", 0.5, min=0.9)
''')
    res = pytester.runpytest("--modelgate", "--modelgate-warn-only", *run_args)
    res.assert_outcomes(passed=2, xfailed=2, xpassed=1, skipped=1)
    assert res.ret == 0
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    outcomes = _outcomes(report)
    assert outcomes["known_bad"] == ("failed", "xfailed")
    assert outcomes["known_bad_lax"] == ("failed", "xfailed")
    assert outcomes["maybe"] == ("passed", "xpassed")
    assert report["summary"]["blocking"] == 0


@pytest.mark.parametrize(("verdict", "outcome", "enforced", "policy", "blocking"), [
    ("passed", "passed", True, "fail", False),
    ("passed", "failed", True, "fail", False),
    ("failed", "failed", True, "fail", True),
    ("failed", "xfailed", True, "fail", False),
    ("failed", "skipped", True, "fail", False),
    ("failed", "passed", False, "fail", False),
    ("failed", None, True, "fail", True),
    ("inconclusive", "failed", True, "fail", True),
    ("inconclusive", "passed", True, "pass", False),
    ("inconclusive", "passed", False, "fail", False),
    ("error", "failed", False, "fail", True),
    ("error", "error", True, "pass", True),
    ("error", "xfailed", True, "fail", False),
])
def test_is_blocking(verdict: str, outcome: str | None, enforced: bool, policy: str,
                     blocking: bool) -> None:
    r = GateResult(nodeid="t.py::a", kind="metric", name="acc", value=0.5,
                   verdict=verdict, outcome=outcome, enforced=enforced)  # type: ignore[arg-type]
    assert is_blocking(r, RunRecord(seed=0, inconclusive=policy)) is blocking


def test_schema_1_reports_are_still_read(tmp_path: pytest.TempPathFactory,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    old = Path(str(tmp_path)) / "old.json"
    old.write_text(json.dumps({
        "schema_version": 1,
        "run": {"seed": 0, "warn_only": False, "models": {"model": {"version": "v1"}}},
        "summary": {"total": 2, "passed": 1, "failed": 1, "inconclusive": 0},
        "results": [
            {"nodeid": "t.py::a", "kind": "metric", "name": "acc", "value": 0.9,
             "verdict": "passed", "passed": True, "enforced": True},
            {"nodeid": "t.py::b", "kind": "metric", "name": "f1", "value": "nan",
             "verdict": "failed", "passed": False, "enforced": False},
        ],
    }))
    assert main(["compare", str(old), "--strict"]) == 0  # the failure was not enforced
    out = capsys.readouterr().out
    assert "nan" in out
    assert "1/2 passed" in out


def test_headline_counts_waived_failures_apart_from_the_blocking_one(
    pytester: pytest.Pytester,
) -> None:
    """Review R2: an xfailed gate and a gate whose test was then skipped are waived, not
    "failed": "1 failed, 2 waived (1 xfailed, 1 skipped)", in every view."""
    pytester.makepyfile(OUTCOMES + '''

def test_bad(gate):
    record(gate, "bad", 0.5, min=0.9)
''')
    res = pytester.runpytest("--modelgate", "--modelgate-markdown=gates.md",
                             "--modelgate-html=gates.html", "--modelgate-inconclusive=pass")
    res.assert_outcomes(passed=2, failed=1, xfailed=1, xpassed=1, skipped=1)
    expected = "1 failed, 3 waived (1 xfailed, 1 skipped, 1 inconclusive allowed); 1 blocking"
    assert (pytester.path / "gates.md").read_text().startswith(
        f"## ❌ Model gates: 2/6 passed — {expected}\n")
    assert expected in (pytester.path / "gates.html").read_text()
    res.stdout.fnmatch_lines([f"2 passed, {expected}"])
    summary = json.loads((pytester.path / "modelgate-report.json").read_text())["summary"]
    assert (summary["blocking"], summary["waived"]) == (1, 3)
