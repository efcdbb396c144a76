"""The one result model: every gate yields a `GateResult`; every report is a view of a list of them.

Stdlib only. Results hold plain Python types (no numpy scalars) so that they survive
`item.user_properties`, pytest-xdist's transport and JSON unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._numbers import format_number
from .exceptions import InputError

__all__ = [
    "INCONCLUSIVE_POLICIES",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "VERDICTS",
    "Decision",
    "GateResult",
    "RunRecord",
    "decide",
    "format_distinct",
    "is_blocking",
    "plain",
    "waiver",
]

# 2: verdict "error", result "outcome", run "inconclusive", summary "error"/"blocking"/"waived"
SCHEMA_VERSION = 2
VERDICTS = ("passed", "failed", "inconclusive", "error")
Verdict = Literal["passed", "failed", "inconclusive", "error"]
# the pytest outcome of the test that recorded a result (None: unknown, e.g. a schema 1 report)
OUTCOMES = ("passed", "failed", "xfailed", "xpassed", "skipped", "error")
Outcome = Literal["passed", "failed", "xfailed", "xpassed", "skipped", "error"]
INCONCLUSIVE_POLICIES = ("fail", "pass")
Direction = Literal["higher", "lower"]


def plain(obj: Any) -> Any:
    """Convert numpy scalars/arrays, tuples and mappings into JSON-able plain Python values.

    Non-finite floats stay floats (JSON writers decide how to spell them).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj)
    if isinstance(obj, Mapping):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    tolist = getattr(obj, "tolist", None)  # numpy scalars and arrays, without importing numpy
    if callable(tolist):
        return plain(tolist())
    item = getattr(obj, "item", None)
    if callable(item):
        return plain(item())
    if isinstance(obj, (set, frozenset)):
        return sorted(plain(v) for v in obj)
    return str(obj)


@dataclass(frozen=True)
class Decision:
    """A verdict against thresholds, with the signed margin (positive = on the good side)."""

    verdict: Verdict
    margin: float | None
    reason: str

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"


def _fmt(x: float) -> str:
    return format_number(x, missing="n/a", tiny=True)


#: the most significant digits `format_distinct` prints: enough for any two distinct doubles
MAX_DIGITS = 17


def _sig_digits(x: float) -> int:
    """Significant digits of the shortest text that reads back as `x` ("0.99999995" -> 8)."""
    mant = repr(float(x)).lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return max(len(mant.rstrip("0")), 1)


def format_distinct(value: float, threshold: float) -> tuple[str, str]:
    """`value` and `threshold` as the messages print them (real small numbers kept: a value or
    a threshold is never float noise), with more significant digits when they would print
    alike but differ, so "value 0.8 < min 0.8" reads "value 0.7999999999999999 < min 0.8"; the
    threshold, a number someone wrote, then prints in full."""
    a, b = _fmt(value), _fmt(threshold)
    if a != b or value == threshold or not (math.isfinite(value) and math.isfinite(threshold)):
        return a, b
    digits = 4
    while a == b and digits < MAX_DIGITS:
        digits += 1
        a = format_number(value, digits=digits, tiny=True)
        b = format_number(threshold, digits=digits, tiny=True)
    full = min(max(digits, _sig_digits(threshold)), MAX_DIGITS)
    return a, format_number(threshold, digits=full, tiny=True)


def _versus(what: str, value: float, op: str, bound: str, threshold: float) -> str:
    a, b = format_distinct(value, threshold)
    return f"{what} {a} {op} {bound} {b}"


