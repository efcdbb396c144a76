"""gate.calibration and gate.fairness end to end: three verdicts, messages, report details,
policy overrides and bad input, in real pytest runs (in process and under xdist)."""

from __future__ import annotations

import json

import pytest

DATA = '''
import numpy as np

rng = np.random.default_rng(0)
n = 4000
true_p = rng.uniform(0.05, 0.95, n)
y = (rng.random(n) < true_p).astype(int)
logit = np.log(true_p / (1 - true_p))
calibrated = true_p
sharp = 1 / (1 + np.exp(-4 * logit))        # an over-confident model
k = rng.integers(0, 3, n)
logits = rng.normal(size=(n, 3)) * 2.5 + 1.5 * np.eye(3)[k]
proba3 = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)

group = rng.choice(np.array(["north", "south", "east"]), n, p=[0.5, 0.35, 0.15])
fair_pred = np.where(rng.random(n) < 0.9, y, 1 - y)
# unfair: the "east" group is approved far less often, whatever its label
unfair_pred = np.where((group == "east") & (rng.random(n) < 0.6), 0, fair_pred)
'''


def _report(pytester: pytest.Pytester) -> dict[str, dict]:
    data = json.loads((pytester.path / "modelgate-report.json").read_text())
    return {r["nodeid"].split("::")[1] + ":" + r["name"]: r for r in data["results"]}


def test_calibration_verdicts_messages_and_details(pytester: pytest.Pytester,
                                                   run_args: list[str]) -> None:
    pytester.makepyfile(DATA + '''

def test_calibrated(gate):
    r = gate.calibration(y, calibrated, max_ece=0.05)
    assert r.passed, r.message


def test_over_confident(gate):
    gate.calibration(y, sharp, max_ece=0.05)


def test_small_sample_is_inconclusive(gate):
    gate.calibration(y[:150], sharp[:150], max_ece=0.12, n_bins=5, name="small")


def test_multiclass(gate):
    gate.calibration(k, proba3, max_ece=0.05, strategy="quantile")
''')
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=1, failed=3)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*[[]FAILED[]] calibration 'ece': ECE = * (95% CI [[]*; *[]], n=4,000, 10 uniform bins*"
        "threshold max_ece 0.05*over-confident*CalibratedClassifierCV*",
    ])
    result.stdout.fnmatch_lines(["*[[]INCONCLUSIVE[]] calibration 'small'*rows would decide it*"])
    result.stdout.fnmatch_lines(["*top-label ECE*Worst class*one-vs-rest ECE*"])
    assert "INTERNALERROR" not in out
    rep = _report(pytester)
    ok = rep["test_calibrated:ece"]
    assert ok["verdict"] == "passed"
    assert ok["kind"] == "calibration"
    rel = ok["details"]["reliability"]
    assert set(rel) == {"strategy", "n_bins", "bins"}
    assert rel["n_bins"] == 10
    assert set(rel["bins"][0]) == {"lo", "hi", "n", "confidence", "accuracy"}
    assert sum(b["n"] for b in rel["bins"]) == 4000
    assert rep["test_over_confident:ece"]["details"]["direction"] == "over-confident"
    assert rep["test_small_sample_is_inconclusive:small"]["details"]["rows_needed"] > 150
    multi = rep["test_multiclass:ece"]["details"]
    assert set(multi["per_class"]) == {"0", "1", "2"}
    for c in multi["per_class"].values():
        assert set(c) >= {"ece", "ci", "reliability"}
        assert c["reliability"]["strategy"] == "quantile"
    assert multi["worst_class"] in multi["per_class"]


