"""Simulation behind the `auto` rule: false alarms under no drift and power under known shifts.

Each run draws a reference and a current table of 10 undrifted normal columns and three
shifted ones (mean + 0.05, 0.3 and 0.5 standard deviations), at n rows per side from 100 to
1 000 000, and applies (a) `pytest_modelgate.drift.detect` with its defaults (auto rule, Holm,
alpha 0.05) and (b) Evidently's default rule written from its documented defaults
(`_get_default_stattest`: reference <= 1000 rows -> KS p <= 0.05 per column, no correction;
> 1000 rows -> Wasserstein distance / std(reference) >= 0.1). Reported: the share of null
columns flagged, the share of runs with any null column flagged (family-wise false alarm), and
the flag rate of each shifted column. Seeded; writes benchmarks/results/drift_simulation.json.

Run: ``python benchmarks/drift_simulation.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from pytest_modelgate import drift

N_NULL = 10
SHIFTS = (0.05, 0.3, 0.5)
PLAN = {100: 300, 1000: 300, 1001: 300, 10_000: 100, 100_000: 20, 1_000_000: 4}
QUICK = {100: 100, 1000: 100, 1001: 100, 10_000: 30, 100_000: 5}


def evidently_rule(ref: np.ndarray, cur: np.ndarray) -> bool:
    """Evidently's default numeric-column rule (legacy registry `_get_default_stattest`)."""
    if ref.shape[0] <= 1000:
        return bool(stats.ks_2samp(ref, cur).pvalue <= 0.05)
    sd = max(float(np.std(ref)), 0.001)
    return bool(stats.wasserstein_distance(ref, cur) / sd >= 0.1)


def run(plan: dict[int, int], seed: int = 0) -> list[dict[str, Any]]:
    rows = []
    k = N_NULL + len(SHIFTS)
    shift = np.concatenate([np.zeros(N_NULL), np.asarray(SHIFTS)])
    for n, reps in plan.items():
        rng = np.random.default_rng([seed, n])
        ours = np.zeros((reps, k), dtype=bool)
        evid = np.zeros((reps, k), dtype=bool)
        t0 = time.perf_counter()
        for r in range(reps):
            ref = rng.normal(size=(n, k))
            cur = rng.normal(size=(n, k)) + shift
            res = drift.detect(ref, cur)
            ours[r] = [res.columns[j].drifted for j in range(k)]
            evid[r] = [evidently_rule(ref[:, j], cur[:, j]) for j in range(k)]
        row: dict[str, Any] = {"n": n, "runs": reps, "seconds": time.perf_counter() - t0}
        for label, flags in (("ours", ours), ("evidently", evid)):
            row[f"{label}_null_column_rate"] = float(flags[:, :N_NULL].mean())
            row[f"{label}_any_null_rate"] = float(flags[:, :N_NULL].any(axis=1).mean())
            for j, s in enumerate(SHIFTS):
                row[f"{label}_power_{s}"] = float(flags[:, N_NULL + j].mean())
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| n per side | runs | null columns flagged: ours / Evidently | any of 10 null "
            "columns flagged: ours / Evidently | "
            + " | ".join(f"shift {s} sd flagged: ours / Evidently" for s in SHIFTS) + " |")
    sep = "|" + "---|" * (4 + len(SHIFTS))
    lines = [head, sep]
    for r in rows:
        cells = [f"{r['n']:,}", str(r["runs"]),
                 f"{r['ours_null_column_rate']:.3f} / {r['evidently_null_column_rate']:.3f}",
                 f"{r['ours_any_null_rate']:.3f} / {r['evidently_any_null_rate']:.3f}"]
        cells += [f"{r[f'ours_power_{s}']:.2f} / {r[f'evidently_power_{s}']:.2f}"
                  for s in SHIFTS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                             "drift_simulation.json"))
    args = parser.parse_args()
    rows = run(QUICK if args.quick else PLAN)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"shifts": SHIFTS, "n_null": N_NULL, "rows": rows},
                                         indent=2))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
