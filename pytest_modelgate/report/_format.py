"""Shared cell formatting so every view shows the same numbers the same way."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from pytest_modelgate._numbers import (
    NOISE,
    format_estimate,
    format_interval,
    format_number,
    format_rate,
)
from pytest_modelgate.results import VERDICTS, GateResult, RunRecord, is_blocking, waiver

__all__ = [
    "HEADER",
    "format_ci",
    "format_estimate",
    "format_interval",
    "format_number",
    "format_value",
    "headline",
    "result_rows",
    "sort_results",
    "summary_counts",
    "summary_text",
    "value_and_ci",
    "verdict_label",
]

HEADER = ("test", "gate", "value", "CI", "threshold", "margin", "verdict")
_ORDER = {"error": 0, "failed": 1, "inconclusive": 2, "passed": 3}
_DEFAULT_RUN = RunRecord(seed=0)
_WAIVERS = {"xfailed": 0, "skipped": 1, "not enforced": 2, "inconclusive allowed": 3}
INTERRUPTED = "run interrupted before every gate ran: not a verdict"
NO_GATES = "no gate ran: every gate test was deselected or none was selected; not a verdict"


def format_value(x: Any, unit: str | None = None, *, scale: float | None = None) -> str:
    """A number with 4 significant digits, or with human units for seconds, bytes and rates."""
    return format_number(x, unit, scale=scale)


def format_margin(x: Any, unit: str | None, r: GateResult) -> str:
    """A result's margin: "0" (or "-0" when negative) only when it is float noise relative to
    the value and threshold it is the difference of; real small margins keep their digits."""
    scale = max(_threshold_scale(r.threshold) or 0.0,
                abs(r.value) if isinstance(r.value, (int, float)) and math.isfinite(r.value)
                else 0.0)
    if isinstance(x, float) and math.isfinite(x) and x != 0 and abs(x) > NOISE * scale:
        return format_number(x, unit, tiny=True)
    text = format_number(x, unit, scale=max(scale, 1.0))
    return "-" + text if isinstance(x, (int, float)) and x < 0 and text[:1] == "0" else text


def _threshold_scale(threshold: Any) -> float | None:
    """The largest finite numeric bound of a threshold: the scale of its margin's noise."""
    if not isinstance(threshold, dict):
        return None
    found = [abs(float(v)) for v in threshold.values() if isinstance(v, (int, float))
             and not isinstance(v, bool) and math.isfinite(v)]
    return max(found, default=None)


def value_and_ci(value: Any, ci: Sequence[Any] | None, unit: str | None = None,
                 ) -> tuple[str, str]:
    """The value cell and the CI cell of a row, printed alike (`format_estimate`): one unit,
    one grouping, one number of decimals; "—" for no interval."""
    if ci is None or len(ci) != 2 or None in ci:
        return format_number(value, unit, tiny=True), "—"  # a value is never float noise
    return format_estimate(value, ci[0], ci[1], unit, tiny=True)


def format_ci(ci: Sequence[float] | None, unit: str | None = None, confidence: Any = None) -> str:
    """"[10,612; 12,545]", with " @95%" when `confidence` is given; "—" for no interval."""
    if ci is None:
        return "—"
    level = f" @{confidence:.0%}" if isinstance(confidence, float) else ""
    return f"{format_interval(ci[0], ci[1], unit)}{level}"


_KEY_UNITS = {"p50": "s", "p90": "s", "p95": "s", "p99": "s", "max_bytes": "B"}
_UNITLESS = {"max_share", "max_ratio", "max_drop", "max_flip_rate", "max_advantage",
             "throughput"}


def format_threshold(threshold: dict[str, Any] | Any, unit: str | None = None) -> str:
    """"min 0.9", "p95 10ms, throughput 1k/s": every bound in its own unit."""
    if not threshold:
        return "—"
    parts = []
    for key, val in dict(threshold).items():
        if val is None:
            continue
        if key == "throughput" and isinstance(val, (int, float)):
            parts.append(f"throughput {format_rate(float(val))}")
            continue
        u = _KEY_UNITS.get(key, None if key in _UNITLESS else unit)
        parts.append(f"{key} {format_number(val, u, tiny=True)}")  # a bound is never noise
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


def result_rows(results: Iterable[GateResult], run: RunRecord | None = None, *,
                checks: bool = True) -> list[tuple[str, ...]]:
    """One tuple of display cells per result, in `HEADER` order, blocking results first; with
    `checks`, a latency gate with several budgets is followed by one row per budget."""
    rows: list[tuple[str, ...]] = []
    for r in sort_results(results, run):
        margin_unit = r.unit if r.unit in {"s", "B"} or (r.unit or "").endswith("/s") else None
        value, ci = value_and_ci(r.value, r.ci, r.unit)
        rows.append((
            r.nodeid,
            f"{r.kind}:{r.name}",
            value,
            ci,
            format_threshold(r.threshold, r.unit),
            format_margin(r.margin, margin_unit, r),
            verdict_label(r, run),
        ))
        if checks:
            rows.extend(check_rows(r))
    return rows


def latency_checks(r: GateResult) -> list[dict[str, Any]]:
    """The budgets a latency gate judged (`details["checks"]`), when it judged more than one."""
    found = r.details.get("checks") if r.kind == "latency" else None
    if not isinstance(found, list) or len(found) < 2:
        return []
    return [c for c in found if isinstance(c, dict)]


def check_rows(r: GateResult) -> list[tuple[str, ...]]:
    """One row per budget of a multi-budget latency gate: p50, p95, p99, throughput, ratio."""
    out: list[tuple[str, ...]] = []
    for c in latency_checks(r):
        unit = c.get("unit")
        unit = None if unit == "ratio" else unit
        ci = c.get("ci")
        op = "≤" if c.get("direction") == "lower" else "≥"
        value, ci_text = value_and_ci(c.get("value"), ci if isinstance(ci, list) else None, unit)
        out.append((
            "",
            f"  └ {c.get('name')}",
            value,
            ci_text,
            f"{op} {format_value(c.get('threshold'), unit)}",
            format_value(c.get("margin"), unit),
            str(c.get("verdict", "")),
        ))
    return out
