"""The one number formatter of every message and view (stdlib only, the bottom layer, so the
engines, the judges, the result model and the reports all print numbers the same way):
4 significant digits, thousands separators for every magnitude of 1,000 or more, integer or
float ("4,527", "101,235"), human units for seconds, bytes and rates, never "1.012e+05" or
"1e+03KiB", float noise as "0".

Intervals are printed by `format_interval` only, as ``[lo; hi]``: a semicolon between the
ends, because the comma is the thousands separator ("[10,612, 12,545]" could be two, three or
four numbers; "[10,612; 12,545]" is two). The semicolon is what ISO 80000-2 writes between
interval ends when the comma is taken by the numbers; it is ASCII (any console encoding,
JUnit XML, grep, copy-paste), needs no escaping in Markdown, and, unlike an en dash, stays
clear with negative ends ("[-0.031; +0.004]"). Thin-space grouping ("375 998") was rejected:
U+202F is not in the Windows console code pages, and in running text "11 582" reads as two
numbers. Both ends of an interval, and a value printed next to it (`format_estimate`), share
one grouping, one unit and one number of decimals ("[0.8512; 0.8700]", "[4,527; 375,998]")."""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = [
    "NOISE",
    "format_bytes",
    "format_estimate",
    "format_interval",
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
    text = f"{x:,.{digits}g}"  # grouped from 1,000 on, like the integers
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


_Num = float | int | None


def _as_float(x: Any) -> float | None:
    """A real number as float (numpy scalars too); None for None and non-numbers."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    return float(x)


def _fixed(xs: list[float], decimals: int, signed: bool) -> list[str]:
    """Each of `xs` with `decimals` decimals and thousands separators; "-0.00" as "0.00"."""
    out = []
    for x in xs:
        text = f"{x:,.{decimals}f}"
        if text.startswith("-") and float(text[1:].replace(",", "")) == 0:
            text = text[1:]
        if signed and not text.startswith("-"):
            text = "+" + text
        out.append(text)
    return out


def _strip_common_zeros(texts: list[str]) -> list[str]:
    """Drop the trailing zeros every one of `texts` has ("0.8500", "0.9400" -> "0.85", "0.94"),
    so the decimals stay equal across them."""
    if not texts or any("." not in t for t in texts):
        return texts
    common = min(len(t) - len(t.rstrip("0")) for t in texts)
    common = min(common, min(len(t.split(".")[1]) for t in texts))
    if common == 0:
        return texts
    cut = [t[:-common] for t in texts]
    return [t.rstrip(".") for t in cut]


def _joint_plain(xs: list[float], digits: int, signed: bool, ends: tuple[int, int] | None,
                 ) -> list[str] | None:
    """`xs` (finite) with one shared number of decimals: `digits` significant digits of the
    largest, more when that would print two different ends of an interval alike. None when
    the magnitudes need scientific notation (all below 1e-4, or 1e15 and above) or a nonzero
    value would print as 0 (magnitudes too far apart to share decimals)."""
    m = max((abs(x) for x in xs), default=0.0)
    if m == 0:
        return _fixed(xs, 0, signed)
    if m < 1e-4 or m >= 1e15:
        return None
    decimals = max(0, digits - 1 - math.floor(math.log10(m)))
    texts = _fixed(xs, decimals, signed)
    if ends is not None:
        a, b = ends
        for _ in range(6):  # distinct ends stay distinct: up to 6 more decimals
            if texts[a] != texts[b] or xs[a] == xs[b]:
                break
            decimals += 1
            texts = _fixed(xs, decimals, signed)
    if any(x != 0 and float(t.lstrip("+-").replace(",", "")) == 0 for x, t in zip(xs, texts,
                                                                                strict=True)):
        return None
    return _strip_common_zeros(texts)


def _joint_scaled(xs: list[float], steps: tuple[tuple[str, float], ...], digits: int,
                  signed: bool, ends: tuple[int, int] | None) -> list[str] | None:
    """`xs` in one unit of `steps`: the largest that shows the largest |x| as at least 1;
    None when they cannot share it (see `_joint_plain`)."""
    m = max((abs(x) for x in xs), default=0.0)
    i = next((k for k, (_, sc) in enumerate(steps) if m >= sc), len(steps) - 1)
    if i > 0 and round(m / steps[i][1], max(0, digits - 1 - math.floor(
            math.log10(m / steps[i][1])) if m else 0)) >= 1000:
        i -= 1  # would round to 1000+ of this unit: one unit up
    unit, scale = steps[i]
    texts = _joint_plain([x / scale for x in xs], digits, signed, ends)
    return None if texts is None else [f"{t}{unit}" for t in texts]


def _joint(values: list[Any], unit: str | None, *, digits: int | None, signed: bool,
           scale: float | None, tiny: bool, missing: str, ends: tuple[int, int] | None,
           ) -> list[str]:
    """`values` printed together: one unit, one grouping, one number of decimals; None as
    `missing`, nan/inf as words, float noise as 0 (unless `tiny`)."""
    floats = [_as_float(v) for v in values]
    finite = [i for i, f in enumerate(floats) if f is not None and math.isfinite(f)]
    out: list[str] = []
    for v, f in zip(values, floats, strict=True):
        if f is None:
            out.append(missing if v is None else str(v))
        elif math.isnan(f):
            out.append("nan")
        elif math.isinf(f):
            out.append("-inf" if f < 0 else ("+inf" if signed else "inf"))
        else:
            out.append("")
    if not finite:
        return out
    xs: list[float] = []
    for i in finite:
        f = floats[i]
        assert f is not None
        xs.append(0.0 if not tiny and is_noise(f, scale) else f)
    pos = {i: k for k, i in enumerate(finite)}
    jends = (pos[ends[0]], pos[ends[1]]) if ends and ends[0] in pos and ends[1] in pos else None
    texts: list[str] | None
    if unit in {"s", "B"} or (unit is not None and unit.endswith("/s")):
        m = max(abs(x) for x in xs)
        if unit == "s":
            texts = ([("+" if signed else "") + "0s"] * len(xs) if m == 0 else
                     _joint_scaled(xs, _DURATIONS if m >= 60 else _DURATIONS[2:],
                                   digits or 3, signed, jends))
        elif unit == "B":
            texts = ([f"{'+' if signed and x >= 0 else ''}{int(x)}B" for x in xs]
                     if all(abs(x) < 1000 and x.is_integer() for x in xs) else
                     _joint_scaled(xs, _SIZES, digits or 3, signed, jends))
        else:
            sep = "" if unit.startswith("/") else " "
            texts = (_joint_scaled(xs, _SI, digits or 3, signed, jends) if m >= 1 else
                     _joint_plain(xs, digits or 3, signed, jends))
            texts = None if texts is None else [f"{t}{sep}{unit}" for t in texts]
        if texts is None:  # magnitudes too far apart to share a unit: each on its own
            texts = [(format_signed if signed else format_number)(x, unit) for x in xs]
    else:
        if all(isinstance(values[i], numbers.Integral) for i in finite):
            texts = [(("+" if signed and x >= 0 else "") + f"{int(x):,}") for x in xs]
        else:
            texts = _joint_plain(xs, digits or 4, signed, jends)
            if texts is None:  # scientific notation, or too far apart: each on its own
                texts = [("+" if signed and x >= 0 else "") + plain_number(
                    x, digits=digits or 4, tiny=True) for x in xs]
        if unit in {"%", "×"}:
            texts = [f"{t}{unit}" for t in texts]
    for k, i in enumerate(finite):
        out[i] = texts[k]
    return out


def format_interval(lo: Any, hi: Any, unit: str | None = None, *, digits: int | None = None,
                    signed: bool = False, scale: float | None = None, tiny: bool = False,
                    missing: str = "—") -> str:
    """The one way an interval is printed: "[10,612; 12,545]", "[1.2ms; 3.45ms]",
    "[2.1%; 4.5%]" (units "%" and "×" are appended), "[-0.03; +0.01]" when `signed`;
    both ends in one unit with one grouping and one number of decimals, never equal text for
    unequal ends. A semicolon separates the ends: the comma groups thousands."""
    a, b = _joint([lo, hi], unit, digits=digits, signed=signed, scale=scale, tiny=tiny,
                  missing=missing, ends=(0, 1))
    return f"[{a}; {b}]"


def format_estimate(value: Any, lo: Any, hi: Any, unit: str | None = None, *,
                    digits: int | None = None, signed: bool = False, scale: float | None = None,
                    tiny: bool = False, missing: str = "—") -> tuple[str, str]:
    """A value and its interval printed alike: ("11,582", "[10,612; 12,545]"),
    ("0.90", "[0.85; 0.94]"): one unit, one grouping and one number of decimals for all three."""
    v, a, b = _joint([value, lo, hi], unit, digits=digits, signed=signed, scale=scale,
                     tiny=tiny, missing=missing, ends=(1, 2))
    return v, f"[{a}; {b}]"
