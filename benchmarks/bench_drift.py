"""Drift engine speed and memory against references measured in the same run.

On the shared generator's mixed tables (`../shared/bench/drift_data.py`, 80% numeric, 20%
categorical, 26% of columns drifted) it times, per size, the median of `--repeats` runs of:
a bare `np.sort` of every numeric column of both frames (the floor), the plain scipy loop
(`ks_2samp` + `chi2_contingency`, the shared `tool_scipy`), and `drift.detect` with default
settings (also with every exact p-value materialised, through `gate.drift` with its report,
on one thread, against a cached exact profile, and against the default profile, which is a
quantile sketch above 100 000 rows).
Peak memory of `detect` is the peak of bytes allocated during the call (tracemalloc, which
sees numpy's buffers), compared with the bytes of both input frames. It also times the
p-value trap: many mildly drifted columns at 1M rows, flags from critical values vs p-values,
and the gate's report (exact p-values only where cheap or near a threshold). The budgeted rows
"all p-values read / flags only" (issue 12: <= 1.5x at 1M x 50, also printed at 100k x 50) time
`detect(...).to_dict()` against `detect` in interleaved rounds. Saved profiles
(`--profile-files`): JSON and .npz file sizes and save/load times, and (load + detect) / detect on
the raw reference (issue 12: <= 1.2x for the binary file), interleaved rounds. The script exits 1
when a budgeted row is over.

Run: ``python benchmarks/bench_drift.py [--sizes 10000x20,10000x50,100000x50,1000000x50]``
(``--sizes '' --repeats 3`` for the p-value rows alone).
Issue 12's target for 10 000 x 50: detect <= 3x the sort floor (also printed as the ratio of the
minimum times of interleaved rounds, which a loaded machine disturbs least).
Writes ``benchmarks/results/drift.json``. The machine may be shared: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench"
sys.path.insert(0, str(Path(os.environ.get("MODELGATE_SHARED_BENCH", BENCH_DIR))))

from drift_data import make_data, tool_scipy  # noqa: E402

from pytest_modelgate import drift  # noqa: E402
from pytest_modelgate.gates._recorder import Gate, GateContext  # noqa: E402

# Peer figures from ../shared/bench/README.md (same machine, earlier session; numpy 1.26 env).
CITED = {
    (10_000, 20): {"evidently": 2.43, "alibi": 0.069, "nannyml": 0.87},
    (100_000, 50): {"evidently": 23.5, "alibi": 1.62, "nannyml": 4.34},
    (1_000_000, 50): {"evidently": 288.0, "alibi": 19.1, "nannyml": 21.6},
}


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def interleaved_min_ratio(reference: Callable[[], Any], candidate: Callable[[], Any],
                          repeats: int) -> float:
    """min candidate time / min reference time over interleaved rounds (steady under load)."""
    ref, cand = [], []
    for _ in range(repeats):
        ref.append(timed(reference, 1)[0])
        cand.append(timed(candidate, 1)[0])
    return min(cand) / min(ref)


def floor(ref: Any, cur: Any, meta: dict[str, Any]) -> None:
    for df in (ref, cur):
        for c in meta["num_cols"]:
            np.sort(df[c].to_numpy())


def peak_extra_mib(fn: Callable[[], Any]) -> float:
    """Peak bytes allocated during `fn` above what was allocated before (tracemalloc, which
    numpy reports its array buffers to), in MiB."""
    import tracemalloc

    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return (peak - base) / 2**20


def frame_mib(*frames: Any) -> float:
    return float(sum(int(df.memory_usage(deep=False).sum()) for df in frames)) / 2**20


def bench_size(n: int, c: int, repeats: int) -> dict[str, Any]:
    ref, cur, meta = make_data(n, c)
    drift.detect(ref.iloc[:1000], cur.iloc[:1000])  # warm imports and caches
    row: dict[str, Any] = {"n": n, "c": c, "n_numeric": len(meta["num_cols"]),
                           "n_categorical": len(meta["cat_cols"])}
    row["floor_s"], _ = timed(lambda: floor(ref, cur, meta), repeats)
    row["scipy_s"], sc = timed(lambda: tool_scipy(ref, cur, meta), repeats)
    row["detect_s"], res = timed(lambda: drift.detect(ref, cur), repeats)
    row["detect_1thread_s"], _ = timed(lambda: drift.detect(ref, cur, n_jobs=1), repeats)
    row["detect_with_pvalues_s"], _ = timed(
        lambda: (forget_pvalues(), drift.detect(ref, cur).to_dict()), repeats)
    row["gate_s"], _ = timed(lambda: Gate(GateContext(nodeid="bench")).drift(ref, cur), repeats)
    row["profile_build_s"], prof = timed(lambda: drift.profile(ref, exact_max=n), 1)
    row["detect_cached_profile_s"], _ = timed(lambda: drift.detect(prof, cur), repeats)
    prof = None  # release the sorted reference before measuring memory
    # the default profile: exact up to 100 000 values per column, a 4097-point sketch above
    row["sketch_profile_build_s"], sprof = timed(lambda: drift.profile(ref), 1)
    row["detect_default_profile_s"], sres = timed(lambda: drift.detect(sprof, cur), repeats)
    row["default_profile_flags_exact"] = (sorted(str(k) for k in sres.drifted_columns)
                                          == sorted(meta["drifted"]))
    sprof = sres = None
    flagged = sorted(str(k) for k in res.drifted_columns)
    row["flags_exact"] = flagged == sorted(meta["drifted"])
    row["share_drifted"] = res.share_drifted
    # agreement with scipy on the same columns
    d = res.to_dict()["columns"]
    by = {x["name"]: x for x in d}
    row["max_abs_dstat_vs_scipy"] = max(abs(by[k]["statistic"] - v["stat"])
                                        for k, v in sc.items() if k in by)
    row["max_abs_dp_vs_scipy"] = max(abs(by[k]["p_value"] - v["p"])
                                     for k, v in sc.items() if k in by)
    row["scipy_uncorrected_flags"] = sum(v["flag"] for v in sc.values())
    row["input_mib"] = frame_mib(ref, cur)
    row["detect_peak_extra_mib"] = peak_extra_mib(lambda: drift.detect(ref, cur))
    row["ratio_detect_over_floor"] = row["detect_s"] / row["floor_s"]
    row["ratio_detect_over_floor_min_interleaved"] = interleaved_min_ratio(
        lambda: floor(ref, cur, meta), lambda: drift.detect(ref, cur), max(repeats, 7))
    row["speedup_vs_scipy"] = row["scipy_s"] / row["detect_s"]
    for tool, secs in CITED.get((n, c), {}).items():
        row[f"cited_{tool}_s"] = secs
        row[f"cited_speedup_vs_{tool}"] = secs / row["detect_s"]
    return row


#: issue 12's budget for loading a saved profile and detecting against it, over raw detect
PROFILE_FILE_BUDGET = 1.2


def profile_files(n: int, c: int, kind: str, repeats: int) -> dict[str, Any]:
    """A saved profile as CI uses it: file sizes and save times of JSON and the binary .npz, and
    (load + detect) / (detect on the raw reference), min of interleaved rounds."""
    import tempfile

    ref, cur, _ = make_data(n, c)
    drift.detect(ref.iloc[:1000], cur.iloc[:1000])  # warm imports and caches
    prof = drift.profile(ref, exact_max=n) if kind == "exact" else drift.profile(ref)
    row: dict[str, Any] = {"n": n, "c": c, "profile": kind, "exact": prof.exact,
                           "budget": PROFILE_FILE_BUDGET}
    with tempfile.TemporaryDirectory() as tmp:
        paths = {fmt: Path(tmp) / f"reference.{fmt}" for fmt in ("npz", "json")}
        for fmt, path in paths.items():
            row[f"{fmt}_save_s"], _ = timed(lambda p=path: prof.save(p), 1)
            row[f"{fmt}_mib"] = path.stat().st_size / 2**20
        prof = None  # only the files from here on
        rounds = max(repeats, 5)
        raw, loaded = [], {fmt: [] for fmt in paths}
        for _ in range(rounds):
            raw.append(timed(lambda: drift.detect(ref, cur), 1)[0])
            for fmt, path in paths.items():
                loaded[fmt].append(timed(lambda p=path: drift.detect(drift.Profile.load(p), cur),
                                         1)[0])
        row["raw_detect_s"] = min(raw)
        for fmt, path in paths.items():
            row[f"{fmt}_load_s"], _ = timed(lambda p=path: drift.Profile.load(p), rounds)
            row[f"{fmt}_load_detect_s"] = min(loaded[fmt])
            row[f"ratio_{fmt}_load_detect_over_raw"] = min(loaded[fmt]) / min(raw)
    row["npz_ok"] = row["ratio_npz_load_detect_over_raw"] <= PROFILE_FILE_BUDGET
    return row


def run_peer(python: str, tool: str, n: int, c: int, repeats: int) -> dict[str, Any] | None:
    """Time a peer in its own environment (`drift_peers.py`), on the same seeded table."""
    import subprocess

    script = Path(__file__).with_name("drift_peers.py")
    try:
        proc = subprocess.run([python, str(script), tool, str(n), str(c), str(repeats)],
                              capture_output=True, text=True, check=True, timeout=3600)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"peer {tool} at {n}x{c} failed: {exc}", file=sys.stderr)
        return None
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


#: issue 12: reading every p-value at 1M x 50 costs at most this much more than flags only
PVALUES_BUDGET = 1.5


def forget_pvalues() -> None:
    """Drop the engine's cache of large-sample KS p-values, so each timing computes its own."""
    from pytest_modelgate.drift import _ks

    _ks._P_CACHE.clear()


