"""Reference profiles of data that does not fit one machine, built with Apache Spark (the `spark`
extra).

`mapInPandas` turns every partition into one serialized partial profile on an executor; the
partials then merge through an n-ary tree, like `treeAggregate` but `fanin` partials per step
(a shuffle of small blobs per level), so the driver receives at most `fanin` summaries. Exact
parts equal a single-process build; a grid states its rank error, one grid step per tree level.
Timestamps travel as UTC microseconds, whatever the session time zone. pyspark is imported only
when called. Never imports pytest.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any

from pytest_modelgate.exceptions import ConfigError, InputError

from ._kll import KLL_K
from ._profile import (
    EXACT_MAX,
    MERGE_FANIN,
    N_QUANTILES,
    Profile,
    _check_sketch,
    _merge_step,
    merge_profiles,
    profile,
)

__all__ = ["profile_spark"]

_FIX = "pip install 'pytest-modelgate[spark]' (and a Java 17+ runtime)"
_SCHEMA = "profile binary"


def _require() -> Any:
    try:
        import pyspark.sql
    except ImportError:
        raise InputError(f"engine 'spark' needs pyspark: {_FIX}") from None
    return pyspark.sql


def _partition_profile(batches: Iterable[Any], options: dict[str, Any],
                       micros: Sequence[str] = ()) -> Iterator[Any]:
    """mapInPandas body: the partition's Arrow batches as one frame, profiled once (so it equals
    a single-process profile of the partition); nothing for an empty partition. Columns in
    `micros` arrive as microseconds since the epoch and become UTC timestamps again."""
    import pandas as pd

    frames = [b for b in batches if len(b)]
    if frames:
        frame = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
        for c in micros:
            frame[c] = pd.to_datetime(frame[c], unit="us", utc=True)
        yield pd.DataFrame({"profile": [profile(frame, **options).to_bytes()]})


def _utc_timestamps(data: Any) -> tuple[Any, list[str]]:
    """`data` with its TimestampType columns as microseconds since the epoch, and their names:
    Spark would hand them to pandas as naive local times of the session time zone (ambiguous
    around DST changes), while a profile records instants in UTC."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampType

    micros = [f.name for f in data.schema.fields if isinstance(f.dataType, TimestampType)]
    if micros:
        data = data.select(*[F.unix_micros(F.col(c)).alias(c) if c in micros else F.col(c)
                             for c in data.columns])
    return data, micros


def _merge_blobs(blobs: Iterable[bytes]) -> bytes:
    """One n-ary merge step of serialized partial profiles."""
    parts = [Profile.from_bytes(bytes(b), source="a partial profile") for b in blobs]
    return _merge_step(parts).to_bytes()


def profile_spark(data: Any, *, categorical: Sequence[Hashable] | None = None,
                  columns: Sequence[Hashable] | None = None, exact_max: int = EXACT_MAX,
                  n_quantiles: int = N_QUANTILES, sketch: str = "grid", kll_k: int = KLL_K,
                  fanin: int = MERGE_FANIN) -> Profile:
    """Profile a Spark DataFrame (columns as Spark reads them: strings and booleans become
    categorical, numbers numeric). Same options and result as `profile`."""
    _require()
    if not isinstance(exact_max, int) or exact_max < 0:
        raise ConfigError(f"exact_max must be an int >= 0, got {exact_max!r}")
    if not isinstance(n_quantiles, int) or n_quantiles < 3:
        raise ConfigError(f"n_quantiles must be an int >= 3, got {n_quantiles!r}")
    if isinstance(fanin, bool) or not isinstance(fanin, int) or fanin < 2:
        raise ConfigError(f"fanin must be an int >= 2, got {fanin!r}")
    _check_sketch(sketch, kll_k)
    if not (hasattr(data, "mapInPandas") and hasattr(data, "rdd")):
        raise InputError(f"data must be a pyspark DataFrame, got {type(data).__name__}; for "
                         f"pandas or numpy data use profile()")
    from ._data import select_columns

    names: list[Hashable] = list(data.columns)
    chosen = [str(names[i]) for i in select_columns(names, columns)]
    if chosen != names:
        data = data.select(*chosen)
    options = {"categorical": list(categorical or ()), "exact_max": exact_max,
               "n_quantiles": n_quantiles, "sketch": sketch, "kll_k": kll_k}

    data, micros = _utc_timestamps(data)

    def per_partition(batches: Iterable[Any]) -> Iterator[Any]:
        return _partition_profile(batches, options, micros)

    rdd = data.mapInPandas(per_partition, schema=_SCHEMA).rdd.map(lambda row: bytes(row[0]))
    n_parts = rdd.getNumPartitions()
    while n_parts > fanin:  # one level of the tree: fanin neighbouring partials per task
        n_parts = -(-n_parts // fanin)
        rdd = (rdd.mapPartitionsWithIndex(lambda i, it: ((i // fanin, b) for b in it))
               .groupByKey(numPartitions=n_parts)
               .map(lambda kv: _merge_blobs(kv[1])))
    blobs = rdd.collect()
    if not blobs:
        raise InputError("data has no rows: a profile needs reference rows")
    return merge_profiles([Profile.from_bytes(b, source="a partial profile") for b in blobs])
