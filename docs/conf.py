"""Sphinx configuration: MyST Markdown pages, API pages from docstrings, tables from the code."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "pytest-modelgate"
author = "pytest-modelgate developers"
extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "_generated"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "description"
nitpicky = False
suppress_warnings = ["myst.xref_missing"]
html_theme = "alabaster"


def _generate_tables() -> None:
    """Write the option and marker tables from `pytest_modelgate.policy`, so docs never drift."""
    from pytest_modelgate.policy import MARKERS, OPTIONS

    out = Path(__file__).parent / "_generated"
    out.mkdir(exist_ok=True)
    rows = ["| CLI flag | ini key / `[tool.modelgate]` key | env | default | meaning |",
            "|---|---|---|---|---|"]
    for o in OPTIONS:
        flag = f"`{o.flag}`" + (f" `{o.metavar}`" if o.metavar else "")
        env = f"`{o.env}`" if o.env else ""
        rows.append(f"| {flag} | `{o.ini}` / `{o.dest}` | {env} | `{o.default!r}` | {o.help} |")
    (out / "options.md").write_text("\n".join(rows) + "\n", encoding="utf-8")
    lines = []
    for spec in MARKERS.values():
        kinds = ", ".join(f"`gate.{k}`" for k in spec.kinds)
        lines += [f"### `@pytest.mark.{spec.signature}`", "", f"{spec.doc}. Feeds {kinds}.", ""]
    (out / "markers.md").write_text("\n".join(lines), encoding="utf-8")


_generate_tables()
