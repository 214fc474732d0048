"""Tests for mlkit.tuning: same folds for every candidate, reproducibility, nested CV."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.linear_model import Ridge
from sklearn.metrics import check_scoring
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import resample

from mlkit.datasets import make_patient_visits
from mlkit.space import Categorical, Float, Int
from mlkit.splits import choose_cv
from mlkit.tuning import METHODS, NestedCVResult, TuningResult, nested_cv, plot_search_trace, tune

TREE = DecisionTreeClassifier(random_state=0)
TREE_SPACE = {"max_depth": Int(1, 6), "min_samples_leaf": Int(1, 30, log=True)}
METHOD_KWARGS: dict[str, dict[str, Any]] = {
    "grid": {"grid_resolution": 3},
    "random": {"n_iter": 6},
    "bayes": {"n_iter": 6},
    "halving": {"n_iter": 9},
}


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=300, n_features=8, n_informative=4, random_state=0)
    return X, y


@pytest.fixture(scope="module")
def grouped() -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    cohort = make_patient_visits(n_patients=60, random_state=3)
    return cohort.X, cohort.y, cohort.groups


@pytest.fixture(scope="module")
def results(data: tuple[np.ndarray, np.ndarray]) -> dict[str, TuningResult]:
    X, y = data
    return {m: tune(TREE, TREE_SPACE, X, y, method=m, **METHOD_KWARGS[m]) for m in METHODS}


# --------------------------------------------------------------------------- same folds


@pytest.mark.parametrize("method", ["grid", "random", "bayes"])
def test_tune_every_candidate_scores_equal_cross_val_score_on_the_folds(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    X, y = data
    result = results[method]
    k = len(result.folds)
    for _, row in result.results_.iterrows():
        model = clone(TREE).set_params(**row["params"])
        expected = cross_val_score(model, X, y, cv=list(result.folds), scoring="roc_auc")
        observed = row[[f"fold_{i}" for i in range(k)]].to_numpy(dtype=float)
        np.testing.assert_allclose(observed, expected, rtol=1e-12)
        assert row["mean_score"] == pytest.approx(expected.mean())
        assert row["std_score"] == pytest.approx(expected.std())


def test_tune_halving_final_candidates_scores_equal_cross_val_score_on_their_resource(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray]
) -> None:
    # scikit-learn's halving subsamples each fold's train and test part (seeded by
    # random_state) to n_resources / n_samples; rebuild those folds independently.
    X, y = data
    result = results["halving"]
    last = result.results_[result.results_["iter"] == result.results_["iter"].max()]
    assert len(last) >= 1
    n_resources = int(last["n_resources"].iloc[0])
    fraction = n_resources / X.shape[0]
    sub_folds = [
        (
            resample(train, replace=False, random_state=0, n_samples=int(fraction * len(train))),
            resample(test, replace=False, random_state=0, n_samples=int(fraction * len(test))),
        )
        for train, test in result.folds
    ]
    for _, row in last.iterrows():
        model = clone(TREE).set_params(**row["params"])
        expected = cross_val_score(model, X, y, cv=sub_folds, scoring="roc_auc")
        observed = row[[f"fold_{i}" for i in range(len(sub_folds))]].to_numpy(dtype=float)
        np.testing.assert_allclose(observed, expected, rtol=1e-12)
    assert result.best_params_ == last.sort_values("rank")["params"].iloc[0]


def test_tune_halving_results_hold_each_candidate_once_at_its_last_iteration(
    results: dict[str, TuningResult],
) -> None:
    result = results["halving"]
    history, table = result.history_, result.results_
    keys = table["params"].map(lambda p: tuple(sorted(p.items())))
    assert keys.is_unique
    assert len(table) == history["params"].map(lambda p: tuple(sorted(p.items()))).nunique()
    reached = history.assign(key=history["params"].map(lambda p: tuple(sorted(p.items()))))
    expected_iter = reached.groupby("key")["iter"].max()
    for key, it in zip(keys, table["iter"], strict=True):
        assert it == expected_iter[key]
    assert result.n_fits == len(history) * len(result.folds)
    # more samples at later iterations, and fewer candidates
    per_iter = history.groupby("iter").agg(n=("iter", "size"), r=("n_resources", "first"))
    assert per_iter["r"].is_monotonic_increasing and per_iter["n"].is_monotonic_decreasing


def test_tune_default_folds_are_choose_cv_folds(grouped: tuple[Any, Any, Any]) -> None:
    X, y, groups = grouped
    result = tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid", groups=groups)
    expected = list(choose_cv(y, groups=groups, random_state=0).split(X, y, groups))
    assert len(result.folds) == len(expected)
    for (train, test), (e_train, e_test) in zip(result.folds, expected, strict=True):
        np.testing.assert_array_equal(train, e_train)
        np.testing.assert_array_equal(test, e_test)
        assert not set(groups.iloc[train]) & set(groups.iloc[test])


def test_tune_splitter_and_int_cv_are_materialised(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    splitter = KFold(3, shuffle=True, random_state=5)
    result = tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid", cv=splitter)
    for (train, test), (e_train, e_test) in zip(result.folds, splitter.split(X), strict=True):
        np.testing.assert_array_equal(train, e_train)
        np.testing.assert_array_equal(test, e_test)
    assert len(tune(TREE, {"max_depth": [1]}, X, y, method="grid", cv=4).folds) == 4


def test_tune_grid_matches_gridsearchcv(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    model = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=0))
    param_grid = {
        "decisiontreeclassifier__min_samples_leaf": [1, 10, 40, 80],
        "decisiontreeclassifier__max_depth": [2, 4, None],
    }
    result = tune(model, param_grid, X, y, method="grid")
    search = GridSearchCV(model, param_grid, cv=list(result.folds), scoring="roc_auc").fit(X, y)
    assert result.results_["params"].tolist() == search.cv_results_["params"]
    np.testing.assert_allclose(result.results_["mean_score"], search.cv_results_["mean_test_score"])
    np.testing.assert_array_equal(result.results_["rank"], search.cv_results_["rank_test_score"])
    assert result.best_params_ == search.best_params_  # same order, so ties break alike
    assert result.best_score_ == pytest.approx(search.best_score_)


# --------------------------------------------------------------------------- result contents


@pytest.mark.parametrize("method", METHODS)
def test_tune_results_table_has_params_folds_summary_and_rank(
    results: dict[str, TuningResult], method: str
) -> None:
    result = results[method]
    table = result.results_
    k = len(result.folds)
    for column in ["param_max_depth", "param_min_samples_leaf", "params", "mean_score",
                   "std_score", "rank", "fit_time", "score_time"]:  # fmt: skip
        assert column in table.columns
    assert [f"fold_{i}" for i in range(k)] == [c for c in table.columns if c.startswith("fold_")]
    assert table["rank"].min() == 1
    assert result.to_frame()["rank"].is_monotonic_increasing
    assert (table["fit_time"] > 0).all()
    assert all(TREE_SPACE["max_depth"].contains(v) for v in table["param_max_depth"])


@pytest.mark.parametrize("method", ["grid", "random", "bayes"])
def test_tune_best_is_the_top_ranked_candidate(
    results: dict[str, TuningResult], method: str
) -> None:
    result = results[method]
    top = result.to_frame().iloc[0]
    assert result.best_params_ == top["params"]
    assert result.best_score_ == pytest.approx(top["mean_score"])
    assert result.best_score_ == pytest.approx(result.results_["mean_score"].max())
    np.testing.assert_allclose(
        result.fold_scores(), top[[f"fold_{i}" for i in range(len(result.folds))]].to_numpy(float)
    )


@pytest.mark.parametrize("method", METHODS)
def test_tune_best_estimator_is_refit_on_all_data(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    X, y = data
    result = results[method]
    manual = clone(TREE).set_params(**result.best_params_).fit(X, y)
    assert result.best_estimator_.get_params()["max_depth"] == result.best_params_["max_depth"]
    np.testing.assert_array_equal(result.best_estimator_.predict_proba(X), manual.predict_proba(X))


def test_tune_counts_fits_and_candidates(results: dict[str, TuningResult]) -> None:
    grid = results["grid"]
    assert grid.n_candidates == 3 * 3
    assert grid.n_fits == 9 * 5
    assert results["random"].n_fits == 6 * 5
    assert results["bayes"].n_fits == 6 * 5


@pytest.mark.parametrize("method", METHODS)
def test_tune_trace_best_score_never_decreases_except_across_halving_rungs(
    results: dict[str, TuningResult], method: str
) -> None:
    trace = results[method].trace()
    assert trace["n_fits"].is_monotonic_increasing
    assert trace["n_fits"].iloc[-1] == results[method].n_fits
    if method != "halving":
        assert trace["best_score"].is_monotonic_increasing
        assert trace["best_score"].iloc[-1] == pytest.approx(results[method].best_score_)


def test_tune_random_candidates_lie_in_the_space(results: dict[str, TuningResult]) -> None:
    for params in results["random"].results_["params"]:
        assert TREE_SPACE["max_depth"].contains(params["max_depth"])
        assert TREE_SPACE["min_samples_leaf"].contains(params["min_samples_leaf"])


def test_tune_accepts_a_plain_param_grid_dict_and_dataframes(
    grouped: tuple[Any, Any, Any],
) -> None:
    X, y, groups = grouped
    result = tune(TREE, {"max_depth": [1, 3], "criterion": ["gini", "entropy"]}, X, y,
                  method="grid", groups=groups)  # fmt: skip
    assert result.n_candidates == 4
    assert set(result.results_["param_criterion"]) == {"gini", "entropy"}


def test_tune_regression_uses_rmse_by_default() -> None:
    X, y = make_regression(n_samples=120, n_features=5, noise=5.0, random_state=0)
    result = tune(Ridge(), {"alpha": Float(1e-3, 1e3, log=True)}, X, y, method="random", n_iter=4)
    assert result.scoring == "rmse" and result.greater_is_better is False
    row = result.results_.iloc[0]
    expected = cross_val_score(Ridge(alpha=row["param_alpha"]), X, y, cv=list(result.folds),
                               scoring="neg_root_mean_squared_error")  # fmt: skip
    assert row["mean_score"] == pytest.approx(-expected.mean())  # natural units: positive


def test_tune_bayes_with_object_categories(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    space = {"max_depth": Categorical([None, 2]), "class_weight": Categorical([None, {0: 1, 1: 3}])}
    result = tune(TREE, space, X, y, method="bayes", n_iter=4)
    assert all(p["class_weight"] in (None, {0: 1, 1: 3}) for p in result.results_["params"])


def test_tune_random_on_a_small_categorical_space_does_not_repeat(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = data
    result = tune(TREE, {"max_depth": [1, 2, 3]}, X, y, method="random", n_iter=10)
    assert sorted(result.results_["param_max_depth"]) == [1, 2, 3]


# --------------------------------------------------------------------------- reproducibility


@pytest.mark.parametrize("method", METHODS)
def test_tune_same_seed_same_result(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    X, y = data
    again = tune(TREE, TREE_SPACE, X, y, method=method, **METHOD_KWARGS[method])
    first = results[method]
    assert again.best_params_ == first.best_params_
    assert again.best_score_ == first.best_score_
    columns = [c for c in first.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(again.results_[columns], first.results_[columns])


@pytest.mark.parametrize("method", ["random", "bayes"])
def test_tune_other_seed_other_candidates(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    X, y = data
    other = tune(TREE, TREE_SPACE, X, y, method=method, random_state=1, **METHOD_KWARGS[method])
    assert other.results_["params"].tolist() != results[method].results_["params"].tolist()


@pytest.mark.slow
def test_tune_parallel_equals_sequential(
    results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray]
) -> None:
    X, y = data
    parallel = tune(TREE, TREE_SPACE, X, y, method="random", n_iter=6, n_jobs=2)
    np.testing.assert_array_equal(
        parallel.results_["mean_score"], results["random"].results_["mean_score"]
    )


# --------------------------------------------------------------------------- optuna storage, quiet


def test_tune_bayes_is_silent(
    data: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    X, y = data
    caplog.set_level(logging.DEBUG)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=3)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert [str(w.message) for w in caught] == []
    assert not [
        r for r in caplog.records if r.name.startswith("optuna") and r.levelno >= logging.INFO
    ]


def test_tune_bayes_restores_optuna_verbosity(data: tuple[np.ndarray, np.ndarray]) -> None:
    import optuna

    X, y = data
    before = optuna.logging.get_verbosity()
    tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=2)
    assert optuna.logging.get_verbosity() == before


def test_tune_bayes_journal_storage_is_shared_between_calls(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Any
) -> None:
    X, y = data
    path = tmp_path / "study.jsonl"
    folds = list(KFold(5, shuffle=True, random_state=0).split(X))  # same folds, other seeds
    first = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=3, storage=str(path), cv=folds)
    second = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=2, storage=path, cv=folds,
                  random_state=1)  # fmt: skip
    assert first.study_name == second.study_name
    assert path.exists()
    assert len(second.results_) == 5
    pd.testing.assert_series_equal(
        second.results_["mean_score"].iloc[:3], first.results_["mean_score"]
    )
    assert second.best_score_ == second.results_["mean_score"].max()


@pytest.mark.slow
def test_tune_bayes_sqlite_url_and_storage_object(
    data: tuple[np.ndarray, np.ndarray], tmp_path: Any
) -> None:
    pytest.importorskip("sqlalchemy")
    import optuna

    X, y = data
    url = f"sqlite:///{tmp_path / 'study.db'}"
    result = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=2, storage=url, study_name="s")
    assert result.study_name == "s"
    storage = optuna.storages.InMemoryStorage()
    tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=2, storage=storage, study_name="t")
    assert len(storage.get_all_studies()) == 1


def test_tune_study_name_is_deterministic_and_depends_on_the_search(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = data
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    a = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=1, cv=folds)
    b = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=1, cv=folds, random_state=7)
    c = tune(TREE, {"max_depth": Int(1, 5)}, X, y, method="bayes", n_iter=1, cv=folds)
    d = tune(TREE, TREE_SPACE, X, y, method="bayes", n_iter=1, cv=folds[:2])
    assert a.study_name == b.study_name
    assert len({a.study_name, c.study_name, d.study_name}) == 3


# --------------------------------------------------------------------------- progress


def test_tune_progress_auto_is_silent_when_stderr_is_not_a_terminal(
    data: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = data
    tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid")
    assert capsys.readouterr().err == ""


def test_tune_progress_true_shows_a_bar(
    data: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    X, y = data
    space = {"max_depth": list(range(1, 26))}  # more candidates than progress steps
    shown = tune(TREE, space, X, y, method="grid", progress=True)
    assert "grid search" in capsys.readouterr().err
    silent = tune(TREE, space, X, y, method="grid", progress=False)
    columns = [c for c in silent.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(shown.results_[columns], silent.results_[columns])


def test_import_tuning_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys, json, mlkit.tuning, mlkit.space; "
        "print(json.dumps([m for m in ('optuna', 'matplotlib', 'tqdm', 'dask', 'mlflow', "
        "'skops', 'river', 'distributed') if m in sys.modules]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "hyperband"}, r"method='hyperband' is not supported; use one of 'grid'"),
        ({"method": "random"}, r"n_iter is required for method='random'.*n_iter=20"),
        ({"method": "bayes"}, r"n_iter is required for method='bayes'"),
        ({"method": "grid", "n_iter": 5}, r"n_iter is not used by method='grid'"),
        ({"method": "random", "n_iter": 0}, r"n_iter=0 is too small"),
        ({"method": "grid", "space": {}}, r"space is empty"),
        ({"method": "grid", "space": {"depth": [1, 2]}}, r"space has parameter\(s\) \['depth'\] that DecisionTreeClassifier does not have.*max_depth"),
        ({"method": "grid", "space": {"min_weight_fraction_leaf": Float(0.0, 0.3)}}, r"space\['min_weight_fraction_leaf'\].*continuous.*grid_resolution"),
        ({"method": "halving", "space": {"min_weight_fraction_leaf": Float(0.0, 0.3)}}, r"space\['min_weight_fraction_leaf'\].*\.grid\(n\)"),
        ({"method": "grid", "grid_resolution": 1}, r"grid_resolution=1 is too small"),
        ({"method": "random", "n_iter": 2, "storage": "sqlite:///x.db"}, r"storage is only used by method='bayes'"),
        ({"method": "bayes", "n_iter": 2, "storage": 42}, r"storage=42 is not understood.*\.jsonl"),
        ({"method": "bayes", "n_iter": 2, "storage": "study.txt"}, r"storage='study.txt' is not understood"),
        ({"method": "grid", "scoring": ["roc_auc", "accuracy"]}, r"scoring must be one metric"),
        ({"method": "grid", "scoring": "auroc"}, r"scoring='auroc' is not a known metric"),
        ({"method": "grid", "cv": "five"}, r"cv must be None, an int"),
        ({"method": "grid", "cv": []}, r"cv produced no folds"),
        ({"method": "grid", "cv": [(np.arange(5), np.array([999]))]}, r"cv: fold 0 has indices outside"),
        ({"method": "grid", "n_jobs": 0}, r"n_jobs must be None, a positive integer or -1"),
        ({"method": "grid", "groups": np.arange(10)}, r"groups has 10 entries but y has 300"),
    ],
)  # fmt: skip
def test_tune_bad_input_raises_value_error_naming_the_argument(
    data: tuple[np.ndarray, np.ndarray], kwargs: dict[str, Any], message: str
) -> None:
    X, y = data
    kwargs = {"space": {"max_depth": [1, 2]}, **kwargs}
    space = kwargs.pop("space")
    with pytest.raises(ValueError, match=message):
        tune(TREE, space, X, y, **kwargs)


def test_tune_mismatched_X_and_y_names_both(data: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"y must have one entry per sample like X"):
        tune(TREE, {"max_depth": [1]}, X, y[:-1], method="grid")


# --------------------------------------------------------------------------- nested CV


def test_nested_cv_matches_a_manual_outer_loop_with_gridsearchcv(
    grouped: tuple[Any, Any, Any],
) -> None:
    X, y, groups = grouped
    space = {"max_depth": [1, 2, 4], "min_samples_leaf": [5, 20]}
    result = nested_cv(TREE, space, X, y, method="grid", groups=groups, outer_cv=3, inner_cv=3)
    scorer = check_scoring(TREE, scoring="roc_auc")
    outer = list(choose_cv(y, groups=groups, n_splits=3, random_state=0).split(X, y, groups))
    for k, (train, test) in enumerate(outer):
        np.testing.assert_array_equal(result.outer_folds[k][1], test)
        X_tr, y_tr, g_tr = X.iloc[train], y.iloc[train], groups.iloc[train]
        inner = list(
            choose_cv(y_tr, groups=g_tr, n_splits=3, random_state=0).split(X_tr, y_tr, g_tr)
        )
        search = GridSearchCV(TREE, space, cv=inner, scoring="roc_auc").fit(X_tr, y_tr)
        assert result.best_params[k] == search.best_params_
        assert result.inner_best_scores[k] == pytest.approx(search.best_score_)
        expected = scorer(search.best_estimator_, X.iloc[test], y.iloc[test])
        assert result.outer_scores[k] == pytest.approx(expected)
    assert result.mean_score == pytest.approx(np.mean(result.outer_scores))
    assert result.std_score == pytest.approx(np.std(result.outer_scores))
    assert result.mean_inner_best_score == pytest.approx(np.mean(result.inner_best_scores))
    assert result.optimism == pytest.approx(result.mean_inner_best_score - result.mean_score)


def test_nested_cv_keeps_groups_apart_in_both_loops(grouped: tuple[Any, Any, Any]) -> None:
    X, y, groups = grouped
    result = nested_cv(TREE, {"max_depth": [1, 3]}, X, y, method="grid", groups=groups,
                       outer_cv=3, inner_cv=3)  # fmt: skip
    g = groups.to_numpy()
    for (train, test), inner in zip(result.outer_folds, result.inner_results, strict=True):
        assert not set(g[train]) & set(g[test])
        g_train = g[train]
        for inner_train, inner_test in inner.folds:
            assert not set(g_train[inner_train]) & set(g_train[inner_test])
            assert inner_train.max() < len(train) and inner_test.max() < len(train)


@pytest.mark.slow
def test_nested_cv_on_random_labels_sits_at_chance_while_the_inner_best_is_optimistic() -> None:
    # Varma & Simon (2006): with labels drawn independently of X the true ROC AUC of any
    # model is 0.5, so a "best" CV score above it is selection bias. One small sample can
    # hold a chance correlation that no CV can tell from signal, so average over several
    # independent datasets, as Varma & Simon did.
    space = {"max_depth": Int(1, 8), "min_samples_leaf": Int(1, 30, log=True),
             "max_features": Float(0.1, 1.0)}  # fmt: skip
    outer, inner = [], []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(100, 10))
        y = rng.integers(0, 2, size=100)
        result = nested_cv(TREE, space, X, y, method="random", n_iter=20, outer_cv=5,
                           inner_cv=3, random_state=seed)  # fmt: skip
        assert isinstance(result, NestedCVResult)
        outer.append(result.mean_score)
        inner.append(result.mean_inner_best_score)
    standard_error = np.std(outer, ddof=1) / np.sqrt(len(outer))
    assert abs(np.mean(outer) - 0.5) < 3 * standard_error + 0.02
    assert np.mean(inner) > 0.55
    assert np.mean(inner) > np.mean(outer) + 0.05


def test_nested_cv_to_frame_has_one_row_per_outer_fold(grouped: tuple[Any, Any, Any]) -> None:
    X, y, groups = grouped
    result = nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", groups=groups,
                       outer_cv=3, inner_cv=2)  # fmt: skip
    frame = result.to_frame()
    assert list(frame.columns) == ["outer_score", "inner_best_score", "best_params"]
    assert len(frame) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "tpe"}, r"method='tpe' is not supported"),
        ({"method": "random"}, r"n_iter is required for method='random'"),
        ({"method": "grid", "inner_cv": [(np.arange(3), np.arange(3, 6))]}, r"inner_cv must be None, an int or a splitter"),
        ({"method": "grid", "outer_cv": "x"}, r"outer_cv must be None, an int"),
        ({"method": "grid", "space": {}}, r"space is empty"),
        ({"method": "grid", "space": {"depth": [1]}}, r"space has parameter\(s\) \['depth'\]"),
    ],
)  # fmt: skip
def test_nested_cv_bad_input_raises_value_error_naming_the_argument(
    data: tuple[np.ndarray, np.ndarray], kwargs: dict[str, Any], message: str
) -> None:
    X, y = data
    kwargs = {"space": {"max_depth": [1, 2]}, **kwargs}
    space = kwargs.pop("space")
    with pytest.raises(ValueError, match=message):
        nested_cv(TREE, space, X, y, **kwargs)


# --------------------------------------------------------------------------- plot


def test_plot_search_trace_draws_one_line_per_search(results: dict[str, TuningResult]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_search_trace(results)
    assert ax.get_xlabel() == "number of model fits"
    assert "roc_auc" in ax.get_ylabel()
    assert ax.get_title()
    assert len(ax.get_legend().get_texts()) == len(results)
    plt.close(ax.figure)
    with pytest.raises(ValueError, match=r"results must be a TuningResult"):
        plot_search_trace({})


# --------------------------------------------------------------------------- property


@given(seed=st.integers(0, 1000), n_iter=st.integers(1, 5))
@settings(max_examples=8, deadline=None)
def test_tune_random_every_candidate_uses_the_same_folds_property(seed: int, n_iter: int) -> None:
    X, y = make_classification(n_samples=80, n_features=4, random_state=seed)
    result = tune(TREE, TREE_SPACE, X, y, method="random", n_iter=n_iter, random_state=seed, cv=3)
    assert len(result.results_) == n_iter
    for _, row in result.results_.iterrows():
        model = clone(TREE).set_params(**row["params"])
        expected = cross_val_score(model, X, y, cv=list(result.folds), scoring="roc_auc")
        np.testing.assert_allclose(row[["fold_0", "fold_1", "fold_2"]].to_numpy(float), expected)


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    )  # fmt: skip
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["grid", "bayes", "halving"])
def test_tune_under_dask_backend_equals_sequential(
    dask_client: Any, results: dict[str, TuningResult], data: tuple[np.ndarray, np.ndarray],
    method: str,
) -> None:  # fmt: skip
    X, y = data
    with joblib.parallel_config(backend="dask"):
        distributed_result = tune(TREE, TREE_SPACE, X, y, method=method, **METHOD_KWARGS[method])
    sequential = results[method]
    assert distributed_result.best_params_ == sequential.best_params_
    assert distributed_result.best_score_ == sequential.best_score_
    columns = [c for c in sequential.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(
        distributed_result.results_[columns], sequential.results_[columns]
    )


def test_tune_refuses_a_kfold_that_splits_groups() -> None:
    from sklearn.model_selection import KFold
    from sklearn.tree import DecisionTreeClassifier

    from mlkit.tuning import tune

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(20), 5)
    X = rng.normal(size=(100, 3))
    y = np.tile([0, 1], 50)
    with pytest.raises(ValueError, match="on both sides of fold 0"):
        tune(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": [1, 2]},
            X,
            y,
            method="grid",
            groups=groups,
            cv=KFold(5, shuffle=True, random_state=0),
        )


# --------------------------------------------------------------------------- issue 11: task


def test_tune_declared_regression_on_integer_counts_scores_rmse() -> None:
    # 6 distinct integer values would be inferred as multiclass; declared, it is regression
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.clip(np.round(2 + X[:, 0] + rng.normal(scale=0.5, size=150)), 0, 5).astype(int)
    result = tune(Ridge(), {"alpha": [0.1, 10.0]}, X, y, method="grid", task="regression")
    assert result.task == "regression" and result.scoring == "rmse"
    assert not result.greater_is_better
    expected = cross_val_score(Ridge(alpha=0.1), X, y, cv=list(result.folds),
                               scoring="neg_root_mean_squared_error")  # fmt: skip
    np.testing.assert_allclose(result.fold_scores({"alpha": 0.1}), -expected)
    nested = nested_cv(Ridge(), {"alpha": [0.1, 10.0]}, X, y, method="grid",
                       task="regression", outer_cv=3, inner_cv=2)  # fmt: skip
    assert nested.scoring == "rmse" and all(r.task == "regression" for r in nested.inner_results)


def test_tune_and_nested_cv_refuse_a_task_the_target_contradicts(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"task='multiclass' but y has 2 classes"):
        tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid", task="multiclass")
    with pytest.raises(ValueError, match=r"task='multiclass' but y has 2 classes"):
        nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", task="multiclass")


# --------------------------------------------------------------------------- issue 11: time


@pytest.fixture(scope="module")
def timed() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, y = make_classification(n_samples=240, n_features=6, random_state=1)
    time = np.random.default_rng(1).permutation(240).astype(float)  # rows not in time order
    return X, y, time


def test_tune_with_time_uses_time_ordered_folds(
    timed: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    X, y, time = timed
    result = tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid", time=time, cv=3)
    assert len(result.folds) == 3
    for train, test in result.folds:
        assert time[train].max() < time[test].min()


def test_nested_cv_with_time_never_trains_on_later_rows_in_either_loop(
    timed: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    X, y, time = timed
    result = nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", time=time,
                       outer_cv=3, inner_cv=3)  # fmt: skip
    n_inner_folds = 0
    for (train, test), inner in zip(result.outer_folds, result.inner_results, strict=True):
        assert time[train].max() < time[test].min()
        part = time[train]  # the inner folds index into the outer training part
        for inner_train, inner_test in inner.folds:
            assert part[inner_train].max() < part[inner_test].min()
            n_inner_folds += 1
    assert n_inner_folds == 9


def test_tune_and_nested_cv_refuse_a_splitter_that_trains_on_the_future_given_time(
    timed: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    X, y, time = timed
    shuffled = KFold(3, shuffle=True, random_state=0)
    with pytest.raises(ValueError, match=r"cv: fold 0 trains on rows later than its test rows"):
        tune(TREE, {"max_depth": [1, 2]}, X, y, method="grid", time=time, cv=shuffled)
    with pytest.raises(ValueError, match=r"outer_cv: fold 0 trains on rows later"):
        nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", time=time,
                  outer_cv=shuffled)  # fmt: skip
    with pytest.raises(ValueError, match=r"inner_cv: fold 0 trains on rows later.*inner_cv=None"):
        nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", time=time,
                  outer_cv=3, inner_cv=shuffled)  # fmt: skip


def test_nested_cv_with_time_as_a_series_orders_dataframe_subsamples(
    timed: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    X, y, time = timed
    index = pd.Index(np.random.default_rng(2).permutation(1000)[: len(y)])  # not 0..n-1
    frame, target = pd.DataFrame(X, index=index), pd.Series(y, index=index)
    stamps = pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(time, unit="D"), index=index)
    result = nested_cv(TREE, {"max_depth": [1, 2]}, frame, target, method="grid",
                       time=stamps, outer_cv=3, inner_cv=2)  # fmt: skip
    values = stamps.to_numpy()
    for (train, test), inner in zip(result.outer_folds, result.inner_results, strict=True):
        assert values[train].max() < values[test].min()
        part = values[train]
        for inner_train, inner_test in inner.folds:
            assert part[inner_train].max() < part[inner_test].min()


def test_nested_cv_refuses_a_kfold_that_splits_groups_in_either_loop() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), 5)
    X, y = rng.normal(size=(150, 3)), np.tile([0, 1], 75)
    kfold = KFold(3, shuffle=True, random_state=0)
    with pytest.raises(ValueError, match=r"on both sides of fold 0"):
        nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", groups=groups,
                  outer_cv=kfold)  # fmt: skip
    with pytest.raises(ValueError, match=r"on both sides of fold 0"):
        nested_cv(TREE, {"max_depth": [1, 2]}, X, y, method="grid", groups=groups,
                  outer_cv=3, inner_cv=kfold)  # fmt: skip


# --------------------------------------------------------------------------- issue 11: scorers


@pytest.mark.parametrize("function", [tune, nested_cv])
def test_a_regression_metric_on_a_binary_target_names_both(
    data: tuple[np.ndarray, np.ndarray], function: Any
) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"scoring='rmse' is a regression metric.*'binary'"):
        function(TREE, {"max_depth": [1, 2]}, X, y, method="grid", scoring="rmse")


@pytest.mark.parametrize("function", [tune, nested_cv])
def test_roc_auc_on_a_regressor_names_both(
    data: tuple[np.ndarray, np.ndarray], function: Any
) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*estimator=Ridge is a regressor"):
        function(Ridge(), {"alpha": [1.0, 2.0]}, X, y, method="grid", scoring="roc_auc")


# --------------------------------------------------------------------------- issue 11: losses


def test_tune_loss_is_positive_and_equals_minus_gridsearchcv(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    X, y = data
    space = {"max_depth": [1, 3, 6], "min_samples_leaf": [5, 40]}
    result = tune(TREE, space, X, y, method="grid", scoring="log_loss", cv=4)
    search = GridSearchCV(TREE, space, cv=list(result.folds), scoring="neg_log_loss").fit(X, y)
    assert result.scoring == "log_loss" and result.greater_is_better is False
    assert result.best_score_ == pytest.approx(-search.best_score_)
    assert result.best_score_ > 0
    assert result.best_params_ == search.best_params_
    np.testing.assert_allclose(
        result.results_["mean_score"], -search.cv_results_["mean_test_score"]
    )
    for k in range(4):
        np.testing.assert_allclose(
            result.results_[f"fold_{k}"], -search.cv_results_[f"split{k}_test_score"]
        )
    np.testing.assert_array_equal(result.results_["rank"], search.cv_results_["rank_test_score"])
    assert result.best_score_ == result.results_["mean_score"].min()
    assert (result.fold_scores() > 0).all()
    best = result.trace()["best_score"].to_numpy()
    assert (np.diff(best) <= 0).all() and best[-1] == pytest.approx(result.best_score_)
    assert "greater_is_better=False" in repr(result)
    assert "lower is better" in result.summary() and "log_loss" in str(result)


@pytest.mark.parametrize("method", ["random", "bayes", "halving"])
def test_tune_every_method_reports_a_loss_positive_and_picks_the_lowest(method: str) -> None:
    X, y = make_regression(n_samples=240, n_features=5, noise=10.0, random_state=0)
    budget = {"grid_resolution": 4} if method == "halving" else {"n_iter": 5}
    result = tune(Ridge(), {"alpha": Float(1e-2, 1e3, log=True)}, X, y, method=method,
                  scoring="mae", **budget)  # fmt: skip
    table = result.results_
    assert (table["mean_score"] > 0).all() and not result.greater_is_better
    if method == "halving":
        last = table[table["iter"] == table["iter"].max()]
        assert result.best_score_ == last["mean_score"].min()
    else:
        assert result.best_score_ == table["mean_score"].min()
        model = Ridge().set_params(**result.best_params_)
        expected = cross_val_score(model, X, y, cv=list(result.folds),
                                   scoring="neg_mean_absolute_error")  # fmt: skip
        np.testing.assert_allclose(result.fold_scores(), -expected)
    assert table.loc[table["rank"] == 1, "params"].iloc[0] == result.best_params_


def test_nested_cv_loss_outer_scores_are_positive_and_optimism_is_signed() -> None:
    from sklearn.metrics import root_mean_squared_error

    X, y = make_regression(n_samples=150, n_features=5, noise=20.0, random_state=0)
    result = nested_cv(Ridge(), {"alpha": [0.01, 1.0, 100.0]}, X, y, method="grid",
                       scoring="rmse", outer_cv=3, inner_cv=3)  # fmt: skip
    assert result.greater_is_better is False and result.scoring == "rmse"
    for (_, test), inner, outer in zip(result.outer_folds, result.inner_results,
                                       result.outer_scores, strict=True):  # fmt: skip
        by_hand = root_mean_squared_error(y[test], inner.best_estimator_.predict(X[test]))
        assert outer == pytest.approx(by_hand) and outer > 0
        assert inner.best_score_ > 0
    assert result.optimism == pytest.approx(result.mean_score - result.mean_inner_best_score)
    assert "lower is better" in result.summary()


def test_plot_search_trace_states_the_direction_of_a_loss(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = data
    loss = tune(TREE, {"max_depth": [1, 3, 6]}, X, y, method="grid", scoring="log_loss")
    ax = plot_search_trace(loss)
    assert "log_loss" in ax.get_ylabel() and "lower is better" in ax.get_ylabel()
    (line,) = ax.get_lines()
    assert (line.get_ydata() > 0).all()
    plt.close(ax.figure)
    auc = tune(TREE, {"max_depth": [1, 3]}, X, y, method="grid")
    with pytest.raises(ValueError, match=r"different metrics"):
        plot_search_trace({"loss": loss, "auc": auc})


# --------------------------------------------------------------------------- issue 11: delegation


@pytest.mark.parametrize("method", ["grid", "random"])
def test_tune_grid_and_random_delegate_to_gridsearchcv_on_the_folds(
    data: tuple[np.ndarray, np.ndarray], method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = data
    calls: list[Any] = []
    original = GridSearchCV.fit

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(GridSearchCV, "fit", spy)
    budget = {"grid_resolution": 3} if method == "grid" else {"n_iter": 4}
    result = tune(TREE, TREE_SPACE, X, y, method=method, cv=3, **budget)
    assert len(calls) == 1
    search = calls[0]
    assert search.refit is False and [list(p) for p in search.cv] == [list(f) for f in result.folds]
    assert search.cv_results_["params"] == result.results_["params"].tolist()
    np.testing.assert_array_equal(
        result.results_["mean_score"], search.cv_results_["mean_test_score"]
    )


# --------------------------------------------------------------------------- issue 11: errors


LOGREG_SPACE = {"C": [1.0, -1.0, 0.1]}


@pytest.mark.parametrize("method", ["grid", "bayes", "halving"])
def test_tune_failing_candidate_raises_naming_its_parameters(
    data: tuple[np.ndarray, np.ndarray], method: str
) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = data
    budget = {"n_iter": 6} if method == "bayes" else {}
    with pytest.raises(ValueError, match=r"candidate \{'C': -1.0\} failed on fold \d") as info:
        tune(LogisticRegression(), LOGREG_SPACE, X, y, method=method, **budget)
    assert "The 'C' parameter of LogisticRegression must be" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_tune_error_score_nan_records_the_failure_and_warns_naming_it(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    from sklearn.exceptions import FitFailedWarning
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with pytest.warns(FitFailedWarning, match=r"1 of 3 candidates failed.*\{'C': -1.0\}"):
        result = tune(LogisticRegression(), LOGREG_SPACE, X, y, method="grid",
                      error_score=np.nan)  # fmt: skip
    failed = result.results_[result.results_["param_C"] == -1.0].iloc[0]
    assert np.isnan(failed["mean_score"]) and failed["rank"] == 3
    assert result.best_params_["C"] in (1.0, 0.1)
    search = GridSearchCV(LogisticRegression(), {"C": [1.0, 0.1]}, cv=list(result.folds),
                          scoring="roc_auc").fit(X, y)  # fmt: skip
    assert result.best_score_ == pytest.approx(search.best_score_)


def test_tune_error_score_nan_with_every_candidate_failing_says_so(
    data: tuple[np.ndarray, np.ndarray],
) -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with pytest.raises(ValueError, match=r"every candidate failed.*\{'C': -1.0\}"):
        tune(LogisticRegression(), {"C": [-1.0, -2.0]}, X, y, method="grid",
             error_score=np.nan)  # fmt: skip
    with pytest.raises(ValueError, match=r"every candidate failed"):
        nested_cv(LogisticRegression(), {"C": [-1.0, -2.0]}, X, y, method="grid",
                  error_score=np.nan, outer_cv=2, inner_cv=2)  # fmt: skip


def test_tune_bayes_error_score_nan_keeps_the_failed_trial_and_is_silent(
    data: tuple[np.ndarray, np.ndarray], capsys: pytest.CaptureFixture[str]
) -> None:
    from sklearn.exceptions import FitFailedWarning
    from sklearn.linear_model import LogisticRegression

    X, y = data
    with pytest.warns(FitFailedWarning, match=r"\{'C': -1.0\}"):
        result = tune(LogisticRegression(), {"C": Categorical([1.0, -1.0])}, X, y,
                      method="bayes", n_iter=6, error_score=np.nan)  # fmt: skip
    assert len(result.results_) == 6
    failed = result.results_["param_C"] == -1.0
    assert failed.any() and result.results_.loc[failed, "mean_score"].isna().all()
    assert result.best_params_ == {"C": 1.0}
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("function", [tune, nested_cv])
def test_error_score_other_than_raise_or_nan_is_refused(
    data: tuple[np.ndarray, np.ndarray], function: Any
) -> None:
    X, y = data
    with pytest.raises(ValueError, match=r"error_score=0 is not supported; use 'raise'"):
        function(TREE, {"max_depth": [1, 2]}, X, y, method="grid", error_score=0)


class FutureCancelledError(Exception):
    """Named like distributed's error for a task whose input data died with a worker."""


