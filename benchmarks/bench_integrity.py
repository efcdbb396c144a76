"""Integrity checks against `pandas.DataFrame.duplicated`, measured in the same run.

Data: the shared generator's mixed table (`../shared/bench/drift_data.py`: 80% float64 columns,
20% pandas categoricals), one frame of `--rows` x `--cols` plus an integer label column; its
first 80% of rows is train, the rest test, with 20 train rows copied into test. Timed, best of
`--repeats` (the machine is shared; the minimum is the least disturbed run), interleaved:

- reference: `frame.duplicated()` on the whole frame (pandas' own row hashing);
- integrity: `gate.integrity(train, test, target="label")` with the duplicate, label-conflict
  and schema checks (schema, null_rate, range, new_categories), as a gate test runs them;
- for information: near-duplicates and leakage on their own.

Prints the ratio integrity / reference (the acceptance line: within 3x).
Run: ``python benchmarks/bench_integrity.py [--rows 1000000 --cols 50 --repeats 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# ../shared/bench from the checkout (also from a worktree one level deeper)
BENCH_DIR = next((p / "shared" / "bench" for p in Path(__file__).resolve().parents
                  if (p / "shared" / "bench" / "drift_data.py").exists()),
                 Path(__file__).resolve().parents[2] / "shared" / "bench")
sys.path.insert(0, str(Path(os.environ.get("MODELGATE_SHARED_BENCH", BENCH_DIR))))

from drift_data import make_data  # noqa: E402

from pytest_modelgate.gates._recorder import Gate, GateContext  # noqa: E402

CHECKS = ["duplicates", "label_conflicts", "split_label_conflicts", "schema", "null_rate",
          "range", "new_categories"]


def best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "integrity.json"))
    args = ap.parse_args()

    frame, _, meta = make_data(args.rows, args.cols)
    rng = np.random.default_rng(7)
    frame["label"] = rng.integers(0, 2, args.rows)
    cut = int(args.rows * 0.8)
    train = frame.iloc[:cut].reset_index(drop=True)
    test = frame.iloc[cut:].reset_index(drop=True)
    at = np.sort(rng.choice(len(test), 20, replace=False))
    test.iloc[at] = train.iloc[rng.choice(cut, 20, replace=False)].to_numpy()
    for c in meta["cat_cols"]:
        test[c] = test[c].astype(train[c].dtype)
    frame = None  # the reference is timed on the same rows, rebuilt below
    import pandas as pd

    whole = pd.concat([train, test], ignore_index=True)

    def reference() -> Any:
        return whole.duplicated()

    def checks() -> Any:
        return Gate(GateContext()).integrity(train, test, target="label", checks=CHECKS)

    t_ref = t_int = float("inf")
    res: Any = None
    for _ in range(args.repeats):  # interleaved: both see the same machine load
        t, _ = best(reference, 1)
        t_ref = min(t_ref, t)
        t, res = best(checks, 1)
        t_int = min(t_int, t)
    t_near, near = best(lambda: Gate(GateContext()).integrity(
        train, test, target="label", checks=["near_duplicates"]), 1)
    t_leak, leak = best(lambda: Gate(GateContext()).integrity(
        train, test, target="label", checks=["leakage"]), 1)
    dup = res["duplicates"]
    assert dup.details["count"] == 20, dup.message
    assert dup.details["examples"] == at[:5].tolist()
    ratio = t_int / t_ref
    out = {"rows": args.rows, "cols": args.cols + 1, "repeats": args.repeats,
           "pandas_duplicated_s": t_ref, "integrity_s": t_int, "ratio": ratio,
           "near_duplicates_s": t_near, "leakage_s": t_leak,
           "verdicts": {k: r.verdict for k, r in res.items()},
           "numpy": np.__version__, "pandas": pd.__version__}
    print(f"{args.rows:,} x {args.cols + 1} ({len(train):,} train / {len(test):,} test rows)")
    print(f"  pandas DataFrame.duplicated (whole frame): {t_ref:.3f} s")
    print(f"  integrity (duplicates + conflicts + schema): {t_int:.3f} s")
    print(f"  ratio: {ratio:.2f}x  (acceptance: <= 3x)")
    print(f"  near_duplicates alone: {t_near:.3f} s; leakage alone ({leak['leakage'].n:,} rows "
          f"sampled): {t_leak:.3f} s")
    print(f"  duplicates: {dup.message[:120]}")
    print(f"  near: {near['near_duplicates'].verdict}; verdicts: {out['verdicts']}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
