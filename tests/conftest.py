"""Shared test configuration: the plugin tests drive real pytest runs through `pytester`."""

from __future__ import annotations

# Imported here so that pytester's in-process runs, which drop modules first imported during a
# run, never re-import numpy (numpy refuses to load twice in one process).
import importlib.util
import os

import numpy  # noqa: F401
import pytest
import scipy.stats  # noqa: F401
import sklearn.metrics  # noqa: F401
from hypothesis import settings

# CI explores a fixed set of examples so a run is reproducible; locally hypothesis varies them.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


_NO_XDIST = pytest.mark.skipif(importlib.util.find_spec("xdist") is None,
                               reason="pytest-xdist not installed: "
                                      "pip install 'pytest-modelgate[xdist]'")


@pytest.fixture(params=[[], pytest.param(["-n", "2"], marks=_NO_XDIST)],
                ids=["inprocess", "xdist"])
def run_args(request: pytest.FixtureRequest) -> list[str]:
    """Run a plugin test both in one process and under pytest-xdist with two workers."""
    return list(request.param)
