"""Latency and memory engine: timing harness, quantile confidence bounds, relative timing, memory.

Never imports pytest. Public entry points: `measure` (percentiles with bounds), `compare`
(candidate vs baseline interleaved, CI on the quantile ratio), `peak_memory` (tracemalloc),
`peak_rss` (subprocess high-water), `artifact_size`, and the quantile functions usable without
any timing (`quantile`, `quantile_ci`, `quantile_ci_ranks`, `quantile_coverage`).
"""

from __future__ import annotations

from ._compare import RatioResult, compare, ratio_ci
from ._context import THREAD_ENV_VARS, collect_context, timer_info
from ._harness import DEFAULT_MIN_SAMPLES, LatencyResult, Warmup, measure
from ._memory import MemoryResult, artifact_size, peak_memory, peak_rss
from ._quantiles import (
    QuantileEstimate,
    min_samples_for,
    parse_quantile,
    quantile,
    quantile_ci,
    quantile_ci_ranks,
    quantile_coverage,
)
from ._reference import calibrate, machine_factor, reference_workload

__all__ = [
    "DEFAULT_MIN_SAMPLES",
    "THREAD_ENV_VARS",
    "LatencyResult",
    "MemoryResult",
    "QuantileEstimate",
    "RatioResult",
    "Warmup",
    "artifact_size",
    "calibrate",
    "collect_context",
    "compare",
    "machine_factor",
    "measure",
    "min_samples_for",
    "parse_quantile",
    "peak_memory",
    "peak_rss",
    "quantile",
    "quantile_ci",
    "quantile_ci_ranks",
    "quantile_coverage",
    "ratio_ci",
    "reference_workload",
    "timer_info",
]
