"""The one number formatter of every message and view (stdlib only, the bottom layer, so the
engines, the judges, the result model and the reports all print numbers the same way):
4 significant digits, thousands separators for large values ("101,235"), human units for
seconds, bytes and rates, never "1.012e+05" or "1e+03KiB", float noise as "0"."""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = [
    "NOISE",
    "format_bytes",
    "format_number",
    "format_rate",
    "format_seconds",
    "format_signed",
    "is_noise",
    "plain_number",
]


def _scaled(x: float, steps: tuple[tuple[str, float], ...], digits: int) -> str:
    """`x` in the largest unit of `steps` (descending scales) that shows it as at least 1,
    moved up a unit when rounding would print 1000 or more (never "1e+03KiB")."""
    ax = abs(x)
    for i, (unit, scale) in enumerate(steps):
        if ax >= scale or i == len(steps) - 1:
            text = f"{x / scale:.{digits}g}"
            if "e" in text and i > 0:  # rounded up to 1000+ of this unit: one unit up
                up, upscale = steps[i - 1]
                return f"{x / upscale:.{digits}g}{up}"
            if "e" in text:  # 1000+ of the largest unit: grouped digits
                text = f"{x / scale:,.0f}"
            return f"{text}{unit}"
    return f"{x:.{digits}g}"  # pragma: no cover - the loop always returns


_DURATIONS = (("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("µs", 1e-6),
              ("ns", 1e-9))
_SIZES = (("TiB", float(2**40)), ("GiB", float(2**30)), ("MiB", float(2**20)),
          ("KiB", float(2**10)), ("B", 1.0))


def format_seconds(x: float, digits: int = 3) -> str:
    """Human duration with 3 significant digits: 0.00123 -> "1.23ms", 90 -> "1.5min"."""
    if x == 0:
        return "0s"
    if abs(x) < 60:
        return _scaled(x, _DURATIONS[2:], digits)
    return _scaled(x, _DURATIONS, digits)


def format_bytes(n: float, digits: int = 3) -> str:
    """Human size in binary units: 1536 -> "1.5KiB", 1023.9 KiB -> "1MiB"."""
    if abs(n) < 1000 and float(n).is_integer():
        return f"{int(n)}B"
    return _scaled(float(n), _SIZES, digits)


_SI = (("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3), ("", 1.0))


#: |x| at or below this (times the scale, at least 1) is float noise and prints as 0
NOISE = 1e-12


def is_noise(x: float, scale: float | None = None) -> bool:
    """Whether the float `x` is rounding noise around 0: |x| <= 1e-12, or 1e-12 relative to
    `scale` (e.g. the threshold a margin is measured from) when that is larger than 1."""
    if isinstance(x, bool) or not isinstance(x, (int, float)) or isinstance(x, int):
        return False
    s = abs(scale) if scale is not None and math.isfinite(scale) else 0.0
    return abs(x) <= NOISE * max(1.0, s)


def plain_number(x: float | int, *, digits: int = 4, short: bool = False,
                 scale: float | None = None, tiny: bool = False) -> str:
    """A plain number people read: integers with thousands separators ("102,400"), floats
    with `digits` significant digits, large values grouped ("102,400") or with k/M/G/T when
    `short`, never "1.024e+05"; only magnitudes below 1e-4 use scientific notation; float
    noise (see `is_noise`, relative to `scale`) prints as "0" unless `tiny`."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) and not short:
        return f"{x:,}"
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    ax = abs(x)
    if ax == 0 or (not tiny and is_noise(x, scale)):
        return "0"
    if ax < 1e-4 or ax >= 1e15:
        mant, exp = f"{x:.{max(digits - 2, 1)}e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    text = f"{x:.{digits}g}"
    if "e" not in text:
        return text
    if short:
        return _scaled(x, _SI, 3)
    return f"{x:,.0f}"


def format_rate(x: float, unit: str = "/s") -> str:
    """A rate with k/M/G: 102400 rows/s -> "102k rows/s"."""
    if not math.isfinite(x):
        return f"{plain_number(x)} {unit}".strip()
    text = _scaled(x, _SI, 3) if abs(x) >= 1 else plain_number(x, digits=3)
    return f"{text} {unit}" if unit and not unit.startswith("/") else f"{text}{unit}"


def format_number(x: Any, unit: str | None = None, *, short: bool = False,
                  scale: float | None = None, digits: int | None = None,
                  missing: str = "—", tiny: bool = False) -> str:
    """Durations for unit "s" ("1.23ms"), binary sizes for "B" ("1.5KiB"), rates for units
    ending in "/s" ("102k rows/s"), and plain numbers otherwise ("0.9123", "102,400"; "102k"
    when `short`); `digits` significant digits (4, or 3 when `short`); `missing` for None;
    float noise (|x| <= 1e-12, relative to `scale` such as a margin's threshold) is "0"
    unless `tiny` (a p-value of 1e-30 is a real value, not noise)."""
    if x is None:
        return missing
    if not isinstance(x, (int, float)) and isinstance(x, numbers.Real):  # numpy scalars
        x = int(x) if isinstance(x, numbers.Integral) else float(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if not tiny and is_noise(x, scale):
        return "0" + (unit if unit in {"s", "B"} else "")
    if unit == "s":
        return format_seconds(x)
    if unit == "B":
        return format_bytes(x)
    if unit is not None and unit.endswith("/s"):
        return format_rate(x, unit)
    return plain_number(x, digits=digits or (3 if short else 4), short=short, scale=scale,
                        tiny=tiny)


def format_signed(x: Any, unit: str | None = None, *, scale: float | None = None,
                  digits: int | None = None, missing: str = "—") -> str:
    """`format_number` with an explicit sign: "+0.05", "-1,234", "+1.5ms"; "+0" for noise."""
    if isinstance(x, numbers.Real) and not isinstance(x, (bool, int, float)):  # numpy scalars
        x = float(x)
    if x is None or isinstance(x, bool) or not isinstance(x, (int, float)) or math.isnan(x):
        return format_number(x, unit, missing=missing)
    text = format_number(abs(x), unit, scale=scale, digits=digits)
    zero = text in {"0", "0s", "0B"}
    return ("-" if x < 0 and not zero else "+") + text
