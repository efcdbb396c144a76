"""Two-sample Kolmogorov–Smirnov on sorted samples: scipy's statistic, fewer passes.

`ks_statistic` gives bit-for-bit the D of `scipy.stats.ks_2samp` without the pooled data: up to
16 384 rows from one `searchsorted` of the reference into the current sample (plus a bincount),
above that from block bounds that leave only a few percent of the points to evaluate. Small
samples (max(n1, n2) <= 10 000) get scipy's exact p-value; large ones scipy's asymptotic
`kstwo.sf(D, round(n1 n2 / (n1 + n2)))`, which can take ~1 s per column, so decisions use the
critical value `kstwo.isf(t, n)` instead, the p-value is computed only when read, and reports
may give its bound 2 exp(-2 n D^2) (`ks_pvalue_bound`).
"""

from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np
from scipy import stats

from ._small import ks_statistic_merged

__all__ = ["EXACT_MAX_N", "ks_critical", "ks_pvalue", "ks_pvalue_bound", "ks_pvalue_costly",
           "ks_statistic", "ks_test"]

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


def ks_pvalue(d: float, n1: int, n2: int) -> float:
    """scipy's asymptotic p-value for D (only used above `EXACT_MAX_N`)."""
    return float(np.clip(stats.kstwo.sf(d, effective_n(n1, n2)), 0.0, 1.0))


#: scipy sums ~n(1 - D) terms for the p-value when 2.2 <= n D^2 < 370 (~1 s at n = 500 000);
#: above this many terms that computation counts as costly
COSTLY_TERMS = 20_000


def ks_pvalue_costly(d: float, n1: int, n2: int) -> bool:
    """Whether `ks_pvalue` goes through scipy's slow one-sided Smirnov sum with many terms."""
    n = effective_n(n1, n2)
    t = n * d * d
    return 2.2 <= t < 370.0 and n * (1.0 - d) > COSTLY_TERMS


def ks_pvalue_bound(d: float, n1: int, n2: int) -> float:
    """An upper bound of `ks_pvalue` without computing it: 2 exp(-2 n D^2).

    scipy's p-value there is 2 P(D+_n >= D) (one-sided Smirnov), and P(D+_n >= D) <=
    exp(-2 n D^2) (Massart's DKW bound, valid since exp(-2 n D^2) <= 1/2 when n D^2 >= 2.2);
    the bound exceeds scipy's value by about 0.5%.
    """
    n = effective_n(n1, n2)
    return min(1.0, 2.0 * math.exp(-2.0 * n * d * d))


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


def p_at_most(d: float, n1: int, n2: int, t: float) -> bool:
    """Whether the asymptotic p-value of D is <= t, via the cached critical value.

    Within 1e-9 of the critical value the p-value itself decides, so the flag always equals
    the one from scipy's p-value.
    """
    if t >= 1.0:
        return True
    if t <= 0.0:
        return False
    n_eff = effective_n(n1, n2)
    crit = ks_critical(float(t), n_eff)
    if math.isnan(crit):
        return ks_pvalue(d, n1, n2) <= t
    if abs(d - crit) <= 1e-9 * max(1.0, crit):
        return ks_pvalue(d, n1, n2) <= t
    return d > crit
