"""Judge for seed-variance gates: one value per seed -> `GateResult` on the across-seed mean
(Student-t interval, three verdicts, seeds needed) or on the worst seed.

Called by `Gate.seed_variance` in `_recorder.py`. All seeds run inside the one test that calls
it, so the verdict needs nothing from other tests or workers (it works unchanged under xdist).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pytest_modelgate._numbers import format_estimate
from pytest_modelgate.results import GateResult, decide

from ._text import fmt_number as _g

if TYPE_CHECKING:
    from ._recorder import GateContext

__all__ = ["SEED_VARIANCE_KEYWORDS", "seed_variance"]

SEED_VARIANCE_KEYWORDS: tuple[str, ...] = (
    "seeds", "metric", "min", "max", "aggregate", "confidence", "n_jobs", "name",
)
_SHOWN = 20


def _higher_is_better(metric: str | None, min: float | None, max: float | None) -> bool:
    if min is not None or max is not None:
        return min is not None
    if metric is not None:
        try:
            from pytest_modelgate.metrics import get_metric

            return bool(get_metric(metric).direction == "higher")
        except Exception:  # a label that is not a registered metric: assume higher is better
            return True
    return True


def _worst(values: Sequence[float], min: float | None, max: float | None,
           higher: bool) -> int:
    """Index of the seed whose value is closest to (or furthest past) a threshold."""
    lo = values.index(_min(values))
    hi = values.index(_max(values))
    if min is not None and max is not None:
        return lo if values[lo] - min <= max - values[hi] else hi
    return lo if higher else hi


def _scale(*bounds: float | None) -> float | None:
    """The size of the thresholds, against which a margin's float noise is judged."""
    return max((abs(b) for b in bounds if b is not None), default=None)


def _min(xs: Sequence[float]) -> float:
    return sorted(xs)[0]


def _max(xs: Sequence[float]) -> float:
    return sorted(xs)[-1]


def seed_variance(ctx: GateContext, evaluate: Callable[[int], Any] | Mapping[int, Any], *,
                  seeds: int | Sequence[int] = 5, metric: str | None = None,
                  min: float | None = None, max: float | None = None,
                  aggregate: str = "mean", confidence: float | None = 0.95,
                  n_jobs: int | None = None, name: str | None = None) -> GateResult:
    """Evaluate every seed, then gate the mean (t-interval) or the worst seed."""
    from pytest_modelgate.metrics.seeds import (
        mapping_seeds,
        run_seeds,
        seed_list,
        seeds_needed,
        summarize,
    )

    seed_values = (mapping_seeds(evaluate, seeds) if isinstance(evaluate, Mapping)
                   else seed_list(seeds, ctx.seed))
    values = run_seeds(evaluate, seed_values, metric=metric, n_jobs=n_jobs,
                       progress=ctx.progress("seed_variance", "seeds"))
    label = metric or "value"
    higher = _higher_is_better(metric, min, max)
    use_ci = aggregate == "mean" and confidence is not None
    s = summarize(seed_values, values, confidence if use_ci else None)
    w = _worst(list(s.values), min, max, higher)
    worst_seed, worst_value = s.seeds[w], s.values[w]
    listed = ", ".join(f"{seed}: {_g(v)}" for seed, v in zip(s.seeds, s.values, strict=True))
    if s.n > _SHOWN:
        listed = ", ".join(f"{seed}: {_g(v)}" for seed, v in
                           zip(s.seeds[:_SHOWN], s.values[:_SHOWN], strict=True)) + ", ..."
    bounds = ", ".join(f"{k} {_g(v)}" for k, v in (("min", min), ("max", max)) if v is not None)
    needed: int | None = None
    if aggregate == "mean":
        dec = decide(s.mean, s.ci, min=min, max=max)
        value = s.mean
        mean, ci = format_estimate(s.mean, *(s.ci or (None, None)), missing="n/a")
        ci_text = (f" (t-interval {ci} at {confidence:.0%}"
                   if s.ci is not None and confidence is not None else " (no interval")
        head = (f"mean {label} {mean} over {_g(s.n)} seeds{ci_text}, "
                f"sd {_g(s.std, scale=s.mean)}, worst "
                f"seed {worst_seed}: {_g(worst_value)})")
        if dec.verdict == "inconclusive" and s.ci is not None and confidence is not None:
            threshold = min if min is not None and s.ci[0] < min else max
            assert threshold is not None
            needed = seeds_needed(s.mean, s.std, threshold, confidence, s.n)
    else:
        dec = decide(worst_value, None, min=min, max=max)
        value = worst_value
        head = (f"worst seed {worst_seed}: {label} {_g(worst_value)} of {_g(s.n)} seeds (mean "
                f"{_g(s.mean)}, sd {_g(s.std, scale=s.mean)})")
    parts = [head]
    if bounds:
        parts.append(f"vs {bounds}, margin {_g(dec.margin, scale=_scale(min, max))}")
    message = " ".join(parts) + f"; seeds {listed}"
    if dec.verdict == "failed":
        message += (". To fix: the model misses the threshold " +
                    ("on average across seeds" if aggregate == "mean" else
                     f"with seed {worst_seed}") +
                    "; improve it or reduce its sensitivity to the seed (more data, "
                    "regularisation, ensembling over seeds).")
    elif dec.verdict == "inconclusive":
        more = (f"about {_g(needed)} seeds would decide it (same mean and spread assumed)"
                if needed is not None else
                f"more than {_g(10_000)} seeds would be needed: the mean sits at the threshold")
        message += f". Inconclusive: {dec.reason}; {more}."
    return GateResult(
        nodeid=ctx.nodeid, kind="seed_variance", name=name or metric or "seed_variance",
        value=value, threshold={k: v for k, v in (("min", min), ("max", max)) if v is not None},
        direction="higher" if higher else "lower", ci=s.ci,
        confidence=confidence if s.ci is not None else None, margin=dec.margin,
        verdict=dec.verdict, message=message,
        method="student-t" if s.ci is not None else ("worst-seed" if aggregate == "worst"
                                                      else "mean"),
        n=s.n, unit=None,
        details={"aggregate": aggregate, "metric": metric, "seeds": list(s.seeds),
                 "values": list(s.values), "mean": s.mean, "std": s.std,
                 "worst_seed": worst_seed, "worst_value": worst_value,
                 "seeds_needed": needed},
    )
