"""Number formatting shared by the judges' failure messages: the one formatter of every view
(`pytest_modelgate._numbers`), with "n/a" for a missing value."""

from __future__ import annotations

from pytest_modelgate._numbers import format_estimate, format_number, format_signed

__all__ = ["fmt_estimate", "fmt_number", "fmt_signed"]


def fmt_number(x: float | None, *, scale: float | None = None) -> str:
    """4 significant digits, thousands separators for large values ("101,235"); "n/a" for a
    missing value, inf/nan spelled out; float noise (|x| within 1e-12 of 0, relative to
    `scale` when given, e.g. a margin's threshold) is 0."""
    return format_number(x, scale=scale, missing="n/a")


def fmt_signed(x: float | None, *, scale: float | None = None) -> str:
    """`fmt_number` with an explicit sign ("+0.05", "-1,234", "+0" for float noise)."""
    return format_signed(x, scale=scale, missing="n/a")


def fmt_estimate(value: float | None, lo: float | None, hi: float | None) -> str:
    """"0.91 with interval [0.85; 0.94]": the value and its interval printed alike."""
    v, iv = format_estimate(value, lo, hi, missing="n/a")
    return f"{v} with interval {iv}"
