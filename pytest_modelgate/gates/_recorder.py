"""The `gate` recorder: merges defaults, calls the per-kind judge, records every `GateResult`.

No pytest import here: the plugin builds a `GateContext` per test and hands in a sink.
"""

from __future__ import annotations

import linecache
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import FrameType
from typing import Any

from pytest_modelgate._params import Name, check_param
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import GateResult

from ._keywords import check_value

__all__ = [
    "DEFAULT_NAMES", "Gate", "GateContext", "GateFailure", "call_site", "check_keywords", "format_failures",
    "user_stacklevel",
]

_UNSET: Any = object()

# The report name of a gate called without name=: what policy selectors and baselines key on.
DEFAULT_NAMES: dict[str, str] = {"drift": "dataset", "robustness": "flip_rate",
                                 "input_validation": "input_validation",
                                 "membership": "loss_threshold_attack"}
DEFAULT_NAMES.update({"calibration": "ece"})  # fairness: named after its metric
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class GateContext:
    """What a judge needs from the run: the test, the seed, defaults and the stored baseline.

    `defaults` maps a gate kind ("metric", "drift", "latency", ...) to keyword defaults from the
    test's markers; `overrides` are the policy's layers (gate-wide, then this test's), each mapping
    a selector ("metric" or "metric:accuracy") to values that win over both marker and call.
    `baseline(kind, name)` returns the stored result dict for this test's gate of that kind and
    name, or None. `baseline_file` is the baseline file's path (to say where an entry is missing);
    with `strict_baseline` a `max_drop=` gate without a stored value fails instead of passing.
    """

    nodeid: str = "<library>"
    seed: int = 0
    defaults: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    overrides: Sequence[Mapping[str, Mapping[str, Any]]] = ()
    baseline: Callable[[str, str], Mapping[str, Any] | None] = lambda kind, name: None
    baseline_file: str | None = None
    strict_baseline: bool = False
    warn_only: bool = False
    inconclusive: str = "fail"
    xdist_worker: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)
    # the plugin's progress sink (terminal reporter); None: progress is not shown (-q, xdist)
    progress_writer: Callable[[str, bool], None] | None = None

    def progress(self, kind: str, unit: str) -> Callable[[int, int], None] | None:
        """A throttled `(done, total)` callback for a long engine loop of a `kind` gate, or None
        when nothing shows it; silent for the first seconds, so fast gates print nothing."""
        if self.progress_writer is None:
            return None
        from ._progress import Throttle

        return Throttle(kind, unit, self.progress_writer,
                        every=getattr(self.progress_writer, "every", 1.0))

    def resolve(
        self, kind: str, name: str | None, call: Mapping[str, Any], allowed: Sequence[str]
    ) -> dict[str, Any]:
        """Merge keyword values: policy override > explicit call > marker default.

        Values left at `_UNSET` in `call` fall back to the marker; a call or policy keyword the
        gate does not take is a configuration error naming it (with the closest allowed one).
        Every value is checked once here against the kind's keyword table (`_keywords.py`), so
        a wrong type or range is a `ConfigError` naming the keyword, not a crash in the judge.
        """
        __tracebackhide__ = True
        check_keywords(kind, [k for k, v in call.items() if v is not _UNSET], allowed)
        merged: dict[str, Any] = {}
        for key, value in self.defaults.get(kind, {}).items():
            if key in allowed:
                merged[key] = check_value(kind, key, value, f"{self.nodeid}: marker default for "
                                                            f"gate.{kind}")
        for key, value in call.items():
            if value is not _UNSET:
                merged[key] = check_value(kind, key, value, f"gate.{kind}")
        scopes = (kind, f"{kind}:{name}") if name else (kind,)  # name: as the report prints it
        for layer, scope in ((layer, scope) for layer in self.overrides for scope in scopes):
            for key, value in layer.get(scope, {}).items():
                if key not in allowed:
                    raise ConfigError(
                        f"policy for {scope!r} in {self.nodeid}: unknown key {key!r}; "
                        f"allowed: {', '.join(sorted(allowed))}"
                    )
                merged[key] = check_value(kind, key, value, f"policy for {scope!r}")
        return merged


def _in_package(frame: FrameType) -> bool:
    return os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE + os.sep)


