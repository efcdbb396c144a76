"""The naive baseline: the metric of the best trivial predictor on the same rows, and a paired
test of the model against it.

A metric gate that a constant predictor passes (92% accuracy on 92/8 data) says nothing about the
model. Per metric, the naive predictor is the trivial one that metric rewards most:

classification on labels  most-frequent class (accuracy, balanced accuracy, MCC, kappa; the
                          weighted mode with sample_weight); for precision / f1 / jaccard /
                          fbeta the strongest of most-frequent, always one class (binary: the
                          positive class; averaged: each class) and a seeded draw from the
                          class prior (stratified) or uniform over the classes; for binary
                          recall the two seeded draws only (always predicting the positive class has
                          recall 1 by construction).
scores / probabilities    the class prior as a constant score (roc_auc 0.5, average precision
                          = prevalence, log loss / Brier of the prior).
regression                the best constant for the loss: the mean (squared error, r2,
                          explained variance, Poisson/gamma deviance), the median (absolute
                          error; for median absolute error also the shorth's midpoint), the 1/|y|-weighted median (MAPE), exp(mean log1p y) - 1
                          (squared log error), the mid-range (max error).

The constants are fitted on the evaluated rows themselves: the strongest naive predictor, the
one r2 already measures against. Metrics with no naive predictor (clustering agreement, multilabel
`*_samples`, likelihood ratios, registered custom metrics) return None with a reason.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate._numbers import format_interval
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._numbers import format_signed as _sgn

from ._evaluate import compute_value, resolve_metric, rows_needed
from ._inputs import Checked, check_inputs
from ._registry import MetricSpec, scorer_params

__all__ = [
    "NaiveResult",
    "against_naive",
    "naive_baseline",
    "naive_candidates",
    "no_naive_reason",
    "task_of",
]

_MODE = frozenset({"accuracy_score", "balanced_accuracy_score", "matthews_corrcoef",
                   "cohen_kappa_score"})
_MODE_OR_PRIOR = frozenset({"precision_score", "f1_score", "jaccard_score", "fbeta_score",
                            "recall_score"})
_MAX_CONSTANTS = 32  # averaged metrics: try each constant class up to this many classes
_SCORES = frozenset({"roc_auc_score", "average_precision_score", "log_loss",
                     "brier_score_loss", "top_k_accuracy_score", "d2_log_loss_score",
                     "d2_brier_score"})
_MEAN = frozenset({"mean_squared_error", "root_mean_squared_error", "r2_score",
                   "explained_variance_score", "mean_poisson_deviance", "mean_gamma_deviance"})
_MEDIAN = frozenset({"mean_absolute_error", "median_absolute_error", "d2_absolute_error_score"})
_OTHER_REG = frozenset({"mean_absolute_percentage_error", "mean_squared_log_error",
                        "root_mean_squared_log_error", "max_error"})


def task_of(func_name: str) -> str | None:
    """"classification" / "regression" for the scikit-learn metric functions with a naive
    predictor, else None."""
    if func_name in _MODE | _MODE_OR_PRIOR | _SCORES:
        return "classification"
    if func_name in _MEAN | _MEDIAN | _OTHER_REG:
        return "regression"
    return None


@dataclass(frozen=True)
class NaiveResult:
    """The model against the naive predictor on the same rows.

    `delta` = model - naive in the metric's "better" direction (positive: the model is better);
    `ci` its two-sided (2c - 1) interval from the paired test (each end a one-sided bound at c),
    or None without `confidence`. `verdict`: passed (the model beats naive + margin), failed
    (it does not), inconclusive (the interval holds the limit).
    """

    predictor: str
    predicts: str
    value: float
    model_value: float
    delta: float
    margin: float
    ci: tuple[float, float] | None
    method: str
    confidence: float | None
    verdict: str
    decision_margin: float
    reason: str
    n: int
    p_value: float | None = None
    rows_needed: int | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"predictor": self.predictor, "predicts": self.predicts, "value": self.value,
                "n": self.n, "model": self.model_value,
                "delta": self.delta, "margin": self.margin,
                "ci": list(self.ci) if self.ci is not None else None, "method": self.method,
                "confidence": self.confidence, "verdict": self.verdict,
                "decision_margin": self.decision_margin, "p_value": self.p_value,
                "rows_needed": self.rows_needed, **self.details}


def _func_name(spec: MetricSpec) -> str | None:
    f = spec.sklearn_func
    return getattr(f, "__name__", None) if f is not None else None


def no_naive_reason(spec: MetricSpec) -> str | None:
    """Why `spec` has no naive predictor, or None when it has one."""
    fname = _func_name(spec)
    if fname is None:
        return (f"no naive baseline is known for the custom metric {spec.name!r}; the naive "
                "check was skipped")
    if spec.task == "multilabel":
        return f"no naive baseline for the multilabel metric {spec.name!r}; check skipped"
    if spec.task == "clustering":
        return (f"no naive baseline for the clustering metric {spec.name!r} (adjusted scores "
                "are chance-corrected already); check skipped")
    if fname in _MODE | _MODE_OR_PRIOR | _SCORES | _MEAN | _MEDIAN | _OTHER_REG:
        return None
    return f"no naive baseline is known for {spec.name!r}; the naive check was skipped"


def _weighted_median(y: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    order = np.argsort(y, kind="stable")
    ys, cw = y[order], np.cumsum(w[order])
    half = cw[-1] / 2.0
    i = int(np.searchsorted(cw, half))
    if math.isclose(float(cw[i]), float(half)) and i + 1 < ys.size:
        return float((ys[i] + ys[i + 1]) / 2.0)
    return float(ys[i])


def _fmt(x: Any) -> str:
    return _num(x) if isinstance(x, (float, np.floating)) else repr(
        x.item() if isinstance(x, np.generic) else x)


@dataclass(frozen=True)
class _Codes:
    """Labels of y_true and y_pred (and a binary metric's pos_label) with each row's codes, found
    by one `np.unique`: naive predictions and both confusion matrices are built from them."""

    labels: NDArray[Any]
    t: NDArray[np.int64]
    m: NDArray[np.int64]
    k: int
    pos: int


def _encode(values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Sorted distinct values and each value's index: O(n) by a lookup table for small-range
    integer labels (the usual class codes), else `np.unique` (a sort)."""
    if values.dtype.kind in "iub" and values.size:
        lo, hi = int(values.min()), int(values.max())
        if hi - lo <= max(1024, 4 * values.size):
            shifted = values.astype(np.int64) - lo
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[shifted] = True
            lut = np.cumsum(present, dtype=np.int64) - 1
            labels = (np.flatnonzero(present) + lo).astype(values.dtype)
            return labels, lut[shifted]
    labels, inv = np.unique(values, return_inverse=True)
    return labels, inv.ravel().astype(np.int64)


def _codes(spec: MetricSpec, chk: Checked, params: dict[str, Any]) -> _Codes:
    n = chk.n
    both = np.concatenate([chk.y_true, chk.y_pred])
    pos_label = params.get("pos_label", 1)
    binary = spec.average == "binary" and pos_label is not None
    if binary:
        both = np.concatenate([both, np.asarray([pos_label], dtype=both.dtype)])
    labels, inv = _encode(both)
    pos = int(np.searchsorted(labels, np.asarray(pos_label, dtype=labels.dtype))) if binary else 0
    return _Codes(labels, inv[:n], inv[n:2 * n], int(labels.size), pos)


def naive_candidates(spec: MetricSpec, chk: Checked, params: dict[str, Any],
                     seed: int) -> list[tuple[str, str, NDArray[Any]]]:
    """The naive predictions to try for `spec` on these rows: (predictor, what it predicts,
    predictions shaped like y_pred). The caller keeps the candidate the metric rates best."""
    return [(a, b, c) for a, b, c, _ in _candidates(spec, chk, params, seed)]


def _candidates(spec: MetricSpec, chk: Checked, params: dict[str, Any], seed: int,
                codes: _Codes | None = None,
                ) -> list[tuple[str, str, NDArray[Any], NDArray[np.int64] | None]]:
    """`naive_candidates`, with each label prediction's codes (None for scores/regression)."""
    fname = _func_name(spec) or ""
    yt, yp = chk.y_true, chk.y_pred
    w = np.ones(chk.n) if chk.sample_weight is None else chk.sample_weight
    n = chk.n
    if fname in _MODE or fname in _MODE_OR_PRIOR:
        enc = codes or _codes(spec, chk, params)
        share = np.bincount(enc.t, weights=w, minlength=enc.k)
        top = int(np.argmax(share))
        out: list[tuple[str, str, NDArray[Any], NDArray[np.int64] | None]] = []
        binary_recall = fname == "recall_score" and spec.kwargs.get("average",
                                                                    "binary") == "binary"
        if not binary_recall:
            idx = np.full(n, top, dtype=np.int64)
            out.append(("most-frequent", f"always {_fmt(enc.labels[top])}",
                        enc.labels[idx].astype(yt.dtype), idx))
        if fname in _MODE_OR_PRIOR:
            # DummyClassifier(strategy="constant"): always one class. Binary: the positive class
            # (f1 2p/(1+p) beats the stratified draw's p); averaged: every class (few classes)
            if spec.average == "binary" and not binary_recall:
                consts = [enc.pos] if enc.pos != top else []
            elif spec.average != "binary" and enc.k <= _MAX_CONSTANTS:
                consts = [c for c in range(enc.k) if c != top]
            else:
                consts = []
            for cls in consts:
                idx = np.full(n, cls, dtype=np.int64)
                out.append(("constant", f"always {_fmt(enc.labels[cls])}",
                            enc.labels[idx].astype(yt.dtype), idx))
            rng = np.random.default_rng([seed, 0x6E61])  # its own stream: not the bootstrap's
            idx = rng.choice(enc.k, size=n, p=share / share.sum()).astype(np.int64)
            out.append(("stratified", "seeded draws from the class prior",
                        enc.labels[idx].astype(yt.dtype), idx))
            # DummyClassifier(strategy="uniform"): binary recall of a coin flip is 0.5, above the
            # stratified draw's prevalence when the positive class is the minority
            rng = np.random.default_rng([seed, 0x756E])
            idx = rng.integers(0, enc.k, size=n).astype(np.int64)
            out.append(("uniform", "seeded uniform draws over the classes",
                        enc.labels[idx].astype(yt.dtype), idx))
        return out
    if fname in _SCORES:
        classes, inv = np.unique(yt, return_inverse=True)
        share = np.bincount(inv.ravel(), weights=w, minlength=classes.size)
        prior = share / share.sum()
        if yp.ndim == 1:
            p = float(prior[-1])
            return [("prior-score", f"constant {_num(p)}", np.full(n, p), None)]
        if yp.shape[1] != classes.size:
            return []
        return [("prior-score", "the class shares as constant probabilities",
                 np.tile(prior, (n, 1)), None)]
    y = yt.astype(np.float64)
    unweighted = chk.sample_weight is None
    if fname in _MEAN:
        c, what = float(np.mean(y) if unweighted else np.average(y, weights=w)), "mean"
    elif fname in _MEDIAN:
        c, what = float(np.median(y)) if unweighted else _weighted_median(y, w), "median"
    elif fname == "mean_absolute_percentage_error":
        eps = np.finfo(np.float64).eps
        c, what = _weighted_median(y, w / np.maximum(np.abs(y), eps)), "1/|y|-weighted median"
    elif fname in ("mean_squared_log_error", "root_mean_squared_log_error"):
        if (y <= -1).any():
            return []
        c, what = float(np.expm1(np.average(np.log1p(y), weights=w))), "log-mean"
    elif fname == "max_error":
        c, what = float((y.max() + y.min()) / 2.0), "mid-range"
    else:
        return []
    out_r: list[tuple[str, str, NDArray[Any], NDArray[np.int64] | None]] = [
        (what, f"always {_num(c)}", np.full(n, c), None)]
    if fname == "median_absolute_error":
        # its best constant is the midpoint of the shortest window holding half the rows (the
        # shorth), not the median: try both windows around n/2
        ys = np.sort(y)
        for k in sorted({(n + 1) // 2, n // 2 + 1}):
            if 1 <= k <= n:
                i = int(np.argmin(ys[k - 1:] - ys[:n - k + 1]))
                m = float((ys[i] + ys[i + k - 1]) / 2.0)
                out_r.append(("shorth-midpoint", f"always {_num(m)}", np.full(n, m), None))
    return out_r


def _weighted_joint_reps(fast: Any, tc: NDArray[np.int64], tb: NDArray[np.int64], k: int,
                        pos: int, w: NDArray[np.float64], n_resamples: int,
                        rng: np.random.Generator) -> NDArray[np.float64]:
    """Paired row bootstrap of a confusion metric's delta with row weights, vectorised: each
    resample's weighted (true, model, naive) cell totals by one bincount per chunk."""
    from . import _ci

    n = tc.size
    kkk = k ** 3
    cell = (tc // k) * k * k + (tc % k) * k + (tb % k)
    out = np.empty(n_resamples, dtype=np.float64)
    start = 0
    for c in _ci._chunks(n, n_resamples):
        rows = rng.integers(0, n, size=(c, n))
        off = (np.arange(c, dtype=np.int64) * kkk)[:, None]
        cube = np.bincount((cell[rows] + off).ravel(), weights=w[rows].ravel(),
                           minlength=c * kkk).reshape(c, k, k, k)
        out[start:start + c] = fast(cube.sum(axis=3), pos) - fast(cube.sum(axis=2), pos)
        start += c
    return out


def _single_target(chk: Checked) -> bool:
    """Every (positively weighted) row has the same target: only then is a naive predictor
    perfect by construction, whatever the units (a loss below a fixed epsilon is not)."""
    y = np.asarray(chk.y_true)
    if chk.sample_weight is not None:
        y = y[np.asarray(chk.sample_weight) > 0]
    return y.size == 0 or bool(np.all(y == y[:1]))


def _better(spec: MetricSpec, a: float, b: float) -> bool:
    return a > b if spec.direction == "higher" else a < b


def naive_baseline(
    name: str | MetricSpec | Callable[..., Any],
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    margin: float = 0.0,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    decide: str = "interval",
    power: float = 0.8,
    method: str | None = None,
    average: str | None = None,
    **params: Any,
) -> NaiveResult | str:
    """Metric `name` of the model's predictions against the naive predictor on the same rows.

    Returns a `NaiveResult` (verdict passed / failed / inconclusive against naive + `margin`),
    or a string saying why there is no comparison (see `against_naive`).
    """
    spec = resolve_metric(name, average)
    params = {**scorer_params(name), **params}
    chk = check_inputs(spec, y_true, y_pred, sample_weight)
    value = compute_value(spec, chk.y_true, chk.y_pred, chk.sample_weight, params)
    return against_naive(spec, chk, value, params, margin=margin, confidence=confidence,
                         n_resamples=n_resamples, seed=seed, decide=decide, power=power,
                         method=method)


def against_naive(
    spec: MetricSpec,
    chk: Checked,
    model_value: float,
    params: dict[str, Any],
    *,
    margin: float = 0.0,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    decide: str = "interval",
    power: float = 0.8,
    method: str | None = None,
) -> NaiveResult | str:
    """Compare the model with the naive predictor on the same (validated) rows.

    Returns a `NaiveResult`, or a string saying why no comparison was made (no naive predictor
    for the metric, or the naive predictor is already perfect on these rows).
    """
    from ._compare import paired_interval

    why = no_naive_reason(spec)
    if why is not None:
        return why
    from . import _ci

    fast = _ci.confusion_fast(spec)
    if set(params) - {"pos_label"}:
        fast = None
    enc = _codes(spec, chk, params) if fast is not None else None
    best: tuple[str, str, NDArray[Any], NDArray[np.int64] | None, float] | None = None
    for label, what, pred, idx in _candidates(spec, chk, params, seed, enc):
        try:
            if fast is not None and enc is not None and idx is not None:
                cm = np.bincount(enc.t * enc.k + idx, weights=chk.sample_weight,
                                 minlength=enc.k * enc.k).astype(np.float64)
                v = float(fast(cm.reshape(1, enc.k, enc.k), enc.pos)[0])
            else:
                v = compute_value(spec, chk.y_true, pred, chk.sample_weight, params)
        except ValueError:
            continue
        if math.isfinite(v) and (best is None or _better(spec, v, best[4])):
            best = (label, what, pred, idx, v)
    if best is None:
        return f"the naive predictor's {spec.name} is not defined on these rows; check skipped"
    label, what, pred, idx, naive = best
    if (spec.perfect is not None and _single_target(chk)
            and math.isclose(naive, spec.perfect, abs_tol=1e-9)):
        return (f"the naive {label} predictor ({what}) is already perfect on these rows "
                f"({spec.name} {_num(naive, tiny=True)}: a single class or a constant target); "
                "nothing to beat, check skipped")
    sign = 1.0 if spec.direction == "higher" else -1.0
    delta = sign * (model_value - naive)
    ci: tuple[float, float] | None = None
    used, p_value, details = "point", None, {}
    if (confidence is not None and fast is not None and enc is not None and idx is not None
            and (spec.family == "confusion" or chk.sample_weight is not None)):
        from ._compare import joint_cells_bootstrap

        rng = np.random.default_rng(seed)
        tc, tb = enc.t * enc.k + enc.m, enc.t * enc.k + idx
        if chk.sample_weight is None:
            reps = joint_cells_bootstrap(fast, tc, tb, enc.k, enc.pos, n_resamples, rng)
            how = "multinomial resampling of the joint (true, model, naive) cells"
        else:
            reps = _weighted_joint_reps(fast, tc, tb, enc.k, enc.pos, chk.sample_weight,
                                        n_resamples, rng)
            how = "row bootstrap of the weighted joint (true, model, naive) cells"
        raw = _ci.percentile(sign * reps, 2.0 * confidence - 1.0)
        ci = None if raw is None else (min(raw[0], delta), max(raw[1], delta))
        used = "bootstrap"
        details = {"resampling": how, "n_resamples": n_resamples}
    elif confidence is not None:
        base = Checked(chk.y_true, pred, chk.sample_weight, chk.n)
        limit = sign * margin
        raw, used, p_value, details, _ = paired_interval(
            spec, chk, base, params, model_value - naive, confidence, limit,
            n_resamples=n_resamples, rng=np.random.default_rng(seed), method=method)
        if raw is not None:
            ci = (raw[0], raw[1]) if sign > 0 else (-raw[1], -raw[0])
        details = {k: v for k, v in details.items() if k in (
            "resampling", "n_resamples", "discordant", "candidate_only_right",
            "baseline_only_right", "se", "failed_resamples")}
    verdict, dmargin, reason, need = _verdict(spec, label, what, model_value, naive, delta, ci,
                                              margin, confidence, decide, power, chk.n)
    return NaiveResult(predictor=label, predicts=what, value=naive, model_value=model_value,
                       delta=delta,
                       margin=margin, ci=ci, method=used, confidence=confidence,
                       verdict=verdict, decision_margin=dmargin, reason=reason, n=chk.n,
                       p_value=p_value, rows_needed=need, details=details)


def _verdict(spec: MetricSpec, label: str, what: str, model: float, naive: float, delta: float,
             ci: tuple[float, float] | None, margin: float, confidence: float | None,
             decide: str, power: float, n: int) -> tuple[str, float, str, int | None]:
    """Superiority over naive + margin: passed when the lower bound of the gain clears the
    margin (strictly: a tie is not a win), failed when the whole interval stays at or below
    it (or, without an interval or with decide='point', when the gain does)."""
    name = spec.name
    plus = f" + naive_margin {_num(margin)}" if margin else ""
    same = f"{name} {_num(model)} vs {_num(naive)} of the naive {label} predictor ({what})"
    if confidence is not None and ci is None:  # asked for, not computable: never a silent pass
        return ("inconclusive", delta - margin,
                f"the estimate does not settle the naive comparison: {same}; the paired "
                "interval could not be computed on these rows", None)
    low, high = ci if ci is not None else (delta, delta)
    dmargin = low - margin
    # a gain of a few ulps (the model predicts the naive constant, computed another way) is a tie
    margin_eff = margin + 1e-12 * max(1.0, abs(naive), abs(model))
    if low > margin_eff:
        return "passed", dmargin, f"{same}; the model beats it{plus}", None
    lost = (f"{name} {_num(model)} does not beat the naive {label} predictor ({_num(naive)}{plus}; "
            f"{what}) on the same rows")
    if high <= margin_eff or ci is None or (decide == "point" and delta <= margin_eff):
        if ci is not None:
            lost += (f" (gain {_sgn(delta)}, {confidence:.0%} one-sided upper bound "
                     f"{_sgn(high)})" if high <= margin_eff else f" (gain {_sgn(delta)} <= "
                     f"{_num(margin)}; decide='point')")
        return "failed", dmargin, lost, None
    assert confidence is not None
    need = rows_needed(delta, margin, n=n, ci=ci, confidence=2.0 * confidence - 1.0,
                       power=power) if delta != margin else None
    return ("inconclusive", dmargin,
            f"the estimate does not settle the naive comparison: {same}; the gain "
            f"{_sgn(delta)} has a {confidence:.0%} one-sided interval "
            f"{format_interval(low, high, signed=True)} that still holds {_num(margin)}: not shown better than "
            f"naive{plus}", need)

