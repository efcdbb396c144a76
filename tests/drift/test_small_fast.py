"""The small-sample fast paths (`drift/_small.py`) give scipy's numbers: KS D bit-for-bit (scipy's
unrounded D; its exact mode then rounds D to the lattice, as `ks_small` does), the Pearson
chi-square of a 2 x k table to 1e-9."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.drift._ks import ks_statistic
from pytest_modelgate.drift._small import chi2_2xk

samples = st.lists(st.integers(-6, 6) | st.floats(-3, 3, allow_nan=False), min_size=1,
                   max_size=80)


@settings(max_examples=200, deadline=None)
@given(samples, samples, st.booleans())
def test_merged_ks_statistic_is_scipys(a: list[float], b: list[float], scale: bool) -> None:
    x = np.sort(np.asarray(a, dtype=np.float64))
    y = np.sort(np.asarray(b, dtype=np.float64) * (1.5 if scale else 1.0))
    assert ks_statistic(x, y) == float(stats.ks_2samp(x, y, method="asymp").statistic)
    assert ks_statistic(y, x) == float(stats.ks_2samp(y, x, method="asymp").statistic)


def test_merged_ks_statistic_at_the_size_limit() -> None:
    rng = np.random.default_rng(1)
    x = np.sort(np.round(rng.normal(size=16_384), 2))
    y = np.sort(np.round(rng.normal(0.03, size=9_000), 2))
    assert ks_statistic(x, y) == float(stats.ks_2samp(x, y, method="asymp").statistic)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)).filter(lambda t: sum(t) > 0),
                min_size=1, max_size=8))
def test_chi2_2xk_equals_chi2_contingency(cells: list[tuple[int, int]]) -> None:
    r = np.array([c[0] for c in cells])
    q = np.array([c[1] for c in cells])
    if r.sum() == 0 or q.sum() == 0:
        return
    stat, p = chi2_2xk(r, q)
    if r.size == 1:
        assert (stat, p) == (0.0, 1.0)
        return
    ref = stats.chi2_contingency(np.vstack([r, q]))
    assert stat == pytest.approx(float(ref.statistic), rel=1e-9, abs=1e-12)
    assert p == pytest.approx(float(ref.pvalue), rel=1e-9, abs=1e-12)
