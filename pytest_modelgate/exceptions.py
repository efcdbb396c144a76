"""Errors raised by pytest-modelgate; stdlib only so every layer can import them."""

from __future__ import annotations

__all__ = [
    "ArtifactError",
    "BaselineWarning",
    "ConfigError",
    "InputError",
    "ModelGateError",
    "UnknownNameError",
]


class ModelGateError(Exception):
    """Base class: every error the plugin raises on purpose derives from it."""


class InputError(ModelGateError, ValueError):
    """Bad data given to a gate or engine; the message names the argument and the fix.

    Raised in a gate, it fails that test with the calling line and this one message.
    """


class ConfigError(ModelGateError, ValueError):
    """A bad setting; the message names where the value came from (CLI, env, ini, pyproject,
    policy file, marker, gate call) and what the keyword accepts (see `gates._keywords`)."""


class UnknownNameError(InputError, KeyError):
    """An unknown metric, drift test or loader name; the message lists close matches."""

    def __init__(self, kind: str, name: str, known: list[str] | tuple[str, ...],
                 hint: str = "") -> None:
        import difflib

        self.kind = kind
        self.name = name
        self.close = difflib.get_close_matches(str(name), list(known), n=5, cutoff=0.5)
        close = f"; did you mean {', '.join(repr(c) for c in self.close)}?" if self.close else ""
        more = f"; or {hint}" if hint else ""
        super().__init__(f"unknown {kind} {name!r}{close} (known: {len(known)} names){more}")

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0])


class ArtifactError(ModelGateError):
    """A model artifact that cannot be loaded or verified safely."""


class BaselineWarning(UserWarning):
    """A `max_drop=` gate could not compare with the stored baseline although a file exists."""
