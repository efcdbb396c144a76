"""Every statistic and p-value equals its scipy reference within 1e-9 (hypothesis)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.spatial.distance import jensenshannon

from pytest_modelgate.drift import detect, get_test
from pytest_modelgate.drift._data import summarize
from pytest_modelgate.drift._ks import ks_pvalue, ks_statistic, p_at_most

TOL = dict(rel=1e-9, abs=1e-12)
# scipy >= 1.17 spells the midrank Anderson-Darling statistic variant="midrank"; older, midrank=True
_MIDRANK = ({"variant": "midrank"} if "variant" in inspect.signature(stats.anderson_ksamp).parameters
            else {"midrank": True})

samples = st.lists(st.integers(-20, 20), min_size=3, max_size=60).map(
    lambda v: np.asarray(v, dtype=np.float64) / 4.0)
continuous = st.lists(st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False,
                                allow_subnormal=False), min_size=3, max_size=60).map(np.asarray)


def _run(name: str, a: np.ndarray, b: np.ndarray) -> tuple[float, float | None, float | None]:
    o = get_test(name).func(summarize(a), summarize(b))
    p = o.p_value if o.p_value is not None else (o.p_deferred() if o.p_deferred else None)
    return o.statistic, p, o.effect


@pytest.mark.filterwarnings("ignore:ks_2samp:RuntimeWarning")  # scipy's own exact->asymp note
@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_ks_statistic_is_scipys_bit_for_bit(a: np.ndarray, b: np.ndarray) -> None:
    ref = stats.ks_2samp(a, b, method="asymp")
    assert ks_statistic(np.sort(a), np.sort(b)) == float(ref.statistic)
    d, p, _ = _run("ks", a, b)
    auto = stats.ks_2samp(a, b)
    assert d == pytest.approx(float(auto.statistic), **TOL)
    assert p == pytest.approx(float(auto.pvalue), **TOL)


@settings(max_examples=80, deadline=None)
@given(samples, samples, st.integers(1, 9))
def test_ks_block_search_is_scipys_bit_for_bit(a: np.ndarray, b: np.ndarray, block: int) -> None:
    """The block-pruned search (used above 16 384 rows) gives scipy's D on any data, ties too."""
    ref = float(stats.ks_2samp(a, b, method="asymp").statistic)
    assert ks_statistic(np.sort(a), np.sort(b), block=block) == ref


@pytest.mark.parametrize(("shift", "digits"), [(0.0, None), (0.004, None), (0.3, None),
                                               (0.0, 1), (0.02, 0), (0.0, -1)])
def test_ks_block_search_at_scale(shift: float, digits: int | None) -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=60_000), rng.normal(loc=shift, size=45_001)
    if digits is not None:
        a, b = np.round(a, digits), np.round(b, digits)
    ref = float(stats.ks_2samp(a, b, method="asymp").statistic)
    a.sort()
    b.sort()
    assert ks_statistic(a, b) == ref
    assert ks_statistic(a, b, block=0) == ref
    assert ks_statistic(b, a) == ref


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 0.05), st.booleans())
def test_ks_large_samples_asymptotic_path(seed: int, shift: float, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=10_050)
    b = rng.normal(loc=shift, size=12_011)
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    ref = stats.ks_2samp(a, b)
    d, p, _ = _run("ks", a, b)
    assert d == float(ref.statistic)
    assert p == pytest.approx(float(ref.pvalue), **TOL)
    for t in (0.05, 0.01, 0.05 / 40, float(ref.pvalue)):
        assert p_at_most(d, a.size, b.size, t) == (float(ref.pvalue) <= t)


@pytest.mark.parametrize(("name", "fn"), [
    ("cvm", lambda a, b: stats.cramervonmises_2samp(a, b)),
    ("mannwhitney", lambda a, b: stats.mannwhitneyu(a, b, alternative="two-sided")),
    ("ttest", lambda a, b: stats.ttest_ind(a, b, equal_var=False)),
    ("anderson", lambda a, b: stats.anderson_ksamp([a, b], **_MIDRANK)),
])
@settings(max_examples=30, deadline=None)
@given(a=continuous, b=continuous)
def test_numeric_tests_equal_scipy(name: str, fn: object, a: np.ndarray, b: np.ndarray) -> None:
    import warnings

    if name == "anderson" and np.unique(np.concatenate([a, b])).size < 2:
        return
    if name == "ttest" and (np.var(a) == 0 and np.var(b) == 0):
        return  # both variances are 0 (or underflow to 0): scipy gives nan, we give t = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = fn(a, b)  # type: ignore[operator]
    s, p, _ = _run(name, a, b)
    assert s == pytest.approx(float(ref.statistic), **TOL)
    if not np.isnan(ref.pvalue):
        assert p == pytest.approx(float(ref.pvalue), **TOL)


@settings(max_examples=40, deadline=None)
@given(continuous, continuous)
def test_distances_equal_scipy(a: np.ndarray, b: np.ndarray) -> None:
    w, _, _ = _run("wasserstein", a, b)
    assert w == pytest.approx(stats.wasserstein_distance(a, b), **TOL)
    e, _, _ = _run("energy", a, b)
    assert e == pytest.approx(stats.energy_distance(a, b), **TOL)


cat_counts = st.lists(st.integers(0, 40), min_size=2, max_size=6)


