"""The registry of univariate drift tests: built-ins plus tests registered through the hook.

Each entry knows the column kinds it supports, whether it yields a p-value, its effect size
and the effect threshold the `auto` rule and distance-only tests use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pytest_modelgate.exceptions import ConfigError, UnknownNameError

from ._data import ColumnSummary, align_counts

__all__ = [
    "DriftTest",
    "Outcome",
    "get_test",
    "get_test_names",
    "register_test",
    "unregister_test",
]

KINDS = ("numeric", "categorical", "binary")


@dataclass(frozen=True)
class Outcome:
    """What one test returns for one column.

    `p_value` is None for distance-only tests, and for large-sample KS until it is read: then
    `p_deferred()` computes it (under 1 ms) and `p_at_most(t)` decides p <= t from a cached
    critical value, so `detect` sets the flags without computing any p-value.
    """

    statistic: float
    p_value: float | None
    effect: float | None
    p_deferred: Callable[[], float] | None = None
    p_at_most: Callable[[float], bool] | None = None
    approx_error: float | None = None
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def has_p(self) -> bool:
        return self.p_value is not None or self.p_deferred is not None


TestFunc = Callable[[ColumnSummary, ColumnSummary], Outcome]


@dataclass(frozen=True)
class DriftTest:
    """A registered test: `func(reference_summary, current_summary) -> Outcome`.

    kinds: column kinds it accepts ("numeric", "categorical", "binary"). p_value: whether it
    yields one. effect: the effect-size name; threshold: the effect size at or above which a
    change counts as practically large. sketch: whether a quantile-sketch profile suffices.
    """

    name: str
    func: TestFunc
    kinds: tuple[str, ...]
    p_value: bool
    statistic: str
    effect: str
    threshold: float
    sketch: bool = False
    description: str = ""
    builtin: bool = True

    def supports(self, kind: str) -> bool:
        return kind in self.kinds or (kind == "binary" and "categorical" in self.kinds)


_REGISTRY: dict[str, DriftTest] = {}


def _add(test: DriftTest) -> None:
    _REGISTRY[test.name] = test


def get_test(name: str) -> DriftTest:
    """The registered test called `name`; an unknown name lists close matches."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownNameError("drift test", str(name), get_test_names()) from None


def get_test_names() -> list[str]:
    """Names of all registered univariate tests, built-ins first."""
    return list(_REGISTRY)


def _as_outcome(value: Any, name: str) -> Outcome:
    if isinstance(value, Outcome):
        return value
    if isinstance(value, Mapping):
        stat = float(value["statistic"])
        p = value.get("p_value")
        eff = value.get("effect")
        return Outcome(stat, None if p is None else float(p),
                       None if eff is None else float(eff))
    if isinstance(value, tuple) and len(value) == 2:
        stat, p = value
        return Outcome(float(stat), None if p is None else float(p), None)
    try:
        return Outcome(float(value), None, None)
    except (TypeError, ValueError):
        raise ConfigError(
            f"drift test {name!r} returned {type(value).__name__}; return a float statistic, "
            f"(statistic, p_value) or a mapping with 'statistic', 'p_value', 'effect'"
        ) from None


def register_test(
    name: str,
    func: Callable[..., Any],
    *,
    kinds: tuple[str, ...] | list[str] | str = ("numeric",),
    p_value: bool = True,
    effect: str = "statistic",
    threshold: float | None = None,
    description: str = "",
    replace: bool = False,
) -> DriftTest:
    """Register a custom per-column test under `name` (for `detect(method=name)`).

    `func(reference, current)` gets, for numeric columns, the two sorted arrays of finite
    values, and for categorical columns the two count arrays over one category list. It returns
    a float statistic, `(statistic, p_value)` or a mapping with `statistic`, `p_value`,
    `effect`. With `p_value=False` the column drifts when the effect (default: the statistic)
    is at least `threshold`; with a p-value it drifts when the corrected p-value is <= alpha.
    """
    if not isinstance(name, str) or not name:
        raise ConfigError("register_test: name must be a non-empty string")
    if name in _REGISTRY and not replace:
        raise ConfigError(f"register_test: a drift test named {name!r} already exists; "
                          f"pick another name or pass replace=True")
    if not callable(func):
        raise ConfigError(f"register_test({name!r}): func must be callable")
    kinds_t = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    bad = [k for k in kinds_t if k not in KINDS]
    if bad or not kinds_t:
        raise ConfigError(f"register_test({name!r}): kinds must be among {KINDS}, got {bad}")
    if not p_value and threshold is None:
        raise ConfigError(f"register_test({name!r}): a test without p-value needs threshold=")

    def wrapped(ref: ColumnSummary, cur: ColumnSummary) -> Outcome:
        if ref.kind == "numeric":
            if ref.values is None or cur.values is None:
                raise ConfigError(f"drift test {name!r} needs raw reference values, "
                                  f"not a quantile sketch")
            out = _as_outcome(func(ref.values, cur.values), name)
        else:
            _, r, q = align_counts(ref, cur)
            out = _as_outcome(func(r, q), name)
        if out.effect is None:
            out = Outcome(out.statistic, out.p_value, out.statistic if not p_value else None,
                          note=out.note)
        return out

    test = DriftTest(name, wrapped, kinds_t, bool(p_value), "statistic", effect,
                     float(threshold) if threshold is not None else 0.0,
                     description=description or getattr(func, "__doc__", "") or "",
                     builtin=False)
    _REGISTRY[name] = test
    return test


def unregister_test(name: str) -> None:
    """Remove a test registered with `register_test`; built-ins cannot be removed."""
    test = get_test(name)
    if test.builtin:
        raise ConfigError(f"unregister_test: {name!r} is a built-in test")
    del _REGISTRY[name]


def _np_float(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64))
