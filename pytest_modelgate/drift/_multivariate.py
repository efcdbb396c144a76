"""Multivariate drift: a domain classifier (cross-validated ROC AUC with a DeLong CI) and MMD.

Both see the whole table, so they catch changes in the joint distribution that per-column tests
miss (a correlation flip). Both subsample with the seed, so the same inputs give the same result.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from pytest_modelgate._numbers import format_estimate
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate._params import ALPHA, AUC_THRESHOLD, CONFIDENCE, FOLDS, check_param
from pytest_modelgate.exceptions import ConfigError, InputError

from ._data import ColumnSummary, as_table, select_columns, summarize

__all__ = ["classifier_drift", "mmd_drift", "multivariate_detect"]


def _encode(reference: Any, current: Any, columns: Any, categorical: Any,
            max_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[bool], list[Any]]:
    """Seeded row subsample of both sides as float matrices; categoricals as integer codes.

    Numeric columns are standardised by the reference mean and standard deviation; a category
    gets its index in the reference's categories (unseen ones get new indices).
    """
    rt, ct = as_table(reference, "reference"), as_table(current, "current")
    if rt.n_rows < 2 or ct.n_rows < 2:
        raise InputError("multivariate drift needs at least 2 rows in reference and current")
    sel = select_columns(rt.names, columns)
    if ct.is_frame and rt.is_frame:
        pos = {n: i for i, n in enumerate(ct.names)}
        missing = [rt.names[i] for i in sel if rt.names[i] not in pos]
        if missing:
            raise InputError(f"column(s) {missing!r} of reference missing from current")
    else:
        if len(ct.names) != len(rt.names):
            raise InputError(f"reference has {len(rt.names)} columns but current has "
                             f"{len(ct.names)}")
        pos = {n: i for i, n in enumerate(rt.names)}
    rng = np.random.default_rng(seed)
    ri = np.sort(rng.choice(rt.n_rows, size=min(max_rows, rt.n_rows), replace=False))
    ci = np.sort(rng.choice(ct.n_rows, size=min(max_rows, ct.n_rows), replace=False))
    forced = set(categorical or ())
    xr, xc, is_cat, names = [], [], [], []
    for i in sel:
        name = rt.names[i]
        rcol, ccol = rt.column(i), ct.column(pos[name])
        rsub = rcol.iloc[ri] if hasattr(rcol, "iloc") else np.asarray(rcol)[ri]
        csub = ccol.iloc[ci] if hasattr(ccol, "iloc") else np.asarray(ccol)[ci]
        rs = summarize(rsub, categorical=name in forced, name=name, argument="reference")
        if rs.kind == "datetime":
            continue
        if rs.kind == "numeric":
            mu, sd = rs.moments() if rs.n_values else (0.0, 1.0)
            sd = sd if sd > 0 and not math.isnan(sd) else 1.0
            xr.append((_as_float(rsub) - mu) / sd)
            xc.append((_as_float(csub) - mu) / sd)
            is_cat.append(False)
        else:
            xr.append(_codes(rsub, rs))
            xc.append(_codes(csub, rs))
            is_cat.append(True)
        names.append(name)
    if not names:
        raise InputError("no numeric or categorical column to test")
    return np.column_stack(xr), np.column_stack(xc), is_cat, names


def _as_float(col: Any) -> np.ndarray:
    if hasattr(col, "to_numpy"):
        return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.asarray(col, dtype=np.float64)


def _codes(col: Any, ref: ColumnSummary) -> np.ndarray:
    from ._data import _key, _plain_category

    index = {_key(c): k for k, c in enumerate(ref.categories)}
    vals = col.to_numpy(dtype=object) if hasattr(col, "to_numpy") else np.asarray(col,
                                                                                  dtype=object)
    out = np.empty(len(vals), dtype=np.float64)
    for j, v in enumerate(vals):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out[j] = np.nan
        else:
            out[j] = index.setdefault(_key(_plain_category(v)), len(index))
    return out


def delong_ci(y: np.ndarray, score: np.ndarray, confidence: float) -> tuple[float, float, float]:
    """ROC AUC, its DeLong standard error, and the one-sided p-value of AUC > 0.5."""
    pos, neg = score[y == 1], score[y == 0]
    m, n = pos.size, neg.size
    allr = stats.rankdata(np.concatenate([pos, neg]))
    rp, rn = stats.rankdata(pos), stats.rankdata(neg)
    auc = (allr[:m].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (allr[:m] - rp) / n
    v01 = 1.0 - (allr[m:] - rn) / m
    se = math.sqrt(float(np.var(v10, ddof=1)) / m + float(np.var(v01, ddof=1)) / n)
    return float(auc), se, float(stats.norm.sf((auc - 0.5) / se)) if se > 0 else (
        0.0 if auc > 0.5 else 1.0)


def classifier_drift(reference: Any, current: Any, *, threshold: float = 0.55,
                     confidence: float = 0.95, max_rows: int = 20_000, cv: int = 5,
                     seed: int = 0, columns: Sequence[Hashable] | None = None,
                     categorical: Sequence[Hashable] | None = None) -> Any:
    """Domain classifier: can HistGradientBoosting tell current rows from reference rows?

    Cross-validated (stratified `cv` folds) out-of-fold ROC AUC with a DeLong confidence
    interval; drift when the lower bound exceeds `threshold` (0.5 = indistinguishable).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from ._detect import MultivariateDrift

    threshold = check_param(threshold, "threshold", AUC_THRESHOLD)
    confidence = check_param(confidence, "confidence", CONFIDENCE)
    cv = check_param(cv, "cv", FOLDS)
    xr, xc, is_cat, names = _encode(reference, current, columns, categorical, max_rows, seed)
    if min(len(xr), len(xc)) < cv:
        raise InputError(
            f"classifier drift needs at least {cv} rows on each side (one per cross-validation "
            f"fold, cv={cv}); got {len(xr)} reference and {len(xc)} current rows. Pass more "
            "rows, lower cv (>= 2), or use the per-column tests (method='auto')")
    _refuse_empty("classifier drift", xr, xc, names)
    x = np.vstack([xr, xc])
    y = np.concatenate([np.zeros(len(xr), dtype=np.int64), np.ones(len(xc), dtype=np.int64)])
    clf = HistGradientBoostingClassifier(max_iter=50, max_leaf_nodes=15, random_state=seed,
                                         categorical_features=np.asarray(is_cat) if any(is_cat)
                                         else None)
    folds = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    from threadpoolctl import threadpool_limits

    # one OpenMP thread: on tables this small the per-node parallel regions cost more than
    # they save, and a busy shared machine makes spinning threads far slower
    with threadpool_limits(limits=1, user_api="openmp"):
        proba = cross_val_predict(clf, x, y, cv=folds, method="predict_proba")[:, 1]
    auc, se, p = delong_ci(y, proba, confidence)
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    lo, hi = max(0.0, auc - z * se), min(1.0, auc + z * se)
    drifted = lo > threshold
    auc_text, ci_text = format_estimate(auc, lo, hi)
    reason = (f"domain classifier ROC AUC {auc_text} ({confidence:.0%} CI {ci_text}) "
              f"{'lower bound >' if drifted else 'lower bound <='} {_num(threshold, digits=6)}")
    return MultivariateDrift("classifier", auc, p, (lo, hi), confidence, threshold, drifted,
                             reason, len(xr), len(xc), tuple(_pn(n) for n in names),
                             {"folds": cv, "max_rows": max_rows, "se": se})


