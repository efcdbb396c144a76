"""The result model and the three-way verdict."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_modelgate.results import GateResult, decide, plain

finite = st.floats(-1e6, 1e6, allow_nan=False)


@given(value=finite, spread=st.floats(0, 10), bound=finite)
def test_decide_min_is_consistent(value: float, spread: float, bound: float) -> None:
    ci = (value - spread, value + spread)
    d = decide(value, ci, min=bound)
    if ci[0] >= bound:
        assert d.verdict == "passed"
    elif value < bound:
        assert d.verdict == "failed"
    else:
        assert d.verdict == "inconclusive"
    assert d.margin == pytest.approx(ci[0] - bound)


@given(value=finite, spread=st.floats(0, 10), bound=finite)
def test_decide_max_mirrors_min(value: float, spread: float, bound: float) -> None:
    lo = decide(value, (value - spread, value + spread), min=bound)
    hi = decide(-value, (-value - spread, -value + spread), max=-bound)
    assert lo.verdict == hi.verdict
    assert lo.margin == pytest.approx(hi.margin)


def test_decide_without_threshold_or_value() -> None:
    assert decide(0.5).verdict == "passed"
    assert decide(None, min=0.1).verdict == "failed"
    assert decide(float("nan"), min=0.1).verdict == "failed"
    both = decide(0.5, None, min=0.4, max=0.55)
    assert both.passed
    assert both.margin == pytest.approx(0.05)


def test_result_round_trips_through_json() -> None:
    np = pytest.importorskip("numpy")
    r = GateResult(nodeid="t.py::a", kind="metric", name="acc", value=np.float64(0.9),
                   threshold={"min": np.float32(0.5)}, ci=(0.8, 0.95), margin=0.3,
                   verdict="passed", n=np.int64(10), details={"slices": {"a": np.arange(2)}})
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert type(d["value"]) is float
    assert type(d["n"]) is int
    assert d["details"]["slices"]["a"] == [0, 1]
    assert GateResult.from_dict(d).to_dict() == d


def test_bad_verdict_rejected() -> None:
    with pytest.raises(ValueError, match="verdict must be one of"):
        GateResult(nodeid="x", kind="k", name="n", value=1.0, verdict="ok")  # type: ignore[arg-type]


def test_plain_handles_nested_numpy() -> None:
    np = pytest.importorskip("numpy")
    assert plain({"a": (np.int32(1), np.bool_(True)), 2: {np.float16(0.5)}}) == {"a": [1, True], "2": [0.5]}


def test_outcome_and_error_verdict_round_trip() -> None:
    r = GateResult(nodeid="t.py::a", kind="metric", name="acc", value=float("nan"),
                   verdict="error", message="InputError: x", outcome="xfailed")
    d = r.to_dict()
    assert d["outcome"] == "xfailed"
    assert d["verdict"] == "error"
    back = GateResult.from_dict({**d, "value": "nan", "ci": ["-inf", "inf"]})
    assert back.outcome == "xfailed"
    assert back.ci == (float("-inf"), float("inf"))
    with pytest.raises(ValueError, match="outcome must be one of"):
        GateResult(nodeid="x", kind="k", name="n", value=1.0, outcome="ok")  # type: ignore[arg-type]


@pytest.mark.parametrize(("data", "problem"), [
    ({"nodeid": "x", "name": "n"}, "missing 'kind'"),
    ({"nodeid": "x", "kind": 3, "name": "n"}, "'kind' must be a string, got int"),
    ({"nodeid": "x", "kind": "k", "name": "n", "ci": [1.0]}, "'ci' must be [low, high]"),
    ({"nodeid": "x", "kind": "k", "name": "n", "value": "high"}, "'value' must be a number"),
    ({"nodeid": "x", "kind": "k", "name": "n", "details": []}, "'details' must be an object"),
    ({"nodeid": "x", "kind": "k", "name": "n", "verdict": "ok"}, "verdict must be one of"),
    ("oops", "must be an object, got str"),
])
def test_from_dict_names_what_is_wrong(data: object, problem: str) -> None:
    from pytest_modelgate.exceptions import InputError

    with pytest.raises(InputError) as exc:
        GateResult.from_dict(data)  # type: ignore[arg-type]
    assert problem in str(exc.value)


def test_run_record_round_trip_and_schema_1_default() -> None:
    from pytest_modelgate.exceptions import InputError
    from pytest_modelgate.results import RunRecord

    run = RunRecord(seed=3, versions={"python": "3.11"}, models={"model": {"version": "v2"}},
                    started="2026-01-01T00:00:00+00:00", warn_only=True, inconclusive="pass",
                    extra={"commit": "abc"})
    assert RunRecord.from_dict(run.to_dict()) == run
    assert RunRecord.from_dict({"seed": 0}).inconclusive == "fail"  # schema 1: the default
    with pytest.raises(InputError, match="inconclusive must be one of"):
        RunRecord.from_dict({"inconclusive": "sometimes"})
    with pytest.raises(InputError, match=r"models\['model'\] must be an object"):
        RunRecord.from_dict({"models": {"model": "v1"}})
