"""A self-contained HTML page of the results (no scripts, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pytest_modelgate.results import GateResult, RunRecord

from ._format import HEADER, result_rows

__all__ = ["render_html"]

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    "tr.failed{background:#fdd}tr.inconclusive{background:#ffd}tr.passed{background:#efe}"
)


def render_html(run: RunRecord, results: Sequence[GateResult]) -> str:
    from ._format import sort_results

    rows = result_rows(results)
    ordered = sort_results(results)
    body = []
    for r, row in zip(ordered, rows, strict=False):
        cells = "".join(f"<td>{escape(c)}</td>" for c in row)
        body.append(f'<tr class="{r.verdict}" title="{escape(r.message)}">{cells}</tr>')
    models = "".join(
        f"<li>{escape(role)}: <code>{escape(str(m.get('path')))}</code> "
        f"version <code>{escape(str(m.get('version')))}</code></li>"
        for role, m in run.models.items()
    )
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Model gates</title>"
        f"<style>{_CSS}</style></head><body><h1>Model gates</h1><ul>{models}"
        f"<li>seed {run.seed}</li></ul><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></body></html>\n"
    )