def test_tune_reruns_a_batch_the_backend_lost_and_says_so_when_it_keeps_losing_it(
    data: tuple[np.ndarray, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sklearn.model_selection._search as sklearn_search

    X, y = data
    space = {"max_depth": [2, 4], "min_samples_leaf": [1, 20]}
    expected = tune(TREE, space, X, y, method="grid")
    real = sklearn_search.Parallel
    failures = {"left": 2}

    class Flaky:  # loses the whole batch, as a Dask cluster losing scattered data does
        def __init__(self, **kwargs: Any) -> None:
            self.kwargs = kwargs

        def __enter__(self) -> Flaky:  # GridSearchCV uses its Parallel as a context
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def __call__(self, tasks: Any) -> Any:
            if failures["left"] > 0:
                failures["left"] -= 1
                raise FutureCancelledError("lost dependencies")
            return real(**self.kwargs)(tasks)

    monkeypatch.setattr(sklearn_search, "Parallel", Flaky)
    again = tune(TREE, space, X, y, method="grid")
    assert failures["left"] == 0
    columns = [c for c in expected.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(again.results_[columns], expected.results_[columns])
    failures["left"] = 99
    with pytest.raises(RuntimeError, match=r"lost work 3 times .*FutureCancelledError"):
        tune(TREE, space, X, y, method="grid")
