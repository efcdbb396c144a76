"""Confidence intervals, one family per kind of metric, all seeded.

proportion  Wilson score interval (Clopper-Pearson "exact" as an option), via scipy.
confusion   bootstrap of the confusion matrix: the resampled cell counts are one multinomial
            draw per resample, O(resamples x cells) instead of O(resamples x rows).
auc         DeLong's variance (Sun & Xu midrank algorithm); bootstrap as an option.
mean/ratio  vectorised row bootstrap of weighted sums; from `DELTA_MIN_ROWS` rows the delta method
            (a normal interval from the empirical influence function) when its estimated tail
            error is below the bootstrap's own Monte-Carlo error (`normal_error`).
median      exact distribution-free order-statistic interval (scipy.stats.quantile_test).
generic     percentile bootstrap of rows, calling the metric once per resample.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError

from . import _boot_fast, _fast
from ._inputs import Checked
from ._registry import MetricSpec

__all__ = ["CI_METHODS", "Interval", "compute_interval", "delong_components"]

F = NDArray[np.float64]
I64 = NDArray[np.int64]

CI_METHODS = ("wilson", "clopper-pearson", "delong", "bootstrap", "order-statistic", "t",
              "delta")
_ALIASES = {"exact": "clopper-pearson", "cp": "clopper-pearson", "percentile": "bootstrap"}
_ROW_BUDGET = 4_000_000  # rows x resamples handled per chunk by the row bootstraps
# A row bootstrap on fewer rows, or whose replicates take fewer distinct values, gives an
# interval that says nothing about the population (1 row: [v, v]): no interval then.
MIN_BOOTSTRAP_ROWS = 20
MIN_DISTINCT_REPLICATES = 20
# From this many rows a mean/ratio metric's default interval may be the delta method: below it the
# bootstrap's 1000 x n draws cost a few milliseconds, above it they cost 100s of plain calls.
DELTA_MIN_ROWS = 10_000
# A row carrying more than this share of the influence variance shifts the interval by a fifth of
# a standard error each time a resample draws it again: the bootstrap then keeps its lumps.
DELTA_MAX_ROW_SHARE = 0.05


@dataclass(frozen=True)
class Interval:
    """A computed interval: (low, high) or None, the method name, and notes for the report."""

    ci: tuple[float, float] | None
    method: str
    details: dict[str, Any] = field(default_factory=dict)


def normalise_method(ci_method: str | None) -> str | None:
    if ci_method is None:
        return None
    m = _ALIASES.get(str(ci_method).lower(), str(ci_method).lower())
    if m not in CI_METHODS:
        raise ConfigError(
            f"ci_method: unknown method {ci_method!r}; choose one of {', '.join(CI_METHODS)} "
            "(or leave it unset for the metric's default)"
        )
    return m


def percentile(values: F, confidence: float) -> tuple[float, float] | None:
    """Percentile interval of bootstrap replicates, ignoring failed (non-finite) ones."""
    v = values[np.isfinite(values)]
    if v.size < max(10, values.size // 2):
        return None
    a = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(v, [a, 1.0 - a])
    return float(lo), float(hi)


def bootstrap_interval(reps: F, confidence: float, details: dict[str, Any]) -> Interval:
    """Percentile interval of metric replicates; None (with a note) when they are degenerate."""
    v = reps[np.isfinite(reps)]
    distinct = int(np.unique(v).size)
    need = min(MIN_DISTINCT_REPLICATES, v.size // 2)
    if v.size and distinct < need:
        levels, counts = np.unique(v, return_counts=True)
        top = int(np.argmax(counts))
        return Interval(None, "bootstrap", {
            **details, "distinct_replicates": distinct,
            "modal_replicate": float(levels[top]), "modal_share": float(counts[top] / v.size),
            "note": f"the bootstrap replicates take only {distinct} distinct value"
                    f"{'s' if distinct != 1 else ''} (at least {need} are needed for an "
                    "interval; e.g. every row scored the same)"})
    return Interval(percentile(reps, confidence), "bootstrap", details)


def _too_few_rows(n: int, method: str, min_rows: int, why: str) -> Interval:
    return Interval(None, method, {"min_rows": min_rows,
                                   "note": f"too few rows ({n}) for {why}; at least "
                                           f"{min_rows} are needed"})


def _chunks(n_rows: int, n_resamples: int, width: int = 1) -> list[int]:
    per = max(1, min(n_resamples, _ROW_BUDGET // max(1, n_rows * width)))
    out = [per] * (n_resamples // per)
    if n_resamples % per:
        out.append(n_resamples % per)
    return out


def resample_counts(n: int, c: int, rng: np.random.Generator) -> F:
    """(c, n) multiplicities of the rows in c bootstrap resamples (each row sum is n)."""
    idx = rng.integers(0, n, size=(c, n))
    idx += (np.arange(c, dtype=np.int64) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=c * n).reshape(c, n).astype(np.float64)


# --- families -----------------------------------------------------------------------------------


def proportion_interval(k: int, n: int, confidence: float, method: str) -> tuple[float, float]:
    """Wilson (default) or Clopper-Pearson interval for k successes in n trials (scipy)."""
    sci = "exact" if method == "clopper-pearson" else "wilson"
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method=sci)
    return float(ci.low), float(ci.high)


def confusion_codes(
    spec: MetricSpec, chk: Checked, params: dict[str, Any]
) -> tuple[I64, int, int]:
    """Row cell codes (true * K + pred), the number of labels K and the positive label's index."""
    yt, yp = chk.y_true, chk.y_pred
    both = np.concatenate([yt, yp])
    pos_label = params.get("pos_label", 1)
    if spec.average == "binary" and pos_label is not None:
        both = np.concatenate([both, np.asarray([pos_label], dtype=both.dtype)])
    labels, inv = np.unique(both, return_inverse=True)
    k = int(labels.size)
    n = chk.n
    codes = inv[:n].astype(np.int64) * k + inv[n:2 * n].astype(np.int64)
    pos = 0
    if spec.average == "binary" and pos_label is not None:
        pos = int(np.searchsorted(labels, np.asarray(pos_label, dtype=labels.dtype)))
    return codes, k, pos


