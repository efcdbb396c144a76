"""The modelgate_model fixtures: loading by format, metadata in the report, clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

USE_MODEL = '''
def test_uses_model(modelgate_model):
    import numpy as np
    pred = modelgate_model.predict(np.zeros((2, 4)))
    assert len(pred) == 2
    assert modelgate_model.version == EXPECTED_VERSION
'''


def _skops_model(path: Path) -> Path:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    sio = pytest.importorskip("skops.io", reason="skops not installed: pip install 'pytest-modelgate[skops]'")

    X = np.random.default_rng(0).normal(size=(40, 4))
    sio.dump(LogisticRegression().fit(X, (X[:, 0] > 0).astype(int)), path)
    return path


def test_skops_model_loads_and_lands_in_report(pytester: pytest.Pytester) -> None:
    model = _skops_model(pytester.path / "clf.skops")
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'2.1'"))
    result = pytester.runpytest("--modelgate", f"--modelgate-model={model}",
                                "--modelgate-model-version=2.1")
    result.assert_outcomes(passed=1)
    meta = json.loads((pytester.path / "modelgate-report.json").read_text())["run"]["models"]["model"]
    assert meta["format"] == "skops"
    assert meta["version"] == "2.1"
    assert len(meta["sha256"]) == 64


def test_skops_with_untrusted_types_is_refused(pytester: pytest.Pytester) -> None:
    sio = pytest.importorskip("skops.io", reason="skops not installed: pip install 'pytest-modelgate[skops]'")

    path = pytester.path / "odd.skops"
    sio.dump({"f": Path("x")}, path)  # pathlib types are not in the trusted set
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'odd'"))
    result = pytester.runpytest("--modelgate", f"--modelgate-model={path}")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["model: *odd.skops: refusing to load*", "*pathlib.PosixPath*not on the allow-list*"])


def test_missing_model_option_and_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "''"))
    result = pytester.runpytest("--modelgate")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no model given; pass --modelgate-model PATH or set MODELGATE_MODEL*"])
    result = pytester.runpytest("--modelgate", "--modelgate-model=nope.skops")
    result.stdout.fnmatch_lines(["*model artifact nope.skops does not exist*"])


def test_unknown_format_lists_known_ones(pytester: pytest.Pytester) -> None:
    (pytester.path / "m.xyz").write_bytes(b"??")
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'m'"))
    result = pytester.runpytest("--modelgate", "--modelgate-model=m.xyz")
    result.stdout.fnmatch_lines(["*unknown model format '.xyz'*"])


def test_baseline_model_skips_when_not_configured(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_cmp(modelgate_baseline_model):\n    pass\n")
    result = pytester.runpytest("--modelgate", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*no baseline model: pass --modelgate-baseline-model*"])


def test_user_loader_hook_wins(pytester: pytest.Pytester) -> None:
    (pytester.path / "model.skops").write_bytes(b"not a skops file")
    pytester.makeconftest(
        """
        class Constant:
            def predict(self, X):
                return [0] * len(X)

        def pytest_modelgate_load_model(path, config):
            return Constant()
        """
    )
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'model'"))
    pytester.runpytest("--modelgate", "--modelgate-model=model.skops").assert_outcomes(passed=1)


def test_onnx_model(pytester: pytest.Pytester) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed: pip install 'pytest-modelgate[onnx]'")
    onnx = pytest.importorskip("onnx", reason="onnx not installed: pip install 'pytest-modelgate[onnx]'")
    from onnx import TensorProto, helper

    # y = argmax(x @ W): a two-class linear model written by hand as an ONNX graph
    w = helper.make_tensor("W", TensorProto.FLOAT, [4, 2], [1, 0, 0, 1, 0, 0, 0, 0])
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["S"]),
         helper.make_node("ArgMax", ["S"], ["label"], axis=1, keepdims=0)],
        "linear", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 4])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None])], [w],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, str(pytester.path / "m.onnx"))
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'m'"))
    pytester.runpytest("--modelgate", "--modelgate-model=m.onnx").assert_outcomes(passed=1)


def test_joblib_model_loads_after_scan(pytester: pytest.Pytester) -> None:
    joblib = pytest.importorskip("joblib")
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(0).normal(size=(40, 4))
    joblib.dump(LogisticRegression().fit(X, (X[:, 0] > 0).astype(int)), pytester.path / "m.joblib")
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'m'"))
    pytester.runpytest("--modelgate", "--modelgate-model=m.joblib").assert_outcomes(passed=1)


class _Payload:
    """Pickles to a call of print(): harmless if ever run, and the scanner must refuse it."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (print, ("PAYLOAD RAN",))


def test_unsafe_pickle_is_refused_unloaded(pytester: pytest.Pytester) -> None:
    import pickle

    (pytester.path / "evil.pkl").write_bytes(pickle.dumps(_Payload(), protocol=4))
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'evil'"))
    result = pytester.runpytest_subprocess("--modelgate", "--modelgate-model=evil.pkl")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["model: evil.pkl: refusing to load*", "*STACK_GLOBAL builtins.print*"])
    assert "During handling" not in result.stdout.str()
    assert "PAYLOAD RAN" not in result.stdout.str() + result.stderr.str()


