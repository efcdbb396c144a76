"""`modelgate profile --merge A B ... -o OUT`, Parquet dataset directories, and the n-ary merge:
the same profile as one pass over all rows (exact parts), within the stated error (sketches)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from profile_checks import assert_same_exact_parts, assert_within_stated_error, make_frame

from pytest_modelgate.cli import main
from pytest_modelgate.drift import Profile, profile
from pytest_modelgate.drift._profile import MERGE_FANIN, ProfileMerger, merge_profiles
from pytest_modelgate.exceptions import ConfigError, InputError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
pytest.importorskip("pyarrow", reason="pyarrow not installed: pip install 'pytest-modelgate[pandas]'")


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["profile", *args]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_merge_command_equals_one_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_frame(9_000, seed=21)
    paths = []
    for i in range(3):
        part = tmp_path / f"part{i}.parquet"
        data.iloc[i * 3_000:(i + 1) * 3_000].to_parquet(part)
        assert main(["profile", str(part), "-o", str(tmp_path / f"p{i}.json")]) == 0
        paths.append(str(tmp_path / f"p{i}.json"))
    out = tmp_path / "merged.json"
    assert main(["profile", "--merge", *paths, "-o", str(out)]) == 0
    assert "merged 3 profiles (9,000 rows, 5 columns)" in capsys.readouterr().out
    merged = Profile.load(out)
    assert_same_exact_parts(merged, profile(data))
    assert merged.meta["merged_from"] == ["p0.json", "p1.json", "p2.json"]


def test_tree_merge_of_sketches_states_its_error() -> None:
    data = make_frame(40_000, seed=22)
    parts = [profile(data.iloc[i:i + 1_000], exact_max=500, n_quantiles=257)
             for i in range(0, 40_000, 1_000)]
    merged = merge_profiles(parts, fanin=4)
    # 40 grids (one step each) -> 10 -> 3 -> 1: three merge levels, one grid step each
    assert merged.columns["x"].rank_error == pytest.approx(4 / 256)
    assert_same_exact_parts(merged, profile(data, exact_max=500, n_quantiles=257))
    assert_within_stated_error(merged, data)
    # the pairwise chain the old code used grows by one step per part: 40 steps
    chain = parts[0]
    for p in parts[1:]:
        chain = chain.merge(p)
    assert chain.columns["x"].rank_error == pytest.approx(40 / 256)


def test_streaming_merger_holds_few_parts_and_skips_empty_ones() -> None:
    data = make_frame(3_000, seed=23)
    merger = ProfileMerger(fanin=3)
    for i in range(0, 3_000, 100):
        merger.add(profile(data.iloc[i:i + 100]))
        merger.add(None)
        assert sum(len(b) for b in merger._levels) < 3 * len(merger._levels)
    assert_same_exact_parts(merger.result(), profile(data))
    with pytest.raises(InputError, match="no rows"):
        ProfileMerger().result()
    with pytest.raises(ConfigError, match="fanin must be an int >= 2"):
        ProfileMerger(1)
    assert MERGE_FANIN >= 2


def test_partitioned_parquet_directory(tmp_path: Path) -> None:
    data = make_frame(6_000, seed=24)
    data["day"] = np.repeat(["2026-11-01", "2026-11-02", "2026-11-03"], 2_000)
    data.to_parquet(tmp_path / "ds", partition_cols=["day"])
    (tmp_path / "ds" / "_SUCCESS").write_text("")  # Spark's marker file is not data
    out = tmp_path / "ref.json"
    assert main(["profile", str(tmp_path / "ds"), "-o", str(out)]) == 0
    prof = Profile.load(out)
    assert_same_exact_parts(Profile(dict(list(prof.columns.items())[:5]), prof.n_rows),
                            profile(data.drop(columns="day")))
    day = prof.columns["day"]
    assert dict(zip(day.categories, day.counts.tolist(), strict=True)) == {
        "2026-11-01": 2_000, "2026-11-02": 2_000, "2026-11-03": 2_000}


def test_unknown_sections_pass_through_load_merge_and_save(tmp_path: Path) -> None:
    data = make_frame(2_000, seed=25)
    a, b = profile(data.iloc[:1_000]), profile(data.iloc[1_000:])
    doc = a.to_dict()
    doc["x_team_notes"] = {"owner": "risk", "tags": ["q4"]}  # a section no version interprets
    (tmp_path / "a.json").write_text(json.dumps(doc))
    b.save(tmp_path / "b.json")
    loaded = Profile.load(tmp_path / "a.json")
    assert loaded.to_dict()["x_team_notes"] == doc["x_team_notes"]
    assert Profile.from_bytes(loaded.to_bytes()).extra == {"x_team_notes": doc["x_team_notes"]}
    out = tmp_path / "m.json"
    assert main(["profile", "--merge", str(tmp_path / "b.json"), str(tmp_path / "a.json"),
                 "-o", str(out)]) == 0
    merged = json.loads(out.read_text())
    assert merged["x_team_notes"] == doc["x_team_notes"]
    # the schema section is known: a merged profile stores the one inferred from all its rows
    assert merged["schema"] == profile(data).to_dict()["schema"]


def test_bad_invocations_are_one_line_exit_2(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = make_frame(500, seed=26)
    data.to_parquet(tmp_path / "d.parquet")
    profile(data).save(tmp_path / "a.json")
    profile(data[["x", "k"]]).save(tmp_path / "b.json")
    out = str(tmp_path / "o.json")
    assert "not both" in _error(capsys, str(tmp_path / "d.parquet"), "--merge",
                                str(tmp_path / "a.json"), "-o", out)
    assert "give DATA to profile, or --merge" in _error(capsys, "-o", out)
    assert "different columns" in _error(capsys, "--merge", str(tmp_path / "a.json"),
                                         str(tmp_path / "b.json"), "-o", out)
    assert "not found" in _error(capsys, "--merge", str(tmp_path / "nope.json"), "-o", out)
    assert "--scheduler is for --engine dask" in _error(
        capsys, str(tmp_path / "d.parquet"), "-o", out, "--scheduler", "tcp://127.0.0.1:1")
    (tmp_path / "empty").mkdir()
    assert "holds no Parquet files" in _error(capsys, str(tmp_path / "empty"), "-o", out)
    assert not Path(out).exists()


@pytest.mark.skipif(importlib.util.find_spec("dask") is not None,
                    reason="checks the message shown when dask is absent")
def test_dask_engine_without_dask_names_the_extra(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    make_frame(100, seed=27).to_parquet(tmp_path / "d.parquet")
    line = _error(capsys, str(tmp_path / "d.parquet"), "-o", str(tmp_path / "o.json"),
                  "--engine", "dask")
    assert "pip install 'pytest-modelgate[dask]'" in line


def test_binary_and_json_profiles_on_the_command_line(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """`-o x.npz` writes the binary form, `-o x.json` JSON; `--merge` takes both; a damaged
    input is one line, exit 2, and nothing is written."""
    data = make_frame(900, seed=31)
    for i, part in enumerate((data.iloc[:300], data.iloc[300:600], data.iloc[600:])):
        part.to_parquet(tmp_path / f"p{i}.parquet")
    assert main(["profile", str(tmp_path / "p0.parquet"), "-o", str(tmp_path / "a.npz")]) == 0
    assert main(["profile", str(tmp_path / "p1.parquet"), "-o", str(tmp_path / "b.json")]) == 0
    assert main(["profile", str(tmp_path / "p2.parquet"), "-o", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    assert (tmp_path / "a.npz").read_bytes()[:4] == b"PK\x03\x04"
    assert (tmp_path / "b.json").read_bytes()[:1] == b"{"
    assert (tmp_path / "c").read_bytes()[:4] == b"PK\x03\x04"
    out = tmp_path / "merged.npz"
    assert main(["profile", "--merge", str(tmp_path / "a.npz"), str(tmp_path / "b.json"),
                 str(tmp_path / "c"), "-o", str(out)]) == 0
    assert "merged 3 profiles (900 rows" in capsys.readouterr().out
    merged = Profile.load(out)
    assert merged.meta["merged_from"] == ["a.npz", "b.json", "c"]
    assert_same_exact_parts(merged, profile(data))
    (tmp_path / "bad.npz").write_bytes((tmp_path / "a.npz").read_bytes()[:200])
    target = tmp_path / "never.npz"
    line = _error(capsys, "--merge", str(tmp_path / "a.npz"), str(tmp_path / "bad.npz"),
                  "-o", str(target))
    assert "bad.npz" in line
    assert "damaged binary profile" in line
    assert not target.exists()