def confusion_fast(spec: MetricSpec) -> Callable[[F, int], F] | None:
    if spec.family not in ("confusion", "proportion") or spec.base not in _fast.CONFUSION:
        return None
    func = _fast.CONFUSION[spec.base]
    average = spec.average or "macro"
    sign = spec.sign
    return lambda cm, pos: sign * func(cm, average, pos)


def confusion_interval(
    spec: MetricSpec, chk: Checked, params: dict[str, Any], value: float, confidence: float,
    n_resamples: int, rng: np.random.Generator,
) -> Interval | None:
    """Bootstrap of the confusion matrix; None when the fast path does not reproduce `value`."""
    fast = confusion_fast(spec)
    if fast is None or set(params) - {"pos_label"}:
        return None
    codes, k, pos = confusion_codes(spec, chk, params)
    kk = k * k
    w = chk.sample_weight
    cm = np.bincount(codes, weights=w, minlength=kk).astype(np.float64)
    if not _close(float(fast(cm.reshape(1, k, k), pos)[0]), value):
        return None
    if w is None:
        counts = rng.multinomial(chk.n, cm / cm.sum(), size=n_resamples).astype(np.float64)
        how = "multinomial resampling of the confusion-matrix cells"
    else:
        counts = np.empty((n_resamples, kk), dtype=np.float64)
        start = 0
        for c in _chunks(chk.n, n_resamples):
            idx = rng.integers(0, chk.n, size=(c, chk.n))
            off = (np.arange(c, dtype=np.int64) * kk)[:, None]
            counts[start:start + c] = np.bincount(
                (codes[idx] + off).ravel(), weights=w[idx].ravel(), minlength=c * kk
            ).reshape(c, kk)
            start += c
        how = "row bootstrap of the weighted confusion matrix"
    reps = fast(counts.reshape(n_resamples, k, k), pos)
    return bootstrap_interval(reps, confidence, {"resampling": how, "n_resamples": n_resamples})


def _midrank(x: F) -> F:
    return np.asarray(stats.rankdata(x, method="average"), dtype=np.float64)


