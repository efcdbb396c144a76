"""input_validation on ordinary scikit-learn pipelines: string / text columns and columns
selected by name must pass (never a raw traceback, never a false "garbage")."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

from pytest_modelgate.gates import Gate, GateContext

warnings.filterwarnings("ignore", category=UserWarning)
pd = pytest.importorskip("pandas")


def _gate() -> Gate:
    return Gate(GateContext(nodeid="t::iv_pipelines", seed=0))


def _passes(model: Any, X: Any) -> None:
    r = _gate().input_validation(model, X)
    assert r.verdict == "passed", r.message


def test_imputer_one_hot_with_a_string_first_column() -> None:
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"c": rng.choice(["a", "b", None], 200), "x": rng.normal(size=200)})
    y = rng.integers(0, 2, 200)
    m = make_pipeline(make_column_transformer(
        (make_pipeline(SimpleImputer(strategy="most_frequent"),
                       OneHotEncoder(handle_unknown="ignore")), ["c"]),
        (SimpleImputer(), ["x"])), LogisticRegression()).fit(X, y)
    r = _gate().input_validation(m, X.head(20))
    assert r.verdict == "passed", r.message
    cases = {c["case"]: c for c in r.details["cases"]} if "cases" in r.details else {}
    if cases:  # the numeric cases went to the numeric column 'x'
        assert cases["nan"]["outcome"] in ("raised", "valid")


def test_ordinal_encoder_on_a_string_column() -> None:
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"c": rng.choice(["a", "b"], 200)})
    y = (X.c == "a").astype(int)
    m = make_pipeline(OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1),
                      DecisionTreeClassifier()).fit(X, y)
    _passes(m, X.head(20))


@pytest.mark.parametrize("as_list", [False, True])
def test_tfidf_text_pipeline(as_list: bool) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    X = np.array(["good movie", "bad film", "great plot", "awful acting"] * 50)
    y = np.array([1, 0, 1, 0] * 50)
    m = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(X, y)
    _passes(m, list(X[:20]) if as_list else X[:20])


def test_column_transformer_that_ignores_a_column_by_name_passes_too_few_columns() -> None:
    from sklearn.compose import make_column_transformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200),
                      "c": rng.normal(size=200)})
    y = (X.a > 0).astype(int)
    m = make_pipeline(make_column_transformer(("passthrough", ["a", "b"]), remainder="drop"),
                      LogisticRegression()).fit(X, y)
    _passes(m, X.head(20))


class _DropLastPad:
    """Accepts a frame missing its last column and pads it with zeros: predictions change."""

    def __init__(self, model: Any, cols: list[str]) -> None:
        self.model, self.cols = model, cols

    def predict(self, X: Any) -> np.ndarray:
        X = X.reindex(columns=self.cols, fill_value=0.0)
        return np.asarray(self.model.predict(X))


def test_frame_wrapper_that_pads_a_used_missing_column_still_fails() -> None:
    from sklearn.linear_model import LinearRegression

    rng = np.random.default_rng(2)
    X = pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100) + 3})
    m = _DropLastPad(LinearRegression().fit(X, X.a + 2 * X.b), list(X.columns))
    r = _gate().input_validation(m, X.head(10))
    assert r.verdict == "failed"
    assert "too_few_columns" in r.message
