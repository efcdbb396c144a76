"""Progress lines of long gates on pytest's terminal (plugin layer: knows pytest's reporter).

The gates layer calls `TerminalProgress(text, final)` through `GateContext.progress_writer`
(throttled there). Lines are written with output capture suspended, as live logging does, so
they show while the test runs: rewritten in place on a terminal, one line per update in logs.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest

__all__ = ["TerminalProgress"]


class TerminalProgress:
    """Writes "modelgate: drift: 23/50 columns (3 s)" through the terminal reporter."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.open = False  # a rewritten line waits for its newline
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        # seconds between updates: in place on a terminal; sparse lines in a CI log
        self.every = 0.5 if getattr(reporter, "isatty", False) else 10.0

    def __call__(self, text: str, final: bool) -> None:
        manager = self.config.pluginmanager
        reporter: Any = manager.get_plugin("terminalreporter")
        if reporter is None:
            return
        capture: Any = manager.get_plugin("capturemanager")
        suspended = capture.global_and_fixture_disabled() if capture is not None \
            else nullcontext()
        line = f"modelgate: {text}"
        with suspended:
            if not getattr(reporter, "isatty", False):
                reporter.write_line(line)
                return
            if not self.open:
                reporter.ensure_newline()
                self.open = True
            reporter.rewrite(line, erase=True)
            if final:
                reporter.write("\n")
                self.open = False
