"""Determinism and consistency checks: the engine against hand-computed references, the judge's
messages, and bad input."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from pytest_modelgate.exceptions import ConfigError, InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.gates._keywords import DETERMINISM_CHECKS
from pytest_modelgate.security.determinism import CHECKS, check_determinism


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=50, n_features=4, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def model(data: tuple[np.ndarray, np.ndarray]) -> LogisticRegression:
    return LogisticRegression().fit(*data)


class BatchStandardised:
    """The serving bug: standardises with the mean/std of the batch it is given."""

    def __init__(self, model: Any) -> None:
        self.model = model

    def predict(self, X: Any) -> np.ndarray:
        arr = np.asarray(X, dtype=float)
        sd = arr.std(axis=0)
        sd[sd == 0] = 1.0
        return np.asarray(self.model.predict((arr - arr.mean(axis=0)) / sd))


def _by_hand(model: Any, X: np.ndarray) -> np.ndarray:
    """Reference: rows whose single-row prediction differs from the batch's."""
    batch = model.predict(X)
    return np.array([i for i in range(len(X)) if model.predict(X[i:i + 1])[0] != batch[i]])


def test_engine_checks_match_the_keyword_table() -> None:
    assert CHECKS == DETERMINISM_CHECKS


def test_consistent_model_passes_every_check(model: Any, data: Any) -> None:
    X, _ = data
    res = check_determinism(model, X)
    assert [c.name for c in res.checks] == list(CHECKS)
    assert res.worst == 0
    assert not res.disagreeing
    assert all(c.n_rows == 50 for c in res.checks)
    proba = check_determinism(model, X, method="predict_proba")
    assert proba.method == "predict_proba"
    assert not proba.disagreeing
    assert proba.checks[1].compare == "tolerance"


def test_batch_statistics_bug_fails_batch_vs_single_only(model: Any, data: Any) -> None:
    X, y = data
    scaled = (X - X.mean(0)) / X.std(0)
    bad = BatchStandardised(LogisticRegression().fit(scaled, y))
    expected = _by_hand(bad, X)
    assert 0 < len(expected) < 50
    res = check_determinism(bad, X)
    by = {c.name: c for c in res.checks}
    assert by["batch_vs_single"].n_disagree == len(expected)
    assert by["batch_vs_single"].rows == tuple(int(i) for i in expected[:5])
    assert by["batch_vs_single"].max_abs_diff is None  # labels: no distance
    assert by["batch_vs_single"].compare == "exact"  # integer labels
    for name in ("repeat", "row_order", "dtype"):
        assert by[name].agrees, name


def test_gate_message_names_counts_rows_and_fix(model: Any, data: Any) -> None:
    X, y = data
    scaled = (X - X.mean(0)) / X.std(0)
    bad = BatchStandardised(LogisticRegression().fit(scaled, y))
    n = len(_by_hand(bad, X))
    r = Gate(GateContext(nodeid="t::t")).determinism(bad, X)
    assert r.verdict == "failed"
    assert r.kind == "determinism"
    assert r.name == "determinism"
    assert r.value == n
    assert r.threshold == {"max_disagreeing_rows": 0}
    assert f"batch_vs_single: {n}/50 rows disagree" in r.message
    assert "StandardScaler inside the Pipeline" in r.message
    check = r.details["checks"][1]
    assert check["name"] == "batch_vs_single"
    assert check["n_disagree"] == n
    assert len(check["rows"]) == 5
    ok = Gate(GateContext(nodeid="t::t")).determinism(model, X)
    assert ok.verdict == "passed"
    assert ok.value == 0
    assert "consistent" in ok.message


def test_row_order_bug(model: Any, data: Any) -> None:
    """A feature computed across rows (running mean) depends on the order of the batch."""
    X, _ = data

    def predict(A: np.ndarray) -> np.ndarray:
        A = np.asarray(A, dtype=float)
        running = np.cumsum(A, axis=0) / np.arange(1, len(A) + 1)[:, None]
        return np.asarray(model.predict(A + running))

    res = check_determinism(predict, X, checks=["row_order"])
    (c,) = res.checks
    assert c.name == "row_order"
    assert c.n_disagree > 0


