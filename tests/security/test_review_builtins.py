"""Review finding C1 / issue #10 item 5: pure builtins (print, sorted, property...) are merely off
the allow-list (medium), while exec-capable builtins stay critical under every spelling."""

from __future__ import annotations

import pickle

import pytest

from pytest_modelgate.security import scan_bytes
from pytest_modelgate.security.policy import default_policy

PURE = ["print", "sorted", "iter", "next", "property", "staticmethod", "classmethod", "abs",
        "max", "min", "sum", "reversed", "enumerate", "zip", "map", "filter", "repr", "round",
        "divmod", "ValueError", "KeyError", "Exception"]
EXEC = ["eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "input", "breakpoint", "help", "exit", "quit", "type",
        "super", "__build_class__", "__loader__", "__spec__"]


@pytest.mark.parametrize("name", PURE)
def test_pure_builtin_is_medium_not_on_the_allow_list(name: str) -> None:
    policy = default_policy()
    verdict = policy.judge("builtins", name)
    if ("builtins", name) in policy.allowed:  # some are vetted model globals (round, zip)
        assert verdict.allowed
        return
    assert verdict.severity == "medium", verdict
    assert "not on the allow-list" in verdict.why
    assert "eval" not in verdict.why  # no exec-capable jargon for a harmless name


@pytest.mark.parametrize("name", EXEC)
def test_exec_capable_builtin_stays_critical(name: str) -> None:
    for module in ("builtins", "__builtin__", "__builtins__"):
        assert default_policy().judge(module, name).severity == "critical", (module, name)


@pytest.mark.parametrize("name", ["sorted", "eval"])
def test_scan_grades_the_pickle_the_same_way(name: str) -> None:
    data = b"\x80\x02cbuiltins\n" + name.encode() + b"\n)R."
    r = scan_bytes(data)
    assert not r.safe
    (f,) = r.findings
    assert f.severity == ("medium" if name == "sorted" else "critical")


def test_allow_listed_pure_builtins_stay_safe() -> None:
    assert scan_bytes(pickle.dumps(len, protocol=2)).safe
