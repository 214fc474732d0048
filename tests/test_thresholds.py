"""Tests for mlkit.thresholds.tune_threshold."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

import mlkit.metrics as metrics
import mlkit.thresholds as thresholds
from mlkit.metrics import expected_cost
from mlkit.thresholds import tune_threshold


class _KnownProbability(ClassifierMixin, BaseEstimator):
    """Predicts column 1 as the probability (the true one in these tests).

    Column 0 holds row ids; every fit records them, so tests can check the folds.
    """

    seen: ClassVar[list[np.ndarray]] = []

    def fit(self, X: np.ndarray, y: np.ndarray) -> _KnownProbability:
        type(self).seen.append(X[:, 0].astype(int))
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([1 - X[:, 1], X[:, 1]])


def _data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.beta(1.0, 3.0, size=n)
    y = (rng.uniform(size=n) < p).astype(int)
    return np.column_stack([np.arange(n), p]), y


def test_tuned_threshold_of_calibrated_probabilities_is_near_the_theory() -> None:
    X, y = _data(6000, seed=0)
    choice = tune_threshold(
        _KnownProbability(), X, y, cost_false_positive=1, cost_false_negative=4, cv=5
    )
    assert choice.theoretical_threshold == pytest.approx(0.2)
    # the cost curve is flat near its minimum: ±0.05 in threshold moves the true
    # expected cost by less than a few thousandths here
    assert abs(choice.threshold - 0.2) < 0.05
    assert choice.expected_cost <= choice.expected_cost_at_theoretical
    refit_cost = expected_cost(
        y, X[:, 1], threshold=choice.threshold, cost_false_positive=1, cost_false_negative=4
    )
    assert refit_cost == pytest.approx(choice.expected_cost, abs=0.02)


def test_cost_curve_at_zero_threshold_flags_everyone() -> None:
    X, y = _data(1000, seed=1)
    folds = [(np.arange(500, 1000), np.arange(500)), (np.arange(500), np.arange(500, 1000))]
    choice = tune_threshold(
        _KnownProbability(), X, y, cost_false_positive=2, cost_false_negative=3, cv=folds
    )
    # everyone flagged: every negative is a false alarm costing 2, averaged over folds
    expected = np.mean([2 * np.mean(y[test] == 0) for _, test in folds])
    assert choice.curve["expected_cost"].iloc[0] == pytest.approx(expected)
    assert choice.curve["threshold"].iloc[0] == 0.0


def test_tune_threshold_folds_never_split_a_group() -> None:
    X, y = _data(800, seed=2)
    groups = np.random.default_rng(2).integers(0, 80, size=800)
    _KnownProbability.seen = []
    tune_threshold(
        _KnownProbability(), X, y, cost_false_positive=1, cost_false_negative=10,
        groups=groups, cv=4,
    )  # fmt: skip
    fold_fits = [ids for ids in _KnownProbability.seen if ids.size < 800]  # not the refit
    assert len(fold_fits) == 4
    for train in fold_fits:
        test = np.setdiff1d(np.arange(800), train)
        assert not set(groups[train]) & set(groups[test])


def test_tune_threshold_refuses_folds_that_split_groups() -> None:
    from sklearn.model_selection import KFold

    X, y = _data(300, seed=5)
    with pytest.raises(ValueError, match=r"cv puts .* on both sides"):
        tune_threshold(
            _KnownProbability(), X, y, cost_false_positive=1, cost_false_negative=2,
            groups=np.arange(300) // 10, cv=KFold(3, shuffle=True, random_state=0),
        )  # fmt: skip


def test_tune_threshold_result_table_and_plot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y = _data(500, seed=3)
    choice = tune_threshold(
        LogisticRegression(), X[:, 1:], y, cost_false_positive=1, cost_false_negative=10, cv=3
    )
    table = choice.to_frame()
    assert table["threshold"].tolist()[1] == pytest.approx(1 / 11)
    assert choice.plot().get_xlabel().startswith("threshold")
    assert choice.estimator.best_threshold_ == choice.threshold
    plt.close("all")


def test_tune_threshold_refuses_bad_input() -> None:
    X, y = _data(100, seed=4)
    with pytest.raises(ValueError, match="cost_false_negative"):
        tune_threshold(LogisticRegression(), X, y, cost_false_positive=1, cost_false_negative=0)
    with pytest.raises(ValueError, match="y has 1 class"):
        tune_threshold(
            LogisticRegression(), X, np.ones(100), cost_false_positive=1, cost_false_negative=2
        )
    with pytest.raises(ValueError, match="has no predict_proba"):
        tune_threshold(object(), X, y, cost_false_positive=1, cost_false_negative=2)
    with pytest.raises(ValueError, match="thresholds must lie in"):
        tune_threshold(
            LogisticRegression(), X, y, cost_false_positive=1, cost_false_negative=2,
            thresholds=[0.5, 2.0],
        )  # fmt: skip
    with pytest.raises(ValueError, match="X has 100"):
        tune_threshold(
            LogisticRegression(), X, y[:50], cost_false_positive=1, cost_false_negative=2
        )


@pytest.mark.parametrize(
    "name", [n for n in thresholds.__all__ if n not in ("ThresholdChoice", "tune_threshold")]
)
def test_thresholds_reexported_from_metrics_are_the_same_objects(name: str) -> None:
    assert getattr(metrics, name) is getattr(thresholds, name)


def test_thresholds_cost_optimal_threshold_bad_cost_names_argument() -> None:
    with pytest.raises(ValueError, match="cost_false_negative=-1"):
        thresholds.cost_optimal_threshold(cost_false_positive=1.0, cost_false_negative=-1)