def test_repeat_bug(data: Any) -> None:
    X, _ = data
    rng = np.random.default_rng(0)

    def predict(A: np.ndarray) -> np.ndarray:
        return np.asarray(A)[:, 0] + rng.normal(scale=1e-3, size=len(A))

    res = check_determinism(predict, X, checks=("repeat",))
    assert res.checks[0].n_disagree == 50
    assert res.checks[0].compare == "exact"


def test_repeat_is_bitwise_even_below_the_tolerance(data: Any) -> None:
    X, _ = data
    calls = iter(range(100))

    def predict(A: np.ndarray) -> np.ndarray:
        return np.asarray(A)[:, 0] + 1e-15 * next(calls)

    assert check_determinism(predict, X, checks=["repeat"]).checks[0].n_disagree == 50


def test_dtype_bug(model: Any, data: Any) -> None:
    """A wrapper that treats float32 input as already scaled by 10."""
    X, _ = data

    def predict(A: np.ndarray) -> np.ndarray:
        A = np.asarray(A)
        return np.asarray(model.predict(A * 10 if A.dtype == np.float32 else A))

    res = check_determinism(predict, X, checks=["dtype"])
    assert res.checks[0].n_disagree > 0
    # the same values go in both times: a dtype-blind model agrees exactly
    assert check_determinism(model.predict_proba, X, checks=["dtype"]).checks[0].max_abs_diff \
        == 0.0


def test_dtype_not_applicable_to_integer_input() -> None:
    X = np.arange(20).reshape(10, 2)
    res = check_determinism(lambda A: np.asarray(A).sum(axis=1), X, checks=["dtype"])
    assert res.checks[0].skipped == "X has dtype int64, not float"
    assert res.worst == 0


def test_dataframe_rows_keep_shape_columns_and_index(model: Any, data: Any) -> None:
    pd = pytest.importorskip("pandas", reason="needs the pandas extra")
    X, _ = data
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"], index=np.arange(100, 150))
    shapes: list[tuple[int, int]] = []

    def predict(frame: Any) -> np.ndarray:
        assert isinstance(frame, pd.DataFrame)
        assert list(frame.columns) == ["a", "b", "c", "d"]
        shapes.append(frame.shape)
        return np.asarray(model.predict(frame.to_numpy()))

    res = check_determinism(predict, df, max_rows=7)
    assert (1, 4) in shapes
    assert shapes.count((1, 4)) == 7
    assert not res.disagreeing
    bad = check_determinism(BatchStandardised(model), df)
    single = bad.checks[1]
    assert single.labels == tuple(100 + r for r in single.rows)


def test_max_rows_samples_with_the_seed(model: Any, data: Any) -> None:
    X, _ = data
    seen: list[int] = []

    def predict(A: np.ndarray) -> np.ndarray:
        if len(A) == 1:
            seen.append(int(np.flatnonzero((A[0] == X).all(axis=1))[0]))
        return np.asarray(model.predict(A))

    res = check_determinism(predict, X, max_rows=10, seed=3, checks=["batch_vs_single"])
    assert res.checks[0].n_rows == 10
    assert len(seen) == 10
    assert seen == sorted(seen)
    first = list(seen)
    seen.clear()
    check_determinism(predict, X, max_rows=10, seed=3, checks=["batch_vs_single"])
    assert seen == first
    seen.clear()
    check_determinism(predict, X, max_rows=10, seed=4, checks=["batch_vs_single"])
    assert seen != first


def test_float_tolerance(data: Any) -> None:
    """Float outputs agree within atol/rtol (numpy.isclose); labels never get a tolerance."""
    X, _ = data

    def predict(A: np.ndarray) -> np.ndarray:
        return np.asarray(A)[:, 0] * (1 + 1e-9 * len(A))

    assert check_determinism(predict, X, checks=["batch_vs_single"]).worst == 0
    strict = check_determinism(predict, X, checks=["batch_vs_single"], atol=0, rtol=0)
    assert strict.worst > 0
    assert strict.checks[0].max_abs_diff == pytest.approx(
        float(np.max(np.abs(X[:, 0] * 49e-9))), rel=1e-6)


