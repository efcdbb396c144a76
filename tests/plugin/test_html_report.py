"""`--modelgate-html` from a real pytest run, and `modelgate report REPORT.json -o report.html`
rebuilding the same file byte for byte from the JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pytest_modelgate.cli import main
from pytest_modelgate.report._format import format_number

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


def test_integrity(gate):
    rng = np.random.default_rng(3)
    X_train, X_test = rng.normal(size=(200, 3)), rng.normal(size=(80, 3))
    X_test[:4] = X_train[:4]  # copied across the split
    gate.integrity(X_train, X_test, checks=["duplicates", "schema", "range"])


def test_determinism(gate):
    X = np.random.default_rng(4).normal(size=(30, 2))
    gate.determinism(lambda X: (np.asarray(X)[:, 0] > np.asarray(X)[:, 0].mean()).astype(int),
                     X, checks=["repeat", "batch_vs_single"])


def test_fairness(gate):
    rng = np.random.default_rng(5)
    group = rng.choice(np.array(["a", "b"]), 600)
    pred = (rng.random(600) < np.where(group == "b", 0.2, 0.6)).astype(int)
    gate.fairness(rng.integers(0, 2, 600), pred, sensitive=group, max_gap=0.1, n_resamples=200)


def test_seed_variance(gate):
    gate.seed_variance(lambda s: 0.8 + 0.01 * s, seeds=[0, 1, 2, 3], min=0.9)
'''


@pytest.mark.parametrize("xdist", [False, True], ids=["serial", "xdist"])
def test_cli_rebuilds_the_plugins_html_byte_for_byte(pytester: pytest.Pytester,
                                                     xdist: bool) -> None:
    if xdist:
        pytest.importorskip("xdist")
    pytester.makepyfile(GATES)
    args = ["--modelgate", "--modelgate-html=out/report.html", "-p", "no:cacheprovider"]
    res = pytester.runpytest_subprocess(*args, *(["-n", "2"] if xdist else []))
    res.assert_outcomes(passed=2, failed=5)  # accuracy 0.865 < 0.9 and the four newer gates
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
    _newer_gates_are_drawn(html, report)


def _card(html: str, title: str) -> str:
    found = re.findall(r'<article class="card.*?</article>', html)
    return next(c for c in found if f"</span>{title}</h2>" in c)


def _newer_gates_are_drawn(html: str, report: dict[str, Any]) -> None:
    """Each newer gate's card carries its own view with the numbers of its JSON details."""
    by = {(r["kind"], r["name"]): r for r in report["results"]}
    dup = by["integrity", "duplicates"]
    assert dup["verdict"] == "failed"
    assert dup["details"]["examples"] == [0, 1, 2, 3]
    card = _card(html, "integrity:duplicates")
    assert "the 3 checks of this integrity gate" in card
    assert "4 test rows: 0, 1, 2, 3<" in card
    assert card.count('class="chart spark"') == 3
    det = by["determinism", "determinism"]
    k = next(c["n_disagree"] for c in det["details"]["checks"] if c["name"] == "batch_vs_single")
    assert det["value"] == k > 0
    assert f"failed</span> {k} ({100 * k / 30:.3g}%)" in _card(html, "determinism:determinism")
    fair = by["fairness", "demographic_parity_difference"]
    card = _card(html, "fairness:demographic_parity_difference")
    assert 'class="chart groups"' in card
    for g in fair["details"]["groups"]:
        assert f">{format_number(g['value'])} n={format_number(g['n'])}<" in card
    seeds = by["seed_variance", "seed_variance"]
    card = _card(html, "seed_variance:seed_variance")
    assert seeds["details"]["values"] == pytest.approx([0.8, 0.81, 0.82, 0.83])
    for s, v in zip(seeds["details"]["seeds"], seeds["details"]["values"], strict=True):
        assert f"<title>seed {s}: {format_number(v)}</title>" in card


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
