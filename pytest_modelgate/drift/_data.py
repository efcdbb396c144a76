"""Input handling: numpy/pandas/lists into named columns, type inference, per-column summaries.

A `ColumnSummary` is everything a univariate test needs from one side: the sorted finite values
(numeric) or the category counts (categorical), plus missing/inf counts. Tests never see the
raw column, so they are order-invariant by construction and a profile can stand in for data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from pytest_modelgate.exceptions import InputError

__all__ = ["ColumnSummary", "Table", "as_table", "summarize"]

Kind = Literal["numeric", "categorical", "datetime"]


@dataclass(frozen=True)
class ColumnSummary:
    """One column of one side, reduced to what the tests need.

    numeric: `values` holds the sorted finite values (exact), or `quantiles` at `probs` with
    `rank_error` (a sketch from a profile). categorical: `categories` and `counts`.
    `n` counts all rows, `n_missing` NaN/None, `n_inf` infinite values (numeric only).
    """

    kind: Kind
    n: int
    n_missing: int = 0
    n_inf: int = 0
    values: np.ndarray | None = None
    quantiles: np.ndarray | None = None
    probs: np.ndarray | None = None
    rank_error: float = 0.0
    n_values: int = 0
    mean: float = math.nan
    std: float = math.nan
    categories: tuple[Any, ...] = ()
    counts: np.ndarray | None = None
    dtype: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def moments(self) -> tuple[float, float]:
        """(mean, population std) of the finite values: stored, or computed from the values."""
        if self.values is not None and math.isnan(self.std):
            if not self.values.size:
                return math.nan, math.nan
            return float(np.mean(self.values)), float(np.std(self.values))
        return self.mean, self.std

    @property
    def exact(self) -> bool:
        """True when the raw (sorted) values are available, False for a quantile sketch."""
        return self.kind != "numeric" or self.values is not None


@dataclass
class Table:
    """Columns in order: names, and a getter for each column's raw 1-D values."""

    names: list[Hashable]
    getters: list[Any]
    n_rows: int
    dtypes: list[str]
    is_frame: bool

    def column(self, i: int) -> Any:
        return self.getters[i]()


def _is_frame(obj: Any) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "dtypes") and hasattr(obj, "iloc")


def _is_series(obj: Any) -> bool:
    return hasattr(obj, "dtype") and hasattr(obj, "iloc") and not hasattr(obj, "columns")


def as_table(data: Any, argument: str) -> Table:
    """Wrap a DataFrame, Series, 1-D/2-D array or nested list as ordered named columns.

    Arrays get integer column names; a 1-D input is one column named 0 (prediction or label
    drift). Nothing is copied here: getters return views where the container allows it.
    """
    if data is None:
        raise InputError(f"{argument} is None; pass a 2-D array, a DataFrame or a 1-D array")
    if _is_frame(data):
        names = list(data.columns)
        if len(set(map(repr, names))) != len(names):
            raise InputError(f"{argument} has duplicate column names; rename them")
        getters = [(lambda c=c: data[c]) for c in names]
        return Table(names, getters, len(data), [str(t) for t in data.dtypes], True)
    if _is_series(data):
        name = data.name if data.name is not None else 0
        return Table([name], [lambda: data], len(data), [str(data.dtype)], True)
    arr = np.asarray(data) if not isinstance(data, np.ndarray) else data
    if arr.ndim == 0:
        raise InputError(f"{argument} is a scalar; pass a 1-D or 2-D array")
    if arr.ndim == 1:
        return Table([0], [lambda: arr], int(arr.shape[0]), [str(arr.dtype)], False)
    if arr.ndim != 2:
        raise InputError(f"{argument} has shape {arr.shape}; pass a 1-D or 2-D array")
    names2: list[Hashable] = list(range(arr.shape[1]))
    getters2 = [(lambda j=j: arr[:, j]) for j in range(arr.shape[1])]
    return Table(names2, getters2, int(arr.shape[0]), [str(arr.dtype)] * arr.shape[1], False)


