"""Tests for mlkit.baselines: dummy baselines under CV and the beat-the-baseline gate."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GroupKFold, KFold, cross_validate

from mlkit.baselines import (
    BaselineComparison,
    baseline_strategies,
    beats_baseline,
    compare_baselines,
    nadeau_bengio_test,
    plot_fold_scores,
)
from mlkit.datasets import make_patient_visits
from mlkit.metrics import METRIC_SETS, metric_scorers
from mlkit.splits import choose_cv


class SpySplitter:
    """A group splitter that records what ``split`` received and how often it ran."""

    def __init__(self, n_splits: int = 3) -> None:
        self.inner = GroupKFold(n_splits=n_splits)
        self.calls: list[object] = []

    def split(self, X, y=None, groups=None):
        self.calls.append(groups)
        yield from self.inner.split(X, y, groups)

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.inner.get_n_splits(X, y, groups)


@pytest.fixture(scope="module")
def cohort():
    return make_patient_visits(n_patients=60, signal=2.0, random_state=0)


@pytest.fixture(scope="module")
def signal_gate(cohort):
    """The gate for logistic regression on a cohort with a real signal (computed once)."""
    return beats_baseline(
        LogisticRegression(), cohort.X, cohort.y, groups=cohort.groups, scoring="roc_auc"
    )


@pytest.fixture(scope="module")
def regression_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    y = X @ np.array([2.0, -1.0, 0.0]) + rng.standard_exponential(150) * 3
    return X, y


# --------------------------------------------------------------------------- compare


def test_compare_baselines_matches_manual_dummy_cross_validate(cohort):
    table = compare_baselines(cohort.X, cohort.y, groups=cohort.groups)
    cv = choose_cv(cohort.y, groups=cohort.groups)
    folds = list(cv.split(cohort.X, cohort.y, cohort.groups))
    assert list(table.index) == ["most_frequent", "prior", "stratified", "uniform"]
    assert table.index.name == "strategy"
    for strategy in table.index:
        manual = cross_validate(
            DummyClassifier(strategy=strategy, random_state=0), cohort.X, cohort.y, cv=folds,
            scoring=metric_scorers("binary"),
        )  # fmt: skip
        for name in METRIC_SETS["binary"]:
            values = manual[f"test_{name}"]
            if name in ("log_loss", "brier"):
                values = -values
            assert table.loc[strategy, f"{name}_mean"] == pytest.approx(values.mean())
            assert table.loc[strategy, f"{name}_std"] == pytest.approx(values.std())


def test_compare_baselines_regression_strategies_match_dummy_regressor(regression_data):
    X, y = regression_data
    cv = KFold(n_splits=4, shuffle=True, random_state=1)
    table = compare_baselines(X, y, cv=cv, scoring=["mae", "r2"])
    assert list(table.index) == ["mean", "median", "quantile=0.25", "quantile=0.75"]
    assert list(table.columns) == ["mae_mean", "mae_std", "r2_mean", "r2_std"]
    assert table.attrs["greater_is_better"] == {"mae": False, "r2": True}
    manual = cross_validate(
        DummyRegressor(strategy="median"), X, y, cv=cv, scoring="neg_mean_absolute_error"
    )
    assert table.loc["median", "mae_mean"] == pytest.approx(-manual["test_score"].mean())
    manual_q = cross_validate(
        DummyRegressor(strategy="quantile", quantile=0.75), X, y, cv=cv, scoring="r2"
    )
    assert table.loc["quantile=0.75", "r2_mean"] == pytest.approx(manual_q["test_score"].mean())


def test_compare_baselines_emits_no_warning_for_ill_defined_metrics(cohort):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare_baselines(cohort.X, cohort.y, groups=cohort.groups)
    assert table.loc["most_frequent", "precision_mean"] == 0.0
    assert table.loc["most_frequent", "recall_mean"] == 0.0
    assert table.loc["most_frequent", "roc_auc_mean"] == pytest.approx(0.5)


def test_compare_baselines_multiclass_uses_multiclass_metrics():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], size=120, p=[0.6, 0.3, 0.1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = compare_baselines(np.zeros((120, 1)), y)
    expected = [f"{m}_{s}" for m in METRIC_SETS["multiclass"] for s in ("mean", "std")]
    assert list(table.columns) == expected
    assert table.loc["most_frequent", "balanced_accuracy_mean"] == pytest.approx(1 / 3)


def test_compare_baselines_string_binary_labels_use_greater_label_as_positive():
    y = np.array(["alive"] * 30 + ["dead"] * 10)
    table = compare_baselines(np.zeros((40, 1)), y, scoring=["recall", "average_precision"])
    # "uniform" flags half the cases at random, so it catches some "dead"
    assert table.loc["uniform", "recall_mean"] > 0
    assert table.loc["prior", "average_precision_mean"] == pytest.approx(0.25, abs=0.02)


def test_compare_baselines_passes_groups_and_splits_once(cohort):
    spy = SpySplitter(n_splits=3)
    compare_baselines(cohort.X, cohort.y, groups=cohort.groups, cv=spy, scoring="roc_auc")
    assert len(spy.calls) == 1  # every strategy reuses the same materialised folds
    np.testing.assert_array_equal(spy.calls[0], cohort.groups.to_numpy())


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), n_splits=st.integers(2, 5))
def test_compare_baselines_default_cv_keeps_groups_on_one_side(seed, n_splits):
    data = make_patient_visits(n_patients=30, random_state=seed)

    class Recorder(SpySplitter):
        def split(self, X, y=None, groups=None):
            for train, test in choose_cv(y, groups=groups, n_splits=n_splits).split(X, y, groups):
                assert not set(np.asarray(groups)[train]) & set(np.asarray(groups)[test])
                self.calls.append(groups)
                yield train, test

    recorder = Recorder()
    compare_baselines(data.X, data.y, groups=data.groups, cv=recorder, scoring="accuracy")
    assert len(recorder.calls) == n_splits


def test_compare_baselines_rejects_a_splitter_that_ignores_groups(cohort):
    with pytest.raises(ValueError, match="on both sides of fold 0"):
        compare_baselines(cohort.X, cohort.y, groups=cohort.groups, cv=KFold(3), scoring="roc_auc")


def test_compare_baselines_int_cv_sets_the_number_of_folds(cohort):
    table = compare_baselines(cohort.X, cohort.y, groups=cohort.groups, cv=3, scoring="f1")
    assert table.attrs["n_splits"] == 3


@pytest.mark.parametrize(
    ("make_args", "match"),
    [
        (lambda X, y, g: (X, np.where(np.arange(len(y)) == 0, np.nan, y), {}),
         "y contains 1 missing value"),
        (lambda X, y, g: (X.iloc[:-3], y, {}), "y must have one entry per sample like X"),
        (lambda X, y, g: (X, y, {"groups": g[:-1]}), "groups has"),
        (lambda X, y, g: (X, np.zeros(len(y)), {}), "single class"),
        (lambda X, y, g: (X, y, {"scoring": "acurracy"}), "scoring='acurracy' is not a known"),
        (lambda X, y, g: (X, y, {"cv": "five"}), "cv must be None, an int"),
        (lambda X, y, g: (X, y, {"cv": 1}), "cv=1 is too small"),
    ],
)  # fmt: skip
def test_compare_baselines_bad_input_raises(cohort, make_args, match):
    X, y, kwargs = make_args(cohort.X, cohort.y.to_numpy(), cohort.groups.to_numpy())
    with pytest.raises(ValueError, match=match):
        compare_baselines(X, y, **kwargs)


def test_baseline_strategies_unknown_task_raises():
    with pytest.raises(ValueError, match="task='ranking' is not supported"):
        baseline_strategies("ranking")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- gate


def test_beats_baseline_true_for_a_real_signal(signal_gate):
    result = signal_gate
    assert isinstance(result, BaselineComparison)
    assert result.beats
    assert result.margin > 0
    assert result.p_value < result.alpha


def test_beats_baseline_false_for_pure_noise():
    rng = np.random.default_rng(42)
    X = rng.normal(size=(300, 5))
    y = rng.integers(0, 2, 300)
    result = beats_baseline(LogisticRegression(), X, y, scoring="roc_auc")
    assert not result.beats
    assert "does NOT beat" in str(result)


def test_beats_baseline_false_for_a_losing_loss_model():
    """Mean-fitting least squares loses to the median on MAE with skewed noise."""
    rng = np.random.default_rng(1)
    y_skewed = rng.standard_exponential(300) ** 3
    X_noise = rng.normal(size=(300, 2))
    result = beats_baseline(LinearRegression(), X_noise, y_skewed, scoring="mae")
    assert not result.greater_is_better
    assert result.baseline_strategy == "median"
    assert result.margin < 0  # the model's MAE is larger
    assert result.model_score > result.baseline_score
    assert not result.beats


def test_beats_baseline_fold_scores_match_manual_repeated_cross_validation(cohort):
    folds = [
        fold
        for r in range(3)
        for fold in choose_cv(cohort.y, groups=cohort.groups, random_state=r).split(
            cohort.X, cohort.y, cohort.groups
        )
    ]
    result = beats_baseline(LogisticRegression(), cohort.X, cohort.y, groups=cohort.groups,
                            scoring="log_loss", n_repeats=3)  # fmt: skip
    model = cross_validate(LogisticRegression(), cohort.X, cohort.y, cv=folds,
                           scoring="neg_log_loss")  # fmt: skip
    runs = {
        s: cross_validate(DummyClassifier(strategy=s, random_state=0), cohort.X, cohort.y,
                          cv=folds, scoring="neg_log_loss", return_train_score=True)
        for s in ("most_frequent", "prior", "stratified", "uniform")
    }  # fmt: skip
    best = max(runs, key=lambda s: runs[s]["train_score"].mean())  # chosen on training folds
    base = -runs[best]["test_score"]
    assert result.baseline_strategy == best
    assert result.n_repeats == 3 and result.n_splits == 5 and result.n_folds == 15
    np.testing.assert_allclose(result.model_fold_scores, -model["test_score"])
    np.testing.assert_allclose(result.baseline_fold_scores, base)
    assert result.margin == pytest.approx(np.mean(base + model["test_score"]))
    frame = result.to_frame()
    assert frame.index.names == ["repeat", "fold"] and len(frame) == 15
    np.testing.assert_allclose(frame["improvement"], base + model["test_score"])
    assert result.baseline_means == pytest.approx(
        {s: -r["test_score"].mean() for s, r in runs.items()}
    )


def test_beats_baseline_chooses_the_baseline_on_training_folds_not_test_folds():
    """A target whose training-fold mean and median differ from the test folds' best."""
    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 2))
    y = rng.standard_exponential(120) ** 2
    result = beats_baseline(LinearRegression(), X, y, scoring="mae", n_repeats=2)
    train = result.baseline_train_means
    assert result.baseline_strategy == min(train, key=lambda s: train[s])  # MAE: lower wins
    assert result.baseline_strategy == "median"


