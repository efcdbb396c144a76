"""Peer runner for bench_drift.py: times a peer tool on the shared table inside ITS OWN venv.

Run by `bench_drift.py --peers PYTHON` as ``PYTHON drift_peers.py TOOL N C REPEATS``; prints one
JSON line {"tool", "n", "c", "seconds", "flags", "numpy"}. Imports only the shared generator and
the peer (never pytest_modelgate), so it runs in an environment pinned to numpy < 2.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench"
sys.path.insert(0, str(Path(os.environ.get("MODELGATE_SHARED_BENCH", BENCH_DIR))))

import numpy as np  # noqa: E402
from drift_data import make_data, tool_alibi, tool_evidently, tool_scipy  # noqa: E402

TOOLS = {"alibi": tool_alibi, "evidently": tool_evidently, "scipy": tool_scipy}


def main() -> int:
    tool, n, c, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    ref, cur, meta = make_data(n, c)
    fn = TOOLS[tool]
    fn(ref.iloc[:500], cur.iloc[:500], meta)  # warm the imports
    times, out = [], {}
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn(ref, cur, meta)
        times.append(time.perf_counter() - t0)
    flags = sorted(k for k, v in out.items() if not k.startswith("_") and
                   v.get("flag_corrected", v.get("flag")))
    print(json.dumps({"tool": tool, "n": n, "c": c, "seconds": statistics.median(times),
                      "runs": repeats, "flags": flags, "numpy": np.__version__,
                      "fingerprint": meta["fingerprint"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
