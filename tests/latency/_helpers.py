"""Functions of known cost for the harness tests (module level so a subprocess can import them)."""

from __future__ import annotations

import time

import numpy as np


def spin(seconds: float) -> None:
    """Busy-wait: a call never takes less than `seconds`, and rarely much more."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def allocate(n_bytes: int) -> int:
    """Allocate and touch `n_bytes` through numpy, then free them."""
    a = np.ones(n_bytes // 8)
    return int(a.size)
