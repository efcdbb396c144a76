"""Byte-level readers for the containers a model can hide in: zip, compressed streams, npy, skops,
tar and ONNX. Nothing here imports or runs anything named by the data.

The zip reader reads archives the way PyTorch does (central directory, data offset from the local
header, flag bits and CRC ignored) and reports every place where that reading and Python's
`zipfile` disagree (flags, CRC, names), because that disagreement is how scanners are bypassed.
"""

from __future__ import annotations

import ast
import bz2
import contextlib
import io
import lzma
import struct
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Bomb",
    "Budget",
    "BufferFile",
    "OpBomb",
    "ScanTimeout",
    "TooLong",
    "TotalTimeout",
    "Unreadable",
    "Window",
    "ZipEntry",
    "check_deadline",
    "deadline",
    "decompress",
    "decompress_iter",
    "looks_like_onnx",
    "looks_like_safetensors",
    "read_npy_header",
    "read_safetensors",
    "read_zip",
    "skops_nodes",
    "sniff",
    "text_kind",
    "total_deadline",
    "total_expired",
]

CHUNK = 1 << 20  # decompressed bytes produced per step: what one step can add to memory
_IN_CHUNK = 1 << 20  # compressed bytes fed per step


class Unreadable(Exception):
    """The bytes cannot be parsed as the container they claim to be."""


class TooLong(Unreadable):
    """One piece of a streamed member (an opcode argument, a line) exceeds the window."""


class Bomb(Exception):
    """Decompressing would exceed the size budget (zip/compression bomb guard)."""


class ScanTimeout(Exception):
    """The per-file time limit ran out (`deadline`)."""


class TotalTimeout(ScanTimeout):
    """The time limit of the whole scan (a directory, a CLI invocation) ran out."""


_CLOCK = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Make `check_deadline` raise `ScanTimeout` once `seconds` have passed (this thread)."""
    previous = getattr(_CLOCK, "at", None)
    _CLOCK.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _CLOCK.at = previous


@contextlib.contextmanager
def total_deadline(seconds: float) -> Iterator[None]:
    """Make `check_deadline` raise `TotalTimeout` once `seconds` have passed; nested totals
    never extend an outer one."""
    previous = getattr(_CLOCK, "total", None)
    at = time.monotonic() + seconds
    _CLOCK.total = at if previous is None else min(previous, at)
    try:
        yield
    finally:
        _CLOCK.total = previous


def total_expired() -> bool:
    """Whether the current `total_deadline` has passed."""
    total = getattr(_CLOCK, "total", None)
    return total is not None and time.monotonic() > total


class OpBomb(ScanTimeout):
    """Far more pickle opcodes than the file's size explains (a scan-time bomb)."""


#: pickle opcodes walked one by one that any file may cost (~0.5 s at ~0.5 us per opcode) ...
OPS_FREE = 1 << 20
#: ... and beyond that, per byte of the file on disk. An uncompressed pickle has at most one
#: opcode per byte and compressed real pickles a few; joblib's raw arrays are skipped, not walked.
OPS_PER_BYTE = 20


@contextlib.contextmanager
def op_budget(file_size: int) -> Iterator[None]:
    """Make `charge_ops` raise `OpBomb` beyond max(OPS_FREE, OPS_PER_BYTE * file_size) opcodes."""
    previous = getattr(_CLOCK, "ops", None)
    _CLOCK.ops = [0, max(OPS_FREE, OPS_PER_BYTE * file_size), file_size]
    try:
        yield
    finally:
        _CLOCK.ops = previous


def charge_ops(n: int) -> None:
    """Count `n` walked opcodes against the current `op_budget` (called every ~64 KiB walked)."""
    budget = getattr(_CLOCK, "ops", None)
    if budget is None:
        return
    budget[0] += n
    if budget[0] > budget[1]:
        ratio = budget[0] / max(1, budget[2])
        raise OpBomb(f"compression ratio {ratio:,.0f}:1 above the limit: more than "
                     f"{budget[1]:,} pickle opcodes from a {budget[2]:,}-byte file (limit "
                     f"{OPS_PER_BYTE} opcodes per file byte beyond the first {OPS_FREE:,}); a "
                     "scan-time bomb, cannot be verified")


