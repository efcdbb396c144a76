"""Reference profiles: per-column summaries that stand in for raw reference data.

Numeric columns keep their exact sorted values up to `exact_max` values, above that a
sketch: by default a deterministic quantile grid of `n_quantiles` points (rank error <= 1 /
(n_quantiles - 1)), or with `sketch="kll"` an Apache DataSketches KLL sketch (randomized, rank
error `normalized_rank_error` at 99% confidence, not growing with merges); the error is stated in
every result that uses it. Categorical columns keep category counts. Profiles merge (counts add,
exact values concatenate, grids combine through the mixture CDF, KLL sketches merge natively), so
each partition of a Spark or Dask job can build one and a final step combines them. Datetime
columns keep their counts and UTC range (for the schema's range check). Files are written
atomically, as a binary .npz (`_profile_npz.py`: typed arrays, never unpickled) or, for a name
ending in `.json`, as JSON with the arrays zlib-compressed and base64-encoded; both are
byte-for-byte deterministic, and `load` tells them apart by their first bytes. Version 1
documents (grid only) are still written whenever no KLL is involved.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import math
import os
import zlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np

from pytest_modelgate._atomic import atomic_write, atomic_write_text
from pytest_modelgate.exceptions import ConfigError, InputError

from . import _kll
from ._data import ColumnSummary, as_table, select_columns, summarize
from ._kll import KLL_K
from ._profile_npz import (
    CONTAINER_VERSION,
    MAGIC,
    MAX_MEMBER_BYTES,
    NPZ_ERRORS,
    NpzReader,
    NpzWriter,
)
from ._schema import column_values, schema_section

__all__ = ["EXACT_MAX", "KLL_K", "MERGE_FANIN", "N_QUANTILES", "SKETCHES", "Profile",
           "ProfileMerger", "check_output_path", "merge_profiles", "profile", "profile_file"]

#: numeric columns with at most this many finite values are stored exactly
EXACT_MAX = 100_000
#: size of the quantile grid used above EXACT_MAX (rank error <= 1 / (N_QUANTILES - 1))
N_QUANTILES = 4097
#: how numeric columns above EXACT_MAX are summarised
SKETCHES = ("grid", "kll")
FORMAT = "pytest-modelgate-profile"
#: version 2 adds KLL sketches (written only by profiles built with sketch="kll")
VERSION = 2
#: how many partial profiles one merge step combines (n-ary: the grid error grows by one step
#: per level of the merge tree, not per partition)
MERGE_FANIN = 8
#: top-level keys this module reads; any other key (a newer section) is kept as it is
_KNOWN_KEYS = frozenset({"format", "version", "n_rows", "is_frame", "exact_max", "n_quantiles",
                         "meta", "columns", "sketch", "kll_k", "schema", "container",
                         "container_version", "shuffle"})


def _grid(n_quantiles: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, n_quantiles)


def _to_sketch(s: ColumnSummary, n_quantiles: int) -> ColumnSummary:
    """Replace exact values by the quantile grid (order statistics, so F is exact at the nodes)."""
    assert s.values is not None
    probs = _grid(n_quantiles)
    q = np.quantile(s.values, probs, method="inverted_cdf") if s.values.size else probs * 0
    mean, std = s.moments()
    return replace(s, values=None, quantiles=np.asarray(q, dtype=np.float64), probs=probs,
                   rank_error=1.0 / (n_quantiles - 1), mean=mean, std=std)


def _kll_summary(s: ColumnSummary, blob: bytes) -> ColumnSummary:
    """`s` (counts and moments kept) with the reference distribution read from a KLL sketch."""
    v = _kll.materialise(blob)
    if v.n != s.n_values:
        raise InputError(f"KLL sketch holds {v.n} values but the column counts {s.n_values}; "
                         f"the profile is corrupt")
    mean, std = s.moments()
    return replace(s, values=None, quantiles=v.quantiles, probs=v.probs,
                   rank_error=v.rank_error, mean=mean, std=std,
                   extra={"sketch": "kll", "kll": blob, "kll_k": v.k})


def _is_kll(s: ColumnSummary) -> bool:
    return "kll" in s.extra


def _is_grid(s: ColumnSummary) -> bool:
    return s.values is None and not _is_kll(s)


def _compact(s: ColumnSummary, exact_max: int, n_quantiles: int, sketch: str = "grid",
             kll_k: int = KLL_K) -> ColumnSummary:
    if s.kind == "numeric" and s.values is not None and s.values.size > exact_max:
        if sketch == "kll":
            return _kll_summary(s, _kll.build(s.values, kll_k))
        return _to_sketch(s, n_quantiles)
    return s


@dataclass(frozen=True)
class Profile:
    """Per-column reference summaries (`columns` maps name -> ColumnSummary, in order)."""

    columns: Mapping[Hashable, ColumnSummary]
    n_rows: int
    is_frame: bool = True
    exact_max: int = EXACT_MAX
    n_quantiles: int = N_QUANTILES
    meta: Mapping[str, Any] = field(default_factory=dict)
    sketch: str = "grid"
    kll_k: int = KLL_K
    #: top-level sections of the file this version does not interpret: kept through load,
    #: merge (the first profile's win) and save
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the inferred data schema (`_schema.py`), a self-contained JSON section; None: none stored
    schema: Mapping[str, Any] | None = None

    def summary(self, name: Hashable) -> ColumnSummary:
        try:
            return self.columns[name]
        except KeyError:
            raise InputError(f"profile has no column {name!r}") from None

    @property
    def exact(self) -> bool:
        """True when every numeric column is stored exactly (all tests available)."""
        return all(s.exact for s in self.columns.values())

    def merge(self, other: Profile) -> Profile:
        """Combine two profiles of the same columns built from disjoint rows."""
        merged = _merge_step([self, other])
        return replace(merged, schema=schema_section(merged))

    # -- persistence ---------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (arrays zlib-compressed and base64-encoded)."""
        return self._document(_JsonArrays())

    def _document(self, arrays: _JsonArrays | NpzWriter) -> dict[str, Any]:
        """The profile as a JSON-able document; `arrays` stores every array and returns what
        the document records in its place (base64 text, a list, or an .npz member reference)."""
        cols = []
        for i, (name, s) in enumerate(self.columns.items()):
            d: dict[str, Any] = {"name": name, "kind": s.kind, "n": s.n,
                                 "n_missing": s.n_missing, "n_inf": s.n_inf,
                                 "n_values": s.n_values, "dtype": s.dtype}
            if s.kind == "numeric":
                mean, std = s.moments()
                d.update(mean=_jf(mean), std=_jf(std), rank_error=s.rank_error)
                if s.values is not None:
                    d["values"] = arrays.put(f"c{i}.values", s.values, "<f8")
                elif _is_kll(s):
                    d["kll"] = arrays.put(f"c{i}.kll", np.frombuffer(s.extra["kll"], np.uint8),
                                          "|u1")
                else:
                    assert s.quantiles is not None
                    assert s.probs is not None
                    d["quantiles"] = arrays.put(f"c{i}.quantiles", s.quantiles, "<f8")
                    d["probs"] = arrays.put(f"c{i}.probs", s.probs, "<f8")
            elif s.kind == "categorical":
                assert s.counts is not None
                d["categories"] = list(s.categories)
                d["counts"] = arrays.put(f"c{i}.counts", s.counts, "<i8")
            elif s.kind == "datetime" and "range_ns" in s.extra:
                d["min"], d["max"] = (int(v) for v in s.extra["range_ns"])
            cols.append(d)
        out: dict[str, Any] = {
            **{k: v for k, v in self.extra.items() if k not in _KNOWN_KEYS},
            "format": FORMAT, "version": 1, "n_rows": self.n_rows, "is_frame": self.is_frame,
            "exact_max": self.exact_max, "n_quantiles": self.n_quantiles,
            "meta": dict(self.meta), "columns": cols}
        if self.sketch == "kll":  # older readers would drop the sketch: make them refuse
            out.update(version=VERSION, sketch="kll", kll_k=self.kll_k)
        if self.schema is not None:
            out["schema"] = dict(self.schema)
        return out

    def _write_npz(self, fh: IO[bytes], compress: bool = True) -> None:
        writer = NpzWriter(compress)
        doc = self._document(writer)
        doc["container"], doc["container_version"] = "npz", CONTAINER_VERSION
        writer.write(fh, doc)

    def to_bytes(self) -> bytes:
        """The binary form as bytes, uncompressed (fast to build and read): what partial
        profiles travel as between Spark workers. `from_bytes` reads it (and JSON bytes)."""
        buf = io.BytesIO()
        self._write_npz(buf, compress=False)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes, source: str = "<bytes>") -> Profile:
        """Inverse of `to_bytes` (binary or JSON, told by the first bytes); anything else
        raises `InputError`."""
        if bytes(blob[:4]) == MAGIC:
            return cls._from_npz(io.BytesIO(blob), source)
        return cls._from_json(bytes(blob), source)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the profile atomically (the old file or the whole new one): JSON when the
        name ends in `.json` (readable, diffable), else the binary .npz (smaller, loads fast).
        The same profile gives the same bytes."""
        if Path(path).suffix.lower() == ".json":
            return atomic_write_text(path, json.dumps(self.to_dict(), separators=(",", ":")))
        return atomic_write(path, self._write_npz)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Profile:
        """Read a profile written by `save`, binary or JSON (told by the file's first bytes,
        not its name); a missing, wrong or damaged file raises `InputError`."""
        source = f"profile file {str(path)!r}"
        fix = f"build one with `modelgate profile DATA -o {path}`"
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(MAGIC))
                if head == MAGIC:
                    fh.seek(0)
                    return cls._from_npz(fh, source)
                blob = head + fh.read()
        except FileNotFoundError:
            raise InputError(f"{source} not found; {fix}") from None
        except IsADirectoryError:
            raise InputError(f"{source} is a directory, not a profile; {fix}") from None
        except OSError as exc:
            raise InputError(f"{source} cannot be read ({exc.strerror or exc})") from None
        if not blob.strip():
            raise InputError(f"{source} is empty; {fix}")
        if blob.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] != b"{":
            raise InputError(f"{source} is neither a binary (.npz) nor a JSON profile (it "
                             f"starts with {blob[:8]!r}); {fix}")
        return cls._from_json(blob, source)

    @classmethod
    def _from_json(cls, blob: bytes, source: str) -> Profile:
        try:
            data = json.loads(blob.decode("utf-8-sig"))
        except RecursionError:
            raise InputError(f"{source} is not a valid profile: JSON nested too deeply; "
                             f"rebuild it with `modelgate profile`") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{source} is not a valid profile: {exc}") from None
        return cls.from_dict(data, source=source)

    @classmethod
    def _from_npz(cls, fh: IO[bytes], source: str) -> Profile:
        reader: NpzReader | None = None
        try:
            reader = NpzReader(fh, source)
            return cls.from_dict(reader.header(), source=source, arrays=reader)
        except InputError:
            raise
        except NPZ_ERRORS as exc:
            detail = " ".join(str(exc).split()) or type(exc).__name__
            problem = (f"{source} is a damaged binary profile ({type(exc).__name__}: {detail}); "
                       f"rebuild it with `modelgate profile DATA -o PROFILE.npz`")
        except MemoryError:
            problem = (f"{source}: out of memory while loading this binary profile (a damaged "
                       f"or crafted file asks for more than this machine has); rebuild it with "
                       f"`modelgate profile DATA -o PROFILE.npz`")
        finally:
            if reader is not None:
                reader.close()
        raise InputError(problem)  # outside the except: no chained traceback

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "<dict>",
                  arrays: NpzReader | None = None) -> Profile:
        """A profile from its document (`to_dict`); `arrays` resolves the .npz references of a
        binary file's header."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InputError(f"{source} is not a pytest-modelgate profile")
        version = data.get("version", 0)
        if type(version) is not int:
            raise InputError(f"{source}: profile version {version!r} is not a whole number; "
                             f"rebuild it with `modelgate profile`")
        if version > VERSION:
            raise InputError(f"{source}: profile version {data.get('version')} is newer than "
                             f"this pytest-modelgate understands ({VERSION}); upgrade")
        sketch = data.get("sketch", "grid")
        if sketch not in SKETCHES:
            raise InputError(f"{source}: unknown sketch {sketch!r} (known: {', '.join(SKETCHES)})")
        get = _JsonArrays() if arrays is None else arrays
        cols: dict[Hashable, ColumnSummary] = {}
        try:
            for d in data["columns"]:
                kind = d["kind"]
                common: dict[str, Any] = dict(
                    n=int(d["n"]), n_missing=int(d["n_missing"]), n_inf=int(d.get("n_inf", 0)),
                    n_values=int(d["n_values"]), dtype=str(d.get("dtype", "")))
                if kind == "numeric":
                    if isinstance(get, _JsonArrays):  # no inflating past what n_values needs
                        get.limit = 8 * max(common["n_values"], N_QUANTILES,
                                            int(data.get("n_quantiles", N_QUANTILES)))
                    s = ColumnSummary(
                        "numeric", mean=_fj(d.get("mean")), std=_fj(d.get("std")),
                        rank_error=float(d.get("rank_error", 0.0)),
                        values=get.array(d["values"], "<f8") if "values" in d else None,
                        quantiles=get.array(d["quantiles"], "<f8") if "quantiles" in d else None,
                        probs=get.array(d["probs"], "<f8") if "probs" in d else None, **common)
                    if "kll" in d:
                        s = _kll_summary(s, get.array(d["kll"], "|u1").tobytes())
                elif kind == "categorical":
                    s = ColumnSummary("categorical", categories=tuple(d["categories"]),
                                      counts=get.array(d["counts"], "<i8"), **common)
                elif kind == "datetime":
                    extra = {"range_ns": (int(d["min"]), int(d["max"]))} if "min" in d else {}
                    s = ColumnSummary("datetime", extra=extra, **common)
                else:
                    s = ColumnSummary(kind, **common)
                problem = _column_problem(s)
                if problem:
                    raise InputError(f"column {d['name']!r}: {problem} (a damaged or edited "
                                     f"profile); rebuild it with `modelgate profile`")
                cols[d["name"]] = s
            if int(data["n_rows"]) < 0:
                raise InputError(f"n_rows is {data['n_rows']} (a damaged or edited profile); "
                                 f"rebuild it with `modelgate profile`")
            return cls(cols, int(data["n_rows"]), bool(data.get("is_frame", True)),
                       int(data.get("exact_max", EXACT_MAX)),
                       int(data.get("n_quantiles", N_QUANTILES)), dict(data.get("meta", {})),
                       sketch, int(data.get("kll_k", KLL_K)),
                       {k: v for k, v in data.items() if k not in _KNOWN_KEYS},
                       schema=data.get("schema"))
        except InputError as exc:
            text = str(exc)  # the .npz reader's own errors already name the file
            raise InputError(text if text.startswith(source) else f"{source}: {text}") from None
        except (*NPZ_ERRORS, binascii.Error) as exc:
            raise InputError(f"{source}: corrupt profile ({type(exc).__name__}: {exc})") from None


