"""Robustness measurements: prediction flips under noise scaled to each feature's spread (with a
row-clustered bootstrap CI), invariance to irrelevant columns, monotonic constraints, and a
hypothesis search that shrinks a violation to a minimal row.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pytest_modelgate._params import CONFIDENCE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = [
    "FlipResult",
    "PropertyResult",
    "column_spread",
    "flip_rate",
    "invariance",
    "monotonic",
    "search_counterexample",
    "wilson_interval",
]


@dataclass(frozen=True)
class FlipResult:
    """Share of (row, perturbation) trials whose prediction changed, with a CI over rows."""

    flip_rate: float
    ci: tuple[float, float]
    confidence: float
    n_rows: int
    n_perturbations: int
    flips: int
    noise: float
    method: str
    worst_rows: tuple[int, ...] = ()


@dataclass(frozen=True)
class PropertyResult:
    """An exact property (invariance, monotonicity) checked on rows: violation share and where."""

    name: str
    violation_rate: float
    n_rows: int
    violations: int
    columns: tuple[Any, ...]
    examples: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def _as_matrix(X: Any, arg: str = "X") -> tuple[np.ndarray, list[Any] | None, Any]:
    """(float matrix, column names or None, a rebuilder that restores a DataFrame)."""
    columns = list(X.columns) if hasattr(X, "columns") and hasattr(X, "iloc") else None
    try:
        arr = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{arg}: needs numeric features ({exc}); encode categorical columns "
                         "first or pass categorical=[...] with numeric codes") from None
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{arg}: expected a non-empty 2-D feature matrix, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{arg}: contains NaN or infinite values; pass clean reference rows")
    if columns is None:
        return arr, None, lambda a: a
    import pandas as pd

    dtypes = X.dtypes

    def rebuild(a: np.ndarray) -> Any:
        frame = pd.DataFrame(a, columns=columns)
        for col, dt in zip(columns, dtypes, strict=True):
            if np.issubdtype(dt, np.integer):
                frame[col] = np.round(frame[col]).astype(dt)
        return frame

    return arr, columns, rebuild


def _resolve_columns(cols: Sequence[Any] | None, names: list[Any] | None, n: int,
                     arg: str) -> list[int]:
    if not cols:
        return []
    out: list[int] = []
    for c in cols:
        if names is not None and c in names:
            out.append(names.index(c))
        elif isinstance(c, (int, np.integer)) and not isinstance(c, bool) and -n <= c < n:
            out.append(int(c) % n)
        else:
            known = names if names is not None else list(range(n))
            raise ConfigError(f"{arg}: unknown column {c!r}; columns are {known}")
    return out


def column_spread(X: np.ndarray) -> np.ndarray:
    """Per-feature spread (the population standard deviation), so noise is scaled like the
    data; constant columns get spread 0 and are never perturbed."""
    out: np.ndarray = np.asarray(X.std(axis=0), dtype=float)
    return out


def wilson_interval(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials (equals statsmodels' 'wilson')."""
    from scipy.stats import norm

    if n == 0:
        return (0.0, 1.0)
    z = float(norm.ppf(0.5 + confidence / 2))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return (low, high)


def _predictor(model: Any, delta: float | None) -> Callable[[Any], np.ndarray]:
    if not hasattr(model, "predict"):
        raise InputError(f"model: {type(model).__name__} has no predict(); pass a fitted model")
    return lambda X: np.asarray(model.predict(X))


def _changed(a: np.ndarray, b: np.ndarray, delta: float | None) -> np.ndarray:
    if delta is not None:
        return np.asarray(np.abs(a.astype(float) - b.astype(float)) > delta, dtype=bool)
    if a.dtype.kind == "f" and not np.all(np.equal(np.mod(a, 1), 0)):
        raise ConfigError("robustness: the model predicts continuous values; pass delta= (the "
                          "largest change of a prediction that is not a flip)")
    return np.asarray(a != b, dtype=bool)


