"""Data integrity and leakage between a training set and a test (or current) set.

Rows are compared through 64-bit row hashes built column by column in O(rows x columns) (no
sorting of the data, one sort of the train hashes): exact duplicates across the splits (matches
verified value by value, NaN equal to NaN as in pandas `duplicated`), near-duplicates (numbers
rounded to `near_digits` significant digits, text NFKC-normalised, case-folded and
whitespace-collapsed before hashing), and conflicting labels (identical feature rows with
different labels, within train and between test and train). `leakage` scores every feature
alone as a predictor of the label, out of fold. `check_schema` compares current data with a
`Schema` (`_schema.py`): missing/extra columns, dtype families, null rates, ranges, categories.
Never imports pytest.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pytest_modelgate.exceptions import InputError

from ._data import Table, _plain_category, as_table
from ._schema import Schema, column_values, compatible, dtype_family, factorize, is_missing

__all__ = [
    "N_EXAMPLES", "ColumnCheck", "Conflicts", "Duplicates", "Leakage", "Pair", "Repeats",
    "SchemaReport", "check_schema", "leakage", "repeats", "wilson",
]

#: offending row positions kept as examples
N_EXAMPLES = 5
_U = np.uint64
_MISSING_KEY = _U(0x9E3779B97F4A7C15)
_GOLD = _U(0x9E3779B97F4A7C15)
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_P = _U(0x100000001B3)


def _splitmix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, in place on a uint64 array (a good avalanche for structured keys)."""
    with np.errstate(over="ignore"):
        x ^= x >> _U(30)
        x *= _M1
        x ^= x >> _U(27)
        x *= _M2
        x ^= x >> _U(31)
    return x


def wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval of a proportion k/n (two-sided, at `confidence`)."""
    from scipy.stats import norm

    if n == 0:
        return 0.0, 1.0
    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def _examples(mask_or_pos: np.ndarray) -> tuple[int, ...]:
    pos = np.flatnonzero(mask_or_pos) if mask_or_pos.dtype == bool else mask_or_pos
    return tuple(int(i) for i in pos[:N_EXAMPLES])


# -- one column on both sides, in one representation --------------------------------------------


def _normalise_text(v: Any) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(v)).casefold().split())


def _round_sig(x: np.ndarray, digits: int) -> np.ndarray:
    """`x` rounded to `digits` significant decimal digits (0, inf and NaN unchanged)."""
    out = x.copy()
    ok = np.isfinite(x) & (x != 0)
    v = x[ok]
    exp = np.floor(np.log10(np.abs(v)))
    scale = np.power(10.0, digits - 1 - exp)
    out[ok] = np.round(v * scale) / scale
    result: np.ndarray = out
    return result


@dataclass
class _Column:
    """One feature column of both sides as hashable keys: float64, int64 or object values."""

    name: Hashable
    train: np.ndarray
    test: np.ndarray
    rep: str  # "float", "int", "object"

    def keys(self, side: str, near: int | None) -> np.ndarray:
        """uint64 keys of one side; equal values (NaN with NaN) give equal keys."""
        x = self.train if side == "train" else self.test
        if self.rep == "int":
            ki: np.ndarray = x.astype(np.int64, copy=False).view(_U).copy()
            return ki
        if self.rep == "float":
            v = _round_sig(x, near) if near is not None else x
            v = v + 0.0  # -0.0 -> 0.0
            k: np.ndarray = v.view(_U)
            nan = np.isnan(v)
            if nan.any():
                k[nan] = _MISSING_KEY
            return k
        return _object_keys(x, near is not None, self.name)

    def equal(self, i_train: np.ndarray, i_test: np.ndarray) -> np.ndarray:
        """Value-by-value equality of train rows `i_train` with test rows `i_test` (NaN == NaN)."""
        a, b = self.train[i_train], self.test[i_test]
        if self.rep == "int":
            return np.asarray(a == b)
        if self.rep == "float":
            return np.asarray((a == b) | (np.isnan(a) & np.isnan(b)))
        ma, mb = is_missing(a), is_missing(b)
        eq = np.array([x == y if not (p or q) else False
                       for x, y, p, q in zip(a, b, ma, mb, strict=True)], dtype=bool)
        res: np.ndarray = eq | (ma & mb)
        return res


def _object_keys(x: np.ndarray, near: bool, name: Hashable = None) -> np.ndarray:
    """Keys of object values: each distinct value hashed once (pandas factorize when present)."""
    codes, uniq = factorize(x, name)
    texts = [_normalise_text(u) if near else _exact_text(u) for u in uniq]
    table = _hash_texts(texts)
    out = np.full(codes.shape[0], _MISSING_KEY, dtype=_U)
    valid = codes >= 0
    out[valid] = table[codes[valid]]
    return out


def _exact_text(u: Any) -> str:
    """A value's identity as text: numbers by their float value (1 == 1.0, as pandas compares),
    everything else by type and repr (so 1 and '1' stay apart)."""
    if isinstance(u, (bool, np.bool_)):
        return f"n\x00{float(u)!r}"
    if isinstance(u, (int, float, np.integer, np.floating)):
        return f"n\x00{float(u)!r}"
    if isinstance(u, str):
        return f"s\x00{u}"
    return f"{type(u).__name__}\x00{u!r}"


def _hash_texts(texts: list[str]) -> np.ndarray:
    """Stable 64-bit hashes of strings (blake2b: same across processes, unlike `hash`)."""
    import hashlib

    return np.array([int.from_bytes(hashlib.blake2b(t.encode("utf-8", "surrogatepass"),
                                                    digest_size=8).digest(), "little")
                     for t in texts], dtype=_U)


def _side_values(col: Any) -> tuple[np.ndarray, str]:
    """(values, representation) of one raw column: int64, float64 or object."""
    vals, _, kind = column_values(col)
    if kind == "datetime":
        return vals.astype(np.int64), "int"
    if kind == "numeric":
        raw_kind = getattr(getattr(col, "dtype", None), "kind", "")
        if raw_kind in "iub" and raw_kind and not np.isnan(vals).any():
            return np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col
                              ).astype(np.int64), "int"
        return vals, "float"
    return vals, "object"


def _pair_column(name: Hashable, a: Any, b: Any) -> _Column:
    va, ra = _side_values(a)
    vb, rb = _side_values(b)
    if ra == rb:
        return _Column(name, va, vb, ra)
    if {ra, rb} == {"int", "float"}:
        return _Column(name, va.astype(np.float64), vb.astype(np.float64), "float")
    oa = va if ra == "object" else va.astype(object)
    ob = vb if rb == "object" else vb.astype(object)
    return _Column(name, oa, ob, "object")


def _label_column(y: Any, argument: str) -> np.ndarray:
    if hasattr(y, "iloc") and hasattr(y, "columns"):
        raise InputError(f"{argument} is a DataFrame; pass one label column (a Series or 1-D array)")
    arr = np.asarray(y) if not hasattr(y, "to_numpy") else y
    if getattr(arr, "ndim", 1) != 1:
        raise InputError(f"{argument} has shape {np.shape(arr)}; pass a 1-D array of labels")
    return arr


# -- the two splits, prepared once ---------------------------------------------------------------


@dataclass
class Pair:
    """Train and test feature columns (common to both), the labels, and cached row hashes.

    `target` names a label column of both (or just train) frames; `y_train`/`y_test` pass the
    labels as arrays instead. `columns` restricts the features (default: all shared columns
    except the target).
    """

    train: Table
    test: Table
    columns: list[_Column]
    y: _Column | None
    y_train_only: np.ndarray | None
    feature_names: list[Hashable]
    missing_in_test: list[Hashable] = field(default_factory=list)
    _hash: dict[tuple[str, int | None], np.ndarray] = field(default_factory=dict)
    _order: np.ndarray | None = None
    _repeats: dict[int | None, Repeats] = field(default_factory=dict)

    @classmethod
    def build(cls, train: Any, test: Any, *, target: Any = None, y_train: Any = None,
              y_test: Any = None, columns: Sequence[Hashable] | None = None) -> Pair:
        tr, te = as_table(train, "train"), as_table(test, "test")
        if tr.n_rows == 0:
            raise InputError("train has no rows; pass the training data")
        if te.n_rows == 0:
            raise InputError("test has no rows; pass the test (or current) data")
        if target is not None and (y_train is not None or y_test is not None):
            raise InputError("pass the labels either as target= (a column name) or as "
                             "y_train=/y_test= arrays, not both")
        tpos = {n: i for i, n in enumerate(tr.names)}
        epos = {n: i for i, n in enumerate(te.names)}
        ytr = yte = None
        if target is not None:
            if target not in tpos:
                shown = ", ".join(repr(n) for n in tr.names[:20])
                raise InputError(f"target {target!r} is not a column of train (columns: {shown}); "
                                 f"pass the label column's name, or y_train=/y_test= arrays")
            ytr = tr.column(tpos[target])
            yte = te.column(epos[target]) if target in epos else None
        else:
            ytr = None if y_train is None else _label_column(y_train, "y_train")
            yte = None if y_test is None else _label_column(y_test, "y_test")
        if ytr is not None and len(ytr) != tr.n_rows:
            raise InputError(f"y_train has {len(ytr)} labels but train has {tr.n_rows} rows; "
                             f"pass one label per row")
        if yte is not None and len(yte) != te.n_rows:
            raise InputError(f"y_test has {len(yte)} labels but test has {te.n_rows} rows; "
                             f"pass one label per row")
        if columns is not None:
            cols: list[Hashable] = [columns] if isinstance(columns, (str, int)) else \
                list(columns)
            for c in cols:
                if c not in tpos or c not in epos:
                    side = "train" if c not in tpos else "test"
                    raise InputError(f"columns: {c!r} is not a column of {side}")
        else:
            cols = [n for n in tr.names if n in epos and n != target]
        if not cols:
            raise InputError("train and test share no feature column; pass data with the same "
                             "columns (or name them with columns=[...])")
        missing = [n for n in tr.names if n not in epos and n != target]
        pairs = [_pair_column(n, tr.column(tpos[n]), te.column(epos[n])) for n in cols]
        y = None
        y_only = None
        if ytr is not None and yte is not None:
            y = _pair_column("target", ytr, yte)
        elif ytr is not None:
            y_only = np.asarray(ytr.to_numpy() if hasattr(ytr, "to_numpy") else ytr)
            y = _pair_column("target", ytr, ytr.iloc[:0] if hasattr(ytr, "iloc") else ytr[:0])
        return cls(tr, te, pairs, y, y_only, list(cols), missing)

    @property
    def has_labels(self) -> bool:
        return self.y is not None

    @property
    def has_test_labels(self) -> bool:
        return self.y is not None and self.y_train_only is None

    def hashes(self, side: str, near: int | None = None) -> np.ndarray:
        """uint64 hash of every row's feature values (rounded with `near` digits if given)."""
        key = (side, near)
        if key not in self._hash:
            n = self.train.n_rows if side == "train" else self.test.n_rows
            h = np.zeros(n, dtype=_U)
            with np.errstate(over="ignore"):
                for j, c in enumerate(self.columns):
                    k = c.keys(side, near)
                    k += _GOLD * _U(j + 1)
                    h ^= _splitmix(k)
                    h *= _P
                    h = _splitmix(h)
            self._hash[key] = h
        return self._hash[key]

    def label_keys(self, side: str) -> np.ndarray:
        assert self.y is not None
        return self.y.keys(side, None)

    def _train_order(self) -> np.ndarray:
        if self._order is None:
            self._order = np.argsort(self.hashes("train"), kind="stable")
        return self._order

    def match(self, near: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(test positions, first matching train position) for test rows whose hash is in train."""
        ht = self.hashes("train", near)
        order = self._train_order() if near is None else np.argsort(ht, kind="stable")
        sorted_h = ht[order]
        he = self.hashes("test", near)
        pos = np.searchsorted(sorted_h, he)
        pos_c = np.minimum(pos, sorted_h.size - 1)
        hit = sorted_h[pos_c] == he
        test_rows = np.flatnonzero(hit)
        return test_rows, order[pos_c[hit]]

    def verify(self, test_rows: np.ndarray, train_rows: np.ndarray) -> np.ndarray:
        """Mask of candidate pairs whose feature values are truly equal (hash collisions out)."""
        ok = np.ones(test_rows.size, dtype=bool)
        for c in self.columns:
            if not ok.any():
                break
            idx = np.flatnonzero(ok)
            ok[idx] = c.equal(train_rows[idx], test_rows[idx])
        return ok


# -- duplicates -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Duplicates:
    """Test rows that repeat a train row: `test_rows` (sorted positions), `train_rows` (one match
    each). For near-duplicates, exact duplicates are left out (`n_exact` counts them)."""

    test_rows: np.ndarray
    train_rows: np.ndarray
    n_test: int
    n_train: int
    near_digits: int | None = None
    n_exact: int = 0

    @property
    def count(self) -> int:
        return int(self.test_rows.size)

    @property
    def share(self) -> float:
        return self.count / self.n_test if self.n_test else 0.0

    @property
    def examples(self) -> tuple[int, ...]:
        return _examples(self.test_rows)


def duplicates(pair: Pair) -> Duplicates:
    """Test rows equal to some train row in every feature column (NaN equals NaN)."""
    t, r = pair.match(None)
    ok = pair.verify(t, r)
    return Duplicates(t[ok], r[ok], pair.test.n_rows, pair.train.n_rows)


def near_duplicates(pair: Pair, digits: int, exact: Duplicates | None = None) -> Duplicates:
    """Test rows that equal a train row after rounding numbers to `digits` significant digits
    and normalising text (NFKC, case-folded, whitespace collapsed), exact duplicates left out."""
    exact = exact if exact is not None else duplicates(pair)
    t, r = pair.match(digits)
    keep = ~np.isin(t, exact.test_rows)
    return Duplicates(t[keep], r[keep], pair.test.n_rows, pair.train.n_rows, digits,
                      exact.count)


@dataclass(frozen=True)
class Repeats:
    """How train's feature rows repeat within train: `share` of train rows equal to another
    train row (pandas `duplicated(keep=False)`), `distinct` feature rows, of `n` rows.

    `share` is the Good-Turing estimate (1 - singletons / n) of the probability that one more
    row of the same distribution equals a train row: the duplicate rate a random split gives.
    """

    share: float
    distinct: int
    n: int


def repeats(pair: Pair, near: int | None = None) -> Repeats:
    """Within-train repetition of the feature rows (rounded with `near` digits if given)."""
    if near in pair._repeats:
        return pair._repeats[near]
    h = pair.hashes("train", near)
    h = h[pair._train_order()] if near is None else np.sort(h)  # the exact order is cached
    n = int(h.size)
    start = np.flatnonzero(np.r_[True, h[1:] != h[:-1]]) if n else np.zeros(0, dtype=np.int64)
    counts = np.diff(np.r_[start, n])
    rep = int(counts[counts > 1].sum())
    out = Repeats(rep / n if n else 0.0, int(counts.size), n)
    pair._repeats[near] = out
    return out


# -- conflicting labels ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflicts:
    """Rows whose feature values repeat with a different label.

    `train_rows`: train rows in a group of identical train feature rows holding more than one
    label (`n_groups` such groups). `test_rows`: test rows whose feature row appears in train
    with a different label (None without test labels).
    """

    train_rows: np.ndarray
    n_groups: int
    n_train: int
    test_rows: np.ndarray | None
    n_test: int


def conflicts(pair: Pair) -> Conflicts:
    """Identical feature rows with different labels, within train and from test to train."""
    if pair.y is None:
        raise InputError("label conflicts need labels; pass target= or y_train=")
    order = pair._train_order()
    h = pair.hashes("train")[order]
    lab = pair.label_keys("train")[order]
    n = h.size
    start = np.ones(n, dtype=bool)
    start[1:] = h[1:] != h[:-1]
    starts = np.flatnonzero(start)
    gid = np.cumsum(start) - 1
    lo = np.minimum.reduceat(lab, starts)
    hi = np.maximum.reduceat(lab, starts)
    bad_group = lo != hi
    rows = np.sort(order[bad_group[gid]])
    test_rows = None
    if pair.has_test_labels:
        he = pair.hashes("test")
        pos = np.searchsorted(h, he)
        pos_c = np.minimum(pos, n - 1)
        hit = h[pos_c] == he
        g = gid[pos_c]
        yt = pair.label_keys("test")
        differs = hit & ((lo[g] != yt) | (hi[g] != yt))
        test_rows = np.flatnonzero(differs)
    return Conflicts(rows, int(np.count_nonzero(bad_group)), pair.train.n_rows, test_rows,
                     pair.test.n_rows)


# -- target leakage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leakage:
    """Out-of-fold score of each feature alone predicting the label, in feature order.

    `metric` is "balanced_accuracy" (classification) or "r2" (regression); `n` the rows used.
    """

    scores: dict[Hashable, float]
    metric: str
    task: str
    n: int
    folds: int
    skipped: dict[Hashable, str]
    reason: str = ""  # why nothing could be scored (too few rows, one label value)

    def worst(self) -> tuple[Hashable | None, float]:
        if not self.scores:
            return None, math.nan
        name = max(self.scores, key=lambda k: self.scores[k])
        return name, self.scores[name]


def _task(y: np.ndarray) -> str:
    from sklearn.utils.multiclass import type_of_target

    try:
        t = type_of_target(y)
    except ValueError as exc:
        raise InputError(f"labels: {exc}") from None
    if t in ("binary", "multiclass"):
        return "classification"
    if t in ("continuous",):
        return "regression"
    raise InputError(f"labels look {t}; leakage needs one class label or one number per row")


def leakage(pair: Pair, *, seed: int = 0, folds: int = 3, max_rows: int = 20_000) -> Leakage:
    """Score every feature alone as a predictor of the train label, out of fold.

    The one-feature rule is nearest-neighbour on that feature: a held-out row gets the label of
    the nearest value seen in the other folds (the majority label, or the mean for regression,
    of the rows holding that value); text and other non-numeric values must match exactly
    (unseen ones and missing values get the majority / mean of the missing or all rows).
    Score: balanced accuracy (classification) or R² (regression) of the out-of-fold predictions.
    A feature that determines the label scores ~1; an unrelated one scores chance (0.5 for two
    balanced classes, R² <= 0). At most `max_rows` train rows, drawn with `seed`.
    """
    from sklearn.metrics import balanced_accuracy_score, r2_score
    from sklearn.model_selection import KFold, StratifiedKFold

    if pair.y is None:
        raise InputError("leakage needs labels; pass target= or y_train=")
    y_raw = pair.y.train
    miss = is_missing(np.asarray(y_raw, dtype=object)) if pair.y.rep == "object" else (
        np.isnan(y_raw) if pair.y.rep == "float" else np.zeros(y_raw.shape[0], dtype=bool))
    rows = np.flatnonzero(~miss)
    rng = np.random.default_rng(seed)
    if rows.size > max_rows:
        rows = np.sort(rng.choice(rows, size=max_rows, replace=False))
    y = y_raw[rows]
    if pair.y.rep == "object":
        y = np.array([str(v) for v in y], dtype=object)
    task = _task(y) if rows.size else "classification"
    metric = "balanced_accuracy" if task == "classification" else "r2"
    why = ""
    if rows.size < 2 * folds:
        why = f"{rows.size} labelled train rows; {folds}-fold scoring needs at least {2 * folds}"
    elif np.unique(y).size < 2:
        why = f"the train label has a single value ({y[0]!r}): nothing to predict"
    if why:
        return Leakage({}, metric, task, int(rows.size), folds, {}, why)
    if task == "classification":
        _, y = np.unique(y.astype(str) if y.dtype == object else y, return_inverse=True)
        counts = np.bincount(y)
        strat = counts.size > 1 and counts.min() >= folds
        splitter: Any = (StratifiedKFold(folds, shuffle=True, random_state=seed) if strat
                         else KFold(folds, shuffle=True, random_state=seed))
    else:
        y = y.astype(np.float64)
        splitter = KFold(folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(rows.size), y))
    scores: dict[Hashable, float] = {}
    skipped: dict[Hashable, str] = {}
    for c in pair.columns:
        numeric = c.rep in ("float", "int")
        x = c.train[rows].astype(np.float64) if numeric else \
            c.keys("train", None)[rows].view(np.int64)
        if numeric and np.all(np.isnan(x)):
            skipped[c.name] = "all values missing"
            continue
        oof: np.ndarray = np.zeros(rows.size, dtype=np.int64 if task == "classification"
                                   else np.float64)
        for fit, held in splits:
            oof[held] = _nearest(x[fit], y[fit], x[held], task, numeric)
        if task == "classification":
            scores[c.name] = float(balanced_accuracy_score(y, oof))
        else:
            scores[c.name] = float(r2_score(y, oof))
    return Leakage(scores, "balanced_accuracy" if task == "classification" else "r2", task,
                   int(rows.size), folds, skipped)


def _nearest(x: np.ndarray, y: np.ndarray, query: np.ndarray, task: str,
             numeric: bool) -> np.ndarray:
    """Per-value majority label (or mean) learnt on (x, y), applied to the nearest value of each
    query (numbers), or to the equal value (`numeric=False`); NaN is a value of its own."""
    if not numeric:
        return _lookup(x, y, query, task)
    nan_x, nan_q = np.isnan(x), np.isnan(query)
    out = _lookup(np.where(nan_x, 0, 1), y, np.where(nan_q, 0, 1), task)  # NaN rows' label
    if (~nan_x).any() and (~nan_q).any():
        xs, ys, q = x[~nan_x], y[~nan_x], query[~nan_q]
        uk, inv = np.unique(xs, return_inverse=True)
        best = _per_value(inv, ys, uk.size, task)
        pos = np.searchsorted(uk, q)
        left = np.clip(pos - 1, 0, uk.size - 1)
        right = np.clip(pos, 0, uk.size - 1)
        with np.errstate(invalid="ignore"):
            take_left = np.abs(q - uk[left]) <= np.abs(uk[right] - q)
        out[~nan_q] = best[np.where(take_left, left, right)]
    return out


def _per_value(inv: np.ndarray, y: np.ndarray, n_values: int, task: str) -> np.ndarray:
    """Majority label (smallest on ties) or mean label of each value index."""
    if task == "classification":
        k = int(y.max()) + 1
        table = np.bincount(inv * k + y, minlength=n_values * k).reshape(n_values, k)
        out: np.ndarray = table.argmax(axis=1)
        return out
    mean: np.ndarray = np.bincount(inv, weights=y, minlength=n_values) / np.bincount(
        inv, minlength=n_values)
    return mean


def _lookup(keys: np.ndarray, y: np.ndarray, query: np.ndarray, task: str) -> np.ndarray:
    """Per-value majority label (or mean) learnt on (keys, y), applied to `query`."""
    uk, inv = np.unique(keys, return_inverse=True)
    if task == "classification":
        k = int(y.max()) + 1
        table = np.bincount(inv * k + y, minlength=uk.size * k).reshape(uk.size, k)
        best = table.argmax(axis=1)
        default: Any = int(np.bincount(y).argmax())
    else:
        best = np.bincount(inv, weights=y, minlength=uk.size) / np.bincount(inv, minlength=uk.size)
        default = float(y.mean())
    pos = np.searchsorted(uk, query)
    pos_c = np.minimum(pos, uk.size - 1)
    seen = uk[pos_c] == query
    out = np.full(query.size, default, dtype=best.dtype)
    out[seen] = best[pos_c[seen]]
    return out


# -- schema ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnCheck:
    """One column of current data against its schema entry.

    `n_missing` / `n`: null count; `out_of_range`: positions outside [low, high];
    `new_categories`: positions holding values outside the domain, `unseen` those values.
    """

    name: Hashable
    n: int
    n_missing: int
    missing_rows: tuple[int, ...]
    dtype: str
    family: str
    out_of_range: np.ndarray | None = None
    new_categories: np.ndarray | None = None
    unseen: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SchemaReport:
    """Current data against a `Schema`: per-column checks, and the columns that do not line up."""

    schema: Schema
    checks: dict[Hashable, ColumnCheck]
    missing_columns: list[Hashable]
    extra_columns: list[Hashable]
    dtype_mismatches: dict[Hashable, tuple[str, str]]
    n: int


def check_schema(schema: Schema, current: Any, *, skip: Sequence[Hashable] = ()) -> SchemaReport:
    """Compare `current` with `schema`, column by column, in O(rows x columns)."""
    table = as_table(current, "test")
    pos = {n: i for i, n in enumerate(table.names)}
    skipped = set(skip)
    missing = [n for n in schema.columns if n not in pos and n not in skipped]
    extra = [n for n in table.names if n not in schema.columns and n not in skipped]
    checks: dict[Hashable, ColumnCheck] = {}
    mism: dict[Hashable, tuple[str, str]] = {}
    for name, cs in schema.columns.items():
        if name not in pos or name in skipped:
            continue
        raw = table.column(pos[name])
        vals, dstr, kind = column_values(raw, lazy_category=True)
        fam = dtype_family(dstr)
        if not compatible(fam, cs.family):
            mism[name] = (cs.dtype, dstr)
        n = int(vals.shape[0])
        if kind == "numeric":
            miss = np.isnan(vals)
        elif kind == "datetime":
            miss = vals == np.iinfo(np.int64).min
        else:
            miss = factorize(vals, name)[0] < 0
        oor = newc = None
        unseen: tuple[Any, ...] = ()
        bounded = kind in ("numeric", "datetime") and kind == cs.kind
        if bounded and (cs.low is not None or cs.high is not None):
            bad = np.zeros(n, dtype=bool)
            with np.errstate(invalid="ignore"):
                if cs.low is not None:
                    bad |= vals < cs.low
                if cs.high is not None:
                    bad |= vals > cs.high
            oor = np.flatnonzero(bad & ~miss)
        elif bounded and cs.n > 0 and cs.n_missing == cs.n:
            oor = np.flatnonzero(~miss)  # the reference held no value: none is vouched for
        if cs.domain is not None and kind != "datetime":
            newc, unseen = _outside_domain(raw if dstr == "category" else vals, cs.domain)
        checks[name] = ColumnCheck(name, n, int(np.count_nonzero(miss)), _examples(miss), dstr,
                                   fam, oor, newc, unseen)
    return SchemaReport(schema, checks, missing, extra, mism, table.n_rows)


def _outside_domain(vals: Any, domain: tuple[Any, ...]) -> tuple[np.ndarray, tuple[Any, ...]]:
    """(positions of values outside `domain`, up to 10 of those values), hashing each distinct
    value once."""
    codes, uniques = factorize(vals)
    allowed = {_key(v) for v in domain}
    bad = np.array([_key(_plain_category(u)) not in allowed for u in uniques] + [False],
                   dtype=bool)
    rows = np.flatnonzero(bad[codes])  # code -1 (missing) reads the trailing False
    first = codes[rows]
    seen: dict[int, None] = dict.fromkeys(int(c) for c in first[:10_000])
    unseen = tuple(_plain_category(uniques[c]) for c in list(seen)[:10])
    return rows, unseen


def _key(c: Any) -> tuple[str, Any]:
    if isinstance(c, (bool, np.bool_)):
        return ("b", bool(c))
    if isinstance(c, (int, float, np.integer, np.floating)):
        return ("n", float(c))
    return ("s", str(c))
