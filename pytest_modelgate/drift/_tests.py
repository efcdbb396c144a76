"""The built-in univariate tests; each equals its scipy reference where one exists.

Numeric tests receive sorted finite values (all are order-invariant); categorical tests receive
counts over the reference's categories followed by the categories unseen in the reference.
"""

from __future__ import annotations

import inspect
import math
import warnings
from functools import partial
from typing import Any

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon as _scipy_js

from pytest_modelgate._numbers import format_number as _num

from ._data import ColumnSummary, align_counts
from ._ks import (
    EXACT_MAX_N,
    ks_pvalue,
    ks_statistic,
    ks_test,
    p_at_most,
)
from ._registry import DriftTest, Outcome, _add
from ._small import chi2_2xk

__all__ = [
    "N_BINS",
    "PSI_EPSILON",
    "STD_FLOOR",
    "binned_counts",
    "hellinger",
    "js_distance",
    "psi",
]

#: empty-bin proportion used by PSI (as Evidently): a zero proportion becomes 1e-4
PSI_EPSILON = 1e-4
#: numeric columns are binned at the reference deciles for PSI, Jensen–Shannon and Hellinger
N_BINS = 10
#: the reference spread that normalises Wasserstein and energy distance is floored here
STD_FLOOR = 1e-3


# -- distances on count vectors ---------------------------------------------------------------

