"""Reference profiles: round trip, merge, sketches with a stated error, files, bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from pytest_modelgate.drift import Profile, detect, profile, profile_file
from pytest_modelgate.exceptions import InputError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")


def _frame(n: int, seed: int, shift: float = 0.0) -> object:
    rng = np.random.default_rng(seed)
    x = rng.normal(shift, 1, n)
    x[:5] = np.nan
    return pd.DataFrame({"x": x, "k": rng.integers(0, 50, n),
                         "c": rng.choice(["a", "b", "c"], n, p=[0.6, 0.3, 0.1])})


def _same(r1: object, r2: object) -> None:
    for k in r1.columns:  # type: ignore[attr-defined]
        a, b = r1.columns[k], r2.columns[k]  # type: ignore[attr-defined]
        assert (a.test, a.statistic, a.p_value, a.drifted) == (b.test, b.statistic, b.p_value,
                                                               b.drifted)


def test_exact_profile_gives_the_same_result_as_raw_data(tmp_path: Path) -> None:
    ref, cur = _frame(3000, 1), _frame(2000, 2, shift=0.3)
    prof = profile(ref)
    assert prof.exact
    _same(detect(ref, cur), detect(prof, cur))
    path = prof.save(tmp_path / "ref.profile.json")
    loaded = Profile.load(path)
    _same(detect(ref, cur), detect(loaded, cur))
    assert loaded.columns["x"].n_missing == 5
    assert not list(tmp_path.glob(".*.tmp"))  # atomic write left no temp file


def test_merged_partitions_equal_the_whole() -> None:
    ref, cur = _frame(4000, 3), _frame(3000, 4, shift=0.2)
    parts = [profile(ref.iloc[i:i + 1000]) for i in range(0, 4000, 1000)]
    merged = parts[0].merge(parts[1]).merge(parts[2]).merge(parts[3])
    whole = profile(ref)
    np.testing.assert_array_equal(merged.columns["x"].values, whole.columns["x"].values)
    assert merged.columns["c"].categories == whole.columns["c"].categories
    m1, s1 = merged.columns["x"].moments()
    m2, s2 = whole.columns["x"].moments()
    assert m1 == pytest.approx(m2, rel=1e-12)
    assert s1 == pytest.approx(s2, rel=1e-12)
    _same(detect(merged, cur), detect(ref, cur))


def test_sketch_profile_states_its_error_and_stays_close() -> None:
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"x": rng.normal(size=50_000)})
    cur = pd.DataFrame({"x": rng.normal(0.05, 1, size=20_000)})
    sk = profile(ref, exact_max=1000, n_quantiles=1025)
    assert not sk.exact
    assert sk.columns["x"].rank_error == pytest.approx(1 / 1024)
    exact = stats.ks_2samp(ref["x"], cur["x"]).statistic
    col = detect(sk, cur, method="ks").columns["x"]
    assert abs(col.statistic - exact) <= col.approx_error + 1e-12
    assert "sketch" in col.reason
    w = detect(sk, cur, method="wasserstein").columns["x"]
    assert w.statistic == pytest.approx(stats.wasserstein_distance(ref["x"], cur["x"]), abs=0.01)
    with pytest.raises(InputError, match="quantile sketch"):
        detect(sk, cur, method="cvm")
    # sketches merge, and the error bound grows by one grid step
    half = profile(ref.iloc[:25_000], exact_max=1000, n_quantiles=1025).merge(
        profile(ref.iloc[25_000:], exact_max=1000, n_quantiles=1025))
    merged = detect(half, cur, method="ks").columns["x"]
    assert abs(merged.statistic - exact) <= merged.approx_error + 1e-12


def test_profile_file_csv_and_parquet(tmp_path: Path) -> None:
    ref = _frame(2500, 6)
    csv = tmp_path / "ref.csv"
    ref.to_csv(csv, index=False)
    out = tmp_path / "ref.profile.json"
    prof = profile_file(csv, out, categorical=["k"], chunksize=700)
    assert out.exists()
    assert prof.columns["k"].kind == "categorical"
    assert prof.n_rows == 2500
    assert prof.columns["x"].n_missing == 5
    pq = tmp_path / "ref.parquet"
    pytest.importorskip("pyarrow", reason="pyarrow not installed: pip install 'pytest-modelgate[pandas]'")
    ref.to_parquet(pq)
    prof2 = profile_file(pq, tmp_path / "p2.json")
    if int(pd.__version__.split(".")[0]) >= 3:
        np.testing.assert_array_equal(np.sort(prof2.columns["x"].values),
                                      np.sort(prof.columns["x"].values))
    else:  # pandas < 3 parses CSV floats to within an ulp ('high' precision), not round-trip
        np.testing.assert_allclose(np.sort(prof2.columns["x"].values),
                                   np.sort(prof.columns["x"].values), rtol=1e-12)


def test_bad_profile_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"not found.*modelgate profile"):
        Profile.load(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not a valid profile"):
        Profile.load(bad)
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(InputError, match="not a pytest-modelgate profile"):
        Profile.load(bad)
    bad.write_text('{"format": "pytest-modelgate-profile", "version": 1, "columns": [{}]}')
    with pytest.raises(InputError, match="corrupt"):
        Profile.load(bad)
    (tmp_path / "x.xlsx").write_text("")
    with pytest.raises(InputError, match="unknown format"):
        profile_file(tmp_path / "x.xlsx", tmp_path / "o.json")


def test_profile_with_missing_current_column() -> None:
    prof = profile(_frame(500, 7))
    with pytest.raises(InputError, match=r"'c'.*missing from current"):
        detect(prof, _frame(500, 8).drop(columns=["c"]))


def test_cli_profile_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_modelgate.cli import main

    csv = tmp_path / "ref.csv"
    _frame(300, 9).to_csv(csv, index=False)
    out = tmp_path / "ref.profile.json"
    assert main(["profile", str(csv), "-o", str(out), "--categorical", "k"]) == 0
    assert "3 columns" in capsys.readouterr().out
    prof = Profile.load(out)
    assert prof.columns["k"].kind == "categorical"
    assert prof.n_rows == 300
    assert not detect(prof, _frame(300, 9)).drifted
