"""`--modelgate-html` from a real pytest run, and `modelgate report REPORT.json -o report.html`
rebuilding the same file byte for byte from the JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_modelgate.cli import main

GATES = '''
import numpy as np
import pytest


def test_classifier(gate):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 400)
    pred = np.where(rng.random(400) < 0.8, y, rng.integers(0, 3, 400))
    gate.metric("accuracy", y, pred, min=0.9, confidence=0.95)
    gate.metric("f1_macro", y, pred, min=0.5, slices=np.where(y == 0, "a", "b"))


def test_drift(gate):
    rng = np.random.default_rng(1)
    ref = rng.normal(size=(1500, 4))
    cur = rng.normal(size=(1500, 4))
    cur[:, 0] += 1.0
    gate.drift(ref, cur, max_share=0.5)


def test_latency(gate):
    x = np.random.default_rng(2).random(20_000)
    gate.latency(np.sort, x, p50="50ms", p95="100ms",
                 gate_options={"max_time": 0.3, "min_time": 0.05, "extend_time": 0.0,
                               "inconclusive": "warn"})  # a loaded CI machine may not decide
'''


@pytest.mark.parametrize("xdist", [False, True], ids=["serial", "xdist"])
def test_cli_rebuilds_the_plugins_html_byte_for_byte(pytester: pytest.Pytester,
                                                     xdist: bool) -> None:
    if xdist:
        pytest.importorskip("xdist")
    pytester.makepyfile(GATES)
    args = ["--modelgate", "--modelgate-html=out/report.html", "-p", "no:cacheprovider"]
    res = pytester.runpytest_subprocess(*args, *(["-n", "2"] if xdist else []))
    res.assert_outcomes(passed=2, failed=1)  # the accuracy gate fails: 0.865 < 0.9
    written = (pytester.path / "out/report.html").read_bytes()
    rebuilt = pytester.path / "rebuilt.html"
    assert main(["report", str(pytester.path / "modelgate-report.json"), "-o",
                 str(rebuilt)]) == 0
    assert rebuilt.read_bytes() == written
    html = written.decode()
    for chart in ("forest", "confusion", "bars", "dist", "ecdf"):
        assert f'class="chart {chart}"' in html, chart
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    kinds = {r["kind"]: r["details"] for r in report["results"]}
    assert "sketch" in kinds["latency"]
    assert "distributions" in kinds["drift"]
    assert html.index("FAILED") < html.index('class="card passed')  # failures first


def test_report_command_errors_are_one_line(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["report", str(bad), "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"modelgate report: error: report {bad}: not valid JSON")
    assert err.count("\n") == 1
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"schema_version": 2, "run": {"seed": 0}, "results": []}))
    target = good / "x.html"  # under a file: cannot be created
    assert main(["report", str(good), "-o", str(target)]) == 2
    assert "cannot write it" in capsys.readouterr().err
    assert not target.exists()
