"""`detect`: corrections, the auto rule, mixed inputs, bad input, the null false-alarm rate."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pytest_modelgate.drift import adjust_pvalues, detect
from pytest_modelgate.drift._detect import _rejections
from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")

pvals = st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=30)


def _holm_naive(p: list[float]) -> list[float]:
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@settings(max_examples=200, deadline=None)
@given(pvals, st.sampled_from([0.01, 0.05, 0.1]))
def test_corrections_equal_references(p: list[float], alpha: float) -> None:
    assert adjust_pvalues(p, "holm") == pytest.approx(_holm_naive(p), rel=1e-12, abs=1e-15)
    bh = stats.false_discovery_control(np.asarray(p), method="bh") if p else []
    assert adjust_pvalues(p, "bh") == pytest.approx(list(bh), rel=1e-12, abs=1e-15)
    assert adjust_pvalues(p, "bonferroni") == pytest.approx(
        [min(1.0, len(p) * x) for x in p])
    assert adjust_pvalues(p, "none") == p
    # the decision from 'p <= t' queries equals comparing adjusted p-values with alpha
    for corr in ("holm", "bh", "bonferroni", "none"):
        le = [(lambda t, x=x: x <= t) for x in p]
        got = _rejections(le, alpha, corr)
        adj = adjust_pvalues(p, corr)
        want = [a <= alpha for a in adj]
        # identical except where an adjusted p-value sits on alpha up to float rounding
        assert all(g == w or abs(a - alpha) < 1e-12
                   for g, w, a in zip(got, want, adj, strict=True)), corr


def test_unknown_correction_and_bad_arguments() -> None:
    x = np.zeros((10, 2))
    with pytest.raises(UnknownNameError, match="holm"):
        detect(x, x, correction="holms")
    with pytest.raises(ConfigError, match="alpha"):
        detect(x, x, alpha=1.5)
    with pytest.raises(ConfigError, match="max_share"):
        detect(x, x, max_share=2)
    with pytest.raises(ConfigError, match="min_effect"):
        detect(x, x, min_effect=-1)
    with pytest.raises(ConfigError, match="unknown option"):
        detect(x, x, bogus=1)


def _mixed(n: int, seed: int, shift: float = 0.0) -> object:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "f": rng.normal(shift, 1, n),
        "i": rng.integers(0, 1000, n),
        "b": rng.random(n) < 0.3 + shift / 4,
        "cat": pd.Categorical(rng.choice(["x", "y", "z"], n, p=[0.5, 0.3, 0.2])),
        "s": rng.choice(["red", "green"] + (["blue"] if shift else []), n),
        "t": pd.date_range("2020-01-01", periods=n, freq="h"),
    })


def test_mixed_dataframe_types_and_order() -> None:
    ref, cur = _mixed(3000, 1), _mixed(2500, 2, shift=1.0)
    res = detect(ref, cur)
    assert list(res.columns) == ["f", "i", "b", "cat", "s", "t"]
    c = res.columns
    assert (c["f"].test, c["i"].test, c["b"].test, c["cat"].test) == \
        ("ks", "ks", "ztest", "chisquare")
    assert c["s"].test == "chisquare"
    assert c["s"].unseen == ("blue",)
    assert c["s"].unseen_share > 0.2
    assert c["t"].skipped
    assert "datetime" in c["t"].reason
    assert res.n_tested == 5
    assert c["f"].drifted
    assert c["s"].drifted
    assert not c["i"].drifted
    assert not c["cat"].drifted
    assert res.share_drifted == pytest.approx(sum(x.drifted for x in c.values()) / 5)
    assert all(isinstance(v, (float, int, str, bool, type(None), list))
               for col in res.to_dict()["columns"] for v in col.values())


def test_categorical_override_and_integer_columns() -> None:
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, size=(2000, 2))
    y = x.copy()
    res = detect(x, y, categorical=[1])
    assert res.columns[0].test == "ks"
    assert res.columns[1].test == "chisquare"
    with pytest.raises(InputError, match="categorical"):
        detect(x, y, categorical=["nope"])


def test_one_dimensional_prediction_drift() -> None:
    rng = np.random.default_rng(4)
    res = detect(rng.random(500), rng.random(500) ** 2)
    assert list(res.columns) == [0]
    assert res.drifted
    assert res.columns[0].drifted


def test_auto_rule_ignores_tiny_shifts_at_large_n_but_flags_large_ones() -> None:
    rng = np.random.default_rng(5)
    n = 200_000
    ref = rng.normal(size=(n, 2))
    cur = rng.normal(size=(n, 2))
    cur[:, 0] += 0.03   # significant at this n, practically negligible (D ~ 0.012)
    cur[:, 1] += 0.5
    auto = detect(ref, cur)
    plain = detect(ref, cur, method="ks")
    assert plain.columns[0].drifted
    assert plain.columns[0].p_adjusted < 1e-10
    assert not auto.columns[0].drifted
    assert "significant" in auto.columns[0].reason
    assert auto.columns[1].drifted
    assert detect(ref, cur, min_effect=0.005).columns[0].drifted


def test_auto_rule_is_continuous_in_n_no_cliff_at_1000() -> None:
    rng = np.random.default_rng(6)
    a = rng.normal(size=1001)
    b = rng.normal(0.4, 1, size=1001)
    r1000 = detect(a[:1000], b[:1000]).columns[0]
    r1001 = detect(a, b).columns[0]
    assert (r1000.test, r1000.drifted) == (r1001.test, r1001.drifted)


def test_dataset_verdict_and_max_share() -> None:
    rng = np.random.default_rng(7)
    ref = rng.normal(size=(1000, 4))
    cur = rng.normal(size=(1000, 4))
    cur[:, :2] += 1.0
    assert detect(ref, cur).share_drifted == 0.5
    assert not detect(ref, cur, max_share=0.5).drifted
    assert detect(ref, cur, max_share=0.49).drifted
    assert detect(ref, cur, columns=[2, 3]).share_drifted == 0.0


# -- bad input ---------------------------------------------------------------------------------

def test_missing_column_in_current() -> None:
    ref, cur = _mixed(100, 1), _mixed(100, 2).drop(columns=["cat"])
    with pytest.raises(InputError, match=r"'cat'.*missing from current"):
        detect(ref, cur)
    assert "cat" not in detect(ref, cur, columns=["f", "i"]).columns


def test_all_nan_current_column_drifts_with_a_reason() -> None:
    ref = pd.DataFrame({"a": np.arange(100.0), "b": np.arange(100.0)})
    cur = pd.DataFrame({"a": np.full(100, np.nan), "b": np.arange(100.0)})
    res = detect(ref, cur)
    assert res.columns["a"].drifted
    assert "missing" in res.columns["a"].reason
    assert res.columns["a"].missing_current == 1.0
    assert not res.columns["b"].drifted


def test_all_nan_reference_column_is_skipped() -> None:
    ref = pd.DataFrame({"a": np.full(50, np.nan), "b": np.arange(50.0)})
    res = detect(ref, ref.copy())
    assert res.columns["a"].skipped
    assert "no reference values" in res.columns["a"].reason
    assert res.n_tested == 1


def test_constant_columns() -> None:
    ref = np.ones((200, 1))
    assert not detect(ref, ref.copy()).drifted
    res = detect(ref, np.full((200, 1), 2.0))
    # two distinct values pooled: compared as a binary column
    assert res.columns[0].drifted
    assert res.columns[0].test == "ztest"
    assert res.columns[0].effect == pytest.approx(np.sqrt(np.log(2)))


def test_empty_current_and_empty_reference() -> None:
    with pytest.raises(InputError, match="current has no rows"):
        detect(np.zeros((10, 2)), np.zeros((0, 2)))
    with pytest.raises(InputError, match="reference has no rows"):
        detect(np.zeros((0, 2)), np.zeros((10, 2)))


def test_strings_in_a_numeric_reference() -> None:
    ref = pd.DataFrame({"a": [1.0, 2.0, "oops", 4.0] * 10})
    with pytest.raises(InputError, match=r"'a'.*mixes numbers and strings.*categorical"):
        detect(ref, pd.DataFrame({"a": [1.0] * 40}))
    ok = detect(ref, ref.copy(), categorical=["a"])
    assert ok.columns["a"].test == "chisquare"
    with pytest.raises(InputError, match="numeric in reference but categorical"):
        detect(pd.DataFrame({"a": [1.0, 2.0] * 5}), pd.DataFrame({"a": ["x", "y"] * 5}))


def test_inf_values_are_counted_and_excluded() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=500)
    b = a.copy()
    b[:25] = np.inf
    col = detect(a, b).columns[0]
    assert col.inf_current == 25
    assert col.n_current == 475
    assert math.isfinite(col.statistic)


def test_shape_mismatch_and_bad_types() -> None:
    with pytest.raises(InputError, match="3 columns but current has 2"):
        detect(np.zeros((5, 3)), np.zeros((5, 2)))
    with pytest.raises(InputError, match="shape"):
        detect(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))
    with pytest.raises(InputError, match="None"):
        detect(None, np.zeros(3))
    with pytest.raises(InputError, match="complex"):
        detect(np.ones(5, dtype=complex), np.ones(5, dtype=complex))


# -- null simulation -------------------------------------------------------------------------

def test_null_false_alarm_rate_with_holm_is_at_most_alpha() -> None:
    """No drift, 20 independent columns (16 numeric, 4 categorical), 200 seeded runs.

    Any-column alarm (max_share=0, the strictest dataset verdict) stays <= alpha with Holm,
    both for the pure tests and for the default auto rule; without correction it is ~64%.
    """
    rng = np.random.default_rng(2024)
    runs, holm, auto, uncorrected = 200, 0, 0, 0
    for _ in range(runs):
        frames = []
        for _side in range(2):
            d = pd.DataFrame(rng.normal(size=(150, 16)))
            for j in range(4):
                d[f"c{j}"] = rng.choice(["a", "b", "c", "d"], size=150)
            frames.append(d)
        res = detect(frames[0], frames[1], max_share=0.0)
        auto += res.drifted
        holm += any(c.p_adjusted <= 0.05 for c in res.columns.values())
        uncorrected += any(c.p_value <= 0.05 for c in res.columns.values())
    # binomial(200, 0.05): mean 10, P(X > 18) < 0.01; uncorrected ~ 1 - 0.95^20 = 0.64
    assert holm <= 18
    assert auto <= holm
    assert uncorrected > 90


def test_tiny_current_sample_says_what_it_can_detect() -> None:
    rng = np.random.default_rng(10)
    col = detect(rng.normal(size=(150, 4)), rng.normal(size=(8, 4))).columns[0]
    assert not col.drifted
    assert "small sample" in col.reason
    assert "8 rows" in col.reason
    big = detect(rng.normal(size=(1500, 4)), rng.normal(size=(1000, 4))).columns[0]
    assert "small sample" not in big.reason


def test_threads_give_the_same_result() -> None:
    rng = np.random.default_rng(12)
    ref = rng.normal(size=(60_000, 8))
    cur = rng.normal(size=(60_000, 8))
    cur[:, 3] += 0.5
    one = detect(ref, cur, n_jobs=1).to_dict()
    two = detect(ref, cur, n_jobs=2).to_dict()
    assert one == two
    assert two["columns"][3]["drifted"]


def test_default_threads_count_idle_cpus_not_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The load average includes this process's own recent work; the runnable count does not."""
    from pytest_modelgate.drift import _detect

    monkeypatch.setattr(_detect.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    # (1-minute load average, other runnable threads now, expected threads) on 2 CPUs
    cases = [((1.0, 1.0, 1.0), 0, 2), ((2.0, 2.0, 2.0), 2, 1), ((0.2, 0.2, 0.2), 5, 2),
             ((1.6, 1.6, 1.6), None, 1), ((1.6, 1.6, 1.6), 0, 2), ((1.6, 1.6, 1.6), 1, 2)]
    for loadavg, others, workers in cases:
        monkeypatch.setattr(_detect.os, "getloadavg", lambda la=loadavg: la)
        monkeypatch.setattr(_detect, "_runnable_others", lambda o=others: o)
        assert _detect._default_workers() == workers


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-30, 30), min_size=2, max_size=300),
       st.lists(st.integers(-30, 30), min_size=1, max_size=300), st.integers(3, 60))