def test_beats_baseline_rule_is_margin_above_corrected_noise(signal_gate):
    result = signal_gate
    n = result.n_folds
    assert n == 25  # 5 x 5 repeated k-fold by default
    t_crit = stats.t.ppf(1 - result.alpha, df=n - 1)
    assert result.beats == (result.margin > t_crit * result.corrected_standard_error)
    d = np.asarray(result.to_frame()["improvement"])
    corrected = d.std(ddof=1) * np.sqrt(1 / n + result.test_train_ratio)
    assert result.corrected_standard_error == pytest.approx(corrected)
    assert result.p_value == pytest.approx(stats.t.sf(d.mean() / corrected, df=n - 1))
    assert result.corrected_standard_error > result.standard_error


@pytest.mark.slow
def test_beats_baseline_false_positive_rate_on_100_null_datasets_is_at_most_alpha():
    """Features independent of the label: the corrected test rejects about alpha or less.

    The naive t-test on the same per-fold differences (standard error s / sqrt(n))
    rejects far more often; that contrast is computed with scipy, independently.
    """
    rng = np.random.default_rng(2024)
    corrected, naive = [], []
    for seed in range(100):
        X = rng.normal(size=(60, 3))
        y = rng.permutation(np.repeat([0, 1], 30))
        result = beats_baseline(LogisticRegression(), X, y, scoring="roc_auc", n_splits=5,
                                n_repeats=2, random_state=seed)  # fmt: skip
        corrected.append(result.beats)
        d = np.asarray(result.to_frame()["improvement"])
        t_naive = d.mean() / (d.std(ddof=1) / np.sqrt(d.size))
        naive.append(bool(stats.t.sf(t_naive, df=d.size - 1) < 0.05))
    # binomial(100, 0.05) exceeds 10 with probability < 1.2%: a tolerance, not one draw
    assert np.mean(corrected) <= 0.10
    assert np.mean(naive) > np.mean(corrected)


