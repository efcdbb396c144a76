"""The standard safe reconstructors scan SAFE: torch.save checkpoints (real ``data.pkl`` bytes
from torch 2.13, see make_torch_fixtures.py), xgboost/lightgbm estimators and pure stdlib value
types; exec-capable builtins and file readers stay denied (issue #10, item 5)."""

from __future__ import annotations

import collections
import datetime
import decimal
import pickle
import uuid
from pathlib import Path

import pytest
from security_corpus import call_p4, sg, su, torch_like

from pytest_modelgate.security import scan_bytes
from pytest_modelgate.security._allowlist_data import ALIASES, CURATED_GLOBALS
from pytest_modelgate.security.policy import DENIED_GLOBALS, EXEC_CAPABLE, default_policy

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("torch_*.data.pkl"))


def test_the_torch_fixtures_are_there() -> None:
    assert {p.name for p in FIXTURES} >= {"torch_state_dict.data.pkl", "torch_parameters.data.pkl",
                                          "torch_dtypes.data.pkl", "torch_meta.data.pkl",
                                          "torch_attributes.data.pkl"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_real_torch_save_checkpoint_scans_safe(path: Path, no_unpickling) -> None:
    data = path.read_bytes()
    result = scan_bytes(torch_like(data), name="model.pt")
    assert result.safe, [f.describe() for f in result.findings]
    assert any(g.startswith("torch._utils:_rebuild_tensor") for g, _ in result.globals)
    # outside an archive only the persistent ids are questioned, never a global
    bare = scan_bytes(data, name="data.pkl")
    assert bare.findings
    assert all(f.technique == "persistent-id" for f in bare.findings), bare.findings
    assert not no_unpickling


def test_legacy_checkpoint_globals_are_allowed_and_a_payload_beside_them_is_not() -> None:
    """A hand-built protocol-2 state dict: OrderedDict of _rebuild_tensor_v2(FloatStorage...),
    then the same with an os.system call smuggled in."""
    persid = (b"(" + su("storage") + b"ctorch\nFloatStorage\n" + su("0") + su("cpu")
              + b"K\x04tQ")
    tensor = (b"ctorch._utils\n_rebuild_tensor_v2\n(" + persid + b"K\x00K\x04\x85K\x01\x85\x89"
              + b"ccollections\nOrderedDict\n)RtR")
    clean = (b"\x80\x02ccollections\nOrderedDict\n)R(" + su("w") + tensor + b"u.")
    result = scan_bytes(torch_like(clean), name="legacy.pt")
    assert result.safe, [f.describe() for f in result.findings]
    evil = clean[:-1] + b"0" + call_p4("os", "system")[2:]
    assert not scan_bytes(torch_like(evil), name="legacy.pt").safe


STDLIB_VALUES = [
    collections.deque([1, 2], maxlen=5), collections.OrderedDict(a=1),
    collections.Counter("aab"), uuid.UUID(int=5), datetime.time(1, 2, 3),
    datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), decimal.Decimal("1.5"),
    {"fns": [len, abs, round, sum, divmod], "types": [int, float, bool, tuple, complex,
                                                      frozenset, set, slice, bytearray]},
    [Ellipsis, NotImplemented, slice(1, None), frozenset({1}), complex(1, 2), bytearray(b"x")],
]


@pytest.mark.parametrize("protocol", range(6))
@pytest.mark.parametrize("obj", STDLIB_VALUES, ids=lambda o: type(o).__name__)
def test_harmless_stdlib_values_scan_safe(obj: object, protocol: int) -> None:
    result = scan_bytes(pickle.dumps(obj, protocol=protocol), name="values.pkl")
    assert result.safe, [f.describe() for f in result.findings]


@pytest.mark.parametrize(("module", "name"), [
    ("collections", "deque"), ("collections", "OrderedDict"), ("__future__", "division"),
    ("__future__", "annotations"), ("builtins", "len"), ("builtins", "set"),
    ("builtins", "frozenset"), ("builtins", "slice"), ("builtins", "complex"),
    ("builtins", "bytearray"), ("copyreg", "_reconstructor"), ("datetime", "time"),
    ("decimal", "Decimal"), ("uuid", "UUID"), ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"), ("torch", "FloatStorage"), ("torch", "bfloat16"),
    ("torch.nn.parameter", "Parameter"), ("xgboost.sklearn", "XGBClassifier"),
    ("xgboost.core", "Booster"), ("lightgbm.sklearn", "LGBMClassifier"),
    ("lightgbm.basic", "Booster"),
])
def test_standard_reconstructors_are_allowed(module: str, name: str) -> None:
    assert default_policy().judge(module, name).allowed


@pytest.mark.parametrize("name", [*EXEC_CAPABLE["builtins"], "map", "filter", "iter", "next",
                                  "str", "chr", "repr", "format", "max", "min", "type",
                                  "super", "print", "property", "classmethod", "staticmethod"])
def test_exec_capable_and_str_making_builtins_stay_denied(name: str) -> None:
    """Exec-capable builtins are critical; builtins that can build an exact str (which the
    walker would have to track as a computed STACK_GLOBAL operand) or call functions lazily
    (map, filter, next) are not allowed either."""
    verdict = default_policy().judge("builtins", name)
    assert verdict.severity == "critical", verdict


@pytest.mark.parametrize(("module", "name"), [
    ("torch", "load"), ("torch.serialization", "load"), ("numpy", "load"), ("joblib", "load"),
    ("torch.jit", "load"), ("torch.hub", "load"), ("torch.storage", "_load_from_bytes"),
    ("torch._utils", "_import_dotted_name"), ("uuid", "_get_command_stdout"),
    ("torch", "classes"), ("__future__", "__import__"),
])
def test_file_readers_and_neighbours_of_allowed_names_stay_denied(module: str, name: str) -> None:
    assert default_policy().judge(module, name).severity == "critical"


def test_curated_entries_are_vetted() -> None:
    exec_capable = {(m, n) for m, names in EXEC_CAPABLE.items() for n in names}
    for pair, why in CURATED_GLOBALS.items():
        assert why, pair
        assert pair not in DENIED_GLOBALS, pair
        assert pair not in ALIASES, pair
        assert pair not in exec_capable, pair
        assert not pair[1].startswith("__") or pair[0] == "__future__", pair


def test_real_xgboost_and_lightgbm_estimators_scan_safe() -> None:
    import numpy as np

    xgb = pytest.importorskip("xgboost")
    lgb = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] > 0).astype(int)
    models = [xgb.XGBClassifier(n_estimators=3).fit(X, y),
              xgb.XGBRegressor(n_estimators=3).fit(X, X[:, 0]),
              lgb.LGBMClassifier(n_estimators=3, verbose=-1).fit(X, y),
              lgb.LGBMRegressor(n_estimators=3, verbose=-1).fit(X, X[:, 0])]
    for model in models:
        for protocol in (2, 4, 5):
            result = scan_bytes(pickle.dumps(model, protocol=protocol), name="gbm.pkl")
            assert result.safe, [f.describe() for f in result.findings]


def test_torch_names_still_catch_a_payload_in_a_checkpoint() -> None:
    data = FIXTURES[0].read_bytes()
    bad = data[:2] + sg("os", "system") + su("echo x") + b"\x85R0" + data[2:]
    result = scan_bytes(torch_like(bad), name="model.pt")
    assert any(f.global_ == "os.system" and f.severity == "critical" for f in result.findings)
