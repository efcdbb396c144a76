"""The one result model: every gate yields a `GateResult`; every report is a view of a list of them.

Stdlib only. Results hold plain Python types (no numpy scalars) so that they survive
`item.user_properties`, pytest-xdist's transport and JSON unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "SCHEMA_VERSION",
    "VERDICTS",
    "Decision",
    "GateResult",
    "RunRecord",
    "decide",
    "plain",
]

SCHEMA_VERSION = 1
VERDICTS = ("passed", "failed", "inconclusive")
Verdict = Literal["passed", "failed", "inconclusive"]
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
    return f"{x:.4g}"


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
            reasons.append(f"value {_fmt(value)} < min {_fmt(min)}")
        elif low < min:
            verdict = "inconclusive"
            reasons.append(f"lower confidence bound {_fmt(low)} < min {_fmt(min)}")
    if max is not None:
        margins.append(max - high)
        if value > max:
            verdict = "failed"
            reasons.append(f"value {_fmt(value)} > max {_fmt(max)}")
        elif high > max and verdict != "failed":
            verdict = "inconclusive"
            reasons.append(f"upper confidence bound {_fmt(high)} > max {_fmt(max)}")
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

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")

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
            "message": self.message,
            "method": self.method,
            "n": plain(self.n),
            "unit": self.unit,
            "enforced": self.enforced,
            "details": plain(dict(self.details)),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GateResult:
        """Inverse of `to_dict` (the derived `passed` key is ignored)."""
        ci = data.get("ci")
        return cls(
            nodeid=str(data["nodeid"]),
            kind=str(data["kind"]),
            name=str(data["name"]),
            value=data.get("value"),
            threshold=dict(data.get("threshold") or {}),
            direction=data.get("direction"),
            ci=(float(ci[0]), float(ci[1])) if ci is not None else None,
            confidence=data.get("confidence"),
            margin=data.get("margin"),
            verdict=data.get("verdict", "passed" if data.get("passed") else "failed"),
            message=str(data.get("message", "")),
            method=data.get("method"),
            n=data.get("n"),
            unit=data.get("unit"),
            details=dict(data.get("details") or {}),
            enforced=bool(data.get("enforced", True)),
        )


@dataclass(frozen=True)
class RunRecord:
    """Metadata of one gate run: models under test, seed and library versions."""

    seed: int
    versions: Mapping[str, str | None] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    started: str | None = None
    warn_only: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "started": self.started,
            "warn_only": self.warn_only,
            "versions": plain(dict(self.versions)),
            "models": plain({k: dict(v) for k, v in self.models.items()}),
            **plain(dict(self.extra)),
        }