def user_stacklevel() -> int:
    """The `warnings.warn` stacklevel that points at the user code calling into the gates."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and _in_package(frame):
        level, frame = level + 1, frame.f_back
    return level


def call_site() -> str:
    """Where user code called into the gates: "`<source line>` at file.py:12" (for messages)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and _in_package(frame):
        frame = frame.f_back
    filename, lineno = frame.f_code.co_filename, frame.f_lineno
    code = linecache.getline(filename, lineno).strip()
    where = f"{os.path.basename(filename)}:{lineno}"
    return f"`{code}` at {where}" if code else f"at {where}"


def _check_name(name: Any, where: str) -> None:
    """`name=` of gate.metric / gate.compare, as the keyword tables check the other kinds'."""
    if name is not None:
        check_param(name, "name", Name(), where)


def check_keywords(kind: str, keys: Iterable[str], allowed: Sequence[str]) -> None:
    """Raise `ConfigError` naming every key not in `allowed`, with the closest allowed one."""
    __tracebackhide__ = True
    unknown = sorted(set(keys) - set(allowed))
    if unknown:
        import difflib

        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(allowed), n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"gate.{kind}: unknown keyword(s) {', '.join(hints)}; "
                          f"allowed: {', '.join(sorted(allowed))}")


class GateFailure(AssertionError):
    """Raised at the end of a test whose enforced gates did not all pass: one failure, all gates."""

    def __init__(self, failures: Sequence[GateResult]) -> None:
        self.failures = list(failures)
        super().__init__(format_failures(self.failures))


def format_failures(failures: Sequence[GateResult]) -> str:
    """The failure message: one block per failed gate, with value, threshold, CI and margin."""
    n = len(failures)
    lines = [f"{n} model gate{'s' if n != 1 else ''} did not pass:"]
    for r in failures:
        lines.append(f"  [{r.verdict.upper()}] {r.kind} {r.name!r}: {r.message}")
    return "\n".join(lines)


