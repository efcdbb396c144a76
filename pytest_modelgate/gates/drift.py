"""Judge for drift gates: `pytest_modelgate.drift.detect` + `max_share` -> `GateResult`.

Called by `Gate.drift` in `_recorder.py`. The value is the share of drifted columns (lower is
better); the message names every drifted column with its test, statistic, corrected p-value and
effect size, and says which knob to turn. Multivariate methods gate their own statistic.
Every p-value reported is scipy's, exact (a large-sample KS one costs under 1 ms, `drift._ks`).
"""

from __future__ import annotations

import math
import os
from typing import TYPE_CHECKING, Any, Literal

from pytest_modelgate._numbers import format_estimate
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._numbers import format_signed as _sgn
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import GateResult, decide

from ._recorder import DEFAULT_NAMES
from ._text import fmt_number as _g

if TYPE_CHECKING:
    from pytest_modelgate.drift import ColumnDrift, DriftResult

    from ._recorder import GateContext

__all__ = ["DRIFT_KEYWORDS", "drift"]

DRIFT_KEYWORDS: tuple[str, ...] = (
    "method", "alpha", "max_share", "columns", "name", "correction", "categorical",
    "min_effect", "n_jobs", "threshold", "confidence", "max_rows", "cv", "n_permutations",
)
_SHOWN = 8
Verdict = Literal["passed", "failed", "inconclusive"]


def _known(x: float | None) -> float | None:
    """A p-value for the report: None when the test has none or could not compute it (NaN)."""
    return None if x is None or math.isnan(x) else x


def _p(c: ColumnDrift) -> str:
    adj = _known(c.p_adjusted)
    return "" if adj is None else f", p_adj={_num(adj, digits=3, tiny=True)}"


def _column(c: ColumnDrift) -> dict[str, Any]:
    """One column of the report details: every p-value exact (scipy's), read from the engine
    (a deferred large-sample KS p-value costs under 1 ms)."""
    return {"test": c.test, "statistic": c.statistic,
            "p_value": _known(c.p_value), "p_adjusted": _known(c.p_adjusted),
            "effect": c.effect, "effect_name": c.effect_name, "threshold": c.threshold,
            "drifted": c.drifted, "skipped": c.skipped, "reason": c.reason,
            "missing_reference": c.missing_reference, "missing_current": c.missing_current,
            "missing_p": c.missing_p, "missing_p_adjusted": c.missing_p_adjusted,
            "missing_effect": c.missing_effect, "missing_drifted": c.missing_drifted,
            "unseen": list(c.unseen), "unseen_share": c.unseen_share,
            "unseen_p": c.unseen_p, "unseen_p_adjusted": c.unseen_p_adjusted,
            "unseen_drifted": c.unseen_drifted,
            "min_detectable": c.min_detectable, "rows_needed": c.rows_needed}


def _load_reference(reference: Any) -> Any:
    if isinstance(reference, (str, os.PathLike)):
        from pytest_modelgate.drift import Profile

        return Profile.load(reference)
    return reference


def drift(ctx: GateContext, reference: Any, current: Any, **kw: Any) -> GateResult:
    """Run the drift engine and judge the share of drifted columns against `max_share`.

    `reference` may be data, a `Profile`, or the path of a saved profile.
    """
    from pytest_modelgate.drift import detect

    from ._details import drift_plot

    kw = dict(kw)
    name = kw.pop("name", None) or DEFAULT_NAMES["drift"]
    method = kw.pop("method", "auto")
    alpha = kw.pop("alpha", 0.05)
    max_share = kw.pop("max_share", 0.5)
    correction = kw.pop("correction", "holm")
    if method not in ("classifier", "mmd") and any(k in kw for k in ("threshold", "confidence", "max_rows", "cv", "n_permutations")):
        bad = [k for k in ("threshold", "confidence", "max_rows", "cv", "n_permutations")
               if k in kw]
        raise ConfigError(f"gate.drift: {', '.join(bad)} only apply to method='classifier' or "
                          f"'mmd'; for per-column tests use min_effect=")
    reference = _load_reference(reference)
    if method not in ("classifier", "mmd"):
        kw["progress"] = ctx.progress("drift", "columns")
    res = detect(reference, current, method=method, alpha=alpha,
                 max_share=max_share, correction=correction, seed=ctx.seed, **kw)
    if res.multivariate is not None:
        return _multivariate(ctx, name, res)
    return drift_plot(_per_column(ctx, name, res), reference, current, res)


