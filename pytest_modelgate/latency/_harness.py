"""The timing harness: warm-up, calibration, interleaved rounds of single-call timings.

One `Session` times one or more callables in rotating rounds (``[A×k, B×k]``, then
``[B×k, A×k]``, ...), so slow drifts of the machine hit every callable alike. Each sample is one
call timed with ``perf_counter_ns``, unless the callable is too fast for the timer; then samples
are calibrated batches (per-call means) and percentiles of single calls are not available.
A session can be resumed, which is how a gate extends its time box when the verdict is open.
"""

from __future__ import annotations

import gc as _gc
import inspect
import math
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pytest_modelgate._numbers import format_estimate, format_number
from pytest_modelgate._params import CONFIDENCE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.units import format_seconds, parse_seconds

from ._context import CLOCKS, collect_context, timer_info
from ._quantiles import QuantileEstimate, min_samples_for, parse_quantile, quantile_ci

__all__ = [
    "DEFAULT_MIN_SAMPLES",
    "LatencyResult",
    "Session",
    "Warmup",
    "measure",
    "parse_descheduled",
    "parse_gc",
    "parse_timer",
]

#: samples needed before a percentile budget is judged (the research note's defaults)
DEFAULT_MIN_SAMPLES = {0.5: 20, 0.95: 200, 0.99: 1000}
#: a call must last this many timer steps to be timed alone (quantisation + jitter <= ~1%)
SINGLE_CALL_STEPS = 100
#: a calibrated batch lasts this many timer steps (quantisation <= ~0.1%)
BATCH_STEPS = 1000
#: a round of one callable lasts about this long, so interleaving is fine-grained
ROUND_TIME = 0.01
#: the first call counts as slow when it exceeds the warm median by this factor
SLOW_FIRST_FACTOR = 5.0
#: below this CPU/wall share while sampling, the result notes that other processes competed
CPU_SHARE_WARN = 0.9
#: samples at least this long also ask the kernel whether the thread was preempted (a syscall of
#: ~1 µs, outside the timed interval)
TRACK_MIN_SECONDS = 20e-6
#: without preemption counters (not Linux), a sample counts as disturbed when its thread was off
#: the CPU longer than this and ...
DESCHED_MIN_SECONDS = 10e-6
#: ... longer than this share of the sample
DESCHED_MIN_SHARE = 0.02
#: ... and only when a typical call keeps its thread on the CPU: median off-CPU share at most
#: this (functions that wait on threads, I/O or sleep are left as measured)
CPU_BOUND_MAX_OFF = 0.05
DESCHEDULED = ("drop", "keep")


