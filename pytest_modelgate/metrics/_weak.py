"""Automatic weak-segment search (after Deepchecks' WeakSegmentsPerformance).

Shallow regression trees are fitted on a per-row loss over single features and feature pairs;
every leaf is a readable segment ("20 < age <= 35 and region in {north, west}"); the requested
metric is computed on each segment of at least `min_size` rows and the weakest one is returned.
With `confidence=`, segments are searched on one half of the rows and evaluated on the other
half, so the reported gap is not inflated by the search (selection bias) and carries an interval.
"""

from __future__ import annotations

import itertools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError

from ._evaluate import MetricResult, compute_value, evaluate, resolve_metric
from ._inputs import Checked, as_array, check_inputs
from ._registry import MetricSpec

__all__ = ["Segment", "WeakSliceReport", "weak_slices"]

F = NDArray[np.float64]


@dataclass(frozen=True)
class Segment:
    """A data segment: its rule, row count and the metric on it (with interval when honest)."""

    rule: str
    n: int
    value: float
    gap: float
    features: tuple[str, ...]
    ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class WeakSliceReport:
    """The overall metric, the weakest segment found and the runners-up (worst first).

    `gap` is how much worse the weakest segment is than the whole set (positive = worse), in the
    metric's units, or as a fraction of the overall value when `relative` is set.
    """

    metric: str
    overall: MetricResult
    worst: Segment | None
    segments: tuple[Segment, ...]
    min_size: int
    relative: bool
    honest: bool
    n_searched: int
    n_evaluated: int
    direction: str
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def gap(self) -> float | None:
        return None if self.worst is None else self.worst.gap

    def to_dict(self) -> dict[str, Any]:
        def seg(s: Segment) -> dict[str, Any]:
            return {"rule": s.rule, "n": s.n, "value": s.value, "gap": s.gap,
                    "features": list(s.features), "ci": list(s.ci) if s.ci else None}

        return {"metric": self.metric, "overall": self.overall.to_dict(),
                "worst": seg(self.worst) if self.worst else None,
                "segments": [seg(s) for s in self.segments], "min_size": self.min_size,
                "relative": self.relative, "honest": self.honest,
                "n_searched": self.n_searched, "n_evaluated": self.n_evaluated}


@dataclass
class _Feature:
    name: str
    values: F
    categories: list[str] | None = None  # for categorical: category of each integer code


def _columns(X: Any, n: int, columns: Any) -> list[_Feature]:
    if X is None:
        raise InputError("X: weak_slices needs the feature matrix (array or DataFrame)")
    names: list[str]
    if hasattr(X, "columns") and hasattr(X, "__getitem__"):
        names = [str(c) for c in X.columns]
        raw_cols = [X[c] for c in X.columns]
    else:
        arr = as_array(X, "X", allow_2d=True)
        if arr.ndim == 1:
            arr = arr[:, None]
        names = [f"x{i}" for i in range(arr.shape[1])]
        raw_cols = [arr[:, i] for i in range(arr.shape[1])]
    if columns is not None:
        wanted = [columns] if isinstance(columns, str) else list(columns)
        for c in wanted:
            if str(c) not in names:
                raise UnknownNameError("column", str(c), names)
        keep = [names.index(str(c)) for c in wanted]
        names = [names[i] for i in keep]
        raw_cols = [raw_cols[i] for i in keep]
    out: list[_Feature] = []
    for name, col in zip(names, raw_cols, strict=False):
        a = np.asarray(col.to_numpy() if hasattr(col, "to_numpy") else col)
        if a.shape[0] != n:
            raise InputError(f"X: has {_num(a.shape[0])} rows but y_true has {n}")
        if a.dtype.kind in "biuf":
            out.append(_Feature(name, a.astype(np.float64)))
        else:
            labels = np.asarray(["<missing>" if v is None or (isinstance(v, float) and
                                                             math.isnan(v)) else str(v)
                                 for v in a.tolist()])
            cats, codes = np.unique(labels, return_inverse=True)
            out.append(_Feature(name, codes.astype(np.float64), [str(c) for c in cats]))
    if not out:
        raise InputError("X: has no columns to search")
    return out


