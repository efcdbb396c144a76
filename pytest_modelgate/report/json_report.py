"""The JSON report: ``{"schema_version", "run", "results"}``, written atomically."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_modelgate._atomic import atomic_write_text
from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.results import SCHEMA_VERSION, GateResult, RunRecord

from ._format import summary_counts

__all__ = ["build_report", "json_safe", "load_report", "parse_report", "write_report"]


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
    report: dict[str, Any] = json_safe({
        "schema_version": SCHEMA_VERSION,
        "run": run.to_dict(),
        "summary": summary_counts(results, run),
        "results": [r.to_dict() for r in results],
    })
    return report


def write_report(path: str | Path, report: Mapping[str, Any]) -> Path:
    """Serialise with sorted keys (byte-stable for the same inputs) and write atomically."""
    return atomic_write_text(path, json.dumps(report, indent=2, sort_keys=True, allow_nan=False) + "\n")


class _NotFinite(Exception):
    """A report's JSON holds NaN, Infinity or a number beyond float range (e.g. 1e400)."""


def _not_finite(text: str) -> float:
    raise _NotFinite(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFinite(text)
    return value


def load_report(path: str | Path) -> dict[str, Any]:
    """Read a report written by `write_report` (any schema up to this one), checking it is one.

    Every problem is a `ConfigError` of one line naming the file and what is wrong with it.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"report {path}: cannot read it ({exc.strerror or exc})") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_not_finite,
                          parse_float=_finite_float)
    except _NotFinite as exc:
        raise ConfigError(f"report {path}: holds the non-finite number {exc} (a modelgate "
                          "report holds only finite numbers: a damaged or edited file); "
                          "regenerate it with pytest --modelgate") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"report {path}: not UTF-8 text (byte {exc.start}); is it a "
                          "modelgate JSON report?") from None
    except ValueError as exc:
        raise ConfigError(f"report {path}: not valid JSON ({exc})") from None
    try:
        parse_report(data)
    except InputError as exc:
        raise ConfigError(f"report {path}: {exc}") from None
    return data  # type: ignore[no-any-return]


def parse_report(data: Any) -> tuple[RunRecord, list[GateResult]]:
    """The run record and results of a report document; `InputError` says what is wrong."""
    if not isinstance(data, Mapping) or "results" not in data or "schema_version" not in data:
        raise InputError("not a modelgate report (no schema_version/results)")
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputError(f"schema_version must be an integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise InputError(f"schema_version {version} is newer than this modelgate understands "
                         f"({SCHEMA_VERSION}); upgrade pytest-modelgate")
    run_data = data.get("run", {})
    if not isinstance(run_data, Mapping):
        raise InputError(f"'run' must be an object, got {type(run_data).__name__}")
    try:
        run = RunRecord.from_dict(run_data)
    except InputError as exc:
        raise InputError(f"run: {exc}") from None
    items = data["results"]
    if not isinstance(items, list):
        raise InputError(f"'results' must be a list of result objects, got {type(items).__name__}")
    results = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise InputError(f"results[{i}] must be an object, got {type(item).__name__}")
        try:
            results.append(GateResult.from_dict(item))
        except InputError as exc:
            raise InputError(f"results[{i}]: {exc}") from None
    return run, results
