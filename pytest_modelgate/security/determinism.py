"""Determinism and consistency of a predict function: the same rows must give the same answers
however they are sent (twice, one row at a time, shuffled, as float32).

Serving bugs that pass every accuracy gate live here: a wrapper that standardises with the
batch's own mean, a feature computed across rows, a model left in a stochastic mode.
Never imports pytest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = ["CHECKS", "CheckOutcome", "DeterminismResult", "check_determinism", "resolve_predict"]

#: the checks, in the order they run and are reported
CHECKS: tuple[str, ...] = ("repeat", "batch_vs_single", "row_order", "dtype")
_SHOWN = 5

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CheckOutcome:
    """One check: rows compared, how many disagreed (first few positions), the largest gap."""

    name: str
    n_rows: int
    n_disagree: int
    rows: tuple[int, ...] = ()
    labels: tuple[Any, ...] | None = None  # DataFrame index labels of `rows`
    max_abs_diff: float | None = None
    compare: str = "exact"  # "exact" or "tolerance"
    skipped: str | None = None  # why the check did not apply

    @property
    def agrees(self) -> bool:
        return self.n_disagree == 0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "n_rows": self.n_rows, "n_disagree": self.n_disagree,
                "rows": list(self.rows),
                "labels": None if self.labels is None else [_plain(v) for v in self.labels],
                "max_abs_diff": self.max_abs_diff, "compare": self.compare,
                "skipped": self.skipped}


@dataclass(frozen=True)
class DeterminismResult:
    """Every check's outcome, the rows of X, the predict method used and the tolerances."""

    checks: tuple[CheckOutcome, ...]
    n_rows: int
    method: str
    atol: float
    rtol: float

    @property
    def disagreeing(self) -> list[CheckOutcome]:
        return [c for c in self.checks if not c.agrees]

    @property
    def worst(self) -> int:
        """Disagreeing rows of the worst check (0 when every check agrees)."""
        return max((c.n_disagree for c in self.checks), default=0)


def _plain(v: Any) -> Any:
    item = getattr(v, "item", None)
    v = item() if callable(item) else v
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)


def resolve_predict(predict: Any, method: str | None) -> tuple[Callable[[Any], Any], str]:
    """(the function to call, its name for messages).

    An object with the `method` attribute (default `predict`) is an estimator: its bound
    method is used, so estimators and serving wrappers with `.predict` behave alike. A plain
    callable without `.predict` is called as is.
    """
    if method is not None:
        fn = getattr(predict, method, None)
        if not callable(fn):
            raise InputError(f"predict: {type(predict).__name__} has no {method}(); pass an "
                             f"estimator that has it, or a callable with method=None")
        return fn, method
    fn = getattr(predict, "predict", None)
    if callable(fn):
        return fn, "predict"
    if callable(predict):
        return predict, getattr(predict, "__name__", type(predict).__name__)
    raise InputError(f"predict: {type(predict).__name__} is neither callable nor has predict(); "
                     "pass a fitted estimator or a function X -> predictions")


class _Rows:
    """X with positional row selection that keeps its type (DataFrame shape and columns)."""

    def __init__(self, X: Any) -> None:
        if X is None:
            raise InputError("X: got None; pass the rows to predict (array or DataFrame)")
        self.frame = hasattr(X, "iloc") and hasattr(X, "columns")
        self.series = hasattr(X, "iloc") and not self.frame
        if self.frame or self.series:
            self.X = X
        else:
            arr = np.asarray(X)
            if arr.ndim == 0:
                raise InputError(f"X: expected rows (an array or DataFrame), got a scalar {X!r}")
            self.X = arr
        self.n = len(self.X)
        if self.n == 0:
            raise InputError("X: has no rows; pass at least one row to predict")

    def take(self, idx: Sequence[int] | np.ndarray) -> Any:
        if self.frame or self.series:
            return self.X.iloc[np.asarray(idx, dtype=np.intp)].copy()
        return self.X[np.asarray(idx, dtype=np.intp)].copy()

    def all(self) -> Any:
        return self.X.copy()

    def labels(self, rows: Sequence[int]) -> tuple[Any, ...] | None:
        if not (self.frame or self.series):
            return None
        index = self.X.index
        return tuple(index[list(rows)])

    def float32(self) -> tuple[Any, Any] | str:
        """(X with float columns rounded to float32 but held as float64, the same in float32),
        or why there is no float column to cast."""
        if self.frame:
            cols = [c for c, dt in zip(self.X.columns, self.X.dtypes, strict=True)
                    if getattr(dt, "kind", "") == "f"]
            if not cols:
                return "X has no float column"
            as32 = self.X.copy()
            as32[cols] = as32[cols].astype(np.float32)
            as64 = as32.copy()
            as64[cols] = as64[cols].astype(np.float64)
            return as64, as32
        if self.series:
            if self.X.dtype.kind != "f":
                return "X is not float"
            as32 = self.X.astype(np.float32)
            return as32.astype(np.float64), as32
        if self.X.dtype.kind != "f":
            return f"X has dtype {self.X.dtype}, not float"
        as32 = self.X.astype(np.float32)
        return as32.astype(np.float64), as32


def _output(y: Any, n: int, what: str) -> np.ndarray:
    """Predictions as an (n, k) array; anything else is an error naming the call."""
    arr = np.asarray(y)
    if arr.ndim == 0 or len(arr) != n:
        got = "a scalar" if arr.ndim == 0 else f"{len(arr)} rows"
        raise InputError(f"predict returned {got} for {n} input row{'s' if n != 1 else ''} "
                         f"({what}); it must return one prediction per row")
    return arr.reshape(n, -1)


