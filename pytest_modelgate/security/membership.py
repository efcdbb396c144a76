"""Membership leakage: a loss-threshold membership-inference attack (Yeom et al. 2018).

Each example's loss (cross-entropy of the true class for classifiers with `predict_proba`,
squared error otherwise) scores how likely it was in the training set; the attack's advantage
is max over thresholds of TPR - FPR, which equals the one-sided two-sample KS statistic
``scipy.stats.ks_2samp(train_loss, test_loss, alternative="greater")``. The CI is a stratified
percentile bootstrap, vectorised over resamples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate._params import CONFIDENCE, NoneValue, check_param, resamples
from pytest_modelgate.exceptions import InputError

__all__ = ["MembershipResult", "advantage", "bootstrap_advantage", "membership_attack",
           "per_example_loss"]


@dataclass(frozen=True)
class MembershipResult:
    advantage: float
    ci: tuple[float, float] | None
    confidence: float | None
    auc: float
    threshold: float
    n_train: int
    n_test: int
    loss: str
    train_loss_mean: float
    test_loss_mean: float
    n_resamples: int


def _split(pair: Any, arg: str) -> tuple[Any, np.ndarray]:
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise InputError(f"{arg}: pass a pair (X, y), got {type(pair).__name__}")
    X, y = pair
    y = np.asarray(y)
    if len(y) == 0:
        raise InputError(f"{arg}: empty; the attack needs examples")
    if len(X) != len(y):
        raise InputError(f"{arg}: X has {len(X)} rows but y has {len(y)}")
    return X, y


def per_example_loss(model: Any, X: Any, y: np.ndarray) -> tuple[np.ndarray, str]:
    """(loss per example, loss name): cross-entropy of the true class, or squared error."""
    if hasattr(model, "predict_proba") and hasattr(model, "classes_"):
        proba = np.asarray(model.predict_proba(X), dtype=float)
        classes = list(np.asarray(model.classes_))
        idx = np.array([classes.index(v) if v in classes else -1 for v in y.tolist()])
        p = np.where(idx >= 0, proba[np.arange(len(y)), np.maximum(idx, 0)], 0.0)
        return -np.log(np.clip(p, 1e-15, 1.0)), "cross-entropy"
    pred = np.asarray(model.predict(X), dtype=float)
    return (pred - y.astype(float)) ** 2, "squared-error"


def advantage(member_loss: np.ndarray, nonmember_loss: np.ndarray) -> tuple[float, float]:
    """(max TPR - FPR over thresholds "loss <= t means member", the best threshold)."""
    pooled = np.concatenate([member_loss, nonmember_loss])
    values = np.unique(pooled)
    f1 = np.searchsorted(np.sort(member_loss), values, side="right") / len(member_loss)
    f2 = np.searchsorted(np.sort(nonmember_loss), values, side="right") / len(nonmember_loss)
    gap = f1 - f2
    i = int(np.argmax(gap))
    if gap[i] <= 0:
        return 0.0, float("-inf")
    return float(gap[i]), float(values[i])


def bootstrap_advantage(member_loss: np.ndarray, nonmember_loss: np.ndarray, *,
                        n_resamples: int, seed: int, chunk: int = 256) -> np.ndarray:
    """Advantage of each stratified resample, vectorised: losses become dense ranks in the pooled
    sample; per-resample CDFs are cumulative rank counts (one bincount per chunk)."""
    _, inverse = np.unique(np.concatenate([member_loss, nonmember_loss]), return_inverse=True)
    r1, r2 = inverse[:len(member_loss)], inverse[len(member_loss):]
    k = int(inverse.max()) + 1
    n1, n2 = len(r1), len(r2)
    rng = np.random.default_rng(seed)
    out = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        b = min(chunk, n_resamples - start)
        s1 = r1[rng.integers(0, n1, size=(b, n1))]
        s2 = r2[rng.integers(0, n2, size=(b, n2))]
        offs = np.arange(b)[:, None] * k
        c1 = np.bincount((s1 + offs).ravel(), minlength=b * k).reshape(b, k).cumsum(axis=1)
        c2 = np.bincount((s2 + offs).ravel(), minlength=b * k).reshape(b, k).cumsum(axis=1)
        out[start:start + b] = np.maximum((c1 / n1 - c2 / n2).max(axis=1), 0.0)
    return out


def membership_attack(model: Any, train: Any, test: Any, *, confidence: float | None = 0.95,
                      n_resamples: int = 1000, seed: int = 0) -> MembershipResult:
    """Run the loss-threshold attack with members = `train` and non-members = `test`."""
    from sklearn.metrics import roc_auc_score

    X_tr, y_tr = _split(train, "train")
    X_te, y_te = _split(test, "test")
    check_param(confidence, "confidence", (CONFIDENCE, NoneValue()))
    check_param(n_resamples, "n_resamples", resamples(100))
    l_tr, name = per_example_loss(model, X_tr, y_tr)
    l_te, _ = per_example_loss(model, X_te, y_te)
    if not (np.all(np.isfinite(l_tr)) and np.all(np.isfinite(l_te))):
        raise InputError("membership: the model produced non-finite losses; check the inputs")
    adv, thr = advantage(l_tr, l_te)
    labels = np.r_[np.ones(len(l_tr)), np.zeros(len(l_te))]
    auc = float(roc_auc_score(labels, -np.r_[l_tr, l_te]))
    ci = None
    if confidence is not None:
        boots = bootstrap_advantage(l_tr, l_te, n_resamples=n_resamples, seed=seed)
        alpha = (1 - confidence) / 2
        ci = (float(np.quantile(boots, alpha)), float(np.quantile(boots, 1 - alpha)))
    return MembershipResult(adv, ci, confidence, auc, thr, len(l_tr), len(l_te), name,
                            float(l_tr.mean()), float(l_te.mean()), n_resamples)
