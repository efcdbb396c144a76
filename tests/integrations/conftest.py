"""Shared by the result-sink integration tests (Prometheus, MLflow): the small gate suite each
sink is run on. Imports no optional package: the tests that need one skip without it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

#: two metric gates on 400 rows: test_accuracy passes (0.95 vs min 0.9), test_too_strict fails
SINK_GATES = '''
import numpy as np


def test_accuracy(gate):
    y = np.array([0, 1] * 200)
    pred = y.copy()
    pred[:20] = 1 - pred[:20]  # accuracy 0.95
    gate.metric("accuracy", y, pred, min=0.9, confidence=0.95)
'''

_TOO_STRICT = '''

def test_too_strict(gate):
    y = np.array([0, 1] * 200)
    gate.metric("accuracy", y, y[::-1], min=0.99)
'''


@pytest.fixture
def sink_gates(pytester: pytest.Pytester) -> Callable[..., Path]:
    """`sink_gates(extra="", failing=True)` writes `test_gates.py` into the pytester directory:
    the passing `test_accuracy`, the failing `test_too_strict` unless `failing=False`, then
    `extra` (more gate tests)."""

    def write(extra: str = "", *, failing: bool = True) -> Path:
        return pytester.makepyfile(test_gates=SINK_GATES + (_TOO_STRICT if failing else "")
                                   + extra)

    return write
