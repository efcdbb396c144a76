"""A symbolic pickle VM: follows every opcode of protocols 0-5 without unpickling anything.

The walker keeps the unpickler's real state (stack, mark stack, memo by index with
PUT/GET/MEMOIZE semantics, the protocol number for name fix-ups) but its values are symbols:
constants, ``_Glob`` for an imported name, ``_Obj`` for the result of a call. Every name the
stream would import is judged by the `Policy`; anything the walker cannot resolve statically
(computed ``STACK_GLOBAL`` operands, calls of computed objects, extension codes) is a finding.

It also understands joblib: after ``BUILD`` of a ``NumpyArrayWrapper`` it skips exactly the raw
array bytes that ``joblib.load`` reads (padding byte, padding, ``count * itemsize``) or walks the
nested object-array pickle, and separately walks the same bytes as plain ``pickle.load`` would
(a fork of the VM), so a payload hidden in "array bytes" is caught either way.
"""

from __future__ import annotations

import _compat_pickle
import bisect
import contextlib
import math
import re
import struct
import sys
from collections.abc import Callable
from typing import Any, Protocol

from .containers import LOOKAHEAD, TooLong, Window, charge_ops, check_deadline

__all__ = ["Sink", "StreamStatus", "scan_pickle_stream", "try_prefix"]

_unpack_I = struct.Struct("<I").unpack_from
_unpack_i = struct.Struct("<i").unpack_from
_unpack_H = struct.Struct("<H").unpack_from
_unpack_Q = struct.Struct("<Q").unpack_from
_unpack_d = struct.Struct(">d").unpack_from

_NUMPY_DTYPE = {("numpy", "dtype"), ("numpy.core.multiarray", "dtype"),
                ("numpy._core.multiarray", "dtype")}
_WRAPPERS = {("joblib.numpy_pickle", "NumpyArrayWrapper"),
             ("sklearn.externals.joblib.numpy_pickle", "NumpyArrayWrapper")}
_LEGACY_WRAPPERS = {("joblib.numpy_pickle_compat", "NDArrayWrapper"),
                    ("joblib.numpy_pickle_compat", "ZNDArrayWrapper"),
                    ("joblib.numpy_pickle", "NDArrayWrapper"),
                    ("joblib.numpy_pickle", "ZNDArrayWrapper")}
_ALL_WRAPPERS = _WRAPPERS | _LEGACY_WRAPPERS
_RECONSTRUCTOR = {("copyreg", "_reconstructor"), ("copy_reg", "_reconstructor")}

NO_FRAME = sys.maxsize
MAX_NESTED = 16
MAX_MARKS = 100_000
MAX_VALUES = 1 << 21  # values on the stack and mark stack (each a bounded symbol)
# Memory is bounded by a constant, not by the number of objects in the file: a container keeps
# at most CAP_ITEMS items (what a check can consume: a joblib wrapper's state, a dtype's fields)
# and never another container's contents; the memo keeps the values of at most MEMO_KEEP keys
# plus MEMO_PIN names and reconstructors (globals, dtypes, STACK_GLOBAL operands); every other
# value is the `_LOST` placeholder, which checks treat as "could be anything" (fail closed).
CAP_ITEMS = 64
MEMO_KEEP = 1 << 15
MEMO_PIN = 1 << 14
# memoized globals, numpy dtypes and STACK_GLOBAL operands; more memoized globals is a resource
# bomb (real files hold hundreds)
MEMO_GLOBALS = 1 << 14
MAX_KEPT_STR = 128
MAX_KEY_RANGES = 4096
_KIND_BITS = 1 << 26  # keys below this remember one bit each (at most 8 MiB)
_CHECK_EVERY = 1 << 16
_OPCODES = frozenset(b"()012BCFGIJKLMNPQRSTUVXabcdeghijlopqrstu}]\x80\x81\x82\x83\x84\x85\x86"
                     b"\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97"
                     b"\x98.")


class Sink(Protocol):
    """Where the walker reports: a judged global, a finding, or a nested stream to scan."""

    def on_global(self, member: str, offset: int, opcode: str, module: str, name: str,
                  note: str) -> None: ...

    def finding(self, member: str, offset: int, opcode: str, global_: str | None,
                severity: str, why: str, technique: str = "") -> None: ...


class _Stop(Exception):
    """The stream ends here: truncated, malformed, or a construct the walker cannot follow."""

    def __init__(self, offset: int, reason: str, *, unverifiable: bool = False) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.unverifiable = unverifiable


class More(Exception):
    """A streamed buffer holds too few bytes: refill so that it covers [`at`, `need`) and resume.

    Raised only when the walker's buffer is not the end of the stream (`Walker.final` False),
    always before the opcode starting at `at` changed any state (or with `Walker.pending` set).
    """

    def __init__(self, at: int, need: int) -> None:
        super().__init__(at, need)
        self.at = at
        self.need = need


class _Glob:
    __slots__ = ("module", "name", "offset")

    def __init__(self, module: str, name: str, offset: int) -> None:
        self.module = module
        self.name = name
        self.offset = offset


class _Obj:
    """Result of a call (REDUCE/NEWOBJ/INST/OBJ) or a persistent id; BUILD state merged in."""

    __slots__ = ("args", "attrs", "func", "how", "info", "offset", "state")

    def __init__(self, how: str, func: Any, args: Any, offset: int) -> None:
        self.how = how
        self.func = func
        self.args = args
        self.offset = offset
        self.state: list[Any] = []
        self.attrs: dict[str, Any] = {}
        self.info: tuple[int, bool] | None = None


class _Bytes:
    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n


class _Dict:
    __slots__ = ("items",)

    def __init__(self, items: list[tuple[Any, Any]]) -> None:
        self.items = items


class _Set:
    __slots__ = ("items",)

    def __init__(self, items: list[Any]) -> None:
        self.items = items


class _Opaque:
    __slots__ = ("what",)

    def __init__(self, what: str) -> None:
        self.what = what


_MISSING = object()
class _Gone:
    """A list, dict, set or tuple whose contents the scanner did not keep (never a str)."""

    __slots__ = ()


_GONE = _Gone()
_LOST = _Opaque("a value the scanner did not keep")  # could be anything, a str included
_TRUNC = _Gone()
_NESTED = frozenset({list, _Dict, _Set, tuple})
_CONTAINER_TYPES = frozenset({list, _Dict, _Set})
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), _Obj, _Bytes, _Opaque, _Gone})
# strings a joblib wrapper's or a dtype's state names (fetched from the memo for later arrays)
_PIN_STRS = frozenset({"subclass", "shape", "order", "dtype", "allow_mmap",
                       "numpy_array_alignment_bytes", "C", "F", "<", ">", "|", "="})


def _flat(x: Any) -> Any:
    """What a container keeps of an item: another container only as the `_GONE` placeholder
    (its contents are never read through its parent)."""
    return _GONE if type(x) in _CONTAINER_TYPES else x


def _memo_value(value: Any, t: type) -> Any:
    """What the memo keeps of a value: a container or a tuple holding containers or tuples
    only as `_GONE` (nothing reads their contents through the memo)."""
    if t in _CONTAINER_TYPES:
        return _GONE
    if t is tuple and not _NESTED.isdisjoint(map(type, value)):
        return _GONE
    return value