def _values_and_dtype(col: Any) -> tuple[np.ndarray, str, str]:
    """Return (numpy values, dtype string, inferred kind) of one raw column."""
    dtype = getattr(col, "dtype", None)
    dstr = str(dtype)
    if hasattr(col, "cat") and dstr == "category":
        return col, dstr, "categorical"  # pandas categorical: handled through codes
    if dtype is not None and getattr(dtype, "kind", "") in "mM":
        return col, dstr, "datetime"
    if dstr.startswith("datetime") or dstr.startswith("timedelta") or "[ns" in dstr:
        return col, dstr, "datetime"
    if hasattr(col, "to_numpy"):
        if dtype is not None and getattr(dtype, "kind", "") in "fiu" and dstr[:1] in "fiu":
            arr = col.to_numpy()
        else:
            try:
                arr = col.to_numpy(dtype=np.float64, na_value=np.nan)
                if dstr in ("boolean", "bool"):
                    return col, dstr, "categorical"
                return arr, dstr, "numeric"
            except (TypeError, ValueError):
                if dstr == "object":
                    return col.to_numpy(dtype=object), dstr, "object"
                return col, dstr, "categorical"
    else:
        arr = np.asarray(col)
    kind = arr.dtype.kind
    if kind in "fiu":
        return arr, dstr, "numeric"
    if kind == "b":
        return arr, dstr, "categorical"
    if kind in "mM":
        return arr, dstr, "datetime"
    if kind == "c":
        raise InputError("complex values cannot be tested for drift; pass real parts")
    if kind in "OUS":
        return arr, dstr, "object"
    raise InputError(f"unsupported dtype {arr.dtype}")


def _object_kind(arr: np.ndarray) -> str:
    """Classify an object column: all numbers (numeric), all non-numbers (categorical) or mixed."""
    has_num = has_other = False
    for v in arr:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)):
            has_other = True
        elif isinstance(v, (int, float, np.integer, np.floating)):
            has_num = True
        else:
            has_other = True
        if has_num and has_other:
            return "mixed"
    return "numeric" if has_num and not has_other else "categorical"


def infer_kind(col: Any) -> str:
    """'numeric', 'categorical', 'datetime' or 'mixed' for one raw column."""
    arr, _, kind = _values_and_dtype(col)
    if kind == "object":
        return _object_kind(np.asarray(arr, dtype=object))
    return kind


def _numeric_summary(arr: np.ndarray, dstr: str,
                     buffer: Callable[[int], np.ndarray] | None = None) -> ColumnSummary:
    x = np.asarray(arr)
    owned = False
    if x.dtype.kind == "O":
        x = np.array([np.nan if v is None else v for v in x], dtype=np.float64)
        owned = True
    elif x.dtype != np.float64:
        x = x.astype(np.float64)
        owned = True
    n = int(x.shape[0])
    if owned:
        vals = x
        vals.sort()
    elif buffer is not None:  # sort in place in a reused scratch buffer: no fresh pages
        vals = buffer(n)
        np.copyto(vals, x)
        vals.sort()
    else:
        vals = np.sort(x)
    n_nan = n_inf = 0
    # sorted, -inf comes first and +inf then NaN last: two end reads replace a finiteness pass
    if n and not (math.isfinite(vals[0]) and math.isfinite(vals[-1])):
        lo = int(np.searchsorted(vals, -np.inf, side="right"))
        hi = int(np.searchsorted(vals, np.inf, side="left"))
        n_nan = n - int(np.searchsorted(vals, np.inf, side="right"))
        n_inf = n - n_nan - (hi - lo)
        vals = vals[lo:hi]
    # mean and std are computed on demand (`spread()`): most tests never need them
    return ColumnSummary("numeric", n, n_nan, n_inf, values=vals, n_values=int(vals.size),
                         dtype=dstr)


def _plain_category(v: Any) -> Any:
    """Category labels as plain JSON-able Python values (str/int/float/bool), else str."""
    if isinstance(v, (np.generic,)):
        v = v.item()
    if isinstance(v, (str, bool, int, float)):
        return v
    return str(v)


def _categorical_summary(col: Any, dstr: str, as_string: bool = False) -> ColumnSummary:
    if hasattr(col, "cat") and dstr == "category":
        codes = np.asarray(col.cat.codes.to_numpy())
        cats = [_plain_category(c) for c in col.cat.categories]
        n = int(codes.shape[0])
        valid = codes >= 0
        n_missing = n - int(np.count_nonzero(valid))
        counts = np.bincount(codes[valid] if n_missing else codes, minlength=len(cats))
        keep = counts > 0
        cats_k = tuple(c for c, k in zip(cats, keep, strict=True) if k)
        counts_k = counts[keep].astype(np.int64)
        if as_string:
            cats_k = tuple(str(c) for c in cats_k)
        return ColumnSummary("categorical", n, n_missing, categories=cats_k, counts=counts_k,
                             n_values=int(counts_k.sum()), dtype=dstr)
    arr = col.to_numpy(dtype=object) if hasattr(col, "to_numpy") else np.asarray(col)
    n = int(arr.shape[0])
    if arr.dtype.kind == "O":
        try:
            import pandas as pd

            missing = np.asarray(pd.isna(arr), dtype=bool)
        except ImportError:  # pragma: no cover - pandas is optional
            missing = np.array([v is None or (isinstance(v, float) and math.isnan(v))
                                for v in arr], dtype=bool)
    elif arr.dtype.kind == "f":
        missing = np.isnan(arr)
    else:
        missing = np.zeros(n, dtype=bool)
    n_missing = int(np.count_nonzero(missing))
    vals = arr[~missing] if n_missing else arr
    if as_string or vals.dtype.kind == "O":
        labels = np.array([str(v) if as_string else _plain_key(v) for v in vals], dtype=object)
        try:
            uniq, counts = np.unique(labels, return_counts=True)
        except TypeError:  # unorderable mixture (e.g. str and int): compare as strings
            uniq, counts = np.unique(labels.astype(str), return_counts=True)
    else:
        uniq, counts = np.unique(vals, return_counts=True)
    cats_t = tuple(str(u) if as_string else _plain_category(u) for u in uniq)
    return ColumnSummary("categorical", n, n_missing, categories=cats_t,
                         counts=counts.astype(np.int64), n_values=int(counts.sum()), dtype=dstr)