def decide(
    value: float | None,
    ci: tuple[float, float] | None = None,
    *,
    min: float | None = None,
    max: float | None = None,
) -> Decision:
    """Three-way verdict of a measured value (and optional confidence interval) against bounds.

    passed: the confidence bound (or the value, without an interval) is on the right side of
    every threshold. failed: the point estimate misses a threshold. inconclusive: the point
    estimate meets every threshold but a confidence bound does not, so more rows would decide.
    The margin is the distance of the deciding bound from the nearest threshold.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Decision("failed", None, "no value could be computed")
    if min is None and max is None:
        return Decision("passed", None, "no threshold set (value recorded only)")
    low, high = (ci if ci is not None else (value, value))
    margins: list[float] = []
    verdict: Verdict = "passed"
    reasons: list[str] = []
    if min is not None:
        margins.append(low - min)
        if value < min:
            verdict = "failed"
            reasons.append(_versus("value", value, "<", "min", min))
        elif low < min:
            verdict = "inconclusive"
            reasons.append(_versus("lower confidence bound", low, "<", "min", min))
    if max is not None:
        margins.append(max - high)
        if value > max:
            verdict = "failed"
            reasons.append(_versus("value", value, ">", "max", max))
        elif high > max and verdict != "failed":
            verdict = "inconclusive"
            reasons.append(_versus("upper confidence bound", high, ">", "max", max))
    return Decision(verdict, float(_min(margins)), "; ".join(reasons) or "within thresholds")


def _min(xs: Sequence[float]) -> float:
    """`min` over a non-empty sequence; the builtin is shadowed by `decide`'s keywords."""
    out = xs[0]
    for x in xs[1:]:
        out = x if x < out else out
    return out


