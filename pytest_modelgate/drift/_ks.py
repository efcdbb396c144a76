"""Two-sample Kolmogorov–Smirnov on sorted samples: scipy's statistic, fewer passes.

`ks_statistic` gives bit-for-bit the D of `scipy.stats.ks_2samp` without the pooled data: up to
16 384 rows from one `searchsorted` of the reference into the current sample (plus a bincount),
above that from block bounds that leave only a few percent of the points to evaluate. Small
samples (max(n1, n2) <= 10 000) get scipy's exact p-value; large ones scipy's asymptotic
`kstwo.sf(D, round(n1 n2 / (n1 + n2)))` (`kstwo_sf`). For 2.2 <= n D^2 < 370 scipy sums the
one-sided Smirnov series term by term (~1 s per column at 1M rows); `smirnov_sf` gives the same
value as an integral in under a millisecond. Decisions use the critical value `kstwo.isf(t, n)`,
the p-value deciding near it; the p-value is computed when read (every report reads them all).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy import special, stats

from ._small import ks_statistic_merged

__all__ = ["EXACT_MAX_N", "ks_critical", "ks_pvalue", "ks_statistic", "ks_test", "kstwo_sf",
           "smirnov_sf"]

#: scipy's `ks_2samp(method="auto")` switches from the exact to the asymptotic p-value here
EXACT_MAX_N = 10_000


def _right_counts_self(a: np.ndarray) -> np.ndarray:
    """For sorted `a`, the count of elements <= a[i] for every i (tie-aware)."""
    n = a.shape[0]
    if n < 2 or not bool(np.any(a[1:] == a[:-1])):
        return np.arange(1, n + 1, dtype=np.int64)
    return np.searchsorted(a, a, side="right")


def _combine(max_s: float, min_s: float) -> float:
    """scipy's D from the extreme differences (its pooled data also has the last point, where
    both CDFs are 1, so max >= 0 >= min)."""
    max_s = max(max_s, 0.0)
    min_s = min(min_s, 0.0)
    min_clip = min(max(-min_s, 0.0), 1.0)
    return float(min_clip if min_clip > max_s else max_s)


def _ks_statistic_full(a: np.ndarray, b: np.ndarray) -> float:
    """D from every point: one `searchsorted` of `a` into `b` and a bincount."""
    n1, n2 = a.shape[0], b.shape[0]
    left = np.searchsorted(b, a, side="left")
    # ties across the samples: #{b <= a_i} differs from #{b < a_i}
    tied = bool(np.any(b[np.minimum(left, n2 - 1)] == a))
    right = np.searchsorted(b, a, side="right") if tied else left
    c1 = _right_counts_self(a) / n1
    c2 = np.divide(right, n2)
    np.subtract(c1, c2, out=c1)
    max_s = float(np.max(c1))
    del c1, c2
    # #{a <= b_j} = #{i : left_i <= j}
    k1_at_b = np.cumsum(np.bincount(left, minlength=n2 + 1)[:n2])
    del left, right
    d1 = np.divide(k1_at_b, n1)
    d2 = _right_counts_self(b) / n2
    np.subtract(d1, d2, out=d1)
    return _combine(max_s, float(np.min(d1)))


def _count_le(arr: np.ndarray, v: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """#{arr <= v} for sorted `arr`, given lo <= count <= hi (vectorised bisection).

    Each step reads one element per key near the answer, so the keys (block ends of the other
    sample) cost a few cache lines each instead of a full binary search over `arr`.
    """
    pos: np.ndarray = np.array(lo, dtype=np.int64)
    span = int(np.max(hi - lo)) if hi.size else 0
    step = 1 << (span.bit_length() - 1) if span > 0 else 0
    while step:
        cand = pos + step
        ok = cand <= hi
        ok &= arr[np.minimum(cand, hi) - 1] <= v
        np.copyto(pos, cand, where=ok)
        step >>= 1
    return pos


def _rank_right(arr: np.ndarray, v: np.ndarray, coarse_step: int) -> np.ndarray:
    """`np.searchsorted(arr, v, side="right")` for sorted keys `v`: a search of every
    `coarse_step`-th element of `arr` (cache-resident), then `_count_le` in that window."""
    n = arr.shape[0]
    c = np.searchsorted(arr[::coarse_step], v, side="right")
    hi = np.minimum(c * coarse_step, n)
    lo = np.minimum(np.maximum(hi - coarse_step + 1, 0), hi)
    return _count_le(arr, v, lo, hi)


def _self_right(x: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """#{x <= x[i]} for the sorted indices `idx` of sorted `x`: i + 1 unless x[i] equals
    x[i+1] (only those are searched; tied keys repeat, so their searches stay in cache)."""
    n = x.shape[0]
    out = idx + 1
    nxt = np.minimum(idx + 1, n - 1)
    tied = (x[nxt] == x[idx]) & (idx + 1 < n)
    if bool(np.any(tied)):
        t = np.flatnonzero(tied)
        out[t] = np.searchsorted(x, x[idx[t]], side="right")
    return out


def _max_gap(x: np.ndarray, y: np.ndarray, block: int) -> float:
    """max over the points p of sorted `x` of Fx(p) - Fy(p), computed as scipy does
    (#{x <= p}/nx - #{y <= p}/ny), evaluating only the blocks of `block` points that can hold it.

    For p in block k (x[i..j]): #{x <= p} <= #{x <= x[j]} and #{y <= p} >= #{y <= end of block
    k-1}; rounding is monotone, so the float difference at every point of the block is at most
    the one computed from those two counts. Blocks whose bound does not exceed the best
    difference already reached (at block ends) cannot hold the maximum and are skipped.
    """
    nx, ny = x.shape[0], y.shape[0]
    starts = np.arange(0, nx, block)
    last = np.minimum(starts + block, nx) - 1
    kx_last = _self_right(x, last)
    ky_last = _rank_right(y, x[last], block)
    fx_last = kx_last / nx
    best = float(np.max(fx_last - ky_last / ny))
    ky_before = np.concatenate([[0], ky_last[:-1]])
    bound = fx_last - ky_before / ny
    open_blocks = np.flatnonzero(bound > best)
    if open_blocks.size:
        idx = (starts[open_blocks][:, None] + np.arange(block)[None, :]).ravel()
        blk = np.repeat(open_blocks, block)
        keep = idx <= last[blk]  # the last block may be short
        idx, blk = idx[keep], blk[keep]
        p = x[idx]
        kx = _self_right(x, idx)
        ky = _count_le(y, p, ky_before[blk], ky_last[blk])
        best = max(best, float(np.max(kx / nx - ky / ny)))
    return best


#: samples with more points than this use the block search (`_max_gap`) for D
BLOCK_MIN_N = 16_384


def _block_size(n: int) -> int:
    """Points per block: ~sqrt(n)/8 balances the block-end searches against the points of the
    blocks left open (measured at 20k-1M rows)."""
    return int(min(max(math.sqrt(n) / 8.0, 32.0), 128.0))


def ks_statistic(a: np.ndarray, b: np.ndarray, block: int | None = None) -> float:
    """Two-sided KS D of sorted float arrays `a`, `b`, equal to `scipy.stats.ks_2samp`'s.

    F1 - F2 reaches its maximum at a point of `a` and its minimum at a point of `b`, each
    difference being k1/n1 - k2/n2 (scipy's arithmetic), so the pooled array is never built.
    Large samples evaluate only the blocks of points that can hold an extreme (`_max_gap`):
    a few percent of the points instead of a binary search for each of them.
    """
    n1, n2 = a.shape[0], b.shape[0]
    if n1 == 0 or n2 == 0:
        raise ValueError("ks_statistic needs two non-empty samples")
    if block is None and max(n1, n2) <= BLOCK_MIN_N:
        return _combine(*ks_statistic_merged(a, b))
    if block is not None and block <= 0:
        return _ks_statistic_full(a, b)
    # fl(u - v) == -fl(v - u): the minimum over b's points is minus b's maximum gap over a
    return _combine(_max_gap(a, b, block or _block_size(n1)),
                    -_max_gap(b, a, block or _block_size(n2)))


def effective_n(n1: int, n2: int) -> int:
    """scipy's effective sample size for the asymptotic two-sided p-value."""
    m, n = sorted([float(n1), float(n2)], reverse=True)
    return int(np.round(m * n / (m + n)))


#: scipy's `special.smirnov(n, x)` sums its series for n up to this (a closed form above)
SMIRNOV_MAX_COMPUTE_N = 1_000_000
#: from this n on `smirnov_sf` integrates the series instead of summing it (below, the sum's
#: ends are not negligible against its integral: 2e-7 relative apart at n = 141, 3e-14 at 500)
SERIES_QUAD_MIN_N = 2_000
#: midpoint-rule nodes for that integral (1024 already agree with scipy to ~1e-13)
SERIES_QUAD_NODES = 4_096
#: scipy's `_kolmogn` takes the survival function from 2 smirnov(n, D) for n D^2 in this range
SERIES_ND2 = (2.2, 370.0)

_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0)


