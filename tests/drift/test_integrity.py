"""Integrity engine: duplicates, near-duplicates, label conflicts, leakage, schema inference and
checks, against pandas/scikit-learn references."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_modelgate.drift import Profile, profile
from pytest_modelgate.drift._integrity import (
    Pair,
    check_schema,
    conflicts,
    duplicates,
    leakage,
    near_duplicates,
    wilson,
)
from pytest_modelgate.drift._schema import Schema, infer_schema, read_schema_section
from pytest_modelgate.exceptions import InputError

pd = pytest.importorskip("pandas", reason="needs the pandas extra: pip install 'pytest-modelgate[pandas]'")

# -- strategies: small frames over small value pools, so duplicates and NaNs are common ----------

_FLOATS = st.sampled_from([0.0, -0.0, 1.5, 2.0, math.nan, 1e300, -3.25])
_INTS = st.integers(-2, 2)
_TEXT = st.sampled_from(["a", "b", "B", "", "a b"])


@st.composite
def frames(draw: Any, min_rows: int = 1) -> pd.DataFrame:
    n = draw(st.integers(min_rows, 12))
    kinds = draw(st.lists(st.sampled_from(["f", "i", "s"]), min_size=1, max_size=3))
    data: dict[str, Any] = {}
    for j, k in enumerate(kinds):
        pool = {"f": _FLOATS, "i": _INTS, "s": _TEXT}[k]
        data[f"c{j}_{k}"] = draw(st.lists(pool, min_size=n, max_size=n))
    df = pd.DataFrame(data)
    for c in df.columns:
        if c.endswith("_i"):
            df[c] = df[c].astype("int64")
        if c.endswith("_s"):
            df[c] = df[c].astype(object)
    return df


@st.composite
def splits(draw: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    train = draw(frames())
    n = draw(st.integers(1, 12))
    rows = []
    for _ in range(n):
        if draw(st.booleans()):  # a copy of a train row
            rows.append(train.iloc[draw(st.integers(0, len(train) - 1))].to_dict())
        else:
            rows.append({c: draw({"f": _FLOATS, "i": _INTS, "s": _TEXT}[c[-1]])
                         for c in train.columns})
    test = pd.DataFrame(rows, columns=train.columns).astype(train.dtypes.to_dict())
    return train, test


def _pandas_duplicates(train: pd.DataFrame, test: pd.DataFrame) -> list[int]:
    """Reference: test row i repeats a train row iff `duplicated` flags it after train's rows."""
    out = []
    for i in range(len(test)):
        both = pd.concat([train, test.iloc[[i]]], ignore_index=True)
        if both.duplicated().iloc[-1]:
            out.append(i)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(splits())
