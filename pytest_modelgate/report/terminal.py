"""The terminal summary section: an aligned table, failures first."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_modelgate.results import GateResult, RunRecord

from ._format import HEADER, result_rows, summary_text

__all__ = ["render_table", "render_terminal", "shorten_middle"]


def shorten_middle(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut in the middle so that both ends stay: a node
    id loses its directories first ("…/test_model.py::test_latency"), then the middle of the
    file and test name ("test_mo…_single_row_latency"), the test name's end kept longest."""
    if len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    path, sep, rest = text.partition("::")
    if sep and "/" in path:
        short = f"…/{path.rsplit('/', 1)[-1]}::{rest}"
        if len(short) <= width:
            return short
        text = f"{path.rsplit('/', 1)[-1]}::{rest}"
        if len(text) <= width:
            return text
    tail = (width - 1) * 2 // 3
    head = width - 1 - tail
    return text[:head] + "…" + text[len(text) - tail:]


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], width: int = 200) -> list[str]:
    """Plain aligned columns. When they do not fit `width`, the first column (the test id) is
    shown in full on a line of its own above its rows (so it can be pasted to rerun the test),
    and the other columns are aligned below it."""
    if not rows:
        return []
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    if sum(widths) + 2 * (len(widths) - 1) <= width or len(header) < 2:
        return _aligned(header, rows, widths)
    rest = _aligned(header[1:], [r[1:] for r in rows], widths[1:])
    lines = ["  " + rest[0], "  " + rest[1]]
    previous = None
    for row, line in zip(rows, rest[2:], strict=True):
        if row[0] and row[0] != previous:
            lines.append(row[0])
            previous = row[0]
        lines.append(("  " + line).rstrip())
    return lines


def _aligned(header: Sequence[str], rows: Sequence[Sequence[str]],
             widths: Sequence[int]) -> list[str]:
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend("  ".join(c.ljust(widths[i]) for i, c in enumerate(r)).rstrip() for r in rows)
    return lines


def render_terminal(results: Sequence[GateResult], run: RunRecord | None = None,
                    width: int = 200) -> list[str]:
    """The table plus a one-line count of verdicts and of what blocks the run."""
    lines = render_table(HEADER, result_rows(results, run), width)
    lines.append(summary_text(results, run))
    return lines
