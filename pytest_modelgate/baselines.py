"""The stored accepted results: a reviewable JSON file keyed by test node id and gate name.

Like snapshot tools: gates compare with it (`max_drop=`), `--modelgate-update-baseline`
rewrites it from the run. Formatting is stable (sorted keys, fixed indent) for clean diffs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_text
from .exceptions import ConfigError
from .results import GateResult

__all__ = ["BASELINE_SCHEMA", "BaselineStore"]

BASELINE_SCHEMA = 1
_KEPT = ("kind", "value", "ci", "confidence", "n", "unit", "method")


class BaselineStore:
    """Read-mostly view of the baseline file; `update` rewrites it atomically."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._gates: dict[str, dict[str, dict[str, Any]]] = self._load()

    def _load(self) -> dict[str, dict[str, dict[str, Any]]]:
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"--modelgate-baseline {self.path}: cannot read it ({exc}); fix or delete the "
                "file, or regenerate it with --modelgate-update-baseline"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("gates"), dict):
            raise ConfigError(
                f"--modelgate-baseline {self.path}: not a modelgate baseline (no 'gates' table); "
                "regenerate it with --modelgate-update-baseline"
            )
        gates: dict[str, dict[str, dict[str, Any]]] = data["gates"]
        return gates

    def get(self, nodeid: str, name: str) -> Mapping[str, Any] | None:
        """The stored entry for one gate of one test, or None."""
        return self._gates.get(nodeid, {}).get(name)

    def __len__(self) -> int:
        return sum(len(v) for v in self._gates.values())

    @staticmethod
    def entry(result: GateResult) -> dict[str, Any]:
        """What is kept of a result: enough to compare against, nothing run-specific."""
        d = result.to_dict()
        return {k: d[k] for k in _KEPT if d.get(k) is not None}

    def update(self, results: Iterable[GateResult], *, prune: bool = False) -> Path:
        """Rewrite the file from `results`; tests not in this run are kept unless `prune`.

        Results of a test that ran replace that test's entries wholesale, so removed gates go.
        """
        ran: dict[str, dict[str, dict[str, Any]]] = {}
        for r in results:
            ran.setdefault(r.nodeid, {})[r.name] = self.entry(r)
        gates = {} if prune else dict(self._gates)
        gates.update(ran)
        text = json.dumps(
            {"schema_version": BASELINE_SCHEMA, "gates": gates},
            indent=2, sort_keys=True, allow_nan=False,
        ) + "\n"
        atomic_write_text(self.path, text)
        self._gates = gates
        return self.path
