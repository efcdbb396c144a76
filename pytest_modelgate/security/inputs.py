"""Input-boundary fuzzing: hostile batches must raise a clear error or give valid output.

Cases: NaN, +inf, -inf, huge finite values, a string in a numeric column, one column too few,
one too many, reversed column order (DataFrames with names), an empty batch and a single row.
"Clear" means a ValueError/TypeError (the exceptions scikit-learn's validation raises) with a
message; "valid" means the right number of finite predictions and probabilities in [0, 1]
summing to 1. Anything else is silent garbage or an unclear crash, and fails the gate.
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


def _frame_like(X: Any, arr: np.ndarray) -> Any:
    if hasattr(X, "columns") and hasattr(X, "iloc"):
        import pandas as pd

        return pd.DataFrame(arr, columns=X.columns)
    return arr


def _with_value(value: Any) -> Builder:
    def build(X: Any, huge: float) -> Any:
        if hasattr(X, "iloc"):
            out = X.iloc[:2].copy()
            col = out.columns[0]
            out[col] = out[col].astype(object if value not in ("huge",) and
                                       isinstance(value, str) else float)
            out.iloc[0, 0] = huge if value == "huge" else value
            return out
        arr = np.array(X[:2], dtype=object if isinstance(value, str) and value != "huge"
                       else float)
        arr[0, 0] = huge if value == "huge" else value
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
        arr = np.asarray(X[:2], dtype=float)
        if delta < 0:
            return arr[:, :delta]
        return np.hstack([arr, np.zeros((arr.shape[0], delta))])
    return build


def _reordered(X: Any, huge: float) -> Any:
    if not hasattr(X, "iloc"):
        return None
    return X.iloc[:2, ::-1].copy()


def _empty(X: Any, huge: float) -> Any:
    return X.iloc[:0].copy() if hasattr(X, "iloc") else np.asarray(X, dtype=float)[:0]


def _single(X: Any, huge: float) -> Any:
    return X.iloc[:1].copy() if hasattr(X, "iloc") else np.asarray(X, dtype=float)[:1]


# name -> (builder, must the model return valid output rather than raise?)
CASES: dict[str, tuple[Builder, bool]] = {
    "nan": (_with_value(float("nan")), False),
    "+inf": (_with_value(float("inf")), False),
    "-inf": (_with_value(float("-inf")), False),
    "huge": (_with_value("huge"), False),
    "string": (_with_value("not-a-number"), False),
    "too_few_columns": (_columns(-1), False),
    "too_many_columns": (_columns(1), False),
    "reordered_columns": (_reordered, False),
    "empty_batch": (_empty, False),
    "single_row": (_single, True),
}


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
    import warnings

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
    outcomes: list[CaseOutcome] = []
    for name in names:
        if name in skip:
            continue
        build, must_be_valid = CASES[name]
        batch = build(sample, float(huge))
        if batch is None:
            outcomes.append(CaseOutcome(name, "not-applicable",
                                        "arrays carry no column names to reorder"))
            continue
        n = len(batch)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem = _valid(model, batch, n)
        except (ValueError, TypeError) as exc:
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            if must_be_valid:
                outcomes.append(CaseOutcome(name, "unclear", f"a valid batch raised "
                                            f"{type(exc).__name__}: {msg[:160]}"))
            elif msg:
                outcomes.append(CaseOutcome(name, "raised", f"{type(exc).__name__}: {msg[:160]}"))
            else:
                outcomes.append(CaseOutcome(name, "unclear", f"{type(exc).__name__} without a "
                                            "message"))
            continue
        except Exception as exc:
            outcomes.append(CaseOutcome(name, "unclear", f"{type(exc).__name__}: "
                                        f"{str(exc)[:160]} (raise ValueError with a message "
                                        "instead)"))
            continue
        if problem is None:
            outcomes.append(CaseOutcome(name, "valid", "valid output"))
        else:
            outcomes.append(CaseOutcome(name, "garbage", problem))
    return InputValidationResult(tuple(outcomes))
