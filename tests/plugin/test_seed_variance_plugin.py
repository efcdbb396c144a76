"""gate.seed_variance, @pytest.mark.modelgate(seeds=...) and the modelgate_seeds fixture in real
pytest runs, in one process and under xdist (all seeds of a gate run inside its one test)."""

from __future__ import annotations

import json

import pytest

SUITE = '''
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

X, y = make_classification(n_samples=300, n_features=6, random_state=0)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)


@pytest.fixture
def train_and_predict():
    """The user's own training fixture: one model per seed, scored on the held-out rows."""
    def run(seed):
        model = RandomForestClassifier(n_estimators=10, random_state=seed).fit(X_tr, y_tr)
        return y_te, model.predict(X_te)
    return run


@pytest.mark.modelgate(seeds=4)
def test_stable_over_seeds(gate, train_and_predict, modelgate_seeds):
    assert modelgate_seeds == (7, 8, 9, 10)
    r = gate.seed_variance(train_and_predict, metric="accuracy", min=0.6)
    assert r.details["seeds"] == [7, 8, 9, 10]


@pytest.mark.modelgate(seeds=3)
def test_worst_seed_too_low(gate, train_and_predict):
    gate.seed_variance(train_and_predict, metric="accuracy", min=0.99, aggregate="worst")


def test_policy_sets_the_seeds(gate, modelgate_seeds):
    r = gate.seed_variance(lambda s: 0.5 + 0.01 * s, name="from-policy", min=0.4)
    assert r.details["seeds"] == list(modelgate_seeds) == [7, 8]

'''

PYPROJECT = '''
[tool.modelgate.tests."test_seeds.py::test_policy_sets_the_seeds".seed_variance]
seeds = 2
'''


def test_seed_variance_run(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makepyprojecttoml(PYPROJECT)
    pytester.makepyfile(test_seeds=SUITE)
    result = pytester.runpytest_subprocess("--modelgate", "--modelgate-seed", "7", *run_args)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*[[]FAILED[]] seed_variance 'accuracy': worst seed *: accuracy * of 3 seeds (mean *, "
        "sd *) vs min 0.99, margin -*; seeds 7: *, 8: *, 9: *",
    ])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    by = {r["nodeid"].split("::")[1]: r for r in report["results"]}
    stable = by["test_stable_over_seeds"]
    assert stable["kind"] == "seed_variance"
    assert stable["method"] == "student-t"
    assert stable["verdict"] == "passed"
    assert len(stable["details"]["values"]) == 4
    assert stable["ci"][0] <= stable["value"] <= stable["ci"][1]
    assert by["test_worst_seed_too_low"]["verdict"] == "failed"
    assert by["test_policy_sets_the_seeds"]["details"]["seeds"] == [7, 8]


def test_marker_keyword_is_checked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import pytest

@pytest.mark.modelgate(seeds=1)
def test_it(gate):
    pass
''')
    result = pytester.runpytest("--modelgate")
    # a bad marker argument errors its own test only (the other gates still run)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.modelgate on test_marker_keyword_is_checked.py"
                                 "::test_it: seeds must be an integer in [[]2, 1000[]] or a list of "
                                 "at least 2 distinct integers; got 1"])


def test_markers_document_seeds(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.modelgate(seeds=5): a model gate test;*"])


def test_error_in_evaluate_is_an_error_result_of_the_gate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
def test_it(gate):
    def evaluate(seed):
        if seed == 2:
            raise RuntimeError("training diverged")
        return 0.9
    gate.seed_variance(evaluate, metric="accuracy", min=0.5)
''')
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(failed=1)
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    (r,) = report["results"]
    assert (r["kind"], r["name"], r["verdict"]) == ("seed_variance", "accuracy", "error")
    assert r["message"] == ("SeedEvaluationError: evaluate(seed=2) raised RuntimeError: "
                            "training diverged")