def _row_loss(spec: MetricSpec, chk: Checked) -> F:
    """A per-row badness the trees can split on (only guides the search)."""
    yt, yp = chk.y_true, chk.y_pred
    if spec.task == "regression":
        return np.asarray(np.abs(yt.astype(np.float64) - yp.astype(np.float64)), dtype=np.float64)
    if spec.needs == "labels":
        return np.asarray(yt != yp, dtype=np.float64)
    classes = np.unique(yt)
    if yp.ndim == 2:
        code = np.searchsorted(classes, yt)
        return np.asarray(1.0 - yp[np.arange(yp.shape[0]), code], dtype=np.float64)
    s = yp.astype(np.float64)
    from scipy.stats import rankdata

    r = (rankdata(s) - 0.5) / s.size  # scores on any scale -> [0, 1]
    return np.asarray(np.abs((yt == classes[-1]).astype(np.float64) - r), dtype=np.float64)


def _leaf_rules(tree: Any, feats: list[_Feature]) -> dict[int, str]:
    """Readable rule of every leaf: merged bounds per feature along its path."""
    t = tree.tree_
    rules: dict[int, str] = {}

    def walk(node: int, bounds: dict[int, tuple[float, float]]) -> None:
        if t.children_left[node] == -1:
            rules[node] = _describe(bounds, feats)
            return
        f, thr = int(t.feature[node]), float(t.threshold[node])
        lo, hi = bounds.get(f, (-math.inf, math.inf))
        walk(int(t.children_left[node]), {**bounds, f: (lo, min(hi, thr))})
        walk(int(t.children_right[node]), {**bounds, f: (max(lo, thr), hi)})

    walk(0, {})
    return rules


def _describe(bounds: dict[int, tuple[float, float]], feats: list[_Feature]) -> str:
    parts = []
    for f, (lo, hi) in sorted(bounds.items()):
        feat = feats[f]
        if feat.categories is not None:
            ordered = feat.categories
            inside = [c for i, c in enumerate(ordered) if lo < i <= hi]
            shown = ", ".join(inside[:6]) + (", ..." if len(inside) > 6 else "")
            parts.append(f"{feat.name} in {{{shown}}}")
        elif math.isinf(lo):
            parts.append(f"{feat.name} <= {_num(hi)}")
        elif math.isinf(hi):
            parts.append(f"{feat.name} > {_num(lo)}")
        else:
            parts.append(f"{_num(lo)} < {feat.name} <= {_num(hi)}")
    return " and ".join(parts) if parts else "all rows"


def _target_encode(feats: list[_Feature], loss: F, rows: NDArray[np.int64]) -> list[_Feature]:
    """Order each categorical's codes by its mean loss on the search rows, so that a threshold
    split groups categories."""
    out = []
    for f in feats:
        if f.categories is None:
            out.append(f)
            continue
        codes = f.values.astype(np.int64)
        k = len(f.categories)
        means = np.bincount(codes[rows], weights=loss[rows], minlength=k) / np.maximum(
            np.bincount(codes[rows], minlength=k), 1)
        order = np.argsort(means, kind="stable")
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        out.append(_Feature(f.name, rank[codes].astype(np.float64),
                            [f.categories[i] for i in order]))
    return out


