"""Champion vs challenger on the same rows: paired non-inferiority / superiority tests.

The gated quantity is delta = metric(candidate) - metric(baseline). "May lose at most X" is
delta >= -X (for a loss: delta <= X); "must gain at least X" is delta >= X. `confidence` is
one-sided: the interval reported is the two-sided (2c - 1) interval, so each end is a one-sided
bound at c.

accuracy   McNemar, conditional on the discordant pairs: exact (Clopper-Pearson, the inversion
           of the exact binomial test) or mid-p.
roc_auc    paired DeLong (the covariance of the two AUCs on the same rows).
any        paired bootstrap, the same resamples for both models (confusion metrics resample
           the joint (true, candidate, baseline) cells: O(resamples), not O(rows x resamples)).
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, stats

from pytest_modelgate._numbers import format_interval
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._params import CONFIDENCE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.results import decide as _decide

from . import _boot_fast, _ci
from ._evaluate import check_resamples, compute_value, resolve_metric, rows_needed
from ._inputs import Checked, check_inputs
from ._registry import MetricSpec

__all__ = ["COMPARE_METHODS", "CompareResult", "compare", "joint_cells_bootstrap",
           "paired_interval"]

COMPARE_METHODS = ("mcnemar-exact", "mcnemar-midp", "delong", "bootstrap", "delta")
F = NDArray[np.float64]


@dataclass(frozen=True)
class CompareResult:
    """A paired comparison: both values, delta = candidate - baseline, its one-sided bounds.

    `limit` is the delta the candidate must clear (-max_drop, or min_gain; mirrored for metrics
    where lower is better); `verdict` is passed / failed / inconclusive as in `results.decide`;
    `rows_needed` estimates the rows that would decide an inconclusive comparison.
    """

    name: str
    candidate: float
    baseline: float
    delta: float
    ci: tuple[float, float] | None
    method: str
    n: int
    direction: str
    confidence: float
    limit: float
    max_drop: float
    min_gain: float | None
    verdict: str
    margin: float | None
    reason: str = ""
    p_value: float | None = None
    rows_needed: int | None = None
    n_resamples: int | None = None
    seed: int | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in (
            "name", "candidate", "baseline", "delta", "method", "n", "direction", "confidence",
            "limit", "max_drop", "min_gain", "verdict", "margin", "reason", "p_value",
            "rows_needed", "n_resamples", "seed")}
        out["ci"] = list(self.ci) if self.ci is not None else None
        out["details"] = dict(self.details)
        return out


def _as_pair(spec: MetricSpec, y_true: Any, candidate: Any, baseline: Any,
             sample_weight: Any) -> tuple[Checked, Checked]:
    try:
        c = check_inputs(spec, y_true, candidate, sample_weight)
    except InputError as exc:
        raise InputError(str(exc).replace("y_pred", "candidate_pred")) from None
    try:
        b = check_inputs(spec, y_true, baseline, sample_weight)
    except InputError as exc:
        raise InputError(str(exc).replace("y_pred", "baseline_pred")) from None
    if c.y_pred.shape != b.y_pred.shape:
        raise InputError(f"candidate_pred {c.y_pred.shape} and baseline_pred {b.y_pred.shape} "
                         "must have the same shape (the same rows, scored by both models)")
    return c, b


def _mcnemar(c: Checked, b: Checked, confidence: float, limit: float, midp: bool,
             higher: bool) -> tuple[tuple[float, float], float | None, dict[str, Any]]:
    """Conditional McNemar interval for delta = (b - c) / n and the one-sided p-value at 0."""
    cand_ok = c.y_true == c.y_pred
    base_ok = b.y_true == b.y_pred
    nb = int(np.count_nonzero(cand_ok & ~base_ok))  # only the candidate is right
    nc = int(np.count_nonzero(~cand_ok & base_ok))  # only the baseline is right
    m = nb + nc
    n = c.n
    info: dict[str, Any] = {"candidate_only_right": nb, "baseline_only_right": nc,
                            "discordant": m}
    if m == 0:
        return (0.0, 0.0), None, info
    alpha = 1.0 - confidence
    if midp:
        lo, hi = _midp_bounds(nb, m, alpha)
    else:
        lo = float(stats.binomtest(nb, m, alternative="greater").proportion_ci(
            confidence_level=confidence, method="exact").low)
        hi = float(stats.binomtest(nb, m, alternative="less").proportion_ci(
            confidence_level=confidence, method="exact").high)
    scale = m / n
    ci = ((2 * lo - 1) * scale, (2 * hi - 1) * scale)
    p = None
    if limit == 0.0:
        alt = "greater" if higher else "less"
        p = float(stats.binomtest(nb, m, 0.5, alternative=alt).pvalue)
        if midp:
            p -= 0.5 * float(stats.binom.pmf(nb, m, 0.5))
    return ci, p, info


def _midp_bounds(k: int, m: int, alpha: float) -> tuple[float, float]:
    """One-sided mid-p bounds for a binomial proportion (inverting the mid-p exact test)."""

    def upper_tail(pi: float) -> float:  # mid-P(X >= k | pi)
        return float(stats.binom.sf(k, m, pi) + 0.5 * stats.binom.pmf(k, m, pi))

    def lower_tail(pi: float) -> float:  # mid-P(X <= k | pi)
        return float(stats.binom.cdf(k - 1, m, pi) + 0.5 * stats.binom.pmf(k, m, pi))

    lo = 0.0 if k == 0 else float(optimize.brentq(lambda p: upper_tail(p) - alpha, 1e-12,
                                                  1 - 1e-12, xtol=1e-14))
    hi = 1.0 if k == m else float(optimize.brentq(lambda p: lower_tail(p) - alpha, 1e-12,
                                                  1 - 1e-12, xtol=1e-14))
    return lo, hi


def _paired_delong(c: Checked, b: Checked, confidence: float) -> tuple[float, float, float]:
    classes = np.unique(c.y_true)
    y_pos = c.y_true == classes[1]
    scores = np.column_stack([c.y_pred.astype(np.float64), b.y_pred.astype(np.float64)])
    aucs, v10, v01 = _ci.delong_components(y_pos, scores)
    m, nn = v10.shape[0], v01.shape[0]
    s10 = np.cov(v10, rowvar=False) if m > 1 else np.zeros((2, 2))
    s01 = np.cov(v01, rowvar=False) if nn > 1 else np.zeros((2, 2))
    contrast = np.array([1.0, -1.0])
    var = float(contrast @ s10 @ contrast / m + contrast @ s01 @ contrast / nn)
    return float(aucs[0] - aucs[1]), math.sqrt(max(var, 0.0)), var


def joint_cells_bootstrap(fast: Any, tc: NDArray[np.int64], tb: NDArray[np.int64], k: int,
                          pos: int, n_resamples: int, rng: np.random.Generator) -> F:
    """Paired bootstrap replicates of a confusion metric's delta, O(resamples x K^3): `tc`/`tb`
    are the rows' cells (true * K + pred) for the candidate and the baseline."""
    # cell of a row: (true, candidate pred, baseline pred)
    cell = (tc // k) * k * k + (tc % k) * k + (tb % k)
    counts = np.bincount(cell, minlength=k ** 3).astype(np.float64)
    draws = rng.multinomial(tc.size, counts / counts.sum(), size=n_resamples)
    cube = draws.reshape(n_resamples, k, k, k).astype(np.float64)
    return np.asarray(fast(cube.sum(axis=3), pos) - fast(cube.sum(axis=2), pos), dtype=np.float64)


def _paired_bootstrap(spec: MetricSpec, c: Checked, b: Checked, params: dict[str, Any],
                      n_resamples: int, rng: np.random.Generator) -> tuple[F, str]:
    """Bootstrap replicates of delta with the same resamples for both models."""
    fast = _ci.confusion_fast(spec)
    if fast is not None and c.sample_weight is None and not (set(params) - {"pos_label"}):
        joint = Checked(np.concatenate([c.y_true, c.y_true]),
                        np.concatenate([c.y_pred, b.y_pred]), None, 2 * c.n)
        codes, k, pos = _ci.confusion_codes(spec, joint, params)
        return (joint_cells_bootstrap(fast, codes[:c.n], codes[c.n:], k, pos, n_resamples, rng),
                "multinomial resampling of the joint (true, candidate, baseline) cells")
    if spec.family in ("mean", "ratio") and not params:
        sc = _ci.sum_columns(spec, c)
        sb = _ci.sum_columns(spec, b)
        if sc is not None and sb is not None:
            sums = _boot_fast.resampled_sums(np.column_stack([sc.cols, sb.cols]), n_resamples, rng)
            kc = sc.cols.shape[1]
            return (sc.finish(sums[:, :kc]) - sb.finish(sums[:, kc:]),
                    "row bootstrap (vectorised weighted sums)")
    reps = np.full(n_resamples, np.nan)
    w = c.sample_weight
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n_resamples):
            idx = rng.integers(0, c.n, size=c.n)
            wi = None if w is None else w[idx]
            with contextlib.suppress(ValueError, ZeroDivisionError, FloatingPointError, IndexError):
                reps[i] = (spec.func(c.y_true[idx], c.y_pred[idx], sample_weight=wi, **params)
                           - spec.func(c.y_true[idx], b.y_pred[idx], sample_weight=wi, **params))
    return reps, "row bootstrap (one metric call per model per resample)"


