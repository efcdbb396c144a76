"""Relative timing: the bootstrap on the quantile ratio (synthetic, no timing) and the harness."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.latency import compare, ratio_ci

from ._helpers import spin


def _naive_ratio_ci(a: np.ndarray, b: np.ndarray, p: float, confidence: float, n: int,
                    seed: int) -> tuple[float, tuple[float, float]]:
    """The same bootstrap, one resample at a time, with numpy's own quantile."""
    rng = np.random.default_rng(seed)
    point = float(np.quantile(a, p, method="inverted_cdf") / np.quantile(b, p, method="inverted_cdf"))
    idx = rng.integers(0, a.shape[0], size=(n, a.shape[0]))
    ratios = [
        np.quantile(a[i], p, method="inverted_cdf") / np.quantile(b[i], p, method="inverted_cdf")
        for i in idx
    ]
    lo, hi = np.quantile(ratios, [(1 - confidence) / 2, (1 + confidence) / 2])
    return point, (float(lo), float(hi))


@pytest.mark.parametrize("p", [0.5, 0.95])
def test_ratio_ci_equals_the_naive_bootstrap(p: float) -> None:
    rng = np.random.default_rng(7)
    base = rng.lognormal(0, 0.3, size=(30, 20))
    cand = 1.3 * rng.lognormal(0, 0.3, size=(30, 20))
    got = ratio_ci(cand, base, p, n_resamples=500, seed=11)
    want = _naive_ratio_ci(cand, base, p, 0.95, 500, 11)
    assert got[0] == pytest.approx(want[0], rel=1e-12)
    assert got[1] == pytest.approx(want[1], rel=1e-12)


def test_ratio_ci_is_seeded_and_brackets_the_true_ratio() -> None:
    rng = np.random.default_rng(3)
    base = rng.exponential(1.0, size=(40, 25)) + 1
    cand = 1.3 * (rng.exponential(1.0, size=(40, 25)) + 1)
    a = ratio_ci(cand, base, 0.5, seed=5)
    assert a == ratio_ci(cand, base, 0.5, seed=5)
    assert a != ratio_ci(cand, base, 0.5, seed=6)
    lo, hi = a[1]
    assert lo < 1.3 < hi


def test_drift_shared_by_both_sides_cancels() -> None:
    """A machine getting 3× slower mid-run moves both sides: the ratio stays near 1."""
    rng = np.random.default_rng(0)
    speed = np.linspace(1, 3, 40)[:, None]
    base = speed * rng.lognormal(0, 0.05, size=(40, 10))
    cand = speed * rng.lognormal(0, 0.05, size=(40, 10))
    _ratio, (lo, hi) = ratio_ci(cand, base, 0.5, seed=1)
    assert lo < 1.0 < hi
    assert hi - lo < 0.2


@pytest.mark.parametrize(
    ("a", "b", "match"),
    [
        (np.ones((3, 2)), np.ones((4, 2)), "rounds"),
        (np.ones(3), np.ones(3), "rounds"),
        (np.zeros((3, 2)), np.ones((3, 2)), "positive"),
    ],
)
def test_ratio_ci_input_errors(a: np.ndarray, b: np.ndarray, match: str) -> None:
    with pytest.raises(InputError, match=match):
        ratio_ci(a, b)


def test_ratio_ci_rejects_too_few_resamples() -> None:
    with pytest.raises(ConfigError, match="n_resamples"):
        ratio_ci(np.ones((3, 2)), np.ones((3, 2)), n_resamples=10)


def test_compare_detects_a_known_slowdown() -> None:
    r = compare(spin, lambda s: spin(s / 2), 200e-6, min_samples=200, max_time=3.0,
                warmup=2, warmup_time=0.0)
    assert r.rounds >= 20
    assert 1.6 < r.ratio < 2.4
    assert r.ci[0] <= r.ratio <= r.ci[1]
    assert r.candidate.samples == r.baseline.samples == r.samples


def test_compare_refuses_tail_quantiles_of_batched_functions() -> None:
    with pytest.raises(ConfigError, match="batches"):
        compare(len, len, "x", quantile="p95", max_time=1.0, warmup=2, warmup_time=0.0)


def test_compare_needs_a_callable_baseline() -> None:
    with pytest.raises(ConfigError, match="baseline"):
        compare(spin, "old-model", 1e-5, max_time=1.0)  # type: ignore[arg-type]


ROUNDS = st.integers(2, 12).flatmap(
    lambda r: st.tuples(
        st.lists(st.floats(1e-6, 1.0), min_size=r * 3, max_size=r * 3),
        st.lists(st.floats(1e-6, 1.0), min_size=r * 3, max_size=r * 3),
        st.just(r),
    )
)


@given(ROUNDS, st.floats(0.01, 100.0), st.sampled_from([0.5, 0.9]))
@settings(max_examples=60, deadline=None)
def test_ratio_is_scale_invariant_and_brackets_its_point(
    data: tuple[list[float], list[float], int], scale: float, p: float
) -> None:
    a_list, b_list, r = data
    a = np.asarray(a_list).reshape(r, 3)
    b = np.asarray(b_list).reshape(r, 3)
    point, (lo, hi) = ratio_ci(a, b, p, n_resamples=200, seed=1)
    assert lo <= hi
    scaled = ratio_ci(a * scale, b * scale, p, n_resamples=200, seed=1)
    assert scaled[0] == pytest.approx(point, rel=1e-9)
    assert scaled[1][0] == pytest.approx(lo, rel=1e-9)
    assert scaled[1][1] == pytest.approx(hi, rel=1e-9)
    swapped = ratio_ci(b, a, p, n_resamples=200, seed=1)
    assert swapped[0] == pytest.approx(1.0 / point, rel=1e-9)