def test_sketch_ks_equals_the_direct_computation(ref: list[int], cur: list[int],
                                                 nodes: int) -> None:
    """The sketch KS distance (current ECDF from runs of ties) equals sup |G - F| found by brute
    force over every current value and node, ties on either side included."""
    from dataclasses import replace

    from pytest_modelgate.drift._data import summarize
    from pytest_modelgate.drift._tests import _ks_sketch, _self_counts

    r = summarize(np.asarray(ref, dtype=np.float64) / 3.0)
    c = summarize(np.asarray(cur, dtype=np.float64) / 2.0)
    assert r.values is not None
    assert c.values is not None
    x = c.values
    left, right = _self_counts(x)
    assert np.array_equal(left, np.searchsorted(x, x, side="left"))
    assert np.array_equal(right, np.searchsorted(x, x, side="right"))
    probs = np.linspace(0.0, 1.0, nodes)
    sk = replace(r, values=None, probs=probs,
                 quantiles=np.quantile(r.values, probs, method="inverted_cdf"))
    assert sk.quantiles is not None
    q = sk.quantiles

    def g(t: float, side: str) -> float:  # the sketch CDF's one-sided limits (jumps at ties)
        at = np.flatnonzero(q == t)
        if at.size:
            return float(probs[at[-1] if side == "right" else at[0]])
        return float(np.interp(t, q, probs, left=0.0, right=1.0))

    # sup |G - F| is reached at a current value or a node, from one side or the other
    direct = max(max(abs(g(t, "right") - np.sum(x <= t) / x.size),
                     abs(g(t, "left") - np.sum(x < t) / x.size))
                 for t in np.union1d(x, q))
    assert _ks_sketch(sk, c) == pytest.approx(direct, abs=1e-12)


def test_null_false_alarm_rate_with_missing_values_is_at_most_alpha() -> None:
    """No drift, 10% missing on both sides in 5 of 10 columns: the missing-share tests join
    the correction, and the any-column alarm rate stays <= alpha."""
    rng = np.random.default_rng(7)
    runs, alarms = 200, 0
    for _ in range(runs):
        sides = []
        for _side in range(2):
            a = rng.normal(size=(300, 10))
            a[:, :5][rng.random((300, 5)) < 0.1] = np.nan
            sides.append(a)
        alarms += detect(sides[0], sides[1], max_share=0.0).drifted
    assert alarms <= 18  # binomial(200, 0.05): mean 10, P(X > 18) < 0.01