def pvalue_trap(n: int, k: int) -> dict[str, Any]:
    """k mildly drifted columns (D in [0.0025, 0.008]): flags from critical values vs p-values."""
    rng = np.random.default_rng(11)
    ref = rng.normal(size=(n, k))
    cur = rng.normal(size=(n, k)) + np.linspace(0.006, 0.02, k)
    t0 = time.perf_counter()
    res = drift.detect(ref, cur, method="ks")
    t_flags = time.perf_counter() - t0
    t0 = time.perf_counter()
    gate = Gate(GateContext(nodeid="bench")).drift(ref, cur, method="ks", max_share=1.0)
    t_gate = time.perf_counter() - t0
    forget_pvalues()  # the gate computed some of them
    t0 = time.perf_counter()
    ps = [c.p_value for c in res.columns.values()]
    t_p = time.perf_counter() - t0
    cols = gate.details["columns"].values()
    exact = sum(1 for c in cols if c["p_value"] is not None)
    same = all(c["p_value"] == p for c, p in zip(cols, ps, strict=True))
    ratio = (t_flags + t_p) / t_flags
    return {"n": n, "columns": k, "detect_flags_s": t_flags, "pvalues_s": t_p,
            "ratio_all_pvalues_over_flags": ratio, "budget": PVALUES_BUDGET,
            "within_budget": ratio <= PVALUES_BUDGET, "gate_s": t_gate,
            "gate_over_flags": t_gate / t_flags, "gate_exact_pvalues": exact,
            "gate_pvalues_equal_detect": same,
            "min_p": min(p for p in ps if p is not None),
            "flagged": len(res.drifted_columns)}