def test_beats_baseline_refuses_time_ordered_folds(cohort):
    from sklearn.model_selection import TimeSeriesSplit

    for cv in (TimeSeriesSplit(4), choose_cv(cohort.y, time=cohort.time, n_splits=4)):
        with pytest.raises(ValueError, match=r"neither exchangeable nor of equal size.*holdout"):
            beats_baseline(LogisticRegression(), cohort.X, cohort.y, cv=cv)
    with pytest.raises(ValueError, match=r"time gives time-ordered folds"):
        beats_baseline(LogisticRegression(), cohort.X, cohort.y, time=cohort.time)


@settings(max_examples=30, deadline=None)
@given(
    diffs=st.lists(st.floats(-1, 1, allow_nan=False), min_size=2, max_size=10),
    ratio=st.floats(0.05, 1.0),
)
def test_nadeau_bengio_test_matches_its_formula(diffs, ratio):
    d = np.asarray(diffs)
    with pytest.warns(DeprecationWarning, match="use mlkit.stats.corrected_ttest"):
        result = nadeau_bengio_test(d, test_train_ratio=ratio)
    k = d.size
    std = d.std(ddof=1)
    assert result["standard_error"] == pytest.approx(std / np.sqrt(k))
    assert result["corrected_standard_error"] == pytest.approx(std * np.sqrt(1 / k + ratio))
    if result["corrected_standard_error"] > 1e-12:
        t = d.mean() / (std * np.sqrt(1 / k + ratio))
        assert result["p_value"] == pytest.approx(stats.t.sf(t, df=k - 1), rel=1e-6, abs=1e-12)
    assert 0.0 <= result["p_value"] <= 1.0


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_nadeau_bengio_test_constant_differences():
    assert nadeau_bengio_test([0.1, 0.1, 0.1], test_train_ratio=0.5)["p_value"] == 0.0
    assert nadeau_bengio_test([-0.1, -0.1], test_train_ratio=0.5)["p_value"] == 1.0
    with pytest.raises(ValueError, match="at least 2 finite"):
        nadeau_bengio_test([0.1], test_train_ratio=0.5)


