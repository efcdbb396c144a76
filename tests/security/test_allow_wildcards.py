"""A user allow entry can never reach code execution: wildcards that cover a denied module or
name are refused, known aliases of exec/subprocess/os functions are denied under any spelling,
and no refusal message suggests allowing a dangerous global (issue #10, item 1)."""

from __future__ import annotations

import re
import struct

import pytest

from pytest_modelgate.exceptions import ArtifactError, ConfigError
from pytest_modelgate.policy import resolve_settings
from pytest_modelgate.security import load_pickle_safely, scan_bytes
from pytest_modelgate.security.policy import DENIED_GLOBALS, Policy, default_policy, parse_allow

PAYLOAD = "echo modelgate-allow-test"  # never run: nothing here unpickles a malicious sample


def _su(s: str) -> bytes:
    b = s.encode()
    return b"\x8c" + bytes([len(b)]) + b


def reduce_p2(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    """Protocol 2: GLOBAL module name, one string argument, REDUCE, STOP (built by hand)."""
    return (b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n" + _su(arg)
            + b"\x85R.")


def reduce_p4(module: str, name: str, arg: str = PAYLOAD) -> bytes:
    """Protocol 4 with a FRAME: STACK_GLOBAL, MEMOIZE, one argument, REDUCE, STOP."""
    body = _su(module) + _su(name) + b"\x93\x94" + _su(arg) + b"\x85R\x94."
    return b"\x80\x04\x95" + struct.pack("<Q", len(body)) + body


RUNSTRING = ("numpy.testing._private.utils", "runstring")
CHECK_OUTPUT = ("sklearn.utils._testing", "check_output")
# a suggestion to allow something, in any of the spellings our messages use
_SUGGESTS_ALLOW = re.compile(r"allow=\[|--modelgate-model-allow [a-z]|trust a global",
                             re.IGNORECASE)

WILDCARDS = ["numpy.*", "sklearn.*", "os.*", "builtins.*", "*", "numpy.testing.*",
             "numpy.testing._private.*", "sklearn.utils.*", "torch.*", "joblib.*", "scipy.*",
             "pandas.*", "pandas.io.*"]


@pytest.mark.parametrize("entry", WILDCARDS)
def test_wildcard_covering_a_denied_global_is_refused(entry: str) -> None:
    with pytest.raises(ConfigError, match=r"can never be allowed") as info:
        parse_allow([entry])
    message = str(info.value)
    assert entry in message
    assert not _SUGGESTS_ALLOW.search(message), message
    with pytest.raises(ConfigError, match="can never be allowed"):
        default_policy().extended([entry])


@pytest.mark.parametrize("entry", ["numpy.*", "sklearn.*"])
def test_scan_with_a_covering_wildcard_is_refused_not_widened(entry: str) -> None:
    data = reduce_p2(*RUNSTRING)
    with pytest.raises(ConfigError, match=re.escape(entry)):
        scan_bytes(data, name="evil.pkl", allow=[entry])


@pytest.mark.parametrize("build", [reduce_p2, reduce_p4])
@pytest.mark.parametrize("target", [RUNSTRING, CHECK_OUTPUT])
def test_alias_call_is_critical_even_under_a_module_wildcard(build, target) -> None:
    """A policy built directly with the wildcard (bypassing the refusal) still grades the alias
    critical: the deny table wins over a user module prefix."""
    data = build(*target)
    root = target[0].split(".")[0]
    for policy in (default_policy(), Policy(allowed_modules=[root]),
                   Policy(allowed_modules=[target[0]])):
        result = scan_bytes(data, name="evil.pkl", policy=policy)
        assert not result.safe
        hits = [f for f in result.findings if f.global_ == ".".join(target)]
        assert hits, result.findings
        assert all(f.severity == "critical" for f in hits), result.findings
        assert not any(_SUGGESTS_ALLOW.search(f.why) for f in hits)


def test_sklearn_check_output_names_what_it_is_bound_to() -> None:
    verdict = default_policy().judge(*CHECK_OUTPUT)
    assert verdict.severity == "critical"
    assert "subprocess.check_output" in verdict.why
    assert "allow" not in verdict.why


@pytest.mark.parametrize("entry", ["sklearn.utils._testing.check_output",
                                   "sklearn.utils._testing:check_output",
                                   "numpy.testing._private.utils.runstring",
                                   "pydoc.locate", "operator.attrgetter", "pandas.read_csv",
                                   "pandas.io.parsers.readers.read_csv"])
def test_exact_alias_entries_are_refused(entry: str) -> None:
    with pytest.raises(ConfigError, match="can never be allowed"):
        parse_allow([entry])


def test_acceptable_wildcards_still_work_but_never_cover_an_alias() -> None:
    _pairs, modules = parse_allow(["numpy.random.*", "sklearn.linear_model.*", "mypkg.*"])
    assert modules == {"numpy.random", "sklearn.linear_model", "mypkg"}
    pol = default_policy().extended(["mypkg.*"])
    assert pol.judge("mypkg.models", "Net").allowed
    # a name in a wildcard-allowed module that is named like a shell/exec function is not
    # covered by the wildcard (it may be `from subprocess import check_output`)
    for name in ("system", "check_output", "Popen", "eval", "exec", "os", "subprocess"):
        v = pol.judge("mypkg.utils", name)
        assert v.severity == "critical", (name, v)
        assert not _SUGGESTS_ALLOW.search(v.why)


def test_unknown_global_hint_is_given_only_for_allowable_names() -> None:
    v = default_policy().judge("mypkg.features", "Scaler")
    assert v.severity == "high"
    assert "allow=['mypkg.features.Scaler']" in v.why
    for module, name in [CHECK_OUTPUT, RUNSTRING, ("os", "system"), ("builtins", "eval"),
                         ("pydoc", "locate"), ("mypkg", "system")]:
        assert not _SUGGESTS_ALLOW.search(default_policy().judge(module, name).why)


def test_every_deny_table_entry_is_refused_as_an_allow_entry() -> None:
    for module, name in DENIED_GLOBALS:
        if "." in name:  # dotted traversal entries are not user-writable identifiers
            continue
        with pytest.raises(ConfigError, match="can never be allowed"):
            parse_allow([(module, name)])


def test_safe_loader_refuses_alias_pickle_without_running_it(tmp_path, no_unpickling) -> None:
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(reduce_p2(*RUNSTRING, f"open({str(marker)!r}, 'w').close()"))
    with pytest.raises(ArtifactError, match="runstring") as info:
        load_pickle_safely(evil)
    assert not _SUGGESTS_ALLOW.search(str(info.value)), str(info.value)
    with pytest.raises(ConfigError, match=r"numpy\.\*"):
        load_pickle_safely(evil, allow=["numpy.*"])
    assert not marker.exists()
    assert not [e for e in no_unpickling if e[0] == "pickle.find_class"]


@pytest.mark.parametrize("loader", ["pickle", "joblib"])
def test_loaders_check_what_a_user_wildcard_resolves_to(tmp_path, loader: str) -> None:
    """Defence in depth: even when the static scan passes a name under a user wildcard, the
    loaders (the restricted unpickler, and a pre-check before joblib.load, which has no
    find_class hook) refuse it if the object it resolves to is a denied function."""
    import subprocess
    import sys
    import types

    from pytest_modelgate.security import load_joblib_safely

    mod = types.ModuleType("mg_allow_probe")
    mod.run_it = subprocess.check_output  # type: ignore[attr-defined]
    sys.modules["mg_allow_probe"] = mod
    load = load_pickle_safely if loader == "pickle" else load_joblib_safely
    try:
        evil = tmp_path / "evil.pkl"
        evil.write_bytes(reduce_p2("mg_allow_probe", "run_it", str(tmp_path / "missing")))
        with pytest.raises(ArtifactError, match=r"subprocess\.check_output"):
            load(evil, allow=["mg_allow_probe.*"])
    finally:
        del sys.modules["mg_allow_probe"]


# -- the settings layer uses the same validator ------------------------------------------------


def _ini(values: dict[str, object]):
    return lambda key: values.get(key)


@pytest.mark.parametrize(("cli", "env", "ini", "pyproject", "where"), [
    ({"model_allow": ["numpy.*"]}, {}, {}, {}, "command line --modelgate-model-allow"),
    ({}, {"MODELGATE_MODEL_ALLOW": "mypkg.A, sklearn.*"}, {}, {}, "env MODELGATE_MODEL_ALLOW"),
    ({}, {}, {"modelgate_model_allow": ["os.*"]}, {}, "ini modelgate_model_allow"),
    ({}, {}, {}, {"model_allow": ["builtins.eval"]}, "pyproject.toml [tool.modelgate] "
                                                     "model_allow"),
])
def test_dangerous_model_allow_is_a_configure_time_error(cli, env, ini, pyproject, where) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_settings(cli, _ini(ini), pyproject, env=env)
    message = str(info.value)
    assert message.startswith("--modelgate-model-allow: ")
    assert f"(from {where})" in message
    assert "can never be allowed" in message
    assert not _SUGGESTS_ALLOW.search(message), message


def test_model_allow_keeps_accepting_safe_entries() -> None:
    s = resolve_settings({"model_allow": ["mypkg.features.Scaler", "mypkg.models.*"]},
                         _ini({}), {}, env={})
    assert s.model_allow == ("mypkg.features.Scaler", "mypkg.models.*")


def test_no_allow_entry_overrides_the_deny_table() -> None:
    """Even a Policy built directly (bypassing parse_allow) with an exact denied pair or a
    wildcard over a denied module keeps them critical."""
    pol = Policy(allowed=[("numpy", "load"), CHECK_OUTPUT],
                 allowed_modules=["numpy", "numpy.testing", "sklearn"])
    for module, name in [("numpy", "load"), CHECK_OUTPUT, RUNSTRING,
                         ("numpy.testing._private.utils", "assert_equal"),
                         ("sklearn.utils._testing", "assert_run_python_script_without_output")]:
        assert pol.judge(module, name).severity == "critical", (module, name)
    assert pol.judge("numpy.random", "Generator").allowed


def test_alias_table_covers_freshly_found_aliases() -> None:
    """The shipped alias table is current for the installed packages (a subset is re-derived
    by object identity; `python -m pytest_modelgate.security.derive --write` regenerates it)."""
    from pytest_modelgate.security._allowlist_data import ALIASES
    from pytest_modelgate.security.derive import find_aliases

    found = find_aliases(["sklearn.feature_selection", "sklearn.model_selection",
                          "sklearn.datasets", "numpy.lib"])
    assert found, "the re-derivation found nothing: the alias finder is broken"
    missing = {k: v for k, v in found.items() if ALIASES.get(k) != v}
    assert not missing, f"regenerate the alias table: {missing}"


# -- gate.artifact -----------------------------------------------------------------------------


def test_artifact_gate_refuses_a_covering_wildcard_and_hints_only_safely(tmp_path) -> None:
    from pytest_modelgate.gates import Gate, GateContext

    gate = Gate(GateContext(nodeid="tests::t", seed=0))
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(reduce_p2(*CHECK_OUTPUT))
    with pytest.raises(ConfigError, match=r"sklearn\.\* can never be allowed"):
        gate.artifact(evil, allow=["sklearn.*"])
    r = gate.artifact(evil, allow=["sklearn.linear_model.*"])
    assert r.verdict == "failed"
    assert "bound to subprocess.check_output" in r.message
    assert not _SUGGESTS_ALLOW.search(r.message), r.message
    own = tmp_path / "own.pkl"
    own.write_bytes(reduce_p2("mypkg.features", "Scaler"))
    r = gate.artifact(own)
    assert r.verdict == "failed"
    assert "allow=['mypkg.features.Scaler']" in r.message  # merely unknown: may be trusted
    assert gate.artifact(own, allow=["mypkg.features.Scaler"]).verdict == "passed"
