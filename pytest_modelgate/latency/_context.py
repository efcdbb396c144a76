"""The context a timing depends on: thread settings, CPU count, versions, timer, load, tracing."""

from __future__ import annotations

import os
import platform
import sys
import time
from functools import lru_cache
from typing import Any

__all__ = ["CLOCKS", "THREAD_ENV_VARS", "collect_context", "timer_info"]

THREAD_ENV_VARS = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


#: the clocks a sample can be read from: wall time (what a user waits) or the process's CPU time
CLOCKS = {"wall": time.perf_counter_ns, "cpu": time.process_time_ns}


@lru_cache(maxsize=4)
def timer_info(clock: str = "wall") -> dict[str, float]:
    """Effective resolution (smallest positive step between two readings) and per-reading cost.

    Measured once per process and clock, as pytest-benchmark does: the declared resolution of
    ``perf_counter_ns`` is 1 ns on Linux, but two back-to-back readings never differ by less
    than the cost of one reading, which is what limits single-call timing.
    """
    pc = CLOCKS[clock]
    deltas: list[int] = []
    for _ in range(2000):
        a = pc()
        b = pc()
        deltas.append(b - a)
    positive = sorted(d for d in deltas if d > 0)
    if not positive:  # a coarse clock: step until it ticks
        a = pc()
        b = pc()
        while b == a:
            b = pc()
        positive = [b - a]
    resolution_ns = positive[0]
    median_ns = positive[len(positive) // 2]
    declared = time.get_clock_info("perf_counter" if clock == "wall" else "process_time")
    return {
        "resolution": resolution_ns * 1e-9,
        "overhead": median_ns * 1e-9,
        "declared_resolution": float(declared.resolution),
    }


@lru_cache(maxsize=1)
def _static_context() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
    }
    try:
        info["cpu_affinity"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        info["cpu_affinity"] = None
    try:
        import numpy

        info["numpy"] = numpy.__version__
    except ImportError:  # pragma: no cover - numpy is a dependency
        info["numpy"] = None
    info["timer"] = {"clock": "perf_counter_ns", **timer_info("wall")}
    info["cpu_timer"] = {"clock": "process_time_ns", **timer_info("cpu")}
    return info


def _threadpools() -> list[dict[str, Any]] | None:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    pools = []
    for pool in threadpool_info():
        pools.append({
            "user_api": str(pool.get("user_api")),
            "internal_api": str(pool.get("internal_api")),
            "num_threads": int(pool.get("num_threads", 0)),
            "version": str(pool.get("version")),
        })
    return pools


def collect_context() -> dict[str, Any]:
    """Plain-typed description of the machine state a latency figure depends on.

    Static facts are computed once; thread env vars, threadpools, load average and whether a
    tracer (coverage, debugger) is active are read on every call because they can change.
    """
    env = {name: os.environ.get(name) for name in THREAD_ENV_VARS}
    out: dict[str, Any] = dict(_static_context())
    out["thread_env"] = env
    out["threadpools"] = _threadpools()
    try:
        out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except (AttributeError, OSError):
        out["load_average"] = None
    out["tracing"] = sys.gettrace() is not None
    out["xdist_worker"] = os.environ.get("PYTEST_XDIST_WORKER")
    warnings: list[str] = []
    unset = [k for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") if not env[k]]
    if unset:
        warnings.append(
            f"thread settings not pinned ({', '.join(unset)} unset): BLAS/OpenMP may start one "
            "thread per core and timings then depend on what else runs; set them to 1 for "
            "single-row latency"
        )
    if out["tracing"]:
        warnings.append("a tracer (coverage or a debugger) is active; it is suspended while sampling")
    out["warnings"] = warnings
    return out
