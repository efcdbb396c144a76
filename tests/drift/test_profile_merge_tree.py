"""`merge_profiles`: any split of the rows into partitions, any fan-in, gives the one-pass profile
(exact parts) or stays within the rank error it states (grid sketches)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.drift import merge_profiles, profile
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
        pts = np.unique(finite)
        exact = np.searchsorted(finite, pts, side="right") / finite.size
        approx = np.interp(pts, s.quantiles, s.probs, left=0.0, right=1.0)
        assert np.max(np.abs(approx - exact)) <= s.rank_error + 1e-12


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
