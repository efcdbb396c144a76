"""Calibration: reliability bins, ECE / MCE, the Murphy decomposition of the Brier score, and a
vectorised bootstrap interval for ECE.

Binning follows scikit-learn's `calibration_curve` exactly: `uniform` edges are
``linspace(0, 1, n_bins + 1)``, `quantile` edges are ``percentile(conf, linspace(0, 100, n_bins
+ 1))``, and a row goes to ``searchsorted(edges[1:-1], conf)`` (a value on an inner edge falls in
the lower bin). Unlike `calibration_curve`, empty bins are kept (reported with None) so every
bin of the diagram has its edges; quantile edges may repeat when scores tie, and the bins between
repeated edges are then empty.

Binary problems use the positive-class probability (the curve `calibration_curve` draws);
multiclass problems use the top label (confidence = the largest probability, accuracy = the
argmax is right), with one-vs-rest curves per class beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate._numbers import format_interval
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = [
    "STRATEGIES",
    "BrierDecomposition",
    "CalibrationResult",
    "ClassCalibration",
    "Reliability",
    "bin_edges",
    "brier_decomposition",
    "calibration",
    "calibration_interval",
    "ece",
    "mce",
    "reliability",
]

F = NDArray[np.float64]
I64 = NDArray[np.int64]
STRATEGIES = ("uniform", "quantile")
DEFAULT_BINS = 10
_MIN_ROWS = 20  # as the other bootstraps: fewer rows give an interval that says nothing


# --- input handling ---------------------------------------------------------------------------


def _check_bins(n_bins: Any, strategy: Any) -> tuple[int, str]:
    if isinstance(n_bins, bool) or not isinstance(n_bins, (int, np.integer)) or n_bins < 1:
        raise ConfigError(f"n_bins: must be a positive integer (e.g. 10), got {n_bins!r}")
    if strategy not in STRATEGIES:
        raise ConfigError(f"strategy: must be 'uniform' (equal-width bins) or 'quantile' "
                          f"(equal-mass bins), got {strategy!r}")
    return int(n_bins), str(strategy)


@dataclass(frozen=True)
class _Curve:
    """Per-row confidence and 0/1 outcome of one reliability curve, with optional weights."""

    conf: F
    hit: F
    weight: F | None


def _as_arrays(y_true: Any, proba: Any, sample_weight: Any) -> tuple[NDArray[Any], F,
                                                                     F | None]:
    from ._inputs import _check_finite, as_array, check_weight

    yt = as_array(y_true, "y_true")
    p = as_array(proba, "proba", allow_2d=True)
    if p.dtype.kind not in "biuf":
        raise InputError(f"proba: needs numeric probabilities, got dtype {p.dtype}")
    p = p.astype(np.float64)
    if yt.shape[0] != p.shape[0]:
        raise InputError(f"y_true and proba have different lengths: y_true {yt.shape} vs proba "
                         f"{p.shape}; pass one probability row per target row")
    _check_finite(yt, "y_true")
    _check_finite(p, "proba")
    lo, hi = float(p.min()), float(p.max())
    if lo < 0 or hi > 1:
        raise InputError(f"proba: needs probabilities in [0; 1], got values in "
                         f"{format_interval(lo, hi, tiny=True)}; pass model.predict_proba(X) (or apply a sigmoid/softmax)")
    return yt, p, check_weight(sample_weight, int(yt.shape[0]))


def _class_labels(yt: NDArray[Any], k: int, labels: Any) -> NDArray[Any]:
    """The class label of each of the k probability columns."""
    if labels is not None:
        lab = np.asarray(labels)
        if lab.ndim != 1 or lab.shape[0] != k:
            raise InputError(f"labels: must list one label per probability column ({k}), got "
                             f"{lab.tolist()!r}")
        unknown = np.setdiff1d(np.unique(yt), lab)
        if unknown.size:
            raise InputError(f"y_true: holds label(s) {unknown.tolist()!r} that are not in "
                             f"labels={lab.tolist()!r}")
        return lab
    present = np.unique(yt)
    if present.size == k:
        return present
    if yt.dtype.kind in "iu" and present.size < k and present.min() >= 0 and present.max() < k:
        return np.arange(k)
    raise InputError(f"proba: has {k} columns but y_true holds {present.size} classes "
                     f"({present.tolist()[:10]!r}); pass labels=model.classes_ to say which "
                     "column is which class")


def _present(yt: NDArray[Any]) -> NDArray[Any]:
    """The distinct labels; integer labels spanning at most 2 values skip the sort."""
    if yt.dtype.kind in "biu":
        lo, hi = yt.min(), yt.max()
        if int(hi) - int(lo) <= 1:
            return np.unique(np.asarray([lo, hi], dtype=yt.dtype))
    return np.unique(yt)


def _binary_curve(yt: NDArray[Any], p: F, w: F | None, pos_label: Any) -> _Curve:
    present = _present(yt)
    if present.size > 2:
        raise InputError(f"proba: is 1-D but y_true holds {present.size} classes; pass the "
                         f"(n, {present.size}) probability matrix")
    if pos_label is None:
        pos_label = 1 if present.size == 1 and present[0] in (0, 1) else present[-1]
    return _Curve(p, (yt == pos_label).astype(np.float64), w)


def _curves(yt: NDArray[Any], p: F, w: F | None, pos_label: Any = None,
            labels: Any = None) -> tuple[str, _Curve, NDArray[Any] | None]:
    """("binary" | "multiclass", the headline curve, the column labels for multiclass)."""
    if p.ndim == 1:
        return "binary", _binary_curve(yt, p, w, pos_label), None
    k = p.shape[1]
    sums = p.sum(axis=1)
    off = np.abs(sums - 1.0) > 1e-5
    if off.any():
        i = int(np.flatnonzero(off)[0])
        raise InputError(f"proba: probability rows must sum to 1; {int(off.sum())} row(s) do "
                         f"not (row {i} sums to {_num(float(sums[i]), digits=6)}); pass predict_proba "
                         "output or normalise each row")
    lab = _class_labels(yt, k, labels)
    if k == 2:
        return "binary", _Curve(p[:, 1], (yt == lab[1]).astype(np.float64), w), lab
    top = np.argmax(p, axis=1)
    return "multiclass", _Curve(p[np.arange(p.shape[0]), top],
                                (lab[top] == yt).astype(np.float64), w), lab


# --- bins ---------------------------------------------------------------------------------------


def bin_edges(conf: F, n_bins: int, strategy: str) -> F:
    """The n_bins + 1 bin edges, as scikit-learn's `calibration_curve` computes them."""
    if strategy == "quantile":
        return np.asarray(np.percentile(conf, np.linspace(0.0, 1.0, n_bins + 1) * 100),
                          dtype=np.float64)
    return np.linspace(0.0, 1.0, n_bins + 1)


