"""Tests for mlkit.metrics: task inference, metric sets, primary metric, evaluation."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm
from sklearn.datasets import make_classification, make_regression
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.svm import LinearSVC

from mlkit.metrics import (
    DEFAULT_SCORING,
    METRIC_SETS,
    RARE_POSITIVE_RATE,
    SCORING_ALIASES,
    TASKS,
    choose_primary_metric,
    confusion_at_threshold,
    cost_optimal_threshold,
    evaluate,
    expected_cost,
    greater_is_better,
    infer_task,
    metric_scorers,
    metric_set,
    plot_threshold_curve,
    readable_metric_name,
    recall_at_precision,
    resolve_scoring,
    threshold_curve,
)

# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def binary_fit():
    X, y = make_classification(n_samples=300, n_features=5, weights=[0.8], random_state=0)
    model = LogisticRegression().fit(X[:200], y[:200])
    return model, X[200:], y[200:]


@pytest.fixture(scope="module")
def multiclass_fit():
    X, y = make_classification(
        n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0
    )
    model = LogisticRegression().fit(X[:200], y[:200])
    return model, X[200:], y[200:]


@pytest.fixture(scope="module")
def regression_fit():
    X, y = make_regression(n_samples=200, n_features=4, noise=10.0, random_state=0)
    model = LinearRegression().fit(X[:150], y[:150])
    return model, X[150:], y[150:]


# --------------------------------------------------------------------------- infer_task


@settings(max_examples=50, deadline=None)
@given(
    codes=st.lists(st.integers(0, 4), min_size=2, max_size=40),
    names=st.permutations(["a", "b", "c", "d", "e"]),
)
def test_infer_task_invariant_to_renaming_and_permuting_labels(codes, names):
    codes_arr = np.asarray(codes)
    if np.unique(codes_arr).size < 2:
        codes_arr[0] = (codes_arr[0] + 1) % 5
    task = infer_task(codes_arr)
    renamed = np.asarray(names)[codes_arr]
    permuted_ints = np.asarray([3, 0, 4, 1, 2])[codes_arr] + 10
    assert infer_task(renamed) == task
    assert infer_task(permuted_ints) == task
    assert infer_task(codes_arr[::-1]) == task
    assert task == ("binary" if np.unique(codes_arr).size == 2 else "multiclass")


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=30),
    shift=st.integers(-10_000, 10_000),
)
def test_infer_task_shifted_non_integral_floats_are_regression(values, shift):
    y = np.floor(np.asarray(values)) + 0.5  # at least one non-integral value, exactly
    assert infer_task(y) == "regression"
    assert infer_task(y + shift) == "regression"


def test_infer_task_many_integer_values_is_regression():
    assert infer_task(np.arange(100)) == "regression"
    assert infer_task(np.arange(3).astype(float)) == "multiclass"


@pytest.mark.parametrize(
    ("y", "match"),
    [
        ([0.0, np.nan, 1.0], "y contains 1 missing value"),
        ([1, 1, 1], "single class"),
        (["a", "a"], "single class"),
        ([], "y is empty"),
    ],
)
def test_infer_task_bad_input_raises(y, match):
    with pytest.raises(ValueError, match=match):
        infer_task(y)


# --------------------------------------------------------------------------- metric sets


@pytest.mark.parametrize("task", TASKS)
def test_metric_set_is_usable_as_cross_validate_scoring(task):
    if task == "regression":
        X, y = make_regression(n_samples=60, n_features=3, random_state=0)
        model = LinearRegression()
    else:
        n_classes = 2 if task == "binary" else 3
        X, y = make_classification(
            n_samples=90, n_features=4, n_informative=3, n_redundant=0,
            n_classes=n_classes, random_state=0,
        )  # fmt: skip
        model = LogisticRegression()
    result = cross_validate(model, X, y, cv=3, scoring=metric_set(task))
    for name in METRIC_SETS[task]:
        scores = result[f"test_{name}"]
        assert np.isfinite(scores).all()
        if not greater_is_better(name):
            assert (scores <= 0).all()  # scikit-learn scorers negate losses


def test_metric_set_returns_a_copy():
    first = metric_set("binary")
    first["extra"] = "accuracy"
    assert "extra" not in metric_set("binary")


def test_metric_set_unknown_task_raises():
    with pytest.raises(ValueError, match="task='survival' is not supported"):
        metric_set("survival")  # type: ignore[arg-type]


def test_metric_scorers_do_not_warn_for_a_constant_classifier():
    X, y = make_classification(n_samples=100, weights=[0.85], random_state=0)
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = cross_validate(
            DummyClassifier(strategy="most_frequent"), X, y, cv=cv,
            scoring=metric_scorers("binary"),
        )  # fmt: skip
    assert result["test_precision"].tolist() == [0.0, 0.0, 0.0]
    assert result["test_recall"].tolist() == [0.0, 0.0, 0.0]


def test_metric_scorers_string_labels_use_pos_label():
    X, y01 = make_classification(n_samples=120, random_state=1)
    y = np.where(y01 == 1, "yes", "no")
    model = LogisticRegression().fit(X, y)
    scorers = metric_scorers("binary", metrics=["precision", "average_precision"], pos_label="yes")
    proba = model.predict_proba(X)[:, 1]
    assert scorers["precision"](model, X, y) == pytest.approx(
        skm.precision_score(y, model.predict(X), pos_label="yes")
    )
    assert scorers["average_precision"](model, X, y) == pytest.approx(
        skm.average_precision_score(y == "yes", proba)
    )


def test_metric_scorers_unknown_metric_raises():
    with pytest.raises(ValueError, match="metrics contains 'rmse', which is not a binary metric"):
        metric_scorers("binary", metrics=["rmse"])


def test_readable_metric_name_round_trips_the_metric_sets():
    for task in TASKS:
        for readable, scorer_name in METRIC_SETS[task].items():
            assert readable_metric_name(scorer_name, task=task) == readable
            assert readable_metric_name(readable, task=task) == readable
    for alias, target in SCORING_ALIASES.items():
        for task in TASKS:
            if target in METRIC_SETS[task].values():
                assert METRIC_SETS[task][readable_metric_name(alias, task=task)] == target


def test_greater_is_better_matches_scikit_learn_sign():
    from sklearn.metrics import get_scorer

    for task in TASKS:
        for readable, scorer_name in METRIC_SETS[task].items():
            assert greater_is_better(readable) == (get_scorer(scorer_name)._sign > 0)


def test_resolve_scoring_keeps_its_contract():
    assert resolve_scoring(None, task="regression") == DEFAULT_SCORING["regression"]
    assert resolve_scoring(["auc", "log_loss"], task="binary") == ["roc_auc", "neg_log_loss"]
    with pytest.raises(ValueError, match="scoring='accuracy_score' is not a known metric"):
        resolve_scoring("accuracy_score", task="binary")


# --------------------------------------------------------------------------- primary metric


def test_choose_primary_metric_rare_positives_prefers_average_precision():
    choice = choose_primary_metric("binary", positive_rate=0.05)
    assert choice.name == "average_precision"
    assert choice.greater_is_better
    assert "roc_auc" in choice.secondary
    assert choice.scoring == "average_precision"


def test_choose_primary_metric_balanced_classes_prefer_roc_auc():
    assert choose_primary_metric("binary", positive_rate=0.5).name == "roc_auc"
    assert choose_primary_metric("binary").name == "roc_auc"
    boundary = choose_primary_metric("binary", positive_rate=RARE_POSITIVE_RATE)
    assert boundary.name == "roc_auc"


@settings(max_examples=40, deadline=None)
@given(
    c_fp=st.floats(0.01, 1000, allow_nan=False),
    c_fn=st.floats(0.01, 1000, allow_nan=False),
)
def test_choose_primary_metric_costs_give_the_cost_optimal_threshold(c_fp, c_fn):
    choice = choose_primary_metric(
        "binary", positive_rate=0.1, cost_false_positive=c_fp, cost_false_negative=c_fn
    )
    assert choice.name == "expected_cost"
    assert not choice.greater_is_better
    assert choice.threshold == pytest.approx(c_fp / (c_fp + c_fn))
    assert "expected_cost" not in choice.secondary


def test_choose_primary_metric_costs_win_over_precision_floor():
    choice = choose_primary_metric(
        "binary", cost_false_positive=1, cost_false_negative=4, precision_floor=0.5
    )
    assert choice.name == "expected_cost"
    assert choice.precision_floor == 0.5


def test_choose_primary_metric_precision_floor_gives_recall_at_precision():
    choice = choose_primary_metric("binary", positive_rate=0.1, precision_floor=0.4)
    assert choice.name == "recall_at_precision"
    assert choice.precision_floor == 0.4
    assert choice.scoring is None
    assert "average_precision" in choice.secondary


def test_choose_primary_metric_calibrated_probabilities_give_log_loss():
    assert choose_primary_metric("binary", need_calibrated_probabilities=True).name == "log_loss"
    multi = choose_primary_metric("multiclass", need_calibrated_probabilities=True)
    assert multi.name == "log_loss"
    assert multi.scoring == "neg_log_loss"


def test_choose_primary_metric_multiclass_and_regression_rules():
    assert choose_primary_metric("multiclass").name == "balanced_accuracy"
    assert choose_primary_metric("regression").name == "rmse"
    assert choose_primary_metric("regression", penalize_large_errors=False).name == "mae"


def test_choose_primary_metric_str_mentions_name_and_reason():
    choice = choose_primary_metric("binary", cost_false_positive=1, cost_false_negative=9)
    text = str(choice)
    assert "expected_cost" in text and "0.1" in text and choice.reason in text


def test_primary_metric_scorer_matches_direct_computation(binary_fit):
    model, X, y = binary_fit
    proba = model.predict_proba(X)[:, 1]
    cost_choice = choose_primary_metric("binary", cost_false_positive=1, cost_false_negative=3)
    manual = (
        1 * np.sum((proba >= 0.25) & (y == 0)) + 3 * np.sum((proba < 0.25) & (y == 1))
    ) / y.size
    assert cost_choice.scorer()(model, X, y) == pytest.approx(-manual)
    floor_choice = choose_primary_metric("binary", precision_floor=0.6)
    assert floor_choice.scorer()(model, X, y) == pytest.approx(
        recall_at_precision(y, model.decision_function(X), precision_floor=0.6)
    )
    rare_choice = choose_primary_metric("binary", positive_rate=0.1)
    assert rare_choice.scorer()(model, X, y) == pytest.approx(
        skm.average_precision_score(y, model.decision_function(X))
    )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"task": "ranking"}, "task='ranking' is not supported"),
        ({"task": "binary", "cost_false_positive": 1}, "cost_false_negative is missing"),
        ({"task": "binary", "cost_false_negative": 1}, "cost_false_positive is missing"),
        ({"task": "regression", "positive_rate": 0.1}, "positive_rate only apply to binary"),
        ({"task": "multiclass", "precision_floor": 0.5}, "precision_floor only apply"),
        ({"task": "binary", "positive_rate": 1.5}, r"positive_rate=1.5 must lie in \(0, 1\)"),
        ({"task": "binary", "precision_floor": 0}, r"precision_floor=0 must lie in \(0, 1\)"),
        (
            {"task": "binary", "cost_false_positive": -1, "cost_false_negative": 1},
            "cost_false_positive=-1 must be a finite cost > 0",
        ),
        (
            {"task": "regression", "need_calibrated_probabilities": True},
            "need_calibrated_probabilities=True applies to classification",
        ),
    ],
)
def test_choose_primary_metric_bad_input_raises(kwargs, match):
    task = kwargs.pop("task")
    with pytest.raises(ValueError, match=match):
        choose_primary_metric(task, **kwargs)


# --------------------------------------------------------------------------- thresholds


@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.booleans(), st.floats(0, 1, allow_nan=False)), min_size=2, max_size=60
    ),
    threshold=st.floats(0, 1, allow_nan=False),
)
def test_confusion_at_threshold_matches_sklearn_confusion_matrix(data, threshold):
    y = np.asarray([int(label) for label, _ in data])
    score = np.asarray([s for _, s in data])
    counts = confusion_at_threshold(y, score, threshold=threshold)
    pred = (score >= threshold).astype(int)
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    assert (counts.tn, counts.fp, counts.fn, counts.tp) == (tn, fp, fn, tp)
    assert counts.precision == pytest.approx(skm.precision_score(y, pred, zero_division=0.0))
    assert counts.recall == pytest.approx(skm.recall_score(y, pred, zero_division=0.0))
    assert counts.accuracy == pytest.approx(skm.accuracy_score(y, pred))
    frame = counts.to_frame()
    assert frame.to_numpy().tolist() == [[tn, fp], [fn, tp]]


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(st.tuples(st.booleans(), st.integers(0, 20)), min_size=2, max_size=60).filter(
        lambda rows: any(label for label, _ in rows)
    ),
    floor=st.floats(0.05, 0.95),
)
def test_recall_at_precision_matches_brute_force_over_thresholds(data, floor):
    y = np.asarray([int(label) for label, _ in data])
    score = np.asarray([s / 20 for _, s in data])
    best = 0.0
    for t in np.unique(score):  # every distinct threshold, counted by hand
        pred = score >= t
        precision = np.sum(pred & (y == 1)) / np.sum(pred)
        if precision >= floor:
            best = max(best, np.sum(pred & (y == 1)) / np.sum(y == 1))
    assert recall_at_precision(y, score, precision_floor=floor) == pytest.approx(best)


def test_recall_at_precision_without_positives_is_zero():
    assert recall_at_precision([0, 0, 0], [0.2, 0.5, 0.1], precision_floor=0.5) == 0.0


def test_expected_cost_matches_confusion_counts():
    y = np.array([0, 0, 1, 1, 1, 0])
    score = np.array([0.9, 0.1, 0.8, 0.2, 0.6, 0.4])
    counts = confusion_at_threshold(y, score, threshold=0.5)
    cost = expected_cost(y, score, threshold=0.5, cost_false_positive=2, cost_false_negative=7)
    assert cost == pytest.approx((2 * counts.fp + 7 * counts.fn) / y.size)


@settings(max_examples=30, deadline=None)
@given(c_fp=st.floats(0.1, 10), c_fn=st.floats(0.1, 10), seed=st.integers(0, 2**16))
def test_cost_optimal_threshold_minimises_cost_for_calibrated_probabilities(c_fp, c_fn, seed):
    rng = np.random.default_rng(seed)
    proba = rng.random(4000)
    best = cost_optimal_threshold(cost_false_positive=c_fp, cost_false_negative=c_fn)
    grid = np.linspace(0, 1, 41)
    # with the true probabilities as scores (calibrated by construction), the expected
    # cost of thresholding is smallest at the cost-optimal threshold
    expected = [np.mean(np.where(proba >= t, (1 - proba) * c_fp, proba * c_fn)) for t in grid]
    at_best = np.mean(np.where(proba >= best, (1 - proba) * c_fp, proba * c_fn))
    assert at_best <= min(expected) + 1e-12


def test_threshold_curve_agrees_with_confusion_at_threshold():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    score = np.clip(0.3 * y + rng.random(200) * 0.7, 0, 1)
    curve = threshold_curve(y, score, cost_false_positive=1, cost_false_negative=5)
    assert len(curve) == 101
    for row in curve.iloc[::10].itertuples():
        counts = confusion_at_threshold(y, score, threshold=row.threshold)
        assert (row.tp, row.fp, row.tn, row.fn) == (counts.tp, counts.fp, counts.tn, counts.fn)
        assert row.precision == pytest.approx(counts.precision)
        assert row.expected_cost == pytest.approx(
            expected_cost(y, score, threshold=row.threshold, cost_false_positive=1,
                          cost_false_negative=5)
        )  # fmt: skip


def test_threshold_helpers_use_pos_label_for_string_labels():
    y = np.array(["alive", "dead", "dead", "alive"])
    score = np.array([0.2, 0.9, 0.4, 0.7])
    counts = confusion_at_threshold(y, score, threshold=0.5, pos_label="dead")
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (1, 1, 1, 1)
    default = confusion_at_threshold(y, score, threshold=0.5)  # greater label: "dead"
    assert default == counts


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: confusion_at_threshold([0, 1], [0.1], threshold=0.5), "y_score must have"),
        (lambda: confusion_at_threshold([0, 1, 2], [0.1, 0.2, 0.3], threshold=0.5),
         "3 distinct labels"),
        (lambda: confusion_at_threshold([0, np.nan], [0.1, 0.2], threshold=0.5),
         "y_true contains 1 missing"),
        (lambda: confusion_at_threshold([0, 1], [0.1, np.nan], threshold=0.5),
         "y_score contains NaN"),
        (lambda: confusion_at_threshold([0, 1], [0.1, 0.2], threshold="high"),
         "threshold must be a number"),
        (lambda: confusion_at_threshold(["a", "b"], [0.1, 0.2], threshold=0.5, pos_label="c"),
         "pos_label='c' is not one of the labels"),
        (lambda: recall_at_precision([0, 1], [0.1, 0.2], precision_floor=1.5),
         "precision_floor=1.5 must lie"),
        (lambda: expected_cost([0, 1], [0.1, 0.2], threshold=0.5, cost_false_positive=0,
                               cost_false_negative=1), "cost_false_positive=0 must be"),
        (lambda: threshold_curve([0, 1], [0.1, 0.2], cost_false_positive=1),
         "give both cost_false_positive and cost_false_negative"),
    ],
)  # fmt: skip
def test_threshold_helpers_bad_input_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_plot_threshold_curve_returns_labelled_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 100)
    ax = plot_threshold_curve(y, rng.random(100), cost_false_positive=1, cost_false_negative=4)
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    labels = ax.get_legend().get_texts()
    assert any("0.20" in text.get_text() for text in labels)
    plt.close(ax.figure)


def test_import_metrics_does_not_import_heavy_libraries():
    code = (
        "import sys, mlkit.metrics, mlkit.baselines; "
        "print([m for m in ('matplotlib', 'optuna', 'mlflow', 'skops', 'dask') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- evaluate


def test_evaluate_binary_matches_sklearn_metrics_at_threshold(binary_fit):
    model, X, y = binary_fit
    report = evaluate(model, X, y, threshold=0.3).set_index("metric")
    proba = model.predict_proba(X)[:, 1]
    pred = (proba >= 0.3).astype(int)
    expected = {
        "accuracy": skm.accuracy_score(y, pred),
        "balanced_accuracy": skm.balanced_accuracy_score(y, pred),
        "precision": skm.precision_score(y, pred),
        "recall": skm.recall_score(y, pred),
        "f1": skm.f1_score(y, pred),
        "roc_auc": skm.roc_auc_score(y, proba),
        "average_precision": skm.average_precision_score(y, proba),
        "log_loss": skm.log_loss(y, model.predict_proba(X)),
        "brier": skm.brier_score_loss(y, proba),
    }
    assert list(report.index) == list(METRIC_SETS["binary"])
    for name, value in expected.items():
        assert report.loc[name, "value"] == pytest.approx(value)
        assert report.loc[name, "greater_is_better"] == greater_is_better(name)


def test_evaluate_multiclass_matches_sklearn_metrics(multiclass_fit):
    model, X, y = multiclass_fit
    report = evaluate(model, X, y).set_index("metric")["value"]
    pred, proba = model.predict(X), model.predict_proba(X)
    assert report["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert report["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert report["f1_macro"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert report["roc_auc_ovr"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert report["log_loss"] == pytest.approx(skm.log_loss(y, proba))


def test_evaluate_regression_reports_losses_as_positive_numbers(regression_fit):
    model, X, y = regression_fit
    report = evaluate(model, X, y, metrics=["neg_root_mean_squared_error", "mae", "r2"])
    pred = model.predict(X)
    assert report["metric"].tolist() == ["rmse", "mae", "r2"]
    assert report["value"].tolist() == pytest.approx(
        [skm.root_mean_squared_error(y, pred), skm.mean_absolute_error(y, pred),
         skm.r2_score(y, pred)]
    )  # fmt: skip
    assert report["greater_is_better"].tolist() == [False, False, True]


def test_evaluate_without_predict_proba_uses_decision_function():
    X, y = make_classification(n_samples=150, random_state=0)
    model = LinearSVC().fit(X, y)
    report = evaluate(model, X, y).set_index("metric")["value"]
    assert "log_loss" not in report.index
    assert report["roc_auc"] == pytest.approx(skm.roc_auc_score(y, model.decision_function(X)))
    with pytest.raises(ValueError, match="'brier', which needs predict_proba"):
        evaluate(model, X, y, metrics=["brier"])


@pytest.mark.parametrize(
    ("make_args", "match"),
    [
        (lambda m, X, y: (m, X, np.where(np.arange(y.size) == 3, np.nan, y)),
         "y contains 1 missing value"),
        (lambda m, X, y: (m, X[:-5], y), "y must have one entry per sample like X"),
        (lambda m, X, y: (m, X, np.zeros_like(y)), "single class"),
        (lambda m, X, y: (LogisticRegression(), X, y), "is not fitted; call estimator.fit"),
        (lambda m, X, y: ("model", X, y), "estimator must be a fitted scikit-learn estimator"),
        (lambda m, X, y: (m, X, y + 5), "never saw"),
    ],
)  # fmt: skip
def test_evaluate_bad_input_raises(binary_fit, make_args, match):
    with pytest.raises(ValueError, match=match):
        evaluate(*make_args(*binary_fit))


def test_evaluate_bad_metric_or_threshold_raises(binary_fit, regression_fit):
    model, X, y = binary_fit
    with pytest.raises(ValueError, match="metrics contains 'rmse', which is not a binary"):
        evaluate(model, X, y, metrics=["rmse"])
    with pytest.raises(ValueError, match=r"threshold=1.5 must lie in \[0, 1\]"):
        evaluate(model, X, y, threshold=1.5)
    reg, X_reg, y_reg = regression_fit
    with pytest.raises(ValueError, match=r"threshold=0\.3 only applies to binary"):
        evaluate(reg, X_reg, y_reg, threshold=0.3)


def test_evaluate_accepts_pandas_inputs(binary_fit):
    model, X, y = binary_fit
    from_numpy = evaluate(model, X, y)
    from_pandas = evaluate(model, X, pd.Series(y, name="target"))
    pd.testing.assert_frame_equal(from_numpy, from_pandas)


def test_evaluate_reads_task_from_fitted_estimator_not_holdout() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = np.repeat([0, 1, 2], 100)
    X[:, 0] += y
    model = LogisticRegression().fit(X, y)
    holdout = y < 2  # the holdout happens to hold two of the three classes
    report = evaluate(model, X[holdout], y[holdout]).set_index("metric")["value"]
    assert "f1_macro" in report.index and "roc_auc" not in report.index
    expected = log_loss(y[holdout], model.predict_proba(X[holdout]), labels=model.classes_)
    assert report["log_loss"] == pytest.approx(expected)


def test_evaluate_ovr_auc_matches_sklearn_when_all_classes_present() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = np.repeat([0, 1, 2], 100)
    X[:, 1] += y
    model = LogisticRegression().fit(X, y)
    report = evaluate(model, X, y, metrics=["roc_auc_ovr"]).set_index("metric")["value"]
    expected = roc_auc_score(y, model.predict_proba(X), multi_class="ovr")
    assert report["roc_auc_ovr"] == pytest.approx(expected)


def test_evaluate_task_contradicting_estimator_names_both() -> None:
    from sklearn.linear_model import LogisticRegression

    X = np.random.default_rng(2).normal(size=(40, 2))
    y = np.tile([0, 1], 20)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"task='regression' contradicts .*LogisticRegression"):
        evaluate(model, X, y, task="regression")


@pytest.mark.parametrize(
    ("scoring", "task", "match"),
    [
        ("rmse", "binary", "scoring='rmse' is a regression metric, but the task is 'binary'"),
        ("accuracy", "regression", "scoring='accuracy' is a classification metric"),
        ("roc_auc", "multiclass", "scoring='roc_auc' is a binary metric.*'roc_auc_ovr'"),
        ("adjusted_rand_score", "binary", "is a clustering metric"),
        ("no_such_metric", "binary", "is not a known metric"),
        ([], "binary", "empty list"),
        ({}, "binary", "empty dict"),
        (3, "binary", "scoring must be None, a metric name"),
    ],
)
def test_get_scorers_bad_scoring_names_scoring_and_task(scoring, task, match) -> None:
    from mlkit.metrics import get_scorers

    with pytest.raises(ValueError, match=match):
        get_scorers(scoring, task=task)


def test_get_scorers_refuses_classification_metric_on_regressor() -> None:
    from sklearn.linear_model import Ridge

    from mlkit.metrics import get_scorers

    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*estimator=Ridge is a regressor"):
        get_scorers("roc_auc", task="binary", estimator=Ridge())


def test_get_scorers_refuses_ranking_metric_without_scores() -> None:
    from sklearn.base import BaseEstimator, ClassifierMixin

    from mlkit.metrics import get_scorers

    class HardVotes(ClassifierMixin, BaseEstimator):
        def fit(self, X, y):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.raises(ValueError, match="needs decision_function or predict_proba"):
        get_scorers("roc_auc", task="binary", estimator=HardVotes())


def test_get_scorers_same_scorer_as_metric_scorers_for_task_metrics() -> None:
    from sklearn.dummy import DummyClassifier

    from mlkit.metrics import get_scorers

    X = np.zeros((20, 1))
    y = np.array(["no"] * 15 + ["yes"] * 5)
    model = DummyClassifier(strategy="most_frequent").fit(X, y)
    scorers = get_scorers(["f1", "precision"], task="binary", pos_label="yes")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero-division rule: no UndefinedMetricWarning
        assert scorers["precision"](model, X, y) == 0.0
        assert scorers["f1"](model, X, y) == 0.0


def test_get_scorers_aliases_defaults_and_dict_keys() -> None:
    from mlkit.metrics import get_scorers

    assert list(get_scorers("auc", task="binary")) == ["roc_auc"]
    assert list(get_scorers(None, task="binary")) == ["roc_auc"]
    assert list(get_scorers("neg_mean_squared_error", task="regression")) == ["mean_squared_error"]
    custom = get_scorers({"my_auc": "roc_auc", "r": "recall"}, task="binary")
    assert list(custom) == ["my_auc", "r"]


def test_get_scorers_refuses_regression_metric_on_classifier() -> None:
    from sklearn.linear_model import LogisticRegression

    from mlkit.metrics import get_scorers

    with pytest.raises(
        ValueError, match=r"scoring='rmse' is a regression metric, but estimator=LogisticRegression"
    ):
        get_scorers("rmse", task="regression", estimator=LogisticRegression())


def test_get_scorers_refuses_metric_on_regressor_inside_a_pipeline() -> None:
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mlkit.metrics import get_scorers

    model = make_pipeline(StandardScaler(), Ridge())
    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*estimator=Pipeline is a regressor"):
        get_scorers("roc_auc", task="binary", estimator=model)


@pytest.mark.parametrize(
    ("scorer_name", "task", "kind"),
    [
        ("roc_auc", "regression", "classification"),
        ("neg_root_mean_squared_error", "binary", "regression"),
        ("adjusted_rand_score", "multiclass", "clustering"),
    ],
)
def test_get_scorers_checks_scikit_learn_scorer_objects_against_the_task(
    scorer_name: str, task: str, kind: str
) -> None:
    from sklearn.metrics import get_scorer

    from mlkit.metrics import get_scorers

    with pytest.raises(ValueError, match=rf"\(a scorer object\) is a {kind} metric.*'{task}'"):
        get_scorers(get_scorer(scorer_name), task=task)


def test_get_scorers_keeps_scorer_objects_that_fit_and_custom_functions() -> None:
    from sklearn.metrics import get_scorer, make_scorer

    from mlkit.metrics import get_scorers

    auc = get_scorer("roc_auc")
    assert get_scorers(auc, task="binary") == {"roc_auc_score": auc}

    def my_loss(y_true, y_pred):  # a function of your own is trusted for any task
        return float(np.mean(np.abs(y_true - y_pred)))

    custom = make_scorer(my_loss, greater_is_better=False)
    assert get_scorers(custom, task="regression") == {"my_loss": custom}
    assert get_scorers({"cost": custom}, task="binary") == {"cost": custom}


def test_metrics_reexports_the_split_modules_public_names() -> None:
    import mlkit.evaluation
    import mlkit.metrics
    import mlkit.scoring
    import mlkit.tasks

    for module in (mlkit.tasks, mlkit.scoring, mlkit.evaluation):
        for name in module.__all__:
            assert name in mlkit.metrics.__all__, (module.__name__, name)
            assert getattr(mlkit.metrics, name) is getattr(module, name)
    for name in mlkit.metrics.__all__:
        assert hasattr(mlkit.metrics, name), name
    # the names other modules import from mlkit.metrics
    from mlkit.metrics import (  # noqa: F401
        TASKS,
        Task,
        evaluate,
        get_scorers,
        greater_is_better,
        infer_task,
        resolve_scoring,
        resolve_task,
    )


def test_evaluate_unfitted_estimator_raises_not_fitted_error() -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import LogisticRegression

    X = np.zeros((6, 2))
    y = np.tile([0, 1], 3)
    with pytest.raises(NotFittedError, match=r"estimator \(LogisticRegression\) is not fitted"):
        evaluate(LogisticRegression(), X, y)


def test_single_class_message_prints_a_plain_scalar() -> None:
    with pytest.raises(ValueError, match=r"y has a single class \(1\) in all 3 samples") as info:
        infer_task(np.array([1, 1, 1]))
    assert "np." not in str(info.value)


def test_get_scorers_other_sklearn_scorers_share_pos_label_and_zero_division() -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.linear_model import LogisticRegression

    from mlkit.metrics import get_scorers

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 2))
    y = np.where(X[:, 0] + rng.normal(size=120) > 0.8, "yes", "no")
    model = LogisticRegression().fit(X, y)
    pred = model.predict(X)
    for label in ("yes", "no"):
        [(name, scorer)] = get_scorers("jaccard", task="binary", pos_label=label).items()
        assert name == "jaccard"
        assert scorer(model, X, y) == pytest.approx(skm.jaccard_score(y, pred, pos_label=label))
    silent = DummyClassifier(strategy="most_frequent").fit(X, y)  # never predicts "yes"
    [(_, macro)] = get_scorers("precision_macro", task="binary", pos_label="yes").items()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no UndefinedMetricWarning, no pos_label warning
        value = macro(silent, X, y)
    expected = skm.precision_score(y, silent.predict(X), average="macro", zero_division=0.0)
    assert value == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scoring", "task", "match"),
    [
        ("f1_samples", "binary", r"scoring='f1_samples' is a multilabel .* task is 'binary'"),
        ("recall_samples", "multiclass", r"multilabel .* use 'recall'"),
        ("top_k_accuracy", "binary", r"scoring='top_k_accuracy' is always 1 on a binary task"),
        ("positive_likelihood_ratio", "multiclass", r"is a binary metric, but the task is"),
    ],
)
def test_get_scorers_refuses_scorers_meaningless_for_the_task(scoring, task, match) -> None:
    from mlkit.metrics import get_scorers

    with pytest.raises(ValueError, match=match):
        get_scorers(scoring, task=task)