def check_deadline() -> None:
    """Raise `ScanTimeout` (or `TotalTimeout`) when the current `deadline` (or
    `total_deadline`) has passed (cheap; call per chunk)."""
    now = time.monotonic()
    total = getattr(_CLOCK, "total", None)
    if total is not None and now > total:
        raise TotalTimeout
    at = getattr(_CLOCK, "at", None)
    if at is not None and now > at:
        raise ScanTimeout


@dataclass
class Budget:
    """Decompressed bytes the whole scan may still produce."""

    remaining: int

    def take(self, n: int) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise Bomb("decompressed data exceeds the max_decompressed_bytes budget")


MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"PK\x07\x08PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x93NUMPY", "npy"),
    (b"ZF0x", "joblib-zfile"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)


def sniff(buf: Any, start: int, end: int) -> str | None:
    """The container kind from magic bytes (content, never the file name)."""
    head = bytes(buf[start:min(end, start + 8)])
    for magic, kind in MAGICS:
        if head.startswith(magic):
            return kind
    if len(head) >= 2 and head[0] == 0x78 and ((head[0] << 8) | head[1]) % 31 == 0:
        return "zlib"
    if end - start >= 263 and bytes(buf[start + 257:start + 262]) == b"ustar":
        return "tar"
    return None


def slices(buf: Any, start: int, end: int, size: int = _IN_CHUNK) -> Iterator[bytes]:
    """``buf[start:end]`` in pieces of `size` bytes (an mmap is never copied whole)."""
    for pos in range(start, end, size):
        yield bytes(buf[pos:min(end, pos + size)])


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(wbits=31)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "deflate":
        return zlib.decompressobj(wbits=-15)
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind == "xz":
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    if kind == "lzma":
        return lzma.LZMADecompressor(format=lzma.FORMAT_ALONE)
    raise Unreadable(f"no decompressor for {kind}")


def _member(kind: str, dec: Any, data: bytes, source: Iterator[bytes],
            budget: Budget) -> Iterator[bytes]:
    """One compressed member: at most `CHUNK` bytes per step, each charged to `budget`."""
    zlib_like = not isinstance(dec, (bz2.BZ2Decompressor, lzma.LZMADecompressor))
    idle = 0  # steps in a row that neither produced output nor took new input
    fresh = bool(data)  # `data` not yet given to this decompressor
    while not dec.eof:
        fed, fresh = fresh, False
        if zlib_like:
            if not data:
                data = next(source, b"")
                if not data:
                    raise Unreadable(f"truncated {kind} stream")
                fed = True
            out = dec.decompress(data, CHUNK)
            data = dec.unconsumed_tail  # only meaningful before eof (after it, see unused_data)
        else:
            if not data and dec.needs_input:
                data = next(source, b"")
                if not data:
                    raise Unreadable(f"truncated {kind} stream")
                fed = True
            out = dec.decompress(data, max_length=CHUNK)
            data = b""
        if out:
            idle = 0
            budget.take(len(out))
            check_deadline()
            yield out
        elif not fed:
            idle += 1
            if idle > 3:
                raise Unreadable(f"{kind} decompressor makes no progress")


def decompress_iter(kind: str, source: Iterable[bytes], budget: Budget) -> Iterator[bytes]:
    """Decompress a stream fed in pieces, yielding at most `CHUNK` bytes at a time.

    Concatenated members (multi-member gzip, bz2, xz, zlib) are read one after the other as
    gzip.open/bz2.open/lzma.open do; every byte produced is charged to `budget`; trailing bytes
    that are not another member are `Unreadable` (gzip's zero padding excepted).
    """
    src = iter(source)
    rest = b""
    members = 0
    while True:
        members += 1
        if members > 10_000:
            raise Unreadable("more than 10000 concatenated compressed members")
        dec = _decompressor(kind)
        try:
            yield from _member(kind, dec, rest, src, budget)
        except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
            raise Unreadable(f"corrupt {kind} stream: {exc}") from None
        rest = dec.unused_data
        while len(rest) < 6:
            more = next(src, b"")
            if not more:
                break
            rest += more
        if not rest:
            return
        if kind in ("deflate", "lzma"):
            raise Unreadable(f"bytes after the end of the {kind} stream")
        if kind == "gzip" and not rest.startswith(b"\x1f\x8b"):
            tail_ok = not rest.strip(b"\x00")
            for more in src:
                tail_ok = tail_ok and not more.strip(b"\x00")
                check_deadline()
            if not tail_ok:
                raise Unreadable("bytes after the gzip stream that are not another member")
            return


