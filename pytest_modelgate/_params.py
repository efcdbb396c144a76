"""Keyword constraints shared by the gate keyword tables, the policy checks and the engines.

A small, stdlib-only cousin of scikit-learn's `utils/_param_validation.py` (Interval,
StrOptions): each constraint knows what it accepts and how to say so, so a value is checked
in one place and every check of the same constraint reads the same, wherever it runs.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .exceptions import ConfigError

__all__ = [
    "ALPHA",
    "AUC_THRESHOLD",
    "CONFIDENCE",
    "FOLDS",
    "SHARE",
    "Anything",
    "Boolean",
    "Bytes",
    "Constraint",
    "Duration",
    "Interval",
    "IsCallable",
    "Name",
    "NoneValue",
    "Options",
    "Param",
    "String",
    "Types",
    "check_param",
    "resamples",
]


class Constraint:
    """One kind of acceptable value: `accepts` tests it, `convert` normalises it, `text` says it."""

    text: str = "any value"

    def accepts(self, value: Any) -> bool:
        raise NotImplementedError

    def convert(self, value: Any) -> Any:
        """The normalised value (units parsed, case folded); only called when `accepts`."""
        return value

    def bad_examples(self) -> tuple[Any, ...]:
        """Values this constraint refuses (for the parametrized "bad value" tests)."""
        return ()


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class Interval(Constraint):
    """A number (`kind="real"`) or integer (`kind="int"`) between `low` and `high` (None: open)."""

    kind: Literal["int", "real"]
    low: float | None = None
    high: float | None = None
    closed: Literal["both", "left", "right", "neither"] = "both"
    example: str | None = None

    def accepts(self, value: Any) -> bool:
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                return False
        elif not _is_real(value) or not math.isfinite(float(value)):
            return False
        v = float(value)
        if self.low is not None and (v < self.low or (v == self.low and self.closed in
                                                        ("right", "neither"))):
            return False
        return not (self.high is not None and (v > self.high or (
            v == self.high and self.closed in ("left", "neither"))))

    def convert(self, value: Any) -> Any:
        return int(value) if self.kind == "int" else float(value)

    @property
    def text(self) -> str:  # type: ignore[override]
        what = "an integer" if self.kind == "int" else "a number"
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            left = "[" if self.closed in ("both", "left") else "("
            right = "]" if self.closed in ("both", "right") else ")"
            out = f"{what} in {left}{_num(lo)}, {_num(hi)}{right}"
        elif lo is not None:
            out = f"{what} {'>=' if self.closed in ('both', 'left') else '>'} {_num(lo)}"
        elif hi is not None:
            out = f"{what} {'<=' if self.closed in ('both', 'right') else '<'} {_num(hi)}"
        else:
            out = "a finite number" if self.kind == "real" else what
        return f"{out}, e.g. {self.example}" if self.example else out

    def bad_examples(self) -> tuple[Any, ...]:
        out: list[Any] = ["many", True, [1]]
        if self.kind == "int":
            out.append(2.7)
        else:
            out.append(float("nan"))
        if self.low is not None:
            out.append(self.low - 1 if self.closed in ("both", "left") else self.low)
        if self.high is not None:
            out.append(self.high + 1 if self.closed in ("both", "right") else self.high)
        return tuple(out)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


@dataclass(frozen=True)
class Options(Constraint):
    """One of a fixed set of strings (compared after strip/lower-case, returned normalised)."""

    choices: tuple[str, ...]

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and value.strip().lower() in self.choices

    def convert(self, value: Any) -> Any:
        return str(value).strip().lower()

    @property
    def text(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(repr(c) for c in self.choices)

    def bad_examples(self) -> tuple[Any, ...]:
        return ("no-such-option", 3)


@dataclass(frozen=True)
class Types(Constraint):
    """An instance of one of `types` (described by `what`)."""

    types: tuple[type, ...]
    what: str

    def accepts(self, value: Any) -> bool:
        return isinstance(value, self.types) and not (
            isinstance(value, bool) and bool not in self.types)

    @property
    def text(self) -> str:  # type: ignore[override]
        return self.what

    def bad_examples(self) -> tuple[Any, ...]:
        return tuple(v for v in (3.5, object()) if not isinstance(v, self.types))


class NoneValue(Constraint):
    """None: "not set", the gate's own default applies."""

    text = "None"

    def accepts(self, value: Any) -> bool:
        return value is None


class Boolean(Constraint):
    """True or False (not 0/1, not "yes")."""

    text = "True or False"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, bool)

    def bad_examples(self) -> tuple[Any, ...]:
        return ("yes", 2)


class String(Constraint):
    """A non-empty string."""

    text = "a non-empty string"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value.strip())

    def bad_examples(self) -> tuple[Any, ...]:
        return (3, "")


class Name(Constraint):
    """A gate's report name: non-empty, with no leading or trailing whitespace (else "acc" and
    "acc " would be two gates that print the same)."""

    text = "a non-empty string without leading or trailing whitespace"

    def accepts(self, value: Any) -> bool:
        return isinstance(value, str) and bool(value) and value == value.strip()

    def bad_examples(self) -> tuple[Any, ...]:
        return (3, "", "acc ")


class IsCallable(Constraint):
    """A function or other callable."""

    text = "a callable"

    def accepts(self, value: Any) -> bool:
        return callable(value)

    def bad_examples(self) -> tuple[Any, ...]:
        return (3, "fn")


class Anything(Constraint):
    """Checked by the engine that uses it (arrays, column names, selectors ...)."""

    def __init__(self, text: str = "any value") -> None:
        self.text = text

    def accepts(self, value: Any) -> bool:
        return True


