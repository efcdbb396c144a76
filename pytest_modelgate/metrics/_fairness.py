"""Group fairness: demographic parity, equalized odds and equal opportunity (differences and
ratios, as Fairlearn defines them), and the gap of any registered metric across groups, each
with a seeded bootstrap interval stratified by group.

Definitions (Fairlearn's `between_groups` method): a rate is computed per group; the difference
is its largest minus its smallest value, the ratio its smallest over its largest. Selection rate
= share of rows predicted positive; TPR = share of the actual positives predicted positive; FPR =
share of the actual negatives predicted positive. Equalized odds takes the worse of the TPR and
FPR differences (ratios). One deliberate difference from Fairlearn: a group in which a rate is
undefined (TPR of a group without actual positives) is left out of that rate's difference with a
note, where Fairlearn counts the rate as 0; and a ratio whose rates are all 0 is 1 (equal), where
Fairlearn returns NaN.

The interval resamples rows within each group (group sizes fixed, as the data were collected).
Rate metrics: a group's resampled (true, predicted) cell counts are one multinomial draw, so
the bootstrap is exact and costs O(resamples x groups); other metrics use the confusion-matrix
fast path where it applies, else one metric call per group and resample.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = ["RATE_METRICS", "FairnessResult", "GroupStat", "fairness", "group_keys"]

F = NDArray[np.float64]
#: fairness metric -> (the rates it compares, "difference" | "ratio")
RATE_METRICS: Mapping[str, tuple[tuple[str, ...], str]] = {
    "demographic_parity_difference": (("selection_rate",), "difference"),
    "demographic_parity_ratio": (("selection_rate",), "ratio"),
    "equalized_odds_difference": (("true_positive_rate", "false_positive_rate"), "difference"),
    "equalized_odds_ratio": (("true_positive_rate", "false_positive_rate"), "ratio"),
    "equal_opportunity_difference": (("true_positive_rate",), "difference"),
    "equal_opportunity_ratio": (("true_positive_rate",), "ratio"),
}
_MIN_ROWS = 20
#: a group with fewer rows has no meaningful rate interval: the gate is inconclusive
MIN_GROUP_ROWS = 10


@dataclass(frozen=True)
class GroupStat:
    """One group: key, rows, the compared value (rate or metric) with its interval, and every
    rate of a rate metric (`rates`: name -> value, None when undefined in this group)."""

    key: str
    n: int
    value: float | None
    ci: tuple[float, float] | None
    rates: Mapping[str, float | None] = field(default_factory=dict)
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "n": self.n, "value": self.value,
                "ci": list(self.ci) if self.ci is not None else None, "rates": dict(self.rates),
                **({"note": self.note} if self.note else {})}


@dataclass(frozen=True)
class FairnessResult:
    """A fairness measure over the groups of `features`, with its bootstrap interval.

    `kind` is "difference" (0 is fair, lower is better) or "ratio" (1 is fair, higher is better);
    `worst_pair` = (group with the highest value, group with the lowest) of the deciding rate
    (`rate`); `smallest` is the smallest group, the one that limits the interval's width.
    """

    metric: str
    kind: str
    value: float
    ci: tuple[float, float] | None
    confidence: float | None
    method: str | None
    n: int
    features: tuple[str, ...]
    groups: tuple[GroupStat, ...]
    worst_pair: tuple[str, str] | None
    rate: str
    smallest: str
    n_resamples: int | None = None
    seed: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def direction(self) -> str:
        return "higher" if self.kind == "ratio" else "lower"


# --- groups --------------------------------------------------------------------------------------


def _feature_list(sensitive: Any, X: Any) -> list[Any]:
    """One entry per sensitive feature: a column name of X or a per-row array."""
    if sensitive is None:
        raise ConfigError("sensitive: is required; pass an array of group labels, a column name "
                          "of X, or a DataFrame / list of several sensitive features")
    if isinstance(sensitive, str):
        return [sensitive]
    if getattr(sensitive, "ndim", 1) == 2 and hasattr(sensitive, "columns"):  # a DataFrame
        return [sensitive[c] for c in sensitive.columns]
    if isinstance(sensitive, (list, tuple)) and sensitive:
        columns = {str(c) for c in getattr(X, "columns", [])}
        if all(isinstance(s, str) for s in sensitive) and set(sensitive) <= columns:
            return list(sensitive)  # column names of X
        if all(not isinstance(s, str) and not np.isscalar(s) and hasattr(s, "__len__")
               for s in sensitive):
            return list(sensitive)  # several per-row arrays
        return [sensitive]  # one label per row
    if getattr(sensitive, "ndim", 1) == 2 and not hasattr(sensitive, "to_numpy"):
        arr = np.asarray(sensitive)
        return [arr[:, j] for j in range(arr.shape[1])]
    return [sensitive]


def group_keys(sensitive: Any, n: int, X: Any = None) -> tuple[tuple[str, ...], NDArray[Any],
                                                                 NDArray[np.int64]]:
    """(feature names, sorted group keys, per-row group index) for one or several features.

    Several features are combined: a group is one combination present in the data, keyed
    "feature=value, feature=value".
    """
    from ._slices import slice_keys

    feats = _feature_list(sensitive, X)
    names: list[str] = []
    codes: list[NDArray[np.int64]] = []
    uniques: list[NDArray[Any]] = []
    for j, f in enumerate(feats):
        col, keys = slice_keys(f, n, X)
        if col == "slice":
            col = "sensitive" if len(feats) == 1 else f"sensitive_{j}"
        u, inv = np.unique(keys, return_inverse=True)
        names.append(col)
        uniques.append(u)
        codes.append(inv.astype(np.int64).ravel())
    if len(feats) == 1:
        return tuple(names), uniques[0].astype(str), codes[0]
    combined = np.zeros(n, dtype=np.int64)
    for inv, u in zip(codes, uniques, strict=True):
        combined = combined * u.size + inv
    present, gid = np.unique(combined, return_inverse=True)
    labels = []
    for c in present.tolist():
        parts = []
        for u, col in zip(reversed(uniques), reversed(names), strict=True):
            parts.append(f"{col}={u[c % u.size]}")
            c //= u.size
        labels.append(", ".join(reversed(parts)))
    return tuple(names), np.asarray(labels, dtype=str), gid.astype(np.int64).ravel()


# --- rate metrics ----------------------------------------------------------------------------------


def _rates(cells: F) -> dict[str, F]:
    """Rates from (..., 4) cell counts ordered (true 0 pred 0, t0 p1, t1 p0, t1 p1); NaN where
    undefined."""
    with np.errstate(invalid="ignore", divide="ignore"):
        total = cells.sum(axis=-1)
        pos = cells[..., 2] + cells[..., 3]
        neg = cells[..., 0] + cells[..., 1]
        return {
            "selection_rate": np.where(total > 0, (cells[..., 1] + cells[..., 3]) / total,
                                       np.nan),
            "true_positive_rate": np.where(pos > 0, cells[..., 3] / pos, np.nan),
            "false_positive_rate": np.where(neg > 0, cells[..., 1] / neg, np.nan),
        }


def _spread(v: F, kind: str) -> F:
    """Difference (max - min) or ratio (min / max, 1 when all are 0) over the last axis,
    ignoring NaN groups."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        hi = np.nanmax(v, axis=-1)
        lo = np.nanmin(v, axis=-1)
        if kind == "difference":
            return np.asarray(hi - lo, dtype=np.float64)
        return np.asarray(np.where(hi > 0, lo / np.where(hi > 0, hi, 1.0),
                                   np.where(np.isnan(hi), np.nan, 1.0)), dtype=np.float64)


