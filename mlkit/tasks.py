"""The task of a supervised problem: binary, multiclass or regression, decided once.

- :func:`infer_task`: the task from the target values;
- :func:`resolve_task`: the one place a task is decided, declared (and checked against
  the target) or inferred; every mlkit function that takes ``task=`` calls it.

This module is the base of :mod:`mlkit.scoring`, :mod:`mlkit.evaluation` and
:mod:`mlkit.metrics`, which re-exports all its public names
(``from mlkit.metrics import infer_task, resolve_task, Task, TASKS`` keeps working).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from mlkit._validation import check_target

__all__ = [
    "MAX_CLASSES_FOR_INTEGER_TARGET",
    "TASKS",
    "Task",
    "infer_task",
    "resolve_task",
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
    >>> from mlkit.tasks import infer_task
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
        n_unique = pd.unique(arr).size
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
    >>> from mlkit.tasks import resolve_task
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
    n_classes = pd.unique(values).size
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
        f"y has a single class ({_plain(arr[0])!r}) in all {arr.shape[0]} samples; a classifier needs "
        f"at least 2 classes. Check the label definition or use more data."
    )


def _check_task(task: Any) -> Task:
    if task not in TASKS:
        raise ValueError(
            f"task={task!r} is not supported; use one of {', '.join(map(repr, TASKS))} "
            f"(mlkit.metrics.infer_task(y) infers it from the target)."
        )
    return task
