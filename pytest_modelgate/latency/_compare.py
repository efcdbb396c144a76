"""Relative latency: candidate vs baseline timed interleaved, with a CI on the quantile ratio.

Both callables run in the same process in rotating rounds (``[A×k, B×k]``, ``[B×k, A×k]``, ...),
so machine speed, load and frequency drift hit both alike. The ratio of the pooled p-quantiles
gets a percentile bootstrap interval that resamples whole rounds (a block bootstrap, seeded),
which keeps the pairing and the autocorrelation within rounds.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from pytest_modelgate._params import CONFIDENCE, check_param, resamples
from pytest_modelgate.exceptions import ConfigError, InputError

from ._harness import (
    LatencyResult,
    Session,
    _batched_refusal,
    check_harness_options,
    min_samples_default,
    parse_gc,
)
from ._quantiles import _rank, parse_quantile

__all__ = ["MIN_ROUNDS", "RatioResult", "compare", "ratio_ci"]

#: rounds a comparison needs before its bootstrap interval means anything
MIN_ROUNDS = 20


@dataclass(frozen=True)
class RatioResult:
    """candidate p-quantile / baseline p-quantile with a block-bootstrap interval."""

    quantile: float
    ratio: float
    ci: tuple[float, float]
    confidence: float
    method: str
    n_resamples: int
    seed: int
    rounds: int
    samples: int
    candidate: LatencyResult
    baseline: LatencyResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "quantile": self.quantile, "ratio": self.ratio, "ci": list(self.ci),
            "confidence": self.confidence, "method": self.method,
            "n_resamples": self.n_resamples, "seed": self.seed, "rounds": self.rounds,
            "samples": self.samples, "candidate": self.candidate.to_dict(),
            "baseline": self.baseline.to_dict(),
        }


def _pooled_quantiles(rounds: np.ndarray, idx: np.ndarray, kth: int) -> np.ndarray:
    """Nearest-rank quantile of the samples of the rounds picked by each row of idx."""
    picked = rounds[idx].reshape(idx.shape[0], -1)
    return np.partition(picked, kth, axis=1)[:, kth]


def ratio_ci(candidate: Any, baseline: Any, p: float | str = 0.5, *, confidence: float = 0.95,
             n_resamples: int = 2000, seed: int = 0) -> tuple[float, tuple[float, float]]:
    """Ratio of nearest-rank p-quantiles and its round-bootstrap percentile interval.

    `candidate` and `baseline` are (rounds, per_round) arrays measured in the same rounds;
    resampling picks the same rounds for both, so what drifted together cancels.
    """
    level = parse_quantile(p, "p")
    a = np.asarray(candidate, dtype=float)
    b = np.asarray(baseline, dtype=float)
    if a.ndim != 2 or b.ndim != 2 or a.shape[0] != b.shape[0]:
        raise InputError(
            f"candidate/baseline: expected (rounds, per_round) arrays with the same number of "
            f"rounds, got shapes {a.shape} and {b.shape}"
        )
    if a.size == 0 or b.size == 0:
        raise InputError("candidate/baseline: no samples to compare")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or a.min() <= 0 or b.min() <= 0:
        raise InputError("candidate/baseline: timings must be finite and positive")
    check_param(n_resamples, "n_resamples", resamples(100))
    confidence = check_param(confidence, "confidence", CONFIDENCE)
    rounds = a.shape[0]
    ka = _rank(a.size, level) - 1
    kb = _rank(b.size, level) - 1
    point = float(np.partition(a.ravel(), ka)[ka] / np.partition(b.ravel(), kb)[kb])
    if rounds < 2:
        return point, (0.0, math.inf)
    rng = np.random.default_rng(seed)
    ratios = np.empty(n_resamples)
    chunk = max(1, int(4_000_000 // max(a.size, b.size)))
    for start in range(0, n_resamples, chunk):
        stop = min(n_resamples, start + chunk)
        idx = rng.integers(0, rounds, size=(stop - start, rounds))
        ratios[start:stop] = _pooled_quantiles(a, idx, ka) / _pooled_quantiles(b, idx, kb)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(ratios, [alpha, 1.0 - alpha])
    return point, (float(low), float(high))


class Comparison:
    """A resumable interleaved run of candidate and baseline (the gate extends it)."""

    def __init__(self, fn: Callable[..., Any], baseline: Callable[..., Any],
                 args: tuple[Any, ...], kwargs: dict[str, Any], *, level: float,
                 warmup: int, warmup_time: float, max_time: float, gc: bool,
                 batch: bool | int | str, min_samples: int, timer: str = "wall",
                 descheduled: str = "drop") -> None:
        if not callable(baseline):
            raise ConfigError(f"baseline: expected a callable to compare with, got {type(baseline).__name__}")
        self.level = level
        self.session = Session([(fn, args, kwargs), (baseline, args, kwargs)], warmup=warmup,
                               warmup_time=warmup_time, max_time=max_time, gc=gc, batch=batch,
                               min_rounds=MIN_ROUNDS, timer=timer, descheduled=descheduled)
        self.session.may_drop = False  # whole interleaved rounds; the ratio cancels the noise
        for t in self.session.targets:
            if t.loops > 1 and level != 0.5:
                raise ConfigError(_batched_refusal(f"quantile=p{level * 100:g}", t))
        # the two sides must take the same number of samples per round
        k = min(t.per_round for t in self.session.targets)
        for t in self.session.targets:
            t.per_round = k
        self.session.cap_per_round(MIN_ROUNDS, min_samples)

    def run(self, min_samples: int, min_time: float, max_time: float) -> None:
        self.session.run(min_samples, min_time, max_time)

    def result(self, *, confidence: float, n_resamples: int, seed: int) -> RatioResult:
        a = self.session.rounds_matrix(0)
        b = self.session.rounds_matrix(1)
        if a.shape != b.shape:
            raise InputError(  # pragma: no cover - rounds are balanced by construction
                f"unbalanced rounds {a.shape} vs {b.shape}")
        ratio, ci = ratio_ci(a, b, self.level, confidence=confidence,
                             n_resamples=n_resamples, seed=seed)
        notes: tuple[str, ...] = ()
        if a.shape[0] < MIN_ROUNDS:
            notes = (f"only {a.shape[0]} rounds fitted in the time box (want {MIN_ROUNDS}); the "
                     "ratio interval is wide",)
        return RatioResult(
            quantile=self.level, ratio=ratio, ci=ci, confidence=confidence,
            method="round-bootstrap-percentile", n_resamples=n_resamples, seed=seed,
            rounds=int(a.shape[0]), samples=int(a.size),
            candidate=self.session.result(0, confidence=confidence, notes=notes),
            baseline=self.session.result(1, confidence=confidence),
        )


def compare(
    fn: Callable[..., Any],
    baseline: Callable[..., Any],
    *args: Any,
    quantile: float | str = "p50",
    min_samples: int | None = None,
    max_time: float | str = 5.0,
    min_time: float | str = 0.0,
    warmup: int | bool = 10,
    warmup_time: float | str = 0.2,
    gc: bool | str = True,
    confidence: float = 0.95,
    batch: bool | int | str = "auto",
    n_resamples: int = 2000,
    seed: int = 0,
    timer: str = "wall",
    descheduled: str = "drop",
    **kwargs: Any,
) -> RatioResult:
    """Time `fn` and `baseline` (same arguments) interleaved; CI of the ratio of their quantiles.

    A ratio above 1 means the candidate `fn` is slower. Each side gets `min_samples` samples
    (default: the percentile's research default, at least 400) over at least 20 rounds.
    """
    n, mt, mnt, wu, wt, conf = check_harness_options(min_samples, max_time, min_time, warmup,
                                                      warmup_time, confidence)
    level = parse_quantile(quantile, "quantile")
    target = n if n is not None else max(400, min_samples_default((level,), conf))
    comp = Comparison(fn, baseline, args, kwargs, level=level, warmup=wu, warmup_time=wt,
                      max_time=mt, gc=parse_gc(gc), batch=batch, min_samples=target, timer=timer,
                      descheduled=descheduled)
    comp.run(target, mnt, mt)
    return comp.result(confidence=conf, n_resamples=n_resamples, seed=seed)
