"""Tests for mlkit.curves and mlkit.extrapolation: learning, validation and scalability curves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer
from sklearn.model_selection import GroupKFold, KFold, StratifiedKFold
from sklearn.model_selection import learning_curve as sk_learning_curve
from sklearn.model_selection import validation_curve as sk_validation_curve
from sklearn.tree import DecisionTreeClassifier

from mlkit.curves import (
    fit_time_slope,
    learning_curve,
    plot_scalability,
    training_subsets,
    validation_curve,
)
from mlkit.extrapolation import fit_power_law


@pytest.fixture(scope="module")
def clf_data():
    X, y = make_classification(n_samples=240, n_features=6, weights=[0.7], random_state=0)
    return X, y


@pytest.fixture(scope="module")
def grouped_data():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(60), rng.integers(1, 6, size=60))
    X = rng.normal(size=(groups.size, 4))
    y = (X[:, 0] + rng.normal(scale=0.5, size=groups.size) > 0.8).astype(int)
    return X, y, groups


# --------------------------------------------------------------------------- subsets (properties)


@st.composite
def fold_problem(draw):
    n = draw(st.integers(20, 120))
    n_classes = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_classes, size=n)
    labels[:n_classes] = np.arange(n_classes)  # every class present
    train = np.sort(rng.choice(n, size=draw(st.integers(n_classes + 2, n)), replace=False))
    k_max = train.size
    sizes = sorted(set(draw(st.lists(st.integers(1, k_max), min_size=1, max_size=5))))
    groups = rng.integers(0, max(2, n // 3), size=n)
    return train, sizes, labels, groups, seed


@settings(max_examples=80, deadline=None)
@given(fold_problem())
def test_training_subsets_nested_and_stratified(problem):
    train, sizes, labels, _, seed = problem
    subsets = training_subsets(train, sizes, labels=labels, random_state=seed)
    classes, counts = np.unique(labels[train], return_counts=True)
    share = counts / counts.sum()
    for k, rows in zip(sizes, subsets, strict=True):
        assert rows.size == k
        assert np.isin(rows, train).all()
        got = np.array([(labels[rows] == c).sum() for c in classes])
        # within one sample per class of the exactly stratified allocation k * share
        assert np.all(np.abs(got - k * share) <= 1 + 1e-9), (got, k * share)
    for small, large in itertools.pairwise(subsets):
        assert np.isin(small, large).all()


@settings(max_examples=80, deadline=None)
@given(fold_problem())
def test_training_subsets_whole_groups(problem):
    train, _, labels, groups, seed = problem
    n_groups = np.unique(groups[train]).size
    sizes = sorted({max(1, n_groups // 3), max(1, n_groups // 2), n_groups})
    subsets = training_subsets(train, sizes, labels=labels, groups=groups, random_state=seed)
    for k, rows in zip(sizes, subsets, strict=True):
        chosen = np.unique(groups[rows])
        assert chosen.size == k
        # whole groups: every training row of a chosen group is in the subset
        assert np.array_equal(np.sort(train[np.isin(groups[train], chosen)]), rows)
    for small, large in itertools.pairwise(subsets):
        assert np.isin(small, large).all()


def test_training_subsets_time_takes_most_recent():
    time = np.array([5, 1, 9, 3, 7, 2, 8, 0])
    train = np.arange(8)
    small, large = training_subsets(train, [2, 4], time=time)
    assert sorted(time[small].tolist()) == [8, 9]
    assert sorted(time[large].tolist()) == [5, 7, 8, 9]


def test_training_subsets_time_with_groups_takes_recent_whole_groups():
    groups = np.array([0, 0, 1, 1, 2, 2])
    time = pd.to_datetime(["2020-01-01", "2020-06-01", "2020-02-01", "2020-03-01",
                           "2020-04-01", "2020-05-01"])  # fmt: skip
    (one,) = training_subsets(np.arange(6), [1], groups=groups, time=time)
    assert one.tolist() == [0, 1]  # group 0 has the latest row (June), with all its rows


def test_training_subsets_prefix_matches_sklearn_rule():
    train = np.array([7, 3, 9, 1, 4])
    subsets = training_subsets(train, [2, 5], subsets="prefix")
    assert subsets[0].tolist() == [7, 3] and subsets[1].tolist() == train.tolist()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 1000), n_splits=st.integers(2, 5))
def test_learning_curve_no_test_group_in_training_and_test_fixed(seed, n_splits):
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(30), rng.integers(1, 5, size=30))
    X = np.column_stack([np.arange(groups.size), rng.normal(size=groups.size)])
    y = rng.normal(size=groups.size)
    seen: list[np.ndarray] = []

    def spy(estimator, X_test, y_test):
        seen.append(np.sort(X_test[:, 0]).astype(int))
        return 0.0

    result = learning_curve(
        Ridge(), X, y, groups=groups, cv=GroupKFold(n_splits), scoring=spy,
        train_sizes=(0.3, 0.6, 1.0), random_state=seed,
    )  # fmt: skip
    for k, test in enumerate(result.test_parts):
        for rows in result.train_subsets[k]:
            assert not set(groups[rows]) & set(groups[test])
    # the scorer sees (test, train) per job, jobs in size-major order: the test rows
    # of every fold are the same at every size
    tests = seen[0::2]
    n_folds = len(result.test_parts)
    for j, rows in enumerate(tests):
        assert np.array_equal(rows, np.sort(result.test_parts[j % n_folds]))


# --------------------------------------------------------------------------- sklearn equality


@pytest.mark.parametrize("scoring", ["roc_auc", "log_loss"])
def test_learning_curve_prefix_equals_sklearn(clf_data, scoring):
    X, y = clf_data
    folds = list(StratifiedKFold(4, shuffle=True, random_state=1).split(X, y))
    sizes = (0.2, 0.5, 1.0)
    ours = learning_curve(
        LogisticRegression(), X, y, cv=folds, train_sizes=sizes, scoring=scoring, subsets="prefix"
    )
    sk_name = get_scorer("neg_log_loss" if scoring == "log_loss" else scoring)
    sizes_abs, train, test = sk_learning_curve(
        LogisticRegression(), X, y, cv=folds, train_sizes=sizes, scoring=sk_name
    )
    sign = -1.0 if scoring == "log_loss" else 1.0
    frame = ours.to_frame()
    assert frame["train_size"].unique().tolist() == sizes_abs.tolist()
    got_test = frame.pivot(index="size", columns="fold", values="test_score").to_numpy()
    got_train = frame.pivot(index="size", columns="fold", values="train_score").to_numpy()
    assert np.array_equal(got_test, sign * test)
    assert np.array_equal(got_train, sign * train)
    assert (frame["test_score"] > 0).all()  # log loss in natural units


def test_learning_curve_prefix_equals_sklearn_on_unequal_group_folds(grouped_data):
    X, y, groups = grouped_data
    folds = list(GroupKFold(3).split(X, y, groups))
    assert len({train.size for train, _ in folds}) > 1  # scikit-learn sizes by fold 0
    ours = learning_curve(LogisticRegression(), X, y, cv=folds, subsets="prefix")
    sizes_abs, _, test = sk_learning_curve(
        LogisticRegression(), X, y, cv=folds, train_sizes=(0.1, 0.2, 0.4, 0.7, 1.0),
        scoring="roc_auc",
    )  # fmt: skip
    frame = ours.to_frame()
    assert frame["train_size"].unique().tolist() == sizes_abs.tolist()
    assert np.array_equal(frame.pivot(index="size", columns="fold", values="test_score"), test)


def test_learning_curve_frame_columns_and_groups(grouped_data):
    X, y, groups = grouped_data
    result = learning_curve(LogisticRegression(), X, y, groups=groups, cv=GroupKFold(3))
    frame = result.to_frame()
    for column in ("n_train_samples", "n_train_groups", "train_score", "test_score",
                   "fit_time", "score_time", "size", "fold"):  # fmt: skip
        assert column in frame
    assert result.unit == "groups"
    assert (frame["n_train_groups"] == frame["train_size"]).all()
    assert len(frame) == 5 * 3
    ax = result.plot()
    assert "higher is better" in ax.get_ylabel()
    plt.close("all")


def test_learning_curve_time_uses_recent_rows():
    rng = np.random.default_rng(0)
    time = rng.permutation(200).astype(float)
    X = np.column_stack([time, rng.normal(size=200)])
    y = X[:, 1] * 2 + rng.normal(size=200)
    result = learning_curve(Ridge(), X, y, time=time, cv=3, train_sizes=(0.5, 1.0))
    for k, test in enumerate(result.test_parts):
        small = result.train_subsets[k][0]
        train_all = result.train_subsets[k][1]
        assert time[small].min() >= np.median(time[train_all])
        assert time[train_all].max() < time[test].min()
    assert result.metric == "rmse" and result.loss


def test_learning_curve_regression_loss_axis():
    X, y = make_regression(n_samples=120, n_features=3, noise=5.0, random_state=0)
    result = learning_curve(Ridge(), X, y, cv=KFold(3), scoring="mae", n_jobs=2)
    assert (result.to_frame()["test_score"] > 0).all()
    ax = result.plot()
    assert "lower is better" in ax.get_ylabel()
    plt.close("all")


# --------------------------------------------------------------------------- scalability


def test_fit_time_slope_recovers_exponent():
    n = np.array([100, 200, 400, 800])
    assert fit_time_slope(n, 3e-6 * n**1.5).slope == pytest.approx(1.5)


def test_scalability_of_result_and_plot(clf_data):
    X, y = clf_data
    results = {
        "tree": learning_curve(DecisionTreeClassifier(random_state=0), X, y, cv=3),
        "logreg": learning_curve(LogisticRegression(), X, y, cv=3),
    }
    scal = results["tree"].scalability()
    expected = np.polyfit(np.log(scal.times["n_train_samples"]), np.log(scal.times["fit_time"]), 1)[
        0
    ]
    assert scal.slope == pytest.approx(expected)
    ax = plot_scalability(results)
    assert ax.get_xscale() == "log" and len(ax.get_legend().get_texts()) == 2
    plt.close("all")


def test_fit_time_slope_bad_input():
    with pytest.raises(ValueError, match="at least 2 training sizes"):
        fit_time_slope([100, 100], [0.1, 0.2])
    with pytest.raises(ValueError, match="positive"):
        fit_time_slope([100, 200], [0.0, 0.2])


# --------------------------------------------------------------------------- extrapolation


@pytest.mark.parametrize(("a", "b", "c"), [(0.1, 2.0, 0.5), (0.05, 30.0, 1.2), (0.3, 0.5, 0.3)])
def test_fit_power_law_recovers_parameters(a, b, c):
    n = np.array([50.0, 100, 200, 400, 800, 1600])
    fit = fit_power_law(n, a + b * n**-c, loss=True)
    assert fit.reliable
    assert fit.a == pytest.approx(a, rel=1e-4, abs=1e-6)
    assert fit.b == pytest.approx(b, rel=1e-3)
    assert fit.c == pytest.approx(c, rel=1e-4)
    predicted = fit.to_frame().set_index("factor")["predicted"]
    assert predicted[2.0] == pytest.approx(a + b * (2 * 1600) ** -c, rel=1e-5)
    assert predicted[10.0] == pytest.approx(a + b * (10 * 1600) ** -c, rel=1e-5)


def test_fit_power_law_score_and_fold_interval():
    n = np.array([100.0, 200, 400, 800, 1600])
    curves = np.column_stack([0.9 - s * n**-0.5 for s in (1.8, 2.0, 2.2)])  # an AUC-like score
    fit = fit_power_law(n, curves, loss=False, metric="roc_auc")
    assert fit.reliable and fit.a == pytest.approx(-0.9, rel=1e-4)
    row = fit.to_frame().iloc[0]
    truth = [0.9 - s * (3200.0) ** -0.5 for s in (1.8, 2.0, 2.2)]
    assert row["low"] == pytest.approx(min(truth), rel=1e-5)
    assert row["high"] == pytest.approx(max(truth), rel=1e-5)
    assert row["low"] <= row["predicted"] <= row["high"]
    assert fit.gain_2x > 0


def test_fit_power_law_plateau_verdict():
    n = np.array([100.0, 200, 400, 800, 1600])
    fit = fit_power_law(n, 0.2 + 5.0 * n**-1.0, loss=True, tolerance=0.01)
    assert fit.verdict.startswith("plateau")
    fit = fit_power_law(n, 0.2 + 5.0 * n**-0.3, loss=True, tolerance=0.01)
    assert fit.verdict.startswith("still improving")


@pytest.mark.parametrize(
    ("n", "errors", "reason"),
    [
        ([100, 200, 400], [0.3, 0.2, 0.15], "at least 4"),
        ([100, 200, 400, 800, 1600], [0.2, 0.22, 0.25, 0.27, 0.3], "does not improve"),
        ([100, 200, 400, 800, 1600], [0.3, 0.1, 0.3, 0.1, 0.05], "gets worse"),
    ],
)
def test_fit_power_law_refuses_poor_fit(n, errors, reason):
    fit = fit_power_law(n, errors, loss=True)
    assert not fit.reliable
    assert fit.verdict.startswith("poor fit") and reason in fit.verdict
    assert fit.to_frame()["predicted"].isna().all()


def test_fit_power_law_refuses_non_power_law_shape():
    n = np.array([100.0, 200, 400, 800, 1600, 3200])
    errors = np.array([0.30, 0.30, 0.30, 0.10, 0.10, 0.10])  # a step, not a power law
    fit = fit_power_law(n, errors, loss=True)
    assert not fit.reliable and "poor fit" in fit.verdict


def test_fit_power_law_bad_input():
    with pytest.raises(ValueError, match="one row per size"):
        fit_power_law([1, 2, 3], [0.1, 0.2], loss=True)
    with pytest.raises(ValueError, match="strictly increasing"):
        fit_power_law([2, 1, 3, 4], [0.4, 0.3, 0.2, 0.1], loss=True)
    with pytest.raises(ValueError, match="factors"):
        fit_power_law([1, 2, 3, 4], [0.4, 0.3, 0.2, 0.1], loss=True, factors=(0.5,))


def test_extrapolate_from_result_and_plot(clf_data):
    X, y = clf_data
    result = learning_curve(LogisticRegression(), X, y, cv=3)
    fit = result.extrapolate()
    assert fit.verdict.split(":")[0] in {"plateau", "still improving", "poor fit"}
    assert fit.observed["n"].tolist() == result.to_frame()["train_size"].unique().tolist()
    fit.plot()
    plt.close("all")


# --------------------------------------------------------------------------- validation curve


def test_validation_curve_equals_sklearn_on_same_folds(clf_data):
    X, y = clf_data
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(X, y))
    values = [0.01, 0.1, 1.0]
    ours = validation_curve(
        LogisticRegression(), X, y, param_name="C", param_range=values, cv=folds,
        scoring="roc_auc",
    )  # fmt: skip
    train, test = sk_validation_curve(
        LogisticRegression(), X, y, param_name="C", param_range=values, cv=folds,
        scoring="roc_auc",
    )  # fmt: skip
    frame = ours.to_frame()
    assert np.array_equal(frame.pivot(index="param_index", columns="fold", values="test_score"),
                          test)  # fmt: skip
    assert np.array_equal(frame.pivot(index="param_index", columns="fold", values="train_score"),
                          train)  # fmt: skip
    assert ours.best_value() == values[int(np.argmax(test.mean(axis=1)))]
    ax = ours.plot()
    assert ax.get_xlabel() == "C" and "higher is better" in ax.get_ylabel()
    plt.close("all")


def test_validation_curve_bad_input(clf_data):
    X, y = clf_data
    with pytest.raises(ValueError, match="param_name='alpha' is not a parameter"):
        validation_curve(LogisticRegression(), X, y, param_name="alpha", param_range=[1.0])
    with pytest.raises(ValueError, match="param_range is empty"):
        validation_curve(LogisticRegression(), X, y, param_name="C", param_range=[])
    time = np.arange(len(y), dtype=float)
    time[3] = np.nan
    with pytest.raises(ValueError, match="time contains 1 missing"):
        validation_curve(LogisticRegression(), X, y, param_name="C", param_range=[1.0], time=time)


# --------------------------------------------------------------------------- bad input


def test_learning_curve_bad_train_sizes(clf_data, grouped_data):
    X, y = clf_data
    with pytest.raises(ValueError, match=r"train_sizes=\[0.0, 0.5\] are fractions"):
        learning_curve(LogisticRegression(), X, y, train_sizes=(0.0, 0.5))
    with pytest.raises(ValueError, match=r"train_sizes=\[1.5\] are fractions"):
        learning_curve(LogisticRegression(), X, y, train_sizes=(1.5,))
    with pytest.raises(ValueError, match=r"train_sizes=\[10, 5000\] must lie in \[1, 192\]"):
        learning_curve(LogisticRegression(), X, y, train_sizes=(10, 5000))
    with pytest.raises(
        ValueError, match=r"train_sizes: the subset of 1 samples .* no row of class"
    ):
        learning_curve(LogisticRegression(), X, y, train_sizes=(1, 100))
    Xg, yg, groups = grouped_data
    with pytest.raises(ValueError, match="less than one group"):
        learning_curve(LogisticRegression(), Xg, yg, groups=groups, cv=GroupKFold(3),
                       train_sizes=(0.01, 1.0))  # fmt: skip


def test_learning_curve_bad_time_and_cv(clf_data, grouped_data):
    X, y = clf_data
    time = pd.Series(np.arange(len(y), dtype=float))
    time.iloc[[1, 2]] = np.nan
    with pytest.raises(ValueError, match="time contains 2 missing"):
        learning_curve(LogisticRegression(), X, y, time=time)
    Xg, yg, groups = grouped_data
    with pytest.raises(ValueError, match="ignores groups"):
        learning_curve(LogisticRegression(), Xg, yg, groups=groups, cv=KFold(3))
    with pytest.raises(ValueError, match="subsets='random' is not supported"):
        learning_curve(LogisticRegression(), X, y, subsets="random")  # type: ignore[arg-type]
