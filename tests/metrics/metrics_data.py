"""Data makers shared by the metric tests: inputs that suit each registered metric."""

from __future__ import annotations

from typing import Any

import numpy as np

from pytest_modelgate.metrics import MetricSpec

MULTICLASS_PROBA = {"roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "roc_auc_ovo_weighted"}


def make_inputs(spec: MetricSpec, n: int = 240, seed: int = 0) -> tuple[Any, Any, Any]:
    """(y_true, y_pred, perfect_pred) suitable for `spec`, with some but not all errors."""
    rng = np.random.default_rng(seed)
    if spec.task == "regression":
        y = np.exp(rng.normal(0.5, 0.6, n))
        p = y * np.exp(rng.normal(0.0, 0.25, n))
        return y, p, y.copy()
    if spec.task == "multilabel":
        y = rng.integers(0, 2, (n, 3))
        y[:, 0] = 1  # no all-zero rows
        p = np.where(rng.random((n, 3)) < 0.85, y, 1 - y)
        return y, p, y.copy()
    if spec.task == "clustering":
        y = rng.integers(0, 3, n)
        p = np.where(rng.random(n) < 0.8, y, rng.integers(0, 3, n))
        return y, p, y.copy()
    if spec.name in MULTICLASS_PROBA:
        y = rng.integers(0, 3, n)
        logits = rng.normal(size=(n, 3)) + 1.5 * np.eye(3)[y]
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return y, proba, np.eye(3)[y]
    if spec.name == "top_k_accuracy":  # on two classes the top 2 always hit: use four
        y = rng.integers(0, 4, n)
        logits = rng.normal(size=(n, 4)) + 1.0 * np.eye(4)[y]
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        return y, proba, np.eye(4)[y]
    y = rng.integers(0, 2, n)
    if spec.needs == "labels":
        p = np.where(rng.random(n) < 0.85, y, 1 - y)
        return y, p, y.copy()
    score = np.clip(0.35 * y + 0.65 * rng.random(n), 0.0, 1.0)
    return y, score, y.astype(np.float64)


def reference_value(spec: MetricSpec, y: Any, p: Any, sample_weight: Any = None) -> float:
    """The value computed straight from scikit-learn, independently of the registry code."""
    import sklearn.metrics as skm

    plain = {
        "log_loss": (skm.log_loss, {}), "brier": (skm.brier_score_loss, {}),
        "mae": (skm.mean_absolute_error, {}), "mse": (skm.mean_squared_error, {}),
        "rmse": (skm.root_mean_squared_error, {}),
        "mape": (skm.mean_absolute_percentage_error, {}),
        "msle": (skm.mean_squared_log_error, {}),
        "rmsle": (skm.root_mean_squared_log_error, {}),
        "median_ae": (skm.median_absolute_error, {}), "max_error": (skm.max_error, {}),
        "cohen_kappa": (skm.cohen_kappa_score, {}),
        "mean_poisson_deviance": (skm.mean_poisson_deviance, {}),
        "mean_gamma_deviance": (skm.mean_gamma_deviance, {}),
        "negative_likelihood_ratio": (None, {}),
        # scorer names only from scikit-learn 1.8 on
        "d2_log_loss_score": (skm.d2_log_loss_score, {}),
        "d2_brier_score": (getattr(skm, "d2_brier_score", None), {}),
    }
    kw = {} if sample_weight is None else {"sample_weight": sample_weight}
    if spec.name in skm.get_scorer_names():
        scorer = skm.get_scorer(spec.name)
        if spec.name in ("positive_likelihood_ratio", "neg_negative_likelihood_ratio"):
            pair = skm.class_likelihood_ratios(y, p, **kw)
            return float(scorer._sign * pair[0 if spec.name.startswith("pos") else 1])
        return float(scorer._sign * scorer._score_func(y, p, **scorer._kwargs, **kw))
    if spec.name == "negative_likelihood_ratio":
        return float(skm.class_likelihood_ratios(y, p, **kw)[1])
    if spec.name in CALIBRATION:
        return reference_calibration_error(y, p, sample_weight, **CALIBRATION[spec.name])
    func, extra = plain[spec.name]
    return float(func(y, p, **extra, **kw))


CALIBRATION = {"ece": {"strategy": "uniform", "agg": "mean"},
               "ece_quantile": {"strategy": "quantile", "agg": "mean"},
               "mce": {"strategy": "uniform", "agg": "max"}}


def reference_calibration_error(y: Any, p: Any, sample_weight: Any = None, *, n_bins: int = 10,
                                strategy: str = "uniform", agg: str = "mean") -> float:
    """ECE / MCE of binary positive-class probabilities by a plain loop over the bins, with
    the bin edges of sklearn's calibration_curve (a value on an inner edge falls below it)."""
    y = np.asarray(y)
    p = np.asarray(p, dtype=float)
    w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    if strategy == "quantile":
        edges = np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)  # sklearn's exact form
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    total, worst = 0.0, 0.0
    for b in range(n_bins):
        if b == 0:
            rows = [i for i in range(len(p)) if p[i] <= edges[1] or n_bins == 1]
        elif b == n_bins - 1:
            rows = [i for i in range(len(p)) if p[i] > edges[b]]
        else:
            rows = [i for i in range(len(p)) if edges[b] < p[i] <= edges[b + 1]]
        wb = sum(w[i] for i in rows)
        if wb == 0:
            continue
        conf = sum(w[i] * p[i] for i in rows) / wb
        acc = sum(w[i] * (y[i] == 1) for i in rows) / wb
        total += wb * abs(acc - conf)
        worst = max(worst, abs(acc - conf))
    return total / w.sum() if agg == "mean" else worst