def decompress(kind: str, data: bytes, budget: Budget) -> bytes:
    """Decompress a whole (possibly multi-member) stream in memory, bounded by `budget`."""
    out = bytearray()
    for chunk in decompress_iter(kind, slices(data, 0, len(data)), budget):
        out += chunk
    return bytes(out)


class BufferFile(io.RawIOBase):
    """A read-only, seekable file over ``buf[start:end]`` that never copies the whole buffer
    (tarfile reads an mmap'd archive through it)."""

    def __init__(self, buf: Any, start: int, end: int) -> None:
        super().__init__()
        self._buf = buf
        self._start = start
        self._end = end
        self._pos = start

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos - self._start

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: self._start, io.SEEK_CUR: self._pos, io.SEEK_END: self._end}[whence]
        self._pos = max(self._start, base + offset)
        return self._pos - self._start

    def readinto(self, b: Any) -> int:
        n = max(0, min(len(b), self._end - self._pos))
        b[:n] = self._buf[self._pos:self._pos + n]
        self._pos += n
        return n


class ChunkFile(io.RawIOBase):
    """A forward-only file over an iterator of byte pieces (``tarfile`` mode ``r|``)."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._piece = b""
        self._pos = 0
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while self._pos >= len(self._piece):
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._piece, self._pos = piece, 0
        n = min(len(b), len(self._piece) - self._pos)
        b[:n] = self._piece[self._pos:self._pos + n]
        self._pos += n
        self.total += n
        return n


LOOKAHEAD = 4 << 20  # bytes a side reading (joblib's plain-pickle fork) may read past a window


class Window:
    """A bounded view of a long stream: ``buf[i]`` is byte ``base + i`` of the stream.

    The walker reads `buf` by relative offsets; `refill` drops what it no longer needs and
    reads on, so memory stays below `limit` bytes whatever the stream's length.
    """

    def __init__(self, head: bytearray, source: Iterator[bytes], limit: int) -> None:
        self.buf = head
        self.base = 0
        self.source = source
        self.limit = limit
        self.final = False
        self.total = len(head)

    def _read(self) -> bytes | None:
        chunk = next(self.source, None)
        if chunk is None:
            self.final = True
            return None
        self.total += len(chunk)
        return chunk

    def grow(self, need: int) -> None:
        """Read on (never dropping) until ``buf`` covers `need` bytes or the stream ends; the
        callers bound `need` (`refill` by the limit, the joblib look-ahead by LOOKAHEAD)."""
        while len(self.buf) < need and not self.final:
            chunk = self._read()
            if chunk:
                self.buf += chunk

    def refill(self, keep: int, need: int) -> int:
        """Drop the bytes before relative offset `keep`, then read until the window covers
        relative `need` (-1: at least one more piece). Returns how many bytes were dropped."""
        want = need - keep if need >= 0 else len(self.buf) - keep + CHUNK
        if (need >= 0 and want > self.limit) or (need < 0 and len(self.buf) - keep >= self.limit):
            what = f"{want} bytes" if need >= 0 else f"a line longer than {self.limit} bytes"
            raise TooLong(f"one opcode argument needs {what} in one piece, more than the "
                          f"scanner's {self.limit >> 20} MiB streaming window")
        buf = self.buf
        if keep <= len(buf):
            del buf[:keep]
        else:
            skip = keep - len(buf)
            del buf[:]
            while skip > 0:
                chunk = self._read()
                if chunk is None:
                    break
                if len(chunk) <= skip:
                    skip -= len(chunk)
                else:
                    buf += chunk[skip:]
                    skip = 0
        self.base += keep
        self.grow(want)
        return keep


# -- zip ---------------------------------------------------------------------------------------


@dataclass
class ZipEntry:
    """One central-directory entry plus what its local header says."""

    name: str
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    header_offset: int
    data_offset: int = -1
    local_name: str | None = None
    local_flags: int | None = None
    anomalies: list[tuple[str, str, str]] = field(default_factory=list)  # (severity, why, technique)


def _zip64_extra(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + size]
        if tag == 1:
            vals = [struct.unpack_from("<Q", body, i)[0] for i in range(0, len(body) - 7, 8)]
            i = 0
            if usize == 0xFFFFFFFF and i < len(vals):
                usize, i = vals[i], i + 1
            if csize == 0xFFFFFFFF and i < len(vals):
                csize, i = vals[i], i + 1
            if offset == 0xFFFFFFFF and i < len(vals):
                offset = vals[i]
        pos += 4 + size
    return usize, csize, offset


def _decode_name(raw: bytes, flags: int) -> str:
    return raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")


def read_zip(buf: Any, start: int, end: int, max_members: int) -> tuple[list[ZipEntry], int]:
    """Central directory entries of the zip in ``buf[start:end]`` and the prepended byte count."""
    tail_start = max(start, end - 22 - 65535)
    tail = bytes(buf[tail_start:end])
    idx = tail.rfind(b"PK\x05\x06")
    if idx < 0 or idx + 22 > len(tail):
        raise Unreadable("no end-of-central-directory record")
    eocd = tail_start + idx
    (_sig, _disk, _cd_disk, _n_here, n_total, cd_size, cd_offset,
     _clen) = struct.unpack_from("<IHHHHIIH", tail, idx)
    loc = eocd - 20
    if loc >= start and bytes(buf[loc:loc + 4]) == b"PK\x06\x07":
        # ZIP64 (torch.save always writes it): the record sits right before its locator, as
        # Python's zipfile reads it; the locator's own pointer is tried second.
        z64 = loc - 56
        if z64 < start or bytes(buf[z64:z64 + 4]) != b"PK\x06\x06":
            z64 = struct.unpack_from("<Q", bytes(buf[loc + 8:loc + 16]))[0] + start
        rec = bytes(buf[z64:z64 + 56]) if start <= z64 < loc else b""
        if len(rec) < 56 or rec[:4] != b"PK\x06\x06":
            raise Unreadable("zip64 end-of-central-directory record missing")
        n_total, cd_size, cd_offset = struct.unpack_from("<QQQ", rec, 32)
        cd_end = z64
    elif n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise Unreadable("zip64 locator missing")
    else:
        cd_end = eocd
    prepended = cd_end - start - cd_size - cd_offset
    if prepended < 0:
        raise Unreadable("central directory offsets point outside the file")
    if n_total > max_members:
        raise Unreadable(f"{n_total} members exceed max_members={max_members}")
    pos = start + prepended + cd_offset
    entries: list[ZipEntry] = []
    for _ in range(n_total):
        hdr = bytes(buf[pos:pos + 46])
        if len(hdr) < 46 or hdr[:4] != b"PK\x01\x02":
            raise Unreadable(f"bad central directory entry at offset {pos - start}")
        (flags, method, _t, _d, crc, csize, usize, nlen, elen,
         clen) = struct.unpack_from("<HHHHIIIHHH", hdr, 8)
        offset = struct.unpack_from("<I", hdr, 42)[0]
        name_raw = bytes(buf[pos + 46:pos + 46 + nlen])
        extra = bytes(buf[pos + 46 + nlen:pos + 46 + nlen + elen])
        usize, csize, offset = _zip64_extra(extra, usize, csize, offset)
        entries.append(ZipEntry(_decode_name(name_raw, flags), flags, method, crc, csize, usize,
                                start + prepended + offset))
        pos += 46 + nlen + elen + clen
    for e in entries:
        lh = bytes(buf[e.header_offset:e.header_offset + 30])
        if len(lh) < 30 or lh[:4] != b"PK\x03\x04":
            raise Unreadable(f"member {e.name!r}: local header missing")
        lflags, lmethod = struct.unpack_from("<HH", lh, 6)
        nlen, elen = struct.unpack_from("<HH", lh, 26)
        e.local_name = _decode_name(bytes(buf[e.header_offset + 30:e.header_offset + 30 + nlen]),
                                    lflags)
        e.local_flags = lflags
        e.data_offset = e.header_offset + 30 + nlen + elen
        if e.data_offset + e.csize > end:
            raise Unreadable(f"member {e.name!r} extends past the end of the archive")
        if e.local_name != e.name:
            e.anomalies.append(("high", f"local header names it {e.local_name!r} but the central "
                                f"directory says {e.name!r}; readers disagree on what this member "
                                "is (CVE-2025-1944)", "zip-name-mismatch"))
        if lmethod != e.method:
            e.anomalies.append(("high", "local and central headers give different compression "
                                "methods", "zip-header-mismatch"))
        bad_flags = (e.flags | lflags) & 0x61
        if bad_flags:
            e.anomalies.append(("high", f"flag bits 0x{bad_flags:02x} (encrypted/patched/strong "
                                "encryption): Python's zipfile refuses the member but PyTorch "
                                "reads it as plain data (CVE-2025-1945)", "zip-flag-bits"))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        for e in entries:
            if e.name in dup:
                e.anomalies.append(("high", "duplicate member name: different readers pick "
                                    "different copies", "zip-duplicate"))
    return entries, prepended


def zip_member_chunks(buf: Any, entry: ZipEntry, budget: Budget) -> Iterator[bytes]:
    """The member's uncompressed bytes (stored, deflate, bzip2 or lzma) in bounded pieces, each
    charged to `budget`; once exhausted, size and CRC disagreements are added to its anomalies."""
    start, end = entry.data_offset, entry.data_offset + entry.csize
    pieces: Iterator[bytes]
    if entry.method == 0:
        pieces = slices(buf, start, end)
    elif entry.method == 8:
        pieces = decompress_iter("deflate", slices(buf, start, end), budget)
    elif entry.method == 12:
        pieces = decompress_iter("bz2", slices(buf, start, end), budget)
    elif entry.method == 14:
        pieces = _zip_lzma(buf, start, end, budget)
    else:
        raise Unreadable(f"unsupported zip compression method {entry.method}")
    size = 0
    crc = 0
    for piece in pieces:
        size += len(piece)
        crc = zlib.crc32(piece, crc)
        check_deadline()
        yield piece
    if entry.usize != size:
        entry.anomalies.append(("high", f"uncompressed size {size} differs from the "
                                f"declared {entry.usize}", "zip-size-mismatch"))
    if crc != entry.crc:
        entry.anomalies.append(("high", "CRC mismatch: Python's zipfile rejects the member, "
                                "PyTorch does not check CRCs (CVE-2025-10156)", "zip-crc"))


def _zip_lzma(buf: Any, start: int, end: int, budget: Budget) -> Iterator[bytes]:
    head = bytes(buf[start:min(end, start + 4)])
    if len(head) < 4:
        raise Unreadable("truncated lzma member")
    psize = struct.unpack_from("<H", head, 2)[0]
    try:
        filt = lzma._decode_filter_properties(  # type: ignore[attr-defined]
            lzma.FILTER_LZMA1, bytes(buf[start + 4:start + 4 + psize]))
        dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt])
        src = slices(buf, start + 4 + psize, end)
        while not dec.eof:
            if dec.needs_input:
                data = next(src, b"")
                if not data:
                    return  # raw LZMA without an end marker ends with its input
            else:
                data = b""
            out = dec.decompress(data, max_length=CHUNK)
            if out:
                budget.take(len(out))
                yield out
    except (lzma.LZMAError, ValueError, EOFError) as exc:
        raise Unreadable(f"corrupt lzma member: {exc}") from None


def zip_member_bytes(buf: Any, entry: ZipEntry, budget: Budget) -> bytes:
    """The member's whole uncompressed bytes (see `zip_member_chunks`), bounded by `budget`."""
    out = bytearray()
    for piece in zip_member_chunks(buf, entry, budget):
        out += piece
    return bytes(out)