def _column_problem(s: ColumnSummary) -> str | None:
    """What makes a loaded column summary inconsistent (it would give a wrong verdict or a
    traceback at detection), or None."""
    counts = (s.n, s.n_missing, s.n_inf, s.n_values)
    if min(counts) < 0:
        return f"negative counts (n {s.n}, n_missing {s.n_missing}, n_inf {s.n_inf}, " \
               f"n_values {s.n_values})"
    if s.n_missing + s.n_inf + s.n_values > s.n:
        return f"n_missing {s.n_missing} + n_inf {s.n_inf} + n_values {s.n_values} exceed " \
               f"n {s.n}"
    if s.values is not None:
        if s.values.size != s.n_values:
            return f"{s.values.size} values stored for n_values {s.n_values}"
        if not np.isfinite(s.values).all():
            return "non-finite numbers among the finite values"
    if s.quantiles is not None or s.probs is not None:
        q, p = s.quantiles, s.probs
        if q is None or p is None or q.size != p.size:
            return "quantiles and probs of different lengths"
        if not (np.isfinite(q).all() and np.isfinite(p).all()):
            return "non-finite quantiles or probs"
        if (np.diff(q) < 0).any() or (np.diff(p) < 0).any() or \
                (p.size and (p[0] < 0 or p[-1] > 1)):
            return "quantiles or probs not increasing in [0, 1]"
    if s.kind == "categorical":
        c = s.counts
        if c is None or c.size != len(s.categories):
            return f"{0 if c is None else c.size} counts for {len(s.categories)} categories"
        if (c < 0).any():
            return "negative category counts"
    return None


