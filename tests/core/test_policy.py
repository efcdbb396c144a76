"""The settings resolver, marker defaults, the policy table and the recorder's merge order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.gates import GateContext
from pytest_modelgate.policy import load_policy, marker_defaults, resolve_settings


def _ini(values: dict[str, Any]) -> Any:
    return lambda key: values.get(key)


def test_precedence_cli_env_ini_pyproject() -> None:
    none: dict[str, Any] = {}
    s = resolve_settings(none, _ini({}), {}, env={})
    assert (s.seed, s.sources["seed"]) == (0, "default")
    s = resolve_settings(none, _ini({}), {"seed": 1}, env={})
    assert (s.seed, s.sources["seed"]) == (1, "pyproject.toml [tool.modelgate] seed")
    s = resolve_settings(none, _ini({"modelgate_seed": "2"}), {"seed": 1}, env={})
    assert (s.seed, s.sources["seed"]) == (2, "ini modelgate_seed")
    s = resolve_settings(none, _ini({"modelgate_seed": "2"}), {"seed": 1}, env={"MODELGATE_SEED": "3"})
    assert (s.seed, s.sources["seed"]) == (3, "env MODELGATE_SEED")
    s = resolve_settings({"seed": "4"}, _ini({}), {}, env={"MODELGATE_SEED": "3"})
    assert (s.seed, s.sources["seed"]) == (4, "command line --modelgate-seed")


@pytest.mark.parametrize(("cli", "env", "message"), [
    ({"seed": "x"}, {}, "--modelgate-seed: 'x' is not an integer (from command line --modelgate-seed)"),
    ({}, {"MODELGATE_WARN_ONLY": "maybe"}, "--modelgate-warn-only: 'maybe' is not a boolean"),
    ({}, {"MODELGATE_INCONCLUSIVE": "ignore"}, "'ignore' is not one of fail, pass"),
])
def test_bad_values_name_their_source(cli: dict[str, Any], env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(cli, _ini({}), {}, env=env)
    assert message in str(exc.value)


def test_marker_defaults_map_to_gate_kinds() -> None:
    d = marker_defaults({
        "accuracy": ((), {"metric": "f1", "min": 0.8, "confidence": 0.9}),
        "latency": ((), {"p95": "5ms", "memory": "1MiB"}),
    }, "t.py::x")
    assert d["metric"] == {"metric": "f1", "min": 0.8, "confidence": 0.9}
    assert d["compare"] == {"confidence": 0.9}
    assert d["latency"] == {"p95": 0.005}
    assert d["memory"] == {"max_bytes": 2**20}


def test_policy_validation() -> None:
    with pytest.raises(ConfigError, match="selector 'acuracy' must start with a gate kind"):
        load_policy({"gates": {"acuracy": {"min": 1}}}, "pyproject")
    with pytest.raises(ConfigError, match="p95 must be a positive duration"):
        load_policy({"gates": {"latency": {"p95": "soon"}}}, "pyproject")


def test_recorder_merge_order() -> None:
    policy = load_policy({
        "gates": {"metric": {"min": 0.7}, "metric:f1": {"min": 0.75}},
        "tests": {"t.py::x": {"metric": {"min": 0.8}}},
    }, "pyproject")
    ctx = GateContext(nodeid="t.py::x", defaults={"metric": {"min": 0.5, "max": 0.99}},
                      overrides=policy.overrides_for("t.py::x"))
    allowed = ("min", "max", "confidence")
    # policy (test layer) > policy (gate layer) > call > marker
    assert ctx.resolve("metric", "f1", {"min": 0.6}, allowed) == {"min": 0.8, "max": 0.99}
    other = GateContext(nodeid="t.py::y", defaults={"metric": {"min": 0.5}},
                        overrides=policy.overrides_for("t.py::y"))
    assert other.resolve("metric", "f1", {"min": 0.6}, allowed) == {"min": 0.75}
    assert other.resolve("metric", "accuracy", {"min": 0.6}, allowed) == {"min": 0.7}
    bare = GateContext(defaults={"metric": {"min": 0.5}})
    assert bare.resolve("metric", "f1", {"confidence": 0.9}, allowed) == {"min": 0.5, "confidence": 0.9}


def test_unknown_call_keyword_is_named_for_every_gate_kind() -> None:
    from pytest_modelgate.gates import Gate

    with pytest.raises(ConfigError, match=r"gate.artifact: unknown keyword\(s\) 'sha265' \(did you mean 'sha256'\?\)"):
        Gate().artifact("README.md", sha265="0" * 64)
    with pytest.raises(ConfigError, match=r"gate.metric: unknown keyword\(s\) 'mni' \(did you mean 'min'\?\)"):
        Gate().metric("accuracy", [1, 0], [1, 0], mni=0.5)


def test_model_allow_from_every_source() -> None:
    none: dict[str, Any] = {}
    s = resolve_settings(none, _ini({}), {}, env={})
    assert (s.model_allow, s.sources["model_allow"]) == ((), "default")
    s = resolve_settings(none, _ini({}), {"model_allow": ["mypkg.features.Scaler", "mypkg.*"]},
                         env={})
    assert s.model_allow == ("mypkg.features.Scaler", "mypkg.*")
    assert s.sources["model_allow"] == "pyproject.toml [tool.modelgate] model_allow"
    ini_lines = "\n  mypkg.features.Scaler\n  mypkg.models:Net,mypkg.features.Scaler\n"
    s = resolve_settings(none, _ini({"modelgate_model_allow": ini_lines}), {}, env={})
    assert s.model_allow == ("mypkg.features.Scaler", "mypkg.models:Net")
    s = resolve_settings(none, _ini({"modelgate_model_allow": ["a.B", "c.D"]}), {}, env={})
    assert s.model_allow == ("a.B", "c.D")
    s = resolve_settings(none, _ini({}), {}, env={"MODELGATE_MODEL_ALLOW": "a.B, c.d.E"})
    assert (s.model_allow, s.sources["model_allow"]) == (("a.B", "c.d.E"), "env MODELGATE_MODEL_ALLOW")
    # the flag is repeatable (argparse hands a list) and each value may be a comma list
    s = resolve_settings({"model_allow": ["a.B", "c.D,e.F"]}, _ini({}), {"model_allow": ["x.Y"]},
                         env={"MODELGATE_MODEL_ALLOW": "z.W"})
    assert (s.model_allow, s.sources["model_allow"]) == (
        ("a.B", "c.D", "e.F"), "command line --modelgate-model-allow")
    # an empty flag overrides a configured list: trust nothing extra in this run
    s = resolve_settings({"model_allow": [""]}, _ini({}), {"model_allow": ["x.Y"]}, env={})
    assert s.model_allow == ()


@pytest.mark.parametrize(("cli", "env", "pyproject", "message"), [
    ({"model_allow": ["Scaler"]}, {}, {},
     "--modelgate-model-allow: 'Scaler' is not a global; write its full import path as "
     "'module.Name' (e.g. 'mypkg.features.Scaler')"),
    ({}, {"MODELGATE_MODEL_ALLOW": "a.B,mypkg..X"}, {},
     "'mypkg..X' is not a global; write its full import path as 'module.Name'"),
    ({}, {"MODELGATE_MODEL_ALLOW": "os:"}, {}, "'os:' is not a global"),
    ({}, {"MODELGATE_MODEL_ALLOW": "a.B-c"}, {}, "'a.B-c' is not a global"),
    ({}, {}, {"model_allow": 3},
     "--modelgate-model-allow: 3 is not a list of strings; give globals such as "
     "['mypkg.features.Scaler'] (from pyproject.toml [tool.modelgate] model_allow)"),
    ({}, {}, {"model_allow": ["a.B", 3]}, "['a.B', 3] is not a list of strings"),
])
def test_bad_model_allow_names_option_source_and_fix(
    cli: dict[str, Any], env: dict[str, str], pyproject: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve_settings(cli, _ini({}), pyproject, env=env)
    assert message in str(exc.value)
    where = ("command line --modelgate-model-allow" if cli else
             "env MODELGATE_MODEL_ALLOW" if env else "pyproject.toml [tool.modelgate] model_allow")
    assert str(exc.value).endswith(f"(from {where})")


def test_model_allow_forms_are_the_engines() -> None:
    """Every entry the option accepts is read by the scanner's own parser to the same global."""
    from pytest_modelgate.security import parse_allow

    entries = resolve_settings({"model_allow": ["a.b.C,a.b:C.D", "pkg.sub.*"]}, _ini({}), {},
                               env={}).model_allow
    pairs, modules = parse_allow(entries)
    assert pairs == {("a.b", "C"), ("a.b", "C.D")}
    assert modules == {"pkg.sub"}


