"""Preempted calls: detected, counted, left out of the percentiles (or kept on request)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.latency import compare, measure
from pytest_modelgate.latency._harness import Session, parse_descheduled

from ._helpers import spin

FAST = {"max_time": 3.0, "warmup": 2, "warmup_time": 0.0}


@pytest.fixture
def shared_cpu() -> Iterator[None]:
    """This process and a CPU-bound subprocess pinned to one CPU: the scheduler must preempt."""
    if not hasattr(os, "sched_setaffinity") or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux CPU affinity to force preemption")
    cpu = min(os.sched_getaffinity(0))
    before = os.sched_getaffinity(0)
    hog = subprocess.Popen([sys.executable, "-c",
                            f"import os; os.sched_setaffinity(0, {{{cpu}}})\nwhile True: pass"])
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
        hog.kill()
        hog.wait()


def _session(times_us: list[float], preempted: list[bool], *, track: str = "rusage",
             off_us: list[float] | None = None, **kw: Any) -> Session:
    """A session whose samples are given, to test the bookkeeping without timing anything."""
    s = Session([(spin, (30e-6,), {})], warmup=1, warmup_time=0.0, max_time=1.0, **kw)
    t = s.targets[0]
    t.track = track
    t.times = [int(v * 1e3) for v in times_us]
    t.preempted = list(preempted)
    t.cold = [f or (i > 0 and preempted[i - 1]) for i, f in enumerate(preempted)]
    t.off = [int(v * 1e3) for v in off_us] if off_us is not None else []
    t.round_of = [0] * len(times_us)
    s.rounds = 1
    return s


def test_preempted_calls_and_the_next_leave_the_percentiles_and_are_counted() -> None:
    times = [100.0] * 100
    flags = [False] * 100
    for i in (10, 50, 90):
        times[i], flags[i] = 5000.0, True  # waited for the CPU
        times[i + 1] = 300.0  # ran on caches the other process had cooled
    s = _session(times, flags)
    d = s.descheduling(0)
    assert d.tracked
    assert d.applied
    assert d.preempted == 3
    assert d.samples == 6
    assert d.total == 100
    assert s.samples == 94
    assert np.all(s.seconds(0) == pytest.approx(100e-6))
    assert s.raw_seconds(0).size == 100
    r = s.result(0)
    assert r.samples == 94
    assert r.max == pytest.approx(100e-6)
    assert any("3 of 100 calls were preempted" in n and "6 in all" in n for n in r.notes)
    assert r.to_dict()["descheduling"]["samples"] == 6


def test_keep_counts_them_and_says_so() -> None:
    s = _session([100.0] * 95 + [5000.0] * 5, [False] * 95 + [True] * 5, descheduled="keep")
    d = s.descheduling(0)
    assert d.tracked
    assert not d.applied
    assert d.samples == 5
    r = s.result(0)
    assert r.samples == 100
    assert r.max == pytest.approx(5000e-6)
    assert any("descheduled='keep'" in n for n in r.notes)


def test_without_preemption_counters_a_waiting_function_is_left_as_measured() -> None:
    # the thread-clock fallback cannot tell preemption from the call's own waiting
    times = [100.0] * 100
    waiting = _session(times, [True] * 100, track="clock", off_us=[60.0] * 100)
    assert not waiting.descheduling(0).applied
    assert waiting.samples == 100
    assert "waits on threads, I/O or sleep" in waiting.descheduling(0).reason
    busy = _session(times, [False] * 98 + [True] * 2, track="clock", off_us=[0.0] * 98 + [50.0] * 2)
    assert busy.descheduling(0).applied
    assert busy.samples == 98


def test_cpu_timer_and_short_calls_are_not_tracked() -> None:
    s = Session([(spin, (30e-6,), {})], warmup=2, warmup_time=0.0, timer="cpu")
    assert not s.targets[0].track
    assert "already ignores" in s.descheduling(0).reason
    quick = Session([(spin, (1e-6,), {})], warmup=2, warmup_time=0.0, batch=False)
    assert not quick.targets[0].track
    assert "not tracked" in quick.descheduling(0).reason


def test_comparisons_keep_whole_rounds() -> None:
    rr = compare(spin, spin, 50e-6, min_samples=100, **FAST)
    d = rr.candidate.descheduling
    assert not d.applied
    assert "whole interleaved rounds" in d.reason


def test_bad_value_names_the_argument() -> None:
    with pytest.raises(ConfigError, match="descheduled: expected 'drop'"):
        parse_descheduled("subtract")
    with pytest.raises(ConfigError, match="descheduled"):
        Gate(GateContext(nodeid="t::x")).latency(spin, 50e-6, p95="1s",
                                                 gate_options={"descheduled": "maybe"})


def test_a_cpu_shared_with_a_hog_preempts_calls_and_they_are_dropped(shared_cpu: None) -> None:
    cost = 200e-6
    s = Session([(spin, (cost,), {})], warmup=2, warmup_time=0.0, max_time=5.0)
    s.run(400, 0.5, 5.0)
    t = s.targets[0]
    flags = np.asarray(t.preempted)
    raw = s.raw_seconds(0)
    d = s.descheduling(0)
    assert d.tracked
    assert d.samples >= 1, "sharing one CPU with a hog must preempt some calls"
    # calls that took 10× their cost mostly waited for the CPU: most are among the preempted ones
    # (not all: a page fault, a cache flush or a frequency drop also slows a call, unflagged)
    slow = raw > 10 * cost
    if slow.any():
        assert flags[slow].mean() >= 0.75, (int(slow.sum()), int(flags[slow].sum()))
    kept = s.seconds(0)
    assert kept.size == raw.size - d.samples
    r = measure(spin, cost, min_samples=300, **FAST)
    assert r.descheduling.samples >= 1
    assert r.descheduling.applied
    assert r.samples + r.descheduling.samples == r.descheduling.total


def test_the_gate_message_says_how_many_calls_were_left_out(shared_cpu: None) -> None:
    r = Gate(GateContext(nodeid="t::x")).latency(spin, 200e-6, p95="1s")
    d = r.details["distribution"]["descheduling"]
    assert d["applied"]
    assert d["samples"] >= 1
    assert f"{d['samples']:,} of {d['total']:,} calls left out of the percentiles" in r.message
