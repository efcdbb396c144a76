"""Number formatting shared by the judges' failure messages."""

from __future__ import annotations

import math

__all__ = ["fmt_number"]


def fmt_number(x: float | None) -> str:
    """4 significant digits; "n/a" for a missing value, inf/nan spelled out."""
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    return f"{x:.4g}"