def _extend(target: list[Any], items: Any) -> None:
    """Append `items` to a kept list, up to CAP_ITEMS; beyond, one `_TRUNC` marks the cut."""
    n = len(target)
    if n > CAP_ITEMS:
        return
    room = CAP_ITEMS - n
    items = list(items)
    head = items[:room]
    if _CONTAINER_TYPES.isdisjoint(map(type, head)):  # the common case, at C speed
        target.extend(head)
    else:
        target.extend([_flat(x) for x in head])
    if len(items) > room:
        target.append(_TRUNC)


def _extend_pairs(target: list[tuple[Any, Any]], items: list[Any]) -> None:
    """`_extend` for a dict's (key, value) pairs from flat ``[k, v, k, v...]`` items."""
    n = len(target)
    if n > CAP_ITEMS:
        return
    room = CAP_ITEMS - n
    keys, values = items[:2 * room:2], items[1:2 * room:2]
    if _CONTAINER_TYPES.isdisjoint(map(type, keys)) and \
            _CONTAINER_TYPES.isdisjoint(map(type, values)):
        target.extend(zip(keys, values, strict=False))  # the common case, at C speed
    else:
        target.extend([(_flat(k), _flat(v)) for k, v in zip(keys, values, strict=False)])
    if len(items) > 2 * room:
        target.append((_TRUNC, _TRUNC))