def _compare(a: np.ndarray, b: np.ndarray, atol: float, rtol: float,
             exact: bool) -> tuple[np.ndarray, float | None, str]:
    """(rows that disagree, max |a - b| of float output (else None), "exact"/"tolerance")."""
    n = a.shape[0]
    if a.shape != b.shape:
        return np.ones(n, dtype=bool), None, "exact"
    numeric = a.dtype.kind in "biuf" and b.dtype.kind in "biuf"
    if not numeric:
        same = np.asarray(a == b, dtype=bool).reshape(n, -1)
        return np.asarray(~same.all(axis=1)), None, "exact"
    af, bf = a.astype(np.float64), b.astype(np.float64)
    both_nan = np.isnan(af) & np.isnan(bf)
    diff = np.where(both_nan, 0.0, np.abs(af - bf))
    diff = np.where(np.isnan(diff), np.inf, diff)  # NaN on one side only
    floats = a.dtype.kind == "f" or b.dtype.kind == "f"
    # labels (integers, booleans): how far apart two class codes are means nothing
    max_diff = (float(diff.max()) if diff.size else 0.0) if floats else None
    if exact or not floats:
        bad = (af != bf) & ~both_nan
        return np.asarray(bad.any(axis=1)), max_diff, "exact"
    bad = ~(np.isclose(af, bf, atol=atol, rtol=rtol) | both_nan)
    return np.asarray(bad.any(axis=1)), max_diff, "tolerance"


def _outcome(name: str, rows: _Rows, positions: np.ndarray, bad: np.ndarray,
             max_diff: float | None, compare: str) -> CheckOutcome:
    hit = positions[bad]
    first = tuple(int(i) for i in hit[:_SHOWN])
    return CheckOutcome(name, len(positions), int(bad.sum()), first,
                        rows.labels(first) if len(first) else None,
                        max_diff, compare)


def check_determinism(
    predict: Any,
    X: Any,
    *,
    method: str | None = None,
    checks: Sequence[str] | None = None,
    max_rows: int = 200,
    atol: float = 1e-8,
    rtol: float = 1e-5,
    seed: int = 0,
    progress: Progress | None = None,
) -> DeterminismResult:
    """Run the consistency checks on `predict` over the rows of `X`.

    repeat: the same batch twice gives bitwise-identical output. batch_vs_single: each of up to
    `max_rows` rows (sampled with `seed`) predicted alone equals its row of the batch output.
    row_order: the batch shuffled (seeded), predicted and un-shuffled equals the batch output.
    dtype: float columns rounded to float32 give the same output held as float64 and as float32
    (same values, so only the dtype handling can differ). Float outputs of the last three agree
    within `atol`/`rtol` (numpy.isclose); labels and other outputs must be equal.
    """
    unknown = [c for c in (checks or ()) if c not in CHECKS]
    if unknown:
        raise ConfigError(f"checks: unknown check(s) {', '.join(map(repr, unknown))}; "
                          f"choose from {', '.join(CHECKS)}")
    wanted = [c for c in CHECKS if checks is None or c in checks]
    if not wanted:
        raise ConfigError(f"checks: empty; choose from {', '.join(CHECKS)}")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise ConfigError(f"max_rows must be an integer >= 1, got {max_rows!r}")
    for key, tol in (("atol", atol), ("rtol", rtol)):
        if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol >= 0:
            raise ConfigError(f"{key} must be a number >= 0, got {tol!r}")
    fn, label = resolve_predict(predict, method)
    rows = _Rows(X)
    n = rows.n
    rng = np.random.default_rng(seed)
    everything = np.arange(n)
    single = (np.sort(rng.choice(n, max_rows, replace=False)) if n > max_rows else everything) \
        if "batch_vs_single" in wanted else everything[:0]
    perm = rng.permutation(n)
    total = 1 + len(single) + sum(1 for c in ("repeat", "row_order") if c in wanted) + \
        (2 if "dtype" in wanted else 0)
    calls = 0

    def call(data: Any, size: int, what: str) -> np.ndarray:
        nonlocal calls
        out = _output(fn(data), size, what)
        calls += 1
        if progress is not None:
            progress(calls, total)
        return out

    base = call(rows.all(), n, "the batch")
    out: list[CheckOutcome] = []
    for name in wanted:
        if name == "repeat":
            again = call(rows.all(), n, "the batch, second call")
            bad, diff, how = _compare(base, again, atol, rtol, exact=True)
            out.append(_outcome(name, rows, everything, bad, diff, how))
        elif name == "batch_vs_single":
            alone = np.concatenate([call(rows.take([i]), 1, f"row {i} alone") for i in single]) \
                if len(single) else base[:0]
            ref = base[single]
            if alone.shape[1:] != ref.shape[1:]:
                raise InputError(f"predict returned {alone.shape[1]} value(s) per row for a "
                                 f"single row but {ref.shape[1]} for the batch")
            bad, diff, how = _compare(ref, alone, atol, rtol, exact=False)
            out.append(_outcome(name, rows, single, bad, diff, how))
        elif name == "row_order":
            shuffled = call(rows.take(perm), n, "the shuffled batch")
            restored = np.empty_like(shuffled)
            restored[perm] = shuffled
            bad, diff, how = _compare(base, restored, atol, rtol, exact=False)
            out.append(_outcome(name, rows, everything, bad, diff, how))
        else:
            pair = rows.float32()
            if isinstance(pair, str):
                out.append(CheckOutcome(name, 0, 0, skipped=pair))
                continue
            as64 = call(pair[0], n, "float32 values as float64")
            as32 = call(pair[1], n, "float32 input")
            bad, diff, how = _compare(as64, as32, atol, rtol, exact=False)
            out.append(_outcome(name, rows, everything, bad, diff, how))
    return DeterminismResult(tuple(out), n, label, float(atol), float(rtol))
