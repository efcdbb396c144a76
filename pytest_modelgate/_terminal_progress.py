"""Progress lines of long gates on pytest's terminal (plugin layer: knows pytest's reporter).

The gates layer calls `TerminalProgress(text, final)` through `GateContext.progress_writer`
(throttled there). Lines are written with output capture suspended, as live logging does, so
they show while the test runs. On a terminal the line is rewritten in place below pytest's
current line ("test_x.py ."), then erased, and the cursor goes back to the end of pytest's line,
so the dots continue there; in a log, one line per update (pytest then starts a new file line).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import pytest

__all__ = ["TerminalProgress"]

_UP = "\x1b[A"  # cursor one line up
_ERASE = "\x1b[K"  # erase to the end of the line


class TerminalProgress:
    """Writes "modelgate: drift: 23/50 columns (3 s)" through the terminal reporter."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.open = False  # a rewritten line waits to be erased
        self.column = 0  # where pytest's line ended when the progress line was opened
        self.current = ""  # that line, as pytest's writer tracks it (for its "[100%]" fill)
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
                # below pytest's line, which stays unfinished (no ensure_newline: pytest would
                # print the file name again after it)
                writer = getattr(reporter, "_tw", None)
                self.column = int(getattr(writer, "width_of_current_line", 0))
                self.current = str(getattr(writer, "_current_line", ""))
                reporter.write("\n")
                self.open = True
            reporter.rewrite(line, erase=True)
            if final:
                reporter.write(f"\r{_ERASE}{_UP}\x1b[{self.column + 1}G", flush=True)
                writer = getattr(reporter, "_tw", None)
                if writer is not None and hasattr(writer, "_current_line"):
                    writer._current_line = self.current  # pytest's line again, not ours
                self.open = False
