"""Judge for fairness gates: a between-group difference (or ratio) with a bootstrap interval
stratified by group, against `max_gap` (or `min_ratio`).

Called by `Gate.fairness` in `_recorder.py`. Failed when the whole interval is past the allowed
gap; inconclusive when it straddles it, with the rows that would decide and the smallest group
named as the limiting one. `details["groups"]` lists every group (rows, value, interval).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from pytest_modelgate._numbers import format_estimate, format_interval
from pytest_modelgate._numbers import format_signed as _sgn
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import Decision, GateResult

from ._text import fmt_estimate as _estimate
from ._text import fmt_number as _g
from .calibration import interval_verdict

if TYPE_CHECKING:
    from pytest_modelgate.metrics._fairness import FairnessResult

    from ._recorder import GateContext

__all__ = ["FAIRNESS_KEYWORDS", "fairness", "report_name"]

FAIRNESS_KEYWORDS: tuple[str, ...] = (
    "metric", "max_gap", "min_ratio", "confidence", "n_resamples", "pos_label", "average",
    "power", "min_group_rows",
)
_RATE_TEXT = {"selection_rate": "selection rate (share predicted positive)",
              "true_positive_rate": "true positive rate", "false_positive_rate":
              "false positive rate"}


def report_name(metric: str) -> str:
    """The gate's report name: the fairness metric, or "<metric>_gap" for a per-group gap."""
    from pytest_modelgate.metrics._fairness import RATE_METRICS

    return metric if metric in RATE_METRICS else f"{metric}_gap"


def _ratio_verdict(value: float, ci: tuple[float, float] | None, min_t: float | None,
                   what: str, *, wanted_ci: bool) -> Decision:
    """`interval_verdict` mirrored for a higher-is-better ratio against `min_ratio`."""
    flip = None if ci is None else (-ci[1], -ci[0])
    d = interval_verdict(-value, flip, None if min_t is None else -min_t, what,
                         wanted_ci=wanted_ci)
    if min_t is None:
        return d
    lo, hi = (value, value) if ci is None else ci
    if d.verdict == "failed":
        reason = (f"the whole interval {format_interval(lo, hi)} of {what} is below min_ratio "
                  f"{_g(min_t)}" if ci is not None else f"{what} {_g(value)} < {_g(min_t)}")
    elif d.verdict == "passed":
        reason = (f"lower bound {_g(lo)} >= {_g(min_t)}" if ci is not None
                  else f"{what} {_g(value)} >= {_g(min_t)}")
    else:
        reason = (f"{what} {_estimate(value, lo, hi)} straddles "
                  f"{_g(min_t)}" if ci is not None else
                  f"{what} {_g(value)} but no confidence interval could be computed")
    margin = None if d.margin is None else (lo - min_t)
    return Decision(d.verdict, margin, reason)


def _group_text(res: FairnessResult, key: str) -> str:
    g = next(x for x in res.groups if x.key == key)
    return f"{_g(g.value)} in {key!r} (n={g.n:,})"


def _rows(n: int) -> str:
    return f"{n:,} row{'' if n == 1 else 's'}"


def _fix_hint(res: FairnessResult) -> str:
    if res.rate in _RATE_TEXT:
        return ("check whether the sensitive feature or its proxies drive the predictions; "
                "rebalance or reweight the training data, or post-process with per-group "
                "thresholds (e.g. fairlearn.postprocessing.ThresholdOptimizer); or relax the "
                "threshold if the gap is justified")
    return ("improve the model on the weakest group (more or better training data there), or "
            "relax max_gap if the gap is justified")


