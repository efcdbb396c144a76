"""SHA-256 pins and lock files: `modelgate hash PATH... > modelgate.lock`, checked by the gate.

The lock format is ``sha256sum``'s (``<hex>  <path>``), so ``sha256sum -c modelgate.lock`` works
too; lines starting with ``#`` are comments.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from pytest_modelgate.exceptions import InputError

from ._walk import walk_dir

__all__ = ["check_lock", "read_lock", "sha256_file", "write_lock"]

_LINE = re.compile(r"([0-9a-fA-F]{64}) [ *](.+)")


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks (never loaded whole)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"sha256_file: {str(p)!r} is not a file; pass the artifact's path")
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while True:
            block = fh.read(chunk)
            if not block:
                break
            h.update(block)
    return h.hexdigest()


def _files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files, problems = walk_dir(p)
            if problems:
                bad, why, _ = problems[0]
                raise InputError(f"hash: {bad}: {why}; fix or remove it before locking")
            if not files:
                raise InputError(f"hash: no file to hash in {str(p)!r}; an empty directory is "
                                 "not a model artifact")
            out += files
        elif p.is_file():
            out.append(p)
        elif p.exists():
            raise InputError(f"hash: {str(p)!r} is not a regular file (device, FIFO or "
                             "socket); pass artifact files or directories")
        else:
            raise InputError(f"hash: {str(p)!r} does not exist; pass artifact files or directories")
    return out


def write_lock(paths: Iterable[str | os.PathLike[str]]) -> str:
    """Lock-file text pinning every file (directories expand to their files), sorted by path."""
    lines = ["# modelgate.lock: SHA-256 of model artifacts; check with gate.artifact(lock=...)"]
    for p in sorted(_files(paths), key=lambda f: f.as_posix()):
        lines.append(f"{sha256_file(p)}  {p.as_posix()}")
    return "\n".join(lines) + "\n"


def read_lock(lock_path: str | os.PathLike[str]) -> dict[str, str]:
    """``{path as written: sha256}`` from a lock file; malformed lines raise `InputError`."""
    lp = Path(lock_path)
    if not lp.is_file():
        raise InputError(f"lock: {str(lp)!r} does not exist; create it with "
                         "`modelgate hash PATH... > modelgate.lock`")
    pins: dict[str, str] = {}
    for n, line in enumerate(lp.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        m = _LINE.fullmatch(text)
        if m is None:
            raise InputError(f"lock: {lp}:{n}: expected '<sha256>  <path>', got {text[:80]!r}")
        pins[m.group(2)] = m.group(1).lower()
    return pins


def _resolve(entry: str, lock_dir: Path) -> Path:
    p = Path(entry)
    if p.is_absolute() or p.exists():
        return p
    return lock_dir / p


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # pragma: no cover - unresolvable paths simply differ
        return False


def check_lock(lock_path: str | os.PathLike[str],
               paths: Iterable[str | os.PathLike[str]] | None = None) -> list[str]:
    """Problems found checking artifacts against a lock file; an empty list means all match.

    Without `paths`, every pinned file is checked. With `paths`, each must be pinned and match.
    Relative entries are read relative to the working directory, then to the lock's directory.
    """
    lp = Path(lock_path)
    pins = read_lock(lp)
    problems: list[str] = []
    entries = {entry: _resolve(entry, lp.parent) for entry in pins}
    if paths is None:
        targets = list(entries.items())
    else:
        targets = []
        for raw in paths:
            p = Path(raw)
            match = next((e for e, rp in entries.items() if _same(rp, p)), None)
            if match is None:
                problems.append(f"{p}: not pinned in {lp}; add it with `modelgate hash {p} >> {lp}`")
            else:
                targets.append((match, p))
    for entry, p in targets:
        if not p.is_file():
            problems.append(f"{entry}: pinned in {lp} but missing")
            continue
        actual = sha256_file(p)
        if actual != pins[entry]:
            problems.append(f"{entry}: sha256 {actual} does not match the pinned {pins[entry]} "
                            f"in {lp}; the file changed since it was locked")
    return problems