@dataclass(frozen=True)
class GateResult:
    """One evaluated gate: what was measured, against what, and the verdict.

    `threshold` maps bound names to values, e.g. ``{"min": 0.9}``, ``{"p95": 0.005}`` or
    ``{"max_drop": 0.01}``; `ci` is the (low, high) interval at `confidence` when there is one.
    `passed` is True only for the "passed" verdict; `enforced` is False in warn-only mode and for
    gates a policy marks as report-only, in which case a failure does not fail the test.
    The verdict "error" means the gate (or its test) raised before a verdict could be reached.
    `outcome` is the pytest outcome of the test that recorded the result (set by the plugin when
    the test finished; None for library use and schema 1 reports).
    """

    nodeid: str
    kind: str
    name: str
    value: float | None
    threshold: Mapping[str, Any] = field(default_factory=dict)
    direction: Direction | None = None
    ci: tuple[float, float] | None = None
    confidence: float | None = None
    margin: float | None = None
    verdict: Verdict = "passed"
    message: str = ""
    method: str | None = None
    n: int | None = None
    unit: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    enforced: bool = True
    outcome: Outcome | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"outcome must be one of {OUTCOMES} or None, got {self.outcome!r}")

    @property
    def passed(self) -> bool:
        return self.verdict == "passed"

    def to_dict(self) -> dict[str, Any]:
        """Plain-typed mapping for JSON, JUnit properties and xdist transport."""
        return {
            "nodeid": self.nodeid,
            "kind": self.kind,
            "name": self.name,
            "value": plain(self.value),
            "threshold": plain(dict(self.threshold)),
            "direction": self.direction,
            "ci": plain(list(self.ci)) if self.ci is not None else None,
            "confidence": plain(self.confidence),
            "margin": plain(self.margin),
            "passed": self.passed,
            "verdict": self.verdict,
            "outcome": self.outcome,
            "message": self.message,
            "method": self.method,
            "n": plain(self.n),
            "unit": self.unit,
            "enforced": self.enforced,
            "details": plain(dict(self.details)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateResult:
        """Inverse of `to_dict` (the derived `passed` key is ignored); also reads schema 1 results.

        Raises `InputError` naming the field when `data` is not a result (a missing key, a
        verdict or outcome outside the vocabulary, a malformed interval).
        """
        if not isinstance(data, Mapping):
            raise InputError(f"must be an object, got {type(data).__name__}")
        for key in ("nodeid", "kind", "name"):
            if key not in data:
                raise InputError(f"missing {key!r}")
            if not isinstance(data[key], str):
                raise InputError(f"{key!r} must be a string, got {type(data[key]).__name__}")
        raw_ci, ci = data.get("ci"), None
        if raw_ci is not None:
            try:
                if isinstance(raw_ci, (str, Mapping)) or len(raw_ci) != 2:
                    raise TypeError
                ci = (float(_number(raw_ci[0])), float(_number(raw_ci[1])))
            except (TypeError, ValueError):
                raise InputError(f"'ci' must be [low, high] or null, got {raw_ci!r}") from None
        for key in ("threshold", "details"):
            if data.get(key) is not None and not isinstance(data[key], Mapping):
                raise InputError(f"{key!r} must be an object, got {type(data[key]).__name__}")
        try:
            return cls(
                nodeid=data["nodeid"],
                kind=data["kind"],
                name=data["name"],
                value=_number(data.get("value")),
                threshold=dict(data.get("threshold") or {}),
                direction=data.get("direction"),
                ci=ci,
                confidence=data.get("confidence"),
                margin=_number(data.get("margin"), "margin"),
                verdict=data.get("verdict", "passed" if data.get("passed") else "failed"),
                message=str(data.get("message", "")),
                method=data.get("method"),
                n=data.get("n"),
                unit=data.get("unit"),
                details=dict(data.get("details") or {}),
                enforced=bool(data.get("enforced", True)),
                outcome=data.get("outcome"),
            )
        except ValueError as exc:
            raise InputError(str(exc)) from None


_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def _number(x: Any, key: str = "value") -> Any:
    """Undo the JSON report's spelling of non-finite floats ("nan", "inf", "-inf")."""
    if isinstance(x, str) and x in _NON_FINITE:
        return _NON_FINITE[x]
    if isinstance(x, str):
        raise ValueError(f"{key!r} must be a number, got {x!r}")
    return x


@dataclass(frozen=True)
class RunRecord:
    """Metadata of one gate run: models under test, seed, library versions, the settings that
    decide whether a result blocks the run (`warn_only`, `inconclusive`: "fail" or "pass"), and
    whether the run was cut short (`interrupted`: Ctrl-C, -x), which makes it no verdict, or
    ran no gate at all (`no_gates`: every gate test deselected), which is no verdict either."""

    seed: int
    versions: Mapping[str, str | None] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    started: str | None = None
    warn_only: bool = False
    inconclusive: str = "fail"
    interrupted: bool = False
    no_gates: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.inconclusive not in INCONCLUSIVE_POLICIES:
            raise ValueError(f"inconclusive must be one of {INCONCLUSIVE_POLICIES}, "
                             f"got {self.inconclusive!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "started": self.started,
            "warn_only": self.warn_only,
            "inconclusive": self.inconclusive,
            "interrupted": self.interrupted,
            "no_gates": self.no_gates,
            "versions": plain(dict(self.versions)),
            "models": plain({k: dict(v) for k, v in self.models.items()}),
            **plain(dict(self.extra)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        """Inverse of `to_dict`; a schema 1 run (no `inconclusive`) had the default policy, "fail".

        Raises `InputError` naming the field when `data` is not a run record.
        """
        if not isinstance(data, Mapping):
            raise InputError(f"must be an object, got {type(data).__name__}")
        for key in ("versions", "models"):
            if data.get(key) is not None and not isinstance(data[key], Mapping):
                raise InputError(f"{key!r} must be an object, got {type(data[key]).__name__}")
        models = data.get("models") or {}
        for role, meta in models.items():
            if not isinstance(meta, Mapping):
                raise InputError(f"models[{role!r}] must be an object, got {type(meta).__name__}")
        known = {"seed", "started", "warn_only", "inconclusive", "interrupted", "no_gates",
                 "versions", "models"}
        try:
            return cls(
                seed=data.get("seed", 0),
                versions=dict(data.get("versions") or {}),
                models={str(k): dict(v) for k, v in models.items()},
                started=data.get("started"),
                warn_only=bool(data.get("warn_only", False)),
                inconclusive=data.get("inconclusive", "fail"),
                interrupted=bool(data.get("interrupted", False)),
                no_gates=bool(data.get("no_gates", False)),
                extra={k: v for k, v in data.items() if k not in known},
            )
        except ValueError as exc:
            raise InputError(str(exc)) from None


def waiver(result: GateResult, run: RunRecord) -> str | None:
    """Why a result that did not pass does not fail the run, or None (it passed, or it blocks).

    A test marked xfail or skipped after recording does not fail the run; a gate error
    does (an exception fails its test even in warn-only mode); a failed or inconclusive gate
    does unless it is not enforced (warn-only, report-only) or, for inconclusive, the run's
    policy is "pass".
    """
    if result.verdict == "passed":
        return None
    if result.outcome in ("xfailed", "skipped"):
        return result.outcome
    if result.verdict == "error":
        return None
    if not result.enforced:
        return "not enforced"
    if result.verdict == "inconclusive" and run.inconclusive == "pass":
        return "inconclusive allowed"
    return None


def is_blocking(result: GateResult, run: RunRecord) -> bool:
    """Whether `result` fails the run: the one rule of the terminal summary, every report and
    `modelgate compare --strict`."""
    return result.verdict != "passed" and waiver(result, run) is None