def _capped(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    _extend(out, items)
    return out


def _capped_pairs(items: list[Any]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    _extend_pairs(out, items)
    return out


def _args(items: list[Any]) -> Any:
    """The argument tuple of INST/OBJ: kept when short (a check may read it), else opaque."""
    return tuple(items) if len(items) <= CAP_ITEMS else _GONE


class _Memo:
    """The unpickler's memo in bounded memory: which keys were stored (as ranges, so MEMOIZE's
    next key is exact) and the values of a capped number of them; a stored key whose value was
    not kept reads as `_LOST`. `parent`: the memo a fork starts from (read through, never
    written)."""

    __slots__ = ("ends", "kept", "kinds", "last", "n", "n_general", "n_globals", "n_pinned",
                 "parent", "recent", "starts")

    def __init__(self, parent: _Memo | None = None) -> None:
        self.kept: dict[int, Any] = {}
        self.parent = parent
        # the last two strings stored without being kept: STACK_GLOBAL operands are stored
        # right before it and pinned there
        self.recent: tuple[int, str] | None = None
        self.last: tuple[int, str] | None = None
        self.kinds = bytearray()  # per key not kept, one bit: set when it is never a str
        if parent is None:
            self.starts: list[int] = []
            self.ends: list[int] = []
            self.n = 0
            self.n_globals = 0
            self.n_general = 0
            self.n_pinned = 0
        else:
            self.starts = list(parent.starts)
            self.ends = list(parent.ends)
            self.n = parent.n
            self.n_globals = parent.n_globals
            self.n_general = parent.n_general
            self.n_pinned = parent.n_pinned

    def __len__(self) -> int:
        return self.n

    def _has(self, idx: int) -> bool:
        i = bisect.bisect_right(self.starts, idx) - 1
        return i >= 0 and idx < self.ends[i]

    def _add_key(self, idx: int) -> bool:
        """Record a new key `idx`; False when the keys are too scattered to track."""
        ends = self.ends
        starts = self.starts
        i = bisect.bisect_right(starts, idx)
        if i > 0 and ends[i - 1] == idx:
            ends[i - 1] += 1
            if i < len(starts) and starts[i] == idx + 1:  # closes the gap to the next range
                ends[i - 1] = ends[i]
                del starts[i], ends[i]
        elif i < len(starts) and starts[i] == idx + 1:
            starts[i] = idx
        else:
            if len(starts) >= MAX_KEY_RANGES:
                return False
            starts.insert(i, idx)
            ends.insert(i, idx + 1)
        self.n += 1
        return True

    def put(self, idx: int, value: Any) -> bool:
        """Store `value` under `idx` (kept or as a placeholder); False: beyond the bounds (keys
        too scattered to track, too many memoized globals)."""
        ends = self.ends
        if ends and ends[-1] == idx:  # the pickler's sequential keys: the fast path
            ends[-1] += 1
            self.n += 1
            new = True
        else:
            new = not self._has(idx)
            if new and not self._add_key(idx):
                return False
        t = type(value)
        if t is str:
            if len(value) <= MAX_KEPT_STR:
                if self.n_general < MEMO_KEEP:
                    self.n_general += 1
                    self.kept[idx] = value
                    return True
                if value in _PIN_STRS and self.n_pinned < MEMO_PIN:
                    self.n_pinned += 1
                    self.kept[idx] = value
                    return True
            self.recent = self.last
            self.last = (idx, value)
            if new and self.parent is None:
                return True  # a fresh key reads as "could be a str" already
            return self._lose(idx, True)
        if t is _Glob:  # always kept: BUILD on a memoized class is a gadget to recognise
            if self.n_globals >= MEMO_GLOBALS:
                return False
            self.n_globals += 1
            self.kept[idx] = value
            return True
        if t is _Obj and type(value.func) is _Glob and \
                (value.func.module, value.func.name) in _NUMPY_DTYPE:
            if self.n_globals < MEMO_GLOBALS:
                self.n_globals += 1
                self.kept[idx] = value
                return True
        elif self.n_general < MEMO_KEEP:
            self.n_general += 1
            self.kept[idx] = _memo_value(value, t)
            return True
        return self._lose(idx, t is _Opaque or (t is _Obj and _may_be_str(value)))

    def _lose(self, idx: int, strish: bool) -> bool:
        """`idx` holds a value that is not kept: remember only whether it could be a str."""
        if self.parent is not None:
            self.kept[idx] = _LOST if strish else _GONE  # shadows the parent's entry
            return True
        if self.kept:
            self.kept.pop(idx, None)
        if idx < _KIND_BITS:  # bit set: never a str
            byte, bit = idx >> 3, 1 << (idx & 7)
            kinds = self.kinds
            if byte >= len(kinds):
                if strish:
                    return True
                kinds.extend(bytes(byte + 4096 - len(kinds)))
            kinds[byte] = kinds[byte] & ~bit if strish else kinds[byte] | bit
        return True

    def get(self, idx: int) -> Any:
        """The value under `idx`: `_LOST` (could be a str) or `_GONE` (never a str) when not
        kept, `_MISSING` when never stored."""
        value = self.kept.get(idx, _MISSING)
        if value is not _MISSING:
            return value
        if self.parent is not None:
            return self.parent.get(idx)
        starts = self.starts
        if len(starts) == 1:  # the pickler's keys: one range from 0
            if not starts[0] <= idx < self.ends[0]:
                return _MISSING
        elif not self._has(idx):
            return _MISSING
        if idx >= _KIND_BITS:
            return _LOST
        byte = idx >> 3
        kinds = self.kinds
        return _GONE if byte < len(kinds) and kinds[byte] >> (idx & 7) & 1 else _LOST

    def pin(self, module: str, name: str) -> None:
        """Keep STACK_GLOBAL operand strings the pools had no room for (the next global of the
        same module fetches its name from the memo)."""
        for entry in (self.recent, self.last):
            if entry is not None and (entry[1] is module or entry[1] is name) and \
                    self.n_globals < MEMO_GLOBALS:
                self.kept[entry[0]] = entry[1]
                self.n_globals += 1
        self.recent = self.last = None


class StreamStatus:
    """How a stream ended: complete pickles, where it stopped, and whether it was a pickle at all."""

    __slots__ = ("end", "error", "ops", "pickles", "reached_import")

    def __init__(self) -> None:
        self.pickles = 0
        self.ops = 0
        self.end = 0
        self.error: str | None = None
        self.reached_import = False


def _class_of(obj: Any) -> tuple[str, str] | None:
    """The class an instance was created from, for the canonical pickle forms only."""
    if not isinstance(obj, _Obj):
        return None
    if obj.how in ("newobj", "inst", "obj") and isinstance(obj.func, _Glob):
        if obj.how == "newobj" and obj.args != ():
            return None
        return (obj.func.module, obj.func.name)
    if obj.how == "reduce" and isinstance(obj.func, _Glob) and \
            (obj.func.module, obj.func.name) in _RECONSTRUCTOR:
        args = obj.args
        if isinstance(args, tuple) and len(args) == 3 and isinstance(args[0], _Glob) and \
                isinstance(args[1], _Glob) and (args[1].module, args[1].name) == \
                ("builtins", "object") and args[2] is None:
            return (args[0].module, args[0].name)
    return None


_SIMPLE_DTYPE = re.compile(r"[<>|=]?([biufcOUSVMm?])(\d*)(\[\w+\])?")
_FIXED = {"b": (1,), "?": (1,), "i": (1, 2, 4, 8), "u": (1, 2, 4, 8), "f": (2, 4, 8, 16),
          "c": (8, 16, 32), "O": (8,), "M": (8,), "m": (8,)}


def simple_dtype(typestr: str) -> tuple[int, bool] | None:
    """(itemsize, hasobject) of a plain numpy type string ("f8", "<i4", "U10", "O8", "M8[ns]")
    without importing numpy; None when it is anything more complex (numpy decides then)."""
    m = _SIMPLE_DTYPE.fullmatch(typestr)
    if m is None:
        return None
    kind, digits = m.group(1), m.group(2)
    if kind in "USV":
        if not digits:
            return (0, False)
        n = int(digits)
        return (4 * n if kind == "U" else n, False)
    size = int(digits) if digits else {"b": 1, "?": 1, "O": 8, "M": 8, "m": 8}.get(kind)
    if size is None or size not in _FIXED[kind] or (m.group(3) and kind not in "Mm"):
        return None
    return (size, kind == "O")


def _dtype_info(value: Any, depth: int = 0) -> tuple[int, bool]:
    """(itemsize, hasobject) of a symbolic ``numpy.dtype(...)`` + BUILD state, or ValueError."""

    if depth > 8:
        raise ValueError("dtype nested too deeply")
    if isinstance(value, _Obj) and value.info is not None and len(value.state) == 1:
        return value.info
    if not (isinstance(value, _Obj) and value.how == "reduce" and isinstance(value.func, _Glob)
            and (value.func.module, value.func.name) in _NUMPY_DTYPE):
        raise ValueError("dtype is not a numpy.dtype(...) call")
    args = value.args
    if not (isinstance(args, tuple) and len(args) == 3 and isinstance(args[0], str)):
        raise ValueError("numpy.dtype arguments are not (typestr, align, copy)")
    typestr = args[0]
    if len(value.state) != 1 or not isinstance(value.state[0], tuple):
        raise ValueError("numpy.dtype without exactly one state tuple")
    st = value.state[0]
    if len(st) not in (8, 9) or st[0] not in (3, 4):
        raise ValueError("numpy.dtype state of an unknown version")
    subarray, names, fields, elsize, flags = st[2], st[3], st[4], st[5], st[7]
    if not isinstance(elsize, int) or not isinstance(flags, int):
        raise ValueError("numpy.dtype state with non-integer elsize/flags")
    simple = simple_dtype(typestr)
    if simple is None:
        import numpy as np

        base = np.dtype(typestr)  # a type string only: parsing it imports and runs nothing
        simple = (base.itemsize, bool(base.hasobject))
    base_itemsize, base_object = simple
    hasobject = base_object or bool(flags & 1)
    itemsize = base_itemsize
    if elsize > 0:
        if base_itemsize not in (0, elsize) and typestr[:1] not in ("V",):
            raise ValueError(f"dtype {typestr!r} with inconsistent elsize {elsize}")
        itemsize = elsize
    elif base_itemsize == 0:
        raise ValueError(f"flexible dtype {typestr!r} without a size")
    if subarray is not None:
        if not (isinstance(subarray, tuple) and len(subarray) == 2):
            raise ValueError("malformed subarray descriptor")
        _, sub_obj = _dtype_info(subarray[0], depth + 1)
        hasobject = hasobject or sub_obj
    if fields is not None:
        if not isinstance(fields, _Dict) or not isinstance(names, tuple):
            raise ValueError("malformed structured dtype fields")
        for _key, spec in fields.items:
            if not (isinstance(spec, tuple) and len(spec) >= 2):
                raise ValueError("malformed structured dtype field")
            _, sub_obj = _dtype_info(spec[0], depth + 1)
            hasobject = hasobject or sub_obj
    value.info = (itemsize, hasobject)
    return itemsize, hasobject


def _printable(s: str) -> bool:
    return bool(s) and s.isprintable() and s.isascii() and " " not in s


_STR_MAKERS = {("_codecs", "encode")}  # allowed callables that can return an exact str (rot13)


def _may_be_str(value: Any) -> bool:
    """Could this symbolic value be an exact ``str`` when really unpickled?"""
    if isinstance(value, _Opaque):
        return True
    if isinstance(value, _Obj):
        func = value.func
        return not isinstance(func, _Glob) or (func.module, func.name) in _STR_MAKERS
    return False


_FINDABLE: dict[str, bool] = {}


def _importable(module: str, name: str) -> bool:
    """Whether a real ``find_class`` could import `module` at all (top-level package only).

    Used for the alternative reading of bytes that are not primarily a pickle: names that no
    installed module matches make the real unpickler raise, so they execute nothing. Only the
    top-level name is looked up (`find_spec` of a top-level name locates, never imports).
    """
    import importlib.util
    import sys

    if not (_printable(module) and _printable(name)):
        return False
    top = module.split(".", 1)[0]
    if not top.isidentifier():
        return False
    if top in sys.stdlib_module_names or top in sys.builtin_module_names or top in sys.modules:
        return True
    if top not in _FINDABLE:
        try:
            _FINDABLE[top] = importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            _FINDABLE[top] = False
    return _FINDABLE[top]


Fork = Callable[[int, "Walker"], None]


class Walker:
    """One pickle stream from its first opcode to STOP (raises `_Stop` when it cannot go on).

    strict: the stream is what a loader reads as a pickle, so every anomaly is a finding.
    Non-strict ("alternative interpretation"): only what would really import or call is
    reported; errors end the walk quietly because the real unpickler would raise there too.
    """

    def __init__(self, buf: Any, end: int, sink: Sink, member: str, *, strict: bool,
                 joblib: bool, archive: bool, depth: int, note: str = "") -> None:
        self.buf = buf
        self.end = end
        self.sink = sink
        self.member = member
        self.strict = strict
        self.joblib = joblib
        self.archive = archive
        self.depth = depth
        self.note = note
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo = _Memo()
        self.held = 0  # values held in the saved stacks of open MARKs
        self.proto = 0
        self.first = 0
        self.reached_import = False
        self.fend = NO_FRAME  # where the current FRAME ends (NO_FRAME: not inside one)
        self.final = True  # False while `buf` is a window on a longer stream (see `More`)
        self.window: Any = None  # the streaming window that can grow `buf` (or None)
        self.pending: Walker | None = None  # a nested walker interrupted by `More`

    # -- helpers -----------------------------------------------------------------------------

    def _finding(self, offset: int, opcode: str, glob: str | None, severity: str, why: str,
                 technique: str = "") -> None:
        self.sink.finding(self.member, offset, opcode, glob, severity, self.note + why, technique)

    def _unverifiable(self, offset: int, opcode: str, why: str, technique: str = "") -> None:
        """A construct we cannot follow: a finding in strict mode; the end of the walk otherwise."""
        if self.strict:
            self._finding(offset, opcode, None, "high", why + "; cannot be verified", technique)
        else:
            raise _Stop(offset, why)

    def _bomb(self, at: int, opcode: str) -> bool:
        if self.strict:
            self._finding(at, opcode, None, "high", "the stream builds more values or nesting "
                          "than the scanner's bounds (a resource bomb); cannot be verified",
                          "bomb")
        return True

    def _scattered(self, at: int) -> None:
        raise _Stop(at, f"memo keys scattered over more than {MAX_KEY_RANGES} ranges or more "
                    f"than {MEMO_GLOBALS} memoized globals (a resource bomb)",
                    unverifiable=self._bomb(at, "PUT"))

    def _pop_mark(self, at: int) -> list[Any]:
        if not self.metastack:
            raise _Stop(at, "mark stack underflow (no MARK)")
        items = self.stack
        self.stack = self.metastack.pop()
        self.held -= len(self.stack)
        return items

    def _pop(self, at: int) -> Any:
        if not self.stack:
            raise _Stop(at, "stack underflow")
        return self.stack.pop()

    def _line(self, pos: int, at: int) -> tuple[bytes, int]:
        nl = self.buf.find(b"\n", pos, self.end)
        if nl < 0:
            if not self.final:
                raise More(at, -1)
            raise _Stop(at, "truncated: line argument without newline")
        return self.buf[pos:nl], nl + 1

    def _need(self, pos: int, n: int, at: int) -> None:
        if n < 0 or pos + n > self.end:
            if not self.final and n >= 0:
                raise More(at, pos + n)
            raise _Stop(at, f"truncated: needs {n} bytes, {self.end - pos} left")

    def _skip(self, pos: int, n: int, at: int) -> int:
        """Offset after `n` bytes of data the walker never looks at (bytes, array data)."""
        if self.final:
            self._need(pos, n, at)
        return pos + n

    def _frame_cross(self, at: int, fend: int) -> None:
        """The opcode at `at` reads past the end of its FRAME (python/cpython#154848)."""
        if not self.strict:
            raise _Stop(at, "opcode crosses a FRAME end")
        self._finding(at, "FRAME", None, "critical",
                      f"this opcode or its argument runs past the end of its FRAME (offset "
                      f"{fend}): CPython's C unpickler reading a file resynchronises there and "
                      "runs bytes that a linear reading (this scanner, pickletools) sees as "
                      "data, so hidden opcodes can execute (python/cpython#154848)",
                      "frame-straddle")

    def _make_global(self, module: str, name: str, at: int, opcode: str) -> _Glob:
        self.reached_import = True
        if self.proto < 3:
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        if not self.strict and not _importable(module, name):
            raise _Stop(at, "name that cannot be imported")
        self.sink.on_global(self.member, at, opcode, module, name, self.note)
        return _Glob(module, name, at)

    # -- the walk ----------------------------------------------------------------------------

    def run(self, pos: int, fork: Fork | None = None) -> int:
        """Walk from `pos` to STOP; return the offset after STOP."""
        self.first = pos
        return self._loop(pos, fork)

    def resume(self, pos: int, fork: Fork | None = None) -> int:
        """Go on after `More` once the window was refilled (`pos`: where the walk stopped)."""
        if self.pending is not None:
            pos = self.pending.resume(pos)
            self.pending = None
        return self._loop(pos, fork)

    def rebase(self, shift: int, end: int, final: bool) -> None:
        """The window dropped its first `shift` bytes and now ends at `end` (this walker and the
        nested ones it waits on)."""
        walker: Walker | None = self
        while walker is not None:
            walker.first -= shift
            if walker.fend != NO_FRAME:
                walker.fend -= shift
            walker.end = end
            walker.final = final
            walker = walker.pending

    def _loop(self, pos: int, fork: Fork | None) -> int:
        buf = self.buf
        end = self.end
        final = self.final
        stack = self.stack
        memo = self.memo
        kept = memo.kept
        fend = self.fend
        limit = min(end, fend + 1)  # one test per opcode covers the buffer end and frame end
        at = pos
        check_at = pos + _CHECK_EVERY
        ops = 0  # opcodes walked since the last check: the CPU cost, budgeted per file byte
        while True:
            if pos >= limit:
                if pos > fend:  # the previous opcode ended past its frame: did it start inside?
                    if at < fend:
                        self._frame_cross(at, fend)
                    fend = self.fend = NO_FRAME
                    limit = end
                if pos >= end:
                    if not final:
                        raise More(pos, pos + 1)
                    raise _Stop(pos, "truncated: stream ends before STOP")
            at = pos
            op = buf[pos]
            pos += 1
            ops += 1
            if pos > check_at:  # every ~64 KiB of stream: bound the live values (bombs)
                check_at = pos + _CHECK_EVERY
                check_deadline()
                charge_ops(ops)
                ops = 0
                if len(self.stack) + self.held > MAX_VALUES:
                    raise _Stop(at, f"more than {MAX_VALUES} live values (resource bomb)",
                                unverifiable=self._bomb(at, "stream"))
            # the hot opcodes of real model files first (BINGET, MEMOIZE, BININT1)
            if op == 0x68 and pos < end:  # BINGET
                value = kept.get(buf[pos], _MISSING)
                if value is _MISSING:
                    value = memo.get(buf[pos])
                    if value is _MISSING:
                        raise _Stop(at, f"memo key {buf[pos]} was never stored")
                pos += 1
                self.stack.append(value)
                continue
            if op == 0x94:  # MEMOIZE
                if not self.stack:
                    raise _Stop(at, "memo put with an empty stack")
                idx = memo.n
                value = self.stack[-1]
                t = type(value)
                ends = memo.ends
                if ends and ends[-1] == idx and memo.n_general < MEMO_KEEP and \
                        t is not _Glob and (t is not str or len(value) <= MAX_KEPT_STR):
                    # `_Memo.put`'s common case, inline: a new key at the end, kept
                    ends[-1] = memo.n = idx + 1
                    memo.n_general += 1
                    kept[idx] = value if t in _PLAIN_TYPES or (
                        t is tuple and _NESTED.isdisjoint(map(type, value))) else _GONE
                elif not memo.put(idx, value):
                    self._scattered(at)
                continue
            if op == 0x4B and pos < end:  # BININT1
                self.stack.append(buf[pos])
                pos += 1
                continue
            if op == 0x71 or op == 0x72 or op == 0x70:  # BINPUT LONG_BINPUT PUT (MEMOIZE: above)
                if op == 0x71:
                    self._need(pos, 1, at)
                    idx = buf[pos]
                    pos += 1
                elif op == 0x72:
                    self._need(pos, 4, at)
                    idx = _unpack_I(buf, pos)[0]
                    pos += 4
                else:
                    line, pos = self._line(pos, at)
                    try:
                        idx = int(line)
                    except ValueError:
                        raise _Stop(at, "PUT argument is not an integer") from None
                    if idx < 0:
                        raise _Stop(at, "negative PUT argument")
                if not self.stack:
                    raise _Stop(at, "memo put with an empty stack")
                value = self.stack[-1]
                t = type(value)
                ends = memo.ends
                if ends and ends[-1] == idx and memo.n_general < MEMO_KEEP and \
                        t is not _Glob and (t is not str or len(value) <= MAX_KEPT_STR):
                    # `_Memo.put`'s common case, inline: a new key at the end, kept
                    ends[-1] = memo.n = idx + 1
                    memo.n_general += 1
                    kept[idx] = value if t in _PLAIN_TYPES or (
                        t is tuple and _NESTED.isdisjoint(map(type, value))) else _GONE
                elif not memo.put(idx, value):
                    self._scattered(at)
                continue
            if op == 0x68 or op == 0x6A or op == 0x67:  # BINGET LONG_BINGET GET
                if op == 0x68:
                    self._need(pos, 1, at)
                    idx = buf[pos]
                    pos += 1
                elif op == 0x6A:
                    self._need(pos, 4, at)
                    idx = _unpack_I(buf, pos)[0]
                    pos += 4
                else:
                    line, pos = self._line(pos, at)
                    try:
                        idx = int(line)
                    except ValueError:
                        raise _Stop(at, "GET argument is not an integer") from None
                value = kept.get(idx, _MISSING)
                if value is _MISSING:
                    value = memo.get(idx)
                    if value is _MISSING:
                        raise _Stop(at, f"memo key {idx} was never stored")
                self.stack.append(value)
                continue
            stack = self.stack
            if op == 0x8C:  # SHORT_BINUNICODE
                self._need(pos, 1, at)
                n = buf[pos]
                pos += 1
                self._need(pos, n, at)
                try:
                    stack.append(buf[pos:pos + n].decode("utf-8", "surrogatepass"))
                except UnicodeDecodeError:
                    raise _Stop(at, "undecodable string") from None
                pos += n
            elif op == 0x28:  # MARK
                if len(self.metastack) >= MAX_MARKS:
                    raise _Stop(at, f"more than {MAX_MARKS} nested MARKs (resource bomb)",
                                unverifiable=self._bomb(at, "MARK"))
                self.metastack.append(stack)
                self.held += len(stack)
                self.stack = []
            elif op == 0x52:  # REDUCE
                if len(stack) < 2:
                    raise _Stop(at, "stack underflow")
                args = stack.pop()
                func = stack.pop()
                self._check_callable(func, at, "REDUCE")
                stack.append(_Obj("reduce", func, args, at))
            elif op == 0x62:  # BUILD
                if len(stack) < 2:
                    raise _Stop(at, "stack underflow")
                if not final and end - pos < 512:  # joblib reads ahead: refill before changing
                    raise More(at, pos + 512)
                state = stack.pop()
                inst = stack[-1]
                if isinstance(inst, _Glob):
                    self.reached_import = True
                    if self.strict:
                        self._finding(at, "BUILD", f"{inst.module}.{inst.name}", "critical",
                                      "BUILD sets attributes on a class, function or module "
                                      "object (attribute-overwrite gadget)", "build-setattr")
                elif isinstance(inst, _Obj):
                    if len(inst.state) < 2:  # only a dtype's state is read (exactly one)
                        func = inst.func
                        dtype = type(func) is _Glob and (func.module, func.name) in _NUMPY_DTYPE
                        inst.state.append(state if dtype else None)
                    self.fend = fend
                    pos = self._after_build(inst, state, at, pos, fork)
                    fend = self.fend
                    limit = fend + 1 if fend < end else end
            elif op == 0x85:  # TUPLE1
                if not stack:
                    raise _Stop(at, "stack underflow")
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                if len(stack) < 2:
                    raise _Stop(at, "stack underflow")
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == 0x87:  # TUPLE3
                if len(stack) < 3:
                    raise _Stop(at, "stack underflow")
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == 0x74:  # TUPLE
                items = self._pop_mark(at)
                self.stack.append(tuple(items) if len(items) <= CAP_ITEMS else _GONE)
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op == 0x7D:  # EMPTY_DICT
                stack.append(_Dict([]))
            elif op == 0x75:  # SETITEMS
                items = self._pop_mark(at)
                if not self.stack:
                    raise _Stop(at, "stack underflow")
                target = self.stack[-1]
                if isinstance(target, _Dict):
                    kept_items = target.items
                    if len(kept_items) + (len(items) >> 1) <= CAP_ITEMS and \
                            _CONTAINER_TYPES.isdisjoint(map(type, items)):
                        kept_items.extend(zip(items[::2], items[1::2], strict=False))
                    elif len(kept_items) <= CAP_ITEMS:
                        _extend_pairs(kept_items, items)
                else:
                    self._check_container(target, at, "SETITEMS")
            elif op == 0x81:  # NEWOBJ
                if len(stack) < 2:
                    raise _Stop(at, "stack underflow")
                args = stack.pop()
                cls = stack.pop()
                self._check_callable(cls, at, "NEWOBJ")
                stack.append(_Obj("newobj", cls, args, at))
            elif op in (0x42, 0x43, 0x8E, 0x96):  # BINBYTES SHORT_BINBYTES BINBYTES8 BYTEARRAY8
                if op == 0x43:
                    self._need(pos, 1, at)
                    n = buf[pos]
                    pos += 1
                elif op == 0x42:
                    self._need(pos, 4, at)
                    n = _unpack_I(buf, pos)[0]
                    pos += 4
                else:
                    self._need(pos, 8, at)
                    n = _unpack_Q(buf, pos)[0]
                    pos += 8
                stack.append(_Bytes(n))
                if pos + n > end:
                    pos = self._skip(pos, n, at)
                else:
                    pos += n
            elif op == 0x47:  # BINFLOAT
                self._need(pos, 8, at)
                stack.append(_unpack_d(buf, pos)[0])
                pos += 8
            elif op == 0x4D:  # BININT2
                self._need(pos, 2, at)
                stack.append(_unpack_H(buf, pos)[0])
                pos += 2
            elif op == 0x4A:  # BININT
                self._need(pos, 4, at)
                stack.append(_unpack_i(buf, pos)[0])
                pos += 4
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x88:  # NEWTRUE
                stack.append(True)
            elif op == 0x89:  # NEWFALSE
                stack.append(False)
            elif op == 0x95:  # FRAME
                self._need(pos, 8, at)
                n = _unpack_Q(buf, pos)[0]
                if at < fend != NO_FRAME:  # opens before the current frame's end
                    if not self.strict:
                        raise _Stop(at, "FRAME inside another frame")
                    self._finding(at, "FRAME", None, "high",
                                  f"a FRAME opens before the previous frame ends (offset {fend})"
                                  ": nested or overlapping frames are read differently by "
                                  "CPython's unpicklers; cannot be verified", "frame-nested")
                pos += 8
                self._skip(pos, n, at)
                fend = self.fend = pos + n
                limit = fend + 1 if fend < end else end
            elif op == 0x2E:  # STOP
                if not stack and not self.metastack:
                    raise _Stop(at, "STOP with an empty stack")
                if not stack:
                    raise _Stop(at, "STOP with an empty stack")
                if pos < fend != NO_FRAME and self.strict:
                    self._finding(at, "STOP", None, "critical",
                                  f"the FRAME goes on past STOP (to offset {fend}): a loader "
                                  "reading the next pickle from the file starts after the "
                                  "frame, not here, so what it runs is not what a linear "
                                  "reading sees", "frame-straddle")
                return pos
            elif op == 0x93:  # STACK_GLOBAL
                if len(stack) < 2:
                    raise _Stop(at, "stack underflow")
                name_v = stack.pop()
                module_v = stack.pop()
                if type(module_v) is str and type(name_v) is str:
                    stack.append(self._make_global(module_v, name_v, at, "STACK_GLOBAL"))
                    if memo.last is not None:
                        memo.pin(module_v, name_v)
                elif self.strict or _may_be_str(module_v) or _may_be_str(name_v):
                    self.reached_import = True
                    self._finding(at, "STACK_GLOBAL", None, "high", "module/name operands are "
                                  "not constant strings (computed at load time); cannot be "
                                  "verified", "computed-global")
                    stack.append(_Opaque("computed global"))
                else:
                    raise _Stop(at, "STACK_GLOBAL requires str operands")
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x65:  # APPENDS
                items = self._pop_mark(at)
                if not self.stack:
                    raise _Stop(at, "stack underflow")
                target = self.stack[-1]
                if isinstance(target, list):
                    if len(target) <= CAP_ITEMS:
                        _extend(target, items)
                else:
                    self._check_container(target, at, "APPENDS")
            elif op == 0x61:  # APPEND
                value = self._pop(at)
                if not stack:
                    raise _Stop(at, "stack underflow")
                target = stack[-1]
                if isinstance(target, list):
                    if len(target) <= CAP_ITEMS:
                        _extend(target, (value,))
                else:
                    self._check_container(target, at, "APPEND")
            elif op == 0x73:  # SETITEM
                if len(stack) < 3:
                    raise _Stop(at, "stack underflow")
                value = stack.pop()
                key = stack.pop()
                target = stack[-1]
                if isinstance(target, _Dict):
                    if len(target.items) <= CAP_ITEMS:
                        _extend_pairs(target.items, [key, value])
                else:
                    self._check_container(target, at, "SETITEM")
            elif op == 0x4B:  # BININT1
                self._need(pos, 1, at)
                stack.append(buf[pos])
                pos += 1
            elif op == 0x8F:  # EMPTY_SET
                stack.append(_Set([]))
            elif op in (0x58, 0x8D):  # BINUNICODE BINUNICODE8
                if op == 0x58:
                    self._need(pos, 4, at)
                    n = _unpack_I(buf, pos)[0]
                    pos += 4
                else:
                    self._need(pos, 8, at)
                    n = _unpack_Q(buf, pos)[0]
                    pos += 8
                self._need(pos, n, at)
                try:
                    stack.append(buf[pos:pos + n].decode("utf-8", "surrogatepass"))
                except UnicodeDecodeError:
                    raise _Stop(at, "undecodable string") from None
                pos += n
            elif op in (0x54, 0x55):  # BINSTRING SHORT_BINSTRING (py2 str)
                if op == 0x55:
                    self._need(pos, 1, at)
                    n = buf[pos]
                    pos += 1
                else:
                    self._need(pos, 4, at)
                    n = _unpack_i(buf, pos)[0]
                    pos += 4
                    if n < 0:
                        raise _Stop(at, "negative BINSTRING length")
                self._need(pos, n, at)
                raw = bytes(buf[pos:pos + n])
                pos += n
                stack.append(self._py2str(raw, at))
            elif op == 0x53:  # STRING
                line, pos = self._line(pos, at)
                raw = bytes(line).rstrip(b"\r")
                if len(raw) >= 2 and raw[0] == raw[-1] and raw[:1] in (b"'", b'"'):
                    import codecs

                    try:
                        value = codecs.escape_decode(raw[1:-1])[0]
                    except ValueError:
                        raise _Stop(at, "malformed STRING escape") from None
                    stack.append(self._py2str(value, at))
                else:
                    raise _Stop(at, "STRING argument is not quoted")
            elif op == 0x56:  # UNICODE
                line, pos = self._line(pos, at)
                try:
                    stack.append(bytes(line).decode("raw-unicode-escape"))
                except UnicodeDecodeError:
                    raise _Stop(at, "undecodable UNICODE") from None
            elif op in (0x49, 0x4C):  # INT LONG
                line, pos = self._line(pos, at)
                text = bytes(line)
                if op == 0x4C and text.endswith(b"L"):
                    text = text[:-1]
                if op == 0x49 and text in (b"00", b"01"):
                    stack.append(text == b"01")
                else:
                    try:
                        stack.append(int(text))
                    except ValueError:
                        raise _Stop(at, "malformed integer") from None
            elif op == 0x46:  # FLOAT
                line, pos = self._line(pos, at)
                try:
                    stack.append(float(bytes(line)))
                except ValueError:
                    raise _Stop(at, "malformed float") from None
            elif op in (0x8A, 0x8B):  # LONG1 LONG4
                if op == 0x8A:
                    self._need(pos, 1, at)
                    n = buf[pos]
                    pos += 1
                else:
                    self._need(pos, 4, at)
                    n = _unpack_i(buf, pos)[0]
                    pos += 4
                    if n < 0:
                        raise _Stop(at, "negative LONG4 length")
                if n > 64:
                    stack.append(_Opaque("long integer"))
                    pos = self._skip(pos, n, at)
                else:
                    self._need(pos, n, at)
                    stack.append(int.from_bytes(bytes(buf[pos:pos + n]), "little", signed=True))
                    pos += n
            elif op == 0x80:  # PROTO
                self._need(pos, 1, at)
                proto = buf[pos]
                pos += 1
                if proto > 5:
                    raise _Stop(at, f"unsupported pickle protocol {proto}")
                self.proto = proto
            elif op == 0x63 or op == 0x69:  # GLOBAL INST
                mline, pos = self._line(pos, at)
                nline, pos = self._line(pos, at)
                try:
                    module = bytes(mline).decode("utf-8")
                    name = bytes(nline).decode("utf-8")
                except UnicodeDecodeError:
                    raise _Stop(at, "undecodable module or name") from None
                opname = "GLOBAL" if op == 0x63 else "INST"
                glob = self._make_global(module, name, at, opname)
                if op == 0x63:
                    self.stack.append(glob)
                else:
                    args = _args(self._pop_mark(at))
                    self.stack.append(_Obj("inst", glob, args, at))
            elif op == 0x92:  # NEWOBJ_EX
                if len(stack) < 3:
                    raise _Stop(at, "stack underflow")
                kwargs = stack.pop()
                args = stack.pop()
                cls = stack.pop()
                self._check_callable(cls, at, "NEWOBJ_EX")
                stack.append(_Obj("newobj_ex", cls, (args, kwargs), at))
            elif op == 0x6F:  # OBJ
                items = self._pop_mark(at)
                if not items:
                    raise _Stop(at, "OBJ without a class")
                cls = items[0]
                self._check_callable(cls, at, "OBJ")
                self.stack.append(_Obj("obj", cls, _args(items[1:]), at))
            elif op in (0x82, 0x83, 0x84):  # EXT1 EXT2 EXT4
                n = {0x82: 1, 0x83: 2, 0x84: 4}[op]
                self._need(pos, n, at)
                code = int.from_bytes(bytes(buf[pos:pos + n]), "little")
                pos += n
                self.reached_import = True
                self._unverifiable(at, f"EXT{n}", f"extension code {code} names a global "
                                   "through copyreg's process-wide registry", "extension-code")
                self.stack.append(_Opaque("extension"))
            elif op in (0x50, 0x51):  # PERSID BINPERSID
                if op == 0x50:
                    line, pos = self._line(pos, at)
                    pid: Any = bytes(line).decode("latin-1")
                else:
                    pid = self._pop(at)
                if not self.archive:
                    self._unverifiable(at, "BINPERSID" if op == 0x51 else "PERSID",
                                       "persistent id: only a custom unpickler (e.g. PyTorch's) "
                                       "resolves it; pickle.load and joblib.load refuse it",
                                       "persistent-id")
                self.stack.append(_Obj("persid", None, pid, at))
            elif op == 0x30:  # POP
                if stack:
                    stack.pop()
                else:
                    self._pop_mark(at)
            elif op == 0x31:  # POP_MARK
                self._pop_mark(at)
            elif op == 0x32:  # DUP
                if not stack:
                    raise _Stop(at, "stack underflow")
                stack.append(stack[-1])
            elif op == 0x6C:  # LIST
                items = self._pop_mark(at)
                self.stack.append(_capped(items[:CAP_ITEMS + 1]))
            elif op == 0x64:  # DICT
                items = self._pop_mark(at)
                self.stack.append(_Dict(_capped_pairs(items[:2 * CAP_ITEMS + 2])))
            elif op == 0x90:  # ADDITEMS
                items = self._pop_mark(at)
                if not self.stack:
                    raise _Stop(at, "stack underflow")
                target = self.stack[-1]
                if isinstance(target, _Set):
                    if len(target.items) <= CAP_ITEMS:
                        _extend(target.items, items)
                else:
                    self._check_container(target, at, "ADDITEMS")
            elif op == 0x91:  # FROZENSET
                items = self._pop_mark(at)
                self.stack.append(_Set(_capped(items[:CAP_ITEMS + 1])))
            elif op == 0x97 or op == 0x98:  # NEXT_BUFFER READONLY_BUFFER
                if op == 0x97:
                    raise _Stop(at, "out-of-band buffer (NEXT_BUFFER) that no file loader "
                                "provides")
                if not stack:
                    raise _Stop(at, "stack underflow")
            else:
                raise _Stop(at, f"invalid opcode 0x{op:02x}")

    def _py2str(self, raw: bytes, at: int) -> Any:
        """Python 2 ``str`` opcodes decode with the loaders' default encoding (ASCII)."""
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError:
            raise _Stop(at, "non-ASCII py2 string (the default ASCII decoding fails)") from None

    def _check_callable(self, func: Any, at: int, opname: str) -> None:
        if isinstance(func, _Glob):
            return
        self.reached_import = True
        if self.strict:
            what = func.what if isinstance(func, _Opaque) else type(func).__name__.strip("_")
            self._finding(at, opname, None, "high", f"calls a computed object ({what}), not a "
                          "named global; cannot be verified", "computed-call")

    def _check_container(self, target: Any, at: int, opname: str) -> None:
        """APPEND/SETITEM on a non-builtin container calls its methods: fine for instances of
        allowed classes (OrderedDict, defaultdict), a finding on bare classes and modules."""
        if isinstance(target, _Glob) and self.strict:
            self._finding(at, opname, f"{target.module}.{target.name}", "high",
                          f"{opname} on a class or function object calls its methods",
                          "container-gadget")

    # -- joblib ------------------------------------------------------------------------------

    def _after_build(self, inst: _Obj, state: Any, at: int, pos: int, fork: Fork | None) -> int:
        cls = _class_of(inst)
        if cls is None and isinstance(inst.func, _Glob) and \
                (inst.func.module, inst.func.name) in _ALL_WRAPPERS:
            self._unverifiable(at, "BUILD", "joblib array wrapper created in an unusual form",
                               "joblib-wrapper")
            return pos
        if cls is None or not self.joblib:
            return pos
        if cls in _LEGACY_WRAPPERS:
            self._unverifiable(at, "BUILD", f"legacy joblib {cls[1]} (joblib < 0.10) reads its "
                               "array from a separate file", "joblib-legacy")
            return pos
        if cls not in _WRAPPERS:
            return pos
        if self.fend != NO_FRAME:
            # joblib.load reads the array from the file, past the frame pickle has buffered:
            # a frame still open here means the two readers part ways.
            if pos < self.fend:
                self._unverifiable(at, "BUILD", f"joblib array data starts inside a FRAME "
                                   f"(which ends at offset {self.fend}): joblib.load and "
                                   "pickle.load read different bytes next", "frame-joblib")
            self.fend = NO_FRAME
        # This is where joblib.load reads raw array bytes (or a nested pickle) from the file;
        # plain pickle.load would read the same byte as an opcode (only worth a walk if it is one).
        if fork is not None and pos < self.end and self.buf[pos] in _OPCODES:
            fork(pos, self)
        try:
            if isinstance(state, tuple) and len(state) == 2:
                dict_state, slot_state = state
                for part in (dict_state, slot_state):
                    if part is None:
                        continue
                    if not isinstance(part, _Dict):
                        raise ValueError("state is not a dict")
                    self._merge(inst, part)
            elif isinstance(state, _Dict):
                self._merge(inst, state)
            else:
                raise ValueError("state is not a dict")
            attrs = inst.attrs
            shape = attrs.get("shape")
            if not isinstance(shape, (tuple, list)) or \
                    not all(type(x) is int and x >= 0 for x in shape):
                raise ValueError(f"shape {shape!r} is not a tuple of non-negative integers")
            itemsize, hasobject = _dtype_info(attrs.get("dtype"))
        except (ValueError, TypeError) as exc:
            self._unverifiable(at, "BUILD", f"joblib array wrapper: {exc}", "joblib-wrapper")
            raise _Stop(at, f"joblib array wrapper: {exc}", unverifiable=True) from None
        if hasobject:
            if self.depth >= MAX_NESTED:
                raise _Stop(pos, "nested object-array pickles too deep", unverifiable=True)
            inner = Walker(self.buf, self.end, self.sink, self.member, strict=self.strict,
                           joblib=False, archive=self.archive, depth=self.depth + 1,
                           note=self.note)
            inner.final = self.final
            inner.window = self.window
            try:
                return inner.run(pos)
            except More:
                self.pending = inner  # `resume` finishes the nested pickle first
                raise
        count = math.prod(shape)
        if attrs.get("numpy_array_alignment_bytes") is not None:
            self._need(pos, 1, at)
            pad = self.buf[pos]
            pos += 1 + pad
        size = count * itemsize
        if pos + size > self.end:
            return self._skip(pos, size, at)
        return pos + size

    def _merge(self, inst: _Obj, state: _Dict) -> None:
        for key, value in state.items:
            if type(key) is not str:
                raise ValueError("state key is not a string")
            inst.attrs[key] = value


def _fork_alt(sink: Sink) -> Fork:
    """The plain-``pickle.load`` reading of bytes joblib treats as array data."""

    def fork(pos: int, parent: Walker) -> None:
        alt = Walker(parent.buf, parent.end, sink, parent.member, strict=False, joblib=False,
                     archive=parent.archive, depth=parent.depth + 1,
                     note=f"read by plain pickle.load (not joblib.load), the array bytes after "
                          f"offset {pos} are opcodes: ")
        alt.stack = list(parent.stack)
        alt.metastack = [list(s) for s in parent.metastack]
        alt.memo = _Memo(parent.memo)
        alt.proto = parent.proto
        window = parent.window
        if window is not None:  # streamed: read ahead without dropping what the parent holds
            window.grow(pos + LOOKAHEAD)
            alt.end = len(window.buf)
            alt.final = window.final
        try:
            alt.run(pos)
        except _Stop:
            pass
        except More:
            sink.finding(parent.member, pos, "stream", None, "high", alt.note + "they run past "
                         f"the scanner's {LOOKAHEAD >> 20} MiB look-ahead; cannot be verified",
                         "stream-window")
        except RecursionError:  # pragma: no cover - defensive
            pass

    return fork


class _Shifted:
    """Reports offsets of a streamed window as offsets in the whole stream."""

    def __init__(self, sink: Sink, window: Window) -> None:
        self.sink = sink
        self.window = window

    def on_global(self, member: str, offset: int, opcode: str, module: str, name: str,
                  note: str) -> None:
        self.sink.on_global(member, offset + self.window.base, opcode, module, name, note)

    def finding(self, member: str, offset: int, opcode: str, global_: str | None,
                severity: str, why: str, technique: str = "") -> None:
        self.sink.finding(member, offset + self.window.base, opcode, global_, severity, why,
                          technique)


def _walk(walker: Walker, pos: int, fork: Fork, window: Window | None) -> int:
    """`walker.run`, refilling a streamed window each time the walker asks for more bytes."""
    if window is None:
        return walker.run(pos, fork)
    try:
        return walker.run(pos, fork)
    except More as more:
        req = more
    while True:
        try:
            shift = window.refill(req.at, req.need)
        except TooLong as exc:
            walker.sink.finding(walker.member, req.at, "stream", None, "high",
                                f"{exc}; cannot be verified", "stream-window")
            raise _Stop(req.at, str(exc), unverifiable=True) from None
        walker.rebase(shift, len(window.buf), window.final)
        try:
            return walker.resume(req.at - shift, fork)
        except More as more:
            req = more


def scan_pickle_stream(buf: Any, start: int, end: int, sink: Sink, member: str, *,
                       archive: bool = False, identified: bool = True,
                       depth: int = 0, window: Window | None = None) -> StreamStatus:
    """Walk every pickle stacked in ``buf[start:end]`` (strict) and report what ends the walk.

    `identified`: the bytes are known to be read as a pickle (top-level file, pickle magic, a
    ``.pkl`` member). When not, a stream that fails on its very first opcode is "not a pickle"
    (``status.pickles == 0 and status.ops == 0``) and no finding is made for it.
    `window`: the bytes are a stream read through this window (``buf`` is ``window.buf``);
    offsets in findings are offsets in the whole stream, and ``status.end`` is relative to
    the window as it is when the walk ends.
    """
    status = StreamStatus()
    pos = start
    if window is not None:
        sink = _Shifted(sink, window)
    fork = _fork_alt(sink)
    while True:
        if window is not None and pos >= len(window.buf) and not window.final:
            pos -= window.refill(pos, pos + 1)
            end = len(window.buf)
        if pos >= end:
            break
        walker = Walker(buf, end, sink, member, strict=True, joblib=True, archive=archive,
                        depth=depth)
        if window is not None:
            walker.final = window.final
            walker.window = window
        try:
            pos = _walk(walker, pos, fork, window)
            if window is not None:
                end = len(window.buf)
        except _Stop as stop:
            first_failed = stop.offset <= walker.first
            status.ops += 0 if first_failed else 2
            status.reached_import |= walker.reached_import
            status.end = stop.offset
            status.error = stop.reason
            if status.pickles == 0 and not identified and (first_failed or
                                                           not walker.reached_import):
                return status
            if stop.unverifiable:
                return status
            if status.pickles > 0 and first_failed:
                size = f"{end - pos} bytes of data" if window is None else "data"
                sink.finding(member, walker.first, "STOP", None, "high",
                             f"{size} after the last pickle's STOP that are "
                             f"not a pickle ({stop.reason}); cannot be verified",
                             "data-after-stop")
            else:
                sink.finding(member, stop.offset, "stream", None, "high",
                             f"truncated or malformed pickle ({stop.reason}); loading runs every "
                             "opcode before this point, so it cannot be verified",
                             "broken-pickle")
            return status
        except RecursionError:  # pragma: no cover - defensive
            sink.finding(member, pos, "stream", None, "high", "nested too deeply; cannot be "
                         "verified", "nesting")
            return status
        status.pickles += 1
        status.ops += 2
        status.reached_import |= walker.reached_import
    status.end = pos
    return status


def try_prefix(buf: Any, start: int, end: int, sink: Sink, member: str, note: str) -> bool:
    """Walk ``buf[start:]`` as plain ``pickle.load`` would, non-strict: report only what would
    really import before the real unpickler fails. Returns whether an import was reached."""
    walker = Walker(buf, end, sink, member, strict=False, joblib=False, archive=False, depth=0,
                    note=note)
    with contextlib.suppress(_Stop):
        walker.run(start)
    return walker.reached_import
