"""Task inference, metric sets, choosing the primary metric, and evaluation reports.

The pieces, in the order a project uses them:

- :func:`infer_task`: binary, multiclass or regression, from the target values;
- :func:`metric_set`: the readable metric names of a task mapped to scikit-learn
  scorer names, ready for ``scoring=`` of ``cross_validate``; :func:`metric_scorers`
  gives the same set as scorer objects that never warn on ill-defined folds;
- :func:`choose_primary_metric`: the business objective (rare positives, costs of the
  two errors, a precision floor, the need for probabilities) to one primary metric by
  explicit rules, returned as a :class:`PrimaryMetric`;
- :func:`evaluate`: a fitted estimator on data to a tidy report table;
- the threshold helpers for binary scores live in :mod:`mlkit.thresholds` and are
  re-exported here for backwards compatibility.

Conventions: scikit-learn scorers are "greater is better", so losses appear as
``neg_*`` scorer names; mlkit's report tables instead show every metric in its natural
units (losses positive) next to its direction. For binary tasks the positive class is
the greater label (``1`` for 0/1 labels, ``True`` for booleans), as in scikit-learn.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from mlkit._validation import (
    check_consistent_length,
    check_cost,
    check_fraction,
    check_target,
)
from mlkit.thresholds import (
    ConfusionAtThreshold,
    _check_threshold,
    confusion_at_threshold,
    cost_optimal_threshold,
    expected_cost,
    plot_threshold_curve,
    recall_at_precision,
    threshold_curve,
)

if TYPE_CHECKING:
    pass

__all__ = [
    "DEFAULT_SCORING",
    "METRIC_SETS",
    "SCORING_ALIASES",
    "TASKS",
    "ConfusionAtThreshold",
    "PrimaryMetric",
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
    "threshold_curve",
]

Task = Literal["binary", "multiclass", "regression"]
TASKS: tuple[Task, ...] = ("binary", "multiclass", "regression")

#: Integer-valued targets with at most this many distinct values are treated as classes.
MAX_CLASSES_FOR_INTEGER_TARGET = 20


def infer_task(y: Any) -> Task:
    """Infer the supervised task from the target values.

    Rules, in order:

    1. strings, booleans, categoricals or objects: classification;
    2. floats with a non-integral value: regression;
    3. integer-valued targets: classification when they have at most
       ``MAX_CLASSES_FOR_INTEGER_TARGET`` (20) distinct values, regression otherwise.

    Classification is ``"binary"`` with exactly two classes, ``"multiclass"`` with more.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target values. Must not contain missing values.

    Returns
    -------
    task : {"binary", "multiclass", "regression"}

    Raises
    ------
    ValueError
        If ``y`` is empty, not 1-D, has missing values, or has a single class.

    Examples
    --------
    >>> from mlkit.metrics import infer_task
    >>> infer_task([0, 1, 1, 0])
    'binary'
    >>> infer_task(["a", "b", "c"])
    'multiclass'
    >>> infer_task([0.5, 1.25, 3.0])
    'regression'
    """
    arr = check_target(y, name="y")
    kind = arr.dtype.kind
    if kind in "fc":
        if not np.all(np.mod(arr, 1) == 0):
            return "regression"
        n_unique = np.unique(arr).size
    elif kind in "iu":
        n_unique = np.unique(arr).size
    else:
        n_unique = len(set(arr.tolist()))
        if n_unique < 2:
            raise _single_class_error(arr)
        return "binary" if n_unique == 2 else "multiclass"
    if n_unique > MAX_CLASSES_FOR_INTEGER_TARGET:
        return "regression"
    if n_unique < 2:
        raise _single_class_error(arr)
    return "binary" if n_unique == 2 else "multiclass"


def resolve_task(y: Any, task: Any = None, *, name: str = "task") -> Task:
    """The task of ``y``: ``task`` when declared (and consistent with ``y``), else inferred.

    This is the one place a task is decided; every mlkit function that takes
    ``task=`` calls it, so a declaration is checked the same way everywhere.

    * ``None`` or ``"auto"``: :func:`infer_task`.
    * ``"regression"``: any numeric target, including an integer target with few
      distinct values (counts), which :func:`infer_task` would call classes.
    * ``"binary"``: exactly two classes. ``"multiclass"``: three or more. Neither
      for a target with non-integral values.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target values, free of missing values.
    task : {"binary", "multiclass", "regression", "auto"} or None, default=None
        The declared task.
    name : str, default="task"
        The argument name used in error messages.

    Returns
    -------
    task : {"binary", "multiclass", "regression"}

    Raises
    ------
    ValueError
        For an unknown ``task``, or one that the target contradicts.

    Examples
    --------
    >>> from mlkit.metrics import resolve_task
    >>> resolve_task([0, 2, 1, 3, 0])
    'multiclass'
    >>> resolve_task([0, 2, 1, 3, 0], task="regression")
    'regression'
    """
    inferred = infer_task(y)
    if task is None or (isinstance(task, str) and task == "auto"):
        return inferred
    if not isinstance(task, str) or task not in TASKS:
        raise ValueError(
            f"{name}={task!r} is not supported; use one of {', '.join(map(repr, TASKS))} or "
            f"None to infer it from the target."
        )
    values = check_target(y, name="y")
    numeric = values.dtype.kind in "iuf"
    if task == "regression":
        if not numeric:
            raise ValueError(
                f"{name}='regression' but y is not numeric (e.g. {_plain(values[0])!r}); "
                f"declare {name}='binary' or 'multiclass', or pass a numeric target."
            )
        return "regression"
    if inferred == "regression" and values.dtype.kind == "f":
        raise ValueError(
            f"{name}={task!r} but y has non-integral values (a regression target); declare "
            f"{name}='regression', or pass class labels."
        )
    n_classes = len(set(values.tolist()))
    if task == "binary" and n_classes != 2:
        raise ValueError(
            f"{name}='binary' but y has {n_classes} classes; declare {name}='multiclass' (or "
            f"None to infer it), or merge the classes into two."
        )
    if task == "multiclass" and n_classes < 3:
        raise ValueError(
            f"{name}='multiclass' but y has {n_classes} classes; declare {name}='binary' (or "
            f"None to infer it)."
        )
    return task


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _single_class_error(arr: np.ndarray) -> ValueError:
    return ValueError(
        f"y has a single class ({arr[0]!r}) in all {arr.shape[0]} samples; a classifier needs "
        f"at least 2 classes. Check the label definition or use more data."
    )


# --------------------------------------------------------------------------- scoring names

#: Friendly names accepted wherever mlkit takes ``scoring``, mapped to scikit-learn scorer
#: names. scikit-learn scorers are "greater is better", so losses are negated (``neg_*``).
SCORING_ALIASES: dict[str, str] = {
    "rmse": "neg_root_mean_squared_error",
    "mae": "neg_mean_absolute_error",
    "mse": "neg_mean_squared_error",
    "log_loss": "neg_log_loss",
    "brier": "neg_brier_score",
    "brier_score": "neg_brier_score",
    "auc": "roc_auc",
}

#: The scorer used when ``scoring=None``.
DEFAULT_SCORING: dict[Task, str] = {
    "binary": "roc_auc",
    "multiclass": "balanced_accuracy",
    "regression": "neg_root_mean_squared_error",
}


def resolve_scoring(scoring: Any, *, task: Task) -> Any:
    """Turn a ``scoring`` argument into something scikit-learn's CV functions accept.

    Parameters
    ----------
    scoring : None, str, callable, or list of str
        ``None`` gives the task's default (:data:`DEFAULT_SCORING`). A string is a
        scikit-learn scorer name or one of :data:`SCORING_ALIASES` (``"rmse"``,
        ``"log_loss"``, ...). A callable ``scorer(estimator, X, y)`` is returned as is.
        A list of strings gives a list of scorer names.
    task : {"binary", "multiclass", "regression"}
        The task, from :func:`infer_task`.

    Returns
    -------
    str, callable or list of str
        scikit-learn scorer name(s) (greater is better) or the callable.

    Raises
    ------
    ValueError
        For an unknown metric name; the message lists the valid names.

    Examples
    --------
    >>> from mlkit.metrics import resolve_scoring
    >>> resolve_scoring(None, task="binary")
    'roc_auc'
    >>> resolve_scoring("rmse", task="regression")
    'neg_root_mean_squared_error'
    """
    from sklearn.metrics import get_scorer_names

    if task not in TASKS:
        raise ValueError(f"task={task!r} is not supported; use one of {TASKS}.")
    if scoring is None:
        return DEFAULT_SCORING[task]
    if callable(scoring):
        return scoring
    if isinstance(scoring, list | tuple):
        if not scoring:
            raise ValueError("scoring is an empty list; pass at least one metric name.")
        return [resolve_scoring(s, task=task) for s in scoring]
    if not isinstance(scoring, str):
        raise ValueError(
            f"scoring must be None, a metric name, a list of names or a scorer callable, "
            f"got {type(scoring).__name__}."
        )
    name = SCORING_ALIASES.get(scoring, scoring)
    if name not in set(get_scorer_names()):
        close = sorted(n for n in get_scorer_names() if scoring.lower() in n)[:5]
        hint = f" Did you mean one of {close}?" if close else ""
        raise ValueError(
            f"scoring={scoring!r} is not a known metric; use a scikit-learn scorer name "
            f"(sklearn.metrics.get_scorer_names()) or an mlkit alias "
            f"({', '.join(sorted(SCORING_ALIASES))}).{hint}"
        )
    return name


def get_scorers(
    scoring: Any,
    *,
    task: Task,
    estimator: Any = None,
    pos_label: Any = None,
) -> dict[str, Any]:
    """The one place where ``scoring`` becomes scikit-learn scorer objects.

    Every mlkit function that scores (baselines, leakage checks, tuning, curves,
    comparisons, the gate) resolves ``scoring`` here, so they share the same aliases,
    the same positive label and the same zero-division rule (precision, recall and F1
    score 0, without a warning, when nothing is predicted positive).

    Parameters
    ----------
    scoring : None, str, callable, list of str, or dict of str to str/callable
        ``None``: the task's default (:data:`DEFAULT_SCORING`). A string: an mlkit
        readable name (``"rmse"``, ``"average_precision"``), an alias
        (:data:`SCORING_ALIASES`) or any scikit-learn scorer name. A callable
        ``scorer(estimator, X, y)``: kept as is. A list: several names. A dict: your
        own names for scorers.
    task : {"binary", "multiclass", "regression"}
        The task, decided once upstream (:func:`infer_task` or a config).
    estimator : estimator or None, default=None
        When given, the scorers are checked against it: a classification metric on a
        regressor (or the reverse), or a ranking / probability metric on a model
        without ``predict_proba`` and ``decision_function``, is refused.
    pos_label : label or None, default=None
        Positive class of binary metrics; ``None`` means 1 (scikit-learn's default).

    Returns
    -------
    dict of str to scorer
        Readable names (or your dict keys) to greater-is-better scorer objects, usable as
        ``scoring=`` of ``cross_validate``. Use :func:`greater_is_better` on a name to
        report a loss in natural units.

    Raises
    ------
    ValueError
        An unknown name, an empty list, a metric that does not fit the task (e.g.
        ``"rmse"`` on a binary target, ``"roc_auc"`` on a multiclass one) or the
        estimator (e.g. ``"roc_auc"`` on a regressor); the message names both.

    Examples
    --------
    >>> from mlkit.metrics import get_scorers
    >>> sorted(get_scorers(["auc", "f1"], task="binary"))
    ['f1', 'roc_auc']
    >>> list(get_scorers(None, task="regression"))
    ['rmse']
    >>> get_scorers("rmse", task="binary")
    Traceback (most recent call last):
    ...
    ValueError: scoring='rmse' is a regression metric, but the task is 'binary'; use a binary metric such as accuracy, balanced_accuracy, precision, recall, f1, roc_auc, average_precision, log_loss, brier.
    """
    task = _check_task(task)
    label = 1 if pos_label is None else pos_label
    if scoring is None:
        scoring = DEFAULT_SCORING[task]
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("scoring is an empty dict; pass at least one name: scorer pair.")
        resolved: dict[str, Any] = {}
        for key, value in scoring.items():
            [(_, scorer)] = _one_scorer(value, task=task, pos_label=label).items()
            resolved[str(key)] = scorer
    elif isinstance(scoring, list | tuple):
        if not scoring:
            raise ValueError("scoring is an empty list; pass at least one metric name.")
        resolved = {}
        for item in scoring:
            resolved.update(_one_scorer(item, task=task, pos_label=label))
    else:
        resolved = _one_scorer(scoring, task=task, pos_label=label)
    if estimator is not None:
        for name, scorer in resolved.items():
            _check_scorer_fits_estimator(name, scorer, estimator, task=task)
    return resolved


def _one_scorer(scoring: Any, *, task: Task, pos_label: Any) -> dict[str, Any]:
    from sklearn.metrics import get_scorer

    if callable(scoring) and not isinstance(scoring, str):
        func = getattr(scoring, "_score_func", scoring)
        return {str(getattr(func, "__name__", "custom_scorer")): scoring}
    if not isinstance(scoring, str):
        raise ValueError(
            f"scoring must be None, a metric name, a list of names, a dict or a scorer "
            f"callable, got {type(scoring).__name__}."
        )
    sklearn_name = resolve_scoring(scoring, task=task)  # raises for unknown names
    readable = readable_metric_name(sklearn_name, task=task)
    if readable in METRIC_SETS[task]:
        return metric_scorers(task, metrics=[readable], pos_label=pos_label)
    kind = _scorer_kind(sklearn_name)
    wrong = (kind == "regression") != (task == "regression") or kind == "clustering"
    if not wrong and task == "multiclass" and sklearn_name in _BINARY_ONLY:
        raise ValueError(
            f"scoring={scoring!r} is a binary metric, but the task is 'multiclass'; use "
            f"{_BINARY_ONLY[sklearn_name]!r} or another of {', '.join(METRIC_SETS[task])}."
        )
    if wrong:
        raise ValueError(
            f"scoring={scoring!r} is a {kind} metric, but the task is {task!r}; use a {task} "
            f"metric such as {', '.join(METRIC_SETS[task])}."
        )
    return {readable: get_scorer(sklearn_name)}


#: Binary-only scikit-learn scorer names and their multiclass counterparts.
_BINARY_ONLY: dict[str, str] = {
    "roc_auc": "roc_auc_ovr",
    "average_precision": "roc_auc_ovr",
    "neg_brier_score": "neg_log_loss",
    "precision": "precision_macro",
    "recall": "recall_macro",
    "f1": "f1_macro",
    "jaccard": "jaccard_macro",
}


def _scorer_kind(sklearn_name: str) -> str:
    """ "regression", "classification" or "clustering", from the scorer's metric module."""
    from sklearn.metrics import get_scorer

    func = getattr(get_scorer(sklearn_name), "_score_func", None)
    module = getattr(func, "__module__", "") or ""
    if "cluster" in module:
        return "clustering"
    if "_regression" in module:
        return "regression"
    return "classification"


def _check_scorer_fits_estimator(name: str, scorer: Any, estimator: Any, *, task: Task) -> None:
    from sklearn.base import is_classifier, is_regressor

    model = type(estimator).__name__
    if task == "regression" and is_classifier(estimator):
        raise ValueError(
            f"scoring={name!r} is a regression metric, but estimator={model} is a "
            f"classifier; use a regressor or a classification metric."
        )
    if task != "regression" and is_regressor(estimator):
        raise ValueError(
            f"scoring={name!r} is a {task} metric, but estimator={model} is a regressor; use "
            f"a classifier (e.g. LogisticRegression) or a regression metric on a numeric target."
        )
    methods = getattr(scorer, "_response_method", "predict")
    methods = (methods,) if isinstance(methods, str) else tuple(methods)
    if "predict" not in methods and not any(hasattr(estimator, m) for m in methods):
        raise ValueError(
            f"scoring={name!r} needs {' or '.join(methods)}, but estimator={model} has "
            f"neither; use a metric on hard predictions (e.g. balanced_accuracy) or a model "
            f"with predict_proba."
        )


# --------------------------------------------------------------------------- metric sets

#: Readable metric name -> scikit-learn scorer name, per task. Each dict can be passed
#: as ``scoring=`` to ``cross_validate``; losses are ``neg_*`` (greater is better).
METRIC_SETS: dict[Task, dict[str, str]] = {
    "binary": {
        "accuracy": "accuracy",
        "balanced_accuracy": "balanced_accuracy",
        "precision": "precision",
        "recall": "recall",
        "f1": "f1",
        "roc_auc": "roc_auc",
        "average_precision": "average_precision",
        "log_loss": "neg_log_loss",
        "brier": "neg_brier_score",
    },
    "multiclass": {
        "accuracy": "accuracy",
        "balanced_accuracy": "balanced_accuracy",
        "f1_macro": "f1_macro",
        "roc_auc_ovr": "roc_auc_ovr",
        "log_loss": "neg_log_loss",
    },
    "regression": {
        "mae": "neg_mean_absolute_error",
        "rmse": "neg_root_mean_squared_error",
        "r2": "r2",
    },
}

#: Readable names of metrics where lower is better (reported as positive numbers).
LOSSES: frozenset[str] = frozenset(
    {"log_loss", "brier", "mae", "rmse", "mse", "expected_cost", "mean_squared_error"}
)

#: Metrics computed from hard labels; for binary tasks they depend on the threshold.
_THRESHOLDED = frozenset({"accuracy", "balanced_accuracy", "precision", "recall", "f1"})
#: Metrics that need probabilities (not just a ranking score).
_PROBABILISTIC = frozenset({"log_loss", "brier", "roc_auc_ovr"})


def _check_task(task: Any) -> Task:
    if task not in TASKS:
        raise ValueError(
            f"task={task!r} is not supported; use one of {', '.join(map(repr, TASKS))} "
            f"(mlkit.metrics.infer_task(y) infers it from the target)."
        )
    return task


def metric_set(task: Task) -> dict[str, str]:
    """The standard metrics of a task: readable name -> scikit-learn scorer name.

    ==============  ================================================================
    task            metrics
    ==============  ================================================================
    ``binary``      accuracy, balanced_accuracy, precision, recall, f1, roc_auc,
                    average_precision, log_loss, brier
    ``multiclass``  accuracy, balanced_accuracy, f1_macro, roc_auc_ovr (one-vs-rest),
                    log_loss
    ``regression``  mae, rmse, r2
    ==============  ================================================================

    The values follow scikit-learn's "greater is better" convention (losses are
    ``neg_*``), so the dict works as ``scoring=`` of
    :func:`~sklearn.model_selection.cross_validate` and the result keys are
    ``test_<readable name>``. The string scorers ``precision``, ``recall`` and ``f1``
    warn when a fold has no predicted positive; :func:`metric_scorers` builds the same
    set as scorer objects that score such folds 0 without a warning.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
        The task, e.g. from :func:`infer_task`.

    Returns
    -------
    dict of str to str
        A new dict (safe to modify).

    Raises
    ------
    ValueError
        For an unknown task.

    Examples
    --------
    >>> from mlkit.metrics import metric_set
    >>> metric_set("regression")
    {'mae': 'neg_mean_absolute_error', 'rmse': 'neg_root_mean_squared_error', 'r2': 'r2'}
    """
    return dict(METRIC_SETS[_check_task(task)])


def readable_metric_name(scoring_name: str, *, task: Task) -> str:
    """The readable name mlkit reports for a scikit-learn scorer name or alias.

    Names of the task's :func:`metric_set` map back to their readable key
    (``"neg_log_loss"`` -> ``"log_loss"``); other ``neg_*`` scorers lose the prefix
    (``"neg_mean_squared_error"`` -> ``"mean_squared_error"``, a loss); any other name
    is returned unchanged.

    Examples
    --------
    >>> from mlkit.metrics import readable_metric_name
    >>> readable_metric_name("neg_root_mean_squared_error", task="regression")
    'rmse'
    >>> readable_metric_name("auc", task="binary")
    'roc_auc'
    """
    _check_task(task)
    name = SCORING_ALIASES.get(scoring_name, scoring_name)
    for readable, scorer_name in METRIC_SETS[task].items():
        if name in (readable, scorer_name):
            return readable
    if name.startswith("neg_"):
        return name[len("neg_") :]
    return name


def greater_is_better(metric: str) -> bool:
    """Whether a higher value of the readable metric ``metric`` is better.

    Losses (:data:`LOSSES`, and any name a ``neg_*`` scorer was stripped to) are
    lower-is-better; everything else is higher-is-better.

    Examples
    --------
    >>> from mlkit.metrics import greater_is_better
    >>> greater_is_better("roc_auc"), greater_is_better("rmse")
    (True, False)
    """
    return not (metric in LOSSES or metric.endswith("_error") or metric.endswith("_loss"))


def metric_scorers(
    task: Task,
    *,
    metrics: Sequence[str] | None = None,
    pos_label: Any = 1,
) -> dict[str, Any]:
    """The task's metric set as scikit-learn scorer objects, without ill-defined warnings.

    Same names and conventions as :func:`metric_set` (greater is better; losses are
    negated), but precision, recall and F1 use ``zero_division=0.0``: a fold where the
    model predicts no positive scores 0 precision (it found nothing) instead of
    emitting ``UndefinedMetricWarning``. This is deliberate: constant baselines such as
    ``DummyClassifier(strategy="most_frequent")`` never predict the rare class, and a 0
    is the honest score for that. The binary metrics use ``pos_label`` as the positive
    class.

    Parameters
    ----------
    task : {"binary", "multiclass", "regression"}
        The task.
    metrics : list of str, default=None
        Readable names (or scorer names / aliases) to keep; ``None`` keeps the whole set.
    pos_label : label, default=1
        The positive class for binary precision, recall, F1, average precision and
        Brier score. Pass it for labels other than 0/1 (e.g. ``"yes"``).

    Returns
    -------
    dict of str to scorer
        Usable as ``scoring=`` of :func:`~sklearn.model_selection.cross_validate`.

    Raises
    ------
    ValueError
        For an unknown task or a metric name outside the task's set.

    Examples
    --------
    >>> from mlkit.metrics import metric_scorers
    >>> sorted(metric_scorers("binary", metrics=["f1", "auc"]))
    ['f1', 'roc_auc']
    """
    from sklearn.metrics import (
        average_precision_score,
        brier_score_loss,
        f1_score,
        get_scorer,
        make_scorer,
        precision_score,
        recall_score,
    )

    task = _check_task(task)
    names = list(METRIC_SETS[task]) if metrics is None else _check_metric_names(metrics, task)
    custom: dict[str, Any] = {}
    if task == "binary":
        for name, func in (("precision", precision_score), ("recall", recall_score),
                           ("f1", f1_score)):  # fmt: skip
            custom[name] = make_scorer(func, pos_label=pos_label, zero_division=0.0)
        custom["average_precision"] = make_scorer(
            average_precision_score,
            response_method=("decision_function", "predict_proba"),
            pos_label=pos_label,
        )
        custom["brier"] = make_scorer(
            brier_score_loss,
            greater_is_better=False,
            response_method="predict_proba",
            pos_label=pos_label,
        )
    elif task == "multiclass":
        custom["f1_macro"] = make_scorer(f1_score, average="macro", zero_division=0.0)
    return {
        name: custom[name] if name in custom else get_scorer(METRIC_SETS[task][name])
        for name in names
    }


def _check_metric_names(metrics: Any, task: Task) -> list[str]:
    """Map user metric names to the task's readable names; raise for unknown ones."""
    if isinstance(metrics, str):
        metrics = [metrics]
    if not isinstance(metrics, Sequence) or len(metrics) == 0:
        raise ValueError(
            f"metrics must be a non-empty list of metric names, got {metrics!r}; "
            f"use names from {sorted(METRIC_SETS[task])}."
        )
    names = []
    for metric in metrics:
        readable = readable_metric_name(str(metric), task=task)
        if readable not in METRIC_SETS[task]:
            raise ValueError(
                f"metrics contains {metric!r}, which is not a {task} metric; use one of "
                f"{', '.join(METRIC_SETS[task])} (or their scikit-learn scorer names)."
            )
        if readable not in names:
            names.append(readable)
    return names


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


# --------------------------------------------------------------------------- evaluate


def _check_fitted(estimator: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    if not hasattr(estimator, "predict"):
        raise ValueError(
            f"estimator must be a fitted scikit-learn estimator with predict(), got "
            f"{type(estimator).__name__}."
        )
    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise ValueError(
            f"estimator ({type(estimator).__name__}) is not fitted; call estimator.fit(X, y) "
            f"on training data first (evaluate reports on a fitted model)."
        ) from None


def evaluate(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    metrics: Sequence[str] | None = None,
    threshold: float = 0.5,
    task: Task | None = None,
) -> pd.DataFrame:
    """Evaluate a fitted estimator on data: one tidy row per metric.

    Unlike scikit-learn scorers, the table reports every metric in its natural units
    (losses are positive) next to its direction, because it is read by people.

    Parameters
    ----------
    estimator : fitted estimator
        A classifier (with ``predict_proba`` for the probability metrics) or a regressor.
    X : array-like or DataFrame of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        True targets.
    metrics : list of str, default=None
        Readable names (or scorer names / aliases) from the task's :func:`metric_set`;
        ``None`` reports the whole set.
    threshold : float, default=0.5
        Binary only: accuracy, balanced accuracy, precision, recall and F1 use the
        decision "positive when ``predict_proba(X)[:, 1] >= threshold``". Threshold-free
        metrics (ROC AUC, average precision, log loss, Brier) ignore it.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, as decided once upstream. ``None`` reads it from the fitted
        estimator: a classifier's ``classes_`` (two: binary, more: multiclass), a
        regressor otherwise. Never from ``y``: a holdout that happens to hold only two
        of a 3-class model's classes is still scored as multiclass.

    Returns
    -------
    DataFrame
        Columns ``metric``, ``value``, ``greater_is_better``, one row per metric.

    Raises
    ------
    ValueError
        For an unfitted estimator, missing values in ``y``, a length mismatch between
        ``X`` and ``y``, a single class, an unknown metric name, a threshold outside
        [0, 1] (or other than 0.5 for a non-binary task or a classifier without
        ``predict_proba``), labels in ``y`` that the estimator never saw, or a ``task``
        that contradicts the fitted estimator.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from mlkit.metrics import evaluate
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> report = evaluate(model, X, y, metrics=["recall", "log_loss"])
    >>> report["metric"].tolist(), report["greater_is_better"].tolist()
    (['recall', 'log_loss'], [True, False])
    """
    from sklearn import metrics as skm

    _check_fitted(estimator)
    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr)
    task = _fitted_task(estimator, y_arr, task)
    if task != "regression" and pd.unique(y_arr).size < 2:
        raise _single_class_error(y_arr)
    names = list(METRIC_SETS[task]) if metrics is None else _check_metric_names(metrics, task)
    threshold = _check_threshold(threshold)
    if task != "binary" and threshold != 0.5:
        raise ValueError(
            f"threshold={threshold} only applies to binary classification, but y is "
            f"{task}; drop the threshold argument."
        )
    if task == "binary" and not 0.0 <= threshold <= 1.0:
        raise ValueError(
            f"threshold={threshold} must lie in [0, 1]: it is compared with predict_proba(X)[:, 1]."
        )

    values: dict[str, float] = {}
    if task == "regression":
        pred = np.asarray(estimator.predict(X), dtype=float)
        funcs = {
            "mae": skm.mean_absolute_error,
            "rmse": skm.root_mean_squared_error,
            "r2": skm.r2_score,
        }
        values = {name: float(funcs[name](y_arr, pred)) for name in names}
    else:
        classes = getattr(estimator, "classes_", None)
        if classes is None:
            raise ValueError(
                f"estimator ({type(estimator).__name__}) has no classes_, but y is a {task} "
                f"target; pass a fitted classifier."
            )
        unseen = sorted(set(pd.unique(y_arr).tolist()) - set(np.asarray(classes).tolist()))
        if unseen:
            raise ValueError(
                f"y contains label(s) {unseen} that the estimator never saw (its classes_ are "
                f"{list(classes)}); evaluate on data with the training labels."
            )
        has_proba = hasattr(estimator, "predict_proba")
        proba = np.asarray(estimator.predict_proba(X)) if has_proba else None
        if task == "binary":
            values = _binary_values(
                estimator, X, y_arr, names, proba, classes, threshold, explicit=metrics is not None
            )
        else:
            values = _multiclass_values(
                estimator, X, y_arr, names, proba, classes, explicit=metrics is not None
            )
    rows = [
        {"metric": name, "value": values[name], "greater_is_better": greater_is_better(name)}
        for name in names
        if name in values
    ]
    return pd.DataFrame(rows, columns=["metric", "value", "greater_is_better"])


def _fitted_task(estimator: Any, y: np.ndarray, task: Any) -> Task:
    """The task a fitted estimator was trained for (``task`` overrides, if consistent)."""
    from sklearn.base import is_classifier, is_regressor

    classes = getattr(estimator, "classes_", None)
    if classes is not None:
        fitted: Task | None = "binary" if len(classes) == 2 else "multiclass"
    elif is_regressor(estimator):
        fitted = "regression"
    elif is_classifier(estimator):
        fitted = None  # a classifier without classes_ is caught later with a clear message
    else:
        fitted = None
    if task is None:
        return fitted if fitted is not None else infer_task(y)
    task = _check_task(task)
    if fitted is not None and task != fitted:
        raise ValueError(
            f"task={task!r} contradicts the fitted estimator ({type(estimator).__name__}), "
            f"which is a {fitted} model; pass task={fitted!r} or evaluate a {task} model."
        )
    return task


def _require_proba(name: str, proba: Any, estimator: Any) -> None:
    if proba is None:
        raise ValueError(
            f"metrics contains {name!r}, which needs predict_proba, but "
            f"{type(estimator).__name__} has none; drop {name!r} or use a probabilistic "
            f"classifier (e.g. wrap it in CalibratedClassifierCV)."
        )


def _binary_values(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    names: list[str],
    proba: np.ndarray | None,
    classes: Any,
    threshold: float,
    *,
    explicit: bool,
) -> dict[str, float]:
    from sklearn import metrics as skm

    positive = classes[1]
    truth = y == positive
    if proba is not None:
        score = proba[:, 1]
        y_pred = np.where(score >= threshold, classes[1], classes[0])
    else:
        if threshold != 0.5:
            raise ValueError(
                f"threshold={threshold} needs predict_proba, but {type(estimator).__name__} "
                f"has none; keep threshold=0.5 (its own predict) or use a probabilistic model."
            )
        score = np.asarray(estimator.decision_function(X), dtype=float)
        y_pred = np.asarray(estimator.predict(X))
    values: dict[str, float] = {}
    for name in names:
        if name == "accuracy":
            values[name] = skm.accuracy_score(y, y_pred)
        elif name == "balanced_accuracy":
            values[name] = skm.balanced_accuracy_score(y, y_pred)
        elif name in ("precision", "recall", "f1"):
            func = {"precision": skm.precision_score, "recall": skm.recall_score,
                    "f1": skm.f1_score}[name]  # fmt: skip
            values[name] = func(y, y_pred, pos_label=positive, zero_division=0.0)
        elif name == "roc_auc":
            values[name] = skm.roc_auc_score(truth, score)
        elif name == "average_precision":
            values[name] = skm.average_precision_score(truth, score)
        elif name == "log_loss":
            if proba is None and not explicit:
                continue
            _require_proba(name, proba, estimator)
            values[name] = skm.log_loss(y, proba, labels=classes)
        elif name == "brier":
            if proba is None and not explicit:
                continue
            _require_proba(name, proba, estimator)
            values[name] = skm.brier_score_loss(truth, score)
    return {k: float(v) for k, v in values.items()}


def _multiclass_values(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    names: list[str],
    proba: np.ndarray | None,
    classes: Any,
    *,
    explicit: bool,
) -> dict[str, float]:
    from sklearn import metrics as skm

    y_pred = np.asarray(estimator.predict(X))
    values: dict[str, float] = {}
    for name in names:
        if name == "accuracy":
            values[name] = skm.accuracy_score(y, y_pred)
        elif name == "balanced_accuracy":
            with warnings.catch_warnings():
                # a holdout without some class: the recall of that class is undefined and
                # left out of the average, which is what we want (not a user error)
                warnings.filterwarnings("ignore", message="y_pred contains classes not in")
                values[name] = skm.balanced_accuracy_score(y, y_pred)
        elif name == "f1_macro":
            values[name] = skm.f1_score(y, y_pred, average="macro", zero_division=0.0)
        elif name in _PROBABILISTIC:
            if proba is None and not explicit:
                continue
            _require_proba(name, proba, estimator)
            if name == "roc_auc_ovr":
                values[name] = _roc_auc_ovr_present(y, np.asarray(proba), classes)
            else:
                values[name] = skm.log_loss(y, proba, labels=classes)
    return {k: float(v) for k, v in values.items()}


def _roc_auc_ovr_present(y: np.ndarray, proba: np.ndarray, classes: Any) -> float:
    """Macro one-vs-rest ROC AUC over the classes present in ``y``.

    Equals ``roc_auc_score(y, proba, multi_class="ovr", labels=classes)`` when every
    class is present; a class absent from ``y`` has no AUC (no positives) and is left
    out of the average instead of failing.
    """
    from sklearn import metrics as skm

    present = set(pd.unique(y).tolist())
    aucs = [
        skm.roc_auc_score(y == label, proba[:, j])
        for j, label in enumerate(np.asarray(classes).tolist())
        if label in present
    ]
    return float(np.mean(aucs))
