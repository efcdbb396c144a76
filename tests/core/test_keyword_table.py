"""The keyword tables: every gate keyword has one constraint, checked once, with one wording."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from pytest_modelgate._params import CONFIDENCE, Anything, NoneValue, Param
from pytest_modelgate.exceptions import ConfigError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates._keywords import KEYWORDS
from pytest_modelgate.policy import GATE_KINDS, MARKERS, load_policy


def _allowed() -> dict[str, tuple[str, ...]]:
    from pytest_modelgate.gates import (
        calibration,
        determinism,
        drift,
        fairness,
        integrity,
        latency,
        metric,
        security,
        seed_variance,
    )

    return {
        "metric": metric.METRIC_KEYWORDS, "compare": metric.COMPARE_KEYWORDS,
        "weak_slices": metric.WEAK_SLICES_KEYWORDS, "drift": drift.DRIFT_KEYWORDS,
        "latency": latency.LATENCY_KEYWORDS, "memory": latency.MEMORY_KEYWORDS,
        "artifact": security.ARTIFACT_KEYWORDS, "robustness": security.ROBUSTNESS_KEYWORDS,
        "input_validation": security.INPUT_VALIDATION_KEYWORDS,
        "membership": security.MEMBERSHIP_KEYWORDS,
        "integrity": integrity.INTEGRITY_KEYWORDS,
        "determinism": determinism.DETERMINISM_KEYWORDS,
        "seed_variance": seed_variance.SEED_VARIANCE_KEYWORDS,
        "calibration": calibration.CALIBRATION_KEYWORDS, "fairness": fairness.FAIRNESS_KEYWORDS,
    }


ALLOWED = _allowed()

#: keywords whose values only their engine can judge (arrays, column names, case lists ...)
UNCONSTRAINED = {
    ("metric", "slices"), ("metric", "pos_label"), ("compare", "pos_label"),
    ("weak_slices", "columns"), ("weak_slices", "pos_label"), ("weak_slices", "sample_weight"),
    ("drift", "columns"), ("drift", "categorical"), ("artifact", "allow"),
    ("robustness", "irrelevant"), ("robustness", "increasing"), ("robustness", "decreasing"),
    ("robustness", "categorical"), ("input_validation", "cases"), ("input_validation", "skip"),
    ("membership", "score"),
    ("integrity", "target"), ("integrity", "checks"), ("integrity", "columns"),
    ("calibration", "pos_label"), ("calibration", "labels"), ("fairness", "pos_label"),
}


def _bad_values(param: Param) -> list[Any]:
    out = []
    for c in param.constraints:
        for v in c.bad_examples():
            if not any(o.accepts(v) for o in param.constraints) and v not in out:
                out.append(v)
    return out


CASES = [(kind, key, bad) for kind, table in KEYWORDS.items() for key, p in table.items()
         for bad in _bad_values(p)]


def test_every_gate_keyword_has_a_table_entry() -> None:
    assert set(KEYWORDS) == set(GATE_KINDS)
    for kind, allowed in ALLOWED.items():
        assert set(allowed) <= set(KEYWORDS[kind]), kind
        assert set(KEYWORDS[kind]) - set(allowed) <= {"name"}, kind


def test_only_listed_keywords_are_unconstrained() -> None:
    free = {(kind, key) for kind, table in KEYWORDS.items() for key, p in table.items()
            if all(isinstance(c, (Anything, NoneValue)) for c in p.constraints)}
    assert free == UNCONSTRAINED
    for kind, key in UNCONSTRAINED:
        assert not _bad_values(KEYWORDS[kind][key])


@pytest.mark.parametrize(("kind", "key"), [(k, n) for k, t in KEYWORDS.items() for n in t])
def test_defaults_and_docs(kind: str, key: str) -> None:
    param = KEYWORDS[kind][key]
    assert param.doc
    assert "\n" not in param.doc
    if param.default is not None:
        param.check(param.default, "default")


@pytest.mark.parametrize(("kind", "key", "bad"), CASES,
                         ids=[f"{k}-{n}-{b!r}" if type(b) is not object else f"{k}-{n}-object"
                              for k, n, b in CASES])
def test_bad_value_is_a_config_error(kind: str, key: str, bad: Any) -> None:
    """Through the one check in `GateContext.resolve` and through the policy loader."""
    text = KEYWORDS[kind][key].text.replace(" (or None)", "")
    with pytest.raises(ConfigError) as exc:
        GateContext().resolve(kind, None, {key: bad}, ALLOWED[kind] + ("name",))
    assert str(exc.value).startswith(f"gate.{kind}: {key} must be ")
    assert str(exc.value).endswith(f"; got {bad!r}")
    if isinstance(bad, (str, int, float, list)):  # representable in TOML
        with pytest.raises(ConfigError, match=re.escape(f"p.toml gates.{kind}: {key} must be ")):
            load_policy({"gates": {kind: {key: bad}}}, "p.toml")
    assert text.split(" or ")[0] in str(exc.value)


def test_gate_methods_check_before_any_work() -> None:
    """Every gate method routes its keywords through the table (dummy data is never reached)."""
    g = Gate()
    calls: dict[str, Callable[[], Any]] = {
        "metric": lambda: g.metric("accuracy", None, None, confidence="high"),
        "compare": lambda: g.compare("accuracy", None, None, None, confidence="high"),
        "weak_slices": lambda: g.weak_slices(None, None, None, confidence="high"),
        "drift": lambda: g.drift(None, None, confidence="high"),
        "latency": lambda: g.latency(print, gate_options={"confidence": "high"}),
        "robustness": lambda: g.robustness(None, None, confidence="high"),
        "membership": lambda: g.membership(None, None, None, confidence="high"),
        "integrity": lambda: g.integrity(None, None, confidence="high"),
        "calibration": lambda: g.calibration(None, None, confidence="high"),
        "fairness": lambda: g.fairness(None, None, sensitive=None, confidence="high"),
    }
    for kind, call in calls.items():
        with pytest.raises(ConfigError, match=re.escape(
                f"gate.{kind}: confidence must be a number in (0, 1), e.g. 0.95; got 'high'")):
            call()


CONFIDENCE_TEXT = "confidence must be a number in (0, 1), e.g. 0.95; got 1.5"


def _engine_calls() -> dict[str, Callable[[], Any]]:
    from pytest_modelgate import metrics
    from pytest_modelgate.drift._multivariate import classifier_drift
    from pytest_modelgate.latency import measure
    from pytest_modelgate.latency._compare import ratio_ci
    from pytest_modelgate.latency._quantiles import quantile_ci
    from pytest_modelgate.security.membership import membership_attack
    from pytest_modelgate.security.robustness import flip_rate

    y = np.array([0, 1] * 20)
    x = np.random.default_rng(0).normal(size=(40, 2))
    t = np.ones((3, 5))
    return {
        "metrics.evaluate": lambda: metrics.evaluate("accuracy", y, y, confidence=1.5),
        "metrics.compare": lambda: metrics.compare("accuracy", y, y, y, confidence=1.5),
        "classifier_drift": lambda: classifier_drift(x, x, confidence=1.5),
        "latency.measure": lambda: measure(print, confidence=1.5),
        "quantile_ci": lambda: quantile_ci(np.ones(50), 0.5, 1.5),
        "latency ratio_ci": lambda: ratio_ci(t, t, confidence=1.5),
        "membership": lambda: membership_attack(None, (x, y), (x, y), confidence=1.5),
        "robustness": lambda: flip_rate(None, x, confidence=1.5),
    }


@pytest.mark.parametrize("engine", list(_engine_calls()))
def test_engines_share_the_one_confidence_wording(engine: str) -> None:
    """Direct library use still validates, with the same constraint object and text."""
    assert CONFIDENCE.text == "a number in (0, 1), e.g. 0.95"
    with pytest.raises(ConfigError) as exc:
        _engine_calls()[engine]()
    assert str(exc.value) == CONFIDENCE_TEXT


@pytest.mark.parametrize("bad", ["many", 2.7, 0, -5, True, 10**6 + 1, 10**9])
def test_evaluate_n_resamples_wording(bad: Any) -> None:
    from pytest_modelgate import metrics

    with pytest.raises(ConfigError, match=re.escape(
            f"n_resamples must be an integer in [10, 1000000]; got {bad!r}")):
        metrics.evaluate("accuracy", np.array([0, 1] * 20),
                         np.array([0, 1] * 20), confidence=0.9, n_resamples=bad)


def _resample_calls() -> dict[str, Callable[[], Any]]:
    from pytest_modelgate import metrics
    from pytest_modelgate.latency._compare import ratio_ci
    from pytest_modelgate.security.membership import membership_attack

    y = np.array([0, 1] * 20)
    x = np.random.default_rng(0).normal(size=(40, 2))
    t = np.ones((3, 5))
    big = 10**9
    gate = Gate(GateContext(nodeid="t::t", seed=0))
    return {
        "gate.metric": lambda: gate.metric("accuracy", y, y, min=0.5, confidence=0.95,
                                           n_resamples=big),
        "gate.compare": lambda: gate.compare("accuracy", y, y, y, n_resamples=big),
        "metrics.evaluate": lambda: metrics.evaluate("accuracy", y, y, confidence=0.9,
                                                     n_resamples=big),
        "metrics.compare": lambda: metrics.compare("accuracy", y, y, y, n_resamples=big),
        "latency ratio_ci": lambda: ratio_ci(t, t, n_resamples=big),
        "membership": lambda: membership_attack(None, (x, y), (x, y), n_resamples=big),
    }


@pytest.mark.parametrize("call", list(_resample_calls()))
def test_n_resamples_has_an_upper_bound(call: str) -> None:
    """Review finding 10: n_resamples=10**9 tried to allocate 30 GiB; now a one-line error."""
    with pytest.raises(ConfigError, match=re.escape(", 1000000]; got 1000000000")):
        _resample_calls()[call]()


def test_pytest_markers_document_the_table_defaults(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    assert result.ret == 0
    out = result.stdout.str()
    for spec in MARKERS.values():
        assert f"@pytest.mark.{spec.signature}: {spec.doc}" in out
    assert "@pytest.mark.drift(method='auto', alpha=0.05, max_share=0.5, columns=None, " \
           "correction='holm', categorical=None)" in out
    assert "n_resamples=1000" in out


def test_reference_docs_show_the_current_tables() -> None:
    from pathlib import Path

    from pytest_modelgate.gates._keywords import markdown_tables

    docs = (Path(__file__).parents[2] / "docs" / "reference.md").read_text(encoding="utf-8")
    start = docs.index("-->\n", docs.index("<!-- generated by")) + len("-->\n")
    end = docs.index("<!-- end of generated keyword tables -->")
    assert docs[start:end] == markdown_tables(), (
        "regenerate the tables in docs/reference.md from markdown_tables()")
