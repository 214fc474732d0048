"""Tests for mlkit.calibration: reliability, Brier decomposition, ECE, recalibration."""

from __future__ import annotations

import subprocess
import sys
from typing import ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.naive_bayes import GaussianNB

from mlkit.calibration import (
    brier_decomposition,
    calibrate_out_of_fold,
    calibration_report,
    expected_calibration_error,
    plot_reliability,
    recalibrate,
    reliability_table,
)


def _calibrated(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities p and outcomes y ~ Bernoulli(p): calibrated by construction."""
    rng = np.random.default_rng(seed)
    p = rng.beta(1.0, 2.0, size=n)
    return (rng.uniform(size=n) < p).astype(int), p


def _overconfident(p: np.ndarray, factor: float = 3.0) -> np.ndarray:
    """The same ranking with log-odds stretched: probabilities pushed towards 0 and 1."""
    logit = np.log(p / (1 - p))
    return 1 / (1 + np.exp(-factor * logit))


def _cohort(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features whose evidence is copied four times: naive Bayes counts it four times."""
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, 2))
    p = 1 / (1 + np.exp(-(z @ np.array([1.0, -0.8]) - 0.5)))
    y = (rng.uniform(size=n) < p).astype(int)
    X = np.repeat(z, 4, axis=1) + rng.normal(scale=0.3, size=(n, 8))
    return X, y, p


# --------------------------------------------------------------------------- reliability


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
def test_reliability_table_matches_sklearn_calibration_curve(strategy: str) -> None:
    y, p = _calibrated(3000, seed=1)
    table = reliability_table(y, p, n_bins=8, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=8, strategy=strategy)
    filled = table[table["count"] > 0]
    np.testing.assert_allclose(filled["observed_rate"], prob_true)
    np.testing.assert_allclose(filled["mean_predicted"], prob_pred)
    assert table["count"].sum() == y.size


def test_reliability_table_counts_follow_the_bin_edges() -> None:
    y, p = _calibrated(1000, seed=2)
    table = reliability_table(y, p, n_bins=5)
    counts, _ = np.histogram(p, bins=np.linspace(0, 1, 6))
    np.testing.assert_array_equal(table["count"], counts)


