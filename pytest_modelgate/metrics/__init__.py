"""Metric engine: registry, values with confidence intervals, paired comparison, slices.

Usable without pytest::

    from pytest_modelgate.metrics import evaluate
    r = evaluate("accuracy", y_true, y_pred, confidence=0.95)
    r.value, r.ci, r.method, r.n
"""

from ._evaluate import MetricResult, evaluate, rows_needed
from ._registry import MetricSpec, get_metric, get_metric_names, register_metric, unregister_metric
from ._slices import SliceReport, SliceResult, evaluate_slices

__all__ = [
    "MetricResult",
    "MetricSpec",
    "SliceReport",
    "SliceResult",
    "evaluate",
    "evaluate_slices",
    "get_metric",
    "get_metric_names",
    "register_metric",
    "rows_needed",
    "unregister_metric",
]
