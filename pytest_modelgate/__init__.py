"""pytest-modelgate: ML model validation as ordinary pytest tests.

This facade imports nothing heavy: engines load on first attribute access, so that pytest,
which imports the plugin on every run, pays nothing for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import drift, latency, metrics, security
    from .exceptions import (
        ArtifactError,
        ConfigError,
        InputError,
        ModelGateError,
        UnknownNameError,
    )
    from .gates import Gate, GateContext
    from .results import GateResult, RunRecord

__version__ = "0.1.0.dev0"

__all__ = [
    "ArtifactError",
    "ConfigError",
    "Gate",
    "GateContext",
    "GateResult",
    "InputError",
    "ModelGateError",
    "RunRecord",
    "UnknownNameError",
    "__version__",
    "drift",
    "latency",
    "metrics",
    "security",
]

_LAZY_MODULES = {"drift", "latency", "metrics", "security"}
_LAZY_ATTRS = {
    "Gate": "gates",
    "GateContext": "gates",
    "GateResult": "results",
    "RunRecord": "results",
    "ArtifactError": "exceptions",
    "ConfigError": "exceptions",
    "InputError": "exceptions",
    "ModelGateError": "exceptions",
    "UnknownNameError": "exceptions",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY_ATTRS:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY_ATTRS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