def _paired_delta(spec: MetricSpec, c: Checked, b: Checked, params: dict[str, Any],
                  delta: float, two_sided: float, n_resamples: int,
                  forced: bool) -> tuple[_ci.Interval | None, dict[str, Any]]:
    """Delta-method interval of delta for means and ratios of sums (as `_ci.delta_interval`:
    by default only where it is as good as the bootstrap); None and the reason otherwise."""
    if spec.family not in ("mean", "ratio") or params:
        return None, {}
    sc, sb = _ci.sum_columns(spec, c), _ci.sum_columns(spec, b)
    if sc is None or sb is None:
        return None, {}
    kc = sc.cols.shape[1]
    fc, fb, gc, gb = sc.finish, sb.finish, sc.grad, sb.grad

    def diff(s: F) -> F:
        return np.asarray(fc(s[:, :kc]) - fb(s[:, kc:]), dtype=np.float64)

    def diff_grad(s: F) -> F:
        return np.concatenate([gc(s[:kc]), -gb(s[kc:])])

    both = _ci.SumColumns(np.column_stack([sc.cols, sb.cols]), diff, None, False, diff_grad)
    return _ci.delta_interval(both, both.cols.sum(axis=0), delta, two_sided, n_resamples,
                              forced=forced)


def paired_interval(
    spec: MetricSpec, c: Checked, b: Checked, params: dict[str, Any], delta: float,
    conf: float, limit: float, *, n_resamples: int, rng: np.random.Generator,
    method: str | None = None,
) -> tuple[tuple[float, float] | None, str, float | None, dict[str, Any], int | None]:
    """The paired test of delta = metric(c) - metric(b) on the same rows: its (2 conf - 1)
    interval (each end a one-sided bound at `conf`), the method, the one-sided p-value against
    `limit` when the method gives one, details, and the resamples used (None: analytic)."""
    higher = spec.direction == "higher"
    two_sided = 2.0 * conf - 1.0
    p_value: float | None = None
    used_resamples: int | None = None
    details: dict[str, Any]
    auto_mcnemar = (spec.base == "accuracy" and spec.family == "proportion" and not params
                    and c.sample_weight is None)
    auto_delong = (spec.family == "auc" and c.sample_weight is None and c.y_pred.ndim == 1
                   and np.unique(c.y_true).size == 2)
    if method in ("mcnemar-exact", "mcnemar-midp") and not auto_mcnemar:
        raise ConfigError(f"method={method!r} applies to unweighted 'accuracy', not {spec.name!r}")
    if method == "delta" and spec.family not in ("mean", "ratio"):
        raise ConfigError(f"method='delta' applies to means of per-row losses and ratios of "
                          f"sums (mse, log_loss, r2...), not {spec.name!r}")
    if method == "delong" and not auto_delong:
        raise ConfigError(f"method='delong' applies to binary 'roc_auc' (unweighted, 1-D "
                          f"scores), not {spec.name!r}")
    ci: tuple[float, float] | None
    if (method is None and auto_mcnemar) or method in ("mcnemar-exact", "mcnemar-midp"):
        midp = method == "mcnemar-midp"
        ci, p_value, details = _mcnemar(c, b, conf, limit, midp, higher)
        used = "mcnemar-midp" if midp else "mcnemar-exact"
    elif (method is None and auto_delong) or method == "delong":
        d, se, _ = _paired_delong(c, b, conf)
        z = float(stats.norm.ppf(conf))
        ci = (delta - z * se, delta + z * se)
        details = {"se": se, "delong_delta": d}
        if se > 0:
            zstat = (delta - limit) / se
            p_value = float(stats.norm.sf(zstat) if higher else stats.norm.cdf(zstat))
        used = "delong"
    else:
        found: _ci.Interval | None = None
        declined: dict[str, Any] = {}
        if method == "delta" or (method is None and c.n >= _ci.DELTA_MIN_ROWS):
            found, declined = _paired_delta(spec, c, b, params, delta, two_sided, n_resamples,
                                            forced=method == "delta")
            if found is None and method == "delta":
                raise ConfigError(f"method='delta' cannot be used for {spec.name!r} here "
                                  f"({declined.get('delta_declined', 'extra parameters')}); "
                                  "use 'bootstrap'")
        if found is not None:
            ci, details, used = found.ci, dict(found.details), "delta"
            se = float(details["se"])
            if se > 0:
                dist = stats.t(c.n - 1)
                tstat = (delta - limit) / se
                p_value = float(dist.sf(tstat) if higher else dist.cdf(tstat))
        else:
            reps, how = _paired_bootstrap(spec, c, b, params, n_resamples, rng)
            ci = _ci.percentile(reps, two_sided)
            details = {"resampling": how, "n_resamples": n_resamples, **declined}
            bad = int((~np.isfinite(reps)).sum())
            if bad:
                details["failed_resamples"] = bad
            used = "bootstrap"
            used_resamples = n_resamples
    if ci is not None:
        ci = (min(ci[0], delta), max(ci[1], delta))
    return ci, used, p_value, details, used_resamples


