"""Quantiles and distribution-free confidence bounds from order statistics (no timing involved).

For n i.i.d. draws of a continuous distribution the number of draws below the true p-quantile is
Binomial(n, p), so the r-th order statistic X_(r) is above the quantile with probability
``BinomCDF(r - 1; n, p)``. Picking ranks from that CDF gives intervals whose coverage is at least
the stated confidence for *every* distribution (asv's ``quantile_ci`` uses the same idea for
the median). For discrete data (timer ticks) the bounds stay valid, only more conservative.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import stats

from pytest_modelgate._params import CONFIDENCE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = [
    "QuantileEstimate",
    "min_samples_for",
    "parse_quantile",
    "quantile",
    "quantile_ci",
    "quantile_ci_ranks",
    "quantile_coverage",
]


def parse_quantile(q: object, arg: str = "quantile") -> float:
    """A quantile level in (0, 1) from 0.95, 95 or "p95"; names the argument when it cannot."""
    value: float
    if isinstance(q, str):
        text = q.strip().lower()
        if text in ("median", "p50"):
            return 0.5
        body = text[1:] if text.startswith("p") else text
        try:
            value = float(body)
        except ValueError:
            raise ConfigError(
                f"{arg}: cannot read {q!r} as a quantile; write 'p95', 95 or 0.95"
            ) from None
        if text.startswith("p") or value > 1:
            value /= 100.0
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        value = float(q)
        if value > 1:  # 95 means the 95th percentile; exactly 1 is ambiguous and refused
            value /= 100.0
    else:
        raise ConfigError(f"{arg}: expected a quantile such as 'p95' or 0.95, got {q!r}")
    if not (0.0 < value < 1.0) or math.isnan(value):
        raise ConfigError(f"{arg}: a quantile must lie strictly between 0 and 1 (or 0 and 100), got {q!r}")
    return value


def _check_confidence(confidence: float) -> float:
    return float(check_param(confidence, "confidence", CONFIDENCE))


def _as_sorted(samples: Any, arg: str = "samples") -> np.ndarray:
    x = np.asarray(samples, dtype=float).ravel()
    if x.size == 0:
        raise InputError(f"{arg}: empty; at least one observation is needed for a quantile")
    if not np.all(np.isfinite(x)):
        raise InputError(f"{arg}: contains NaN or infinite values; drop them before estimating quantiles")
    return np.sort(x)


def quantile(samples: Any, p: float | str) -> float:
    """Nearest-rank empirical quantile: the ceil(p*n)-th smallest value.

    Equals ``numpy.quantile(samples, p, method="inverted_cdf")``; it is always an observed value,
    which is what the order-statistic bounds bracket.
    """
    level = parse_quantile(p, "p")
    x = _as_sorted(samples)
    return float(x[_rank(x.size, level) - 1])


def _rank(n: int, p: float) -> int:
    """1-based nearest rank, computed exactly as numpy's ``inverted_cdf`` does (n*p - 1, floored)."""
    virtual = n * p - 1.0
    below = math.floor(virtual)
    index = below if virtual - below == 0 else below + 1
    return min(max(int(index), 0), n - 1) + 1


