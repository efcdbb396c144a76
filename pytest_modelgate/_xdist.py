"""pytest-xdist hooks, registered only when xdist is installed and this is the controller.

Results need no special transport: they ride in `item.user_properties`, which xdist ships
with every report. Here the controller hands workers the run's shared metadata, collects
the metadata of the models they loaded (hash, format, trusted globals) for the run record,
and turns a worker that died in a gate test into an `error` result of that test.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ._state import SessionState
    from .results import GateResult

__all__ = ["XdistHooks"]


class XdistHooks:
    """Controller-side xdist hooks."""

    def __init__(self, state: SessionState) -> None:
        self.state = state
        self.gate_tests: set[str] | None = None  # node ids of gate tests, as workers collected them
        self.crashes: dict[str, str] = {}  # node id -> xdist's message

    def pytest_configure_node(self, node: Any) -> None:
        """Give every worker the controller's start time, so all results share one run record."""
        node.workerinput["modelgate_started"] = self.state.started

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        """Keep the metadata of the models a worker loaded (the first worker's per role), and
        the node ids of the gate tests it collected."""
        output = getattr(node, "workeroutput", None) or {}
        models = output.get("modelgate_models") or {}
        for role, meta in models.items():
            if isinstance(meta, dict):
                self.state.models.setdefault(str(role), meta)
        gate_tests = output.get("modelgate_gate_tests")
        if isinstance(gate_tests, list):
            self.gate_tests = (self.gate_tests or set()) | {str(n) for n in gate_tests}

    @pytest.hookimpl(optionalhook=True)
    def pytest_handlecrashitem(self, crashitem: str, report: Any, sched: Any) -> None:
        """A worker died while running `crashitem`: remember it (whether it was a gate test is
        known once the other workers are down)."""
        self.crashes.setdefault(crashitem, str(report.longrepr))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """The report xdist makes for a crashed item (phase "???"): the same, for xdist versions
        without `pytest_handlecrashitem`."""
        if report.when not in ("setup", "call", "teardown") and report.failed:
            self.crashes.setdefault(report.nodeid, str(report.longrepr))

    def interrupted_results(self, nodeids: list[str]) -> list[GateResult]:
        """One `error` result per gate test that was running on a worker when the controller
        was interrupted (Ctrl-C, a CI cancel): xdist ships results only with a finished test's
        reports, so the gates it had recorded are lost; the report names the test instead of
        leaving it out."""
        from .results import GateResult

        return [GateResult(
            nodeid=nodeid, kind="test", name=nodeid.rsplit("::", 1)[-1], value=None,
            verdict="error", message="run interrupted while this gate test ran on an xdist "
            "worker: the gates it had recorded there never reached the controller (rerun it)",
            details={"phase": "interrupted"}) for nodeid in nodeids]

    def crash_results(self, seen_gate_tests: set[str]) -> list[GateResult]:
        """One `error` result per crashed gate test; when no worker reported which tests are
        gates (all of them died), every crash counts: better a crash too many than a green report."""
        from .results import GateResult

        gates = (self.gate_tests or set()) | seen_gate_tests
        out = []
        for nodeid, message in self.crashes.items():
            if self.gate_tests is not None and nodeid not in gates:
                continue
            out.append(GateResult(
                nodeid=nodeid, kind="test", name=nodeid.rsplit("::", 1)[-1], value=None,
                verdict="error", message=message.splitlines()[0] if message else "worker crashed",
                outcome="failed", details={"phase": "worker crash"}))
        return out
