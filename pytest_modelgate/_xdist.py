"""pytest-xdist hooks, registered only when xdist is installed and this is the controller.

Results need no special transport: they ride in `item.user_properties`, which xdist ships
with every report. Here the controller only hands workers the run's shared metadata.
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
