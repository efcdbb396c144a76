"""Import cost of the plugin relative to pytest itself (`python -X importtime`, median of runs).

The plugin is imported by pytest on every run wherever it is installed; the target is at most
10% of pytest's own import time. Run: ``python benchmarks/bench_import.py [--runs 15]``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)")


def cumulative_us(code: str) -> dict[str, int]:
    """Cumulative import microseconds of each top-level module imported by `code`."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                          capture_output=True, text=True, check=True)
    out: dict[str, int] = {}
    for line in proc.stderr.splitlines():
        m = LINE.match(line)
        if m and len(m.group(3)) == 1:  # top level: one space of indent
            out[m.group(4)] = out.get(m.group(4), 0) + int(m.group(2))
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    pytest_us, plugin_us = [], []
    for _ in range(args.runs):
        t = cumulative_us("import pytest; import pytest_modelgate.plugin")
        pytest_us.append(t.get("pytest", 0))
        plugin_us.append(sum(v for k, v in t.items() if k.startswith("pytest_modelgate")))
    p, g = statistics.median(pytest_us), statistics.median(plugin_us)
    ratio = g / p
    print(f"pytest import           median {p / 1000:8.2f} ms over {args.runs} runs")
    print(f"+ pytest_modelgate.plugin median {g / 1000:8.2f} ms  ({ratio:.1%} of pytest; target <= 10%)")
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, pytest_modelgate.plugin; "
         "print([m for m in ('numpy','scipy','sklearn','pandas') if m in sys.modules])"],
        capture_output=True, text=True, check=True).stdout.strip()
    print(f"heavy modules imported by the plugin: {heavy}")
    out = Path(__file__).parent / "results" / "import.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"pytest_ms": p / 1000, "plugin_ms": g / 1000, "ratio": ratio,
                               "heavy": heavy, "runs": args.runs}, indent=2) + "\n")
    return 0 if ratio <= 0.10 and heavy == "[]" else 1


if __name__ == "__main__":
    raise SystemExit(main())
