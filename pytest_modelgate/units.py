"""Parse durations ("5ms", "1.5s"), sizes ("200MiB") and rates; stdlib only, shared by every layer."""

from __future__ import annotations

import math
import re

from .exceptions import ConfigError

__all__ = [
    "format_bytes",
    "format_number",
    "format_rate",
    "format_seconds",
    "is_noise",
    "parse_bytes",
    "parse_seconds",
]

_NUM = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
_SECONDS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0,
    "m": 60.0, "min": 60.0, "h": 3600.0,
}
_BYTES = {
    "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
    "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40,
    "k": 2**10, "m": 2**20, "g": 2**30,
}


def _parse(value: object, table: dict[str, float], what: str, default_unit: str, arg: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{arg}: expected a {what}, got {value!r}")
    if isinstance(value, (int, float)):
        out = float(value)
    elif isinstance(value, str):
        m = re.fullmatch(_NUM + r"\s*([A-Za-zµμ]*)", value.strip())
        unit = m.group(2) if m else ""
        key = unit if unit in table else unit.lower()
        if m is None or (unit and key not in table):
            units = ", ".join(sorted(table))
            example = '"5ms"' if what == "duration" else '"200MiB"'
            raise ConfigError(
                f"{arg}: cannot parse {value!r} as a {what}; write a number with a unit "
                f"({units}) such as {example}, or a plain number in {default_unit}"
            )
        out = float(m.group(1)) * (table[key] if unit else 1.0)
    else:
        raise ConfigError(f"{arg}: expected a {what} (number or string), got {type(value).__name__}")
    if not math.isfinite(out) or out < 0:
        raise ConfigError(f"{arg}: a {what} must be finite and non-negative, got {value!r}")
    return out


def parse_seconds(value: object, arg: str = "duration") -> float:
    """Seconds from a number (already seconds) or a string such as "5ms", "1.5s", "250us"."""
    return _parse(value, _SECONDS, "duration", "seconds", arg)


def parse_bytes(value: object, arg: str = "size") -> int:
    """Bytes from a number or a string such as "200MiB", "1.5GB", "512k" (k/m/g are binary)."""
    return round(_parse(value, {k: float(v) for k, v in _BYTES.items()}, "size", "bytes", arg))


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


def format_number(x: float | int, *, digits: int = 4, short: bool = False,
                  scale: float | None = None) -> str:
    """A plain number people read: integers with thousands separators ("102,400"), floats
    with `digits` significant digits, large values grouped ("102,400") or with k/M/G/T when
    `short`, never "1.024e+05"; only magnitudes below 1e-4 use scientific notation; float
    noise (see `is_noise`, relative to `scale`) prints as "0"."""
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int) and not short:
        return f"{x:,}"
    x = float(x)
    if not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    ax = abs(x)
    if ax == 0 or is_noise(x, scale):
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
        return f"{format_number(x)} {unit}".strip()
    text = _scaled(x, _SI, 3) if abs(x) >= 1 else format_number(x, digits=3)
    return f"{text} {unit}" if unit and not unit.startswith("/") else f"{text}{unit}"