def _bin_ids(conf: F, edges: F) -> I64:
    return np.searchsorted(edges[1:-1], conf).astype(np.int64)


@dataclass(frozen=True)
class Reliability:
    """A reliability diagram: per bin its edges, rows, mean confidence and accuracy (None when
    empty). `to_dict()` is what `details["reliability"]` holds for the HTML report."""

    strategy: str
    n_bins: int
    lo: tuple[float, ...]
    hi: tuple[float, ...]
    n: tuple[int, ...]
    confidence: tuple[float | None, ...]
    accuracy: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "n_bins": self.n_bins,
                "bins": [{"lo": a, "hi": b, "n": c, "confidence": d, "accuracy": e}
                         for a, b, c, d, e in zip(self.lo, self.hi, self.n, self.confidence,
                                                  self.accuracy, strict=True)]}


@dataclass(frozen=True)
class _Binned:
    edges: F
    ids: I64
    count: F   # rows per bin
    weight: F  # summed weights per bin (= count unweighted)
    conf: F    # summed weighted confidence per bin
    hit: F     # summed weighted outcome per bin


def _bin(curve: _Curve, n_bins: int, strategy: str) -> _Binned:
    edges = bin_edges(curve.conf, n_bins, strategy)
    ids = _bin_ids(curve.conf, edges)
    count = np.bincount(ids, minlength=n_bins).astype(np.float64)
    w = curve.weight
    weight = count if w is None else np.bincount(ids, weights=w, minlength=n_bins)
    cw = curve.conf if w is None else curve.conf * w
    hw = curve.hit if w is None else curve.hit * w
    return _Binned(edges, ids, count, weight.astype(np.float64),
                   np.bincount(ids, weights=cw, minlength=n_bins).astype(np.float64),
                   np.bincount(ids, weights=hw, minlength=n_bins).astype(np.float64))