def delong_components(y_pos: NDArray[np.bool_], scores: F) -> tuple[F, F, F]:
    """DeLong structural components for one or more score columns (Sun & Xu, 2014).

    scores: (n,) or (n, r). Returns (auc (r,), v10 (m, r), v01 (n_neg, r)).
    """
    s = scores.reshape(scores.shape[0], -1)
    pos, neg = s[y_pos], s[~y_pos]
    m, nn = pos.shape[0], neg.shape[0]
    r = s.shape[1]
    aucs = np.empty(r)
    v10 = np.empty((m, r))
    v01 = np.empty((nn, r))
    for j in range(r):
        tx = _midrank(pos[:, j])
        ty = _midrank(neg[:, j])
        tz = _midrank(np.concatenate([pos[:, j], neg[:, j]]))
        aucs[j] = (tz[:m].sum() / m - (m + 1) / 2.0) / nn
        v10[:, j] = (tz[:m] - tx) / nn
        v01[:, j] = 1.0 - (tz[m:] - ty) / m
    return aucs, v10, v01


def delong_interval(chk: Checked, spec: MetricSpec, value: float, confidence: float) -> Interval | None:
    yt = chk.y_true
    classes = np.unique(yt)
    if classes.size != 2 or chk.y_pred.ndim != 1 or chk.sample_weight is not None:
        return None
    y_pos = yt == classes[1]
    auc, v10, v01 = delong_components(y_pos, chk.y_pred.astype(np.float64))
    if not _close(float(auc[0]), value):
        return None
    m, nn = v10.shape[0], v01.shape[0]
    if min(m, nn) < 2:
        return Interval(None, "delong", {
            "note": f"too few rows for an interval ({m} positive, {nn} negative; DeLong needs "
                    "at least 2 of each)"})
    var = np.var(v10[:, 0], ddof=1) / m + np.var(v01[:, 0], ddof=1) / nn
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    half = z * math.sqrt(max(float(var), 0.0))
    return Interval((value - half, value + half), "delong", {"se": math.sqrt(max(float(var), 0.0))})


def _levels(scores: F) -> tuple[I64, int]:
    _, level = np.unique(scores, return_inverse=True)
    return level.astype(np.int64).ravel(), int(level.max()) + 1


def auc_from_counts(y_pos: NDArray[np.bool_], level: I64, n_levels: int, cw: F) -> F:
    """Weighted binary ROC AUC for each row of `cw` (c, n) row weights, ties counted 1/2.

    O(rows) per row of `cw`: the weights are summed per distinct score level, then
    AUC = sum_l pos(l) * (neg(< l) + neg(l) / 2) / (pos * neg). NaN where a class is absent.
    """
    c = cw.shape[0]
    off = (np.arange(c, dtype=np.int64) * n_levels)[:, None]
    lev = (level[None, :] + off).ravel()
    pos_w = np.bincount(lev, weights=(cw * y_pos).ravel(),
                        minlength=c * n_levels).reshape(c, n_levels)
    neg_w = np.bincount(lev, weights=(cw * ~y_pos).ravel(),
                        minlength=c * n_levels).reshape(c, n_levels)
    below = np.cumsum(neg_w, axis=1) - neg_w
    num = (pos_w * (below + 0.5 * neg_w)).sum(axis=1)
    den = pos_w.sum(axis=1) * neg_w.sum(axis=1)
    ok = den > 0
    return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


class AucReps:
    """ROC AUC (binary, or multiclass OvR / OvO as scikit-learn averages them) from row weights."""

    def __init__(self, y_true: NDArray[Any], scores: F, multi_class: str | None,
                 average: str = "macro") -> None:
        self.classes = np.unique(y_true)
        self.multi_class = multi_class
        self.average = average
        self.parts: list[tuple[NDArray[np.bool_], I64, int, NDArray[np.bool_] | None]]
        if multi_class is None:
            self.parts = [(y_true == self.classes[1], *_levels(scores), None)]
            return
        self.parts = []
        if multi_class == "ovr":
            for k, cls in enumerate(self.classes):
                self.parts.append((y_true == cls, *_levels(scores[:, k]), None))
        else:
            for a, b in itertools.combinations(range(self.classes.size), 2):
                ab = (y_true == self.classes[a]) | (y_true == self.classes[b])
                for j in (a, b):
                    self.parts.append((y_true == self.classes[j], *_levels(scores[:, j]), ab))

    def __call__(self, cw: F) -> F:
        vals = [auc_from_counts(y_pos, level, nl, cw if mask is None else cw * mask)
                for y_pos, level, nl, mask in self.parts]
        v = np.column_stack(vals)
        if self.multi_class is None:
            return np.asarray(v[:, 0], dtype=np.float64)
        if self.multi_class == "ovr":
            if self.average == "weighted":
                sup = np.column_stack([(cw * y_pos).sum(axis=1) for y_pos, _, _, _ in self.parts])
                return np.asarray((v * sup).sum(axis=1) / sup.sum(axis=1), dtype=np.float64)
            return np.asarray(v.mean(axis=1), dtype=np.float64)
        pair = (v[:, 0::2] + v[:, 1::2]) / 2.0
        if self.average == "weighted":
            prev = np.column_stack([(cw * mask).sum(axis=1) for _, _, _, mask in self.parts[0::2]
                                    if mask is not None])
            return np.asarray((pair * prev).sum(axis=1) / prev.sum(axis=1), dtype=np.float64)
        return np.asarray(pair.mean(axis=1), dtype=np.float64)


