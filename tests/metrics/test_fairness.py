"""Fairness engine: values equal Fairlearn's definitions (when Fairlearn is installed) and a
hand computation (always); the stratified bootstrap is seeded, exact and keeps group sizes."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.metrics._fairness import RATE_METRICS, fairness, group_keys


def _data(n: int = 1500, seed: int = 0, weak: str = "c"):
    rng = np.random.default_rng(seed)
    s = rng.choice(np.array(["a", "b", "c"]), n, p=[0.5, 0.3, 0.2])
    y = rng.integers(0, 2, n)
    keep = np.where(s == weak, 0.65, 0.88)
    p = np.where(rng.random(n) < keep, y, 1 - y)
    return y, p, s


@st.composite
def grouped(draw: st.DrawFn):
    """Binary labels and predictions over 2-4 groups, each group with both true classes."""
    g = draw(st.integers(2, 4))
    sizes = [draw(st.integers(4, 30)) for _ in range(g)]
    ys, ps, ss = [], [], []
    for j, m in enumerate(sizes):
        y = draw(st.lists(st.integers(0, 1), min_size=m, max_size=m))
        y[0], y[1] = 0, 1
        ys += y
        ps += draw(st.lists(st.integers(0, 1), min_size=m, max_size=m))
        ss += [f"g{j}"] * m
    return np.array(ys), np.array(ps), np.array(ss)


def _by_hand(y, p, s, rate):
    out = {}
    for g in np.unique(s):
        m = s == g
        if rate == "selection_rate":
            out[g] = p[m].mean()
        elif rate == "true_positive_rate":
            out[g] = p[m & (y == 1)].mean()
        else:
            out[g] = p[m & (y == 0)].mean()
    return out


@settings(max_examples=60, deadline=None)
@given(case=grouped(), metric=st.sampled_from(sorted(RATE_METRICS)))
def test_rate_metrics_equal_a_hand_computation(case, metric: str) -> None:
    y, p, s = case
    rates, kind = RATE_METRICS[metric]
    per = []
    for rate in rates:
        v = np.array(list(_by_hand(y, p, s, rate).values()))
        if kind == "difference":
            per.append(v.max() - v.min())
        else:
            per.append(v.min() / v.max() if v.max() > 0 else 1.0)
    want = max(per) if kind == "difference" else min(per)
    assert fairness(y, p, sensitive=s, metric=metric).value == pytest.approx(want, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(case=grouped(), metric=st.sampled_from(sorted(RATE_METRICS)), weighted=st.booleans())
def test_rate_metrics_equal_fairlearn(case, metric: str, weighted: bool) -> None:
    fm = pytest.importorskip("fairlearn.metrics",
                             reason="Fairlearn is the reference: pip install fairlearn")
    y, p, s = case
    ref = getattr(fm, metric, None)
    if ref is None:
        pytest.skip(f"this Fairlearn has no {metric}")
    w = np.random.default_rng(len(y)).uniform(0.2, 2.0, len(y)) if weighted else None
    want = ref(y, p, sensitive_features=s, sample_weight=w)
    got = fairness(y, p, sensitive=s, metric=metric, sample_weight=w).value
    if np.isnan(want):  # Fairlearn: 0 / 0 for a ratio whose rates are all 0; ours says equal
        assert got == 1.0
    else:
        assert got == pytest.approx(want, abs=1e-9)


@pytest.mark.parametrize("metric", ["accuracy", "recall", "precision", "f1_macro",
                                    "balanced_accuracy"])
def test_metric_gaps_equal_fairlearn_metricframe(metric: str) -> None:
    fm = pytest.importorskip("fairlearn.metrics",
                             reason="Fairlearn is the reference: pip install fairlearn")
    y, p, s = _data()
    funcs = {"accuracy": skm.accuracy_score, "recall": skm.recall_score,
             "precision": skm.precision_score, "balanced_accuracy": skm.balanced_accuracy_score,
             "f1_macro": lambda a, b: skm.f1_score(a, b, average="macro")}
    frame = fm.MetricFrame(metrics=funcs[metric], y_true=y, y_pred=p, sensitive_features=s)
    r = fairness(y, p, sensitive=s, metric=metric, confidence=0.9, n_resamples=200)
    assert r.value == pytest.approx(frame.difference(), abs=1e-12)
    by_group = frame.by_group
    for g in r.groups:
        assert g.value == pytest.approx(by_group[g.key], abs=1e-12)
    assert r.worst_pair == (str(by_group.idxmax()), str(by_group.idxmin()))
    assert r.ci is not None
    assert r.ci[0] <= r.value <= r.ci[1]


def test_several_sensitive_features_equal_fairlearn() -> None:
    fm = pytest.importorskip("fairlearn.metrics",
                             reason="Fairlearn is the reference: pip install fairlearn")
    pd = pytest.importorskip("pandas", reason="a DataFrame of sensitive features")
    y, p, s = _data(2000)
    s2 = np.random.default_rng(1).choice(["x", "y"], 2000)
    frame = pd.DataFrame({"site": s, "sex": s2})
    for metric in ("demographic_parity_difference", "equalized_odds_difference"):
        want = getattr(fm, metric)(y, p, sensitive_features=frame)
        assert fairness(y, p, sensitive=frame, metric=metric).value == pytest.approx(want)
        assert fairness(y, p, sensitive=[s, s2], metric=metric).value == pytest.approx(want)
        X = frame.assign(other=1.0)
        assert fairness(y, p, sensitive=["site", "sex"], X=X,
                        metric=metric).value == pytest.approx(want)
    keys = [g.key for g in fairness(y, p, sensitive=frame).groups]
    assert keys[0] == "site=a, sex=x"
    assert len(keys) == 6


def test_group_keys_single_and_combined() -> None:
    names, keys, gid = group_keys(np.array([1, 2, 1, 3]), 4)
    assert names == ("sensitive",)
    assert keys.tolist() == ["1", "2", "3"]
    assert gid.tolist() == [0, 1, 0, 2]
    names, keys, gid = group_keys([np.array(["a", "a", "b", "b"]), np.array([0, 1, 0, 0])], 4)
    assert keys.tolist() == ["sensitive_0=a, sensitive_1=0", "sensitive_0=a, sensitive_1=1",
                             "sensitive_0=b, sensitive_1=0"]
    assert gid.tolist() == [0, 1, 2, 2]


def test_bootstrap_is_seeded_stratified_and_covers_the_value() -> None:
    y, p, s = _data()
    a = fairness(y, p, sensitive=s, metric="equalized_odds_difference", confidence=0.95,
                 n_resamples=500, seed=1)
    b = fairness(y, p, sensitive=s, metric="equalized_odds_difference", confidence=0.95,
                 n_resamples=500, seed=1)
    c = fairness(y, p, sensitive=s, metric="equalized_odds_difference", confidence=0.95,
                 n_resamples=500, seed=2)
    assert a == b
    assert a.ci != c.ci
    assert a.ci is not None
    assert a.ci[0] <= a.value <= a.ci[1]
    assert a.worst_pair is not None
    assert "c" in a.worst_pair
    assert a.smallest == "c"
    for g in a.groups:
        assert g.ci is not None
        assert g.ci[0] <= g.value <= g.ci[1]


def test_stratified_bootstrap_matches_a_slow_one() -> None:
    """Multinomial cell draws per group = resampling each group's rows with replacement."""
    y, p, s = _data(900, seed=3)
    fast = fairness(y, p, sensitive=s, metric="demographic_parity_difference", confidence=0.9,
                    n_resamples=3000, seed=0)
    rng = np.random.default_rng(1)
    groups = [np.flatnonzero(s == g) for g in np.unique(s)]
    reps = []
    for _ in range(3000):
        rates = [p[rng.choice(rows, rows.size)].mean() for rows in groups]
        reps.append(max(rates) - min(rates))
    slow = np.quantile(reps, [0.05, 0.95])
    assert fast.ci is not None
    width = slow[1] - slow[0]
    assert abs(fast.ci[0] - slow[0]) < 0.12 * width
    assert abs(fast.ci[1] - slow[1]) < 0.12 * width