# -- issue 10 item 20: selectors use the report's names, apply to every kind, warn when unused -----


def _gate_with(gates: dict[str, Any], nodeid: str = "t.py::x") -> Any:
    from pytest_modelgate.gates import Gate

    policy = load_policy({"gates": gates}, "pyproject")
    return Gate(GateContext(nodeid=nodeid, overrides=policy.overrides_for(nodeid)))


def test_selectors_use_the_names_the_report_prints() -> None:
    import numpy as np

    y = np.array([0, 1] * 50)
    g = _gate_with({"metric:f1_macro": {"min": 0.99}, "drift:dataset": {"max_share": 0.0},
                    "weak_slices:accuracy": {"max_gap": 0.0}})
    r = g.metric("f1", y, y, average="macro", min=0.1)
    assert r.name == "f1_macro"
    assert r.threshold["min"] == 0.99
    rng = np.random.default_rng(0)
    d = g.drift(rng.normal(size=(600, 2)), rng.normal(size=(600, 2)))
    assert d.name == "dataset"
    assert d.threshold == {"max_share": 0.0}
    X = rng.normal(size=(400, 2))
    w = g.weak_slices(X, y[rng.integers(0, 100, 400)], y[rng.integers(0, 100, 400)])
    assert w.name == "accuracy"
    assert w.threshold["max_gap"] == 0.0


