"""Issue #10 item 5 follow-up: scikit-learn models trained with non-default losses (absolute
error, quantile, Huber, Poisson, gamma, Tweedie, exponential, the SGD losses) pickle their own
loss and link objects; they scan SAFE and load with the safe loaders, pickle and joblib."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
import pytest

from pytest_modelgate.security import load_joblib_safely, load_pickle_safely, scan_bytes
from pytest_modelgate.security.derive import loss_models

_MODELS = loss_models()


@pytest.mark.parametrize(("name", "model"), _MODELS, ids=[n for n, _ in _MODELS])
def test_non_default_loss_models_scan_safe_and_load(name: str, model: object,
                                                    tmp_path: Path) -> None:
    joblib = pytest.importorskip("joblib")
    X = np.random.default_rng(1).normal(size=(5, 3))
    expected = model.predict(X)  # type: ignore[attr-defined]
    for protocol in (2, 5):
        data = pickle.dumps(model, protocol=protocol)
        result = scan_bytes(data, name=f"{name}.pkl")
        assert result.safe, (name, protocol, [f.describe() for f in result.findings])
    path = tmp_path / f"{name}.pkl"
    path.write_bytes(data)
    np.testing.assert_array_equal(load_pickle_safely(path).predict(X), expected)
    buf = io.BytesIO()
    joblib.dump(model, buf)
    assert scan_bytes(buf.getvalue(), name=f"{name}.joblib").safe
    jpath = tmp_path / f"{name}.joblib"
    jpath.write_bytes(buf.getvalue())
    np.testing.assert_array_equal(load_joblib_safely(jpath).predict(X), expected)
