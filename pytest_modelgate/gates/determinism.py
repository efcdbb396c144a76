"""Judge for determinism gates: `security.determinism.check_determinism` -> `GateResult`.

Called by `Gate.determinism` in `_recorder.py`. One result per call; each check (repeat,
batch_vs_single, row_order, dtype) is a row of `details["checks"]` with the number and the first
positions of the rows that disagreed and the largest difference. The value is the number of
disagreeing rows of the worst check; any disagreement fails the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pytest_modelgate.results import GateResult

from ._text import fmt_number as _g

if TYPE_CHECKING:
    from pytest_modelgate.security.determinism import CheckOutcome

    from ._recorder import GateContext

__all__ = ["DETERMINISM_KEYWORDS", "determinism"]

DETERMINISM_KEYWORDS: tuple[str, ...] = ("method", "checks", "max_rows", "atol", "rtol", "name")

_WHAT = {
    "repeat": "the same batch twice",
    "batch_vs_single": "single-row vs batch",
    "row_order": "shuffled vs original row order",
    "dtype": "float32 vs float64 input of the same values",
}
_FIX = {
    "repeat": "the output is random or stateful: fix random_state, turn off sampling/dropout at "
              "inference, or clear caches between calls",
    "batch_vs_single": "a row's prediction depends on the other rows of its batch: compute "
                       "normalisation and other statistics at fit time (e.g. a StandardScaler "
                       "inside the Pipeline), never from the batch being predicted",
    "row_order": "the output depends on row order: look for cumulative, rolling or lagged "
                 "features and state carried from row to row",
    "dtype": "float32 and float64 input of the same values predict differently: cast the input "
             "once in the serving code (sklearn.utils.check_array(X, dtype=...))",
}


def _rows(c: CheckOutcome) -> str:
    shown = ", ".join(map(str, c.rows)) + (", ..." if c.n_disagree > len(c.rows) else "")
    labels = ""
    if c.labels is not None and list(c.labels) != list(c.rows):
        labels = f" (index {', '.join(map(str, c.labels))})"
    return f"rows {shown}{labels}"


def _line(c: CheckOutcome, atol: float, rtol: float) -> str:
    if c.skipped:
        return f"{c.name}: not applicable ({c.skipped})"
    diff = "" if c.max_abs_diff is None else f"; max abs diff {_g(c.max_abs_diff)}"
    tol = f" beyond atol {_g(atol)}/rtol {_g(rtol)}" if c.compare == "tolerance" else ""
    if c.agrees:
        return f"{c.name}: all {_g(c.n_rows)} rows agree ({_WHAT[c.name]}{diff})"
    return (f"{c.name}: {_g(c.n_disagree)}/{_g(c.n_rows)} rows disagree{tol} ({_WHAT[c.name]}: "
            f"{_rows(c)}{diff})")


def determinism(ctx: GateContext, predict: Any, X: Any, *, method: str | None = None,
                checks: Any = None, max_rows: int = 200, atol: float = 1e-8, rtol: float = 1e-5,
                name: str | None = None) -> GateResult:
    """Run the consistency checks and fail when any row disagrees in any check."""
    from pytest_modelgate.security.determinism import check_determinism

    if isinstance(checks, str):
        checks = [checks]
    res = check_determinism(predict, X, method=method, checks=checks, max_rows=max_rows,
                            atol=atol, rtol=rtol, seed=ctx.seed,
                            progress=ctx.progress("determinism", "predict calls"))
    bad = res.disagreeing
    verdict: Literal["passed", "failed"] = "failed" if bad else "passed"
    lines = [_line(c, res.atol, res.rtol) for c in res.checks]
    head = f"{res.method}() on {_g(res.n_rows)} rows: "
    if bad:
        worst = max(bad, key=lambda c: c.n_disagree)
        message = (head + f"{_g(len(bad))} of {_g(len(res.checks))} consistency checks failed, worst "
                   f"{worst.name} with {_g(worst.n_disagree)}/{_g(worst.n_rows)} rows vs max 0 | "
                   + " | ".join(lines)
                   + ". To fix: " + "; ".join(_FIX[c.name] for c in bad) + ".")
    else:
        message = head + "consistent | " + " | ".join(lines)
    return GateResult(
        nodeid=ctx.nodeid, kind="determinism", name=name or "determinism",
        value=float(res.worst), threshold={"max_disagreeing_rows": 0}, direction="lower",
        margin=float(-res.worst), verdict=verdict, message=message,
        method="consistency-checks", n=res.n_rows, unit="rows",
        details={"checks": [c.to_dict() for c in res.checks], "predict": res.method,
                 "atol": res.atol, "rtol": res.rtol, "max_rows": max_rows},
    )