def flip_rate(model: Any, X: Any, *, noise: float = 0.05, n_perturbations: int = 10,
              norm: str = "linf", confidence: float = 0.95, seed: int = 0,
              categorical: Sequence[Any] | None = None, delta: float | None = None,
              n_resamples: int = 2000) -> FlipResult:
    """Share of predictions that change when each feature moves by up to ``noise`` times its
    spread (uniform in the L-inf box, or Gaussian with ``norm="gaussian"``).

    The CI treats rows as clusters (perturbations of one row are correlated): a percentile
    bootstrap of the per-row flip share (`scipy.stats.bootstrap`), or a Wilson interval over rows
    when every row has the same share (the bootstrap degenerates there).
    """
    from scipy.stats import bootstrap

    if not (isinstance(noise, (int, float)) and noise >= 0 and math.isfinite(noise)):
        raise ConfigError(f"robustness: noise must be a non-negative fraction of each feature's "
                          f"spread, got {noise!r}")
    confidence = check_param(confidence, "confidence", CONFIDENCE)
    if not isinstance(n_perturbations, int) or n_perturbations < 1:
        raise ConfigError(f"robustness: n_perturbations must be a positive integer, got "
                          f"{n_perturbations!r}")
    if norm not in ("linf", "gaussian"):
        raise ConfigError(f"robustness: norm must be 'linf' or 'gaussian', got {norm!r}")
    arr, names, rebuild = _as_matrix(X)
    n, d = arr.shape
    frozen = _resolve_columns(categorical, names, d, "categorical")
    scale = column_spread(arr) * noise
    scale[frozen] = 0.0
    rng = np.random.default_rng(seed)
    predict = _predictor(model, delta)
    base = predict(rebuild(arr))
    big = np.repeat(arr, n_perturbations, axis=0)
    step = (rng.uniform(-1.0, 1.0, size=big.shape) if norm == "linf"
            else rng.normal(size=big.shape))
    perturbed = big + step * scale
    pred = predict(rebuild(perturbed))
    flips = _changed(np.repeat(base, n_perturbations, axis=0), pred, delta).reshape(n,
                                                                                n_perturbations)
    per_row = flips.mean(axis=1)
    rate = float(per_row.mean())
    if np.ptp(per_row) == 0:
        any_flip = int(per_row[0] > 0) * n
        ci = wilson_interval(any_flip, n, confidence)
        method = "wilson-over-rows"
    else:
        kw: dict[str, Any] = {"confidence_level": confidence, "n_resamples": n_resamples,
                              "method": "percentile"}
        try:
            res = bootstrap((per_row,), np.mean, rng=np.random.default_rng(seed), **kw)
        except TypeError:  # scipy < 1.15 spells it random_state
            res = bootstrap((per_row,), np.mean, random_state=np.random.default_rng(seed), **kw)
        ci = (float(res.confidence_interval.low), float(res.confidence_interval.high))
        method = "cluster-bootstrap-percentile"
    worst = tuple(int(i) for i in np.argsort(-per_row, kind="stable")[:5] if per_row[i] > 0)
    return FlipResult(rate, ci, confidence, n, n_perturbations, int(flips.sum()), float(noise),
                      method, worst)


def _score(model: Any, X: Any) -> np.ndarray:
    """A monotone-checkable output: P(last class) for classifiers, else predict()."""
    if hasattr(model, "predict_proba"):
        proba = np.asarray(model.predict_proba(X))
        return proba[:, -1]
    return np.asarray(model.predict(X), dtype=float)


def invariance(model: Any, X: Any, irrelevant: Sequence[Any], *, seed: int = 0,
               delta: float | None = None) -> PropertyResult:
    """Predictions must not change when the irrelevant columns are shuffled across rows."""
    arr, names, rebuild = _as_matrix(X)
    cols = _resolve_columns(irrelevant, names, arr.shape[1], "irrelevant")
    rng = np.random.default_rng(seed)
    shuffled = arr.copy()
    for c in cols:
        shuffled[:, c] = rng.permutation(arr[:, c])
    predict = _predictor(model, delta)
    a, b = predict(rebuild(arr)), predict(rebuild(shuffled))
    changed = _changed(a, b, delta if delta is not None else (0.0 if a.dtype.kind == "f"
                                                               else None))
    idx = np.flatnonzero(changed)
    label = [names[c] if names else c for c in cols]
    examples = tuple({"row": int(i), "before": _plain(a[i]), "after": _plain(b[i])}
                     for i in idx[:3])
    return PropertyResult("invariance", float(changed.mean()), arr.shape[0], int(changed.sum()),
                          tuple(label), examples)


def monotonic(model: Any, X: Any, *, increasing: Sequence[Any] = (),
              decreasing: Sequence[Any] = (), steps: int = 8, span: float = 1.0,
              tol: float = 1e-9) -> PropertyResult:
    """For each constrained column, walk every row along ``steps`` points spanning ``span``
    spreads upward: the score (P(last class) or the regression output) must not go down for
    `increasing` columns, nor up for `decreasing` ones."""
    arr, names, rebuild = _as_matrix(X)
    n, d = arr.shape
    inc = _resolve_columns(increasing, names, d, "increasing")
    dec = _resolve_columns(decreasing, names, d, "decreasing")
    spread = column_spread(arr)
    bad = np.zeros(n, dtype=bool)
    examples: list[dict[str, Any]] = []
    for c, sign in [(c, 1.0) for c in inc] + [(c, -1.0) for c in dec]:
        grid = np.linspace(0.0, span * (spread[c] or 1.0), steps)
        block = np.repeat(arr, steps, axis=0)
        block[:, c] += np.tile(grid, n)
        scores = _score(model, rebuild(block)).reshape(n, steps)
        diffs = np.diff(scores, axis=1) * sign
        viol = (diffs < -tol).any(axis=1)
        for i in np.flatnonzero(viol & ~bad)[:max(0, 3 - len(examples))]:
            j = int(np.argmin(diffs[i]))
            examples.append({"row": int(i), "column": names[c] if names else c,
                             "from": float(arr[i, c] + grid[j]),
                             "to": float(arr[i, c] + grid[j + 1]),
                             "score_from": float(scores[i, j]),
                             "score_to": float(scores[i, j + 1]),
                             "constraint": "increasing" if sign > 0 else "decreasing"})
        bad |= viol
    cols = tuple(names[c] if names else c for c in inc + dec)
    return PropertyResult("monotonic", float(bad.mean()), n, int(bad.sum()), cols,
                          tuple(examples))


