"""Issue #10 item 1, second pass: attribute walks (protocol-4 dotted names) under allow entries,
file readers/writers of the vetted libraries, and refusal hints for library globals."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.security import scan_bytes
from pytest_modelgate.security.policy import default_policy, parse_allow


def _s(x: str) -> bytes:
    return pickle.SHORT_BINUNICODE + bytes([len(x)]) + x.encode()


def _call(module: str, name: str, *args: str) -> bytes:
    """STACK_GLOBAL module name, then REDUCE with string arguments (never executed here)."""
    body = b"".join(_s(a) for a in args)
    tup = {0: pickle.EMPTY_TUPLE, 1: pickle.TUPLE1, 2: pickle.TUPLE2}[len(args)]
    return b"\x80\x04" + _s(module) + _s(name) + pickle.STACK_GLOBAL + body + tup + \
        pickle.REDUCE + pickle.STOP


WALKS = [
    ("sklearn.tree.*", "sklearn.tree._classes", "np.savetxt"),
    ("sklearn.tree.*", "sklearn.tree._classes", "np.testing._private.utils.runstring"),
    ("mypkg.*", "mypkg", "os.system"),
    ("xgboost.*", "xgboost.core", "subprocess.check_output"),
    ("collections.*", "collections", "abc.sys.modules"),
]


@pytest.mark.parametrize(("wildcard", "module", "name"), WALKS)
def test_a_wildcard_never_covers_an_attribute_walk(wildcard: str, module: str, name: str) -> None:
    result = scan_bytes(_call(module, name, "x"), allow=[wildcard])
    assert not result.safe, result.report()
    assert any(f.global_ == f"{module}.{name}" and f.severity in ("critical", "high")
               for f in result.findings), result.report()


@pytest.mark.parametrize("entry", [
    "numpy:testing._private.utils.runstring",
    "sklearn:utils._testing.check_output",
    "sklearn.utils:_testing.check_output",
    "numpy:_core.multiarray.fromfile",
    "numpy:lib.npyio.load",
    "scipy:_lib._testutils.PytestTester",
    "mypkg:os.system",
    "mypkg.models:np.savetxt",
    "mypkg:helpers.__globals__",
    ("numpy", "testing._private.utils.runstring"),
])
def test_exact_dotted_entries_reaching_a_denied_global_are_refused(entry: object) -> None:
    with pytest.raises(ConfigError, match="can never be allowed"):
        parse_allow([entry])  # type: ignore[list-item]


def test_an_exact_dotted_entry_of_ones_own_class_is_accepted() -> None:
    pairs, _ = parse_allow(["mypkg.models:Outer.Inner"])
    assert ("mypkg.models", "Outer.Inner") in pairs
    pol = default_policy().extended(["mypkg.models:Outer.Inner"])
    assert pol.judge("mypkg.models", "Outer.Inner").allowed
    assert not pol.judge("mypkg.models", "Outer.Other").allowed


@pytest.mark.parametrize(("module", "name"), [
    ("numpy", "savetxt"), ("numpy", "savez"), ("numpy", "savez_compressed"),
    ("numpy", "genfromtxt"), ("numpy", "fromregex"), ("numpy", "DataSource"),
    ("numpy.lib.format", "open_memmap"), ("numpy.lib.npyio", "savetxt"),
    ("scipy.io", "savemat"), ("scipy.io", "loadmat"), ("scipy.io", "mmwrite"),
    ("scipy.io.wavfile", "write"), ("joblib", "dump"),
])
def test_library_file_readers_and_writers_are_critical_and_never_allowable(
        module: str, name: str) -> None:
    assert default_policy().judge(module, name).severity == "critical"
    with pytest.raises(ConfigError, match="can never be allowed"):
        parse_allow([f"{module}.{name}"])


def test_refusal_of_an_unknown_library_global_never_suggests_allowing_it(tmp_path: Path) -> None:
    from pytest_modelgate.security import load_pickle_safely
    from pytest_modelgate.security.safe_load import RefusedArtifactError

    path = tmp_path / "m.pkl"
    path.write_bytes(_call("numpy", "some_future_function", "x"))
    with pytest.raises(RefusedArtifactError) as info:
        load_pickle_safely(path)
    assert "allow=" not in str(info.value)


def test_loader_refuses_a_walk_under_an_accepted_wildcard_without_running_it(
        tmp_path: Path) -> None:
    from pytest_modelgate.security import load_pickle_safely
    from pytest_modelgate.security.safe_load import RefusedArtifactError

    target = tmp_path / "PWNED.txt"
    path = tmp_path / "m.pkl"
    path.write_bytes(b"\x80\x04" + _s("sklearn.tree._classes") + _s("np.savetxt")
                     + pickle.STACK_GLOBAL + _s(str(target)) + pickle.EMPTY_LIST
                     + pickle.EMPTY_LIST + pickle.MARK + pickle.BININT1 + b"\x01"
                     + pickle.APPENDS + pickle.APPEND + pickle.TUPLE2 + pickle.REDUCE
                     + pickle.STOP)
    with pytest.raises(RefusedArtifactError):
        load_pickle_safely(path, allow=["sklearn.tree.*"])
    assert not target.exists()


@pytest.mark.parametrize("entry", ["numpy._core.multiarray.fromfile", "numpy.lib.npyio:load",
                                   "joblib.numpy_pickle.load"])
def test_a_library_submodule_spelling_of_a_denied_global_is_refused(entry: str) -> None:
    with pytest.raises(ConfigError, match="can never be allowed"):
        parse_allow([entry])


@pytest.mark.parametrize("entry", ["builtins.len", "torch._utils._rebuild_tensor_v2",
                                   "collections.deque"])
def test_an_entry_already_on_the_vetted_list_is_accepted_not_called_dangerous(entry: str) -> None:
    """Inside a denied module (builtins, torch) the vetted reconstructors are trusted anyway;
    naming one explicitly used to be refused as 'a known code-execution global'."""
    module, _, name = entry.rpartition(".")
    assert default_policy().judge(module, name).allowed
    pairs, _ = parse_allow([entry])
    assert (module, name) in pairs