def parse_gc(value: object) -> bool:
    """True: collect, then pause the garbage collector while sampling (default); False: leave it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "pause", "disable", "disabled", "off", "collect", "1", "yes"):
            return True
        if text in ("false", "enable", "enabled", "on", "leave", "0", "no"):
            return False
    raise ConfigError(
        f"gc: expected True (collect, then pause the collector while sampling) or False "
        f"(leave it running, GC pauses count in the tail), got {value!r}"
    )


def min_samples_default(levels: tuple[float, ...], confidence: float) -> int:
    """Samples to aim for: the research defaults per percentile, never below what the bounds need."""
    need = 20
    for level in levels:
        base = DEFAULT_MIN_SAMPLES.get(round(level, 6))
        if base is None:
            base = 20 if level <= 0.5 else math.ceil(10.0 / (1.0 - level))
        need = max(need, base, min_samples_for(level, confidence))
    return need


@dataclass(frozen=True)
class Warmup:
    """The warm-up calls, kept apart from the samples; a slow first call is flagged."""

    calls: int
    seconds: float
    first: float
    median: float
    slow_first: bool
    first_ratio: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls, "seconds": self.seconds, "first": self.first,
            "median": self.median, "slow_first": self.slow_first, "first_ratio": self.first_ratio,
        }


@dataclass
class _Target:
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    loops: int = 1
    per_round: int = 1
    times: list[int] = field(default_factory=list)  # ns per sample (batch total when loops > 1)
    round_of: list[int] = field(default_factory=list)  # round index of each sample
    off: list[int] = field(default_factory=list)  # ns off the CPU per sample (fallback source)
    preempted: list[bool] = field(default_factory=list)  # preempted since the previous sample
    cold: list[bool] = field(default_factory=list)  # preempted, or the call right after one
    track: str = ""  # "", "rusage" (Linux preemption counter) or "clock" (thread CPU clock)
    warmup: Warmup | None = None

    def truncate(self, n: int) -> None:
        """Drop samples from index n on (a round cut by the deadline)."""
        del self.times[n:]
        del self.off[n:]
        del self.preempted[n:]
        del self.cold[n:]


@dataclass(frozen=True)
class Descheduling:
    """What the scheduler did to the samples of one target, and what was done about it.

    `samples` of `total` calls were disturbed: the OS preempted the thread during the call or
    just before it (`preempted`), or the call came right after such a call and ran on caches
    the other process had cooled. `applied`: they are left out of the percentiles; `reason`
    says why or why not, `source` how preemption was seen.
    """

    tracked: bool
    applied: bool
    samples: int
    total: int
    reason: str
    source: str = ""
    preempted: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "tracked": self.tracked, "applied": self.applied, "samples": self.samples,
            "preempted": self.preempted, "total": self.total, "reason": self.reason,
            "source": self.source,
        }


def _tracking_source() -> str:
    """"rusage" where the kernel counts a thread's involuntary context switches (Linux),
    else "clock" where the thread CPU clock works, else "" (no tracking)."""
    try:
        import resource

        resource.getrusage(resource.RUSAGE_THREAD).ru_nivcsw  # noqa: B018 - probe only
        return "rusage"
    except (ImportError, AttributeError, OSError, ValueError):
        pass
    try:
        a = time.thread_time_ns()
        for _ in range(10_000):  # a spin that must advance a working thread CPU clock
            if time.thread_time_ns() != a:
                return "clock"
    except (AttributeError, OSError):
        return ""
    return ""


def _timed_tracked(t: _Target, k: int, deadline: int) -> bool:
    """`_timed` for the wall clock that also records whether the thread was preempted since
    the previous sample (Linux: the kernel's involuntary context-switch counter; elsewhere:
    the thread was off the CPU for part of the call)."""
    pc = time.perf_counter_ns
    append = t.times.append
    mark = t.preempted.append
    cold = t.cold.append
    was = False
    fn, args, kwargs, inner = t.fn, t.args, t.kwargs, range(t.loops)
    if t.track == "rusage":
        import resource

        usage = resource.getrusage
        who = resource.RUSAGE_THREAD
        prev = usage(who).ru_nivcsw
        for _ in range(k):
            t0 = pc()
            for _ in inner:
                fn(*args, **kwargs)
            t1 = pc()
            now = usage(who).ru_nivcsw
            append(t1 - t0)
            hit = now != prev
            mark(hit)
            cold(hit or was)
            prev, was = now, hit
            if t1 > deadline:
                return False
        return True
    tc = time.thread_time_ns
    off = t.off.append
    floor = int(DESCHED_MIN_SECONDS * 1e9)
    for _ in range(k):
        c0 = tc()
        t0 = pc()
        for _ in inner:
            fn(*args, **kwargs)
        t1 = pc()
        c1 = tc()
        w = t1 - t0
        o = w - (c1 - c0)
        append(w)
        off(o)
        hit = o > floor and o > DESCHED_MIN_SHARE * w
        mark(hit)
        cold(hit or was)
        was = hit
        if t1 > deadline:
            return False
    return True


def _timed(t: _Target, k: int, deadline: int, clock: Callable[[], int]) -> bool:
    """Append up to k samples of t; False when the (wall) deadline stopped it early. Hot loop."""
    if t.track:
        return _timed_tracked(t, k, deadline)
    wall = time.perf_counter_ns
    append = t.times.append
    fn, args, kwargs, loops = t.fn, t.args, t.kwargs, t.loops
    if clock is not wall:  # CPU time: same loop, plus a wall reading for the time box
        pc = clock
        inner = range(loops)
        for _ in range(k):
            t0 = pc()
            for _ in inner:
                fn(*args, **kwargs)
            t1 = pc()
            append(t1 - t0)
            if wall() > deadline:
                return False
        return True
    pc = wall
    if loops == 1:
        if kwargs:
            for _ in range(k):
                t0 = pc()
                fn(*args, **kwargs)
                t1 = pc()
                append(t1 - t0)
                if t1 > deadline:
                    return False
        else:
            for _ in range(k):
                t0 = pc()
                fn(*args)
                t1 = pc()
                append(t1 - t0)
                if t1 > deadline:
                    return False
        return True
    inner = range(loops)
    for _ in range(k):
        t0 = pc()
        for _ in inner:
            fn(*args, **kwargs)
        t1 = pc()
        append(t1 - t0)
        if t1 > deadline:
            return False
    return True


def parse_descheduled(value: object) -> str:
    """"drop" (default): samples the OS preempted are not the call's latency; "keep" counts them."""
    text = value.strip().lower() if isinstance(value, str) else value
    if text in DESCHEDULED:
        return str(text)
    raise ConfigError(
        f"descheduled: expected 'drop' (calls during which the OS gave the CPU to other "
        f"processes are left out of the percentiles, default) or 'keep' (what a caller on this "
        f"busy machine waited), got {value!r}"
    )


