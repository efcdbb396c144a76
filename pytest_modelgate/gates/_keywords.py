"""One keyword table per gate kind: name, acceptable values, default and a one-line doc.

`GateContext.resolve` checks every merged value here once (call, marker and policy alike), the
policy loader checks `[tool.modelgate]` values here, and the marker signatures shown by
`pytest --markers` are built from these defaults. Stdlib only: the plugin imports it at load.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pytest_modelgate._params import (
    ALPHA,
    AUC_THRESHOLD,
    CONFIDENCE,
    FOLDS,
    SHARE,
    Anything,
    Boolean,
    Bytes,
    Constraint,
    Duration,
    Interval,
    IntList,
    IsCallable,
    Name,
    NoneValue,
    Options,
    Param,
    String,
    Subset,
    Types,
    resamples,
)
from pytest_modelgate.exceptions import ConfigError

__all__ = ["KEYWORDS", "check_value", "keyword", "markdown_tables", "signature"]

_NONE = NoneValue()
_REAL = Interval("real")
_NONNEG = Interval("real", 0, None)
_POSITIVE = Interval("real", 0, None, "neither")
_UNIT = SHARE
_POS_INT = Interval("int", 1, None)
_NONNEG_INT = Interval("int", 0, None)
_STR = String()
_BOOL = Boolean()
_ANY = Anything()
_AVERAGE = Options(("binary", "macro", "micro", "weighted", "samples"))
DETERMINISM_CHECKS = ("repeat", "batch_vs_single", "row_order", "dtype")
_NAME = Param("name", (Name(), _NONE), None, "the gate's name in the report (default: derived)")


def _p(name: str, constraints: Constraint | tuple[Constraint, ...], default: Any,
       doc: str) -> Param:
    return Param(name, constraints if isinstance(constraints, tuple) else (constraints,),
                 default, doc)


def _table(*params: Param) -> dict[str, Param]:
    return {p.name: p for p in params}


def _none_is_default(table: dict[str, Param]) -> dict[str, Param]:
    """For judges that read every keyword as "None means the default" (latency, memory)."""
    return {k: p if any(isinstance(c, NoneValue) for c in p.constraints)
            else Param(p.name, (*p.constraints, _NONE), p.default, p.doc)
            for k, p in table.items()}


_METRIC_PARAMS = (
    _p("average", (_AVERAGE, _NONE), None, "averaging for precision/recall/f1/jaccard"),
    _p("pos_label", _ANY, None, "the positive class of binary metrics"),
    _p("k", (_POS_INT, _NONE), None, "k of top-k metrics"),
    _p("power", Interval("real", 0, 1, "neither"), 0.8,
       "power assumed by the rows-needed estimate of an inconclusive verdict"),
    _p("decide", Options(("interval", "point")), "interval",
       "'interval': failed only when the whole interval misses; 'point': the estimate decides"),
)

KEYWORDS: Mapping[str, Mapping[str, Param]] = {
    "metric": _table(
        _p("min", (_REAL, _NONE), None, "lowest acceptable value"),
        _p("max", (_REAL, _NONE), None, "highest acceptable value"),
        _p("confidence", (CONFIDENCE, _NONE), None,
           "gate on this confidence bound instead of the point estimate"),
        _p("slices", _ANY, None, "column or array to group by; every slice must pass"),
        _p("max_drop", (_NONNEG, _NONE), None, "largest allowed loss vs the stored baseline"),
        _p("min_slice_size", (_POS_INT, _NONE), None, "smaller slices are reported, not gated"),
        _p("n_resamples", resamples(10), 1000, "bootstrap resamples for the interval"),
        _p("ci_method", (_STR, _NONE), None, "interval method (default: chosen per metric)"),
        *_METRIC_PARAMS,
        _p("naive", _BOOL, True,
           "also require beating the naive predictor (most-frequent, prior, mean...) on the same rows"),
        _p("naive_margin", _NONNEG, 0.0, "the gain over the naive predictor the model must show"),
        _NAME,
    ),
    "compare": _table(
        _p("max_drop", (_NONNEG, _NONE), 0.0, "the candidate may lose at most this much"),
        _p("min_gain", (_REAL, _NONE), None, "the candidate must gain at least this much"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95, "one-sided confidence of the paired test"),
        _p("n_resamples", resamples(10), 1000, "paired bootstrap resamples"),
        _p("method", (_STR, _NONE), None, "paired test (default: McNemar or paired bootstrap)"),
        *_METRIC_PARAMS,
        _NAME,
    ),
    "weak_slices": _table(
        _p("metric", (_STR, _NONE), "accuracy", "metric compared across segments"),
        _p("max_gap", _NONNEG, 0.1, "largest allowed gap of the worst segment"),
        _p("relative", _BOOL, False, "gap as a fraction of the overall value"),
        _p("min_size", (_POSITIVE, _NONE), None, "smallest segment: rows, or a fraction < 1"),
        _p("max_depth", _POS_INT, 2, "conditions per segment rule"),
        _p("columns", _ANY, None, "columns to search (default: all)"),
        _p("confidence", (CONFIDENCE, _NONE), None, "interval of the worst gap"),
        _p("n_resamples", resamples(10), 1000, "bootstrap resamples for the interval"),
        _p("average", (_AVERAGE, _NONE), None, "averaging for precision/recall/f1/jaccard"),
        _p("pos_label", _ANY, None, "the positive class of binary metrics"),
        _p("max_features", _POS_INT, 8, "columns the segment search may use"),
        _p("sample_weight", _ANY, None, "row weights"),
        _NAME,
    ),
    "drift": _table(
        _p("method", (_STR, Types((Mapping,), "a mapping of column to method")), "auto",
           "test per column ('auto' picks by type) or 'classifier' / 'mmd'"),
        _p("alpha", ALPHA, 0.05, "significance level"),
        _p("max_share", SHARE, 0.5, "largest allowed share of drifted columns"),
        _p("columns", _ANY, None, "columns to test (default: all)"),
        _p("correction", Options(("holm", "bh", "bonferroni", "none")), "holm",
           "multiple-testing correction across columns"),
        _p("categorical", _ANY, None, "columns to treat as categorical"),
        _p("min_effect", (_NONNEG, _NONE), None, "smallest effect size that counts as drift"),
        _p("n_jobs", (Interval("int"), _NONE), None, "parallel column tests"),
        _p("threshold", (AUC_THRESHOLD, _NONE), None,
           "classifier: largest acceptable ROC AUC bound (default 0.55)"),
        _p("confidence", (CONFIDENCE, _NONE), None, "classifier: confidence of the AUC bound"),
        _p("max_rows", (Interval("int", 2, None), _NONE), None,
           "classifier/mmd: rows subsampled per side"),
        _p("cv", (FOLDS, _NONE), None, "classifier: cross-validation folds"),
        _p("n_permutations", (_POS_INT, _NONE), None, "mmd: permutations of the p-value"),
        _NAME,
    ),
    "latency": _none_is_default(_table(
        _p("p50", (Duration(), _NONE), None, "median budget"),
        _p("p95", (Duration(), _NONE), None, "95th percentile budget"),
        _p("p99", (Duration(), _NONE), None, "99th percentile budget"),
        _p("throughput", (_POSITIVE, _NONE), None, "minimum rows (or calls) per second"),
        _p("rows", (_POS_INT, _NONE), None, "rows one call processes"),
        _p("baseline", (IsCallable(), _NONE), None, "callable timed interleaved for max_ratio"),
        _p("max_ratio", (_POSITIVE, _NONE), None, "largest allowed candidate/baseline ratio"),
        _p("quantile", (_STR, _POSITIVE), "p50", "quantile compared by max_ratio"),
        _p("min_samples", (_POS_INT, _NONE), None, "timed calls to collect"),
        _p("max_time", Duration(), 5.0, "time box of the sampling"),
        _p("min_time", Duration(positive=False), 0.5, "shortest sampling time"),
        _p("extend_time", (Duration(positive=False), _NONE), None,
           "extra sampling for an open verdict (default: max_time)"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95, "confidence of the percentile bounds"),
        _p("warmup", (_BOOL, _NONNEG_INT), 10, "warm-up calls"),
        _p("warmup_time", Duration(positive=False), 0.2, "shortest warm-up time"),
        _p("gc", (_BOOL, _STR), True, "pause the garbage collector while sampling"),
        _p("batch", (_BOOL, _POS_INT, Options(("auto",))), "auto", "calls per sample ('auto', False, or n)"),
        _p("inconclusive", Options(("fail", "warn", "pass")), "fail",
           "what a verdict still open after extending does"),
        _p("n_resamples", resamples(100), 2000, "bootstrap resamples of the ratio"),
        _p("reference_time", (Duration(), _NONE), None, "budget scaling by a reference workload"),
        _p("timer", Options(("wall", "cpu")), "wall", "wall clock or process CPU time"),
        _p("descheduled", Options(("drop", "keep")), "drop",
           "leave out samples the OS preempted, or keep them"),
        _NAME,
    )),
    "memory": _none_is_default(_table(
        _p("max_bytes", (Bytes(), _NONE), None, "peak memory (or artifact size) budget"),
        _p("method", Options(("tracemalloc", "rss")), "tracemalloc", "how memory is measured"),
        _p("repeat", _POS_INT, 3, "calls measured"),
        _p("warmup", _NONNEG_INT, 1, "calls before measuring"),
        _p("setup", (IsCallable(), _NONE), None, "rss: callable run in the child first"),
        _p("timeout", Duration(), 120.0, "rss: child process time limit"),
        _NAME,
    )),
    "artifact": _table(
        _p("sha256", (_STR, _NONE), None, "pinned SHA-256 of the file (modelgate hash PATH)"),
        _p("scan", _BOOL, True, "statically scan the artifact"),
        _p("max_bytes", (Bytes(), _NONE), None, "largest allowed file size"),
        _p("lock", (_BOOL, Types((str, os.PathLike), "a lock file path"), _NONE), None,
           "lock file of pinned hashes"),
        _p("allow", _ANY, None, "extra globals the scan trusts"),
        _p("max_decompressed_bytes", (Bytes(), _NONE), None, "scan budget of decompressed bytes"),
        _p("max_depth", (_POS_INT, _NONE), None, "nesting depth of archives scanned"),
        _p("max_seconds", (_POSITIVE, _NONE), None,
           "time limit per scanned file (default 600 s); running out fails closed"),
        _NAME,
    ),
    "robustness": _table(
        _p("noise", _NONNEG, 0.05, "perturbation size as a fraction of each feature's spread"),
        _p("max_flip_rate", (_UNIT, _NONE), None, "largest allowed share of flipped predictions"),
        _p("confidence", CONFIDENCE, 0.95, "confidence of the flip-rate interval"),
        _p("n_perturbations", _POS_INT, 10, "perturbations per row"),
        _p("norm", Options(("linf", "gaussian")), "linf", "perturbation shape"),
        _p("irrelevant", _ANY, None, "columns the prediction must not depend on"),
        _p("increasing", _ANY, None, "columns the prediction must not decrease with"),
        _p("decreasing", _ANY, None, "columns the prediction must not increase with"),
        _p("n_examples", _POS_INT, 200, "hypothesis examples"),
        _p("hypothesis", _BOOL, False, "search a minimal counterexample with hypothesis"),
        _p("categorical", _ANY, None, "columns not perturbed numerically"),
        _p("n_rows", (_POS_INT, _NONE), None, "rows subsampled"),
        _p("delta", (_POSITIVE, _NONE), None, "step of the monotonicity checks"),
        _p("max_violation_rate", _UNIT, 0.0, "largest allowed share of constraint violations"),
        _NAME,
    ),
    "input_validation": _table(
        _p("cases", _ANY, None, "hostile input cases to run (default: all)"),
        _p("skip", _ANY, (), "cases to leave out"),
        _p("huge", _POSITIVE, 1e300, "the 'huge value' case"),
        _NAME,
    ),
    "membership": _table(
        _p("max_advantage", (_UNIT, _NONE), None, "largest allowed attack advantage"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95, "confidence of the advantage interval"),
        _p("n_resamples", resamples(100), 1000, "bootstrap resamples"),
        _p("score", _ANY, None, "loss used by the attack"),
        _NAME,
    ),
    "integrity": _table(
        _p("target", _ANY, None, "label column of train (and test); enables the label checks"),
        _p("checks", _ANY, None, "checks to run (default: every one that applies)"),
        _p("columns", _ANY, None, "feature columns compared (default: all shared but target)"),
        _p("max_duplicate_share", (_UNIT, _NONE), None, "largest allowed share of test rows "
           "that duplicate a train row (default: derived from train's own repeat rate)"),
        _p("near_digits", Interval("int", 1, 15), 4,
           "near-duplicates: significant digits numbers are rounded to"),
        _p("max_near_duplicate_share", (_UNIT, _NONE), None,
           "largest allowed share of near-duplicate (not exact) test rows (default: derived)"),
        _p("max_conflict_share", (_UNIT, _NONE), None,
           "largest allowed share of rows with identical features but another label "
           "(default: derived)"),
        _p("max_leak_score", _UNIT, 0.99,
           "largest allowed out-of-fold score of one feature alone (balanced accuracy / R²)"),
        _p("leak_folds", FOLDS, 3, "leakage: cross-validation folds"),
        _p("leak_max_rows", Interval("int", 10, None), 20_000, "leakage: train rows sampled"),
        _p("max_null_rate", (_UNIT, _NONE), None,
           "largest allowed null rate of every column (default: derived per column)"),
        _p("null_tolerance", (_UNIT, _NONE), None,
           "derived max null rate: reference rate + this (default 0.05)"),
        _p("confidence", CONFIDENCE, 0.95,
           "confidence of the null-rate interval and the derived range/duplicate allowances"),
        _p("range_tolerance", (_NONNEG, _NONE), None,
           "derived range: reference [min, max] widened by this x span (default 0)"),
        _p("max_out_of_range_share", (_UNIT, _NONE), None,
           "largest allowed share of test values outside the range (default: derived)"),
        _p("max_categories", (_POS_INT, _NONE), None,
           "columns with at most this many values get an allowed domain (default 50)"),
        _p("max_new_category_share", _UNIT, 0.0,
           "largest allowed share of test values outside the domain"),
        _p("name", (Name(), _NONE), None, "prefix of the checks' report names"),
    ),
    "determinism": _table(
        _p("method", (_STR, _NONE), None,
           "estimator method to call (default: predict; a plain callable is called as is)"),
        _p("checks", (Subset(DETERMINISM_CHECKS), Options(DETERMINISM_CHECKS), _NONE), None,
           "checks to run (default: all)"),
        _p("max_rows", _POS_INT, 200, "rows predicted one at a time (sampled with the seed)"),
        _p("atol", _NONNEG, 1e-8, "absolute tolerance for float outputs (numpy.isclose)"),
        _p("rtol", _NONNEG, 1e-5, "relative tolerance for float outputs (numpy.isclose)"),
        _NAME,
    ),
    "seed_variance": _table(
        _p("seeds", (Interval("int", 2, 1000), IntList(2)), 5,
           "number of seeds (from --modelgate-seed on), or the seeds themselves"),
        _p("metric", (_STR, _NONE), None,
           "metric of (y_true, y_pred) results; the label of plain values"),
        _p("min", (_REAL, _NONE), None, "lowest acceptable value"),
        _p("max", (_REAL, _NONE), None, "highest acceptable value"),
        _p("aggregate", Options(("mean", "worst")), "mean",
           "'mean': gate the mean's t-interval; 'worst': gate the worst seed"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95,
           "confidence of the Student-t interval of the mean"),
        _p("n_jobs", (_POS_INT, _NONE), None, "seeds evaluated in parallel threads"),
        _NAME,
    ),
}


# calibration and fairness gates (issue 11), one block so the table merges cleanly
KEYWORDS = {**KEYWORDS, **{
    "calibration": _table(
        _p("max_ece", (_UNIT, _NONE), None, "largest acceptable expected calibration error"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95, "confidence of the ECE interval"),
        _p("n_bins", (Interval("int", 1, 1000), _NONE), 10, "reliability bins"),
        _p("strategy", Options(("uniform", "quantile")), "uniform",
           "'uniform': equal-width bins; 'quantile': equal-mass bins"),
        _p("n_resamples", resamples(10), 1000, "bootstrap resamples for the interval"),
        _p("per_class", _BOOL, True, "multiclass: also gate every class one-vs-rest"),
        _p("pos_label", _ANY, None, "the positive class of a binary problem"),
        _p("labels", _ANY, None, "the class of each probability column (model.classes_)"),
        _p("power", Interval("real", 0, 1, "neither"), 0.8,
           "power assumed by the rows-needed estimate of an inconclusive verdict"),
        _NAME,
    ),
    "fairness": _table(
        _p("metric", _STR, "demographic_parity_difference",
           "fairness metric (..._difference or ..._ratio) or a metric whose group gap is gated"),
        _p("max_gap", (_NONNEG, _NONE), None, "largest allowed difference between groups"),
        _p("min_ratio", (_UNIT, _NONE), None, "smallest allowed ratio (..._ratio metrics)"),
        _p("confidence", (CONFIDENCE, _NONE), 0.95, "confidence of the gap interval"),
        _p("n_resamples", resamples(10), 1000, "bootstrap resamples, stratified by group"),
        _p("pos_label", _ANY, None, "the favourable (positive) outcome"),
        _p("average", (_AVERAGE, _NONE), None, "averaging for precision/recall/f1/jaccard"),
        _p("power", Interval("real", 0, 1, "neither"), 0.8,
           "power assumed by the rows-needed estimate of an inconclusive verdict"),
        _p("min_group_rows", Interval("int", 2, None), 10,
           "fewest rows every group needs for an interval (else no interval: inconclusive)"),
        _NAME,
    ),
}}


def keyword(kind: str, key: str) -> Param | None:
    """The table entry of `key` for gate `kind`, or None when the table does not list it."""
    return KEYWORDS.get(kind, {}).get(key)


def check_value(kind: str, key: str, value: Any, where: str) -> Any:
    """Check one keyword value against its kind's table; keys the table lacks pass unchanged."""
    param = keyword(kind, key)
    return value if param is None else param.check(value, where)


def signature(call: str, keys: Mapping[str, tuple[str, str]]) -> str:
    """`call(k=default, ...)` for a marker: `keys` maps each marker keyword to (kind, gate key)."""
    parts = []
    for mk, (kind, gk) in keys.items():
        param = keyword(kind, gk)
        if param is None:
            raise ConfigError(f"marker {call}: keyword {mk!r} is not in the {kind} table")
        parts.append(f"{mk}={param.default!r}")
    return f"{call}({', '.join(parts)})"


def markdown_tables() -> str:
    """The keyword tables as Markdown, one per gate kind (docs/reference.md embeds this text)."""
    lines: list[str] = []
    for kind, table in KEYWORDS.items():
        lines += [f"### `gate.{kind}`", "", "| keyword | accepts | default | meaning |",
                  "|---|---|---|---|"]
        for p in table.values():
            accepts = p.text.replace("|", "\\|")
            lines.append(f"| `{p.name}` | {accepts} | `{p.default!r}` | {p.doc} |")
        lines.append("")
    return "\n".join(lines)
