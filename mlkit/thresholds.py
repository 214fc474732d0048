"""Decision thresholds tuned against the costs of the two errors.

:func:`tune_threshold` wraps scikit-learn's
:class:`~sklearn.model_selection.TunedThresholdClassifierCV`: every threshold of a grid
is scored on the validation folds by the expected cost of
:func:`mlkit.metrics.expected_cost` (the costs of chapter 1), on folds from
:func:`mlkit.splits.materialise_folds` (whole groups when ``groups`` is given). The
result, a :class:`ThresholdChoice`, carries the threshold ``c_fp / (c_fp + c_fn)`` of
:func:`mlkit.metrics.cost_optimal_threshold` for comparison: it is optimal only for
calibrated probabilities (see :mod:`mlkit.calibration`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit._validation import as_1d, check_consistent_length, check_groups, check_target
from mlkit.metrics import cost_optimal_threshold, expected_cost
from mlkit.splits import materialise_folds

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ThresholdChoice", "tune_threshold"]


def _group_folds(
    cv: Any, X: Any, y: Any, *, groups: Any, random_state: int | None
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """:func:`~mlkit.splits.materialise_folds`, refusing folds that split a group."""
    folds = materialise_folds(cv, X, y, groups=groups, random_state=random_state)
    if groups is None:
        return folds
    codes = pd.factorize(check_groups(groups, n_samples=len(y)))[0]
    for k, (train, test) in enumerate(folds):
        shared = np.intersect1d(codes[train], codes[test])
        if shared.size:
            raise ValueError(
                f"cv puts {shared.size} group(s) on both sides of fold {k}, although groups "
                f"are given; use a group splitter (cv=None or an int picks "
                f"StratifiedGroupKFold) so that no patient is in training and test."
            )
    return folds


def _check_binary(y: Any) -> np.ndarray:
    arr = check_target(y, name="y")
    labels = pd.unique(arr)
    if labels.size != 2:
        raise ValueError(
            f"y has {labels.size} class(es) ({sorted(labels.tolist())[:5]}); a threshold "
            f"separates exactly two classes, so pass a binary target with both present."
        )
    return arr


@dataclass(frozen=True)
class ThresholdChoice:
    """A decision threshold tuned against costs, next to the theoretical one.

    Attributes
    ----------
    threshold : float
        Threshold on ``predict_proba`` with the lowest cross-validated expected cost.
    theoretical_threshold : float
        ``c_fp / (c_fp + c_fn)``: optimal when the probabilities are calibrated.
    expected_cost, expected_cost_at_theoretical : float
        Mean cost per case over the validation folds at the two thresholds (in units of
        the costs; lower is better).
    cost_false_positive, cost_false_negative : float
    curve : DataFrame
        ``threshold, expected_cost`` over the grid.
    estimator : TunedThresholdClassifierCV
        Fitted (refit on all rows, predicting with :attr:`threshold`).
    """

    threshold: float
    theoretical_threshold: float
    expected_cost: float
    expected_cost_at_theoretical: float
    cost_false_positive: float
    cost_false_negative: float
    curve: pd.DataFrame = field(repr=False)
    estimator: Any = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Two rows (tuned, theoretical): threshold and cross-validated cost per case."""
        return pd.DataFrame(
            {
                "threshold": [self.threshold, self.theoretical_threshold],
                "expected_cost": [self.expected_cost, self.expected_cost_at_theoretical],
            },
            index=pd.Index(["tuned (cross-validated)", "c_fp / (c_fp + c_fn)"], name="rule"),
        )

    def plot(self, ax: Axes | None = None, *, max_threshold: float = 1.0) -> Axes:
        """Cross-validated cost per case against the threshold, both thresholds marked.

        ``max_threshold`` limits the x axis (and the y range to the curve shown there):
        with rare positives the interesting part is near 0.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        shown = self.curve[self.curve["threshold"] <= max_threshold]
        sns.lineplot(data=shown, x="threshold", y="expected_cost", ax=ax, label="cost")
        ax.axvline(self.threshold, color="C1", label=f"tuned {self.threshold:.3f}")
        ax.axvline(
            self.theoretical_threshold, color="C2", ls="--",
            label=f"c_fp/(c_fp+c_fn) = {self.theoretical_threshold:.3f}",
        )  # fmt: skip
        top = 1.05 * float(shown["expected_cost"].max())
        ax.set(xlabel="threshold on predicted probability", xlim=(0, max_threshold),
               ylabel="mean cost per case (lower is better)", ylim=(0, top))  # fmt: skip
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize="small")
        return ax


def _negative_cost(
    y_true: Any, y_pred: Any, *, pos_label: Any, cost_false_positive: float,
    cost_false_negative: float,
) -> float:  # fmt: skip
    decided = (np.asarray(y_pred) == pos_label).astype(float)
    return -expected_cost(
        y_true, decided, threshold=0.5, pos_label=pos_label,
        cost_false_positive=cost_false_positive, cost_false_negative=cost_false_negative,
    )  # fmt: skip


def tune_threshold(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    cost_false_positive: float,
    cost_false_negative: float,
    groups: Any = None,
    cv: Any = None,
    thresholds: Any = None,
    random_state: int | None = 0,
) -> ThresholdChoice:
    """Choose the threshold on ``predict_proba`` that minimises the expected cost.

    scikit-learn's :class:`~sklearn.model_selection.TunedThresholdClassifierCV`
    scores every threshold of a grid on the validation folds with the cost of
    :func:`mlkit.metrics.expected_cost` (the costs of chapter 1) and keeps the cheapest.
    The folds come from :func:`mlkit.splits.materialise_folds`, so with ``groups`` no
    patient is on both sides. For comparison the result carries the threshold
    ``c_fp / (c_fp + c_fn)`` (:func:`mlkit.metrics.cost_optimal_threshold`): for a
    calibrated model the two agree up to noise; a large gap is a sign of miscalibration.

    Parameters
    ----------
    estimator : classifier with ``predict_proba``
    X, y : training data (binary ``y``)
    cost_false_positive, cost_false_negative : float
        Cost of one false alarm and of one missed positive (> 0).
    groups, cv, random_state
        Folds as in :func:`~mlkit.splits.materialise_folds`.
    thresholds : array-like, default=None
        Grid of thresholds in [0, 1]; by default 201 points plus the theoretical one.

    Returns
    -------
    ThresholdChoice

    Raises
    ------
    ValueError
        Costs that are not positive, a target without two classes, lengths that differ,
        an estimator without ``predict_proba``, thresholds outside [0, 1], a ``cv``
        whose folds split a group although ``groups`` is given.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlkit.thresholds import tune_threshold
    >>> X, y = make_classification(n_samples=400, weights=[0.8], random_state=0)
    >>> choice = tune_threshold(LogisticRegression(), X, y, cost_false_positive=1,
    ...                         cost_false_negative=4, cv=3)
    >>> choice.theoretical_threshold
    0.2
    >>> 0.0 <= choice.threshold <= 1.0
    True
    """
    from sklearn.metrics import make_scorer
    from sklearn.model_selection import TunedThresholdClassifierCV

    theory = cost_optimal_threshold(
        cost_false_positive=cost_false_positive, cost_false_negative=cost_false_negative
    )
    y_arr = _check_binary(y)
    check_consistent_length(X=X, y=y_arr)
    if not hasattr(estimator, "predict_proba"):
        raise ValueError(
            f"estimator ({type(estimator).__name__}) has no predict_proba; the threshold is on "
            f"probabilities. Use a probabilistic classifier or wrap it with recalibrate()."
        )
    if thresholds is None:
        grid = np.unique(np.r_[np.linspace(0.0, 1.0, 201), theory])
    else:
        grid = as_1d(thresholds, name="thresholds").astype(float)
        if grid.min() < 0 or grid.max() > 1:
            raise ValueError("thresholds must lie in [0, 1]: they are compared with probabilities.")
    pos_label = sorted(pd.unique(y_arr).tolist())[-1]
    scorer = make_scorer(
        _negative_cost, pos_label=pos_label, cost_false_positive=float(cost_false_positive),
        cost_false_negative=float(cost_false_negative),
    )  # fmt: skip
    folds = _group_folds(cv, X, y_arr, groups=groups, random_state=random_state)
    tuned = TunedThresholdClassifierCV(
        estimator, scoring=scorer, response_method="predict_proba", thresholds=grid,
        cv=list(folds), store_cv_results=True, random_state=random_state,
    ).fit(X, y_arr)  # fmt: skip
    curve = pd.DataFrame(
        {
            "threshold": tuned.cv_results_["thresholds"],
            "expected_cost": -tuned.cv_results_["scores"],
        }
    )
    at_theory = float(np.interp(theory, curve["threshold"], curve["expected_cost"]))
    return ThresholdChoice(
        threshold=float(tuned.best_threshold_),
        theoretical_threshold=theory,
        expected_cost=float(-tuned.best_score_),
        expected_cost_at_theoretical=at_theory,
        cost_false_positive=float(cost_false_positive),
        cost_false_negative=float(cost_false_negative),
        curve=curve,
        estimator=tuned,
    )
