"""Shared cell formatting so every view shows the same numbers the same way."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pytest_modelgate.results import VERDICTS, GateResult, RunRecord, is_blocking, waiver
from pytest_modelgate.units import format_bytes, format_seconds

__all__ = [
    "HEADER",
    "format_ci",
    "format_value",
    "headline",
    "result_rows",
    "sort_results",
    "summary_counts",
    "summary_text",
    "verdict_label",
]

HEADER = ("test", "gate", "value", "CI", "threshold", "margin", "verdict")
_ORDER = {"error": 0, "failed": 1, "inconclusive": 2, "passed": 3}
_DEFAULT_RUN = RunRecord(seed=0)
_WAIVERS = {"xfailed": 0, "skipped": 1, "not enforced": 2, "inconclusive allowed": 3}
INTERRUPTED = "run interrupted before every gate ran: not a verdict"
NO_GATES = "no gate ran: every gate test was deselected or none was selected; not a verdict"


def format_value(x: Any, unit: str | None = None) -> str:
    """A number with 4 significant digits, or with human units for seconds and bytes."""
    if x is None:
        return "—"
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if unit == "s":
        return format_seconds(x)
    if unit == "B":
        return format_bytes(x)
    return f"{x:.4g}"


def format_ci(ci: Sequence[float] | None, unit: str | None = None, confidence: Any = None) -> str:
    if ci is None:
        return "—"
    level = f" @{confidence:.0%}" if isinstance(confidence, float) else ""
    return f"[{format_value(ci[0], unit)}, {format_value(ci[1], unit)}]{level}"


def format_threshold(threshold: dict[str, Any] | Any, unit: str | None = None) -> str:
    if not threshold:
        return "—"
    parts = []
    for key, val in dict(threshold).items():
        if val is None:
            continue
        u = unit if key not in {"max_share", "max_ratio", "max_drop", "max_flip_rate",
                                "max_advantage", "throughput"} else None
        parts.append(f"{key} {format_value(val, u)}")
    return ", ".join(parts) or "—"


def verdict_label(r: GateResult, run: RunRecord | None = None) -> str:
    """"passed", or the verdict in capitals with the reason it does not block, if it does not."""
    if r.passed:
        return "passed"
    why = waiver(r, run or _DEFAULT_RUN)
    return r.verdict.upper() + (f" ({why})" if why else "")


def sort_results(results: Iterable[GateResult], run: RunRecord | None = None) -> list[GateResult]:
    """Blocking results first (errors, failures, inconclusive), then waived ones, then passes;
    stable within each group."""
    run = run or _DEFAULT_RUN
    return sorted(results, key=lambda r: (not is_blocking(r, run), _ORDER.get(r.verdict, 4)))


def summary_counts(results: Sequence[GateResult], run: RunRecord | None = None) -> dict[str, int]:
    """Counts per verdict, plus how many results block the run and how many are waived."""
    run = run or _DEFAULT_RUN
    counts = {"total": len(results)}
    counts.update({v: sum(1 for r in results if r.verdict == v) for v in VERDICTS})
    counts["blocking"] = sum(1 for r in results if is_blocking(r, run))
    counts["waived"] = len(results) - counts["passed"] - counts["blocking"]
    return counts


def _count(n: int, verdict: str) -> str:
    return f"{n} {verdict}{'s' if verdict == 'error' and n != 1 else ''}"


def summary_text(results: Sequence[GateResult], run: RunRecord | None = None, *,
                 with_passed: bool = True) -> str:
    """One line: passes, the blocking results per verdict, the waived ones with why, then what
    blocks, e.g. "1 passed, 1 failed, 2 waived (1 xfailed, 1 skipped); 1 blocking"; an
    interrupted run says first that it is no verdict."""
    run = run or _DEFAULT_RUN
    if run.interrupted:
        rest = summary_text(results, replace(run, interrupted=False), with_passed=with_passed)
        return f"{INTERRUPTED}; {rest}" if rest else INTERRUPTED
    if not results:
        return NO_GATES if run.no_gates else "no gate results"
    counts = summary_counts(results, run)
    parts = [_count(counts["passed"], "passed")] if with_passed and counts["passed"] else []
    for verdict in VERDICTS[1:]:
        n = sum(1 for r in results if r.verdict == verdict and is_blocking(r, run))
        if n:
            parts.append(_count(n, verdict))
    reasons: dict[str, int] = {}
    for r in results:
        why = waiver(r, run)
        if why:
            reasons[why] = reasons.get(why, 0) + 1
    reasons = dict(sorted(reasons.items(), key=lambda kv: _WAIVERS.get(kv[0], len(_WAIVERS))))
    if reasons:
        parts.append(f"{counts['waived']} waived "
                     f"({', '.join(f'{n} {w}' for w, n in reasons.items())})")
    text = ", ".join(parts)
    if counts["blocking"]:
        return f"{text}; {counts['blocking']} blocking"
    return f"{text}; nothing blocking" if reasons else text


def headline(results: Sequence[GateResult], run: RunRecord | None = None) -> tuple[str, str]:
    """The icon (❌ something blocks or the run was interrupted, ⚠️ only waived non-passes, ✅ all
    passed) and the title, e.g. "Model gates: 2/4 passed — 1 failed, 1 error; 2 blocking"."""
    run = run or _DEFAULT_RUN
    if run.no_gates and not results:
        return "⚠️", f"Model gates: {NO_GATES}"
    counts = summary_counts(results, run)
    icon = "❌" if counts["blocking"] or run.interrupted else (
        "⚠️" if counts["waived"] else "✅")
    title = f"Model gates: {counts['passed']}/{counts['total']} passed"
    if counts["passed"] < counts["total"] or run.interrupted:
        title += f" — {summary_text(results, run, with_passed=False)}"
    return icon, title


def result_rows(results: Iterable[GateResult], run: RunRecord | None = None) -> list[tuple[str, ...]]:
    """One tuple of display cells per result, in `HEADER` order, blocking results first."""
    rows: list[tuple[str, ...]] = []
    for r in sort_results(results, run):
        margin_unit = r.unit if r.unit in {"s", "B"} else None
        rows.append((
            r.nodeid,
            f"{r.kind}:{r.name}",
            format_value(r.value, r.unit),
            format_ci(r.ci, r.unit),
            format_threshold(r.threshold, r.unit),
            format_value(r.margin, margin_unit),
            verdict_label(r, run),
        ))
    return rows
