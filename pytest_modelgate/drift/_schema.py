"""Schema inference (TFDV-style): per column its type, nullability, range and allowed categories.

A `Schema` records what the reference showed (`n`, `n_missing`, `min`, `max`, the categories)
and the constraints derived from it (`max_null_rate`, `low`/`high`, `domain`), which a user may
edit. It is inferred from a DataFrame/array or from a drift `Profile`'s summaries, and travels
inside a saved profile as its own self-contained `"schema"` section (`schema_section` /
`read_schema_section`), so a scheduled check needs only the profile file.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pytest_modelgate.exceptions import InputError

from ._data import _plain_category, as_table

if TYPE_CHECKING:
    from ._profile import Profile

__all__ = [
    "MAX_CATEGORIES", "NULL_TOLERANCE", "RANGE_TOLERANCE", "ColumnSchema", "Schema", "column_values",
    "dtype_family", "factorize", "infer_schema", "read_schema_section", "schema_section",
]

SCHEMA_FORMAT = "pytest-modelgate-schema"
SCHEMA_VERSION = 1
#: columns with at most this many distinct values in the reference get an allowed domain
MAX_CATEGORIES = 50
#: derived max null rate of a nullable column: the reference's rate plus this
NULL_TOLERANCE = 0.05
#: derived range: the reference's [min, max] widened by this fraction of its span on each side
#: (0: the observed range; the range check allows the few values a same-distribution sample
#: puts outside it, see `gates.integrity.exchangeable_allowance`)
RANGE_TOLERANCE = 0.0

_COMPATIBLE = {frozenset({"string", "category"})}


@dataclass(frozen=True)
class ColumnSchema:
    """One column: what the reference showed, and what new data may contain.

    `family` is the dtype family compared across data sets ("int", "float", "bool", "string",
    "category", "datetime", "other"). `max_null_rate` 0 means not nullable. `low`/`high` bound
    numeric values (None: unbounded); `domain` lists the allowed categories (None: any).
    """

    name: Hashable
    kind: str
    dtype: str
    family: str
    n: int
    n_missing: int
    max_null_rate: float
    min: float | None = None
    max: float | None = None
    low: float | None = None
    high: float | None = None
    domain: tuple[Any, ...] | None = None

    @property
    def null_rate(self) -> float:
        """The reference's share of missing values."""
        return self.n_missing / self.n if self.n else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": _plain_category(self.name), "kind": self.kind, "dtype": self.dtype,
                "family": self.family, "n": self.n, "n_missing": self.n_missing,
                "max_null_rate": self.max_null_rate, "min": self.min, "max": self.max,
                "low": self.low, "high": self.high,
                "domain": None if self.domain is None else list(self.domain)}


