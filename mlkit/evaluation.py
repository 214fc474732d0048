"""Evaluating a fitted estimator on data: a tidy report, one row per metric.

:func:`evaluate` reads the task and the classes from the fitted estimator (never from
the holdout's ``y``) and reports every metric in its natural units (losses positive)
next to its direction. It is re-exported by :mod:`mlkit.metrics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import check_consistent_length, check_features, check_target
from mlkit.scoring import _PROBABILISTIC, METRIC_SETS, _check_metric_names, greater_is_better
from mlkit.tasks import Task, _check_task, _single_class_error, infer_task
from mlkit.thresholds import _check_threshold

__all__ = ["evaluate"]


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
        # NotFittedError is a ValueError too: both ``except`` styles catch it
        raise NotFittedError(
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
    sklearn.exceptions.NotFittedError
        For an unfitted estimator (a subclass of ``ValueError``).
    ValueError
        For an estimator without ``predict``, missing values in ``y``, a length mismatch between
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
    >>> from mlkit.evaluation import evaluate
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    >>> report = evaluate(model, X, y, metrics=["recall", "log_loss"])
    >>> report["metric"].tolist(), report["greater_is_better"].tolist()
    (['recall', 'log_loss'], [True, False])
    """
    from sklearn import metrics as skm

    _check_fitted(estimator)
    check_features(X, name="X")
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
