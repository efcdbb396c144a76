"""The standard safe reconstructors scan SAFE: torch.save checkpoints (real ``data.pkl`` bytes
from torch 2.13, see make_torch_fixtures.py), xgboost/lightgbm estimators and pure stdlib value
types; exec-capable builtins and file readers stay denied (issue #10, item 5)."""

from __future__ import annotations

import collections
import datetime
import decimal
import functools
import pickle
import uuid
from pathlib import Path

import pytest
from security_corpus import call_p4, sg, su, torch_like

from pytest_modelgate.security import scan_bytes
from pytest_modelgate.security._allowlist_data import ALIASES, ALLOWED_GLOBALS, CURATED_GLOBALS
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


@pytest.mark.parametrize("name", [*EXEC_CAPABLE["builtins"], "type", "super"])
def test_exec_capable_builtins_stay_critical(name: str) -> None:
    verdict = default_policy().judge("builtins", name)
    assert verdict.severity == "critical", verdict


@pytest.mark.parametrize("name", ["map", "filter", "iter", "next", "chr", "repr", "format",
                                  "max", "min", "print", "property", "classmethod",
                                  "staticmethod"])
def test_pure_builtins_are_not_allowed_but_not_critical(name: str) -> None:
    """Pure builtins that can build a str (a computed STACK_GLOBAL operand is a finding anyway)
    or call other (separately judged) globals lazily stay off the allow-list: medium, with no
    advice to trust them (review finding C1)."""
    verdict = default_policy().judge("builtins", name)
    assert verdict.severity == "medium", verdict
    assert verdict.technique == "pure-builtin"


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
        # dunder names only for __future__ features and Cython's unpickle helper of a curated class
        helper_of = pair[1].removeprefix("__pyx_unpickle_")
        assert (not pair[1].startswith("__") or pair[0] == "__future__"
                or (helper_of != pair[1] and (pair[0], helper_of) in CURATED_GLOBALS)), pair


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


# scikit-learn 1.7-1.8 pickle the Cython loss classes of sklearn._loss._loss under the bare module
# name `_loss` (their __module__, fixed by scikit-learn#33770); 1.7 is the newest for Python 3.10.
_CY_LOSSES = sorted(n for m, n in ALLOWED_GLOBALS if m == "sklearn._loss._loss")


def test_bare_loss_module_spelling_mirrors_the_derived_cython_losses() -> None:
    """Exactly the derived sklearn._loss._loss names are curated under `_loss`: no wildcard, no
    other name of that module."""
    assert {n for m, n in CURATED_GLOBALS if m == "_loss"} == set(_CY_LOSSES)
    assert "CyHalfSquaredError" in _CY_LOSSES
    pol = default_policy()
    for name in _CY_LOSSES:
        assert pol.judge("_loss", name).allowed, name
    for name in ("CyLossFunction", "system", "__import__", "_pyx_unpickle_Enum", "*"):
        assert not pol.judge("_loss", name).allowed, name


@functools.cache
def _models() -> list[tuple[str, object]]:
    """Estimators whose pickles carry a Cython loss object (default losses)."""
    import numpy as np
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
    )
    from sklearn.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    yb = (X[:, 0] > 0).astype(int)
    y3 = np.digitize(X[:, 1], [-0.5, 0.5])
    yr = 2 * X[:, 0] + rng.normal(size=120)
    yp = rng.poisson(2.0, size=120) + 1.0
    return [
        ("hgb-binary", HistGradientBoostingClassifier(max_iter=3).fit(X, yb)),
        ("hgb-multiclass", HistGradientBoostingClassifier(max_iter=3).fit(X, y3)),
        ("hgb-regressor", HistGradientBoostingRegressor(max_iter=3).fit(X, yr)),
        ("gb-binary", GradientBoostingClassifier(n_estimators=3).fit(X, yb)),
        ("gb-multiclass", GradientBoostingClassifier(n_estimators=3).fit(X, y3)),
        ("gb-regressor", GradientBoostingRegressor(n_estimators=3).fit(X, yr)),
        ("poisson", PoissonRegressor().fit(X, yp)),
        ("gamma", GammaRegressor().fit(X, yp)),
        ("tweedie", TweedieRegressor(power=0.0).fit(X, yr)),
    ]


def test_gradient_boosting_pickles_of_the_installed_scikit_learn_scan_safe_and_load(
        tmp_path: Path) -> None:
    """On scikit-learn 1.7-1.8 these carry `_loss.Cy*` globals: no false positive, and the safe
    loader resolves them."""
    import numpy as np

    from pytest_modelgate.security import load_pickle_safely

    X = np.random.default_rng(1).normal(size=(5, 3))
    for name, model in _models():
        for protocol in (2, 5):
            data = pickle.dumps(model, protocol=protocol)
            result = scan_bytes(data, name=f"{name}.pkl")
            assert result.safe, (name, protocol, [f.describe() for f in result.findings])
        path = tmp_path / f"{name}.pkl"
        path.write_bytes(data)
        loaded = load_pickle_safely(path)
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", _CY_LOSSES)
def test_a_scikit_learn_1_7_loss_global_scans_safe(name: str) -> None:
    """The bytes scikit-learn 1.7 writes (`_loss` for sklearn._loss._loss), whatever is installed."""
    assert scan_bytes(b"\x80\x04" + sg("_loss", name) + b"0N.", name="m.pkl").safe


def test_a_scikit_learn_1_7_spelled_gradient_boosting_pickle_scans_safe() -> None:
    """A real multiclass HGB pickle rewritten to scikit-learn 1.7's module name for the losses."""
    model = dict(_models())["hgb-multiclass"]
    data = pickle.dumps(model, protocol=2)  # GLOBAL opcodes: module and name as text lines
    old_spelling = data.replace(b"csklearn._loss._loss\n", b"c_loss\n")
    result = scan_bytes(old_spelling, name="hgb.pkl")
    assert result.safe, [f.describe() for f in result.findings]
    assert any(g.startswith("_loss:") for g, _ in result.globals)


@pytest.mark.parametrize("name", ["MetadataRequest", "MethodMetadataRequest"])
def test_scikit_learn_1_7_search_scorer_metadata_records_scan_safe(name: str) -> None:
    """scikit-learn 1.7 pickles these inside a fitted search's default scorer (1.8+ do not)."""
    assert scan_bytes(b"\x80\x04" + sg("sklearn.utils._metadata_requests", name) + b"0N.").safe
    assert not scan_bytes(b"\x80\x04" + sg("sklearn.utils._metadata_requests", "os")
                          + b"0N.").safe


def test_a_stray_loss_module_on_sys_path_is_never_imported_by_the_safe_loader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib
    import sys

    from pytest_modelgate.security import load_pickle_safely

    ran = tmp_path / "ran"
    (tmp_path / "_loss.py").write_text(f"open({str(ran)!r}, 'w').close()\n"
                                       "CyHalfSquaredError = object\n")
    (tmp_path / "m.pkl").write_bytes(b"\x80\x04" + sg("_loss", "CyHalfSquaredError") + b")R.")
    monkeypatch.syspath_prepend(str(tmp_path))
    saved = sys.modules.pop("_loss", None)
    try:
        with contextlib.suppress(Exception):
            load_pickle_safely(tmp_path / "m.pkl")
    finally:
        sys.modules.pop("_loss", None)
        if saved is not None:
            sys.modules["_loss"] = saved
    assert not ran.exists()