# -- npy ---------------------------------------------------------------------------------------


def read_npy_header(buf: Any, start: int, end: int) -> tuple[dict[str, Any], int]:
    """The ``.npy`` header dict (parsed as a literal) and the offset where the data starts."""
    if end - start < 10:
        raise Unreadable("truncated npy header")
    major = buf[start + 6]
    if major == 1:
        hlen = struct.unpack_from("<H", bytes(buf[start + 8:start + 10]))[0]
        data = start + 10 + hlen
    elif major in (2, 3):
        if end - start < 12:
            raise Unreadable("truncated npy header")
        hlen = struct.unpack_from("<I", bytes(buf[start + 8:start + 12]))[0]
        data = start + 12 + hlen
    else:
        raise Unreadable(f"unknown npy format version {major}")
    if hlen > 1 << 20 or data > end:
        raise Unreadable("npy header too long or truncated")
    text = bytes(buf[data - hlen:data]).decode("utf-8" if major == 3 else "latin-1")
    try:
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise Unreadable(f"npy header is not a literal dict: {exc}") from None
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise Unreadable("npy header lacks exactly descr/fortran_order/shape")
    shape = header["shape"]
    if not isinstance(shape, tuple) or not all(type(x) is int and x >= 0 for x in shape):
        raise Unreadable(f"npy shape {shape!r} is not a tuple of non-negative integers")
    return header, data


