"""The stored accepted results: a reviewable JSON file keyed by test node id and gate kind:name.

Like snapshot tools: gates compare with it (`max_drop=`), `--modelgate-update-baseline`
rewrites it from the run. Formatting is stable (sorted keys, fixed indent) for clean diffs.
Updates hold a lock on a sidecar ``<file>.lock``, re-read the file under it and merge, so two
runs updating at once both keep their entries; the file itself is replaced atomically.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_text
from .exceptions import ConfigError
from .results import GateResult

__all__ = ["BASELINE_SCHEMA", "BaselineStore", "baseline_lock", "entry_key"]

# 1: gates[nodeid][name] = {"kind": ..., ...}; 2: gates[nodeid]["kind:name"] = {...}
BASELINE_SCHEMA = 2
_KEPT = ("value", "ci", "confidence", "n", "unit", "method")
# non-finite floats are spelled as in the JSON report; any other string is an error
_NON_FINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_LOCK_TIMEOUT = 120.0

Gates = dict[str, dict[str, dict[str, Any]]]


def entry_key(kind: str, name: str) -> str:
    """The key of one gate's entry within its test: ``"metric:accuracy"``."""
    return f"{kind}:{name}"


class _Constant(str):
    """A bare `NaN`/`Infinity` token from the file (not JSON): kept to name it in the error."""


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list):
        return [_encode(v) for v in value]
    return value


