"""Input-boundary fuzzing: hostile batches must raise a clear error or give valid output.

Cases: NaN, +inf, -inf, huge finite values, a string in a numeric column, one column too few,
one too many, reversed column order (DataFrames with names), an empty batch, a single row, and
dtype cases: object, bool and float16 batches, an integer beyond int64 (2**64) and one beyond the
float64 range (10**400).
"Clear" means a ValueError/TypeError/OverflowError (what scikit-learn's validation and numpy's
conversions raise) with a message; "valid" means the right number of finite predictions and
probabilities in [0, 1] summing to 1. A wrong column count must raise (a wrapper that pads or
truncates columns predicts from data it never saw), except a DataFrame's extra or dropped
*named* column that the model does not use (columns selected by name: predictions unchanged).
The value cases go into the first numeric column; with none (text, categories) or a 1-D batch
(one text per row) the cases that need one are not applicable, never a crash. A dtype case that predicts must give the
predictions of the same values as float64; 10**400 has no float64 value, so it must raise.
Anything else is silent garbage or an unclear crash, and fails the gate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = ["CASES", "CaseOutcome", "InputValidationResult", "check_inputs", "get_case_names"]


@dataclass(frozen=True)
class CaseOutcome:
    """What one hostile batch did: "raised" (clear error), "valid", "garbage" or "unclear"."""

    case: str
    outcome: str
    detail: str

    @property
    def ok(self) -> bool:
        return self.outcome in ("raised", "valid", "not-applicable")


@dataclass(frozen=True)
class InputValidationResult:
    outcomes: tuple[CaseOutcome, ...]

    @property
    def failures(self) -> tuple[CaseOutcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)


Builder = Callable[[Any, float], Any]
# what a case demands: "either" (raise clearly or valid output), "valid" (valid output), "raise"
# (a clear error; valid output is garbage) or "same" (raise, or the predictions of `reference`)
Expect = str


def _frame_like(X: Any, arr: np.ndarray) -> Any:
    if hasattr(X, "columns") and hasattr(X, "iloc"):
        import pandas as pd

        # dtype=object: no datetime inference, which raises OverflowError on a 10**400 cell in
        # older pandas (2.2) instead of handing the value to the model
        return pd.DataFrame(arr, columns=X.columns,
                            dtype=object if arr.dtype == object else None)
    return arr


def _numeric_column(X: Any) -> int | None:
    """Position of the first numeric (int/float) column of a 2-D batch, or None: the value cases
    go there, since a NaN or a huge number in a text column tests the wrong thing."""
    if hasattr(X, "iloc"):
        return next((i for i, d in enumerate(X.dtypes) if getattr(d, "kind", "O") in "iuf"),
                    None)
    arr = np.asarray(X[:2])
    if arr.ndim != 2:
        return None
    if arr.dtype.kind in "iufb":
        return 0 if arr.shape[1] else None
    for j in range(arr.shape[1]):
        try:
            np.asarray(arr[:, j], dtype=float)
        except (ValueError, TypeError):
            continue
        if not any(isinstance(v, (str, bytes)) for v in arr[:, j]):
            return j
    return None


def _with_value(value: Any) -> Builder:
    def build(X: Any, huge: float) -> Any:
        j = _numeric_column(X)
        if j is None:
            return None  # no numeric column (text, categories): nothing to inject into
        v = huge if value == "huge" else value
        if hasattr(X, "iloc"):
            out = X.iloc[:2].copy()
            col = out.columns[j]
            out[col] = out[col].astype(object if isinstance(v, str) else float)
            out.iloc[0, j] = v
            return out
        arr = np.array(X[:2], dtype=object if isinstance(v, str) or np.asarray(X).dtype.kind
                       not in "iufb" else float)
        arr[0, j] = v
        return arr
    return build


def _columns(delta: int) -> Builder:
    def build(X: Any, huge: float) -> Any:
        if hasattr(X, "iloc"):
            out = X.iloc[:2].copy()
            if delta < 0:
                return out.iloc[:, :delta]
            out["__extra__"] = 0.0
            return out
        arr = np.asarray(X[:2])
        if arr.ndim != 2:
            return None  # 1-D input (one text or value per row): no columns to add or drop
        if arr.dtype.kind in "iub":
            arr = arr.astype(float)
        if delta < 0:
            return arr[:, :delta]
        return np.hstack([arr, np.zeros((arr.shape[0], delta), dtype=arr.dtype)])
    return build


def _reordered(X: Any, huge: float) -> Any:
    if not hasattr(X, "iloc"):
        return None
    return X.iloc[:2, ::-1].copy()


def _rows(X: Any, k: int) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[:k].copy()
    arr = np.asarray(X)
    return arr[:k].astype(float) if arr.dtype.kind in "iub" else arr[:k].copy()


def _empty(X: Any, huge: float) -> Any:
    return _rows(X, 0)


def _single(X: Any, huge: float) -> Any:
    return _rows(X, 1)


def _two_rows(X: Any) -> np.ndarray:
    a = np.array(X.iloc[:2] if hasattr(X, "iloc") else X[:2], dtype=np.float64, copy=True)
    if a.ndim != 2:
        raise ValueError("the dtype cases need a 2-D batch")
    return a


def _as_dtype(kind: str) -> Builder:
    """The first two rows in another dtype; `reference(kind, X)` gives the same values as float64."""
    def build(X: Any, huge: float) -> Any:
        try:
            a = _two_rows(X)
        except (ValueError, TypeError):
            return None  # non-numeric columns: the dtype cases do not apply
        if kind == "object":
            out = a.astype(object)
        elif kind == "bool":
            out = a != 0
        elif kind == "float16":
            lim = float(np.finfo(np.float16).max)
            out = np.clip(a, -lim, lim).astype(np.float16)
        else:  # "int_overflow" / "int_beyond_float": a Python int no int64 (or float64) holds
            out = a.astype(object)
            out[0, 0] = 2 ** 64 if kind == "int_overflow" else 10 ** 400
        return _frame_like(X, out)
    return build


def reference(kind: str, X: Any) -> Any:
    """The float64 batch holding the same values as the dtype case `kind` (None: no such batch)."""
    if kind == "int_beyond_float":
        return None
    a = _two_rows(X)
    if kind == "bool_dtype":
        a = (a != 0).astype(np.float64)
    elif kind == "float16":
        lim = float(np.finfo(np.float16).max)
        a = np.clip(a, -lim, lim).astype(np.float16).astype(np.float64)
    elif kind == "int_overflow":
        a[0, 0] = float(2 ** 64)
    return _frame_like(X, a)


# name -> (builder, what the case demands: see `Expect`)
CASES: dict[str, tuple[Builder, Expect]] = {
    "nan": (_with_value(float("nan")), "either"),
    "+inf": (_with_value(float("inf")), "either"),
    "-inf": (_with_value(float("-inf")), "either"),
    "huge": (_with_value("huge"), "either"),
    "string": (_with_value("not-a-number"), "either"),
    "too_few_columns": (_columns(-1), "raise"),
    "too_many_columns": (_columns(1), "raise"),
    "reordered_columns": (_reordered, "either"),
    "empty_batch": (_empty, "either"),
    "single_row": (_single, "valid"),
    "object_dtype": (_as_dtype("object"), "same"),
    "bool_dtype": (_as_dtype("bool"), "same"),
    "float16": (_as_dtype("float16"), "same"),
    "int_overflow": (_as_dtype("int_overflow"), "same"),
    "int_beyond_float": (_as_dtype("int_beyond_float"), "raise"),
}
_CLEAR = (ValueError, TypeError, OverflowError)
_VALUE_CASES = frozenset({"nan", "+inf", "-inf", "huge", "string"})


def get_case_names() -> list[str]:
    return list(CASES)


def _valid(model: Any, batch: Any, n: int) -> str | None:
    """None when predictions (and probabilities) are valid, else what is wrong."""
    pred = np.asarray(model.predict(batch))
    if pred.shape[:1] != (n,):
        return f"predict returned {pred.shape[0] if pred.ndim else 'a scalar'} rows for {n}"
    if pred.dtype.kind in "fc" and not np.all(np.isfinite(pred)):
        return "predict returned NaN or infinite values"
    if hasattr(model, "predict_proba"):
        try:
            proba = np.asarray(model.predict_proba(batch), dtype=float)
        except AttributeError:
            return None
        if proba.shape[:1] != (n,):
            return f"predict_proba returned {proba.shape[0]} rows for {n}"
        if n and (not np.all(np.isfinite(proba)) or proba.min() < -1e-9 or proba.max() > 1 + 1e-9
                  or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6)):
            return "predict_proba returned probabilities outside [0, 1] or not summing to 1"
    return None


def check_inputs(model: Any, X_sample: Any, *, cases: Sequence[str] | None = None,
                 skip: Sequence[str] = (), huge: float = 1e300) -> InputValidationResult:
    """Run every hostile case through `model` and classify what happened."""
    if not hasattr(model, "predict"):
        raise InputError(f"model: {type(model).__name__} has no predict(); pass a fitted model")
    n_rows = len(X_sample) if hasattr(X_sample, "__len__") else 0
    if n_rows < 2:
        raise InputError(f"X_sample: needs at least 2 valid rows to build cases, got {n_rows}")
    names = list(cases) if cases is not None else list(CASES)
    unknown = [c for c in [*names, *skip] if c not in CASES]
    if unknown:
        from pytest_modelgate.exceptions import UnknownNameError

        raise UnknownNameError("input case", unknown[0], list(CASES))
    if not isinstance(huge, (int, float)) or not np.isfinite(huge):
        raise ConfigError(f"input_validation: huge must be a finite number, got {huge!r}")
    sample = X_sample if hasattr(X_sample, "iloc") else np.asarray(X_sample)
    width = int(sample.shape[1]) if getattr(sample, "ndim", 0) == 2 else None
    outcomes: list[CaseOutcome] = []
    for name in names:
        if name in skip:
            continue
        build, expect = CASES[name]
        batch = build(sample, float(huge))
        if batch is None:
            if name == "reordered_columns":
                why = "arrays carry no column names to reorder"
            elif getattr(sample, "ndim", 2) != 2:
                why = "X_sample is 1-D (one text or value per row): no columns to fill or count"
            elif name in _VALUE_CASES:
                why = "X_sample has no numeric column to put the value in (text or categories)"
            else:
                why = "X_sample has non-numeric columns"
            outcomes.append(CaseOutcome(name, "not-applicable", why))
            continue
        outcomes.append(_run_case(model, sample, name, batch, expect, width))
    return InputValidationResult(tuple(outcomes))


def _quiet_valid(model: Any, batch: Any) -> str | None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _valid(model, batch, len(batch))


def _quiet_predict(model: Any, batch: Any) -> np.ndarray:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(model.predict(batch))


def _same_predictions(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=1e-5, atol=1e-8, equal_nan=True))
    return bool(np.array_equal(a, b))


def _run_case(model: Any, sample: Any, name: str, batch: Any, expect: Expect,
              width: int | None) -> CaseOutcome:
    """Feed one hostile batch to the model and classify what happened against `expect`."""
    try:
        problem = _quiet_valid(model, batch)
    except _CLEAR as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        if expect == "valid":
            return CaseOutcome(name, "unclear", f"a valid batch raised "
                               f"{type(exc).__name__}: {msg[:160]}")
        if msg:
            return CaseOutcome(name, "raised", f"{type(exc).__name__}: {msg[:160]}")
        return CaseOutcome(name, "unclear", f"{type(exc).__name__} without a message")
    except Exception as exc:
        return CaseOutcome(name, "unclear", f"{type(exc).__name__}: {str(exc)[:160]} (raise "
                           "ValueError with a message instead)")
    if problem is not None:
        return CaseOutcome(name, "garbage", problem)
    if expect == "raise" and name.endswith("_columns"):
        got = int(np.shape(batch)[1])
        if hasattr(batch, "columns") and _ignored_by_name(model, sample, batch):
            what = "extra" if got > (width or 0) else "dropped"
            return CaseOutcome(name, "valid", f"the {what} named column is not used (columns "
                               "selected by name; predictions unchanged)")
        return CaseOutcome(name, "garbage", f"accepted {got} columns instead of {width} and "
                           "returned predictions: the model (or its wrapper) pads or truncates "
                           "columns silently; raise ValueError on a wrong column count")
    if expect == "raise":
        return CaseOutcome(name, "garbage", "returned predictions for an integer no float64 "
                           "can hold (10**400): the value was altered silently; raise "
                           "ValueError/OverflowError instead")
    if expect == "same":
        ref = reference(name, sample)
        try:
            want = _quiet_predict(model, ref)
        except Exception:
            return CaseOutcome(name, "valid", "valid output (the float64 equivalent could not "
                               "be predicted to compare)")
        got_pred = _quiet_predict(model, batch)
        if not _same_predictions(got_pred, want):
            rows = int(np.sum(np.any((got_pred != want).reshape(len(want), -1), axis=1))) \
                if got_pred.shape == want.shape else len(want)
            return CaseOutcome(name, "garbage", f"predictions differ from those for the same "
                               f"values as float64 on {rows} of {len(want)} rows: the "
                               f"{name.replace('_', ' ')} input is mishandled; convert with "
                               "np.asarray(X, dtype=float) or reject it")
    return CaseOutcome(name, "valid", "valid output")


def _ignored_by_name(model: Any, sample: Any, batch: Any) -> bool:
    """A DataFrame's extra column ignored by name: the predictions equal those without it."""
    try:
        return _same_predictions(_quiet_predict(model, batch),
                                 _quiet_predict(model, sample.iloc[:len(batch)]))
    except Exception:
        return False