def test_selectors_apply_to_the_security_gates(tmp_path: Any) -> None:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    path = tmp_path / "model.json"
    path.write_text("{}")
    g = _gate_with({"artifact:model.json": {"max_bytes": 1},
                    "robustness:flip_rate": {"max_flip_rate": 0.0},
                    "membership:loss_threshold_attack": {"max_advantage": 0.0}})
    a = g.artifact(path, scan=False)
    assert a.name == "model.json"
    assert a.threshold.get("max_bytes") == 1
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X[:100], y[:100])
    rb = g.robustness(model, X[:50], noise=0.01)
    assert rb.name == "flip_rate"
    assert rb.threshold["max_flip_rate"] == 0.0
    m = g.membership(model, (X[:100], y[:100]), (X[100:], y[100:]))
    assert m.name == "loss_threshold_attack"
    assert m.threshold["max_advantage"] == 0.0


def test_unmatched_selectors_are_listed() -> None:
    from pytest_modelgate.results import GateResult

    policy = load_policy({
        "gates": {"metric": {"min": 0.1}, "metric:f1": {"min": 0.2}, "drift:dataset": {}},
        "tests": {"t.py::x": {"metric:accuracy": {"min": 0.3}, "latency": {"p95": "1s"}},
                  "t.py::gone": {"metric": {"min": 0.3}}},
    }, "pyproject")

    def res(nodeid: str, kind: str, name: str) -> GateResult:
        return GateResult(nodeid=nodeid, kind=kind, name=name, value=1.0, threshold={},
                          direction="higher", verdict="passed", message="")

    results = [res("t.py::x", "metric", "accuracy"), res("t.py::y", "metric", "f1_macro")]
    assert policy.unmatched(results) == [
        'gates."metric:f1"', 'gates."drift:dataset"', 'tests."t.py::x"."latency"',
        'tests."t.py::gone"."metric"']