def parse_timer(value: object) -> str:
    """"wall" (perf_counter_ns, default) or "cpu" (process CPU time, immune to being descheduled)."""
    text = str(value).strip().lower() if isinstance(value, str) else value
    if text in CLOCKS:
        return str(text)
    raise ConfigError(
        f"timer: expected 'wall' (elapsed time, what callers wait) or 'cpu' (process CPU time, "
        f"ignores time spent descheduled on a busy machine), got {value!r}"
    )


_LAZY_FIX = {
    "generator": "time a function that consumes it, e.g. lambda: list(fn(...)) or "
                 "lambda: sum(1 for _ in fn(...))",
    "async generator": "time a synchronous wrapper that iterates it, e.g. "
                       "lambda: asyncio.run(drain(fn(...)))",
    "coroutine": "time a synchronous wrapper that runs it, e.g. lambda: asyncio.run(fn(...))",
    "iterator": "time a function that consumes it, e.g. lambda: list(fn(...)) or "
                "lambda: list(map(model.predict, batches))",
}


def _lazy_kind(fn: Callable[..., Any], out: Any) -> str:
    if inspect.isasyncgenfunction(fn) or inspect.isasyncgen(out):
        return "async generator"
    if inspect.isgeneratorfunction(fn) or inspect.isgenerator(out):
        return "generator"
    if inspect.iscoroutinefunction(fn) or inspect.iscoroutine(out) or inspect.isawaitable(out):
        return "coroutine"
    if isinstance(out, Iterator):  # map, filter, zip, itertools.*, iter(...): lazy
        return "iterator"
    return ""


def refuse_lazy(fn: Callable[..., Any], out: Any = None) -> None:
    """Refuse a callable whose call only creates a generator/coroutine/iterator: timing it would
    measure the creation, not the work (`out`: a value the call returned, checked too)."""
    kind = _lazy_kind(fn, out)
    if not kind:
        return
    if inspect.iscoroutine(out):
        out.close()  # never awaited on purpose: no "coroutine was never awaited" warning
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    returned = "returns" if out is not None else "is"
    article = "an" if kind[0] in "ai" else "a"
    what = f"{article} {kind}" if returned == "returns" else f"{article} {kind} function"
    raise InputError(
        f"fn: {name} {returned} {what}: calling it only creates the {kind}, so the timing "
        f"would measure its creation, not the work; {_LAZY_FIX[kind]}")


