"""Judges for the security gates: artifact (hash pin, lock, static scan), robustness, input
validation and membership leakage. Each measures through `pytest_modelgate.security` and returns
a `GateResult` whose message says what was found and what to change.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError, InputError
from ..results import GateResult, decide
from ..units import format_bytes, parse_bytes

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
    "name",
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
             max_depth: int | None = None, name: str | None = None) -> GateResult:
    """Integrity first (sha256 pin, lock file), then size, then the static scan; never loads."""
    from ..security import check_lock, sha256_file
    from ..security import scan as run_scan

    if not isinstance(path, (str, os.PathLike)):
        raise InputError(f"gate.artifact: path must be a file path, got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise InputError(f"gate.artifact: {str(p)!r} does not exist; pass the saved model file "
                         "(e.g. the modelgate_model fixture's .path)")
    label = name or p.name
    problems: list[str] = []
    fixes: list[str] = []
    details: dict[str, Any] = {"path": str(p)}
    threshold: dict[str, Any] = {"max_findings": 0}

    is_file = p.is_file()
    size = p.stat().st_size if is_file else sum(f.stat().st_size for f in p.rglob("*")
                                                 if f.is_file())
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
        result = run_scan(p, allow=allow, max_decompressed_bytes=limit_d, max_depth=max_depth)
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
            fixes.append("do not load this file; re-export the model from trusted code (skops "
                         "is safest) or, for a global you trust, pass allow=['module.Name']")
    verdict = "failed" if problems else "passed"
    fmt = "+".join(details.get("formats", [])) or "unscanned"
    if problems:
        message = (f"artifact {label} ({fmt}, {format_bytes(size)}): " + " | ".join(problems)
                   + ". To fix: " + "; ".join(dict.fromkeys(fixes)) + ".")
    else:
        checks = ["scan clean"] if scan else []
        if sha256 is not None:
            checks.append("sha256 matches the pin")
        if lock not in (None, False):
            checks.append("matches the lock")
        message = (f"artifact {label} ({fmt}, {format_bytes(size)}): "
                   + (", ".join(checks) or "recorded") + f"; sha256 {actual}")
    return GateResult(
        nodeid=ctx.nodeid, kind="artifact", name=label, value=float(n_findings),
        threshold=threshold, direction="lower", ci=None, confidence=None,
        margin=float(-n_findings) if scan else None, verdict=verdict, message=message,
        method="static-scan" if scan else "hash", n=None, unit="findings", details=details,
    )


def robustness(ctx: Any, model: Any, X: Any, **kw: Any) -> GateResult:  # noqa: N803
    """Prediction flips under feature-scaled noise, invariance and monotonic constraints."""
    from ..security.robustness import judge_robustness

    return judge_robustness(ctx, model, X, **kw)


def input_validation(ctx: Any, model: Any, X_sample: Any, **kw: Any) -> GateResult:  # noqa: N803
    """Hostile inputs must raise a clear error or give valid output."""
    from ..security.inputs import judge_input_validation

    return judge_input_validation(ctx, model, X_sample, **kw)


def membership(ctx: Any, model: Any, train: Any, test: Any, **kw: Any) -> GateResult:
    """Membership-inference advantage of a loss-threshold attack with a bootstrap CI."""
    from ..security.membership import judge_membership

    return judge_membership(ctx, model, train, test, **kw)


_ = decide  # used by the judge modules through this layer's import