def test_a_fair_model_has_a_small_gap() -> None:
    y, p, s = _data(6000, weak="none")
    r = fairness(y, p, sensitive=s, metric="equalized_odds_difference", confidence=0.95)
    assert r.ci is not None
    assert r.ci[1] < 0.08


def test_undefined_rate_is_left_out_with_a_note() -> None:
    y = np.array([0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1])
    p = np.array([0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0])
    s = np.array(["a"] * 4 + ["b"] * 4 + ["c"] * 4)
    r = fairness(y, p, sensitive=s, metric="equal_opportunity_difference")
    assert r.value == pytest.approx(1.0 - 1 / 3)  # a: TPR 1, c: 1/3; b has no positives
    b = next(g for g in r.groups if g.key == "b")
    assert b.value is None
    assert "undefined" in b.note
    # with only one group left there is no gap to measure: an error, never a silent 0
    with pytest.raises(InputError, match=r"true_positive_rate is defined in 1 of 2 groups "
                                         r"\(no actual positives in 'b'\)"):
        fairness(y[:8], p[:8], sensitive=s[:8], metric="equal_opportunity_difference")


def test_non_binary_labels_need_pos_label() -> None:
    y = np.array([0, 1, 2, 1] * 10)
    s = np.array(["a", "b"] * 20)
    with pytest.raises(InputError, match="pass pos_label="):
        fairness(y, y, sensitive=s)
    assert fairness(y, y, sensitive=s, pos_label=2).value == pytest.approx(0.5)  # a: 0,2,0,2


@pytest.mark.parametrize(("kwargs", "err", "match"), [
    ({"sensitive": None}, ConfigError, "sensitive: is required"),
    ({"sensitive": np.array(["a", "b"])}, InputError, "slices: has 2 rows but y_true has 40"),
    ({"sensitive": "sex"}, ConfigError, "no X was given"),
    ({"sensitive": np.array(["a"] * 40), "metric": "no_such_metric"}, Exception, "no_such"),
])
def test_bad_arguments(kwargs, err, match) -> None:
    y = np.array([0, 1] * 20)
    with pytest.raises(err, match=match):
        fairness(y, y, **kwargs)


