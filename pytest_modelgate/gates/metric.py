"""Judge for metric gates: `metric` (thresholds, confidence bounds, slices, stored baseline),
`compare` (champion vs challenger on the same rows) and `weak_slices` (automatic search).

Called by `Gate.metric` / `Gate.compare` / `Gate.weak_slices` in `_recorder.py`; returns a
`GateResult` whose message carries value, threshold, interval, margin and what to change.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_modelgate._numbers import format_estimate, format_interval
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._numbers import format_signed as _sgn
from pytest_modelgate.exceptions import BaselineWarning, ConfigError
from pytest_modelgate.results import Decision, GateResult, decide, format_distinct

from ._recorder import check_keywords, user_stacklevel
from ._text import fmt_margin, fmt_signed
from ._text import fmt_number as _g

if TYPE_CHECKING:
    from pytest_modelgate.metrics import MetricResult

    from ._recorder import GateContext

__all__ = [
    "COMPARE_KEYWORDS",
    "METRIC_KEYWORDS",
    "WEAK_SLICES_KEYWORDS",
    "compare",
    "metric",
    "weak_slices",
]

METRIC_KEYWORDS: tuple[str, ...] = (
    "min", "max", "confidence", "slices", "max_drop", "min_slice_size",
    "n_resamples", "ci_method", "average", "pos_label", "k", "power", "decide", "naive",
    "naive_margin",
)
COMPARE_KEYWORDS: tuple[str, ...] = (
    "max_drop", "min_gain", "confidence", "n_resamples", "method", "average", "pos_label",
    "k", "power", "decide",
)
DECIDE_MODES: tuple[str, ...] = ("interval", "point")
WEAK_SLICES_KEYWORDS: tuple[str, ...] = (
    "metric", "max_gap", "relative", "min_size", "max_depth", "columns", "confidence",
    "n_resamples", "average", "pos_label", "max_features", "sample_weight",
)

_ORDER = {"passed": 0, "inconclusive": 1, "failed": 2}
_PARAMS = ("average", "pos_label", "k")


def report_name(name: Any, average: Any = None) -> str:
    """The metric's name as the report prints it ("f1" + average="macro" -> "f1_macro"), which
    is the name policy selectors use; the name itself when it does not resolve (the judge then
    reports the unknown name)."""
    from pytest_modelgate.exceptions import ModelGateError
    from pytest_modelgate.metrics._evaluate import resolve_metric

    try:
        return resolve_metric(name, average if isinstance(average, str) else None).name
    except ModelGateError:
        return name if isinstance(name, str) else repr(name)


def _signed(x: float | None) -> str:
    return fmt_signed(x)


def _number(value: Any, arg: str, *, allow_none: bool = True) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            float(value)):
        raise ConfigError(f"{arg}: must be a finite number, got {value!r}")
    return float(value)


def _check_unknown(kw: Mapping[str, Any], allowed: Sequence[str], gate: str) -> None:
    check_keywords(gate, kw, allowed)


def _combine(decisions: Sequence[Decision]) -> Decision:
    """The worst verdict; the smallest margin; the reasons of the deciding checks."""
    worst = max(decisions, key=lambda d: _ORDER[d.verdict])
    margins = [d.margin for d in decisions if d.margin is not None]
    margin = min(margins) if margins else None
    reasons = [d.reason for d in decisions if d.verdict == worst.verdict and d.reason]
    return Decision(worst.verdict, margin, "; ".join(reasons))


def check_decide(value: Any) -> str:
    """`decide=`: "interval" (default; failed only when the whole interval misses) or "point"."""
    if value is None:
        return "interval"
    if value not in DECIDE_MODES:
        raise ConfigError(f"decide: must be 'interval' (failed only when the whole confidence "
                          f"interval misses the threshold) or 'point' (the point estimate "
                          f"decides a miss), got {value!r}")
    return str(value)


def _interval_rule(d: Decision, ci: tuple[float, float] | None, lo_t: float | None,
                   hi_t: float | None, mode: str) -> Decision:
    """A point miss whose interval still reaches the threshold is inconclusive (DESIGN 2.3).

    Failed means the whole interval misses; `decide="point"` keeps the point-estimate verdict.
    """
    if d.verdict != "failed" or ci is None or mode == "point":
        return d
    reaches = [f"upper confidence bound {_g(ci[1])} >= min {_g(lo_t)}" if lo_t is not None
               and ci[1] >= lo_t else "",
               f"lower confidence bound {_g(ci[0])} <= max {_g(hi_t)}" if hi_t is not None
               and ci[0] <= hi_t else ""]
    missed_lo = lo_t is not None and ci[1] < lo_t
    missed_hi = hi_t is not None and ci[0] > hi_t
    if missed_lo or missed_hi or not any(reaches):
        return d
    return Decision("inconclusive", d.margin,
                    f"the estimate misses the threshold but the confidence interval still "
                    f"reaches it ({d.reason}; {'; '.join(r for r in reaches if r)})")


_POINT_NOTE_ROWS = 30  # a point gate (no confidence=) on fewer rows says it has no bound


def _judge(res: MetricResult, lo_t: float | None, hi_t: float | None, mode: str) -> Decision:
    """Three-way verdict of one metric result against min/max under the `decide` mode."""
    d = _interval_rule(decide(res.value, res.ci, min=lo_t, max=hi_t), res.ci, lo_t, hi_t, mode)
    return _no_silent_pass(res, d, mode)


def _no_silent_pass(res: MetricResult, d: Decision, mode: str = "interval") -> Decision:
    """An interval was asked for but could not be computed (too few rows): never a pass.

    Nor a fail, unless `decide="point"`: without an interval nothing says the miss is real.
    """
    if res.confidence is None or res.ci is not None or res.method == "none" or (
            d.margin is None):
        return d
    note = res.details.get("note")
    why = "the confidence interval could not be computed on these rows" + (
        f" ({note})" if note else "")
    if d.verdict == "passed":
        return Decision("inconclusive", d.margin, f"the estimate meets the threshold but {why}")
    if d.verdict == "failed" and mode != "point":
        return Decision("inconclusive", d.margin, f"{d.reason}, but {why}")
    return d


def _estimate_text(res: MetricResult, value_text: str | None = None) -> str:
    """"12,107 (95% CI [11,196; 13,016], bootstrap, n=400)": the value and its interval
    printed alike (`format_estimate`); `value_text` replaces the value when more digits are
    needed to tell it from its threshold."""
    n = _num(res.n)
    shown = value_text or _g(res.value, tiny=True)
    if res.ci is None:
        if res.confidence is None:
            return f"{shown} (n={n})"
        if res.details.get("note"):
            return f"{shown} (no interval: {res.details['note']}; n={n})"
        return f"{shown} (no interval ({res.method}), n={n})"
    value, ci = format_estimate(res.value, res.ci[0], res.ci[1], missing="n/a", tiny=True)
    return f"{value_text or value} ({res.confidence:.0%} CI {ci}, {res.method}, n={n})"


def _rows_to_decide(res: MetricResult, bounds: Sequence[tuple[str, float]], power: float) -> int | None:
    """Rows for every inconclusive bound to clear; None when none is inconclusive/decidable."""
    from pytest_modelgate.metrics import rows_needed

    if res.confidence is None:
        return None
    if res.ci is None:
        min_rows = res.details.get("min_rows")
        return int(min_rows) if isinstance(min_rows, int) else None
    need: list[int] = []
    for side, t in bounds:
        # the interval holds the threshold: either the bound or the point is on the wrong side
        inconclusive = (side == "min" and res.ci[0] < t <= res.ci[1]) or (
            side == "max" and res.ci[0] <= t < res.ci[1])
        if inconclusive:
            r = rows_needed(res.value, t, n=res.n, ci=res.ci, confidence=res.confidence,
                            power=power)
            if r is None:
                return None
            need.append(r)
    return max(need) if need else None


def _no_baseline(
    ctx: GateContext, name: str, stored: Mapping[str, Any] | None, max_drop: float,
) -> tuple[Decision | None, dict[str, Any]]:
    """No usable stored value: the first run passes (and says so); a baseline file that exists
    but lacks this gate, or a non-finite stored value, also warns; strict mode fails."""
    file = ctx.baseline_file
    gate = f"metric {name!r} of {ctx.nodeid}"
    exists = file is not None and os.path.isfile(file)
    if stored is not None:
        value = stored.get("value")
        why = (f"the stored baseline value for {gate} in {file} is {value!r}" if value is not None
               else f"the stored baseline entry for {gate} in {file} has no value")
    elif exists:
        why = f"the baseline file {file} has no entry for {gate}"
    else:
        why = f"there is no baseline file {file} for {gate}" if file else f"none for {gate}"
    info: dict[str, Any] = {"status": "missing", "max_drop": max_drop}
    if ctx.strict_baseline:
        reason = (f"--modelgate-strict-baseline: no stored baseline value ({why}); store one "
                  "with --modelgate-update-baseline")
        info["note"] = reason
        return Decision("failed", None, reason), info
    if stored is not None or exists:
        info["note"] = (f"{why}: max_drop was not checked (was the test or gate renamed? "
                        "store it with --modelgate-update-baseline)")
        warnings.warn(BaselineWarning(f"{why}; max_drop was not checked"),
                      stacklevel=user_stacklevel())
    else:
        info["note"] = ("no stored baseline yet: passed on the value thresholds alone "
                        "(store one with --modelgate-update-baseline)")
    return None, info


def _baseline_check(
    ctx: GateContext, name: str, res: MetricResult, max_drop: float, mode: str,
) -> tuple[Decision | None, dict[str, Any], tuple[str, float] | None]:
    stored = ctx.baseline("metric", name)
    value = stored.get("value") if stored else None
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        d, info = _no_baseline(ctx, name, stored, max_drop)
        return d, info, None
    b = float(value)
    if res.direction == "higher":
        limit = b - max_drop
        d = _judge(res, limit, None, mode)
        bound: tuple[str, float] = ("min", limit)
        rule = f"baseline {_g(b)} - max_drop {_g(max_drop)} = {_g(limit)}"
    else:
        limit = b + max_drop
        d = _judge(res, None, limit, mode)
        bound = ("max", limit)
        rule = f"baseline {_g(b)} + max_drop {_g(max_drop)} = {_g(limit)}"
    info = {"status": "compared", "value": b, "ci": stored.get("ci") if stored else None,
            "n": stored.get("n") if stored else None, "max_drop": max_drop, "limit": limit,
            "verdict": d.verdict, "margin": d.margin}
    reason = d.reason.replace(f"min {_g(limit)}", rule).replace(f"max {_g(limit)}", rule)
    return Decision(d.verdict, d.margin, f"vs stored baseline: {reason}"), info, bound


def metric(
    ctx: GateContext,
    name: Any,
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    X: Any = None,
    gate_name: str | None = None,
    **kw: Any,
) -> GateResult:
    """Gate metric `name` against min/max (confidence-bound aware), slices and the baseline.

    `gate_name` labels the result and keys its stored baseline (default: the metric's name).
    """
    from pytest_modelgate.metrics._evaluate import evaluate_checked

    _check_unknown(kw, METRIC_KEYWORDS, "metric")
    lo_t = _number(kw.get("min"), "min")
    hi_t = _number(kw.get("max"), "max")
    if lo_t is not None and hi_t is not None and lo_t > hi_t:
        raise ConfigError(f"min ({lo_t}) is greater than max ({hi_t}); no value can pass")
    max_drop = _number(kw.get("max_drop"), "max_drop")
    power = _number(kw.get("power", 0.8), "power") or 0.8
    confidence = kw.get("confidence")
    n_resamples = kw.get("n_resamples", 1000)  # type and range: the keyword table
    mode = check_decide(kw.get("decide"))
    params = {k: kw[k] for k in _PARAMS if kw.get(k) is not None}

    naive_margin = _number(kw.get("naive_margin"), "naive_margin") or 0.0
    res, spec, chk = evaluate_checked(
        name, y_true, y_pred, confidence=confidence, n_resamples=n_resamples, seed=ctx.seed,
        sample_weight=sample_weight, ci_method=kw.get("ci_method"),
        progress=ctx.progress("metric bootstrap", "resamples"), **params)
    threshold: dict[str, Any] = {}
    bounds: list[tuple[str, float]] = []
    if lo_t is not None:
        threshold["min"] = lo_t
        bounds.append(("min", lo_t))
    if hi_t is not None:
        threshold["max"] = hi_t
        bounds.append(("max", hi_t))
    decisions = [_judge(res, lo_t, hi_t, mode)]
    details: dict[str, Any] = {"metric": res.name}
    if res.details:
        details["interval"] = dict(res.details)
    notes: list[str] = []

    label = gate_name or res.name
    if max_drop is not None:
        d, info, bound = _baseline_check(ctx, label, res, max_drop, mode)
        threshold["max_drop"] = max_drop
        details["baseline"] = info
        if d is None:
            notes.append(info["note"])
        else:
            if info["status"] == "compared":
                threshold["baseline_value"] = info["value"]
            decisions.append(d)
            if bound is not None:
                bounds.append(bound)

    if not isinstance(name, str):
        from pytest_modelgate.metrics._registry import scorer_params

        params = {**scorer_params(name), **params}
        details["callable"] = repr(name)[:200]
        if res.name == "lambda" and not gate_name:
            notes.append("the metric is an unnamed lambda, reported as 'lambda': pass "
                         "name='...' so reports and baselines can tell two apart")
        if getattr(name, "_sign", 1) < 0:
            notes.append(f"the scorer has greater_is_better=False: the gate reports {res.name} "
                         "itself (lower is better), not scikit-learn's negated score, and min/max "
                         "apply to that value")
    if spec.family == "calibration":
        details.update(_resolution(spec, chk, params, notes))
    naive_rows: int | None = None
    naive_dec: Decision | None = None
    if kw.get("naive", True) and math.isfinite(res.value):
        from pytest_modelgate.metrics._naive import against_naive

        nv = against_naive(spec, chk, res.value, {k: v for k, v in params.items()
                                                  if k != "average"},
                           margin=naive_margin, confidence=confidence,
                           n_resamples=n_resamples, seed=ctx.seed, decide=mode, power=power)
        if isinstance(nv, str):
            details["naive"] = {"skipped": nv}
            notes.append(nv)
        else:
            details["naive"] = nv.to_dict()
            naive_dec = Decision(nv.verdict, nv.decision_margin,  # type: ignore[arg-type]
                                 nv.reason)
            decisions.append(naive_dec)
            if naive_margin:
                threshold["naive_margin"] = naive_margin
            naive_rows = nv.rows_needed
    elif not kw.get("naive", True):
        details["naive"] = {"skipped": "naive=False"}

    slices = kw.get("slices")
    slice_part: tuple[Decision, dict[str, Any], str] | None = None
    if slices is not None:
        slice_part = _gate_slices(ctx, name, y_true, y_pred, slices, X=X,
                                 sample_weight=sample_weight, lo_t=lo_t, hi_t=hi_t,
                                 confidence=confidence, n_resamples=n_resamples,
                                 ci_method=kw.get("ci_method"),
                                 min_slice_size=kw.get("min_slice_size"), params=params,
                                 power=power, mode=mode)
        decisions.append(slice_part[0])
        details["slices"] = slice_part[1]

    if confidence is None and res.n < _POINT_NOTE_ROWS:
        notes.append(f"n={_num(res.n)}: no confidence bound; set confidence= to gate on uncertainty")
    dec = _combine(decisions)
    rows = _rows_to_decide(res, bounds, power) if dec.verdict == "inconclusive" else None
    if dec.verdict == "inconclusive" and naive_rows and naive_rows > (rows or 0):
        rows = naive_rows
        notes.append(f"the rows estimate is driven by the comparison with the naive "
                     f"{details['naive']['predictor']} predictor")
    slice_need = details.get("slices", {}).get("rows_needed")
    if dec.verdict == "inconclusive" and slice_need:
        # the slice needs that many of its own rows; scale to the whole set by its share
        share = next(r["n"] for r in details["slices"]["results"]
                     if r["key"] == slice_need["slice"]) / max(res.n, 1)
        total = math.ceil(slice_need["rows"] / share)
        if total > (rows or 0):
            rows = total
            notes.append(f"the rows estimate is driven by slice {slice_need['slice']!r}, which "
                         f"needs about {slice_need['rows']:,} rows of its own "
                         f"({share:.1%} of the data)")
    if dec.verdict == "inconclusive":
        details["rows_needed"] = rows
        details["power"] = power
    from ._details import metric_plot

    details.update(metric_plot(name, y_true, y_pred, sample_weight))
    message = _metric_message(res, threshold, dec, rows, power, notes,
                              slice_part[2] if slice_part else None, details.get("naive"),
                              any(d.verdict == "failed" for d in decisions if d is not naive_dec),
                              naive_only=naive_dec is not None
                              and naive_dec.verdict == "inconclusive"
                              and all(d.verdict == "passed" for d in decisions
                                      if d is not naive_dec))
    return GateResult(
        nodeid=ctx.nodeid, kind="metric", name=label, value=res.value, threshold=threshold,
        direction=res.direction,  # type: ignore[arg-type]
        ci=res.ci, confidence=res.confidence, margin=dec.margin, verdict=dec.verdict,
        message=message, method=res.method, n=res.n, details=details,
    )


def _slice_name(column: str, key: str) -> str:
    return f"{key!r}" if column == "slice" else f"{column}={key!r}"


def _gate_slices(
    ctx: GateContext, name: str, y_true: Any, y_pred: Any, slices: Any, *, X: Any,
    sample_weight: Any, lo_t: float | None, hi_t: float | None, confidence: float | None,
    n_resamples: int, ci_method: str | None, min_slice_size: int | None,
    params: dict[str, Any], power: float, mode: str = "interval",
) -> tuple[Decision, dict[str, Any], str]:
    """Apply the thresholds to every gated slice; name the worst one (and rows to decide)."""
    from pytest_modelgate.metrics import evaluate_slices

    rep = evaluate_slices(name, y_true, y_pred, slices, X=X, confidence=confidence,
                          n_resamples=n_resamples, seed=ctx.seed, sample_weight=sample_weight,
                          ci_method=ci_method, min_slice_size=min_slice_size, **params)
    rows: list[dict[str, Any]] = []
    worst_key: str | None = None
    worst_rank: tuple[int, float] | None = None
    decisions: list[Decision] = []
    for s in rep.slices:
        row: dict[str, Any] = {"key": s.key, "n": s.n, "gated": s.gated}
        if s.note:
            row["note"] = s.note
        if s.result is not None:
            row.update(value=s.result.value, ci=list(s.result.ci) if s.result.ci else None,
                       method=s.result.method)
        if s.gated and s.result is not None:
            d = _judge(s.result, lo_t, hi_t, mode)
            row.update(verdict=d.verdict, margin=d.margin)
            decisions.append(Decision(d.verdict, d.margin,
                                      f"slice {_slice_name(rep.column, s.key)}: {d.reason}"))
            sign = 1.0 if rep.overall.direction == "higher" else -1.0
            rank = (-_ORDER[d.verdict], d.margin if d.margin is not None
                    else sign * s.result.value)
            if worst_rank is None or rank < worst_rank:
                worst_rank, worst_key = rank, s.key
        rows.append(row)
    n_gated = len(decisions)
    info = {"column": rep.column, "min_slice_size": rep.min_slice_size, "worst": worst_key,
            "n_slices": len(rep.slices), "n_gated": n_gated, "results": rows}
    if not decisions:
        return (Decision("passed", None, ""), info,
                f"No slice of {rep.column!r} has min_slice_size={_num(rep.min_slice_size)} rows; "
                "none gated")
    dec = _combine(decisions)
    w = next(s for s in rep.slices if s.key == worst_key)
    assert w.result is not None
    n_bad = sum(1 for d in decisions if d.verdict != "passed")
    bounds = [(side, t) for side, t in (("min", lo_t), ("max", hi_t)) if t is not None]
    need = [(_rows_to_decide(s.result, bounds, power), s.key) for s in rep.slices
            if s.gated and s.result is not None]
    need_known = [(r, k) for r, k in need if r is not None]
    if need_known:
        r, k = max(need_known)
        info["rows_needed"] = {"rows": r, "slice": k}
    text = (f"Worst slice {_slice_name(rep.column, str(worst_key))}: {rep.name} = "
            f"{_estimate_text(w.result)}; {_num(n_bad)} of {_num(n_gated)} gated slices did not pass"
            + (f", {len(rep.slices) - n_gated} too small to gate" if len(rep.slices) > n_gated
               else ""))
    tag = f"slice {_slice_name(rep.column, str(worst_key))}:"
    worst_dec = min((d for d in decisions if d.reason.startswith(tag)),
                    key=lambda d: -_ORDER[d.verdict])
    return Decision(dec.verdict, dec.margin, worst_dec.reason), info, text


def _naive_undecided(res: MetricResult, threshold: Mapping[str, Any],
                     naive: Mapping[str, Any], rows: int | None, power: float) -> str:
    """The verdict tail when only the naive check is undecided: which check, the gain and its
    interval, the rows that would settle it, and the knobs (naive=False / naive_margin=)."""
    low, high = naive["ci"]
    conf = naive.get("confidence") or 0.95
    what = "the threshold check passed" if any(
        k in threshold for k in ("min", "max", "max_drop", "baseline_value")) else "no threshold"
    plus = f" + naive_margin {_g(naive['margin'])}" if naive.get("margin") else ""
    text = (f"the naive check is undecided ({what}): {res.name} {_g(res.value)} vs the naive "
            f"{naive['predictor']} {_g(naive['value'])}{plus}: gain {_sgn(naive['delta'])}, "
            f"{conf:.0%} one-sided interval {format_interval(low, high, signed=True)}")
    text += (f"; about {rows:,} rows would show whether it beats the naive predictor "
             f"({power:.0%} power if the true values equal the current estimates)" if rows
             else "; no number of rows decides it at this gain")
    miss = float(naive["delta"]) <= float(naive.get("margin") or 0.0)
    text += (". To decide: evaluate on more rows or lower confidence"
             + (", or pass decide='point' to let the point estimate decide the miss" if miss
                else "")
             + "; pass naive=False only if "
             "a model no better than a trivial predictor is acceptable here (naive_margin= sets "
             "the gain it must show"
             + (f", now {_g(naive['margin'])})" if naive.get("margin") else ", now 0)"))
    base = str(getattr(res, "name", ""))
    if (base.startswith("accuracy") and naive.get("predictor") == "most-frequent"
            and float(naive["value"]) >= 0.9):
        text += (f". Accuracy on data with {float(naive['value']):.0%} of one class mostly "
                 "measures that class: balanced_accuracy, recall or f1 gate the minority class")
    return text


def _resolution(spec: Any, chk: Any, params: Mapping[str, Any],
                notes: list[str]) -> dict[str, Any]:
    """A calibration error's resolution (Brier decomposition over the same bins), with the
    calibration gate's note when the probabilities carry no information (a constant prior)."""
    from pytest_modelgate.metrics._calibration import brier_decomposition

    from .calibration import resolution_note

    opts = {k: v for k, v in {**spec.kwargs, **params}.items()
            if k in {"n_bins", "strategy", "pos_label", "labels"}}
    try:
        b = brier_decomposition(chk.y_true, chk.y_pred, sample_weight=chk.sample_weight, **opts)
    except (ValueError, TypeError):  # the metric itself was computed: no note, not an error
        return {}
    note = resolution_note(b)
    if note:
        notes.append(note)
    return {"resolution": b.resolution}


def _metric_message(res: MetricResult, threshold: Mapping[str, Any], dec: Decision,
                    rows: int | None, power: float, notes: Sequence[str],
                    slice_text: str | None, naive: Mapping[str, Any] | None = None,
                    others_failed: bool = True, naive_only: bool = False) -> str:
    value_text: str | None = None
    th = []
    for k, v in threshold.items():
        if k in ("min", "max") and res.value is not None and isinstance(v, (int, float)):
            shown, bound = format_distinct(res.value, v)  # never "0.8 < min 0.8"
            if len(shown) > len(_g(res.value, tiny=True)) and (
                    value_text is None or len(shown) > len(value_text)):
                value_text = shown
            th.append(f"{k} {bound}")
        elif k in ("max_drop", "baseline_value"):
            th.append(f"{k} {_g(v, tiny=True)}")
    parts = [f"{res.name} = {_estimate_text(res, value_text)}"]
    if th:
        parts.append("threshold " + ", ".join(th))
    naive_lost = bool(naive and naive.get("verdict") == "failed")
    if naive and "value" in naive:
        parts.append(f"naive {naive['predictor']} {_g(naive['value'])}"
                     + (f" + naive_margin {_g(naive['margin'])}" if naive.get("margin") else ""))
    if dec.margin is not None:
        by_naive = (naive is not None and th and dec.verdict != "passed"
                    and naive.get("decision_margin") == dec.margin)
        scale = max([abs(float(v)) for v in threshold.values() if isinstance(v, (int, float))]
                    + [abs(res.value) if res.value is not None else 0.0])
        parts.append(f"margin {fmt_margin(dec.margin, scale)}"
                     + (" (naive check)" if by_naive else ""))
    head = "; ".join(parts)
    if dec.verdict == "passed":
        tail = f"passed: {dec.reason}" if dec.reason else "passed"
    elif dec.verdict == "failed":
        if naive_lost and not others_failed:
            tail = (f"FAILED: {dec.reason}. To pass: the model must do better than a predictor "
                    "that learned nothing (check the features, the labels and class balance), "
                    "or pass naive=False only if a trivial model is acceptable here")
        else:
            tail = (f"FAILED: {dec.reason}. To pass: improve the model on these rows, or relax "
                    "the threshold if it is too strict")
    elif naive_only and naive is not None and naive.get("ci"):
        tail = "INCONCLUSIVE: " + _naive_undecided(res, threshold, naive, rows, power)
        notes = [n for n in notes if "driven by the comparison with the naive" not in n]
    else:
        need = (f"about {rows:,} rows would decide it ({power:.0%} power if the true values "
                "equal the current estimates)" if rows
                else "more varied rows (or a ci_method with an analytic interval) would give an "
                "interval" if res.ci is None and "distinct_replicates" in res.details
                else "more rows are needed before an interval can be computed" if res.ci is None
                else "no number of rows decides it at this value")
        own_words = ("the estimate", "could not be computed")
        why = (dec.reason if any(w in dec.reason for w in own_words)
               else "the estimate meets the threshold but the confidence bound does not "
                    f"({dec.reason})")
        tail = (f"INCONCLUSIVE: {why}; {need}. To decide: evaluate on more rows, or lower "
                "confidence / the threshold"
                + ("" if res.ci is None else ", or pass decide='point' to let the point "
                   "estimate decide a miss" if "the estimate misses" in dec.reason
                   else ""))
    out = f"{head}. {tail}"
    if slice_text:
        out += f". {slice_text}"
    if notes:
        out += ". " + "; ".join(notes)
    return out


def compare(
    ctx: GateContext,
    name: str,
    y_true: Any,
    candidate_pred: Any,
    baseline_pred: Any,
    *,
    sample_weight: Any = None,
    gate_name: str | None = None,
    **kw: Any,
) -> GateResult:
    """Champion vs challenger on the same rows: gate delta = candidate - baseline.

    `max_drop` (default 0): the candidate may lose at most this much; `min_gain`: it must gain
    at least this much. `confidence` (default 0.95) is one-sided.
    """
    from pytest_modelgate.metrics import compare as paired

    _check_unknown(kw, COMPARE_KEYWORDS, "compare")
    max_drop = _number(kw.get("max_drop", 0.0), "max_drop")
    min_gain = _number(kw.get("min_gain"), "min_gain")
    confidence = kw.get("confidence")
    power = _number(kw.get("power", 0.8), "power") or 0.8
    params = {k: kw[k] for k in _PARAMS if kw.get(k) is not None}
    mode = check_decide(kw.get("decide"))
    r = paired(name, y_true, candidate_pred, baseline_pred, decide=mode,
               max_drop=max_drop if max_drop is not None else 0.0, min_gain=min_gain,
               confidence=0.95 if confidence is None else confidence,
               n_resamples=kw.get("n_resamples", 1000), seed=ctx.seed,
               sample_weight=sample_weight, method=kw.get("method"), power=power, **params)
    higher = r.direction == "higher"
    if min_gain is not None:
        rule = (f"the candidate must gain at least {_g(min_gain)} {r.name}, "
                f"{r.confidence:.0%} one-sided")
        threshold: dict[str, Any] = {"min_gain": min_gain}
    else:
        verb = "lose" if higher else "add"
        rule = (f"the candidate may {verb} at most {_g(r.max_drop)} {r.name}, "
                f"{r.confidence:.0%} one-sided")
        threshold = {"max_drop": r.max_drop}
    threshold["limit"] = r.limit
    bound_name = "lower" if higher else "upper"
    if r.ci is None:
        ci_txt = "no interval"
        bound = None
    else:
        bound = r.ci[0] if higher else r.ci[1]
        ci_txt = f"{r.confidence:.0%} one-sided {bound_name} bound {_g(bound)}"
    head = (f"{r.name}: candidate {_g(r.candidate)} vs baseline {_g(r.baseline)} on the same "
            f"{r.n:,} rows; delta {_signed(r.delta)} ({ci_txt}, {r.method}"
            + (f", p={_num(r.p_value, digits=3, tiny=True)}" if r.p_value is not None else "") + ")"
            + f"; rule: {rule} (limit {_signed(r.limit)})"
            + (f"; margin {_signed(r.margin)}" if r.margin is not None else ""))
    if r.verdict == "passed":
        tail = "passed"
    elif r.verdict == "failed":
        side = "below" if higher else "above"
        tail = (f"FAILED: delta {_signed(r.delta)} is {side} the limit {_signed(r.limit)}. "
                "Keep the champion, or improve the candidate")
    else:
        if r.rows_needed:
            need = (f"about {r.rows_needed:,} rows would decide it ({power:.0%} power if the "
                    f"true delta is {_signed(r.delta)})")
        else:
            need = "no number of rows decides it at this delta"
        hint = (" With max_drop=0 the candidate must be shown better; allow a margin (e.g. "
                "max_drop=0.01) for a non-inferiority gate" if min_gain is None
                and r.max_drop == 0 else "")
        side = "below" if higher else "above"
        what = (f"the delta is {side} the limit but its {r.confidence:.0%} interval still "
                "reaches it (decide='point' lets the point estimate decide a miss)"
                if r.delta is not None and (
                    (higher and r.delta < r.limit) or (not higher and r.delta > r.limit))
                else f"the delta meets the limit but its {bound_name} bound {_g(bound)} does not")
        tail = (f"INCONCLUSIVE: {what}; {need}. To decide: compare on more rows, or change "
                f"the margin / confidence.{hint}")
    details = dict(r.details)
    details.update(candidate=r.candidate, baseline=r.baseline, limit=r.limit,
                   p_value=r.p_value, one_sided=True)
    if r.verdict == "inconclusive":
        details["rows_needed"] = r.rows_needed
        details["power"] = power
    return GateResult(
        nodeid=ctx.nodeid, kind="compare", name=gate_name or r.name, value=r.delta,
        threshold=threshold,
        direction=r.direction,  # type: ignore[arg-type]
        ci=r.ci, confidence=r.confidence, margin=r.margin,
        verdict=r.verdict,  # type: ignore[arg-type]
        message=f"{head}. {tail}", method=r.method, n=r.n, details=details,
    )


def weak_slices(ctx: GateContext, X: Any, y_true: Any, y_pred: Any, **kw: Any) -> GateResult:
    """Search the weakest segment automatically and gate its gap to the whole set (`max_gap`)."""
    from pytest_modelgate.metrics import weak_slices as search

    _check_unknown(kw, WEAK_SLICES_KEYWORDS, "weak_slices")
    metric_name = kw.get("metric") or "accuracy"
    max_gap = _number(kw.get("max_gap", 0.1), "max_gap")
    relative = bool(kw.get("relative", False))
    confidence = kw.get("confidence")
    opts = {k: kw[k] for k in ("min_size", "max_depth", "columns", "max_features", "average",
                               "pos_label", "n_resamples") if kw.get(k) is not None}
    rep = search(X, y_true, y_pred, metric=metric_name, relative=relative,
                 confidence=confidence, seed=ctx.seed, sample_weight=kw.get("sample_weight"),
                 **opts)
    unit = " (fraction of the overall value)" if relative else ""
    threshold = {"max_gap": max_gap, "relative": relative}
    details: dict[str, Any] = {
        "metric": rep.metric, "overall": rep.overall.value, "min_size": rep.min_size,
        "honest": rep.honest, "n_searched": rep.n_searched, "n_evaluated": rep.n_evaluated,
        "segments": [{"rule": s.rule, "n": s.n, "value": s.value, "gap": s.gap,
                      "ci": list(s.ci) if s.ci else None} for s in rep.segments],
        **rep.details,
    }
    w = rep.worst
    if w is None:
        return GateResult(
            nodeid=ctx.nodeid, kind="weak_slices", name=rep.metric, value=0.0,
            threshold=threshold, direction="lower", verdict="passed", n=rep.overall.n,
            message=(f"{rep.metric}: no segment of at least {_num(rep.min_size)} rows could be "
                     f"formed or scored; overall {_g(rep.overall.value)}"),
            method="tree-segments", details=details)
    dec = decide(w.gap, w.ci, max=max_gap)
    details["worst"] = {"rule": w.rule, "n": w.n, "value": w.value, "gap": w.gap,
                        "ci": list(w.ci) if w.ci else None}
    share = w.n / max(rep.n_evaluated, 1)
    ci_txt = (f", gap {rep.overall.confidence or confidence:.0%} CI "
              f"{format_interval(w.ci[0], w.ci[1], signed=True, missing='n/a')} on held-out rows"
              if w.ci else "")
    head = (f"weakest segment of {rep.metric}: [{w.rule}] ({w.n:,} rows, {share:.1%}): "
            f"{_g(w.value)} vs {_g(rep.overall.value)} overall; gap {_signed(w.gap)}{unit}"
            f"{ci_txt}; threshold max_gap {_g(max_gap)}"
            + (f"; margin {_signed(dec.margin)}" if dec.margin is not None else ""))
    if dec.verdict == "passed":
        tail = "passed"
    elif dec.verdict == "failed":
        tail = (f"FAILED: {dec.reason.replace('value', 'gap')}. Improve the model on this "
                "segment (more training data there, a feature that separates it), or raise "
                "max_gap if the gap is acceptable")
    else:
        tail = (f"INCONCLUSIVE: {dec.reason.replace('value', 'gap')}; the segment is too small "
                "to be sure. Evaluate on more rows, or lower confidence")
    return GateResult(
        nodeid=ctx.nodeid, kind="weak_slices", name=rep.metric, value=w.gap,
        threshold=threshold, direction="lower", ci=w.ci,
        confidence=float(confidence) if confidence is not None else None, margin=dec.margin,
        verdict=dec.verdict, message=f"{head}. {tail}", method="tree-segments",
        n=rep.overall.n, details=details)
