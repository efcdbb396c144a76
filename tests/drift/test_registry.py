"""The property battery over every registered drift test, and the registry itself."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_modelgate.drift import (
    detect,
    get_test,
    get_test_names,
    register_test,
    unregister_test,
)
from pytest_modelgate.drift._data import summarize
from pytest_modelgate.exceptions import ConfigError, UnknownNameError

BUILTINS = ["ks", "chisquare", "gtest", "ztest", "fisher", "psi", "jensenshannon", "hellinger",
            "wasserstein", "anderson", "cvm", "energy", "mannwhitney", "ttest"]
# tests whose statistic is symmetric in (reference, current) up to sign; the binned distances
# (psi, jensenshannon, hellinger) cut numeric bins at the reference deciles, so they are not
SYMMETRIC = {"ks", "chisquare", "gtest", "wasserstein", "anderson", "cvm", "energy", "ttest",
             "ztest", "fisher"}


def _data(kind: str, rng: np.random.Generator, n: int, shift: float = 0.0) -> np.ndarray:
    if kind == "numeric":
        return rng.normal(loc=shift, size=n)
    if kind == "binary":
        return (rng.random(n) < 0.3 + shift).astype(np.int64)
    p = np.array([0.5, 0.3, 0.2]) + np.array([-shift, 0, shift])
    return rng.choice(np.array(["a", "b", "c"], dtype=object), size=n, p=p)


def _kind(name: str) -> str:
    t = get_test(name)
    if "numeric" in t.kinds:
        return "numeric"
    return "binary" if t.kinds == ("binary",) else "categorical"


def _summ(x: np.ndarray) -> object:
    return summarize(x, categorical=x.dtype == object)


def test_names_match_the_design() -> None:
    assert get_test_names()[: len(BUILTINS)] == BUILTINS


def test_unknown_name_lists_close_matches() -> None:
    with pytest.raises(UnknownNameError, match="did you mean 'ks'"):
        get_test("kss")
    with pytest.raises(UnknownNameError, match="wasserstein"):
        detect(np.zeros((5, 1)), np.zeros((5, 1)), method="wasserstien")


@pytest.mark.parametrize("name", BUILTINS)
def test_identical_samples_do_not_drift(name: str) -> None:
    rng = np.random.default_rng(1)
    x = _data(_kind(name), rng, 400)
    res = detect(x, x.copy(), method=name)
    col = res.columns[0]
    assert col.test == name
    assert not col.drifted, col.reason
    assert res.share_drifted == 0.0
    if col.p_value is not None and name not in ("anderson",):
        assert col.p_value > 0.5
    if col.effect is not None:
        assert col.effect == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("name", BUILTINS)
def test_order_invariance(name: str) -> None:
    rng = np.random.default_rng(2)
    kind = _kind(name)
    a, b = _data(kind, rng, 300), _data(kind, rng, 250, shift=0.1)
    t = get_test(name)
    o1 = t.func(_summ(a), _summ(b))  # type: ignore[arg-type]
    o2 = t.func(_summ(a[::-1].copy()), _summ(rng.permutation(b)))  # type: ignore[arg-type]
    assert o1.statistic == o2.statistic
    assert o1.p_value == o2.p_value


@pytest.mark.parametrize("name", sorted(SYMMETRIC))
def test_symmetry(name: str) -> None:
    rng = np.random.default_rng(3)
    kind = _kind(name)
    a, b = _data(kind, rng, 300), _data(kind, rng, 300, shift=0.15)
    t = get_test(name)
    o1 = t.func(_summ(a), _summ(b))  # type: ignore[arg-type]
    o2 = t.func(_summ(b), _summ(a))  # type: ignore[arg-type]
    if name in ("ttest", "ztest"):
        assert o1.statistic == pytest.approx(-o2.statistic, rel=1e-9)
    elif name == "fisher":
        assert o1.statistic == pytest.approx(1.0 / o2.statistic, rel=1e-9)
    else:
        assert o1.statistic == pytest.approx(o2.statistic, rel=1e-9, abs=1e-12)
    if o1.p_value is not None:
        assert o1.p_value == pytest.approx(o2.p_value, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", BUILTINS)
def test_a_large_shift_drifts(name: str) -> None:
    rng = np.random.default_rng(4)
    kind = _kind(name)
    shift = {"numeric": 1.0, "binary": 0.4, "categorical": 0.3}[kind]
    a, b = _data(kind, rng, 600), _data(kind, rng, 600, shift=shift)
    col = detect(a, b, method=name).columns[0]
    assert col.drifted, col.reason


def test_register_and_unregister_a_custom_test() -> None:
    def mean_gap(ref: np.ndarray, cur: np.ndarray) -> float:
        return abs(float(ref.mean()) - float(cur.mean()))

    register_test("mean_gap", mean_gap, kinds="numeric", p_value=False, threshold=0.5)
    try:
        assert "mean_gap" in get_test_names()
        with pytest.raises(ConfigError, match="already exists"):
            register_test("mean_gap", mean_gap, p_value=False, threshold=1)
        x = np.arange(100.0)
        res = detect(x, x + 1.0, method="mean_gap")
        assert res.columns[0].drifted
        assert res.columns[0].statistic == pytest.approx(1.0)
        assert not detect(x, x + 0.1, method="mean_gap").columns[0].drifted
    finally:
        unregister_test("mean_gap")
    assert "mean_gap" not in get_test_names()
    with pytest.raises(ConfigError, match="built-in"):
        unregister_test("ks")


def test_register_rejects_bad_specs() -> None:
    with pytest.raises(ConfigError, match="kinds"):
        register_test("bad", lambda a, b: 1.0, kinds="text")
    with pytest.raises(ConfigError, match="threshold"):
        register_test("bad", lambda a, b: 1.0, p_value=False)
    assert "bad" not in get_test_names()


def test_custom_test_with_p_value_joins_the_correction() -> None:
    from scipy import stats

    def welch(ref: np.ndarray, cur: np.ndarray) -> tuple[float, float]:
        r = stats.ttest_ind(ref, cur, equal_var=False)
        return float(r.statistic), float(r.pvalue)

    register_test("welch2", welch)
    try:
        rng = np.random.default_rng(5)
        x = rng.normal(size=(200, 4))
        y = rng.normal(size=(200, 4))
        y[:, 0] += 1
        res = detect(x, y, method="welch2")
        p = [res.columns[i].p_value for i in range(4)]
        assert res.columns[0].drifted
        assert res.columns[0].p_adjusted == pytest.approx(min(1.0, 4 * min(p)))
    finally:
        unregister_test("welch2")