def _reliability(b: _Binned, strategy: str) -> Reliability:
    nb = b.count.size
    conf: list[float | None] = []
    acc: list[float | None] = []
    for i in range(nb):
        if b.weight[i] > 0:
            conf.append(float(b.conf[i] / b.weight[i]))
            acc.append(float(b.hit[i] / b.weight[i]))
        else:
            conf.append(None)
            acc.append(None)
    return Reliability(strategy, nb, tuple(float(x) for x in b.edges[:-1]),
                       tuple(float(x) for x in b.edges[1:]), tuple(int(x) for x in b.count),
                       tuple(conf), tuple(acc))


def _ece(b: _Binned) -> float:
    return float(np.abs(b.hit - b.conf).sum() / b.weight.sum())


def _mce(b: _Binned) -> float:
    ok = b.weight > 0
    return float((np.abs(b.hit[ok] - b.conf[ok]) / b.weight[ok]).max())


def _direction(b: _Binned, binary: bool) -> tuple[str, float]:
    """("over-confident" | "under-confident", share of the ECE in bins of that direction).

    Top-label: over-confident where mean confidence > accuracy. Positive-class (binary): where
    the predicted probability is more extreme than the observed rate (further from 0.5).
    """
    ok = b.weight > 0
    conf = b.conf[ok] / b.weight[ok]
    acc = b.hit[ok] / b.weight[ok]
    gap = np.abs(conf - acc) * b.weight[ok]
    over = (np.abs(conf - 0.5) > np.abs(acc - 0.5)) if binary else (conf > acc)
    total = float(gap.sum())
    if total <= 1e-12 * float(b.weight[ok].sum()):  # an ECE of float noise
        return "calibrated", 0.0
    share = float(gap[over].sum()) / total
    return ("over-confident", share) if share >= 0.5 else ("under-confident", 1.0 - share)


# --- public metric functions --------------------------------------------------------------------


def reliability(y_true: Any, proba: Any, *, n_bins: int = DEFAULT_BINS,
                strategy: str = "uniform", sample_weight: Any = None, pos_label: Any = None,
                labels: Any = None) -> Reliability:
    """The reliability diagram (binary: positive class; multiclass: top label)."""
    nb, st = _check_bins(n_bins, strategy)
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    _, curve, _ = _curves(yt, p, w, pos_label, labels)
    return _reliability(_bin(curve, nb, st), st)


def ece(y_true: Any, proba: Any, *, n_bins: int = DEFAULT_BINS, strategy: str = "uniform",
        sample_weight: Any = None, pos_label: Any = None, labels: Any = None) -> float:
    """Expected calibration error: sum over bins of (bin weight share) x |accuracy - confidence|."""
    nb, st = _check_bins(n_bins, strategy)
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    _, curve, _ = _curves(yt, p, w, pos_label, labels)
    return _ece(_bin(curve, nb, st))


def mce(y_true: Any, proba: Any, *, n_bins: int = DEFAULT_BINS, strategy: str = "uniform",
        sample_weight: Any = None, pos_label: Any = None, labels: Any = None) -> float:
    """Maximum calibration error: the largest |accuracy - confidence| over non-empty bins."""
    nb, st = _check_bins(n_bins, strategy)
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    _, curve, _ = _curves(yt, p, w, pos_label, labels)
    return _mce(_bin(curve, nb, st))


