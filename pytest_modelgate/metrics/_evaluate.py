"""`evaluate`: one metric value with its confidence interval, and `rows_needed` (power)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pytest_modelgate._params import CONFIDENCE, check_param, resamples
from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError

from ._ci import compute_interval
from ._inputs import Checked, check_inputs
from ._registry import (
    MetricSpec,
    get_metric,
    get_metric_names,
    metric_from_callable,
    scorer_params,
)

__all__ = ["MetricResult", "evaluate", "resolve_metric", "rows_needed"]


@dataclass(frozen=True)
class MetricResult:
    """A metric value, its confidence interval (or None) and how it was computed.

    `ci` is the two-sided interval at `confidence`; `method` names the interval ("wilson",
    "clopper-pearson", "bootstrap", "delong", "order-statistic", "t", "delta", "none"); `n` is the
    number of rows; `direction` says whether higher or lower is better.
    """

    name: str
    value: float
    ci: tuple[float, float] | None = None
    method: str | None = None
    n: int = 0
    direction: str = "higher"
    confidence: float | None = None
    n_resamples: int | None = None
    seed: int | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "value": self.value,
            "ci": list(self.ci) if self.ci is not None else None, "method": self.method,
            "n": self.n, "direction": self.direction, "confidence": self.confidence,
            "n_resamples": self.n_resamples, "seed": self.seed, "details": dict(self.details),
        }


def resolve_metric(name: str | MetricSpec | Callable[..., Any],
                   average: str | None = None) -> MetricSpec:
    """Look a metric up, folding `average=` into the name ("f1" + "macro" -> "f1_macro").

    A `MetricSpec` (e.g. built from a scikit-learn scorer) is used as it is.
    """
    if not isinstance(name, (str, MetricSpec)) and callable(name):
        name = metric_from_callable(name)
    if isinstance(name, MetricSpec):
        if average is not None:
            raise ConfigError(f"average={average!r}: set the average on the scorer or function "
                              f"itself, not on {name.name!r}")
        return name
    spec = get_metric(name)
    if average is None:
        return spec
    if spec.base in ("precision", "recall", "f1", "jaccard") and spec.sign > 0:
        target = spec.base if average == "binary" else f"{spec.base}_{average}"
    else:
        target = f"{name}_{average}"
    try:
        return get_metric(target)
    except UnknownNameError:
        raise ConfigError(
            f"average={average!r} does not apply to {name!r} (no metric {target!r}); "
            "averages exist for precision, recall, f1 and jaccard: binary, macro, micro, "
            "weighted, samples"
        ) from None


def check_confidence(confidence: float | None, arg: str = "confidence") -> float | None:
    if confidence is None:
        return None
    return float(check_param(confidence, arg, CONFIDENCE))


def check_resamples(n_resamples: int) -> int:
    return int(check_param(n_resamples, "n_resamples", resamples(10)))


def compute_value(spec: MetricSpec, y_true: Any, y_pred: Any, sample_weight: Any,
                  params: dict[str, Any]) -> float:
    """The metric's value by its scikit-learn function; its ValueErrors become InputErrors."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = spec.func(y_true, y_pred, sample_weight=sample_weight, **params)
        except InputError:
            raise
        except (ValueError, TypeError) as exc:
            raise InputError(f"{spec.name}: the inputs were rejected: {exc}") from None
    return float(value)


def evaluate(
    name: str | MetricSpec | Callable[..., Any],
    y_true: Any,
    y_pred: Any,
    *,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    ci_method: str | None = None,
    average: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    **params: Any,
) -> MetricResult:
    """Compute metric `name` and, with `confidence=`, its seeded confidence interval.

    `name` is a registered name, or a scikit-learn scorer / metric function / any callable
    ``(y_true, y_pred) -> float`` (see `metric_from_callable`).

    `average` folds into the name for precision/recall/f1/jaccard; other keyword arguments
    (e.g. ``pos_label``, ``k``) go to the scikit-learn function. `progress(done, total)` is
    called during a slow resampling loop (one metric call per resample).
    """
    return evaluate_checked(name, y_true, y_pred, confidence=confidence,
                            n_resamples=n_resamples, seed=seed, sample_weight=sample_weight,
                            ci_method=ci_method, average=average, progress=progress,
                            **params)[0]


def evaluate_checked(
    name: str | MetricSpec | Callable[..., Any],
    y_true: Any,
    y_pred: Any,
    *,
    confidence: float | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    sample_weight: Any = None,
    ci_method: str | None = None,
    average: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    **params: Any,
) -> tuple[MetricResult, MetricSpec, Checked]:
    """`evaluate`, also returning the resolved metric and the validated inputs (so the gate's
    naive-baseline check reuses them instead of validating the rows twice)."""
    spec = resolve_metric(name, average)
    params = {**scorer_params(name), **params}
    conf = check_confidence(confidence)
    check_resamples(n_resamples)
    chk = check_inputs(spec, y_true, y_pred, sample_weight)
    value = compute_value(spec, chk.y_true, chk.y_pred, chk.sample_weight, params)
    if conf is None:
        if ci_method is not None:
            raise ConfigError("ci_method: set confidence= (e.g. 0.95) to compute an interval")
        return MetricResult(spec.name, value, None, None, chk.n, spec.direction), spec, chk
    if not math.isfinite(value):
        return MetricResult(spec.name, value, None, "none", chk.n, spec.direction, conf,
                            details={"note": "the value is not finite; no interval"}), spec, chk
    iv = compute_interval(spec, chk, params, value, confidence=conf, n_resamples=n_resamples,
                          seed=seed, ci_method=ci_method, progress=progress)
    resampled = iv.method == "bootstrap"
    return MetricResult(spec.name, value, iv.ci, iv.method, chk.n, spec.direction, conf,
                        n_resamples if resampled else None, seed if resampled else None,
                        dict(iv.details)), spec, chk


def rows_needed(
    value: float,
    threshold: float,
    *,
    n: int,
    ci: tuple[float, float] | None,
    confidence: float,
    power: float = 0.8,
) -> int | None:
    """Approximate rows for the interval to clear `threshold` with probability `power`.

    The per-row standard deviation is read off the current interval (half-width x sqrt(n) / z);
    the interval shrinks as 1/sqrt(rows). None when the value sits on the threshold (no sample
    size decides it) or there is no interval.
    """
    from scipy.stats import norm

    if ci is None or n <= 0 or not math.isfinite(value):
        return None
    gap = abs(value - threshold)
    if gap <= 1e-12:
        return None
    half = (value - ci[0]) if threshold <= value else (ci[1] - value)
    if half <= 0:
        return n
    z = float(norm.ppf(0.5 + confidence / 2.0))
    sd = half * math.sqrt(n) / z
    zp = float(norm.ppf(power))
    need = math.ceil(((z + zp) * sd / gap) ** 2)
    return int(max(need, n + 1))


def _names() -> list[str]:  # pragma: no cover - convenience for REPL users
    return get_metric_names()