def test_unmatched_selector_warns_once_at_session_end(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml('''
[tool.modelgate.gates."metric:f1"]
min = 0.5
[tool.modelgate.gates."metric:accuracy"]
min = 0.5
[tool.modelgate.tests."test_sel.py::test_nothing".drift]
max_share = 0.1
''')
    pytester.makepyfile(test_sel='''
def test_acc(gate):
    gate.metric("accuracy", [0, 1, 1, 0], [0, 1, 1, 0])


def test_nothing(gate):
    pass
''')
    result = pytester.runpytest_inprocess("--modelgate", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    out = result.stdout.str()
    assert out.count("matched no gate") == 1
    result.stdout.fnmatch_lines(['*matched no gate*gates."metric:f1"*'
                                 'tests."test_sel.py::test_nothing"."drift"*'])
    assert 'gates."metric:accuracy"' not in out


def test_selector_reaches_input_validation_and_latency_by_report_name() -> None:
    from pytest_modelgate.gates import Gate

    # unknown keys stop a policy file at load; a layer given directly reaches the gate's resolve
    g = Gate(GateContext(nodeid="t.py::x",
                         overrides=({"input_validation:input_validation": {"bogus": 1}},)))
    with pytest.raises(ConfigError, match=r"'input_validation:input_validation'.*'bogus'"):
        g.input_validation(object(), [[0.0]])
    g = Gate(GateContext(nodeid="t.py::x", overrides=({"latency:scorer": {"bogus": 1}},)))
    with pytest.raises(ConfigError, match=r"'latency:scorer'.*'bogus'"):
        g.latency(len, "abc", gate_options={"name": "scorer"})


# -- bad policy files and values: one ConfigError naming the file and key ------------------------


@pytest.mark.parametrize(("content", "message"), [
    (b"tool = 3\n", "'tool' must be a table"),
    (b"[tool]\nmodelgate = 3\n", "[tool.modelgate] must be a table"),
    (b"[tool.modelgate]\nseed = 1  # \xff\xfe\n", "is not UTF-8 text"),
    (b"[tool.modelgate\n", "invalid TOML"),
])
def test_bad_pyproject_is_a_config_error(tmp_path: Path, content: bytes, message: str) -> None:
    from pytest_modelgate.policy import read_pyproject_table

    (tmp_path / "pyproject.toml").write_bytes(content)
    with pytest.raises(ConfigError) as exc:
        read_pyproject_table(tmp_path)
    assert message in str(exc.value)
    assert str(tmp_path / "pyproject.toml") in str(exc.value)


@pytest.mark.parametrize(("content", "message"), [
    (b"tool = 3\n", "'tool' must be a table"),
    (b"[tool]\nmodelgate = 3\n", "[tool.modelgate] must be a table"),
    (b"gates = 3\n", "gates: expected a table of gate selectors"),
    (b"[gates.metric]\nmin = 0.5 # \xff\n", "is not UTF-8 text"),
    (b"[gates.metric]\nn_resamples = \"many\"\n",
     "gates.metric: n_resamples must be an integer in [10, 1000000]; got 'many'"),
    (b"[gates.metric]\nn_resamples = 2.7\n",
     "gates.metric: n_resamples must be an integer in [10, 1000000]; got 2.7"),
    (b"[gates.drift]\ncorrection = \"holmes\"\n",
     "gates.drift: correction must be one of 'holm', 'bh', 'bonferroni', 'none'; got 'holmes'"),
    (b"[gates.metric]\nn_resampels = 100\n",
     "gates.metric: unknown key 'n_resampels' (did you mean 'n_resamples'?)"),
    (b"[tests.\"t.py::x\".latency]\np95 = \"soon\"\n",
     "p95 must be a positive duration in seconds or a string like '5ms'; got 'soon'"),
])
def test_bad_policy_file_names_file_and_key(tmp_path: Path, content: bytes, message: str) -> None:
    from pytest_modelgate.policy import load_policy_file

    path = tmp_path / "policy.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as exc:
        load_policy_file(str(path))
    assert message in str(exc.value)
    assert str(path) in str(exc.value)


@pytest.mark.parametrize("content", [
    b"tool = 3\n", b"[gates.metric]\nmin = 0.5 # \xff\n", b"[gates.metric]\nn_resamples = 'x'\n",
    b"[gates.metric]\nconfidence = 95\n",
])
def test_bad_policy_file_is_a_usage_error_not_a_traceback(pytester: pytest.Pytester,
                                                          content: bytes) -> None:
    pytester.makepyfile("def test_x(gate):\n    pass\n")
    (pytester.path / "policy.toml").write_bytes(content)
    result = pytester.runpytest("--modelgate", "--modelgate-policy", "policy.toml",
                                "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    err = [line for line in result.errlines if line.strip()]
    assert len(err) == 1, err
    assert err[0].startswith("ERROR: policy file policy.toml"), err
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert not (pytester.path / "modelgate-report.json").exists()


def test_marker_values_checked_by_the_keyword_table() -> None:
    with pytest.raises(ConfigError, match=re.escape(
            "@pytest.mark.accuracy on t.py::x: n_resamples must be an integer in [10, 1000000]; got 'many'")):
        marker_defaults({"accuracy": ((), {"n_resamples": "many"})}, "t.py::x")
    with pytest.raises(ConfigError, match=re.escape(
            "@pytest.mark.drift on t.py::x: alpha must be a number in (0, 1), e.g. 0.05; got 2")):
        marker_defaults({"drift": ((), {"alpha": 2})}, "t.py::x")


def test_wrong_typed_pyproject_gate_value_stops_the_run(pytester: pytest.Pytester) -> None:
    """Before: a policy `n_resamples = "many"` was accepted and the run went green."""
    pytester.makepyfile("def test_x(gate):\n    pass\n")
    pytester.makepyprojecttoml('[tool.modelgate.gates.metric]\nn_resamples = "many"\n')
    result = pytester.runpytest("--modelgate", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: pyproject.toml [[]tool.modelgate[]] gates.metric: "
                                 "n_resamples must be an integer in [[]10, 1000000]; got 'many'"])
