"""pytest-xdist hooks, registered only when xdist is installed and this is the controller.

Results need no special transport: they ride in `item.user_properties`, which xdist ships
with every report. Here the controller hands workers the run's shared metadata and collects
the metadata of the models they loaded (hash, format, trusted globals) for the run record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._state import SessionState

__all__ = ["XdistHooks"]


class XdistHooks:
    """Controller-side xdist hooks."""

    def __init__(self, state: SessionState) -> None:
        self.state = state

    def pytest_configure_node(self, node: Any) -> None:
        """Give every worker the controller's start time, so all results share one run record."""
        node.workerinput["modelgate_started"] = self.state.started

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Keep the metadata of the models a worker loaded (the first worker's per role)."""
        models = getattr(node, "workeroutput", {}).get("modelgate_models") or {}
        for role, meta in models.items():
            if isinstance(meta, dict):
                self.state.models.setdefault(str(role), meta)
