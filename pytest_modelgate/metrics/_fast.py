"""Vectorised statistics behind the fast confidence intervals.

Each function works on a *batch*: confusion matrices of shape (B, K, K) or per-resample sums of
shape (B, k), so that one call evaluates a metric on every bootstrap resample at once. At the
observed data (B = 1) each one equals its scikit-learn function; the tests prove it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CONFUSION", "MEANS", "RATIOS", "ConfusionFast", "MeanFast", "RatioFast"]

F = NDArray[np.float64]


def _div(num: F, den: F) -> F:
    """num / den with 0 where den == 0 (scikit-learn's zero_division="warn" value)."""
    out = np.zeros(np.broadcast(num, den).shape, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _parts(cm: F) -> tuple[F, F, F, F]:
    tp = np.diagonal(cm, axis1=1, axis2=2)
    support = cm.sum(axis=2)
    predicted = cm.sum(axis=1)
    total = support.sum(axis=1)
    return tp, support, predicted, total


def _average(per_class: F, support: F, predicted: F, average: str, pos: int) -> F:
    if average == "binary":
        return per_class[:, pos]
    if average == "weighted":
        return _div((per_class * support).sum(axis=1), support.sum(axis=1))
    # macro: over the labels present in y_true or y_pred of that resample (scikit-learn's labels)
    present = (support + predicted) > 0
    return _div((per_class * present).sum(axis=1), present.sum(axis=1).astype(np.float64))


def _precision(cm: F, average: str, pos: int) -> F:
    tp, support, predicted, total = _parts(cm)
    if average == "micro":
        return _div(tp.sum(axis=1), total)
    return _average(_div(tp, predicted), support, predicted, average, pos)


def _recall(cm: F, average: str, pos: int) -> F:
    tp, support, predicted, total = _parts(cm)
    if average == "micro":
        return _div(tp.sum(axis=1), total)
    return _average(_div(tp, support), support, predicted, average, pos)


def _f1(cm: F, average: str, pos: int) -> F:
    tp, support, predicted, total = _parts(cm)
    if average == "micro":
        return _div(tp.sum(axis=1), total)
    return _average(_div(2.0 * tp, support + predicted), support, predicted, average, pos)


def _jaccard(cm: F, average: str, pos: int) -> F:
    tp, support, predicted, total = _parts(cm)
    if average == "micro":
        s = tp.sum(axis=1)
        return _div(s, 2.0 * total - s)
    return _average(_div(tp, support + predicted - tp), support, predicted, average, pos)


def _accuracy(cm: F, average: str, pos: int) -> F:
    tp, _, _, total = _parts(cm)
    return _div(tp.sum(axis=1), total)


def _balanced_accuracy(cm: F, average: str, pos: int) -> F:
    tp, support, _, _ = _parts(cm)
    present = support > 0
    rec = _div(tp, support)
    return _div((rec * present).sum(axis=1), present.sum(axis=1).astype(np.float64))


def _mcc(cm: F, average: str, pos: int) -> F:
    tp, t_sum, p_sum, n = _parts(cm)
    correct = tp.sum(axis=1)
    cov_ytyp = correct * n - (t_sum * p_sum).sum(axis=1)
    cov_ypyp = n**2 - (p_sum * p_sum).sum(axis=1)
    cov_ytyt = n**2 - (t_sum * t_sum).sum(axis=1)
    den = cov_ytyt * cov_ypyp
    out = np.zeros_like(correct)
    ok = den != 0
    out[ok] = cov_ytyp[ok] / np.sqrt(den[ok])
    return np.asarray(out, dtype=np.float64)


def _kappa(cm: F, average: str, pos: int) -> F:
    tp, t_sum, p_sum, n = _parts(cm)
    po = _div(tp.sum(axis=1), n)
    pe = _div((t_sum * p_sum).sum(axis=1), n**2)
    out = np.full_like(po, np.nan)
    ok = pe != 1
    out[ok] = (po[ok] - pe[ok]) / (1.0 - pe[ok])
    return out


@dataclass(frozen=True)
class ConfusionFast:
    """A metric that is a function of the confusion matrix alone (rows: true, columns: predicted)."""

    func: Callable[[F, str, int], F]
    average: str = "macro"  # "binary" uses only the positive label's cell counts

    def __call__(self, cm: F, pos: int = 1) -> F:
        return self.func(cm, self.average, pos)


CONFUSION: dict[str, Callable[[F, str, int], F]] = {
    "accuracy": _accuracy,
    "balanced_accuracy": _balanced_accuracy,
    "precision": _precision,
    "recall": _recall,
    "f1": _f1,
    "jaccard": _jaccard,
    "matthews_corrcoef": _mcc,
    "cohen_kappa": _kappa,
}


# --- per-row means (losses) and ratios of sums (regression) ----------------------------------


def _row_abs(y: F, p: F) -> F:
    return np.abs(y - p)


def _row_sq(y: F, p: F) -> F:
    return (y - p) ** 2


def _row_ape(y: F, p: F) -> F:
    eps = np.finfo(np.float64).eps
    return np.asarray(np.abs(p - y) / np.maximum(np.abs(y), eps), dtype=np.float64)


def _row_sqlog(y: F, p: F) -> F:
    return (np.log1p(y) - np.log1p(p)) ** 2


@dataclass(frozen=True)
class MeanFast:
    """A metric equal to transform(weighted mean of a per-row value)."""

    row: Callable[[F, F], F]
    sqrt: bool = False

    def finish(self, mean: F) -> F:
        return np.sqrt(mean) if self.sqrt else mean


MEANS: dict[str, MeanFast] = {
    "mae": MeanFast(_row_abs),
    "mse": MeanFast(_row_sq),
    "rmse": MeanFast(_row_sq, sqrt=True),
    "mape": MeanFast(_row_ape),
    "msle": MeanFast(_row_sqlog),
    "rmsle": MeanFast(_row_sqlog, sqrt=True),
}


def _r2_stats(y: F, p: F) -> F:
    yc = y - y.mean()  # centred: sums of squares are shift-invariant, cancellation is not
    return np.column_stack([yc, yc * yc, (y - p) ** 2])


# A sum of squares computed as sum(y^2) - sum(y)^2 / w is exact only to a few ulps of sum(y^2):
# below this share of it, the spread is rounding (e.g. a resample that drew one row n times).
SPREAD_NOISE = 1e-12


def _r2_finish(s: F) -> F:
    """s columns: sum w, sum w y, sum w y^2, sum w e^2 -> 1 - SSE / SST (scikit-learn's r2_score)."""
    w, sy, syy, see = s[:, 0], s[:, 1], s[:, 2], s[:, 3]
    sst = syy - _div(sy * sy, w)
    out = np.where(see == 0, 1.0, 0.0)
    ok = sst > SPREAD_NOISE * syy
    out[ok] = 1.0 - see[ok] / sst[ok]
    return out


def _r2_grad(s: F) -> F:
    """Gradient of `_r2_finish` in its sums (w, sy, syy, see), where SST > 0 (inf elsewhere)."""
    w, sy, syy, see = (float(v) for v in s)
    sst = syy - sy * sy / w
    if not sst > SPREAD_NOISE * syy:
        return np.full(4, np.inf)
    a = see / (sst * sst)  # d r2 / d sst
    return np.array([a * sy * sy / (w * w), -2.0 * a * sy / w, a, -1.0 / sst])


def _ev_stats(y: F, p: F) -> F:
    yc = y - y.mean()
    e = y - p
    e = e - e.mean()
    return np.column_stack([yc, yc * yc, e, e * e])


def _ev_finish(s: F) -> F:
    """1 - Var(e) / Var(y), weighted (scikit-learn's explained_variance_score)."""
    w, sy, syy, se, see = s[:, 0], s[:, 1], s[:, 2], s[:, 3], s[:, 4]
    var_y = syy / w - (sy / w) ** 2
    var_e = see / w - (se / w) ** 2
    out = np.where(np.abs(var_e) <= 0, 1.0, 0.0)
    ok = var_y > SPREAD_NOISE * syy / w
    out[ok] = 1.0 - var_e[ok] / var_y[ok]
    return out


def _ev_grad(s: F) -> F:
    """Gradient of `_ev_finish` in its sums (w, sy, syy, se, see), where Var(y) > 0."""
    w, sy, syy, se, see = (float(v) for v in s)
    var_y = syy / w - (sy / w) ** 2
    var_e = see / w - (se / w) ** 2
    if not var_y > SPREAD_NOISE * syy / w:
        return np.full(5, np.inf)
    dy, de = var_e / (var_y * var_y), -1.0 / var_y  # d ev / d var_y, d ev / d var_e
    return np.array([dy * (-syy / w ** 2 + 2.0 * sy * sy / w ** 3)
                     + de * (-see / w ** 2 + 2.0 * se * se / w ** 3),
                     dy * -2.0 * sy / w ** 2, dy / w, de * -2.0 * se / w ** 2, de / w])


@dataclass(frozen=True)
class RatioFast:
    """A metric that is a function of weighted sums of per-row statistics (column 0: sum w);
    `grad` is the gradient of `finish` at one vector of sums (for the delta method)."""

    stats: Callable[[F, F], F]
    finish: Callable[[F], F]
    grad: Callable[[F], F]


RATIOS: dict[str, RatioFast] = {
    "r2": RatioFast(_r2_stats, _r2_finish, _r2_grad),
    "explained_variance": RatioFast(_ev_stats, _ev_finish, _ev_grad),
}
