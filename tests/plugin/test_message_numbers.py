"""Issue #12 item 2: gate and engine messages format numbers as the report views do: no
"1.012e+05" for a regression metric near 1e5, a large throughput or memory budget."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

SUITE = '''
import numpy as np
import pytest

rng = np.random.default_rng(0)
N = 300
Y = rng.normal(101_234.5, 20_000.0, N)
PRED = Y + rng.normal(0, 15_000.0, N)
X = np.column_stack([rng.uniform(50_000, 250_000, N), rng.uniform(0, 1, N)])


def test_regression_metric(gate):
    gate.metric("mae", Y, PRED, max=5_000.0, confidence=0.95)


def test_regression_metric_vs_naive(gate):
    gate.metric("mae", Y, Y.mean() + 0 * PRED, max=1e6, naive=True)


def test_regression_compare(gate):
    gate.compare("mae", Y, PRED, PRED + 3_000.0, max_drop=100.0)


def test_weak_slices(gate):
    err = (np.abs(Y - PRED) > 12_000).astype(int)
    gate.weak_slices(X, np.zeros(N, dtype=int), err, metric="accuracy", max_gap=0.01)


def test_seed_variance(gate):
    gate.seed_variance(lambda s: 101_234.5 + 1_000.0 * s, seeds=5, max=99_000.0)


def test_throughput(gate):
    gate.latency(lambda: None, throughput=1e15, rows=123_456)


def test_memory(gate):
    gate.memory(lambda: bytearray(3_000_000), max_bytes=1_000_000)


def test_drift_large_values(gate):
    gate.drift(X, X + np.array([80_000.0, 0.0]), method="wasserstein")
'''

E_PLUS = re.compile(r"\de\+\d")


def _strings(obj: Any) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in _strings(v)]
    return []


def test_no_scientific_notation_in_messages_of_large_values(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)
    run = pytester.runpytest("--modelgate", "-p", "no:randomly")
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    results = report["results"]
    assert len(results) >= 8, [r["nodeid"] for r in results]
    assert {r["verdict"] for r in results} >= {"failed"}, results
    bad = [(r["nodeid"], s) for r in results for s in _strings({"m": r["message"],
                                                                 "d": r["details"]})
           if E_PLUS.search(s)]
    assert not bad, bad
    out = run.stdout.str()
    assert not E_PLUS.search(out), [ln for ln in out.splitlines() if E_PLUS.search(ln)]
    mae = next(r for r in results if r["nodeid"].endswith("test_regression_metric"))
    assert re.search(r"\d{1,3}(,\d{3})+", mae["message"]), mae["message"]


INTERVAL_SUITE = '''
import numpy as np
import pytest

rng = np.random.default_rng(0)
N = 400
Y = rng.normal(101_234.5, 20_000.0, N)
PRED = Y + rng.normal(0, 15_000.0, N)


def test_regression_ci(gate):
    gate.metric("mae", Y, PRED, max=5_000.0, confidence=0.95)


def test_regression_compare(gate):
    gate.compare("mae", Y, PRED, PRED + 3_000.0, max_drop=100.0)


def test_integrity_range(gate):
    r = np.random.default_rng(7)
    train = np.column_stack([np.round(r.lognormal(10.5, 0.6, 2000), 1),
                             r.uniform(0, 1, 2000)])
    test = np.column_stack([np.round(r.lognormal(10.5, 0.6, 500), 1) * 3.0,
                            r.uniform(0, 1, 500)])
    gate.integrity(train, test)


def test_memory_budget(gate):
    gate.memory(lambda: bytearray(3_000_000), max_bytes=1_000_000)


def test_latency_budget(gate):
    gate.latency(lambda: sum(range(3000)), p95=1e-9, rows=123_456)
'''

#: a comma-grouped number followed by ", <digit>" inside brackets: "[10,612, 12,545]"
AMBIGUOUS = re.compile(r"\[[^\]\[]*\d,\d{3}, [-+]?\d")
#: a bracket holding an ungrouped 4+ digit number and a grouped one: "[4527; 375,998]"
MIXED = re.compile(r"\[[^\]\[]*(?<![\d,.])\d{4,}(?![\d,])[^\]\[]*\d,\d{3}[^\]\[]*\]"
                   r"|\[[^\]\[]*\d,\d{3}[^\]\[]*(?<![\d,.])\d{4,}(?![\d,])[^\]\[]*\]")
#: an interval of numbers still written "[a, b]" rather than the shared "[a; b]"
OLD_STYLE = re.compile(r"(CI|interval|outside) \[[-+]?[\d.,]+\w*, [-+]?\d")


def _bad_intervals(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if AMBIGUOUS.search(line) or MIXED.search(line) or OLD_STYLE.search(line)]


def test_intervals_of_large_values_read_unambiguously(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(INTERVAL_SUITE)
    run = pytester.runpytest("--modelgate", "-p", "no:randomly", "--modelgate-markdown",
                             "gates.md", "--modelgate-html", "gates.html")
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    results = report["results"]
    messages = [r["message"] for r in results if r["verdict"] != "passed"]
    assert any("outside [" in m for m in messages), messages
    assert any("CI [" in m for m in messages), messages
    texts = {"messages": "\n".join(r["message"] for r in results),
             "terminal": run.stdout.str(),
             "markdown": (pytester.path / "gates.md").read_text(encoding="utf-8"),
             "html": re.sub(r"<[^>]+>", " ", (pytester.path / "gates.html").read_text(
                 encoding="utf-8"))}
    bad = {where: _bad_intervals(text) for where, text in texts.items()}
    assert not any(bad.values()), bad
    rng = next(m for m in messages if "outside [" in m)
    assert re.search(r"outside \[\d{1,3}(,\d{3})*; \d{1,3}(,\d{3})+\]", rng), rng


def test_integers_in_messages_are_grouped_like_floats(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(INTERVAL_SUITE)
    pytester.runpytest("--modelgate", "-p", "no:randomly", "-k", "latency or integrity")
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    text = "\n".join(r["message"] for r in report["results"])
    ungrouped = re.findall(r"(?<![\d,.\[\w])\d{4,}(?![\d,.]) (?:samples|rows|test rows|calls)", text)
    assert not ungrouped, ungrouped