@settings(max_examples=60, deadline=None)
@given(cat_counts, cat_counts)
def test_chi2_and_gtest_equal_chi2_contingency(r: list[int], q: list[int]) -> None:
    k = min(len(r), len(q))
    labels = [f"c{i}" for i in range(k)]
    a = np.array([lab for lab, n in zip(labels, r[:k], strict=True) for _ in range(n)] or ["c0"],
                 dtype=object)
    b = np.array([lab for lab, n in zip(labels, q[:k], strict=True) for _ in range(n)] or ["c0"],
                 dtype=object)
    ra = np.array([np.sum(a == lab) for lab in labels])
    qb = np.array([np.sum(b == lab) for lab in labels])
    keep = (ra + qb) > 0
    table = np.vstack([ra[keep], qb[keep]])
    for name, lam in (("chisquare", None), ("gtest", "log-likelihood")):
        o = get_test(name).func(summarize(a, categorical=True), summarize(b, categorical=True))
        if table.shape[1] < 2:
            assert o.p_value == 1.0
            continue
        ref = stats.chi2_contingency(table, lambda_=lam)
        assert o.statistic == pytest.approx(float(ref.statistic), **TOL)
        assert o.p_value == pytest.approx(float(ref.pvalue), **TOL)
        assert o.effect == pytest.approx(float(jensenshannon(table[0], table[1])), **TOL)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60), st.integers(0, 60), st.integers(1, 60), st.integers(0, 60))
def test_ztest_and_fisher(n1: int, x1: int, n2: int, x2: int) -> None:
    x1, x2 = min(x1, n1), min(x2, n2)
    a = np.array([1] * x1 + [0] * (n1 - x1))
    b = np.array([1] * x2 + [0] * (n2 - x2))
    table = np.array([[n1 - x1, x1], [n2 - x2, x2]])
    o = get_test("fisher").func(summarize(a), summarize(b))
    ref = stats.fisher_exact(table)
    assert o.p_value == pytest.approx(float(ref.pvalue), **TOL)
    z = get_test("ztest").func(summarize(a), summarize(b))
    if (table.sum(axis=0) > 0).all():
        chi = stats.chi2_contingency(table, correction=False)
        assert z.statistic ** 2 == pytest.approx(float(chi.statistic), rel=1e-9, abs=1e-9)
        assert z.p_value == pytest.approx(float(chi.pvalue), **TOL)
    else:
        assert z.p_value == 1.0


def test_psi_matches_a_naive_quantile_histogram() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=5000), rng.normal(0.3, 1.2, size=4000)
    edges = np.quantile(a, np.arange(1, 10) / 10)
    ra = np.histogram(a, np.concatenate([[-np.inf], edges, [np.inf]]))[0] / a.size
    qb = np.histogram(b, np.concatenate([[-np.inf], edges, [np.inf]]))[0] / b.size
    naive = float(np.sum((qb - ra) * np.log(qb / ra)))
    s, _, _ = _run("psi", a, b)
    assert s == pytest.approx(naive, rel=1e-9)
    h, _, _ = _run("hellinger", a, b)
    assert h == pytest.approx(np.sqrt(np.sum((np.sqrt(ra) - np.sqrt(qb)) ** 2) / 2), rel=1e-9)
    j, _, _ = _run("jensenshannon", a, b)
    assert j == pytest.approx(jensenshannon(ra, qb), rel=1e-9)


def test_psi_empty_bin_uses_the_documented_epsilon() -> None:
    a = np.array(["x"] * 50 + ["y"] * 50, dtype=object)
    b = np.array(["x"] * 100, dtype=object)
    s, _, _ = _run("psi", a, b)
    expected = (1 - 0.5) * np.log(1 / 0.5) + (1e-4 - 0.5) * np.log(1e-4 / 0.5)
    assert s == pytest.approx(expected, rel=1e-12)


def test_large_sample_pvalue_is_deferred_but_equal() -> None:
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=20_000), rng.normal(0.02, 1, size=20_000)
    res = detect(a, b, method="ks")
    ref = stats.ks_2samp(a, b)
    assert res.columns[0].statistic == float(ref.statistic)
    assert res.columns[0].p_value == pytest.approx(float(ref.pvalue), **TOL)
    assert ks_pvalue(float(ref.statistic), a.size, b.size) == pytest.approx(float(ref.pvalue),
                                                                            **TOL)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.integers(0, 2**31 - 1), st.floats(0.0, 1.0), st.booleans())
def test_ks_exact_equal_sizes_vectorised(n: int, seed: int, shift: float, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(loc=shift, size=n)
    if ties:
        a, b = np.round(a), np.round(b)
    ref = stats.ks_2samp(a, b)
    d, p, _ = _run("ks", a, b)
    assert d == float(ref.statistic)
    assert p == pytest.approx(float(ref.pvalue), **TOL)


@pytest.mark.parametrize("n", [1000, 10_000])
def test_ks_exact_equal_sizes_at_the_switch(n: int) -> None:
    rng = np.random.default_rng(n)
    for shift in (0.0, 0.02, 0.05, 0.1):
        a, b = rng.normal(size=n), rng.normal(loc=shift, size=n)
        ref = stats.ks_2samp(a, b)
        d, p, _ = _run("ks", a, b)
        assert d == float(ref.statistic)
        assert p == pytest.approx(float(ref.pvalue), **TOL)
