"""Number formatting shared by the judges' failure messages."""

from __future__ import annotations

import math

from pytest_modelgate.units import is_noise

__all__ = ["fmt_number", "fmt_signed"]


def fmt_number(x: float | None, *, scale: float | None = None) -> str:
    """4 significant digits; "n/a" for a missing value, inf/nan spelled out; float noise
    (|x| within 1e-12 of 0, relative to `scale` when given, e.g. a margin's threshold) is 0."""
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return str(x)
    if is_noise(x, scale):
        return "0"
    return f"{x:.4g}"


def fmt_signed(x: float | None, *, scale: float | None = None) -> str:
    """`fmt_number` with an explicit sign ("+0.05", "-0.1", "+0" for float noise)."""
    if x is None:
        return "n/a"
    if isinstance(x, float) and not math.isfinite(x):
        return f"{x:+}"
    if is_noise(x, scale):
        return "+0"
    return f"{x:+.4g}"
