"""Baseline store: stable formatting, atomic rewrites, clear errors on corrupt files."""

from __future__ import annotations

import json
import math
import multiprocessing as mp
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pytest_modelgate.baselines import BASELINE_SCHEMA, BaselineStore
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.results import GateResult


def _r(nodeid: str, name: str, value: float) -> GateResult:
    return GateResult(nodeid=nodeid, kind="metric", name=name, value=value, ci=(value - 0.1, value))


def test_update_and_get(tmp_path: Path) -> None:
    store = BaselineStore(tmp_path / "b" / "baseline.json")
    assert store.get("a", "metric", "acc") is None
    store.update([_r("t::a", "acc", 0.9), _r("t::b", "f1", 0.8)])
    again = BaselineStore(tmp_path / "b" / "baseline.json")
    assert again.get("t::a", "metric", "acc") == {"value": 0.9, "ci": [0.8, 0.9]}
    assert len(again) == 2
    text = (tmp_path / "b" / "baseline.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    # a partial run replaces only the tests that ran
    again.update([_r("t::a", "acc", 0.95)])
    third = BaselineStore(tmp_path / "b" / "baseline.json")
    assert third.get("t::a", "metric", "acc")["value"] == 0.95  # type: ignore[index]
    assert third.get("t::b", "metric", "f1") is not None


def test_failed_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "baseline.json"
    BaselineStore(path).update([_r("t::a", "acc", 0.9)])
    before = path.read_text()

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(ConfigError, match=r"baseline\.json: cannot write it \(disk full\)"):
        BaselineStore(path).update([_r("t::a", "acc", 0.1)])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["baseline.json"]


@pytest.mark.parametrize("content", ["{broken", "[1, 2]", '{"schema_version": 1}'])
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match="--modelgate-update-baseline"):
        BaselineStore(path)


# -- identity: entries keyed by (kind, name); old files migrate on read -------------------------


def test_metric_and_compare_of_one_name_keep_separate_entries(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    metric = GateResult(nodeid="t::a", kind="metric", name="accuracy", value=0.95)
    compare = GateResult(nodeid="t::a", kind="compare", name="accuracy", value=-0.01)
    BaselineStore(path).update([metric, compare])
    store = BaselineStore(path)
    assert store.get("t::a", "metric", "accuracy")["value"] == 0.95  # type: ignore[index]
    assert store.get("t::a", "compare", "accuracy")["value"] == -0.01  # type: ignore[index]
    assert store.get("t::a", "drift", "accuracy") is None
    assert len(store) == 2
    data = json.loads(path.read_text())
    assert data["schema_version"] == BASELINE_SCHEMA > 1
    assert set(data["gates"]["t::a"]) == {"metric:accuracy", "compare:accuracy"}


def test_old_format_is_migrated_on_read_and_rewritten_in_the_new_one(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"schema_version": 1, "gates": {
        "t::old": {"accuracy": {"kind": "metric", "value": 0.9, "n": 100}},
        "t::a": {"f1": {"kind": "metric", "value": 0.8}},
    }}))
    store = BaselineStore(path)
    assert store.get("t::old", "metric", "accuracy") == {"value": 0.9, "n": 100}
    store.update([_r("t::a", "f1", 0.85)])
    data = json.loads(path.read_text())
    assert data["schema_version"] == BASELINE_SCHEMA
    assert data["gates"] == {"t::old": {"metric:accuracy": {"value": 0.9, "n": 100}},
                             "t::a": {"metric:f1": {"value": 0.85, "ci": [0.75, 0.85]}}}


def test_old_format_entry_without_kind_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"schema_version": 1, "gates": {"t::a": {"f1": {"value": 0.8}}}}))
    with pytest.raises(ConfigError, match=r"baseline\.json.*'t::a'.*'f1'.*kind"):
        BaselineStore(path)


# -- non-finite values are stored explicitly ------------------------------------------------------


def test_non_finite_values_are_stored_explicitly_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    inf = GateResult(nodeid="t::a", kind="metric", name="log_loss", value=math.inf,
                     ci=(0.5, math.inf))
    nan = GateResult(nodeid="t::a", kind="metric", name="r2", value=math.nan)
    BaselineStore(path).update([inf, nan, _r("t::b", "acc", 0.9)])
    text = path.read_text()
    assert "NaN" not in text
    assert "Infinity" not in text
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    store = BaselineStore(path)
    got = store.get("t::a", "metric", "log_loss")
    assert got is not None
    assert got["value"] == math.inf
    assert got["ci"] == [0.5, math.inf]
    got = store.get("t::a", "metric", "r2")
    assert got is not None
    assert math.isnan(got["value"])
    assert store.get("t::b", "metric", "acc") is not None


# -- malformed files: clear errors naming the file and the entry ----------------------------------


