"""Per-slice evaluation: the metric and its interval on every group of a slicing column."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError

from ._evaluate import MetricResult, evaluate, resolve_metric
from ._inputs import as_array, check_inputs

__all__ = ["DEFAULT_MIN_SLICE_SIZE", "SliceReport", "SliceResult", "evaluate_slices",
           "slice_keys"]

DEFAULT_MIN_SLICE_SIZE = 30
MISSING = "<missing>"


@dataclass(frozen=True)
class SliceResult:
    """One slice: its key, row count, metric result (None when it could not be computed),
    whether it is gated (at least `min_slice_size` rows) and a note when it is not."""

    key: str
    n: int
    result: MetricResult | None
    gated: bool
    note: str = ""


@dataclass(frozen=True)
class SliceReport:
    """The overall result and one `SliceResult` per slice, in sorted key order."""

    name: str
    column: str
    overall: MetricResult
    slices: tuple[SliceResult, ...]
    min_slice_size: int
    worst: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "column": self.column, "min_slice_size": self.min_slice_size,
            "worst": self.worst, "overall": self.overall.to_dict(),
            "slices": [{"key": s.key, "n": s.n, "gated": s.gated, "note": s.note,
                        **({"value": s.result.value, "ci": list(s.result.ci) if s.result.ci
                            else None, "method": s.result.method} if s.result else {})}
                       for s in self.slices],
        }


def _label(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return MISSING
    if isinstance(v, (np.generic,)):
        v = v.item()
    return str(v)


def slice_keys(slices: Any, n: int, X: Any = None) -> tuple[str, NDArray[Any]]:
    """(column name, per-row string keys) from an array or a column name of the DataFrame X."""
    if isinstance(slices, str):
        if X is None:
            raise ConfigError(
                f"slices={slices!r} names a column, but no X was given; pass X=<DataFrame> "
                "or an array of slice keys"
            )
        columns = [str(c) for c in getattr(X, "columns", [])]
        if slices not in columns:
            raise UnknownNameError("column", slices, columns) if columns else ConfigError(
                f"slices={slices!r}: X has no named columns; pass a DataFrame or an array")
        col = X[slices]
        column = slices
        raw = as_array(col, f"X[{slices!r}]")
    else:
        column = str(getattr(slices, "name", None) or "slice")
        raw = as_array(slices, "slices")
    if raw.shape[0] != n:
        raise InputError(f"slices: has {raw.shape[0]} rows but y_true has {n}")
    if raw.dtype.kind in "biuU":
        keys = raw.astype(str)
    else:
        keys = np.asarray([_label(v) for v in raw.tolist()], dtype=object).astype(str)
    return column, keys


def evaluate_slices(
    name: Any,
    y_true: Any,
    y_pred: Any,
    slices: Any,
    *,
    X: Any = None,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    ci_method: str | None = None,
    min_slice_size: int | None = None,
    **params: Any,
) -> SliceReport:
    """The metric on every slice (value and interval), flagging slices too small to gate.

    Slices with fewer than `min_slice_size` rows (default 30) are reported, not gated; a slice on
    which the metric cannot be computed (e.g. a single class for AUC) is reported with a note.
    The worst gated slice (lowest value when higher is better) is named in `.worst`.
    """
    mss = DEFAULT_MIN_SLICE_SIZE if min_slice_size is None else min_slice_size
    if isinstance(mss, bool) or not isinstance(mss, int) or mss < 1:
        raise ConfigError(f"min_slice_size: must be a positive integer, got {min_slice_size!r}")
    spec = resolve_metric(name, params.pop("average", None))
    chk = check_inputs(spec, y_true, y_pred, sample_weight)
    column, keys = slice_keys(slices, chk.n, X)
    overall = evaluate(spec, chk.y_true, chk.y_pred, confidence=confidence,
                       n_resamples=n_resamples, seed=seed, sample_weight=chk.sample_weight,
                       ci_method=ci_method, **params)
    uniq, inv = np.unique(keys, return_inverse=True)
    out: list[SliceResult] = []
    for i, key in enumerate(uniq.tolist()):
        rows = np.flatnonzero(inv == i)
        w = None if chk.sample_weight is None else chk.sample_weight[rows]
        gated = rows.size >= mss
        try:
            r: MetricResult | None = evaluate(
                spec, chk.y_true[rows], chk.y_pred[rows],
                confidence=confidence if gated else None, n_resamples=n_resamples,
                seed=seed + i, sample_weight=w, ci_method=ci_method if gated else None,
                **params)
            note = "" if gated else f"fewer than min_slice_size={mss} rows: reported, not gated"
        except InputError as exc:
            r, gated, note = None, False, f"not computable on this slice: {exc}"
        out.append(SliceResult(str(key), int(rows.size), r, gated, note))
    worst = _worst(out, spec.direction)
    return SliceReport(spec.name, column, overall, tuple(out), mss, worst)


def _worst(slices: list[SliceResult], direction: str) -> str | None:
    cands = [s for s in slices if s.gated and s.result is not None
             and math.isfinite(s.result.value)]
    if not cands:
        return None
    sign = 1.0 if direction == "higher" else -1.0
    return min(cands, key=lambda s: sign * s.result.value if s.result else 0.0).key
