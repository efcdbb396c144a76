"""Number formatting shared by the judges' failure messages: the one formatter of every view
(`pytest_modelgate._numbers`), with "n/a" for a missing value."""

from __future__ import annotations

import math

from pytest_modelgate._numbers import NOISE, format_estimate, format_number, format_signed

__all__ = ["fmt_estimate", "fmt_margin", "fmt_number", "fmt_signed"]


def fmt_number(x: float | None, *, scale: float | None = None, tiny: bool = False) -> str:
    """4 significant digits, thousands separators for large values ("101,235"); "n/a" for a
    missing value, inf/nan spelled out; float noise (|x| within 1e-12 of 0, relative to
    `scale` when given, e.g. a margin's threshold) is 0 unless `tiny` (a value or a threshold
    is never noise)."""
    return format_number(x, scale=scale, missing="n/a", tiny=tiny)


def fmt_signed(x: float | None, *, scale: float | None = None) -> str:
    """`fmt_number` with an explicit sign ("+0.05", "-1,234", "+0" for float noise)."""
    return format_signed(x, scale=scale, missing="n/a")


def fmt_estimate(value: float | None, lo: float | None, hi: float | None) -> str:
    """"0.91 with interval [0.85; 0.94]": the value and its interval printed alike."""
    v, iv = format_estimate(value, lo, hi, missing="n/a")
    return f"{v} with interval {iv}"


def fmt_margin(x: float | None, scale: float) -> str:
    """A signed margin: "+0"/"-0" only when it is float noise relative to `scale` (the size of
    the value and threshold it is the difference of), so margins in small units keep their
    digits ("-9.59e-13") and a missed threshold's margin is never "+0"."""
    if x is None or not math.isfinite(x):
        return fmt_signed(x)
    if abs(x) <= NOISE * abs(scale):
        return "-0" if x < 0 else "+0"
    return ("-" if x < 0 else "+") + format_number(abs(x), tiny=True)
