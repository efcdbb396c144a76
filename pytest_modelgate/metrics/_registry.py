"""The metric registry: every scikit-learn scorer name plus the plain names users type.

Each entry knows its direction (is higher better?), what it needs from the model (predicted
labels, 1-D/2-D scores, or probabilities), and which confidence-interval family applies to it.
Custom metrics join through `register_metric` (the plugin calls it from a pluggy hook).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pytest_modelgate.exceptions import ConfigError, UnknownNameError

__all__ = [
    "FAMILIES",
    "NEEDS",
    "MetricSpec",
    "get_metric",
    "get_metric_names",
    "metric_from_callable",
    "register_metric",
    "unregister_metric",
]

Needs = Literal["labels", "scores", "proba"]
Direction = Literal["higher", "lower"]
NEEDS = ("labels", "scores", "proba")
FAMILIES = ("proportion", "confusion", "auc", "mean", "ratio", "median", "max", "generic",
            "calibration")
TASKS = ("classification", "regression", "clustering", "multilabel", "any", "callable")

MetricFunc = Callable[..., float]


@dataclass(frozen=True)
class MetricSpec:
    """One registered metric.

    `func(y_true, y_pred, sample_weight=None)` returns the value (for scikit-learn scorer names
    such as ``neg_log_loss`` the scorer's sign is applied, so higher is better, as in sklearn).
    `needs`: "labels" (model.predict), "scores" (decision_function or probabilities; 1-D for
    binary, (n, K) for multiclass) or "proba" (probabilities). `family` selects the confidence
    interval (see `pytest_modelgate.metrics.evaluate`); `perfect` is the value for perfect
    predictions when there is one; `bounds` the range of possible values, used to clip intervals.
    """

    name: str
    func: MetricFunc = field(repr=False)
    direction: Direction = "higher"
    needs: Needs = "labels"
    task: str = "any"
    family: str = "generic"
    perfect: float | None = None
    bounds: tuple[float, float] = (-math.inf, math.inf)
    description: str = ""
    builtin: bool = False
    # internals for the fast paths: the unsigned base metric, its sign and sklearn keywords
    base: str | None = field(default=None, repr=False)
    sign: float = field(default=1.0, repr=False)
    average: str | None = field(default=None, repr=False)
    sklearn_func: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    kwargs: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    accepts_weight: bool = field(default=True, repr=False)

    @property
    def higher_is_better(self) -> bool:
        return self.direction == "higher"

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None, **kw: Any) -> float:
        """Compute the metric value (no input checks; `evaluate` checks first)."""
        return float(self.func(y_true, y_pred, sample_weight=sample_weight, **kw))


_REGISTRY: dict[str, MetricSpec] = {}


def get_metric_names() -> list[str]:
    """Every registered metric name, sorted."""
    _ensure_builtins()
    return sorted(_REGISTRY)


def get_metric(name: str) -> MetricSpec:
    """The registered metric `name`; unknown names raise `UnknownNameError` listing close matches."""
    _ensure_builtins()
    if not isinstance(name, str):
        raise ConfigError(f"metric name must be a string (or pass the scorer / callable itself "
                          f"as the metric), got {type(name).__name__}: {name!r}")
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownNameError(
            "metric", name, sorted(_REGISTRY),
            hint="register a custom metric with register_metric (the "
                 "pytest_modelgate_register_metrics hook in conftest.py), or pass a scikit-learn "
                 "scorer (make_scorer(...)), a sklearn.metrics function or any callable "
                 "(y_true, y_pred) -> float instead of a name") from None


# --- scorers, sklearn functions and plain callables ---------------------------------------------

_LOSS_SUFFIXES = ("_error", "_loss", "_deviance")
_RESPONSE_NEEDS: dict[str, Needs] = {"predict": "labels", "predict_proba": "proba",
                                     "decision_function": "scores"}


def _is_scorer(obj: Any) -> bool:
    """A scikit-learn scorer (`make_scorer(...)`, `get_scorer(name)`), duck-typed on the
    private attributes every `_BaseScorer` has had since scikit-learn 1.4."""
    return all(hasattr(obj, a) for a in ("_score_func", "_sign", "_kwargs", "_response_method"))


def _defaults(func: Callable[..., Any]) -> dict[str, Any]:
    try:
        return {k: p.default for k, p in inspect.signature(func).parameters.items()
                if p.default is not inspect.Parameter.empty}
    except (TypeError, ValueError):
        return {}


def _same_kwargs(func: Callable[..., Any], a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    d = _defaults(func)
    sentinel = object()
    if "pos_label" in d and {a.get("average", d.get("average")),
                             b.get("average", d.get("average"))} - {"binary"}:
        # scikit-learn ignores pos_label unless average="binary" (the f1_weighted scorer sets it
        # to None)
        a = {k: v for k, v in a.items() if k != "pos_label"}
        b = {k: v for k, v in b.items() if k != "pos_label"}
        d = {k: v for k, v in d.items() if k != "pos_label"}
    for k in set(a) | set(b):
        va, vb = a.get(k, d.get(k, sentinel)), b.get(k, d.get(k, sentinel))
        try:
            if va is sentinel or vb is sentinel or bool(va != vb):
                return False
        except (TypeError, ValueError):  # arrays and other values without a plain ==
            return False
    return True


def _builtin_for(func: Callable[..., Any], kwargs: Mapping[str, Any]) -> MetricSpec | None:
    """The built-in entry computing exactly `func(**kwargs)` (unsigned), if there is one."""
    _ensure_builtins()
    for spec in _REGISTRY.values():
        if (spec.builtin and spec.sign > 0 and spec.sklearn_func is func
                and _same_kwargs(func, spec.kwargs, kwargs)):
            return spec
    if "pos_label" in kwargs:  # pos_label is a call parameter of the binary entries
        rest = {k: v for k, v in kwargs.items() if k != "pos_label"}
        for spec in _REGISTRY.values():
            if (spec.builtin and spec.sign > 0 and spec.sklearn_func is func
                    and spec.average == "binary" and _same_kwargs(func, spec.kwargs, rest)):
                return spec
    fname = getattr(func, "__name__", "")
    if (not kwargs and fname in ("positive_likelihood_ratio", "negative_likelihood_ratio")
            and str(getattr(func, "__module__", "")).startswith("sklearn.")):
        return _REGISTRY[fname]  # scikit-learn's scorer helpers for class_likelihood_ratios
    return None


def _call_name(func: Callable[..., Any], kwargs: Mapping[str, Any]) -> str:
    base = getattr(func, "__name__", None) or type(func).__name__
    if base == "<lambda>":
        base = "lambda"
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    return f"{base}({args})" if args else base


def scorer_params(obj: Any) -> dict[str, Any]:
    """Call parameters a scorer carries for the built-in metric it *is*: the `pos_label` of
    ``make_scorer(f1_score, pos_label="y")`` (recognised as `f1`), else {}."""
    if not _is_scorer(obj) or "pos_label" not in obj._kwargs:
        return {}
    known = _builtin_for(obj._score_func, dict(obj._kwargs))
    if known is None or known.average != "binary":
        return {}
    return {"pos_label": obj._kwargs["pos_label"]}


def metric_from_callable(obj: Any) -> MetricSpec:
    """A metric entry for a scikit-learn scorer, a `sklearn.metrics` function or any callable
    `(y_true, y_pred[, sample_weight=]) -> float`.

    A scorer or function that computes a built-in metric exactly (``make_scorer(accuracy_score)``,
    ``f1_score``, ``get_scorer("neg_log_loss")``) *is* that metric: its name, direction, fast
    interval and naive baseline. Anything else gets a percentile-bootstrap interval. A scorer
    made with ``greater_is_better=False`` is reported as the metric itself (lower is better),
    not as scikit-learn's negated score. A plain callable is taken as higher-is-better unless
    its name ends in ``_error``, ``_loss`` or ``_deviance``.
    """
    if isinstance(obj, MetricSpec):
        return obj
    if not callable(obj):
        raise ConfigError(f"metric: must be a metric name, a scikit-learn scorer or a callable "
                          f"(y_true, y_pred) -> float, got {type(obj).__name__}: {obj!r}")
    if _is_scorer(obj):
        func = obj._score_func
        kwargs = dict(obj._kwargs)
        direction: Direction = "higher" if obj._sign > 0 else "lower"
        response = obj._response_method
        first = response[0] if isinstance(response, (tuple, list)) else response
        needs: Needs = _RESPONSE_NEEDS.get(str(first), "labels")
        if isinstance(response, (tuple, list)) and len(response) > 1:
            needs = "scores"
        origin = f"scorer {obj!r}"
    else:
        func, kwargs, needs = obj, {}, "labels"
        direction = "lower" if str(getattr(func, "__name__", "")).endswith(_LOSS_SUFFIXES) \
            else "higher"
        origin = f"callable {getattr(func, '__qualname__', func)!r}"
    known = _builtin_for(func, kwargs)
    if known is not None:
        if known.direction != direction and _is_scorer(obj):
            raise ConfigError(
                f"metric: {origin} says greater_is_better={direction == 'higher'} but "
                f"{known.name!r} is better when {known.direction}; fix the scorer")
        return known
    sk = func if getattr(func, "__module__", "").startswith("sklearn.metrics") else None
    task = "callable"
    if sk is not None:
        from ._naive import task_of

        task = task_of(str(getattr(sk, "__name__", ""))) or "callable"
        if task == "classification" and needs != "labels":
            task = "callable"  # scores: the function itself checks their shape
    return MetricSpec(
        name=_call_name(func, kwargs),
        func=_sk(func, 1.0, kwargs) if sk is not None else _wrap_custom(func),
        direction=direction,
        needs=needs,
        task=task,
        family="generic",
        description=f"{origin} (bootstrap interval)",
        sklearn_func=sk,
        kwargs=kwargs,
        accepts_weight=_accepts_weight(func),
    )


def register_metric(
    name: str,
    func: MetricFunc,
    *,
    direction: Direction = "higher",
    needs: Needs = "labels",
    overwrite: bool = False,
    perfect: float | None = None,
    bounds: tuple[float, float] | None = None,
    description: str = "",
) -> MetricSpec:
    """Register a custom metric `func(y_true, y_pred[, sample_weight=...]) -> float`.

    Custom metrics get percentile-bootstrap intervals (rows resampled, seeded). Registering an
    existing name raises unless `overwrite=True`.
    """
    _ensure_builtins()
    if not isinstance(name, str) or not name:
        raise ConfigError(f"register_metric: name must be a non-empty string, got {name!r}")
    if not callable(func):
        raise ConfigError(f"register_metric({name!r}): func must be callable, got {func!r}")
    if direction not in ("higher", "lower"):
        raise ConfigError(
            f"register_metric({name!r}): direction must be 'higher' or 'lower', got {direction!r}"
        )
    if needs not in NEEDS:
        raise ConfigError(f"register_metric({name!r}): needs must be one of {NEEDS}, got {needs!r}")
    if name in _REGISTRY and not overwrite:
        raise ConfigError(
            f"register_metric: {name!r} is already registered; pass overwrite=True to replace it"
        )
    spec = MetricSpec(
        name=name,
        func=_wrap_custom(func),
        direction=direction,
        needs=needs,
        perfect=perfect,
        bounds=bounds if bounds is not None else (-math.inf, math.inf),
        description=description or (func.__doc__ or "").strip().split("\n")[0],
        accepts_weight=_accepts_weight(func),
    )
    _REGISTRY[name] = spec
    return spec


def unregister_metric(name: str) -> None:
    """Remove a custom metric (built-ins cannot be removed); unknown names raise."""
    spec = get_metric(name)
    if spec.builtin:
        raise ConfigError(f"unregister_metric: {name!r} is built in and cannot be removed")
    del _REGISTRY[name]


def _accepts_weight(func: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return True
    return "sample_weight" in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def _wrap_custom(func: Callable[..., Any]) -> MetricFunc:
    takes_weight = _accepts_weight(func)

    def call(y_true: Any, y_pred: Any, sample_weight: Any = None, **kw: Any) -> float:
        if sample_weight is not None:
            if not takes_weight:
                from pytest_modelgate.exceptions import InputError

                raise InputError(
                    f"sample_weight: the custom metric {getattr(func, '__name__', func)!r} does "
                    "not accept sample_weight; drop sample_weight or add the parameter"
                )
            return float(func(y_true, y_pred, sample_weight=sample_weight, **kw))
        return float(func(y_true, y_pred, **kw))

    return call


# --- built-ins --------------------------------------------------------------------------------


def _sk(func: Callable[..., Any], sign: float, kwargs: Mapping[str, Any]) -> MetricFunc:
    fixed = dict(kwargs)

    def call(y_true: Any, y_pred: Any, sample_weight: Any = None, **kw: Any) -> float:
        merged = {**fixed, **kw}
        if sample_weight is not None:
            merged["sample_weight"] = sample_weight
        return sign * float(func(y_true, y_pred, **merged))

    return call


def _add(
    name: str,
    func: Callable[..., Any],
    *,
    direction: Direction,
    needs: Needs,
    task: str,
    family: str,
    perfect: float | None,
    bounds: tuple[float, float],
    base: str | None = None,
    sign: float = 1.0,
    average: str | None = None,
    kwargs: Mapping[str, Any] | None = None,
    description: str = "",
) -> None:
    kw = dict(kwargs or {})
    if sign < 0:
        lo, hi = bounds
        bounds = (-hi, -lo)
        perfect = -perfect if perfect is not None else None
        perfect = 0.0 if perfect == 0 else perfect
    _REGISTRY[name] = MetricSpec(
        name=name,
        func=_sk(func, sign, kw),
        direction=direction,
        needs=needs,
        task=task,
        family=family,
        perfect=perfect,
        bounds=bounds,
        description=description,
        builtin=True,
        base=base,
        sign=sign,
        average=average,
        sklearn_func=func,
        kwargs=kw,
        accepts_weight=("sample_weight" in inspect.signature(func).parameters
                        and kw.get("multi_class") != "ovo"),
    )


_LOADED = False


def _ensure_builtins() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    _load_builtins()


def _load_builtins() -> None:
    import sklearn.metrics as skm

    inf = math.inf
    unit = (0.0, 1.0)
    # (plain name, sklearn function, kwargs, needs, task, family, perfect, bounds, base)
    loss_reg = dict(task="regression", needs="labels")

    # classification on labels: confusion-matrix metrics
    conf = {
        "accuracy": (skm.accuracy_score, "proportion", unit, "fraction of rows predicted right"),
        "balanced_accuracy": (skm.balanced_accuracy_score, "confusion", unit,
                              "mean recall over the classes"),
        "matthews_corrcoef": (skm.matthews_corrcoef, "confusion", (-1.0, 1.0),
                              "Matthews correlation coefficient"),
        "cohen_kappa": (skm.cohen_kappa_score, "confusion", (-1.0, 1.0),
                        "Cohen's kappa: agreement beyond chance"),
    }
    for name, (func, family, bounds, desc) in conf.items():
        _add(name, func, direction="higher", needs="labels", task="classification",
             family=family, perfect=1.0, bounds=bounds, base=name, average="macro",
             description=desc)
    prf = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score,
           "jaccard": skm.jaccard_score}
    for base, func in prf.items():
        _add(base, func, direction="higher", needs="labels", task="classification",
             family="confusion", perfect=1.0, bounds=unit, base=base, average="binary",
             kwargs={"average": "binary"}, description=f"{base} of the positive class (binary)")
        for avg in ("macro", "micro", "weighted"):
            _add(f"{base}_{avg}", func, direction="higher", needs="labels",
                 task="classification", family="confusion", perfect=1.0, bounds=unit,
                 base=base, average=avg, kwargs={"average": avg},
                 description=f"{avg}-averaged {base}")
        _add(f"{base}_samples", func, direction="higher", needs="labels", task="multilabel",
             family="generic", perfect=1.0, bounds=unit, kwargs={"average": "samples"},
             description=f"sample-averaged {base} (multilabel indicator targets)")

    # scores and probabilities
    _add("roc_auc", skm.roc_auc_score, direction="higher", needs="scores",
         task="classification", family="auc", perfect=1.0, bounds=unit, base="roc_auc",
         description="area under the ROC curve (binary: 1-D scores)")
    for mc in ("ovr", "ovo"):
        for avg in ("macro", "weighted"):
            suffix = "" if avg == "macro" else "_weighted"
            _add(f"roc_auc_{mc}{suffix}", skm.roc_auc_score, direction="higher", needs="proba",
                 task="classification", family="auc", perfect=1.0, bounds=unit,
                 kwargs={"multi_class": mc, "average": avg},
                 description=f"multiclass ROC AUC, {mc.upper()}, {avg} average")
    _add("average_precision", skm.average_precision_score, direction="higher", needs="scores",
         task="classification", family="generic", perfect=1.0, bounds=unit,
         description="area under the precision-recall curve")
    _add("top_k_accuracy", skm.top_k_accuracy_score, direction="higher", needs="scores",
         task="classification", family="generic", perfect=1.0, bounds=unit,
         description="true class among the k highest scores (k=2)")
    _add("log_loss", skm.log_loss, direction="lower", needs="proba", task="classification",
         family="mean", perfect=0.0, bounds=(0.0, inf), base="log_loss",
         description="cross-entropy of the predicted probabilities")
    _add("brier", skm.brier_score_loss, direction="lower", needs="proba",
         task="classification", family="mean", perfect=0.0, bounds=(0.0, 2.0), base="brier",
         description="mean squared error of the predicted probabilities")
    # scikit-learn >= 1.8 only (1.7 is the newest for Python 3.10): on older versions the name
    # is not registered, so asking for it is the ordinary "unknown metric" error
    if hasattr(skm, "d2_brier_score"):
        _add("d2_brier_score", skm.d2_brier_score, direction="higher", needs="proba",
             task="classification", family="generic", perfect=1.0, bounds=(-inf, 1.0))
    _add("d2_log_loss_score", skm.d2_log_loss_score, direction="higher", needs="proba",
         task="classification", family="generic", perfect=1.0, bounds=(-inf, 1.0))
    _add("positive_likelihood_ratio", _lr(skm, 0), direction="higher", needs="labels",
         task="classification", family="generic", perfect=None, bounds=(0.0, inf))
    _add("negative_likelihood_ratio", _lr(skm, 1), direction="lower", needs="labels",
         task="classification", family="generic", perfect=0.0, bounds=(0.0, inf))

    # regression
    reg = {
        "mae": (skm.mean_absolute_error, "mean", "mean absolute error"),
        "mse": (skm.mean_squared_error, "mean", "mean squared error"),
        "rmse": (skm.root_mean_squared_error, "mean", "root mean squared error"),
        "mape": (skm.mean_absolute_percentage_error, "mean", "mean absolute percentage error"),
        "msle": (skm.mean_squared_log_error, "mean", "mean squared logarithmic error"),
        "rmsle": (skm.root_mean_squared_log_error, "mean", "root mean squared log error"),
        "median_ae": (skm.median_absolute_error, "median", "median absolute error"),
        "max_error": (skm.max_error, "max", "largest absolute error"),
        "mean_poisson_deviance": (skm.mean_poisson_deviance, "generic", "Poisson deviance"),
        "mean_gamma_deviance": (skm.mean_gamma_deviance, "generic", "gamma deviance"),
    }
    for name, (func, family, desc) in reg.items():
        _add(name, func, direction="lower", family=family, perfect=0.0, bounds=(0.0, inf),
             base=name, description=desc, **loss_reg)  # type: ignore[arg-type]
    _add("r2", skm.r2_score, direction="higher", family="ratio", perfect=1.0,
         bounds=(-inf, 1.0), base="r2", description="coefficient of determination",
         **loss_reg)  # type: ignore[arg-type]
    _add("explained_variance", skm.explained_variance_score, direction="higher",
         family="ratio", perfect=1.0, bounds=(-inf, 1.0), base="explained_variance",
         description="explained variance", **loss_reg)  # type: ignore[arg-type]
    _add("d2_absolute_error_score", skm.d2_absolute_error_score, direction="higher",
         family="generic", perfect=1.0, bounds=(-inf, 1.0), **loss_reg)  # type: ignore[arg-type]

    # clustering agreement (labels against labels)
    for name in ("adjusted_mutual_info_score", "adjusted_rand_score", "completeness_score",
                 "fowlkes_mallows_score", "homogeneity_score", "mutual_info_score",
                 "normalized_mutual_info_score", "rand_score", "v_measure_score"):
        _add(name, getattr(skm, name), direction="higher", needs="labels", task="clustering",
             family="generic", perfect=None if name == "mutual_info_score" else 1.0,
             bounds=(-1.0, 1.0) if name.startswith("adjusted") else (0.0, inf))

    _load_calibration()

    # scikit-learn scorer names not covered above: the scorer's sign, so higher is better
    for name in skm.get_scorer_names():
        if name in _REGISTRY:
            continue
        plain_name = _SCORER_TO_PLAIN.get(name)
        if plain_name is None or plain_name not in _REGISTRY:
            scorer = skm.get_scorer(name)
            raise RuntimeError(f"scikit-learn scorer {name!r} ({scorer}) has no registry entry")
        src = _REGISTRY[plain_name]
        lo, hi = src.bounds
        _REGISTRY[name] = MetricSpec(
            name=name,
            func=_sk(src.sklearn_func, -1.0, src.kwargs) if src.sklearn_func else src.func,
            direction="higher",
            needs=src.needs,
            task=src.task,
            family=src.family,
            perfect=(0.0 if src.perfect == 0 else (-src.perfect if src.perfect is not None
                                                   else None)),
            bounds=(-hi, -lo),
            description=f"minus {src.name} (scikit-learn scorer convention: higher is better)",
            builtin=True,
            base=src.base,
            sign=-1.0,
            average=src.average,
            sklearn_func=src.sklearn_func,
            kwargs=src.kwargs,
            accepts_weight=src.accepts_weight,
        )


def _load_calibration() -> None:
    """Calibration errors of predicted probabilities (binary: positive class; multiclass: top
    label); their intervals come from the vectorised bin bootstrap in `_calibration.py`."""
    from ._calibration import ece, mce

    for name, func, kwargs, desc in (
        ("ece", ece, {}, "expected calibration error, 10 equal-width bins"),
        ("ece_quantile", ece, {"strategy": "quantile"},
         "expected calibration error, 10 equal-mass (quantile) bins"),
        ("mce", mce, {}, "maximum calibration error over 10 equal-width bins"),
    ):
        _add(name, func, direction="lower", needs="proba", task="classification",
             family="calibration", perfect=0.0, bounds=(0.0, 1.0), base=func.__name__,
             kwargs=kwargs, description=desc)


_SCORER_TO_PLAIN = {
    "neg_brier_score": "brier",
    "neg_log_loss": "log_loss",
    "neg_max_error": "max_error",
    "neg_mean_absolute_error": "mae",
    "neg_mean_absolute_percentage_error": "mape",
    "neg_mean_gamma_deviance": "mean_gamma_deviance",
    "neg_mean_poisson_deviance": "mean_poisson_deviance",
    "neg_mean_squared_error": "mse",
    "neg_mean_squared_log_error": "msle",
    "neg_median_absolute_error": "median_ae",
    "neg_negative_likelihood_ratio": "negative_likelihood_ratio",
    "neg_root_mean_squared_error": "rmse",
    "neg_root_mean_squared_log_error": "rmsle",
}


def _lr(skm: Any, which: int) -> Callable[..., float]:
    """scikit-learn's class likelihood ratios, one at a time (LR+ or LR-)."""

    def ratio(y_true: Any, y_pred: Any, *, sample_weight: Any = None) -> float:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pair = skm.class_likelihood_ratios(y_true, y_pred, sample_weight=sample_weight)
        return float(pair[which])

    ratio.__name__ = ("positive" if which == 0 else "negative") + "_likelihood_ratio"
    return ratio
