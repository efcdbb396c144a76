"""Scanner throughput and detection against picklescan, modelscan and fickling, in one run.

Usage: ``.venv/bin/python benchmarks/bench_security.py [--peers /tmp/secbench-venv] [--quick]``

Builds under /tmp (never in the repo): a ~200 MB joblib file of numpy arrays, a large
RandomForest pickle (protocol 5) and the same forest as joblib. Each tool is timed in-process on
each file (median of repeats; the peers run in their own venv through a small driver that times
only the scan call, not the import) and also as a command-line subprocess (what CI pays,
interpreter start included). Every tool's verdict is recorded too: a fast "error" is not a scan.
With the corpus (default), every malicious and benign corpus file is also run through each tool
to compare detection. Prints a table and writes JSON to benchmarks/results/security.json
(detection also to security_detection.json, so a later ``--no-corpus`` run keeps it).
The machine is shared (2 cores), so compare ratios from the same run, not absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("MODELGATE_BENCH_DIR", "/tmp/modelgate-bench"))
RESULTS = ROOT / "benchmarks" / "results"

PEER_DRIVER = r'''
import json, sys, time, statistics
tool, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
def run():
    if tool == "picklescan":
        from picklescan.scanner import scan_file_path
        r = scan_file_path(path)
        return ("error" if r.scan_err else "flagged" if r.infected_files else "clean")
    if tool == "modelscan":
        from modelscan.modelscan import ModelScan
        r = ModelScan().scan(path)
        s = r.get("summary", {})
        if r.get("issues"):
            return "flagged"
        if r.get("errors") or not s.get("scanned", {}).get("total_scanned"):
            return "error"
        return "clean"
    if tool == "fickling":
        import fickling
        r = fickling.scan_file(path, graceful=True)
        sev = str(getattr(r, "severity", "")).upper()
        if getattr(r, "errors", None) and "LIKELY_SAFE" in sev:
            return "error"
        return "clean" if sev.endswith("LIKELY_SAFE") and "UN" not in sev else "flagged"
    raise SystemExit("unknown tool")
times, verdict = [], None
try:
    run()  # warm-up: lazy imports and caches are not part of a scan
except Exception:
    pass
for _ in range(repeats):
    t = time.perf_counter()
    try:
        verdict = run()
    except Exception as exc:
        verdict = "error:" + type(exc).__name__
    times.append(time.perf_counter() - t)
print(json.dumps({"verdict": verdict, "seconds": statistics.median(times)}))
'''

CLI = {
    "picklescan": lambda p: ["picklescan", "-p", p],
    "modelscan": lambda p: ["modelscan", "-p", p],
    "fickling": lambda p: ["fickling", "--check-safety", "--json-output", os.devnull, p],
}
CLI_VERDICT = {
    "picklescan": {0: "clean", 1: "flagged"},
    "modelscan": {0: "clean", 1: "flagged"},
    "fickling": {0: "clean", 1: "flagged"},
}


def build_files(quick: bool) -> dict[str, Path]:
    """The benchmark artifacts under WORK (reused when already there)."""
    import joblib
    import numpy as np
    from sklearn.datasets import make_classification
    from sklearn.ensemble import RandomForestClassifier

    WORK.mkdir(parents=True, exist_ok=True)
    files = {"arrays.joblib": WORK / "arrays.joblib", "forest.pkl": WORK / "forest.pkl",
             "forest.joblib": WORK / "forest.joblib"}
    target_mb = 40 if quick else 200
    if not files["arrays.joblib"].exists() or \
            abs(files["arrays.joblib"].stat().st_size / 2**20 - target_mb) > 5:
        rng = np.random.default_rng(0)
        n = target_mb * 2**20 // 8 // 25
        arrays = {f"layer{i}": rng.normal(size=n) for i in range(25)}
        joblib.dump(arrays, files["arrays.joblib"])
    if not files["forest.pkl"].exists():
        X, y = make_classification(n_samples=4000 if quick else 20000, n_features=20,
                                   random_state=0)
        forest = RandomForestClassifier(n_estimators=50 if quick else 300, random_state=0,
                                        n_jobs=2).fit(X, y)
        files["forest.pkl"].write_bytes(pickle.dumps(forest, protocol=5))
        joblib.dump(forest, files["forest.joblib"])
    return files


def time_ours(path: Path, repeats: int) -> dict[str, Any]:
    from pytest_modelgate.security import scan, sha256_file

    scan(path)  # warm-up, as for the peers
    times, times_hash = [], []
    result = None
    for _ in range(repeats):
        t = time.perf_counter()
        result = scan(path)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        scan(path)
        sha256_file(path)
        times_hash.append(time.perf_counter() - t)
    assert result is not None
    return {"verdict": "clean" if result.safe else "flagged",
            "seconds": statistics.median(times),
            "seconds_with_sha256": statistics.median(times_hash),
            "formats": list(result.formats)}


def time_peer(venv: Path, tool: str, path: Path, repeats: int, timeout: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(PEER_DRIVER)
        driver = fh.name
    try:
        out = subprocess.run([str(venv / "bin" / "python"), driver, tool, str(path),
                              str(repeats)], capture_output=True, text=True, timeout=timeout,
                             cwd=tempfile.gettempdir())
        line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
        return json.loads(line) if line.startswith("{") else {
            "verdict": f"error:rc{out.returncode}", "seconds": None,
            "stderr": out.stderr[-300:]}
    except subprocess.TimeoutExpired:
        return {"verdict": "timeout", "seconds": None}
    finally:
        os.unlink(driver)


def cli_run(cmd: list[str], timeout: float) -> tuple[int | None, float]:
    t = time.perf_counter()
    try:
        rc = subprocess.run(cmd, capture_output=True, timeout=timeout,
                            cwd=tempfile.gettempdir()).returncode
    except subprocess.TimeoutExpired:
        rc = None
    return rc, time.perf_counter() - t


def ours_cli(path: Path) -> list[str]:
    code = ("import sys; from pytest_modelgate.security import cli_scan; "
            "sys.exit(cli_scan(sys.argv[1:]))")
    return [sys.executable, "-c", code, path]  # type: ignore[list-item]


def throughput(files: dict[str, Path], venv: Path | None, repeats: int) -> list[dict[str, Any]]:
    """Interleaved rounds (every tool once per round, then the median per tool), so that load
    from other processes on the shared machine hits every tool alike."""
    tools = ["picklescan", "modelscan", "fickling"] if venv is not None else []
    rows = []
    for name, path in files.items():
        size_mb = path.stat().st_size / 2**20
        samples: dict[str, list[dict[str, Any]]] = {t: [] for t in ["modelgate", *tools]}
        for _ in range(repeats):
            samples["modelgate"].append(time_ours(path, 1))
            for tool in tools:
                samples[tool].append(time_peer(venv, tool, path, 1, 900))  # type: ignore[arg-type]
        row: dict[str, Any] = {"file": name, "size_mb": round(size_mb, 1)}
        for tool, runs in samples.items():
            secs = [r["seconds"] for r in runs if r.get("seconds") is not None]
            res = dict(runs[-1])
            res["seconds"] = statistics.median(secs) if secs else None
            if tool == "modelgate":
                res["seconds_with_sha256"] = statistics.median(
                    r["seconds_with_sha256"] for r in runs)
            row[tool] = res
        _rc, secs_cli = cli_run([str(c) for c in ours_cli(path)], 600)
        row["modelgate"]["cli_seconds"] = secs_cli
        for tool in tools:
            cmd = CLI[tool](str(path))
            cmd[0] = str(venv / "bin" / cmd[0])  # type: ignore[operator]
            rc, secs_cli = cli_run(cmd, 900)
            row[tool]["cli_seconds"] = secs_cli
            row[tool]["cli_verdict"] = (CLI_VERDICT[tool].get(rc, f"error:rc{rc}")
                                        if rc is not None else "timeout")
        rows.append(row)
    return rows


def corpus(venv: Path | None) -> dict[str, Any]:
    """Detection on our corpus: each tool's CLI verdict per file (the way CI runs them)."""
    import warnings

    sys.path.insert(0, str(ROOT / "tests" / "security"))
    from security_corpus import benign_files, benign_objects, malicious

    from pytest_modelgate.security import scan

    cdir = WORK / "corpus"
    (cdir / "malicious").mkdir(parents=True, exist_ok=True)
    (cdir / "benign").mkdir(parents=True, exist_ok=True)
    mal = []
    for s in malicious():
        p = cdir / "malicious" / (s.name + (".bin" if s.name == "ext_bin" else ".pkl"))
        p.write_bytes(s.data)
        mal.append(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objs = [o for o in benign_objects() if not o[0].startswith(("array-", "scalar-",
                                                                   "function-"))]
        ben_files = benign_files(objs)
    ben = []
    for name, data in ben_files:
        if name.endswith((".p2.pkl", ".p3.pkl")):
            continue  # keep the peer run bounded: p4/p5/joblib/skops/npy/compressed remain
        p = cdir / "benign" / name
        p.write_bytes(data)
        ben.append(p)
    out: dict[str, Any] = {"n_malicious": len(mal), "n_benign": len(ben)}
    tools = ["modelgate"] + (["picklescan", "modelscan", "fickling"] if venv else [])
    for tool in tools:
        counts = {"malicious_flagged": 0, "malicious_error": 0, "malicious_clean": 0,
                  "benign_flagged": 0, "benign_error": 0, "benign_clean": 0}
        missed: list[str] = []
        for kind, paths in (("malicious", mal), ("benign", ben)):
            for p in paths:
                if tool == "modelgate":
                    verdict = "clean" if scan(p).safe else "flagged"
                else:
                    cmd = CLI[tool](str(p))
                    cmd[0] = str(venv / "bin" / cmd[0])  # type: ignore[operator]
                    rc, _ = cli_run(cmd, 60)
                    verdict = {0: "clean", 1: "flagged"}.get(rc, "error") if rc is not None \
                        else "error"
                counts[f"{kind}_{verdict}"] += 1
                if kind == "malicious" and verdict == "clean":
                    missed.append(p.name)
        out[tool] = {**counts, "missed": missed[:40]}
    return out


def fmt_row(row: dict[str, Any], tools: list[str]) -> str:
    ours = row["modelgate"]["seconds"]
    cells = [f"{row['file']:<14} {row['size_mb']:>7.1f}"]
    for tool in tools:
        r = row.get(tool)
        if r is None:
            continue
        secs = r.get("seconds")
        if secs is None:
            cells.append(f"{tool}: {r['verdict']}")
            continue
        mbs = row["size_mb"] / secs if secs else float("inf")
        ratio = secs / ours if ours else float("inf")
        cells.append(f"{tool}: {secs:.3f}s {mbs:,.0f} MB/s [{r['verdict']}] x{ratio:.1f}")
    return " | ".join(cells)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--peers", default="/tmp/secbench-venv",
                    help="venv holding picklescan, modelscan and fickling")
    ap.add_argument("--quick", action="store_true", help="small files, fewer repeats")
    ap.add_argument("--no-corpus", action="store_true", help="skip the detection comparison")
    args = ap.parse_args()
    venv: Path | None = Path(args.peers)
    if not (venv / "bin" / "picklescan").exists():  # type: ignore[operator]
        print(f"peers not found in {venv}; measuring modelgate only")
        venv = None
    repeats = 3 if args.quick else 7
    files = build_files(args.quick)
    rows = throughput(files, venv, repeats)
    tools = ["modelgate", "picklescan", "modelscan", "fickling"]
    print("in-process scan time, median of", repeats, "interleaved rounds "
          "(x = peer time / modelgate time)")
    for row in rows:
        print(fmt_row(row, tools))
    print("command line, interpreter start included (verdict by exit code):")
    for row in rows:
        cells = [f"{row['file']:<14}"]
        for tool in tools:
            r = row.get(tool)
            if r is not None:
                cells.append(f"{tool}: {r['cli_seconds']:.2f}s "
                             f"[{r.get('cli_verdict', r['verdict'])}]")
        print(" | ".join(cells))
    for row in rows:
        m = row["modelgate"]
        print(f"{row['file']}: modelgate scan {row['size_mb'] / m['seconds']:,.0f} MB/s; "
              f"scan + sha256 {row['size_mb'] / m['seconds_with_sha256']:,.0f} MB/s")
    doc: dict[str, Any] = {"machine": "shared 2-core; compare ratios within this run",
                           "python": sys.version.split()[0], "throughput": rows}
    if not args.no_corpus:
        det = corpus(venv)
        doc["detection"] = det
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "security_detection.json").write_text(json.dumps(det, indent=2))
        print(f"detection on the corpus ({det['n_malicious']} malicious, {det['n_benign']} "
              "benign), command line per file:")
        for tool in tools:
            if tool in det:
                d = det[tool]
                print(f"  {tool:<11} malicious flagged {d['malicious_flagged']}, error "
                      f"{d['malicious_error']}, reported clean {d['malicious_clean']} | benign "
                      f"flagged {d['benign_flagged']}, error {d['benign_error']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "security.json").write_text(json.dumps(doc, indent=2, default=str))
    print(f"wrote {RESULTS / 'security.json'}")


if __name__ == "__main__":
    main()
