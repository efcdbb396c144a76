"""The JSON report: ``{"schema_version", "run", "results"}``, written atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_modelgate._atomic import atomic_write_text
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import SCHEMA_VERSION, GateResult, RunRecord

__all__ = ["build_report", "json_safe", "load_report", "write_report"]


def json_safe(obj: Any) -> Any:
    """Replace non-finite floats by strings ("inf", "-inf", "nan") so the JSON is strict."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
    if isinstance(obj, Mapping):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [json_safe(v) for v in obj]
    return obj


def build_report(run: RunRecord, results: Sequence[GateResult]) -> dict[str, Any]:
    """The report document; results keep the order in which tests finished."""
    summary = {v: sum(1 for r in results if r.verdict == v)
               for v in ("passed", "failed", "inconclusive")}
    report: dict[str, Any] = json_safe({
        "schema_version": SCHEMA_VERSION,
        "run": run.to_dict(),
        "summary": {"total": len(results), **summary},
        "results": [r.to_dict() for r in results],
    })
    return report


def write_report(path: str | Path, report: Mapping[str, Any]) -> Path:
    """Serialise with sorted keys (byte-stable for the same inputs) and write atomically."""
    return atomic_write_text(path, json.dumps(report, indent=2, sort_keys=True, allow_nan=False) + "\n")


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a report written by `write_report`, checking it is one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"report {path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:
        raise ConfigError(f"report {path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or "results" not in data or "schema_version" not in data:
        raise ConfigError(f"report {path}: not a modelgate report (no schema_version/results)")
    if data["schema_version"] > SCHEMA_VERSION:
        raise ConfigError(f"report {path}: schema_version {data['schema_version']} is newer than "
                          f"this modelgate understands ({SCHEMA_VERSION}); upgrade pytest-modelgate")
    return data
