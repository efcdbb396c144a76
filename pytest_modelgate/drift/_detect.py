"""`detect`: per-column tests, the `auto` rule, multiple-testing correction, dataset verdict.

The `auto` rule: numeric columns get the two-sample KS test, categorical ones chi-square
(z-test when there are two values). A column drifts only when the change is statistically
supported (corrected p <= alpha) AND practically large (effect >= the test's threshold: KS
distance 0.1, Jensen–Shannon distance 0.1). Both parts are continuous in the sample size: no
regime switch at any row count.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._numbers import format_signed as _sgn
from pytest_modelgate._params import ALPHA, SHARE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError

from ._data import ColumnSummary, Table, align_counts, as_table, select_columns, summarize
from ._registry import DriftTest, Outcome, get_test, get_test_names
from ._tests import MULTIVARIATE, _NotBinary

__all__ = ["CORRECTIONS", "ColumnDrift", "DriftResult", "MultivariateDrift", "adjust_pvalues",
           "detect"]

CORRECTIONS = ("holm", "bh", "bonferroni", "none")
#: rows x columns above which columns are processed on a thread pool (numpy releases the GIL)
PARALLEL_CELLS = 400_000
_UNSEEN_SHOWN = 10
#: a missing/non-finite share that moved by at least this much (and significantly) drifts
MISSING_EFFECT = 0.1
#: a categorical column where at least this share of current rows carries categories the
#: reference never saw drifts, whatever the chi-square says (df ~ categories: no power)
UNSEEN_MAX = 0.5
#: an unseen-category share at least this large (and significant) drifts by its own test
UNSEEN_EFFECT = 0.1


# -- multiple testing -------------------------------------------------------------------------

def adjust_pvalues(p: Sequence[float], correction: str = "holm") -> list[float]:
    """Adjusted p-values: Holm step-down, Benjamini–Hochberg step-up, Bonferroni, or none."""
    _check_correction(correction)
    arr = np.asarray(p, dtype=np.float64)
    m = arr.shape[0]
    if m == 0 or correction == "none":
        return [float(x) for x in arr]
    if correction == "bonferroni":
        return [float(x) for x in np.minimum(arr * m, 1.0)]
    order = np.argsort(arr, kind="stable")
    ps = arr[order]
    if correction == "holm":
        adj = np.maximum.accumulate(np.minimum(ps * (m - np.arange(m)), 1.0))
    else:  # bh
        adj = np.minimum.accumulate((ps * m / np.arange(1, m + 1))[::-1])[::-1]
        adj = np.minimum(adj, 1.0)
    out = np.empty(m)
    out[order] = adj
    return [float(x) for x in out]


def _check_correction(correction: str) -> None:
    if correction not in CORRECTIONS:
        from pytest_modelgate.exceptions import UnknownNameError

        raise UnknownNameError("correction", str(correction), list(CORRECTIONS))


def _rejections(le: Sequence[Callable[[float], bool]], alpha: float,
                correction: str) -> list[bool]:
    """Which hypotheses the correction rejects at `alpha`, using only 'p <= t' queries.

    Equivalent to comparing adjusted p-values with alpha, but a large-sample KS column answers
    'p <= t' from a cached critical value (its p-value deciding only near it).
    """
    m = len(le)
    if m == 0:
        return []

    def count(t: float) -> int:
        return sum(1 for f in le if f(t))

    if correction == "none":
        return [f(alpha) for f in le]
    if correction == "bonferroni":
        return [f(alpha / m) for f in le]
    if correction == "holm":
        k_star = m + 1
        for k in range(1, m + 1):
            if count(alpha / (m - k + 1)) < k:
                k_star = k
                break
        if k_star == 1:
            return [False] * m
        t = alpha / (m - k_star + 2)
        return [f(t) for f in le]
    for k in range(m, 0, -1):  # bh
        if count(k * alpha / m) >= k:
            return [f(k * alpha / m) for f in le]
    return [False] * m


class _PValues:
    """Lazily computed p-values of the tested columns, and their adjusted values."""

    def __init__(self, outcomes: list[Outcome], correction: str) -> None:
        self._outcomes = outcomes
        self._correction = correction
        self._known: dict[int, float] = {}
        self._adj: list[float] | None = None

    def p(self, i: int) -> float:
        o = self._outcomes[i]
        if o.p_value is not None:
            return o.p_value
        if i not in self._known:
            self._known[i] = o.p_deferred() if o.p_deferred is not None else math.nan
        return self._known[i]

    def all(self) -> list[float]:
        return [self.p(i) for i in range(len(self._outcomes))]

    def adjusted(self, i: int) -> float:
        if self._adj is None:
            self._adj = self._adjust(self.all())
        return self._adj[i]

    def _adjust(self, ps: list[float]) -> list[float]:
        ok = [j for j, v in enumerate(ps) if not math.isnan(v)]
        adj = adjust_pvalues([ps[j] for j in ok], self._correction)
        full = [math.nan] * len(ps)
        for j, v in zip(ok, adj, strict=True):
            full[j] = v
        return full


# -- results ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnDrift:
    """The verdict for one column: test, statistic, p-value (raw and corrected), effect size.

    `p_value`/`p_adjusted` are None for distance-only tests and skipped columns. For large
    samples the KS p-value is computed when first read (under 1 ms, `_ks.kstwo_sf`); the
    `drifted` flag needs it only near a critical value. `reason` says why the column drifted,
    did not, or was skipped.
    """

    name: Hashable
    kind: str
    test: str | None
    statistic: float | None
    effect: float | None
    effect_name: str | None
    threshold: float | None
    drifted: bool
    reason: str
    skipped: bool = False
    n_reference: int = 0
    n_current: int = 0
    missing_reference: float = 0.0
    missing_current: float = 0.0
    inf_reference: int = 0
    inf_current: int = 0
    unseen: tuple[str, ...] = ()
    unseen_share: float = 0.0
    approx_error: float | None = None
    missing_p: float | None = None
    missing_p_adjusted: float | None = None
    missing_effect: float | None = None
    missing_drifted: bool = False
    min_detectable: float | None = None
    rows_needed: int | None = None
    unseen_p: float | None = None
    unseen_p_adjusted: float | None = None
    unseen_drifted: bool = False
    _pv: _PValues | None = field(default=None, repr=False, compare=False)
    _pos: int = field(default=-1, repr=False, compare=False)

    @property
    def underpowered(self) -> bool:
        """Not drifted, but the test could not flag a shift of the threshold size here."""
        return (not self.drifted and self.min_detectable is not None
                and self.threshold is not None and self.min_detectable > self.threshold)

    @property
    def p_value(self) -> float | None:
        """The test's p-value (scipy's), or None when the test has none."""
        return None if self._pv is None else self._pv.p(self._pos)

    @property
    def p_adjusted(self) -> float | None:
        """The p-value after the multiple-testing correction across the tested columns."""
        return None if self._pv is None else self._pv.adjusted(self._pos)

    def to_dict(self) -> dict[str, Any]:
        """Plain-typed mapping (forces the deferred p-values)."""
        return {
            "name": _plain_name(self.name), "kind": self.kind, "test": self.test,
            "statistic": self.statistic, "p_value": self.p_value,
            "p_adjusted": self.p_adjusted, "effect": self.effect,
            "effect_name": self.effect_name, "threshold": self.threshold,
            "drifted": self.drifted, "skipped": self.skipped, "reason": self.reason,
            "n_reference": self.n_reference, "n_current": self.n_current,
            "missing_reference": self.missing_reference,
            "missing_current": self.missing_current,
            "inf_reference": self.inf_reference, "inf_current": self.inf_current,
            "unseen": list(self.unseen), "unseen_share": self.unseen_share,
            "approx_error": self.approx_error, "missing_p": self.missing_p,
            "missing_p_adjusted": self.missing_p_adjusted,
            "missing_effect": self.missing_effect, "missing_drifted": self.missing_drifted,
            "min_detectable": self.min_detectable, "rows_needed": self.rows_needed,
            "unseen_p": self.unseen_p, "unseen_p_adjusted": self.unseen_p_adjusted,
            "unseen_drifted": self.unseen_drifted,
        }


def _plain_name(name: Hashable) -> str | int:
    return name if isinstance(name, (int, str)) and not isinstance(name, bool) else str(name)


@dataclass(frozen=True)
class MultivariateDrift:
    """A whole-table test: domain classifier (ROC AUC with CI) or MMD (permutation p-value)."""

    test: str
    statistic: float
    p_value: float | None
    ci: tuple[float, float] | None
    confidence: float | None
    threshold: float | None
    drifted: bool
    reason: str
    n_reference: int
    n_current: int
    columns: tuple[str | int, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"test": self.test, "statistic": self.statistic, "p_value": self.p_value,
                "ci": list(self.ci) if self.ci else None, "confidence": self.confidence,
                "threshold": self.threshold, "drifted": self.drifted, "reason": self.reason,
                "n_reference": self.n_reference, "n_current": self.n_current,
                "columns": list(self.columns), "details": dict(self.details)}


@dataclass(frozen=True)
class DriftResult:
    """Per-column verdicts in column order, the share of drifted columns, the dataset verdict.

    `drifted` is True when `share_drifted` > `max_share` (or, for a multivariate method, when
    that test drifts). Skipped columns (datetimes, no reference values) are listed in `columns`
    with `skipped=True` and do not count in the share.
    """

    columns: Mapping[Hashable, ColumnDrift]
    share_drifted: float
    drifted: bool
    max_share: float
    alpha: float
    correction: str
    method: str
    n_tested: int
    n_reference: int
    n_current: int
    multivariate: MultivariateDrift | None = None
    notes: tuple[str, ...] = ()

    @property
    def drifted_columns(self) -> list[Hashable]:
        return [k for k, c in self.columns.items() if c.drifted]

    @property
    def skipped_columns(self) -> list[Hashable]:
        return [k for k, c in self.columns.items() if c.skipped]

    @property
    def underpowered_columns(self) -> list[Hashable]:
        """Columns that did not drift but could not have flagged a threshold-size shift."""
        return [k for k, c in self.columns.items() if c.underpowered]

    @property
    def untestable_columns(self) -> list[Hashable]:
        """Columns skipped, or whose test could not be computed (and no missing-share drift)."""
        return [k for k, c in self.columns.items() if c.skipped or (
            c.test not in (None, "missing") and not c.drifted and (
                c.statistic is None or math.isnan(c.statistic)))]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method, "alpha": self.alpha, "correction": self.correction,
            "max_share": self.max_share, "share_drifted": self.share_drifted,
            "drifted": self.drifted, "n_tested": self.n_tested,
            "n_reference": self.n_reference, "n_current": self.n_current,
            "columns": [c.to_dict() for c in self.columns.values()],
            "multivariate": self.multivariate.to_dict() if self.multivariate else None,
            "notes": list(self.notes),
        }


# -- per-column work -------------------------------------------------------------------------------

@dataclass
class _Work:
    name: Hashable
    ref: ColumnSummary | None = None
    cur: ColumnSummary | None = None
    test: DriftTest | None = None
    outcome: Outcome | None = None
    kind: str = ""
    reason: str = ""
    skipped: bool = False
    forced_drift: bool = False
    auto: bool = True


def _is_binary(ref: ColumnSummary, cur: ColumnSummary) -> bool:
    if ref.kind == "categorical":
        _cats, r, q = align_counts(ref, cur)
        return int(np.count_nonzero((r + q) > 0)) <= 2
    if ref.values is None or cur.values is None or not ref.values.size or not cur.values.size:
        return False
    ends = {float(ref.values[0]), float(ref.values[-1]), float(cur.values[0]),
            float(cur.values[-1])}
    if len(ends) > 2:
        return False
    return all(int(np.count_nonzero(v[1:] != v[:-1])) <= 1 for v in (ref.values, cur.values))


def _auto_test(kind: str) -> str:
    return {"numeric": "ks", "categorical": "chisquare", "binary": "ztest"}[kind]


class _Scratch(threading.local):
    """Per-thread float buffers reused across columns (fresh 8 MB arrays cost page faults)."""

    def __init__(self) -> None:
        self.buffers: dict[str, np.ndarray] = {}

    def get(self, role: str) -> Callable[[int], np.ndarray]:
        def take(n: int) -> np.ndarray:
            buf = self.buffers.get(role)
            if buf is None or buf.shape[0] < n:
                buf = np.empty(n, dtype=np.float64)
                self.buffers[role] = buf
            return buf[:n]
        return take


def _run_column(work: _Work, method: str, ref_col: Any, cur_col: Any | None,
                forced_cat: bool, scratch: _Scratch | None = None) -> _Work:
    """Summarise one column on both sides, pick its test and run it.

    With `scratch`, the sorted values live in reused per-thread buffers and are dropped from the
    summaries once the test has run (only counts and the outcome are kept).
    """
    work = _run_column_inner(work, method, ref_col, cur_col, forced_cat, scratch)
    if scratch is not None:
        if work.ref is not None and work.ref.values is not None and ref_col is not None:
            work.ref = replace(work.ref, values=None)
        if work.cur is not None and work.cur.values is not None:
            work.cur = replace(work.cur, values=None)
    return work


def _run_column_inner(work: _Work, method: str, ref_col: Any, cur_col: Any | None,
                      forced_cat: bool, scratch: _Scratch | None) -> _Work:
    name = work.name
    if work.ref is None:
        work.ref = summarize(ref_col, categorical=forced_cat, name=name, argument="reference",
                             buffer=scratch.get("ref") if scratch else None)
    ref = work.ref
    if ref.kind == "datetime":
        work.skipped, work.kind = True, "datetime"
        work.reason = "datetime column skipped: convert it to numbers (e.g. epoch seconds) " \
                      "or a category to test it"
        return work
    cur = summarize(cur_col, categorical=forced_cat or ref.kind == "categorical", name=name,
                    argument="current", buffer=scratch.get("cur") if scratch else None)
    work.cur = cur
    if cur.kind != ref.kind:
        raise InputError(
            f"column {name!r} is {ref.kind} in reference but {cur.kind} in current "
            f"(dtype {cur.dtype}); fix the dtype, or list it in categorical=[...]"
        )
    if ref.n_values == 0:
        work.skipped, work.kind = True, ref.kind
        work.reason = "no reference values (all missing): nothing to compare against"
        return work
    if cur.n_values == 0:
        work.forced_drift, work.kind = True, ref.kind
        work.reason = (f"all {cur.n} current values are missing or infinite "
                       f"(reference: {ref.n_missing / max(ref.n, 1):.1%} missing)")
        return work
    kind = "binary" if _is_binary(ref, cur) else ref.kind
    work.kind = kind
    name_m = method
    if method == "auto":
        name_m = _auto_test(kind)
    test = get_test(name_m)
    if not test.supports(kind) and not (kind == "binary" and test.supports(ref.kind)):
        fallback = _auto_test(kind)
        work.reason = f"{name_m!r} does not apply to {kind} columns; used {fallback!r}. "
        test = get_test(fallback)
        work.auto = True
    else:
        work.auto = method == "auto"
    if not ref.exact and not test.sketch:
        raise InputError(
            f"column {name!r}: test {test.name!r} needs raw reference values, but the "
            f"reference is a quantile sketch; use one of the sketch tests (ks, psi, "
            f"jensenshannon, hellinger, wasserstein) or a profile with exact values"
        )
    work.test = test
    try:
        work.outcome = test.func(ref, cur)
    except _NotBinary:
        work.outcome = get_test("chisquare").func(ref, cur)
        work.reason += f"{test.name!r} needs two values; used 'chisquare'. "
        work.test = get_test("chisquare")
    return work


# -- detect -----------------------------------------------------------------------------------------

def _check_args(alpha: float, correction: str, max_share: float) -> None:
    check_param(alpha, "alpha", ALPHA)
    _check_correction(correction)
    check_param(max_share, "max_share", SHARE)


def _method_for(method: str | Mapping[Any, str], name: Hashable) -> str:
    if isinstance(method, str):
        return method
    return str(method.get(name, "auto"))


def _validate_method(method: str | Mapping[Any, str]) -> None:
    names = [method] if isinstance(method, str) else list(method.values())
    for m in names:
        if m != "auto" and m not in MULTIVARIATE:
            get_test(m)  # raises with close matches


def detect(
    reference: Any,
    current: Any,
    *,
    method: str | Mapping[Any, str] = "auto",
    alpha: float = 0.05,
    correction: str = "holm",
    max_share: float = 0.5,
    columns: Sequence[Hashable] | Hashable | None = None,
    categorical: Sequence[Hashable] | None = None,
    seed: int = 0,
    min_effect: float | None = None,
    n_jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> DriftResult:
    """Test every column of `current` against `reference` and give a dataset verdict.

    reference: 2-D/1-D array, DataFrame or `Profile`; current: array or DataFrame. method:
    "auto", a registered test name (`get_test_names()`), "classifier"/"mmd" (multivariate),
    or a mapping column -> test name. A column with a p-value test drifts when its corrected
    p-value is <= alpha (and, under "auto" or with `min_effect`, its effect size is at least
    the threshold); distance-only tests drift when the distance is at least the threshold
    (`min_effect` overrides). The dataset drifts when the share of drifted columns exceeds
    `max_share`.
    """
    _check_args(alpha, correction, max_share)
    if min_effect is not None and (isinstance(min_effect, bool) or
                                   not isinstance(min_effect, (int, float)) or min_effect < 0):
        raise ConfigError(f"min_effect must be a number >= 0, got {min_effect!r}")
    _validate_method(method)
    if isinstance(method, str) and method in MULTIVARIATE:
        from ._multivariate import multivariate_detect

        out: DriftResult = multivariate_detect(reference, current, method=method, alpha=alpha,
                                   columns=columns, categorical=categorical, seed=seed,
                                   max_share=max_share, correction=correction, **options)
        return out
    if options:
        raise ConfigError(f"detect: unknown option(s) {', '.join(sorted(options))}")

    from ._profile import Profile

    notes: list[str] = []
    if isinstance(reference, Profile):
        ref_names: list[Hashable] = list(reference.columns)
        ref_table: Table | None = None
        n_ref = reference.n_rows
        is_frame = reference.is_frame
    else:
        ref_table = as_table(reference, "reference")
        ref_names = ref_table.names
        n_ref = ref_table.n_rows
        is_frame = ref_table.is_frame
    cur_table = as_table(current, "current")
    if n_ref == 0:
        raise InputError("reference has no rows; pass the data the model was trained on")
    if cur_table.n_rows == 0:
        raise InputError("current has no rows: there is nothing to test for drift; check the "
                         "query or file that produced it")
    sel = select_columns(ref_names, columns)
    cur_pos: dict[Any, int] = {}
    if is_frame and cur_table.is_frame:
        cur_pos = {n: i for i, n in enumerate(cur_table.names)}
        missing = [ref_names[i] for i in sel if ref_names[i] not in cur_pos]
        if missing:
            raise InputError(
                f"column(s) {', '.join(repr(m) for m in missing)} of reference missing from "
                f"current; restore them, or pass columns=[...] to test only the others"
            )
        extra = [n for n in cur_table.names if n not in set(ref_names)]
        if extra:
            notes.append(f"{len(extra)} column(s) only in current not tested: "
                         + ", ".join(map(repr, extra[:10])))
    else:
        if len(cur_table.names) != len(ref_names):
            raise InputError(
                f"reference has {_num(len(ref_names))} columns but current has "
                f"{len(cur_table.names)}; pass arrays with the same columns in the same order"
            )
        cur_pos = {n: i for i, n in enumerate(ref_names)}
    forced = set(categorical or ())
    unknown = [c for c in forced if c not in set(ref_names)]
    if unknown:
        raise InputError(f"categorical: {unknown!r} not among the reference columns")

    works = [_Work(ref_names[i]) for i in sel]
    scratch = _Scratch()

    def job(w: _Work) -> _Work:
        name = w.name
        meth = _method_for(method, name)
        if isinstance(reference, Profile):
            w.ref = reference.summary(name)
            ref_col = None
        else:
            assert ref_table is not None
            ref_col = ref_table.column(ref_names.index(name))
        cur_col = cur_table.column(cur_pos[name])
        return _run_column(w, meth, ref_col, cur_col, name in forced, scratch)

    cells = cur_table.n_rows * len(works)
    workers = n_jobs if n_jobs is not None else _default_workers()
    if workers > 1 and cells >= PARALLEL_CELLS and len(works) > 1:
        with ThreadPoolExecutor(max_workers=min(workers, len(works))) as pool:
            done = _counted(pool.map(job, works), len(works), progress)
    else:
        done = _counted(map(job, works), len(works), progress)
    return _decide(done, method, alpha, correction, max_share, min_effect, n_ref,
                   cur_table.n_rows, notes)


def _counted(jobs: Iterable[_Work], total: int,
             progress: Callable[[int, int], None] | None) -> list[_Work]:
    """The finished columns, in order, calling `progress(done, total)` after each (`progress`:
    an optional callback, e.g. the gates' terminal progress of long runs)."""
    done: list[_Work] = []
    for w in jobs:
        done.append(w)
        if progress is not None:
            progress(len(done), total)
    return done


def _default_workers() -> int:
    """Threads for the column loop: the idle CPUs (all of them on an idle CI runner, one on a
    machine already busy with other work, where extra threads only contend)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):  # pragma: no cover - not on Unix
        return cpus
    others = _runnable_others()
    if others is not None:
        # the 1-minute average also counts this process's own recent work (a test or benchmark
        # that just ran); the runnable count now does not include the calling thread
        load = min(load, float(others))
    return max(1, min(cpus, round(cpus - load + 0.5)))


def _runnable_others() -> int | None:
    """Runnable threads on the machine other than the caller (Linux /proc/loadavg), or None."""
    try:
        with open("/proc/loadavg", encoding="ascii") as f:
            running = int(f.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return None
    return max(running - 1, 0)


def _decide(done: list[_Work], method: str | Mapping[Any, str], alpha: float, correction: str,
            max_share: float, min_effect: float | None, n_ref: int, n_cur: int,
            notes: list[str]) -> DriftResult:
    tested = [i for i, w in enumerate(done)
              if w.outcome is not None and w.outcome.has_p and not _nan_stat(w.outcome)]
    le: list[Callable[[float], bool]] = []
    for i in tested:
        o = done[i].outcome
        assert o is not None
        if o.p_value is not None:
            le.append(partial(_le, o.p_value))
        else:
            assert o.p_at_most is not None
            le.append(o.p_at_most)
    miss = [(i, mo) for i, w in enumerate(done)
            if not w.skipped and not w.forced_drift
            and (mo := _missing_outcome(w.ref, w.cur)) is not None]
    le.extend(partial(_le, mo.p_value) for _, mo in miss if mo.p_value is not None)
    new = [(i, uo) for i, w in enumerate(done)
           if not w.skipped and not w.forced_drift
           and (uo := _unseen_outcome(w.ref, w.cur)) is not None]
    le.extend(partial(_le, uo.p_value) for _, uo in new if uo.p_value is not None)
    outs = [done[i].outcome for i in tested] + [mo for _, mo in miss] + [uo for _, uo in new]
    if all(o is not None and o.p_value is not None for o in outs):
        # every p-value is known: decide on the adjusted p-values themselves, so the flag and
        # the reported p_adjusted can never disagree at a floating-point boundary
        adj = adjust_pvalues([o.p_value for o in outs if o is not None and o.p_value is not None],
                             correction)
        flags = [a <= alpha for a in adj]
    else:
        flags = _rejections(le, alpha, correction)
    rejected = dict(zip(tested, flags[:len(tested)], strict=True))
    n_miss = len(tested) + len(miss)
    miss_rejected = dict(zip([i for i, _ in miss], flags[len(tested):n_miss], strict=True))
    new_rejected = dict(zip([i for i, _ in new], flags[n_miss:], strict=True))
    pv = _PValues(outs, correction)  # type: ignore[arg-type]
    pos = {i: k for k, i in enumerate(tested)}
    miss_pos = {i: len(tested) + k for k, (i, _) in enumerate(miss)}
    miss_out = dict(miss)
    new_pos = {i: n_miss + k for k, (i, _) in enumerate(new)}
    new_out = dict(new)
    family = max(len(outs), 1)

    cols: dict[Hashable, ColumnDrift] = {}
    n_tested = n_drift = 0
    for i, w in enumerate(done):
        ref, cur, o, t = w.ref, w.cur, w.outcome, w.test
        base = _base_fields(ref, cur)
        if w.skipped:
            cols[w.name] = ColumnDrift(w.name, w.kind, None, None, None, None, None, False,
                                       w.reason, skipped=True, **base)
            continue
        n_tested += 1
        if i in miss_out:
            base.update(_missing_fields(miss_out[i], pv.adjusted(miss_pos[i]),
                                        miss_rejected[i], min_effect))
        if i in new_out:
            base.update(_unseen_fields(new_out[i], pv.adjusted(new_pos[i]), new_rejected[i],
                                       min_effect))
        if w.forced_drift or o is None or t is None:
            n_drift += 1
            base.pop("_missing_text", None)
            base.pop("_unseen_text", None)
            cols[w.name] = ColumnDrift(w.name, w.kind, "missing", None, None, None, None, True,
                                       w.reason, **base)
            continue
        stat = _f(o.statistic)
        eff = _f(o.effect)
        thr = min_effect if min_effect is not None else t.threshold
        use_effect = (w.auto or min_effect is not None) if t.p_value else True
        reason = w.reason
        if _nan_stat(o):
            reason += "the test could not be computed (" + (o.note or "NaN statistic") + ")"
            drifted = bool(base.get("missing_drifted")) or bool(base.get("unseen_drifted"))
            reason += _unseen_reason(base) + _missing_reason(base)
            n_drift += int(drifted)
            cols[w.name] = ColumnDrift(w.name, w.kind, t.name, stat, eff, t.effect, thr,
                                       drifted, reason, approx_error=o.approx_error, **base)
            continue
        if t.p_value and o.has_p:
            sig = rejected.get(i, False)
            large = (eff is not None and eff >= thr) if use_effect else True
            drifted = sig and large
            parts = [f"{t.name} {t.statistic}={_g(stat)}"]
            parts.append("significant" if sig else "not significant")
            parts.append(f"at alpha={_num(alpha, digits=6)} ({correction})")
            if use_effect:
                parts.append(f"{t.effect} {_g(eff)} {'>=' if large else '<'} {_g(thr)}")
            reason += ", ".join(parts)
            if t.name == "ks" and not sig and ref is not None and cur is not None:
                reason += _detectable_note(ref.n_values, cur.n_values, alpha / len(tested), thr)
        else:
            drifted = eff is not None and eff >= thr
            reason += f"{t.effect} {_g(eff)} {'>=' if drifted else '<'} {_g(thr)}"
        if o.note:
            reason += f"; {o.note}"
        unseen = float(base.get("unseen_share", 0.0))
        reason += _unseen_reason(base)
        if base.get("unseen_drifted"):
            drifted = True  # decided by the unseen-share test: its power is what counts
        elif w.kind in ("categorical", "binary") and unseen >= UNSEEN_MAX:
            drifted = True
            reason += (f"; {unseen:.0%} of current rows carry categories the reference never "
                       f"saw (unseen share >= {_num(UNSEEN_MAX, digits=6)}): the reference cannot describe "
                       "them (an ID-like column? leave it out with columns=[...])")
        if base.get("missing_drifted"):
            drifted = True
        reason += _missing_reason(base)
        if _id_like(ref) and not drifted and t.effect == "jensenshannon":
            assert ref is not None
            reason += (f"; ID-like column ({_rare_rate(ref):.0%} of the {ref.n_values} reference "
                       "rows in one-off categories): the chi-square's degrees of freedom grow "
                       "with the rows, so no sample size gives it power; the unseen-category "
                       "share decides")
        elif not drifted and use_effect and ref is not None and cur is not None and (
                thr is not None and thr > 0):
            if t.name == "ks":
                base.update(_ks_power(ref.n_values, cur.n_values, alpha / family, thr))
            elif t.name in ("chisquare", "gtest", "ztest") and t.effect == "jensenshannon":
                base.update(_js_power(ref, cur, w.kind, alpha / family, thr))
        n_drift += int(drifted)
        cols[w.name] = ColumnDrift(
            w.name, w.kind, t.name, stat, eff, t.effect, thr, bool(drifted), reason,
            approx_error=o.approx_error,
            _pv=pv if i in pos else None, _pos=pos.get(i, -1), **base)
    share = n_drift / n_tested if n_tested else 0.0
    if n_tested == 0:
        notes.append("no column could be tested")
    mname = method if isinstance(method, str) else "per-column"
    return DriftResult(cols, float(share), bool(share > max_share), float(max_share),
                       float(alpha), correction, mname, n_tested, n_ref, n_cur,
                       notes=tuple(notes))


def _missing_outcome(ref: ColumnSummary | None, cur: ColumnSummary | None) -> Outcome | None:
    """Two-proportion z-test of the missing/non-finite share, current vs reference.

    Equal to `scipy.stats.chi2_contingency(correction=False)` on the 2x2 table (z^2 = chi^2);
    effect = current share - reference share. None when neither side has a missing value.
    """
    if ref is None or cur is None or not ref.n or not cur.n:
        return None
    k1, k2 = ref.n_missing + ref.n_inf, cur.n_missing + cur.n_inf
    if k1 == 0 and k2 == 0:
        return None
    from scipy import stats

    n1, n2 = float(ref.n), float(cur.n)
    p1, p2 = k1 / n1, k2 / n2
    pool = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pool * (1.0 - pool) * (1.0 / n1 + 1.0 / n2))
    extra = {"shares": (p1, p2)}
    if se == 0:
        return Outcome(0.0, 1.0, p2 - p1, note="every value missing on both sides", extra=extra)
    z = (p2 - p1) / se
    return Outcome(float(z), float(2.0 * stats.norm.sf(abs(z))), float(p2 - p1), extra=extra)


def _rare_rate(ref: ColumnSummary) -> float:
    """The reference's rare-category rate: the share of its rows in categories seen once (the
    Good–Turing estimate of the chance that a reference-like row is in a category it lacks)."""
    if ref.counts is None or not ref.n_values:
        return 0.0
    return float(np.count_nonzero(np.asarray(ref.counts) == 1)) / ref.n_values


def _id_like(ref: ColumnSummary | None) -> bool:
    """At least half the reference rows are in one-off categories (IDs, free text): the reference
    describes a vocabulary, not a distribution a chi-square could test."""
    return ref is not None and ref.kind == "categorical" and _rare_rate(ref) >= UNSEEN_MAX


def _unseen_outcome(ref: ColumnSummary | None, cur: ColumnSummary | None) -> Outcome | None:
    """One-sided exact binomial test of the share of current rows in categories the reference
    never saw, against the rate the reference itself explains: its rare-category rate (a sparse
    column shows new categories without any drift), at least 1 / (n + 1); for an ID-like column,
    whose reference is a vocabulary, 1 / (n + 1).

    Equal to `scipy.stats.binomtest(k, n_current, rate, "greater")`; effect = the unseen share.
    None when no current value is unseen (or the column is not categorical). The chi-square
    over ~2n categories of an ID-like column has no power; this test does.
    """
    if ref is None or cur is None or not (ref.kind == "categorical" == cur.kind):
        return None
    if not ref.n_values or not cur.n_values:
        return None
    _cats, _r, q = align_counts(ref, cur)
    k = int(q[len(ref.categories):].sum())
    if k == 0:
        return None
    from scipy import stats

    n, m = int(cur.n_values), int(ref.n_values)
    floor, rare = 1.0 / (m + 1), _rare_rate(ref)
    if _id_like(ref) or rare <= floor:
        p = float(stats.binom.sf(k - 1, n, floor))
        return Outcome(float(k), min(max(p, 0.0), 1.0), k / n,
                       extra={"null_rate": floor, "test": "binomial"})
    # Good–Turing: the reference's singleton share estimates the mass of categories it lacks;
    # Esty's variance of that estimate plus the binomial variance of the current share
    counts = np.asarray(ref.counts)
    n2 = float(np.count_nonzero(counts == 2))
    var = rare * (1.0 - rare) / m + 2.0 * n2 / (m * m) + rare * (1.0 - rare) / n
    z = (k / n - rare) / math.sqrt(var)
    return Outcome(float(z), float(stats.norm.sf(z)), k / n,
                   extra={"null_rate": rare, "test": "Good-Turing z"})


def _unseen_fields(o: Outcome, adjusted: float, significant: bool,
                   min_effect: float | None) -> dict[str, Any]:
    thr = UNSEEN_EFFECT if min_effect is None else max(float(min_effect), 0.0)
    eff = float(o.effect if o.effect is not None else 0.0)
    drifted = bool(significant and eff >= thr and eff > 0)
    text = (f"; unseen categories: {eff:.1%} of current rows in categories the reference "
            f"never saw (one-sided {o.extra.get('test', 'binomial')} test vs the reference's "
            f"rare-category rate {_num(o.extra.get('null_rate', 0.0), digits=2)}, p_adj={_num(adjusted, digits=3, tiny=True)}, share "
            f"{_num(eff, digits=3)}{' >= ' if eff >= thr else ' < '}{_num(thr, digits=6)}): "
            f"{'drifted' if drifted else 'no drift by itself'}")
    return {"unseen_p": o.p_value, "unseen_p_adjusted": adjusted, "unseen_drifted": drifted,
            "_unseen_text": text}


def _unseen_reason(base: dict[str, Any]) -> str:
    return str(base.pop("_unseen_text", ""))


def _missing_fields(o: Outcome, adjusted: float, significant: bool,
                    min_effect: float | None) -> dict[str, Any]:
    thr = MISSING_EFFECT if min_effect is None else max(float(min_effect), 0.0)
    eff = float(o.effect if o.effect is not None else 0.0)
    drifted = bool(significant and abs(eff) >= thr and abs(eff) > 0)
    shares = o.extra.get("shares", (math.nan, math.nan))
    text = (f"; missing/non-finite share {shares[0]:.1%} in reference vs {shares[1]:.1%} in "
            f"current (two-proportion z-test, p_adj={_num(adjusted, digits=3, tiny=True)}, difference {_sgn(eff, digits=3)}"
            f"{' >= ' if abs(eff) >= thr else ' < '}{_num(thr, digits=6)}): "
            f"{'drifted' if drifted else 'no drift'}")
    return {"missing_p": o.p_value, "missing_p_adjusted": adjusted, "missing_effect": eff,
            "missing_drifted": drifted, "_missing_text": text}


def _missing_reason(base: dict[str, Any]) -> str:
    return str(base.pop("_missing_text", ""))


def _ks_power(n1: int, n2: int, level: float, thr: float) -> dict[str, Any]:
    """The smallest KS distance these samples can flag at `level`; if it exceeds the threshold
    (no power for a threshold-size shift), the current rows that would bring it down to it."""
    from ._ks import effective_n, ks_critical

    if n1 < 1 or n2 < 1:
        return {}
    crit = ks_critical(float(level), max(effective_n(n1, n2), 1))
    if crit <= thr:
        return {"min_detectable": crit}
    lo, hi = 1, 2
    while ks_critical(float(level), hi) > thr:
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # smallest effective n whose critical distance is <= thr
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if ks_critical(float(level), mid) > thr else (lo, mid)
    need_eff = hi
    # keep the reference and grow the current side; if the reference is too small as well,
    # both sides need 2 x the effective size
    rows = math.ceil(need_eff * n1 / (n1 - need_eff)) if n1 > need_eff else 2 * need_eff
    return {"min_detectable": crit, "rows_needed": int(max(rows, n2 + 1))}


def _js_power(ref: ColumnSummary, cur: ColumnSummary, kind: str, level: float,
              thr: float) -> dict[str, Any]:
    """Power of the chi-square family for a Jensen–Shannon distance of `thr`.

    For small differences JS divergence ~ sum (p - q)^2 / (8 m) and Pearson's statistic ~
    n_eff sum (p - q)^2 / m, so a shift of JS distance d adds about 8 n_eff d^2 to the
    statistic's mean (its noncentrality). Below the critical value at `level` even then, the
    test has no power for a threshold-size shift: the current rows that would give it some.
    """
    from scipy import stats

    from ._ks import effective_n

    n1, n2 = ref.n_values, cur.n_values
    if n1 < 1 or n2 < 1:
        return {}
    if kind == "categorical":
        _cats, r, q = align_counts(ref, cur)
        df = max(int(np.count_nonzero((r + q) > 0)) - 1, 1)
    else:
        df = 1
    crit = float(stats.chi2.isf(float(level), df))
    n_eff = max(effective_n(n1, n2), 1)
    detectable = math.sqrt(max(crit - df, 0.0) / (8.0 * n_eff))
    if detectable <= thr:
        return {"min_detectable": detectable}
    need_eff = math.ceil((crit - df) / (8.0 * thr * thr))
    rows = math.ceil(need_eff * n1 / (n1 - need_eff)) if n1 > need_eff else 2 * need_eff
    return {"min_detectable": detectable, "rows_needed": int(max(rows, n2 + 1))}


def _detectable_note(n1: int, n2: int, level: float, thr: float) -> str:
    """A warning when the samples are too small to flag even a practically large KS shift.

    Uses the smallest KS distance significant at alpha / m (Holm's first step), from the
    asymptotic distribution: the answer to "is a sample of 8 rows enough?" (Evidently #509).
    """
    from ._ks import effective_n, ks_critical

    crit = ks_critical(float(level), effective_n(n1, n2))
    if crit > max(thr, 0.0) * 1.5:
        return (f"; small sample: at {n1} vs {_num(n2)} rows only KS distances >= {_num(crit, digits=2)} "
                f"can be significant, add rows to detect smaller shifts")
    return ""


def _le(p: float, t: float) -> bool:
    return p <= t


def _nan_stat(o: Outcome) -> bool:
    return o.statistic is None or (isinstance(o.statistic, float) and math.isnan(o.statistic)
                                   and (o.effect is None or math.isnan(o.effect)))


def _f(x: float | None) -> float | None:
    return None if x is None else float(x)


def _g(x: float | None) -> str:
    return _num(x, missing="n/a")


def _base_fields(ref: ColumnSummary | None, cur: ColumnSummary | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if ref is not None:
        out["n_reference"] = ref.n_values
        out["missing_reference"] = ref.n_missing / ref.n if ref.n else 0.0
        out["inf_reference"] = ref.n_inf
    if cur is not None:
        out["n_current"] = cur.n_values
        out["missing_current"] = cur.n_missing / cur.n if cur.n else 0.0
        out["inf_current"] = cur.n_inf
    if ref is not None and cur is not None and ref.kind == "categorical" == cur.kind:
        cats, _, q = align_counts(ref, cur)
        k = len(ref.categories)
        new = [(str(c), int(n)) for c, n in zip(cats[k:], q[k:], strict=True) if n > 0]
        if new:
            out["unseen"] = tuple(c for c, _ in new[:_UNSEEN_SHOWN])
            out["unseen_share"] = sum(n for _, n in new) / max(cur.n_values, 1)
    return out


def describe_tests() -> list[dict[str, Any]]:
    """One row per registered test (for docs and `--markers`-style listings)."""
    out = []
    for n in get_test_names():
        t = get_test(n)
        out.append({"name": n, "kinds": list(t.kinds), "p_value": t.p_value,
                    "statistic": t.statistic, "effect": t.effect, "threshold": t.threshold,
                    "sketch": t.sketch, "description": t.description})
    return out
