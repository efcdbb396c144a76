"""`merge_profiles`: any split of the rows into partitions, any fan-in, gives the one-pass profile
(exact parts) or stays within the rank error it states (grid sketches); so does a single-process
grid, and a KS statistic against either is within that error of the one on the raw rows."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.drift import detect, merge_profiles, profile
from pytest_modelgate.exceptions import InputError


@st.composite
def split_data(draw: st.DrawFn) -> tuple[np.ndarray, list[int], int]:
    n = draw(st.integers(2, 400))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 5, n).astype(float)])
    x[rng.random(n) < 0.05, 0] = np.nan
    cuts = sorted(set(draw(st.lists(st.integers(1, n - 1), max_size=12))))
    return x, cuts, draw(st.integers(2, 5))


def sup_cdf_error(s: Any, finite: np.ndarray) -> float:
    """sup over every real x of |G(x) - F(x)|: G the sketch's CDF (`np.interp` through its
    nodes, a jump where nodes repeat), F the exact empirical CDF of the sorted `finite` values.

    Between two consecutive breakpoints (sketch nodes and data values) G is linear and F
    constant, so the sup is reached at a breakpoint, from the right (G(b) vs F(b)) or from the
    left (G(b-) vs F(b-)). Checking F's jump points from the right only misses the left limits,
    which is where a discrete column's CDF jumps and what a KS against the sketch reads
    (`_ks_sketch` evaluates both sides).
    """
    q, p = s.quantiles, s.probs
    b = np.unique(np.concatenate([q, finite]))
    f_right = np.searchsorted(finite, b, side="right") / finite.size
    f_left = np.searchsorted(finite, b, side="left") / finite.size
    g_right = np.interp(b, q, p, left=0.0, right=1.0)
    first = np.minimum(np.searchsorted(q, b, side="left"), q.size - 1)
    on_node = q[first] == b  # the segment arriving at a node ends at its first copy's prob
    g_left = np.where(on_node, np.where(first == 0, 0.0, p[first]), g_right)
    return float(max(np.max(np.abs(g_right - f_right)), np.max(np.abs(g_left - f_left))))


_NAN = np.nan
#: found by hypothesis: a discrete column (values 0-4, ties) whose merged grid interpolated
#: across the parts' jumps (0.0995 off at a data point, 0.318 off just below one; stated 0.094)
_TIED_MERGE = (np.array(
    [[-0.64797658, 0.], [0.03234495, 0.], [0.96508614, 2.], [-1.67550035, 4.],
     [-0.10556915, 4.], [1.31678833, 0.], [0.49717642, 2.], [-0.89656156, 0.],
     [-0.7973087, 4.], [0.04582146, 1.], [1.39789432, 4.], [_NAN, 4.], [0.98596509, 2.],
     [-1.00448416, 2.], [-0.36611425, 4.], [-0.37711291, 1.], [0.71723705, 0.],
     [0.1818292, 4.], [1.37765653, 0.], [-0.02401023, 3.], [-0.22152788, 2.], [_NAN, 3.]]),
    [1, 12], 2)


@settings(max_examples=60, deadline=None)
@given(split_data())
def test_exact_merge_equals_one_pass(case: tuple[np.ndarray, list[int], int]) -> None:
    x, cuts, fanin = case
    parts = [profile(p) for p in np.split(x, cuts)]
    merged, whole = merge_profiles(parts, fanin=fanin), profile(x)
    assert merged.n_rows == whole.n_rows
    for j in (0, 1):
        a, b = merged.columns[j], whole.columns[j]
        assert (a.n, a.n_missing, a.n_values) == (b.n, b.n_missing, b.n_values)
        np.testing.assert_array_equal(a.values, b.values)
        np.testing.assert_allclose(a.moments(), b.moments(), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(split_data())
@example(_TIED_MERGE)
def test_sketch_merge_stays_within_its_stated_error(case: tuple[np.ndarray, list[int],
                                                                int]) -> None:
    x, cuts, fanin = case
    parts = [profile(p, exact_max=8, n_quantiles=33) for p in np.split(x, cuts)]
    merged = merge_profiles([None, *parts], fanin=fanin)  # an empty partition is skipped
    for j in (0, 1):
        s = merged.columns[j]
        col = x[:, j]
        finite = np.sort(col[np.isfinite(col)])
        if s.exact:
            np.testing.assert_array_equal(s.values, finite)
            continue
        assert sup_cdf_error(s, finite) <= s.rank_error + 1e-12
        # the ends are the exact range (what the schema's range check reads)
        assert (s.quantiles[0], s.quantiles[-1]) == (finite[0], finite[-1])


@st.composite
def tied_column(draw: st.DrawFn) -> np.ndarray:
    """One column mixing point masses (a few repeated values, some of them far apart) with
    continuous values, and NaNs: the CDF has jumps of every size."""
    n = draw(st.integers(1, 300))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    atoms = rng.integers(-3, 4, draw(st.integers(1, 6))) * draw(st.sampled_from([1.0, 1e-3, 1e6]))
    x = np.where(rng.random(n) < draw(st.sampled_from([1.0, 0.9, 0.5, 0.0])),
                 rng.choice(atoms, n), rng.normal(size=n))
    x[rng.random(n) < 0.05] = np.nan
    return x


@settings(max_examples=60, deadline=None)
@given(tied_column(), st.integers(3, 40))
def test_single_process_sketch_of_tied_data_stays_within_its_stated_error(
        x: np.ndarray, n_quantiles: int) -> None:
    s = profile(x[:, None], exact_max=0, n_quantiles=n_quantiles).columns[0]
    finite = np.sort(x[np.isfinite(x)])
    if not finite.size:
        return
    assert not s.exact
    assert s.rank_error == pytest.approx(1 / (n_quantiles - 1))
    assert sup_cdf_error(s, finite) <= s.rank_error + 1e-12
    # the ends are the exact range (what the schema's range check reads)
    assert (s.quantiles[0], s.quantiles[-1]) == (finite[0], finite[-1])


@settings(max_examples=40, deadline=None)
@given(tied_column(), tied_column(), st.lists(st.integers(1, 299), max_size=6),
       st.integers(2, 4), st.integers(3, 40))
@example(np.array([_NAN, 2.0, 2.0, 2.0, 0.04132598, 2.0]), np.array([2.0]), [1], 2, 4)  # D 1 vs 0.2
def test_ks_against_a_sketch_is_within_the_stated_error_of_the_raw_ks(
        ref: np.ndarray, cur: np.ndarray, cuts: list[int], fanin: int, n_quantiles: int) -> None:
    """What the drift engine relies on: |D(sketch, current) - D(raw reference, current)| <= the
    approx_error the result carries, for a single sketch and for a tree-merged one."""
    finite_ref, finite_cur = ref[np.isfinite(ref)], cur[np.isfinite(cur)]
    if not (finite_ref.size and finite_cur.size):
        return
    raw = stats.ks_2samp(finite_ref, finite_cur).statistic
    cuts = sorted({c for c in cuts if c < ref.size})
    kw: dict[str, Any] = {"exact_max": 4, "n_quantiles": n_quantiles}
    single = profile(ref[:, None], **kw)
    merged = merge_profiles([profile(p[:, None], **kw) for p in np.split(ref, cuts)],
                            fanin=fanin)
    for prof in (single, merged):
        col = detect(prof, cur[:, None], method="ks").columns[0]
        if prof.columns[0].exact:
            assert col.statistic == pytest.approx(raw, abs=1e-12)
            continue
        assert col.approx_error == prof.columns[0].rank_error
        assert abs(col.statistic - raw) <= col.approx_error + 1e-12


def test_merged_profiles_carry_the_schema_of_all_rows() -> None:
    """A tree-merged profile (what --merge, Dask and Spark return) stores the schema inferred
    from the merged summaries, equal to the one a single-process profile stores."""
    pd = pytest.importorskip("pandas")
    from pytest_modelgate.drift import merge_profiles, profile

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(list("abc"), 300),
                       "n": np.where(rng.random(300) < 0.1, np.nan, rng.random(300))})
    whole = profile(df)
    merged = merge_profiles([profile(df.iloc[:100]), None, profile(df.iloc[100:220]),
                             profile(df.iloc[220:])])
    assert merged.schema is not None
    assert merged.schema == whole.schema


def _merges() -> list[tuple[str, Any]]:
    from pytest_modelgate.drift._dask import _combine
    from pytest_modelgate.drift._profile import ProfileMerger, _merge_step

    def streaming(a: Any, b: Any) -> Any:
        m = ProfileMerger(fanin=2)
        m.add(a)
        m.add(b)
        return m.result()

    return [("Profile.merge", lambda a, b: a.merge(b)),
            ("merge_profiles", lambda a, b: merge_profiles([a, b])),
            ("tree step (Dask/Spark)", lambda a, b: _merge_step([a, b])),
            ("Dask combine", lambda a, b: _combine(a, b)),
            ("ProfileMerger", streaming)]


def test_every_merge_path_refuses_with_one_message_naming_the_fix() -> None:
    """Profile.merge, merge_profiles and the Dask/Spark tree merge share `_check_mergeable`: the
    same one-line message per problem, naming what differs and the argument that fixes it."""
    pd = pytest.importorskip("pandas", reason="pandas not installed")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=200), "c": rng.choice(["a", "b"], 200)})
    base = profile(df)
    cases = [
        (3, r"^merge: got a int, not a Profile; pass profiles built by profile\(\) or read by "
            r"Profile\.load\(path\)$"),
        (profile(df[["x"]]), r"^merge: profiles have different columns \(one is without 'c'\); "
                             r"build every part from the same columns.*columns=\[\.\.\.\]\)$"),
        (profile(df.assign(z=1.0)), r"different columns \(one is with extra 'z'\)"),
        (profile(df[["c", "x"]]), r"different columns \(one is the same columns in another "
                                  r"order \(\['x', 'c'\] vs \['c', 'x'\]\)\)"),
        (profile(df, categorical=["x"]), r"^merge: column 'x' is numeric in one profile and "
                                         r"categorical in another; a column must have one kind "
                                         r"in every partition \(list it in categorical=\[\.\.\.\] "
                                         r"to force categories\)$"),
    ]
    for other, pattern in cases:
        messages = set()
        for label, merge in _merges():
            with pytest.raises(InputError, match=pattern) as info:
                merge(base, other)
            messages.add(str(info.value))
            assert "\n" not in str(info.value), label
        assert len(messages) == 1, messages


def test_pooled_moments_of_huge_values_overflow_to_inf_as_one_pass_does() -> None:
    """A squared deviation beyond the float range is inf (as np.std gives one pass), not an
    OverflowError out of merge_profiles."""
    x = np.array([1e200, -1e200, 3e200, 5.0])[:, None]
    with np.errstate(over="ignore"):  # np.std's own overflow warning, one pass and per part
        merged = merge_profiles([profile(x[:2]), profile(x[2:])])
        whole = profile(x).columns[0].moments()
    assert merged.columns[0].moments() == whole == (7.5e199, np.inf)
