"""Judge for calibration gates: ECE (with a bootstrap interval) against `max_ece`, the
over/under-confidence direction named, every class of a multiclass model gated one-vs-rest.

Called by `Gate.calibration` in `_recorder.py`. `details["reliability"]` (and, for multiclass,
`details["per_class"][label]["reliability"]`) hold the reliability diagram the HTML report draws.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_modelgate._numbers import format_estimate, format_interval
from pytest_modelgate._numbers import format_signed as _sgn
from pytest_modelgate.results import Decision, GateResult

from ._text import fmt_estimate as _estimate
from ._text import fmt_number as _g

if TYPE_CHECKING:
    from pytest_modelgate.metrics._calibration import Reliability

    from ._recorder import GateContext

__all__ = ["CALIBRATION_KEYWORDS", "calibration", "interval_verdict"]

CALIBRATION_KEYWORDS: tuple[str, ...] = (
    "max_ece", "confidence", "n_bins", "strategy", "n_resamples", "per_class", "pos_label",
    "labels", "power",
)
_ORDER = {"passed": 0, "inconclusive": 1, "failed": 2}
#: resolution at most this share of the uncertainty: the probabilities carry no information
_USELESS = 0.01


def interval_verdict(value: float, ci: tuple[float, float] | None, max_t: float | None,
                     what: str, *, wanted_ci: bool) -> Decision:
    """Three verdicts for a lower-is-better value: failed when the whole interval is above
    `max_t`, passed when the whole interval is at or below it, inconclusive otherwise (and when
    an interval was asked for but could not be computed)."""
    if max_t is None:
        return Decision("passed", None, "no threshold set (value recorded only)")
    if ci is None:
        if wanted_ci:
            return Decision("inconclusive", max_t - value,
                            f"{what} {_g(value)} {'<=' if value <= max_t else '>'} {_g(max_t)} "
                            "but no confidence interval could be computed on these rows")
        if value > max_t:
            return Decision("failed", max_t - value, f"{what} {_g(value)} > {_g(max_t)}")
        return Decision("passed", max_t - value, f"{what} {_g(value)} <= {_g(max_t)}")
    lo, hi = ci
    if lo > max_t:
        return Decision("failed", max_t - hi, f"the whole interval {format_interval(lo, hi)} of "
                                             f"{what} is above {_g(max_t)}")
    if hi <= max_t:
        return Decision("passed", max_t - hi, f"upper bound {_g(hi)} <= {_g(max_t)}")
    return Decision("inconclusive", max_t - hi,
                    f"{what} {_estimate(value, lo, hi)} straddles "
                    f"{_g(max_t)}")


def _worst_bin(rel: Reliability) -> str:
    best, text = -1.0, ""
    for lo, hi, n, c, a in zip(rel.lo, rel.hi, rel.n, rel.confidence, rel.accuracy,
                                     strict=True):
        if c is None or a is None:
            continue
        contrib = n * abs(c - a)
        if contrib > best:
            best, text = contrib, (f"worst bin ({_g(lo)}, {_g(hi)}], {n:,} rows: mean "
                                   f"confidence {_g(c)} vs accuracy {_g(a)}")
    return text


def _direction_text(direction: str, share: float, binary: bool) -> str:
    if direction == "calibrated":
        return "perfectly calibrated on these bins"
    if binary:
        what = ("predicted probabilities are more extreme than the observed rates"
                if direction == "over-confident"
                else "predicted probabilities are closer to 0.5 than the observed rates")
    else:
        what = ("mean confidence exceeds accuracy" if direction == "over-confident"
                else "accuracy exceeds mean confidence")
    return f"{direction}: in the bins holding {share:.0%} of the calibration error the {what}"


def _fix_hint(direction: str) -> str:
    soften = ("the probabilities are too sharp (e.g. too little regularisation, boosting, or "
              "class re-weighting)" if direction == "over-confident"
              else "the probabilities are too timid (e.g. strong regularisation, bagging or "
                   "label smoothing)")
    return (f"{soften}: recalibrate on held-out data (sklearn.calibration.CalibratedClassifierCV, "
            "method='sigmoid' or 'isotonic'), or relax max_ece")


def resolution_note(b: Any) -> str | None:
    """The note for probabilities with no resolution (at most 1% of the uncertainty, from a
    `BrierDecomposition`): a constant prior is perfectly calibrated and useless."""
    if b.resolution > _USELESS * b.uncertainty:
        return None
    amount = ("0" if b.resolution <= 1e-12 else
              f"{_g(b.resolution)}, under {_USELESS:.0%} of the uncertainty "
              f"{_g(b.uncertainty)}")
    return (f"the probabilities do not separate the classes (resolution {amount}): "
            "calibration alone says nothing about usefulness; gate roc_auc, or "
            "brier/log_loss against the naive baseline, too")


def _notes(res: Any) -> list[str]:
    """What ECE cannot see: probabilities with no resolution (a constant prior is perfectly
    calibrated and useless), and hard 0/1 values passed as probabilities."""
    notes = []
    useless = resolution_note(res.brier)
    if useless:
        notes.append(useless)
    if res.hard:
        notes.append("proba holds only 0 and 1: hard labels (model.predict) rather than "
                      "probabilities? pass model.predict_proba(X) unless 0/1 forecasts are "
                      "meant")
    return notes


def _ci_text(value: float, ci: tuple[float, float] | None, confidence: float | None) -> str:
    """"0.2487 (95% CI [0.2311; 0.2656]": the value and its interval printed alike."""
    if ci is None:
        return f"{_g(value)} (" + ("no interval" if confidence is not None else "point estimate")
    v, iv = format_estimate(value, ci[0], ci[1], missing="n/a")
    return f"{v} ({confidence:.0%} CI {iv}"


def calibration(ctx: GateContext, y_true: Any, proba: Any, *, sample_weight: Any = None,
                **kw: Any) -> GateResult:
    """Gate the expected calibration error against `max_ece` (confidence-bound aware)."""
    from pytest_modelgate.metrics import rows_needed
    from pytest_modelgate.metrics._calibration import calibration as measure

    name = kw.pop("name", None) or "ece"
    max_t = kw.get("max_ece")
    confidence = kw.get("confidence", 0.95)
    power = float(kw.get("power", 0.8))
    per_class = kw.get("per_class", True)
    res = measure(y_true, proba, n_bins=kw.get("n_bins", 10),
                  strategy=kw.get("strategy", "uniform"), confidence=confidence,
                  n_resamples=kw.get("n_resamples", 1000), seed=ctx.seed,
                  sample_weight=sample_weight, pos_label=kw.get("pos_label"),
                  labels=kw.get("labels"))
    binary = res.kind == "binary"
    wanted = confidence is not None
    head_what = "ECE" if binary else "top-label ECE"
    decisions = [interval_verdict(res.ece, res.ci, max_t, head_what, wanted_ci=wanted)]
    needs: list[int] = []

    def need(value: float, ci: tuple[float, float] | None, n: int, d: Decision) -> None:
        if d.verdict == "inconclusive" and max_t is not None and confidence is not None:
            r = rows_needed(value, max_t, n=n, ci=ci, confidence=confidence, power=power)
            if r is None and ci is None:
                r = int(res.details.get("min_rows", 0)) or None
            if r is not None:
                needs.append(r)

    need(res.ece, res.ci, res.n, decisions[0])
    per_class_details: dict[str, Any] = {}
    bad_classes = 0
    for label, cc in res.per_class.items():
        d = interval_verdict(cc.ece, cc.ci, max_t, f"class {label!r} one-vs-rest ECE",
                             wanted_ci=wanted)
        per_class_details[label] = {
            "ece": cc.ece, "ci": list(cc.ci) if cc.ci is not None else None,
            "n_positive": cc.n_positive, "direction": cc.direction,
            "reliability": cc.reliability.to_dict(), "verdict": d.verdict, "margin": d.margin}
        if per_class:
            decisions.append(d)
            bad_classes += d.verdict != "passed"
            need(cc.ece, cc.ci, res.n, d)
    worst = max(decisions, key=lambda d: _ORDER[d.verdict])
    margins = [d.margin for d in decisions if d.margin is not None]
    margin = min(margins) if margins else None
    verdict = worst.verdict
    rows = max(needs) if verdict == "inconclusive" and needs else None
    wc = res.worst_class

    details: dict[str, Any] = {
        "metric": "ece", "problem": res.kind, "mce": res.mce, "n_bins": res.n_bins,
        "strategy": res.strategy, "direction": res.direction,
        "direction_share": res.direction_share, "reliability": res.reliability.to_dict(),
        "brier": res.brier.to_dict(), "per_class_gated": bool(per_class and res.per_class),
    }
    if res.details:
        details["interval"] = dict(res.details)
    if res.n_resamples is not None:
        details.update(n_resamples=res.n_resamples, seed=res.seed)
    if per_class_details:
        details["per_class"] = per_class_details
        if wc is not None:
            details["worst_class"] = wc.label
    if verdict == "inconclusive":
        details["rows_needed"] = rows
        details["power"] = power
    details["resolution"] = res.brier.resolution
    notes = _notes(res)
    if notes:
        details["notes"] = notes

    head = (f"{head_what} = {_ci_text(res.ece, res.ci, res.confidence)}, n={res.n:,}, "
            f"{res.n_bins} {res.strategy} bins; MCE {_g(res.mce)}; Brier {_g(res.brier.brier)} = "
            f"reliability {_g(res.brier.reliability)} - resolution "
            f"{_g(res.brier.resolution)} + uncertainty {_g(res.brier.uncertainty)} "
            f"(+ within-bin terms))")
    parts = [head]
    if max_t is not None:
        parts.append(f"threshold max_ece {_g(max_t)}")
    if margin is not None:
        parts.append(f"margin {_sgn(margin)}")
    direction = _direction_text(res.direction, res.direction_share, binary)
    bin_text = _worst_bin(res.reliability)
    text = "; ".join(parts) + f". The model is {direction}" + (f" ({bin_text})" if bin_text
                                                                  else "")
    deciding = [d.reason for d in decisions if d.verdict == verdict and d.reason]
    reason = deciding[0] + (f" (and {len(deciding) - 1} more)" if len(deciding) > 1 else "")
    if verdict == "passed":
        tail = "passed" + (f": {worst.reason}" if max_t is None else "")
    elif verdict == "failed":
        tail = f"FAILED: {reason}. To pass: {_fix_hint(res.direction)}"
    else:
        how = (f"about {rows:,} rows would decide it ({power:.0%} power if the true value "
               "equals the current estimate)" if rows
               else "no number of rows decides it at this value")
        tail = (f"INCONCLUSIVE: {reason}; {how}. To decide: evaluate on more rows, use fewer "
                "bins, or lower confidence / raise max_ece")
    message = f"{text}. {tail}" + "".join(f". Note: {n}" for n in notes)
    if wc is not None:
        message += (f". Worst class {wc.label!r}: one-vs-rest ECE "
                    f"{_ci_text(wc.ece, wc.ci, res.confidence)}), {wc.direction}")
        if per_class and max_t is not None:
            message += (f"; {_g(bad_classes)} of {_g(len(res.per_class))} classes did not pass"
                        if bad_classes else f"; all {_g(len(res.per_class))} classes passed")
    return GateResult(
        nodeid=ctx.nodeid, kind="calibration", name=name, value=res.ece,
        threshold={} if max_t is None else {"max_ece": max_t}, direction="lower", ci=res.ci,
        confidence=res.confidence, margin=margin, verdict=verdict, message=message,
        method=res.method, n=res.n, details=details)
