"""Views of one result list: terminal table, JSON, Markdown, HTML, and the cross-run comparison."""

from ._format import (
    format_ci,
    format_number,
    format_value,
    headline,
    result_rows,
    sort_results,
    summary_counts,
    summary_text,
)
from .compare import any_blocking, compare_reports, render_compare_markdown, render_compare_terminal
from .html import render_html, render_html_document
from .json_report import build_report, json_safe, load_report, parse_report, write_report
from .markdown import render_markdown
from .terminal import render_terminal

__all__ = [
    "any_blocking",
    "build_report",
    "compare_reports",
    "format_ci",
    "format_number",
    "format_value",
    "headline",
    "json_safe",
    "load_report",
    "parse_report",
    "render_compare_markdown",
    "render_compare_terminal",
    "render_html",
    "render_html_document",
    "render_markdown",
    "render_terminal",
    "result_rows",
    "sort_results",
    "summary_counts",
    "summary_text",
    "write_report",
]
