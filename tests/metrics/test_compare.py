"""Champion vs challenger: McNemar, paired DeLong, paired bootstrap, verdicts and messages."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.metrics import _ci, compare, get_metric
from pytest_modelgate.metrics._compare import _midp_bounds
from pytest_modelgate.metrics._inputs import check_inputs


def _two_models(n: int, acc_c: float, acc_b: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    pc = np.where(rng.random(n) < acc_c, y, 1 - y)
    pb = np.where(rng.random(n) < acc_b, y, 1 - y)
    return y, pc, pb


def test_mcnemar_exact_equals_binomtest() -> None:
    y, pc, pb = _two_models(1500, 0.91, 0.89)
    r = compare("accuracy", y, pc, pb, max_drop=0.0, confidence=0.95)
    b = int(((pc == y) & (pb != y)).sum())
    c = int(((pc != y) & (pb == y)).sum())
    assert r.method == "mcnemar-exact"
    assert r.p_value == pytest.approx(stats.binomtest(b, b + c, alternative="greater").pvalue,
                                      rel=1e-12)
    lo = stats.binomtest(b, b + c, alternative="greater").proportion_ci(0.95, "exact").low
    assert r.ci is not None
    assert r.ci[0] == pytest.approx((2 * lo - 1) * (b + c) / 1500, rel=1e-12)
    assert r.delta == pytest.approx((b - c) / 1500)
    # the interval is the inversion of the test: they agree on the verdict
    assert (r.ci[0] > 0) == (r.p_value <= 0.05)


@pytest.mark.parametrize(("k", "m"), [(0, 10), (3, 10), (10, 10), (37, 80)])
def test_midp_bounds_solve_the_midp_equation(k: int, m: int) -> None:
    lo, hi = _midp_bounds(k, m, 0.05)
    if k > 0:
        assert stats.binom.sf(k, m, lo) + 0.5 * stats.binom.pmf(k, m, lo) == pytest.approx(0.05)
    else:
        assert lo == 0.0
    if k < m:
        assert stats.binom.cdf(k - 1, m, hi) + 0.5 * stats.binom.pmf(k, m, hi) == pytest.approx(
            0.05)
    exact_lo = stats.binomtest(k, m, alternative="greater").proportion_ci(0.95, "exact").low
    assert lo >= exact_lo - 1e-12  # mid-p is less conservative


def test_midp_pvalue() -> None:
    y, pc, pb = _two_models(800, 0.9, 0.88, seed=3)
    r = compare("accuracy", y, pc, pb, method="mcnemar-midp")
    b = int(((pc == y) & (pb != y)).sum())
    c = int(((pc != y) & (pb == y)).sum())
    ref = stats.binom.sf(b, b + c, 0.5) + 0.5 * stats.binom.pmf(b, b + c, 0.5)
    assert r.p_value == pytest.approx(ref, rel=1e-9)


def _naive_paired_delong(y: np.ndarray, s1: np.ndarray, s2: np.ndarray) -> float:
    comps = []
    for s in (s1, s2):
        pos, neg = s[y == 1], s[y == 0]
        psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
        comps.append((psi.mean(axis=1), psi.mean(axis=0)))
    v10 = np.column_stack([comps[0][0], comps[1][0]])
    v01 = np.column_stack([comps[0][1], comps[1][1]])
    c = np.array([1.0, -1.0])
    return float(c @ np.cov(v10.T) @ c / v10.shape[0] + c @ np.cov(v01.T) @ c / v01.shape[0])


def test_paired_delong_equals_definition() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 300)
    s1 = np.round(0.5 * y + rng.random(300), 2)
    s2 = np.round(0.3 * y + rng.random(300) + 0.2 * s1, 2)  # correlated scores
    r = compare("roc_auc", y, s1, s2, max_drop=0.02, confidence=0.95)
    assert r.method == "delong"
    se = np.sqrt(_naive_paired_delong(y, s1, s2))
    z = stats.norm.ppf(0.95)
    assert r.ci == pytest.approx((r.delta - z * se, r.delta + z * se), rel=1e-9)
    assert r.p_value == pytest.approx(stats.norm.sf((r.delta + 0.02) / se), rel=1e-9)


def test_identical_models() -> None:
    y, pc, _ = _two_models(500, 0.9, 0.9)
    r = compare("accuracy", y, pc, pc, max_drop=0.01)
    assert r.delta == 0.0
    assert r.verdict == "passed"
    s = np.random.default_rng(0).random(500) + y
    r2 = compare("roc_auc", y, s, s, max_drop=0.01)
    assert r2.verdict == "passed"
    assert r2.ci == (0.0, 0.0)


def test_non_inferiority_and_superiority() -> None:
    y, pc, pb = _two_models(4000, 0.90, 0.90, seed=5)
    ni = compare("f1", y, pc, pb, max_drop=0.03, n_resamples=400)
    sup = compare("f1", y, pc, pb, min_gain=0.03, n_resamples=400)
    assert ni.verdict == "passed"
    assert ni.limit == -0.03
    assert sup.verdict == "failed"
    assert sup.limit == 0.03
    assert "multinomial" in ni.details["resampling"]


def test_loss_direction_is_mirrored() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 2000)
    good = np.clip(0.5 * y + 0.5 * rng.random(2000), 0.01, 0.99)
    bad = np.clip(0.2 * y + 0.8 * rng.random(2000), 0.01, 0.99)
    r = compare("log_loss", y, good, bad, max_drop=0.0, n_resamples=300)
    assert r.direction == "lower"
    assert r.delta < 0
    assert r.verdict == "passed"
    r2 = compare("log_loss", y, bad, good, max_drop=0.01, n_resamples=300)
    assert r2.verdict == "failed"
    assert r2.limit == 0.01


def test_joint_cell_bootstrap_matches_paired_row_bootstrap() -> None:
    y, pc, pb = _two_models(1500, 0.9, 0.88, seed=4)
    fast = compare("matthews_corrcoef", y, pc, pb, n_resamples=2000, seed=1)
    spec = get_metric("matthews_corrcoef")
    c, b = check_inputs(spec, y, pc), check_inputs(spec, y, pb)
    rng = np.random.default_rng(2)
    reps = []
    for _ in range(300):
        idx = rng.integers(0, 1500, 1500)
        reps.append(spec.func(y[idx], pc[idx]) - spec.func(y[idx], pb[idx]))
    lo, hi = _ci.percentile(np.array(reps), 0.9)
    assert fast.ci is not None
    width = hi - lo
    assert abs(fast.ci[0] - lo) < 0.15 * width
    assert abs(fast.ci[1] - hi) < 0.15 * width
    assert c.n == b.n


def test_paired_vectorised_sums_equal_paired_loop() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=200)
    a, b = y + rng.normal(size=200), y + 1.1 * rng.normal(size=200)
    r = compare("rmse", y, a, b, max_drop=0.1, n_resamples=100, seed=3)
    spec = get_metric("rmse")
    gen = np.random.default_rng(3)
    reps = []
    for _ in range(100):
        idx = gen.integers(0, 200, 200)
        reps.append(spec.func(y[idx], a[idx]) - spec.func(y[idx], b[idx]))
    ref = _ci.percentile(np.array(reps), 0.9)
    assert r.ci == pytest.approx(ref, rel=1e-9)


def test_seeded() -> None:
    y, pc, pb = _two_models(600, 0.9, 0.88)
    a = compare("f1_macro", y, pc, pb, seed=1, n_resamples=200)
    b = compare("f1_macro", y, pc, pb, seed=1, n_resamples=200)
    c = compare("f1_macro", y, pc, pb, seed=2, n_resamples=200)
    assert a == b
    assert a.ci != c.ci


def test_bad_inputs() -> None:
    y, pc, pb = _two_models(100, 0.9, 0.88)
    with pytest.raises(InputError, match="baseline_pred"):
        compare("accuracy", y, pc, pb[:-1])
    with pytest.raises(ConfigError, match="max_drop"):
        compare("accuracy", y, pc, pb, max_drop=-0.1)
    with pytest.raises(ConfigError, match="method"):
        compare("accuracy", y, pc, pb, method="wilcoxon")
    with pytest.raises(ConfigError, match="delong"):
        compare("accuracy", y, pc, pb, method="delong")


def test_gate_compare_messages() -> None:
    y = np.random.default_rng(7).integers(0, 2, 3000)
    pc, pb = y.copy(), y.copy()
    pc[:300] = 1 - pc[:300]  # both 90% accurate, wrong on partly different rows
    pb[150:450] = 1 - pb[150:450]
    g = Gate(GateContext(nodeid="t::c", seed=0))
    r = g.compare("accuracy", y, pc, pb, max_drop=0.01)
    assert r.kind == "compare"
    assert r.value == pytest.approx(r.details["candidate"] - r.details["baseline"])
    assert "95% one-sided" in r.message
    assert "may lose at most 0.01 accuracy" in r.message
    inc = g.compare("accuracy", y, pc, pb)  # max_drop=0: superiority, undecided
    assert inc.verdict == "inconclusive"
    assert "max_drop" in inc.message
    gain = g.compare("accuracy", y, pc, pb, min_gain=0.05)
    assert gain.verdict == "failed"
    assert gain.threshold["min_gain"] == 0.05


def test_gate_compare_rows_needed() -> None:
    y, pc, pb = _two_models(1000, 0.92, 0.90, seed=1)
    r = Gate().compare("f1", y, pc, pb, max_drop=0.005, n_resamples=300)
    if r.verdict == "inconclusive":
        assert r.details["rows_needed"] > 1000
        assert f"{r.details['rows_needed']:,}" in r.message