def test_duplicates_equal_pandas_duplicated(split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, test = split
    d = duplicates(Pair.build(train, test))
    assert d.test_rows.tolist() == _pandas_duplicates(train, test)
    # every reported train match really is equal (NaN == NaN), as pandas compares
    for i, t in zip(d.test_rows, d.train_rows, strict=True):
        pair = pd.concat([train.iloc[[t]], test.iloc[[i]]], ignore_index=True)
        assert pair.duplicated().iloc[-1]
    assert d.examples == tuple(d.test_rows[:5].tolist())


@settings(max_examples=40, deadline=None)
@given(splits())
def test_arrays_give_the_same_duplicates_as_frames(split: tuple[pd.DataFrame, pd.DataFrame]
                                                    ) -> None:
    train, test = split
    num = [c for c in train.columns if not c.endswith("_s")]
    if not num:
        return
    a = duplicates(Pair.build(train[num], test[num])).test_rows.tolist()
    b = duplicates(Pair.build(train[num].to_numpy(float), test[num].to_numpy(float))
                   ).test_rows.tolist()
    assert a == b == _pandas_duplicates(train[num], test[num])


@settings(max_examples=40, deadline=None)
@given(frames(), frames())
def test_null_rates_equal_pandas_isna_mean(train: pd.DataFrame, test: pd.DataFrame) -> None:
    schema = infer_schema(train)
    expected = train.isna().mean()
    for c, cs in schema.columns.items():
        assert cs.null_rate == pytest.approx(float(expected[c]), abs=1e-12)
    test = test.reindex(columns=train.columns)
    rep = check_schema(schema, test)
    got = {c: chk.n_missing / chk.n for c, chk in rep.checks.items()}
    ref = test.isna().mean()
    for c, v in got.items():
        assert v == pytest.approx(float(ref[c]), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(splits(), st.data())
def test_label_conflicts_equal_pandas_groupby(split: tuple[pd.DataFrame, pd.DataFrame],
                                              data: st.DataObject) -> None:
    train, test = split
    feats = list(train.columns)
    ytr = data.draw(st.lists(st.integers(0, 2), min_size=len(train), max_size=len(train)))
    yte = data.draw(st.lists(st.integers(0, 2), min_size=len(test), max_size=len(test)))
    c = conflicts(Pair.build(train, test, y_train=np.array(ytr), y_test=np.array(yte)))
    t = train.assign(_y=ytr)
    nunique = t.groupby(feats, dropna=False)["_y"].transform("nunique")
    assert c.train_rows.tolist() == np.flatnonzero(nunique.to_numpy() > 1).tolist()
    # across: a test row conflicts when its features appear in train with another label
    expected = []
    for i in range(len(test)):
        rows = [j for j in range(len(train))
                if pd.concat([train.iloc[[j]], test.iloc[[i]]]).duplicated().iloc[-1]]
        if any(ytr[j] != yte[i] for j in rows):
            expected.append(i)
    assert c.test_rows is not None
    assert c.test_rows.tolist() == expected


def test_leaking_split_twenty_duplicates() -> None:
    rng = np.random.default_rng(0)
    train = pd.DataFrame(rng.normal(size=(500, 6)), columns=[f"x{i}" for i in range(6)])
    test = pd.DataFrame(rng.normal(size=(200, 6)), columns=train.columns)
    picks = rng.choice(500, size=20, replace=False)
    at = np.sort(rng.choice(200, size=20, replace=False))
    test.iloc[at] = train.iloc[picks].to_numpy()
    d = duplicates(Pair.build(train, test))
    assert d.count == 20
    assert d.share == 0.1
    assert d.test_rows.tolist() == at.tolist()
    assert d.examples == tuple(at[:5].tolist())
    assert (train.iloc[d.train_rows].to_numpy() == test.iloc[d.test_rows].to_numpy()).all()


def test_near_duplicates_round_numbers_and_normalise_text_and_leave_out_exact() -> None:
    train = pd.DataFrame({"x": [1.23456789, 2.0, 3.0], "s": ["New  York", "b", "c"]})
    test = pd.DataFrame({"x": [1.23456788, 2.0, 3.5, 1.2346], "s": ["new york", "b", "c", "d"]})
    pair = Pair.build(train, test)
    exact = duplicates(pair)
    assert exact.test_rows.tolist() == [1]
    near = near_duplicates(pair, 4, exact)
    assert near.test_rows.tolist() == [0]
    assert near.n_exact == 1
    # coarser rounding: 1.2346 vs 1.23456789 agree at 4 digits, but "d" is new text
    assert near_duplicates(pair, 2, exact).test_rows.tolist() == [0]


def test_leakage_finds_the_label_copy_and_matches_sklearn_1nn() -> None:
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(3)
    n = 600
    y = (rng.random(n) < 0.05).astype(int)  # a rare class: balanced accuracy must still see it
    df = pd.DataFrame({"noise": rng.normal(size=n), "leak": y * 3.0 + rng.normal(size=n) * 0.01,
                       "code": np.where(y == 1, "yes", "no"), "weak": y + rng.normal(size=n),
                       "band": np.where(y == 1, rng.uniform(4, 5, n), rng.uniform(0, 9, n))})
    df.loc[(df["band"] > 3.9) & (y == 0), "band"] += 1.2  # label 1 only inside (4, 5)
    res = leakage(Pair.build(df, df.iloc[:10], y_train=y), seed=7, folds=3)
    assert res.task == "classification"
    assert res.metric == "balanced_accuracy"
    assert res.scores["leak"] == 1.0
    assert res.scores["code"] == 1.0
    assert res.scores["band"] > 0.99  # not monotone: a threshold rule would miss it
    assert res.scores["noise"] < 0.65
    # distinct values: the rule is scikit-learn's 1-nearest-neighbour, fold for fold
    cv = StratifiedKFold(3, shuffle=True, random_state=7)
    for col in ("weak", "noise"):
        pred = cross_val_predict(KNeighborsClassifier(n_neighbors=1), df[[col]].to_numpy(), y,
                                 cv=cv)
        assert res.scores[col] == pytest.approx(balanced_accuracy_score(y, pred), abs=1e-12)


def test_leakage_regression_uses_r2() -> None:
    rng = np.random.default_rng(4)
    y = rng.normal(size=400)
    X = np.column_stack([rng.normal(size=400), 2 * y + 1])
    res = leakage(Pair.build(X, X[:5], y_train=y), seed=0)
    assert res.task == "regression"
    assert res.metric == "r2"
    assert res.scores[1] > 0.99
    assert res.scores[0] < 0.1


def test_schema_inference_and_checks() -> None:
    train = pd.DataFrame({"age": [20, 30, 40, 50], "city": ["a", "b", "a", None],
                          "score": [0.1, 0.2, np.nan, 0.4], "keep": [1.0, 2.0, 3.0, 4.0]})
    schema = infer_schema(train, range_tolerance=1.0)
    age = schema.columns["age"]
    assert (age.family, age.max_null_rate, age.min, age.max) == ("int", 0.0, 20.0, 50.0)
    assert (age.low, age.high) == (-10.0, 80.0)  # widened by 1 x span
    assert schema.columns["city"].domain == ("a", "b")
    assert schema.columns["score"].max_null_rate == pytest.approx(0.25 + 0.05)
    test = pd.DataFrame({"age": [25.0, np.nan, 200.0], "city": ["a", "c", "c"],
                         "score": [0.2, 0.3, 0.1], "extra": [1, 2, 3]})
    rep = check_schema(schema, test)
    assert rep.missing_columns == ["keep"]
    assert rep.extra_columns == ["extra"]
    assert rep.dtype_mismatches == {"age": ("int64", "float64")}
    assert rep.checks["age"].n_missing == 1
    assert rep.checks["age"].missing_rows == (1,)
    assert rep.checks["age"].out_of_range is not None
    assert rep.checks["age"].out_of_range.tolist() == [2]
    assert rep.checks["city"].new_categories is not None
    assert rep.checks["city"].new_categories.tolist() == [1, 2]
    assert rep.checks["city"].unseen == ("c",)


def test_schema_round_trips_through_a_saved_profile(tmp_path: Any) -> None:
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=300), "c": pd.Categorical(rng.choice(["u", "v"], 300)),
                       "t": rng.choice(["p", "q", None], 300)})
    prof = profile(df)
    assert prof.schema is not None
    path = tmp_path / "ref.profile.json"
    prof.save(path)
    loaded = Profile.load(path)
    schema = read_schema_section(loaded, str(path))
    assert schema is not None
    direct = infer_schema(df)
    for name, cs in direct.columns.items():
        got = schema.columns[name]
        assert (got.kind, got.family, got.n, got.n_missing, got.min, got.max, got.low,
                got.high) == (cs.kind, cs.family, cs.n, cs.n_missing, cs.min, cs.max, cs.low,
                              cs.high)
        assert set(got.domain or ()) == set(cs.domain or ())
    assert Schema.from_dict(schema.to_dict()) == schema