def js_distance(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen–Shannon distance (natural log, scipy's default) between two count vectors."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if p.sum() == 0 or q.sum() == 0:
        return math.nan
    return float(_scipy_js(p, q))


def psi(p: np.ndarray, q: np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index sum((q - p) ln(q / p)) of proportions, empty bins = epsilon."""
    pp = np.asarray(p, dtype=np.float64)
    qq = np.asarray(q, dtype=np.float64)
    pp = pp / pp.sum()
    qq = qq / qq.sum()
    pp = np.where(pp == 0, epsilon, pp)
    qq = np.where(qq == 0, epsilon, qq)
    return float(np.sum((qq - pp) * np.log(qq / pp)))


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Hellinger distance sqrt(sum((sqrt p - sqrt q)^2) / 2) of two proportion vectors, in [0, 1]."""
    pp = np.asarray(p, dtype=np.float64)
    qq = np.asarray(q, dtype=np.float64)
    pp = pp / pp.sum()
    qq = qq / qq.sum()
    return float(math.sqrt(float(np.sum((np.sqrt(pp) - np.sqrt(qq)) ** 2)) / 2.0))


# -- numeric helpers -----------------------------------------------------------------------------

def _ref_cdf(ref: ColumnSummary, x: np.ndarray) -> np.ndarray:
    """Reference ECDF (right-continuous) at x: exact, or interpolated from a sketch."""
    if ref.values is not None:
        return np.asarray(np.searchsorted(ref.values, x, side="right") / ref.values.shape[0])
    assert ref.quantiles is not None
    assert ref.probs is not None
    return np.asarray(np.interp(x, ref.quantiles, ref.probs, left=0.0, right=1.0))


def _ref_quantile(ref: ColumnSummary, probs: np.ndarray) -> np.ndarray:
    if ref.values is not None:
        return np.asarray(np.quantile(ref.values, probs))
    assert ref.quantiles is not None
    assert ref.probs is not None
    return np.asarray(np.interp(probs, ref.probs, ref.quantiles))


def binned_counts(ref: ColumnSummary, cur: ColumnSummary,
                  n_bins: int = N_BINS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Counts of both sides in bins cut at the reference quantiles (duplicate edges merged).

    Bins are (-inf, e1], (e1, e2], ..., (ek, inf); for a sketch the reference counts are
    n times the interpolated CDF differences.
    """
    probs = np.arange(1, n_bins) / n_bins
    edges = np.unique(_ref_quantile(ref, probs))
    assert cur.values is not None
    cum_c = np.searchsorted(cur.values, edges, side="right")
    c = np.diff(np.concatenate([[0], cum_c, [cur.values.shape[0]]]))
    if ref.values is not None:
        cum_r = np.searchsorted(ref.values, edges, side="right")
        r = np.diff(np.concatenate([[0], cum_r, [ref.values.shape[0]]])).astype(np.float64)
    else:
        cdf = _ref_cdf(ref, edges)
        r = np.diff(np.concatenate([[0.0], cdf, [1.0]])) * ref.n_values
    return edges, r, c.astype(np.float64)


def _self_counts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """#{x < x_i} and #{x <= x_i} for sorted finite `x` (the two `searchsorted(x, x)`), from
    its runs of equal values in one pass instead of two binary searches per point."""
    n = x.shape[0]
    idx = np.arange(n)
    if n < 2 or not bool(np.any(x[1:] == x[:-1])):
        return idx, idx + 1
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(x[1:], x[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    lengths = np.diff(np.append(starts, n))
    left = np.repeat(starts, lengths)
    return left, left + np.repeat(lengths, lengths)


def _ks_sketch(ref: ColumnSummary, cur: ColumnSummary) -> float:
    """KS distance between a quantile-sketch reference G and exact current values F.

    D = sup |G - F| is reached at a current value or a sketch node t, from the right
    (G(t) vs F(t)) or from the left (G(t-) vs F(t-)). G can jump only at its nodes, so the
    left limit at current values is needed only when some current value sits on a node.
    """
    assert cur.values is not None
    assert ref.quantiles is not None
    assert ref.probs is not None
    x = cur.values
    q, probs = ref.quantiles, ref.probs
    n2 = x.shape[0]
    if not n2:
        return 0.0
    left, right = _self_counts(x)
    fr = _ref_cdf(ref, x)
    at_q = np.searchsorted(x, q, side="right")
    below_q = np.searchsorted(x, q, side="left")
    on_node = bool(np.any(at_q != below_q))
    fl = np.interp(np.nextafter(x, -np.inf), q, probs, left=0.0, right=1.0) if on_node else fr
    d = 0.0
    for g, counts in ((fr, right), (fl, left)):
        gap = np.divide(counts, n2)
        np.subtract(g, gap, out=gap)
        np.abs(gap, out=gap)
        d = max(d, float(np.max(gap)))
    gq = np.interp(q, q, probs, left=0.0, right=1.0)
    gql = np.interp(np.nextafter(q, -np.inf), q, probs, left=0.0, right=1.0)
    return max(d, float(np.max(np.abs(gq - at_q / n2))), float(np.max(np.abs(gql - below_q / n2))))


def _spread(ref: ColumnSummary) -> float:
    s = ref.moments()[1]
    return max(s, STD_FLOOR) if not math.isnan(s) else STD_FLOOR


# -- numeric tests -------------------------------------------------------------------------------

def _ks(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert cur.values is not None
    n1, n2 = ref.n_values, cur.n_values
    if ref.values is None:
        d = _ks_sketch(ref, cur)
        return Outcome(d, None, d, p_deferred=partial(ks_pvalue, d, n1, n2),
                       p_at_most=partial(p_at_most, d, n1, n2), approx_error=ref.rank_error,
                       note=f"reference from a quantile sketch: D within ±{_num(ref.rank_error, digits=2)}")
    d, p = ks_test(ref.values, cur.values)
    if p is not None:
        return Outcome(d, p, d)
    return Outcome(d, None, d, p_deferred=partial(ks_pvalue, d, n1, n2),
                   p_at_most=partial(p_at_most, d, n1, n2))


def _ks_effect(ref: ColumnSummary, cur: ColumnSummary) -> float:
    assert ref.values is not None
    assert cur.values is not None
    return ks_statistic(ref.values, cur.values)


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _anderson(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert ref.values is not None
    assert cur.values is not None
    if np.unique(np.concatenate([ref.values, cur.values])).size < 2:
        return Outcome(0.0, 1.0, 0.0, note="all values equal")
    # scipy >= 1.17 spells the midrank statistic variant="midrank"; older scipy, midrank=True
    new = "variant" in inspect.signature(stats.anderson_ksamp).parameters
    kw = {"variant": "midrank"} if new else {"midrank": True}
    res = _quiet(stats.anderson_ksamp, [ref.values, cur.values], **kw)
    p = float(res.pvalue)
    note = "p-value from scipy's table, capped to [0.001, 0.25]" if p in (0.001, 0.25) else ""
    return Outcome(float(res.statistic), p, _ks_effect(ref, cur), note=note)


def _cvm(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert ref.values is not None
    assert cur.values is not None
    res = _quiet(stats.cramervonmises_2samp, ref.values, cur.values)
    return Outcome(float(res.statistic), float(res.pvalue), _ks_effect(ref, cur))


def _mannwhitney(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert ref.values is not None
    assert cur.values is not None
    res = _quiet(stats.mannwhitneyu, ref.values, cur.values, alternative="two-sided")
    u = float(res.statistic)
    rbc = abs(1.0 - 2.0 * u / (ref.n_values * cur.n_values))
    p = float(res.pvalue)
    return Outcome(u, 1.0 if math.isnan(p) else p, rbc)


def _ttest(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert ref.values is not None
    assert cur.values is not None
    if ref.n_values < 2 or cur.n_values < 2:
        return Outcome(math.nan, math.nan, math.nan, note="needs at least 2 values per side")
    res = _quiet(stats.ttest_ind, ref.values, cur.values, equal_var=False)
    va, vb = float(np.var(ref.values, ddof=1)), float(np.var(cur.values, ddof=1))
    diff = abs(float(np.mean(ref.values)) - float(np.mean(cur.values)))
    pooled = math.sqrt((va + vb) / 2.0)
    d = diff / pooled if pooled > 0 else (0.0 if diff == 0 else math.inf)
    t, p = float(res.statistic), float(res.pvalue)
    if math.isnan(t):  # both samples constant
        same = diff == 0
        return Outcome(0.0 if same else math.inf, 1.0 if same else 0.0, d,
                       note="both samples constant")
    return Outcome(t, p, d)


def _wasserstein(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert cur.values is not None
    if ref.values is not None:
        w = float(stats.wasserstein_distance(ref.values, cur.values))
        return Outcome(w, None, w / _spread(ref))
    # sketch: integrate |F_ref - F_cur| on the pooled grid of sketch and current points
    assert ref.quantiles is not None
    grid = np.unique(np.concatenate([ref.quantiles, cur.values]))
    fr = _ref_cdf(ref, grid[:-1])
    fc = np.searchsorted(cur.values, grid[:-1], side="right") / cur.values.shape[0]
    w = float(np.sum(np.abs(fr - fc) * np.diff(grid)))
    return Outcome(w, None, w / _spread(ref), approx_error=ref.rank_error,
                   note="reference from a quantile sketch")


def _energy(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    assert ref.values is not None
    assert cur.values is not None
    e = float(stats.energy_distance(ref.values, cur.values))
    return Outcome(e, None, e / math.sqrt(_spread(ref)))


def _binned_distance(kind: str, ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    if ref.kind == "numeric":
        _, r, q = binned_counts(ref, cur)
        err = ref.rank_error if ref.values is None else None
    else:
        _, r, q = (x for x in align_counts(ref, cur))  # type: ignore[assignment]
        err = None
    fn = {"psi": psi, "jensenshannon": js_distance, "hellinger": hellinger}[kind]
    v = fn(r, q)
    return Outcome(v, None, v, approx_error=err)


# -- categorical tests ---------------------------------------------------------------------------

def _table(ref: ColumnSummary, cur: ColumnSummary) -> tuple[np.ndarray, np.ndarray]:
    """Aligned counts over categories seen on either side (numeric: over distinct values)."""
    if ref.kind == "numeric":
        assert ref.values is not None
        assert cur.values is not None
        u = np.unique(np.concatenate([ref.values, cur.values]))
        r = np.searchsorted(ref.values, u, "right") - np.searchsorted(ref.values, u, "left")
        q = np.searchsorted(cur.values, u, "right") - np.searchsorted(cur.values, u, "left")
        return r.astype(np.int64), q.astype(np.int64)
    _, r, q = align_counts(ref, cur)
    keep = (r + q) > 0
    return r[keep], q[keep]


def _chi2(lambda_: str | None, ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    r, q = _table(ref, cur)
    eff = js_distance(r, q)
    if r.shape[0] < 2:
        return Outcome(0.0, 1.0, eff, note="a single category: nothing to compare")
    if lambda_ is None:  # Pearson: the same arithmetic without scipy's per-call overhead
        return Outcome(*chi2_2xk(r, q), eff)
    res = stats.chi2_contingency(np.vstack([r, q]), lambda_=lambda_)
    return Outcome(float(res.statistic), float(res.pvalue), eff)


def _binary_counts(ref: ColumnSummary, cur: ColumnSummary) -> tuple[np.ndarray, np.ndarray]:
    r, q = _table(ref, cur)
    if r.shape[0] > 2:
        raise _NotBinary(r.shape[0])
    if r.shape[0] == 1:
        r = np.array([r[0], 0])
        q = np.array([q[0], 0])
    return r, q


class _NotBinary(ValueError):
    pass


def _ztest(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    r, q = _binary_counts(ref, cur)
    n1, n2 = float(r.sum()), float(q.sum())
    p1, p2 = r[0] / n1, q[0] / n2
    pool = (r[0] + q[0]) / (n1 + n2)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    eff = js_distance(r, q)
    if se == 0:
        return Outcome(0.0, 1.0, eff, note="one value on both sides")
    z = float((p1 - p2) / se)
    return Outcome(z, float(2 * stats.norm.sf(abs(z))), eff)


def _fisher(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
    r, q = _binary_counts(ref, cur)
    res = stats.fisher_exact(np.vstack([r, q]))
    return Outcome(float(res.statistic), float(res.pvalue), js_distance(r, q))


# -- registration ----------------------------------------------------------------------------------

_NUM = ("numeric",)
_CAT = ("categorical",)
_BOTH = ("numeric", "categorical")

for _t in (
    DriftTest("ks", _ks, _NUM, True, "D", "ks_distance", 0.1, sketch=True,
              description="two-sample Kolmogorov–Smirnov (scipy.stats.ks_2samp; exact p below "
                          f"{EXACT_MAX_N} rows, asymptotic above)"),
    DriftTest("chisquare", partial(_chi2, None), _CAT, True, "chi2", "jensenshannon", 0.1,
              sketch=True,
              description="chi-square test of the 2xK contingency table (scipy.stats."
                          "chi2_contingency, Yates for 2 categories)"),
    DriftTest("gtest", partial(_chi2, "log-likelihood"), _CAT, True, "G", "jensenshannon", 0.1,
              sketch=True, description="G-test (chi2_contingency with lambda_='log-likelihood')"),
    DriftTest("ztest", _ztest, ("binary",), True, "z", "jensenshannon", 0.1, sketch=True,
              description="two-proportion z-test, pooled variance (binary columns)"),
    DriftTest("fisher", _fisher, ("binary",), True, "odds_ratio", "jensenshannon", 0.1,
              sketch=True, description="Fisher's exact test of the 2x2 table (binary columns)"),
    DriftTest("psi", partial(_binned_distance, "psi"), _BOTH, False, "psi", "psi", 0.2,
              sketch=True, description="population stability index; numeric columns in "
                                       "reference-decile bins; empty bins get 1e-4"),
    DriftTest("jensenshannon", partial(_binned_distance, "jensenshannon"), _BOTH, False,
              "js_distance", "jensenshannon", 0.1, sketch=True,
              description="Jensen–Shannon distance (natural log); numeric in decile bins"),
    DriftTest("hellinger", partial(_binned_distance, "hellinger"), _BOTH, False,
              "hellinger", "hellinger", 0.1, sketch=True,
              description="Hellinger distance; numeric columns in reference-decile bins"),
    DriftTest("wasserstein", _wasserstein, _NUM, False, "W1", "wasserstein_normed", 0.1,
              sketch=True, description="Wasserstein-1 distance (scipy) divided by the "
                                       "reference standard deviation (floor 1e-3)"),
    DriftTest("anderson", _anderson, _NUM, True, "A2", "ks_distance", 0.1,
              description="Anderson–Darling k-sample (scipy.stats.anderson_ksamp, midrank; "
                          "p capped to [0.001, 0.25] by scipy)"),
    DriftTest("cvm", _cvm, _NUM, True, "T", "ks_distance", 0.1,
              description="Cramér–von Mises two-sample (scipy.stats.cramervonmises_2samp)"),
    DriftTest("energy", _energy, _NUM, False, "energy", "energy_normed", 0.1,
              description="energy distance (scipy) divided by sqrt(reference std)"),
    DriftTest("mannwhitney", _mannwhitney, _NUM, True, "U", "rank_biserial", 0.1,
              description="Mann–Whitney U (scipy.stats.mannwhitneyu, two-sided)"),
    DriftTest("ttest", _ttest, _NUM, True, "t", "cohens_d", 0.2,
              description="Welch's t-test (scipy.stats.ttest_ind, equal_var=False)"),
):
    _add(_t)

#: method names handled by the multivariate module rather than per column
MULTIVARIATE = ("classifier", "mmd")