def npy_dtype_info(descr: Any) -> tuple[int, bool]:
    """(itemsize, hasobject) of an npy ``descr`` via numpy's own literal-only parser."""
    if isinstance(descr, str):
        from .pickle_walk import simple_dtype

        simple = simple_dtype(descr)
        if simple is not None and simple[0] > 0:
            return simple
    import numpy as np

    try:
        dt = np.lib.format.descr_to_dtype(descr)
    except (TypeError, ValueError, KeyError, IndexError) as exc:
        raise Unreadable(f"npy descr {descr!r} is not a dtype: {exc}") from None
    return dt.itemsize, bool(dt.hasobject)


# -- skops -------------------------------------------------------------------------------------

SKOPS_LOADERS = frozenset({
    "DictNode", "DefaultDictNode", "ListNode", "SetNode", "TupleNode", "BytesNode",
    "BytearrayNode", "SliceNode", "FunctionNode", "PartialNode", "TypeNode", "ObjectNode",
    "MethodNode", "JsonNode", "OperatorFuncNode", "CachedNode", "NdArrayNode", "MaskedArrayNode",
    "RandomStateNode", "RandomGeneratorNode", "DTypeNode", "SparseMatrixNode", "ReduceNode",
    "TreeNode", "LossNode", "SGDNode", "_DictWithDeprecatedKeysNode", "ConstructorFromReduceNode",
    "BaseLossNode", "QuantileForestNode",
})


