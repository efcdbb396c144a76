"""Compact plot data the judges store in `GateResult.details`, so every view (the HTML report,
`modelgate report REPORT.json`) can draw a gate from the JSON alone, never from raw data.

Each helper returns plain JSON-able values (4 significant digits) or None when there is nothing
sound to draw; a helper never raises into the gate: a plot is a view, not the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from pytest_modelgate.drift._data import ColumnSummary
from pytest_modelgate.results import GateResult

if TYPE_CHECKING:
    from pytest_modelgate.drift import DriftResult

__all__ = [
    "CONFUSION_MAX_LABELS",
    "DRIFT_MAX_COLUMNS",
    "LATENCY_PROBS",
    "confusion_matrix",
    "drift_distributions",
    "drift_plot",
    "latency_plot",
    "latency_sketch",
    "metric_plot",
]

#: a confusion matrix is stored for classification metrics with at most this many labels
CONFUSION_MAX_LABELS = 20
#: distributions are stored for this many columns per drift gate (worst first)
DRIFT_MAX_COLUMNS = 12
DRIFT_BINS = 20
#: above this many rows a side is drawn from an evenly strided sample of about this many rows
#: (a picture needs shares to ~0.5%, not the engine's exact sort of every row)
DRIFT_PLOT_ROWS = 20_000
#: the bin range (pooled 0.5-99.5% quantiles) is estimated from at most this many values
_RANGE_ROWS = 2_000
DRIFT_MAX_CATEGORIES = 12
#: probabilities of the stored latency quantiles (dense in the tail, where budgets sit)
LATENCY_PROBS = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.975,
                 0.99, 0.995, 0.999, 1.0)


def _r(x: Any) -> float | None:
    """4 significant digits (the reports show no more); None for non-finite values."""
    x = float(x)
    return float(f"{x:.4g}") if math.isfinite(x) else None


def metric_plot(metric: str, y_true: Any, y_pred: Any,
                sample_weight: Any = None) -> dict[str, Any]:
    """`{"confusion_matrix": ...}` for a classification metric on labels (weighted as the
    metric is), else nothing."""
    cm = confusion_matrix(metric, y_true, y_pred, sample_weight=sample_weight)
    return {} if cm is None else {"confusion_matrix": cm}


def latency_plot(candidate: Any, baseline: Any = None) -> dict[str, Any]:
    """`{"sketch": ...}`: the samples' quantiles for the latency ECDF."""
    sk = latency_sketch(candidate, baseline)
    return {} if sk is None else {"sketch": sk}


def drift_plot(result: GateResult, reference: Any, current: Any, res: DriftResult) -> GateResult:
    """`result` with `details["distributions"]` added (per-column drift gates only)."""
    if res.multivariate is not None or result.kind != "drift":
        return result
    dist = drift_distributions(reference, current, res)
    if dist is None:
        return result
    return replace(result, details={**result.details, "distributions": dist})


def confusion_matrix(metric: str, y_true: Any, y_pred: Any,
                     sample_weight: Any = None) -> dict[str, Any] | None:
    """Row counts by (true label, predicted label) for a classification metric on predicted
    labels with at most `CONFUSION_MAX_LABELS` labels; None otherwise. With `sample_weight`,
    the sums of the rows' weights (4 significant digits) and `"weighted": True`, as
    `sklearn.metrics.confusion_matrix(..., sample_weight=)`: the matrix of the weighted metric."""
    try:
        from pytest_modelgate.metrics import get_metric

        spec = get_metric(metric)
        if spec.task != "classification" or spec.needs != "labels":
            return None
        t, p = np.asarray(y_true), np.asarray(y_pred)
        if t.ndim != 1 or p.ndim != 1 or t.shape != p.shape or not t.size:
            return None
        labels, inv = np.unique(np.concatenate([t, p]), return_inverse=True)
        k = labels.size
        if k > CONFUSION_MAX_LABELS:
            return None
        codes = inv[: t.size] * k + inv[t.size:]
        out: dict[str, Any] = {"labels": [_label(v) for v in labels.tolist()]}
        if sample_weight is None:
            out["matrix"] = np.bincount(codes, minlength=k * k).reshape(k, k).tolist()
            return out
        w = np.asarray(sample_weight, dtype=float).ravel()
        if w.shape != t.shape or not np.isfinite(w).all():
            return None
        sums = np.bincount(codes, weights=w, minlength=k * k).reshape(k, k)
        out["matrix"] = [[_r(v) for v in row] for row in sums]
        out["weighted"] = True
        return out
    except Exception:
        return None


