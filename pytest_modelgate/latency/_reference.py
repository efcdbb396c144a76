"""A fixed reference workload: the in-process yardstick for machine-speed normalisation.

Timing it interleaved with the model gives ``machine_factor = reference median now /
reference median where the budget was set``; absolute budgets scaled by that factor survive a
slower or busier runner (the research note's A.8 illustration: the ratio of a model's p50 to
the reference varied 1.2× across loaded/idle runs where the absolute p50 varied 1.7×).
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from pytest_modelgate.exceptions import ConfigError

__all__ = ["FACTOR_CLAMP", "calibrate", "machine_factor", "reference_workload"]

#: the factor is clamped so a pathological measurement cannot stretch a budget without bound
FACTOR_CLAMP = (0.5, 3.0)

_MATRIX = np.linspace(-1.0, 1.0, 64 * 64).reshape(64, 64)
_PAYLOAD = bytes(range(256)) * 16


def reference_workload() -> float:
    """About 0.1–0.3 ms of mixed work: a Python loop, hashing, a small numpy matmul."""
    acc = 0
    for i in range(1500):
        acc += i * i % 7
    digest = hashlib.sha256(_PAYLOAD).digest()
    m = _MATRIX @ _MATRIX
    return float(acc + digest[0] + m[0, 0])


def calibrate(max_time: float = 2.0) -> float:
    """Median seconds of the reference workload on this machine (record it with the budgets)."""
    from ._harness import measure

    return measure(reference_workload, min_samples=400, max_time=max_time).p50


def machine_factor(reference_now: float, reference_time: float) -> tuple[float, bool]:
    """(factor, clamped): how much slower this machine is than where the budget was set."""
    if not (reference_time > 0 and math.isfinite(reference_time)):
        raise ConfigError(
            f"reference_time: expected the reference workload's median in seconds on the machine "
            f"where the budgets were set (see pytest_modelgate.latency.calibrate()), got {reference_time!r}"
        )
    raw = reference_now / reference_time
    low, high = FACTOR_CLAMP
    factor = min(max(raw, low), high)
    return factor, factor != raw
