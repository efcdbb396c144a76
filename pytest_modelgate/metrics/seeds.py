"""Across-seed variation of a training/evaluation run: one value per seed, the mean with a
Student-t interval, the worst seed, and how many seeds would decide an open verdict.

Usable without pytest::

    from pytest_modelgate.metrics.seeds import run_seeds, summarize
    values = run_seeds(lambda seed: train_and_score(seed), [0, 1, 2, 3, 4])
    s = summarize([0, 1, 2, 3, 4], values, confidence=0.95)
    s.mean, s.ci, s.std
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate._params import CONFIDENCE, check_param
from pytest_modelgate.exceptions import ConfigError, InputError

__all__ = ["MAX_SEEDS_NEEDED", "SeedEvaluationError", "SeedSummary", "mapping_seeds",
           "run_seeds", "seed_list", "seeds_needed", "summarize", "t_interval"]

#: the largest number of seeds `seeds_needed` reports; beyond it, "more than" this
MAX_SEEDS_NEEDED = 10_000


class SeedEvaluationError(RuntimeError):
    """`evaluate(seed)` raised: the message names the seed; the original is the `__cause__`
    (its traceback is kept, as the user's code failed, not the gate)."""

    def __init__(self, seed: int, exc: BaseException) -> None:
        super().__init__(f"evaluate(seed={seed}) raised {type(exc).__name__}: {exc}")
        self.seed = seed


@dataclass(frozen=True)
class SeedSummary:
    """Values per seed and their mean, sample standard deviation and t-interval of the mean."""

    seeds: tuple[int, ...]
    values: tuple[float, ...]
    mean: float
    std: float
    ci: tuple[float, float] | None
    confidence: float | None

    @property
    def n(self) -> int:
        return len(self.values)

    def worst(self, higher_is_better: bool) -> tuple[int, float]:
        """(seed, value) of the worst seed."""
        pick = min if higher_is_better else max
        value = pick(self.values)
        return self.seeds[self.values.index(value)], value


def seed_list(seeds: int | Sequence[int], base: int = 0) -> tuple[int, ...]:
    """The seeds of a run: `seeds` consecutive integers from `base` (the run's --modelgate-seed),
    or the given integers as they are."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 2:
            raise ConfigError(f"seeds must be at least 2 to measure variation, got {seeds}")
        return tuple(int(base) + i for i in range(int(seeds)))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise ConfigError(f"seeds must be a count or a list of integers, got {seeds!r}")
    out = tuple(int(s) for s in seeds)
    if len(out) < 2 or len(set(out)) != len(out):
        raise ConfigError(f"seeds must list at least 2 distinct integers, got {list(seeds)!r}")
    return out


def mapping_seeds(results: Mapping[Any, Any], seeds: int | Sequence[int] | None = None
                  ) -> tuple[int, ...]:
    """The seeds of precomputed `{seed: result}`: its keys (sorted). A count `seeds` is ignored
    (the mapping says how many); a list must name the same seeds and then sets the order."""
    keys = list(results)
    for key in keys:
        if isinstance(key, bool) or not isinstance(key, numbers.Integral):
            raise ConfigError(f"evaluate: the mapping's keys are the seeds and must be integers, "
                              f"got {key!r}")
    found = sorted(int(k) for k in keys)
    if len(found) < 2:
        raise ConfigError(f"evaluate: a mapping {{seed: result}} needs at least 2 seeds, got "
                          f"{found}")
    if seeds is None or (isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool)):
        return tuple(found)
    listed = seed_list(seeds)
    if sorted(listed) != found:
        raise ConfigError(f"seeds={list(listed)} does not match the mapping's seeds {found}: "
                          "drop seeds= (a mapping's keys are its seeds) or list the same seeds")
    return listed


def t_interval(values: Sequence[float] | np.ndarray, confidence: float) -> tuple[float, float]:
    """Two-sided Student-t interval of the mean: mean -/+ t(1/2 + c/2, n-1) * s / sqrt(n)."""
    from scipy.stats import t

    confidence = check_param(confidence, "confidence", CONFIDENCE)
    arr = np.asarray(values, dtype=float)
    n = len(arr)
    if n < 2:
        raise InputError(f"a t-interval needs at least 2 values, got {n}")
    mean = float(arr.mean())
    half = float(t.ppf(0.5 + confidence / 2, n - 1)) * float(arr.std(ddof=1)) / math.sqrt(n)
    return (mean - half, mean + half)


def seeds_needed(mean: float, std: float, threshold: float, confidence: float,
                 have: int) -> int | None:
    """The fewest seeds whose t-interval (same mean and spread assumed) would clear
    `threshold`; None when even `MAX_SEEDS_NEEDED` would not (or the mean sits on it)."""
    from scipy.stats import t

    gap = abs(mean - threshold)
    if gap == 0 or not math.isfinite(gap):
        return None
    if std == 0:
        return have
    ns = np.arange(max(have, 2), MAX_SEEDS_NEEDED + 1)
    half = t.ppf(0.5 + confidence / 2, ns - 1) * std / np.sqrt(ns)
    ok = np.flatnonzero(half < gap)
    return int(ns[ok[0]]) if len(ok) else None


def summarize(seeds: Sequence[int], values: Sequence[float],
              confidence: float | None) -> SeedSummary:
    """Mean, sample standard deviation (ddof=1) and, with `confidence`, the t-interval."""
    arr = np.asarray(values, dtype=float)
    ci = t_interval(arr, confidence) if confidence is not None else None
    return SeedSummary(tuple(int(s) for s in seeds), tuple(float(v) for v in arr),
                       float(arr.mean()), float(arr.std(ddof=1)) if len(arr) > 1 else 0.0,
                       ci, confidence)


def _as_value(out: Any, seed: int, metric: str | None) -> float:
    """One seed's result as a float: a number, an object with `.value`, or (y_true, y_pred)
    scored with `metric`."""
    if isinstance(out, (tuple, list)) and len(out) == 2:
        if metric is None:
            raise ConfigError(f"evaluate({seed}) returned (y_true, y_pred): pass metric='...' "
                              "(e.g. metric='accuracy') to score it, or return the value")
        from ._evaluate import evaluate

        value = evaluate(metric, out[0], out[1]).value
    elif hasattr(out, "value") and not isinstance(out, numbers.Real):
        value = out.value
    else:
        value = out
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        arr = np.asarray(value)
        if arr.ndim != 0 or arr.dtype.kind not in "iuf":
            raise InputError(f"evaluate({seed}) returned {type(out).__name__}; return a number, "
                             "a result with .value, or (y_true, y_pred) with metric=")
        value = arr.item()
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"evaluate({seed}) returned {value}; every seed must give a finite "
                         "value")
    return value


def _naming_the_seed(evaluate: Callable[[int], Any]) -> Callable[[int], Any]:
    """`evaluate` whose exceptions say which seed raised them (`SeedEvaluationError`)."""
    def call(seed: int) -> Any:
        try:
            return evaluate(seed)
        except Exception as exc:
            raise SeedEvaluationError(seed, exc) from exc

    return call


def run_seeds(evaluate: Callable[[int], Any] | Mapping[int, Any], seeds: Sequence[int], *,
              metric: str | None = None, n_jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None) -> list[float]:
    """`evaluate(seed)` for every seed (in threads with `n_jobs` > 1), in seed order.

    `evaluate` may also be a mapping seed -> result already computed; a seed missing from it
    is an error. Results are numbers, objects with `.value`, or (y_true, y_pred) with `metric`.
    """
    total = len(seeds)
    if isinstance(evaluate, Mapping):
        missing = [s for s in seeds if s not in evaluate]
        if missing:
            raise InputError(f"evaluate: no result for seed(s) {missing}; the mapping has "
                             f"{sorted(evaluate)}")
        raw = [evaluate[s] for s in seeds]
        return [_as_value(r, s, metric) for r, s in zip(raw, seeds, strict=True)]
    if not callable(evaluate):
        raise InputError(f"evaluate: expected a function seed -> value (or a mapping), got "
                         f"{type(evaluate).__name__}")
    call = _naming_the_seed(evaluate)
    out: list[float] = []
    if n_jobs is not None and n_jobs > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(n_jobs, total)) as pool:
            for seed, result in zip(seeds, pool.map(call, seeds), strict=True):
                out.append(_as_value(result, seed, metric))
                if progress is not None:
                    progress(len(out), total)
        return out
    for seed in seeds:
        out.append(_as_value(call(seed), seed, metric))
        if progress is not None:
            progress(len(out), total)
    return out
