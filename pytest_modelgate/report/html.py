"""A self-contained HTML page of the results (no scripts, no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from pytest_modelgate.results import GateResult, RunRecord

from ._format import HEADER, headline, result_rows, sort_results, verdict_label

__all__ = ["render_html"]

_CSS = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}"
    "tr.error{background:#fcc}tr.failed{background:#fdd}tr.inconclusive{background:#ffd}"
    "tr.passed{background:#efe}"
)


def render_html(run: RunRecord, results: Sequence[GateResult]) -> str:
    """Heading and counts (the same as the Markdown view), run metadata, the table, and the
    message of every result that did not pass."""
    rows = result_rows(results, run)
    ordered = sort_results(results, run)
    body = []
    for r, row in zip(ordered, rows, strict=True):
        cells = "".join(f"<td>{escape(c)}</td>" for c in row)
        body.append(f'<tr class="{r.verdict}" title="{escape(r.message)}">{cells}</tr>')
    models = "".join(
        f"<li>{escape(role)}: <code>{escape(str(m.get('path')))}</code> "
        f"version <code>{escape(str(m.get('version')))}</code></li>"
        for role, m in run.models.items()
    )
    policy = ("".join(["<li>warn-only (shadow) mode</li>" if run.warn_only else "",
                       "<li>inconclusive gates do not fail</li>"
                       if run.inconclusive == "pass" else ""]))
    notes = "".join(
        f"<li><code>{escape(r.nodeid)}</code> {escape(r.kind)}:{escape(r.name)} "
        f"({escape(verdict_label(r, run))}): {escape(r.message)}</li>"
        for r in ordered if not r.passed
    )
    details = f"<h2>Details</h2><ul>{notes}</ul>" if notes else ""
    icon, title = headline(results, run)
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Model gates</title>"
        f"<style>{_CSS}</style></head><body><h1>{escape(icon)} {escape(title)}</h1><ul>{models}"
        f"<li>seed {run.seed}</li>{policy}</ul><table><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>{details}</body></html>\n"
    )
