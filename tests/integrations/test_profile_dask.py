"""Profiles built on a real Dask cluster (two worker processes) equal the single-process build."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from profile_checks import assert_same_exact_parts, assert_within_stated_error, make_frame

from pytest_modelgate.drift import Profile, profile
from pytest_modelgate.exceptions import InputError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
dd = pytest.importorskip("dask.dataframe",
                         reason="dask not installed: pip install 'pytest-modelgate[dask]'")
distributed = pytest.importorskip("distributed",
                                  reason="distributed not installed: pip install 'pytest-modelgate[dask]'")

from pytest_modelgate.drift._dask import profile_dask  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A real LocalCluster: two worker processes, one thread each (partials cross processes)."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as c:
        yield c


def test_exact_profile_on_the_cluster_equals_the_single_process_one(client: Any) -> None:
    data = make_frame(20_000, seed=1)
    ddf = dd.from_pandas(data, npartitions=9)
    dist = profile_dask(ddf, fanin=2)  # 9 partials: a 4-level tree
    whole = profile(data)
    assert whole.exact
    assert dist.exact
    assert_same_exact_parts(dist, whole)
    # the work ran on both worker processes, not in this one
    assert len(client.scheduler_info()["workers"]) == 2


def test_sketched_profile_is_within_its_stated_error(client: Any) -> None:
    data = make_frame(30_000, seed=2)
    ddf = dd.from_pandas(data, npartitions=12)
    dist = profile_dask(ddf, exact_max=1_000, n_quantiles=513, fanin=3)
    # 12 grids (one step each) -> 4 -> 2 -> 1: three merge levels, one step each
    assert dist.columns["x"].rank_error == pytest.approx(4 / 512)
    whole = profile(data, exact_max=1_000, n_quantiles=513)
    assert_same_exact_parts(dist, whole)
    assert_within_stated_error(dist, data)


def test_partitioned_parquet_directory_and_columns(client: Any, tmp_path: Path) -> None:
    data = make_frame(8_000, seed=3)
    data["day"] = np.repeat(["d1", "d2", "d3", "d4"], 2_000)
    data.to_parquet(tmp_path / "ds", partition_cols=["day"])
    dist = profile_dask(tmp_path / "ds", columns=["x", "c"])
    whole = profile(data[["x", "c"]])
    assert_same_exact_parts(dist, whole)
    with pytest.raises(InputError, match="'nope' is not a column"):
        profile_dask(tmp_path / "ds", columns=["nope"])


def test_saved_profile_round_trips_and_detects_like_the_whole(client: Any,
                                                               tmp_path: Path) -> None:
    from pytest_modelgate.drift import detect

    data = make_frame(6_000, seed=4)
    cur = make_frame(3_000, seed=5)
    dist = profile_dask(dd.from_pandas(data, npartitions=4))
    b = detect(data, cur).columns
    assert b["t"].skipped  # datetimes: not tested, but kept (range, nulls) for the schema
    for fmt in ("npz", "json"):
        loaded = Profile.load(dist.save(tmp_path / f"ref.{fmt}"))
        assert_same_exact_parts(loaded, dist)
        a = detect(loaded, cur).columns
        for name in a:
            assert (a[name].test, a[name].skipped) == (b[name].test, b[name].skipped), name
            if b[name].p_value is None:
                assert a[name].p_value is None, name
            else:
                assert a[name].p_value == pytest.approx(b[name].p_value, rel=1e-9), name


def test_bad_input_is_a_clear_error(client: Any) -> None:
    with pytest.raises(InputError, match="dask DataFrame or a Parquet path"):
        profile_dask([[1, 2], [3, 4]])
    empty = dd.from_pandas(pd.DataFrame({"x": np.array([], dtype=float)}), npartitions=1)
    with pytest.raises(InputError, match="no rows"):
        profile_dask(empty)


def test_cli_engine_dask_on_the_cluster(client: Any, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_modelgate.cli import main

    data = make_frame(4_000, seed=6)
    ds = tmp_path / "ds"
    ds.mkdir()
    for i in range(4):
        data.iloc[i * 1_000:(i + 1) * 1_000].to_parquet(ds / f"part-{i}.parquet")
    out = tmp_path / "ref.json"
    args = ["profile", str(ds), "-o", str(out), "--engine", "dask",
            "--scheduler", client.scheduler.address]
    assert main(args) == 0
    assert "wrote profile of 5 columns" in capsys.readouterr().out
    prof = Profile.load(out)
    assert prof.meta == {"source": "ds", "engine": "dask"}
    assert_same_exact_parts(prof, profile(data))
    assert main(["profile", str(ds), "-o", str(out), "--engine", "dask",
                 "--scheduler", "nosuch://127.0.0.1:9"]) == 2
    assert "--scheduler nosuch://127.0.0.1:9: cannot connect" in capsys.readouterr().err
