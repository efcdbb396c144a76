"""Review finding 7: a policy file could switch the artifact scan off and the report stayed green
("0 findings, passed"). A policy may not set `scan = false`; a test that passes `scan=False`
itself gets a result that does not claim a clean scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from security_corpus import call_p4

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.policy import load_policy

_WHY = "the scan can be turned off only in the test code, where reviewers see it"


@pytest.mark.parametrize("table", [
    {"gates": {"artifact": {"scan": False}}},
    {"gates": {"artifact:m.pkl": {"scan": False}}},
    {"tests": {"t.py::x": {"artifact": {"scan": False}}}},
])
def test_a_policy_may_not_switch_the_scan_off(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match=r"pyproject.toml .*artifact.*: scan = False.*"
                       + _WHY):
        load_policy(table, "pyproject.toml [tool.modelgate]")


def test_a_policy_may_keep_the_scan_on() -> None:
    load_policy({"gates": {"artifact": {"scan": True, "max_bytes": "1MiB"}}}, "p")


def test_pyproject_scan_false_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_p="""
        def test_art(gate, tmp_path):
            f = tmp_path / "m.pkl"
            f.write_bytes(b"cposix\\nsystem\\n(S'id'\\ntR.")
            gate.artifact(f)
    """)
    pytester.makepyprojecttoml("[tool.modelgate.gates.artifact]\nscan = false\n")
    result = pytester.runpytest_subprocess("--modelgate", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*pyproject.toml*gates.artifact: scan = False*{_WHY}*"])


def test_scan_false_in_the_test_does_not_claim_a_clean_scan(tmp_path: Path) -> None:
    f = tmp_path / "m.pkl"
    f.write_bytes(call_p4("os", "system"))
    r = Gate(GateContext(nodeid="t::t", seed=0)).artifact(f, scan=False)
    assert r.value is None
    assert "max_findings" not in r.threshold
    assert r.threshold["scan"] == "not scanned"
    assert "NOT SCANNED" in r.message
    assert "0 findings" not in r.message
    assert "scan clean" not in r.message
