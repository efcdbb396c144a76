"""The delta-method interval for means and ratios of sums: equal to its references (scipy's t
interval for a plain mean, the closed-form influence of r2 and of a weighted mean), chosen by
default only from DELTA_MIN_ROWS rows where the normal approximation is as good as the
bootstrap, declined (bootstrap kept, reason recorded) where it is not, and calibrated."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.metrics import _ci, compare, evaluate

N_BIG = _ci.DELTA_MIN_ROWS


def _reg(n: int, seed: int, noise: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    return y, y + rng.normal(scale=noise, size=n)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 400), seed=st.integers(0, 2**32 - 1),
       name=st.sampled_from(["mse", "mae", "log_loss", "brier", "mape"]),
       confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_delta_on_a_plain_mean_equals_scipy_t_interval(
    n: int, seed: int, name: str, confidence: float
) -> None:
    rng = np.random.default_rng(seed)
    if name in ("log_loss", "brier"):
        y = np.r_[0, 1, rng.integers(0, 2, n)]
        p = np.clip(0.3 * y + 0.7 * rng.random(n + 2), 0.01, 0.99)
        rows = (-np.log(np.where(y == 1, p, 1 - p)) if name == "log_loss"
                else (y - p) ** 2)
    else:
        y = np.exp(rng.normal(1.0, 0.5, n + 2))
        p = y * np.exp(rng.normal(0, 0.3, n + 2))
        rows = {"mse": (y - p) ** 2, "mae": np.abs(y - p), "mape": np.abs(y - p) / y}[name]
    if np.ptp(rows) == 0:
        return
    res = evaluate(name, y, p, confidence=confidence, ci_method="delta")
    assert res.method == "delta"
    lo, hi = stats.t.interval(confidence, rows.size - 1, loc=rows.mean(), scale=stats.sem(rows))
    assert res.ci is not None
    assert res.ci[0] == pytest.approx(max(lo, 0.0), rel=1e-9, abs=1e-12)
    assert res.ci[1] == pytest.approx(hi, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(5, 300), seed=st.integers(0, 2**32 - 1), weighted=st.booleans())
def test_delta_on_r2_equals_its_closed_form_influence(n: int, seed: int, weighted: bool) -> None:
    y, p = _reg(n, seed, noise=0.7)
    w = np.random.default_rng(seed + 1).uniform(0.5, 2.0, n) if weighted else np.ones(n)
    res = evaluate("r2", y, p, confidence=0.9, ci_method="delta",
                   sample_weight=w if weighted else None)
    sw = w.sum()
    ybar = (w * y).sum() / sw
    sse = (w * (y - p) ** 2).sum()
    sst = (w * (y - ybar) ** 2).sum()
    # r2 = 1 - SSE/SST as a function of the weighted sums; each row's linear contribution
    d = -(w * (y - p) ** 2 - w * sse / sw) / sst + sse / sst ** 2 * (
        w * (y - ybar) ** 2 - w * sst / sw)
    se = math.sqrt((d @ d) * n / (n - 1))
    t = stats.t.ppf(0.95, n - 1)
    value = 1 - sse / sst
    assert res.value == pytest.approx(value, rel=1e-9)
    assert res.details["se"] == pytest.approx(se, rel=1e-6)
    assert res.ci is not None
    assert res.ci[0] == pytest.approx(value - t * se, rel=1e-6, abs=1e-9)
    assert res.ci[1] == pytest.approx(min(value + t * se, 1.0), rel=1e-6, abs=1e-9)


def test_delta_on_rmse_is_the_chain_rule_of_the_mse_interval() -> None:
    y, p = _reg(500, 3)
    mse = evaluate("mse", y, p, confidence=0.95, ci_method="delta")
    rmse = evaluate("rmse", y, p, confidence=0.95, ci_method="delta")
    assert rmse.details["se"] == pytest.approx(mse.details["se"] / (2 * math.sqrt(mse.value)),
                                               rel=1e-7)


def test_default_is_the_bootstrap_below_delta_min_rows_and_delta_from_it() -> None:
    y, p = _reg(N_BIG - 1, 1)
    assert evaluate("r2", y, p, confidence=0.95).method == "bootstrap"
    y, p = _reg(N_BIG, 1)
    res = evaluate("r2", y, p, confidence=0.95)
    assert res.method == "delta"
    assert "Monte-Carlo error" in res.details["note"]
    assert res.details["normal_error"] <= res.details["bootstrap_mc_error"]
    forced = evaluate("r2", y, p, confidence=0.95, ci_method="bootstrap")
    assert forced.method == "bootstrap"


@pytest.mark.parametrize("name", ["r2", "mse", "log_loss", "rmse", "explained_variance"])
def test_default_delta_agrees_with_the_bootstrap_within_its_monte_carlo_error(name: str) -> None:
    n = 2 * N_BIG
    if name == "log_loss":
        rng = np.random.default_rng(7)
        y = rng.integers(0, 2, n)
        p = np.clip((0.6 * y + rng.random(n)) / 1.6, 0.01, 0.99)
    else:
        y, p = _reg(n, 7)
    delta = evaluate(name, y, p, confidence=0.95)
    boot = evaluate(name, y, p, confidence=0.95, ci_method="bootstrap", n_resamples=2000, seed=1)
    assert delta.method == "delta"
    assert delta.ci is not None
    assert boot.ci is not None
    width = boot.ci[1] - boot.ci[0]
    # a 2000-resample percentile end moves by ~6% of the width between seeds
    assert abs(delta.ci[0] - boot.ci[0]) < 0.15 * width
    assert abs(delta.ci[1] - boot.ci[1]) < 0.15 * width


def test_a_row_that_dominates_the_variance_keeps_the_bootstrap_and_says_why() -> None:
    y, p = _reg(N_BIG, 2, noise=0.1)
    p[0] = y[0] + 40.0  # one catastrophic prediction carries most of the squared error
    res = evaluate("mse", y, p, confidence=0.95)
    assert res.method == "bootstrap"
    assert "one row carries" in res.details["delta_declined"]


def test_skewed_losses_keep_the_bootstrap_and_say_why() -> None:
    rng = np.random.default_rng(4)
    y = rng.normal(size=N_BIG)
    p = y + rng.standard_cauchy(N_BIG) * 0.05  # heavy-tailed errors: skewed squared losses
    res = evaluate("mse", y, p, confidence=0.95)
    assert res.method == "bootstrap"
    assert "delta_declined" in res.details


def test_the_default_interval_covers_the_population_r2() -> None:
    """400 samples of 10 000 rows from y ~ N(0, 1), p = y + N(0, 0.5^2): population r2 = 0.75."""
    hits = 0
    reps = 400
    for seed in range(reps):
        y, p = _reg(N_BIG, 1000 + seed)
        res = evaluate("r2", y, p, confidence=0.95)
        assert res.method == "delta"
        assert res.ci is not None
        hits += res.ci[0] <= 0.75 <= res.ci[1]
    # binomial(400, 0.95): 3 standard deviations is +- 0.033
    assert 0.915 <= hits / reps <= 0.985


def test_the_delta_interval_does_not_depend_on_the_seed() -> None:
    y, p = _reg(N_BIG, 5)
    assert evaluate("r2", y, p, confidence=0.9, seed=1).ci == \
        evaluate("r2", y, p, confidence=0.9, seed=2).ci


def test_delta_outside_means_and_ratios_is_a_config_error_naming_the_fix() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    with pytest.raises(ConfigError, match=r"ci_method='delta' applies to .*use 'bootstrap'"):
        evaluate("roc_auc", y, rng.random(200), confidence=0.9, ci_method="delta")


# --- paired comparisons (compare(), and the naive-baseline check built on it) -------------------


@settings(max_examples=30, deadline=None)
@given(n=st.integers(5, 300), seed=st.integers(0, 2**32 - 1),
       confidence=st.sampled_from([0.9, 0.95, 0.975]), max_drop=st.sampled_from([0.0, 0.05]))
def test_paired_delta_on_mse_is_scipys_one_sample_t_on_the_row_differences(
    n: int, seed: int, confidence: float, max_drop: float
) -> None:
    y, p = _reg(n, seed)
    base = y + np.random.default_rng(seed + 1).normal(scale=0.6, size=n)
    diff = (y - p) ** 2 - (y - base) ** 2
    if np.ptp(diff) == 0:
        return
    res = compare("mse", y, p, base, max_drop=max_drop, confidence=confidence, method="delta")
    assert res.method == "delta"
    lo, hi = stats.t.interval(2 * confidence - 1, n - 1, loc=diff.mean(), scale=stats.sem(diff))
    assert res.ci is not None
    assert res.ci[0] == pytest.approx(lo, rel=1e-9, abs=1e-12)
    assert res.ci[1] == pytest.approx(hi, rel=1e-9, abs=1e-12)
    ref = stats.ttest_1samp(diff, popmean=res.limit, alternative="less").pvalue
    assert res.p_value == pytest.approx(ref, rel=1e-9, abs=1e-300)


def test_paired_default_is_delta_from_delta_min_rows_and_agrees_with_the_bootstrap() -> None:
    y, p = _reg(2 * N_BIG, 8)
    base = y + np.random.default_rng(9).normal(scale=0.52, size=y.size)
    small = compare("r2", y[:N_BIG - 1], p[:N_BIG - 1], base[:N_BIG - 1], max_drop=0.01)
    assert small.method == "bootstrap"
    delta = compare("r2", y, p, base, max_drop=0.01)
    boot = compare("r2", y, p, base, max_drop=0.01, method="bootstrap", n_resamples=2000)
    assert delta.method == "delta"
    assert boot.method == "bootstrap"
    assert delta.ci is not None
    assert boot.ci is not None
    width = boot.ci[1] - boot.ci[0]
    assert abs(delta.ci[0] - boot.ci[0]) < 0.15 * width
    assert abs(delta.ci[1] - boot.ci[1]) < 0.15 * width
    assert delta.verdict == boot.verdict


def test_paired_delta_outside_means_and_ratios_is_a_config_error() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    with pytest.raises(ConfigError, match="method='delta' applies to means"):
        compare("accuracy", y, y, 1 - y, method="delta")


def test_a_constant_target_keeps_the_bootstrap() -> None:
    """A constant target: r2 is 0 by scikit-learn's convention, where it is not a smooth function
    of the sums, so the delta method declines instead of inventing a slope."""
    rng = np.random.default_rng(3)
    y = np.full(N_BIG, 2.0)
    p = y + rng.normal(scale=0.1, size=N_BIG)
    res = evaluate("r2", y, p, confidence=0.95)
    assert res.method != "delta"
    assert "not differentiable" in res.details["delta_declined"]
    with pytest.raises(ConfigError, match="method='delta' cannot be used"):
        compare("r2", y, p, p + 0.01, method="delta")


@settings(max_examples=60, deadline=None)
@given(n=st.integers(3, 200), seed=st.integers(0, 2**32 - 1), weighted=st.booleans(),
       name=st.sampled_from(["r2", "explained_variance", "mse", "rmse", "log_loss", "mae"]))
def test_each_gradient_equals_the_finite_difference_of_its_metric(
    n: int, seed: int, weighted: bool, name: str
) -> None:
    """The analytic gradients behind the delta method are the derivatives of the very function
    that turns sums into the metric (central differences agree to ~1e-6)."""
    from pytest_modelgate.metrics import get_metric
    from pytest_modelgate.metrics._inputs import check_inputs

    rng = np.random.default_rng(seed)
    if name == "log_loss":
        y = np.r_[0, 1, rng.integers(0, 2, n)]
        p = np.clip(0.3 * y + 0.7 * rng.random(n + 2), 0.01, 0.99)
    else:
        y, p = _reg(n + 2, seed)
    w = rng.uniform(0.5, 2.0, n + 2) if weighted else None
    spec = get_metric(name)
    sc = _ci.sum_columns(spec, check_inputs(spec, y, p, w))
    assert sc is not None
    total = sc.cols.sum(axis=0)
    grad = sc.grad(total)
    scale = np.sqrt((sc.cols ** 2).sum(axis=0) * sc.cols.shape[0])
    h = np.where(scale > 0, scale, 1.0) * 1e-5
    for j in range(total.size):
        up, down = total.copy(), total.copy()
        up[j] += h[j]
        down[j] -= h[j]
        num = (sc.finish(up[None, :])[0] - sc.finish(down[None, :])[0]) / (2 * h[j])
        assert grad[j] == pytest.approx(num, rel=1e-5, abs=1e-9 * float(np.abs(grad).max()))


@pytest.mark.parametrize("confidence", [0.95, 0.99])
@pytest.mark.parametrize("expected_mistakes", [20, 60, 200])
def test_one_sided_coverage_with_rare_large_losses(confidence: float,
                                                   expected_mistakes: int) -> None:
    """Found in review: a per-row loss that is 0.01 or, for a rare confident mistake, 36
    (log_loss clipped at eps) is strongly right-skewed; the standardized Edgeworth term let the
    delta method through and its upper end missed the truth 3.6% of the time at a stated 2.5%.
    Exact over K ~ Binomial(n, pi) mistakes: where the default picks the delta method, its
    one-sided miss rate may exceed the percentile bootstrap's by at most the bootstrap's own
    Monte-Carlo error."""
    from pytest_modelgate.metrics import get_metric
    from pytest_modelgate.metrics._inputs import check_inputs

    n, small, large = N_BIG, 0.01005, 36.04
    pi = expected_mistakes / n
    truth = small + (large - small) * pi
    spec = get_metric("mse")  # rows = (sqrt(loss) - 0)^2 = loss
    a = (1 - confidence) / 2
    tol = math.sqrt(a * (1 - a) / 1000)
    miss_default = miss_boot = 0.0
    for k in range(0, 4 * expected_mistakes + 60):
        pk = float(stats.binom.pmf(k, n, pi))
        if pk < 1e-12:
            continue
        rows = np.full(n, small)
        rows[:k] = large
        # the percentile bootstrap's upper end, exactly: K* ~ Binomial(n, k / n)
        k_star = float(stats.binom.ppf(1 - a, n, k / n))
        upper_boot = small + (large - small) * k_star / n
        sc = _ci.sum_columns(spec, check_inputs(spec, np.sqrt(rows), np.zeros(n)))
        assert sc is not None
        total = sc.cols.sum(axis=0)
        out, _ = _ci.delta_interval(sc, total, float(rows.mean()), confidence, 1000,
                                    forced=False)
        upper = out.ci[1] if out is not None and out.ci is not None else upper_boot
        miss_default += pk * (upper < truth)
        miss_boot += pk * (upper_boot < truth)
    assert miss_default <= miss_boot + tol


def test_forced_delta_follows_one_rule_in_evaluate_and_compare() -> None:
    """Found in review: with ci_method='delta', evaluate fell back to the bootstrap silently
    while compare raised, even for a candidate identical to its baseline. One rule now: every
    row contributing alike is a zero-width delta interval; a metric that is not differentiable
    at the data is a ConfigError naming the fix, in both."""
    y, p = _reg(50, 4)
    perfect = evaluate("mse", y, y, confidence=0.95, ci_method="delta")
    assert perfect.method == "delta"
    assert perfect.ci == (0.0, 0.0)
    same = compare("mse", y, p, p.copy(), method="delta")
    assert same.method == "delta"
    assert same.ci == pytest.approx((0.0, 0.0), abs=1e-12)  # float noise of the two sums
    flat = np.full(50, 2.0)
    with pytest.raises(ConfigError, match=r"ci_method='delta'.*not differentiable.*'bootstrap'"):
        evaluate("r2", flat, flat + p * 0.1, confidence=0.95, ci_method="delta")
    with pytest.raises(ConfigError, match=r"method='delta'.*not differentiable.*'bootstrap'"):
        compare("r2", flat, flat + p * 0.1, flat + p * 0.2, method="delta")