def _label(v: Any) -> Any:
    return v if isinstance(v, (int, str)) and not isinstance(v, bool) else str(v)


def latency_sketch(candidate: Any, baseline: Any = None) -> dict[str, Any] | None:
    """Quantiles of the timed samples (seconds) at `LATENCY_PROBS`, for an ECDF; the
    baseline's too in relative mode. `candidate`/`baseline`: `LatencyResult`s."""
    try:
        out: dict[str, Any] = {"probs": list(LATENCY_PROBS)}
        for key, res in (("candidate", candidate), ("baseline", baseline)):
            if res is None:
                continue
            x = np.asarray(res.times, dtype=float)
            x = x[np.isfinite(x)]
            if not x.size:
                return None
            out[key] = [_r(v) for v in np.quantile(x, LATENCY_PROBS)]
        return out
    except Exception:
        return None


def _rank(c: Any) -> tuple[int, float]:
    """Worst first: drifted columns, then by effect relative to its threshold."""
    eff, thr = c.effect, c.threshold
    rel = (eff / thr if thr else eff) if eff is not None and thr is not None else -1.0
    if isinstance(rel, float) and math.isnan(rel):
        rel = -1.0
    return (0 if c.drifted else 1, -float(rel))


def drift_distributions(reference: Any, current: Any, res: DriftResult,
                        max_columns: int = DRIFT_MAX_COLUMNS) -> dict[str, Any] | None:
    """Reference vs current distributions of the worst `max_columns` columns: shares in
    `DRIFT_BINS` common bins (numeric) or of the top categories (categorical); a side of more
    than `DRIFT_PLOT_ROWS` rows is drawn from an evenly strided sample of them (`sampled`)."""
    try:
        from pytest_modelgate.drift import Profile
        from pytest_modelgate.drift._data import as_table

        ranked = sorted((k for k, c in res.columns.items() if not c.skipped),
                        key=lambda k: _rank(res.columns[k]))
        ref_table = None if isinstance(reference, Profile) else as_table(reference, "reference")
        cur_table = as_table(current, "current")
        out: dict[str, Any] = {}
        for name in ranked[:max_columns]:
            cat = res.columns[name].kind in ("categorical", "binary")
            ref: ColumnSummary | _Raw | None
            if isinstance(reference, Profile):
                ref = reference.summary(name)
                cat = ref.kind == "categorical"
            else:
                ref = _summary(ref_table, name, cat)
            cur = _summary(cur_table, name, cat)
            if ref is None or cur is None:
                continue
            plot = (_categorical(ref, cur) if isinstance(ref, ColumnSummary)
                    and isinstance(cur, ColumnSummary) and ref.kind == "categorical"
                    else _numeric(ref, cur))
            if plot is not None:
                out[str(name)] = plot
        sampled = max(getattr(ref_table, "n_rows", 0), cur_table.n_rows) > DRIFT_PLOT_ROWS
        return {"columns": out, "omitted": max(0, len(ranked) - max_columns),
                **({"sampled": DRIFT_PLOT_ROWS} if sampled else {})}
    except Exception:
        return None


@dataclass(frozen=True)
class _Raw:
    """The finite values of a plain numeric column, unsorted (no engine summary needed)."""

    x: np.ndarray
    kind: str = "numeric"


