"""Markdown view (for $GITHUB_STEP_SUMMARY and pull-request comments)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from pytest_modelgate.results import GateResult, RunRecord

from ._format import HEADER, headline, result_rows, sort_results, verdict_label

__all__ = ["markdown_table", "render_markdown"]


# What could start markup: a tag, comment or declaration ("<a", "</", "<!"), or an entity.
_MARKUP = re.compile(r"<(?=[A-Za-z/!?])|&(?=#?\w+;)")


def _escape(text: str) -> str:
    """Gate names and messages are data: no table break, no line break, no HTML markup (a
    plain "0.5 < min 0.9" stays readable in the raw file)."""
    text = _MARKUP.sub(lambda m: "&lt;" if m.group() == "<" else "&amp;", text)
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(_escape(c) for c in row) + " |" for row in rows)
    return lines


def render_markdown(run: RunRecord, results: Sequence[GateResult]) -> str:
    """A heading (❌ when a result blocks the run), model metadata, the run's blocking policy,
    the table and each non-passing result's message."""
    failed = sort_results([r for r in results if not r.passed], run)
    icon, title = headline(results, run)
    lines = [f"## {icon} {_escape(title)}", ""]
    for role, meta in run.models.items():
        lines.append(f"- **{role}**: `{meta.get('path')}` version `{meta.get('version')}` "
                     f"sha256 `{str(meta.get('sha256'))[:12]}`")
    lines.append(f"- seed `{run.seed}`" + (" — warn-only (shadow) mode" if run.warn_only else "")
                 + ("" if run.inconclusive == "fail" else " — inconclusive gates do not fail"))
    lines.append("")
    if results:
        lines.extend(markdown_table(HEADER, result_rows(results, run)))
    if failed:
        lines += ["", "<details><summary>Failure details</summary>", ""]
        lines.extend(f"- `{r.nodeid}` {_escape(f'{r.kind}:{r.name}')} ({verdict_label(r, run)}): "
                     f"{_escape(r.message)}" for r in failed)
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
