"""Progress of long gates: a throttled `(done, total)` callback for engine loops.

Engines take an optional `progress(done, total)` and know nothing of terminals; the recorder's
context turns a gate into one of these, which stays silent for the first `after` seconds (fast
gates print nothing) and then writes "drift: 23/50 columns" through the plugin's writer at
most every `every` seconds, plus the final count. Stdlib only; no pytest import.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["AFTER", "Throttle", "Writer"]

#: seconds a gate runs before its progress is shown
AFTER = 2.0

#: the plugin's sink: (text, final) -> None; `final` is the last line of this gate
Writer = Callable[[str, bool], None]


def _now() -> float:
    return time.monotonic()


class Throttle:
    """`progress(done, total)` for one gate loop: silent until `after` seconds have passed,
    then one line per `every` seconds and the last one when the loop is done."""

    def __init__(self, label: str, unit: str, write: Writer, *, after: float = AFTER,
                 every: float = 1.0) -> None:
        self.label, self.unit, self.write = label, unit, write
        self.after, self.every = after, every
        self.start = _now()
        self.last: float | None = None  # when the last line was written

    def __call__(self, done: int, total: int) -> None:
        now = _now()
        final = done >= total
        if self.last is None and now - self.start < self.after:
            return
        if not final and self.last is not None and now - self.last < self.every:
            return
        self.last = now
        self.write(f"{self.label}: {done}/{total} {self.unit} ({now - self.start:.0f} s)", final)