def _refuse_empty(what: str, xr: np.ndarray, xc: np.ndarray, names: Sequence[Any]) -> None:
    """A column missing in every sampled row of both sides carries no evidence either way."""
    empty = [n for j, n in enumerate(names)
             if np.isnan(xr[:, j]).all() and np.isnan(xc[:, j]).all()]
    if empty:
        raise InputError(
            f"{what}: column {_pn(empty[0])!r} has no values in reference or current "
            "(every sampled row is missing); drop it or leave it out of columns=")


def _pn(n: Hashable) -> str | int:
    return n if isinstance(n, (str, int)) else str(n)


def mmd_drift(reference: Any, current: Any, *, alpha: float = 0.05, max_rows: int = 1000,
              n_permutations: int = 500, seed: int = 0,
              columns: Sequence[Hashable] | None = None,
              categorical: Sequence[Hashable] | None = None) -> Any:
    """Maximum mean discrepancy (Gaussian kernel, median-distance bandwidth), permutation p.

    Rows are subsampled (`max_rows` per side) with the seed; numeric columns standardised by
    the reference, categoricals one-hot, missing values set to the reference mean (0) plus a
    missing-indicator feature per numeric column with missing values, so that a column that
    went missing is a difference the kernel sees.
    """
    from ._detect import MultivariateDrift

    alpha = check_param(alpha, "alpha", ALPHA)
    xr, xc, is_cat, names = _encode(reference, current, columns, categorical, max_rows, seed)
    _refuse_empty("mmd drift", xr, xc, names)
    x = np.vstack([xr, xc])
    parts = []
    for j, cat in enumerate(is_cat):
        col = x[:, j]
        if cat:
            codes = np.where(np.isnan(col), -1, col).astype(np.int64)
            k = int(codes.max()) + 1 if codes.size else 0
            oh = np.zeros((len(col), max(k, 1)))
            ok = codes >= 0
            oh[np.flatnonzero(ok), codes[ok]] = 1.0
            parts.append(oh)
        else:
            parts.append(np.nan_to_num(col, nan=0.0, posinf=0.0, neginf=0.0)[:, None])
            absent = ~np.isfinite(col)
            if absent.any():
                parts.append(absent[:, None].astype(np.float64))
    z = np.hstack(parts)
    sq = np.sum(z * z, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * (z @ z.T), 0.0)
    off = d2[np.triu_indices_from(d2, k=1)]
    med = float(np.median(off[off > 0])) if np.any(off > 0) else 1.0
    kmat = np.exp(-d2 / med)
    n1, n = len(xr), len(z)
    sign = np.concatenate([np.full(n1, 1.0 / n1), np.full(n - n1, -1.0 / (n - n1))])
    obs = float(sign @ kmat @ sign)
    rng = np.random.default_rng(seed)
    perms = np.stack([sign[rng.permutation(n)] for _ in range(n_permutations)])
    null = np.einsum("bi,bi->b", perms @ kmat, perms)
    p = float((1 + np.count_nonzero(null >= obs - 1e-12)) / (1 + n_permutations))
    drifted = p <= alpha
    reason = (f"MMD² {_num(obs)}, permutation p {_num(p)} ({n_permutations} permutations) "
              f"{'<=' if drifted else '>'} alpha {_num(alpha, digits=6)}")
    return MultivariateDrift("mmd", obs, p, None, None, alpha, drifted, reason, n1, n - n1,
                             tuple(_pn(c) for c in names),
                             {"bandwidth": med, "n_permutations": n_permutations,
                              "max_rows": max_rows})


