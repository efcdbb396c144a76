"""Engine gates through real pytest runs: drift (with a custom test registered by hook)."""

from __future__ import annotations

import json

import pytest


def test_drift_gate_and_custom_drift_test(pytester: pytest.Pytester, run_args: list[str]) -> None:
    pytester.makeconftest(
        '''
import numpy as np

def pytest_modelgate_register_drift_tests(register):
    def mean_shift(reference, current):
        return abs(float(np.mean(current)) - float(np.mean(reference)))
    register("mean_shift", mean_shift, p_value=False, threshold=0.5)
'''
    )
    pytester.makepyfile(
        '''
import numpy as np
import pytest

rng = np.random.default_rng(1)
ref = rng.normal(size=(3000, 3))
same = rng.normal(size=(3000, 3))
moved = same + np.array([0.0, 0.0, 1.0])


@pytest.mark.drift(max_share=0.0)
def test_same(gate):
    gate.drift(ref, same)


@pytest.mark.drift(max_share=0.0)
def test_moved(gate):
    gate.drift(ref, moved)


def test_custom(gate):
    r = gate.drift(ref, moved, method="mean_shift", max_share=0.5)
    drifted = [name for name, col in r.details["columns"].items() if col["drifted"]]
    assert drifted == ["2"]
    assert r.details["columns"]["2"]["test"] == "mean_shift"
'''
    )
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_moved*", "*drift 'dataset'*2*"])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    kinds = {(r["nodeid"].split("::")[1], r["verdict"]) for r in report["results"]}
    assert kinds == {("test_same", "passed"), ("test_moved", "failed"), ("test_custom", "passed")}
