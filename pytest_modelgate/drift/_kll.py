"""Apache DataSketches KLL sketches for reference profiles (the optional `kll` extra).

KLL merges natively and its rank error does not grow with the number of merges, unlike the
built-in grid. It is randomized: the C++ library seeds its compaction coin from the clock and
the Python bindings expose no seed, so two builds of the same data differ (within the error).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate.exceptions import InputError

__all__ = ["KLL_K", "KllView", "available", "build", "materialise", "merge", "require", "update"]

#: default KLL k: normalized rank error 0.0014 (99% confidence), about 45 kB per column
KLL_K = 2000
K_MIN, K_MAX = 8, 65535
_FIX = "pip install 'pytest-modelgate[kll]' (Apache DataSketches)"


def require() -> Any:
    """The KLL sketch class; without datasketches an `InputError` naming the extra."""
    try:
        from datasketches import kll_doubles_sketch
    except ImportError:
        raise InputError(f"KLL sketches need the datasketches package: {_FIX}, or build the "
                         f"profile with sketch='grid'") from None
    return kll_doubles_sketch


def available() -> bool:
    """True when the datasketches package can be imported."""
    try:
        require()
    except InputError:
        return False
    return True


def _load(blob: bytes) -> Any:
    cls = require()
    try:
        return cls.deserialize(blob)
    except (RuntimeError, ValueError, TypeError, IndexError, OverflowError, MemoryError) as exc:
        raise InputError(f"corrupt KLL sketch ({type(exc).__name__}: {exc})") from None


def build(values: np.ndarray, k: int) -> bytes:
    """Serialized KLL sketch of the given finite values."""
    sk = require()(k)
    sk.update(np.ascontiguousarray(values, dtype=np.float64))
    return bytes(sk.serialize())


def update(blob: bytes, values: np.ndarray) -> bytes:
    """The sketch `blob` with `values` added."""
    sk = _load(blob)
    sk.update(np.ascontiguousarray(values, dtype=np.float64))
    return bytes(sk.serialize())


def merge(a: bytes, b: bytes) -> bytes:
    """Native KLL merge (the result has the smaller k of the two and its error bound)."""
    sk = _load(a)
    sk.merge(_load(b))
    return bytes(sk.serialize())


@dataclass(frozen=True)
class KllView:
    """A sketch as the nodes detect reads: `np.interp(x, quantiles, probs)` is its exact CDF."""

    quantiles: np.ndarray
    probs: np.ndarray
    rank_error: float
    k: int
    n: int


def materialise(blob: bytes) -> KllView:
    """Nodes of the sketch's step CDF, and its rank error (0 while the sketch is still exact).

    Each retained item x gets a node at x with the sketch's inclusive CDF and one at the next
    double below x with the CDF before it, so linear interpolation reproduces the step function
    on every double and the stated error is the sketch's own `normalized_rank_error`.
    """
    sk = _load(blob)
    if sk.is_empty():
        raise InputError("empty KLL sketch in profile")
    items = np.unique(np.fromiter((v for v, _ in sk), dtype=np.float64, count=sk.num_retained))
    cdf = np.asarray(sk.get_cdf(items.tolist(), inclusive=True)[:-1], dtype=np.float64)
    cdf[-1] = 1.0
    below = np.nextafter(items, -np.inf)
    m = items.size
    q = np.empty(2 * m)
    p = np.empty(2 * m)
    q[0::2], q[1::2] = below, items
    p[0::2], p[1::2] = np.concatenate([[0.0], cdf[:-1]]), cdf
    keep = np.ones(2 * m, dtype=bool)
    keep[2::2] = below[1:] > items[:-1]  # no extra node where the items are adjacent doubles
    lo, hi = float(sk.get_min_value()), float(sk.get_max_value())
    keep[0] = lo < items[0]
    q, p = q[keep], p[keep]
    if lo < q[0]:
        q, p = np.concatenate([[lo], q]), np.concatenate([[0.0], p])
    if hi > q[-1]:
        q, p = np.concatenate([q, [hi]]), np.concatenate([p, [1.0]])
    err = float(sk.normalized_rank_error(False)) if sk.is_estimation_mode() else 0.0
    return KllView(q, p, err, int(sk.k), int(sk.n))
