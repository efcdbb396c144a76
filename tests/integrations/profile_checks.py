"""Shared data and checks for the distributed-profile tests: a distributed build must equal the
single-process one in every exact part and stay within its stated error where it sketches."""

from __future__ import annotations

from typing import Any

import numpy as np

from pytest_modelgate.drift import Profile


def make_frame(n: int, seed: int) -> Any:
    """Numeric (with NaN and inf), integer, string (with None), boolean and UTC datetime (with
    NaT, whole seconds) columns."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, n)
    x[rng.choice(n, n // 50, replace=False)] = np.nan
    x[rng.choice(n, 7, replace=False)] = np.inf
    c = rng.choice(np.array(["a", "b", "c", "d"], dtype=object), n, p=[0.5, 0.3, 0.15, 0.05])
    c[rng.choice(n, n // 100, replace=False)] = None
    t = pd.Series(pd.Timestamp("2024-01-01", tz="UTC")
                  + pd.to_timedelta(rng.integers(0, 86_400 * 365, n), unit="s"))
    t[rng.choice(n, n // 100, replace=False)] = pd.NaT
    return pd.DataFrame({"x": x, "k": rng.integers(0, 1000, n).astype(np.int64), "c": c,
                         "flag": rng.random(n) < 0.2, "t": t})


def _counts(s: Any) -> dict[Any, int]:
    return {c: int(k) for c, k in zip(s.categories, s.counts, strict=True)}


def assert_same_exact_parts(dist: Profile, whole: Profile) -> None:
    """Row, missing, inf and category counts, exact values and moments equal."""
    assert dist.n_rows == whole.n_rows
    assert list(dist.columns) == list(whole.columns)
    for name, a in dist.columns.items():
        b = whole.columns[name]
        assert (a.kind, a.n, a.n_missing, a.n_inf, a.n_values) == \
            (b.kind, b.n, b.n_missing, b.n_inf, b.n_values), name
        if a.kind == "categorical":
            assert _counts(a) == _counts(b), name
        elif a.kind == "datetime":  # the UTC range the integrity gate's range check reads
            assert a.extra.get("range_ns") == b.extra.get("range_ns"), name
        elif a.kind == "numeric":
            ma, sa = a.moments()
            mb, sb = b.moments()
            np.testing.assert_allclose([ma, sa], [mb, sb], rtol=1e-12, err_msg=str(name))
            if b.exact:
                assert a.exact, name
                np.testing.assert_array_equal(a.values, b.values, err_msg=str(name))


def max_rank_error(sketch: Any, finite_sorted: np.ndarray) -> float:
    """sup over every real x of |F_sketch(x) - F_data(x)|, F_data the exact empirical CDF.

    F_sketch (`np.interp` through the nodes, a jump where nodes repeat) is linear and F_data
    constant between consecutive breakpoints (nodes and data values), so the sup is reached at
    a breakpoint from the right or from the left; the left limits are where a tied column's
    CDF jumps and what a KS against the sketch reads.
    """
    q, p = sketch.quantiles, sketch.probs
    assert q is not None
    b = np.unique(np.concatenate([q, finite_sorted]))
    f_right = np.searchsorted(finite_sorted, b, side="right") / finite_sorted.size
    f_left = np.searchsorted(finite_sorted, b, side="left") / finite_sorted.size
    g_right = np.interp(b, q, p, left=0.0, right=1.0)
    first = np.minimum(np.searchsorted(q, b, side="left"), q.size - 1)
    g_left = np.where(q[first] == b, np.where(first == 0, 0.0, p[first]), g_right)
    return float(max(np.max(np.abs(g_right - f_right)), np.max(np.abs(g_left - f_left))))


def assert_within_stated_error(dist: Profile, data: Any) -> None:
    """Every sketched column's CDF stays within the rank error the profile states."""
    sketched = 0
    for name, s in dist.columns.items():
        if s.kind != "numeric" or s.exact:
            continue
        sketched += 1
        col = np.asarray(data[name], dtype=np.float64)
        finite = np.sort(col[np.isfinite(col)])
        assert 0 < s.rank_error < 0.05, (name, s.rank_error)
        assert max_rank_error(s, finite) <= s.rank_error + 1e-12, name
    assert sketched, "no column was sketched: the test would check nothing"
