"""`scan(path)`: static verdict on a serialized model, whatever container it hides in.

Content is sniffed, never trusted by file name: zip (PyTorch, npz, skops, nested), gzip, bz2,
xz, lzma, zlib (joblib's compressors), npy, tar, ONNX, and pickle protocols 0-5 with joblib's
raw array buffers. Anything the scanner cannot follow is a finding ("cannot be verified"), never
a pass and never a crash.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import math
import mmap
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import InputError

from . import containers as C
from ._walk import Problem, walk_dir
from .findings import Finding, ScanResult, Severity
from .pickle_walk import scan_pickle_stream, try_prefix
from .policy import Policy, default_policy

__all__ = ["DEFAULT_LIMITS", "dir_entries", "dir_files", "scan", "scan_bytes", "unverifiable"]

DEFAULT_LIMITS: dict[str, float] = {
    "max_decompressed_bytes": 4 << 30,
    "max_depth": 8,
    "max_members": 100_000,
    "max_seconds": 600,
    "max_total_seconds": 3600,
}

_PICKLE_NAMES = (".pkl", ".pickle", ".pk", ".joblib", ".pt", ".pth", ".ckpt")
_MMAP_OVER = 16 << 20
# Decompressed data held whole in memory: one stream up to _HEAD, all nested ones together up to
# _IN_MEMORY; beyond that a stream is walked through a window of _WINDOW bytes (plus a 4 MiB
# look-ahead), so memory stays bounded whatever the file.
_HEAD = 16 << 20
_IN_MEMORY = 32 << 20
_WINDOW = 16 << 20
_COMPRESSED = ("gzip", "bz2", "xz", "lzma", "zlib")
_TOTAL_TIMEOUT = ("the time limit of the whole scan (max_total_seconds) ran out before this "
                  "file was fully scanned; what was not scanned cannot be verified")
_UNKNOWN = ("not a recognised model format (neither pickle, joblib, zip, npy, skops, ONNX, "
            "safetensors, JSON, text nor a compressed stream); cannot be verified")


class _Scan:
    """Collects findings, globals and formats while the walkers run (the walkers' `Sink`)."""

    def __init__(self, file: str, policy: Policy, limits: dict[str, float]) -> None:
        self.file = file
        self.policy = policy
        self.findings: list[Finding] = []
        self._keys: set[tuple[Any, ...]] = set()
        self.globals: Counter[str] = Counter()
        self.formats: list[str] = []
        self.members: list[str] = []
        self.scanned = 0
        self.max_depth = int(limits["max_depth"])
        self.max_members = int(limits["max_members"])
        self.budget = C.Budget(int(limits["max_decompressed_bytes"]))
        self.max_seconds = limits["max_seconds"]
        self.resident = 0  # decompressed bytes held whole in memory right now

    # -- Sink -------------------------------------------------------------------------------

    def on_global(self, member: str, offset: int, opcode: str, module: str, name: str,
                  note: str) -> None:
        full = f"{module}.{name}"
        if not note:
            self.globals[f"{module}:{name}"] += 1
        verdict = self.policy.judge(module, name)
        if not verdict.allowed:
            sev = verdict.severity if verdict.severity in ("critical", "high", "medium") \
                else "high"
            self.finding(member, offset, opcode, full, sev, verdict.why, verdict.technique,
                         note=note)

    def finding(self, member: str, offset: int, opcode: str, global_: str | None,
                severity: str, why: str, technique: str = "", *, note: str = "") -> None:
        key = (member, offset, opcode, global_)
        if key in self._keys:
            return
        self._keys.add(key)
        sev: Severity = severity if severity in ("critical", "high", "medium") else "high"  # type: ignore[assignment]
        self.findings.append(Finding(self.file, member, offset, opcode, global_, sev,
                                     note + why, technique))

    # -- dispatch ---------------------------------------------------------------------------

    def fmt(self, kind: str) -> None:
        if kind not in self.formats:
            self.formats.append(kind)

    def blob(self, buf: Any, start: int, end: int, member: str, depth: int, *,
             top: bool = False, archive: bool = False, name: str = "") -> None:
        """Scan ``buf[start:end]`` as whatever its content is."""
        if depth > self.max_depth:
            self.finding(member, 0, "container", None, "high",
                         f"containers nested deeper than max_depth={self.max_depth}; cannot be "
                         "verified", "nesting")
            return
        self.scanned += end - start
        if end <= start:
            if top:
                self.finding(member, 0, "file", None, "high", "empty file: not a model; "
                             "cannot be verified", "empty")
            return
        kind = C.sniff(buf, start, end)
        if kind is not None and buf[start] != 0x80:
            # Also read from offset 0 as plain pickle.load would (polyglot files).
            try_prefix(buf, start, end, self, member,
                       f"the {kind} bytes, read by plain pickle.load, are opcodes: ")
        if kind == "zip":
            self.zip(buf, start, end, member, depth, prepended_ok=False)
        elif kind in ("gzip", "bz2", "xz", "lzma", "zlib"):
            self.compressed(kind, buf, start, end, member, depth)
        elif kind == "npy":
            self.npy(buf, start, end, member)
        elif kind == "tar":
            self.tar(buf, start, end, member, depth)
        elif kind is not None:
            self.fmt(kind)
            self.finding(member, 0, "container", None, "high",
                         f"{kind} container: no reader for it here, so its content cannot be "
                         "verified", f"container-{kind}")
        else:
            self.other(buf, start, end, member, depth, top=top, archive=archive, name=name)

    def _took_pickle(self, sink: Any, identified: bool, reached_import: bool) -> bool:
        """Keep a walk's findings when the bytes are a pickle (by name or magic, or because they
        reached an import as one), naming the format; else leave them to the other readers."""
        if not (identified or reached_import):
            return False
        if isinstance(sink, _Buffered):
            sink.replay(self)
        self.fmt("joblib" if any(g.startswith(("joblib.", "sklearn.externals.joblib:"))
                                 for g in self.globals) else "pickle")
        return True

    def other(self, buf: Any, start: int, end: int, member: str, depth: int, *, top: bool,
              archive: bool, name: str) -> None:
        identified = buf[start] == 0x80 or name.lower().endswith(_PICKLE_NAMES)
        if not identified and C.looks_like_safetensors(buf, start, end):
            self.safetensors(buf, start, end, member)
            return
        # Bytes not known to be a pickle count only if they reach an import as one.
        sink: Any = self if identified else _Buffered()
        status = scan_pickle_stream(buf, start, end, sink, member, archive=archive,
                                    identified=identified, depth=depth)
        complete = status.pickles > 0 and status.end >= end
        if not identified and not complete and top:
            text = C.text_kind(buf, start, end)
            if text is not None:
                # Data, unless pickle.load really imports something reading it as opcodes.
                self.fmt(text)
                try_prefix(buf, start, end, self, member,
                           f"read by plain pickle.load, the {text} bytes are opcodes: ")
                return
        if self._took_pickle(sink, identified, status.reached_import):
            return
        if status.pickles > 0 and status.end >= end and not archive:
            self.fmt("pickle")  # a complete pickle of plain values only
            return
        if not top:
            return  # raw data inside an archive: no pickle loader runs anything in it
        if C.looks_like_onnx(buf, start, end):
            self.fmt("onnx")
            return
        try:
            self.zip(buf, start, end, member, depth, prepended_ok=True)
            return
        except C.Unreadable:
            pass
        self.finding(member, 0, "file", None, "high", _UNKNOWN, "unknown-format")

    def safetensors(self, buf: Any, start: int, end: int, member: str) -> None:
        """A safetensors file is data (a JSON header and raw tensor bytes): validated, and read
        as plain pickle.load would (a polyglot), never walked as a pickle."""
        self.fmt("safetensors")
        try:
            C.read_safetensors(buf, start, end)
        except C.Unreadable as exc:
            self.finding(member, 0, "safetensors-header", None, "high",
                         f"malformed safetensors file: {exc}; cannot be verified",
                         "safetensors-header")
        try_prefix(buf, start, end, self, member,
                   "read by plain pickle.load, the safetensors bytes are opcodes: ")

    def compressed(self, kind: str, buf: Any, start: int, end: int, member: str,
                   depth: int) -> None:
        self.fmt(kind)
        inner = _join(member, f"<{kind}>")
        self.members.append(inner)
        try:
            self.stream(C.decompress_iter(kind, C.slices(buf, start, end), self.budget), inner,
                        depth + 1, top=True)
        except C.Bomb as exc:
            self.finding(member, 0, kind, None, "high", f"{exc} (decompression bomb guard); "
                         "cannot be verified", "bomb")
        except C.Unreadable as exc:
            self.finding(member, 0, kind, None, "high", f"{exc}; cannot be verified",
                         "corrupt-compression")

    def stream(self, chunks: Iterator[bytes], member: str, depth: int, *, top: bool = False,
               archive: bool = False, name: str = "") -> None:
        """Scan bytes that arrive in pieces (decompressed data, archive members): whole in memory
        up to _HEAD bytes (and _IN_MEMORY for all nested streams together), else streamed."""
        if depth > self.max_depth:
            self.finding(member, 0, "container", None, "high",
                         f"containers nested deeper than max_depth={self.max_depth}; cannot be "
                         "verified", "nesting")
            return
        cap = max(0, min(_HEAD, _IN_MEMORY - self.resident))
        head = bytearray()
        held = [0]

        def release() -> None:
            """The head's memory was handed on or freed: stop counting it as resident."""
            self.resident -= held[0]
            held[0] = 0

        try:
            it = iter(chunks)
            for chunk in it:
                head += chunk
                held[0] += len(chunk)
                self.resident += len(chunk)
                if len(head) > cap:
                    following = next(it, None)
                    if following is None:
                        break  # complete after all: scan it in memory
                    rest = itertools.chain([following], it)
                    self.streamed(head, rest, member, depth, top=top, archive=archive,
                                  name=name, cap=cap, release=release)
                    return
            self.blob(head, 0, len(head), member, depth, top=top, archive=archive, name=name)
        finally:
            release()

    def streamed(self, head: bytearray, rest: Iterator[bytes], member: str, depth: int, *,
                 top: bool, archive: bool, name: str, cap: int,
                 release: Callable[[], None]) -> None:
        """A stream too long to hold: nested compression and tar are followed, a pickle is
        walked through a window, anything else (zip, npy...) is reported as unverifiable."""
        kind = C.sniff(head, 0, len(head))

        def source() -> Iterator[bytes]:
            yield from C.slices(head, 0, len(head))
            del head[:]
            release()
            yield from rest

        if kind in _COMPRESSED:
            self.fmt(kind)
            inner = _join(member, f"<{kind}>")
            self.members.append(inner)
            self.stream(C.decompress_iter(kind, source(), self.budget), inner, depth + 1,
                        top=True)
            return
        if kind == "tar":
            reader = C.ChunkFile(source())
            try:
                self.tar_stream(reader, member, depth)
            finally:
                self.scanned += reader.total
            return
        if kind is not None and head[0] != 0x80:
            self.fmt(kind)
            self.scanned += len(head)
            self.finding(member, 0, kind, None, "high",
                         f"{kind} data longer than {cap >> 20} MiB inside a compressed stream or "
                         "archive: the scanner reads it only in memory, so it cannot be verified",
                         "too-large")
            return
        window = C.Window(head, rest, _WINDOW)
        try:
            self.walk_window(window, member, depth, top=top, archive=archive, name=name)
        finally:
            self.scanned += window.total

    def walk_window(self, window: C.Window, member: str, depth: int, *, top: bool,
                    archive: bool, name: str) -> None:
        """`other` for a stream read through a window: only the pickle reading applies."""
        buf = window.buf
        identified = buf[0] == 0x80 or name.lower().endswith(_PICKLE_NAMES)
        sink: Any = self if identified else _Buffered()
        status = scan_pickle_stream(buf, 0, len(buf), sink, member, archive=archive,
                                    identified=identified, depth=depth, window=window)
        if self._took_pickle(sink, identified, status.reached_import):
            return
        if status.pickles > 0 and window.final and status.end >= len(window.buf) \
                and not archive:
            self.fmt("pickle")
            return
        if not top:
            return
        self.finding(member, 0, "file", None, "high", f"{_UNKNOWN} (more than {_HEAD >> 20} "
                     "MiB of decompressed data)", "unknown-format")

    def collect(self, chunks: Iterator[bytes], member: str) -> bytes | None:
        """A member's whole bytes when they fit in memory, else a finding and None."""
        out = bytearray()
        for chunk in chunks:
            out += chunk
            if len(out) > _HEAD:
                self.finding(member, 0, "zip-entry", None, "high", f"longer than "
                             f"{_HEAD >> 20} MiB; cannot be verified", "too-large")
                return None
        return bytes(out)

    def zip(self, buf: Any, start: int, end: int, member: str, depth: int, *,
            prepended_ok: bool) -> None:
        try:
            entries, prepended = C.read_zip(buf, start, end, self.max_members)
        except C.Unreadable as exc:
            if prepended_ok:
                raise
            self.fmt("zip")
            self.finding(member, 0, "zip", None, "high", f"unreadable zip archive ({exc}); "
                         "cannot be verified", "corrupt-zip")
            return
        self.fmt("zip")
        if prepended:
            self.finding(member, 0, "zip", None, "high",
                         f"{prepended} bytes before the zip archive: a polyglot that a pickle "
                         "loader and a zip reader see differently", "zip-prepended")
        names = {e.name for e in entries}
        is_skops = "schema.json" in names
        if is_skops:
            self.fmt("skops")
        if any(n.endswith("data.pkl") for n in names):
            self.fmt("pytorch-zip")
        for e in entries:
            C.check_deadline()
            inner = _join(member, e.name)
            self.members.append(inner)
            try:
                chunks = C.zip_member_chunks(buf, e, self.budget)
                if e.name.endswith(".py") or "/code/" in f"/{e.name}":
                    self.finding(inner, 0, "zip-entry", None, "high", "Python/TorchScript "
                                 "source inside the archive runs when loaded; cannot be verified",
                                 "archive-code")
                elif is_skops and e.name == "schema.json":
                    data = self.collect(chunks, inner)
                    if data is not None:
                        self.skops(data, inner)
                else:
                    self.stream(chunks, inner, depth + 1, archive=True, name=e.name)
                for _ in chunks:  # the rest of the member: its size and CRC are checked at the end
                    pass
            except C.Bomb as exc:
                self.finding(inner, 0, "zip-entry", None, "high",
                             f"{exc} (zip bomb guard); cannot be verified", "bomb")
                return
            except C.Unreadable as exc:
                self.finding(inner, 0, "zip-entry", None, "high", f"{exc}; cannot be verified",
                             "corrupt-zip")
            for severity, why, technique in e.anomalies:
                self.finding(inner, e.header_offset - start, "zip-entry", None, severity, why,
                             technique)

    def npy(self, buf: Any, start: int, end: int, member: str) -> None:
        self.fmt("npy")
        try:
            header, data_start = C.read_npy_header(buf, start, end)
            itemsize, hasobject = C.npy_dtype_info(header["descr"])
        except C.Unreadable as exc:
            self.finding(member, 0, "npy-header", None, "high", f"{exc}; cannot be verified",
                         "npy-header")
            return
        if hasobject:
            # np.load(allow_pickle=True) unpickles everything after the header.
            scan_pickle_stream(buf, data_start, end, self, member, identified=True)
            return
        count = 1
        for dim in header["shape"]:
            count *= dim
        expected = count * itemsize
        have = end - data_start
        if have < expected:
            self.finding(member, data_start - start, "npy-data", None, "medium",
                         f"truncated array data ({have} of {expected} bytes); cannot be "
                         "verified", "npy-truncated")
        elif have > expected:
            self.finding(member, data_start - start + expected, "npy-data", None, "high",
                         f"{have - expected} bytes after the array data; cannot be verified",
                         "data-after-array")

    def skops(self, data: bytes, member: str) -> None:
        try:
            schema = json.loads(data)
            nodes = C.skops_nodes(schema)
        except (ValueError, RecursionError, C.Unreadable) as exc:
            self.finding(member, 0, "skops-schema", None, "high",
                         f"schema.json is not valid JSON ({exc}); cannot be verified",
                         "skops-schema")
            return
        allowed = self.policy.skops_allowed
        for path, node in nodes:
            loader = node.get("__loader__")
            module = node.get("__module__")
            cls = node.get("__class__")
            if not (isinstance(loader, str) and isinstance(module, str) and isinstance(cls, str)):
                self.finding(member, 0, f"skops-node {path}", None, "high",
                             "node without string __loader__/__module__/__class__; cannot be "
                             "verified", "skops-schema")
                continue
            full = f"{module}.{cls}"
            if loader not in C.SKOPS_LOADERS:
                self.finding(member, 0, f"skops-node {path}", full, "high",
                             f"unknown skops loader {loader!r}; cannot be verified",
                             "skops-loader")
                continue
            self.globals[f"{module}:{cls}"] += 1
            if loader == "MethodNode":
                content = node.get("content")
                func = content.get("func") if isinstance(content, dict) else None
                self.finding(member, 0, f"skops-node {path}", f"{full}.{func}", "high",
                             "MethodNode returns a bound method reached by name "
                             "(CVE-2025-54413); skops does not trust it by default",
                             "skops-method")
                continue
            if loader == "OperatorFuncNode" and (module, cls) not in allowed:
                self.finding(member, 0, f"skops-node {path}", full, "critical",
                             "OperatorFuncNode builds operator.attrgetter/itemgetter/"
                             "methodcaller gadgets (CVE-2025-54412)", "skops-operator")
                continue
            if loader == "PartialNode" and (module, cls) not in allowed:
                self.finding(member, 0, f"skops-node {path}", full, "high",
                             "PartialNode builds functools.partial of another node; skops does "
                             "not trust it by default", "skops-partial")
                continue
            if (module, cls) in allowed:
                continue
            verdict = self.policy.judge(module, cls)
            if verdict.allowed:
                continue
            self.finding(member, 0, f"skops-node {path}", full,
                         "critical" if verdict.severity == "critical" else "high",
                         f"{loader}: {verdict.why}", f"skops-{verdict.technique}")

    def tar(self, buf: Any, start: int, end: int, member: str, depth: int) -> None:
        self.tar_stream(C.BufferFile(buf, start, end), member, depth, seekable=True)

    def tar_stream(self, fileobj: Any, member: str, depth: int, *,
                   seekable: bool = False) -> None:
        """Every member of a tar archive, read in order (``r|`` for a stream) and streamed."""
        import tarfile

        self.fmt("tar")
        try:
            with tarfile.open(fileobj=fileobj, mode="r:" if seekable else "r|") as tf:
                count = 0
                for info in tf:
                    C.check_deadline()
                    count += 1
                    if count > self.max_members:
                        raise C.Unreadable(f"more than max_members={self.max_members} members")
                    inner = _join(member, info.name)
                    if info.issym() or info.islnk():
                        self.finding(inner, 0, "tar-entry", None, "high",
                                     f"link to {info.linkname!r} inside a model archive",
                                     "tar-link")
                        continue
                    if not info.isfile():
                        continue
                    self.members.append(inner)
                    self.budget.take(info.size)
                    fh = tf.extractfile(info)
                    if fh is not None:
                        self.stream(_file_chunks(fh), inner, depth + 1, archive=True,
                                    name=info.name)
        except C.Bomb as exc:
            self.finding(member, 0, "tar", None, "high", f"{exc}; cannot be verified", "bomb")
        except (tarfile.TarError, C.Unreadable, OSError, EOFError) as exc:
            self.finding(member, 0, "tar", None, "high", f"unreadable tar archive ({exc}); "
                         "cannot be verified", "corrupt-tar")


class _Buffered:
    """A sink that holds findings until we know the bytes are really read as a pickle."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def on_global(self, *args: Any) -> None:
        self.calls.append(("on_global", args, {}))

    def finding(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append(("finding", args, kwargs))

    def replay(self, target: _Scan) -> None:
        for method, args, kwargs in self.calls:
            getattr(target, method)(*args, **kwargs)


def _file_chunks(fh: Any) -> Iterator[bytes]:
    """A file object's bytes in `C.CHUNK` pieces."""
    while True:
        chunk = fh.read(C.CHUNK)
        if not chunk:
            return
        yield chunk


def _join(outer: str, inner: str) -> str:
    return f"{outer}!{inner}" if outer else inner


def _result(scan: _Scan, path: str, size: int) -> ScanResult:
    findings = sorted(scan.findings, key=lambda f: (f.member, f.offset, f.opcode))
    return ScanResult(
        path=path,
        findings=tuple(findings),
        size=size,
        formats=tuple(scan.formats),
        globals=tuple(sorted(scan.globals.items())),
        members=tuple(scan.members),
        bytes_scanned=scan.scanned,
        files=(path,),
    )


def _policy(allow: Iterable[str | tuple[str, str]] | str | None,
            policy: Policy | None) -> Policy:
    base = policy or default_policy()
    return base.extended(allow) if allow else base


def _limits(**given: float | None) -> dict[str, float]:
    out = dict(DEFAULT_LIMITS)
    for key, value in given.items():
        if value is None:
            continue
        if key in ("max_seconds", "max_total_seconds"):
            if not isinstance(value, (int, float)) or isinstance(value, bool) or \
                    not math.isfinite(value) or value <= 0:
                raise InputError(f"{key} must be a positive number of seconds, got "
                                 f"{value!r}")
        elif not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise InputError(f"{key} must be a positive integer, got {value!r}")
        out[key] = value
    return out


def _run(state: _Scan, fill: Any) -> None:
    """Run `fill()` under the per-file time limit; a timeout or runaway nesting is a finding."""
    try:
        with C.deadline(state.max_seconds):
            fill()
    except C.OpBomb as exc:
        state.finding("", 0, "file", None, "high", str(exc), "opcode-bomb")
    except C.TotalTimeout:
        state.finding("", 0, "file", None, "high", _TOTAL_TIMEOUT, "total-timeout")
    except C.ScanTimeout:
        state.finding("", 0, "file", None, "high",
                      f"scan timed out after {_num(state.max_seconds, digits=6)} s (max_seconds); what was not "
                      "scanned cannot be verified", "timeout")
    except RecursionError:  # pragma: no cover - defensive: nesting is bounded by max_depth
        state.finding("", 0, "container", None, "high", "nested too deeply; cannot be verified",
                      "nesting")


def scan_bytes(data: bytes, *, name: str = "<bytes>",
               allow: Iterable[str | tuple[str, str]] | str | None = None,
               policy: Policy | None = None, max_decompressed_bytes: int | None = None,
               max_depth: int | None = None, max_members: int | None = None,
               max_seconds: float | None = None) -> ScanResult:
    """Scan an in-memory artifact exactly as `scan` scans a file."""
    state = _Scan(name, _policy(allow, policy),
                  _limits(max_decompressed_bytes=max_decompressed_bytes, max_depth=max_depth,
                          max_members=max_members, max_seconds=max_seconds))

    def fill() -> None:
        with C.op_budget(len(data)):
            state.blob(data, 0, len(data), "", 0, top=True)

    _run(state, fill)
    return _result(state, name, len(data))


def scan(path: str | os.PathLike[str], *,
         allow: Iterable[str | tuple[str, str]] | str | None = None,
         policy: Policy | None = None, max_decompressed_bytes: int | None = None,
         max_depth: int | None = None, max_members: int | None = None,
         max_seconds: float | None = None,
         max_total_seconds: float | None = None) -> ScanResult:
    """Statically scan a model artifact (or every file under a directory); never loads it.

    `allow` extends the allow-list: ``"mypkg.module.MyClass"``, ``"mypkg.module:MyClass"`` or
    ``"mypkg.*"``. The limits bound decompressed size, container nesting, member count and the
    time spent on each file (`max_seconds`) and on the whole scan (`max_total_seconds`, which
    also bounds a directory); exceeding one is a finding, not an error. A directory without any
    file is an `InputError` (nothing scanned is never "safe").
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"scan: path {str(p)!r} does not exist; pass the model artifact file")
    pol = _policy(allow, policy)
    limits = _limits(max_decompressed_bytes=max_decompressed_bytes, max_depth=max_depth,
                     max_members=max_members, max_seconds=max_seconds,
                     max_total_seconds=max_total_seconds)
    if p.is_dir():
        with C.total_deadline(limits["max_total_seconds"]):
            return _scan_dir(p, pol, limits)
    if not p.is_file():
        state = _Scan(str(p), pol, limits)
        state.finding("", 0, "file", None, "high", "not a regular file (device, FIFO or "
                      "socket); cannot be verified", "not-a-file")
        return _result(state, str(p), 0)
    with C.total_deadline(limits["max_total_seconds"]):
        return _scan_file(p, pol, limits)


def _scan_file(p: Path, pol: Policy, limits: dict[str, float]) -> ScanResult:
    name = str(p)
    state = _Scan(name, pol, limits)
    size = 0
    if C.total_expired():  # not even started: the whole scan's time is up
        state.finding("", 0, "file", None, "high", _TOTAL_TIMEOUT, "total-timeout")
        with contextlib.suppress(OSError):
            size = p.stat().st_size
        return _result(state, name, size)

    def fill() -> None:
        nonlocal size
        size = p.stat().st_size
        with open(p, "rb") as fh, C.op_budget(size):
            if size == 0:
                state.blob(b"", 0, 0, "", 0, top=True)
            elif size > _MMAP_OVER:
                with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                    state.blob(mm, 0, size, "", 0, top=True)
            else:
                data = fh.read()
                state.blob(data, 0, len(data), "", 0, top=True)

    try:
        _run(state, fill)
    except OSError as exc:
        state.finding("", 0, "file", None, "high", f"cannot read the file ({exc}); cannot be "
                      "verified", "unreadable")
    return _result(state, name, size)


def dir_entries(root: Path) -> tuple[list[Path], list[Problem]]:
    """The files `scan` reads under a directory (symlinks followed, each real file once) and the
    entries it cannot verify; `InputError` when there is neither."""
    files, problems = walk_dir(root)
    if not files and not problems:
        raise InputError(f"scan: no file to scan in {str(root)!r}; an empty directory is not a "
                         "model artifact (pass the directory that holds the saved model)")
    return files, problems


def dir_files(root: Path) -> list[Path]:
    """The files `scan` reads under a directory, sorted; `InputError` when there is none."""
    files = dir_entries(root)[0]
    if not files:
        raise InputError(f"scan: no readable file in {str(root)!r}; pass the directory that "
                         "holds the saved model")
    return files


def unverifiable(path: Path, why: str, technique: str) -> ScanResult:
    """The result for a directory entry that cannot be read (broken link, link loop): UNSAFE."""
    state = _Scan(str(path), default_policy(), dict(DEFAULT_LIMITS))
    state.finding("", 0, "file", None, "high", why, technique)
    return _result(state, str(path), 0)


def _scan_dir(root: Path, pol: Policy, limits: dict[str, float]) -> ScanResult:
    files, problems = dir_entries(root)
    results = [_scan_file(f, pol, limits) for f in files]
    results += [unverifiable(p, why, tech) for p, why, tech in problems]
    glob_counts: Counter[str] = Counter()
    for r in results:
        glob_counts.update(dict(r.globals))
    formats: list[str] = []
    for r in results:
        formats += [f for f in r.formats if f not in formats]
    return ScanResult(
        path=str(root),
        findings=tuple(f for r in results for f in r.findings),
        size=sum(r.size for r in results),
        formats=tuple(formats),
        globals=tuple(sorted(glob_counts.items())),
        members=tuple(m for r in results for m in r.members),
        bytes_scanned=sum(r.bytes_scanned for r in results),
        files=tuple(r.path for r in results),
    )
