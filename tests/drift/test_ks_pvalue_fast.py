"""Large-sample KS p-values without scipy's one-sided Smirnov series, equal to scipy's.

scipy's `kstwo.sf(D, n)` (what `ks_2samp` gives above 10 000 rows) sums ~n(1 - D) terms of the
Birnbaum–Tingey series when 2.2 <= n D^2 < 370: ~1 s a column at 1M rows. `smirnov_sf` gives
the same number in under a millisecond; these tests hold it to scipy within 1e-9 (relative; it is
~1e-13 in fact) across the branch boundaries, and the flags from critical values to the flags
from those p-values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from pytest_modelgate.drift import _ks, adjust_pvalues, detect
from pytest_modelgate.drift._ks import (
    SERIES_QUAD_MIN_N,
    SMIRNOV_MAX_COMPUTE_N,
    effective_n,
    ks_critical,
    ks_pvalue,
    kstwo_sf,
    p_at_most,
    smirnov_sf,
)

TOL = dict(rel=1e-9, abs=1e-12)


def _no_series(n: float, x: float) -> float:
    raise AssertionError(f"scipy.special.smirnov({n}, {x}) called: the slow series")


def _d(n: int, nd2: float) -> float:
    return math.sqrt(nd2 / n)


def _assert_same(got: float, ref: float) -> None:
    """Equal to 1e-11 relative; subnormal values (n D^2 > ~354) keep only a few digits."""
    if ref < 1e-290:
        assert got < 1e-290
        assert got == pytest.approx(ref, rel=1e-6, abs=1e-320)
    else:
        assert got == pytest.approx(ref, rel=1e-11, abs=0)


def test_a_1m_row_pvalue_does_not_sum_scipys_series(monkeypatch: pytest.MonkeyPatch) -> None:
    """At 1M vs 1M rows (n_eff 500 000) with n D^2 = 2.37, scipy sums ~500 000 terms (~1 s)."""
    d = 0.002176
    expected = 0.01753980576811783  # float(scipy.stats.kstwo.sf(d, 500_000)), scipy 1.17 (~1 s)
    monkeypatch.setattr(scipy.special, "smirnov", _no_series)
    _ks._P_CACHE.clear()
    p = ks_pvalue(d, 1_000_000, 1_000_000)
    assert p == pytest.approx(expected, rel=1e-9)


def test_a_deferred_pvalue_read_from_detect_avoids_the_series(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=30_000), rng.normal(loc=0.03, size=30_000)
    ref = stats.ks_2samp(a, b)
    n_eff = effective_n(a.size, b.size)
    assert 2.2 <= n_eff * float(ref.statistic) ** 2 < 370  # the series branch
    res = detect(a, b, method="ks")
    monkeypatch.setattr(scipy.special, "smirnov", _no_series)
    _ks._P_CACHE.clear()
    col = res.columns[0]
    assert col.statistic == float(ref.statistic)
    assert col.p_value == pytest.approx(float(ref.pvalue), **TOL)


@settings(max_examples=40, deadline=None)
@given(st.integers(SERIES_QUAD_MIN_N, 40_000), st.floats(2.2, 369.99))
def test_smirnov_sf_equals_scipys_series(n: int, nd2: float) -> None:
    x = _d(n, nd2)
    _assert_same(smirnov_sf(n, x), float(special.smirnov(n, x)))


@pytest.mark.parametrize("n", [SERIES_QUAD_MIN_N, 7_919, 100_000])
@pytest.mark.parametrize("nd2", [2.2, 2.5, 4.0, 10.0, 50.0, 150.0, 300.0, 354.0, 369.9])
def test_smirnov_sf_over_the_whole_band(n: int, nd2: float) -> None:
    """From the series' first use (n D^2 = 2.2, p ~ 0.012) to its last (p ~ 1e-321, subnormal)."""
    x = _d(n, nd2)
    _assert_same(smirnov_sf(n, x), float(special.smirnov(n, x)))


@pytest.mark.slow
@pytest.mark.parametrize("nd2", [2.2, 30.0])
def test_smirnov_sf_at_scipys_largest_series(nd2: float) -> None:
    """n = 1 000 000 is the largest n scipy sums (~1.5 s for scipy itself)."""
    n = SMIRNOV_MAX_COMPUTE_N
    x = _d(n, nd2)
    assert smirnov_sf(n, x) == pytest.approx(float(special.smirnov(n, x)), rel=1e-11, abs=0)


def _around(d: float) -> list[float]:
    return [float(np.nextafter(d, 0.0)), d, float(np.nextafter(d, 1.0))]


@pytest.mark.parametrize("n", [140, 141, SERIES_QUAD_MIN_N - 1, SERIES_QUAD_MIN_N, 25_000,
                               SMIRNOV_MAX_COMPUTE_N + 1, 3_000_000])
