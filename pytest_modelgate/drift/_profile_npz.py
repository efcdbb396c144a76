"""The binary profile container: a NumPy `.npz` (a zip of `.npy` members) that never unpickles.

Member `header.npy` holds the profile document as UTF-8 JSON (a uint8 array): the same document
as the JSON format, except that every array is a reference `{"npz": MEMBER}` to a typed member.
Sorted values and grids are little-endian float64 ready for detection (no parsing, no re-sort);
in compressed files, float64 arrays of `SHUFFLE_MIN` values or more are stored byte-shuffled
(`{"npz": MEMBER, "shuffle": 8}`: a (8, n) uint8 array of byte planes, HDF5's shuffle filter),
which deflates sorted doubles by a third more and faster. Category counts are int64 arrays,
KLL sketches uint8 arrays. Members are written in a fixed order with fixed zip timestamps and
attributes, so the same profile gives the same bytes. Reading checks each member's dtype before
its data and loads with `allow_pickle=False`: an object array is refused, never executed.
"""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Mapping
from typing import IO, Any

import numpy as np

from pytest_modelgate.exceptions import InputError

__all__ = ["CONTAINER_VERSION", "MAGIC", "NPZ_ERRORS", "NpzReader", "NpzWriter"]

#: the first bytes of a zip file (and so of an .npz); JSON profiles start with "{"
MAGIC = b"PK\x03\x04"
#: version of the container layout (header member, array references, shuffle)
CONTAINER_VERSION = 1
HEADER = "header"
#: float64 arrays at least this long are byte-shuffled in compressed files
SHUFFLE_MIN = 1024
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the zip epoch: no build time in the bytes
_LEVEL = 6
#: what a damaged zip or member raises while being read
NPZ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
              ValueError, KeyError, TypeError, IndexError, NotImplementedError, RuntimeError)


class NpzWriter:
    """Collects the arrays of one profile, then writes them with the header deterministically."""

    def __init__(self, compress: bool = True) -> None:
        self.compress = compress
        self._arrays: dict[str, np.ndarray] = {}

    def put(self, name: str, array: np.ndarray, dtype: str) -> dict[str, Any]:
        """Store `array` as member `name` with `dtype` ("<f8", "<i8" or "|u1"); the reference
        the header records in its place."""
        if name in self._arrays or name == HEADER:
            raise ValueError(f"duplicate profile member {name!r}")
        arr = np.ascontiguousarray(array, dtype=dtype).reshape(-1)
        ref: dict[str, Any] = {"npz": name}
        if self.compress and dtype == "<f8" and arr.size >= SHUFFLE_MIN:
            arr = np.ascontiguousarray(arr.view(np.uint8).reshape(-1, 8).T)
            ref["shuffle"] = 8
        self._arrays[name] = arr
        return ref

    def write(self, fh: IO[bytes], header: Mapping[str, Any]) -> None:
        """The .npz into `fh` (seekable): the header first, then the arrays in `put` order."""
        doc = json.dumps(header, separators=(",", ":")).encode("utf-8")
        method = zipfile.ZIP_DEFLATED if self.compress else zipfile.ZIP_STORED
        with zipfile.ZipFile(fh, "w", compression=method, allowZip64=True) as zf:
            _member(zf, HEADER, np.frombuffer(doc, dtype=np.uint8), method)
            for name, arr in self._arrays.items():
                _member(zf, name, arr, method)


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

    def close(self) -> None:
        self._zip.close()

    def header(self) -> dict[str, Any]:
        """The profile document; `InputError` when the .npz is not a profile's."""
        if f"{HEADER}.npy" not in self._names:
            raise InputError(f"{self.source} is an .npz without a pytest-modelgate profile "
                             f"header (written by something else?); build a profile with "
                             f"`modelgate profile DATA -o PROFILE.npz`")
        raw = self._array(HEADER)
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
        return doc

    def array(self, ref: Any, dtype: str) -> np.ndarray:
        """The 1-D array a header reference points to, as `dtype`."""
        if not isinstance(ref, Mapping) or not isinstance(ref.get("npz"), str):
            raise ValueError(f"bad array reference {ref!r}")
        name = ref["npz"]
        if f"{name}.npy" not in self._names or name == HEADER:
            raise KeyError(f"member {name}.npy missing")
        arr = self._array(name)
        shuffle = ref.get("shuffle")
        if shuffle is not None:
            if shuffle != 8 or dtype != "<f8" or arr.dtype != np.uint8 or arr.ndim != 2 or \
                    arr.shape[0] != 8:
                raise ValueError(f"member {name} is {arr.dtype} {arr.shape}, not 8 byte planes")
            arr = np.ascontiguousarray(arr.T).view("<f8").reshape(-1)
        if arr.ndim != 1:
            raise ValueError(f"member {name} has shape {arr.shape}, not 1-D")
        want = np.dtype(dtype)
        if arr.dtype != want:
            if arr.dtype.kind != want.kind:
                raise ValueError(f"member {name} holds {arr.dtype}, not {want}")
            arr = arr.astype(want)
        out: np.ndarray = arr
        return out

    def _array(self, name: str) -> np.ndarray:
        data = self._zip.read(f"{name}.npy")  # checks the member's CRC-32
        buf = io.BytesIO(data)
        version = np.lib.format.read_magic(buf)
        if version == (1, 0):
            dtype = np.lib.format.read_array_header_1_0(buf)[2]
        elif version == (2, 0):
            dtype = np.lib.format.read_array_header_2_0(buf)[2]
        else:
            raise ValueError(f"member {name}.npy has .npy format version {version}")
        if dtype.hasobject:
            raise InputError(f"{self.source}: member {name}.npy holds Python objects (a "
                             f"pickle); a profile never does, and unpickling could run code, so "
                             f"it is refused: rebuild the profile with `modelgate profile DATA "
                             f"-o PROFILE.npz`")
        buf.seek(0)
        out: np.ndarray = np.lib.format.read_array(buf, allow_pickle=False)
        return out
