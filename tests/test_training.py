"""Tests of mlkit.training: named estimators, holdout split, final fit, scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import get_scorer, roc_auc_score
from sklearn.model_selection import GroupKFold, KFold

from mlkit.datasets import make_patient_visits
from mlkit.training import (
    ESTIMATORS,
    evaluate_holdout,
    final_fit,
    fit_fold_models,
    holdout_split,
    make_estimator,
    model_param_names,
    score_model,
)


def _mixed_frame(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "with_nan": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "colour": rng.choice(["red", "green", "blue"], size=n).astype(object),
        }
    )
    y_class = pd.Series((X["num"] + rng.normal(scale=0.5, size=n) > 0).astype(int))
    y_reg = pd.Series(2.0 * X["num"] + rng.normal(size=n))
    return X, y_class, y_reg


@pytest.mark.parametrize(
    ("name", "task"),
    [(name, task) for name, tasks in ESTIMATORS.items() for task in tasks if task != "multiclass"],
)
def test_make_estimator_fits_mixed_frame_with_missing_values(name: str, task: str) -> None:
    X, y_class, y_reg = _mixed_frame()
    y = y_reg if task == "regression" else y_class
    model = make_estimator(name, task=task, X=X, random_state=0).fit(X, y)
    X_new = X.head(5).assign(colour=["red", "purple", "blue", "green", "red"])  # unseen level
    assert model.predict(X_new).shape == (5,)
    assert list(model.named_steps) == ["preprocess", "model"]


def test_make_estimator_sets_params_with_or_without_prefix() -> None:
    pipe = make_estimator("random_forest", task="binary", params={"n_estimators": 7})
    assert pipe.named_steps["model"].n_estimators == 7
    pipe = make_estimator("random_forest", task="binary", params={"model__max_depth": 2})
    assert pipe.named_steps["model"].max_depth == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "ridge", "task": "binary"}, r"'ridge' does not support task='binary'"),
        ({"name": "svm", "task": "binary"}, r"name='svm' is not supported"),
        ({"name": "ridge", "task": "regression", "params": {"alpah": 1}}, r"unknown parameter"),
        ({"name": "ridge", "task": "regression", "X": np.zeros((2, 2))}, r"X must be a pandas"),
    ],
)
def test_make_estimator_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_estimator(**kwargs)


def test_model_param_names_prefixes_only_bare_names() -> None:
    assert model_param_names({"C": 1, "preprocess__num": "drop"}) == {
        "model__C": 1,
        "preprocess__num": "drop",
    }


@settings(max_examples=40, deadline=None)
@given(
    n_groups=st.integers(4, 40),
    test_size=st.floats(0.1, 0.5),
    seed=st.integers(0, 1000),
    regression=st.booleans(),
)
def test_holdout_split_group_never_splits_a_group(
    n_groups: int, test_size: float, seed: int, regression: bool
) -> None:
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), rng.integers(1, 5, size=n_groups))
    y = rng.normal(size=groups.size) if regression else np.arange(groups.size) % 2
    split = holdout_split(y, groups=groups, test_size=test_size, random_state=seed)
    assert split.strategy == "group"
    assert not set(groups[split.train]) & set(groups[split.test])
    assert np.array_equal(np.sort(np.r_[split.train, split.test]), np.arange(groups.size))


@settings(max_examples=40, deadline=None)
@given(
    times=st.lists(st.integers(0, 30), min_size=5, max_size=60),
    test_size=st.floats(0.05, 0.6),
)
def test_holdout_split_time_puts_the_future_in_test(times: list[int], test_size: float) -> None:
    time = np.array(times)
    if np.unique(time).size < 2:
        return
    y = np.arange(time.size) % 2
    try:
        split = holdout_split(y, time=time, test_size=test_size)
    except ValueError as error:  # every row tied with the cut: refused with a message
        assert "no training rows" in str(error)
        return
    assert time[split.test].min() >= time[split.train].max()
    assert split.test.size >= np.ceil(test_size * time.size)
    assert np.array_equal(np.sort(np.r_[split.train, split.test]), np.arange(time.size))


def test_holdout_split_stratified_keeps_class_rate_and_is_reproducible() -> None:
    y = np.r_[np.zeros(180), np.ones(20)]
    first = holdout_split(y, test_size=0.25, random_state=3)
    again = holdout_split(y, test_size=0.25, random_state=3)
    assert first.strategy == "stratified"
    assert y[first.test].mean() == pytest.approx(0.1)
    assert np.array_equal(first.test, again.test)
    assert first.to_frame()["rows"].tolist() == [150, 50]


def test_holdout_split_regression_without_structure_is_random() -> None:
    split = holdout_split(np.linspace(0, 1, 50) + 0.001, test_size=0.2)
    assert split.strategy == "random" and split.test.size == 10


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"test_size": 1.5}, r"test_size=1.5 must be strictly between 0 and 1"),
        ({"test_size": "a"}, r"test_size must be a fraction"),
        ({"strategy": "group"}, r"strategy='group' needs groups"),
        ({"strategy": "time"}, r"strategy='time' needs time"),
        ({"strategy": "by_month"}, r"strategy='by_month' is not supported"),
        ({"groups": [1, 2]}, r"groups has 2 entries but y has 10"),
        ({"time": [1.0] * 9}, r"time"),
    ],
)
def test_holdout_split_rejects_bad_input(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        holdout_split(np.arange(10) % 2, **kwargs)


def test_final_fit_matches_plain_scikit_learn() -> None:
    X, y, _ = _mixed_frame()
    pipe = make_estimator("logistic_regression", task="binary", X=X)
    model = final_fit(pipe, X, y, params={"C": 0.1})
    expected = clone(pipe).set_params(model__C=0.1).fit(X, y)
    assert np.array_equal(model.predict_proba(X), expected.predict_proba(X))
    assert pipe.named_steps["model"].C == 1.0  # the template is untouched


def test_final_fit_without_pipeline_and_bad_params() -> None:
    model = final_fit(Ridge(), [[0.0], [1.0]], [0.0, 1.0], params={"alpha": 0.5})
    assert model.alpha == 0.5
    with pytest.raises(ValueError, match=r"unknown parameter\(s\) \['alpah'\]"):
        final_fit(Ridge(), [[0.0], [1.0]], [0.0, 1.0], params={"alpah": 0.5})
    with pytest.raises(ValueError, match=r"y must have one entry per sample|X has"):
        final_fit(Ridge(), [[0.0], [1.0]], [0.0, 1.0, 2.0])


def test_fit_fold_models_match_fits_on_each_training_fold() -> None:
    data = make_patient_visits(40, random_state=1)
    cv = GroupKFold(4)
    models = fit_fold_models(LogisticRegression(), data.X, data.y, cv=cv, groups=data.groups)
    assert len(models) == 4
    for model, (train, _) in zip(models, cv.split(data.X, data.y, data.groups), strict=True):
        expected = LogisticRegression().fit(data.X.iloc[train], data.y.iloc[train])
        assert np.allclose(model.coef_, expected.coef_)
    with pytest.raises(ValueError, match=r"cv must be None, an int"):
        fit_fold_models(LogisticRegression(), data.X, data.y, cv="four")


def test_score_model_equals_scikit_learn_scorer() -> None:
    data = make_patient_visits(40, random_state=2)
    model = LogisticRegression().fit(data.X, data.y)
    got = score_model(model, data.X, data.y, scoring="roc_auc")
    assert got == pytest.approx(roc_auc_score(data.y, model.predict_proba(data.X)[:, 1]))
    assert got.metric == "roc_auc" and got.greater_is_better
    got = score_model(model, data.X, data.y, scoring="neg_log_loss")
    # natural units: the loss is positive (scikit-learn's scorer returns it negated)
    assert got == pytest.approx(-get_scorer("neg_log_loss")(model, data.X, data.y))
    assert got > 0 and got.metric == "log_loss" and got.direction == "lower is better"


def test_evaluate_holdout_reports_metric_set_in_natural_units() -> None:
    data = make_patient_visits(40, random_state=3)
    model = LogisticRegression().fit(data.X, data.y)
    table = evaluate_holdout(model, data.X, data.y)
    assert table.index.name == "metric"
    auc = roc_auc_score(data.y, model.predict_proba(data.X)[:, 1])
    assert table.loc["roc_auc", "value"] == pytest.approx(auc)
    assert table.loc["log_loss", "value"] > 0  # a loss, reported positive
    with pytest.raises(ValueError, match=r"task='regression' contradicts the fitted estimator"):
        evaluate_holdout(model, data.X, data.y, task="regression")


def test_holdout_then_kfold_on_training_rows_never_touches_test_rows() -> None:
    data = make_patient_visits(50, random_state=4)
    split = holdout_split(data.y, groups=data.groups, test_size=0.2)
    train_rows = split.train
    for train, test in KFold(3).split(train_rows):
        used = set(train_rows[train]) | set(train_rows[test])
        assert not used & set(split.test)


# --------------------------------------------------------------------------- issue 11


def test_score_model_and_evaluate_holdout_raise_not_fitted_error() -> None:
    from sklearn.exceptions import NotFittedError

    data = make_patient_visits(30, random_state=5)
    with pytest.raises(NotFittedError, match="LogisticRegression"):
        score_model(LogisticRegression(), data.X, data.y, scoring="roc_auc")
    with pytest.raises(NotFittedError, match="LogisticRegression"):
        evaluate_holdout(LogisticRegression(), data.X, data.y)
    with pytest.raises(ValueError, match="model must be a fitted scikit-learn estimator"):
        score_model("model", data.X, data.y, scoring="roc_auc")


def test_score_model_reports_a_regression_loss_in_natural_units() -> None:
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import root_mean_squared_error

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2))
    y = X @ [1.0, -2.0] + rng.normal(size=80)
    model = LinearRegression().fit(X[:60], y[:60])
    score = score_model(model, X[60:], y[60:], scoring="rmse")
    assert score == pytest.approx(root_mean_squared_error(y[60:], model.predict(X[60:])))
    assert score > 0 and not score.greater_is_better and f"{score:.3f}" == f"{float(score):.3f}"


@pytest.mark.parametrize(
    ("scoring", "match"),
    [
        ("rmse", r"scoring='rmse' is a regression metric.*'binary'"),
        (["roc_auc", "f1"], r"must be one metric"),
        ("acurracy", r"scoring='acurracy' is not a known metric"),
    ],
)
def test_score_model_refuses_a_metric_that_does_not_fit(scoring: object, match: str) -> None:
    data = make_patient_visits(30, random_state=6)
    model = LogisticRegression().fit(data.X, data.y)
    with pytest.raises(ValueError, match=match):
        score_model(model, data.X, data.y, scoring=scoring)


def test_score_model_refuses_a_probability_metric_on_a_regressor() -> None:
    from sklearn.linear_model import LinearRegression

    X, y = np.arange(20.0).reshape(-1, 1), np.tile([0.0, 1.0], 10)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*(regressor|regression)"):
        score_model(model, X, y, scoring="roc_auc")


def test_evaluate_holdout_reads_the_task_from_the_model_not_the_holdout() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 2))
    y = np.repeat([0, 1, 2], 30)
    model = LogisticRegression().fit(X, y)
    holdout = y != 2  # only two of the model's three classes
    table = evaluate_holdout(model, X[holdout], y[holdout], task="multiclass")
    assert "f1_macro" in table.index and "roc_auc" not in table.index


def test_fit_fold_models_resolves_cv_through_materialise_folds() -> None:
    from sklearn.model_selection import KFold

    from mlkit.splits import materialise_folds

    data = make_patient_visits(40, random_state=7)
    with pytest.raises(ValueError, match=r"puts \d+ group\(s\) on both sides of fold"):
        fit_fold_models(LogisticRegression(), data.X, data.y, cv=KFold(4), groups=data.groups)
    models = fit_fold_models(LogisticRegression(), data.X, data.y, cv=4, groups=data.groups)
    folds = materialise_folds(4, data.X, data.y, groups=data.groups)
    for model, (train, _) in zip(models, folds, strict=True):
        expected = LogisticRegression().fit(data.X.iloc[train], data.y.iloc[train])
        assert np.allclose(model.coef_, expected.coef_)


def test_holdout_split_count_target_declared_regression_is_not_stratified() -> None:
    y = np.random.default_rng(0).poisson(2.0, size=100)
    split = holdout_split(y, test_size=0.2, task="regression")
    assert split.strategy == "random"
    with pytest.raises(ValueError, match=r"a single member.*task='regression'"):
        holdout_split(y, test_size=0.2)  # inferred multiclass: a count seen once
    assert holdout_split(np.minimum(y, 3), test_size=0.2).strategy == "stratified"
    with pytest.raises(ValueError, match=r"task='binary' but y has \d+ classes"):
        holdout_split(y, task="binary")