def ece_quantile(y_true: Any, proba: Any, *, n_bins: int = DEFAULT_BINS,
                 sample_weight: Any = None, pos_label: Any = None, labels: Any = None) -> float:
    """ECE over equal-mass (quantile) bins."""
    return ece(y_true, proba, n_bins=n_bins, strategy="quantile", sample_weight=sample_weight,
               pos_label=pos_label, labels=labels)


@dataclass(frozen=True)
class BrierDecomposition:
    """Murphy's decomposition of the Brier score over the reliability bins.

    Exactly: brier = reliability - resolution + uncertainty + within_bin_variance
    - 2 * within_bin_covariance; the last two terms vanish when the forecasts within each bin
    are equal, so brier ~= reliability - resolution + uncertainty (Stephenson et al. 2008).
    Multiclass: the one-vs-rest decompositions summed over classes (sklearn's unhalved score).
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float
    n_bins: int
    strategy: str

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "brier", "reliability", "resolution", "uncertainty", "within_bin_variance",
            "within_bin_covariance", "n_bins", "strategy")}


_Six = tuple[float, float, float, float, float, float]


def _murphy(curve: _Curve, nb: int, st: str, binned: _Binned | None = None) -> _Six:
    b = _bin(curve, nb, st) if binned is None else binned
    w = np.ones_like(curve.conf) if curve.weight is None else curve.weight
    total = float(w.sum())
    ok = b.weight > 0
    fbar = np.zeros(nb)
    obar = np.zeros(nb)
    fbar[ok] = b.conf[ok] / b.weight[ok]
    obar[ok] = b.hit[ok] / b.weight[ok]
    base = float(b.hit.sum() / total)
    rel = float((b.weight * (fbar - obar) ** 2).sum() / total)
    res = float((b.weight * (obar - base) ** 2).sum() / total)
    unc = base * (1.0 - base)
    df = curve.conf - fbar[b.ids]
    do = curve.hit - obar[b.ids]
    wbv = float((w * df * df).sum() / total)
    wbc = float((w * df * do).sum() / total)
    brier = float((w * (curve.conf - curve.hit) ** 2).sum() / total)
    return brier, rel, res, unc, wbv, wbc


def brier_decomposition(y_true: Any, proba: Any, *, n_bins: int = DEFAULT_BINS,
                        strategy: str = "uniform", sample_weight: Any = None,
                        pos_label: Any = None, labels: Any = None) -> BrierDecomposition:
    """Brier score with its reliability, resolution and uncertainty terms (binned)."""
    nb, st = _check_bins(n_bins, strategy)
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    kind, curve, lab = _curves(yt, p, w, pos_label, labels)
    if kind == "binary":
        parts = np.asarray(_murphy(curve, nb, st))
    else:
        assert lab is not None
        parts = np.sum([_murphy(_Curve(p[:, j], (yt == c).astype(np.float64), w), nb, st)
                        for j, c in enumerate(lab)], axis=0)
    brier, rel, res, unc, wbv, wbc = (float(x) for x in parts)
    return BrierDecomposition(brier, rel, res, unc, wbv, wbc, n_bins=nb, strategy=st)


# --- the vectorised bootstrap -------------------------------------------------------------------


def _cell_bootstrap(curve: _Curve, b: _Binned, n_resamples: int,
                    rng: np.random.Generator) -> tuple[F, F]:
    """(ECE, MCE) replicates of a row bootstrap, computed from per-bin sums.

    Unweighted: the rows fall in 2 x n_bins cells (bin, outcome); a resample's cell counts are
    one multinomial draw (exact, so the accuracy sums are exact too), and each cell's confidence
    sum is drawn from its exact bootstrap mean and variance (normal, clipped to the cell's
    range; within a bin the confidences differ by at most the bin width, so this term is small).
    Weighted: an exact row bootstrap of the per-bin weighted sums, in chunks.
    """
    nb = b.count.size
    n = curve.conf.size
    if curve.weight is None:
        cell = b.ids * 2 + curve.hit.astype(np.int64)
        k = 2 * nb
        m = np.bincount(cell, minlength=k).astype(np.float64)
        s1 = np.bincount(cell, weights=curve.conf, minlength=k)
        s2 = np.bincount(cell, weights=curve.conf * curve.conf, minlength=k)
        has = m > 0
        mean = np.where(has, s1 / np.where(has, m, 1.0), 0.0)
        var = np.maximum(np.where(has, s2 / np.where(has, m, 1.0), 0.0) - mean * mean, 0.0)
        cmin = np.full(k, np.inf)
        cmax = np.full(k, -np.inf)
        np.minimum.at(cmin, cell, curve.conf)
        np.maximum.at(cmax, cell, curve.conf)
        cmin[~has] = 0.0
        cmax[~has] = 0.0
        counts = rng.multinomial(n, m / n, size=n_resamples).astype(np.float64)
        sums = counts * mean + np.sqrt(counts * var) * rng.standard_normal((n_resamples, k))
        sums = np.clip(sums, counts * cmin, counts * cmax)
        weight = counts[:, 0::2] + counts[:, 1::2]
        hit = counts[:, 1::2]
        conf = sums[:, 0::2] + sums[:, 1::2]
    else:
        from ._ci import _chunks

        weight = np.empty((n_resamples, nb))
        hit = np.empty((n_resamples, nb))
        conf = np.empty((n_resamples, nb))
        w = curve.weight
        start = 0
        for c in _chunks(n, n_resamples):
            idx = rng.integers(0, n, size=(c, n))
            key = (b.ids[idx] + (np.arange(c, dtype=np.int64) * nb)[:, None]).ravel()
            wi = w[idx].ravel()
            for out, vals in ((weight, wi), (hit, wi * curve.hit[idx].ravel()),
                              (conf, wi * curve.conf[idx].ravel())):
                out[start:start + c] = np.bincount(key, weights=vals,
                                                   minlength=c * nb).reshape(c, nb)
            start += c
    gap = np.abs(hit - conf)
    ece_reps = gap.sum(axis=1) / weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(weight > 0, gap / np.where(weight > 0, weight, 1.0), -np.inf)
    return ece_reps, per.max(axis=1)


def _percentile_ci(reps: F, value: float, confidence: float) -> tuple[float, float]:
    a = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(reps, [a, 1.0 - a])
    # an interval that excludes its own estimate is never useful for gating
    return float(max(min(lo, value), 0.0)), float(min(max(hi, value), 1.0))


def calibration_interval(y_true: Any, proba: Any, *, which: str, confidence: float,
                         n_resamples: int, seed: int, n_bins: int = DEFAULT_BINS,
                         strategy: str = "uniform", sample_weight: Any = None,
                         pos_label: Any = None, labels: Any = None,
                         ) -> tuple[tuple[float, float] | None, dict[str, Any]]:
    """The bootstrap interval of `which` ("ece" or "mce"); the metric registry's CI family."""
    nb, st = _check_bins(n_bins, strategy)
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    _, curve, _ = _curves(yt, p, w, pos_label, labels)
    if curve.conf.size < _MIN_ROWS:
        return None, {"min_rows": _MIN_ROWS, "note": f"too few rows ({curve.conf.size}) for a "
                      f"bootstrap interval; at least {_MIN_ROWS} are needed"}
    b = _bin(curve, nb, st)
    e, m = _cell_bootstrap(curve, b, n_resamples, np.random.default_rng(seed))
    value = _ece(b) if which == "ece" else _mce(b)
    return _percentile_ci(e if which == "ece" else m, value, confidence), {
        "resampling": _RESAMPLING[curve.weight is not None], "n_resamples": n_resamples}