def compare(
    name: str | MetricSpec | Callable[..., Any],
    y_true: Any,
    candidate: Any,
    baseline: Any,
    *,
    max_drop: float = 0.0,
    min_gain: float | None = None,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    method: str | None = None,
    average: str | None = None,
    power: float = 0.8,
    decide: str = "interval",
    **params: Any,
) -> CompareResult:
    """Paired comparison of two models' predictions on the same rows.

    Passes when the one-sided `confidence` bound of delta = candidate - baseline clears the
    limit: -max_drop ("may lose at most max_drop"), or min_gain ("must gain at least min_gain").
    For metrics where lower is better the limits are mirrored (delta <= max_drop / <= -min_gain).
    Fails only when the whole two-sided interval misses the limit, unless `decide="point"`.
    """
    spec = resolve_metric(name, average)
    conf = float(check_param(confidence, "confidence", CONFIDENCE))
    check_resamples(n_resamples)
    for arg, val in (("max_drop", max_drop), ("min_gain", min_gain)):
        if val is not None and (isinstance(val, bool) or not isinstance(val, (int, float))
                                or not math.isfinite(val)):
            raise ConfigError(f"{arg}: must be a finite number, got {val!r}")
    if max_drop is None:
        max_drop = 0.0
    if max_drop < 0:
        raise ConfigError(f"max_drop: must be >= 0 (the loss the candidate may show), got "
                          f"{max_drop}; to demand an improvement use min_gain=")
    if method is not None and method not in COMPARE_METHODS:
        raise ConfigError(f"method: unknown compare method {method!r}; choose one of "
                          f"{', '.join(COMPARE_METHODS)} or leave it unset")
    c, b = _as_pair(spec, y_true, candidate, baseline, sample_weight)
    vc = compute_value(spec, c.y_true, c.y_pred, c.sample_weight, params)
    vb = compute_value(spec, b.y_true, b.y_pred, b.sample_weight, params)
    delta = vc - vb
    higher = spec.direction == "higher"
    if min_gain is not None:
        limit = float(min_gain) if higher else -float(min_gain)
    else:
        limit = 0.0 - float(max_drop) if higher else float(max_drop)
    two_sided = 2.0 * conf - 1.0
    rng = np.random.default_rng(seed)
    ci, used, p_value, details, used_resamples = paired_interval(
        spec, c, b, params, delta, conf, limit, n_resamples=n_resamples, rng=rng, method=method)
    if decide not in ("interval", "point"):
        raise ConfigError(f"decide: must be 'interval' or 'point', got {decide!r}")
    dec = _decide(delta, ci, min=limit) if higher else _decide(delta, ci, max=limit)
    verdict, margin, reason = dec.verdict, dec.margin, dec.reason
    if verdict == "failed" and decide == "interval" and ci is not None and (
            ci[0] <= limit <= ci[1]):
        verdict = "inconclusive"
        reason = f"{reason}, but the interval {format_interval(*ci)} still reaches the limit"
    if ci is None and verdict == "passed":  # no interval on these rows: never a silent pass
        verdict, reason = "inconclusive", "the interval could not be computed on these rows"
    if p_value is not None:
        details["p_value_null"] = f"delta {'<=' if higher else '>='} {_num(limit, digits=6)}"
    need = None
    if verdict == "inconclusive" and ci is not None:
        need = rows_needed(delta, limit, n=c.n, ci=ci, confidence=two_sided, power=power)
    details.update({"candidate": vc, "baseline": vb})
    return CompareResult(
        name=spec.name, candidate=vc, baseline=vb, delta=delta,
        ci=(float(ci[0]), float(ci[1])) if ci is not None else None, method=used, n=c.n,
        direction=spec.direction, confidence=conf, limit=limit, max_drop=float(max_drop),
        min_gain=None if min_gain is None else float(min_gain), verdict=verdict, margin=margin,
        reason=reason, p_value=p_value, rows_needed=need, n_resamples=used_resamples,
        seed=seed if used_resamples else None, details=details,
    )
