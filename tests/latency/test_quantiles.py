"""Quantile point estimates and order-statistic bounds: no timing involved anywhere here."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.latency import (
    min_samples_for,
    parse_quantile,
    quantile,
    quantile_ci,
    quantile_ci_ranks,
    quantile_coverage,
)

LEVELS = st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.07, 0.33])


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=300), LEVELS)
@settings(max_examples=300, deadline=None)
def test_quantile_equals_numpy_inverted_cdf(xs: list[float], p: float) -> None:
    expected = float(np.quantile(np.asarray(xs), p, method="inverted_cdf"))
    assert quantile(xs, p) == pytest.approx(expected, abs=1e-9, rel=1e-9)


def test_quantile_accepts_percent_and_names() -> None:
    xs = list(range(1, 101))
    assert quantile(xs, "p95") == quantile(xs, 95) == quantile(xs, 0.95) == 95
    assert quantile(xs, "median") == 50


def _brute_ranks(n: int, p: float, one: float) -> tuple[int | None, int | None]:
    """The definition, rank by rank: P(X_(r) >= xi) = P(Bin <= r-1); P(X_(l) <= xi) = P(Bin >= l)."""
    r = np.arange(1, n + 1)
    above = stats.binom.cdf(r - 1, n, p) >= one
    below = stats.binom.sf(r - 1, n, p) >= one
    upper = int(r[above][0]) if above.any() else None
    lower = int(r[below][-1]) if below.any() else None
    return lower, upper


@pytest.mark.parametrize("n", [1, 5, 20, 59, 60, 72, 100, 200, 299, 450, 1000])
@pytest.mark.parametrize("p", [0.05, 0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_ranks_equal_the_binomial_definition(n: int, p: float, confidence: float) -> None:
    lower, upper = quantile_ci_ranks(n, p, confidence)
    assert (lower, upper) == _brute_ranks(n, p, (1 + confidence) / 2)
    assert quantile_ci_ranks(n, p, confidence, "upper")[1] == _brute_ranks(n, p, confidence)[1]
    assert quantile_ci_ranks(n, p, confidence, "lower")[0] == _brute_ranks(n, p, confidence)[0]
    if lower is not None and upper is not None:
        assert quantile_coverage(n, p, lower, upper) >= confidence - 1e-12
        # tight: moving either bound inwards loses the guarantee of that side
        if upper > 1:
            assert stats.binom.cdf(upper - 2, n, p) < (1 + confidence) / 2
        if lower < n:
            assert stats.binom.sf(lower, n, p) < (1 + confidence) / 2


def test_ranks_match_the_research_note_table() -> None:
    # one-sided 95% bounds quoted in latency-ci-anchors.md A.9
    assert quantile_ci_ranks(59, 0.95, 0.95, "upper")[1] == 59
    assert quantile_ci_ranks(100, 0.95, 0.95, "upper")[1] == 99
    assert quantile_ci_ranks(200, 0.95, 0.95, "upper")[1] == 196
    assert quantile_ci_ranks(1000, 0.95, 0.95, "upper")[1] == 962
    assert quantile_ci_ranks(299, 0.99, 0.95, "upper")[1] == 299
    assert quantile_ci_ranks(1000, 0.99, 0.95, "upper")[1] == 996
    assert quantile_ci_ranks(200, 0.95, 0.95, "lower")[0] == 185
    assert quantile_ci_ranks(1000, 0.95, 0.95, "lower")[0] == 938


def test_min_samples_is_the_smallest_n_with_bounds() -> None:
    for p, sided in [(0.95, "two"), (0.95, "upper"), (0.99, "two"), (0.5, "two"), (0.05, "lower")]:
        n = min_samples_for(p, 0.95, sided)
        ranks = quantile_ci_ranks(n, p, 0.95, sided)
        before = quantile_ci_ranks(n - 1, p, 0.95, sided)
        want = {"two": (0, 1), "upper": (1,), "lower": (0,)}[sided]
        assert all(ranks[i] is not None for i in want)
        assert any(before[i] is None for i in want)
    assert min_samples_for("p95", sided="upper") == 59
    assert min_samples_for("p99", sided="upper") == 299


def test_too_few_samples_give_infinite_bounds() -> None:
    est = quantile_ci(np.arange(30.0), "p95")
    assert est.high == math.inf
    assert math.isfinite(est.low)
    assert est.ranks[1] is None


DISTRIBUTIONS = {
    "exponential": (stats.expon(), lambda rng, size: rng.exponential(size=size)),
    "lognormal": (stats.lognorm(0.8), lambda rng, size: rng.lognormal(0.0, 0.8, size=size)),
    "uniform": (stats.uniform(), lambda rng, size: rng.uniform(size=size)),
}


@pytest.mark.parametrize("dist", sorted(DISTRIBUTIONS))
@pytest.mark.parametrize(("p", "n"), [(0.5, 40), (0.95, 200), (0.99, 1000)])
def test_interval_covers_true_quantile_at_stated_rate(dist: str, p: float, n: int) -> None:
    """Simulation: draws from a known distribution, 2000 replications, vectorised."""
    frozen, draw = DISTRIBUTIONS[dist]
    truth = float(frozen.ppf(p))
    rng = np.random.default_rng(12345)
    reps = 2000
    x = np.sort(draw(rng, (reps, n)), axis=1)
    lower, upper = quantile_ci_ranks(n, p, 0.95)
    assert lower is not None
    assert upper is not None
    covered = (x[:, lower - 1] <= truth) & (truth <= x[:, upper - 1])
    exact = quantile_coverage(n, p, lower, upper)
    assert exact >= 0.95
    se = math.sqrt(exact * (1 - exact) / reps)
    assert abs(covered.mean() - exact) <= 4 * se + 1e-9
    # and the one-sided upper bound alone misses at most at its stated rate
    up1 = quantile_ci_ranks(n, p, 0.95, "upper")[1]
    assert up1 is not None
    miss = float(np.mean(x[:, up1 - 1] < truth))
    assert miss <= 0.05 + 4 * math.sqrt(0.05 * 0.95 / reps)


def test_quantile_ci_uses_the_ranked_values() -> None:
    x = np.random.default_rng(1).permutation(np.arange(1.0, 201.0))
    est = quantile_ci(x, 0.95)
    assert (est.low, est.high) == (184.0, 197.0)
    assert est.value == 190.0
    assert est.coverage >= 0.95


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [float("inf")]])
def test_bad_samples_name_the_argument(bad: list[float]) -> None:
    with pytest.raises(InputError, match="samples"):
        quantile_ci(bad, 0.5)


@pytest.mark.parametrize("bad", [0, 1.0, 100, -5, "p0", "p100", "fast", None, True])
def test_bad_quantile_levels(bad: object) -> None:
    with pytest.raises(ConfigError, match="quantile"):
        parse_quantile(bad)


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, True, "0.95"])
def test_bad_confidence(bad: object) -> None:
    with pytest.raises(ConfigError, match="confidence"):
        quantile_ci_ranks(100, 0.5, bad)  # type: ignore[arg-type]


def test_bad_sample_count() -> None:
    with pytest.raises(InputError, match="n"):
        quantile_ci_ranks(0, 0.5)


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=400), LEVELS)
@settings(max_examples=150, deadline=None)
def test_bounds_commute_with_monotone_transforms(xs: list[float], p: float) -> None:
    """Order statistics are rank-based: exp() of the bounds is the bounds of exp()."""
    est = quantile_ci(xs, p, 0.9)
    ex = quantile_ci(np.exp(np.asarray(xs)), p, 0.9)
    assert ex.ranks == est.ranks
    assert ex.value == pytest.approx(math.exp(est.value), rel=1e-12)
    for mine, theirs in ((est.low, ex.low), (est.high, ex.high)):
        if math.isfinite(mine):
            assert theirs == pytest.approx(math.exp(mine), rel=1e-12)
        else:
            assert not math.isfinite(theirs)
    assert est.low <= est.value <= est.high