def auc_reps_for(spec: MetricSpec, chk: Checked) -> AucReps | None:
    multi = spec.kwargs.get("multi_class")
    if multi is None:
        if np.unique(chk.y_true).size != 2 or chk.y_pred.ndim != 1:
            return None
        return AucReps(chk.y_true, chk.y_pred.astype(np.float64), None)
    if chk.y_pred.ndim != 2 or chk.y_pred.shape[1] != np.unique(chk.y_true).size:
        return None
    return AucReps(chk.y_true, chk.y_pred.astype(np.float64), str(multi),
                   str(spec.kwargs.get("average", "macro")))


def auc_bootstrap_interval(
    spec: MetricSpec, chk: Checked, value: float, confidence: float, n_resamples: int,
    rng: np.random.Generator,
) -> Interval | None:
    """Row bootstrap of (binary or multiclass) ROC AUC, vectorised through score levels."""
    reps_of = auc_reps_for(spec, chk)
    if reps_of is None:
        return None
    w = np.ones(chk.n) if chk.sample_weight is None else chk.sample_weight
    if not _close(float(reps_of(w[None, :])[0]), value):
        return None
    if reps_of.multi_class is None and chk.sample_weight is None:  # Mann-Whitney, same draws
        fast = _boot_fast.BinaryAuc(reps_of.parts[0][0], chk.y_pred.astype(np.float64))
        return bootstrap_interval(fast.replicates(n_resamples, rng), confidence,
                                  {"resampling": "row bootstrap (vectorised, score levels)",
                                   "n_resamples": n_resamples})
    out = np.empty(n_resamples)
    start = 0
    for c in _chunks(chk.n, n_resamples, width=2 * len(reps_of.parts)):
        out[start:start + c] = reps_of(resample_counts(chk.n, c, rng) * w)
        start += c
    return bootstrap_interval(out, confidence,
                              {"resampling": "row bootstrap (vectorised, score levels)",
                               "n_resamples": n_resamples})


def _prob_rows(spec: MetricSpec, chk: Checked) -> F | None:
    """Per-row log loss / Brier contributions as scikit-learn computes them, or None."""
    yt, p = chk.y_true, chk.y_pred.astype(np.float64)
    classes = np.unique(yt)
    if p.ndim == 1:
        if classes.size != 2:
            return None
        if spec.base == "brier":
            if not set(classes.tolist()) <= {0, 1, -1}:
                return None
            is_pos = yt == 1
            return np.asarray((is_pos - p) ** 2, dtype=np.float64)
        is_pos = yt == classes[1]
        eps = np.finfo(p.dtype).eps
        q = np.clip(np.where(is_pos, p, 1.0 - p), eps, 1 - eps)
        return np.asarray(-np.log(q), dtype=np.float64)
    if p.shape[1] != classes.size:
        return None
    code = np.searchsorted(classes, yt)
    if spec.base == "brier":
        onehot = np.zeros_like(p)
        onehot[np.arange(p.shape[0]), code] = 1.0
        scale = 0.5 if p.shape[1] < 3 else 1.0
        return np.asarray(scale * ((onehot - p) ** 2).sum(axis=1), dtype=np.float64)
    eps = np.finfo(p.dtype).eps
    q = np.clip(p, eps, 1 - eps)
    q = q / 1.0
    return np.asarray(-np.log(q[np.arange(p.shape[0]), code]), dtype=np.float64)


