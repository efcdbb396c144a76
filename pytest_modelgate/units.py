"""Parse durations ("5ms", "1.5s"), sizes ("200MiB") and rates; stdlib only, shared by every layer."""

from __future__ import annotations

import math
import re

from ._numbers import format_bytes, format_interval, format_rate, format_seconds, is_noise
from ._numbers import plain_number as format_number
from .exceptions import ConfigError

__all__ = [
    "format_bytes",
    "format_interval",
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
