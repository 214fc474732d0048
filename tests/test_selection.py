"""Tests of mlkit.selection.compare_models, checked against plain scikit-learn and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import KFold, TimeSeriesSplit, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlkit.baselines import baseline_strategies
from mlkit.selection import ModelComparison, compare_models
from mlkit.splits import repeated_folds
from mlkit.stats import holm


@pytest.fixture(scope="module")
def grouped_data():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(40), 4)
    X = rng.normal(size=(160, 3)) + rng.normal(size=(40, 1))[groups]
    y = (X[:, 0] + rng.normal(size=160) > 0.8).astype(int)
    return pd.DataFrame(X, columns=["a", "b", "c"]), y, groups


MODELS = {
    "logreg": LogisticRegression(),
    "tree": DecisionTreeClassifier(max_depth=3, random_state=0),
    "knn": KNeighborsClassifier(),
}


@pytest.fixture(scope="module")
def comparison(grouped_data):
    X, y, groups = grouped_data
    return compare_models(MODELS, X, y, groups=groups, scoring="average_precision", n_repeats=2)


def test_compare_models_scores_equal_plain_cross_validate(grouped_data, comparison):
    X, y, groups = grouped_data
    folds = repeated_folds(X, y, groups=groups, n_splits=5, n_repeats=2)
    for name, model in MODELS.items():
        plain = cross_validate(model, X, y, cv=list(folds), scoring="average_precision")
        np.testing.assert_allclose(comparison.fold_scores[name], plain["test_score"])
        assert comparison.table.loc[name, "mean"] == pytest.approx(plain["test_score"].mean())
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])


def test_compare_models_interval_matches_scipy_t(comparison):
    scores = comparison.fold_scores["logreg"].to_numpy()
    n = scores.size
    se = scores.std(ddof=1) * np.sqrt(1 / n + comparison.test_train_ratio)
    half = scipy_stats.t.ppf(0.975, n - 1) * se
    row = comparison.table.loc["logreg"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        (scores.mean() - half, scores.mean() + half)
    )


def test_compare_models_baseline_is_chosen_on_training_folds(grouped_data, comparison):
    X, y, groups = grouped_data
    folds = list(repeated_folds(X, y, groups=groups, n_splits=5, n_repeats=2))
    train_means = {
        name: cross_validate(d, X, y, cv=folds, scoring="average_precision",
                             return_train_score=True)["train_score"].mean()
        for name, d in baseline_strategies("binary").items()
    }  # fmt: skip
    best = max(train_means, key=train_means.get)
    assert comparison.baseline_strategy == best
    assert comparison.baseline == f"baseline ({best})"
    assert comparison.table.loc[comparison.baseline, "is_baseline"]


def test_compare_models_paired_tests_and_holm(comparison):
    table, folds = comparison.table, comparison.fold_scores
    best = folds[list(MODELS)].mean().idxmax()
    assert comparison.best == best
    assert table.loc[best, "rank"] == 1 and table.index[0] == best
    others = [n for n in table.index if n != best]
    n, r = len(folds), comparison.test_train_ratio
    raw = []
    for name in others:
        d = folds[best] - folds[name]
        t = d.mean() / (d.std(ddof=1) * np.sqrt(1 / n + r))
        raw.append(2 * scipy_stats.t.sf(abs(t), n - 1))
    np.testing.assert_allclose(table.loc[others, "p_vs_best"], raw)
    np.testing.assert_allclose(table.loc[others, "p_vs_best_holm"], holm(raw))
    assert (table.loc[others, "gap_to_best"] >= 0).all()
    # the signal is strong: logistic regression beats the dummy baseline
    assert table.loc["logreg", "beats_baseline"]
    assert sorted(table["rank"]) == list(range(1, len(MODELS) + 2))


def test_compare_models_to_frame_and_plot(comparison):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    frame = comparison.to_frame()
    assert frame is not comparison.table and list(frame.index) == list(comparison.table.index)
    ax = comparison.plot()
    assert "average_precision (higher is better)" in ax.get_xlabel()
    assert ax.get_title()
    plt.close("all")


def test_compare_models_loss_in_natural_units():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 2))
    y = 3 * X[:, 0] + rng.normal(size=150)
    result = compare_models(
        {"linear": LinearRegression(), "stump": DecisionTreeRegressor(max_depth=1)},
        X, y, scoring="rmse", n_repeats=2,
    )  # fmt: skip
    table = result.table
    assert not result.greater_is_better and result.best == "linear"
    assert (table["mean"] > 0).all()
    assert table.loc["linear", "mean"] < table.loc[result.baseline, "mean"]
    assert (
        table.loc["linear", "ci_low"] < table.loc["linear", "mean"] < table.loc["linear", "ci_high"]
    )
    assert table.loc["linear", "beats_baseline"]


def test_compare_models_custom_splitter_used_as_given():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)
    cv = KFold(4, shuffle=True, random_state=3)
    result = compare_models({"dummy": DummyClassifier()}, X, y, cv=cv)
    assert len(result.fold_scores) == 4 and result.n_repeats == 1
    assert result.metric == "roc_auc"


@pytest.mark.parametrize(
    ("models", "kwargs", "match"),
    [
        ({}, {}, "models is empty"),
        ([LogisticRegression()], {}, "models must be a dict"),
        ({"m": "logreg"}, {}, r"models\['m'\] must be an unfitted scikit-learn estimator"),
        ({"baseline (prior)": LogisticRegression()}, {}, "reserved for the dummy baseline"),
        ({"m": LogisticRegression()}, {"time": np.arange(160)}, "time gives time-ordered folds"),
        ({"m": LogisticRegression()}, {"cv": TimeSeriesSplit(3)}, "cv=TimeSeriesSplit"),
        ({"m": LogisticRegression()}, {"cv": KFold(3)}, "on both sides of fold"),
        ({"m": LogisticRegression()}, {"scoring": ["roc_auc", "f1"]}, "is a list"),
        ({"m": LogisticRegression()}, {"alpha": 1.5}, "alpha=1.5"),
        ({"m": LogisticRegression()}, {"n_repeats": 0}, "n_repeats=0 is too small"),
    ],
)
def test_compare_models_bad_input(grouped_data, models, kwargs, match):
    X, y, groups = grouped_data
    with pytest.raises(ValueError, match=match):
        compare_models(models, X, y, groups=groups, **kwargs)


def test_compare_models_result_is_frozen(comparison):
    assert isinstance(comparison, ModelComparison)
    with pytest.raises(AttributeError):
        comparison.best = "x"  # type: ignore[misc]