def _combine_rates(per_rate: Sequence[F], kind: str) -> tuple[F, F]:
    """(value, index of the deciding rate): worst case over the rates."""
    stack = np.stack(per_rate, axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if kind == "difference":
            idx = np.argmax(np.nan_to_num(stack, nan=-np.inf), axis=-1)
        else:
            idx = np.argmin(np.nan_to_num(stack, nan=np.inf), axis=-1)
    return np.take_along_axis(stack, idx[..., None], axis=-1)[..., 0], idx


def _pos_label(yt: NDArray[Any], yp: NDArray[Any], pos_label: Any) -> Any:
    """The favourable outcome: `pos_label`, else 1 (True) for 0/1, -1/1 or bool labels. Other
    labels have no obvious favourable outcome (guessing one silently flips every rate), so
    `pos_label=` is required for them, as scikit-learn requires it for string labels."""
    labels = np.unique(np.concatenate([yt, yp]))
    shown = ", ".join(repr(x.item() if isinstance(x, np.generic) else x) for x in labels[:5])
    if pos_label is not None:
        if not np.any(labels == pos_label):
            raise ConfigError(f"pos_label: {pos_label!r} is not among the labels of y_true/"
                              f"y_pred ({shown}); pass one of them")
        return pos_label
    if labels.size > 2:
        raise InputError(f"y_true/y_pred: hold {labels.size} labels but rate-based fairness "
                         "metrics need a binary outcome; pass pos_label= (the favourable "
                         "outcome) or binarise the labels")
    values = set(labels.tolist())
    if values <= {0, 1} or values <= {-1, 1}:
        return True if labels.dtype.kind == "b" else 1
    first = labels[0].item() if isinstance(labels[0], np.generic) else labels[0]
    raise ConfigError(f"pos_label: y_true/y_pred hold the labels {shown}, with no obvious "
                      f"favourable outcome; name it, e.g. pos_label={first!r}")


def _cells_bootstrap(code: NDArray[np.int64], gid: NDArray[np.int64], w: F | None, G: int,
                     n_resamples: int, rng: np.random.Generator) -> F:
    """(B, G, 4) cell counts (or weights) of a bootstrap stratified by group."""
    out = np.empty((n_resamples, G, 4))
    for g in range(G):
        rows = np.flatnonzero(gid == g)
        ng = rows.size
        if w is None:
            c = np.bincount(code[rows], minlength=4).astype(np.float64)
            out[:, g, :] = rng.multinomial(ng, c / ng, size=n_resamples)
            continue
        from ._ci import _chunks

        start = 0
        for ch in _chunks(ng, n_resamples):
            idx = rows[rng.integers(0, ng, size=(ch, ng))]
            key = (code[idx] + (np.arange(ch, dtype=np.int64) * 4)[:, None]).ravel()
            out[start:start + ch, g, :] = np.bincount(
                key, weights=w[idx].ravel(), minlength=ch * 4).reshape(ch, 4)
            start += ch
    return out


# --- metric gaps -------------------------------------------------------------------------------


def _group_metric_reps(spec: Any, yt: NDArray[Any], yp: NDArray[Any], w: F | None,
                       value: float, params: dict[str, Any], n_resamples: int,
                       rng: np.random.Generator) -> F:
    """Bootstrap replicates of one group's metric: the confusion-matrix and AUC fast paths
    (vectorised), else one metric call per resample."""
    from ._ci import _chunks, _close, auc_reps_for, confusion_codes, confusion_fast, resample_counts
    from ._inputs import Checked

    n = yt.shape[0]
    chk = Checked(yt, yp, w, n)
    fast = confusion_fast(spec)
    if fast is not None and w is None and not set(params) - {"pos_label"}:
        codes, k, pos = confusion_codes(spec, chk, params)
        cm = np.bincount(codes, minlength=k * k).astype(np.float64)
        if _close(float(fast(cm.reshape(1, k, k), pos)[0]), value):
            counts = rng.multinomial(n, cm / cm.sum(), size=n_resamples).astype(np.float64)
            with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
                warnings.simplefilter("ignore")
                return np.asarray(fast(counts.reshape(n_resamples, k, k), pos),
                                  dtype=np.float64)
    auc = auc_reps_for(spec, chk) if spec.family == "auc" and not params and np.unique(
        yt).size >= 2 else None
    ones = np.ones(n) if w is None else w
    if auc is not None and _close(float(auc(ones[None, :])[0]), value):
        out = np.empty(n_resamples)
        start = 0
        for c in _chunks(n, n_resamples, width=2 * len(auc.parts)):
            out[start:start + c] = auc(resample_counts(n, c, rng) * ones)
            start += c
        return out
    reps = np.full(n_resamples, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for b in range(n_resamples):
            idx = rng.integers(0, n, size=n)
            with contextlib.suppress(ValueError, ZeroDivisionError, FloatingPointError,
                                     IndexError):
                reps[b] = spec.func(yt[idx], yp[idx],
                                    sample_weight=None if w is None else w[idx], **params)
    return reps


# --- the measure ---------------------------------------------------------------------------------


def _interval(reps: F, value: float, confidence: float) -> tuple[float, float] | None:
    v = reps[np.isfinite(reps)]
    if v.size < max(10, reps.size // 2):
        return None
    a = (1.0 - confidence) / 2.0
    lo, hi = np.quantile(v, [a, 1.0 - a])
    return float(min(lo, value)), float(max(hi, value))


def _opt(x: float) -> float | None:
    return None if not math.isfinite(x) else float(x)


def fairness(
    y_true: Any,
    y_pred: Any,
    *,
    sensitive: Any,
    metric: str = "demographic_parity_difference",
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    pos_label: Any = None,
    X: Any = None,
    min_group_rows: int = MIN_GROUP_ROWS,
    **params: Any,
) -> FairnessResult:
    """A fairness measure over the groups of `sensitive`, with a stratified bootstrap interval.

    `metric`: one of `RATE_METRICS`, or any registered metric name ("accuracy", "recall", ...),
    whose gap (largest minus smallest group value) is measured. `sensitive`: an array of group
    labels, a column name of the DataFrame `X`, or several features (a DataFrame, a list of
    arrays or of column names), combined. `min_group_rows`: the fewest rows every group needs
    for an interval (a smaller group leaves the gap without one).
    """
    from pytest_modelgate._params import CONFIDENCE, Interval, check_param, resamples

    from ._inputs import as_array, check_weight

    if not isinstance(metric, str):
        raise ConfigError(f"metric: must be a fairness metric name or a metric name, got "
                          f"{metric!r}")
    conf = None if confidence is None else float(check_param(confidence, "confidence",
                                                             CONFIDENCE))
    check_param(n_resamples, "n_resamples", resamples(10))
    min_group = int(check_param(min_group_rows, "min_group_rows", Interval("int", 2, None)))
    rng = np.random.default_rng(seed)
    if metric in RATE_METRICS:
        yt = as_array(y_true, "y_true")
        yp = as_array(y_pred, "y_pred")
        if yt.shape[0] != yp.shape[0]:
            raise InputError(f"y_true and y_pred have different lengths: y_true {yt.shape} vs "
                             f"y_pred {yp.shape}; pass one prediction per target row")
        if yp.dtype.kind == "f" and not np.all(yp == np.round(yp)):
            raise InputError("y_pred: looks like scores or probabilities (non-integer floats); "
                             f"{metric!r} needs predicted labels: pass model.predict(X) or "
                             "threshold the scores")
        if params:
            raise ConfigError(f"{metric!r} takes no extra keyword(s) {sorted(params)!r}")
        n = int(yt.shape[0])
        w = check_weight(sample_weight, n)
        features, keys, gid = group_keys(sensitive, n, X)
        _two_groups(keys)
        return _rate_fairness(metric, yt, yp, w, features, keys, gid, pos_label, conf,
                              n_resamples, seed, rng, min_group)
    return _metric_gap(metric, y_true, y_pred, sample_weight, sensitive, X, conf, n_resamples,
                       seed, rng, pos_label, params, min_group)


def _two_groups(keys: NDArray[Any]) -> None:
    if keys.size < 2:
        raise InputError(f"sensitive: fairness needs at least two groups; found one: "
                         f"{str(keys[0])!r}" if keys.size else "sensitive: holds no rows")


def _too_small(keys: NDArray[Any], counts: NDArray[np.int64], min_group: int) -> str:
    """'group 'b' has 1 row' for the groups under `min_group` rows (smallest first)."""
    small = [int(i) for i in np.argsort(counts, kind="stable") if counts[i] < min_group]
    text = ", ".join(f"group {str(keys[i])!r} has {int(counts[i]):,} "
                     f"row{'' if counts[i] == 1 else 's'}" for i in small[:3])
    return text + (f" (and {len(small) - 3} more small groups)" if len(small) > 3 else "")


def _boundary_widen(rates: dict[str, F], cells_n: F, names: Sequence[str], kind: str,
                    value: float, ci: tuple[float, float], conf: float,
                    keys: NDArray[Any]) -> tuple[tuple[float, float], str]:
    """Widen `ci` for groups whose rate is exactly 0 or 1, which a bootstrap cannot vary (a
    zero-width interval): by the rule of three, -ln(1 - confidence) / n is as far as such a
    rate on n rows plausibly is from the boundary. Returns (interval, note or "")."""
    dens = {"selection_rate": cells_n.sum(axis=-1), "true_positive_rate": cells_n[:, 2] +
            cells_n[:, 3], "false_positive_rate": cells_n[:, 0] + cells_n[:, 1]}
    worst, where, lo_rate_all0 = 0.0, "", False
    for r in names:
        v, m = rates[r], dens[r]
        edge = np.isfinite(v) & ((v == 0) | (v == 1)) & (m > 0)
        if not edge.any():
            continue
        d = float(-math.log(1.0 - conf) / m[edge].min())
        fin = v[np.isfinite(v)]
        lo_rate_all0 |= bool(fin.size and np.all(fin == 0))
        if d > worst:
            worst = d
            what = r.replace("_", " ")
            where = (f"the {what} is {_fmt01(float(fin[0]))} in every group" if
                     np.all(fin == fin[0]) else f"the {what} is 0 or 1 in " + ", ".join(
                         repr(str(k)) for k in keys[edge][:5]))
    if not where:
        return ci, ""
    lo, hi = ci
    if kind == "difference":
        hi = max(hi, min(1.0, value + worst))
    else:
        lo = 0.0 if lo_rate_all0 else min(lo, max(0.0, value * (1.0 - worst)))
    if (lo, hi) == ci:
        return ci, ""
    return (lo, hi), (f"{where}: a bootstrap cannot vary a rate of 0 or 1, so the interval is "
                      f"widened by {_fmt01(worst)} (rule of three on the fewest rows behind "
                      "it)")


def _metric_edge_widen(name: str, vals: F, reps: F, counts: NDArray[np.int64], value: float,
                       ci: tuple[float, float], conf: float,
                       keys: NDArray[Any]) -> tuple[tuple[float, float], str]:
    """`_boundary_widen` for a [0, 1]-bounded metric's gap: a group whose value sits at 0 or 1
    and never moves under the bootstrap is widened by the rule of three on its rows."""
    edge = [g for g in range(vals.size) if math.isfinite(vals[g]) and vals[g] in (0.0, 1.0)
            and np.nanmax(reps[:, g]) == np.nanmin(reps[:, g])]
    if not edge:
        return ci, ""
    worst = float(-math.log(1.0 - conf) / min(int(counts[g]) for g in edge))
    hi = max(ci[1], min(1.0, value + worst))
    if hi == ci[1]:
        return ci, ""
    fin = vals[np.isfinite(vals)]
    where = (f"{name} is {_fmt01(float(fin[0]))} in every group" if np.all(fin == fin[0])
             else f"{name} is 0 or 1 in " + ", ".join(repr(str(keys[g])) for g in edge[:5]))
    return (ci[0], hi), (f"{where}: a bootstrap cannot vary it, so the interval is widened by "
                         f"{_fmt01(worst)} (rule of three on the fewest rows behind it)")


def _fmt01(x: float) -> str:
    return _num(x, digits=3)


def _rate_fairness(metric: str, yt: NDArray[Any], yp: NDArray[Any], w: F | None,
                   features: tuple[str, ...], keys: NDArray[Any], gid: NDArray[np.int64],
                   pos_label: Any, conf: float | None, n_resamples: int, seed: int,
                   rng: np.random.Generator, min_group: int = MIN_GROUP_ROWS) -> FairnessResult:
    names, kind = RATE_METRICS[metric]
    pos = _pos_label(yt, yp, pos_label)
    G = keys.size
    code = (2 * (yt == pos).astype(np.int64) + (yp == pos).astype(np.int64))
    flat = gid * 4 + code
    cells = np.bincount(flat, weights=w, minlength=G * 4).reshape(G, 4).astype(np.float64)
    rates = _rates(cells)
    for r in names:
        defined = np.isfinite(rates[r])
        if defined.sum() < 2:
            missing = [str(k) for k in keys[~defined]]
            what = "actual positives" if r == "true_positive_rate" else (
                "actual negatives" if r == "false_positive_rate" else "rows")
            raise InputError(
                f"y_true: {r} is defined in {int(defined.sum())} of {G} groups (no {what} in "
                f"{', '.join(repr(m) for m in missing[:5])}); {metric} needs it in at least two "
                "groups: evaluate on rows where every group has both outcomes")
    per = [_spread(rates[r], kind) for r in names]
    value_arr, which = _combine_rates([np.asarray(p) for p in per], kind)
    value = float(value_arr)
    rate = names[int(which)]
    counts = np.bincount(gid, minlength=G)
    ci: tuple[float, float] | None = None
    group_ci: list[tuple[float, float] | None] = [None] * G
    details: dict[str, Any] = {"pos_label": pos.item() if isinstance(pos, np.generic) else pos}
    if conf is not None:
        if counts.min() < min_group or yt.shape[0] < _MIN_ROWS:
            details["note"] = _small_note(keys, counts, int(yt.shape[0]), min_group)
            details["min_rows"] = _MIN_ROWS
            details["min_group_rows"] = min_group
        else:
            bc = _cells_bootstrap(code, gid, w, G, n_resamples, rng)
            br = _rates(bc)
            reps, _ = _combine_rates([_spread(br[r], kind) for r in names], kind)
            ci = _interval(reps, value, conf)
            if ci is not None and kind == "ratio":
                ci = (max(ci[0], 0.0), min(ci[1], 1.0))
            if ci is not None:
                unweighted = np.bincount(flat, minlength=G * 4).reshape(G, 4).astype(np.float64)
                ci, edge_note = _boundary_widen(rates, unweighted, names, kind, value, ci,
                                                conf, keys)
                if edge_note:
                    details["degenerate"] = edge_note
            for g in range(G):
                group_ci[g] = _interval(br[rate][:, g], float(rates[rate][g]), conf) if (
                    math.isfinite(float(rates[rate][g]))) else None
            details["resampling"] = ("multinomial resampling of each group's (true, predicted) "
                                     "cells" if w is None else "row bootstrap within each group")
    groups = []
    for g in range(G):
        rs = {r: _opt(float(rates[r][g])) for r in ("selection_rate", "true_positive_rate",
                                                      "false_positive_rate")}
        undefined = [r for r in names if rs[r] is None]
        note = (f"{', '.join(undefined)} undefined (no actual "
                f"{'positives' if 'true_positive_rate' in undefined else 'negatives'}): left "
                "out of the difference" if undefined else "")
        groups.append(GroupStat(str(keys[g]), int(counts[g]), rs[rate], group_ci[g], rs, note))
    deciding = np.asarray(rates[rate], dtype=np.float64)
    pair = _pair(deciding, keys)
    resampled = ci is not None
    return FairnessResult(
        metric=metric, kind=kind, value=value, ci=ci, confidence=conf,
        method="bootstrap" if resampled else ("none" if conf is not None else None),
        n=int(yt.shape[0]), features=features, groups=tuple(groups), worst_pair=pair,
        rate=rate, smallest=str(keys[int(np.argmin(counts))]),
        n_resamples=n_resamples if resampled else None, seed=seed if resampled else None,
        details=details)


def _small_note(keys: NDArray[Any], counts: NDArray[np.int64], n: int, min_group: int) -> str:
    if counts.min() < min_group:
        return (f"{_too_small(keys, counts, min_group)}: too few to estimate a group's rate (at "
                f"least {min_group} rows per group are needed for an interval; min_group_rows)")
    return f"too few rows for a bootstrap interval ({n:,}; at least {_MIN_ROWS} are needed)"


def _pair(values: F, keys: NDArray[Any]) -> tuple[str, str] | None:
    """(highest, lowest) group; None when fewer than two groups are defined or all are equal."""
    ok = np.isfinite(values)
    if ok.sum() < 2 or np.nanmax(values) == np.nanmin(values):
        return None
    idx = np.flatnonzero(ok)
    hi = idx[int(np.argmax(values[ok]))]
    lo = idx[int(np.argmin(values[ok]))]
    return str(keys[hi]), str(keys[lo])


def _metric_gap(metric: str, y_true: Any, y_pred: Any, sample_weight: Any, sensitive: Any,
                X: Any, conf: float | None, n_resamples: int, seed: int,
                rng: np.random.Generator, pos_label: Any,
                params: dict[str, Any], min_group: int = MIN_GROUP_ROWS) -> FairnessResult:
    """Largest minus smallest group value of a registered metric (via the slice machinery)."""
    from ._evaluate import resolve_metric
    from ._inputs import check_inputs
    from ._slices import evaluate_slices

    if pos_label is not None:
        params = {**params, "pos_label": pos_label}
    spec = resolve_metric(metric, params.pop("average", None))
    chk = check_inputs(spec, y_true, y_pred, sample_weight)
    features, keys, gid = group_keys(sensitive, chk.n, X)
    _two_groups(keys)
    G = keys.size
    rep = evaluate_slices(spec.name, chk.y_true, chk.y_pred, keys[gid], confidence=conf,
                          n_resamples=n_resamples, seed=seed, sample_weight=chk.sample_weight,
                          min_slice_size=1, **params)
    by_key = {s.key: s for s in rep.slices}
    vals = np.full(G, np.nan)
    groups: list[GroupStat] = []
    for g, key in enumerate(keys.tolist()):
        s = by_key[str(key)]
        r = s.result
        v = r.value if r is not None and math.isfinite(r.value) else None
        if v is not None:
            vals[g] = v
        groups.append(GroupStat(str(key), s.n, v, r.ci if r is not None else None, {},
                                "" if r is not None else s.note))
    if np.isfinite(vals).sum() < 2:
        raise InputError(f"sensitive: {metric!r} could be computed on fewer than two groups "
                         f"({', '.join(g.key + ': ' + (g.note or 'ok') for g in groups)}); a "
                         "gap needs at least two")
    value = float(np.nanmax(vals) - np.nanmin(vals))
    counts = np.bincount(gid, minlength=G)
    ci: tuple[float, float] | None = None
    details: dict[str, Any] = {"direction": spec.direction}
    if "pos_label" in params:
        pl = params["pos_label"]
        details["pos_label"] = pl.item() if isinstance(pl, np.generic) else pl
    if conf is not None:
        if counts.min() < min_group or chk.n < _MIN_ROWS:
            details["note"] = _small_note(keys, counts, chk.n, min_group)
            details["min_rows"] = _MIN_ROWS
            details["min_group_rows"] = min_group
        else:
            reps = np.full((n_resamples, G), np.nan)
            for g in range(G):
                if not math.isfinite(vals[g]):
                    continue
                rows = np.flatnonzero(gid == g)
                reps[:, g] = _group_metric_reps(
                    spec, chk.y_true[rows], chk.y_pred[rows],
                    None if chk.sample_weight is None else chk.sample_weight[rows],
                    float(vals[g]), params, n_resamples, rng)
            ci = _interval(_spread(reps, "difference"), value, conf)
            if ci is not None and tuple(spec.bounds) == (0.0, 1.0):
                ci, edge_note = _metric_edge_widen(spec.name, vals, reps, counts, value, ci,
                                                   conf, keys)
                if edge_note:
                    details["degenerate"] = edge_note
            details["resampling"] = "bootstrap within each group"
    resampled = ci is not None
    return FairnessResult(
        metric=spec.name, kind="difference", value=value, ci=ci, confidence=conf,
        method="bootstrap" if resampled else ("none" if conf is not None else None),
        n=chk.n, features=features, groups=tuple(groups), worst_pair=_pair(vals, keys),
        rate=spec.name, smallest=str(keys[int(np.argmin(counts))]),
        n_resamples=n_resamples if resampled else None, seed=seed if resampled else None,
        details=details)