@dataclass(frozen=True)
class Schema:
    """Column schemas in column order, and the tolerances they were derived with."""

    columns: Mapping[Hashable, ColumnSchema]
    null_tolerance: float = NULL_TOLERANCE
    range_tolerance: float = RANGE_TOLERANCE
    max_categories: int = MAX_CATEGORIES

    def to_dict(self) -> dict[str, Any]:
        return {"format": SCHEMA_FORMAT, "version": SCHEMA_VERSION,
                "null_tolerance": self.null_tolerance, "range_tolerance": self.range_tolerance,
                "max_categories": self.max_categories,
                "columns": [c.to_dict() for c in self.columns.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>") -> Schema:
        """Inverse of `to_dict`; a wrong or corrupt section raises `InputError` naming `source`."""
        if not isinstance(data, Mapping) or data.get("format") != SCHEMA_FORMAT:
            raise InputError(f"{source}: the schema section is not a pytest-modelgate schema")
        if int(data.get("version", 0)) > SCHEMA_VERSION:
            raise InputError(f"{source}: schema version {data.get('version')} is newer than this "
                             f"pytest-modelgate understands ({SCHEMA_VERSION}); upgrade")
        try:
            cols: dict[Hashable, ColumnSchema] = {}
            for d in data["columns"]:
                dom = d.get("domain")
                cols[d["name"]] = ColumnSchema(
                    name=d["name"], kind=str(d["kind"]), dtype=str(d["dtype"]),
                    family=str(d["family"]), n=int(d["n"]), n_missing=int(d["n_missing"]),
                    max_null_rate=float(d["max_null_rate"]), min=_opt(d.get("min")),
                    max=_opt(d.get("max")), low=_opt(d.get("low")), high=_opt(d.get("high")),
                    domain=None if dom is None else tuple(dom))
            return cls(cols, float(data.get("null_tolerance", NULL_TOLERANCE)),
                       float(data.get("range_tolerance", RANGE_TOLERANCE)),
                       int(data.get("max_categories", MAX_CATEGORIES)))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{source}: corrupt schema section ({type(exc).__name__}: {exc})"
                             ) from None

    def with_tolerances(self, *, null_tolerance: float | None = None,
                        range_tolerance: float | None = None) -> Schema:
        """Re-derive the null-rate / range constraints from the observed values."""
        cols = dict(self.columns)
        for k, c in cols.items():
            if null_tolerance is not None:
                c = replace(c, max_null_rate=_derive_null(c.n, c.n_missing, null_tolerance))
            if range_tolerance is not None and c.min is not None and c.max is not None:
                low, high = _derive_range(c.min, c.max, range_tolerance)
                c = replace(c, low=low, high=high)
            cols[k] = c
        return replace(self, columns=cols,
                       null_tolerance=self.null_tolerance if null_tolerance is None
                       else null_tolerance,
                       range_tolerance=self.range_tolerance if range_tolerance is None
                       else range_tolerance)


def _opt(x: Any) -> float | None:
    return None if x is None else float(x)


def _derive_null(n: int, n_missing: int, tolerance: float) -> float:
    """0 (not nullable) when the reference has no missing values, else its rate + tolerance."""
    if n_missing == 0:
        return 0.0
    return min(1.0, n_missing / n + tolerance)


def _derive_range(lo: float, hi: float, tolerance: float) -> tuple[float, float]:
    span = hi - lo
    return lo - tolerance * span, hi + tolerance * span


def dtype_family(dtype: str) -> str:
    """The dtype family compared across data sets: int, float, bool, string, category, datetime."""
    d = dtype.lower()
    if d == "category":
        return "category"
    if d in ("bool", "boolean"):
        return "bool"
    if d.startswith(("int", "uint")):
        return "int"
    if d.startswith(("float", "double")):
        return "float"
    if d.startswith(("datetime", "timedelta", "period")):
        return "datetime"
    if d in ("object", "string", "str") or d.startswith(("<u", "|s", "<s", "str", "string")):
        return "string"
    return "other"


def compatible(a: str, b: str) -> bool:
    """True when two dtype families hold the same kind of values (string and category do)."""
    return a == b or frozenset({a, b}) in _COMPATIBLE


def column_values(col: Any, lazy_category: bool = False) -> tuple[np.ndarray, str, str]:
    """(values, dtype string, kind) of one raw column: kind numeric, categorical or datetime.

    Numeric values come back as float64 with NaN for missing; categorical ones as an object
    array with None for missing (with `lazy_category`, a pandas categorical comes back as
    itself: use `factorize`); datetimes as int64 nanoseconds with NaT's minimum for missing.
    """
    dtype = getattr(col, "dtype", None)
    dstr = str(dtype)
    kind = getattr(dtype, "kind", "")
    if dstr == "category":
        if lazy_category:
            return col, dstr, "categorical"
        vals = np.asarray(col.astype(object).to_numpy(dtype=object))
        return _none_missing(vals), dstr, "categorical"
    if (kind in "mM" and kind) or dstr.startswith(("datetime", "timedelta")):
        return _nanoseconds(col), dstr, "datetime"
    if kind in "fiu" or dstr in ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32",
                                 "UInt64", "Float32", "Float64"):
        if hasattr(col, "to_numpy"):
            return col.to_numpy(dtype=np.float64, na_value=np.nan), dstr, "numeric"
        return np.asarray(col, dtype=np.float64), dstr, "numeric"
    if kind == "c":
        raise InputError("complex values are not supported; pass real parts")
    arr = col.to_numpy(dtype=object) if hasattr(col, "to_numpy") else np.asarray(col, dtype=object)
    return _none_missing(np.asarray(arr, dtype=object)), dstr, "categorical"


def _nanoseconds(col: Any) -> np.ndarray:
    """Datetimes (time zones converted to UTC) or timedeltas as int64 nanoseconds; NaT is the
    int64 minimum. One unit on both sides, whatever unit each frame stores."""
    if getattr(getattr(col, "dtype", None), "tz", None) is not None:
        col = col.dt.tz_convert("UTC").dt.tz_localize(None)
    kind = getattr(getattr(col, "dtype", None), "kind", "M")
    unit = "timedelta64[ns]" if kind == "m" else "datetime64[ns]"
    arr = col.to_numpy(dtype=unit) if hasattr(col, "to_numpy") else np.asarray(col).astype(unit)
    out: np.ndarray = np.ascontiguousarray(arr).view(np.int64)
    return out