class Gate:
    """Records gate results for one test; every method evaluates, records and returns a result.

    The methods are thin: each resolves its keywords (policy > call > marker), hands the work to
    the judge for its kind (`pytest_modelgate.gates.<kind>`), and records what comes back.
    """

    def __init__(
        self,
        context: GateContext | None = None,
        sink: Callable[[GateResult], None] | None = None,
    ) -> None:
        self.context = context or GateContext()
        self._sink = sink
        self.results: list[GateResult] = []
        self._sites: dict[tuple[str, str], str] = {}

    # -- recording -------------------------------------------------------------------------

    def record(self, result: GateResult) -> GateResult:
        """Record a finished result (also the way custom gates report themselves).

        With a sink (the plugin's, one recorder per test) results feed the report and the
        baseline, both keyed by kind and name: a second gate of one kind and name is an error.
        """
        if result.nodeid != self.context.nodeid:
            result = replace(result, nodeid=self.context.nodeid)
        key = (result.kind, result.name)
        site = call_site() if self._sink is not None else ""
        if self._sink is not None and key in self._sites:
            how = ("gate_options={'name': ...}" if result.kind in ("latency", "memory")
                   else "name=...")
            raise ConfigError(
                f"{result.kind} gate {result.name!r} recorded twice in {self.context.nodeid}: "
                f"first {self._sites[key]}, then {site}; one name per gate kind in a test keys "
                f"its report line and stored baseline: give one of them {how}"
            )
        self._sites[key] = site
        if self.context.warn_only and result.enforced:
            result = replace(result, enforced=False)
        self.results.append(result)
        if self._sink is not None:
            self._sink(result)
        return result

    @property
    def failures(self) -> list[GateResult]:
        """Enforced results that fail the test (inconclusive too, unless the policy says "pass")."""
        tolerated = {"passed", "inconclusive"} if self.context.inconclusive == "pass" else {"passed"}
        return [r for r in self.results if r.enforced and r.verdict not in tolerated]

    def check(self) -> None:
        """Raise one `GateFailure` listing every enforced gate that did not pass."""
        __tracebackhide__ = True
        if self.failures:
            raise GateFailure(self.failures)

    def _opt(self, kind: str, call: Mapping[str, Any], key: str) -> Any:
        """A keyword from the call, else the marker default (for the gate's report name)."""
        value = call.get(key, _UNSET)
        return self.context.defaults.get(kind, {}).get(key) if value is _UNSET else value

    # -- metric gates ------------------------------------------------------------------------

    def metric(
        self,
        metric: str | Callable[..., Any] | None = None,
        y_true: Any = None,
        y_pred: Any = None,
        *,
        name: str | None = None,
        min: float | None = _UNSET,
        max: float | None = _UNSET,
        confidence: float | None = _UNSET,
        sample_weight: Any = None,
        slices: Any = _UNSET,
        max_drop: float | None = _UNSET,
        min_slice_size: int = _UNSET,
        X: Any = None,
        **options: Any,
    ) -> GateResult:
        """Gate a scikit-learn metric against `min`/`max` (and the stored baseline via `max_drop`).

        `metric`: a registered name, or a scikit-learn scorer / metric function / any callable
        ``(y_true, y_pred) -> float``. `name` labels the gate in reports and the baseline
        (default: the metric's name).
        """
        from . import metric as judge

        _check_name(name, "gate.metric")
        call = dict(min=min, max=max, confidence=confidence, slices=slices,
                    max_drop=max_drop, min_slice_size=min_slice_size, **options)
        if metric is None:
            metric = self.context.defaults.get("metric", {}).get("metric")
        if metric is None:
            hint = (f" (name={name!r} is the gate's label; the metric is the first argument)"
                    if name is not None else "")
            raise ConfigError(
                "gate.metric: no metric name; pass one (gate.metric('accuracy', ...)) or set "
                f"@pytest.mark.accuracy(metric=...){hint}"
            )
        kw = self.context.resolve(
            "metric", name or judge.report_name(metric, self._opt("metric", call, "average")),
            call, judge.METRIC_KEYWORDS)
        return self.record(judge.metric(self.context, metric, y_true, y_pred,
                                        sample_weight=sample_weight, X=X, gate_name=name, **kw))

    def compare(
        self,
        metric: str,
        y_true: Any,
        candidate_pred: Any,
        baseline_pred: Any,
        *,
        name: str | None = None,
        max_drop: float = _UNSET,
        min_gain: float | None = _UNSET,
        confidence: float = _UNSET,
        sample_weight: Any = None,
        **options: Any,
    ) -> GateResult:
        """Champion vs challenger on the same rows: a paired non-inferiority (or superiority) test.

        `name` labels the gate in reports and the baseline (default: the metric's name).
        """
        from . import metric as judge

        _check_name(name, "gate.compare")
        call = dict(max_drop=max_drop, min_gain=min_gain, confidence=confidence, **options)
        kw = self.context.resolve(
            "compare", name or judge.report_name(metric, self._opt("compare", call, "average")),
            call, judge.COMPARE_KEYWORDS)
        return self.record(judge.compare(self.context, metric, y_true, candidate_pred,
                                         baseline_pred, sample_weight=sample_weight,
                                         gate_name=name, **kw))

    def weak_slices(
        self,
        X: Any,
        y_true: Any,
        y_pred: Any,
        *,
        metric: str = _UNSET,
        max_gap: float = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Search the weakest data segments automatically and gate the worst one's gap."""
        from . import metric as judge

        call = dict(metric=metric, max_gap=max_gap, **options)
        kw = self.context.resolve(
            "weak_slices", judge.report_name(self._opt("weak_slices", call, "metric") or "accuracy",
                                             self._opt("weak_slices", call, "average")),
            call, judge.WEAK_SLICES_KEYWORDS)
        return self.record(judge.weak_slices(self.context, X, y_true, y_pred, **kw))

    # -- drift ---------------------------------------------------------------------------------

    def drift(
        self,
        reference: Any,
        current: Any,
        *,
        method: str = _UNSET,
        alpha: float = _UNSET,
        max_share: float = _UNSET,
        columns: Any = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Per-column drift tests with a multiple-testing correction and a dataset verdict."""
        from . import drift as judge

        call = dict(method=method, alpha=alpha, max_share=max_share, columns=columns, **options)
        kw = self.context.resolve("drift", self._opt("drift", call, "name") or DEFAULT_NAMES["drift"], call,
                                  judge.DRIFT_KEYWORDS)
        return self.record(judge.drift(self.context, reference, current, **kw))

    # -- latency and memory --------------------------------------------------------------------

    def latency(
        self,
        fn: Callable[..., Any],
        *args: Any,
        p50: float | str | None = _UNSET,
        p95: float | str | None = _UNSET,
        p99: float | str | None = _UNSET,
        throughput: float | None = _UNSET,
        rows: int | None = _UNSET,
        baseline: Callable[..., Any] | None = _UNSET,
        max_ratio: float | None = _UNSET,
        gate_options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> GateResult:
        """Percentile / throughput budgets, or a ratio budget against `baseline` timed interleaved.

        Extra keyword arguments are passed to `fn`; harness settings go in `gate_options`.
        """
        from . import latency as judge

        call = dict(p50=p50, p95=p95, p99=p99, throughput=throughput, rows=rows,
                    baseline=baseline, max_ratio=max_ratio, **(gate_options or {}))
        kw = self.context.resolve("latency", self._opt("latency", call, "name")
                                  or getattr(fn, "__name__", None) or "latency", call,
                                  judge.LATENCY_KEYWORDS)
        return self.record(judge.latency(self.context, fn, args, kwargs, **kw))

    def memory(
        self,
        fn: Callable[..., Any] | str | os.PathLike[str],
        *args: Any,
        max_bytes: int | str | None = _UNSET,
        gate_options: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> GateResult:
        """Peak memory of one call of `fn` (tracemalloc) against `max_bytes`; a path gates its size."""
        from . import latency as judge

        call = dict(max_bytes=max_bytes, **(gate_options or {}))
        label = self._opt("memory", call, "name") or (
            os.path.basename(os.fspath(fn)) if isinstance(fn, (str, os.PathLike))
            else getattr(fn, "__name__", None) or "memory")
        kw = self.context.resolve("memory", label, call,
                                  judge.MEMORY_KEYWORDS)
        return self.record(judge.memory(self.context, fn, args, kwargs, **kw))

    # -- security ------------------------------------------------------------------------------

    def artifact(
        self,
        path: Any,
        *,
        sha256: str | None = _UNSET,
        scan: bool = _UNSET,
        max_bytes: int | str | None = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Pinned hash and static scan of a serialized model; never loads it."""
        from . import security as judge

        call = dict(sha256=sha256, scan=scan, max_bytes=max_bytes, **options)
        label = self._opt("artifact", call, "name") or (
            os.path.basename(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else None)
        kw = self.context.resolve("artifact", label, call, judge.ARTIFACT_KEYWORDS)
        return self.record(judge.artifact(self.context, path, **kw))

    def robustness(
        self,
        model: Any,
        X: Any,
        *,
        noise: float = _UNSET,
        max_flip_rate: float = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Prediction flips under small perturbations, invariances and monotonic constraints."""
        from . import security as judge

        call = dict(noise=noise, max_flip_rate=max_flip_rate, **options)
        kw = self.context.resolve("robustness", self._opt("robustness", call, "name") or DEFAULT_NAMES["robustness"],
                                  call, judge.ROBUSTNESS_KEYWORDS)
        return self.record(judge.robustness(self.context, model, X, **kw))

    def input_validation(self, model: Any, X_sample: Any, **options: Any) -> GateResult:
        """Hostile inputs must raise a clear error or give valid output, never silent garbage."""
        from . import security as judge

        kw = self.context.resolve(
            "input_validation", self._opt("input_validation", options, "name") or DEFAULT_NAMES["input_validation"],
            options, judge.INPUT_VALIDATION_KEYWORDS)
        return self.record(judge.input_validation(self.context, model, X_sample, **kw))

    def membership(
        self,
        model: Any,
        train: Any,
        test: Any,
        *,
        max_advantage: float = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Membership-inference advantage of a loss-threshold attack, with a bootstrap CI."""
        from . import security as judge

        call = dict(max_advantage=max_advantage, **options)
        kw = self.context.resolve(
            "membership", self._opt("membership", call, "name") or DEFAULT_NAMES["membership"], call,
            judge.MEMBERSHIP_KEYWORDS)
        return self.record(judge.membership(self.context, model, train, test, **kw))

    # -- data integrity --------------------------------------------------------------------------

    def integrity(
        self,
        train: Any,
        test: Any,
        *,
        target: Any = _UNSET,
        y_train: Any = None,
        y_test: Any = None,
        **options: Any,
    ) -> dict[str, GateResult]:
        """Duplicates, near-duplicates, label conflicts, leakage and schema checks of a split.

        One result per check (kind "integrity", named after the check), recorded and returned
        by check name. `train` may also be a saved profile (path or `Profile`): schema checks.
        """
        from . import integrity as judge

        call = dict(target=target, **options)
        kw = self.context.resolve("integrity", None, call, judge.INTEGRITY_KEYWORDS)

        def settings(check: str) -> dict[str, Any]:
            return self.context.resolve("integrity", judge.report_name(check, kw.get("name")),
                                        call, judge.INTEGRITY_KEYWORDS)

        found = judge.integrity(self.context, train, test, y_train=y_train, y_test=y_test,
                                kw=kw, settings=settings)
        return {check: self.record(result) for check, result in found}
    # -- determinism and seed variance ---------------------------------------------------------

    def determinism(
        self,
        predict: Any,
        X: Any,
        *,
        method: str | None = _UNSET,
        checks: Any = _UNSET,
        max_rows: int = _UNSET,
        atol: float = _UNSET,
        rtol: float = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Same rows, same answers: repeated, one row at a time, shuffled, and as float32.

        `predict` is an estimator (its `method`, default `predict`) or a callable X -> output.
        """
        from . import determinism as judge

        call = dict(method=method, checks=checks, max_rows=max_rows, atol=atol, rtol=rtol,
                    **options)
        kw = self.context.resolve("determinism", self._opt("determinism", call, "name")
                                  or "determinism", call, judge.DETERMINISM_KEYWORDS)
        return self.record(judge.determinism(self.context, predict, X, **kw))

    def seed_variance(
        self,
        evaluate: Callable[[int], Any] | Mapping[int, Any],
        *,
        seeds: int | Sequence[int] = _UNSET,
        metric: str | None = _UNSET,
        min: float | None = _UNSET,
        max: float | None = _UNSET,
        aggregate: str = _UNSET,
        confidence: float | None = _UNSET,
        n_jobs: int | None = _UNSET,
        **options: Any,
    ) -> GateResult:
        """Run `evaluate(seed)` for every seed and gate the across-seed mean (Student-t
        interval) or the worst seed; `seeds` defaults to @pytest.mark.modelgate(seeds=...).
        """
        from . import seed_variance as judge

        call = dict(seeds=seeds, metric=metric, min=min, max=max, aggregate=aggregate,
                    confidence=confidence, n_jobs=n_jobs, **options)
        kw = self.context.resolve(
            "seed_variance", self._opt("seed_variance", call, "name")
            or self._opt("seed_variance", call, "metric") or "seed_variance", call,
            judge.SEED_VARIANCE_KEYWORDS)
        return self.record(judge.seed_variance(self.context, evaluate, **kw))
    # -- calibration and fairness -------------------------------------------------------------

    def calibration(
        self,
        y_true: Any,
        proba: Any,
        *,
        max_ece: float | None = _UNSET,
        confidence: float | None = _UNSET,
        n_bins: int = _UNSET,
        strategy: str = _UNSET,
        sample_weight: Any = None,
        **options: Any,
    ) -> GateResult:
        """Expected calibration error (bootstrap CI) against `max_ece`; over/under-confidence
        named; every class of a multiclass model gated one-vs-rest."""
        from . import calibration as judge

        call = dict(max_ece=max_ece, confidence=confidence, n_bins=n_bins, strategy=strategy,
                    **options)
        kw = self.context.resolve(
            "calibration", self._opt("calibration", call, "name") or DEFAULT_NAMES["calibration"],
            call, (*judge.CALIBRATION_KEYWORDS, "name"))
        return self.record(judge.calibration(self.context, y_true, proba,
                                             sample_weight=sample_weight, **kw))

    def fairness(
        self,
        y_true: Any,
        y_pred: Any,
        *,
        sensitive: Any,
        metric: str = _UNSET,
        max_gap: float | None = _UNSET,
        min_ratio: float | None = _UNSET,
        confidence: float | None = _UNSET,
        X: Any = None,
        sample_weight: Any = None,
        **options: Any,
    ) -> GateResult:
        """A group-fairness gap (demographic parity, equalized odds, equal opportunity, or any
        metric's max-minus-min across the groups of `sensitive`) with a stratified bootstrap CI."""
        from . import fairness as judge

        call = dict(metric=metric, max_gap=max_gap, min_ratio=min_ratio, confidence=confidence,
                    **options)
        label = self._opt("fairness", call, "name") or judge.report_name(
            self._opt("fairness", call, "metric") or "demographic_parity_difference")
        kw = self.context.resolve("fairness", label, call, (*judge.FAIRNESS_KEYWORDS, "name"))
        return self.record(judge.fairness(self.context, y_true, y_pred, sensitive=sensitive, X=X,
                                          sample_weight=sample_weight, **kw))