def test_baseline_comparison_summary_and_plot(signal_gate):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    result = signal_gate
    text = result.summary()
    assert result.baseline_strategy in text and "BEATS" in text
    ax = plot_fold_scores(result)
    assert ax.get_title().startswith("Model beats") and "roc_auc" in ax.get_ylabel()
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="result must be a BaselineComparison"):
        plot_fold_scores(text)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("estimator", "kwargs", "match"),
    [
        ("logreg", {}, "estimator must be an unfitted scikit-learn estimator"),
        (LogisticRegression(), {"scoring": ["roc_auc", "f1"]}, "the gate compares on one metric"),
        (LogisticRegression(), {"scoring": "r3"}, "scoring='r3' is not a known metric"),
        (LogisticRegression(), {"alpha": 1.5}, "alpha=1.5 must be a number strictly between"),
        (LogisticRegression(), {"groups": np.arange(5)}, "groups has 5 entries but y has"),
    ],
)
def test_beats_baseline_bad_input_raises(cohort, estimator, kwargs, match):
    with pytest.raises(ValueError, match=match):
        beats_baseline(estimator, cohort.X, cohort.y, **kwargs)


def test_beats_baseline_bad_target_raises(cohort):
    y = cohort.y.to_numpy(dtype=float, copy=True)
    y[5] = np.nan
    with pytest.raises(ValueError, match="y contains 1 missing value"):
        beats_baseline(LogisticRegression(), cohort.X, y)
    with pytest.raises(ValueError, match="single class"):
        beats_baseline(LogisticRegression(), cohort.X, pd.Series(np.ones(len(cohort.y))))
    with pytest.raises(ValueError, match="y must have one entry per sample like X"):
        beats_baseline(LogisticRegression(), cohort.X.iloc[:10], cohort.y)


# --------------------------------------------------------------------------- issue 11


