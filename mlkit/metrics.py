"""Task inference, metric sets, choosing the primary metric, and evaluation reports.

This is the front door of mlkit's metric tools; the work is split by concern and every
public name below is importable from here:

- :mod:`mlkit.tasks`: :func:`infer_task` (binary, multiclass or regression, from the
  target values) and :func:`resolve_task` (the one place a task is decided, declared
  or inferred), with :data:`Task` and :data:`TASKS`;
- :mod:`mlkit.scoring`: :func:`get_scorers` (the one scorer resolver),
  :func:`resolve_scoring`, :func:`metric_set` (a task's readable metric names mapped to
  scikit-learn scorer names), :func:`metric_scorers` (the same set as scorer objects
  that never warn on ill-defined folds), :func:`readable_metric_name` and
  :func:`greater_is_better`;
- this module: :func:`choose_primary_metric`, the business objective (rare positives,
  costs of the two errors, a precision floor, the need for probabilities) to one
  primary metric by explicit rules, returned as a :class:`PrimaryMetric`;
- :mod:`mlkit.evaluation`: :func:`evaluate`, a fitted estimator on data to a tidy
  report table;
- :mod:`mlkit.thresholds`: the threshold helpers for binary scores, re-exported here
  for backwards compatibility.

Conventions: scikit-learn scorers are "greater is better", so losses appear as
``neg_*`` scorer names; mlkit's report tables instead show every metric in its natural
units (losses positive) next to its direction. For binary tasks the positive class is
the greater label (``1`` for 0/1 labels, ``True`` for booleans), as in scikit-learn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlkit._validation import check_cost, check_fraction
from mlkit.evaluation import evaluate
from mlkit.scoring import (
    DEFAULT_SCORING,
    LOSSES,
    METRIC_SETS,
    SCORING_ALIASES,
    get_scorers,
    greater_is_better,
    metric_scorers,
    metric_set,
    readable_metric_name,
    resolve_scoring,
)

# private helpers, still importable from here for code written before the split
from mlkit.scoring import _check_metric_names as _check_metric_names
from mlkit.tasks import (
    MAX_CLASSES_FOR_INTEGER_TARGET,
    TASKS,
    Task,
    infer_task,
    resolve_task,
)
from mlkit.tasks import _check_task as _check_task
from mlkit.tasks import _single_class_error as _single_class_error
from mlkit.thresholds import (
    ConfusionAtThreshold,
    confusion_at_threshold,
    cost_optimal_threshold,
    expected_cost,
    plot_threshold_curve,
    recall_at_precision,
    threshold_curve,
)

__all__ = [
    "DEFAULT_SCORING",
    "LOSSES",
    "MAX_CLASSES_FOR_INTEGER_TARGET",
    "METRIC_SETS",
    "RARE_POSITIVE_RATE",
    "SCORING_ALIASES",
    "TASKS",
    "ConfusionAtThreshold",
    "PrimaryMetric",
    "Task",
    "choose_primary_metric",
    "confusion_at_threshold",
    "cost_optimal_threshold",
    "evaluate",
    "expected_cost",
    "get_scorers",
    "greater_is_better",
    "infer_task",
    "metric_scorers",
    "metric_set",
    "plot_threshold_curve",
    "readable_metric_name",
    "recall_at_precision",
    "resolve_scoring",
    "resolve_task",
    "threshold_curve",
]

# --------------------------------------------------------------------------- primary metric

#: Positive rates below this count as "rare positives" in :func:`choose_primary_metric`.
RARE_POSITIVE_RATE = 0.2


@dataclass(frozen=True)
class PrimaryMetric:
    """The metric a project optimises and reports first, and why.

    Attributes
    ----------
    task : {"binary", "multiclass", "regression"}
        The task.
    name : str
        Readable name of the primary metric (``"average_precision"``,
        ``"expected_cost"``, ``"recall_at_precision"``, ``"rmse"``, ...).
    greater_is_better : bool
        Direction of ``name``.
    secondary : tuple of str
        Metrics to report next to it (readable names of :func:`metric_set`).
    reason : str
        The rule that fired, in plain language.
    threshold : float or None
        The decision threshold on calibrated probabilities, when costs were given:
        ``cost_false_positive / (cost_false_positive + cost_false_negative)``.
    cost_false_positive, cost_false_negative, precision_floor : float or None
        The objective's parameters, as given.
    """

    task: Task
    name: str
    greater_is_better: bool
    secondary: tuple[str, ...]
    reason: str
    threshold: float | None = None
    cost_false_positive: float | None = None
    cost_false_negative: float | None = None
    precision_floor: float | None = None

    @property
    def scoring(self) -> str | None:
        """The scikit-learn scorer name of the primary metric, or ``None`` if it has none.

        ``expected_cost`` and ``recall_at_precision`` have no built-in scorer; use
        :meth:`scorer` for them.
        """
        return METRIC_SETS[self.task].get(self.name)

    def scorer(self) -> Any:
        """A scikit-learn scorer for the primary metric (greater is better).

        Usable as ``scoring=`` anywhere in scikit-learn and mlkit. For
        ``expected_cost`` the scorer thresholds ``predict_proba`` at :attr:`threshold`
        and returns minus the average cost per case; for ``recall_at_precision`` it
        returns the best recall with precision at least :attr:`precision_floor`.
        """
        from sklearn.metrics import get_scorer, make_scorer

        if self.name == "expected_cost":
            return make_scorer(
                expected_cost,
                greater_is_better=False,
                response_method="predict_proba",
                threshold=self.threshold,
                cost_false_positive=self.cost_false_positive,
                cost_false_negative=self.cost_false_negative,
            )
        if self.name == "recall_at_precision":
            return make_scorer(
                recall_at_precision,
                response_method=("decision_function", "predict_proba"),
                precision_floor=self.precision_floor,
            )
        return get_scorer(METRIC_SETS[self.task][self.name])

    def __str__(self) -> str:
        text = f"primary metric: {self.name} ({'higher' if self.greater_is_better else 'lower'} is better)"
        if self.threshold is not None:
            text += f" at threshold {self.threshold:.3g}"
        return f"{text}\nsecondary: {', '.join(self.secondary)}\nwhy: {self.reason}"


def _unique(names: Sequence[str], exclude: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in names if n != exclude))


def choose_primary_metric(
    task: Task,
    *,
    positive_rate: float | None = None,
    cost_false_positive: float | None = None,
    cost_false_negative: float | None = None,
    precision_floor: float | None = None,
    need_calibrated_probabilities: bool = False,
    penalize_large_errors: bool = True,
) -> PrimaryMetric:
    """Choose the primary metric from the business objective, by explicit rules.

    The rules are tried in order; the first that applies wins, and the objectives it
    does not use still shape the secondary metrics.

    ====  ==================================  ===========================  ==============================
    rule  objective                           primary metric               why
    ====  ==================================  ===========================  ==============================
    1     binary, both error costs given      ``expected_cost`` at         the objective *is* a cost; with
                                              threshold                    calibrated probabilities the
                                              c_fp / (c_fp + c_fn)         cheapest decision is "positive
                                                                           when p >= c_fp / (c_fp + c_fn)"
    2     binary, ``precision_floor`` given   ``recall_at_precision``      a hard limit on false alarms:
                                                                           catch as many positives as the
                                                                           floor allows
    3     ``need_calibrated_probabilities``   ``log_loss`` (classification) the probabilities themselves are
                                                                           used, so score them with a
                                                                           strictly proper rule
    4     binary, ``positive_rate`` < 0.2     ``average_precision``        with rare positives ROC AUC looks
                                                                           good while precision is poor;
                                                                           the PR curve shows it (Saito &
                                                                           Rehmsmeier, 2015)
    5     binary otherwise                    ``roc_auc``                  threshold-free ranking quality
    6     multiclass                          ``balanced_accuracy``        accuracy that a majority-class
                                                                           guess cannot inflate
    7     regression, large errors worse      ``rmse``                     squares errors: a few large ones
          (``penalize_large_errors=True``)                                 dominate, as they should
    8     regression otherwise                ``mae``                      every minute of error costs the
                                                                           same; robust to outliers
    ====  ==================================  ===========================  ==============================

    ``RARE_POSITIVE_RATE`` (0.2) is the rare-positive cut-off of rule 4.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
        The task (see :func:`infer_task`).
    positive_rate : float, default=None
        Fraction of positive cases, in (0, 1); binary only.
    cost_false_positive, cost_false_negative : float, default=None
        Cost of one false alarm and of one missed positive (any unit; only the ratio
        matters). Give both or neither; binary only.
    precision_floor : float, default=None
        The lowest acceptable precision, in (0, 1); binary only.
    need_calibrated_probabilities : bool, default=False
        Whether the predicted probabilities are used as such (risk scores shown to
        people, expected-value decisions); classification only.
    penalize_large_errors : bool, default=True
        Regression only: whether one error of 60 minutes is worse than six of 10.

    Returns
    -------
    PrimaryMetric
        The primary metric, secondary metrics, the reason, and the cost-optimal
        threshold when costs are given.

    Raises
    ------
    ValueError
        For an unknown task; binary-only objectives with another task; only one of
        the two costs; a rate or floor outside (0, 1); a cost that is not > 0.

    Examples
    --------
    >>> from mlkit.metrics import choose_primary_metric
    >>> choose_primary_metric("binary", positive_rate=0.14).name
    'average_precision'
    >>> choice = choose_primary_metric("binary", cost_false_positive=1, cost_false_negative=9)
    >>> choice.name, choice.threshold
    ('expected_cost', 0.1)
    """
    task = _check_task(task)
    binary_only = {
        "positive_rate": positive_rate,
        "cost_false_positive": cost_false_positive,
        "cost_false_negative": cost_false_negative,
        "precision_floor": precision_floor,
    }
    if task != "binary":
        given = [name for name, value in binary_only.items() if value is not None]
        if given:
            raise ValueError(
                f"{', '.join(given)} only apply to binary tasks, but task={task!r}; drop "
                f"them, or frame the problem as binary (one class against the rest)."
            )
    if task == "regression" and need_calibrated_probabilities:
        raise ValueError(
            "need_calibrated_probabilities=True applies to classification; a regression "
            "model predicts values, not probabilities. Drop it for task='regression'."
        )
    if task == "regression":
        if penalize_large_errors:
            return PrimaryMetric(
                task, "rmse", False, ("mae", "r2"),
                "large errors are worse than proportionally: RMSE squares errors, so a few "
                "large misses weigh heavily; report MAE for the typical error",
            )  # fmt: skip
        return PrimaryMetric(
            task, "mae", False, ("rmse", "r2"),
            "every unit of error costs the same: MAE is the average absolute error and is "
            "not dominated by a few outliers",
        )  # fmt: skip
    if task == "multiclass":
        if need_calibrated_probabilities:
            return PrimaryMetric(
                task, "log_loss", False, ("balanced_accuracy", "f1_macro", "roc_auc_ovr"),
                "the class probabilities are used as such, so they are scored with the log "
                "loss, a strictly proper scoring rule",
            )  # fmt: skip
        return PrimaryMetric(
            task, "balanced_accuracy", True, ("accuracy", "f1_macro", "roc_auc_ovr", "log_loss"),
            "balanced accuracy averages the recall of every class, so guessing the majority "
            "class scores 1/n_classes instead of the majority share",
        )  # fmt: skip

    rate = None if positive_rate is None else check_fraction(positive_rate, name="positive_rate")
    rare = rate is not None and rate < RARE_POSITIVE_RATE
    if (cost_false_positive is None) != (cost_false_negative is None):
        missing = "cost_false_negative" if cost_false_negative is None else "cost_false_positive"
        raise ValueError(
            f"{missing} is missing; give both cost_false_positive and cost_false_negative "
            f"(only their ratio matters), or neither."
        )
    ranking = "average_precision" if rare else "roc_auc"
    rare_note = (
        f" Positives are rare ({rate:.1%}), so rank quality is read from average precision."
        if rare
        else ""
    )
    if cost_false_positive is not None and cost_false_negative is not None:
        c_fp = check_cost(cost_false_positive, name="cost_false_positive")
        c_fn = check_cost(cost_false_negative, name="cost_false_negative")
        threshold = cost_optimal_threshold(cost_false_positive=c_fp, cost_false_negative=c_fn)
        return PrimaryMetric(
            task, "expected_cost", False,
            _unique((ranking, "log_loss", "brier", "recall", "precision"), "expected_cost"),
            f"errors have known costs (a missed positive costs {c_fn / c_fp:.3g} times a false "
            f"alarm), so the objective is the average cost per case; with calibrated "
            f"probabilities the cheapest rule is 'positive when p >= {threshold:.3g}' "
            f"(c_fp / (c_fp + c_fn)), and log loss and Brier check that calibration."
            + rare_note,
            threshold=threshold,
            cost_false_positive=c_fp,
            cost_false_negative=c_fn,
            precision_floor=(
                None if precision_floor is None
                else check_fraction(precision_floor, name="precision_floor")
            ),
        )  # fmt: skip
    if precision_floor is not None:
        floor = check_fraction(precision_floor, name="precision_floor")
        return PrimaryMetric(
            task, "recall_at_precision", True,
            _unique((ranking, "precision", "recall"), "recall_at_precision"),
            f"at most {1 - floor:.0%} of alarms may be false (precision >= {floor:.3g}), so "
            f"the objective is the share of positives caught at that precision." + rare_note,
            precision_floor=floor,
        )  # fmt: skip
    if need_calibrated_probabilities:
        return PrimaryMetric(
            task, "log_loss", False, _unique(("brier", ranking, "balanced_accuracy"), "log_loss"),
            "the probabilities are used as such (risk shown to people, expected-value "
            "decisions), so they are scored with the log loss, a strictly proper scoring "
            "rule; Brier score is its bounded cousin." + rare_note,
        )  # fmt: skip
    if rare:
        return PrimaryMetric(
            task, "average_precision", True,
            ("roc_auc", "balanced_accuracy", "recall", "precision", "log_loss"),
            f"positives are rare ({rate:.1%}): ROC AUC rewards ranking the many easy "
            f"negatives and can look good while most alarms are false; average precision "
            f"(area under the precision-recall curve) is anchored at the positive rate and "
            f"shows it.",
        )  # fmt: skip
    why = (
        "no costs, floor or rarity given" if rate is None else f"classes are not rare ({rate:.1%})"
    )
    return PrimaryMetric(
        task, "roc_auc", True, ("average_precision", "balanced_accuracy", "f1", "log_loss"),
        f"{why}: ROC AUC measures how well the scores rank positives above negatives, "
        f"independently of any threshold; choose the threshold later, from the costs.",
    )  # fmt: skip