def test_scores_instead_of_labels_are_refused() -> None:
    y = np.array([0, 1] * 20)
    with pytest.raises(InputError, match="needs predicted labels"):
        fairness(y, np.linspace(0.1, 0.9, 40), sensitive=np.array(["a", "b"] * 20))


def test_roc_auc_gap_uses_scores_and_a_vectorised_bootstrap() -> None:
    rng = np.random.default_rng(4)
    n = 1500
    s = rng.choice(np.array(["a", "b", "c"]), n)
    y = rng.integers(0, 2, n)
    score = 0.4 * y + rng.random(n) + 0.3 * (s == "c") * (1 - y)
    r = fairness(y, score, sensitive=s, metric="roc_auc", confidence=0.9, n_resamples=400)
    aucs = {g: skm.roc_auc_score(y[s == g], score[s == g]) for g in ("a", "b", "c")}
    assert r.value == pytest.approx(max(aucs.values()) - min(aucs.values()), abs=1e-12)
    assert r.worst_pair is not None
    assert r.worst_pair[1] == "c"
    from scipy.stats import rankdata

    def auc(yy, ss):  # Mann-Whitney, as roc_auc_score (ties count 1/2), without its overhead
        pos = yy == 1
        m = pos.sum()
        return (rankdata(ss)[pos].sum() - m * (m + 1) / 2) / (m * (len(yy) - m))

    assert auc(y, score) == pytest.approx(skm.roc_auc_score(y, score))
    slow_rng = np.random.default_rng(9)
    rows = [np.flatnonzero(s == g) for g in ("a", "b", "c")]
    reps = []
    for _ in range(400):
        v = [auc(y[i], score[i]) for i in (slow_rng.choice(g, g.size) for g in rows)]
        reps.append(max(v) - min(v))
    slow = np.quantile(reps, [0.05, 0.95])
    assert r.ci is not None
    width = slow[1] - slow[0]
    assert abs(r.ci[0] - slow[0]) < 0.2 * width
    assert abs(r.ci[1] - slow[1]) < 0.2 * width


@pytest.mark.parametrize("metric", sorted(RATE_METRICS))
def test_string_labels_need_pos_label_and_match_fairlearn(metric: str) -> None:
    fm = pytest.importorskip("fairlearn.metrics",
                             reason="Fairlearn is the reference: pip install fairlearn")
    y, p, s = _data(600, seed=4)
    lab = np.array(["rejected", "approved"])
    with pytest.raises(ConfigError, match=r"hold the labels 'approved', 'rejected'.*"
                                          r"pos_label='approved'"):
        fairness(lab[y], lab[p], sensitive=s, metric=metric)
    for fav in ("approved", "rejected"):
        ours = fairness(lab[y], lab[p], sensitive=s, metric=metric, pos_label=fav)
        ref = getattr(fm, metric)((lab[y] == fav).astype(int), (lab[p] == fav).astype(int),
                                  sensitive_features=s)
        assert ours.value == pytest.approx(ref, abs=1e-9)
        assert ours.details["pos_label"] == fav
    gap = fairness(lab[y], lab[p], sensitive=s, metric="recall", pos_label="approved")
    assert gap.details["pos_label"] == "approved"


def test_a_single_group_is_an_error_naming_it() -> None:
    y, p, _ = _data(100)
    for metric in ("demographic_parity_difference", "accuracy"):
        with pytest.raises(InputError, match=r"^sensitive: fairness needs at least two groups; "
                                             r"found one: 'x'$"):
            fairness(y, p, sensitive=np.array(["x"] * 100), metric=metric)


def test_metric_gap_of_perfect_small_groups_is_not_a_zero_width_interval() -> None:
    # accuracy 1 in both groups of 12 rows: the bootstrap cannot move it (a [0, 0] interval),
    # yet 12/12 is what a true accuracy of 0.8 often shows; the rule of three widens it
    y = np.array([0, 1] * 12)
    s = np.repeat(["a", "b"], 12)
    r = fairness(y, y, sensitive=s, metric="accuracy", confidence=0.95)
    assert r.value == 0
    assert r.ci is not None
    assert r.ci[1] == pytest.approx(-np.log(0.05) / 12)
    assert "accuracy is 1 in every group" in r.details["degenerate"]
    big = fairness(np.tile(y, 50), np.tile(y, 50), sensitive=np.tile(s, 50), metric="accuracy",
                   confidence=0.95)
    assert big.ci is not None
    assert big.ci[1] < 0.01
    # an unbounded metric is left alone (no rule of three in its units)
    yr = np.linspace(0.0, 1.0, 24)
    mae = fairness(yr, yr, sensitive=s, metric="mae", confidence=0.95)
    assert mae.ci == (0.0, 0.0)
    assert "degenerate" not in mae.details