@dataclass(frozen=True)
class SumColumns:
    """A metric as a function of column sums: `finish(sums)` of resampled `cols` sums gives it.

    `rows` holds the per-row values of a mean-family metric (None for ratios of sums); `sqrt`
    says the metric is the root of that mean (RMSE); `grad` is the gradient of `finish` at one
    vector of sums (non-finite where the metric is not differentiable).
    """

    cols: F
    finish: Callable[[F], F]
    rows: F | None
    sqrt: bool
    grad: Callable[[F], F]


def _with_weights(w: F, st: F, unit: bool) -> F:
    """Columns [w, w * st] as one (n, 1 + k) array, without the product when every w is 1."""
    out = np.empty((st.shape[0], 1 + st.shape[1]), dtype=np.float64)
    out[:, 0] = w
    if unit:
        out[:, 1:] = st
    else:
        np.multiply(w[:, None], st, out=out[:, 1:])
    return out


def sum_columns(spec: MetricSpec, chk: Checked) -> SumColumns | None:
    """The (n, k) columns whose sums give the metric, or None when it is not such a metric."""
    w = np.ones(chk.n) if chk.sample_weight is None else chk.sample_weight
    sign = spec.sign
    if spec.family == "mean":
        if spec.base in _fast.MEANS:
            mf = _fast.MEANS[spec.base]
            rows = mf.row(chk.y_true.astype(np.float64), chk.y_pred.astype(np.float64))
            sqrt = mf.sqrt
        else:
            prob = _prob_rows(spec, chk)
            if prob is None:
                return None
            rows, sqrt = prob, False

        def mean_finish(s: F) -> F:
            m = s[:, 1] / s[:, 0]
            return sign * (np.sqrt(m) if sqrt else m)

        def mean_grad(s: F) -> F:
            s0, s1 = float(s[0]), float(s[1])
            m = s1 / s0
            outer = sign * (0.5 / math.sqrt(m) if sqrt and m > 0 else
                            (math.inf if sqrt else 1.0))
            return np.array([-outer * m / s0, outer / s0])

        return SumColumns(_with_weights(w, rows[:, None], chk.sample_weight is None),
                          mean_finish, rows, sqrt, mean_grad)
    if spec.family == "ratio" and spec.base in _fast.RATIOS:
        rf = _fast.RATIOS[spec.base]
        st = rf.stats(chk.y_true.astype(np.float64), chk.y_pred.astype(np.float64))

        def ratio_finish(s: F) -> F:
            return sign * rf.finish(s)

        def ratio_grad(s: F) -> F:
            return sign * rf.grad(s)

        return SumColumns(_with_weights(w, st, chk.sample_weight is None), ratio_finish, None,
                          False, ratio_grad)
    return None


def sums_interval(
    spec: MetricSpec, chk: Checked, params: dict[str, Any], value: float, confidence: float,
    n_resamples: int, rng: np.random.Generator, method: str,
) -> Interval | None:
    """Vectorised bootstrap (or a t interval) for means of per-row values and ratios of sums."""
    if params:
        return None
    sc = sum_columns(spec, chk)
    if sc is None:
        return None
    if method == "t" and sc.rows is not None:
        if sc.sqrt:
            raise ConfigError(f"ci_method: 't' applies to plain means; {spec.name!r} is a root")
        w = np.ones(chk.n) if chk.sample_weight is None else chk.sample_weight
        return _t_interval(sc.rows, w, chk, spec.sign, value, confidence)
    total = sc.cols.sum(axis=0)
    if not _close(float(sc.finish(total[None, :])[0]), value):
        return None
    why: dict[str, Any] = {}
    if method in ("delta", "auto"):
        out, why = delta_interval(sc, total, value, confidence, n_resamples,
                                  forced=method == "delta")
        if out is not None:
            return out
        if method == "delta":
            raise ConfigError(f"ci_method='delta' cannot be used for {spec.name!r} here "
                              f"({why['delta_declined']}); use 'bootstrap'")
    reps = sc.finish(_boot_fast.resampled_sums(sc.cols, n_resamples, rng))
    return bootstrap_interval(reps, confidence,
                              {"resampling": "row bootstrap (vectorised weighted sums)",
                               "n_resamples": n_resamples, **why})


def influence(sc: SumColumns, total: F) -> F | None:
    """Each row's linearised contribution to the metric (the sum of their squares is the
    delta-method variance); None where the metric is not differentiable at the data."""
    with np.errstate(all="ignore"):
        grad = sc.grad(total)
    if not np.all(np.isfinite(grad)):
        return None
    return np.asarray(sc.cols @ grad - float(total @ grad) / sc.cols.shape[0], dtype=np.float64)