def test_reliability_table_quantile_bins_hold_equal_mass() -> None:
    y, p = _calibrated(1000, seed=3)
    table = reliability_table(y, p, n_bins=4, strategy="quantile")
    assert table["count"].tolist() == [250, 250, 250, 250]


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2, 300),
    n_bins=st.integers(1, 20),
    strategy=st.sampled_from(["uniform", "quantile"]),
)
def test_reliability_invariants_hold_for_any_input(
    seed: int, n: int, n_bins: int, strategy: str
) -> None:
    rng = np.random.default_rng(seed)
    p = rng.uniform(size=n).round(rng.integers(1, 4))  # ties and exact bin edges too
    y = np.r_[0, 1, rng.integers(0, 2, size=n - 2)]
    n_bins = min(n_bins, n)
    table = reliability_table(y, p, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    filled = table[table["count"] > 0]
    np.testing.assert_allclose(filled["observed_rate"], prob_true)
    np.testing.assert_allclose(filled["mean_predicted"], prob_pred)
    ece = expected_calibration_error(y, p, n_bins=n_bins, strategy=strategy, n_resamples=5)
    # the triangle inequality: ECE is at least the gap in the mean (calibration in the large)
    assert abs(y.mean() - p.mean()) - 1e-12 <= ece.value <= 1.0
    d = brier_decomposition(y, p, n_bins=n_bins, strategy=strategy)
    terms = d.reliability - d.resolution + d.uncertainty
    terms += d.within_bin_variance - d.within_bin_covariance
    assert terms == pytest.approx(brier_score_loss(y, p), abs=1e-12)


# --------------------------------------------------------------------------- Brier


def test_brier_decomposition_exact_on_discrete_probabilities() -> None:
    rng = np.random.default_rng(4)
    p = rng.choice(np.arange(0.05, 1.0, 0.1), size=2000)  # one value per uniform bin
    y = (rng.uniform(size=p.size) < p).astype(int)
    d = brier_decomposition(y, p, n_bins=10)
    assert d.brier == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    assert d.reliability - d.resolution + d.uncertainty == pytest.approx(d.brier, abs=1e-12)
    assert d.binning_error == pytest.approx(0.0, abs=1e-12)
    assert d.uncertainty == pytest.approx(y.mean() * (1 - y.mean()))


def test_brier_decomposition_approximate_on_continuous_probabilities() -> None:
    y, p = _calibrated(5000, seed=5)
    d = brier_decomposition(y, p, n_bins=10)
    # Stephenson et al.'s two within-bin terms close the identity exactly ...
    full = d.reliability - d.resolution + d.uncertainty + d.within_bin_variance
    assert full - d.within_bin_covariance == pytest.approx(brier_score_loss(y, p), abs=1e-12)
    # ... and the binning error is bounded by the within-bin variance (bins of width 0.1
    # hold probabilities that vary by at most 0.1, so variance <= 0.1**2 / 4)
    assert 0 < d.within_bin_variance <= 0.1**2 / 4
    assert abs(d.binning_error) < 0.01
    finer = brier_decomposition(y, p, n_bins=50)
    assert abs(finer.binning_error) < abs(d.binning_error)


# --------------------------------------------------------------------------- ECE


def test_ece_matches_a_direct_computation_from_the_bins() -> None:
    y, p = _calibrated(2000, seed=6)
    q = _overconfident(p)
    prob_true, prob_pred = calibration_curve(y, q, n_bins=10)
    counts, _ = np.histogram(q, bins=np.linspace(0, 1, 11))
    counts = counts[counts > 0]
    expected = np.sum(counts * np.abs(prob_true - prob_pred)) / y.size
    assert expected_calibration_error(y, q, n_resamples=10).value == pytest.approx(expected)


def test_ece_of_calibrated_probabilities_is_near_zero_within_its_interval() -> None:
    y, p = _calibrated(5000, seed=7)
    for strategy in ("uniform", "quantile"):
        ece = expected_calibration_error(y, p, strategy=strategy, n_resamples=300)
        # chance ECE with ~500 samples per bin is about sqrt(2/pi) * sqrt(0.2 / 500) ~ 0.016
        assert ece.value < 0.03
        assert ece.low <= ece.value <= ece.high
        assert ece.p_value > 0.01  # not more miscalibrated than chance
        assert ece.value < 2 * ece.null_upper


def test_ece_of_an_overconfident_model_is_clearly_higher() -> None:
    y, p = _calibrated(5000, seed=8)
    calibrated = expected_calibration_error(y, p, n_resamples=300)
    over = expected_calibration_error(y, _overconfident(p), n_resamples=300)
    assert over.low > calibrated.high
    assert over.value > 3 * calibrated.value
    assert over.p_value < 0.01


def test_ece_bootstrap_over_groups_is_wider_for_clustered_outcomes() -> None:
    rng = np.random.default_rng(9)
    n_groups, per_group = 150, 8
    groups = np.repeat(np.arange(n_groups), per_group)
    p = np.repeat(rng.uniform(0.05, 0.95, n_groups), per_group)
    y = np.repeat(rng.uniform(size=n_groups), per_group) < p  # one outcome per group
    by_rows = expected_calibration_error(y, p, n_resamples=300)
    by_groups = expected_calibration_error(y, p, groups=groups, n_resamples=300)
    assert by_groups.resampled == "groups"
    assert by_groups.high - by_groups.low > 1.5 * (by_rows.high - by_rows.low)


def test_calibration_report_collects_the_pieces() -> None:
    y, p = _calibrated(1000, seed=10)
    report = calibration_report(y, p, label="truth", n_resamples=50)
    row = report.to_frame().loc["truth"]
    assert row["brier"] == pytest.approx(brier_score_loss(y, p))
    assert row["ece"] == pytest.approx(expected_calibration_error(y, p, n_resamples=50).value)
    assert row["positive_rate"] == pytest.approx(y.mean())
    assert row["n"] == 1000


# --------------------------------------------------------------------------- recalibration


def test_isotonic_recalibration_lowers_ece_on_held_out_data() -> None:
    X, y, _ = _cohort(6000, seed=11)
    fit, cal, test = slice(0, 2000), slice(2000, 4000), slice(4000, 6000)
    model = GaussianNB().fit(X[fit], y[fit])
    before = expected_calibration_error(y[test], model.predict_proba(X[test])[:, 1])
    assert before.value > 0.05  # naive Bayes counts the copied evidence four times
    fixed = recalibrate(model, X[cal], y[cal], method="isotonic", prefit=True)
    assert isinstance(fixed.estimator, FrozenEstimator)
    after = expected_calibration_error(y[test], fixed.predict_proba(X[test])[:, 1])
    assert after.value < before.value / 2
    assert after.high < before.low


def test_recalibrate_with_folds_lowers_brier_on_held_out_data() -> None:
    X, y, _ = _cohort(4000, seed=12)
    groups = np.arange(4000) // 4
    model = recalibrate(GaussianNB(), X[:3000], y[:3000], method="sigmoid", groups=groups[:3000])
    raw = GaussianNB().fit(X[:3000], y[:3000])
    assert isinstance(model, CalibratedClassifierCV)
    brier_raw = brier_score_loss(y[3000:], raw.predict_proba(X[3000:])[:, 1])
    brier_cal = brier_score_loss(y[3000:], model.predict_proba(X[3000:])[:, 1])
    assert brier_cal < brier_raw


class _SpyClassifier(ClassifierMixin, BaseEstimator):
    """Logistic regression on columns 1: that records the row ids (column 0) it fits on."""

    seen: ClassVar[list[np.ndarray]] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> _SpyClassifier:
        type(self).seen.append(X[:, 0].astype(int))
        self.model_ = LogisticRegression().fit(X[:, 1:], y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self.model_.predict_proba(X[:, 1:])

    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self.model_.decision_function(X[:, 1:])


def test_recalibrate_folds_never_split_a_group() -> None:
    X, y, _ = _cohort(600, seed=13)
    rng = np.random.default_rng(13)
    groups = rng.integers(0, 60, size=600)
    X_ids = np.column_stack([np.arange(600), X])
    _SpyClassifier.seen = []
    recalibrate(_SpyClassifier(), X_ids, y, groups=groups, method="sigmoid", cv=4)
    assert len(_SpyClassifier.seen) == 4
    for train_ids in _SpyClassifier.seen:
        calib_ids = np.setdiff1d(np.arange(600), train_ids)  # the fold the calibrator saw
        assert not set(groups[train_ids]) & set(groups[calib_ids])


def test_folds_that_split_groups_are_refused() -> None:
    from sklearn.model_selection import KFold

    X, y, _ = _cohort(300, seed=17)
    groups = np.arange(300) // 10
    with pytest.raises(ValueError, match=r"cv puts .* group\(s\) on both sides of fold 0"):
        recalibrate(GaussianNB(), X, y, groups=groups, cv=KFold(3, shuffle=True, random_state=0))
    p = np.clip(X[:, 0] / 8 + 0.5, 0, 1)
    with pytest.raises(ValueError, match="ignores groups"):
        calibrate_out_of_fold(y, p, groups=groups, cv=KFold(3, shuffle=True, random_state=0))


def test_calibrate_out_of_fold_never_uses_the_label_it_predicts() -> None:
    y, p = _calibrated(1000, seed=14)
    q = _overconfident(p)
    folds = [(np.arange(500, 1000), np.arange(500)), (np.arange(500), np.arange(500, 1000))]
    first = calibrate_out_of_fold(y, q, cv=folds)
    flipped = y.copy()
    flipped[:500] = 1 - flipped[:500]
    second = calibrate_out_of_fold(flipped, q, cv=folds)
    np.testing.assert_array_equal(first[:500], second[:500])  # their map saw rows 500..
    assert not np.array_equal(first[500:], second[500:])
    for method in ("isotonic", "sigmoid"):
        fixed = calibrate_out_of_fold(y, q, method=method, groups=np.arange(1000) // 5)
        assert brier_score_loss(y, fixed) < brier_score_loss(y, q)
    with pytest.raises(ValueError, match="does not test every sample exactly once"):
        calibrate_out_of_fold(y, q, cv=folds[:1])


# --------------------------------------------------------------------------- bad input


def test_single_class_is_refused_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="y_true has a single class"):
        reliability_table([1, 1, 1], [0.2, 0.5, 0.9])
    with pytest.raises(ValueError, match="y has a single class"):
        recalibrate(GaussianNB(), np.zeros((10, 2)), np.ones(10))


def test_probabilities_outside_unit_interval_are_refused() -> None:
    with pytest.raises(ValueError, match=r"y_prob has values outside \[0, 1\]"):
        expected_calibration_error([0, 1, 0], [0.2, 1.3, 0.1])
    with pytest.raises(ValueError, match="y_prob contains NaN"):
        brier_decomposition([0, 1], [0.2, np.nan], n_bins=2)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="y_prob must have one entry per sample"):
        reliability_table([0, 1, 0, 1], [0.2, 0.4, 0.6])
    with pytest.raises(ValueError, match="groups has 3 entries"):
        expected_calibration_error([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], n_bins=2, groups=[1, 2, 3])


@pytest.mark.parametrize(
    ("n_bins", "message"),
    [(0, "n_bins=0 is too small"), (2.5, "n_bins must be an integer"), (10, "n_bins=10 is more")],
)
def test_bad_n_bins_is_refused(n_bins: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        reliability_table([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8], n_bins=n_bins)  # type: ignore[arg-type]


def test_plot_reliability_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="y_prob has values outside"):
        plot_reliability([0, 1], [-0.1, 0.5], n_bins=2)
    with pytest.raises(ValueError, match="n_bins=3 is more than the 2 samples"):
        plot_reliability([0, 1], [0.1, 0.5], n_bins=3)


def test_bad_options_are_refused() -> None:
    y, p = [0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8]
    with pytest.raises(ValueError, match="strategy='kmeans' is not supported"):
        brier_decomposition(y, p, n_bins=2, strategy="kmeans")
    with pytest.raises(ValueError, match=r"confidence=1\.5 must be"):
        expected_calibration_error(y, p, n_bins=2, confidence=1.5)
    with pytest.raises(ValueError, match="n_resamples=0 is too small"):
        calibration_report(y, p, n_bins=2, n_resamples=0)
    with pytest.raises(ValueError, match="method='beta' is not supported"):
        calibrate_out_of_fold(y, p, method="beta")


def test_recalibrate_refuses_bad_prefit_use() -> None:
    X, y, _ = _cohort(200, seed=15)
    with pytest.raises(ValueError, match="is not fitted, but prefit=True"):
        recalibrate(GaussianNB(), X, y, prefit=True)
    with pytest.raises(ValueError, match="cv is given but prefit=True"):
        recalibrate(GaussianNB().fit(X, y), X, y, prefit=True, cv=3)
    with pytest.raises(ValueError, match="X has 200"):
        recalibrate(GaussianNB(), X, y[:100])


# --------------------------------------------------------------------------- plots, import


def test_plots_return_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    y, p = _calibrated(500, seed=16)
    report = calibration_report(y, p, n_resamples=20)
    for ax in (
        plot_reliability(y, p, label="p"),
        report.plot(),
        report.brier.plot(),
        report.ece.plot(),
    ):
        assert ax.get_xlabel()
    ax = plot_reliability(y, p, label="first", show_counts=False)
    plot_reliability(y, 0.5 * p, label="second", show_counts=False, ax=ax)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels.count("perfectly calibrated") == 1  # overlays share one diagonal
    plt.close("all")


def test_import_is_light() -> None:
    code = "import sys, mlkit.calibration; print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for heavy in ("matplotlib", "seaborn", "myst_nb"):
        assert f"'{heavy}'" not in out.stdout


def test_recalibrate_prefit_unfitted_raises_not_fitted_error() -> None:
    from sklearn.exceptions import NotFittedError

    X = np.zeros((10, 2))
    y = np.tile([0, 1], 5)
    with pytest.raises(NotFittedError, match=r"estimator \(GaussianNB\) is not fitted"):
        recalibrate(GaussianNB(), X, y, prefit=True)


def test_calibration_reexports_the_measures_of_reliability() -> None:
    import mlkit.calibration
    import mlkit.reliability

    for name in mlkit.reliability.__all__:
        assert name in mlkit.calibration.__all__, name
        assert getattr(mlkit.calibration, name) is getattr(mlkit.reliability, name)
    for name in mlkit.calibration.__all__:
        assert hasattr(mlkit.calibration, name), name


def test_bad_confidence_message_prints_a_plain_scalar() -> None:
    y, p = _calibrated(100, seed=3)
    with pytest.raises(ValueError, match=r"confidence=1\.5 must be a number") as info:
        expected_calibration_error(y, p, confidence=np.float64(1.5))
    assert "np." not in str(info.value)
