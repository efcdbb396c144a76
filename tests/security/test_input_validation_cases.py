"""input_validation: a wrong column count must be rejected, and dtype cases (object, bool,
float16, integers beyond int64 / float range) must raise clearly or predict as on float64."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.security.inputs import check_inputs

warnings.filterwarnings("ignore", category=UserWarning)


@pytest.fixture(scope="module")
def fitted() -> tuple[Any, np.ndarray]:
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    return LogisticRegression().fit(X, y), X


class _Padding:
    """A serving wrapper that pads missing columns with zeros and drops extra ones: any width in."""

    def __init__(self, model: Any, width: int) -> None:
        self.model, self.width = model, width

    def _fix(self, X: Any) -> np.ndarray:
        a = np.asarray(X, dtype=float)
        if a.shape[1] < self.width:
            a = np.hstack([a, np.zeros((a.shape[0], self.width - a.shape[1]))])
        return a[:, :self.width]

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.model.predict(self._fix(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        return np.asarray(self.model.predict_proba(self._fix(X)))


class _Truncating(_Padding):
    """Keeps the first `width` columns it gets (too many: truncated; too few: fewer features)."""

    def _fix(self, X: Any) -> np.ndarray:
        a = np.asarray(X, dtype=float)[:, :self.width]
        return a if a.shape[1] == self.width else np.hstack(
            [a, np.full((a.shape[0], self.width - a.shape[1]), a.mean())])


class _Int32Cast(_Padding):
    """Casts every input to int32 after float: wraps huge integers silently."""

    def _fix(self, X: Any) -> np.ndarray:
        a = np.asarray(X)
        if a.dtype.kind == "O":
            a = np.array([[float(v) if not isinstance(v, int) else v % 2**32 - 2**31
                           for v in row] for row in a], dtype=float)
        a = np.asarray(a, dtype=np.float64)
        return np.where(np.abs(a) > 1e9, -a, a)


class _Float16Garbage(_Padding):
    """Treats float16 buffers as if they were something else: a sign flip on the first column."""

    def _fix(self, X: Any) -> np.ndarray:
        a = np.asarray(X)
        out = np.asarray(a, dtype=float).copy()
        if a.dtype in (np.float16, np.bool_, np.object_):
            out[:, 0] = -out[:, 0] * 100
        return out


def _outcomes(model: Any, X: Any, **kw: Any) -> dict[str, str]:
    return {o.case: o.outcome for o in check_inputs(model, X, **kw).outcomes}


def test_padding_wrapper_fails_the_gate(fitted) -> None:
    model, X = fitted
    r = Gate(GateContext(nodeid="t::t")).input_validation(_Padding(model, 4), X[:20])
    cases = {c["case"]: c["outcome"] for c in r.details["cases"]}
    assert cases["too_few_columns"] == "garbage"
    assert cases["too_many_columns"] == "garbage"
    assert r.verdict == "failed"
    assert "too_few_columns -> garbage" in r.message
    assert "3 columns instead of 4" in r.message


def test_truncating_wrapper_fails_the_gate(fitted) -> None:
    model, X = fitted
    out = _outcomes(_Truncating(model, 4), X[:20])
    assert out["too_many_columns"] == "garbage"
    assert out["too_few_columns"] == "garbage"


def test_plain_sklearn_model_still_passes_every_case(fitted) -> None:
    model, X = fitted
    out = _outcomes(model, X[:20])
    assert all(v in ("raised", "valid", "not-applicable") for v in out.values()), out
    assert out["too_few_columns"] == "raised"
    assert out["too_many_columns"] == "raised"
    for case in ("object_dtype", "bool_dtype", "float16", "int_overflow"):
        assert out[case] in ("valid", "raised"), (case, out[case])
    assert out["int_beyond_float"] == "raised"  # OverflowError: int too large to convert


def test_dtype_cases_catch_a_model_that_mishandles_dtypes(fitted) -> None:
    model, X = fitted
    out = _outcomes(_Float16Garbage(model, 4), X[:20])
    assert out["float16"] == "garbage"
    assert out["bool_dtype"] == "garbage"
    assert out["object_dtype"] == "garbage"
    wrap = _outcomes(_Int32Cast(model, 4), X[:20])
    assert wrap["int_overflow"] == "garbage"
    assert wrap["int_beyond_float"] == "garbage"  # any prediction for 10**400 is made up


def test_dataframe_extra_named_column_may_be_ignored_by_name(fitted) -> None:
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    _, X = fitted
    cols = list("abcd")
    frame = pd.DataFrame(X, columns=cols)
    y = (X[:, 0] > 0).astype(int)
    pipe = make_pipeline(ColumnTransformer([("keep", "passthrough", cols)]),
                         LogisticRegression()).fit(frame, y)
    out = _outcomes(pipe, frame.iloc[:20])
    assert out["too_few_columns"] == "raised"
    assert out["too_many_columns"] in ("raised", "valid")
    for case in ("object_dtype", "bool_dtype", "float16", "int_overflow"):
        assert out[case] in ("valid", "raised"), (case, out[case])
    assert out["int_beyond_float"] == "raised"