def normal_error(d: F, confidence: float) -> float:
    """Estimated one-sided error of the interval's tail probability, for contributions d.

    The interval is studentized (its se comes from the same rows), so these are the Edgeworth
    terms of the studentized mean (Hall 1992, section 2.6): p1(z) = g (2z^2 + 1) / 6 over
    sqrt(n), p2(z) = z (k (z^2 - 3) / 12 - g^2 (z^4 + 2z^2 - 3) / 18 - (z^2 + 3) / 4) over n,
    times phi(z), with g the skewness and k the excess kurtosis of d.
    """
    n = d.size
    d2 = d * d
    m2 = float(d2.mean())
    if m2 <= 0:
        return math.inf
    gamma = float(np.einsum("i,i->", d2, d)) / n / (m2 * math.sqrt(m2))
    kappa = float(np.einsum("i,i->", d2, d2)) / n / m2 ** 2 - 3.0
    z = float(stats.norm.ppf(0.5 + confidence / 2.0))
    phi = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    first = abs(gamma) * (2.0 * z * z + 1.0) / (6.0 * math.sqrt(n))
    second = abs(z * (kappa * (z * z - 3.0) / 12.0
                      - gamma * gamma * (z ** 4 + 2.0 * z * z - 3.0) / 18.0
                      - (z * z + 3.0) / 4.0)) / n
    return (first + second) * phi


def delta_interval(sc: SumColumns, total: F, value: float, confidence: float, n_resamples: int,
                   forced: bool) -> tuple[Interval | None, dict[str, Any]]:
    """Delta-method interval: value +- t * se, se from the rows' influence on the metric.

    By default only when the normal approximation's estimated tail error is within the
    Monte-Carlo error of a `n_resamples` percentile bootstrap (which it then replaces at a
    fraction of the cost) and no row dominates; `forced` (ci_method='delta') skips the checks.
    Returns the interval or None, and the reason the bootstrap is used instead; `forced`
    gives a zero-width interval when every row contributes alike, and None only where the
    metric is not differentiable.
    """
    n = sc.cols.shape[0]
    d = influence(sc, total)
    if d is None:
        return None, {"delta_declined": "the metric is not differentiable at these data"}
    ss = float(np.einsum("i,i->", d, d))
    if forced and n < 2:
        return _too_few_rows(n, "delta", 2, "a delta-method interval"), {}
    if forced and ss == 0:
        return Interval((value, value), "delta", {
            "se": 0.0, "note": "every row contributes alike to the metric: the delta-method "
                               "interval has zero width"}), {}
    if not (math.isfinite(ss) and ss > 0 and n >= 2):
        return None, {"delta_declined": "the rows' influence on the metric is zero (every row "
                                        "contributes alike)"}
    a = (1.0 - confidence) / 2.0
    tol = math.sqrt(a * (1.0 - a) / n_resamples)
    err = normal_error(d, confidence)
    share = float(np.max(np.abs(d))) ** 2 / ss
    if not forced:
        if share > DELTA_MAX_ROW_SHARE:
            return None, {"delta_declined": f"one row carries {share:.1%} of the influence "
                                            f"variance (at most {DELTA_MAX_ROW_SHARE:.0%} for "
                                            "a normal interval)"}
        if err > tol:
            shown = _num(err, digits=2, tiny=True)
            return None, {"delta_declined": f"the normal approximation's estimated tail error "
                                            f"{shown} exceeds the bootstrap's Monte-Carlo "
                                            f"error {_num(tol, digits=2)}"}
    se = math.sqrt(ss * n / (n - 1.0))
    t = float(stats.t.ppf(0.5 + confidence / 2.0, n - 1))
    return Interval((value - t * se, value + t * se), "delta", {
        "se": se, "normal_error": err, "max_row_share": share,
        "bootstrap_mc_error": tol,
        "note": "delta method: a normal interval from each row's influence on the metric"
                + ("" if forced else
                   f"; at {n:,} rows its estimated tail error "
                   f"({_num(err, digits=2, tiny=True)}) is below the "
                   f"Monte-Carlo error of a {n_resamples}-resample bootstrap "
                   f"({_num(tol, digits=2)})"),
    }), {}