_RESAMPLING = {False: "multinomial resampling of (bin, outcome) cell counts, bins fixed",
               True: "row bootstrap of the weighted per-bin sums, bins fixed"}


# --- the whole calibration report ---------------------------------------------------------------


@dataclass(frozen=True)
class ClassCalibration:
    """One class's one-vs-rest calibration (multiclass)."""

    label: str
    ece: float
    ci: tuple[float, float] | None
    n_positive: int
    reliability: Reliability
    direction: str
    direction_share: float


@dataclass(frozen=True)
class CalibrationResult:
    """ECE (binary: positive class; multiclass: top label) with its interval, MCE, the
    reliability diagram, over/under-confidence, the Brier decomposition and, for multiclass,
    every class's one-vs-rest calibration."""

    kind: str
    ece: float
    ci: tuple[float, float] | None
    confidence: float | None
    method: str | None
    mce: float
    n: int
    n_bins: int
    strategy: str
    reliability: Reliability
    direction: str
    direction_share: float
    brier: BrierDecomposition
    per_class: Mapping[str, ClassCalibration] = field(default_factory=dict)
    n_resamples: int | None = None
    seed: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    #: every probability is exactly 0 or 1: hard labels, or a forecast with no uncertainty
    hard: bool = False

    @property
    def worst_class(self) -> ClassCalibration | None:
        if not self.per_class:
            return None
        return max(self.per_class.values(), key=lambda c: (
            c.ci[0] if c.ci is not None else c.ece, c.ece))


