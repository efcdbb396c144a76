"""Views of one result list: terminal table, JSON, Markdown, HTML, and the cross-run comparison."""

from ._format import format_ci, format_value, result_rows, sort_results
from .compare import compare_reports, render_compare_markdown, render_compare_terminal
from .html import render_html
from .json_report import build_report, json_safe, load_report, write_report
from .markdown import render_markdown
from .terminal import render_terminal

__all__ = [
    "build_report",
    "compare_reports",
    "format_ci",
    "format_value",
    "json_safe",
    "load_report",
    "render_compare_markdown",
    "render_compare_terminal",
    "render_html",
    "render_markdown",
    "render_terminal",
    "result_rows",
    "sort_results",
    "write_report",
]