def test_fairness_verdicts_messages_and_details(pytester: pytest.Pytester,
                                                run_args: list[str]) -> None:
    pytester.makepyfile(DATA + '''

def test_fair(gate):
    r = gate.fairness(y, fair_pred, sensitive=group, max_gap=0.1)
    assert r.passed, r.message
    gate.fairness(y, fair_pred, sensitive=group, metric="accuracy", max_gap=0.1)
    gate.fairness(y, fair_pred, sensitive=group, metric="demographic_parity_ratio",
                  min_ratio=0.8)


def test_unfair(gate):
    gate.fairness(y, unfair_pred, sensitive=group, metric="equalized_odds_difference",
                  max_gap=0.1)


def test_small_groups(gate):
    gate.fairness(y[:120], unfair_pred[:120], sensitive=group[:120],
                  metric="demographic_parity_difference", max_gap=0.35)
''')
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*[[]FAILED[]] fairness 'equalized_odds_difference': equalized_odds_difference = * over "
        "3 groups of the sensitive feature (95% CI*threshold max_gap 0.1*Worst pair, by true positive rate:"
        "*'east'*ThresholdOptimizer*",
    ])
    result.stdout.fnmatch_lines(["*[[]INCONCLUSIVE[]] fairness 'demographic_parity_difference'*"
                                 "the smallest group 'east'*limits the interval*"])
    rep = _report(pytester)
    assert rep["test_fair:demographic_parity_difference"]["verdict"] == "passed"
    assert rep["test_fair:accuracy_gap"]["verdict"] == "passed"
    assert rep["test_fair:demographic_parity_ratio"]["direction"] == "higher"
    bad = rep["test_unfair:equalized_odds_difference"]["details"]
    assert {g["key"] for g in bad["groups"]} == {"north", "south", "east"}
    assert all({"n", "value", "ci"} <= set(g) for g in bad["groups"])
    assert "east" in (bad["worst_pair"]["high"], bad["worst_pair"]["low"])
    small = rep["test_small_groups:demographic_parity_difference"]
    assert small["verdict"] == "inconclusive"
    assert small["details"]["rows_needed"] > 120


def test_policy_overrides_and_bad_keywords(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DATA + '''

def test_policy(gate):
    r = gate.calibration(y, sharp, max_ece=0.05)
    assert r.threshold == {"max_ece": 0.5}
    f = gate.fairness(y, unfair_pred, sensitive=group, max_gap=0.01)
    assert f.threshold == {"max_gap": 0.9}


def test_bad_keyword(gate):
    gate.calibration(y, sharp, max_ece=0.05, n_bin=5)


def test_ratio_with_max_gap(gate):
    gate.fairness(y, fair_pred, sensitive=group, metric="demographic_parity_ratio", max_gap=0.1)
''')
    pytester.makepyprojecttoml('[tool.modelgate.gates."calibration"]\nmax_ece = 0.5\n'
                               '[tool.modelgate.gates."fairness:demographic_parity_difference"]\n'
                               'max_gap = 0.9\n')
    result = pytester.runpytest_subprocess("--modelgate")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(["*gate.calibration: unknown keyword(s) 'n_bin' (did you mean "
                                 "'n_bins'?)*"])
    result.stdout.fnmatch_lines(["*max_gap: 'demographic_parity_ratio' is a ratio*min_ratio=*"])
    assert "INTERNALERROR" not in result.stdout.str()


# --- the judges in process (no pytest run needed) ----------------------------------------------


def _ns() -> dict:
    import numpy as np  # noqa: F401  (DATA uses it)

    ns: dict = {}
    exec(DATA, ns)
    return ns


def test_interval_verdicts_three_ways() -> None:
    from pytest_modelgate.gates.calibration import interval_verdict

    assert interval_verdict(0.04, (0.03, 0.05), 0.05, "ECE", wanted_ci=True).verdict == "passed"
    assert interval_verdict(0.07, (0.06, 0.08), 0.05, "ECE", wanted_ci=True).verdict == "failed"
    d = interval_verdict(0.06, (0.04, 0.08), 0.05, "ECE", wanted_ci=True)
    assert d.verdict == "inconclusive"
    assert d.margin == pytest.approx(-0.03)
    assert interval_verdict(0.04, None, 0.05, "ECE", wanted_ci=True).verdict == "inconclusive"
    assert interval_verdict(0.06, None, 0.05, "ECE", wanted_ci=False).verdict == "failed"
    assert interval_verdict(0.06, None, None, "ECE", wanted_ci=False).margin is None