def _none_missing(vals: np.ndarray) -> np.ndarray:
    """Object values with every missing marker (None, NaN, pd.NA, NaT) as None."""
    miss = is_missing(vals)
    if miss.any():
        vals = vals.copy()
        vals[miss] = None
    return vals


def is_missing(vals: np.ndarray) -> np.ndarray:
    """Boolean mask of missing values (pandas' `isna` when available)."""
    try:
        import pandas as pd

        return np.asarray(pd.isna(vals), dtype=bool)
    except ImportError:  # pragma: no cover - pandas is optional
        if vals.dtype.kind == "f":
            out: np.ndarray = np.isnan(vals)
            return out
        return np.array([v is None or (isinstance(v, float) and math.isnan(v)) for v in vals],
                        dtype=bool)


def factorize(col: Any, name: Hashable | None = None) -> tuple[np.ndarray, list[Any]]:
    """(codes, distinct values) of a categorical column; code -1 marks a missing value.

    A pandas categorical reuses its own codes (only categories present are kept distinct);
    other values go through `pandas.factorize` (hash-based, O(n)), or a dict without pandas.
    Unhashable cells (lists, dicts, arrays) raise `InputError` naming column `name`.
    """
    try:
        return _factorize(col)
    except TypeError as exc:
        if "unhashable" not in str(exc):
            raise
        raise InputError(_unhashable_message(col, name)) from None


def _unhashable_message(col: Any, name: Hashable | None) -> str:
    vals = col.to_numpy(dtype=object) if hasattr(col, "to_numpy") else np.asarray(col, object)
    kinds: dict[str, None] = {}
    for v in vals.ravel()[:100_000]:
        try:
            hash(v)
        except TypeError:
            kinds.setdefault(type(v).__name__, None)
    what = " and ".join(f"{k}s" for k in list(kinds)[:3]) or "unhashable values"
    col_txt = f"column {name!r}" if name is not None else "a column"
    return (f"{col_txt} holds {what}; integrity checks compare and hash cell values, so they "
            f"need scalars: convert it with .astype(str) (or expand it into columns), or leave "
            f"it out with columns=[...]")


def _factorize(col: Any) -> tuple[np.ndarray, list[Any]]:
    if str(getattr(col, "dtype", "")) == "category":
        codes = np.asarray(col.cat.codes.to_numpy(), dtype=np.int64)
        return codes, list(col.cat.categories)
    vals = col if isinstance(col, np.ndarray) else np.asarray(column_values(col)[0], dtype=object)
    try:
        import pandas as pd

        c, u = pd.factorize(vals, use_na_sentinel=True)
        return np.asarray(c, dtype=np.int64), list(u)
    except ImportError:  # pragma: no cover - pandas is optional
        miss = is_missing(vals)
        index: dict[Any, int] = {}
        codes = np.array([-1 if m else index.setdefault(v, len(index))
                          for v, m in zip(vals, miss, strict=True)], dtype=np.int64)
        return codes, list(index)


def _present(codes: np.ndarray, uniques: list[Any]) -> list[Any]:
    """The distinct values that occur (a categorical's unused categories left out)."""
    if not uniques:
        return []
    used = np.bincount(codes[codes >= 0], minlength=len(uniques)) > 0
    return [u for u, k in zip(uniques, used, strict=True) if k]