def _t_interval(rows: F, w: F, chk: Checked, sign: float, value: float,
                confidence: float) -> Interval | None:
    if chk.sample_weight is not None or chk.n < 2:
        return None
    se = float(np.std(rows, ddof=1)) / math.sqrt(chk.n)
    t = float(stats.t.ppf(0.5 + confidence / 2.0, chk.n - 1))
    return Interval((value - t * se, value + t * se), "t", {"se": se})


def median_interval(spec: MetricSpec, chk: Checked, value: float,
                    confidence: float) -> Interval | None:
    if chk.sample_weight is not None:
        return None
    err = np.abs(chk.y_true.astype(np.float64) - chk.y_pred.astype(np.float64))
    res = stats.quantile_test(err, q=float(np.median(err)), p=0.5)
    ci = res.confidence_interval(confidence_level=confidence)
    lo, hi = float(ci.low), float(ci.high)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        # the extreme order statistics cover the median with probability 1 - 2 * 0.5**n
        need = math.ceil(math.log2(2.0 / (1.0 - confidence)))
        return _too_few_rows(chk.n, "order-statistic", max(need, chk.n + 1),
                             f"a {confidence:.0%} order-statistic interval")
    if spec.sign < 0:
        lo, hi = -hi, -lo
    return Interval((lo, hi), "order-statistic", {})


def generic_bootstrap(
    spec: MetricSpec, chk: Checked, params: dict[str, Any], confidence: float, n_resamples: int,
    rng: np.random.Generator, progress: Callable[[int, int], None] | None = None,
) -> Interval:
    """Percentile bootstrap of rows, calling the metric once per resample (any metric)."""
    reps = np.full(n_resamples, np.nan)
    yt, yp, w = chk.y_true, chk.y_pred, chk.sample_weight
    failed = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for b in range(n_resamples):
            idx = rng.integers(0, chk.n, size=chk.n)
            try:
                reps[b] = spec.func(yt[idx], yp[idx], sample_weight=None if w is None else w[idx],
                                    **params)
            except (ValueError, ZeroDivisionError, FloatingPointError, IndexError):
                failed += 1
            if progress is not None:
                progress(b + 1, n_resamples)
    details: dict[str, Any] = {"resampling": "row bootstrap (one metric call per resample)",
                               "n_resamples": n_resamples}
    if failed or not np.isfinite(reps).all():
        details["failed_resamples"] = int((~np.isfinite(reps)).sum())
    out = bootstrap_interval(reps, confidence, details)
    if out.ci is None and "note" not in out.details:
        return Interval(None, "bootstrap", {
            **out.details, "note": "most resamples could not be scored (too few rows or classes)"})
    return out


def _constant_predictions(out: Interval, spec: MetricSpec, chk: Checked, value: float,
                          confidence: float) -> Interval:
    """A degenerate bootstrap caused by constant predictions says so. When the labels vary and
    the statistic equals its point value on at least `confidence` of the resamples, it is fixed
    by the predictions (balanced_accuracy 1/k, recall 1 or 0, kappa 0), not by the sample:
    more rows cannot narrow it, so the point value decides (method "none")."""
    pred = np.asarray(chk.y_pred)
    if pred.size == 0 or not bool(np.all(pred == pred[:1])):
        return out
    first = pred[0]
    shown = first.tolist() if isinstance(first, np.ndarray) else getattr(first, "item",
                                                                         lambda: first)()
    what = f"every row predicts {shown!r}"
    truth = np.asarray(chk.y_true)
    labels_vary = truth.size > 0 and not bool(np.all(truth == truth[:1]))
    details = {**out.details, "constant_predictions": True}
    modal, share = details.get("modal_replicate"), details.get("modal_share", 0.0)
    if labels_vary and modal is not None and _close(modal, value) and share >= confidence:
        details["note"] = (f"the predictions are constant ({what}): {spec.name} is {_num(value)} "
                           f"on {share:.1%} of the resamples whatever the rows, so more rows "
                           "cannot narrow it; the point value decides")
        return Interval(None, "none", details)
    details["note"] = f"the predictions are constant ({what}); {details.get('note', '')}"
    return Interval(None, out.method, details)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b))


# --- dispatch -------------------------------------------------------------------------------------