@lru_cache(maxsize=4096)
def quantile_ci_ranks(n: int, p: float, confidence: float = 0.95,
                      sided: str = "two") -> tuple[int | None, int | None]:
    """1-based ranks (lower, upper) of the order statistics bounding the p-quantile.

    ``sided="two"``: each bound is one-sided at (1 + confidence) / 2, so the interval covers at
    ``confidence``; ``"upper"``/``"lower"``: only that bound, one-sided at ``confidence``.
    A rank is None when n is too small for that bound to exist (the bound is then infinite).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"n: expected a positive integer sample count, got {n!r}")
    level = parse_quantile(p, "p")
    c = _check_confidence(confidence)
    if sided not in ("two", "upper", "lower"):
        raise ConfigError(f"sided: expected 'two', 'upper' or 'lower', got {sided!r}")
    one = (1.0 + c) / 2.0 if sided == "two" else c
    n = int(n)
    # cdf[k] = P(Bin(n, p) <= k), k = 0..n
    cdf = stats.binom.cdf(np.arange(n + 1), n, level)
    upper: int | None = None
    lower: int | None = None
    if sided in ("two", "upper"):
        # smallest r with P(Bin <= r - 1) >= one  ->  P(X_(r) >= xi_p) >= one
        k = int(np.searchsorted(cdf, one - 1e-14, side="left"))
        upper = k + 1 if k + 1 <= n else None
    if sided in ("two", "lower"):
        # largest l with P(Bin >= l) >= one, i.e. P(Bin <= l - 1) <= 1 - one
        k = int(np.searchsorted(cdf, (1.0 - one) + 1e-14, side="right"))  # count of cdf <= 1-one
        lower = k if k >= 1 else None
    return lower, upper


def quantile_coverage(n: int, p: float, lower: int | None, upper: int | None) -> float:
    """Exact coverage P(X_(lower) <= xi_p <= X_(upper)) for continuous data (no simulation)."""
    lo = 0.0 if lower is None else float(stats.binom.cdf(lower - 1, n, p))
    hi = 1.0 if upper is None else float(stats.binom.cdf(upper - 1, n, p))
    return hi - lo


@dataclass(frozen=True)
class QuantileEstimate:
    """A quantile's point estimate and order-statistic bounds (infinite when n is too small)."""

    p: float
    value: float
    low: float
    high: float
    n: int
    confidence: float
    ranks: tuple[int | None, int | None]
    coverage: float

    @property
    def ci(self) -> tuple[float, float]:
        return (self.low, self.high)


def quantile_ci(samples: Any, p: float | str, confidence: float = 0.95,
                sided: str = "two") -> QuantileEstimate:
    """Nearest-rank quantile with distribution-free order-statistic confidence bounds.

    A missing bound is reported as -inf/+inf: with too few samples no order statistic is far
    enough out (e.g. a 97.5% upper bound of p95 needs n >= 72).
    """
    level = parse_quantile(p, "p")
    x = _as_sorted(samples)
    n = int(x.size)
    lower, upper = quantile_ci_ranks(n, level, float(confidence), sided)
    k = _rank(n, level)
    low = float(x[lower - 1]) if lower is not None else -math.inf
    high = float(x[upper - 1]) if upper is not None else math.inf
    if sided == "upper":
        low = -math.inf
    if sided == "lower":
        high = math.inf
    return QuantileEstimate(
        p=level, value=float(x[k - 1]), low=low, high=high, n=n, confidence=float(confidence),
        ranks=(lower, upper), coverage=quantile_coverage(n, level, lower, upper),
    )


def min_samples_for(p: float | str, confidence: float = 0.95, sided: str = "two") -> int:
    """Smallest n for which both (or the requested) order-statistic bounds of the p-quantile exist."""
    level = parse_quantile(p, "p")
    c = _check_confidence(confidence)
    one = (1.0 + c) / 2.0 if sided == "two" else c
    # upper bound exists when 1 - p^n >= one; lower when 1 - (1-p)^n >= one
    need: list[int] = []
    if sided in ("two", "upper"):
        need.append(math.ceil(math.log(1.0 - one) / math.log(level)))
    if sided in ("two", "lower"):
        need.append(math.ceil(math.log(1.0 - one) / math.log(1.0 - level)))
    n = max(need)
    while None in _wanted(quantile_ci_ranks(n, level, c, sided), sided):
        n += 1  # guard against the floating-point edge of the closed form
    return n


def _wanted(ranks: tuple[int | None, int | None], sided: str) -> tuple[int | None, ...]:
    if sided == "upper":
        return (ranks[1],)
    if sided == "lower":
        return (ranks[0],)
    return ranks

