"""The latency and memory judges through the `Gate` recorder, as the plugin calls them."""

from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates import latency as judge
from pytest_modelgate.gates.latency import _Check
from pytest_modelgate.results import GateResult

from ._helpers import spin

QUICK = {"max_time": 1.0, "extend_time": 0.5, "min_time": 0.0, "warmup": 2, "warmup_time": 0.0}


def gate(**ctx: Any) -> Gate:
    return Gate(GateContext(nodeid="tests/x.py::test_y", seed=7, **ctx))


# -- the verdict rule, no timing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "budget", "verdict"),
    [(1.0, 2.0, 3.0, "passed"), (1.0, 2.0, 2.0, "passed"), (1.0, 3.0, 2.0, "inconclusive"),
     (2.5, 3.0, 2.0, "failed"), (2.0, 3.0, 2.0, "inconclusive"), (1.0, math.inf, 5.0, "inconclusive")],
)
def test_verdict_for_a_time_budget(low: float, high: float, budget: float, verdict: str) -> None:
    c = _Check("p95", (low + min(high, 10)) / 2, low, high, budget, "lower", "s", 100)
    assert c.verdict == verdict
    assert (c.margin >= 0) == (verdict == "passed")


@pytest.mark.parametrize(
    ("low", "high", "floor", "verdict"),
    [(10.0, 20.0, 5.0, "passed"), (4.0, 20.0, 5.0, "inconclusive"), (1.0, 4.0, 5.0, "failed")],
)
def test_verdict_for_a_throughput_floor(low: float, high: float, floor: float, verdict: str) -> None:
    c = _Check("throughput", (low + high) / 2, low, high, floor, "higher", "rows/s", 100)
    assert c.verdict == verdict


def test_worst_check_decides() -> None:
    ok = _Check("p50", 1.0, 0.9, 1.1, 2.0, "lower", "s", 50)
    bad = _Check("p95", 3.0, 2.6, 3.5, 2.0, "lower", "s", 50)
    open_ = _Check("p99", 3.0, 1.0, 9.0, 4.0, "lower", "s", 50)
    assert judge._overall([ok, open_]) == "inconclusive"
    assert judge._overall([ok, open_, bad]) == "failed"
    assert judge._worst([ok, open_, bad]) is bad


# -- absolute budgets on functions of known cost ---------------------------------------------------


def test_absolute_budget_passes_with_room() -> None:
    r = gate().latency(spin, 200e-6, p95="20ms", gate_options=QUICK)
    assert r.verdict == "passed"
    assert r.enforced
    assert r.kind == "latency"
    assert r.name == "spin"
    assert r.unit == "s"
    assert r.threshold == {"p95": 0.02}
    assert r.ci is not None
    assert r.ci[1] <= 0.02
    assert r.margin is not None
    assert r.margin > 0
    assert "p95" in r.message
    assert "20ms" in r.message
    assert "CI" in r.message
    d = r.details
    assert d["mode"] == "absolute"
    assert d["distribution"]["samples"] == r.n >= 200
    assert sum(d["distribution"]["histogram"]["counts"]) == r.n
    assert {"thread_env", "cpu_count", "python", "numpy"} <= set(d["context"])


def test_absolute_budget_fails_when_the_lower_bound_is_over() -> None:
    r = gate().latency(spin, 500e-6, p50="100us", gate_options=QUICK)
    assert r.verdict == "failed"
    assert r.ci is not None
    assert r.ci[0] > 100e-6
    assert "failed" in r.message
    assert "speed up" in r.message
    g = gate()
    g.latency(spin, 500e-6, p50="100us", gate_options=QUICK)
    with pytest.raises(AssertionError, match="did not pass"):
        g.check()


def test_open_verdict_extends_then_fails_by_default_or_warns() -> None:
    # 4 ms calls in a 0.1 s box (+0.1 s extension): far too few samples for a p99 upper bound,
    # while a budget of 1 s is far above the lower bound -> inconclusive, deterministically.
    # descheduled='keep': on a saturated machine every 4 ms call can be preempted, and dropping
    # them all would leave no sample (a different inconclusive verdict, tested below).
    opts = {**QUICK, "max_time": 0.1, "extend_time": 0.1, "descheduled": "keep"}
    r = gate().latency(spin, 4e-3, p99="1s", gate_options=opts)
    assert r.verdict == "inconclusive"
    assert r.enforced
    assert r.details["extended"] is True
    assert "too few samples" in r.message
    w = gate().latency(spin, 4e-3, p99="1s", gate_options={**opts, "inconclusive": "warn"})
    assert w.verdict == "inconclusive"
    assert not w.enforced
    assert "warn" in w.message


def test_throughput_budget_on_the_lower_bound() -> None:
    ok = gate().latency(spin, 1e-3, rows=1000, throughput=100_000, gate_options=QUICK)
    assert ok.verdict == "passed"
    assert ok.unit == "rows/s"
    assert ok.direction == "higher"
    bad = gate().latency(spin, 1e-3, rows=100, throughput=1_000_000, gate_options=QUICK)
    assert bad.verdict == "failed"