def multivariate_detect(reference: Any, current: Any, *, method: str, alpha: float,
                        columns: Any, categorical: Any, seed: int, max_share: float,
                        correction: str, **options: Any) -> Any:
    """`detect(method="classifier"|"mmd")`: the whole-table test as a `DriftResult`."""
    from ._detect import DriftResult
    from ._profile import Profile

    if isinstance(reference, Profile):
        raise InputError(f"method={method!r} needs raw reference rows, not a profile")
    if method == "classifier":
        allowed = {"threshold", "confidence", "max_rows", "cv"}
        bad = set(options) - allowed
        if bad:
            raise ConfigError(f"detect(method='classifier'): unknown option(s) {sorted(bad)}")
        mv = classifier_drift(reference, current, seed=seed, columns=columns,
                              categorical=categorical, **options)
    else:
        allowed = {"max_rows", "n_permutations"}
        bad = set(options) - allowed
        if bad:
            raise ConfigError(f"detect(method='mmd'): unknown option(s) {sorted(bad)}")
        mv = mmd_drift(reference, current, alpha=alpha, seed=seed, columns=columns,
                       categorical=categorical, **options)
    return DriftResult({}, 1.0 if mv.drifted else 0.0, mv.drifted, max_share, alpha,
                       correction, method, 0, mv.n_reference, mv.n_current, multivariate=mv)