def test_ratio_verdicts_and_wrong_threshold_keyword() -> None:
    from pytest_modelgate.exceptions import ConfigError
    from pytest_modelgate.gates import Gate

    ns = _ns()
    g = Gate()
    ok = g.fairness(ns["y"], ns["fair_pred"], sensitive=ns["group"],
                    metric="demographic_parity_ratio", min_ratio=0.8)
    assert ok.verdict == "passed"
    assert ok.margin is not None
    assert ok.margin > 0
    bad = g.fairness(ns["y"], ns["unfair_pred"], sensitive=ns["group"],
                     metric="equal_opportunity_ratio", min_ratio=0.8)
    assert bad.verdict == "failed"
    assert "below min_ratio 0.8" in bad.message
    with pytest.raises(ConfigError, match="min_ratio: 'accuracy' is a difference"):
        g.fairness(ns["y"], ns["fair_pred"], sensitive=ns["group"], metric="accuracy",
                   min_ratio=0.8)


def test_calibration_options_in_process() -> None:
    from pytest_modelgate.gates import Gate

    ns = _ns()
    g = Gate()
    r = g.calibration(ns["k"], ns["proba3"], max_ece=0.5, per_class=False, confidence=None)
    assert r.verdict == "passed"
    assert r.ci is None
    assert r.details["per_class_gated"] is False
    assert set(r.details["per_class"]) == {"0", "1", "2"}  # reported, not gated
    rec = g.calibration(ns["y"], ns["calibrated"], name="recorded")
    assert rec.threshold == {}
    assert rec.verdict == "passed"
    assert "no threshold set" in rec.message


# --- review 2: string labels, degenerate groups, useless calibrated probabilities ---------------

def _biased_strings():
    import numpy as np

    rng = np.random.default_rng(9)
    n = 2000
    y = rng.integers(0, 2, n)
    s = rng.choice(np.array(["a", "b"]), n)
    p = y.copy()
    p[(s == "b") & (y == 1) & (rng.random(n) < 0.3)] = 0  # misses 30% of approvals in b
    lab = np.array(["rejected", "approved"])
    return y, p, s, lab


def test_two_string_labels_require_pos_label() -> None:
    from pytest_modelgate.exceptions import ConfigError
    from pytest_modelgate.gates import Gate

    y, p, s, lab = _biased_strings()
    g = Gate()
    for metric in ("equal_opportunity_difference", "demographic_parity_ratio"):
        with pytest.raises(ConfigError, match=r"pos_label: .*'approved', 'rejected'.*"
                                              r"pos_label='approved'"):
            g.fairness(lab[y], lab[p], sensitive=s, metric=metric)
    r = g.fairness(lab[y], lab[p], sensitive=s, metric="equal_opportunity_difference",
                   max_gap=0.1, pos_label="approved")
    ints = g.fairness(y, p, sensitive=s, metric="equal_opportunity_difference", max_gap=0.1)
    assert r.verdict == ints.verdict == "failed"
    assert r.value == pytest.approx(ints.value)
    assert "favourable outcome 'approved'" in r.message
    assert "favourable outcome 1" in ints.message
    assert r.details["pos_label"] == "approved"
    ratio = g.fairness(lab[y], lab[p], sensitive=s, metric="demographic_parity_ratio",
                       pos_label="approved")
    assert ratio.value == pytest.approx(g.fairness(y, p, sensitive=s,
                                                   metric="demographic_parity_ratio").value)
    # bool and -1/1 labels keep their obvious favourable outcome
    assert g.fairness(y.astype(bool), p.astype(bool), sensitive=s).details["pos_label"] is True
    assert g.fairness(2 * y - 1, 2 * p - 1, sensitive=s).details["pos_label"] == 1
    with pytest.raises(ConfigError, match="pos_label: 'yes' is not among the labels"):
        g.fairness(lab[y], lab[p], sensitive=s, pos_label="yes")


