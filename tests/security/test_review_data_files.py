"""Review findings S3 and C1: data files in a model directory are data, not "UNSAFE" pickles;
`modelgate hash` names a device as what it is."""

from __future__ import annotations

import json
import os
import pickle
import struct
from pathlib import Path

import pytest

from pytest_modelgate.exceptions import InputError
from pytest_modelgate.security import scan, scan_bytes, write_lock

_EVIL = b"cposix\nsystem\n(S'id'\ntR."


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_hash_of_a_device_says_not_a_regular_file() -> None:
    with pytest.raises(InputError, match="not a regular file") as info:
        write_lock(["/dev/zero"])
    assert "does not exist" not in str(info.value)
