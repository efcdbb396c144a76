"""Atomic file writes: a report or baseline is either the old file or the whole new one."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text"]


def _umask() -> int:
    """The process umask, read without changing it where the OS allows (Linux /proc)."""
    with contextlib.suppress(OSError, ValueError), \
            open("/proc/self/status", encoding="ascii", errors="replace") as fh:
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # elsewhere the only way to read it is to set it (and put it back)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """What `open(target, "w")` would give: an existing file keeps its permission bits, a new one
    gets 0o666 minus the umask (mkstemp's temporary file is 0o600 whatever the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write `text` to a temporary file beside `path`, fsync it, then rename it over `path`.

    A symlink is followed: its final target is rewritten (beside which the temporary file is
    made) and the link stays. Returns `path` as given.
    """
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """`atomic_write_text` for bytes."""
    return atomic_write(path, lambda fh: fh.write(data))


def atomic_write(path: str | os.PathLike[str], fill: Callable[[IO[bytes]], object]) -> Path:
    """Let `fill` write a (seekable, binary) temporary file beside `path`, fsync it, then rename
    it over `path`: readers see the old file or the whole new one, never a part, and a `fill`
    that raises leaves the old file and no temporary one. Symlinks as in `atomic_write_text`."""
    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:
            fill(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(path)