def test_degenerate_zero_width_interval_does_not_pass_silently() -> None:
    import numpy as np

    from pytest_modelgate.gates import Gate

    # every group's true positive rate is exactly 1 on 12 positives each: the bootstrap cannot
    # vary it, yet a true rate of 0.8 is well within what 12 positives can show as 12/12
    y = np.array([1] * 12 + [0] * 12 + [1] * 12 + [0] * 12)
    s = np.array(["a"] * 24 + ["b"] * 24)
    g = Gate()
    r = g.fairness(y, y, sensitive=s, metric="equal_opportunity_difference", max_gap=0.1)
    assert r.verdict == "inconclusive"
    assert r.ci is not None
    assert r.ci[1] > 0.1
    assert "true positive rate is 1 in every group" in r.message
    ratio = g.fairness(y, y, sensitive=s, metric="equal_opportunity_ratio", min_ratio=0.9)
    assert ratio.verdict == "inconclusive"
    assert ratio.ci is not None
    assert ratio.ci[0] < 0.9
    # with many rows the same exact equality is decided
    big = g.fairness(np.repeat(y, 50), np.repeat(y, 50), sensitive=np.repeat(s, 50),
                     metric="equal_opportunity_difference", max_gap=0.1)
    assert big.verdict == "passed"


def test_degenerate_group_messages() -> None:
    import numpy as np

    from pytest_modelgate.exceptions import InputError
    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 600)
    pred = np.where(rng.random(600) < 0.8, y, 1 - y)
    g = Gate()
    tiny = g.fairness(y, pred, sensitive=np.array(["a"] * 599 + ["b"]), max_gap=0.1)
    assert tiny.verdict == "inconclusive"
    assert "group 'b' has 1 row:" in tiny.message
    assert "1 rows" not in tiny.message
    assert "would need about 2 rows" not in tiny.message
    assert "at least 10 rows of 'b'" in tiny.message
    with pytest.raises(InputError, match=r"sensitive: fairness needs at least two groups; "
                                         r"found one: 'a'"):
        g.fairness(y, pred, sensitive=np.array(["a"] * 600), max_gap=0.1)
    with pytest.raises(InputError, match="found one: 'a'"):
        g.fairness(y, pred, sensitive=np.array(["a"] * 600), metric="accuracy", max_gap=0.1)
    same = g.fairness(np.tile([0, 1], 50), np.tile([0, 1], 50), sensitive=np.repeat(["a", "b"], 50),
                      metric="equal_opportunity_difference", confidence=None, max_gap=0.1)
    assert same.value == 0
    assert "Every group has the same true positive rate (1)" in same.message
    assert "Worst pair" not in same.message
    # an undecided gap names rows per group, the smallest group included
    s = rng.choice(np.array(["a", "b"]), 600, p=[0.8, 0.2])
    und = g.fairness(y, np.where((s == "b") & (rng.random(600) < 0.1), 0, pred), sensitive=s,
                     max_gap=0.1)
    if und.verdict == "inconclusive" and und.details["rows_needed"]:
        assert "rows in the smallest group 'b'" in und.message


def test_calibration_flags_uninformative_and_hard_probabilities() -> None:
    import numpy as np

    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.3).astype(int)
    g = Gate()
    prior = g.calibration(y, np.full(y.size, y.mean()), max_ece=0.05)
    assert prior.verdict == "passed"  # calibration is not discrimination: the verdict stands
    assert "the probabilities do not separate the classes (resolution 0)" in prior.message
    assert "calibration alone says nothing about usefulness" in prior.message
    assert prior.details["resolution"] == pytest.approx(0, abs=1e-12)
    assert prior.details["direction"] == "calibrated"  # not "under-confident" on float noise
    assert "perfectly calibrated" in prior.message
    assert any("resolution" in n for n in prior.details["notes"])
    ns = _ns()
    good = g.calibration(ns["y"], ns["calibrated"], max_ece=0.05)
    assert "do not separate" not in good.message
    assert "notes" not in good.details
    hard = g.calibration(ns["y"], (ns["calibrated"] > 0.5).astype(float), max_ece=0.5)
    assert "only 0 and 1" in hard.message
    assert any("0 and 1" in n for n in hard.details["notes"])