class Session:
    """Times one or more callables in rotating interleaved rounds; resumable.

    ``batch``: "auto" batches callables faster than ``SINGLE_CALL_STEPS`` timer steps; False
    always times single calls; an int fixes the calls per sample.
    """

    def __init__(
        self,
        targets: list[tuple[Callable[..., Any], tuple[Any, ...], Mapping[str, Any]]],
        *,
        warmup: int = 10,
        warmup_time: float = 0.2,
        max_time: float = 5.0,
        gc: bool = True,
        batch: bool | int | str = "auto",
        round_time: float = ROUND_TIME,
        min_rounds: int = 1,
        timer: str = "wall",
        descheduled: str = "drop",
    ) -> None:
        if not targets:
            raise InputError("targets: nothing to time")
        # optional progress(done, total) between rounds (the gates' terminal progress)
        self.progress: Callable[[int, int], None] | None = None
        for fn, _, _ in targets:
            if not callable(fn):
                raise InputError(f"fn: expected a callable to time, got {type(fn).__name__}")
            refuse_lazy(fn)
        self.targets = [_Target(fn, tuple(a), dict(kw)) for fn, a, kw in targets]
        self.gc = gc
        self.timer = parse_timer(timer)
        self._clock = CLOCKS[self.timer]
        self.descheduled = parse_descheduled(descheduled)
        #: leave preempted samples out (False for comparisons: rounds must stay whole)
        self.may_drop = True
        self._cpu_ns = 0
        self._wall_ns = 0
        self.elapsed = 0.0
        self.rounds = 0
        self.stopped_by = "not started"
        self._round_time = round_time
        self._min_rounds = max(1, int(min_rounds))
        self._warm(warmup, warmup_time, max_time)
        self._calibrate(batch)

    # -- set-up ----------------------------------------------------------------------------

    def _guard(self) -> tuple[bool, Any]:
        was_enabled = _gc.isenabled()
        tracer = sys.gettrace()
        if self.gc:
            _gc.collect()
            _gc.disable()
        if tracer is not None:
            sys.settrace(None)
        return was_enabled, tracer

    def _unguard(self, state: tuple[bool, Any]) -> None:
        was_enabled, tracer = state
        if tracer is not None:
            sys.settrace(tracer)
        if self.gc and was_enabled:
            _gc.enable()

    def _warm(self, calls: int, seconds: float, max_time: float) -> None:
        """Warm every target: at least `calls` calls and `seconds`, within a quarter of max_time."""
        pc = time.perf_counter_ns
        cap = max(seconds, 0.25 * max_time)
        for t in self.targets:
            times: list[int] = []
            start = pc()
            while True:
                t0 = pc()
                out = t.fn(*t.args, **t.kwargs)
                t1 = pc()
                if not times:
                    refuse_lazy(t.fn, out)
                times.append(t1 - t0)
                spent = (t1 - start) * 1e-9
                if len(times) >= max(1, calls) and spent >= seconds:
                    break
                if spent >= cap:
                    break
            first = times[0] * 1e-9
            rest = sorted(times[1:]) or [times[0]]
            median = rest[len(rest) // 2] * 1e-9
            ratio = first / median if median > 0 else 1.0
            t.warmup = Warmup(
                calls=len(times), seconds=sum(times) * 1e-9, first=first, median=median,
                slow_first=len(times) > 1 and ratio >= SLOW_FIRST_FACTOR, first_ratio=ratio,
            )

    def _calibrate(self, batch: bool | int | str) -> None:
        res = timer_info(self.timer)["resolution"]
        for t in self.targets:
            assert t.warmup is not None
            per_call = max(t.warmup.median, 1e-9)
            if isinstance(batch, bool) and not batch:
                t.loops = 1
            elif isinstance(batch, int) and not isinstance(batch, bool):
                if batch < 1:
                    raise ConfigError(f"batch: calls per sample must be >= 1, got {batch}")
                t.loops = batch
            elif batch in ("auto", True):
                if per_call >= SINGLE_CALL_STEPS * res:
                    t.loops = 1
                else:
                    t.loops = math.ceil(BATCH_STEPS * res / per_call)
            else:
                raise ConfigError(f"batch: expected 'auto', False or a number of calls, got {batch!r}")
            t.per_round = max(1, int(self._round_time / (per_call * t.loops)))
        if self.timer == "wall":  # tracked under "keep" too, to report what happened
            long_enough = [t for t in self.targets
                           if t.warmup is not None and t.warmup.median * t.loops >= TRACK_MIN_SECONDS]
            source = _tracking_source() if long_enough else ""
            for t in long_enough:
                t.track = source

    # -- sampling ----------------------------------------------------------------------------

    @property
    def samples(self) -> int:
        """Samples per target that count (the smallest count when they differ)."""
        return min(len(t.times) - (t.cold.count(True) if self._drops(t) else 0)
                   for t in self.targets)

    def _drops(self, t: _Target) -> bool:
        return bool(t.track) and self.may_drop and self.descheduled == "drop" and (
            t.track == "rusage" or _median_off_share(t) <= CPU_BOUND_MAX_OFF)

    def cap_per_round(self, rounds_wanted: int, min_samples: int) -> None:
        """Shrink rounds so that `min_samples` spans at least `rounds_wanted` rounds."""
        for t in self.targets:
            t.per_round = max(1, min(t.per_round, min_samples // max(1, rounds_wanted)))

    def run(self, min_samples: int, min_time: float, max_time: float) -> Session:
        """Sample until every target has `min_samples` and `min_time` passed, or max_time runs out.

        `max_time` counts from this call; whole rounds keep the targets balanced (a round cut by
        the deadline is dropped for every target).
        """
        pc = time.perf_counter_ns
        state = self._guard()  # gc.collect() first: it can take long and is not the box's time
        cpu0 = time.process_time_ns()
        start = pc()
        deadline = start + int(max_time * 1e9)
        clock = self._clock
        try:
            while True:
                order = self.targets if self.rounds % 2 == 0 else self.targets[::-1]
                if len(order) > 2:  # rotate, not only reverse, for three or more
                    shift = self.rounds % len(order)
                    order = order[shift:] + order[:shift]
                marks = [len(t.times) for t in self.targets]
                complete = True
                for t in order:
                    if not _timed(t, t.per_round, deadline, clock):
                        complete = False
                        break
                if not complete:
                    if len(self.targets) > 1 and min(marks) > 0:
                        for t, m in zip(self.targets, marks, strict=True):
                            t.truncate(m)
                    else:  # one target, or nothing yet: keep the cut round
                        for t, m in zip(self.targets, marks, strict=True):
                            t.round_of.extend([self.rounds] * (len(t.times) - m))
                        self.rounds += 1
                    self.stopped_by = "max_time"
                    break
                for t, m in zip(self.targets, marks, strict=True):
                    t.round_of.extend([self.rounds] * (len(t.times) - m))
                self.rounds += 1
                if self.progress is not None:
                    self.progress(max(0, min(self.samples, min_samples - 1)), min_samples)
                now = pc()
                if (self.samples >= min_samples and (now - start) * 1e-9 >= min_time
                        and self.rounds >= self._min_rounds):
                    self.stopped_by = "min_samples"
                    break
                if now > deadline:
                    self.stopped_by = "max_time"
                    break
        finally:
            self._unguard(state)
            wall_ns = pc() - start
            self._wall_ns += wall_ns
            self._cpu_ns += time.process_time_ns() - cpu0
            self.elapsed += wall_ns * 1e-9
        if self.progress is not None:
            self.progress(self.samples, self.samples)  # done: the count it stopped at
        return self

    @property
    def cpu_share(self) -> float:
        """Process CPU time / wall time while sampling: well under 1 means other processes
        took the CPU (tails then measure waiting); above 1 means extra threads (BLAS) worked."""
        return self._cpu_ns / self._wall_ns if self._wall_ns else 1.0

    # -- results -----------------------------------------------------------------------------

    def descheduling(self, index: int = 0) -> Descheduling:
        """How many samples of target `index` were preempted, and whether they are left out."""
        t = self.targets[index]
        total = len(t.times)
        if not t.track:
            reason = (f"timer={self.timer!r} already ignores time off the CPU" if self.timer != "wall"
                      else f"calls shorter than {format_seconds(TRACK_MIN_SECONDS)} are not "
                           "tracked (asking the kernel would cost a large share of the call)")
            return Descheduling(False, False, 0, total, reason)
        source = ("involuntary context switches (getrusage)" if t.track == "rusage"
                  else "thread CPU clock")
        n = t.cold.count(True)
        drops = self._drops(t)
        if self.descheduled == "keep":
            reason = "descheduled='keep': waiting for other processes counts as latency"
        elif not self.may_drop:
            reason = ("kept: a comparison times both sides in whole interleaved rounds, which "
                      "cancels the disturbance in the ratio")
        elif not drops:
            reason = (f"kept: a typical call keeps its thread off the CPU "
                      f"{_median_off_share(t):.0%} of the time (it waits on threads, I/O or "
                      "sleep) and this platform does not count preemptions, so they cannot be "
                      "told apart from the call's own waiting")
        else:
            reason = "left out of the percentiles"
        return Descheduling(True, drops, n, total, reason, source,
                            t.preempted.count(True))

    def seconds(self, index: int = 0) -> np.ndarray:
        """Per-call seconds of each sample of target `index` that counts (preempted samples
        are left out when `descheduling(index).applied`)."""
        t = self.targets[index]
        x = np.asarray(t.times, dtype=float) * 1e-9 / t.loops
        if self._drops(t) and any(t.cold):
            x = x[~np.asarray(t.cold, dtype=bool)]
        return x

    def raw_seconds(self, index: int = 0) -> np.ndarray:
        """Per-call seconds of every sample of target `index`, preempted or not."""
        t = self.targets[index]
        return np.asarray(t.times, dtype=float) * 1e-9 / t.loops

    def rounds_matrix(self, index: int) -> np.ndarray:
        """Samples of target `index` as a (rounds, per_round) matrix of complete rounds."""
        t = self.targets[index]
        x = self.raw_seconds(index)
        rounds = np.asarray(t.round_of, dtype=int)
        counts = np.bincount(rounds, minlength=self.rounds) if rounds.size else np.zeros(0, int)
        full = [r for r in range(counts.size) if counts[r] == t.per_round]
        if not full:
            return x.reshape(1, -1)
        keep = np.isin(rounds, full)
        return x[keep].reshape(len(full), t.per_round)

    def result(self, index: int = 0, *, confidence: float = 0.95, rows: int | None = None,
               notes: tuple[str, ...] = ()) -> LatencyResult:
        """The frozen result for target `index`."""
        t = self.targets[index]
        assert t.warmup is not None
        x = self.seconds(index)
        return _build_result(x, t, self, confidence=confidence, rows=rows, notes=notes,
                             desched=self.descheduling(index))


def _median_off_share(t: _Target) -> float:
    if not t.off:
        return 0.0
    x = np.asarray(t.times, dtype=np.int64)
    return float(np.median(np.clip(np.asarray(t.off, dtype=np.int64), 0, None) / np.maximum(x, 1)))


# -- the result ------------------------------------------------------------------------------

LEVELS = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}


def histogram(x: np.ndarray, bins: int = 20) -> dict[str, Any]:
    """Compact log-spaced histogram (seconds) from the minimum to the maximum, for reports."""
    if x.size == 0:
        return {"edges": [], "counts": []}
    lo, hi = float(x.min()), float(x.max())
    if not lo > 0 or hi <= lo:
        edges = np.linspace(lo, hi if hi > lo else lo + 1e-9, bins + 1)
    else:
        edges = np.geomspace(lo, hi, bins + 1)
    counts, edges = np.histogram(x, bins=edges)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts], "scale": "log"}


