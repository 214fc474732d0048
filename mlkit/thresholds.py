"""Decision thresholds for binary scores: confusion, expected cost, cost-optimal cut.

- :func:`cost_optimal_threshold`: the Bayes-optimal probability cut for two error costs;
- :func:`confusion_at_threshold` and :class:`ConfusionAtThreshold`: the four counts;
- :func:`expected_cost`: the average cost per case of a threshold;
- :func:`recall_at_precision`: the best recall subject to a precision floor;
- :func:`threshold_curve` and :func:`plot_threshold_curve`: all of them over thresholds;
- :func:`tune_threshold`: scikit-learn's ``TunedThresholdClassifierCV`` scored by the
  expected cost on folds from :func:`mlkit.splits.materialise_folds` (whole groups when
  ``groups`` is given), with the theoretical ``c_fp / (c_fp + c_fn)`` for comparison:
  that one is optimal only for calibrated probabilities (see :mod:`mlkit.calibration`).

For binary tasks the positive class is the greater label (``1`` for 0/1 labels,
``True`` for booleans), as in scikit-learn. These used to live in :mod:`mlkit.metrics`,
which still re-exports them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit._validation import (
    as_1d,
    check_consistent_length,
    check_cost,
    check_fraction,
    check_target,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "ConfusionAtThreshold",
    "ThresholdChoice",
    "confusion_at_threshold",
    "cost_optimal_threshold",
    "expected_cost",
    "plot_threshold_curve",
    "recall_at_precision",
    "threshold_curve",
    "tune_threshold",
]


def cost_optimal_threshold(*, cost_false_positive: float, cost_false_negative: float) -> float:
    """The probability threshold that minimises the expected cost: c_fp / (c_fp + c_fn).

    Predicting positive for a case with true probability ``p`` costs ``(1 - p) * c_fp``
    on average, predicting negative costs ``p * c_fn``; positive is cheaper exactly
    when ``p >= c_fp / (c_fp + c_fn)``. This holds for *calibrated* probabilities only.

    Examples
    --------
    >>> from mlkit.thresholds import cost_optimal_threshold
    >>> cost_optimal_threshold(cost_false_positive=1, cost_false_negative=4)
    0.2
    """
    c_fp = check_cost(cost_false_positive, name="cost_false_positive")
    c_fn = check_cost(cost_false_negative, name="cost_false_negative")
    return c_fp / (c_fp + c_fn)


def _binary_truth(y_true: Any, *, pos_label: Any, name: str = "y_true") -> np.ndarray:
    """``y_true == positive class`` as booleans; the positive class is explained below.

    ``pos_label`` when given; otherwise 1 (or True) for 0/1 or boolean labels, and the
    greater of exactly two labels otherwise.
    """
    arr = check_target(y_true, name=name)
    labels = pd.unique(arr)
    if len(labels) > 2:
        raise ValueError(
            f"{name} has {len(labels)} distinct labels; these helpers need a binary target "
            f"(two classes). Use y_true == positive_class to binarise it."
        )
    if pos_label is None:
        if set(labels.tolist()) <= {0, 1}:
            pos_label = 1
        elif len(labels) == 2:
            pos_label = sorted(labels.tolist())[-1]
        else:
            raise ValueError(
                f"{name} holds the single label {labels[0]!r}; pass pos_label to say which "
                f"label is the positive class."
            )
    elif pos_label not in set(labels.tolist()) and len(labels) == 2:
        raise ValueError(
            f"pos_label={pos_label!r} is not one of the labels in {name} "
            f"({sorted(labels.tolist())}); pass one of them."
        )
    return np.asarray(arr == pos_label, dtype=bool)


def _check_scores(y_score: Any, *, n_samples: int, name: str = "y_score") -> np.ndarray:
    arr = as_1d(y_score, name=name)
    if arr.dtype.kind not in "fiub":
        raise ValueError(
            f"{name} must be numeric scores (e.g. predict_proba(X)[:, 1]), got dtype {arr.dtype}."
        )
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; pass finite scores.")
    check_consistent_length(y_true=np.empty(n_samples), **{name: arr})
    return arr


def _check_threshold(threshold: Any) -> float:
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"threshold must be a number, got {threshold!r}.") from None
    if not math.isfinite(value):
        raise ValueError(f"threshold={threshold!r} must be finite.")
    return value


@dataclass(frozen=True)
class ConfusionAtThreshold:
    """Counts of a binary decision "positive when score >= threshold".

    Attributes
    ----------
    threshold : float
        The decision threshold.
    tp, fp, tn, fn : int
        True positives, false positives (false alarms), true negatives, false negatives
        (missed positives).
    """

    threshold: float
    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        """Number of cases."""
        return self.tp + self.fp + self.tn + self.fn

    @property
    def precision(self) -> float:
        """tp / (tp + fp): share of alarms that are real; 0.0 when nothing is flagged."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn): share of positives caught; 0.0 when there are no positives."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def false_positive_rate(self) -> float:
        """fp / (fp + tn): share of negatives flagged; 0.0 when there are no negatives."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def accuracy(self) -> float:
        """(tp + tn) / n."""
        return (self.tp + self.tn) / self.n

    def to_frame(self) -> pd.DataFrame:
        """The 2 x 2 confusion matrix (rows: actual, columns: predicted)."""
        return pd.DataFrame(
            [[self.tn, self.fp], [self.fn, self.tp]],
            index=pd.Index(["actual negative", "actual positive"], name=""),
            columns=["predicted negative", "predicted positive"],
        )


def confusion_at_threshold(
    y_true: Any, y_score: Any, *, threshold: float, pos_label: Any = None
) -> ConfusionAtThreshold:
    """The confusion matrix of the decision "positive when ``y_score >= threshold``".

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels.
    y_score : array-like of shape (n_samples,)
        Scores or probabilities of the positive class.
    threshold : float
        Cases with ``y_score >= threshold`` are predicted positive.
    pos_label : label, default=None
        The positive class; by default 1 for 0/1 labels, else the greater label.

    Returns
    -------
    ConfusionAtThreshold

    Raises
    ------
    ValueError
        For missing labels, more than two classes, non-finite scores or a length mismatch.

    Examples
    --------
    >>> from mlkit.thresholds import confusion_at_threshold
    >>> c = confusion_at_threshold([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], threshold=0.5)
    >>> c.tp, c.fp, c.tn, c.fn, c.precision
    (1, 1, 1, 1, 0.5)
    """
    truth = _binary_truth(y_true, pos_label=pos_label)
    scores = _check_scores(y_score, n_samples=truth.size)
    predicted = scores >= _check_threshold(threshold)
    return ConfusionAtThreshold(
        threshold=float(threshold),
        tp=int(np.sum(predicted & truth)),
        fp=int(np.sum(predicted & ~truth)),
        tn=int(np.sum(~predicted & ~truth)),
        fn=int(np.sum(~predicted & truth)),
    )


def expected_cost(
    y_true: Any,
    y_score: Any,
    *,
    threshold: float,
    cost_false_positive: float,
    cost_false_negative: float,
    pos_label: Any = None,
) -> float:
    """Average cost per case of the decision "positive when ``y_score >= threshold``".

    ``(cost_false_positive * FP + cost_false_negative * FN) / n``; correct decisions
    cost 0. Lower is better.

    Parameters
    ----------
    y_true, y_score, threshold, pos_label
        As in :func:`confusion_at_threshold`.
    cost_false_positive, cost_false_negative : float
        Cost of one false alarm and of one missed positive (> 0).

    Returns
    -------
    float

    Examples
    --------
    >>> from mlkit.thresholds import expected_cost
    >>> expected_cost([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], threshold=0.5,
    ...               cost_false_positive=1, cost_false_negative=5)
    1.5
    """
    c_fp = check_cost(cost_false_positive, name="cost_false_positive")
    c_fn = check_cost(cost_false_negative, name="cost_false_negative")
    counts = confusion_at_threshold(y_true, y_score, threshold=threshold, pos_label=pos_label)
    return (c_fp * counts.fp + c_fn * counts.fn) / counts.n


def recall_at_precision(
    y_true: Any, y_score: Any, *, precision_floor: float, pos_label: Any = None
) -> float:
    """The highest recall reachable with precision at least ``precision_floor``.

    Every threshold on ``y_score`` is tried (the points of the precision-recall
    curve); among those with precision >= ``precision_floor``, the best recall is
    returned, or 0.0 when no threshold reaches the floor.

    Parameters
    ----------
    y_true, y_score, pos_label
        As in :func:`confusion_at_threshold`.
    precision_floor : float
        The lowest acceptable precision, in (0, 1).

    Returns
    -------
    float

    Examples
    --------
    >>> from mlkit.thresholds import recall_at_precision
    >>> recall_at_precision([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], precision_floor=0.9)
    0.5
    """
    floor = check_fraction(precision_floor, name="precision_floor")
    truth = _binary_truth(y_true, pos_label=pos_label)
    scores = _check_scores(y_score, n_samples=truth.size)
    if not truth.any():
        return 0.0
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    tp = np.cumsum(truth[order])
    # one point per distinct threshold: the last index of each run of tied scores
    last = np.r_[np.flatnonzero(np.diff(sorted_scores)), scores.size - 1]
    precision = tp[last] / (last + 1)
    recall = tp[last] / truth.sum()
    ok = precision >= floor
    return float(recall[ok].max()) if ok.any() else 0.0


def threshold_curve(
    y_true: Any,
    y_score: Any,
    *,
    thresholds: Any = None,
    cost_false_positive: float | None = None,
    cost_false_negative: float | None = None,
    pos_label: Any = None,
) -> pd.DataFrame:
    """Confusion counts, precision, recall and (optionally) cost at many thresholds.

    Parameters
    ----------
    y_true, y_score, pos_label
        As in :func:`confusion_at_threshold`.
    thresholds : array-like, default=None
        Thresholds to evaluate; by default 101 points from 0 to 1 when the scores are
        probabilities, else 101 quantiles of the scores.
    cost_false_positive, cost_false_negative : float, default=None
        When both are given, an ``expected_cost`` column is added.

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold, tp, fp, tn, fn, precision, recall,
        false_positive_rate, flagged`` (share predicted positive) and ``expected_cost``.

    Examples
    --------
    >>> from mlkit.thresholds import threshold_curve
    >>> curve = threshold_curve([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9], thresholds=[0.5, 0.95])
    >>> curve[["threshold", "tp", "fp", "recall"]].to_numpy().tolist()
    [[0.5, 1.0, 1.0, 0.5], [0.95, 0.0, 0.0, 0.0]]
    """
    truth = _binary_truth(y_true, pos_label=pos_label)
    scores = _check_scores(y_score, n_samples=truth.size)
    if thresholds is None:
        if scores.min() >= 0 and scores.max() <= 1:
            grid = np.linspace(0.0, 1.0, 101)
        else:
            grid = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, 101)))
    else:
        grid = as_1d(thresholds, name="thresholds").astype(float)
    pos_scores = np.sort(scores[truth])
    neg_scores = np.sort(scores[~truth])
    tp = pos_scores.size - np.searchsorted(pos_scores, grid, side="left")
    fp = neg_scores.size - np.searchsorted(neg_scores, grid, side="left")
    fn = pos_scores.size - tp
    tn = neg_scores.size - fp
    flagged = tp + fp
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, tp / np.maximum(flagged, 1), 0.0)
    curve = pd.DataFrame(
        {
            "threshold": grid,
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "precision": precision,
            "recall": tp / pos_scores.size if pos_scores.size else np.zeros(grid.size),
            "false_positive_rate": fp / neg_scores.size if neg_scores.size else np.zeros(grid.size),
            "flagged": flagged / scores.size,
        }
    )
    if (cost_false_positive is None) != (cost_false_negative is None):
        raise ValueError(
            "give both cost_false_positive and cost_false_negative to get an expected_cost "
            "column, or neither."
        )
    if cost_false_positive is not None and cost_false_negative is not None:
        c_fp = check_cost(cost_false_positive, name="cost_false_positive")
        c_fn = check_cost(cost_false_negative, name="cost_false_negative")
        curve["expected_cost"] = (c_fp * fp + c_fn * fn) / scores.size
    return curve


def plot_threshold_curve(
    y_true: Any,
    y_score: Any,
    *,
    cost_false_positive: float | None = None,
    cost_false_negative: float | None = None,
    pos_label: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Plot precision, recall and share flagged against the threshold (and the cost).

    When both costs are given, the average cost per case is drawn on a second y axis
    with the cost-optimal threshold c_fp / (c_fp + c_fn) marked.

    Parameters
    ----------
    y_true, y_score, pos_label
        As in :func:`confusion_at_threshold` (scores should be probabilities).
    cost_false_positive, cost_false_negative : float, default=None
        Costs of a false alarm and of a missed positive.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib Axes
        The axes with precision and recall (the cost axis is its twin).
    """
    import matplotlib.pyplot as plt

    curve = threshold_curve(
        y_true,
        y_score,
        cost_false_positive=cost_false_positive,
        cost_false_negative=cost_false_negative,
        pos_label=pos_label,
    )
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    # precision is undefined where nothing is flagged: leave a gap instead of drawing 0
    precision = curve["precision"].where(curve["flagged"] > 0)
    ax.plot(curve["threshold"], precision, label="precision", color="C0")
    ax.plot(curve["threshold"], curve["recall"], label="recall", color="C1")
    ax.plot(curve["threshold"], curve["flagged"], label="share flagged", color="C2", ls=":")
    ax.set_xlabel("threshold (predict positive when score >= threshold)")
    ax.set_ylabel("rate")
    ax.set_ylim(0, 1.02)
    handles, labels = ax.get_legend_handles_labels()
    if "expected_cost" in curve:
        twin = ax.twinx()
        twin.plot(curve["threshold"], curve["expected_cost"], color="C3", label="cost per case")
        best = cost_optimal_threshold(
            cost_false_positive=float(cost_false_positive),  # type: ignore[arg-type]
            cost_false_negative=float(cost_false_negative),  # type: ignore[arg-type]
        )
        twin.axvline(best, color="C3", ls="--", lw=1, label=f"c_fp/(c_fp+c_fn) = {best:.2f}")
        twin.set_ylabel("average cost per case")
        twin.set_ylim(bottom=0)
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    ax.legend(
        handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3, fontsize="small"
    )
    ax.set_title("How the decision moves with the threshold")
    return ax


# --------------------------------------------------------------------------- tuning


def _group_folds(
    cv: Any, X: Any, y: Any, *, groups: Any, random_state: int | None
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """:func:`~mlkit.splits.materialise_folds`, refusing folds that split a group."""
    from mlkit.splits import materialise_folds  # splits imports metrics, which imports us

    # materialise_folds refuses folds that put a group on both sides
    return materialise_folds(cv, X, y, groups=groups, random_state=random_state)


def _check_binary(y: Any) -> np.ndarray:
    arr = check_target(y, name="y")
    labels = pd.unique(arr)
    if labels.size != 2:
        raise ValueError(
            f"y has {labels.size} class(es) ({sorted(labels.tolist())[:5]}); a threshold "
            f"separates exactly two classes, so pass a binary target with both present."
        )
    return arr


@dataclass(frozen=True, eq=False)
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