def _stirling_excess(k: np.ndarray) -> np.ndarray:
    """log k! - (k log k - k + log(2 pi k) / 2) for k > 0: the series 1/(12k) - 1/(360k^3) + ...
    from k = 30 (truncation below 1e-15), gammaln below (cancellation there under 1e-13)."""
    out = np.empty_like(k)
    big = k >= 30.0
    r = 1.0 / k[big]
    r2 = r * r
    out[big] = r * (_STIRLING[0] + r2 * (_STIRLING[1] + r2 * (_STIRLING[2] + r2 * _STIRLING[3])))
    ks = k[~big]
    out[~big] = special.gammaln(ks + 1.0) - (ks * np.log(ks) - ks + 0.5 * np.log(2.0 * math.pi * ks))
    return out


def smirnov_sf(n: int, x: float) -> float:
    """scipy's `special.smirnov(n, x)` = P(D+_n >= x) for SERIES_QUAD_MIN_N <= n and
    2.2 <= n x^2 < 370, without summing its ~n(1 - x) terms.

    scipy sums x A_v, A_v = C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1), v = 0..floor(n(1-x)),
    each term in double-double (~2 us a term). Continued to real v through the gamma function,
    A is smooth on a scale of thousands of v wherever it matters and below e^-100 of its peak
    near both ends, so by Poisson summation the sum equals its integral up to exponentially
    small terms, and the midpoint rule on SERIES_QUAD_NODES nodes gives that integral to
    rounding for the same reason. Written with m = n - v and y = n x so that nothing cancels:
    log A = m log1p(-y/m) + v log1p(y/v) - log(x + v/n) + log(n / (2 pi v m))/2
    + s(n) - s(v) - s(m), s being `_stirling_excess`. Equal to scipy's within ~2e-13 relative
    (tested from n = 2000 to 10^6 over the whole range of n x^2, and against the sum in 50-digit
    decimals); a subnormal result (below 2.2e-308) keeps fewer digits, as scipy's does.
    """
    nf = float(n)
    y = nf * x
    h = (nf - y) / SERIES_QUAD_NODES  # A vanishes at v = n(1 - x)
    v = (np.arange(SERIES_QUAD_NODES, dtype=np.float64) + 0.5) * h
    m = nf - v
    log_a = m * np.log1p(-y / m)
    log_a += v * np.log1p(y / v)
    log_a -= np.log(x + v / nf)
    log_a += 0.5 * np.log(nf / (2.0 * math.pi * v * m))
    log_a -= _stirling_excess(v)
    log_a -= _stirling_excess(m)
    log_a += float(_stirling_excess(np.array([nf]))[0])
    top = float(np.max(log_a))
    total = float(np.sum(np.exp(log_a - top)))
    return math.exp(top + math.log(total * h * x))


