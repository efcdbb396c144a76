"""The naive baseline as users meet it: a dummy model fails `pytest --modelgate` with both values
named; naive=False / naive_margin come from the call, the accuracy marker or the policy."""

from __future__ import annotations

import json

import pytest

DUMMY = '''
import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

rng = np.random.default_rng(0)
X = rng.normal(size=(500, 3))
y = (rng.random(500) < 0.08).astype(int)  # 92 / 8
pred = DummyClassifier(strategy="most_frequent").fit(X, y).predict(X)
'''


def test_dummy_model_fails_and_opt_outs_pass(pytester: pytest.Pytester,
                                             run_args: list[str]) -> None:
    pytester.makepyfile(DUMMY + '''

def test_dummy(gate):
    gate.metric("accuracy", y, pred, min=0.9)


def test_opt_out_in_call(gate):
    assert gate.metric("accuracy", y, pred, min=0.9, naive=False).passed


@pytest.mark.accuracy(naive=False)
def test_opt_out_in_marker(gate):
    assert gate.metric("accuracy", y, pred, min=0.9).passed


def test_opt_out_in_policy(gate):
    assert gate.metric("accuracy", y, pred, min=0.9, name="legacy").passed
''')
    pytester.makepyprojecttoml('[tool.modelgate.gates."metric:legacy"]\nnaive = false\n')
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=3, failed=1)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    dummy = next(r for r in report["results"] if r["nodeid"].endswith("::test_dummy"))
    assert dummy["verdict"] == "failed"
    assert dummy["details"]["naive"]["predictor"] == "most-frequent"
    assert dummy["details"]["naive"]["value"] == pytest.approx(0.918)
    result.stdout.fnmatch_lines([
        "*[[]FAILED[]] metric 'accuracy': accuracy = 0.918 (n=500); threshold min 0.9; naive "
        "most-frequent 0.918; margin +0 (naive check). FAILED: accuracy 0.918 does not beat the naive "
        "most-frequent predictor (0.918; always 0) on the same rows*",
    ])


def test_naive_margin_from_the_marker_and_bad_values(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DUMMY + '''
better = pred.copy()
better[np.flatnonzero(y == 1)[:10]] = 1  # 10 more rows right than always-0: +0.02


@pytest.mark.accuracy(naive_margin=0.05)
def test_margin(gate):
    gate.metric("accuracy", y, better, min=0.5)


def test_no_margin(gate):
    assert gate.metric("accuracy", y, better, min=0.9).passed


def test_bad(gate):
    gate.metric("accuracy", y, better, naive="yes")
''')
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*accuracy 0.938 does not beat the naive most-frequent predictor (0.918 + naive_margin "
        "0.05; always 0)*",
        "*ConfigError: gate.metric: naive must be True or False; got 'yes'*",
    ])