def _counts(n: int = 120, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """An integer count target with few distinct values (infer_task calls it classes)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    y = rng.poisson(2.0, size=n)
    return X, y


def test_compare_baselines_count_target_declared_regression_gets_kfold_and_regressors():
    X, y = _counts()
    tidy = compare_baselines(X, y, task="regression", scoring="rmse", long=True)
    assert tidy["strategy"].unique().tolist() == [
        "mean",
        "median",
        "quantile=0.25",
        "quantile=0.75",
    ]
    # the folds are choose_cv's shuffled KFold, derived here with plain scikit-learn
    plain = cross_validate(
        DummyRegressor(strategy="mean"), X, y, cv=KFold(5, shuffle=True, random_state=0),
        scoring="neg_root_mean_squared_error",
    )  # fmt: skip
    mean_rows = tidy[tidy["strategy"] == "mean"]
    np.testing.assert_allclose(mean_rows["score"], -plain["test_score"])
    assert (mean_rows["score"] > 0).all() and not mean_rows["greater_is_better"].any()


def test_compare_baselines_with_time_never_trains_on_the_future():
    rng = np.random.default_rng(1)
    n = 60
    time = rng.permutation(n).astype(float)
    y = time + 0.5  # strictly increasing in time, non-integral: a regression target
    X = np.zeros((n, 1))
    tidy = compare_baselines(X, y, time=time, scoring="mae", long=True)
    mean_rows = tidy[tidy["strategy"] == "mean"]["score"].to_numpy()
    # independent folds: TimeSeriesSplit on the rows sorted by time
    from sklearn.model_selection import TimeSeriesSplit

    order = np.argsort(time)
    expected = []
    for train, test in TimeSeriesSplit(5).split(order):
        train_rows, test_rows = order[train], order[test]
        assert time[train_rows].max() < time[test_rows].min()
        expected.append(np.abs(y[test_rows] - y[train_rows].mean()).mean())
    np.testing.assert_allclose(mean_rows, expected)
    # trained on the past only, the mean under-predicts every future row
    assert (mean_rows > 0).all()


def test_compare_baselines_long_frame_is_tidy_and_matches_the_wide_table(cohort):
    wide = compare_baselines(cohort.X, cohort.y, groups=cohort.groups, cv=3,
                             scoring=["roc_auc", "log_loss"])  # fmt: skip
    tidy = compare_baselines(cohort.X, cohort.y, groups=cohort.groups, cv=3,
                             scoring=["roc_auc", "log_loss"], long=True)  # fmt: skip
    assert tidy.columns.tolist() == ["strategy", "fold", "metric", "score", "greater_is_better"]
    assert len(tidy) == 4 * 3 * 2
    assert tidy.groupby(["strategy", "metric"]).size().eq(3).all()
    loss = tidy[tidy["metric"] == "log_loss"]
    assert (loss["score"] > 0).all() and not loss["greater_is_better"].any()
    assert tidy[tidy["metric"] == "roc_auc"]["greater_is_better"].all()
    means = tidy.groupby(["strategy", "metric"])["score"].mean()
    for strategy in wide.index:
        assert wide.loc[strategy, "log_loss_mean"] == pytest.approx(means[strategy, "log_loss"])
        assert wide.loc[strategy, "roc_auc_mean"] == pytest.approx(means[strategy, "roc_auc"])
    with pytest.raises(ValueError, match="long='yes' must be True or False"):
        compare_baselines(cohort.X, cohort.y, long="yes")


def test_compare_baselines_refuses_a_metric_of_another_task(cohort):
    with pytest.raises(ValueError, match=r"scoring='rmse' is a regression metric.*'binary'"):
        compare_baselines(cohort.X, cohort.y, groups=cohort.groups, scoring="rmse")


def test_compare_baselines_refuses_a_task_the_target_contradicts():
    X, y = _counts()
    with pytest.raises(ValueError, match=r"task='binary' but y has \d+ classes"):
        compare_baselines(X, y, task="binary")


def test_beats_baseline_refuses_a_metric_the_estimator_cannot_produce(cohort):
    with pytest.raises(ValueError, match=r"scoring='roc_auc'.*estimator=LinearRegression"):
        beats_baseline(LinearRegression(), cohort.X, cohort.y, scoring="roc_auc", n_repeats=1)


def test_beats_baseline_count_target_declared_regression_reports_rmse_in_natural_units():
    X, y = _counts(seed=2)
    result = beats_baseline(LinearRegression(), X, y, task="regression", n_repeats=1)
    assert result.metric == "rmse" and not result.greater_is_better
    assert result.baseline_strategy in {"mean", "median", "quantile=0.25", "quantile=0.75"}
    assert result.model_score > 0 and result.baseline_score > 0
    plain = cross_validate(LinearRegression(), X, y, cv=KFold(5, shuffle=True, random_state=0),
                           scoring="neg_root_mean_squared_error")  # fmt: skip
    np.testing.assert_allclose(result.model_fold_scores, -plain["test_score"])
