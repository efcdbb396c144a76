"""The faster row bootstraps are the plain row bootstrap: each replicate equals the scikit-learn
function on the explicitly resampled rows (the sums draw the plain bootstrap's very indices; the
binary AUC draws the class count first, the same distribution), and the delta method equals its
references where they exist."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.metrics as skm
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_modelgate.metrics import _boot_fast, _ci, evaluate, get_metric
from pytest_modelgate.metrics._inputs import check_inputs


def _indices(n: int, b: int, seed: int, width: int = 1) -> np.ndarray:
    return np.concatenate(list(_boot_fast.draws(n, b, np.random.default_rng(seed), width)))


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 60), b=st.integers(1, 25), seed=st.integers(0, 2**32 - 1),
       ties=st.booleans())
def test_binary_auc_replicates_equal_sklearn_on_resampled_rows(
    n: int, b: int, seed: int, ties: bool
) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    s = 0.4 * y + rng.random(n)
    if ties:
        s = np.round(s, 1)
    fast = _boot_fast.BinaryAuc(y == 1, s)
    reps = fast.replicates(b, np.random.default_rng(seed + 1))
    drawn = list(fast.draw(np.random.default_rng(seed + 1), b))
    for rep, (neg, pos) in zip(reps, drawn, strict=True):
        idx = fast.rows(neg, pos)
        assert idx.size == n
        if np.unique(y[idx]).size < 2:
            assert np.isnan(rep)
        else:
            assert rep == pytest.approx(skm.roc_auc_score(y[idx], s[idx]), rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 60), b=st.integers(1, 25), seed=st.integers(0, 2**32 - 1),
       name=st.sampled_from(["r2", "log_loss", "mse"]), weighted=st.booleans())
def test_sum_replicates_equal_sklearn_on_resampled_rows(
    n: int, b: int, seed: int, name: str, weighted: bool
) -> None:
    rng = np.random.default_rng(seed)
    if name == "log_loss":
        y = np.r_[0, 1, rng.integers(0, 2, n)]
        p = np.clip(0.3 * y + 0.7 * rng.random(n + 2), 0, 1)
    else:
        y = np.exp(rng.normal(3.0, 0.5, n + 2))
        p = y * np.exp(rng.normal(0, 0.2, n + 2))
    w = rng.uniform(0.5, 2.0, n + 2) if weighted else None
    spec = get_metric(name)
    chk = check_inputs(spec, y, p, w)
    sc = _ci.sum_columns(spec, chk)
    assert sc is not None
    reps = sc.finish(_boot_fast.resampled_sums(sc.cols, b, np.random.default_rng(seed + 1)))
    for rep, idx in zip(reps, _indices(n + 2, b, seed + 1), strict=True):
        if name == "r2" and np.unique(y[idx]).size == 1:
            continue  # SST is 0: scikit-learn's value is rounding noise (see the test below)
        sw = None if w is None else w[idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if name == "log_loss":
                ref = skm.log_loss(y[idx], p[idx], sample_weight=sw, labels=[0, 1])
            elif name == "r2":
                ref = skm.r2_score(y[idx], p[idx], sample_weight=sw)
            else:
                ref = skm.mean_squared_error(y[idx], p[idx], sample_weight=sw)
        assert rep == pytest.approx(ref, rel=1e-9, abs=1e-9)


def test_fast_paths_are_seeded_and_reproducible() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 500)
    s = 0.5 * y + rng.random(500)
    yr = rng.normal(size=500)
    pr = yr + 0.5 * rng.normal(size=500)
    a = [evaluate("roc_auc", y, s, confidence=0.9, ci_method="bootstrap", seed=5,
                  n_resamples=300).ci for _ in range(2)]
    b = [evaluate("r2", yr, pr, confidence=0.9, seed=5,
                  n_resamples=300).ci for _ in range(2)]
    assert a[0] == a[1]
    assert b[0] == b[1]
    assert a[0] != evaluate("roc_auc", y, s, confidence=0.9, ci_method="bootstrap", seed=6,
                            n_resamples=300).ci


def test_chunks_bound_memory() -> None:
    n = 100_000
    for idx in _boot_fast.draws(n, 1000, np.random.default_rng(0), width=2):
        assert idx.size * idx.itemsize <= 256 * 2**20 // 8


def test_the_class_by_class_auc_draws_match_the_row_bootstrap_in_distribution() -> None:
    """Drawing the class count, then each class uniformly, is the row bootstrap's distribution:
    4000 replicates each way (the plain one by Mann-Whitney counts on row multiplicities)."""
    from scipy import stats

    rng = np.random.default_rng(11)
    n = 40
    y = rng.integers(0, 2, n)
    s = np.round(0.4 * y + rng.random(n), 1)
    fast = _boot_fast.BinaryAuc(y == 1, s).replicates(4000, np.random.default_rng(1))
    idx = np.random.default_rng(2).integers(0, n, size=(4000, n))
    counts = np.stack([np.bincount(r, minlength=n) for r in idx]).astype(float)
    gt = (s[:, None] > s[None, :]) + 0.5 * (s[:, None] == s[None, :])
    cp, cn = counts * (y == 1), counts * (y == 0)
    plain = np.einsum("bi,ij,bj->b", cp, gt, cn) / (cp.sum(axis=1) * cn.sum(axis=1))
    assert np.isfinite(fast).all()
    assert np.isfinite(plain).all()
    assert stats.ks_2samp(fast, plain).pvalue > 0.001
    assert abs(fast.mean() - plain.mean()) < 0.01
    assert fast.std() == pytest.approx(plain.std(), rel=0.08)
    # the parts: Binomial(n, n_pos / n) positives, each class drawn uniformly
    auc = _boot_fast.BinaryAuc(y == 1, s)
    drawn = list(auc.draw(np.random.default_rng(3), 4000))
    k_pos = np.array([pos.size for _, pos in drawn])
    share = (y == 1).mean()
    assert stats.binomtest(int(k_pos.sum()), 4000 * n, share).pvalue > 0.001
    assert k_pos.var() == pytest.approx(n * share * (1 - share), rel=0.1)
    for part, size in ((0, int((y == 0).sum())), (1, int((y == 1).sum()))):
        hits = np.bincount(np.concatenate([d[part] for d in drawn]), minlength=size)
        assert stats.chisquare(hits).pvalue > 0.001


@pytest.mark.parametrize("name", ["r2", "explained_variance"])
def test_a_resample_of_one_repeated_row_follows_the_zero_spread_convention(name: str) -> None:
    """Found by hypothesis: a weighted resample that drew one row twice has SST = 0, but
    sum(y^2) - sum(y)^2 / w leaves rounding noise and scored r2 -7.9e15. scikit-learn's own
    weighted mean leaves such noise on other inputs, so the replicate follows scikit-learn's rule
    for a zero denominator instead: 1 if the numerator is 0 too, else 0."""
    y = np.array([31.18052258, 47.64009994, 8.77221039, 12.45617762, 20.0])
    p = np.array([25.95855893, 72.30436914, 7.44891333, 14.0963568, 20.0])
    w = np.array([1.68794506, 1.47594645, 1.11973569, 1.36418042, 0.9])
    spec = get_metric(name)
    sc = _ci.sum_columns(spec, check_inputs(spec, y, p, w))
    assert sc is not None
    for row in range(5):
        sums = sc.cols[[row] * 4].sum(axis=0)[None, :]
        # r2: 1 - SSE / SST with SST = 0; explained variance: the residuals have no spread either
        expected = 1.0 if name == "explained_variance" or row == 4 else 0.0
        assert sc.finish(sums)[0] == expected