def _outliers(x: np.ndarray) -> dict[str, int]:
    q1, q3 = (float(v) for v in np.quantile(x, [0.25, 0.75]))
    iqr = q3 - q1
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med))) * 1.4826
    return {
        "tukey_high": int(np.sum(x > q3 + 1.5 * iqr)),
        "tukey_low": int(np.sum(x < q1 - 1.5 * iqr)),
        "mad_high": int(np.sum(x > med + 10 * mad)) if mad > 0 else 0,
    }


def _block_spread(x: np.ndarray, blocks: int = 5) -> dict[str, list[float]]:
    """Each percentile in `blocks` consecutive chunks: autocorrelation shows up as spread."""
    out: dict[str, list[float]] = {}
    if x.size < blocks * 4:
        return out
    chunks = np.array_split(x, blocks)
    for name, level in (("p50", 0.5), ("p95", 0.95)):
        out[name] = [float(np.quantile(c, level, method="inverted_cdf")) for c in chunks]
    return out


@dataclass(frozen=True)
class LatencyResult:
    """Per-call latency distribution of one callable: percentiles in seconds with bounds.

    `ci` maps "p50"/"p95"/"p99" to the two-sided order-statistic interval at `confidence`
    (infinite ends when there are too few samples). In batched mode the samples are per-call
    means of calibrated batches: p95/p99 of single calls are unknown and reported as NaN.
    `throughput` is `rows` (1 when not given) divided by the median call time.
    """

    samples: int
    p50: float
    p90: float
    p95: float
    p99: float
    ci: Mapping[str, tuple[float, float]]
    confidence: float
    mean: float
    stdev: float
    min: float
    max: float
    throughput: float
    throughput_ci: tuple[float, float]
    rows: int
    batched: bool
    loops: int
    warmup: Warmup
    elapsed: float
    stopped_by: str
    rounds: int
    timer: str
    cpu_share: float
    descheduling: Descheduling
    histogram: Mapping[str, Any]
    outliers: Mapping[str, int]
    blocks: Mapping[str, list[float]]
    context: Mapping[str, Any]
    notes: tuple[str, ...]
    times: tuple[float, ...] = field(repr=False)

    def quantile(self, p: float | str, confidence: float | None = None,
                 sided: str = "two") -> QuantileEstimate:
        """Any quantile of the samples with its order-statistic bounds."""
        if self.batched and parse_quantile(p) != 0.5:
            raise ConfigError(_batched_refusal(str(p), self))
        return quantile_ci(self.times, p, self.confidence if confidence is None else confidence,
                           sided)

    def summary(self) -> str:
        """One line a person reads: percentiles with intervals and the sample count."""
        parts = []
        for name in ("p50", "p95", "p99"):
            value = getattr(self, name)
            if math.isnan(value):
                continue
            lo, hi = self.ci[name]
            text, ci = format_estimate(value, lo, hi, "s")
            parts.append(f"{name} {text} {ci}")
        mode = f", batched ×{format_number(self.loops)}" if self.batched else ""
        return (f"{', '.join(parts)} ({format_number(self.samples)} samples{mode}, "
                f"{self.confidence:.0%} CI)")

    def to_dict(self, *, samples: bool = False) -> dict[str, Any]:
        """Plain-typed summary for reports (raw samples only when asked)."""
        out: dict[str, Any] = {
            "samples": self.samples, "p50": _f(self.p50), "p90": _f(self.p90),
            "p95": _f(self.p95), "p99": _f(self.p99),
            "ci": {k: [_f(v[0]), _f(v[1])] for k, v in self.ci.items()},
            "confidence": self.confidence, "mean": self.mean, "stdev": self.stdev,
            "min": self.min, "max": self.max, "throughput": _f(self.throughput),
            "throughput_ci": [_f(self.throughput_ci[0]), _f(self.throughput_ci[1])],
            "rows": self.rows, "batched": self.batched, "loops": self.loops,
            "warmup": self.warmup.to_dict(), "elapsed": self.elapsed,
            "stopped_by": self.stopped_by, "rounds": self.rounds, "timer": self.timer,
            "cpu_share": self.cpu_share, "descheduling": self.descheduling.to_dict(),
            "histogram": dict(self.histogram), "outliers": dict(self.outliers),
            "blocks": {k: list(v) for k, v in self.blocks.items()}, "notes": list(self.notes),
        }
        if samples:
            out["times"] = list(self.times)
        return out


