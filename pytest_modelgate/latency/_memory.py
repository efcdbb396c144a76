"""Memory: tracemalloc peak of a call, RSS high-water in a subprocess, artifact size on disk.

tracemalloc sees every allocation made through Python's allocators, and numpy reports its
array buffers to it, so pure-Python and numpy models are measured exactly. Native runtimes
(ONNX Runtime, torch) allocate outside it: for them the resident-set high-water mark of a fresh
subprocess is the honest figure.
"""

from __future__ import annotations

import gc as _gc
import multiprocessing
import os
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = ["MemoryResult", "artifact_size", "peak_memory", "peak_rss"]


@dataclass(frozen=True)
class MemoryResult:
    """Peak bytes of one call (the largest over `repeat` calls) and how it was measured."""

    peak: int
    method: str
    peaks: tuple[int, ...] = ()
    warmup_peak: int | None = None
    retained: int | None = None
    baseline: int | None = None
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "peak": self.peak, "method": self.method, "peaks": list(self.peaks),
            "warmup_peak": self.warmup_peak, "retained": self.retained,
            "baseline": self.baseline, "notes": list(self.notes), **self.details,
        }


def _check_count(value: object, arg: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"{arg}: expected an integer >= {minimum}, got {value!r}")
    return value


def peak_memory(fn: Callable[..., Any], *args: Any, repeat: int = 3, warmup: int = 1,
                **kwargs: Any) -> MemoryResult:
    """Peak traced bytes allocated during one call of ``fn(*args, **kwargs)`` (tracemalloc).

    Each of `repeat` calls is measured from a fresh peak (what existed before the call does not
    count); the result is the largest. `warmup` calls run first, measured but not gated, so
    one-off caches are visible in `warmup_peak` without deciding the verdict.
    """
    if not callable(fn):
        raise InputError(f"fn: expected a callable, got {type(fn).__name__}")
    repeat = _check_count(repeat, "repeat", 1)
    warmup = _check_count(warmup, "warmup", 0)
    started_here = not tracemalloc.is_tracing()
    if started_here:
        tracemalloc.start()
    notes: list[str] = []
    if not started_here:
        notes.append("tracemalloc was already tracing; measured with reset_peak()")
    peaks: list[int] = []
    warm: list[int] = []
    retained = 0
    try:
        for i in range(warmup + repeat):
            _gc.collect()
            before, _ = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            out = fn(*args, **kwargs)
            del out
            current, peak = tracemalloc.get_traced_memory()
            (warm if i < warmup else peaks).append(max(0, peak - before))
            retained = max(retained, current - before)
    finally:
        if started_here:
            tracemalloc.stop()
    return MemoryResult(
        peak=max(peaks), method="tracemalloc", peaks=tuple(peaks),
        warmup_peak=max(warm) if warm else None, retained=int(retained), notes=tuple(notes),
    )


def _read_status(field_name: str) -> int | None:
    """A kB field of /proc/self/status in bytes (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _rss_child(conn: Any, fn: Callable[..., Any], setup: Callable[[], Any] | None,
               args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:  # pragma: no cover - child
    try:
        state = setup() if setup is not None else None
        call_args = (state, *args) if setup is not None else args
        _gc.collect()
        reset = False
        try:  # Linux: writing 5 to clear_refs resets VmHWM to the current RSS
            with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
                fh.write("5")
            reset = True
        except OSError:
            pass
        before = _read_status("VmRSS")
        fn(*call_args, **kwargs)
        hwm = _read_status("VmHWM")
        if hwm is None:
            import resource

            ru = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            hwm = int(ru) if sys.platform == "darwin" else int(ru) * 1024
        conn.send({"ok": True, "before": before, "hwm": hwm, "reset": reset})
    except BaseException as exc:  # report any failure to the parent
        conn.send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def peak_rss(fn: Callable[..., Any], *args: Any, setup: Callable[[], Any] | None = None,
             timeout: float = 120.0, **kwargs: Any) -> MemoryResult:
    """Resident-set high-water of one call, measured in a fresh (spawned) subprocess.

    For native runtimes whose allocations tracemalloc cannot see. `fn`, `setup` and the
    arguments must be picklable (module-level functions, paths, arrays). With `setup`, the
    child first calls ``state = setup()`` (e.g. load the ONNX session), resets the high-water
    mark, then calls ``fn(state, *args, **kwargs)``; `peak` is the growth over the RSS before
    the call and `details["hwm"]` the absolute high-water.
    """
    if not callable(fn):
        raise InputError(f"fn: expected a picklable callable, got {type(fn).__name__}")
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_rss_child, args=(child, fn, setup, args, kwargs), daemon=True)
    try:
        proc.start()
    except Exception as exc:  # pickling errors surface here
        raise InputError(
            f"fn: cannot be sent to a subprocess ({type(exc).__name__}: {exc}); pass a "
            "module-level function and picklable arguments, and load the model in setup="
        ) from exc
    child.close()
    if not parent.poll(timeout):
        proc.kill()
        proc.join()
        raise InputError(f"fn: the subprocess did not finish within timeout={timeout}s")
    msg = parent.recv()
    proc.join(timeout=10)
    if not msg["ok"]:
        raise InputError(f"fn failed in the measuring subprocess: {msg['error']}")
    before = msg["before"]
    hwm = int(msg["hwm"])
    notes = []
    if not msg["reset"] or before is None:
        notes.append("could not reset the RSS high-water mark; peak is the absolute high-water "
                     "of the subprocess (interpreter and imports included)")
        peak = hwm
    else:
        peak = max(0, hwm - int(before))
    return MemoryResult(peak=peak, method="rss-subprocess", peaks=(peak,), baseline=before,
                        notes=tuple(notes), details={"hwm": hwm})


def artifact_size(path: str | os.PathLike[str]) -> int:
    """Bytes on disk of a model file, or of every file under a model directory."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"path: {str(p)!r} does not exist; pass the saved model file or directory")
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
