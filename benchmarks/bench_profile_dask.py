"""Reference profile of a partitioned Parquet dataset: Dask on two workers vs one process.

Writes `--rows` x `--cols` of float64 data (one Parquet file per `--files`, generated a file at a
time so the data never sits in memory whole) to a temporary directory, then builds the profile
from those same files twice, alternating the order over `--repeats`:
  single: `drift.profile_file(DIR)` in this process (pyarrow.dataset, million-row slices);
  dask:   `drift.profile_dask(DIR)` on a `LocalCluster(n_workers=2, threads_per_worker=1,
          processes=True)` started before the timing (cluster start-up is reported apart).
It prints both medians and the ratio dask / single (target <= 1.5), checks that both profiles
agree (counts equal, sketch CDFs within their stated errors of each other) and writes
``benchmarks/results/profile_dask.json``. The machine may be shared: read the ratio.

Run: ``python benchmarks/bench_profile_dask.py [--rows 10000000 --cols 50 --files 20]``
(needs ``pip install 'pytest-modelgate[dask]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np


def write_dataset(root: Path, rows: int, cols: int, files: int, seed: int) -> int:
    """`files` Parquet files of about rows / files rows each; returns the bytes written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    names = [f"f{j:02d}" for j in range(cols)]
    bounds = np.linspace(0, rows, files + 1).astype(int)
    for i in range(files):
        n = int(bounds[i + 1] - bounds[i])
        arrays = [pa.array(rng.normal(j % 7, 1 + j % 3, n)) for j in range(cols)]
        pq.write_table(pa.table(arrays, names=names), root / f"part-{i:04d}.parquet",
                       compression="snappy")
    return sum(p.stat().st_size for p in root.glob("*.parquet"))


def _agree(a: Any, b: Any) -> float:
    """Largest CDF gap between two profiles over every column, in units of their stated error."""
    worst = 0.0
    for name, s in a.columns.items():
        t = b.columns[name]
        assert (s.n, s.n_missing, s.n_values) == (t.n, t.n_missing, t.n_values), name
        grid = np.union1d(s.quantiles, t.quantiles)
        gap = np.max(np.abs(np.interp(grid, s.quantiles, s.probs, left=0, right=1)
                            - np.interp(grid, t.quantiles, t.probs, left=0, right=1)))
        worst = max(worst, float(gap) / (s.rank_error + t.rank_error))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tmp", default=None, help="where to write the dataset (default: TMPDIR)")
    args = parser.parse_args()

    from dask.distributed import Client, LocalCluster

    from pytest_modelgate import drift

    with tempfile.TemporaryDirectory(dir=args.tmp, prefix="modelgate-bench-") as tmp:
        root = Path(tmp) / "data"
        root.mkdir()
        t0 = time.perf_counter()
        size = write_dataset(root, args.rows, args.cols, args.files, args.seed)
        t_write = time.perf_counter() - t0
        print(f"dataset: {args.rows:,} rows x {args.cols} columns in {args.files} Parquet files, "
              f"{size / 2**20:.0f} MiB, written in {t_write:.1f} s", flush=True)
        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0, silence_logs=40)
        client = Client(cluster)
        t_cluster = time.perf_counter() - t0
        print(f"LocalCluster(n_workers=2, threads_per_worker=1) started in {t_cluster:.1f} s",
              flush=True)
        single: list[float] = []
        dask: list[float] = []
        profiles: dict[str, Any] = {}
        try:
            for r in range(args.repeats):
                order = ("single", "dask") if r % 2 == 0 else ("dask", "single")
                for which in order:
                    t0 = time.perf_counter()
                    if which == "single":
                        profiles[which] = drift.profile_file(root, Path(tmp) / "single.json")
                        single.append(time.perf_counter() - t0)
                    else:
                        profiles[which] = drift.profile_dask(root)
                        dask.append(time.perf_counter() - t0)
                    print(f"  repeat {r + 1}: {which:6s} {(single if which == 'single' else dask)[-1]:.1f} s",
                          flush=True)
        finally:
            client.close()
            cluster.close()
    t_single, t_dask = statistics.median(single), statistics.median(dask)
    ratio = t_dask / t_single
    gap = _agree(profiles["dask"], profiles["single"])
    err = max(s.rank_error for s in profiles["dask"].columns.values())
    print(f"single process: {t_single:.1f} s   dask (2 workers): {t_dask:.1f} s   "
          f"ratio dask/single: {ratio:.2f} (target <= 1.5)")
    print(f"profiles agree: largest CDF gap {gap:.2f} x the summed stated errors (must be <= 1); "
          f"dask stated rank error {err:.2g}")
    out = Path(__file__).resolve().parent / "results" / "profile_dask.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "rows": args.rows, "cols": args.cols, "files": args.files, "repeats": args.repeats,
        "dataset_mib": round(size / 2**20, 1), "cluster_start_s": round(t_cluster, 2),
        "single_s": [round(t, 3) for t in single], "dask_s": [round(t, 3) for t in dask],
        "ratio": round(ratio, 3), "cdf_gap_over_error": round(gap, 3),
        "load_average": os.getloadavg(), "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
