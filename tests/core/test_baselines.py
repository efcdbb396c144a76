"""Baseline store: stable formatting, atomic rewrites, clear errors on corrupt files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_modelgate.baselines import BaselineStore
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import GateResult


def _r(nodeid: str, name: str, value: float) -> GateResult:
    return GateResult(nodeid=nodeid, kind="metric", name=name, value=value, ci=(value - 0.1, value))


def test_update_and_get(tmp_path: Path) -> None:
    store = BaselineStore(tmp_path / "b" / "baseline.json")
    assert store.get("a", "acc") is None
    store.update([_r("t::a", "acc", 0.9), _r("t::b", "f1", 0.8)])
    again = BaselineStore(tmp_path / "b" / "baseline.json")
    assert again.get("t::a", "acc") == {"kind": "metric", "value": 0.9, "ci": [0.8, 0.9]}
    assert len(again) == 2
    text = (tmp_path / "b" / "baseline.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    # a partial run replaces only the tests that ran
    again.update([_r("t::a", "acc", 0.95)])
    third = BaselineStore(tmp_path / "b" / "baseline.json")
    assert third.get("t::a", "acc")["value"] == 0.95  # type: ignore[index]
    assert third.get("t::b", "f1") is not None


def test_failed_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    BaselineStore(path).update([_r("t::a", "acc", 0.9)])
    before = path.read_text()

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        BaselineStore(path).update([_r("t::a", "acc", 0.1)])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"schema_version": 1}'])
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="--modelgate-update-baseline"):
        BaselineStore(path)