def _f(x: float) -> float | None:
    """JSON-friendly float: infinities and NaN become None (bound did not exist)."""
    return float(x) if math.isfinite(x) else None




def _batched_refusal(name: str, r: LatencyResult | _Target) -> str:
    loops = r.loops
    res = timer_info(r.timer if isinstance(r, LatencyResult) else "wall")["resolution"]
    per_call = r.p50 if isinstance(r, LatencyResult) else (r.warmup.median if r.warmup else 0.0)
    return (
        f"{name}: the function takes about {format_seconds(per_call)} per call, under "
        f"{SINGLE_CALL_STEPS}× the timer's resolution ({format_seconds(res)}), so it is timed in "
        f"batches of {format_number(loops)} calls and the distribution of single calls is unknown; a p95/p99 "
        f"budget cannot be checked. Gate p50 (the median of batch means) or throughput "
        f"instead, or time a bigger unit of work (e.g. a batch of rows) with rows=..."
    )


class NoSamplesError(InputError):
    """No sample counts: none finished within max_time, or every one was left out as
    preempted. A gate turns it into an inconclusive verdict; `measure` raises it."""

    def __init__(self, message: str, descheduling: Descheduling) -> None:
        super().__init__(message)
        self.descheduling = descheduling


def no_samples_text(desched: Descheduling, elapsed: float) -> str:
    """What happened when no sample counts, and what to do about it."""
    if desched.total and desched.applied and desched.samples >= desched.total:
        return (f"fn: no sample counts: all {format_number(desched.total)} calls timed in {elapsed:.2f}s were "
                f"preempted by other processes or ran right after a preemption "
                f"({desched.source}), and descheduled='drop' leaves those out; the machine is "
                "saturated. Run on a quieter machine or raise max_time; or count the waiting "
                "with descheduled='keep', measure CPU time with timer='cpu', or use a relative "
                "budget (baseline=..., max_ratio=...)")
    return (f"fn: no sample was collected within max_time ({elapsed:.2f}s spent); raise "
            "max_time or time a faster call")


