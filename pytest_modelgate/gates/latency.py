"""Latency and memory judges: harness measurement + budgets -> `GateResult`.

Verdicts (the issue's rule, one-sided bounds of a two-sided interval at `confidence`):
passed when the upper bound is within budget, failed when the lower bound is over it,
inconclusive otherwise; an open verdict extends sampling (up to `extend_time`), and a verdict
still open then fails by default (`inconclusive="warn"` records it without failing).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from pytest_modelgate._numbers import format_estimate, format_number, format_signed
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.latency._compare import Comparison, RatioResult
from pytest_modelgate.latency._context import collect_context
from pytest_modelgate.latency._harness import (
    CPU_SHARE_WARN,
    LatencyResult,
    NoSamplesError,
    Session,
    _batched_refusal,
    check_harness_options,
    min_samples_default,
    parse_descheduled,
    parse_gc,
    parse_timer,
)
from pytest_modelgate.latency._memory import MemoryResult, artifact_size, peak_memory, peak_rss
from pytest_modelgate.latency._quantiles import parse_quantile, quantile_ci
from pytest_modelgate.latency._reference import machine_factor, reference_workload
from pytest_modelgate.results import GateResult, decide
from pytest_modelgate.units import format_bytes, format_seconds, parse_bytes, parse_seconds

from ._details import latency_plot
from ._recorder import check_keywords

if TYPE_CHECKING:
    from ._recorder import GateContext

__all__ = ["LATENCY_KEYWORDS", "MEMORY_KEYWORDS", "latency", "memory"]

LATENCY_KEYWORDS = (
    "p50", "p95", "p99", "throughput", "rows", "baseline", "max_ratio", "quantile",
    "min_samples", "max_time", "min_time", "extend_time", "confidence", "warmup",
    "warmup_time", "gc", "batch", "inconclusive", "n_resamples", "reference_time", "timer",
    "descheduled", "name",
)
MEMORY_KEYWORDS = ("max_bytes", "method", "repeat", "warmup", "setup", "timeout", "name")

Verdict = Literal["passed", "failed", "inconclusive"]
_BUDGET_LEVELS = {"p50": 0.5, "p95": 0.95, "p99": 0.99}
_INCONCLUSIVE = ("fail", "warn")
#: a gate samples for at least this long, so its samples span more than one burst of noise
GATE_MIN_TIME = 0.5
_XDIST_POLICIES = ("enforce", "report")


@dataclass(frozen=True)
class _Check:
    """One budget judged: value, two-sided bounds, threshold and the three-way verdict."""

    name: str
    value: float
    low: float
    high: float
    threshold: float
    direction: Literal["lower", "higher"]
    unit: str
    n: int

    @property
    def verdict(self) -> Verdict:
        if self.direction == "lower":
            if self.high <= self.threshold:
                return "passed"
            return "failed" if self.low > self.threshold else "inconclusive"
        if self.low >= self.threshold:
            return "passed"
        return "failed" if self.high < self.threshold else "inconclusive"

    @property
    def margin(self) -> float:
        """Distance of the deciding bound from the budget; positive is on the good side."""
        if self.direction == "lower":
            return self.threshold - self.high
        return self.low - self.threshold

    def fmt(self, x: float) -> str:
        if math.isinf(x):
            return "+inf" if x > 0 else "-inf"
        if self.unit == "s":
            return format_seconds(x)
        if self.unit == "ratio":
            return f"{x:.3f}×"
        return format_number(x, self.unit)

    def describe(self) -> str:
        op = "≤" if self.direction == "lower" else "≥"
        margin = self.margin
        if math.isinf(margin):
            mtxt = "bound not yet defined"
        elif self.unit == "s":
            mtxt = f"margin {'+' if margin >= 0 else '-'}{format_seconds(abs(margin))}"
        else:
            mtxt = f"margin {format_signed(margin, None if self.unit == 'ratio' else self.unit)}"
        value, ci = format_estimate(self.value, self.low, self.high,
                                    "×" if self.unit == "ratio" else self.unit)
        return (f"{self.name} {value} (CI {ci}) "
                f"vs budget {op} {self.fmt(self.threshold)}: {self.verdict}, {mtxt}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "value": _f(self.value), "ci": [_f(self.low), _f(self.high)],
            "threshold": self.threshold, "direction": self.direction, "unit": self.unit,
            "verdict": self.verdict, "margin": _f(self.margin), "n": self.n,
        }


def _f(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


_RANK = {"failed": 0, "inconclusive": 1, "passed": 2}


def _worst(checks: list[_Check]) -> _Check:
    """The deciding check: worst verdict first, then the smallest margin relative to budget."""
    def key(c: _Check) -> tuple[int, float]:
        rel = c.margin / c.threshold if c.threshold else c.margin
        return (_RANK[c.verdict], rel if math.isfinite(rel) else -math.inf)
    return min(checks, key=key)


def _overall(checks: list[_Check]) -> Verdict:
    verdicts = {c.verdict for c in checks}
    if "failed" in verdicts:
        return "failed"
    return "inconclusive" if "inconclusive" in verdicts else "passed"


# -- option parsing -------------------------------------------------------------------------------


def _opt(kw: Mapping[str, Any], key: str, default: Any) -> Any:
    value = kw.get(key)
    return default if value is None else value


def _positive_seconds(value: object, arg: str) -> float:
    out = parse_seconds(value, arg)
    if out <= 0:
        raise ConfigError(f"{arg}: a latency budget must be positive, got {value!r}")
    return out


def _positive_number(value: object, arg: str, what: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise ConfigError(f"{arg}: cannot read {value!r} as {what}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{arg}: expected {what} (a positive number), got {value!r}")
    return float(value)


def _check_unknown(kw: Mapping[str, Any], allowed: tuple[str, ...], gate: str) -> None:
    check_keywords(gate, kw, allowed)


def _xdist_policy(ctx: GateContext) -> tuple[bool, list[str]]:
    """(enforced, warnings) under pytest-xdist; outside it always enforced, no warning."""
    if not ctx.xdist_worker:
        return True, []
    policy = str(ctx.extra.get("latency_under_xdist", "report")).strip().lower()
    if policy not in _XDIST_POLICIES:
        raise ConfigError(
            f"latency_under_xdist: expected 'enforce' or 'report', got {policy!r}"
        )
    warning = ("timed under pytest-xdist: other workers share the CPU, so timings are inflated "
               "and noisy; run latency gates in a separate step with -p no:xdist (or -n0)")
    return policy == "enforce", [warning]


# -- the latency judge ----------------------------------------------------------------------------


def latency(ctx: GateContext, fn: Callable[..., Any], args: tuple[Any, ...],
            kwargs: Mapping[str, Any], **kw: Any) -> GateResult:
    """Judge `fn(*args, **kwargs)` against percentile, throughput and/or ratio budgets."""
    _check_unknown(kw, LATENCY_KEYWORDS, "latency")
    if not callable(fn):
        raise ConfigError(f"gate.latency: fn must be a callable to time, got {type(fn).__name__}")
    name = str(kw.get("name") or getattr(fn, "__name__", None) or "latency")
    budgets = {k: _positive_seconds(kw[k], k) for k in _BUDGET_LEVELS if kw.get(k) is not None}
    tp_budget = (_positive_number(kw["throughput"], "throughput", "a rate in rows per second")
                 if kw.get("throughput") is not None else None)
    rows = kw.get("rows")  # a positive integer or None: the keyword table
    baseline = kw.get("baseline")
    max_ratio = (_positive_number(kw["max_ratio"], "max_ratio", "a ratio such as 1.10")
                 if kw.get("max_ratio") is not None else None)
    if baseline is not None and max_ratio is None:
        raise ConfigError("gate.latency: baseline= needs max_ratio= (e.g. max_ratio=1.10: the "
                          "candidate may be at most 10% slower than the baseline)")
    if max_ratio is not None and baseline is None:
        raise ConfigError("gate.latency: max_ratio= needs baseline= (the callable to compare with, "
                          "timed interleaved in the same process)")
    n_opt, max_time, min_time, warmup, warmup_time, confidence = check_harness_options(
        kw.get("min_samples"), _opt(kw, "max_time", 5.0), _opt(kw, "min_time", GATE_MIN_TIME),
        _opt(kw, "warmup", 10), _opt(kw, "warmup_time", 0.2), _opt(kw, "confidence", 0.95))
    extend_time = parse_seconds(_opt(kw, "extend_time", max_time), "extend_time")
    gc = parse_gc(_opt(kw, "gc", True))
    timer = parse_timer(_opt(kw, "timer", "wall"))
    descheduled = parse_descheduled(_opt(kw, "descheduled", "drop"))
    batch = _opt(kw, "batch", "auto")
    inconclusive = str(_opt(kw, "inconclusive", "fail")).strip().lower()
    if inconclusive == "pass":
        inconclusive = "warn"
    n_resamples = _opt(kw, "n_resamples", 2000)
    reference_time = (_positive_seconds(kw["reference_time"], "reference_time")
                      if kw.get("reference_time") is not None else None)
    enforced, warnings = _xdist_policy(ctx)
    context = collect_context()
    warnings.extend(context.get("warnings", []))
    total_time = max_time + extend_time

    settings: dict[str, Any] = {
        "max_time": max_time, "extend_time": extend_time, "min_time": min_time,
        "warmup": warmup, "warmup_time": warmup_time, "gc": gc, "confidence": confidence,
        "inconclusive": inconclusive, "timer": timer, "descheduled": descheduled,
    }
    if baseline is not None:
        assert max_ratio is not None
        level = parse_quantile(_opt(kw, "quantile", "p50"), "quantile")
        levels = (level, *(_BUDGET_LEVELS[k] for k in budgets))
        target = n_opt or max(400, min_samples_default(levels, confidence))
        comp = Comparison(fn, baseline, tuple(args), dict(kwargs), level=level, warmup=warmup,
                          warmup_time=warmup_time, max_time=max_time, gc=gc, batch=batch,
                          min_samples=target, timer=timer, descheduled=descheduled)
        _refuse_batched(comp.session, budgets)
        comp.session.progress = ctx.progress("latency", "samples")
        comp.run(target, min_time, max_time)
        seed = int(ctx.seed)

        def evaluate_ratio() -> tuple[list[_Check], RatioResult]:
            rr = comp.result(confidence=confidence, n_resamples=n_resamples, seed=seed)
            checks = [_Check(f"p{level * 100:g} ratio", rr.ratio, rr.ci[0], rr.ci[1], max_ratio,
                             "lower", "ratio", rr.samples)]
            checks += _absolute_checks(rr.candidate, budgets, tp_budget, rows, 1.0, confidence)
            return checks, rr

        missing: NoSamplesError | None = None
        try:
            checks, rr = evaluate_ratio()
        except NoSamplesError as exc:
            missing = exc
        extended = False
        while (missing is not None or _overall(checks) == "inconclusive") and (
                comp.session.elapsed < total_time):
            extended = True
            comp.run(max(comp.session.samples * 2, target), 0.0,
                     total_time - comp.session.elapsed)
            try:
                checks, rr = evaluate_ratio()
                missing = None
            except NoSamplesError as exc:
                missing = exc
        if missing is not None:
            return _no_samples(ctx, name, missing, budgets, tp_budget, max_ratio, settings,
                               context, warnings, enforced, inconclusive, comp.session.elapsed)
        details: dict[str, Any] = {
            "mode": "relative",
            "ratio": {k: v for k, v in rr.to_dict().items() if k not in ("candidate", "baseline")},
            "distribution": rr.candidate.to_dict(),
            "baseline_distribution": rr.baseline.to_dict(),
            "baseline_name": getattr(baseline, "__name__", repr(baseline)),
        }
        result = rr.candidate
        method = "round-bootstrap ratio of quantiles"
        elapsed = comp.session.elapsed
    else:
        levels = tuple(_BUDGET_LEVELS[k] for k in budgets) or (0.5,)
        target = n_opt or min_samples_default(levels, confidence)
        targets: list[tuple[Callable[..., Any], tuple[Any, ...], Mapping[str, Any]]] = [
            (fn, tuple(args), dict(kwargs))]
        if reference_time is not None:
            targets.append((reference_workload, (), {}))
        session = Session(targets, warmup=warmup, warmup_time=warmup_time, max_time=max_time,
                          gc=gc, batch=batch, timer=timer, descheduled=descheduled)
        _refuse_batched(session, budgets)
        session.progress = ctx.progress("latency", "samples")
        session.run(target, min_time, max_time)

        def evaluate_abs() -> tuple[list[_Check], LatencyResult, dict[str, Any]]:
            res = session.result(0, confidence=confidence, rows=rows)
            factor_info: dict[str, Any] = {}
            factor = 1.0
            if reference_time is not None:
                ref = session.result(1, confidence=confidence)
                factor, clamped = machine_factor(ref.p50, reference_time)
                factor_info = {"machine_factor": factor, "clamped": clamped,
                               "reference_p50": ref.p50, "reference_time": reference_time}
            return (_absolute_checks(res, budgets, tp_budget, rows, factor, confidence), res,
                    factor_info)

        missing = None
        try:
            checks, result, factor_info = evaluate_abs()
        except NoSamplesError as exc:
            missing = exc
        extended = False
        while (missing is not None or _overall(checks) == "inconclusive") and (
                session.elapsed < total_time):
            extended = True
            session.run(max(session.samples * 2, target), 0.0, total_time - session.elapsed)
            try:
                checks, result, factor_info = evaluate_abs()
                missing = None
            except NoSamplesError as exc:
                missing = exc
        if missing is not None:
            return _no_samples(ctx, name, missing, budgets, tp_budget, max_ratio, settings,
                               context, warnings, enforced, inconclusive, session.elapsed)
        details = {"mode": "absolute", "distribution": result.to_dict()}
        if factor_info:
            details["normalisation"] = factor_info
        method = "order-statistic (binomial) bounds"
        elapsed = session.elapsed
    details.update({
        "checks": [c.to_dict() for c in checks], "context": context, "warnings": warnings,
        "settings": settings, "extended": extended, "elapsed": elapsed,
        "notes": list(result.notes),
    })
    details.update(latency_plot(result, rr.baseline if details["mode"] == "relative" else None))
    return _finish(ctx, name, checks, result, details, method, confidence, enforced,
                   inconclusive, extended, elapsed)


def _no_samples(ctx: GateContext, name: str, exc: NoSamplesError, budgets: Mapping[str, float],
                tp_budget: float | None, max_ratio: float | None, settings: dict[str, Any],
                context: dict[str, Any], warnings: list[str], enforced: bool, inconclusive: str,
                elapsed: float) -> GateResult:
    """No sample counts even after extending: inconclusive, saying what happened and what to do."""
    threshold: dict[str, Any] = dict(budgets)
    if tp_budget is not None:
        threshold["throughput"] = tp_budget
    if max_ratio is not None:
        threshold["max_ratio"] = max_ratio
    parts = [f"INCONCLUSIVE: {str(exc).removeprefix('fn: ')}"]
    if inconclusive == "warn":
        enforced = False
        parts.append("inconclusive='warn': recorded without failing the test")
    elif getattr(ctx, "inconclusive", "fail") == "pass":
        parts.append("tolerated by the run's inconclusive policy (pass)")
    details = {"mode": "absolute" if max_ratio is None else "relative", "checks": [],
               "descheduling": exc.descheduling.to_dict(), "context": context,
               "warnings": warnings, "settings": settings, "extended": True,
               "elapsed": elapsed, "notes": [], "no_samples": True}
    return GateResult(
        nodeid=ctx.nodeid, kind="latency", name=name, value=None, threshold=threshold,
        direction="lower", ci=None, confidence=settings["confidence"], margin=None,
        verdict="inconclusive", message="; ".join(parts), method="order-statistic (binomial) "
        "bounds" if max_ratio is None else "round-bootstrap ratio of quantiles", n=0, unit="s",
        details=details, enforced=enforced)


def _refuse_batched(session: Session, budgets: Mapping[str, float]) -> None:
    t = session.targets[0]
    for key in budgets:
        if t.loops > 1 and key != "p50":
            raise ConfigError(_batched_refusal(key, t))


def _absolute_checks(res: LatencyResult, budgets: Mapping[str, float], tp_budget: float | None,
                     rows: int | None, factor: float, confidence: float) -> list[_Check]:
    checks: list[_Check] = []
    for key, budget in budgets.items():
        est = quantile_ci(res.times, _BUDGET_LEVELS[key], confidence)
        label = key if factor == 1.0 else f"{key} (budget ×{factor:.2f} machine factor)"
        checks.append(_Check(label, est.value, est.low, est.high, budget * factor, "lower", "s",
                             est.n))
    if tp_budget is not None:
        lo, hi = res.throughput_ci
        unit = "rows/s" if rows is not None else "calls/s"
        checks.append(_Check("throughput", res.throughput, lo, hi, tp_budget / factor, "higher",
                             unit, res.samples))
    return checks


def _advice(check: _Check, verdict: Verdict, mode_relative: bool) -> str:
    if verdict == "passed":
        return ""
    if verdict == "failed":
        if check.unit == "ratio":
            return ("the candidate is slower than the baseline beyond max_ratio: profile the "
                    "change, or raise max_ratio if the slowdown is accepted")
        if check.direction == "higher":
            return "speed up fn, batch more rows, or lower the throughput budget"
        return "speed up fn, pin threads (OMP/OPENBLAS/MKL_NUM_THREADS=1), or raise the budget"
    base = ("the confidence interval straddles the budget even after extending sampling; raise "
            "max_time/extend_time, run on a quieter machine")
    if not mode_relative:
        base += ", or use a relative budget (baseline=..., max_ratio=...)"
    if math.isinf(check.high) or math.isinf(check.low):
        base = (f"too few samples ({check.n}) for a bound of {check.name}; raise max_time or "
                "time a faster unit of work")
    return base


def _finish(ctx: GateContext, name: str, checks: list[_Check], res: LatencyResult,
            details: dict[str, Any], method: str, confidence: float, enforced: bool,
            inconclusive: str, extended: bool, elapsed: float) -> GateResult:
    if not checks:
        return GateResult(
            nodeid=ctx.nodeid, kind="latency", name=name,
            value=res.p50 if math.isfinite(res.p50) else None, threshold={}, direction="lower",
            ci=_ci(res.ci["p50"]), confidence=confidence, margin=None, verdict="passed",
            message=f"no budget set (recorded only): {res.summary()}", method=method,
            n=res.samples, unit="s", details=details, enforced=enforced)
    verdict = _overall(checks)
    decider = _worst(checks)
    relative = details.get("mode") == "relative"
    head = "; ".join(c.describe() for c in checks)
    parts = [head, f"{format_number(res.samples)} samples in {elapsed:.2f}s{' (extended)' if extended else ''}, "
                   f"{confidence:.0%} CI"]
    advice = _advice(decider, verdict, relative)
    if advice:
        parts.append(advice)
    d = res.descheduling
    if d.applied and d.samples:
        parts.append(f"{format_number(d.samples)} of {format_number(d.total)} calls left out of the percentiles: preempted by "
                     "other processes, or right after a preemption (descheduled='keep' counts "
                     "them)")
    if (verdict != "passed" and not relative and res.timer == "wall"
            and res.cpu_share < CPU_SHARE_WARN and not d.applied):
        parts.append(
            f"note: the process held a CPU only {res.cpu_share:.0%} of the sampling time (other "
            "processes competed), so the tail includes waiting for them; a relative budget or "
            "timer='cpu' is robust to that"
        )
    if verdict == "inconclusive" and inconclusive == "warn":
        enforced = False
        parts.append("inconclusive='warn': recorded without failing the test")
    elif verdict == "inconclusive" and getattr(ctx, "inconclusive", "fail") == "pass":
        parts.append("tolerated by the run's inconclusive policy (pass)")
    if ctx.xdist_worker:
        parts.append("not enforced under pytest-xdist (latency_under_xdist='report')" if not enforced
                     else "enforced under pytest-xdist (latency_under_xdist='enforce')")
    threshold: dict[str, Any] = {}
    for c in checks:
        key = "max_ratio" if c.unit == "ratio" else ("throughput" if c.direction == "higher"
                                                     else c.name.split(" ")[0])
        threshold[key] = c.threshold
    return GateResult(
        nodeid=ctx.nodeid, kind="latency", name=name, value=decider.value, threshold=threshold,
        direction=decider.direction, ci=_ci((decider.low, decider.high)), confidence=confidence,
        margin=_f(decider.margin), verdict=verdict, message="; ".join(parts), method=method,
        n=res.samples, unit=decider.unit, details=details, enforced=enforced,
    )


def _ci(ci: tuple[float, float]) -> tuple[float, float] | None:
    lo, hi = ci
    if math.isnan(lo) or math.isnan(hi):
        return None
    return (float(lo), float(hi))


# -- the memory judge -----------------------------------------------------------------------------

_MEMORY_METHODS = ("tracemalloc", "rss")


def memory(ctx: GateContext, fn: Callable[..., Any] | str | os.PathLike[str],
           args: tuple[Any, ...], kwargs: Mapping[str, Any], **kw: Any) -> GateResult:
    """Peak bytes of one call (tracemalloc or subprocess RSS), or a saved artifact's size."""
    _check_unknown(kw, MEMORY_KEYWORDS, "memory")
    max_bytes = parse_bytes(kw["max_bytes"], "max_bytes") if kw.get("max_bytes") is not None else None
    method = str(_opt(kw, "method", "tracemalloc")).strip().lower()
    measured: MemoryResult
    if isinstance(fn, (str, os.PathLike)):
        size = artifact_size(fn)
        measured = MemoryResult(peak=size, method="artifact-size", peaks=(size,),
                                details={"path": os.fspath(fn)})
        name = str(kw.get("name") or os.path.basename(os.fspath(fn)) or "artifact")
        what = f"artifact {os.fspath(fn)!r} size"
    else:
        if not callable(fn):
            raise ConfigError(f"gate.memory: fn must be a callable or a model path, got {type(fn).__name__}")
        name = str(kw.get("name") or getattr(fn, "__name__", None) or "memory")
        if method == "tracemalloc":
            measured = peak_memory(fn, *args, repeat=_opt(kw, "repeat", 3),
                                   warmup=_opt(kw, "warmup", 1), **dict(kwargs))
            what = "peak traced allocation of one call"
        elif method == "rss":
            timeout = parse_seconds(_opt(kw, "timeout", 120.0), "timeout")
            measured = peak_rss(fn, *args, setup=kw.get("setup"), timeout=timeout, **dict(kwargs))
            what = "RSS high-water growth of one call (subprocess)"
        else:
            import difflib

            close = difflib.get_close_matches(method, _MEMORY_METHODS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"method: unknown memory method {method!r}{hint} "
                              f"(known: {', '.join(_MEMORY_METHODS)})")
    value = float(measured.peak)
    decision = decide(value, None, max=None if max_bytes is None else float(max_bytes))
    if max_bytes is None:
        message = f"{what}: {format_bytes(value)} (no max_bytes set, recorded only)"
    else:
        margin = max_bytes - value
        message = (f"{what}: {format_bytes(value)} vs budget ≤ {format_bytes(max_bytes)}: "
                   f"{decision.verdict}, margin {'+' if margin >= 0 else '-'}{format_bytes(abs(margin))}")
        if decision.verdict != "passed":
            message += ("; reduce the allocation (smaller batches, float32, in-place ops) or raise "
                        "max_bytes")
    if measured.notes:
        message += "; " + "; ".join(measured.notes)
    details = {"memory": measured.to_dict(), "context": collect_context()}
    return GateResult(
        nodeid=ctx.nodeid, kind="memory", name=name, value=value,
        threshold={} if max_bytes is None else {"max_bytes": max_bytes}, direction="lower",
        ci=None, confidence=None, margin=decision.margin, verdict=decision.verdict,
        message=message, method=measured.method, n=len(measured.peaks) or 1, unit="B",
        details=details,
    )