class OwnScaler:
    """A user's own class inside a model: not on the scanner's allow-list until trusted."""

    def __init__(self, k: float = 2.0) -> None:
        self.k = k

    def predict(self, X: object) -> list[int]:
        return [0] * len(X)  # type: ignore[arg-type]


OWN = f"{OwnScaler.__module__}.OwnScaler"
USE_BOTH = '''
def test_uses_both(modelgate_model, modelgate_baseline_model):
    assert type(modelgate_model.model).__name__ == "OwnScaler"
    assert modelgate_baseline_model.predict([[0.0]]) == [0]
'''


def _own_model(path: Path) -> Path:
    import pickle

    if path.suffix == ".skops":
        sio = pytest.importorskip("skops.io", reason="skops not installed: pip install 'pytest-modelgate[skops]'")
        sio.dump(OwnScaler(), path)
    else:
        path.write_bytes(pickle.dumps(OwnScaler(), protocol=4))
    return path


@pytest.mark.parametrize("name", ["own.skops", "own.pkl"])
def test_own_class_is_refused_until_trusted_by_option(pytester: pytest.Pytester, name: str) -> None:
    model = _own_model(pytester.path / name)
    pytester.makepyfile(USE_BOTH)
    args = ["--modelgate", f"--modelgate-model={model}", f"--modelgate-baseline-model={model}"]
    result = pytester.runpytest(*args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        f"model: *{name}: refusing to load*",
        f"*{OWN}*not on the allow-list*",
        "*trust a global you control with --modelgate-model-allow module.Name "
        "(env MODELGATE_MODEL_ALLOW*",
    ])

    # on the command line: repeatable, the report records what was trusted for both fixtures
    result = pytester.runpytest(*args, f"--modelgate-model-allow={OWN}",
                                "--modelgate-model-allow=mypkg.other.Thing")
    result.assert_outcomes(passed=1)
    models = json.loads((pytester.path / "modelgate-report.json").read_text())["run"]["models"]
    assert models["model"]["allowed_globals"] == [OWN, "mypkg.other.Thing"]
    assert models["baseline_model"]["allowed_globals"] == [OWN, "mypkg.other.Thing"]

    # in pyproject, as a TOML list
    pytester.makepyprojecttoml(f'[tool.modelgate]\nmodel_allow = ["{OWN}"]\n')
    result = pytester.runpytest(*args)
    result.assert_outcomes(passed=1)
    models = json.loads((pytester.path / "modelgate-report.json").read_text())["run"]["models"]
    assert models["model"]["allowed_globals"] == [OWN]


def test_trusting_one_global_does_not_trust_another(pytester: pytest.Pytester) -> None:
    model = _own_model(pytester.path / "own.pkl")
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'own'"))
    result = pytester.runpytest("--modelgate", f"--modelgate-model={model}",
                                "--modelgate-model-allow=mypkg.other.Thing")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*{OWN}*not on the allow-list*",
                                 "*Trusted now: mypkg.other.Thing (from command line "
                                 "--modelgate-model-allow).*"])


def test_bad_allow_entry_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'m'"))
    result = pytester.runpytest("--modelgate", "--modelgate-model-allow=OwnScaler")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*--modelgate-model-allow: 'OwnScaler' is not a global; write its full import path as "
        "'module.Name' (e.g. 'mypkg.features.Scaler')*(from command line --modelgate-model-allow)",
    ])
    pytester.makepyprojecttoml('[tool.modelgate]\nmodel_allow = "a.B, 3x.Y"\n')
    result = pytester.runpytest("--modelgate")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "'3x.Y' is not a global" in result.stderr.str()
    assert "(from pyproject.toml [tool.modelgate] model_allow)" in result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_allow_reaches_builtin_loaders_only(tmp_path: Path) -> None:
    """`load_model(allow=...)` trusts through the built-in loaders; a user loader is called as
    registered, and nothing is recorded as trusted."""
    from pytest_modelgate.loaders import load_model, register_loader, unregister_loader

    path = _own_model(tmp_path / "own.pkl")
    loaded = load_model(path, allow=[OWN])
    assert isinstance(loaded.model, OwnScaler)
    assert loaded.metadata()["allowed_globals"] == [OWN]
    seen: list[Path] = []
    register_loader(".pkl", lambda p: seen.append(p) or "mine")
    try:
        loaded = load_model(path, allow=[OWN])
    finally:
        unregister_loader(".pkl")
    assert (loaded.model, seen) == ("mine", [path])
    assert "allowed_globals" not in loaded.metadata()
    with pytest.raises(ValueError, match="allow= applies to the built-in loaders only"):
        load_model(path, allow=[OWN], loader=lambda p: None)


def test_under_xdist_the_report_has_the_workers_model_metadata(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist", reason="pytest-xdist not installed: pip install 'pytest-modelgate[xdist]'")
    model = _skops_model(pytester.path / "clf.skops")
    pytester.makepyfile(USE_MODEL.replace("EXPECTED_VERSION", "'2.1'"))
    result = pytester.runpytest("--modelgate", f"--modelgate-model={model}",
                                "--modelgate-model-version=2.1", "-n", "2")
    result.assert_outcomes(passed=1)
    meta = json.loads((pytester.path / "modelgate-report.json").read_text())["run"]["models"]["model"]
    assert meta["format"] == "skops"  # known only to the worker that loaded it
    assert meta["version"] == "2.1"
    assert len(meta["sha256"]) == 64