@dataclass(frozen=True)
class Duration(Constraint):
    """Seconds as a number or a string with a unit ("5ms", "1.5 s"); parsed to seconds."""

    positive: bool = True

    def accepts(self, value: Any) -> bool:
        from .units import parse_seconds

        if isinstance(value, bool):
            return False
        try:
            seconds = parse_seconds(value, "value")
        except ConfigError:
            return False
        return seconds > 0 or not self.positive

    def convert(self, value: Any) -> Any:
        from .units import parse_seconds

        return parse_seconds(value, "value")

    @property
    def text(self) -> str:  # type: ignore[override]
        sign = "positive" if self.positive else "non-negative"
        return f"a {sign} duration in seconds or a string like '5ms'"

    def bad_examples(self) -> tuple[Any, ...]:
        return ("soon", True, -1, *((0,) if self.positive else ()))


@dataclass(frozen=True)
class Bytes(Constraint):
    """A byte count as an integer or a string with a unit ("200MiB"); parsed to bytes."""

    def accepts(self, value: Any) -> bool:
        from .units import parse_bytes

        if isinstance(value, bool):
            return False
        try:
            return parse_bytes(value, "value") > 0
        except ConfigError:
            return False

    def convert(self, value: Any) -> Any:
        from .units import parse_bytes

        return parse_bytes(value, "value")

    text = "a positive size in bytes or a string like '200MiB'"

    def bad_examples(self) -> tuple[Any, ...]:
        return ("big", True, 0, -5)


#: the confidence level of every interval and bound, wherever it is given
CONFIDENCE = Interval("real", 0, 1, "neither", example="0.95")


#: a significance level
ALPHA = Interval("real", 0, 1, "neither", example="0.05")

#: a share or rate in [0, 1]
SHARE = Interval("real", 0, 1)

#: the domain classifier's drift threshold on its ROC AUC bound
AUC_THRESHOLD = Interval("real", 0.5, 1, "left", example="0.55")

#: cross-validation folds
FOLDS = Interval("int", 2, None)


#: the most bootstrap/permutation resamples any gate draws: 10**6 bounds a resample matrix to
#: tens of MiB (10**9 asked for 30 GiB) and is far past where a 95% interval stops moving
MAX_RESAMPLES = 1_000_000


def resamples(minimum: int) -> Interval:
    """The bootstrap/permutation resample count: an integer in [`minimum`, MAX_RESAMPLES]."""
    return Interval("int", minimum, MAX_RESAMPLES, "both")


@dataclass(frozen=True)
class Param:
    """One keyword of a gate: its name, acceptable values, default and a one-line doc."""

    name: str
    constraints: tuple[Constraint, ...]
    default: Any = None
    doc: str = ""

    @property
    def text(self) -> str:
        """What the keyword accepts, e.g. "a number in (0, 1), e.g. 0.95 (or None)"."""
        base = " or ".join(c.text for c in self.constraints if not isinstance(c, NoneValue))
        if any(isinstance(c, NoneValue) for c in self.constraints):
            return f"{base} (or None)" if base else "None"
        return base

    def check(self, value: Any, where: str = "") -> Any:
        """The normalised value, or a `ConfigError`: "<where>: <name> must be <text>; got <v>"."""
        return check_param(value, self.name, self.constraints, where)


def check_param(value: Any, name: str, constraints: Constraint | Sequence[Constraint],
                where: str = "") -> Any:
    """Check `value` of keyword `name` against alternatives; one wording for every constraint."""
    options = (constraints,) if isinstance(constraints, Constraint) else tuple(constraints)
    for c in options:
        if c.accepts(value):
            return c.convert(value)
    # None is the "not set" of optional keywords; saying so in every message adds only noise
    text = " or ".join(c.text for c in options if not isinstance(c, NoneValue)) or "None"
    prefix = f"{where}: " if where else ""
    raise ConfigError(f"{prefix}{name} must be {text}; got {value!r}{_did_you_mean(value, options)}")


def _did_you_mean(value: Any, options: Sequence[Constraint]) -> str:
    """" (did you mean 'rss'?)" for a near miss of an `Options` choice, else ""."""
    if not isinstance(value, str):
        return ""
    import difflib

    choices = [c for o in options if isinstance(o, Options) for c in o.choices]
    close = difflib.get_close_matches(value.strip().lower(), choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""



@dataclass(frozen=True)
class Subset(Constraint):
    """A non-empty list (or tuple) of names from `choices`, returned as a tuple."""

    choices: tuple[str, ...]

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (list, tuple)) and bool(value) and all(
            isinstance(v, str) and v in self.choices for v in value)

    def convert(self, value: Any) -> Any:
        return tuple(value)

    @property
    def text(self) -> str:  # type: ignore[override]
        return "a list of " + ", ".join(repr(c) for c in self.choices)

    def bad_examples(self) -> tuple[Any, ...]:
        return (["no-such-name"], [])


@dataclass(frozen=True)
class IntList(Constraint):
    """A list (or tuple) of at least `min_len` distinct integers, returned as a tuple."""

    min_len: int = 1

    def accepts(self, value: Any) -> bool:
        return isinstance(value, (list, tuple)) and len(value) >= self.min_len and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in value) \
            and len(set(value)) == len(value)

    def convert(self, value: Any) -> Any:
        return tuple(int(v) for v in value)

    @property
    def text(self) -> str:  # type: ignore[override]
        return f"a list of at least {self.min_len} distinct integers"

    def bad_examples(self) -> tuple[Any, ...]:
        return ([1.5, 2.5], [3, 3], [True, False])
