"""Shared test configuration: the plugin tests drive real pytest runs through `pytester`."""

from __future__ import annotations

import pytest


@pytest.fixture(params=[[], ["-n", "2"]], ids=["inprocess", "xdist"])
def run_args(request: pytest.FixtureRequest) -> list[str]:
    """Run a plugin test both in one process and under pytest-xdist with two workers."""
    return list(request.param)
