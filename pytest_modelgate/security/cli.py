"""The engine side of `modelgate scan` and `modelgate hash` (the lead's `cli.py` calls these)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pytest_modelgate.exceptions import InputError

from .integrity import write_lock
from .scanner import scan

__all__ = ["cli_hash", "cli_scan"]


def cli_scan(paths: list[str], *, as_json: bool = False) -> int:
    """Scan each path and print a report; exit status 1 if anything is unsafe, 2 for a missing
    path (after scanning the others), else 0."""
    missing = [p for p in paths if not Path(p).exists()]
    results = [scan(p) for p in paths if p not in missing]
    if as_json:
        doc = {"safe": all(r.safe for r in results) and not missing,
               "results": [r.to_dict() for r in results], "missing": missing}
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
    else:
        for r in results:
            sys.stdout.write(r.report() + "\n")
        for p in missing:
            sys.stderr.write(f"modelgate scan: {p}: no such file or directory\n")
        unsafe = sum(not r.safe for r in results)
        sys.stdout.write(f"modelgate scan: {len(results)} scanned, {unsafe} unsafe"
                         + (f", {len(missing)} missing" if missing else "") + "\n")
    if missing:
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