def _what_drifted(c: ColumnDrift) -> str:
    """The drifted column's evidence: its test, and the missing-share / unseen findings."""
    if c.test == "missing":
        return f"{c.test} ({c.reason})"
    parts = []
    if c.statistic is not None and c.effect is not None and c.threshold is not None and (
            c.effect >= c.threshold):
        parts.append(f"{c.test} statistic={_g(c.statistic)}{_p(c)}, "
                     f"{c.effect_name}={_g(c.effect)}")
    if c.missing_drifted:
        parts.append(f"missing/non-finite share {_sgn(c.missing_effect, digits=3)} (two-proportion z-test, "
                     f"p_adj={_num(c.missing_p_adjusted, digits=3, tiny=True)})")
    if c.unseen_drifted:
        parts.append(f"unseen categories: {c.unseen_share:.0%} of current rows in categories "
                     "the reference never saw (one-sided binomial test, "
                     f"p_adj={_num(c.unseen_p_adjusted, digits=3, tiny=True)})")
    elif c.unseen_share >= 0.5:
        parts.append(f"{c.unseen_share:.0%} of current rows in categories the reference never "
                     "saw")
    if not parts:
        parts.append(f"{c.test} statistic={_g(c.statistic)}{_p(c)}, "
                     f"{c.effect_name}={_g(c.effect)}")
    return "; ".join(parts)


def _undecided(res: DriftResult) -> tuple[list[Any], list[Any]]:
    """(untestable, underpowered) columns that could flip a passing verdict: counted as
    drifted, would they push the share over max_share?"""
    untestable, weak = res.untestable_columns, res.underpowered_columns
    n_all = len(res.columns)
    if res.n_tested == 0 or len(untestable) == n_all:  # nothing tested: never a pass
        return untestable or list(res.columns), []
    n_drift = len(res.drifted_columns)
    could = n_drift + len(untestable) + len(weak)
    if n_all and could / n_all > res.max_share:
        return untestable, weak
    return [], []


def _inconclusive(ctx: GateContext, name: str, res: DriftResult, details: dict[str, Any],
                  untestable: list[Any], weak: list[Any]) -> GateResult:
    """No column tested, or columns whose tests could not see a threshold-size shift."""
    parts: list[str] = []
    rows: int | None = None
    if res.n_tested == 0 or len(untestable) == len(res.columns):
        why = "; ".join(f"{k!s}: {res.columns[k].reason}" for k in untestable[:_SHOWN])
        parts.append(f"INCONCLUSIVE: no column could be tested ({why}). Pass data with values "
                     "on both sides, or choose the columns to test with columns=[...]")
    else:
        if untestable:
            parts.append(f"{len(untestable)} column(s) could not be tested: "
                         + ", ".join(str(k) for k in untestable[:_SHOWN]))
        if weak:
            needs = [res.columns[k].rows_needed for k in weak]
            known = [r for r in needs if r is not None]
            rows = max(known) if known else None
            c0 = res.columns[weak[0]]
            parts.append(
                f"{_num(len(weak))} of {_num(len(res.columns))} columns cannot show a shift of the "
                f"threshold size at these sample sizes ({c0.test} at {c0.n_reference} vs "
                f"{_num(c0.n_current)} rows can only flag {c0.effect_name} >= "
                f"{_g(c0.min_detectable)}, threshold {_g(c0.threshold)})")
        need = (f"about {rows:,} current rows would decide it" if rows
                else "more rows would decide it")
        parts.insert(0, f"{_num(len(res.drifted_columns))} of {_num(res.n_tested)} columns drifted "
                        f"(max_share {_num(res.max_share, digits=6)}), but the undecided columns could "
                        "change the verdict")
        parts.append(f"INCONCLUSIVE: {need}. To decide: add rows, raise min_effect to a shift "
                     "these rows can show, or raise max_share")
    details["rows_needed"] = rows
    details["undecided_columns"] = [str(k) for k in (*untestable, *weak)]
    return GateResult(
        nodeid=ctx.nodeid, kind="drift", name=name, value=float(res.share_drifted),
        threshold={"max_share": res.max_share}, direction="lower", ci=None, confidence=None,
        margin=None, verdict="inconclusive", message="; ".join(parts), method=res.method,
        n=res.n_current, unit="share", details=details,
    )


