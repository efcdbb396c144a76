"""Profiles built on a real local Spark session (local[2]) equal the single-process build."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from profile_checks import assert_same_exact_parts, assert_within_stated_error, make_frame

from pytest_modelgate.drift import profile
from pytest_modelgate.exceptions import InputError

pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
pyspark_sql = pytest.importorskip("pyspark.sql",
                                  reason="pyspark not installed: pip install 'pytest-modelgate[spark]'")


def _java_problem() -> str | None:
    java = shutil.which("java", path=os.path.join(os.environ["JAVA_HOME"], "bin")
                        if os.environ.get("JAVA_HOME") else None) or shutil.which("java")
    if java is None:
        return "no Java runtime (java not on PATH): Spark needs Java 17+ (apt-get install default-jre-headless)"
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"java -version failed: {exc}"
    if out.returncode != 0:
        return f"java -version failed: {out.stderr.strip()[:200]}"
    return None


_PROBLEM = _java_problem()
pytestmark = [
    pytest.mark.skipif(_PROBLEM is not None, reason=str(_PROBLEM)),
    # pyspark warns on every call that it is not yet tested with pandas 3; the results are checked
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

from pytest_modelgate.drift._spark import profile_spark  # noqa: E402


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """local[2]: two executor threads; Python workers run this interpreter (and its packages)."""
    old = {k: os.environ.get(k) for k in ("PYSPARK_PYTHON", "PYSPARK_DRIVER_PYTHON")}
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("modelgate-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        yield session
    finally:
        session.stop()
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_exact_profile_on_spark_equals_the_single_process_one(spark: Any) -> None:
    data = make_frame(20_000, seed=11)
    sdf = spark.createDataFrame(data).repartition(5)
    dist = profile_spark(sdf, fanin=2)  # 5 partials: shuffled tree levels 5 -> 3 -> 2, driver
    whole = profile(data)
    assert whole.exact
    assert dist.exact
    assert_same_exact_parts(dist, whole)


def test_timestamps_keep_their_utc_range_whatever_the_session_time_zone(spark: Any) -> None:
    """Spark hands timestamps to pandas as naive local times of the session time zone; the
    profile still records the UTC range the integrity gate checks, as a single process does."""
    data = make_frame(3_000, seed=14)[["t", "x"]]
    old = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
    try:
        dist = profile_spark(spark.createDataFrame(data).repartition(3))
    finally:
        spark.conf.set("spark.sql.session.timeZone", old)
    assert_same_exact_parts(dist, profile(data))
    assert dist.columns["t"].n_missing == 30


def test_sketched_profile_is_within_its_stated_error(spark: Any) -> None:
    data = make_frame(30_000, seed=12)
    sdf = spark.createDataFrame(data).repartition(6)
    dist = profile_spark(sdf, exact_max=1_000, n_quantiles=513, fanin=3)
    # 6 grids (one step each) -> 2 (one shuffled level) -> 1 on the driver
    assert dist.columns["x"].rank_error == pytest.approx(3 / 512)
    whole = profile(data, exact_max=1_000, n_quantiles=513)
    assert_same_exact_parts(dist, whole)
    assert_within_stated_error(dist, data)


def test_parquet_dataset_through_the_cli(spark: Any, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from pytest_modelgate.cli import main
    from pytest_modelgate.drift import Profile

    data = make_frame(5_000, seed=13)
    data["day"] = np.repeat(["d1", "d2"], 2_500)
    data.to_parquet(tmp_path / "ds", partition_cols=["day"])
    out = tmp_path / "ref.json"
    assert main(["profile", str(tmp_path / "ds"), "-o", str(out), "--engine", "spark"]) == 0
    assert "wrote profile of 6 columns" in capsys.readouterr().out
    loaded = Profile.load(out)
    assert loaded.meta["engine"] == "spark"
    assert loaded.n_rows == 5_000
    assert dict(zip(loaded.columns["day"].categories, loaded.columns["day"].counts.tolist(),
                    strict=True)) == {"d1": 2_500, "d2": 2_500}
    assert_same_exact_parts(Profile(dict(list(loaded.columns.items())[:5]), loaded.n_rows),
                            profile(data.drop(columns="day")))


def test_bad_input_is_a_clear_error(spark: Any) -> None:
    with pytest.raises(InputError, match="pyspark DataFrame"):
        profile_spark(pd.DataFrame({"x": [1.0]}))
    empty = spark.createDataFrame([], "x double")
    with pytest.raises(InputError, match="no rows"):
        profile_spark(empty)
    with pytest.raises(InputError, match="'nope' is not a column"):
        profile_spark(empty, columns=["nope"])