def pvalue_ratio(n: int, c: int, repeats: int) -> dict[str, Any]:
    """All p-values read (`detect(...).to_dict()`, which forces every deferred KS p-value and the
    adjusted ones) against flags only (`detect`), interleaved rounds on the shared table."""
    ref, cur, _meta = make_data(n, c)
    drift.detect(ref.iloc[:1000], cur.iloc[:1000])  # warm imports and caches
    flags, both, reads, shares = [], [], [], []
    for _ in range(repeats):
        forget_pvalues()
        flags.append(timed(lambda: drift.detect(ref, cur), 1)[0])
        forget_pvalues()
        t_detect, res = timed(lambda: drift.detect(ref, cur), 1)
        t_read, _ = timed(res.to_dict, 1)  # detect(...).to_dict(), timed in its two parts
        both.append(t_detect + t_read)
        reads.append(t_read)
        shares.append(t_read / t_detect)
    res = drift.detect(ref, cur)
    from pytest_modelgate.drift._ks import _in_series_branch, effective_n

    deferred = [col for col in res.columns.values() if col._pv is not None
                and col._pv._outcomes[col._pos].p_value is None]
    # columns whose p-value scipy computes by its one-sided Smirnov series (~1 s each at 1M)
    series = sum(1 for col in deferred if col.statistic is not None
                 and _in_series_branch(col.statistic, effective_n(col.n_reference,
                                                                  col.n_current)))
    ratio_min = min(both) / min(flags)
    return {"n": n, "c": c, "flags_s": statistics.median(flags),
            "all_pvalues_s": statistics.median(both), "ratio_median":
            statistics.median(both) / statistics.median(flags), "ratio_min": ratio_min,
            "read_pvalues_s": statistics.median(reads),
            "read_over_same_detect": statistics.median(shares),
            "deferred_pvalues": len(deferred), "smirnov_series_pvalues": series, "budget": PVALUES_BUDGET if n >= 1_000_000 else None,
            "within_budget": ratio_min <= PVALUES_BUDGET if n >= 1_000_000 else None}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000x20,10000x50,100000x50,1000000x50")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--trap", default="1000000x8", help="NxK for the p-value trap, or ''")
    parser.add_argument("--pvalue-sizes", default="100000x50,1000000x50",
                        help="NxC tables for the 'all p-values read / flags only' rows, or ''")
    parser.add_argument("--profile-files", default="100000x50:exact,1000000x50:sketch",
                        help="NxC:exact|sketch sizes for the saved-profile rows, or ''")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "drift.json"))
    parser.add_argument("--peers", default="", help="python of a venv with alibi-detect and "
                        "evidently (numpy < 2); peers run there, right after our timings")
    parser.add_argument("--peer-sizes", default="alibi:1000000x50,evidently:100000x50",
                        help="tool:NxC pairs to run the peers at")
    args = parser.parse_args()
    peer_plan: dict[tuple[int, int], list[str]] = {}
    for item in filter(None, args.peer_sizes.split(",")):
        tool, size = item.split(":")
        nn, cc = (int(x) for x in size.split("x"))
        peer_plan.setdefault((nn, cc), []).append(tool)
    rows = []
    for spec in filter(None, args.sizes.split(",")):
        n, c = (int(x) for x in spec.split("x"))
        row = bench_size(n, c, args.repeats)
        rows.append(row)
        if args.peers:
            for tool in peer_plan.get((n, c), []):
                reps = 1 if n >= 1_000_000 or tool == "evidently" else args.repeats
                peer = run_peer(args.peers, tool, n, c, reps)
                if peer is not None:
                    row[f"peer_{tool}_s"] = peer["seconds"]
                    row[f"peer_{tool}_numpy"] = peer["numpy"]
                    row[f"speedup_vs_{tool}_same_run"] = peer["seconds"] / row["detect_s"]
                    print(f"    peer {tool}: {peer['seconds']:.2f}s (numpy {peer['numpy']}), "
                          f"{row[f'speedup_vs_{tool}_same_run']:.1f}x slower than detect",
                          flush=True)
        print(f"{n:>9,} x {c:<3} floor {row['floor_s']:.3f}s  scipy {row['scipy_s']:.3f}s  "
              f"detect {row['detect_s']:.3f}s (1 thread {row['detect_1thread_s']:.3f}s, "
              f"+p-values {row['detect_with_pvalues_s']:.3f}s, gate {row['gate_s']:.3f}s, "
              f"cached profile "
              f"{row['detect_cached_profile_s']:.3f}s, default profile "
              f"{row['detect_default_profile_s']:.3f}s)  detect/floor "
              f"{row['ratio_detect_over_floor']:.2f}x (min of interleaved "
              f"{row['ratio_detect_over_floor_min_interleaved']:.2f}x)  scipy/detect {row['speedup_vs_scipy']:.2f}x"
              f"  peak +{row['detect_peak_extra_mib']:.0f} MiB over {row['input_mib']:.0f} MiB"
              f"  flags exact {row['flags_exact']}", flush=True)
    trap = None
    if args.trap:
        n, k = (int(x) for x in args.trap.split("x"))
        trap = pvalue_trap(n, k)
        print(f"p-value trap {n:,} x {k}: flags {trap['detect_flags_s']:.3f}s, "
              f"exact p-values {trap['pvalues_s']:.3f}s more "
              f"(all p-values read / flags only {trap['ratio_all_pvalues_over_flags']:.2f}x "
              f"<= {PVALUES_BUDGET:g} {'ok' if trap['within_budget'] else 'OVER'}); "
              f"gate.drift {trap['gate_s']:.3f}s ({trap['gate_over_flags']:.2f}x flags only; "
              f"{trap['gate_exact_pvalues']} exact p-values, equal to detect's: "
              f"{trap['gate_pvalues_equal_detect']})", flush=True)
    pv_rows = []
    for spec in filter(None, args.pvalue_sizes.split(",")):
        n, c = (int(x) for x in spec.split("x"))
        pr = pvalue_ratio(n, c, args.repeats)
        pv_rows.append(pr)
        flag = "" if pr["within_budget"] is None else ("ok" if pr["within_budget"] else "OVER")
        budget = "" if pr["budget"] is None else f"<= {pr['budget']:g}"
        print(f"all p-values read / flags only {n:>9,} x {c:<3} flags {pr['flags_s']:.3f}s, "
              f"all p-values {pr['all_pvalues_s']:.3f}s ({pr['deferred_pvalues']} deferred, "
              f"{pr['smirnov_series_pvalues']} by the Smirnov series): "
              f"{pr['ratio_min']:.2f}x (min of {args.repeats} interleaved rounds; median "
              f"{pr['ratio_median']:.2f}x; reading them alone {pr['read_pvalues_s'] * 1e3:.1f} ms,"
              f" +{pr['read_over_same_detect']:.1%} of the same detect call) {budget} {flag}",
              flush=True)
    files = []
    for item in filter(None, args.profile_files.split(",")):
        size, kind = item.split(":")
        n, c = (int(x) for x in size.split("x"))
        pf = profile_files(n, c, kind, args.repeats)
        files.append(pf)
        print(f"saved {kind} profile {n:,} x {c}: JSON {pf['json_mib']:.1f} MiB "
              f"(save {pf['json_save_s']:.2f}s, load {pf['json_load_s']:.3f}s), npz "
              f"{pf['npz_mib']:.1f} MiB (save {pf['npz_save_s']:.2f}s, load "
              f"{pf['npz_load_s']:.3f}s); (load + detect) / raw detect "
              f"{pf['raw_detect_s']:.3f}s: npz {pf['ratio_npz_load_detect_over_raw']:.2f}x "
              f"{'ok' if pf['npz_ok'] else 'OVER'} (budget {PROFILE_FILE_BUDGET}x), JSON "
              f"{pf['ratio_json_load_detect_over_raw']:.2f}x", flush=True)
    out = {"machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                       "python": platform.python_version(), "numpy": np.__version__,
                       "load_avg": os.getloadavg(), "shared": True},
           "sizes": rows, "pvalue_trap": trap, "all_pvalues_over_flags": pv_rows,
           "profile_files": files,
           "cited_from": "../shared/bench/README.md (peers not re-run here)"}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2))
    over = [f"{r['n']}x{r['c']}" for r in pv_rows if r["within_budget"] is False]
    if trap is not None and not trap["within_budget"]:
        over.append(f"p-value trap {trap['n']}x{trap['columns']}")
    over += [f"saved {f['profile']} profile {f['n']}x{f['c']}" for f in files if not f["npz_ok"]]
    print(f"wrote {args.out}; over budget: {over or 'none'}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())
