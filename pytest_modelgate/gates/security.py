"""Judges for the security gates: artifact (hash pin, lock, static scan), robustness, input
validation and membership leakage. Each measures through `pytest_modelgate.security` and returns
a `GateResult` whose message says what was found and what to change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pytest_modelgate._numbers import format_estimate
from pytest_modelgate._numbers import format_number as _num
from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.results import GateResult, decide
from pytest_modelgate.units import format_bytes, parse_bytes

from ._recorder import DEFAULT_NAMES

__all__ = [
    "ARTIFACT_KEYWORDS",
    "INPUT_VALIDATION_KEYWORDS",
    "MEMBERSHIP_KEYWORDS",
    "ROBUSTNESS_KEYWORDS",
    "artifact",
    "input_validation",
    "membership",
    "robustness",
]

ARTIFACT_KEYWORDS: tuple[str, ...] = (
    "sha256", "scan", "max_bytes", "lock", "allow", "max_decompressed_bytes", "max_depth",
    "max_seconds", "name",
)
ROBUSTNESS_KEYWORDS: tuple[str, ...] = (
    "noise", "max_flip_rate", "confidence", "n_perturbations", "norm", "irrelevant",
    "increasing", "decreasing", "n_examples", "hypothesis", "categorical", "n_rows", "name",
    "delta", "max_violation_rate",
)
INPUT_VALIDATION_KEYWORDS: tuple[str, ...] = ("cases", "skip", "name", "huge")
MEMBERSHIP_KEYWORDS: tuple[str, ...] = (
    "max_advantage", "confidence", "n_resamples", "score", "name",
)

_MAX_DETAIL_FINDINGS = 50


def _check_sha(value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) != 64 or \
            any(c not in "0123456789abcdefABCDEF" for c in value.strip()):
        raise ConfigError(f"artifact: sha256 must be a 64-character hex digest, got {value!r}; "
                          "compute it with `modelgate hash PATH`")
    return value.strip().lower()


def artifact(ctx: Any, path: Any, *, sha256: str | None = None, scan: bool = True,
             max_bytes: int | str | None = None, lock: str | os.PathLike[str] | bool | None = None,
             allow: Any = None, max_decompressed_bytes: int | str | None = None,
             max_depth: int | None = None, max_seconds: float | None = None,
             name: str | None = None) -> GateResult:
    """Integrity first (sha256 pin, lock file), then size, then the static scan; never loads."""
    from pytest_modelgate.security import check_lock, sha256_file
    from pytest_modelgate.security import scan as run_scan
    from pytest_modelgate.security._walk import walk_dir
    from pytest_modelgate.security.policy import allow_hint

    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"gate.artifact: path must be a file path, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise InputError(f"gate.artifact: {str(p)!r} does not exist; pass the saved model file "
                         "(e.g. the modelgate_model fixture's .path)")
    dir_listing = walk_dir(p) if p.is_dir() else None
    if dir_listing is not None and not any(dir_listing):
        raise InputError(f"gate.artifact: no file to scan in {str(p)!r}; an empty directory is "
                         "not a model artifact (pass the saved model file or its directory)")
    label = name or p.name
    problems: list[str] = []
    fixes: list[str] = []
    details: dict[str, Any] = {"path": str(p)}
    # scan=False (test code only: a policy may not set it) must not read as "0 findings"
    threshold: dict[str, Any] = {"max_findings": 0} if scan else {"scan": "not scanned"}

    is_file = p.is_file()
    size = p.stat().st_size if dir_listing is None else \
        sum(f.stat().st_size for f in dir_listing[0])
    details["size"] = size
    actual = sha256_file(p) if is_file else None
    details["sha256"] = actual
    if sha256 is not None:
        want = _check_sha(sha256)
        threshold["sha256"] = want
        if actual != want:
            problems.append(f"sha256 {actual} != pinned {want}: the file is not the artifact "
                            "that was pinned")
            fixes.append("if the new artifact is intended, update the pin (modelgate hash PATH)")
    if lock not in (None, False):
        lock_path = Path("modelgate.lock") if lock is True else Path(lock)  # type: ignore[arg-type]
        threshold["lock"] = str(lock_path)
        lock_problems = check_lock(lock_path, [p] if is_file else None)
        details["lock_problems"] = lock_problems
        if lock_problems:
            problems += lock_problems
            fixes.append(f"re-lock intended artifacts: modelgate hash PATH... > {lock_path}")
    if max_bytes is not None:
        limit = parse_bytes(max_bytes, "artifact max_bytes")
        threshold["max_bytes"] = limit
        if size > limit:
            problems.append(f"size {format_bytes(size)} > max_bytes {format_bytes(limit)}")
            fixes.append("shrink the model or raise max_bytes")
    n_findings = 0
    if scan:
        limit_d = (parse_bytes(max_decompressed_bytes, "artifact max_decompressed_bytes")
                   if max_decompressed_bytes is not None else None)
        result = run_scan(p, allow=allow, max_decompressed_bytes=limit_d, max_depth=max_depth,
                          max_seconds=max_seconds)
        n_findings = len(result.findings)
        details.update({
            "formats": list(result.formats),
            "globals": {g: c for g, c in result.globals},
            "findings": [f.to_dict() for f in result.findings[:_MAX_DETAIL_FINDINGS]],
            "n_findings": n_findings,
        })
        if n_findings:
            worst = result.worst
            listed = "; ".join(f.describe() for f in result.findings[:5])
            more = f" (+{n_findings - 5} more)" if n_findings > 5 else ""
            problems.append(f"static scan: UNSAFE, {n_findings} finding"
                            f"{'s' if n_findings != 1 else ''} (worst {worst}): {listed}{more}")
            fixes.append(allow_hint((f.global_, f.severity, f.technique)
                                    for f in result.findings))
    verdict: Literal["passed", "failed"] = "failed" if problems else "passed"
    fmt = "+".join(details.get("formats", [])) or "unscanned"
    if problems:
        message = (f"artifact {label} ({fmt}, {format_bytes(size)}): " + " | ".join(problems)
                   + ". To fix: " + "; ".join(dict.fromkeys(fixes)) + ".")
    else:
        checks = ["scan clean"] if scan else ["NOT SCANNED (scan=False in the test)"]
        if sha256 is not None:
            checks.append("sha256 matches the pin")
        if lock not in (None, False):
            checks.append("matches the lock")
        message = (f"artifact {label} ({fmt}, {format_bytes(size)}): "
                   + (", ".join(checks) or "recorded") + f"; sha256 {actual}")
    return GateResult(
        nodeid=ctx.nodeid, kind="artifact", name=label,
        value=float(n_findings) if scan else None,
        threshold=threshold, direction="lower", ci=None, confidence=None,
        margin=float(-n_findings) if scan else None, verdict=verdict, message=message,
        method="static-scan" if scan else "hash", n=None, unit="findings", details=details,
    )


def _fmt(x: float | None) -> str:
    return _num(x, missing="n/a")


def robustness(ctx: Any, model: Any, X: Any, *, noise: float = 0.05,
               max_flip_rate: float | None = None, confidence: float = 0.95,
               n_perturbations: int = 10, norm: str = "linf",
               irrelevant: Any = None, increasing: Any = None, decreasing: Any = None,
               max_violation_rate: float = 0.0, hypothesis: bool = False,
               n_examples: int = 200, categorical: Any = None, delta: float | None = None,
               n_rows: int | None = None, name: str | None = None) -> GateResult:
    """Flip rate under feature-scaled noise (three verdicts against `max_flip_rate`), plus exact
    invariance and monotonic constraints, and optionally a hypothesis search for a minimal
    counterexample row."""
    from pytest_modelgate.security import robustness as rb

    if n_rows is not None and hasattr(X, "__len__") and len(X) > n_rows:
        import numpy as np

        idx = np.sort(np.random.default_rng(ctx.seed).choice(len(X), n_rows, replace=False))
        X = X.iloc[idx] if hasattr(X, "iloc") else np.asarray(X)[idx]
    res = rb.flip_rate(model, X, noise=noise, n_perturbations=n_perturbations, norm=norm,
                       confidence=confidence, seed=ctx.seed, categorical=categorical,
                       delta=delta)
    dec = decide(res.flip_rate, res.ci, max=max_flip_rate)
    verdict = dec.verdict
    rate, ci = format_estimate(res.flip_rate, res.ci[0], res.ci[1], missing="n/a")
    parts = [f"flip rate {rate} (CI {ci} at "
             f"{confidence:.0%}, {_num(res.n_rows)} rows x {_num(res.n_perturbations)} perturbations of "
             f"noise {_num(noise, digits=6)} x feature spread)"]
    if max_flip_rate is not None:
        parts[0] += f" vs max_flip_rate {_num(max_flip_rate, digits=6)}, margin {_fmt(dec.margin)}"
    details: dict[str, Any] = {"flip": {"rate": res.flip_rate, "ci": list(res.ci),
                                        "flips": res.flips, "method": res.method,
                                        "worst_rows": list(res.worst_rows)}}
    fixes: list[str] = []
    if verdict == "failed":
        fixes.append("regularise or smooth the model near its decision boundary, or raise "
                     "max_flip_rate if this noise level is unrealistic")
    elif verdict == "inconclusive":
        fixes.append("more rows (or n_perturbations) would decide it")
    props = []
    if irrelevant:
        props.append(rb.invariance(model, X, irrelevant, seed=ctx.seed, delta=delta))
    if increasing or decreasing:
        props.append(rb.monotonic(model, X, increasing=increasing or (),
                                  decreasing=decreasing or ()))
    for prop in props:
        details[prop.name] = {"violation_rate": prop.violation_rate,
                              "violations": prop.violations, "columns": list(prop.columns),
                              "examples": list(prop.examples)}
        if prop.violation_rate > max_violation_rate:
            verdict = "failed"
            ex = f"; e.g. {prop.examples[0]}" if prop.examples else ""
            parts.append(f"{prop.name} on {list(prop.columns)} violated on {prop.violations}/"
                         f"{_num(prop.n_rows)} rows (rate {_num(prop.violation_rate)} > "
                         f"{_num(max_violation_rate, digits=6)}){ex}")
            fixes.append("constrain the model (monotonic_cst=..., or drop the irrelevant "
                         "columns before training)")
        else:
            parts.append(f"{prop.name} on {list(prop.columns)} holds on all {_num(prop.n_rows)} rows")
    if hypothesis:
        checks = []
        if max_flip_rate == 0:
            checks.append("stability")
        if irrelevant:
            checks.append("invariance")
        if increasing or decreasing:
            checks.append("monotonic")
        if not checks:
            raise ConfigError("robustness: hypothesis=True needs an exact property to search: "
                              "irrelevant=, increasing=/decreasing=, or max_flip_rate=0")
        found = []
        for prop_name in checks:
            ce = rb.search_counterexample(
                model, X, prop=prop_name, noise=noise, irrelevant=irrelevant or (),
                increasing=increasing or (), decreasing=decreasing or (),
                categorical=categorical or (), n_examples=n_examples, seed=ctx.seed,
                delta=delta, progress=ctx.progress(f"robustness {prop_name} search", "examples"))
            if ce is not None:
                found.append(ce)
        details["hypothesis"] = {"checked": checks, "counterexamples": found,
                                 "n_examples": n_examples}
        if found:
            verdict = "failed"
            parts.append("hypothesis found a minimal counterexample: " + "; ".join(
                f"{c['property']}: row {c['row']}" + (f" -> {c['perturbed']}" if "perturbed"
                                                      in c else
                                                      f", moving {c.get('column')!r} up by "
                                                      f"{_num(c.get('moved_by', 0))}")
                for c in found))
        else:
            parts.append(f"hypothesis found no counterexample in {n_examples} examples")
    message = "; ".join(parts)
    if verdict != "passed" and fixes:
        message += ". To fix: " + "; ".join(dict.fromkeys(fixes)) + "."
    return GateResult(
        nodeid=ctx.nodeid, kind="robustness", name=name or DEFAULT_NAMES["robustness"], value=res.flip_rate,
        threshold={"max_flip_rate": max_flip_rate, "noise": noise,
                   **({"max_violation_rate": max_violation_rate} if props else {})},
        direction="lower", ci=res.ci, confidence=confidence, margin=dec.margin,
        verdict=verdict, message=message, method=res.method,
        n=res.n_rows * res.n_perturbations, unit="share", details=details,
    )


def input_validation(ctx: Any, model: Any, X_sample: Any, *,
                     cases: Any = None, skip: Any = (), huge: float = 1e300,
                     name: str | None = None) -> GateResult:
    """Hostile inputs must raise a clear error or give valid output; the gate lists the cases
    that silently returned garbage or crashed unclearly."""
    from pytest_modelgate.security.inputs import check_inputs

    res = check_inputs(model, X_sample, cases=cases, skip=skip or (), huge=huge)
    fails = res.failures
    verdict: Literal["passed", "failed"] = "failed" if fails else "passed"
    summary = ", ".join(f"{o.case}: {o.outcome}" for o in res.outcomes)
    if fails:
        message = (f"{_num(len(fails))} of {_num(len(res.outcomes))} hostile input cases misbehaved: "
                   + "; ".join(f"{o.case} -> {o.outcome} ({o.detail})" for o in fails)
                   + ". To fix: validate inputs before predicting (sklearn.utils.check_array, "
                   "a Pipeline with a validating first step) so bad batches raise ValueError.")
    else:
        message = f"all {len(res.outcomes)} hostile input cases handled ({summary})"
    return GateResult(
        nodeid=ctx.nodeid, kind="input_validation", name=name or DEFAULT_NAMES["input_validation"],
        value=float(len(fails)), threshold={"max_failures": 0}, direction="lower",
        margin=float(-len(fails)), verdict=verdict, message=message, method="boundary-cases",
        n=len(res.outcomes), unit="cases",
        details={"cases": [{"case": o.case, "outcome": o.outcome, "detail": o.detail}
                           for o in res.outcomes]},
    )


def membership(ctx: Any, model: Any, train: Any, test: Any, *,
               max_advantage: float | None = None, confidence: float | None = 0.95,
               n_resamples: int = 1000, name: str | None = None) -> GateResult:
    """Membership-inference advantage (max TPR - FPR of a loss-threshold attack) with a
    stratified bootstrap CI; three verdicts against `max_advantage`."""
    from pytest_modelgate.security.membership import membership_attack

    res = membership_attack(model, train, test, confidence=confidence, n_resamples=n_resamples,
                            seed=ctx.seed)
    dec = decide(res.advantage, res.ci, max=max_advantage)
    adv, ci = format_estimate(res.advantage, *(res.ci or (None, None)), missing="n/a")
    ci_text = (f" (CI {ci} at {confidence:.0%})"
               if res.ci is not None and confidence is not None else "")
    message = (f"membership advantage {adv}{ci_text}"
               + (f" vs max_advantage {_num(max_advantage, digits=6)}, margin {_fmt(dec.margin)}"
                  if max_advantage is not None else "")
               + f"; attack AUC {res.auc:.3f}; mean {res.loss} train {_num(res.train_loss_mean)}"
               f" vs test {_num(res.test_loss_mean)} ({res.n_train} members, {res.n_test} "
               "non-members)")
    if dec.verdict == "failed":
        message += (". To fix: the model memorises its training rows; regularise it (shallower "
                    "trees, min_samples_leaf, stronger penalty) or train on more data.")
    elif dec.verdict == "inconclusive":
        message += ". More held-out rows would decide it."
    return GateResult(
        nodeid=ctx.nodeid, kind="membership", name=name or DEFAULT_NAMES["membership"],
        value=res.advantage, threshold={"max_advantage": max_advantage}, direction="lower",
        ci=res.ci, confidence=confidence, margin=dec.margin, verdict=dec.verdict,
        message=message, method="loss-threshold-bootstrap", n=res.n_train + res.n_test,
        unit="advantage",
        details={"auc": res.auc, "threshold": res.threshold, "loss": res.loss,
                 "train_loss_mean": res.train_loss_mean, "test_loss_mean": res.test_loss_mean,
                 "n_train": res.n_train, "n_test": res.n_test, "n_resamples": res.n_resamples},
    )