def test_string_labels_compare_exactly(data: Any) -> None:
    X, _ = data

    def predict(A: np.ndarray) -> np.ndarray:
        A = np.asarray(A)
        return np.where(A[:, 0] > A[:, 0].mean(), "yes", "no")

    c = check_determinism(predict, X, checks=["batch_vs_single"]).checks[0]
    assert c.n_disagree > 0
    assert c.max_abs_diff is None
    assert c.compare == "exact"


@settings(max_examples=40, deadline=None)
@given(st.sets(st.integers(0, 39), max_size=40), st.integers(1, 40), st.integers(0, 2**16))
def test_counts_equal_a_brute_force_reference(corrupt: set[int], max_rows: int,
                                              seed: int) -> None:
    """Single-row predictions of the `corrupt` rows are wrong: the check counts exactly the
    corrupt rows among those it sampled, and reports the first five of them in order."""
    X = np.arange(80, dtype=float).reshape(40, 2)
    sampled: list[int] = []

    def predict(A: np.ndarray) -> np.ndarray:
        rows = (np.asarray(A)[:, 0] // 2).astype(int)
        if len(A) == 1:
            sampled.append(int(rows[0]))
            return np.array([1.0 if rows[0] in corrupt else 0.0])
        return np.zeros(len(A))

    c = check_determinism(predict, X, max_rows=max_rows, seed=seed,
                          checks=["batch_vs_single"]).checks[0]
    hits = [i for i in sampled if i in corrupt]
    assert c.n_rows == len(sampled) == min(max_rows, 40)
    assert c.n_disagree == len(hits)
    assert list(c.rows) == hits[:5]


def test_progress_counts_every_call(model: Any, data: Any) -> None:
    X, _ = data
    ticks: list[tuple[int, int]] = []
    check_determinism(model, X, max_rows=5, progress=lambda d, t: ticks.append((d, t)))
    total = 1 + 5 + 1 + 1 + 2
    assert ticks == [(i, total) for i in range(1, total + 1)]


@pytest.mark.parametrize(("kwargs", "error", "text"), [
    ({"checks": ["reapeat"]}, ConfigError, "checks: unknown check(s) 'reapeat'; choose from"),
    ({"checks": []}, ConfigError, "checks: empty"),
    ({"max_rows": 0}, ConfigError, "max_rows must be an integer >= 1"),
    ({"atol": -1}, ConfigError, "atol must be a number >= 0"),
    ({"method": "predict_log_odds"}, InputError, "has no predict_log_odds()"),
])
def test_bad_arguments(model: Any, data: Any, kwargs: dict[str, Any], error: type[Exception],
                       text: str) -> None:
    with pytest.raises(error, match=re.escape(text)):
        check_determinism(model, data[0], **kwargs)


def test_bad_inputs(model: Any, data: Any) -> None:
    X, _ = data
    with pytest.raises(InputError, match="neither callable nor has predict"):
        check_determinism(42, X)
    with pytest.raises(InputError, match="X: has no rows"):
        check_determinism(model, X[:0])
    with pytest.raises(InputError, match="X: got None"):
        check_determinism(model, None)
    with pytest.raises(InputError, match=re.escape(
            "predict returned 49 rows for 50 input rows (the batch)")):
        check_determinism(lambda A: np.zeros(len(A) - 1), X)
    with pytest.raises(InputError, match="predict returned a scalar"):
        check_determinism(lambda A: 0.5, X)


def test_gate_keywords_are_checked(model: Any, data: Any) -> None:
    g = Gate()
    with pytest.raises(ConfigError, match=re.escape("gate.determinism: max_rows must be an "
                                                    "integer >= 1; got 0")):
        g.determinism(model, data[0], max_rows=0)
    with pytest.raises(ConfigError, match="unknown keyword"):
        g.determinism(model, data[0], max_row=3)
    r = g.determinism(model, data[0], checks="repeat", name="repeat-only")
    assert [c["name"] for c in r.details["checks"]] == ["repeat"]