def skops_nodes(schema: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every node of a skops schema (a dict naming a loader, module or class) with its JSON path."""
    out: list[tuple[str, dict[str, Any]]] = []
    todo: list[tuple[str, Any]] = [("$", schema)]
    seen = 0
    while todo:
        path, node = todo.pop()
        seen += 1
        if seen > 5_000_000:
            raise Unreadable("skops schema too large")
        if isinstance(node, dict):
            if "__loader__" in node or "__class__" in node or "__module__" in node:
                out.append((path, node))
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    todo.append((f"{path}.{key}", value))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    todo.append((f"{path}[{i}]", value))
    return out


# -- ONNX --------------------------------------------------------------------------------------

_ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}


def _varint(buf: Any, pos: int, end: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= end or shift > 63:
            raise Unreadable("bad varint")
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def looks_like_onnx(buf: Any, start: int, end: int) -> bool:
    """True when the bytes are a well-formed protobuf ``ModelProto`` with a graph (ONNX)."""
    pos = start
    seen: set[int] = set()
    fields = 0
    try:
        while pos < end:
            fields += 1
            if not fields & 0xFFFF:
                check_deadline()
            key, pos = _varint(buf, pos, end)
            num, wire = key >> 3, key & 7
            if _ONNX_FIELDS.get(num) != wire:
                return False
            seen.add(num)
            if wire == 0:
                _, pos = _varint(buf, pos, end)
            else:
                n, pos = _varint(buf, pos, end)
                pos += n
                if pos > end:
                    return False
    except Unreadable:
        return False
    return pos == end and 7 in seen and 1 in seen


# safetensors: 8-byte little-endian header length, a JSON header, then raw tensor bytes.
# Element sizes in bits (the 4/6-bit float formats pack several elements per byte).
_SAFETENSORS_BITS: dict[str, int] = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16,
    "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "F64": 64, "I64": 64,
    "U64": 64, "C64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}
SAFETENSORS_MAX_HEADER = 100 << 20  # the safetensors library's own limit


def looks_like_safetensors(buf: Any, start: int, end: int) -> bool:
    """True when the bytes start like a safetensors file: a header length that fits the file,
    then a JSON object (validate with `read_safetensors`)."""
    if end - start < 10:
        return False
    n: int = struct.unpack_from("<Q", bytes(buf[start:start + 8]))[0]
    return 2 <= n <= end - start - 8 and bytes(buf[start + 8:start + 9]) == b"{"


def read_safetensors(buf: Any, start: int, end: int) -> int:
    """Validate a safetensors file; the number of tensors, or `Unreadable` with a plain reason.

    Checks what the safetensors loader relies on: a JSON object header, each tensor with a
    known dtype, a shape of non-negative integers and ``data_offsets`` whose size matches, all
    offsets inside the file, sorted, contiguous and non-overlapping, the data filling the file.
    """
    import json

    n = struct.unpack_from("<Q", bytes(buf[start:start + 8]))[0]
    if n > SAFETENSORS_MAX_HEADER:
        raise Unreadable(f"header of {n:,} bytes is larger than the 100 MiB safetensors limit")
    raw = bytes(buf[start + 8:start + 8 + n])

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            raise Unreadable("the header names a key twice")
        return out

    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Unreadable(f"the header is not valid JSON ({exc})") from None
    if not isinstance(header, dict):
        raise Unreadable("the header is not a JSON object")
    data_size = end - start - 8 - n
    spans: list[tuple[int, int, str]] = []
    for key, spec in header.items():
        if key == "__metadata__":
            if not (isinstance(spec, dict) and all(isinstance(v, str) for v in spec.values())):
                raise Unreadable("__metadata__ is not a mapping of strings")
            continue
        if not (isinstance(spec, dict) and set(spec) == {"dtype", "shape", "data_offsets"}):
            raise Unreadable(f"tensor {key!r} does not have exactly dtype, shape and "
                             "data_offsets")
        dtype, shape, offsets = spec["dtype"], spec["shape"], spec["data_offsets"]
        bits = _SAFETENSORS_BITS.get(dtype) if isinstance(dtype, str) else None
        if bits is None:
            raise Unreadable(f"tensor {key!r} has an unknown dtype {dtype!r}")
        if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)):
            raise Unreadable(f"tensor {key!r} has a shape that is not a list of non-negative "
                             "integers")
        if not (isinstance(offsets, list) and len(offsets) == 2 and
                all(type(o) is int for o in offsets) and 0 <= offsets[0] <= offsets[1]):
            raise Unreadable(f"tensor {key!r} has data_offsets that are not [begin, end] with "
                             "0 <= begin <= end")
        count = 1
        for d in shape:
            count *= d
        size = (count * bits + 7) // 8
        if offsets[1] - offsets[0] != size:
            raise Unreadable(f"tensor {key!r} spans {offsets[1] - offsets[0]} bytes but its "
                             f"dtype and shape need {size}")
        if offsets[1] > data_size:
            raise Unreadable(f"tensor {key!r} ends at byte {offsets[1]} of the data, past the "
                             f"end of the file ({data_size} data bytes)")
        spans.append((offsets[0], offsets[1], key))
    spans.sort()
    at = 0
    for begin, stop, key in spans:
        if begin < at:
            raise Unreadable(f"tensor {key!r} overlaps the previous tensor's data")
        if begin > at:
            raise Unreadable(f"{begin - at} bytes before tensor {key!r} belong to no tensor")
        at = stop
    if at != data_size:
        raise Unreadable(f"{data_size - at} bytes after the last tensor belong to no tensor")
    return len(spans)


_TEXT_CONTROLS = frozenset(range(32)) - frozenset(b"\t\n\r\x0b\x0c\x1b")


def text_kind(buf: Any, start: int, end: int) -> str | None:
    """"json" or "text" when the bytes are UTF-8 text (no NUL or other control bytes besides
    whitespace and ESC); None for anything binary. Read in pieces (an mmap is never copied)."""
    import codecs
    import json

    if end <= start:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    controls = bytes(sorted(_TEXT_CONTROLS))
    try:
        for piece in slices(buf, start, end):
            check_deadline()
            if piece.translate(None, controls) != piece:
                return None
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if end - start <= 4 << 20 and bytes(buf[start:min(end, start + 64)]).lstrip()[:1] in (
            b"{", b"["):
        try:
            json.loads(bytes(buf[start:end]))
        except (ValueError, RecursionError):
            return "text"
        return "json"
    return "text"