def test_profile_file_stores_the_schema_of_all_chunks(tmp_path: Any) -> None:
    from pytest_modelgate.drift import profile_file

    df = pd.DataFrame({"x": np.arange(10.0), "c": list("aabbccddee")})
    df.loc[7, "x"] = np.nan
    src = tmp_path / "d.csv"
    df.to_csv(src, index=False)
    prof = profile_file(src, tmp_path / "p.json", chunksize=3)
    schema = read_schema_section(Profile.load(tmp_path / "p.json"))
    assert schema is not None
    assert prof.schema is not None
    assert (schema.columns["x"].n, schema.columns["x"].n_missing) == (10, 1)
    assert (schema.columns["x"].min, schema.columns["x"].max) == (0.0, 9.0)
    assert set(schema.columns["c"].domain or ()) == set("abcde")


def test_a_corrupt_schema_section_is_an_input_error() -> None:
    with pytest.raises(InputError, match="not a pytest-modelgate schema"):
        read_schema_section({"schema": {"format": "x"}}, "ref.json")
    with pytest.raises(InputError, match="corrupt schema section"):
        read_schema_section({"schema": {"format": "pytest-modelgate-schema", "columns": [{}]}})


def test_wilson_equals_the_metric_engine() -> None:
    from pytest_modelgate.metrics._ci import proportion_interval

    for k, n in [(0, 10), (3, 10), (50, 1000), (1000, 1000)]:
        assert wilson(k, n, 0.95) == pytest.approx(proportion_interval(k, n, 0.95, "wilson"),
                                                   abs=1e-9)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"target": "nope"}, "target 'nope' is not a column of train"),
    ({"y_train": [0, 1]}, "y_train has 2 labels but train has 3 rows"),
    ({"target": "a", "y_train": [0, 1, 0]}, "either as target="),
    ({"columns": ["zz"]}, "columns: 'zz' is not a column of train"),
])
def test_bad_input_names_the_argument(kwargs: dict[str, Any], match: str) -> None:
    df = pd.DataFrame({"a": [1, 2, 3], "b": [1.0, 2.0, 3.0]})
    with pytest.raises(InputError, match=match):
        Pair.build(df, df, **kwargs)


