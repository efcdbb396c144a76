"""Shared cell formatting so every view shows the same numbers the same way."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from pytest_modelgate.results import GateResult
from pytest_modelgate.units import format_bytes, format_seconds

__all__ = ["HEADER", "format_ci", "format_value", "result_rows", "sort_results", "verdict_label"]

HEADER = ("test", "gate", "value", "CI", "threshold", "margin", "verdict")
_ORDER = {"failed": 0, "inconclusive": 1, "passed": 2}


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


def verdict_label(r: GateResult) -> str:
    label = r.verdict.upper() if r.verdict != "passed" else "passed"
    return label if r.enforced or r.passed else f"{label} (not enforced)"


def sort_results(results: Iterable[GateResult]) -> list[GateResult]:
    """Failures first, then inconclusive, then passes; stable within each group."""
    return sorted(results, key=lambda r: _ORDER.get(r.verdict, 3))


def result_rows(results: Iterable[GateResult]) -> list[tuple[str, ...]]:
    """One tuple of display cells per result, in `HEADER` order, failures first."""
    rows: list[tuple[str, ...]] = []
    for r in sort_results(results):
        margin_unit = r.unit if r.unit in {"s", "B"} else None
        rows.append((
            r.nodeid,
            f"{r.kind}:{r.name}",
            format_value(r.value, r.unit),
            format_ci(r.ci, r.unit),
            format_threshold(r.threshold, r.unit),
            format_value(r.margin, margin_unit),
            verdict_label(r),
        ))
    return rows
