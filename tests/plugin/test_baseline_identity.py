"""Baseline identity: entries keyed by (gate kind, name); duplicate names in one test refused."""

from __future__ import annotations

import json

import pytest

DATA = '''
import numpy as np

rng = np.random.default_rng(0)
y_true = rng.integers(0, 2, 2000)
flip = rng.random(2000)
def predictions(acc):
    return np.where(flip < acc, y_true, 1 - y_true)
'''


def _results(pytester: pytest.Pytester) -> list[dict]:  # type: ignore[type-arg]
    return list(json.loads((pytester.path / "modelgate-report.json").read_text())["results"])


def test_metric_and_compare_of_one_metric_do_not_share_a_baseline(
        pytester: pytest.Pytester) -> None:
    test = DATA + '''
def test_model(gate):
    gate.metric("accuracy", y_true, predictions(ACC), max_drop=0.02)
    gate.compare("accuracy", y_true, predictions(ACC), predictions(0.5), max_drop=0.01)
'''
    pytester.makepyfile(test_ids=test.replace("ACC", "0.95"))
    pytester.runpytest("--modelgate", "--modelgate-update-baseline").assert_outcomes(passed=1)
    stored = json.loads((pytester.path / ".modelgate/baseline.json").read_text())["gates"]
    entries = stored["test_ids.py::test_model"]
    assert 0.94 < entries["metric:accuracy"]["value"] < 0.96
    assert entries["compare:accuracy"]["value"] > 0.4

    # accuracy falls 0.95 -> 0.60: the metric gate must compare with 0.95, not the stored delta
    pytester.makepyfile(test_ids=test.replace("ACC", "0.60"))
    pytester.runpytest("--modelgate").assert_outcomes(failed=1)
    metric = next(r for r in _results(pytester) if r["kind"] == "metric")
    assert metric["verdict"] == "failed"
    assert metric["threshold"]["baseline_value"] == pytest.approx(
        entries["metric:accuracy"]["value"])


def test_duplicate_gate_names_in_one_test_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_dup=DATA + '''
def test_twice(gate):
    gate.metric("accuracy", y_true, predictions(0.9), min=0.5)
    gate.metric("accuracy", y_true, predictions(0.8), min=0.5)
''')
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*metric gate 'accuracy' recorded twice in test_dup.py::test_twice*"
        "test_dup.py:10*test_dup.py:11*name=*"])
    assert "INTERNALERROR" not in result.stdout.str()


def test_name_keyword_tells_gates_apart(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_named=DATA + '''
def test_two_sets(gate):
    a = gate.metric("accuracy", y_true, predictions(0.9), min=0.5, name="accuracy_holdout")
    b = gate.metric("accuracy", y_true[:1000], predictions(0.9)[:1000], min=0.5, max_drop=0.1,
                    name="accuracy_recent")
    c = gate.compare("accuracy", y_true, predictions(0.9), predictions(0.5), max_drop=0.01,
                     name="vs_champion")
    assert (a.name, b.name, c.name) == ("accuracy_holdout", "accuracy_recent", "vs_champion")
    assert a.details["metric"] == "accuracy"
''')
    pytester.runpytest("--modelgate", "--modelgate-update-baseline").assert_outcomes(passed=1)
    stored = json.loads((pytester.path / ".modelgate/baseline.json").read_text())
    assert set(stored["gates"]["test_named.py::test_two_sets"]) == {
        "metric:accuracy_holdout", "metric:accuracy_recent", "compare:vs_champion"}
    # the next run finds the named entry (no "no stored baseline" note)
    pytester.runpytest("--modelgate").assert_outcomes(passed=1)
    recent = next(r for r in _results(pytester) if r["name"] == "accuracy_recent")
    assert recent["details"]["baseline"]["status"] == "compared"