def _per_column(ctx: GateContext, name: str, res: DriftResult) -> GateResult:
    dec = decide(res.share_drifted, None, max=res.max_share)
    details: dict[str, Any] = {
        "columns": {str(k): _column(c) for k, c in res.columns.items()},
        "correction": res.correction, "alpha": res.alpha, "n_tested": res.n_tested,
        "drifted_columns": [str(k) for k in res.drifted_columns],
        "skipped_columns": [str(k) for k in res.skipped_columns],
        "n_reference": res.n_reference, "n_current": res.n_current,
        "notes": list(res.notes),
    }
    if dec.verdict == "passed":
        untestable, weak = _undecided(res)
        if untestable or weak:
            return _inconclusive(ctx, name, res, details, untestable, weak)
    drifted = [(k, c) for k, c in res.columns.items() if c.drifted]
    n_drift = len(drifted)
    head = (f"{_num(n_drift)} of {_num(res.n_tested)} columns drifted (share {_num(res.share_drifted, digits=3)}, "
            f"max_share {_num(res.max_share, digits=6)}, margin {_g(dec.margin)}; method {res.method}, "
            f"alpha {_num(res.alpha, digits=6)} with {res.correction} correction)")
    shown = []
    for k, c in drifted[:_SHOWN]:
        shown.append(f"{k!s}: {_what_drifted(c)}")
    if len(drifted) > _SHOWN:
        shown.append(f"... and {len(drifted) - _SHOWN} more (see the report details)")
    msg = head
    if shown:
        msg += "; drifted: " + "; ".join(shown)
    if res.skipped_columns:
        msg += f"; skipped: {', '.join(str(k) for k in res.skipped_columns[:_SHOWN])}"
    if dec.verdict != "passed":
        msg += (". To accept this data: refresh the reference (profile) if the change is "
                "expected, raise max_share, or raise min_effect if these changes are too "
                "small to matter")
    return GateResult(
        nodeid=ctx.nodeid, kind="drift", name=name, value=float(res.share_drifted),
        threshold={"max_share": res.max_share}, direction="lower", ci=None, confidence=None,
        margin=dec.margin, verdict=dec.verdict, message=msg, method=res.method,
        n=res.n_current, unit="share", details=details,
    )


def _multivariate(ctx: GateContext, name: str, res: DriftResult) -> GateResult:
    mv = res.multivariate
    assert mv is not None
    details = {"multivariate": mv.to_dict()}
    if mv.test == "classifier":
        thr = float(mv.threshold if mv.threshold is not None else 0.55)
        dec = decide(mv.statistic, mv.ci, max=thr)
        # drift (failed) only when the whole interval is above the threshold; the point
        # estimate above it with the lower bound below is inconclusive
        verdict: Verdict = ("failed" if mv.drifted else
                   "inconclusive" if mv.statistic > thr else "passed")
        auc, ci = format_estimate(mv.statistic, *(mv.ci or (None, None)), missing="n/a")
        msg = (f"domain classifier ROC AUC {auc} "
               f"(CI {ci} at "
               f"{_num(mv.confidence, digits=6)}) vs max_auc {_num(thr, digits=6)}, margin {_g(dec.margin)}; "
               f"{_num(mv.n_reference)} + {_num(mv.n_current)} rows")
        if verdict != "passed":
            msg += (". A model can tell current rows from reference rows; inspect the columns "
                    "with the largest per-column effects, or refresh the reference")
        return GateResult(
            nodeid=ctx.nodeid, kind="drift", name=name, value=float(mv.statistic),
            threshold={"max_auc": thr}, direction="lower", ci=mv.ci, confidence=mv.confidence,
            margin=dec.margin, verdict=verdict,
            message=msg, method="classifier", n=mv.n_current, unit="roc_auc", details=details)
    alpha = float(mv.threshold if mv.threshold is not None else res.alpha)
    p = float(mv.p_value if mv.p_value is not None else 1.0)
    verdict_m: Verdict = "failed" if mv.drifted else "passed"
    msg = (f"MMD² {_g(mv.statistic)}, permutation p-value {_g(p)} vs alpha {_num(alpha, digits=6)}, "
           f"margin {_g(p - alpha)}; {_num(mv.n_reference)} + {_num(mv.n_current)} rows")
    if mv.drifted:
        msg += ". The joint distribution changed; refresh the reference if expected"
    return GateResult(
        nodeid=ctx.nodeid, kind="drift", name=name, value=p, threshold={"alpha": alpha},
        direction="higher", ci=None, confidence=None, margin=p - alpha, verdict=verdict_m,
        message=msg, method="mmd", n=mv.n_current, unit="p_value", details=details)