def _plain_key(v: Any) -> Any:
    return _plain_category(v)


def summarize(col: Any, *, categorical: bool = False, name: Hashable = None,
              argument: str = "data",
              buffer: Callable[[int], np.ndarray] | None = None) -> ColumnSummary:
    """Summarise one raw column: sorted finite values (numeric) or category counts."""
    try:
        arr, dstr, kind = _values_and_dtype(col)
    except InputError as exc:
        raise InputError(f"{argument} column {name!r}: {exc}") from None
    if kind == "datetime":  # not tested for drift; counted, so a profile states its nulls
        n = len(col)
        n_missing = int(col.isna().sum()) if hasattr(col, "isna") else \
            int(np.count_nonzero(np.isnat(np.asarray(col))))
        return ColumnSummary("datetime", n, n_missing, n_values=n - n_missing, dtype=dstr)
    if categorical:
        return _categorical_summary(col if kind == "categorical" else arr, dstr)
    if kind == "object":
        okind = _object_kind(np.asarray(arr, dtype=object))
        if okind == "mixed":
            sample = next(v for v in np.asarray(arr, dtype=object)
                          if isinstance(v, str) or (v is not None and not isinstance(
                              v, (int, float, np.integer, np.floating))))
            raise InputError(
                f"{argument} column {name!r} mixes numbers and strings (e.g. {sample!r}); "
                f"clean the column, or list it in categorical=[...] to compare it as categories"
            )
        if okind == "numeric":
            return _numeric_summary(np.asarray(arr, dtype=object), dstr)
        return _categorical_summary(arr, dstr)
    if kind == "categorical":
        return _categorical_summary(col, dstr)
    return _numeric_summary(arr, dstr, buffer)


def align_counts(ref: ColumnSummary, cur: ColumnSummary) -> tuple[
        tuple[Any, ...], np.ndarray, np.ndarray]:
    """Counts of both sides over one category list: the reference's, then unseen ones."""
    index: dict[Any, int] = {}
    for c in ref.categories:
        index[_key(c)] = len(index)
    cats = list(ref.categories)
    for c in cur.categories:
        k = _key(c)
        if k not in index:
            index[k] = len(index)
            cats.append(c)
    r = np.zeros(len(cats), dtype=np.int64)
    q = np.zeros(len(cats), dtype=np.int64)
    if ref.counts is not None:
        r[: len(ref.categories)] = ref.counts
    if cur.counts is not None:
        for c, k in zip(cur.categories, cur.counts, strict=True):
            q[index[_key(c)]] += int(k)
    return tuple(cats), r, q


def _key(c: Any) -> tuple[str, Any]:
    """Category identity: the value with its type family (so 1 and '1' stay apart)."""
    if isinstance(c, bool):
        return ("b", c)
    if isinstance(c, (int, float)):
        return ("n", float(c))
    return ("s", str(c))


def select_columns(names: Sequence[Hashable], columns: Any) -> list[int]:
    """Positions of the requested columns; unknown names raise an error listing the known ones."""
    if columns is None:
        return list(range(len(names)))
    if isinstance(columns, (str, int)):
        columns = [columns]
    pos = {n: i for i, n in enumerate(names)}
    out: list[int] = []
    for c in columns:
        if c not in pos:
            shown = ", ".join(repr(n) for n in list(names)[:20])
            raise InputError(f"columns: {c!r} is not a column of reference (columns: {shown})")
        out.append(pos[c])
    if not out:
        raise InputError("columns is empty; pass None for all columns or name at least one")
    return out