def test_no_budget_records_the_distribution() -> None:
    r = gate().latency(spin, 100e-6, gate_options=QUICK)
    assert r.verdict == "passed"
    assert r.threshold == {}
    assert "recorded only" in r.message
    assert r.value is not None


def test_too_fast_function_with_a_percentile_budget_is_refused() -> None:
    with pytest.raises(ConfigError, match="p95: the function takes about"):
        gate().latency(len, "abc", p95="1ms", gate_options=QUICK)


def test_machine_factor_scales_the_budget_and_is_recorded() -> None:
    r = gate().latency(spin, 200e-6, p50="50ms", gate_options={**QUICK, "reference_time": "1s"})
    norm = r.details["normalisation"]
    assert norm["clamped"]
    assert norm["machine_factor"] == 0.5
    assert r.threshold == {"p50": pytest.approx(0.025)}


# -- relative budgets ------------------------------------------------------------------------------


def half(seconds: float) -> None:
    spin(seconds / 2)


def test_relative_budget_detects_a_slowdown() -> None:
    r = gate().latency(spin, 300e-6, baseline=half, max_ratio=1.10, gate_options=QUICK)
    assert r.verdict == "failed"
    assert r.unit == "ratio"
    assert r.value is not None
    assert 1.6 < r.value < 2.4
    assert r.details["mode"] == "relative"
    assert r.details["baseline_name"] == "half"
    assert r.details["ratio"]["seed"] == 7
    assert "max_ratio" in r.threshold


def test_relative_budget_passes_a_faster_candidate() -> None:
    r = gate().latency(half, 300e-6, baseline=spin, max_ratio=1.10, gate_options=QUICK)
    assert r.verdict == "passed"


def test_relative_checks_absolute_budgets_too() -> None:
    r = gate().latency(spin, 300e-6, baseline=spin, max_ratio=3.0, p50="100us",
                       gate_options=QUICK)
    assert r.verdict == "failed"
    assert set(r.threshold) == {"max_ratio", "p50"}


# -- xdist policy ------------------------------------------------------------------------------------


def test_under_xdist_report_only_by_default() -> None:
    r = gate(xdist_worker=True).latency(spin, 100e-6, p50="1us", gate_options=QUICK)
    assert r.verdict == "failed"
    assert not r.enforced
    assert "pytest-xdist" in r.message
    assert any("xdist" in w for w in r.details["warnings"])


def test_under_xdist_enforce_on_request() -> None:
    g = gate(xdist_worker=True, extra={"latency_under_xdist": "enforce"})
    r = g.latency(spin, 100e-6, p50="1us", gate_options=QUICK)
    assert r.enforced
    assert any("xdist" in w for w in r.details["warnings"])


def test_bad_xdist_policy() -> None:
    with pytest.raises(ConfigError, match="latency_under_xdist"):
        gate(xdist_worker=True, extra={"latency_under_xdist": "sometimes"}).latency(
            spin, 1e-4, gate_options=QUICK)


# -- configuration errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"p95": "5 parsecs"}, "p95 must be a positive duration"),
        ({"p95": 0}, "p95 must be a positive duration"),
        ({"p99": -1}, "p99"),
        ({"throughput": "fast"}, "throughput"),
        ({"rows": 0}, "rows"),
        ({"max_ratio": 1.1}, "max_ratio= needs baseline="),
        ({"baseline": spin}, "baseline= needs max_ratio="),
        ({"p95": "1s", "gate_options": {"inconclusive": "maybe"}}, "inconclusive"),
        ({"gate_options": {"quantile": "p101"}, "baseline": spin, "max_ratio": 1.1}, "quantile"),
    ],
)
def test_bad_budgets_name_the_argument(kw: dict[str, Any], match: str) -> None:
    opts = {**QUICK, **kw.pop("gate_options", {})}
    with pytest.raises(ConfigError, match=match):
        gate().latency(spin, 1e-5, gate_options=opts, **kw)


def test_unknown_option_suggests_a_close_match() -> None:
    with pytest.raises(ConfigError, match="did you mean 'max_time'"):
        judge.latency(GateContext(), spin, (1e-5,), {}, max_tim=1.0)


def test_keywords_cover_the_contract() -> None:
    for key in ("p50", "p95", "p99", "throughput", "rows", "baseline", "max_ratio", "min_samples",
                "max_time", "confidence", "warmup", "gc", "inconclusive"):
        assert key in judge.LATENCY_KEYWORDS
    assert "max_bytes" in judge.MEMORY_KEYWORDS


def test_result_survives_json_and_from_dict() -> None:
    r = gate().latency(spin, 100e-6, p95="10ms", gate_options=QUICK)
    data = json.loads(json.dumps(r.to_dict()))
    assert GateResult.from_dict(data).verdict == r.verdict


# -- memory ------------------------------------------------------------------------------------------


