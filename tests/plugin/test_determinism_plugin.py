"""gate.determinism through real pytest runs (in one process and under xdist)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pandas", reason="needs the pandas extra: pip install 'pytest-modelgate[pandas]'")

SUITE = '''
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = make_classification(n_samples=50, n_features=4, random_state=0)
frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
good = make_pipeline(StandardScaler(), LogisticRegression()).fit(frame, y)


class BatchScaledService:
    """Serving wrapper with the bug: standardises with the batch's own mean and std."""

    model = LogisticRegression().fit((X - X.mean(0)) / X.std(0), y)

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        sd = X.std(axis=0)
        sd[sd == 0] = 1.0
        return self.model.predict((X - X.mean(axis=0)) / sd)


bad = BatchScaledService()


def test_pipeline_is_consistent(gate):
    gate.determinism(good, frame)


def test_serving_wrapper(gate):
    gate.determinism(bad, X)


def test_the_bug_passes_the_other_gates(gate):
    gate.metric("accuracy", y, bad.predict(X), min=0.8)
    gate.robustness(bad, X, noise=0.01, max_flip_rate=0.2)
    gate.input_validation(bad, X[:5], cases=["empty_batch"])


def test_policy_limits_the_checks(gate):
    gate.determinism(bad, X, name="no-single")
'''

PYPROJECT = '''
[tool.modelgate.gates."determinism:no-single"]
checks = ["repeat", "row_order", "dtype"]
max_rows = 10
'''


def test_determinism_gate_run(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makepyprojecttoml(PYPROJECT)
    pytester.makepyfile(test_det=SUITE)
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*[[]FAILED[]] determinism 'determinism': predict() on 50 rows: 1 of 4 consistency "
        "checks failed, worst batch_vs_single with */50 rows vs max 0*",
    ])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    by = {(r["nodeid"].split("::")[1], r["kind"], r["name"]): r for r in report["results"]}
    bad = by[("test_serving_wrapper", "determinism", "determinism")]
    assert bad["verdict"] == "failed"
    assert bad["outcome"] == "failed"
    single = next(c for c in bad["details"]["checks"] if c["name"] == "batch_vs_single")
    assert single["n_disagree"] == bad["value"] > 0
    assert len(single["rows"]) == 5
    assert by[("test_pipeline_is_consistent", "determinism", "determinism")]["verdict"] == \
        "passed"
    others = [r for (test, _, _), r in by.items() if test == "test_the_bug_passes_the_other_gates"]
    assert {r["kind"] for r in others} == {"metric", "robustness", "input_validation"}
    assert all(r["verdict"] == "passed" for r in others)
    limited = by[("test_policy_limits_the_checks", "determinism", "no-single")]
    assert [c["name"] for c in limited["details"]["checks"]] == ["repeat", "row_order", "dtype"]
    assert limited["verdict"] == "passed"


def test_bad_keyword_is_one_line_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
def test_it(gate):
    gate.determinism(lambda X: X, [[1.0], [2.0]], checks=["repeat", "nope"])
''')
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ConfigError: gate.determinism: checks must be a list of "
                                 "'repeat', 'batch_vs_single', 'row_order', 'dtype' or one of*"])
    assert "INTERNALERROR" not in result.stdout.str()
