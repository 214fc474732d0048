"""Tests of mlkit.leakage.group_leakage_check."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.stats import t as t_dist
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit.datasets import load_pbcseq, make_patient_visits
from mlkit.leakage import GroupLeakageReport, group_leakage_check


def _subjects(n_subjects=60, rows=5, *, seed=0, identity=1.0, noise=0.3):
    """Rows of a subject share a signature; the label is a trait of the subject."""
    rng = np.random.default_rng(seed)
    subject = np.repeat(np.arange(n_subjects), rows)
    X = identity * rng.normal(size=(n_subjects, 4))[subject] + noise * rng.normal(
        size=(subject.size, 4)
    )
    y = rng.integers(0, 2, n_subjects)[subject]
    return X, y, subject


def _one_nn():
    return make_pipeline(SimpleImputer(), StandardScaler(), KNeighborsClassifier(1))


# --------------------------------------------------------------------------- verdict


@pytest.mark.parametrize("seed", range(4))
def test_group_leakage_check_does_not_flag_random_groups_on_iid_rows(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(300, 5))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    groups = rng.integers(0, 60, size=300)  # groups carry no information
    for model in (LogisticRegression(), KNeighborsClassifier(5)):
        report = group_leakage_check(model, X, y, groups=groups, random_state=seed)
        assert not report.leaky, report.summary()
        assert report.verdict.startswith("no evidence")


def test_group_leakage_check_flags_subjects_recognised_by_their_features():
    X, y, subject = _subjects()
    report = group_leakage_check(KNeighborsClassifier(1), X, y, groups=subject)
    assert report.leaky
    assert report.z > report.threshold == 2.0
    assert report.verdict.startswith("leak")
    assert report.identity_match_rate > 10 * report.identity_chance_rate


def test_group_leakage_check_regression_flags_and_uses_rmse():
    rng = np.random.default_rng(0)
    subject = np.repeat(np.arange(50), 6)
    X = rng.normal(size=(50, 3))[subject] + 0.2 * rng.normal(size=(300, 3))
    y = rng.normal(size=50)[subject] + 0.1 * rng.normal(size=300)
    leaky = group_leakage_check(KNeighborsRegressor(1), X, y, groups=subject)
    assert leaky.scoring == "rmse" and not leaky.greater_is_better
    assert leaky.record_score > 0 and leaky.gap > 0  # a loss in natural units
    assert leaky.record_cv == "KFold" and leaky.group_cv == "GroupKFold"
    assert leaky.leaky
    honest = group_leakage_check(Ridge(), X, y, groups=rng.permutation(subject))
    assert not honest.leaky


@pytest.mark.slow
def test_group_leakage_check_on_pbcseq_flags_1nn_and_not_random_groups():
    # average precision, the book's primary metric for pbcseq: a 1-NN predicts 0/1, so its
    # ROC AUC is a coarse two-point curve whose gap stays within the corrected noise
    data = load_pbcseq()
    ap = "average_precision"
    real = group_leakage_check(_one_nn(), data.X, data.y, groups=data.groups, scoring=ap)
    assert real.leaky, real.summary()
    shuffled = np.random.default_rng(0).permutation(data.groups.to_numpy())
    null = group_leakage_check(_one_nn(), data.X, data.y, groups=shuffled, scoring=ap)
    assert not null.leaky, null.summary()
    assert real.identity_match_rate > 10 * real.identity_chance_rate
    assert null.identity_match_rate < 3 * null.identity_chance_rate


@pytest.mark.slow
def test_group_leakage_check_on_synthetic_cohort_flags_1nn():
    cohort = make_patient_visits(n_patients=150, identity=2.0, patient_effect=2.0, random_state=0)
    report = group_leakage_check(_one_nn(), cohort.X, cohort.y, groups=cohort.groups, n_repeats=2)
    assert report.leaky, report.summary()


# --------------------------------------------------------------------------- numbers


def test_group_leakage_check_scores_match_plain_scikit_learn_on_the_same_folds():
    X, y, subject = _subjects(seed=1)
    report = group_leakage_check(
        LogisticRegression(), X, y, groups=subject, n_repeats=2, random_state=7
    )
    record, group = [], []
    for seed in (7, 8):
        record.append(
            cross_val_score(
                LogisticRegression(),
                X,
                y,
                cv=StratifiedKFold(5, shuffle=True, random_state=seed),
                scoring="roc_auc",
            )
        )
        group.append(
            cross_val_score(
                LogisticRegression(),
                X,
                y,
                groups=subject,
                cv=StratifiedGroupKFold(5, shuffle=True, random_state=seed),
                scoring="roc_auc",
            )
        )
    np.testing.assert_allclose(report.record_scores, np.concatenate(record))
    np.testing.assert_allclose(report.group_scores, np.concatenate(group))
    assert report.gap == pytest.approx(np.mean(record) - np.mean(group))
    # paired by (repeat, fold position); corrected repeated k-fold standard error with
    # n_test / n_train = (1/5) / (4/5) (Nadeau & Bengio), computed here with scipy
    d = np.concatenate(record) - np.concatenate(group)
    expected_se = d.std(ddof=1) * np.sqrt(1 / d.size + 1 / 4)
    assert report.gap_se == pytest.approx(expected_se)
    assert report.z == pytest.approx(d.mean() / expected_se)
    assert report.p_value == pytest.approx(t_dist.sf(d.mean() / expected_se, df=d.size - 1))
    assert report.threshold == 2.0
    assert report.leaky == (report.z > 2.0 and report.gap > report.min_gap)


@pytest.mark.slow
def test_group_leakage_check_false_alarm_rate_on_null_data_is_small():
    """Independent rows, groups without information: z > 2 (t, 9 df) about 4 % of the time."""
    rng = np.random.default_rng(11)
    flags = []
    for seed in range(40):
        X = rng.normal(size=(120, 3))
        y = (X[:, 0] + rng.normal(size=120) > 0).astype(int)
        groups = rng.integers(0, 30, size=120)
        report = group_leakage_check(LogisticRegression(), X, y, groups=groups, n_splits=5,
                                     n_repeats=2, random_state=seed)  # fmt: skip
        flags.append(report.leaky)
    # binomial(40, 0.05) exceeds 6 with probability < 1%
    assert sum(flags) <= 6


def test_group_leakage_check_identity_is_perfect_for_identical_rows():
    # every subject's rows are exact copies: the nearest training row is always its twin
    X, y, subject = _subjects(noise=0.0)
    report = group_leakage_check(LogisticRegression(), X, y, groups=subject, n_repeats=1)
    assert report.identity_match_rate == 1.0


def test_group_leakage_check_chance_rate_matches_direct_computation():
    X, y, subject = _subjects(seed=2)
    report = group_leakage_check(LogisticRegression(), X, y, groups=subject, n_repeats=1)
    chance = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(X, y):
        for row in test:
            chance.append(np.mean(subject[train] == subject[row]))
    assert report.identity_chance_rate == pytest.approx(np.mean(chance))


def test_group_leakage_check_identity_handles_dataframes_with_text_and_nan():
    X, y, subject = _subjects(seed=3)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame.loc[::7, "a"] = np.nan
    frame["site"] = np.where(subject % 2 == 0, "north", "south")
    model = make_pipeline(SimpleImputer(), LogisticRegression())
    report = group_leakage_check(
        model, frame[["a", "b", "c", "d"]], y, groups=pd.Series(subject), n_repeats=1
    )
    assert 0.0 <= report.identity_match_rate <= 1.0
    from mlkit.leakage import _identity_match

    rate, chance = _identity_match(
        frame,
        subject,
        list(StratifiedKFold(5, shuffle=True, random_state=0).split(frame, y)),
        random_state=0,
    )
    assert rate > chance


def test_group_leakage_report_to_frame_and_summary():
    X, y, subject = _subjects(seed=4)
    report = group_leakage_check(
        LogisticRegression(), X, y, groups=subject, n_splits=3, n_repeats=2
    )
    assert isinstance(report, GroupLeakageReport)
    frame = report.to_frame()
    assert frame.shape == (6, 2)
    assert frame.index.names == ["repeat", "fold"]
    np.testing.assert_allclose(frame["group_wise"], report.group_scores)
    text = report.summary()
    assert "record-wise" in text and "group-wise" in text and report.verdict in text
    assert str(report) == text
    assert report.identity_lift == pytest.approx(
        report.identity_match_rate / report.identity_chance_rate
    )


def test_group_leakage_check_custom_scoring_is_used():
    X, y, subject = _subjects(seed=5)
    report = group_leakage_check(LogisticRegression(), X, y, groups=subject, scoring="accuracy")
    expected = cross_val_score(
        LogisticRegression(),
        X,
        y,
        groups=subject,
        cv=StratifiedGroupKFold(5, shuffle=True, random_state=0),
        scoring="accuracy",
    )
    assert report.scoring == "accuracy"
    np.testing.assert_allclose(report.group_scores[:5], expected)


# --------------------------------------------------------------------------- bad input


def test_group_leakage_check_rejects_missing_groups_argument():
    X, y, _ = _subjects()
    with pytest.raises(ValueError, match="groups is None; pass one group"):
        group_leakage_check(LogisticRegression(), X, y, groups=None)


def test_group_leakage_check_rejects_groups_of_another_length():
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match="groups must have one entry per sample like X"):
        group_leakage_check(LogisticRegression(), X, y, groups=subject[:-1])


def test_group_leakage_check_rejects_more_splits_than_groups():
    X, y, _ = _subjects(n_subjects=4)
    groups = np.repeat(np.arange(4), 5)
    with pytest.raises(ValueError, match=r"n_splits=5 is greater than the number of groups \(4\)"):
        group_leakage_check(LogisticRegression(), X, y, groups=groups)


def test_group_leakage_check_rejects_nan_in_y():
    X, y, subject = _subjects()
    y = y.astype(float)
    y[3] = np.nan
    with pytest.raises(ValueError, match=r"y contains 1 missing value\(s\)"):
        group_leakage_check(LogisticRegression(), X, y, groups=subject)


def test_group_leakage_check_rejects_a_list_of_metrics():
    X, y, subject = _subjects()
    with pytest.raises(
        ValueError, match=r"scoring=.* holds several metrics; .* pass a single name"
    ):
        group_leakage_check(
            LogisticRegression(), X, y, groups=subject, scoring=["roc_auc", "accuracy"]
        )


def test_group_leakage_check_rejects_unknown_metric():
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match="scoring='auroc' is not a known metric"):
        group_leakage_check(LogisticRegression(), X, y, groups=subject, scoring="auroc")


def test_group_leakage_check_rejects_non_estimator():
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match="estimator must be a scikit-learn estimator"):
        group_leakage_check("logistic", X, y, groups=subject)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_splits": 1}, "n_splits=1 is too small"),
        ({"n_repeats": 0}, "n_repeats=0 is too small"),
        ({"n_standard_errors": 0}, "n_standard_errors=0 must be a positive finite number"),
        ({"min_relative_gap": float("nan")}, "min_relative_gap=nan must be a finite number"),
    ],
)
def test_group_leakage_check_rejects_bad_settings(kwargs, message):
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match=message):
        group_leakage_check(LogisticRegression(), X, y, groups=subject, **kwargs)


def test_group_leakage_check_uses_kfold_and_groupkfold_for_regression_splits():
    # independent check of the regression splitters on the first repeat
    rng = np.random.default_rng(0)
    subject = np.repeat(np.arange(20), 3)
    X, y = rng.normal(size=(60, 2)), rng.normal(size=60)
    report = group_leakage_check(Ridge(), X, y, groups=subject, n_repeats=1, n_splits=4)
    expected = cross_val_score(
        Ridge(),
        X,
        y,
        cv=KFold(4, shuffle=True, random_state=0),
        scoring="neg_root_mean_squared_error",
    )
    np.testing.assert_allclose(report.record_scores, -expected)  # rmse, natural units
    expected_group = cross_val_score(
        Ridge(),
        X,
        y,
        groups=subject,
        cv=GroupKFold(4, shuffle=True, random_state=0),
        scoring="neg_root_mean_squared_error",
    )
    np.testing.assert_allclose(report.group_scores, -expected_group)


def test_import_leakage_is_light():
    code = (
        "import sys, mlkit.leakage; "
        "print(sorted(m for m in ('matplotlib', 'optuna', 'mlflow', 'dask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- issue 11


def test_group_leakage_check_takes_groups_keyword_only():
    X, y, subject = _subjects()
    with pytest.raises(TypeError, match="positional argument"):
        group_leakage_check(LogisticRegression(), X, y, subject)  # type: ignore[misc]


def test_group_leakage_check_threshold_is_n_standard_errors():
    X, y, subject = _subjects()
    strict = group_leakage_check(KNeighborsClassifier(1), X, y, groups=subject,
                                 n_standard_errors=1e6, n_repeats=1)  # fmt: skip
    assert strict.threshold == 1e6 and strict.z > 2 and not strict.leaky
    assert "not above 1e+06" in strict.verdict
    with pytest.raises(ValueError, match=r"n_standard_errors=-1\.0 must be a positive"):
        group_leakage_check(LogisticRegression(), X, y, groups=subject, n_standard_errors=-1.0)


def test_group_leakage_check_count_target_declared_regression_uses_kfold_and_rmse():
    rng = np.random.default_rng(6)
    subject = np.repeat(np.arange(20), 3)
    X, y = rng.normal(size=(60, 2)), rng.poisson(3.0, size=60)
    report = group_leakage_check(Ridge(), X, y, groups=subject, task="regression",
                                 n_repeats=1, n_splits=4)  # fmt: skip
    assert report.record_cv == "KFold" and report.group_cv == "GroupKFold"
    expected = cross_val_score(Ridge(), X, y, cv=KFold(4, shuffle=True, random_state=0),
                               scoring="neg_root_mean_squared_error")  # fmt: skip
    np.testing.assert_allclose(report.record_scores, -expected)


def test_group_leakage_check_reports_a_loss_in_natural_units_with_the_optimism_positive():
    X, y, subject = _subjects()
    report = group_leakage_check(KNeighborsClassifier(5), X, y, groups=subject,
                                 scoring="log_loss", n_repeats=1)  # fmt: skip
    assert report.scoring == "log_loss" and not report.greater_is_better
    assert (report.record_scores > 0).all() and (report.group_scores > 0).all()
    # record-wise CV finds the subject's twins: lower loss, so a positive optimism
    d = report.group_scores - report.record_scores
    assert report.gap == pytest.approx(d.mean()) and report.gap > 0
    assert "lower is better" in report.summary()


@pytest.mark.parametrize(
    ("estimator", "scoring", "match"),
    [
        (LogisticRegression(), "rmse", r"scoring='rmse' is a regression metric.*'binary'"),
        (Ridge(), "roc_auc", r"scoring='roc_auc'.*estimator=Ridge is a regressor"),
    ],
)
def test_group_leakage_check_refuses_a_metric_of_another_task_or_estimator(
    estimator, scoring, match
):
    X, y, subject = _subjects()
    with pytest.raises(ValueError, match=match):
        group_leakage_check(estimator, X, y, groups=subject, scoring=scoring)