class _JsonArrays:
    """Arrays in a JSON document: float64 arrays zlib-compressed and base64-encoded, category
    counts as a list of ints, a KLL sketch as base64 (the layout of every JSON profile so far)."""

    def put(self, name: str, array: np.ndarray, dtype: str) -> Any:
        if dtype == "<f8":
            return _enc(array)
        if dtype == "<i8":
            return [int(c) for c in array]
        return base64.b64encode(np.ascontiguousarray(array, np.uint8).tobytes()).decode("ascii")

    #: the most bytes one float64 array may inflate to (set per column from its n_values)
    limit = MAX_MEMBER_BYTES

    def array(self, value: Any, dtype: str) -> np.ndarray:
        if dtype == "<f8":
            return _dec(value, min(self.limit, MAX_MEMBER_BYTES))
        if dtype == "<i8":
            return np.asarray(value, dtype=np.int64)
        if not isinstance(value, str):
            raise TypeError(f"expected base64 text, got {type(value).__name__}")
        return np.frombuffer(base64.b64decode(value, validate=True), dtype=np.uint8)


def _enc(a: np.ndarray) -> str:
    raw = np.ascontiguousarray(a, dtype="<f8").tobytes()
    return base64.b64encode(zlib.compress(raw, 6)).decode("ascii")