def _column_schema(name: Hashable, col: Any, max_categories: int, null_tolerance: float,
                   range_tolerance: float) -> ColumnSchema:
    vals, dstr, kind = column_values(col, lazy_category=True)
    n = int(vals.shape[0])
    family = dtype_family(dstr)
    if kind == "numeric":
        finite = vals[np.isfinite(vals)]
        n_missing = int(np.count_nonzero(np.isnan(vals)))
        lo = float(finite.min()) if finite.size else None
        hi = float(finite.max()) if finite.size else None
        low, high = _derive_range(lo, hi, range_tolerance) if lo is not None and \
            hi is not None else (None, None)
        return ColumnSchema(name, kind, dstr, family, n, n_missing,
                            _derive_null(n, n_missing, null_tolerance), lo, hi, low, high)
    if kind == "datetime":  # UTC nanoseconds, bounded like numbers
        present = vals[vals != np.iinfo(np.int64).min]
        n_missing = n - int(present.size)
        lo = float(present.min()) if present.size else None
        hi = float(present.max()) if present.size else None
        low, high = _derive_range(lo, hi, range_tolerance) if lo is not None and \
            hi is not None else (None, None)
        return ColumnSchema(name, kind, dstr, family, n, n_missing,
                            _derive_null(n, n_missing, null_tolerance), lo, hi, low, high)
    codes, uniques = factorize(col if dstr == "category" else vals, name)
    n_missing = int(np.count_nonzero(codes < 0))
    u = _present(codes, uniques)
    domain = None if len(u) > max_categories else tuple(_plain_category(v) for v in u)
    return ColumnSchema(name, kind, dstr, family, n, n_missing,
                        _derive_null(n, n_missing, null_tolerance), domain=domain)


def infer_schema(reference: Any, *, columns: Sequence[Hashable] | None = None,
                 max_categories: int = MAX_CATEGORIES, null_tolerance: float = NULL_TOLERANCE,
                 range_tolerance: float = RANGE_TOLERANCE) -> Schema:
    """Infer a `Schema` from a DataFrame, a 1-D/2-D array, or a drift `Profile`.

    Per column: dtype family; not nullable when the reference has no missing value, else
    `max_null_rate` = its rate + `null_tolerance`; numeric `[low, high]` = `[min, max]` widened
    by `range_tolerance` x span on each side; the allowed `domain` of non-numeric columns with
    at most `max_categories` distinct values. O(rows x columns), no sorting.
    """
    from ._profile import Profile

    if isinstance(reference, Profile):
        return _from_profile(reference, columns, max_categories, null_tolerance, range_tolerance)
    table = as_table(reference, "reference")
    keep = set(columns) if columns is not None else None
    cols: dict[Hashable, ColumnSchema] = {}
    for i, name in enumerate(table.names):
        if keep is None or name in keep:
            cols[name] = _column_schema(name, table.column(i), max_categories, null_tolerance,
                                        range_tolerance)
    return Schema(cols, null_tolerance, range_tolerance, max_categories)


def _from_profile(prof: Profile, columns: Sequence[Hashable] | None, max_categories: int,
                  null_tolerance: float, range_tolerance: float) -> Schema:
    cols: dict[Hashable, ColumnSchema] = {}
    for name, s in prof.columns.items():
        if columns is not None and name not in columns:
            continue
        family = dtype_family(s.dtype)
        null = _derive_null(s.n, s.n_missing, null_tolerance)
        if s.kind == "numeric":
            ends = s.values if s.values is not None else s.quantiles
            lo = float(ends[0]) if ends is not None and ends.size else None
            hi = float(ends[-1]) if ends is not None and ends.size else None
            low, high = _derive_range(lo, hi, range_tolerance) if lo is not None and \
                hi is not None else (None, None)
            cols[name] = ColumnSchema(name, "numeric", s.dtype, family, s.n, s.n_missing, null,
                                      lo, hi, low, high)
        elif s.kind == "datetime" and "range_ns" in s.extra:  # UTC nanoseconds, as inferred
            lo, hi = (float(v) for v in s.extra["range_ns"])  # from data
            low, high = _derive_range(lo, hi, range_tolerance)
            cols[name] = ColumnSchema(name, "datetime", s.dtype, family, s.n, s.n_missing, null,
                                      lo, hi, low, high)
        elif s.kind == "categorical":
            domain = tuple(s.categories) if len(s.categories) <= max_categories else None
            cols[name] = ColumnSchema(name, "categorical", s.dtype, family, s.n, s.n_missing,
                                      null, domain=domain)
        else:
            cols[name] = ColumnSchema(name, s.kind, s.dtype, family, s.n, s.n_missing, null)
    return Schema(cols, null_tolerance, range_tolerance, max_categories)


def schema_section(prof: Profile) -> dict[str, Any]:
    """The profile's `"schema"` section: inferred from its summaries, JSON-able."""
    return infer_schema(prof).to_dict()


def read_schema_section(prof: Profile | Mapping[str, Any], source: str = "<profile>"
                        ) -> Schema | None:
    """The schema stored in a profile (or its dict), or None when it has none."""
    section = prof.get("schema") if isinstance(prof, Mapping) else getattr(prof, "schema", None)
    if section is None:
        return None
    return Schema.from_dict(section, source)
