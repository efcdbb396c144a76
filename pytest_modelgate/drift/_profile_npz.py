"""The binary profile container: a NumPy `.npz` (a zip of `.npy` members) that never unpickles.

Member `header.npy` holds the profile document as UTF-8 JSON (a uint8 array): the same document
as the JSON format, except that every array is a slice `{"pool": P, "start": i, "stop": j}` of
one typed pool per dtype: `f8` (little-endian float64: sorted values and grids, ready for
detection, no parsing, no re-sort), `i8` (int64: category counts) and `u1` (uint8: KLL
sketches). One member per dtype keeps loading a profile of many columns to a few reads. In
compressed files the `f8` pool is stored byte-shuffled (the header's `"shuffle": 8`: an (8, n)
uint8 array of byte planes, HDF5's shuffle filter), which deflates sorted doubles by a third
more, and faster. Members are written in a fixed order with fixed zip timestamps and
attributes, so the same profile gives the same bytes. Reading checks each member's dtype before
its data and loads with `allow_pickle=False`: an object array is refused, never executed.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
import zlib
from collections.abc import Mapping
from typing import IO, Any, cast

import numpy as np

from pytest_modelgate.exceptions import InputError

__all__ = ["CONTAINER_VERSION", "MAGIC", "NPZ_ERRORS", "NpzReader", "NpzWriter"]

#: the first bytes of a zip file (and so of an .npz); JSON profiles start with "{"
MAGIC = b"PK\x03\x04"
#: version of the container layout (header member, array references, shuffle)
CONTAINER_VERSION = 1
HEADER = "header"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: no build time in the bytes
_LEVEL = 6
#: what a damaged zip or member raises while being read
NPZ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
              ValueError, KeyError, TypeError, IndexError, NotImplementedError, RuntimeError)
#: the largest header member read (its JSON: names, categories, schema), and the largest pool
#: member whatever the header says (2 GiB of float64 = 2 700 columns of EXACT_MAX values): a
#: deflate bomb is refused from its declared size before anything is inflated
MAX_HEADER_BYTES = 256 * 1024 * 1024
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
_NPY_HEADER_BYTES = 65_536  # room for a member's .npy header (numpy writes 64-4 096 bytes)
_CHUNK = 8 * 1024 * 1024


#: the pools, in file order: name -> dtype
POOLS = {"f8": "<f8", "i8": "<i8", "u1": "|u1"}


class NpzWriter:
    """Collects the arrays of one profile into pools, then writes them with the header."""

    def __init__(self, compress: bool = True) -> None:
        self.compress = compress
        self._parts: dict[str, list[np.ndarray]] = {k: [] for k in POOLS}
        self._sizes = dict.fromkeys(POOLS, 0)

    def put(self, name: str, array: np.ndarray, dtype: str) -> dict[str, Any]:
        """Add `array` (as `dtype`: "<f8", "<i8" or "|u1") to its pool; the reference the
        header records in its place (`name` is only for the JSON layout)."""
        pool = next(k for k, v in POOLS.items() if v == dtype)
        arr = np.ascontiguousarray(array, dtype=dtype).reshape(-1)
        start = self._sizes[pool]
        self._parts[pool].append(arr)
        self._sizes[pool] = start + arr.size
        return {"pool": pool, "start": start, "stop": start + arr.size}

    def write(self, fh: IO[bytes], header: Mapping[str, Any]) -> None:
        """The .npz into `fh` (seekable): the header first, then the pools."""
        shuffle = self.compress
        doc = json.dumps({**header, "shuffle": 8 if shuffle else None},
                         separators=(",", ":")).encode("utf-8")
        method = zipfile.ZIP_DEFLATED if self.compress else zipfile.ZIP_STORED
        with zipfile.ZipFile(fh, "w", compression=method, allowZip64=True) as zf:
            _member(zf, HEADER, np.frombuffer(doc, dtype=np.uint8), method)
            for pool, dtype in POOLS.items():
                parts = self._parts[pool]
                arr = np.concatenate(parts) if parts else np.empty(0, dtype=dtype)
                if pool == "f8" and shuffle:
                    arr = _shuffle(arr)
                _member(zf, pool, arr, method)


def _shuffle(values: np.ndarray) -> np.ndarray:
    """float64 values as their 8 byte planes, (8, n) uint8."""
    raw = values.view(np.uint8).reshape(-1, 8)
    planes = np.empty((8, values.size), dtype=np.uint8)
    for k in range(8):
        planes[k] = raw[:, k]
    return planes


def _unshuffle(planes: np.ndarray) -> np.ndarray:
    """Inverse of `_shuffle` (a plane at a time: twice as fast as a transposed copy)."""
    raw = np.empty((planes.shape[1], 8), dtype=np.uint8)
    for k in range(8):
        raw[:, k] = planes[k]
    out: np.ndarray = raw.view("<f8").reshape(-1)
    return out


def _member(zf: zipfile.ZipFile, name: str, arr: np.ndarray, method: int) -> None:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, version=(1, 0), allow_pickle=False)
    info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
    info.compress_type = method
    info.create_system = 3  # the same bytes whichever OS wrote them
    info.external_attr = 0o100644 << 16
    zf.writestr(info, buf.getvalue(), compress_type=method,
                compresslevel=_LEVEL if method == zipfile.ZIP_DEFLATED else None)


class NpzReader:
    """Reads the header and the referenced members of a profile .npz, refusing object arrays."""

    def __init__(self, fh: IO[bytes], source: str) -> None:
        self.source = source
        self._zip = zipfile.ZipFile(fh)
        self._names = set(self._zip.namelist())
        self._pools: dict[str, np.ndarray] = {}
        self._shuffle: Any = None
        self._need: dict[str, int] = {}

    def close(self) -> None:
        self._zip.close()

    def header(self) -> dict[str, Any]:
        """The profile document; `InputError` when the .npz is not a profile's."""
        if f"{HEADER}.npy" not in self._names:
            raise InputError(f"{self.source} is an .npz without a pytest-modelgate profile "
                             f"header (written by something else?); build a profile with "
                             f"`modelgate profile DATA -o PROFILE.npz`")
        raw = self._array(HEADER, MAX_HEADER_BYTES)
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise InputError(f"{self.source}: corrupt profile (header is {raw.dtype} "
                             f"{raw.shape}, not UTF-8 bytes)")
        try:
            doc = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{self.source}: corrupt profile header ({exc})") from None
        if not isinstance(doc, dict):
            raise InputError(f"{self.source} is not a pytest-modelgate profile")
        version = doc.get("container_version")
        if not isinstance(version, int) or isinstance(version, bool):
            raise InputError(f"{self.source}: profile header has no container_version; "
                             f"rebuild it with `modelgate profile DATA -o PROFILE.npz`")
        if version > CONTAINER_VERSION:
            raise InputError(f"{self.source}: binary profile container version {version} is "
                             f"newer than this pytest-modelgate understands "
                             f"({CONTAINER_VERSION}); upgrade pytest-modelgate")
        self._shuffle = doc.get("shuffle")
        self._need = _pool_needs(doc)
        return doc

    def array(self, ref: Any, dtype: str) -> np.ndarray:
        """The 1-D `dtype` array a header reference points to: a view into its pool."""
        name = ref.get("pool") if isinstance(ref, Mapping) else None
        if not isinstance(name, str) or POOLS.get(name) != dtype:
            raise ValueError(f"bad array reference {ref!r} for a {dtype} array")
        start, stop = ref.get("start"), ref.get("stop")
        pool = self._pool(name)
        if not (type(start) is int and type(stop) is int and 0 <= start <= stop <= pool.size):
            raise ValueError(f"array reference {ref!r} outside pool {ref['pool']} "
                             f"({pool.size} values)")
        return pool[start:stop]

    def _pool(self, name: str) -> np.ndarray:
        if name in self._pools:
            return self._pools[name]
        if f"{name}.npy" not in self._names:
            raise KeyError(f"member {name}.npy missing")
        arr = self._array(name, self._need.get(name, 0) * np.dtype(POOLS[name]).itemsize)
        if self._shuffle is not None and name == "f8":
            if self._shuffle != 8 or arr.dtype != np.uint8 or arr.ndim != 2 or \
                    arr.shape[0] != 8:
                raise ValueError(f"member f8 is {arr.dtype} {arr.shape}, not 8 byte planes")
            arr = _unshuffle(arr)
        want = np.dtype(POOLS[name])
        if arr.ndim != 1 or arr.dtype != want:
            raise ValueError(f"member {name} holds {arr.dtype} {arr.shape}, not 1-D {want}")
        self._pools[name] = arr
        return arr

    def _array(self, name: str, limit: int) -> np.ndarray:
        """Member `name`, refused when it declares more than `limit` data bytes (what the
        header's references need): read in chunks, so a member never inflates past it."""
        member = f"{name}.npy"
        limit = min(limit, MAX_MEMBER_BYTES)
        size = self._zip.getinfo(member).file_size
        if size > limit + _NPY_HEADER_BYTES:
            self._too_big(member, size, limit)
        data = bytearray(size)  # at most `limit` (checked above): zipfile stops at this size
        view = memoryview(data)
        with self._zip.open(member) as fh:  # checks the member's CRC-32 at its end
            got = 0
            while got < size and (n := cast(io.BufferedIOBase, fh).readinto(view[got:got + _CHUNK])):
                got += n
            if got < size or fh.read(1):
                raise ValueError(f"member {member} holds {got:,} bytes, not the {size:,} its "
                                 f"zip entry declares")
        view.release()
        buf = io.BytesIO(bytes(data[:_NPY_HEADER_BYTES]))
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(buf)
        elif version == (2, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(buf)
        else:
            raise ValueError(f"member {member} has .npy format version {version}")
        if dtype.hasobject:
            raise InputError(f"{self.source}: member {member} holds Python objects (a "
                             f"pickle); a profile never does, and unpickling could run code, so "
                             f"it is refused: rebuild the profile with `modelgate profile DATA "
                             f"-o PROFILE.npz`")
        count = math.prod(int(k) for k in shape)
        if dtype.itemsize * count > limit:
            self._too_big(member, dtype.itemsize * count, limit)
        if len(data) - buf.tell() < dtype.itemsize * count:
            raise ValueError(f"member {member} is shorter than its .npy header says")
        # a view of the bytes read (writable: a bytearray), not a third copy
        flat = np.frombuffer(data, dtype=dtype, count=count, offset=buf.tell())
        out: np.ndarray = flat.reshape(shape, order="F" if fortran else "C")
        return out

    def _too_big(self, member: str, size: int, limit: int) -> None:
        raise InputError(f"{self.source}: member {member} declares {size:,} bytes, more than "
                         f"the profile header needs ({limit:,}): a damaged or crafted file, "
                         f"refused; rebuild it with `modelgate profile DATA -o PROFILE.npz`")


def _pool_needs(doc: Any) -> dict[str, int]:
    """Pool name -> the largest `stop` of the header's references to it (how many values each
    pool must hold; no more is read)."""
    need: dict[str, int] = {}
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            pool, stop = node.get("pool"), node.get("stop")
            if isinstance(pool, str) and type(stop) is int:
                need[pool] = max(need.get(pool, 0), stop)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return need
