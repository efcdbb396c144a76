"""The security judges (artifact, robustness, input validation, membership), the lock file, the
CLI helpers and the safe loaders, checked against references and with failing cases."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from security_corpus import call_p4

from pytest_modelgate.exceptions import ArtifactError, ConfigError, InputError
from pytest_modelgate.gates import Gate, GateContext
from pytest_modelgate.security import (
    check_lock,
    cli_hash,
    cli_scan,
    load_joblib_safely,
    load_pickle_safely,
    load_skops_safely,
    sha256_file,
    write_lock,
)
from pytest_modelgate.security.membership import (
    advantage,
    bootstrap_advantage,
    membership_attack,
)
from pytest_modelgate.security.robustness import flip_rate, wilson_interval

warnings.filterwarnings("ignore", category=UserWarning)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=500, n_features=5, n_informative=3, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def models(data):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    X, y = data
    return {
        "lr": LogisticRegression().fit(X[:250], y[:250]),
        "rf": RandomForestClassifier(n_estimators=30, random_state=0).fit(X[:250], y[:250]),
        "hgb_mono": HistGradientBoostingClassifier(max_iter=30, monotonic_cst=[1, 0, 0, 0, 0])
        .fit(X[:250], y[:250]),
    }


@pytest.fixture
def recorder() -> Gate:
    """A `Gate` outside pytest's plugin (the plugin's own `gate` fixture needs --modelgate)."""
    return Gate(GateContext(nodeid="tests::t", seed=7))


# -- artifact gate -------------------------------------------------------------------------------


def test_artifact_gate_passes_benign_and_fails_malicious(tmp_path: Path, models, recorder) -> None:
    good = tmp_path / "model.pkl"
    good.write_bytes(pickle.dumps(models["rf"], protocol=5))
    r = recorder.artifact(good, sha256=sha256_file(good))
    assert r.passed, r.message
    assert r.kind == "artifact"
    assert r.details["sha256"] == sha256_file(good)
    assert "sklearn.ensemble._forest:RandomForestClassifier" in r.details["globals"]

    bad = tmp_path / "evil.pkl"
    bad.write_bytes(call_p4("os", "system"))
    r = recorder.artifact(bad)
    assert r.verdict == "failed"
    assert "os.system" in r.message
    assert "To fix" in r.message
    assert r.details["findings"][0]["global"] == "os.system"
    assert r.value == 1.0


def test_artifact_gate_hash_pin_lock_and_size(tmp_path: Path, recorder, monkeypatch) -> None:
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps([1, 2, 3]))
    r = recorder.artifact(p, sha256="0" * 64)
    assert r.verdict == "failed"
    assert "pinned" in r.message
    with pytest.raises(ConfigError, match="64-character"):
        recorder.artifact(p, sha256="abc")
    lock = tmp_path / "modelgate.lock"
    lock.write_text(write_lock([p]))
    assert recorder.artifact(p, lock=lock).passed
    p.write_bytes(pickle.dumps([1, 2, 4]))
    r = recorder.artifact(p, lock=lock)
    assert r.verdict == "failed"
    assert "does not match" in r.message
    r = recorder.artifact(p, max_bytes="10B")
    assert r.verdict == "failed"
    assert "max_bytes" in r.message
    with pytest.raises(InputError, match="does not exist"):
        recorder.artifact(tmp_path / "missing.pkl")


def test_lock_roundtrip_and_problems(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.bin").write_bytes(b"a")
    Path("d").mkdir()
    Path("d/b.bin").write_bytes(b"b")
    text = write_lock(["a.bin", "d"])
    assert "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.bin" in text
    Path("modelgate.lock").write_text(text)
    assert check_lock("modelgate.lock") == []
    assert check_lock("modelgate.lock", ["a.bin"]) == []
    Path("c.bin").write_bytes(b"c")
    assert "not pinned" in check_lock("modelgate.lock", ["c.bin"])[0]
    Path("d/b.bin").unlink()
    assert "missing" in check_lock("modelgate.lock")[0]
    Path("bad.lock").write_text("nonsense\n")
    with pytest.raises(InputError, match="expected"):
        check_lock("bad.lock")


def test_cli_scan_and_hash_exit_codes(tmp_path: Path, capsys) -> None:
    good = tmp_path / "g.pkl"
    good.write_bytes(pickle.dumps({"a": 1}))
    bad = tmp_path / "b.pkl"
    bad.write_bytes(call_p4("subprocess", "Popen"))
    assert cli_scan([str(good)]) == 0
    assert "SAFE" in capsys.readouterr().out
    assert cli_scan([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "UNSAFE" in out
    assert "subprocess.Popen" in out
    assert cli_scan([str(good), str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli_scan([str(bad)], as_json=True) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["safe"] is False
    assert doc["results"][0]["findings"][0]["global"] == "subprocess.Popen"
    assert cli_hash([str(good)]) == 0
    assert sha256_file(good) in capsys.readouterr().out
    assert cli_hash([str(tmp_path / "nope")]) == 2


def test_safe_loaders_load_benign_and_refuse_malicious(tmp_path: Path, models) -> None:
    import joblib

    sio = pytest.importorskip("skops.io", reason="skops not installed: pip install 'pytest-modelgate[skops]'")
    p = tmp_path / "m.pkl"
    p.write_bytes(pickle.dumps(models["lr"]))
    assert load_pickle_safely(p).coef_.shape == (1, 5)
    j = tmp_path / "m.joblib"
    joblib.dump(models["rf"], j, compress=3)
    assert load_joblib_safely(j).n_estimators == 30
    assert load_pickle_safely(j).n_estimators == 30  # compressed: handed to joblib
    s = tmp_path / "m.skops"
    sio.dump(models["rf"], s)
    assert load_skops_safely(s).n_estimators == 30
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(call_p4("os", "system", "touch " + str(tmp_path / "pwned")))
    with pytest.raises(ArtifactError, match=r"(?s)refusing to load.*os\.system"):
        load_pickle_safely(evil)
    with pytest.raises(ArtifactError, match=r"os\.system"):
        load_joblib_safely(evil)
    assert not (tmp_path / "pwned").exists()
    assert load_pickle_safely(p, allow=["x.y"]).coef_.shape == (1, 5)


# -- robustness ----------------------------------------------------------------------------------


def test_flip_rate_ci_equals_scipy_bootstrap(models, data) -> None:
    from scipy.stats import bootstrap

    X, _ = data
    res = flip_rate(models["rf"], X[250:350], noise=0.2, n_perturbations=8, seed=3)
    rng = np.random.default_rng(3)
    base = models["rf"].predict(X[250:350])
    big = np.repeat(X[250:350], 8, axis=0)
    step = rng.uniform(-1, 1, size=big.shape) * (X[250:350].std(axis=0) * 0.2)
    flips = (np.repeat(base, 8) != models["rf"].predict(big + step)).reshape(100, 8)
    per_row = flips.mean(axis=1)
    assert res.flip_rate == pytest.approx(per_row.mean(), abs=1e-12)
    kw = {"n_resamples": 2000, "method": "percentile"}
    try:
        ref = bootstrap((per_row,), np.mean, rng=np.random.default_rng(3), **kw)
    except TypeError:  # scipy < 1.15 spells it random_state
        ref = bootstrap((per_row,), np.mean, random_state=np.random.default_rng(3), **kw)
    assert res.ci[0] == pytest.approx(ref.confidence_interval.low, abs=1e-9)
    assert res.ci[1] == pytest.approx(ref.confidence_interval.high, abs=1e-9)
    assert res.method == "cluster-bootstrap-percentile"
    assert res.flips > 0


@given(k=st.integers(0, 50), extra=st.integers(0, 50), conf=st.sampled_from([0.8, 0.9, 0.95]))
@settings(max_examples=60, deadline=None)
def test_wilson_interval_equals_statsmodels_formula(k: int, extra: int, conf: float) -> None:
    from scipy.stats import binomtest

    n = k + extra
    if n == 0:
        return
    low, high = wilson_interval(k, n, conf)
    ref = binomtest(k, n).proportion_ci(confidence_level=conf, method="wilson")
    assert low == pytest.approx(ref.low, abs=1e-9)
    assert high == pytest.approx(ref.high, abs=1e-9)


def test_robustness_gate_verdicts_and_reproducibility(models, data, recorder) -> None:
    X, _ = data
    strict = recorder.robustness(models["rf"], X[250:400], noise=0.5, max_flip_rate=0.001)
    assert strict.verdict == "failed"
    assert "max_flip_rate" in strict.message
    assert "To fix" in strict.message
    loose = recorder.robustness(models["lr"], X[250:400], noise=0.01, max_flip_rate=0.2)
    assert loose.passed, loose.message
    again = Gate(GateContext(nodeid="tests::t", seed=7)).robustness(
        models["lr"], X[250:400], noise=0.01, max_flip_rate=0.2)
    assert again.to_dict() == loose.to_dict()
    with pytest.raises(ConfigError, match="noise"):
        recorder.robustness(models["lr"], X, noise=-1)
    with pytest.raises(InputError, match="NaN"):
        recorder.robustness(models["lr"], np.full((3, 5), np.nan))


def test_invariance_and_monotonic_constraints(models, data, recorder) -> None:
    X, _ = data
    # the informative columns matter: shuffling them changes predictions
    r = recorder.robustness(models["lr"], X[250:350], noise=0.01, irrelevant=[0, 1, 2])
    assert r.verdict == "failed"
    assert "invariance" in r.message
    ok = recorder.robustness(models["hgb_mono"], X[250:350], noise=0.01, increasing=[0])
    assert ok.passed, ok.message
    assert ok.details["monotonic"]["violations"] == 0
    bad = recorder.robustness(models["rf"], X[250:350], noise=0.01, increasing=[0],
                          decreasing=[1])
    assert bad.verdict == "failed"
    assert bad.details["monotonic"]["examples"]


def test_hypothesis_variant_shrinks_to_a_minimal_row(models, data, recorder) -> None:
    X, _ = data
    r = recorder.robustness(models["rf"], X[250:350], noise=0.01, increasing=[3], hypothesis=True,
                        n_examples=150)
    assert r.verdict == "failed"
    ce = r.details["hypothesis"]["counterexamples"][0]
    assert ce["property"] == "monotonic"
    assert "minimal counterexample" in r.message
    # shrinking drives irrelevant coordinates to the simplest in-range value
    lo = X[250:350].min(axis=0)
    hi = X[250:350].max(axis=0)
    simple = [0.0 if lo[j] <= 0 <= hi[j] else None for j in range(5)]
    assert sum(ce["row"][str(j)] == simple[j] for j in range(5)) >= 3
    ok = recorder.robustness(models["hgb_mono"], X[250:350], noise=0.01, increasing=[0],
                         hypothesis=True, n_examples=60)
    assert ok.passed, ok.message
    with pytest.raises(ConfigError, match="hypothesis"):
        recorder.robustness(models["lr"], X[250:300], hypothesis=True)


# -- input validation ------------------------------------------------------------------------------


class _Garbage:
    """A model that never validates: NaN in, NaN out; wrong shapes silently accepted."""

    classes_ = np.array([0, 1])

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return X[:, 0] * 0 + np.where(np.isfinite(X[:, 0]), 1.0, np.nan)

    def predict_proba(self, X):
        p = np.clip(np.asarray(X, dtype=float)[:, 0], -5, 5)
        return np.c_[p, 1 - p]


def test_input_validation_passes_sklearn_and_lists_garbage(models, data, recorder) -> None:
    pd = pytest.importorskip("pandas", reason="pandas not installed: pip install 'pytest-modelgate[pandas]'")

    X, _ = data
    r = recorder.input_validation(models["lr"], X[:20])
    assert r.passed, r.message
    frame = pd.DataFrame(X[:20], columns=list("abcde"))
    from sklearn.linear_model import LogisticRegression

    named = LogisticRegression().fit(pd.DataFrame(X[:250], columns=list("abcde")), data[1][:250])
    r = recorder.input_validation(named, frame)
    assert r.passed, r.message
    assert {c["case"]: c["outcome"] for c in r.details["cases"]}["reordered_columns"] == "raised"
    bad = recorder.input_validation(_Garbage(), X[:20])
    assert bad.verdict == "failed"
    cases = {c["case"]: c["outcome"] for c in bad.details["cases"]}
    assert cases["nan"] == "garbage"
    assert cases["single_row"] == "garbage"  # probabilities outside [0, 1]
    assert "nan -> garbage" in bad.message
    with pytest.raises(InputError, match="at least 2"):
        recorder.input_validation(models["lr"], X[:1])
    with pytest.raises(Exception, match="did you mean"):
        recorder.input_validation(models["lr"], X[:5], cases=["nann"])


# -- membership --------------------------------------------------------------------------------


@given(n1=st.integers(3, 40), n2=st.integers(3, 40), seed=st.integers(0, 10_000),
       ties=st.booleans())
@settings(max_examples=60, deadline=None)
def test_advantage_equals_ks_and_roc_references(n1: int, n2: int, seed: int, ties: bool) -> None:
    from scipy.stats import ks_2samp
    from sklearn.metrics import roc_curve

    rng = np.random.default_rng(seed)
    a = rng.exponential(size=n1)
    b = rng.exponential(size=n2) * 1.5
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    adv, _ = advantage(a, b)
    ks = ks_2samp(a, b, alternative="greater").statistic
    assert adv == pytest.approx(max(ks, 0.0), abs=1e-9)
    fpr, tpr, _ = roc_curve(np.r_[np.ones(n1), np.zeros(n2)], -np.r_[a, b])
    assert adv == pytest.approx(max(0.0, float(np.max(tpr - fpr))), abs=1e-9)


def test_vectorised_bootstrap_equals_loop() -> None:
    rng = np.random.default_rng(0)
    a, b = np.round(rng.exponential(size=30), 1), np.round(rng.exponential(size=25) * 2, 1)
    fast = bootstrap_advantage(a, b, n_resamples=300, seed=5, chunk=64)
    r = np.random.default_rng(5)
    slow = []
    for start in range(0, 300, 64):
        m = min(64, 300 - start)
        i1 = r.integers(0, 30, size=(m, 30))
        i2 = r.integers(0, 25, size=(m, 25))
        slow += [advantage(a[i1[k]], b[i2[k]])[0] for k in range(m)]
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_membership_gate_catches_overfitting(models, data, recorder) -> None:
    X, y = data
    leak = recorder.membership(models["rf"], (X[:250], y[:250]), (X[250:], y[250:]),
                           max_advantage=0.1)
    assert leak.verdict == "failed"
    assert leak.ci is not None
    assert "memorises" in leak.message
    ok = recorder.membership(models["lr"], (X[:250], y[:250]), (X[250:], y[250:]),
                         max_advantage=0.3)
    assert ok.passed, ok.message
    res = membership_attack(models["lr"], (X[:250], y[:250]), (X[250:], y[250:]), seed=7)
    assert ok.value == res.advantage
    with pytest.raises(InputError, match="pair"):
        recorder.membership(models["lr"], X, (X, y))
    with pytest.raises(InputError, match="rows"):
        recorder.membership(models["lr"], (X[:10], y[:9]), (X, y))