def _build_result(x: np.ndarray, t: _Target, session: Session, *, confidence: float,
                  rows: int | None, notes: tuple[str, ...],
                  desched: Descheduling) -> LatencyResult:
    assert t.warmup is not None
    if x.size == 0:
        raise NoSamplesError(no_samples_text(desched, session.elapsed), desched)
    batched = t.loops > 1
    ci: dict[str, tuple[float, float]] = {}
    values: dict[str, float] = {}
    for name, level in LEVELS.items():
        if batched and level != 0.5:
            values[name] = math.nan
            ci[name] = (math.nan, math.nan)
            continue
        est = quantile_ci(x, level, confidence)
        values[name] = est.value
        ci[name] = (est.low, est.high)
    n_rows = 1 if rows is None else int(rows)
    p50 = values["p50"]
    lo50, hi50 = ci["p50"]
    throughput = n_rows / p50 if p50 > 0 else math.inf
    tp_ci = (n_rows / hi50 if hi50 > 0 else 0.0, n_rows / lo50 if lo50 > 0 else math.inf)
    all_notes = list(notes)
    if batched:
        all_notes.append(
            f"timed in batches of {format_number(t.loops)} calls (one call ≈ {format_seconds(p50)} is too "
            f"short for single-call timing); p95/p99 of single calls are unavailable"
        )
    if t.warmup.slow_first:
        all_notes.append(
            f"slow first call: {format_seconds(t.warmup.first)} vs "
            f"{format_seconds(t.warmup.median)} warm ({t.warmup.first_ratio:.0f}×); "
            "lazy initialisation is excluded from the samples"
        )
    if desched.applied and desched.samples:
        all_notes.append(
            f"{format_number(desched.preempted)} of {format_number(desched.total)} calls were preempted by other processes "
            f"(they waited for a CPU); those and the calls right after them (cold caches), "
            f"{desched.samples} in all, are left out of the percentiles (descheduled='keep' "
            "counts them)"
        )
    elif desched.tracked and not desched.applied and desched.preempted:
        all_notes.append(f"{format_number(desched.preempted)} of {format_number(desched.total)} calls were preempted by "
                         f"other processes; {desched.reason}")
    if session.timer == "wall" and session.cpu_share < CPU_SHARE_WARN and not desched.applied:
        all_notes.append(
            f"the process ran on a CPU for only {session.cpu_share:.0%} of the sampling time: "
            "other processes competed for the cores, so the tail measures waiting for them; "
            "use a relative budget (baseline=...), timer='cpu', or a quieter runner"
        )
    if session.stopped_by == "max_time":
        all_notes.append(
            f"time box reached after {session.elapsed:.2f}s with {format_number(x.size)} samples"
        )
    return LatencyResult(
        samples=int(x.size), p50=values["p50"], p90=values["p90"], p95=values["p95"],
        p99=values["p99"], ci=ci, confidence=float(confidence), mean=float(x.mean()),
        stdev=float(x.std(ddof=1)) if x.size > 1 else 0.0, min=float(x.min()),
        max=float(x.max()), throughput=throughput, throughput_ci=tp_ci, rows=n_rows,
        batched=batched, loops=t.loops, warmup=t.warmup, elapsed=session.elapsed,
        stopped_by=session.stopped_by, rounds=session.rounds, timer=session.timer,
        cpu_share=session.cpu_share, descheduling=desched, histogram=histogram(x),
        outliers=_outliers(x), blocks=_block_spread(x), context=collect_context(),
        notes=tuple(all_notes), times=tuple(float(v) for v in x),
    )