def weak_slices(
    X: Any,
    y_true: Any,
    y_pred: Any,
    *,
    metric: str = "accuracy",
    min_size: float | int | None = None,
    max_depth: int = 2,
    columns: Any = None,
    max_features: int = 8,
    relative: bool = False,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    average: str | None = None,
    n_segments: int = 5,
    **params: Any,
) -> WeakSliceReport:
    """Search the weakest data segment for `metric` with shallow trees over feature pairs.

    `min_size`: the smallest segment, as rows (int) or a fraction of rows (float < 1); default
    5% of the rows and at least 30. With `confidence`, the search uses a seeded half of the rows
    and the segments are evaluated (with intervals) on the other half.
    """
    from sklearn.tree import DecisionTreeRegressor

    spec = resolve_metric(metric, average)
    chk = check_inputs(spec, y_true, y_pred, sample_weight)
    n = chk.n
    if min_size is None:
        ms = max(30, math.ceil(0.05 * n))
    elif isinstance(min_size, float) and 0 < min_size < 1:
        ms = max(1, math.ceil(min_size * n))
    elif isinstance(min_size, (int, float)) and not isinstance(min_size, bool) and min_size >= 1:
        ms = int(min_size)
    else:
        raise ConfigError(f"min_size: rows (int >= 1) or a fraction in (0, 1), got {min_size!r}")
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 1:
        raise ConfigError(f"max_depth: must be a positive integer, got {max_depth!r}")
    feats = _columns(X, n, columns)
    honest = confidence is not None
    rng = np.random.default_rng(seed)
    if honest:
        perm = rng.permutation(n)
        search_rows, eval_rows = np.sort(perm[: n // 2]), np.sort(perm[n // 2:])
    else:
        search_rows = eval_rows = np.arange(n)
    if search_rows.size < 2 * ms:
        raise InputError(
            f"weak_slices: {_num(search_rows.size)} rows to search cannot hold two segments of "
            f"min_size={ms}; pass more rows or a smaller min_size"
        )
    loss = _row_loss(spec, chk)
    feats = _target_encode(feats, loss, search_rows)
    loss_s = loss[search_rows]
    w_s = None if chk.sample_weight is None else chk.sample_weight[search_rows]

    if len(feats) > max_features:  # keep the features a joint tree finds most useful
        tree = DecisionTreeRegressor(max_depth=3, min_samples_leaf=ms, random_state=0)
        tree.fit(np.column_stack([f.values[search_rows] for f in feats]), loss_s,
                 sample_weight=w_s)
        top = np.argsort(-tree.feature_importances_, kind="stable")[:max_features]
        feats = [feats[i] for i in sorted(top.tolist())]
    combos = [(i,) for i in range(len(feats))] + list(
        itertools.combinations(range(len(feats)), 2))

    overall = evaluate(spec.name, chk.y_true[eval_rows], chk.y_pred[eval_rows],
                       sample_weight=None if chk.sample_weight is None
                       else chk.sample_weight[eval_rows], **params)
    sign = 1.0 if spec.direction == "higher" else -1.0
    found: dict[str, Segment] = {}
    members: dict[str, NDArray[np.int64]] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for combo in combos:
            sub = [feats[i] for i in combo]
            Xs = np.column_stack([f.values for f in sub])
            tree = DecisionTreeRegressor(max_depth=max_depth, min_samples_leaf=ms,
                                         random_state=0)
            tree.fit(Xs[search_rows], loss_s, sample_weight=w_s)
            if tree.tree_.node_count <= 1:
                continue
            rules = _leaf_rules(tree, sub)
            leaf_eval = tree.apply(Xs[eval_rows])
            for leaf, rule in rules.items():
                rows = eval_rows[leaf_eval == leaf]
                if rows.size < (ms if not honest else max(2, ms // 2)) or rule in found:
                    continue
                try:
                    v = compute_value(spec, chk.y_true[rows], chk.y_pred[rows],
                                      None if chk.sample_weight is None
                                      else chk.sample_weight[rows], params)
                except InputError:
                    continue
                if not math.isfinite(v):
                    continue
                gap = sign * (overall.value - v)
                if relative:
                    gap = gap / abs(overall.value) if overall.value != 0 else math.inf
                found[rule] = Segment(rule, int(rows.size), v, float(gap),
                                      tuple(f.name for f in sub))
                members[rule] = rows
    ranked = sorted(found.values(), key=lambda s: (-s.gap, s.rule))[:n_segments]
    if honest and ranked:
        ranked = [_with_ci(s, spec, chk, members[s.rule], overall, confidence, n_resamples,
                           seed, relative, sign, params) for s in ranked]
    worst = ranked[0] if ranked else None
    return WeakSliceReport(spec.name, overall, worst, tuple(ranked), ms, relative, honest,
                           int(search_rows.size), int(eval_rows.size), spec.direction,
                           {"features": [f.name for f in feats], "n_candidates": len(found)})


def _with_ci(seg: Segment, spec: MetricSpec, chk: Checked, rows: NDArray[np.int64],
             overall: MetricResult, confidence: float | None, n_resamples: int, seed: int,
             relative: bool, sign: float, params: dict[str, Any]) -> Segment:
    """Interval of the segment's metric on the held-out rows, mapped to a gap interval."""
    r = evaluate(spec.name, chk.y_true[rows], chk.y_pred[rows], confidence=confidence,
                 n_resamples=n_resamples, seed=seed,
                 sample_weight=None if chk.sample_weight is None else chk.sample_weight[rows],
                 **params)
    if r.ci is None:
        return seg
    gaps = sorted(sign * (overall.value - x) for x in r.ci)
    if relative and overall.value != 0:
        gaps = [g / abs(overall.value) for g in gaps]
    return Segment(seg.rule, seg.n, seg.value, seg.gap, seg.features,
                   (float(gaps[0]), float(gaps[1])))
