"""The engine side of `modelgate scan` and `modelgate hash` (the lead's `cli.py` calls these)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pytest_modelgate.exceptions import InputError

from ._walk import walk_dir
from .containers import total_deadline
from .findings import ScanResult
from .integrity import write_lock
from .scanner import _limits, scan, unverifiable

__all__ = ["cli_hash", "cli_scan"]


def cli_scan(paths: list[str], *, as_json: bool = False, max_seconds: float | None = None,
             max_total_seconds: float | None = None) -> int:
    """Scan each file (directories: every file under them) and print one verdict line per file
    with its findings, then a summary. Exit status 1 if anything is unsafe (a file not scanned
    within `max_seconds`, or within `max_total_seconds` for the whole invocation, is unsafe);
    2 for a missing path or a directory with no file (after scanning the rest: nothing scanned
    is never safe)."""
    total = _limits(max_seconds=max_seconds,
                    max_total_seconds=max_total_seconds)["max_total_seconds"]
    missing = [p for p in paths if not Path(p).exists()]
    empty: list[str] = []
    targets: list[Path] = []
    results: list[ScanResult] = []
    for raw in paths:
        if raw in missing:
            continue
        p = Path(raw)
        if p.is_dir():
            files, problems = walk_dir(p)
            if not files and not problems:
                empty.append(raw)
            targets += files
            results += [unverifiable(f, why, tech) for f, why, tech in problems]
        else:
            targets.append(p)
    with total_deadline(total):
        results = [scan(t, max_seconds=max_seconds, max_total_seconds=total)
                   for t in targets] + results
    if as_json:
        doc = {"safe": bool(results) and all(r.safe for r in results) and not missing
               and not empty,
               "results": [r.to_dict() for r in results], "missing": missing, "empty": empty}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for r in results:
            sys.stdout.write(r.report() + "\n")
        unsafe = sum(not r.safe for r in results)
        sys.stdout.write(f"modelgate scan: {len(results)} file{'s' if len(results) != 1 else ''}"
                         f" scanned, {unsafe} unsafe"
                         + (f", {len(missing)} missing" if missing else "")
                         + (f", {len(empty)} empty director{'ies' if len(empty) != 1 else 'y'}"
                            if empty else "") + "\n")
    for raw in missing:
        sys.stderr.write(f"modelgate scan: {raw}: no such file or directory\n")
    for raw in empty:
        sys.stderr.write(f"modelgate scan: error: no file to scan in {raw} (an empty directory "
                         "is not a model artifact)\n")
    if missing or empty:
        return 2
    return 1 if any(not r.safe for r in results) else 0


def cli_hash(paths: list[str]) -> int:
    """Print lock-file lines for the paths (`modelgate hash PATH... > modelgate.lock`)."""
    try:
        sys.stdout.write(write_lock(paths))
    except InputError as exc:
        sys.stderr.write(f"modelgate hash: {exc}\n")
        return 2
    return 0