# -- the public entry point --------------------------------------------------------------------


def check_harness_options(min_samples: int | None, max_time: object, min_time: object,
                          warmup: object, warmup_time: object,
                          confidence: object) -> tuple[int | None, float, float, int, float, float]:
    """Validate the harness keywords once, with messages naming the argument."""
    if min_samples is not None and (isinstance(min_samples, bool) or not isinstance(min_samples, int)
                                    or min_samples < 1):
        raise ConfigError(f"min_samples: expected a positive integer, got {min_samples!r}")
    mt = parse_seconds(max_time, "max_time")
    if mt <= 0:
        raise ConfigError("max_time: the time box must be positive, e.g. max_time='5s'")
    mnt = parse_seconds(min_time, "min_time")
    if isinstance(warmup, bool):
        wu = 10 if warmup else 0
    elif isinstance(warmup, int) and warmup >= 0:
        wu = warmup
    else:
        raise ConfigError(f"warmup: expected a number of warm-up calls (>= 0) or a bool, got {warmup!r}")
    wt = parse_seconds(warmup_time, "warmup_time") if wu else 0.0
    conf = float(check_param(confidence, "confidence", CONFIDENCE))
    return min_samples, mt, mnt, wu, wt, conf


def measure(
    fn: Callable[..., Any],
    *args: Any,
    min_samples: int | None = None,
    max_time: float | str = 5.0,
    min_time: float | str = 0.0,
    warmup: int | bool = 10,
    warmup_time: float | str = 0.2,
    gc: bool | str = True,
    confidence: float = 0.95,
    rows: int | None = None,
    batch: bool | int | str = "auto",
    timer: str = "wall",
    descheduled: str = "drop",
    **kwargs: Any,
) -> LatencyResult:
    """Time single calls of ``fn(*args, **kwargs)``: percentiles with distribution-free bounds.

    Sampling stops once `min_samples` (default 1000, enough for p99 bounds) are in and
    `min_time` has passed, or when `max_time` runs out (reported in `notes`). Warm-up (at least
    `warmup` calls and `warmup_time`) is reported separately; `gc=True` collects, then pauses
    the garbage collector while sampling; `timer="cpu"` reads process CPU time instead of wall
    time (ignores time spent descheduled on an oversubscribed machine). With the wall timer,
    calls of 20 µs or more during which the OS preempted the thread (other processes took the
    CPU) are left out of the percentiles and counted (``descheduled="keep"`` keeps them);
    `descheduling` in the result says what happened.
    """
    n, mt, mnt, wu, wt, conf = check_harness_options(min_samples, max_time, min_time, warmup,
                                                      warmup_time, confidence)
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 1):
        raise ConfigError(f"rows: expected the positive number of rows per call, got {rows!r}")
    target = n if n is not None else min_samples_default((0.5, 0.95, 0.99), conf)
    session = Session([(fn, args, kwargs)], warmup=wu, warmup_time=wt, max_time=mt,
                      gc=parse_gc(gc), batch=batch, timer=timer, descheduled=descheduled)
    session.run(target, mnt, mt)
    return session.result(0, confidence=conf, rows=rows)