def _plain(v: Any) -> Any:
    return v.item() if hasattr(v, "item") else v


def search_counterexample(model: Any, X: Any, *, prop: str, noise: float = 0.05,
                          irrelevant: Sequence[Any] = (), increasing: Sequence[Any] = (),
                          decreasing: Sequence[Any] = (), categorical: Sequence[Any] = (),
                          n_examples: int = 200, seed: int = 0, delta: float | None = None,
                          progress: Callable[[int, int], None] | None = None,
                          ) -> dict[str, Any] | None:
    """Let hypothesis search rows drawn from X's schema (per-column ranges; categories for
    `categorical` columns) for a violation of `prop` ("stability", "invariance" or
    "monotonic"), and return the shrunk, minimal counterexample or None.
    """
    import random

    from hypothesis import HealthCheck, Phase, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    arr, names, rebuild = _as_matrix(X)
    d = arr.shape[1]
    cats = set(_resolve_columns(categorical, names, d, "categorical"))
    lo, hi = arr.min(axis=0), arr.max(axis=0)
    spread = column_spread(arr)
    cols: list[st.SearchStrategy[float]] = []
    for j in range(d):
        if j in cats or lo[j] == hi[j]:
            cols.append(st.sampled_from(sorted(set(arr[:, j].tolist()))))
        else:
            cols.append(st.floats(float(lo[j]), float(hi[j]), allow_nan=False,
                                  allow_infinity=False))
    row_st = st.tuples(*cols)
    unit = st.floats(-1.0, 1.0, allow_nan=False)
    targets = {"invariance": _resolve_columns(irrelevant, names, d, "irrelevant"),
               "monotonic": (_resolve_columns(increasing, names, d, "increasing")
                             + _resolve_columns(decreasing, names, d, "decreasing"))}
    inc = set(_resolve_columns(increasing, names, d, "increasing"))
    if prop == "stability":
        strategy = st.tuples(row_st, st.tuples(*([unit] * d)))
    elif prop == "invariance":
        strategy = st.tuples(row_st, row_st)
    elif prop == "monotonic":
        strategy = st.tuples(row_st, st.sampled_from(targets["monotonic"] or [0]),
                             st.floats(0.0, 1.0, allow_nan=False))
    else:
        raise ConfigError(f"unknown property {prop!r}")

    def two(a: np.ndarray, b: np.ndarray) -> tuple[Any, Any]:
        out = np.asarray(model.predict(rebuild(np.vstack([a, b]))))
        return out[0], out[1]

    tried = 0

    def violated(example: Any) -> bool:
        nonlocal tried
        tried += 1
        if progress is not None:  # shrinking may try more than n_examples: never "done" here
            progress(min(tried, n_examples - 1), n_examples)
        row = np.asarray(example[0], dtype=float)
        if prop == "stability":
            step = np.asarray(example[1]) * spread * noise
            step[list(cats)] = 0.0
            a, b = two(row, row + step)
        elif prop == "invariance":
            other = row.copy()
            for c in targets["invariance"]:
                other[c] = example[1][c]
            a, b = two(row, other)
        else:
            c, frac = example[1], example[2]
            up = row.copy()
            up[c] += frac * (spread[c] or 1.0)
            s = _score(model, rebuild(np.vstack([row, up])))
            return bool((s[1] - s[0]) * (1.0 if c in inc else -1.0) < -1e-9)
        if delta is not None:
            return bool(abs(float(a) - float(b)) > delta)
        return bool(a != b)

    conf = settings(max_examples=n_examples, database=None, deadline=None,
                    phases=[Phase.generate, Phase.shrink],
                    suppress_health_check=list(HealthCheck))
    try:
        found = find(strategy, violated, settings=conf, random=random.Random(seed))
    except NoSuchExample:
        found = None
    if progress is not None:
        progress(n_examples, n_examples)
    if found is None:
        return None
    row = [float(v) for v in found[0]]
    label = names if names is not None else list(range(d))
    out: dict[str, Any] = {"property": prop, "row": dict(zip(map(str, label), row, strict=True))}
    if prop == "stability":
        step = np.asarray(found[1]) * spread * noise
        step[list(cats)] = 0.0
        out["perturbed"] = dict(zip(map(str, label), (np.asarray(row) + step).tolist(),
                                    strict=True))
    elif prop == "invariance":
        other = list(row)
        for c in targets["invariance"]:
            other[c] = float(found[1][c])
        out["perturbed"] = dict(zip(map(str, label), other, strict=True))
    else:
        c = found[1]
        out["column"] = label[c]
        out["moved_by"] = float(found[2] * (spread[c] or 1.0))
    a_pred = np.asarray(model.predict(rebuild(np.asarray([row]))))[0]
    out["prediction"] = _plain(a_pred)
    return out
