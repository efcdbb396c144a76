"""The one directory walk behind `scan`, `gate.artifact` and `modelgate hash`.

Symbolic links are followed (Hugging Face snapshot directories are made of them), each real file
is listed once, and what cannot be read (a broken link, a link loop, a FIFO) is returned as a
problem so callers fail closed instead of skipping it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

__all__ = ["Problem", "walk_dir"]

Problem = tuple[Path, str, str]  # (path, why, technique)


def _why_unreadable(p: Path, exc: OSError) -> Problem:
    if p.is_symlink():
        if exc.errno == errno.ELOOP:
            return (p, "symbolic link loop (the link resolves to itself); cannot be verified",
                    "symlink-loop")
        try:
            target = os.readlink(p)
        except OSError:  # pragma: no cover - raced away between the two calls
            target = "?"
        return (p, f"broken symbolic link to {target!r} (the target does not exist); "
                "cannot be verified", "broken-link")
    return (p, f"cannot read it ({exc}); cannot be verified", "unreadable")


def walk_dir(root: Path) -> tuple[list[Path], list[Problem]]:
    """Every regular file under `root` (links followed, each real file once, sorted by path) and
    the entries that cannot be verified: broken links, links back to an ancestor, unreadable
    directories, FIFOs/sockets/devices."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen_files: set[str] = set()
    seen_dirs: set[str] = set()
    stack: list[tuple[Path, str, frozenset[str]]] = [(root, os.path.realpath(root), frozenset())]
    while stack:
        d, real, ancestors = stack.pop()
        if real in seen_dirs:
            continue
        seen_dirs.add(real)
        try:
            with os.scandir(d) as it:
                names = sorted(e.name for e in it)
        except OSError as exc:
            problems.append(_why_unreadable(d, exc))
            continue
        inner = ancestors | {real}
        subdirs: list[tuple[Path, str, frozenset[str]]] = []
        for name in names:
            p = d / name
            try:
                st = os.stat(p)  # follows links
            except OSError as exc:
                problems.append(_why_unreadable(p, exc))
                continue
            if stat.S_ISDIR(st.st_mode):
                r = os.path.realpath(p)
                if r in inner:
                    problems.append((p, f"symbolic link loop: points back to {r!r}, which "
                                     "contains it; cannot be verified", "symlink-loop"))
                else:
                    subdirs.append((p, r, inner))
            elif stat.S_ISREG(st.st_mode):
                r = os.path.realpath(p)
                if r not in seen_files:
                    seen_files.add(r)
                    files.append(p)
            else:
                problems.append((p, "not a regular file (device, FIFO or socket); cannot be "
                                 "verified", "not-a-file"))
        stack += reversed(subdirs)
    return sorted(files), problems
