"""Reference profiles of data that does not fit one machine, built with Dask (the `dask` extra).

Every partition becomes a partial profile on a worker (`map_partitions`), and the partials merge
through an n-ary tree of tasks (`fanin` per step), so only small summaries travel and the driver
holds one profile. Exact parts (counts, category counts, exact values up to `exact_max`, moments)
equal a single-process build; a grid states its rank error, one grid step per tree level.
Dask is imported only when called; the computation runs on the active `dask.distributed` client
when there is one, else on Dask's default scheduler. Never imports pytest.
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Sequence
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

__all__ = ["profile_dask"]

_FIX = "pip install 'pytest-modelgate[dask]'"


def _require() -> Any:
    try:
        import dask.dataframe as dd
    except ImportError:
        raise InputError(f"engine 'dask' needs dask[dataframe] and distributed: {_FIX}") from None
    return dd


def _partial(frame: Any, options: dict[str, Any]) -> Any:
    """One partition's profile, wrapped in a one-row object Series (None when it has no rows)."""
    import pandas as pd

    part = profile(frame, **options) if len(frame) else None
    return pd.Series([part], dtype=object)


def _combine(*parts: Any) -> Profile | None:
    """One n-ary merge step over partial results (Series from `_partial` or profiles)."""
    profiles: list[Profile] = []
    for p in parts:
        values = p.tolist() if hasattr(p, "tolist") else [p]
        profiles.extend(v for v in values if v is not None)
    return _merge_step(profiles) if profiles else None


def profile_dask(data: Any, *, categorical: Sequence[Hashable] | None = None,
                 columns: Sequence[Hashable] | None = None, exact_max: int = EXACT_MAX,
                 n_quantiles: int = N_QUANTILES, sketch: str = "grid", kll_k: int = KLL_K,
                 fanin: int = MERGE_FANIN) -> Profile:
    """Profile a Dask DataFrame, or a Parquet path (file, directory or glob) Dask reads.

    Same options and result as `profile`, computed partition by partition on the Dask cluster.
    """
    dd = _require()
    if not isinstance(exact_max, int) or exact_max < 0:
        raise ConfigError(f"exact_max must be an int >= 0, got {exact_max!r}")
    if not isinstance(n_quantiles, int) or n_quantiles < 3:
        raise ConfigError(f"n_quantiles must be an int >= 3, got {n_quantiles!r}")
    if isinstance(fanin, bool) or not isinstance(fanin, int) or fanin < 2:
        raise ConfigError(f"fanin must be an int >= 2, got {fanin!r}")
    _check_sketch(sketch, kll_k)
    if isinstance(data, (str, os.PathLike)):
        try:
            data = dd.read_parquet(os.fspath(data))
        except (OSError, ValueError) as exc:
            raise InputError(f"data {os.fspath(data)!r} cannot be read as Parquet by Dask: "
                             f"{' '.join(str(exc).split())}") from None
    if not (hasattr(data, "map_partitions") and hasattr(data, "columns")):
        raise InputError(f"data must be a dask DataFrame or a Parquet path, got "
                         f"{type(data).__name__}; for pandas or numpy data use profile()")
    from ._data import select_columns

    names = list(data.columns)
    chosen = [names[i] for i in select_columns(names, columns)]
    if chosen != names:
        data = data[chosen]
    import dask
    import pandas as pd

    options = {"categorical": list(categorical or ()), "exact_max": exact_max,
               "n_quantiles": n_quantiles, "sketch": sketch, "kll_k": kll_k}
    partials = data.map_partitions(_partial, options, meta=pd.Series(dtype=object),
                                   enforce_metadata=False, align_dataframes=False)
    level: list[Any] = list(partials.to_delayed())
    combine = dask.delayed(_combine, pure=True)
    while len(level) > fanin:
        level = [combine(*level[i:i + fanin]) for i in range(0, len(level), fanin)]
    result = combine(*level).compute()
    if result is None:
        raise InputError("data has no rows: a profile needs reference rows")
    return merge_profiles([result])
