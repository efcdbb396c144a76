"""Review #3 F7/F9: odd numbers in a report's details never crash the HTML views or the
`modelgate report` command, and the integrity range card prints datetime ranges as times."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from pytest_modelgate.cli import main
from pytest_modelgate.report import render_html
from pytest_modelgate.results import GateResult, RunRecord


def _determinism(n_disagree: object) -> GateResult:
    return GateResult(nodeid="t.py::x", kind="determinism", name="d", value=1.0,
                      threshold={"max": 0}, verdict="failed",
                      details={"checks": [{"name": "repeat", "n_rows": 10,
                                           "n_disagree": n_disagree}]})


def test_an_infinite_count_falls_back_to_the_chart_note() -> None:
    html = render_html(RunRecord(seed=0), [_determinism(math.inf)])
    assert "could not be drawn" in html


def test_a_count_given_as_text_still_renders() -> None:
    assert "could not be drawn" not in render_html(RunRecord(seed=0), [_determinism("3")])


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400"])
def test_report_command_on_a_non_finite_number_is_one_line(tmp_path: Path, number: str,
                                                           capsys: pytest.CaptureFixture[str]
                                                           ) -> None:
    doc = {"schema_version": 2, "run": {"seed": 0},
           "results": [{"nodeid": "t.py::x", "kind": "determinism", "name": "d", "value": 1.0,
                        "threshold": {"max": 0}, "verdict": "failed",
                        "details": {"checks": [{"name": "repeat", "n_rows": 10,
                                                "n_disagree": "@"}]}}]}
    path = tmp_path / "rep.json"
    path.write_text(json.dumps(doc).replace('"@"', number))
    out = tmp_path / "rep.html"
    assert main(["report", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modelgate report: error: report {path}:")
    assert err.count("\n") == 1
    assert "finite" in err
    assert not out.exists()


def _range(time: str | None, low: float, high: float) -> GateResult:
    col = {"count": 3, "share": 0.03, "low": low, "high": high, "limit": 0.01,
           "examples": [5, 6, 7]}
    if time:
        col["time"] = time
    return GateResult(nodeid="t::x", kind="integrity", name="range", value=0.03,
                      threshold={"max_out_of_range_share": 0.01}, verdict="failed",
                      unit="share", details={"columns": {"ts": col}})


def test_a_datetime_range_prints_as_utc_timestamps() -> None:
    pd = pytest.importorskip("pandas", reason="needs the pandas extra: "
                             "pip install 'pytest-modelgate[pandas]'")
    low = pd.Timestamp("2024-01-01").value
    high = pd.Timestamp("2024-02-11T06:30").value
    html = render_html(RunRecord(seed=0), [_range("stamp", float(low), float(high))])
    assert "outside [2024-01-01T00:00:00; 2024-02-11T06:30:00]" in html
    assert "1.7e18" not in html


def test_a_timedelta_range_prints_as_durations() -> None:
    pd = pytest.importorskip("pandas", reason="needs the pandas extra: "
                             "pip install 'pytest-modelgate[pandas]'")
    day = pd.Timedelta(days=1).value
    html = render_html(RunRecord(seed=0), [_range("delta", 0.0, float(3 * day))])
    assert "outside [0 days 00:00:00; 3 days 00:00:00]" in html


def test_a_numeric_range_is_unchanged() -> None:
    html = render_html(RunRecord(seed=0), [_range(None, 0.5, 12.25)])
    assert "outside [0.50; 12.25]" in html  # one interval format: [lo; hi], shared decimals


def test_a_datetime_range_renders_where_pandas_is_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    """`modelgate report` may rebuild a report on a machine without pandas (the minimal
    install): the range ends fall back to the standard library's ISO forms."""
    from pytest_modelgate.gates.integrity import _when

    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` raises ImportError
    day = 86_400 * 10**9
    assert _when(19_723 * day, False) == "2024-01-01T00:00:00"
    assert _when(3 * day, True) == "3 days, 0:00:00"
