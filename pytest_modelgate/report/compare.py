"""Side-by-side view of several reports, e.g. one per tox env / model version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pytest_modelgate.results import GateResult, RunRecord, is_blocking, waiver

from ._format import format_value
from .json_report import parse_report
from .markdown import markdown_table
from .terminal import render_table

__all__ = [
    "Comparison",
    "any_blocking",
    "compare_reports",
    "render_compare_markdown",
    "render_compare_terminal",
]

_MARK = {"passed": "✓", "failed": "✗", "inconclusive": "?", "error": "‼"}


@dataclass(frozen=True)
class Comparison:
    """Column labels (one per report) and rows keyed by (test, gate) with one cell per report."""

    labels: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]
    totals: tuple[str, ...]


def _label(run: RunRecord, path: str, seen: set[str]) -> str:
    model = run.models.get("model") or {}
    label = str(model.get("version") or Path(path).stem)
    base, i = label, 2
    while label in seen:
        label, i = f"{base} ({i})", i + 1
    seen.add(label)
    return label


def _cell(r: GateResult, run: RunRecord) -> str:
    text = "error" if r.verdict == "error" else format_value(r.value, r.unit)
    why = waiver(r, run)
    return f"{text} {_MARK.get(r.verdict, '')}".strip() + (f" ({why})" if why else "")


def compare_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> Comparison:
    """Align results by (node id, kind:name) across reports, in first-seen order.

    Each report's total counts its passes and its blocking results (`is_blocking`, with that
    report's own run settings).
    """
    parsed = [(path, *parse_report(rep)) for path, rep in reports]
    seen: set[str] = set()
    labels = tuple(_label(run, path, seen) for path, run, _ in parsed)
    keys: dict[tuple[str, str], list[str]] = {}
    totals = []
    for col, (_, run, results) in enumerate(parsed):
        for r in results:
            cells = keys.setdefault((r.nodeid, f"{r.kind}:{r.name}"), ["—"] * len(parsed))
            cells[col] = _cell(r, run)
        passed = sum(1 for r in results if r.passed)
        blocking = sum(1 for r in results if is_blocking(r, run))
        totals.append(f"{passed}/{len(results)} passed"
                      + (f", {blocking} blocking" if blocking else "")
                      + (", interrupted" if run.interrupted else "")
                      + (", no gate ran" if run.no_gates else ""))
    rows = tuple((k[0], k[1], tuple(v)) for k, v in keys.items())
    return Comparison(labels, rows, tuple(totals))


def any_blocking(reports: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any result of these report documents blocks its run, or a run was interrupted
    or ran no gate (no verdict), for `compare --strict`."""
    for rep in reports:
        run, results = parse_report(rep)
        if run.interrupted or run.no_gates or any(is_blocking(r, run) for r in results):
            return True
    return False


def _table(cmp: Comparison) -> tuple[list[str], list[list[str]]]:
    header = ["test", "gate", *cmp.labels]
    rows = [[test, gate, *cells] for test, gate, cells in cmp.rows]
    rows.append(["", "total", *cmp.totals])
    return header, rows


def render_compare_terminal(cmp: Comparison, width: int = 200) -> str:
    header, rows = _table(cmp)
    return "\n".join(render_table(header, rows, width)) + "\n"


def render_compare_markdown(cmp: Comparison) -> str:
    header, rows = _table(cmp)
    return "\n".join(["## Model gates across versions", "", *markdown_table(header, rows)]) + "\n"