def _in_series_branch(d: float, n: int) -> bool:
    """Whether scipy's `kstwo.sf(d, n)` is 2 smirnov(n, d) by its series (`_kolmogn`'s tests, in
    its order and arithmetic; scipy's smirnov sums the lower series there)."""
    if n <= 140 or not 0.0 < d < 0.5:
        return False
    t = n * d
    if t <= 1.0 or t >= n - 1:
        return False
    return SERIES_ND2[0] <= t * d < SERIES_ND2[1]


def kstwo_sf(d: float, n: int) -> float:
    """`scipy.stats.kstwo.sf(d, n)` (in [0, 1]); the series branch from `smirnov_sf`."""
    if SERIES_QUAD_MIN_N <= n <= SMIRNOV_MAX_COMPUTE_N and _in_series_branch(d, n):
        return min(max(2.0 * smirnov_sf(n, d), 0.0), 1.0)
    return float(np.clip(stats.kstwo.sf(d, n), 0.0, 1.0))


#: p-values by (D, n_eff): the multiple-testing steps may ask for one several times
_P_CACHE: dict[tuple[float, int], float] = {}
_P_CACHE_MAX = 4096


def ks_pvalue(d: float, n1: int, n2: int) -> float:
    """scipy's asymptotic p-value for D (only used above `EXACT_MAX_N`)."""
    key = (float(d), effective_n(n1, n2))
    p = _P_CACHE.get(key)
    if p is None:
        if len(_P_CACHE) >= _P_CACHE_MAX:
            _P_CACHE.clear()
        p = _P_CACHE[key] = kstwo_sf(*key)
    return p


