"""Task inference and metric sets.

Only :func:`infer_task` is defined here so far; the metric sets, the primary-metric
choice and :func:`evaluate` build on it.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from mlkit._validation import check_target

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
