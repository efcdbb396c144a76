"""Input checks (each error names the argument and the fix) and the registry's behaviour."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.exceptions import ConfigError, InputError, UnknownNameError
from pytest_modelgate.metrics import (
    evaluate,
    get_metric,
    get_metric_names,
    register_metric,
    unregister_metric,
)

Y = np.array([0, 1, 1, 0, 1, 0, 1, 1])
P = np.array([0, 1, 0, 0, 1, 1, 1, 1])
S = np.array([0.1, 0.9, 0.4, 0.2, 0.8, 0.6, 0.7, 0.95])


@pytest.mark.parametrize(
    ("name", "y", "p", "kw", "match"),
    [
        ("accuracy", Y, P[:-1], {}, r"y_true and y_pred have different lengths.*\(8,\).*\(7,\)"),
        ("accuracy", [], [], {}, "y_true: is empty"),
        ("accuracy", None, P, {}, "y_true: got None"),
        ("mae", np.r_[1.0, np.nan, 2.0], [1.0, 2.0, 3.0], {}, "y_true: contains NaN in 1 row"),
        ("mae", [1.0, 2.0, 3.0], [1.0, np.inf, 3.0], {}, "y_pred: contains inf"),
        ("accuracy", np.array(["a", None, "b"], dtype=object), ["a", "b", "b"], {},
         "y_true: contains a missing value"),
        ("accuracy", [0.1, 0.5, 0.7], [0, 1, 1], {}, "y_true: looks continuous"),
        ("accuracy", Y, S, {}, "y_pred: looks like scores or probabilities.*model.predict"),
        ("r2", ["a", "b"], ["a", "b"], {}, "y_true: 'r2' is a regression metric"),
        ("roc_auc", np.ones(8, dtype=int), S, {}, "y_true: holds a single class"),
        ("log_loss", Y, S * 2, {}, r"y_pred: 'log_loss' needs probabilities in \[0; 1\], got values in \[0.2; 1.9\]"),
        ("log_loss", [0, 1, 2], [[0.5, 0.3, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.8]], {},
         "y_pred: probability rows must sum to 1.*row 0"),
        ("roc_auc", Y, np.column_stack([1 - S, S]), {}, r"proba\[:, 1\]"),
        ("roc_auc", [0, 1, 2, 1], [0.1, 0.5, 0.9, 0.4], {}, "roc_auc_ovr"),
        ("accuracy", Y, P, {"sample_weight": -np.ones(8)}, "sample_weight: contains negative"),
        ("accuracy", Y, P, {"sample_weight": np.ones(3)}, "sample_weight: has 3 rows"),
        ("accuracy", Y, P, {"sample_weight": np.zeros(8)}, "sample_weight: all weights are zero"),
        ("accuracy", np.ones((8, 2)), P, {}, r"y_true: expected a 1-D array, got shape \(8, 2\)"),
        ("f1", [0, 1, 2, 2], [0, 1, 2, 1], {}, "f1: the inputs were rejected.*average"),
    ],
)
def test_input_errors_name_the_argument(name: str, y: object, p: object, kw: dict[str, object],
                                        match: str) -> None:
    with pytest.raises(InputError, match=match):
        evaluate(name, y, p, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"confidence": 1.5}, "confidence must be a number in \\(0, 1\\), e.g. 0.95; got 1.5"),
        ({"confidence": True}, "confidence"),
        ({"confidence": 0.9, "n_resamples": 5}, "n_resamples must be an integer in \\[10, 1000000\\]; got 5"),
        ({"confidence": 0.9, "ci_method": "jackknife"}, "ci_method: unknown method 'jackknife'"),
        ({"confidence": 0.9, "ci_method": "delong"}, "delong"),
        ({"ci_method": "wilson"}, "set confidence="),
        ({"average": "macro"}, "average='macro' does not apply to 'accuracy'"),
    ],
)
def test_config_errors(kw: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        evaluate("accuracy", Y, P, **kw)  # type: ignore[arg-type]


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError) as info:
        evaluate("f1_macr", Y, P)
    assert "f1_macro" in str(info.value)
    assert info.value.close[0] == "f1_macro"
    assert isinstance(info.value, KeyError)


def test_inputs_lists_numpy_pandas() -> None:
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")
    a = evaluate("accuracy", list(Y), list(P)).value
    b = evaluate("accuracy", Y, P).value
    c = evaluate("accuracy", pd.Series(Y), pd.Series(P)).value
    d = evaluate("accuracy", pd.DataFrame({"y": Y}), pd.Series(P)).value
    assert a == b == c == d == pytest.approx(0.75)
    y3 = np.array([0, 1, 2, 0, 1, 2])
    m = np.array([[.7, .2, .1], [.1, .8, .1], [.2, .2, .6], [.5, .4, .1], [.3, .3, .4],
                  [.1, .3, .6]])
    from sklearn.metrics import roc_auc_score

    got = evaluate("roc_auc_ovr", pd.Series(y3), pd.DataFrame(m, columns=["a", "b", "c"]))
    assert got.value == pytest.approx(roc_auc_score(y3, m, multi_class="ovr"))


def test_string_labels_and_average_keyword() -> None:
    y = np.array(["cat", "dog", "dog", "cat", "bird", "bird"])
    p = np.array(["cat", "dog", "cat", "cat", "bird", "dog"])
    r = evaluate("f1", np.tile(y, 4), np.tile(p, 4), average="macro", confidence=0.9,
                 n_resamples=100)
    assert r.name == "f1_macro"
    assert r.ci is not None
    from sklearn.metrics import f1_score

    assert r.value == pytest.approx(f1_score(y, p, average="macro"))
    pos = evaluate("precision", (y == "dog").astype(int), (p == "dog").astype(int))
    assert pos.value == pytest.approx(0.5)


def test_pos_label_passes_through() -> None:
    y = np.array(["no", "yes", "yes", "no", "yes"])
    p = np.array(["no", "yes", "no", "no", "yes"])
    r = evaluate("recall", np.tile(y, 4), np.tile(p, 4), pos_label="yes", confidence=0.9,
                 n_resamples=100)
    assert r.value == pytest.approx(2 / 3)
    assert r.ci is not None
    assert "multinomial" in r.details["resampling"]


def test_register_and_unregister_custom_metric() -> None:
    def hit_rate(y_true: np.ndarray, y_pred: np.ndarray) -> float:
        """Share of rows where the prediction is exactly right."""
        return float(np.mean(np.asarray(y_true) == np.asarray(y_pred)))

    spec = register_metric("hit_rate", hit_rate, direction="higher", needs="labels",
                           perfect=1.0)
    try:
        assert "hit_rate" in get_metric_names()
        assert get_metric("hit_rate") is spec
        assert spec.description.startswith("Share of rows")
        r = evaluate("hit_rate", np.tile(Y, 10), np.tile(P, 10), confidence=0.9, n_resamples=100,
                     seed=1)
        assert r.value == pytest.approx(0.75)
        assert r.method == "bootstrap"
        assert r.ci is not None
        with pytest.raises(ConfigError, match="already registered"):
            register_metric("hit_rate", hit_rate)
        register_metric("hit_rate", hit_rate, direction="lower", overwrite=True)
        assert get_metric("hit_rate").direction == "lower"
        with pytest.raises(InputError, match="does not support sample weights"):
            evaluate("hit_rate", Y, P, sample_weight=np.ones(8))
    finally:
        unregister_metric("hit_rate")
    assert "hit_rate" not in get_metric_names()
    with pytest.raises(UnknownNameError):
        unregister_metric("hit_rate")


def test_register_validates() -> None:
    with pytest.raises(ConfigError, match="direction"):
        register_metric("x_metric", lambda a, b: 0.0, direction="up")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="needs"):
        register_metric("x_metric", lambda a, b: 0.0, needs="logits")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="callable"):
        register_metric("x_metric", 3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="built in"):
        unregister_metric("accuracy")
    assert "x_metric" not in get_metric_names()


def test_every_entry_is_consistent() -> None:
    for name in get_metric_names():
        spec = get_metric(name)
        assert spec.direction in ("higher", "lower")
        assert spec.needs in ("labels", "scores", "proba")
        if name.startswith("neg_"):
            assert spec.direction == "higher"
            assert spec.sign == -1.0
        lo, hi = spec.bounds
        assert lo <= hi
        if spec.perfect is not None:
            assert lo <= spec.perfect <= hi


def test_d2_brier_score_follows_the_installed_scikit_learn() -> None:
    """Registered exactly when scikit-learn has it (1.8+); else the ordinary unknown-metric error."""
    import sklearn.metrics as skm

    if hasattr(skm, "d2_brier_score"):
        assert "d2_brier_score" in get_metric_names()
        proba = np.column_stack([1 - S, S])
        assert evaluate("d2_brier_score", Y, proba).value == pytest.approx(
            skm.d2_brier_score(Y, proba))
    else:
        assert "d2_brier_score" not in get_metric_names()
        with pytest.raises(UnknownNameError, match="unknown metric 'd2_brier_score'"):
            evaluate("d2_brier_score", Y, np.column_stack([1 - S, S]))


def test_registry_loads_on_a_scikit_learn_without_d2_brier_score(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """scikit-learn 1.7 (the newest for Python 3.10) has neither the function nor its scorer."""
    import sklearn.metrics as skm

    from pytest_modelgate.metrics import _registry

    names = [n for n in skm.get_scorer_names() if n != "d2_brier_score"]
    monkeypatch.delattr(skm, "d2_brier_score", raising=False)
    monkeypatch.setattr(skm, "get_scorer_names", lambda: list(names))
    monkeypatch.setattr(_registry, "_REGISTRY", {})
    monkeypatch.setattr(_registry, "_LOADED", False)
    assert "d2_brier_score" not in get_metric_names()
    assert "d2_log_loss_score" in get_metric_names()
    with pytest.raises(UnknownNameError, match="unknown metric 'd2_brier_score'"):
        get_metric("d2_brier_score")