@pytest.mark.parametrize(("content", "expected"), [
    ("[1, 2]", r"top level.*not an object"),
    ('{"schema_version": 99, "gates": {}}', r"schema_version 99.*newer"),
    ('{"schema_version": "2", "gates": {}}', r"schema_version"),
    ('{"schema_version": 2, "gates": {"t::a": [1]}}', r"'t::a'.*not an object"),
    ('{"schema_version": 2, "gates": {"t::a": {"metric:acc": 0.9}}}',
     r"'t::a'.*'metric:acc'.*not an object"),
    ('{"schema_version": 2, "gates": {"t::a": {"metric:acc": {"value": "0.9"}}}}',
     r"'t::a'.*'metric:acc'.*value.*'0.9'"),
    ('{"schema_version": 2, "gates": {"t::a": {"metric:acc": {"value": NaN}}}}',
     r"'t::a'.*'metric:acc'.*value.*NaN"),
    ('{"schema_version": 2, "gates": {"t::a": {"metric:acc": {"value": true}}}}',
     r"'t::a'.*'metric:acc'.*value"),
    ('{"schema_version": 2, "gates": {"t::a": {"metric:acc": {"value": 0.9, "ci": [1]}}}}',
     r"'t::a'.*'metric:acc'.*ci"),
    ('{"schema_version": 2, "gates": {"t::a": {"acc": {"value": 0.9}}}}',
     r"'t::a'.*'acc'.*kind:name"),
    ('{"schema_version": 1, "gates": {"t::a": {"acc": {"kind": "metric", "value": "x"}}}}',
     r"'t::a'.*'acc'.*value.*'x'"),
])
def test_malformed_entries_are_clear_errors(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content)
    with pytest.raises(ConfigError, match=r"--modelgate-baseline .*baseline\.json") as info:
        BaselineStore(path)
    assert re.search(expected, str(info.value)), str(info.value)


# -- concurrency: the read-modify-write is locked and merges ---------------------------------------


def _update_after_barrier(path: str, nodeid: str, barrier: Any) -> None:
    store = BaselineStore(path)  # both processes read the file before either writes
    barrier.wait()
    store.update([_r(nodeid, "acc", 0.9)])


def _hammer(path: str, prefix: str, rounds: int) -> None:
    for i in range(rounds):
        BaselineStore(path).update([_r(f"{prefix}::t{i}", "acc", i / rounds)])


def test_two_processes_updating_keep_both_entries(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    BaselineStore(path).update([_r("t::base", "acc", 0.5)])
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=_update_after_barrier, args=(str(path), f"t::{n}", barrier))
             for n in ("p1", "p2")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert set(json.loads(path.read_text())["gates"]) == {"t::base", "t::p1", "t::p2"}


def test_concurrent_update_loops_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(str(path), prefix, 15)) for prefix in ("a", "b")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    assert len(BaselineStore(path)) == 30
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def _signal_then_update(path: str, started: Any) -> None:
    store = BaselineStore(path)
    started.set()
    store.update([_r("late::t0", "acc", 0.7)])


def test_an_update_waits_for_the_lock(tmp_path: Path) -> None:
    from pytest_modelgate.baselines import baseline_lock

    path = tmp_path / "baseline.json"
    BaselineStore(path).update([_r("t::base", "acc", 0.5)])
    before = path.read_text()
    ctx = mp.get_context("spawn")
    started = ctx.Event()
    with baseline_lock(path):
        proc = ctx.Process(target=_signal_then_update, args=(str(path), started))
        proc.start()
        assert started.wait(60)
        proc.join(1.0)
        assert proc.is_alive()  # blocked on our lock
        assert path.read_text() == before
    proc.join(60)
    assert proc.exitcode == 0
    store = BaselineStore(path)
    assert store.get("late::t0", "metric", "acc") is not None
    assert store.get("t::base", "metric", "acc") is not None


# -- the metric judge with an unusable stored value -----------------------------------------------


def test_a_stored_nan_is_not_a_silent_pass(tmp_path: Path) -> None:
    import numpy as np

    from pytest_modelgate.exceptions import BaselineWarning
    from pytest_modelgate.gates import Gate, GateContext

    path = tmp_path / "baseline.json"
    BaselineStore(path).update([GateResult(nodeid="t::a", kind="metric", name="accuracy",
                                           value=math.nan)])
    store = BaselineStore(path)
    y = np.arange(200) % 2
    context = GateContext(nodeid="t::a", baseline=lambda k, n: store.get("t::a", k, n),
                          baseline_file=str(path))
    with pytest.warns(BaselineWarning, match=r"stored baseline value .*'accuracy'.* is nan"):
        r = Gate(context).metric("accuracy", y, y, max_drop=0.01)
    assert r.verdict == "passed"
    assert "max_drop was not checked" in r.message
    strict = Gate(replace(context, strict_baseline=True)).metric("accuracy", y, y, max_drop=0.01)
    assert strict.verdict == "failed"
    assert "--modelgate-strict-baseline" in strict.message


def test_a_symlinked_baseline_is_updated_through_the_link(tmp_path: Path) -> None:
    """A baseline kept elsewhere and linked into the project: the link stays, its target is
    what the update rewrites."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "baseline.json").write_text(json.dumps(
        {"schema_version": BASELINE_SCHEMA, "gates": {"t::old": {"metric:acc": {"value": 0.5}}}}))
    project = tmp_path / "project" / ".modelgate"
    project.mkdir(parents=True)
    link = project / "baseline.json"
    link.symlink_to(os.path.relpath(shared / "baseline.json", project))
    BaselineStore(link).update([_r("t::a", "acc", 0.9)])
    assert link.is_symlink()
    stored = json.loads((shared / "baseline.json").read_text())["gates"]
    assert set(stored) == {"t::old", "t::a"}
    assert not [p for p in (*shared.iterdir(), *project.iterdir()) if p.name.endswith(".tmp")]