@pytest.mark.parametrize("nd2", [0.3, 1.9, 2.2, 17.0, 369.0, 370.0, 500.0])
def test_kstwo_sf_equals_scipys_at_every_switch(n: int, nd2: float) -> None:
    """scipy's branches switch at n D^2 = 2.2 and 370 and at n = 140 (and its series at
    n = 10^6); ours also at SERIES_QUAD_MIN_N. Either side of each switch, the same p-value."""
    for d in _around(_d(n, nd2)):
        ref = float(stats.kstwo.sf(d, n))
        assert kstwo_sf(d, n) == pytest.approx(ref, **TOL)
        if n * d * d >= 370.0:
            assert kstwo_sf(d, n) == ref == 0.0


@pytest.mark.parametrize(("d", "n"), [(0.0, 50_000), (1.0, 50_000), (0.5, 300), (0.49, 300),
                                      (1.0 / 50_000, 50_000), (0.6, 12_000), (0.999, 20_000)])
def test_kstwo_sf_edges(d: float, n: int) -> None:
    assert kstwo_sf(d, n) == pytest.approx(float(stats.kstwo.sf(d, n)), **TOL)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(10_001, 30_000), st.integers(2_000, 30_000),
       st.floats(0.0, 0.08), st.booleans())
def test_ks_pvalue_equals_ks_2samp_above_the_exact_limit(seed: int, n1: int, n2: int,
                                                         shift: float, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n1), rng.normal(loc=shift, size=n2)
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    ref = stats.ks_2samp(a, b)
    assert ks_pvalue(float(ref.statistic), n1, n2) == pytest.approx(float(ref.pvalue), **TOL)


# -- flags from critical values == flags from p-values --------------------------------------------

def test_flag_near_the_critical_value_follows_the_pvalue() -> None:
    """The critical value comes from scipy's CDF branch (Pelz–Good/Durbin), the p-value from its
    series: at n_eff 5000 and t = 1e-6 they disagree by ~5e-9 in D, more than the 1e-9 window
    the p-value used to decide in."""
    n1, n2, t = 5_500, 55_000, 1e-6
    assert effective_n(n1, n2) == 5_000
    crit = ks_critical(t, 5_000)
    d = crit + 3e-9
    assert p_at_most(d, n1, n2, t) == (ks_pvalue(d, n1, n2) <= t)


def test_a_pvalue_at_the_threshold_is_scipys_own() -> None:
    """`smirnov_sf` may differ from scipy in the last digits: with t = scipy's p-value the flag
    is scipy's (p <= t) and the p-value read afterwards is scipy's, bit for bit."""
    n1, n2 = 30_000, 41_000
    for nd2 in (2.3, 6.0):
        d = _d(effective_n(n1, n2), nd2)
        t = float(stats.kstwo.sf(d, effective_n(n1, n2)))
        _ks._P_CACHE.clear()
        assert p_at_most(d, n1, n2, t)
        assert ks_pvalue(d, n1, n2) == t
        _ks._P_CACHE.clear()
        assert not p_at_most(d, n1, n2, float(np.nextafter(t, 0.0)))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400_000), st.integers(10_001, 2_000_000),
       st.sampled_from([0.05, 0.01, 0.05 / 7, 0.05 / 50, 0.05 / 400, 1e-6, 1e-9, 1e-13]),
       st.floats(-3e-3, 3e-3))
def test_flags_from_critical_values_equal_flags_from_pvalues(n1: int, n2: int, t: float,
                                                             rel: float) -> None:
    n = effective_n(n1, n2)
    crit = ks_critical(t, max(n, 1))
    if math.isnan(crit):
        return
    d = min(crit * (1.0 + rel), 1.0)
    assert p_at_most(d, n1, n2, t) == (ks_pvalue(d, n1, n2) <= t)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["holm", "bh", "bonferroni", "none"]),
       st.sampled_from([0.05, 0.01]))
def test_detect_flags_equal_flags_from_the_read_pvalues(seed: int, correction: str,
                                                        alpha: float) -> None:
    """Shifts around the detection limit at 12 000 rows: `detect` decides from critical values;
    the same flags must follow from the adjusted p-values read afterwards."""
    rng = np.random.default_rng(seed)
    n, k = 12_000, 6
    ref = rng.normal(size=(n, k))
    cur = rng.normal(size=(n, k)) + rng.uniform(0.0, 0.06, size=k)
    res = detect(ref, cur, method="ks", alpha=alpha, correction=correction, max_share=1.0)
    ps = [c.p_value for c in res.columns.values()]
    assert all(p is not None for p in ps)
    adj = adjust_pvalues([float(p) for p in ps if p is not None], correction)
    assert [c.drifted for c in res.columns.values()] == [a <= alpha for a in adj]
    assert [c.p_adjusted for c in res.columns.values()] == adj
