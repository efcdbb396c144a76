"""Side-by-side view of several reports, e.g. one per tox env / model version."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._format import format_value
from .markdown import markdown_table
from .terminal import render_table

__all__ = ["Comparison", "compare_reports", "render_compare_markdown", "render_compare_terminal"]

_MARK = {"passed": "✓", "failed": "✗", "inconclusive": "?"}


@dataclass(frozen=True)
class Comparison:
    """Column labels (one per report) and rows keyed by (test, gate) with one cell per report."""

    labels: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]
    totals: tuple[str, ...]


def _label(report: Mapping[str, Any], path: str, seen: set[str]) -> str:
    model = report.get("run", {}).get("models", {}).get("model") or {}
    label = str(model.get("version") or Path(path).stem)
    base, i = label, 2
    while label in seen:
        label, i = f"{base} ({i})", i + 1
    seen.add(label)
    return label


def compare_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> Comparison:
    """Align results by (node id, kind:name) across reports, in first-seen order."""
    seen: set[str] = set()
    labels = tuple(_label(rep, path, seen) for path, rep in reports)
    keys: dict[tuple[str, str], list[str]] = {}
    for col, (_, rep) in enumerate(reports):
        for res in rep["results"]:
            key = (str(res["nodeid"]), f"{res['kind']}:{res['name']}")
            cells = keys.setdefault(key, ["—"] * len(reports))
            mark = _MARK.get(str(res.get("verdict")), "")
            cells[col] = f"{format_value(res.get('value'), res.get('unit'))} {mark}".strip()
    totals = []
    for _, rep in reports:
        res = rep["results"]
        passed = sum(1 for r in res if r.get("verdict") == "passed")
        totals.append(f"{passed}/{len(res)} passed")
    rows = tuple((k[0], k[1], tuple(v)) for k, v in keys.items())
    return Comparison(labels, rows, tuple(totals))


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
