"""Input checks that run before any computation; each error names the argument and the fix."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.results import format_distinct

from ._registry import MetricSpec

__all__ = ["Checked", "as_array", "check_inputs", "check_weight"]


@dataclass(frozen=True)
class Checked:
    """Validated inputs: numpy arrays of equal length, weights as float64 or None."""

    y_true: NDArray[Any]
    y_pred: NDArray[Any]
    sample_weight: NDArray[np.float64] | None
    n: int


def as_array(x: Any, arg: str, *, allow_2d: bool = False) -> NDArray[Any]:
    """Lists, numpy arrays, pandas Series/DataFrames -> ndarray (1-D, or 2-D when allowed)."""
    if x is None:
        raise InputError(f"{arg}: got None; pass an array-like of predictions/targets")
    if hasattr(x, "to_numpy") and callable(x.to_numpy):  # pandas, duck-typed
        x = x.to_numpy()
    try:
        a = np.asarray(x)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{arg}: cannot be read as an array ({exc})") from None
    if a.ndim == 0:
        raise InputError(f"{arg}: got a scalar ({a!r}); pass one value per row")
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
    if a.ndim > 2 or (a.ndim == 2 and not allow_2d):
        raise InputError(
            f"{arg}: expected a 1-D array, got shape {a.shape}"
            + ("; for a probability matrix use a metric that takes probabilities" if a.ndim == 2
               else "")
        )
    if a.shape[0] == 0:
        raise InputError(f"{arg}: is empty; a metric needs at least one row")
    return a


def _is_missing(v: Any) -> bool:
    """None, NaN/inf, and pandas' missing markers (pd.NA, NaT), without importing pandas."""
    if v is None:
        return True
    if isinstance(v, (float, np.floating)):
        return not math.isfinite(float(v))
    return type(v).__name__ in ("NAType", "NaTType")


def _row(i: int, index: Any) -> str:
    """"row i", plus the pandas index label of that row when it differs from the position."""
    if index is None:
        return f"row {i}"
    try:
        label = index[i]
    except (IndexError, KeyError, TypeError):
        return f"row {i}"
    label = label.item() if isinstance(label, np.generic) else label
    return f"row {i}" if label == i else f"row {i}, index {label!r}"


def _check_finite(a: NDArray[Any], arg: str, index: Any = None) -> None:
    if a.dtype.kind in "fc":
        bad = ~np.isfinite(a)
        if bad.any():
            rows = np.flatnonzero(bad.reshape(a.shape[0], -1).any(axis=1))
            kind = "NaN" if np.isnan(a[bad]).any() else "inf"
        else:
            return
    elif a.dtype.kind == "O":
        flat = a.reshape(a.shape[0], -1)
        miss = np.fromiter((any(_is_missing(v) for v in row) for row in flat), dtype=bool,
                           count=flat.shape[0])
        if not miss.any():
            return
        rows = np.flatnonzero(miss)
        first = next(v for v in flat[rows[0]] if _is_missing(v))
        kind = f"a missing value ({first!r})"
    else:
        return
    raise InputError(
        f"{arg}: contains {kind} in {rows.size} row(s) (first at {_row(int(rows[0]), index)}); "
        "drop or impute those rows before gating"
    )


def check_weight(sample_weight: Any, n: int) -> NDArray[np.float64] | None:
    """sample_weight: None, or n finite non-negative numbers with a positive sum."""
    if sample_weight is None:
        return None
    w = as_array(sample_weight, "sample_weight")
    if w.dtype.kind not in "biuf":
        raise InputError(f"sample_weight: must be numeric, got dtype {w.dtype}")
    w = w.astype(np.float64)
    if w.shape[0] != n:
        raise InputError(f"sample_weight: has {w.shape[0]} rows but y_true has {n}")
    _check_finite(w, "sample_weight")
    if (w < 0).any():
        raise InputError("sample_weight: contains negative weights; weights must be >= 0")
    if not w.sum() > 0:
        raise InputError("sample_weight: all weights are zero")
    return w


def _is_integral(a: NDArray[Any]) -> bool:
    return a.dtype.kind != "f" or bool(np.all(a == np.round(a)))