def test_empty_test_is_an_input_error() -> None:
    df = pd.DataFrame({"a": [1, 2, 3]})
    with pytest.raises(InputError, match="test has no rows"):
        Pair.build(df, df.iloc[:0])


def test_range_allowance_holds_its_level_on_same_distribution_data() -> None:
    """Exchangeability bound: a same-distribution sample exceeds the allowance at most alpha of
    the time (here checked by simulation, continuous and heavily tied data)."""
    from pytest_modelgate.gates.integrity import exchangeable_allowance

    rng = np.random.default_rng(11)
    n, m, alpha, sims = 60, 40, 0.05, 4000
    allowed = exchangeable_allowance(n, m, alpha)
    for draw in (lambda size: rng.standard_cauchy(size),
                 lambda size: rng.poisson(0.3, size).astype(float)):
        ref, new = draw((sims, n)), draw((sims, m))
        lo, hi = ref.min(axis=1, keepdims=True), ref.max(axis=1, keepdims=True)
        k = ((new < lo) | (new > hi)).sum(axis=1)
        assert (k > allowed).mean() <= alpha
    # the one-sided bound is exact for continuous data: P(top j of the pool all new)
    j = 2
    k_hi = (rng.normal(size=(sims, m)) > rng.normal(size=(sims, n)).max(axis=1, keepdims=True)
            ).sum(axis=1)
    exact = (m * (m - 1)) / ((n + m) * (n + m - 1))
    assert (k_hi >= j).mean() == pytest.approx(exact, abs=0.02)


def test_null_rate_verdicts_passed_inconclusive_failed_with_rows_needed() -> None:
    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(1)
    train = pd.DataFrame({"a": np.where(rng.random(2000) < 0.1, np.nan, 1.0)})
    small = pd.DataFrame({"a": np.where(np.arange(60) % 10 == 0, np.nan, 1.0)})  # 10%
    r = Gate().integrity(train, small, checks="null_rate")["null_rate"]
    assert r.verdict == "inconclusive"
    assert r.ci == pytest.approx(wilson(6, 60, 0.95))
    assert r.details["rows_needed"] > 60
    assert "about" in r.message
    big = pd.DataFrame({"a": np.where(np.arange(6000) % 10 == 0, np.nan, 1.0)})
    assert Gate().integrity(train, big, checks="null_rate")["null_rate"].verdict == "passed"
    worse = pd.DataFrame({"a": np.where(np.arange(600) % 4 == 0, np.nan, 1.0)})  # 25%
    r = Gate().integrity(train, worse, checks="null_rate")["null_rate"]
    assert r.verdict == "failed"
    assert r.value == 0.25