def fairness(ctx: GateContext, y_true: Any, y_pred: Any, *, sensitive: Any, X: Any = None,
             sample_weight: Any = None, **kw: Any) -> GateResult:
    """Gate a group-fairness measure against `max_gap` (differences) or `min_ratio` (ratios)."""
    from pytest_modelgate.metrics import rows_needed
    from pytest_modelgate.metrics._fairness import RATE_METRICS
    from pytest_modelgate.metrics._fairness import fairness as measure

    metric = kw.get("metric") or "demographic_parity_difference"
    confidence = kw.get("confidence", 0.95)
    power = float(kw.get("power", 0.8))
    max_gap, min_ratio = kw.get("max_gap"), kw.get("min_ratio")
    params = {k: kw[k] for k in ("average",) if kw.get(k) is not None}
    res = measure(y_true, y_pred, sensitive=sensitive, metric=metric, confidence=confidence,
                  n_resamples=kw.get("n_resamples", 1000), seed=ctx.seed,
                  sample_weight=sample_weight, pos_label=kw.get("pos_label"), X=X,
                  min_group_rows=kw.get("min_group_rows", 10), **params)
    name = kw.get("name") or report_name(res.metric)
    ratio = res.kind == "ratio"
    if ratio and max_gap is not None:
        raise ConfigError(f"max_gap: {res.metric!r} is a ratio (1 is fair); gate it with "
                          "min_ratio= (e.g. 0.8, the four-fifths rule), or use the _difference "
                          "metric with max_gap=")
    if not ratio and min_ratio is not None:
        raise ConfigError(f"min_ratio: {res.metric!r} is a difference (0 is fair); gate it with "
                          "max_gap=, or use the _ratio metric with min_ratio=")
    what = res.metric if res.metric in RATE_METRICS else f"{res.metric} gap"
    wanted = confidence is not None
    d = (_ratio_verdict(res.value, res.ci, min_ratio, what, wanted_ci=wanted) if ratio
         else interval_verdict(res.value, res.ci, max_gap, what, wanted_ci=wanted))
    threshold_value = min_ratio if ratio else max_gap
    rows: int | None = None
    smallest = next(g for g in res.groups if g.key == res.smallest)
    share = smallest.n / max(res.n, 1)
    small = isinstance(res.details.get("min_group_rows"), int) and res.ci is None
    if d.verdict == "inconclusive" and threshold_value is not None and confidence is not None:
        if res.ci is not None:
            rows = rows_needed(res.value, threshold_value, n=res.n, ci=res.ci,
                               confidence=confidence, power=power)
        elif not small and isinstance(res.details.get("min_rows"), int):
            rows = int(res.details["min_rows"])

    over = ("the sensitive feature" if res.features == ("sensitive",)
            else " x ".join(repr(f) for f in res.features))
    groups_text = f"{_g(len(res.groups))} groups of {over}"
    value_text, ci = (format_estimate(res.value, *res.ci) if res.ci is not None
                      else (_g(res.value), ""))
    ci_text = (f"{res.confidence:.0%} CI {ci}, bootstrap "
               "stratified by group" if res.ci is not None else
               ("no interval: " + ("a group is too small" if small else
                                   str(res.details.get("note", "not computable")))
                if res.confidence is not None else "point estimate"))
    fav = ""
    if "pos_label" in res.details:
        fav = f", favourable outcome {res.details['pos_label']!r}"
    parts = [f"{what} = {value_text} over {groups_text} ({ci_text}, n={res.n:,}{fav})"]
    if threshold_value is not None:
        parts.append(f"threshold {'min_ratio' if ratio else 'max_gap'} {_g(threshold_value)}")
    if d.margin is not None:
        parts.append(f"margin {_sgn(d.margin)}")
    text = "; ".join(parts)
    if res.worst_pair is not None:
        hi, lo = res.worst_pair
        rate = _RATE_TEXT.get(res.rate, res.rate)
        text += (f". Worst pair, by {rate}: {_group_text(res, hi)} vs {_group_text(res, lo)}")
    else:
        same = {g.value for g in res.groups if g.value is not None}
        if len(same) == 1:
            rate = _RATE_TEXT.get(res.rate, res.rate).split(" (")[0]
            text += f". Every group has the same {rate} ({_g(same.pop())})"
    if res.details.get("degenerate"):
        text += f". Note: {res.details['degenerate']}"
    if d.verdict == "passed":
        tail = "passed" + (f": {d.reason}" if threshold_value is None else "")
    elif d.verdict == "failed":
        tail = f"FAILED: {d.reason}. To pass: {_fix_hint(res)}"
    else:
        if small:
            tail = (f"INCONCLUSIVE: {d.reason}; {res.details['note']}. To decide: collect at "
                    f"least {_g(res.details['min_group_rows'])} rows of {res.smallest!r} (more to "
                    "narrow the interval), or leave the group out of sensitive")
        else:
            per_group = max(math.ceil(rows * share), 1) if rows else 0
            how = (f"about {rows:,} rows would decide it at the current group shares, i.e. "
                   f"about {per_group:,} rows in the smallest group {res.smallest!r} (now "
                   f"{_rows(smallest.n)}, {share:.1%} of the data), which limits the interval "
                   f"({power:.0%} power if the true gap equals the estimate)" if rows else
                   "no number of rows decides it at this value; the smallest group "
                   f"{res.smallest!r} ({_rows(smallest.n)}) limits the interval")
            tail = (f"INCONCLUSIVE: {d.reason}; {how}. To decide: collect more rows of the "
                    "smallest groups, or lower confidence")
    details: dict[str, Any] = {
        "metric": res.metric, "kind": res.kind, "rate": res.rate, "features": list(res.features),
        "groups": [g.to_dict() for g in res.groups],
        "worst_pair": None if res.worst_pair is None else {
            "high": res.worst_pair[0], "low": res.worst_pair[1], "rate": res.rate},
        "smallest_group": {"key": res.smallest, "n": smallest.n},
        **res.details,
    }
    if res.n_resamples is not None:
        details.update(n_resamples=res.n_resamples, seed=res.seed)
    if d.verdict == "inconclusive":
        details["rows_needed"] = rows
        details["power"] = power
    threshold: dict[str, Any] = {}
    if threshold_value is not None:
        threshold["min_ratio" if ratio else "max_gap"] = threshold_value
    return GateResult(
        nodeid=ctx.nodeid, kind="fairness", name=name, value=res.value, threshold=threshold,
        direction="higher" if ratio else "lower", ci=res.ci, confidence=res.confidence,
        margin=d.margin, verdict=d.verdict, message=f"{text}. {tail}", method=res.method,
        n=res.n, details=details)
