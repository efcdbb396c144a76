"""Per-session plugin state, kept in `config.stash`; plain class so loading it costs nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from .baselines import BaselineStore
    from .policy import Policy, Settings
    from .results import GateResult

__all__ = ["SessionState"]


class SessionState:
    """Settings, policy, collected results and bookkeeping of one pytest session."""

    def __init__(self, settings: Settings) -> None:
        from .policy import Policy

        self.settings = settings
        self.policy: Policy = Policy()
        self.results: list[GateResult] = []
        self.models: dict[str, dict[str, Any]] = {}
        self.started = ""
        self.registered: list[tuple[str, str]] = []
        self.written: list[str] = []
        self.errors: list[str] = []
        self._baseline: BaselineStore | None = None
        self.baseline_root: Path | None = None  # stored node ids are relative to it
        self.baseline_path: Path | None = None  # settings.baseline resolved against it

    def baseline_store(self) -> BaselineStore:
        """The baseline file, read on first use (only tests that compare with it pay)."""
        if self._baseline is None:
            from .baselines import BaselineStore

            self._baseline = BaselineStore(self.baseline_path or self.settings.baseline)
        return self._baseline