def test_memory_budget_pass_and_fail() -> None:
    ok = gate().memory(np.ones, 100_000, max_bytes="2MiB")
    assert ok.verdict == "passed"
    assert ok.kind == "memory"
    assert ok.unit == "B"
    assert ok.threshold == {"max_bytes": 2 * 2**20}
    assert ok.margin is not None
    assert ok.margin > 0
    bad = gate().memory(np.ones, 1_000_000, max_bytes="1MiB")
    assert bad.verdict == "failed"
    assert "7.63MiB" in bad.message
    assert "1MiB" in bad.message
    assert bad.value is not None
    assert bad.value >= 8e6


def test_memory_of_an_artifact_on_disk(tmp_path: Path) -> None:
    f = tmp_path / "model.onnx"
    f.write_bytes(b"\0" * 5000)
    r = gate().memory(f, max_bytes=4096)
    assert r.verdict == "failed"
    assert r.method == "artifact-size"
    assert r.value == 5000


def test_memory_errors() -> None:
    with pytest.raises(ConfigError, match="did you mean 'rss'"):
        gate().memory(np.ones, 10, gate_options={"method": "rsss"})
    with pytest.raises(ConfigError, match="max_bytes"):
        gate().memory(np.ones, 10, max_bytes="lots")


# -- issue 10 item 19: generators, coroutines, and a run where every sample was preempted ---------


def _gen_fn(n: int) -> Any:
    yield from range(n)


async def _coro_fn(n: int) -> int:
    return n


async def _agen_fn(n: int) -> Any:
    yield n


def _returns_generator(n: int) -> Any:
    return (i for i in range(n))


@pytest.mark.parametrize(
    ("fn", "what"),
    [(_gen_fn, "generator"), (_coro_fn, "coroutine"), (_agen_fn, "async generator"),
     (_returns_generator, "generator")],
)
def test_generator_and_coroutine_callables_are_refused(fn: Any, what: str) -> None:
    from pytest_modelgate.exceptions import InputError
    from pytest_modelgate.latency import measure

    with pytest.raises((ConfigError, InputError), match=f"{what}.*creat"):
        gate().latency(fn, 1000, p50="1s", gate_options=QUICK)
    with pytest.raises(InputError, match=what):
        measure(fn, 10, max_time=0.2, warmup=1, warmup_time=0.0)


def _slow(x: int) -> int:
    time.sleep(0.01)
    return x


@pytest.mark.parametrize(
    "fn",
    [lambda: map(_slow, range(100)), lambda: filter(_slow, range(100)),
     lambda: zip(map(_slow, range(100)), range(100), strict=True), lambda: iter([1, 2, 3]),
     lambda: itertools.islice(map(_slow, range(100)), 50)],
    ids=["map", "filter", "zip", "iter-list", "islice"],
)
def test_lazy_iterators_are_refused(fn: Any) -> None:
    """Review finding 6: timing `map(...)` measured its creation (200 ns), so slow work passed."""
    from pytest_modelgate.exceptions import InputError
    from pytest_modelgate.latency import measure

    with pytest.raises((ConfigError, InputError), match=r"iterator.*creat.*list\(fn"):
        gate().latency(fn, rows=100, throughput=5000, gate_options=QUICK)
    with pytest.raises(InputError, match="returns an iterator"):
        measure(fn, max_time=0.2, warmup=1, warmup_time=0.0)


def test_a_consumed_iterator_and_a_list_are_timed() -> None:
    assert gate().latency(lambda: list(map(abs, range(10))), p50="1s",
                          gate_options=QUICK).passed


class _AlwaysPreempted:
    """`resource.getrusage` whose involuntary context-switch count moves on every reading:
    the harness sees every call as preempted by another process (a saturated machine)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.count = 0

    def __call__(self, who: int) -> Any:
        self.count += 1
        usage = self.real(who)
        fields = {f: getattr(usage, f) for f in dir(usage) if f.startswith("ru_")}
        fields["ru_nivcsw"] = self.count
        import types

        return types.SimpleNamespace(**fields)


def test_every_sample_preempted_is_inconclusive_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    resource = pytest.importorskip("resource")
    if not hasattr(resource, "RUSAGE_THREAD"):
        pytest.skip("the kernel preemption counter is Linux-only")
    monkeypatch.setattr(resource, "getrusage", _AlwaysPreempted(resource.getrusage))
    opts = {**QUICK, "max_time": 0.1, "extend_time": 0.1}
    r = gate().latency(spin, 1e-3, p95="50ms", gate_options=opts)
    assert r.verdict == "inconclusive"
    assert r.enforced
    assert "preempted" in r.message
    assert "descheduled='keep'" in r.message
    assert r.details["descheduling"]["samples"] == r.details["descheduling"]["total"] > 0
    w = gate().latency(spin, 1e-3, p95="50ms", gate_options={**opts, "inconclusive": "warn"})
    assert w.verdict == "inconclusive"
    assert not w.enforced
