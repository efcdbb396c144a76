"""gate.integrity through real pytest runs: one report row per check, a leaking split fails with
a message naming the rows, the policy sets per-check thresholds, a saved profile's schema
serves a scheduled check, and bad input is a clear error."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("pandas", reason="needs the pandas extra: pip install 'pytest-modelgate[pandas]'")

_DATA = '''
import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
train = pd.DataFrame({"x": rng.normal(size=400), "n": rng.integers(0, 5, 400),
                      "city": rng.choice(["a", "b", "c"], 400)})
train["y"] = (train["x"] + rng.normal(size=400) > 0).astype(int)
test = pd.DataFrame({"x": rng.normal(size=100), "n": rng.integers(0, 5, 100),
                     "city": rng.choice(["a", "b", "c"], 100)})
test["y"] = (test["x"] + rng.normal(size=100) > 0).astype(int)
leaky = test.copy()
leaky.iloc[[3, 17, 40, 41, 98] + list(range(50, 65))] = train.iloc[:20].to_numpy()
leaky = leaky.astype(train.dtypes.to_dict())
'''


def test_clean_split_passes_and_leaking_split_fails(pytester: pytest.Pytester,
                                                    run_args: list[str]) -> None:
    pytester.makepyfile(data=_DATA)
    pytester.makepyfile(
        '''
import pytest
from data import leaky, test, train


def test_clean(gate):
    res = gate.integrity(train, test, target="y")
    assert set(res) == {"duplicates", "near_duplicates", "label_conflicts",
                        "split_label_conflicts", "leakage", "schema", "null_rate", "range",
                        "new_categories"}


def test_leaky(gate):
    gate.integrity(train, leaky, target="y", checks=["duplicates", "schema"])


def test_arrays(gate):
    X = train[["x", "n"]].to_numpy(float)
    res = gate.integrity(X, X[:50], y_train=train["y"].to_numpy(), name="arrays",
                         max_duplicate_share=1.0)
    assert res["duplicates"].details["count"] == 50
    assert res["duplicates"].name == "arrays:duplicates"
'''
    )
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*integrity 'duplicates': 20 test rows (20%) are exact duplicates of train rows, e.g. "
        "test rows ?3, 17, 40, 41, 50?*; max_duplicate_share 0*GroupShuffleSplit*",
    ])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    rows = {(r["nodeid"].split("::")[1], r["kind"], r["name"]): r for r in report["results"]}
    assert rows[("test_leaky", "integrity", "duplicates")]["verdict"] == "failed"
    assert rows[("test_leaky", "integrity", "duplicates")]["details"]["examples"] == [
        3, 17, 40, 41, 50]
    assert rows[("test_leaky", "integrity", "schema")]["verdict"] == "passed"
    clean = [r for k, r in rows.items() if k[0] == "test_clean"]
    assert len(clean) == 9
    assert all(r["verdict"] == "passed" for r in clean), [
        (r["name"], r["message"]) for r in clean if r["verdict"] != "passed"]
    assert rows[("test_arrays", "integrity", "arrays:duplicates")]["value"] == 1.0


def test_policy_sets_a_check_threshold_and_leakage_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(data=_DATA)
    pytester.makepyprojecttoml(
        '[tool.modelgate.gates."integrity:duplicates"]\nmax_duplicate_share = 0.25\n')
    pytester.makepyfile(
        '''
import pytest
from data import leaky, train


def test_dups_allowed_by_policy(gate):
    r = gate.integrity(train, leaky, target="y", checks=["duplicates", "near_duplicates"])
    assert r["duplicates"].threshold == {"max_duplicate_share": 0.25}
    assert r["near_duplicates"].threshold == {"max_near_duplicate_share": 0.0}


@pytest.mark.integrity(max_duplicate_share=0.5, checks=["duplicates"])
def test_marker_defaults(gate):
    r = gate.integrity(train, leaky, target="y")
    assert list(r) == ["duplicates"]
    assert r["duplicates"].threshold == {"max_duplicate_share": 0.25}  # the policy still wins


def test_label_leak(gate):
    t = train.assign(y_copy=train["y"] * 10)
    gate.integrity(t, t.iloc[:5], target="y", checks="leakage")
'''
    )
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines([
        "*integrity 'leakage': 1 feature alone predicts the label almost perfectly: "
        "'y_copy' (balanced accuracy 1)*max_leak_score 0.99*",
    ])


def test_scheduled_check_against_a_saved_profile(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(data=_DATA)
    pytester.makepyfile(
        '''
import numpy as np
from data import test, train
from pytest_modelgate.drift import profile

profile(train).save("reference.profile.json")


def test_today(gate):
    res = gate.integrity("reference.profile.json", test)
    assert set(res) == {"schema", "null_rate", "range", "new_categories"}


def test_broken_feed(gate):
    today = test.copy()
    today["x"] = today["x"] * 1000          # a unit change
    today.loc[:9, "n"] = np.nan             # nulls in a never-null int column
    today.loc[:4, "city"] = "zz"
    gate.integrity("reference.profile.json", today)
'''
    )
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*4 model gates did not pass*",
        "*integrity 'schema': 1 schema mismatch: column 'n' is float64 in test, int64 in the "
        "reference*",
        "*integrity 'null_rate': 1 column over the null-rate limit: column 'n': null rate 10% "
        "(10 of 100 test rows) vs max_null_rate 0%, e.g. test rows ?0, 1, 2, 3, 4?*",
        "*integrity 'range': 1 column fails: column 'x':*outside*",
        "*integrity 'new_categories': 1 column fails: column 'city': 5 test rows (5%) hold "
        "categories the reference never saw ('zz'), e.g. test rows ?0, 1, 2, 3, 4?*",
    ])


def test_bad_input_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(data=_DATA)
    pytester.makepyfile(
        '''
from data import test, train


def test_unknown_check(gate):
    gate.integrity(train, test, checks=["duplicate"])


def test_leakage_without_labels(gate):
    gate.integrity(train, test, checks=["leakage"])


def test_wrong_target(gate):
    gate.integrity(train, test, target="label")
'''
    )
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines([
        "*unknown check 'duplicate' (did you mean 'duplicates'?)*",
        "*check 'leakage' cannot run here: it needs labels; pass target=*",
        "*target 'label' is not a column of train*",
    ])
    assert "INTERNALERROR" not in result.stdout.str()


def test_review2_discrete_split_datetimes_and_grammar(pytester: pytest.Pytester,
                                                      run_args: list[str]) -> None:
    """A correct random split of few discrete features passes with an 'expected' message, a
    copied-rows split of the same data still fails, shifted timestamps fail the range, an
    all-missing reference column filled in test fails, unhashable cells are a clear error."""
    pytester.makepyfile(
        '''
import numpy as np
import pandas as pd
import pytest

rng = np.random.default_rng(4)
n = 2000
df = pd.DataFrame({"age_band": rng.integers(0, 6, n), "sex": rng.choice(["m", "f"], n),
                   "region": rng.choice(list("NSEW"), n)})
df["y"] = ((df.age_band > 2) ^ (rng.random(n) < 0.2)).astype(int)
idx = rng.permutation(n)


def test_discrete_split(gate):
    res = gate.integrity(df.iloc[idx[:1500]], df.iloc[idx[1500:]], target="y",
                         checks=["duplicates", "label_conflicts", "split_label_conflicts"])
    assert all(r.verdict == "passed" for r in res.values())


def test_explicit_threshold_stays_exact(gate):
    gate.integrity(df.iloc[idx[:1500]], df.iloc[idx[1500:]], target="y",
                   checks=["duplicates"], max_duplicate_share=0.5)


def test_datetime_shift(gate):
    t = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(400), unit="h")
    a = pd.DataFrame({"t": t[:300]})
    b = pd.DataFrame({"t": t[300:] + pd.Timedelta(days=3650)})
    gate.integrity(a, b, checks=["range"])


def test_nan_column_filled(gate):
    a = pd.DataFrame({"z": [np.nan] * 300, "x": np.arange(300.0)})
    b = pd.DataFrame({"z": [5.0] * 100, "x": np.arange(100.0)})
    gate.integrity(a, b, checks=["range"])


def test_one_near_duplicate(gate):
    a = pd.DataFrame({"x": [1.23456789, 2.0, 3.0]})
    b = pd.DataFrame({"x": [1.23456788]})
    gate.integrity(a, b, checks=["near_duplicates"])


def test_unhashable(gate):
    a = pd.DataFrame({"l": [[1, 2]] * 50, "y": [0, 1] * 25})
    b = pd.DataFrame({"l": [[1, 3]] * 20, "y": [0, 1] * 10})
    gate.integrity(a, b, target="y")
'''
    )
    result = pytester.runpytest_subprocess("--modelgate", *run_args)
    result.assert_outcomes(passed=1, failed=5)
    out = result.stdout.str()
    assert "INTERNALERROR" not in out
    assert "Traceback" not in out
    for line in [  # one by one: under xdist the order of the tests varies
        "*integrity 'duplicates': 500 test rows (100%) are exact duplicates of train rows*"
        "max_duplicate_share 0.5*",
        "*integrity 'range': 1 column fails: column 't': 100 test rows (100%) outside "
        "?2024-01-01*2024-01-13*",
        "*integrity 'range': 1 column fails: column 'z': 100 test rows (100%)*no value*",
        "*integrity 'near_duplicates': 1 test row (100%) is a near-duplicate of a train row*",
        "*column 'l' holds lists*astype(str)*columns=*",
    ]:
        result.stdout.fnmatch_lines([line])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    rows = {(r["nodeid"].split("::")[1], r["name"]): r for r in report["results"]}
    dup = rows[("test_discrete_split", "duplicates")]
    assert dup["value"] == 1.0
    assert dup["verdict"] == "passed"
    assert "only 48 distinct feature rows" in dup["message"]
    assert "expected for a random split" in dup["message"]
    assert "trained on" not in dup["message"]
    for check in ("label_conflicts", "split_label_conflicts"):
        assert rows[("test_discrete_split", check)]["verdict"] == "passed"
        assert "label noise" in rows[("test_discrete_split", check)]["message"]
    assert rows[("test_explicit_threshold_stays_exact", "duplicates")]["threshold"] == {
        "max_duplicate_share": 0.5}