def compute_interval(
    spec: MetricSpec, chk: Checked, params: dict[str, Any], value: float, *, confidence: float,
    n_resamples: int, seed: int, ci_method: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> Interval:
    """The interval for `spec` at `confidence`, by the family default or `ci_method`."""
    method = normalise_method(ci_method)
    rng = np.random.default_rng(seed)
    fam = spec.family
    out: Interval | None = None
    if fam == "max" and method in (None, "order-statistic"):
        return Interval(None, "none", {
            "note": f"no valid interval for {spec.name!r}: the bootstrap is inconsistent for a "
                    "maximum; the gate decides on the point value"})
    if method in ("wilson", "clopper-pearson") and not (
            fam == "proportion" and chk.sample_weight is None and not params):
        raise ConfigError(
            f"ci_method={ci_method!r} applies to unweighted proportions such as 'accuracy', "
            f"not {spec.name!r}; leave ci_method unset or use 'bootstrap'")
    if method == "delong" and (fam != "auc" or "multi_class" in spec.kwargs):
        raise ConfigError(f"ci_method='delong' applies to binary 'roc_auc', not {spec.name!r}")
    if method == "order-statistic" and fam != "median":
        raise ConfigError(f"ci_method='order-statistic' applies to 'median_ae', not {spec.name!r}")
    if method == "t" and fam != "mean":
        raise ConfigError(f"ci_method='t' applies to means of per-row losses, not {spec.name!r}")
    if method == "delta" and fam not in ("mean", "ratio"):
        raise ConfigError(f"ci_method='delta' applies to means of per-row losses and ratios of "
                          f"sums (mse, log_loss, r2...), not {spec.name!r}; use 'bootstrap'")

    if fam == "proportion" and method in (None, "wilson", "clopper-pearson") and (
            chk.sample_weight is None and not params):
        correct = int(np.count_nonzero(chk.y_true == chk.y_pred))
        lo, hi = proportion_interval(correct, chk.n, confidence, method or "wilson")
        return Interval((lo, hi), method or "wilson", {"successes": correct})
    if fam == "calibration" and method in (None, "bootstrap"):
        from ._calibration import calibration_interval

        ci, info = calibration_interval(chk.y_true, chk.y_pred, which=str(spec.base),
                                        confidence=confidence, n_resamples=n_resamples, seed=seed,
                                        sample_weight=chk.sample_weight,
                                        **{**spec.kwargs, **params})
        return Interval(ci, "bootstrap", info)
    if method in (None, "bootstrap") and chk.n < MIN_BOOTSTRAP_ROWS and not (
            fam == "auc" and method is None and "multi_class" not in spec.kwargs):
        return _too_few_rows(chk.n, "bootstrap", MIN_BOOTSTRAP_ROWS, "a bootstrap interval")
    if fam in ("proportion", "confusion") and method in (None, "bootstrap"):
        out = confusion_interval(spec, chk, params, value, confidence, n_resamples, rng)
    elif fam == "auc" and not params:
        if method in (None, "delong") and "multi_class" not in spec.kwargs:
            out = delong_interval(chk, spec, value, confidence)
        if out is None and method != "delong":
            out = auc_bootstrap_interval(spec, chk, value, confidence, n_resamples, rng)
    elif fam in ("mean", "ratio") and method in (None, "bootstrap", "t", "delta"):
        auto = "auto" if chk.n >= DELTA_MIN_ROWS else "bootstrap"
        out = sums_interval(spec, chk, params, value, confidence, n_resamples, rng,
                            method or auto)
    elif fam == "median" and method in (None, "order-statistic"):
        out = median_interval(spec, chk, value, confidence)
    if out is None:
        if method not in (None, "bootstrap"):
            raise ConfigError(
                f"ci_method={ci_method!r} cannot be used for {spec.name!r} with these inputs "
                "(weights or extra parameters); use 'bootstrap'")
        out = generic_bootstrap(spec, chk, params, confidence, n_resamples, rng, progress)
    if out.ci is None and "distinct_replicates" in out.details:
        out = _constant_predictions(out, spec, chk, value, confidence)
    if out.ci is not None:
        lo, hi = out.ci
        blo, bhi = spec.bounds
        # an interval that excludes its own estimate is never useful for gating
        lo, hi = max(min(lo, value), blo), min(max(hi, value), bhi)
        out = Interval((float(lo), float(hi)), out.method, out.details)
    return out