def test_datetimes_time_zones_and_nullable_dtypes_compare_like_pandas() -> None:
    n = 30
    train = pd.DataFrame({
        "ts": pd.date_range("2024-01-01", periods=n, freq="h", tz="Europe/Berlin"),
        "td": pd.to_timedelta(np.arange(n), unit="s"),
        "ni": pd.array([1, None, 3] * 10, dtype="Int64"),
        "s": pd.array(["a", "b", None] * 10, dtype="string"),
        "nb": pd.array([True, False, None] * 10, dtype="boolean"),
    })
    test = train.iloc[[0, 4, 8]].copy()
    test["ts"] = test["ts"].dt.tz_convert("UTC")  # same instants, another zone
    test.iloc[1, 2] = 99
    d = duplicates(Pair.build(train, test))
    assert d.test_rows.tolist() == [0, 2]
    rep = check_schema(infer_schema(train), test)
    assert rep.checks["ni"].n_missing == 0
    assert not rep.dtype_mismatches


_NEAR_FLOATS = st.sampled_from([1.0, 1.00001, 1.2345, 1.23449999, -7.5, 0.0, math.nan, 250.01])
_NEAR_TEXT = st.sampled_from(["a", "A ", " a", "b  c", "B C", "x"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_NEAR_FLOATS, _NEAR_TEXT), min_size=1, max_size=10),
       st.lists(st.tuples(_NEAR_FLOATS, _NEAR_TEXT), min_size=1, max_size=10))
def test_near_duplicates_equal_pandas_duplicated_on_normalised_frames(
        a: list[tuple[float, str]], b: list[tuple[float, str]]) -> None:
    """Reference: round with numpy's `around` at the value's decade, normalise text with
    `str` methods, then pandas `duplicated`; exact duplicates are left out."""
    train = pd.DataFrame(a, columns=["x", "s"]).astype({"s": object})
    test = pd.DataFrame(b, columns=["x", "s"]).astype({"s": object})

    def norm(df: pd.DataFrame) -> pd.DataFrame:
        x = df["x"].to_numpy(float)
        with np.errstate(divide="ignore"):
            decade = np.where(x == 0, 0, np.floor(np.log10(np.abs(x))))
        rounded = np.array([np.around(v, int(3 - d)) if np.isfinite(v) and v != 0 else v
                            for v, d in zip(x, decade, strict=True)])
        s = df["s"].str.casefold().str.split().str.join(" ")
        return pd.DataFrame({"x": rounded, "s": s})

    pair = Pair.build(train, test)
    exact = set(_pandas_duplicates(train, test))
    expected = [i for i in _pandas_duplicates(norm(train), norm(test)) if i not in exact]
    assert near_duplicates(pair, 4).test_rows.tolist() == expected


@pytest.mark.parametrize(("y", "why"), [
    (np.zeros(40, dtype=int), "single value"),
    (np.array([0, 1, 0, 1]), "4 labelled train rows; 3-fold scoring needs at least 6"),
])
def test_leakage_that_cannot_be_scored_is_inconclusive_not_a_pass(y: np.ndarray, why: str
                                                                  ) -> None:
    from pytest_modelgate.gates import Gate

    X = np.arange(2.0 * y.size).reshape(-1, 2)
    r = Gate().integrity(X, X[:2] + 0.5, y_train=y, checks="leakage")["leakage"]
    assert r.verdict == "inconclusive"
    assert why in r.message