def calibration(
    y_true: Any,
    proba: Any,
    *,
    n_bins: int = DEFAULT_BINS,
    strategy: str = "uniform",
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    pos_label: Any = None,
    labels: Any = None,
) -> CalibrationResult:
    """Calibration of predicted probabilities, with seeded bootstrap intervals at `confidence`."""
    from pytest_modelgate._params import CONFIDENCE, check_param, resamples

    nb, st = _check_bins(n_bins, strategy)
    conf = None if confidence is None else float(check_param(confidence, "confidence",
                                                             CONFIDENCE))
    check_param(n_resamples, "n_resamples", resamples(10))
    yt, p, w = _as_arrays(y_true, proba, sample_weight)
    kind, curve, lab = _curves(yt, p, w, pos_label, labels)
    n = int(yt.shape[0])
    rng = np.random.default_rng(seed)
    details: dict[str, Any] = {}

    def interval(c: _Curve, b: _Binned, value: float) -> tuple[float, float] | None:
        if conf is None:
            return None
        if n < _MIN_ROWS:
            details.update(min_rows=_MIN_ROWS, note=f"too few rows ({n}) for a bootstrap "
                           f"interval; at least {_MIN_ROWS} are needed")
            return None
        reps, _ = _cell_bootstrap(c, b, n_resamples, rng)
        return _percentile_ci(reps, value, conf)

    b = _bin(curve, nb, st)
    value = _ece(b)
    ci = interval(curve, b, value)
    direction, share = _direction(b, kind == "binary")
    per_class: dict[str, ClassCalibration] = {}
    if kind == "multiclass":
        assert lab is not None
        for j, c in enumerate(lab.tolist()):
            cc = _Curve(p[:, j], (yt == lab[j]).astype(np.float64), w)
            cb = _bin(cc, nb, st)
            cv = _ece(cb)
            d, s = _direction(cb, True)
            per_class[str(c)] = ClassCalibration(str(c), cv, interval(cc, cb, cv),
                                                 int(cc.hit.sum()), _reliability(cb, st), d, s)
    resampled = conf is not None and ci is not None
    if resampled:
        details["resampling"] = _RESAMPLING[w is not None]
    return CalibrationResult(
        kind=kind, ece=value, ci=ci, confidence=conf,
        method=("bootstrap" if resampled else ("none" if conf is not None else None)),
        mce=_mce(b), n=n, n_bins=nb, strategy=st, reliability=_reliability(b, st),
        direction=direction, direction_share=share,
        brier=(BrierDecomposition(*_murphy(curve, nb, st, b), n_bins=nb, strategy=st)
               if kind == "binary" else
               brier_decomposition(yt, p, n_bins=nb, strategy=st, sample_weight=w,
                                   pos_label=pos_label, labels=labels)),
        per_class=per_class, n_resamples=n_resamples if resampled else None,
        seed=seed if resampled else None, details=details,
        hard=bool(np.all((p == 0) | (p == 1))))