def check_inputs(spec: MetricSpec, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Checked:
    """Validate targets and predictions for `spec` before computing anything."""
    name = spec.name
    if spec.task == "callable":  # a scorer or callable: its own function checks the values
        yt = as_array(y_true, "y_true", allow_2d=True)
        yp = as_array(y_pred, "y_pred", allow_2d=True)
        if yt.shape[0] != yp.shape[0]:
            raise InputError(
                f"y_true and y_pred have different lengths: y_true {yt.shape} vs y_pred "
                f"{yp.shape}; pass one prediction per target row")
        _check_finite(yt, "y_true", getattr(y_true, "index", None))
        _check_finite(yp, "y_pred", getattr(y_pred, "index", None))
        w = check_weight(sample_weight, int(yt.shape[0]))
        if w is not None and not spec.accepts_weight:
            raise InputError(f"sample_weight: {name!r} does not accept sample_weight; drop "
                             "sample_weight or add the parameter")
        return Checked(yt, yp, w, int(yt.shape[0]))
    multilabel = spec.task == "multilabel"
    yt = as_array(y_true, "y_true", allow_2d=multilabel)
    yp = as_array(y_pred, "y_pred", allow_2d=multilabel or spec.needs != "labels")
    if yt.shape[0] != yp.shape[0]:
        raise InputError(
            f"y_true and y_pred have different lengths: y_true {yt.shape} vs y_pred {yp.shape}; "
            "pass one prediction per target row"
        )
    n = int(yt.shape[0])
    _check_finite(yt, "y_true", getattr(y_true, "index", None))
    _check_finite(yp, "y_pred", getattr(y_pred, "index", None))
    w = check_weight(sample_weight, n)
    if w is not None and not spec.accepts_weight:
        raise InputError(
            f"sample_weight: {name!r} does not support sample weights; drop sample_weight"
            + (" or use 'roc_auc_ovr'" if name.startswith("roc_auc_ovo") else "")
        )

    if spec.task == "regression":
        for a, arg in ((yt, "y_true"), (yp, "y_pred")):
            if a.dtype.kind not in "biuf":
                raise InputError(
                    f"{arg}: {name!r} is a regression metric and needs numbers, got dtype "
                    f"{a.dtype}; for class labels use a classification metric such as 'accuracy'"
                )
        return Checked(yt, yp, w, n)

    if spec.task in ("classification", "clustering") and yt.dtype.kind == "f" and not _is_integral(yt):
        raise InputError(
            f"y_true: looks continuous (non-integer floats) but {name!r} is a "
            f"{spec.task} metric; use a regression metric (e.g. 'r2', 'mae') or pass class labels"
        )
    if spec.needs == "labels" and not multilabel:
        if yp.dtype.kind == "f" and not _is_integral(yp):
            raise InputError(
                f"y_pred: looks like scores or probabilities (non-integer floats) but {name!r} "
                "needs predicted labels; pass model.predict(X) (or threshold the scores), or use "
                "'roc_auc' / 'log_loss' for scores"
            )
        return Checked(yt, yp, w, n)
    if multilabel:
        if yt.shape != yp.shape or yt.ndim != 2:
            raise InputError(
                f"y_true/y_pred: {name!r} needs multilabel indicator matrices of equal shape, "
                f"got {yt.shape} and {yp.shape}"
            )
        return Checked(yt, yp, w, n)

    # scores / probabilities
    if yp.dtype.kind not in "biuf":
        raise InputError(f"y_pred: {name!r} needs numeric scores, got dtype {yp.dtype}")
    classes = np.unique(yt)
    if classes.size < 2:
        raise InputError(
            f"y_true: holds a single class ({classes[0]!r}) but {name!r} needs both positive and "
            "negative rows; evaluate on a holdout that contains every class"
        )
    if yp.ndim == 1 and classes.size > 2 and spec.family != "generic":
        raise InputError(
            f"y_pred: y_true has {classes.size} classes but y_pred is 1-D; pass the (n, "
            f"{classes.size}) score matrix and a multiclass metric (e.g. 'roc_auc_ovr')"
        )
    if spec.family == "auc" and "multi_class" not in spec.kwargs and yp.ndim == 2:
        raise InputError(
            f"y_pred: {name!r} (binary) needs 1-D scores of the positive class, got shape "
            f"{yp.shape}; pass proba[:, 1], or use 'roc_auc_ovr' for a multiclass matrix"
        )
    if spec.needs == "proba":
        lo, hi = float(yp.min()), float(yp.max())
        if lo < 0 or hi > 1:
            raise InputError(
                f"y_pred: {name!r} needs probabilities in [0; 1], got values in "
                f"[{format_distinct(lo, 0.0)[0]}; {format_distinct(hi, 1.0)[0]}]; pass "
                "model.predict_proba(X) (or apply a sigmoid/softmax)"
            )
        if yp.ndim == 2:
            sums = yp.sum(axis=1)
            tol = 1e-4 if yp.dtype == np.float32 else 1e-6
            off = np.abs(sums - 1.0) > tol
            if off.any():
                i = int(np.flatnonzero(off)[0])
                raise InputError(
                    f"y_pred: probability rows must sum to 1; {int(off.sum())} row(s) do not "
                    f"(row {i} sums to {format_distinct(float(sums[i]), 1.0)[0]}); pass predict_proba output or "
                    "normalise each row"
                )
    return Checked(yt, yp, w, n)