@pytest.mark.parametrize("metric", ["ece", "ece_quantile", "mce"])
def test_metric_gate_on_a_calibration_error_flags_a_constant_prior(metric: str) -> None:
    """A constant prior is perfectly calibrated and useless: gate.metric("ece") says so as
    gate.calibration does (review follow-up)."""
    import numpy as np

    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(0)
    y = (rng.random(3000) < 0.3).astype(int)
    r = Gate().metric(metric, y, np.full(y.size, y.mean()), max=0.05)
    assert r.verdict == "passed"
    assert "the probabilities do not separate the classes (resolution 0)" in r.message
    assert r.details["resolution"] == pytest.approx(0, abs=1e-12)
    ns = _ns()
    good = Gate().metric(metric, ns["y"], ns["calibrated"], max=0.5)
    assert "do not separate" not in good.message
    assert good.details["resolution"] > 0.01
    multi = rng.dirichlet(np.ones(3), 600)
    labels = np.array([rng.choice(3, p=row) for row in multi])
    assert "do not separate" not in Gate().metric(metric, labels, multi, max=0.9).message


def test_fairness_min_group_rows_is_a_keyword() -> None:
    """min_group_rows= (default 10): groups smaller than it get no interval (review follow-up:
    it was the constant MIN_GROUP_ROWS)."""
    import numpy as np

    from pytest_modelgate.exceptions import ConfigError
    from pytest_modelgate.gates import Gate
    from pytest_modelgate.metrics._fairness import fairness as measure

    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    pred = np.where(rng.random(200) < 0.8, y, 1 - y)
    group = np.array(["a"] * 194 + ["b"] * 6)
    g = Gate()
    for metric in ("demographic_parity_difference", "accuracy"):
        default = g.fairness(y, pred, sensitive=group, metric=metric, max_gap=0.9)
        assert default.ci is None
        assert default.details["min_group_rows"] == 10
        assert "at least 10 rows of 'b'" in default.message
        five = g.fairness(y, pred, sensitive=group, metric=metric, max_gap=0.9,
                          min_group_rows=5)
        assert five.ci is not None
        assert "min_group_rows" not in five.details
        seven = g.fairness(y, pred, sensitive=group, metric=metric, max_gap=0.9,
                           min_group_rows=7)
        assert seven.ci is None
        assert "at least 7 rows of 'b'" in seven.message
        assert measure(y, pred, sensitive=group, metric=metric, confidence=0.95,
                       min_group_rows=5).ci == five.ci
    for bad in (1, 0, 2.5, True, "ten"):
        with pytest.raises(ConfigError, match=r"min_group_rows must be an integer"):
            g.fairness(y, pred, sensitive=group, max_gap=0.1, min_group_rows=bad)
        with pytest.raises(ConfigError, match=r"min_group_rows"):
            measure(y, pred, sensitive=group, min_group_rows=bad)


def test_fairness_min_group_rows_from_the_policy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile('''
import numpy as np

rng = np.random.default_rng(5)
y = rng.integers(0, 2, 200)
pred = np.where(rng.random(200) < 0.8, y, 1 - y)
group = np.array(["a"] * 194 + ["b"] * 6)


def test_policy_lowers_it(gate):
    r = gate.fairness(y, pred, sensitive=group, max_gap=0.9)
    assert r.ci is not None
    assert "min_group_rows" not in r.details
''')
    pytester.makepyprojecttoml('[tool.modelgate.gates."fairness:demographic_parity_difference"]\n'
                               'min_group_rows = 5\n')
    pytester.runpytest_subprocess("--modelgate").assert_outcomes(passed=1)
    pytester.makepyprojecttoml('[tool.modelgate.gates."fairness:accuracy_gap"]\n'
                               'min_group_rows = 1\n')
    result = pytester.runpytest_subprocess("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*fairness:accuracy_gap: min_group_rows must be an integer "
                                 ">= 2; got 1*"])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
