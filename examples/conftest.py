"""Fixtures of the example gate suite: the holdout data and the models' predictions."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from data import load_split


@pytest.fixture(scope="session")
def split() -> tuple[Any, Any, Any, Any]:
    return load_split()


@pytest.fixture(scope="session")
def holdout(split: tuple[Any, Any, Any, Any]) -> tuple[Any, Any]:
    _, X_holdout, _, y_holdout = split
    return X_holdout, y_holdout
