"""Safe model loading by file format: skops with trusted types, ONNX, and pickle/joblib only after
the static scanner passes them. Nothing here runs code named inside an artifact unchecked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .exceptions import ArtifactError, UnknownNameError

__all__ = [
    "LoadedModel",
    "get_loader",
    "get_loader_names",
    "load_model",
    "register_loader",
    "sha256_file",
    "trusting_loader",
    "unregister_loader",
]

Loader = Callable[[Path], Any]
Allow = Iterable[str] | str | None


class TrustingLoader(Protocol):
    """A built-in loader that also takes the user's extra trusted globals."""

    def __call__(self, path: Path, *, allow: Allow = None) -> Any: ...


_LOADERS: dict[str, Loader] = {}
_BUILTIN: dict[str, Loader] = {}
_TRUSTING: dict[str, TrustingLoader] = {}


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, streamed."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class LoadedModel:
    """A loaded model with the metadata that lands in the report.

    Attribute access falls through to the model, so ``modelgate_model.predict(X)`` works.
    """

    model: Any
    path: str
    sha256: str
    version: str
    format: str
    extra: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.model, name)

    def metadata(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "version": self.version,
                "format": self.format, **self.extra}


# -- built-in loaders -------------------------------------------------------------------------

def _load_skops(path: Path, *, allow: Allow = None) -> Any:
    """Scan the skops schema, then load trusting only the scanner's allow-list (one list for both)
    plus `allow`."""
    from .security import load_skops_safely

    return load_skops_safely(path, allow=allow)


class OnnxModel:
    """A thin scikit-learn-like wrapper around an onnxruntime session (predict / predict_proba)."""

    def __init__(self, path: Path) -> None:
        try:
            import onnxruntime as ort
        except ImportError:
            raise ArtifactError(
                f"{path}: loading .onnx files needs onnxruntime; pip install 'pytest-modelgate[onnx]'"
            ) from None
        self.session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]

    def _run(self, X: Any) -> list[Any]:
        import numpy as np

        return list(self.session.run(None, {self.input_name: np.asarray(X, dtype=np.float32)}))

    def predict(self, X: Any) -> Any:
        return self._run(X)[0]

    def predict_proba(self, X: Any) -> Any:
        import numpy as np

        outputs = self._run(X)
        if len(outputs) < 2:
            raise AttributeError("this ONNX model has no probability output")
        proba = outputs[1]
        if isinstance(proba, list):  # ZipMap output: list of {class: probability}
            keys = sorted(proba[0])
            return np.array([[row[k] for k in keys] for row in proba])
        return np.asarray(proba)


def _load_onnx(path: Path) -> Any:
    return OnnxModel(path)


def _load_pickle(path: Path, *, allow: Allow = None) -> Any:
    try:
        from .security import load_joblib_safely, load_pickle_safely
    except ImportError:
        raise ArtifactError(
            f"{path}: pickle/joblib models load only after the static scanner passes them, and "
            "the scanner is not available in this install; save the model with skops instead"
        ) from None
    if path.suffix == ".joblib":
        return load_joblib_safely(path, allow=allow)
    return load_pickle_safely(path, allow=allow)


_TRUSTING.update({
    ".skops": _load_skops,
    ".pkl": _load_pickle,
    ".pickle": _load_pickle,
    ".joblib": _load_pickle,
})
_BUILTIN.update({**_TRUSTING, ".onnx": _load_onnx})


def register_loader(suffix: str, loader: Loader, *, overwrite: bool = False) -> None:
    """Register a loader for a file suffix such as ".xgb"; user loaders win over built-ins."""
    key = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if key in _LOADERS and not overwrite:
        raise ValueError(f"a loader for {key!r} is already registered; pass overwrite=True")
    _LOADERS[key] = loader


def unregister_loader(suffix: str) -> None:
    key = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    _LOADERS.pop(key, None)


def get_loader_names() -> list[str]:
    return sorted({**_BUILTIN, **_LOADERS})


def get_loader(path: str | Path) -> Loader:
    """The loader for a path's suffix (user-registered first)."""
    suffix = Path(path).suffix.lower()
    loader = _LOADERS.get(suffix) or _BUILTIN.get(suffix)
    if loader is None:
        raise UnknownNameError("model format", suffix or str(path), get_loader_names())
    return loader


def trusting_loader(path: str | Path) -> TrustingLoader | None:
    """The built-in loader that takes `allow` when it is the one that loads `path`; None when the
    format has none (ONNX) or a user-registered loader takes the suffix."""
    suffix = Path(path).suffix.lower()
    if suffix in _LOADERS:
        return None
    return _TRUSTING.get(suffix)


def load_model(path: str | Path, *, version: str | None = None,
               loader: Callable[[Path], Any] | None = None,
               allow: Allow = None) -> LoadedModel:
    """Load `path` with the loader for its suffix (or `loader`), recording hash and version.

    `allow` adds trusted globals (``"module.Name"``) for the built-in skops/pickle/joblib
    loaders; they are recorded as ``allowed_globals`` in the metadata. User loaders ignore it.
    """
    p = Path(path)
    if not p.exists():
        raise ArtifactError(f"model artifact {p} does not exist; check --modelgate-model / "
                            "MODELGATE_MODEL")
    trusted = [allow] if isinstance(allow, str) else list(allow or ())
    if trusted and loader is not None:
        raise ValueError("load_model: allow= applies to the built-in loaders only; with "
                         "loader= give the trusted globals to your loader instead")
    digest = sha256_file(p) if p.is_file() else ""
    trusting = trusting_loader(p) if loader is None else None
    extra: dict[str, Any] = {}
    if trusted and trusting is not None:
        model = trusting(p, allow=trusted)
        extra["allowed_globals"] = trusted
    else:
        model = (loader or get_loader(p))(p)
    return LoadedModel(model=model, path=str(p), sha256=digest, version=version or p.stem,
                       format=p.suffix.lstrip(".").lower() or "dir", extra=extra)