def _number(value: Any) -> float | int | None:
    """A stored number (or a "inf"/"-inf"/"nan" spelling) as a float; None when it is not one."""
    if isinstance(value, _Constant):
        return None
    if isinstance(value, str):
        return _NON_FINITE.get(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


class BaselineStore:
    """Read-mostly view of the baseline file; `update` merges this run into it under a lock."""

    def __init__(self, path: str | Path, *, option: str = "--modelgate-baseline") -> None:
        self.path = Path(path)
        self.option = option
        self.exists = False
        self._gates: Gates = self._load()

    # -- reading -------------------------------------------------------------------------------

    def _error(self, problem: str, what: str = "the file") -> ConfigError:
        return ConfigError(
            f"{self.option} {self.path}: {problem}; fix or delete {what} (then "
            "--modelgate-update-baseline stores the run's results again)"
        )

    def _entry_error(self, problem: str) -> ConfigError:
        return self._error(problem, "that entry")

    def _load(self) -> Gates:
        if not self.path.exists():
            self.exists = False
            return {}
        try:
            text = self.path.read_text(encoding="utf-8")
            data = json.loads(text, parse_constant=_Constant)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise self._error(f"cannot read it ({why})") from None
        self.exists = True
        if not isinstance(data, dict):
            raise self._error(f"the top level is a JSON {type(data).__name__}, not an object "
                              "with 'schema_version' and 'gates'")
        schema = data.get("schema_version")
        if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
            raise self._error(f"schema_version must be a positive integer, got {schema!r}")
        if schema > BASELINE_SCHEMA:
            raise self._error(
                f"schema_version {schema} was written by a newer pytest-modelgate (this one "
                f"reads up to {BASELINE_SCHEMA}); upgrade pytest-modelgate")
        gates = data.get("gates")
        if not isinstance(gates, dict):
            raise self._error("not a modelgate baseline (no 'gates' object)")
        out: Gates = {}
        for nodeid, table in gates.items():
            if not isinstance(table, dict):
                raise self._entry_error(f"test {nodeid!r}: its entry is not an object of gates")
            entries: dict[str, dict[str, Any]] = {}
            for key, entry in table.items():
                where = f"test {nodeid!r}, gate {key!r}"
                if not isinstance(entry, dict):
                    raise self._entry_error(f"{where}: the entry is not an object, got {entry!r}")
                entry = dict(entry)
                if schema == 1:  # migrate: the kind moves from the entry into the key
                    kind = entry.pop("kind", None)
                    if not isinstance(kind, str) or not kind:
                        raise self._entry_error(f"{where}: no gate 'kind' in this schema 1 entry")
                    key = entry_key(kind, key)
                elif not isinstance(key, str) or ":" not in key or key.startswith(":"):
                    raise self._entry_error(f"{where}: the key must be kind:name (e.g. "
                                      "'metric:accuracy')")
                entries[key] = self._check_entry(where, entry)
            out[nodeid] = entries
        return out

    def _check_entry(self, where: str, entry: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(entry) - set(_KEPT))
        if unknown:
            raise self._entry_error(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                              f"known: {', '.join(_KEPT)}")
        out: dict[str, Any] = {}
        for key in ("value", "confidence"):
            if entry.get(key) is None:
                continue
            number = _number(entry[key])
            if number is None:
                shown = str(entry[key]) if isinstance(entry[key], _Constant) else repr(entry[key])
                raise self._entry_error(f"{where}: {key} must be a number (or \"inf\", \"-inf\", "
                                  f"\"nan\"), got {shown}")
            out[key] = number
        ci = entry.get("ci")
        if ci is not None:
            bounds = [_number(b) for b in ci] if isinstance(ci, list) else []
            if len(bounds) != 2 or any(b is None for b in bounds):
                raise self._entry_error(f"{where}: ci must be a [low, high] pair of numbers, "
                                  f"got {ci!r}")
            out["ci"] = bounds
        n = entry.get("n")
        if n is not None:
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise self._entry_error(f"{where}: n must be a row count, got {n!r}")
            out["n"] = n
        for key in ("unit", "method"):
            if entry.get(key) is not None:
                if not isinstance(entry[key], str):
                    raise self._entry_error(f"{where}: {key} must be a string, got {entry[key]!r}")
                out[key] = entry[key]
        return out

    def get(self, nodeid: str, kind: str, name: str) -> Mapping[str, Any] | None:
        """The stored entry of gate `kind`/`name` in test `nodeid`, or None."""
        return self._gates.get(nodeid, {}).get(entry_key(kind, name))

    def __len__(self) -> int:
        return sum(len(v) for v in self._gates.values())

    # -- writing -------------------------------------------------------------------------------

    @staticmethod
    def entry(result: GateResult) -> dict[str, Any]:
        """What is kept of a result: enough to compare against, nothing run-specific."""
        d = result.to_dict()
        return {k: _encode(d[k]) for k in _KEPT if d.get(k) is not None}

    def update(
        self,
        results: Iterable[GateResult],
        *,
        prune: bool = False,
        nodeid: Callable[[str], str] = str,
        keep: Iterable[GateResult] = (),
    ) -> Path:
        """Merge `results` into the file; tests not in this run are kept unless `prune`.

        Results of a test that ran replace that test's entries wholesale, so removed gates go;
        the gates in `keep` ran but are not to be accepted: their stored entries stay as they
        were. `nodeid` maps a result's node id to the id stored. The file is re-read under the
        lock, so entries another run wrote meanwhile are kept.
        """
        ran: Gates = {}
        for r in results:
            ran.setdefault(nodeid(r.nodeid), {})[entry_key(r.kind, r.name)] = self.entry(r)
        kept = [(nodeid(r.nodeid), entry_key(r.kind, r.name)) for r in keep]
        try:
            with baseline_lock(os.path.realpath(self.path)):  # one lock for every link to it
                old = self._load()
                gates = {} if prune else dict(old)
                for test, key in kept:
                    ran.setdefault(test, {})
                    if key in old.get(test, {}):
                        ran[test][key] = old[test][key]
                gates.update({test: entries for test, entries in ran.items() if entries})
                for test in [t for t, entries in ran.items() if not entries]:
                    gates.pop(test, None)
                text = json.dumps({"schema_version": BASELINE_SCHEMA, "gates": gates},
                                  indent=2, sort_keys=True, allow_nan=False) + "\n"
                atomic_write_text(self.path, text)
        except OSError as exc:
            raise ConfigError(f"{self.option} {self.path}: cannot write it "
                              f"({exc.strerror or exc})") from None
        self._gates = self._load()
        return self.path


@contextlib.contextmanager
def baseline_lock(path: str | Path, *, timeout: float = _LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on ``<path>.lock`` (the file itself is replaced, so not it).

    The lock file is removed on release; a waiter that then holds a removed file's lock sees
    that the path no longer names its file and locks afresh.
    """
    target = Path(path)
    lock = target.with_name(target.name + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise ConfigError(
                        f"--modelgate-baseline {target}: another run has held {lock} for over "
                        f"{timeout:.0f} s; retry when it has finished")
                time.sleep(0.05)
            try:
                current = os.path.samestat(os.fstat(fd), os.stat(lock))
            except FileNotFoundError:
                current = False
            if not current:
                _unlock(fd)
        except BaseException:
            os.close(fd)
            raise
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        _unlock(fd)
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
