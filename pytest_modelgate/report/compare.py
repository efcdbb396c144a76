"""Side-by-side view of several reports, e.g. one per tox env / model version."""

from __future__ import annotations

import math
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
    """Column labels (one per report) and rows keyed by (test, gate) with one cell per report,
    rows whose verdict changed first; with several reports each row also has the value delta
    of the last report against the first (`deltas`) and its verdict change (`changes`)."""

    labels: tuple[str, ...]
    rows: tuple[tuple[str, str, tuple[str, ...]], ...]
    totals: tuple[str, ...]
    deltas: tuple[str, ...] = ()
    changes: tuple[str, ...] = ()


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


def _delta(first: GateResult | None, last: GateResult | None) -> str:
    """Signed change of the value, last minus first, in the result's unit ("+0.012", "-1.2ms")."""
    if first is None or last is None or first.unit != last.unit:
        return ""
    a, b = first.value, last.value
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) \
            or isinstance(a, bool) or isinstance(b, bool):
        return ""
    if not (math.isfinite(a) and math.isfinite(b)):
        return ""
    d = float(b) - float(a)
    if d == 0:
        return "0"
    unit = first.unit if first.unit in ("s", "B") or (first.unit or "").endswith("/s") else None
    return ("+" if d > 0 else "-") + format_value(abs(d), unit)


def _verdict(r: GateResult | None) -> str:
    return "—" if r is None else ("passed" if r.passed else r.verdict.upper())


def _change(results: list[GateResult | None]) -> str:
    """"passed → FAILED" when the verdict differs between the first and last report, "new" /
    "gone" when the gate is missing from one of them, else ""."""
    first, last = results[0], results[-1]
    if first is None and last is not None:
        return "new"
    if last is None and first is not None:
        return "gone"
    verdicts = [_verdict(r) for r in results if r is not None]
    if len(set(verdicts)) > 1:
        return f"{_verdict(first)} → {_verdict(last)}" if _verdict(first) != _verdict(last) \
            else "changed between runs"
    return ""


def compare_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> Comparison:
    """Align results by (node id, kind:name) across reports.

    Rows whose verdict differs between reports come first, then those blocking in the last
    report, then the rest, each group in first-seen order. Each report's total counts its
    passes and its blocking results (`is_blocking`, with that report's own run settings).
    """
    parsed = [(path, *parse_report(rep)) for path, rep in reports]
    seen: set[str] = set()
    labels = tuple(_label(run, path, seen) for path, run, _ in parsed)
    keys: dict[tuple[str, str], list[GateResult | None]] = {}
    cells: dict[tuple[str, str], list[str]] = {}
    totals = []
    for col, (_, run, results) in enumerate(parsed):
        for r in results:
            key = (r.nodeid, f"{r.kind}:{r.name}")
            keys.setdefault(key, [None] * len(parsed))[col] = r
            cells.setdefault(key, ["—"] * len(parsed))[col] = _cell(r, run)
        passed = sum(1 for r in results if r.passed)
        blocking = sum(1 for r in results if is_blocking(r, run))
        totals.append(f"{passed}/{len(results)} passed"
                      + (f", {blocking} blocking" if blocking else "")
                      + (", interrupted" if run.interrupted else "")
                      + (", no gate ran" if run.no_gates else ""))
    last_run = parsed[-1][1] if parsed else None
    order = list(keys)
    changes = {k: _change(keys[k]) if len(parsed) > 1 else "" for k in order}

    def group(k: tuple[str, str]) -> int:
        last = keys[k][-1]
        if changes[k]:
            return 0
        return 1 if last is not None and last_run is not None and is_blocking(last, last_run) \
            else 2

    order.sort(key=group)  # stable: first-seen order within each group
    rows = tuple((k[0], k[1], tuple(cells[k])) for k in order)
    if len(parsed) < 2:
        return Comparison(labels, rows, tuple(totals))
    deltas = tuple(_delta(keys[k][0], keys[k][-1]) for k in order)
    return Comparison(labels, rows, tuple(totals), deltas, tuple(changes[k] for k in order))


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
    if cmp.deltas:
        header += [f"Δ {cmp.labels[-1]} − {cmp.labels[0]}", "verdict change"]
        for row, delta, change in zip(rows, [*cmp.deltas, ""], [*cmp.changes, ""], strict=True):
            row += [delta, change]
    return header, rows


def render_compare_terminal(cmp: Comparison, width: int = 200) -> str:
    """The aligned table, verdict changes first, node ids shortened in the middle."""
    header, rows = _table(cmp)
    return "\n".join(render_table(header, rows, width)) + "\n"


def render_compare_markdown(cmp: Comparison) -> str:
    """A Markdown section for a pull-request comment: how many verdicts changed, then the
    table (verdict changes first)."""
    header, rows = _table(cmp)
    changed = sum(1 for c in cmp.changes if c)
    lines = ["## Model gates across versions", ""]
    if cmp.changes:
        lines += [f"{changed} verdict change{'s' if changed != 1 else ''} between "
                  f"{cmp.labels[0]} and {cmp.labels[-1]}." if changed else
                  f"No verdict changed between {cmp.labels[0]} and {cmp.labels[-1]}.", ""]
    return "\n".join([*lines, *markdown_table(header, rows)]) + "\n"
