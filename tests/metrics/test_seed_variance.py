"""Seed variance: the t-interval against scipy, seeds needed, the three verdicts, worst seed."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics.seeds import (
    SeedEvaluationError,
    run_seeds,
    seed_list,
    seeds_needed,
    summarize,
    t_interval,
)

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.floats(0.5, 0.999))
def test_t_interval_equals_scipy(values: list[float], confidence: float) -> None:
    arr = np.asarray(values)
    low, high = t_interval(values, confidence)
    if arr.std() == 0:
        assert low == high == pytest.approx(arr.mean(), abs=1e-9)
        return
    ref = scipy.stats.t.interval(confidence, len(arr) - 1, loc=arr.mean(),
                                 scale=scipy.stats.sem(arr))
    scale = max(1.0, abs(ref[0]), abs(ref[1]))
    assert abs(low - ref[0]) <= 1e-9 * scale
    assert abs(high - ref[1]) <= 1e-9 * scale


@settings(max_examples=100, deadline=None)
@given(st.floats(0.001, 1.0), st.floats(1e-4, 0.5), st.integers(2, 30),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_seeds_needed_is_the_smallest_count_that_decides(std: float, gap: float, have: int,
                                                          confidence: float) -> None:
    n = seeds_needed(0.9, std, 0.9 - gap, confidence, have)

    def half(k: int) -> float:
        return float(scipy.stats.t.ppf(0.5 + confidence / 2, k - 1)) * std / math.sqrt(k)

    if n is None:
        assert half(10_000) >= gap
        return
    assert n >= have
    assert half(n) < gap
    if n > have:
        assert half(n - 1) >= gap


def test_seed_list() -> None:
    assert seed_list(3, 7) == (7, 8, 9)
    assert seed_list([5, 1, 9], 7) == (5, 1, 9)
    for bad in (1, [3], [2, 2], "5"):
        with pytest.raises(ConfigError, match="seeds must"):
            seed_list(bad)  # type: ignore[arg-type]


def _noisy(seed: int) -> float:
    return 0.9 + 0.01 * float(np.random.default_rng(seed).normal())


VALUES = [_noisy(s) for s in range(5)]


def _gate(seed: int = 0, **defaults: Any) -> Gate:
    return Gate(GateContext(nodeid="t::t", seed=seed,
                            defaults={"seed_variance": defaults} if defaults else {}))


def test_three_verdicts_on_the_mean() -> None:
    low, high = t_interval(VALUES, 0.95)
    mean = float(np.mean(VALUES))
    passed = _gate().seed_variance(_noisy, min=low - 1e-3)
    assert passed.verdict == "passed"
    assert passed.kind == "seed_variance"
    assert passed.ci == pytest.approx((low, high), abs=1e-12)
    assert passed.value == pytest.approx(mean)
    assert passed.method == "student-t"
    assert passed.details["values"] == pytest.approx(VALUES)
    assert passed.details["seeds"] == [0, 1, 2, 3, 4]
    open_ = _gate().seed_variance(_noisy, min=(low + mean) / 2)
    assert open_.verdict == "inconclusive"
    needed = open_.details["seeds_needed"]
    assert needed == seeds_needed(mean, float(np.std(VALUES, ddof=1)), (low + mean) / 2, 0.95, 5)
    assert f"about {needed} seeds would decide it" in open_.message
    failed = _gate().seed_variance(_noisy, min=mean + 1e-3)
    assert failed.verdict == "failed"
    assert "To fix" in failed.message
    for r in (passed, open_, failed):  # every seed is named with its value
        assert all(f"{s}: {v:.4g}" in r.message for s, v in enumerate(VALUES))


def test_max_threshold_and_direction() -> None:
    loss = _gate().seed_variance(lambda s: 1 - _noisy(s), metric="log_loss_like", max=0.2)
    assert loss.direction == "lower"
    assert loss.verdict == "passed"
    assert loss.name == "log_loss_like"
    assert loss.threshold == {"max": 0.2}


def test_worst_seed() -> None:
    worst = int(np.argmin(VALUES))
    r = _gate().seed_variance(_noisy, aggregate="worst", min=VALUES[worst] + 1e-6)
    assert r.verdict == "failed"
    assert r.value == VALUES[worst]
    assert r.ci is None
    assert r.details["worst_seed"] == worst
    assert f"worst seed {worst}:" in r.message
    ok = _gate().seed_variance(_noisy, aggregate="worst", min=VALUES[worst] - 1e-6, name="w")
    assert ok.verdict == "passed"
    assert ok.method == "worst-seed"


def test_seeds_from_the_run_seed_and_the_marker_default() -> None:
    seen: list[int] = []
    _gate(seed=10, seeds=3).seed_variance(lambda s: seen.append(s) or 0.5)
    assert seen == [10, 11, 12]
    seen.clear()
    _gate(seed=10, seeds=3).seed_variance(lambda s: seen.append(s) or 0.5, seeds=[4, 2])
    assert seen == [4, 2]


def test_y_true_y_pred_with_a_metric_and_parallel_threads() -> None:
    y = np.array([0, 1] * 50)

    def evaluate(seed: int) -> tuple[np.ndarray, np.ndarray]:
        flip = np.random.default_rng(seed).random(100) < 0.1
        return y, np.where(flip, 1 - y, y)

    one = _gate().seed_variance(evaluate, metric="accuracy", min=0.8, seeds=6)
    two = _gate().seed_variance(evaluate, metric="accuracy", min=0.8, seeds=6, n_jobs=3)
    expected = [float(np.mean(evaluate(s)[1] == y)) for s in range(6)]
    assert one.details["values"] == two.details["values"] == pytest.approx(expected)
    assert one.name == "accuracy"
    assert one.verdict == "passed"


def test_precomputed_mapping_and_progress() -> None:
    ticks: list[tuple[int, int]] = []
    assert run_seeds({0: 0.5, 1: 0.7}, [0, 1]) == [0.5, 0.7]
    run_seeds(lambda s: 1.0, [0, 1, 2], progress=lambda d, t: ticks.append((d, t)))
    assert ticks == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(InputError, match=re.escape("no result for seed(s) [2]")):
        run_seeds({0: 0.5, 1: 0.7}, [0, 1, 2])


@pytest.mark.parametrize(("evaluate", "kw", "error", "text"), [
    (lambda s: float("nan"), {}, InputError, "evaluate(0) returned nan"),
    (lambda s: "high", {}, InputError, "evaluate(0) returned str"),
    (lambda s: ([0, 1], [0, 1]), {}, ConfigError, "returned (y_true, y_pred): pass metric="),
    (lambda s: 0.5, {"seeds": 1}, ConfigError,
     "gate.seed_variance: seeds must be an integer in [2, 1000] or a list of at least 2 "
     "distinct integers; got 1"),
    (lambda s: 0.5, {"aggregate": "median"}, ConfigError, "aggregate must be one of"),
    (3, {}, InputError, "evaluate: expected a function seed -> value"),
])
def test_bad_input(evaluate: Any, kw: dict[str, Any], error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=re.escape(text)):
        _gate().seed_variance(evaluate, **kw)


def test_summary_without_interval() -> None:
    s = summarize([0, 1, 2], [1.0, 2.0, 3.0], None)
    assert s.ci is None
    assert s.std == 1.0
    assert s.worst(True) == (0, 1.0)
    r = _gate().seed_variance(lambda s: float(s), confidence=None, min=0.5)
    assert r.verdict == "passed"
    assert r.ci is None
    assert r.method == "mean"


def test_a_mappings_keys_are_its_seeds() -> None:
    """Review2 #8: `{seed: result}` with keys other than the default seeds 0..4 is accepted;
    its keys are the seeds, a count `seeds=` is ignored, a list must name the same seeds."""
    r = _gate().seed_variance({1: 0.9, 2: 0.91, 3: 0.92}, min=0.8)
    assert r.details["seeds"] == [1, 2, 3]
    assert r.details["values"] == [0.9, 0.91, 0.92]
    assert r.verdict == "passed"
    two = _gate().seed_variance({0: 1.024e5, 1: 1.0e5 + 3}, max=2e5)
    assert two.n == 2
    assert two.details["seeds"] == [0, 1]
    assert _gate(seeds=7).seed_variance({9: 0.5, 4: 0.6}, seeds=3).details["seeds"] == [4, 9]
    same = _gate().seed_variance({9: 0.5, 4: 0.6}, seeds=[9, 4])
    assert same.details["seeds"] == [9, 4]
    assert same.details["values"] == [0.5, 0.6]
    with pytest.raises(ConfigError, match=re.escape(
            "seeds=[1, 2] does not match the mapping's seeds [1, 2, 3]")):
        _gate().seed_variance({1: 0.9, 2: 0.91, 3: 0.92}, seeds=[1, 2])
    with pytest.raises(ConfigError, match=re.escape("evaluate: a mapping {seed: result} needs "
                                                    "at least 2 seeds, got [1]")):
        _gate().seed_variance({1: 0.9})
    with pytest.raises(ConfigError, match=re.escape("evaluate: the mapping's keys are the "
                                                    "seeds and must be integers, got 'a'")):
        _gate().seed_variance({"a": 0.9, 1: 0.8})


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_an_exception_in_evaluate_names_the_seed(n_jobs: int | None) -> None:
    def evaluate(seed: int) -> float:
        if seed == 3:
            raise ValueError("training diverged")
        return 0.9

    with pytest.raises(SeedEvaluationError, match=re.escape(
            "evaluate(seed=3) raised ValueError: training diverged")) as info:
        _gate().seed_variance(evaluate, seeds=5, n_jobs=n_jobs)
    assert isinstance(info.value.__cause__, ValueError)
    assert info.value.seed == 3