def _summary(table: Any, name: Hashable, categorical: bool) -> ColumnSummary | _Raw | None:
    from pytest_modelgate.drift._data import summarize

    if name not in table.names:
        return None
    col = table.column(table.names.index(name))
    n = len(col)
    if n > DRIFT_PLOT_ROWS:
        step = -(-n // DRIFT_PLOT_ROWS)
        col = col.iloc[::step] if hasattr(col, "iloc") else col[::step]
    kind = getattr(getattr(col, "dtype", None), "kind", "")
    if not categorical and kind in ("f", "i", "u") and str(col.dtype)[:1] in "fiu":
        x = np.asarray(col, dtype=float)
        return _Raw(x[np.isfinite(x)])
    return summarize(col, categorical=categorical, name=name)


def _quantiles(s: ColumnSummary | _Raw, probs: Sequence[float]) -> np.ndarray:
    if isinstance(s, _Raw):  # the range of the bins: exact ends, inner quantiles from a sample
        if not s.x.size:
            return np.full(len(probs), np.nan)
        sample = s.x[:: max(1, s.x.size // _RANGE_ROWS)]
        out = np.asarray(np.quantile(sample, probs), dtype=float)
        out[0], out[-1] = s.x.min(), s.x.max()
        return out
    if s.values is not None:
        if not s.values.size:
            return np.full(len(probs), np.nan)
        return np.asarray(np.quantile(s.values, probs), dtype=float)
    assert s.quantiles is not None
    assert s.probs is not None
    return np.asarray(np.interp(probs, s.probs, s.quantiles), dtype=float)


def _cdf(s: ColumnSummary, x: np.ndarray) -> np.ndarray:
    if s.values is not None:
        return np.asarray(np.searchsorted(s.values, x, side="right") / max(s.values.size, 1))
    assert s.quantiles is not None
    assert s.probs is not None
    return np.asarray(np.interp(x, s.quantiles, s.probs, left=0.0, right=1.0), dtype=float)


def _shares(s: ColumnSummary | _Raw, edges: np.ndarray) -> np.ndarray:
    """Share of the finite values in each bin, values beyond the ends counted in the end bins."""
    if isinstance(s, _Raw):  # equal-width bins: index arithmetic, no sort
        bins = len(edges) - 1
        idx = np.clip(np.floor((s.x - edges[0]) * (bins / (edges[-1] - edges[0]))), 0, bins - 1)
        counts = np.bincount(idx.astype(np.intp), minlength=bins)
        return np.asarray(counts / max(s.x.size, 1), dtype=float)
    cdf = np.concatenate([[0.0], _cdf(s, edges[1:-1]), [1.0]])
    return np.asarray(np.clip(np.diff(cdf), 0.0, 1.0), dtype=float)


def _numeric(ref: ColumnSummary | _Raw, cur: ColumnSummary | _Raw) -> dict[str, Any] | None:
    """Shares of finite values in common bins over the pooled 0.5–99.5% range; values outside
    that range are counted in the end bins (`clipped`)."""
    if ref.kind != "numeric" or cur.kind != "numeric":
        return None
    qr, qc = _quantiles(ref, (0.0, 0.005, 0.995, 1.0)), _quantiles(cur, (0.0, 0.005, 0.995, 1.0))
    if not (np.isfinite(qr).all() and np.isfinite(qc).all()):
        return None
    lo, hi = min(qr[1], qc[1]), max(qr[2], qc[2])
    if hi <= lo:
        lo, hi = min(qr[0], qc[0]), max(qr[3], qc[3])
    if hi <= lo:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, DRIFT_BINS + 1)
    shares = [[_r(v) for v in _shares(s, edges)] for s in (ref, cur)]
    clipped = bool(min(qr[0], qc[0]) < lo or max(qr[3], qc[3]) > hi)
    return {"kind": "numeric", "edges": [_r(e) for e in edges], "reference": shares[0],
            "current": shares[1], "clipped": clipped,
            "range": [_r(min(qr[0], qc[0])), _r(max(qr[3], qc[3]))]}


def _categorical(ref: ColumnSummary, cur: ColumnSummary) -> dict[str, Any] | None:
    """Shares of the `DRIFT_MAX_CATEGORIES` largest categories (by either side), the rest as
    one "(other)" share."""
    if cur.kind != "categorical" or ref.counts is None or cur.counts is None:
        return None
    r = _category_shares(ref.categories, ref.counts)
    c = _category_shares(cur.categories, cur.counts)
    keys = sorted(set(r) | set(c), key=lambda k: (-max(r.get(k, 0.0), c.get(k, 0.0)), k))
    top = keys[:DRIFT_MAX_CATEGORIES]
    ref_shares = [_r(r.get(k, 0.0)) for k in top]
    cur_shares = [_r(c.get(k, 0.0)) for k in top]
    if len(keys) > len(top):
        top = [*top, "(other)"]
        ref_shares.append(_r(1.0 - sum(r.get(k, 0.0) for k in keys[:DRIFT_MAX_CATEGORIES])))
        cur_shares.append(_r(1.0 - sum(c.get(k, 0.0) for k in keys[:DRIFT_MAX_CATEGORIES])))
    return {"kind": "categorical", "categories": top, "reference": ref_shares,
            "current": cur_shares}


def _category_shares(categories: Sequence[Any], counts: Any) -> Mapping[str, float]:
    total = float(np.sum(counts)) or 1.0
    return {str(k): float(n) / total for k, n in zip(categories, counts, strict=True)}