#: a p-value from `smirnov_sf` this close to a threshold (relative) is replaced by scipy's own
TIE_REL = 1e-9


def _p_le(d: float, n1: int, n2: int, t: float) -> bool:
    """ks_pvalue(D) <= t, exactly as scipy's p-value compares: `smirnov_sf` differs from scipy's
    series in the last ~3 digits, so within TIE_REL of t scipy computes it (once; the value
    read afterwards is that one too)."""
    p = ks_pvalue(d, n1, n2)
    n = effective_n(n1, n2)
    if abs(p - t) <= TIE_REL * t and SERIES_QUAD_MIN_N <= n <= SMIRNOV_MAX_COMPUTE_N \
            and _in_series_branch(d, n):
        p = _P_CACHE[(float(d), n)] = float(np.clip(stats.kstwo.sf(d, n), 0.0, 1.0))
    return p <= t


@lru_cache(maxsize=4096)
def ks_critical(t: float, n_eff: int) -> float:
    """Smallest D whose asymptotic p-value is <= t (cached: ~1 ms each)."""
    return float(stats.kstwo.isf(t, n_eff))


def _prob_outside_square(n: int, h: int) -> float:
    """scipy's `_compute_prob_outside_square` with the inner products vectorised.

    Pr(D_{n,n} >= h/n) = 2 A0 (1 - A1 (1 - A2 (...))), A_k = prod_j (n-kh-j)/(n+kh+j+1). scipy
    multiplies the h ratios one Python step at a time (n steps in all, ~8 ms at n = 10 000);
    here each A_k is one numpy product, equal to scipy's within a few ulps per term.
    """
    k_max = n // h
    ks = np.arange(k_max, -1, -1, dtype=np.float64)[:, None] * h
    j = np.arange(h, dtype=np.float64)[None, :]
    with np.errstate(under="ignore"):
        a_k = np.prod((n - ks - j) / (n + ks + j + 1.0), axis=1)
    p = 0.0
    for v in a_k.tolist():
        p = v * (1.0 - p)
    return 2.0 * p


def ks_small(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """scipy's exact two-sided KS for small samples (equal sizes vectorised, else scipy itself)."""
    n = a.shape[0]
    if n == b.shape[0] and n > 0:
        d_raw = ks_statistic(a, b)
        h = int(np.round(d_raw * n))
        d = h * 1.0 / n
        if h == 0:
            return d, 1.0
        p = _prob_outside_square(n, h)
        if 0.0 <= p <= 1.0:
            return d, p
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:  # skip scipy's axis/nan wrapper (~1 ms a call); same function underneath
            res = stats.ks_2samp(a, b, _no_deco=True)
        except TypeError:  # pragma: no cover - a scipy without the private switch
            res = stats.ks_2samp(a, b)
    return float(res.statistic), float(res.pvalue)


def ks_test(a: np.ndarray, b: np.ndarray) -> tuple[float, float | None]:
    """(D, p) for small samples; (D, None) for large ones, the p-value being deferred."""
    if max(a.shape[0], b.shape[0]) <= EXACT_MAX_N:
        return ks_small(a, b)
    return ks_statistic(a, b), None


#: `p_at_most` lets the p-value decide within this relative distance of the critical value
CRIT_MARGIN = 1e-3
#: below this threshold `kstwo.isf` inverts a CDF too close to 1 to be trusted: the p-value decides
CRIT_MIN_T = 1e-10


def p_at_most(d: float, n1: int, n2: int, t: float) -> bool:
    """Whether the asymptotic p-value of D is <= t, via the cached critical value.

    scipy's `kstwo.isf` inverts its CDF branch (Durbin matrix or Pelz–Good) while the p-value
    may come from its Smirnov series: at n = 5000 and t = 1e-6 the two cross t ~5e-9 apart in
    D. Within CRIT_MARGIN of the critical value (~1% in p) the p-value itself decides (`_p_le`),
    so the flag always equals the one from scipy's p-value.
    """
    if t >= 1.0:
        return True
    if t <= 0.0:
        return False
    if t < CRIT_MIN_T:
        return _p_le(d, n1, n2, t)
    crit = ks_critical(float(t), effective_n(n1, n2))
    if math.isnan(crit) or abs(d - crit) <= CRIT_MARGIN * crit:
        return _p_le(d, n1, n2, t)
    return d > crit
