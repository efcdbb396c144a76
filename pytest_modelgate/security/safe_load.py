"""Load pickle, joblib and skops artifacts only after the static scan passes them.

The bytes are read once and the very same bytes are scanned and then loaded, so the file cannot
change between check and use. Pickles additionally load through an unpickler whose `find_class`
refuses anything off the allow-list (defence in depth).
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pytest_modelgate.exceptions import ArtifactError, InputError

from .findings import ScanResult
from .policy import Policy, allow_hint, default_policy
from .scanner import scan_bytes

__all__ = ["RefusedArtifactError", "load_joblib_safely", "load_pickle_safely",
           "load_skops_safely", "require_safe"]


class RefusedArtifactError(ArtifactError):
    """A refusal to load; `allowable` names the refused globals a user may trust with ``allow=``
    (empty when any finding is critical or not about a global: nothing to suggest then)."""

    def __init__(self, message: str, allowable: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.allowable = allowable

_MAX_LISTED = 10


def _read(path: str | os.PathLike[str]) -> tuple[Path, bytes]:
    p = Path(path)
    if not p.is_file():
        raise InputError(f"path {str(p)!r} is not a file; pass the model artifact")
    return p, p.read_bytes()


def require_safe(result: ScanResult) -> None:
    """Raise `RefusedArtifactError` listing the findings when a scan did not pass; it suggests
    ``allow=`` only for globals that are merely off the allow-list, never for a critical one."""
    if result.safe:
        return
    shown = [f"  {f.describe()}" for f in result.findings[:_MAX_LISTED]]
    more = len(result.findings) - len(shown)
    if more > 0:
        shown.append(f"  ... and {more} more")
    triples = [(f.global_, f.severity, f.technique) for f in result.findings]
    allowable: tuple[str, ...] = ()
    if all(t.endswith("not-allowed") and g for g, _, t in triples):
        allowable = tuple(dict.fromkeys(g for g, _, _ in triples if g))
    hint = allow_hint(triples)
    raise RefusedArtifactError(
        f"{result.path}: refusing to load: the static scan found {len(result.findings)} "
        f"problem{'s' if len(result.findings) != 1 else ''}:\n" + "\n".join(shown) + "\n"
        + hint[:1].upper() + hint[1:] + ".",
        allowable,
    )


class _RestrictedUnpickler(pickle.Unpickler):
    """A second line of defence: refuse any global the policy does not allow."""

    def __init__(self, file: Any, policy: Policy) -> None:
        super().__init__(file)
        self._policy = policy

    def find_class(self, module: str, name: str) -> Any:
        verdict = self._policy.judge(module, name)
        if not verdict.allowed:
            raise ArtifactError(f"refused global {module}.{name}: {verdict.why}")
        if module == "_loss":
            _require_sklearn_loss()
        obj = super().find_class(module, name)
        bound = _bound_to(obj)
        if bound is not None and bound != (module, name):
            # what the name really is, after import: an alias of a denied function is refused
            # even under a name the allow-list (or a user wildcard) accepted
            real = default_policy().judge(*bound)
            if real.severity == "critical":
                raise ArtifactError(f"refused global {module}.{name}: it is "
                                    f"{bound[0]}.{bound[1]} ({real.why})")
        return obj


def _require_sklearn_loss() -> None:
    """`_loss` is scikit-learn 1.7-1.8's name for sklearn._loss._loss (scikit-learn#33770):
    resolve it only as that module, never as whatever `_loss.py` sits on sys.path."""
    import importlib
    import sys

    try:
        real = importlib.import_module("sklearn._loss._loss")
    except ImportError:
        raise ArtifactError("refused global module _loss: no scikit-learn to resolve it") from None
    if sys.modules.get("_loss") is not real:
        raise ArtifactError("refused global module _loss: it is scikit-learn 1.7-1.8's name for "
                            "sklearn._loss._loss, and the installed scikit-learn does not use it")


def _check_user_bindings(result: ScanResult, policy: Policy) -> None:
    """Before `joblib.load` (no `find_class` hook): resolve each global that only the user's
    allow entries accept, exactly as loading would import it, and refuse one bound to a denied
    function. The default allow-list is vetted and not re-resolved."""
    import importlib

    if any(g.startswith("_loss:") for g, _ in result.globals):
        _require_sklearn_loss()
    default = default_policy()
    for glob, _count in result.globals:
        module, _, name = glob.partition(":")
        if default.judge(module, name).allowed or not policy.judge(module, name).allowed:
            continue
        try:
            obj: Any = importlib.import_module(module)
            for part in name.split("."):
                obj = getattr(obj, part)
        except Exception:  # loading raises its own, clearer error for a missing name
            continue
        bound = _bound_to(obj)
        if bound is not None and bound != (module, name):
            real = default.judge(*bound)
            if real.severity == "critical":
                raise ArtifactError(f"{result.path}: refusing to load: global {module}.{name} "
                                    f"is {bound[0]}.{bound[1]} ({real.why})")


def _bound_to(obj: Any) -> tuple[str, str] | None:
    """The (module, qualified name) an imported class or function says it was defined as."""
    if isinstance(obj, type(os)):
        return (obj.__name__, "") if obj.__name__ else None
    module = getattr(obj, "__module__", None)
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if not isinstance(module, str) or not isinstance(name, str) or "<" in name:
        return None
    return module, name


def _policy(allow: Iterable[str | tuple[str, str]] | str | None) -> Policy:
    return default_policy().extended(allow) if allow else default_policy()


def load_pickle_safely(path: str | os.PathLike[str], *,
                       allow: Iterable[str | tuple[str, str]] | str | None = None) -> Any:
    """Unpickle `path` only if the static scan passes it (else `ArtifactError` with findings).

    Compressed pickles (``.pkl.gz`` and the like) and joblib files are handed to joblib, which
    reads them natively.
    """
    p, data = _read(path)
    pol = _policy(allow)
    result = scan_bytes(data, name=str(p), policy=pol)
    require_safe(result)
    _require_pickle_like(result)
    if "joblib" in result.formats or result.formats[:1] != ("pickle",):
        _check_user_bindings(result, pol)
        return _joblib_loads(data)
    return _RestrictedUnpickler(io.BytesIO(data), pol).load()


_COMPRESSED = ("gzip", "bz2", "xz", "lzma", "zlib")


def _require_pickle_like(result: ScanResult) -> None:
    kinds = [f for f in result.formats if f not in _COMPRESSED]
    if kinds[:1] not in (["pickle"], ["joblib"]):
        raise ArtifactError(f"{result.path}: not a pickle or joblib file (found "
                            f"{'+'.join(result.formats) or 'no recognised format'}); load "
                            "it with the loader for its format (skops, ONNX, numpy)")


def _joblib_loads(data: bytes) -> Any:
    try:
        import joblib
    except ImportError:  # pragma: no cover - joblib ships with scikit-learn
        raise ArtifactError("loading joblib files needs joblib (installed with "
                            "scikit-learn)") from None
    return joblib.load(io.BytesIO(data))


def load_joblib_safely(path: str | os.PathLike[str], *,
                       allow: Iterable[str | tuple[str, str]] | str | None = None) -> Any:
    """`joblib.load` of `path` only if the static scan passes it (else `ArtifactError`)."""
    p, data = _read(path)
    pol = _policy(allow)
    result = scan_bytes(data, name=str(p), policy=pol)
    require_safe(result)
    _require_pickle_like(result)
    _check_user_bindings(result, pol)
    return _joblib_loads(data)


def load_skops_safely(path: str | os.PathLike[str], *,
                      allow: Iterable[str | tuple[str, str]] | str | None = None) -> Any:
    """Load a ``.skops`` file after the schema scan passes; the types skops itself does not trust
    by default are passed as `trusted` only when our allow-list vouches for every one."""
    try:
        import skops.io as sio
    except ImportError:
        raise ArtifactError(f"{path}: loading .skops files needs skops; "
                            "pip install 'pytest-modelgate[skops]'") from None
    p, data = _read(path)
    pol = _policy(allow)
    result = scan_bytes(data, name=str(p), policy=pol)
    require_safe(result)
    if "skops" not in result.formats:
        raise ArtifactError(f"{p}: not a skops file (found {'+'.join(result.formats)})")
    untrusted = sio.get_untrusted_types(data=data)
    refused: list[str] = []
    critical = False
    for t in untrusted:
        module, _, name = t.rpartition(".")
        verdict = pol.judge(module, name)
        if (module, name) not in pol.skops_allowed and not verdict.allowed:
            refused.append(t)
            critical = critical or verdict.severity == "critical"
    if refused:
        raise RefusedArtifactError(f"{p}: skops types outside the allow-list: "
                                   f"{', '.join(refused)}", () if critical else tuple(refused))
    return sio.loads(data, trusted=untrusted)
