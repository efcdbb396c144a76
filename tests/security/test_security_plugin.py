"""The security gates through a real `pytest --modelgate` run (subprocess): artifact with a lock,
robustness with a marker default, and a malicious artifact failing with its finding."""

from __future__ import annotations

import json

import pytest


def test_security_gates_in_a_real_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        r'''
import pickle
import struct

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from pytest_modelgate.security import write_lock

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 4))
y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
model = LogisticRegression().fit(X, y)


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    (tmp_path / "modelgate.lock").write_text(write_lock([path]))
    return path


@pytest.mark.security(max_flip_rate=0.2)
def test_ship(gate, saved):
    gate.artifact(saved, lock=saved.parent / "modelgate.lock")
    gate.robustness(model, X[:100], noise=0.02, increasing=[0])
    gate.input_validation(model, X[:10])
    gate.membership(model, (X[:150], y[:150]), (X[150:], y[150:]), max_advantage=0.5)


def test_evil(gate, tmp_path):
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(b"\x80\x04\x8c\x02os\x8c\x06system\x93\x8c\x04echo\x85R.")
    gate.artifact(evil)
'''
    )
    result = pytester.runpytest_subprocess("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*artifact 'evil.pkl'*STACK_GLOBAL os.system*"])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    got = {(r["nodeid"].split("::")[1], r["kind"], r["verdict"]) for r in report["results"]}
    assert got == {
        ("test_ship", "artifact", "passed"),
        ("test_ship", "robustness", "passed"),
        ("test_ship", "input_validation", "passed"),
        ("test_ship", "membership", "passed"),
        ("test_evil", "artifact", "failed"),
    }
    robust = next(r for r in report["results"] if r["kind"] == "robustness")
    assert robust["threshold"]["max_flip_rate"] == 0.2  # from the marker
    assert robust["ci"] is not None
