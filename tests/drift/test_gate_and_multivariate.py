"""`gate.drift` through the recorder, and the multivariate tests (classifier, MMD)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.drift import classifier_drift, detect, mmd_drift, profile
from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates._recorder import Gate, GateContext
from pytest_modelgate.gates.drift import DRIFT_KEYWORDS


def _data(n: int = 1500, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=(n, 6))
    cur = rng.normal(size=(n, 6))
    cur[:, 1] += 0.6
    cur[:, 4] *= 2.0
    return ref, cur


def test_keywords_contract() -> None:
    for k in ("method", "alpha", "max_share", "columns", "name", "correction", "categorical"):
        assert k in DRIFT_KEYWORDS


def test_gate_failure_names_drifted_columns_with_statistics() -> None:
    ref, cur = _data()
    gate = Gate(GateContext(nodeid="t.py::test_drift", seed=1))
    r = gate.drift(ref, cur, max_share=0.2)
    assert (r.kind, r.name, r.verdict) == ("drift", "dataset", "failed")
    assert r.value == pytest.approx(2 / 6)
    assert r.threshold == {"max_share": 0.2}
    assert r.margin == pytest.approx(0.2 - 2 / 6)
    assert "2 of 6 columns drifted" in r.message
    assert "1: ks statistic=" in r.message
    assert "4: ks statistic=" in r.message
    assert "max_share" in r.message
    assert "min_effect" in r.message
    col = r.details["columns"]["1"]
    assert set(col) >= {"test", "statistic", "p_value", "p_adjusted", "effect", "drifted",
                        "reason"}
    json.dumps(r.to_dict())  # plain types only
    with pytest.raises(AssertionError, match="did not pass"):
        gate.check()


def test_gate_passes_and_uses_marker_defaults_and_name() -> None:
    ref, cur = _data()
    ctx = GateContext(defaults={"drift": {"max_share": 0.5, "alpha": 0.01}})
    r = Gate(ctx).drift(ref, cur, name="features")
    assert r.passed
    assert r.name == "features"
    assert r.details["alpha"] == 0.01


def test_gate_accepts_a_profile_path(tmp_path: Path) -> None:
    ref, cur = _data()
    path = profile(ref).save(tmp_path / "ref.json")
    r = Gate().drift(str(path), cur, max_share=0.0)
    assert r.verdict == "failed"
    assert r.details["drifted_columns"] == ["1", "4"]


def test_gate_bad_options() -> None:
    ref, cur = _data(200)
    with pytest.raises(ConfigError, match="only apply to method='classifier'"):
        Gate().drift(ref, cur, n_permutations=10)
    with pytest.raises(ConfigError, match="alpha"):
        Gate().drift(ref, cur, alpha=0)


def test_classifier_detects_a_joint_change_per_column_tests_miss() -> None:
    rng = np.random.default_rng(3)
    n = 600
    z = rng.normal(size=n)
    ref = np.column_stack([z, z + 0.3 * rng.normal(size=n)])
    z2 = rng.normal(size=n)
    cur = np.column_stack([z2, -z2 + 0.3 * rng.normal(size=n)])  # correlation flipped
    assert not detect(ref, cur).drifted
    mv = classifier_drift(ref, cur, seed=0, cv=3)
    assert mv.drifted
    assert mv.ci is not None
    assert mv.ci[0] > 0.55
    again = classifier_drift(ref, cur, seed=0, cv=3)
    assert again.statistic == mv.statistic  # seeded
    same = classifier_drift(ref, rng.permutation(ref), seed=0, cv=3)
    assert not same.drifted
    assert same.ci[0] < 0.55
    r = Gate(GateContext(seed=0)).drift(ref, cur, method="classifier", cv=3)
    assert r.verdict == "failed"
    assert r.threshold == {"max_auc": 0.55}
    assert r.ci is not None
    assert "ROC AUC" in r.message


def test_mmd_permutation_test() -> None:
    rng = np.random.default_rng(4)
    ref, cur = _data(600, seed=4)
    mv = mmd_drift(ref, cur, seed=1, n_permutations=200)
    assert mv.drifted
    assert mv.p_value is not None
    assert mv.p_value <= 1 / 201 + 1e-12
    assert mmd_drift(ref, cur, seed=1, n_permutations=200).statistic == mv.statistic
    null = mmd_drift(ref, rng.normal(size=ref.shape), seed=1, n_permutations=200)
    assert not null.drifted
    res = detect(ref, cur, method="mmd", n_permutations=100)
    assert res.drifted
    assert res.multivariate is not None
    assert res.multivariate.test == "mmd"
    with pytest.raises(InputError, match="profile"):
        detect(profile(ref), cur, method="mmd")


def test_mmd_false_alarm_rate_is_bounded() -> None:
    rng = np.random.default_rng(9)
    alarms = sum(mmd_drift(rng.normal(size=(80, 3)), rng.normal(size=(80, 3)), seed=s,
                           n_permutations=99).drifted for s in range(60))
    assert alarms <= 8  # binomial(60, 0.05): mean 3, P(X > 8) < 0.01


def _trap(n: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    """Five columns at n rows a side: no shift, three small ones whose KS p-values scipy sums by
    its long Smirnov series (2.2 <= nD^2 < 370), and a large one whose p-value underflows."""
    rng = np.random.default_rng(12)
    ref = rng.normal(size=(n, 5))
    cur = rng.normal(size=(n, 5)) + np.array([0.0, 0.03, 0.05, 1.0, 0.0])
    ref[:, 4] = (np.arange(n) + 0.5) / n
    cur[:, 4] = ref[:, 4] + 0.0089  # D = 0.0089: p ~ 0.017, above alpha / 5
    return ref, cur


def _textbook_adjusted(p: list[float], correction: str) -> list[float]:
    """Adjusted p-values written from their definitions (BH: scipy's false_discovery_control)."""
    from scipy import stats

    m = len(p)
    if correction == "none":
        return list(p)
    if correction == "bonferroni":
        return [min(1.0, m * x) for x in p]
    if correction == "bh":
        return [float(x) for x in stats.false_discovery_control(p)]
    order = sorted(range(m), key=lambda i: p[i])
    out, run = [0.0] * m, 0.0
    for k, i in enumerate(order):  # holm: running max of (m - k) p_(k)
        run = max(run, min(1.0, (m - k) * p[i]))
        out[i] = run
    return out


#: the drifted columns of `_trap` by (method, correction): the verdicts the reports had when they
#: gave bounds for the costly p-values (commit c81e8c6), which exact p-values must not change
_TRAP_DRIFTED = {("ks", "holm"): ["1", "2", "3", "4"], ("ks", "bh"): ["1", "2", "3", "4"],
                 ("ks", "bonferroni"): ["1", "2", "3"], ("ks", "none"): ["1", "2", "3", "4"],
                 ("auto", "holm"): ["3"], ("auto", "bh"): ["3"], ("auto", "bonferroni"): ["3"],
                 ("auto", "none"): ["3"]}


@pytest.fixture(scope="module")
def trap_scipy() -> tuple[np.ndarray, np.ndarray, list[float]]:
    from scipy import stats

    ref, cur = _trap()
    return ref, cur, [float(stats.ks_2samp(ref[:, k], cur[:, k]).pvalue) for k in range(5)]


@pytest.mark.parametrize(("method", "correction"), sorted(_TRAP_DRIFTED))
def test_gate_reports_exact_ks_pvalues(trap_scipy: tuple[np.ndarray, np.ndarray, list[float]],
                                       method: str, correction: str) -> None:
    """Every column's p-value and adjusted p-value in the gate's report is scipy's, including
    the large-sample KS ones scipy computes by its long Smirnov series; verdicts as before."""
    from pytest_modelgate._numbers import format_number
    from pytest_modelgate.drift._ks import _in_series_branch, effective_n

    ref, cur, scipy_p = trap_scipy
    n = ref.shape[0]
    expected_adj = _textbook_adjusted(scipy_p, correction)
    r = Gate().drift(ref, cur, method=method, correction=correction, max_share=0.2)
    res = detect(ref, cur, method=method, correction=correction)
    # columns 1, 2, 4: p-values scipy sums term by term (~30 000 terms), once given as bounds
    assert [_in_series_branch(float(res.columns[k].statistic or 0.0), effective_n(n, n))
            for k in range(5)] == [False, True, True, False, True]
    drifted = _TRAP_DRIFTED[(method, correction)]
    assert r.details["drifted_columns"] == drifted
    assert r.verdict == ("failed" if len(drifted) / 5 > 0.2 else "passed")
    for k in range(5):
        col = r.details["columns"][str(k)]
        assert col["p_value"] == res.columns[k].p_value
        assert col["p_adjusted"] == res.columns[k].p_adjusted
        assert col["p_value"] == pytest.approx(scipy_p[k], rel=1e-9, abs=1e-300)
        assert col["p_adjusted"] == pytest.approx(expected_adj[k], rel=1e-9, abs=1e-300)
        large = method == "ks" or col["effect"] >= col["threshold"]
        assert (col["p_adjusted"] <= 0.05 and large) == (str(k) in drifted)  # as reported
        if str(k) in drifted:
            assert f"p_adj={format_number(col['p_adjusted'], digits=3, tiny=True)}," in r.message
    assert "p_adj<=" not in r.message
    assert not any({"p_value_bound", "p_adjusted_bound"} & set(c) for c in r.details["columns"].values())
    json.dumps(r.to_dict(), allow_nan=False)


def test_gate_reports_exact_ks_pvalues_against_a_sketch_profile() -> None:
    """Against a quantile-sketch profile the KS p-value is scipy's for the sketch's D."""
    from scipy import stats

    from pytest_modelgate.drift._ks import _in_series_branch, effective_n

    ref, cur = _trap()
    prof = profile(ref, exact_max=1000)
    assert not prof.exact
    r = Gate().drift(prof, cur, method="ks", max_share=1.0)
    n_eff = effective_n(ref.shape[0], cur.shape[0])
    cols = [r.details["columns"][str(k)] for k in range(5)]
    assert [_in_series_branch(c["statistic"], n_eff) for c in cols] == [False, True, True, False, True]
    for col in cols:
        assert col["p_value"] == pytest.approx(float(stats.kstwo.sf(col["statistic"], n_eff)),
                                               rel=1e-9, abs=1e-300)
    assert "p_adj<=" not in r.message
    assert not any("p_value_bound" in c for c in r.details["columns"].values())


# -- issue 10 item 17: missing shares, unseen categories, untestable and underpowered gates -------


def test_mostly_missing_current_column_drifts_by_its_own_test() -> None:
    rng = np.random.default_rng(3)
    ref = pd_frame({"x": rng.normal(size=2000)})
    cur_x = rng.normal(size=2000)
    cur_x[: 1980] = np.nan  # 99% NaN; the 20 values left look like the reference
    cur_x[1980:1985] = np.inf
    cur = pd_frame({"x": cur_x})
    res = detect(ref, cur, max_share=0.0)
    col = res.columns["x"]
    assert col.missing_drifted
    assert col.drifted
    assert col.missing_effect == pytest.approx((1980 + 5) / 2000)
    assert col.missing_p_adjusted is not None
    assert col.missing_p_adjusted <= 0.05
    r = Gate().drift(ref, cur, max_share=0.0)
    assert r.verdict == "failed"
    assert "missing" in r.message
    # the same share on both sides is no drift
    ref2 = ref.copy()
    ref2.loc[: 1984, "x"] = np.nan
    assert not detect(ref2, cur).columns["x"].missing_drifted


def test_missing_share_test_equals_scipy_and_goes_through_the_correction() -> None:
    from scipy import stats

    rng = np.random.default_rng(4)
    a = rng.normal(size=(400, 3))
    b = rng.normal(size=(300, 3))
    a[:20, 0] = np.nan
    b[:45, 0] = np.nan
    res = detect(a, b, correction="bonferroni")
    col = res.columns[0]
    table = np.array([[20, 380], [45, 255]])
    chi = stats.chi2_contingency(table, correction=False)
    assert col.missing_p == pytest.approx(chi.pvalue, rel=1e-9, abs=1e-12)
    # the family holds 3 distribution tests + 1 missing-share test
    assert col.missing_p_adjusted == pytest.approx(min(1.0, 4 * chi.pvalue), rel=1e-9)
    assert col.missing_effect == pytest.approx(45 / 300 - 20 / 400)


def test_high_cardinality_categorical_with_all_unseen_values_drifts() -> None:
    ref = pd_frame({"city": [f"r{i}" for i in range(300)]})
    cur = pd_frame({"city": [f"c{i}" for i in range(300)]})
    res = detect(ref, cur, max_share=0.0)
    col = res.columns["city"]
    assert col.unseen_share == 1.0
    assert col.drifted
    assert "unseen" in col.reason
    assert Gate().drift(ref, cur, max_share=0.0).verdict == "failed"


def test_gate_where_no_column_could_be_tested_does_not_pass() -> None:
    ref = pd_frame({"t": np.full(50, np.nan), "u": np.full(50, np.nan)})
    cur = pd_frame({"t": np.arange(50.0), "u": np.arange(50.0)})
    r = Gate().drift(ref, cur)
    assert r.verdict != "passed"
    assert "no column could be tested" in r.message
    assert Gate().drift(ref, cur, max_share=1.0).verdict == "inconclusive"


def test_underpowered_columns_make_the_gate_inconclusive_with_rows_needed() -> None:
    rng = np.random.default_rng(5)
    ref, cur = rng.normal(size=(15, 2)), rng.normal(size=(15, 2))
    res = detect(ref, cur)
    col = res.columns[0]
    assert col.min_detectable is not None
    assert col.min_detectable > 0.1
    assert col.rows_needed is not None
    r = Gate().drift(ref, cur, max_share=0.0)
    assert r.verdict == "inconclusive"
    rows = r.details["rows_needed"]
    assert isinstance(rows, int)
    assert rows > 15
    assert f"{rows:,}" in r.message
    # with that many rows (both sides) the same null data is decided
    big = Gate().drift(rng.normal(size=(rows, 2)), rng.normal(size=(rows, 2)), max_share=0.0)
    assert big.verdict != "inconclusive"
    # a verdict the untested columns cannot change stays decided: 1 of 2 may drift
    assert Gate().drift(ref, cur, max_share=1.0).verdict == "passed"


def pd_frame(data: dict[str, Any]) -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(data)


def test_underpowered_categorical_column_is_inconclusive() -> None:
    rng = np.random.default_rng(6)
    ref = pd_frame({"c": rng.choice(list("abcd"), 15)})
    cur = pd_frame({"c": rng.choice(list("abcd"), 15)})
    col = detect(ref, cur).columns["c"]
    assert col.underpowered
    assert col.rows_needed is not None
    r = Gate().drift(ref, cur, max_share=0.0)
    assert r.verdict == "inconclusive"
    # with the rows it asks for, a threshold-size shift is detectable
    n = int(col.rows_needed)
    big = detect(pd_frame({"c": rng.choice(list("abcd"), n)}),
                 pd_frame({"c": rng.choice(list("abcd"), n)})).columns["c"]
    assert not big.underpowered


def test_mmd_sees_a_column_that_went_missing() -> None:
    """Missing values used to be set to the reference mean, so a column that is entirely missing
    in current data hid among 40 columns (MMD p 0.18); a missing-indicator feature exposes it."""
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(size=(200, 40)), rng.normal(size=(200, 40))
    cur[:, 2] = np.nan
    assert mmd_drift(ref, cur, seed=0, n_permutations=200).drifted
    clean = mmd_drift(ref, rng.normal(size=(200, 40)), seed=0, n_permutations=200)
    assert not clean.drifted


def test_mmd_refuses_a_column_missing_on_both_sides() -> None:
    rng = np.random.default_rng(0)
    ref, cur = rng.normal(size=(200, 3)), rng.normal(size=(200, 3))
    ref[:, 1] = np.nan
    cur[:, 1] = np.nan
    with pytest.raises(InputError, match="column 1 has no values"):
        mmd_drift(ref, cur, seed=0, n_permutations=50)


# -- review V3: the unseen-category share is a decisive test of its own -------------------------


def _ids(n_seen: int, n_new: int) -> tuple[Any, Any]:
    ref = pd_frame({"id": [f"u{i}" for i in range(n_seen + n_new)]})
    cur = pd_frame({"id": [f"u{i}" for i in range(n_seen)] + [f"new{i}" for i in range(n_new)]})
    return ref, cur


@pytest.mark.parametrize("n_new", [600, 200])
def test_unseen_share_of_a_high_cardinality_column_decides_on_its_own(n_new: int) -> None:
    """30% (and 10%) of current rows in never-seen categories: 2,000 rows decide it; the
    chi-square (df ~ 2n) has no power here, which must not make the gate inconclusive."""
    from scipy import stats

    ref, cur = _ids(2000 - n_new, n_new)
    col = detect(ref, cur).columns["id"]
    assert col.unseen_share == pytest.approx(n_new / 2000)
    assert col.unseen_drifted
    assert col.drifted
    assert not col.underpowered
    expected = stats.binomtest(n_new, 2000, 1 / 2001, alternative="greater").pvalue
    assert col.unseen_p == pytest.approx(expected, rel=1e-9, abs=1e-300)
    r = Gate().drift(ref, cur)
    assert r.verdict == "failed"
    assert "unseen" in r.message
    assert "rows would decide" not in r.message
    assert r.details["columns"]["id"]["unseen_drifted"] is True


def test_unseen_share_test_goes_through_the_correction() -> None:
    from scipy import stats

    rng = np.random.default_rng(9)
    ref = pd_frame({"c": rng.choice(list("abcd"), 400), "x": rng.normal(size=400)})
    cur_c = rng.choice(list("abcd"), 300).astype(object)
    cur_c[:60] = "zzz"
    cur = pd_frame({"c": cur_c, "x": rng.normal(size=300)})
    col = detect(ref, cur, correction="bonferroni").columns["c"]
    p = stats.binomtest(60, 300, 1 / 401, alternative="greater").pvalue
    assert col.unseen_p == pytest.approx(p, rel=1e-9, abs=1e-300)
    # the family: 2 distribution tests + 1 unseen-share test
    assert col.unseen_p_adjusted == pytest.approx(min(1.0, 3 * p), rel=1e-9, abs=1e-300)
    assert col.unseen_drifted


def test_small_unseen_share_below_the_effect_is_not_drift_by_itself() -> None:
    # 1% of rows in a new category of a 4-level column: significant, but below the effect
    rng = np.random.default_rng(10)
    ref = pd_frame({"c": rng.choice(list("abcd"), 5000)})
    cur_c = rng.choice(list("abcd"), 5000).astype(object)
    cur_c[:50] = "zzz"
    col = detect(ref, pd_frame({"c": cur_c})).columns["c"]
    assert col.unseen_p is not None
    assert col.unseen_p < 1e-6
    assert not col.unseen_drifted
    # the same ids on both sides: no unseen value, no unseen test
    same = detect(*_ids(2000, 0)).columns["id"]
    assert same.unseen_p is None
    assert not same.unseen_drifted
    assert not same.drifted


def test_unseen_five_percent_in_a_four_level_column_still_fails() -> None:
    ref = pd_frame({"c": ["a", "b", "c", "d"] * 500})
    cur = pd_frame({"c": (["a", "b", "c", "d"] * 500)[:1900] + ["zzz"] * 100})
    assert Gate().drift(ref, cur).verdict == "failed"


def test_id_like_column_is_decided_by_the_unseen_test_not_left_to_a_powerless_chi_square() -> None:
    """An ID-like column (about one category per reference row): the chi-square's df grows with
    the rows, so "add rows" can never decide it; the unseen-share test decides instead."""
    ref, _ = _ids(2000, 0)
    same = Gate().drift(ref, ref.copy())
    assert same.verdict == "passed"
    col = detect(ref, ref.copy()).columns["id"]
    assert not col.underpowered
    assert col.rows_needed is None
    assert "ID-like" in col.reason
    ref, cur = _ids(1900, 100)  # 5% unseen: significant, below the 10% effect
    r = Gate().drift(ref, cur)
    assert r.verdict == "passed"
    assert "rows would decide" not in r.message
    # a low-cardinality column keeps the power rule (15 vs 15 rows)
    rng = np.random.default_rng(6)
    small = detect(pd_frame({"c": rng.choice(list("abcd"), 15)}),
                   pd_frame({"c": rng.choice(list("abcd"), 15)})).columns["c"]
    assert small.underpowered


def test_sparse_categorical_without_drift_is_not_flagged_by_its_unseen_share() -> None:
    """A 200-level column on 300 rows shows ~20% new categories with no drift at all: the test's
    null is the reference's own rare-category rate, so the false-alarm rate stays near alpha."""
    levels = [f"z{i}" for i in range(200)]
    flagged = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        ref = pd_frame({"zip": rng.choice(levels, 300)})
        cur = pd_frame({"zip": rng.choice(levels, 300)})
        col = detect(ref, cur).columns["zip"]
        assert col.unseen_share > 0.1
        flagged += col.unseen_drifted
    assert flagged <= 5  # alpha = 0.05 of 40, with slack (measured: 4% over 200 seeds)


def test_unseen_share_of_a_sparse_column_is_a_good_turing_z_test() -> None:
    from collections import Counter

    from scipy import stats

    levels = [f"z{i}" for i in range(200)]
    rng = np.random.default_rng(3)
    ref_v, cur_v = rng.choice(levels, 300), rng.choice(levels, 300)
    col = detect(pd_frame({"zip": ref_v}), pd_frame({"zip": cur_v})).columns["zip"]
    counts = Counter(ref_v.tolist())
    n1 = sum(1 for c in counts.values() if c == 1)
    n2 = sum(1 for c in counts.values() if c == 2)
    rare = n1 / 300
    share = sum(1 for v in cur_v if v not in counts) / 300
    z = (share - rare) / np.sqrt(rare * (1 - rare) / 300 + 2 * n2 / 300**2
                                 + rare * (1 - rare) / 300)
    assert col.unseen_share == pytest.approx(share)
    assert col.unseen_p == pytest.approx(stats.norm.sf(z), rel=1e-9)
