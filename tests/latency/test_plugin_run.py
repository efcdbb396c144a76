"""End to end: latency and memory gates in a real `pytest --modelgate` run (markers, fixture, report)."""

from __future__ import annotations

import json

import pytest

TESTS = '''
import time
import numpy as np
import pytest

def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass

def old_model(s):
    spin(s)

def new_model(s):
    spin(s * 0.9)

OPTS = {"max_time": 1.0, "extend_time": 0.5, "min_time": 0.0, "warmup": 2, "warmup_time": 0.0}

@pytest.mark.latency(p95="50ms", memory="64MiB")
def test_budgets_from_the_marker(gate):
    gate.latency(spin, 2e-4, gate_options=OPTS)
    gate.memory(np.ones, 100_000)

def test_relative_to_the_champion(gate):
    gate.latency(new_model, 2e-4, baseline=old_model, max_ratio=1.10, gate_options=OPTS)

def test_too_slow(gate):
    gate.latency(spin, 5e-4, p50="50us", gate_options=OPTS)

@pytest.mark.latency(memory="1KiB")
def test_memory_too_big(gate):
    gate.memory(np.ones, 100_000)
'''


def test_latency_gates_in_a_modelgate_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_lat=TESTS)
    result = pytester.runpytest("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(["*latency 'spin'*p50*vs budget ≤ 50µs: failed*"])
    result.stdout.fnmatch_lines(["*memory 'ones'*vs budget ≤ 1KiB: failed*"])
    report = json.loads((pytester.path / "modelgate-report.json").read_text())
    by_test: dict[str, list[dict[str, object]]] = {}
    for r in report["results"]:
        by_test.setdefault(r["nodeid"].split("::")[-1], []).append(r)
    marker = {r["kind"]: r for r in by_test["test_budgets_from_the_marker"]}
    assert marker["latency"]["threshold"] == {"p95": 0.05}
    assert marker["latency"]["verdict"] == "passed"
    assert marker["memory"]["threshold"] == {"max_bytes": 64 * 2**20}
    details = marker["latency"]["details"]
    assert isinstance(details, dict)
    assert details["distribution"]["histogram"]["counts"]
    assert "thread_env" in details["context"]
    rel = by_test["test_relative_to_the_champion"][0]
    assert rel["unit"] == "ratio"
    assert rel["verdict"] == "passed"
    assert rel["details"]["mode"] == "relative"  # type: ignore[index]
