"""From ``scoring`` to scikit-learn scorers: names, aliases, metric sets, directions.

- :func:`get_scorers`: the one place where ``scoring`` becomes scorer objects, checked
  against the task and (optionally) the estimator;
- :func:`resolve_scoring`: ``scoring`` to scikit-learn scorer name(s), for APIs that
  take names;
- :func:`metric_set` / :func:`metric_scorers`: a task's standard metrics, as names or
  as scorer objects that never warn on ill-defined folds;
- :func:`readable_metric_name` and :func:`greater_is_better`: how a metric is reported
  (losses in natural units, positive, lower is better).

Conventions: scikit-learn scorers are "greater is better", so losses appear as
``neg_*`` scorer names; mlkit's report tables instead show every metric in its natural
units (losses positive) next to its direction. Everything here is re-exported by
:mod:`mlkit.metrics`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlkit.tasks import TASKS, Task, _check_task

__all__ = [
    "DEFAULT_SCORING",
    "LOSSES",
    "METRIC_SETS",
    "SCORING_ALIASES",
    "get_scorers",
    "greater_is_better",
    "metric_scorers",
    "metric_set",
    "readable_metric_name",
    "resolve_scoring",
]

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
    >>> from mlkit.scoring import resolve_scoring
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
    score 0, without a warning, when nothing is predicted positive). Other scikit-learn
    scorer names get the same two rules wherever their metric function takes them.

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
        estimator (e.g. ``"roc_auc"`` on a regressor); the message names both. Also
        a scikit-learn scorer object of the wrong kind, a multilabel (``*_samples``)
        metric, and ``top_k_accuracy`` on a binary task.

    Examples
    --------
    >>> from mlkit.scoring import get_scorers
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
        name = str(getattr(func, "__name__", "custom_scorer"))
        kind = _function_kind(func)  # None for your own metric functions: trusted
        if kind is not None and _wrong_kind(kind, task):
            raise ValueError(
                f"scoring={name} (a scorer object) is a {kind} metric, but the task is "
                f"{task!r}; use a {task} metric such as {', '.join(METRIC_SETS[task])}."
            )
        return {name: scoring}
    if not isinstance(scoring, str):
        raise ValueError(
            f"scoring must be None, a metric name, a list of names, a dict or a scorer "
            f"callable, got {type(scoring).__name__}."
        )
    sklearn_name = resolve_scoring(scoring, task=task)  # raises for unknown names
    readable = readable_metric_name(sklearn_name, task=task)
    if readable in METRIC_SETS[task]:
        return metric_scorers(task, metrics=[readable], pos_label=pos_label)
    if sklearn_name.endswith("_samples"):
        raise ValueError(
            f"scoring={scoring!r} is a multilabel (sample-wise) metric, but the task is "
            f"{task!r}; use {sklearn_name.removesuffix('_samples')!r}, its macro average, or "
            f"another of {', '.join(METRIC_SETS[task])}."
        )
    if task == "binary" and sklearn_name == "top_k_accuracy":
        raise ValueError(
            "scoring='top_k_accuracy' is always 1 on a binary task (k=2 covers both "
            "classes); use accuracy, balanced_accuracy or roc_auc."
        )
    kind = _scorer_kind(sklearn_name)
    wrong = _wrong_kind(kind, task)
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
    return {readable: _shared_rules(get_scorer(sklearn_name), task=task, pos_label=pos_label)}


def _shared_rules(scorer: Any, *, task: Task, pos_label: Any) -> Any:
    """A scikit-learn scorer rebuilt with mlkit's positive label and zero-division rule.

    Only for arguments its metric function takes and the scorer leaves unset; the
    positive label only for binary averaging (scikit-learn ignores it, with a warning,
    for macro, micro or weighted averages).
    """
    import inspect

    from sklearn.metrics import make_scorer

    func = getattr(scorer, "_score_func", None)
    kwargs = dict(getattr(scorer, "_kwargs", {}))
    if func is None:
        return scorer
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return scorer
    extra: dict[str, Any] = {}
    binary_average = kwargs.get("average", "binary") == "binary"
    if task == "binary" and binary_average and "pos_label" in params and "pos_label" not in kwargs:
        extra["pos_label"] = pos_label
    if "zero_division" in params and "zero_division" not in kwargs:
        extra["zero_division"] = 0.0
    if not extra:
        return scorer
    return make_scorer(
        func,
        greater_is_better=getattr(scorer, "_sign", 1) > 0,
        response_method=getattr(scorer, "_response_method", "predict"),
        **kwargs,
        **extra,
    )


#: Binary-only scikit-learn scorer names and their multiclass counterparts.
_BINARY_ONLY: dict[str, str] = {
    "roc_auc": "roc_auc_ovr",
    "average_precision": "roc_auc_ovr",
    "neg_brier_score": "neg_log_loss",
    "precision": "precision_macro",
    "recall": "recall_macro",
    "f1": "f1_macro",
    "jaccard": "jaccard_macro",
    "positive_likelihood_ratio": "balanced_accuracy",
    "neg_negative_likelihood_ratio": "balanced_accuracy",
}


def _scorer_kind(sklearn_name: str) -> str:
    """ "regression", "classification" or "clustering", from the scorer's metric module."""
    from sklearn.metrics import get_scorer

    func = getattr(get_scorer(sklearn_name), "_score_func", None)
    return _function_kind(func) or "classification"


def _function_kind(func: Any) -> str | None:
    """The kind of a scikit-learn metric function; ``None`` for any other function."""
    module = getattr(func, "__module__", "") or ""
    if not module.startswith("sklearn.metrics"):
        return None
    if "cluster" in module:
        return "clustering"
    if "_regression" in module:
        return "regression"
    return "classification"


def _wrong_kind(kind: str, task: Task) -> bool:
    return (kind == "regression") != (task == "regression") or kind == "clustering"


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
    >>> from mlkit.scoring import metric_set
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
    >>> from mlkit.scoring import readable_metric_name
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
    >>> from mlkit.scoring import greater_is_better
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
    >>> from mlkit.scoring import metric_scorers
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
