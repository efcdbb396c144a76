"""Metric engine: registry, values with confidence intervals, paired comparison, slices.

Usable without pytest::

    from pytest_modelgate.metrics import evaluate
    r = evaluate("accuracy", y_true, y_pred, confidence=0.95)
    r.value, r.ci, r.method, r.n
"""

from ._compare import COMPARE_METHODS, CompareResult, compare
from ._evaluate import MetricResult, evaluate, rows_needed
from ._naive import NaiveResult, naive_baseline
from ._registry import (
    MetricSpec,
    get_metric,
    get_metric_names,
    metric_from_callable,
    register_metric,
    unregister_metric,
)
from ._slices import SliceReport, SliceResult, evaluate_slices
from ._weak import Segment, WeakSliceReport, weak_slices

__all__ = [
    "COMPARE_METHODS",
    "CompareResult",
    "MetricResult",
    "MetricSpec",
    "NaiveResult",
    "Segment",
    "SliceReport",
    "SliceResult",
    "WeakSliceReport",
    "compare",
    "evaluate",
    "evaluate_slices",
    "get_metric",
    "get_metric_names",
    "metric_from_callable",
    "naive_baseline",
    "register_metric",
    "rows_needed",
    "unregister_metric",
    "weak_slices",
]
