"""Shared by the profile-file tests: a refused profile is one line naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_modelgate.drift import Profile
from pytest_modelgate.exceptions import InputError


def one_line_error(path: Path) -> str:
    """`Profile.load(path)` raises a one-line InputError naming `path`, with no chained cause."""
    with pytest.raises(InputError) as info:
        Profile.load(path)
    msg = str(info.value)
    assert "\n" not in msg
    assert str(path) in msg
    assert info.value.__cause__ is None
    return msg
