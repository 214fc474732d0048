"""Tests of mlkit.stats (corrected t-test, Holm, exchangeability) and splits.repeated_folds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from sklearn.model_selection import KFold, StratifiedGroupKFold, TimeSeriesSplit

from mlkit.splits import TimeOrderedSplit, repeated_folds
from mlkit.stats import check_exchangeable, corrected_ttest, holm

# --------------------------------------------------------------------------- corrected_ttest


def test_corrected_ttest_matches_hand_computation():
    d = [0.02, 0.03, 0.01, 0.04, 0.02]
    # by hand: mean 0.024; squared deviations 16, 36, 196, 256, 16 (x 1e-6), sum 520e-6
    mean, var = 0.024, 520e-6 / 4
    se = math.sqrt(var) * math.sqrt(1 / 5 + 0.25)
    t = mean / se
    result = corrected_ttest(d, test_train_ratio=0.25, alternative="greater", confidence=0.9)
    assert result.mean == pytest.approx(mean)
    assert result.std == pytest.approx(math.sqrt(var))
    assert result.standard_error == pytest.approx(se)
    assert result.t_statistic == pytest.approx(t)
    assert result.df == 4
    assert result.p_value == pytest.approx(scipy_stats.t.sf(t, 4))
    half = scipy_stats.t.ppf(0.95, 4) * se
    assert (result.ci_low, result.ci_high) == pytest.approx((mean - half, mean + half))
    assert result.corrected and result.n == 5
    assert result.to_frame().shape == (1, 12)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_corrected_ttest_uncorrected_equals_scipy_ttest_1samp(alternative):
    d = np.random.default_rng(3).normal(0.1, 1.0, size=12)
    ours = corrected_ttest(d, test_train_ratio=0.5, alternative=alternative, corrected=False)
    theirs = scipy_stats.ttest_1samp(d, 0.0, alternative=alternative)
    assert ours.t_statistic == pytest.approx(theirs.statistic)
    assert ours.p_value == pytest.approx(theirs.pvalue)
    if alternative == "two-sided":
        ci = theirs.confidence_interval(0.95)
        assert (ours.ci_low, ours.ci_high) == pytest.approx((ci.low, ci.high))


def test_corrected_ttest_is_wider_than_naive():
    d = np.random.default_rng(0).normal(0.2, 1.0, size=30)
    naive = corrected_ttest(d, test_train_ratio=0.25, corrected=False, alternative="two-sided")
    corrected = corrected_ttest(d, test_train_ratio=0.25, alternative="two-sided")
    assert corrected.standard_error / naive.standard_error == pytest.approx(
        math.sqrt((1 / 30 + 0.25) / (1 / 30))
    )
    assert corrected.p_value > naive.p_value


def test_corrected_ttest_constant_differences():
    assert corrected_ttest([0.1, 0.1, 0.1], test_train_ratio=0.25).p_value == 0.0
    assert corrected_ttest([0.0, 0.0], test_train_ratio=0.25, alternative="two-sided").p_value == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"differences": [0.1]}, "at least 2 finite"),
        ({"differences": [0.1, np.nan]}, "at least 2 finite"),
        ({"test_train_ratio": 0}, "test_train_ratio=0 must be a finite number > 0"),
        ({"test_train_ratio": True}, "test_train_ratio=True"),
        ({"test_train_ratio": float("inf")}, "test_train_ratio=inf"),
        ({"alternative": "bigger"}, "alternative='bigger' is not one of"),
        ({"confidence": 1.0}, "confidence=1.0 must be strictly between 0 and 1"),
    ],
)
def test_corrected_ttest_bad_input(kwargs, match):
    args = {"differences": [0.1, 0.2, 0.3], "test_train_ratio": 0.25} | kwargs
    differences = args.pop("differences")
    with pytest.raises(ValueError, match=match):
        corrected_ttest(differences, **args)


# --------------------------------------------------------------------------- holm


@pytest.mark.parametrize(
    "p_values",
    [
        [0.5],
        [0.01, 0.04, 0.03, 0.2],
        [0.03, 0.03, 0.03, 0.001, 1.0, 0.0],
        np.random.default_rng(7).uniform(0, 0.1, size=15).tolist(),
    ],
)
def test_holm_matches_statsmodels(p_values):
    from statsmodels.stats.multitest import multipletests

    expected = multipletests(p_values, method="holm")[1]
    np.testing.assert_allclose(holm(p_values), expected, rtol=1e-12, atol=1e-15)


def test_holm_hand_case_with_ties():
    # sorted 0.01, 0.03, 0.03 -> 0.03, 0.06, 0.06 (running max), back in input order
    assert holm([0.03, 0.01, 0.03]).tolist() == pytest.approx([0.06, 0.03, 0.06])


@pytest.mark.parametrize(
    ("p_values", "match"),
    [([], "p_values is empty"), ([0.1, 1.2], r"must lie in \[0, 1\]"), ([np.nan], "no NaN")],
)
def test_holm_bad_input(p_values, match):
    with pytest.raises(ValueError, match=match):
        holm(p_values)


# --------------------------------------------------------------------------- check_exchangeable


def test_check_exchangeable_accepts_shuffled_folds():
    check_exchangeable(KFold(5, shuffle=True, random_state=0))
    check_exchangeable(None)
    check_exchangeable(StratifiedGroupKFold(3))


@pytest.mark.parametrize(
    ("cv", "time", "match"),
    [
        (TimeSeriesSplit(3), None, "cv=TimeSeriesSplit gives time-ordered folds"),
        (TimeOrderedSplit(3, time=np.arange(10)), None, "cv=TimeOrderedSplit"),
        (None, np.arange(10), "time gives time-ordered folds"),
    ],
)
def test_check_exchangeable_refuses_time_order(cv, time, match):
    with pytest.raises(ValueError, match=match):
        check_exchangeable(cv, time=time)


# --------------------------------------------------------------------------- repeated_folds


@st.composite
def grouped_binary(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_groups = draw(st.integers(12, 40))
    sizes = draw(st.lists(st.integers(1, 5), min_size=n_groups, max_size=n_groups))
    groups = np.repeat(np.arange(n_groups), sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # one label per group, both classes in at least 3 groups
    labels = np.r_[np.zeros(3), np.ones(3), rng.integers(0, 2, n_groups - 6)].astype(int)
    y = labels[groups]
    order = rng.permutation(groups.size)
    return y[order], groups[order]


@given(grouped_binary())
@settings(max_examples=30, deadline=None)
def test_repeated_folds_groups_never_straddle(data):
    y, groups = data
    folds = repeated_folds(np.zeros((y.size, 1)), y, groups=groups, n_splits=3, n_repeats=2)
    assert len(folds) == 6
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
    for r in range(2):  # every row is tested exactly once per repeat
        tested = np.concatenate([test for _, test in folds[3 * r : 3 * r + 3]])
        assert np.array_equal(np.sort(tested), np.arange(y.size))


def test_repeated_folds_repeats_differ_and_are_reproducible():
    y = np.tile([0, 0, 1], 20)
    a = repeated_folds(np.zeros((60, 1)), y, n_splits=5, n_repeats=3, random_state=0)
    b = repeated_folds(np.zeros((60, 1)), y, n_splits=5, n_repeats=3, random_state=0)
    assert all(np.array_equal(t1, t2) for (_, t1), (_, t2) in zip(a, b, strict=True))
    first_tests = [frozenset(a[5 * r][1].tolist()) for r in range(3)]
    assert len(set(first_tests)) == 3
    for _, test in a:  # stratified: one positive in three, in every test fold
        assert y[test].mean() == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"time": np.arange(20)}, "time is given, but repeated shuffled folds"),
        ({"n_repeats": 0}, "n_repeats=0 is too small"),
        ({"n_splits": 1}, "n_splits=1 is too small"),
        ({"random_state": None}, "random_state=None must be an int"),
    ],
)
def test_repeated_folds_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        repeated_folds(np.zeros((20, 1)), [0, 1] * 10, **kwargs)


# --------------------------------------------------------------------------- null simulation


def _swap_simulation(n_datasets, *, signal_in_b, seed=0, n=60, n_splits=10, n_repeats=10):
    """Per-fold MSE differences, least squares on [s, A] minus on [s, B], per dataset.

    A and B are two feature groups of the same size. Without signal in B the two models
    are exchangeable, so the mean difference is exactly 0: any rejection is a false
    positive. Vectorised over datasets (one batched solve per fold).
    """
    rng = np.random.default_rng(seed)
    s = rng.normal(size=(n_datasets, n, 1))
    A = rng.normal(size=(n_datasets, n, 2))
    B = rng.normal(size=(n_datasets, n, 2))
    y = s[..., 0] + (B[..., 0] if signal_in_b else 0) + rng.normal(size=(n_datasets, n))
    ones = np.ones((n_datasets, n, 1))
    designs = [np.concatenate([ones, s, A], axis=2), np.concatenate([ones, s, B], axis=2)]
    folds = repeated_folds(np.zeros((n, 1)), np.linspace(0, 1, n), n_splits=n_splits,
                           n_repeats=n_repeats)  # fmt: skip
    diffs = np.empty((n_datasets, len(folds)))
    for k, (train, test) in enumerate(folds):
        mse = []
        for Z in designs:
            Zt = Z[:, train]
            beta = np.linalg.solve(
                Zt.transpose(0, 2, 1) @ Zt, Zt.transpose(0, 2, 1) @ y[:, train, None]
            )
            mse.append(((Z[:, test] @ beta)[..., 0] - y[:, test]) ** 2)
        diffs[:, k] = mse[0].mean(axis=1) - mse[1].mean(axis=1)  # > 0: B better
    ratio = float(np.mean([len(te) / len(tr) for tr, te in folds]))
    return diffs, ratio


def _rejection_rate(diffs, ratio, *, corrected, alpha=0.05):
    p = [corrected_ttest(d, test_train_ratio=ratio, alternative="two-sided",
                         corrected=corrected).p_value for d in diffs]  # fmt: skip
    return float(np.mean(np.asarray(p) < alpha))


def test_corrected_ttest_false_positive_rate_on_null_simulation():
    diffs, ratio = _swap_simulation(200, signal_in_b=False)
    corrected = _rejection_rate(diffs, ratio, corrected=True)
    naive = _rejection_rate(diffs, ratio, corrected=False)
    # 200 null datasets: the binomial sd of a 5% rate is 1.5%; allow about 3 sd
    assert corrected <= 0.05 + 0.045
    assert naive > 2 * max(corrected, 0.05)  # the naive test is far too liberal


def test_corrected_ttest_detects_a_known_signal():
    diffs, ratio = _swap_simulation(100, signal_in_b=True, seed=1)
    assert _rejection_rate(diffs, ratio, corrected=True) >= 0.8
    assert (diffs.mean(axis=1) > 0).mean() >= 0.95