def _dec(s: str, limit: int = MAX_MEMBER_BYTES) -> np.ndarray:
    """A float64 array from its base64 zlib text, never inflated past `limit` bytes (a zlib
    bomb is refused, not allocated)."""
    inflate = zlib.decompressobj()
    raw = inflate.decompress(base64.b64decode(s), limit + 1)
    if len(raw) > limit or inflate.unconsumed_tail:
        raise ValueError(f"an array inflates to more than the {limit:,} bytes its column needs")
    out: np.ndarray = np.frombuffer(raw, dtype="<f8").copy()
    return out


def _jf(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _fj(x: Any) -> float:
    return math.nan if x is None else float(x)


def _cdf_at(s: ColumnSummary, x: np.ndarray) -> np.ndarray:
    if s.values is not None:
        out: np.ndarray = np.searchsorted(s.values, x, side="right") / max(s.values.size, 1)
        return out
    assert s.quantiles is not None
    assert s.probs is not None
    return np.asarray(np.interp(x, s.quantiles, s.probs, left=0.0, right=1.0))


def _cdf_left_at(s: ColumnSummary, x: np.ndarray) -> np.ndarray:
    """The left limit F(x-) of what `_cdf_at` reads: below a jump (an exact value, a repeated
    grid node) it is the CDF before the jump, elsewhere the CDF itself."""
    if s.values is not None:
        out: np.ndarray = np.searchsorted(s.values, x, side="left") / max(s.values.size, 1)
        return out
    assert s.quantiles is not None
    assert s.probs is not None
    q, p = s.quantiles, s.probs
    first = np.minimum(np.searchsorted(q, x, side="left"), q.size - 1)
    # the segment arriving at a node ends at its first copy's prob (0 at the first node)
    at_node = np.where(first == 0, 0.0, p[first])
    return np.where(q[first] == x, at_node, _cdf_at(s, x))


def _grid_of_mixture(pts: np.ndarray, left: np.ndarray, right: np.ndarray,
                     probs: np.ndarray) -> np.ndarray:
    """Quantiles inf{x : H(x) >= p} of the mixture CDF H given at its sorted distinct nodes
    `pts` from the left (H(v-)) and the right (H(v)); between nodes H is linear.

    Inverting H at its right values only would interpolate across every jump (a point mass
    of a discrete column, an exact value) and misstate H there by up to the jump's size.
    """
    xs = np.repeat(pts, 2)
    ys = np.empty(xs.size)
    ys[0::2], ys[1::2] = left, right
    ys[0], ys[-1] = 0.0, 1.0
    np.maximum.accumulate(ys, out=ys)  # monotone despite rounding in the weighted sums
    j = np.minimum(np.searchsorted(ys, probs, side="left"), ys.size - 1)
    i = np.maximum(j - 1, 0)
    x0, x1, y0, y1 = xs[i], xs[j], ys[i], ys[j]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(y1 > y0, (probs - y0) / (y1 - y0), 1.0)
    out: np.ndarray = np.clip(x0 * (1.0 - t) + x1 * t, x0, x1)
    out[j == 0] = xs[0]
    out[-1] = xs[-1]  # H reaches 1 at the largest value, whatever the sums' rounding
    return out


def _nodes(s: ColumnSummary) -> np.ndarray:
    if s.values is not None:
        return s.values
    assert s.quantiles is not None
    return s.quantiles


def _check_sketch(sketch: str, kll_k: int) -> None:
    if sketch not in SKETCHES:
        raise ConfigError(f"sketch must be one of {', '.join(map(repr, SKETCHES))}, "
                          f"got {sketch!r}")
    if isinstance(kll_k, bool) or not isinstance(kll_k, int) or \
            not _kll.K_MIN <= kll_k <= _kll.K_MAX:
        raise ConfigError(f"kll_k must be an int in [{_kll.K_MIN}, {_kll.K_MAX}], got {kll_k!r}")
    if sketch == "kll":
        _kll.require()  # fail now, naming the extra, rather than at the first large column


def profile(data: Any, *, categorical: Sequence[Hashable] | None = None,
            columns: Sequence[Hashable] | None = None, exact_max: int = EXACT_MAX,
            n_quantiles: int = N_QUANTILES, sketch: str = "grid",
            kll_k: int = KLL_K) -> Profile:
    """Summarise reference data (array or DataFrame) into a `Profile` for `detect`.

    Numeric columns with more than `exact_max` values become a quantile grid (`sketch="grid"`,
    deterministic) or an Apache DataSketches KLL sketch of size `kll_k` (`sketch="kll"`, needs
    the `kll` extra; randomized, merges without growing its error).
    """
    if not isinstance(exact_max, int) or exact_max < 0:
        raise ConfigError(f"exact_max must be an int >= 0, got {exact_max!r}")
    if not isinstance(n_quantiles, int) or n_quantiles < 3:
        raise ConfigError(f"n_quantiles must be an int >= 3, got {n_quantiles!r}")
    _check_sketch(sketch, kll_k)
    table = as_table(data, "data")
    if table.n_rows == 0:
        raise InputError("data has no rows: a profile needs reference rows")
    forced = set(categorical or ())
    cols: dict[Hashable, ColumnSummary] = {}
    for i in select_columns(table.names, columns):
        name = table.names[i]
        s = summarize(table.column(i), categorical=name in forced, name=name, argument="data")
        if s.kind == "datetime":
            s = _datetime_summary(table.column(i), s)
        cols[name] = _compact(s, exact_max, n_quantiles, sketch, kll_k)
    prof = Profile(cols, table.n_rows, table.is_frame, exact_max, n_quantiles, {}, sketch, kll_k)
    return replace(prof, schema=schema_section(prof))


def _datetime_summary(col: Any, s: ColumnSummary) -> ColumnSummary:
    """`s` with the column's range as UTC nanoseconds (time zones converted, NaT left out):
    what the schema's range check reads from a profile."""
    vals = column_values(col)[0]
    present = vals[vals != np.iinfo(np.int64).min]
    if not present.size:
        return s
    return replace(s, extra={"range_ns": (int(present.min()), int(present.max()))})


def _merge_numeric_many(parts: Sequence[ColumnSummary], out: ColumnSummary, exact_max: int,
                        n_quantiles: int, name: Hashable, sketch: str,
                        kll_k: int) -> ColumnSummary:
    """One n-ary merge step of numeric summaries whose counts and moments `out` already holds:
    exact values sort once; grids join through the mixture CDF with one grid step of error."""
    if all(s.values is not None for s in parts):
        vals = np.concatenate([s.values for s in parts if s.values is not None])
        vals.sort(kind="stable")
        return _compact(replace(out, values=vals), exact_max, n_quantiles, sketch, kll_k)
    if any(_is_kll(s) for s in parts):  # a grid among them: refused by _check_mergeable
        first = next(s for s in parts if _is_kll(s))
        blob = first.extra["kll"]
        for s in parts:
            if s is not first:
                blob = _kll.update(blob, s.values) if s.values is not None else \
                    _kll.merge(blob, s.extra["kll"])
        return _kll_summary(out, blob)
    live = [s for s in parts if s.n_values]
    if not live:
        return replace(out, quantiles=np.zeros(n_quantiles), probs=_grid(n_quantiles),
                       rank_error=max(s.rank_error for s in parts))
    pts = np.unique(np.concatenate([_nodes(s) for s in live]))
    right = sum(s.n_values * _cdf_at(s, pts) for s in live) / out.n_values
    left = sum(s.n_values * _cdf_left_at(s, pts) for s in live) / out.n_values
    probs = _grid(n_quantiles)
    q = _grid_of_mixture(pts, np.asarray(left), np.asarray(right), probs)
    # |mixture - truth| <= max part error; the new grid, read by np.interp with jumps at its
    # repeated nodes, is within one grid step of the mixture everywhere (both sides of a jump)
    err = max(s.rank_error for s in parts) + 1.0 / (n_quantiles - 1)
    return replace(out, quantiles=q, probs=probs, rank_error=err)


def _merge_column_many(parts: Sequence[ColumnSummary], exact_max: int, n_quantiles: int,
                       name: Hashable, sketch: str, kll_k: int) -> ColumnSummary:
    first = parts[0]
    n = sum(s.n for s in parts)
    nm = sum(s.n_missing for s in parts)
    nv = sum(s.n_values for s in parts)
    if first.kind == "categorical":
        from ._data import align_counts

        acc = first
        for s in parts[1:]:
            cats, r, q = align_counts(acc, s)
            acc = ColumnSummary("categorical", 0, categories=cats, counts=r + q)
        return ColumnSummary("categorical", n, nm, categories=acc.categories, counts=acc.counts,
                             n_values=nv, dtype=first.dtype)
    if first.kind == "datetime":
        ranges = [s.extra["range_ns"] for s in parts if "range_ns" in s.extra]
        extra = {"range_ns": (min(lo for lo, _ in ranges), max(hi for _, hi in ranges))} \
            if ranges else {}
        return ColumnSummary("datetime", n, nm, n_values=nv, dtype=first.dtype, extra=extra)
    if first.kind != "numeric":
        return ColumnSummary(first.kind, n, nm, dtype=first.dtype)
    mean = std = math.nan
    if nv:  # pooled mean and population standard deviation, exact
        moments = [(s.n_values, *s.moments()) for s in parts if s.n_values]
        mean = sum(k * m for k, m, _ in moments) / nv
        # products, not ** (which raises OverflowError): beyond the float range is inf
        var = sum(k * (sd * sd + (m - mean) * (m - mean)) for k, m, sd in moments) / nv
        std = math.sqrt(max(var, 0.0))
    out = ColumnSummary("numeric", n, nm, sum(s.n_inf for s in parts), n_values=nv, mean=mean,
                        std=std, dtype=first.dtype)
    return _merge_numeric_many(parts, out, exact_max, n_quantiles, name, sketch, kll_k)


def _check_mergeable(head: Profile, part: object) -> None:
    """Refuse, with one message per problem, a `part` that cannot merge with `head` (the first
    profile): what `Profile.merge`, `merge_profiles` and the Dask/Spark tree merges all check."""
    if not isinstance(part, Profile):
        raise InputError(f"merge: got a {type(part).__name__}, not a Profile; pass profiles "
                         f"built by profile() or read by Profile.load(path)")
    a, b = list(head.columns), list(part.columns)
    if a != b:
        missing = [c for c in a if c not in b]
        added = [c for c in b if c not in a]
        what = "; ".join(f"{label} {', '.join(map(repr, cols[:10]))}" for label, cols in
                         (("without", missing), ("with extra", added)) if cols) or \
            f"the same columns in another order ({a[:10]} vs {b[:10]})"
        raise InputError(f"merge: profiles have different columns (one is {what}); build every "
                         f"part from the same columns, in the same order (columns=[...])")
    if part.sketch != head.sketch:
        raise InputError(f"merge: one profile was built with sketch={head.sketch!r}, another "
                         f"with sketch={part.sketch!r}; a KLL sketch and a quantile grid do not "
                         f"merge with a stated error, so build every partition with the same "
                         f"sketch=")
    for name, s in head.columns.items():
        t = part.columns[name]
        if s.kind != t.kind:
            raise InputError(f"merge: column {name!r} is {s.kind} in one profile and {t.kind} "
                             f"in another; a column must have one kind in every partition "
                             f"(list it in categorical=[...] to force categories)")
        if (_is_kll(s) and _is_grid(t)) or (_is_grid(s) and _is_kll(t)):
            raise InputError(f"merge: column {name!r} is a KLL sketch in one profile and a "
                             f"quantile grid in another; build every partition with the same "
                             f"sketch=")


def _merge_step(parts: Sequence[Profile]) -> Profile:
    """Merge profiles of the same columns, built from disjoint rows, in one n-ary step."""
    if not parts:
        raise InputError("merge: no profiles to merge")
    head = parts[0]
    for p in parts:
        _check_mergeable(head, p)
    if len(parts) == 1:
        return head
    k = min(p.kll_k for p in parts)
    cols = {n: _merge_column_many([p.columns[n] for p in parts], head.exact_max,
                                  head.n_quantiles, n, head.sketch, k) for n in head.columns}
    extra: dict[str, Any] = {}
    for p in reversed(parts):
        extra.update(p.extra)
    return Profile(cols, sum(p.n_rows for p in parts), head.is_frame, head.exact_max,
                   head.n_quantiles, dict(head.meta), head.sketch, k, extra)


class ProfileMerger:
    """Streaming tree merge: partial profiles go in one by one, `fanin` of a level merge into one
    of the next, so memory stays O(fanin * levels) and a grid's rank error grows by one step per
    level (log_fanin of the number of parts), not per part."""

    def __init__(self, fanin: int = MERGE_FANIN) -> None:
        if isinstance(fanin, bool) or not isinstance(fanin, int) or fanin < 2:
            raise ConfigError(f"fanin must be an int >= 2, got {fanin!r}")
        self.fanin = fanin
        self._levels: list[list[Profile]] = []

    def add(self, part: Profile | None) -> None:
        """Add one partial profile (None, for an empty partition, is ignored)."""
        level = 0
        while part is not None:
            if level == len(self._levels):
                self._levels.append([])
            bucket = self._levels[level]
            bucket.append(part)
            part = None
            if len(bucket) == self.fanin:
                part = _merge_step(bucket)
                bucket.clear()
                level += 1

    def result(self) -> Profile:
        """The merge of everything added; `InputError` when nothing (or only empty parts) was."""
        rest = [p for bucket in self._levels for p in bucket]
        if not rest:
            raise InputError("no rows to profile")
        while len(rest) > self.fanin:
            rest = [_merge_step(rest[i:i + self.fanin]) for i in range(0, len(rest), self.fanin)]
        return _merge_step(rest)


def merge_profiles(parts: Iterable[Profile | None], *, fanin: int = MERGE_FANIN) -> Profile:
    """Merge partial profiles of disjoint rows (e.g. one per partition) through an n-ary tree.

    Counts, category counts, missing/inf counts, exact values and moments come out as profiling
    all rows at once would give them; a quantile grid states its rank error, one grid step per
    tree level; KLL sketches merge natively. None entries (empty partitions) are skipped.
    The result carries the schema inferred from the merged summaries (`_schema.py`).
    """
    merger = ProfileMerger(fanin)
    for p in parts:
        merger.add(p)
    merged = merger.result()
    return replace(merged, schema=schema_section(merged))


def _merge_all(parts: Iterable[Profile]) -> Profile:
    return merge_profiles(parts)


def check_output_path(path: str | os.PathLike[str], arg: str = "output_path") -> Path:
    """Refuse, before any work, an output path that cannot be written (a directory, a path
    under a file, a read-only directory)."""
    target = Path(path)
    reason = None
    if target.is_dir():
        reason = "it is a directory"
    else:
        probe = target.parent
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir():
            reason = f"{str(probe)!r} is a file, not a directory"
        elif not os.access(probe, os.W_OK):
            reason = f"directory {str(probe)!r} is not writable"
    if reason:
        raise InputError(f"{arg} {str(path)!r}: cannot write the profile ({reason}); choose a "
                         "writable file path")
    return target


def _first_bad_utf8(path: Path) -> str:
    """Where a file stops being UTF-8, as "line L, byte B" (1-based line, 0-based byte)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines = 0, 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pos = max(exc.start - len(decoder.getstate()[0]), 0)
                line = lines + chunk[:pos].count(b"\n")
                return f"line {line}, byte {offset + pos}"
            offset += len(chunk)
            lines += chunk.count(b"\n")
    return "somewhere"


def _dataset_parts(path: Path, categorical: list[Hashable], chunksize: int, sketch: str,
                   kll_k: int) -> Iterable[Profile]:
    """Profiles of `chunksize`-row slices of a Parquet dataset directory, read with
    `pyarrow.dataset` batch by batch (small files and row groups are gathered into one slice)."""
    try:
        import pyarrow as pa
        import pyarrow.dataset as pads
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("reading a Parquet directory needs pyarrow: pip install "
                         "'pytest-modelgate[pandas]'") from None
    dataset = pads.dataset(path, format="parquet", partitioning="hive",
                           exclude_invalid_files=False)
    if not dataset.files:
        raise InputError("the directory holds no Parquet files (*.parquet)")
    buffer: list[Any] = []
    rows = 0
    for batch in dataset.to_batches(batch_size=chunksize):
        if batch.num_rows:
            buffer.append(batch)
            rows += batch.num_rows
        if rows >= chunksize:
            yield profile(pa.Table.from_batches(buffer).to_pandas(), categorical=categorical,
                          sketch=sketch, kll_k=kll_k)
            buffer, rows = [], 0
    if buffer:
        yield profile(pa.Table.from_batches(buffer).to_pandas(), categorical=categorical,
                      sketch=sketch, kll_k=kll_k)


def profile_file(input_path: str | os.PathLike[str], output_path: str | os.PathLike[str],
                 *, categorical: Sequence[Hashable] | None = None,
                 chunksize: int = 1_000_000, sketch: str = "grid",
                 kll_k: int = KLL_K) -> Profile:
    """Profile a CSV or Parquet file, or a directory of Parquet files (a partitioned dataset),
    chunk by chunk (profiles merge through an n-ary tree) and save it atomically.

    An unreadable file (empty, ragged, not UTF-8, a truncated Parquet) or an unwritable output
    is an `InputError` naming the file; nothing is written then.
    """
    _check_sketch(sketch, kll_k)
    path = Path(input_path)
    if not path.exists():
        raise InputError(f"data file {str(path)!r} not found")
    check_output_path(output_path)
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - depends on the environment
        raise InputError("profiling a file needs pandas: pip install 'pytest-modelgate[pandas]'"
                         ) from None
    suffix = "".join(path.suffixes[-2:]).lower()
    cat = list(categorical or [])
    here = f"data file {str(path)!r}"
    if path.is_dir():  # a partitioned Parquet dataset (hive-style key=value directories too)
        parts: Iterable[Profile] = _dataset_parts(path, cat, chunksize, sketch, kll_k)
        what = "a Parquet dataset"
    elif suffix.endswith((".parquet", ".pq")):
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - depends on the environment
            raise InputError("reading Parquet needs pyarrow: pip install pyarrow") from None

        def parquet_parts() -> Iterable[Profile]:
            pf = pq.ParquetFile(path)
            for b in pf.iter_batches(batch_size=chunksize):
                yield profile(b.to_pandas(), categorical=cat, sketch=sketch, kll_k=kll_k)

        parts = parquet_parts()
        what = "Parquet"
    elif suffix.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        sep = "\t" if ".tsv" in suffix else ","

        def csv_parts() -> Iterable[Profile]:
            reader = pd.read_csv(path, sep=sep, chunksize=chunksize,
                                 dtype={c: "category" for c in cat} or None)
            for chunk in reader:
                yield profile(chunk, categorical=cat, sketch=sketch, kll_k=kll_k)

        parts = csv_parts()
        what = "TSV" if sep == "\t" else "CSV"
    else:
        raise InputError(f"{str(path)!r}: unknown format {suffix or '(none)'}; use .csv, .tsv "
                         f"or .parquet")
    problem: str | None = None
    try:
        prof = _merge_all(parts)
    except InputError as exc:
        problem = f"{here}: {exc}"
    except pd.errors.EmptyDataError:
        problem = f"{here} is empty (no header row); write the column names on the first line"
    except UnicodeDecodeError:
        where = "" if suffix.endswith(".gz") else f" ({_first_bad_utf8(path)})"
        problem = f"{here} is not UTF-8 text{where}; save it as UTF-8"
    except (ValueError, OSError) as exc:  # pandas ParserError, pyarrow ArrowInvalid/IOError
        detail = " ".join(str(exc).split()) or type(exc).__name__
        problem = f"{here} cannot be read as {what}: {detail}"
    if problem is not None:
        raise InputError(problem)  # outside the except: no chained traceback
    prof = replace(prof, meta={**prof.meta, "source": path.name}, schema=schema_section(prof))
    try:
        prof.save(output_path)
    except OSError as exc:
        problem = (f"output_path {str(output_path)!r}: cannot write the profile "
                   f"({exc.strerror or exc}); choose a writable file path")
    if problem is not None:
        raise InputError(problem)
    return prof
