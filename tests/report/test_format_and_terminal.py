"""One number formatter for every view; node ids shortened in the middle; every latency budget
in the terminal table; `modelgate compare` deltas, verdict changes first, Markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_modelgate.cli import main
from pytest_modelgate.report import build_report, compare_reports, render_terminal
from pytest_modelgate.report._format import format_number, format_threshold
from pytest_modelgate.report.compare import render_compare_markdown, render_compare_terminal
from pytest_modelgate.report.terminal import shorten_middle
from pytest_modelgate.results import GateResult, RunRecord
from pytest_modelgate.units import format_bytes, format_seconds, parse_bytes, parse_seconds

_EXPONENT = re.compile(r"e[+-]?\d")


@pytest.mark.parametrize(("x", "unit", "text"), [
    (102400, None, "102,400"),
    (102400.5, None, "102,400"),
    (12345678.9, None, "12,345,679"),
    (0.91234, None, "0.9123"),
    (1.5e-5, None, "1.5e-5"),
    (0, None, "0"),
    (1023.9 * 1024, "B", "1MiB"),
    (1000 * 1024, "B", "0.977MiB"),
    (1536, "B", "1.5KiB"),
    (512, "B", "512B"),
    (0.9996, "s", "1s"),
    (0.00099996, "s", "1ms"),
    (90.0, "s", "1.5min"),
    (7200.0, "s", "2h"),
    (0.000645, "s", "645µs"),
    (102400.0, "rows/s", "102k rows/s"),
    (None, None, "—"),
    (float("inf"), "s", "inf"),
])
def test_format_number(x: Any, unit: str | None, text: str) -> None:
    assert format_number(x, unit) == text


def test_short_numbers_for_axes() -> None:
    assert format_number(102400, short=True) == "102k"
    assert format_number(2.5e6, short=True) == "2.5M"


@given(st.floats(min_value=1e-4, max_value=1e14) | st.integers(0, 10**14))
def test_plain_numbers_never_use_exponents(x: float) -> None:
    for short in (False, True):
        assert not _EXPONENT.search(format_number(x, short=short)), x


@given(st.floats(min_value=1.0, max_value=float(2**50)))
def test_bytes_never_use_exponents_and_round_trip(x: float) -> None:
    text = format_bytes(x)
    assert not _EXPONENT.search(text)
    assert float(parse_bytes(text.replace(",", ""))) == pytest.approx(x, rel=6e-3, abs=1)


@given(st.floats(min_value=1e-9, max_value=1e6))
def test_durations_never_use_exponents_and_round_trip(x: float) -> None:
    text = format_seconds(x)
    assert not _EXPONENT.search(text)
    assert parse_seconds(text.replace("µs", "us").replace(",", "")) == pytest.approx(x, rel=6e-3)


def test_threshold_keys_keep_their_own_units() -> None:
    """A latency gate decided by throughput still shows its p95 budget as a duration."""
    text = format_threshold({"p95": 0.01, "throughput": 102400.0}, "rows/s")
    assert text == "p95 10ms, throughput 102k/s"


@given(st.text(min_size=0, max_size=120), st.integers(1, 80))
def test_shorten_middle_fits(text: str, width: int) -> None:
    out = shorten_middle(text, width)
    assert len(out) <= max(width, 0)
    if len(text) <= width:
        assert out == text


def test_shorten_middle_keeps_file_and_test_name() -> None:
    nodeid = "tests/gates/test_model.py::test_latency_relative_to_champion"
    assert shorten_middle(nodeid, 52) == "…/test_model.py::test_latency_relative_to_champion"
    short = shorten_middle(nodeid, 30)
    assert short.startswith("test_model")
    assert short.endswith("_champion")
    assert len(short) == 30


def _latency_result() -> GateResult:
    checks = [
        {"name": "p50", "value": 0.0004, "ci": [0.00039, 0.00041], "threshold": 0.001,
         "direction": "lower", "unit": "s", "verdict": "passed", "margin": 0.00059, "n": 900},
        {"name": "p95", "value": 0.0008, "ci": [0.00075, 0.00085], "threshold": 0.002,
         "direction": "lower", "unit": "s", "verdict": "passed", "margin": 0.00115, "n": 900},
        {"name": "p99", "value": 0.003, "ci": [0.0025, 0.004], "threshold": 0.0035,
         "direction": "lower", "unit": "s", "verdict": "inconclusive", "margin": -0.0005,
         "n": 900},
        {"name": "throughput", "value": 102400.0, "ci": [98000.0, 105000.0],
         "threshold": 50000.0, "direction": "higher", "unit": "rows/s", "verdict": "passed",
         "margin": 48000.0, "n": 900},
    ]
    return GateResult(nodeid="tests/gates/test_serving.py::test_latency_budgets", kind="latency",
                      name="predict", value=0.003, threshold={"p50": 0.001, "p95": 0.002,
                                                              "p99": 0.0035,
                                                              "throughput": 50000.0},
                      direction="lower", ci=(0.0025, 0.004), margin=-0.0005,
                      verdict="inconclusive", unit="s", details={"checks": checks})


def test_terminal_shows_every_latency_budget() -> None:
    lines = render_terminal([_latency_result()], RunRecord(seed=0), width=100)
    text = "\n".join(lines)
    for name, value in (("p50", "400µs"), ("p95", "800µs"), ("p99", "3.0ms"),
                        ("throughput", "102k rows/s")):
        row = next(line for line in lines if f"└ {name}" in line)
        assert value in row, row
    assert "≤ 3.5ms" in text
    assert "≥ 50k rows/s" in text
    assert "e+0" not in text
    # too wide for 100 columns: the id is shown in full on its own line above its rows
    assert lines[2] == "tests/gates/test_serving.py::test_latency_budgets"


def test_the_table_quoted_in_docs_report_is_the_real_output() -> None:
    """docs/report.md quotes this table: regenerate the quote from this call, never by hand."""
    import re
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
    m = re.search(r"```text\n(  gate +value.*?)\n```", doc, re.S)
    assert m is not None
    lines = render_terminal([_latency_result()], RunRecord(seed=0), width=100)
    assert m.group(1).splitlines() == lines[:-1]
    assert "[2.5ms; 4.0ms]" in m.group(1)


def test_wide_tables_put_ids_on_their_own_line() -> None:
    first = GateResult(nodeid="tests/a/test_one.py::test_" + "x" * 60, kind="metric",
                       name="accuracy", value=0.96, threshold={"min": 0.9})
    second = GateResult(nodeid="tests/b/test_two.py::test_y", kind="metric", name="f1",
                        value=0.5, threshold={"min": 0.9}, verdict="failed")
    wide = render_terminal([first, second], RunRecord(seed=0), width=300)
    assert wide[2].split() == ["tests/b/test_two.py::test_y", "metric:f1", "0.5", "—", "min",
                               "0.9", "—", "FAILED"]  # failures first, one line per result
    narrow = render_terminal([first, second], RunRecord(seed=0), width=60)
    assert narrow[2:6] == ["tests/b/test_two.py::test_y", narrow[3], first.nodeid, narrow[5]]
    assert narrow[3].startswith("  metric:f1")
    assert render_terminal([first], RunRecord(seed=0), width=30)[2] == first.nodeid


def _report(path: Path, version: str, results: list[GateResult]) -> str:
    run = RunRecord(seed=0, models={"model": {"path": "m", "version": version}})
    path.write_text(json.dumps(build_report(run, results)))
    return str(path)


def _metric(nodeid: str, value: float, verdict: str) -> GateResult:
    return GateResult(nodeid=nodeid, kind="metric", name="accuracy", value=value,
                      threshold={"min": 0.9}, verdict=verdict)  # type: ignore[arg-type]


def test_compare_deltas_and_verdict_changes_first(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    lat_a = _latency_result()
    lat_b = GateResult(**{**lat_a.__dict__, "value": 0.0021})
    a = _report(tmp_path / "a.json", "v1", [_metric("t::stable", 0.95, "passed"), lat_a,
                                            _metric("t::regressed", 0.93, "passed")])
    b = _report(tmp_path / "b.json", "v2", [_metric("t::stable", 0.96, "passed"), lat_b,
                                            _metric("t::regressed", 0.85, "failed")])
    cmp = compare_reports([(a, json.loads(Path(a).read_text())),
                           (b, json.loads(Path(b).read_text()))])
    assert [r[0] for r in cmp.rows] == ["t::regressed", lat_a.nodeid, "t::stable"]
    assert cmp.changes == ("passed → FAILED", "", "")
    assert cmp.deltas == ("-0.08", "-900µs", "+0.01")
    term = render_compare_terminal(cmp)
    assert "Δ v2 − v1" in term
    assert "passed → FAILED" in term
    assert main(["compare", a, b, "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "1 verdict change between v1 and v2." in md
    assert "| test | gate | v1 | v2 | Δ v2 − v1 | verdict change |" in md
    assert md.index("t::regressed") < md.index("t::stable")
    assert md == render_compare_markdown(cmp)


def test_compare_new_and_gone_gates(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "v1", [_metric("t::old", 0.95, "passed")])
    b = _report(tmp_path / "b.json", "v2", [_metric("t::new", 0.95, "passed")])
    cmp = compare_reports([(p, json.loads(Path(p).read_text())) for p in (a, b)])
    assert dict(zip([r[0] for r in cmp.rows], cmp.changes, strict=True)) == {
        "t::old": "gone", "t::new": "new"}
    assert cmp.deltas == ("", "")


def test_compare_one_report_has_no_delta_column(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "v1", [_metric("t::x", 0.95, "passed")])
    cmp = compare_reports([(a, json.loads(Path(a).read_text()))])
    assert cmp.deltas == ()
    assert "Δ" not in render_compare_terminal(cmp)