def test_unlabelled_test_set_skips_the_split_label_check_and_the_label_column() -> None:
    from pytest_modelgate.gates import Gate

    rng = np.random.default_rng(5)
    train = pd.DataFrame({"x": rng.normal(size=200), "y": rng.integers(0, 2, 200)},
                         index=rng.permutation(200) + 1000)
    today = pd.DataFrame({"x": rng.normal(size=50)})
    res = Gate().integrity(train, today, target="y")
    assert "split_label_conflicts" not in res
    assert res["schema"].verdict == "passed"
    assert "label_conflicts" in res
    assert "leakage" in res


# -- review #2: discrete features, datetimes, all-missing reference columns, unhashable cells -----


@settings(max_examples=40, deadline=None)
@given(frames())
def test_train_repeat_share_equals_pandas_duplicated_keep_false(train: pd.DataFrame) -> None:
    from pytest_modelgate.drift._integrity import repeats

    r = repeats(Pair.build(train, train.iloc[:1]))
    assert r.share == pytest.approx(float(train.duplicated(keep=False).mean()), abs=1e-12)
    assert r.distinct == len(train.drop_duplicates())


def test_repeat_share_of_discrete_and_continuous_features() -> None:
    from pytest_modelgate.drift._integrity import repeats

    rng = np.random.default_rng(3)
    disc = pd.DataFrame({"a": rng.integers(0, 6, 1000), "s": rng.choice(["m", "f"], 1000)})
    cont = pd.DataFrame({"x": rng.normal(size=1000)})
    assert repeats(Pair.build(disc, disc.iloc[:5])).share == 1.0
    assert repeats(Pair.build(disc, disc.iloc[:5])).distinct == 12
    assert repeats(Pair.build(cont, cont.iloc[:5])).share == 0.0


@pytest.mark.parametrize("tz", [None, "UTC", "Europe/Berlin"])
def test_datetime_columns_get_a_range_in_utc_nanoseconds(tz: str | None) -> None:
    t0 = pd.Timestamp("2024-01-01", tz=tz)
    train = pd.DataFrame({"t": t0 + pd.to_timedelta(np.arange(300), unit="h")})
    test = pd.DataFrame({"t": t0 + pd.to_timedelta(np.arange(100), unit="h")})
    test.loc[[2, 5], "t"] = test.loc[[2, 5], "t"] + pd.Timedelta(days=3650)
    test.loc[7, "t"] = pd.NaT
    schema = infer_schema(train)
    cs = schema.columns["t"]
    utc = train["t"].dt.tz_convert("UTC").dt.tz_localize(None) if tz else train["t"]
    assert cs.min == float(utc.min().value)
    assert cs.max == float(utc.max().value)
    chk = check_schema(schema, test).checks["t"]
    assert chk.out_of_range is not None
    assert chk.out_of_range.tolist() == [2, 5]  # NaT is missing, not out of range
    back = Schema.from_dict(schema.to_dict())
    assert check_schema(back, test).checks["t"].out_of_range.tolist() == [2, 5]


def test_a_reference_column_without_values_vouches_for_no_test_value() -> None:
    train = pd.DataFrame({"z": [np.nan] * 50, "x": np.arange(50.0)})
    test = pd.DataFrame({"z": [5.0, np.nan, 6.0], "x": [1.0, 2.0, 3.0]})
    chk = check_schema(infer_schema(train), test).checks["z"]
    assert chk.out_of_range is not None
    assert chk.out_of_range.tolist() == [0, 2]


@pytest.mark.parametrize(("cells", "kind"), [([[1, 2], [3]], "list"), ([{"a": 1}, {"b": 2}], "dict")])
def test_unhashable_cells_are_an_input_error_naming_the_column(cells: list[Any], kind: str
                                                                ) -> None:
    train = pd.DataFrame({"tags": cells * 25, "y": [0, 1] * 25})
    test = pd.DataFrame({"tags": cells * 5, "y": [0, 1] * 5})
    pair = Pair.build(train, test, target="y")
    with pytest.raises(InputError, match=rf"column 'tags' holds {kind}s.*astype\(str\).*columns="):
        duplicates(pair)
    with pytest.raises(InputError, match=rf"column 'tags' holds {kind}s"):
        infer_schema(train)
