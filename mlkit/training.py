"""The final model: named estimators, the one-time holdout split, the refit and its score.

- :func:`make_estimator` builds a named model (:data:`ESTIMATORS`) as a scikit-learn
  ``Pipeline`` whose preprocessing (imputation, scaling, one-hot encoding of string
  columns) lives *inside* the pipeline, so it is refitted on every training fold.
- :func:`holdout_split` sets the test rows aside once, respecting groups and time.
- :func:`final_fit` refits the chosen configuration on all the training rows.
- :func:`fit_fold_models` fits one model per cross-validation fold (the "K fold
  models" a final refit replaces).
- :func:`score_model` and :func:`evaluate_holdout` score a fitted model on the holdout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from mlkit._validation import (
    as_1d,
    check_choice,
    check_consistent_length,
    check_features,
    check_groups,
    check_target,
    has_missing,
)
from mlkit.metrics import Task, resolve_task

__all__ = [
    "ESTIMATORS",
    "HoldoutSplit",
    "ModelScore",
    "evaluate_holdout",
    "final_fit",
    "fit_fold_models",
    "holdout_split",
    "make_estimator",
    "model_param_names",
    "score_model",
]

#: Named estimators for :func:`make_estimator` and the ``model.estimator`` config key,
#: with the tasks each supports.
ESTIMATORS: dict[str, tuple[str, ...]] = {
    "logistic_regression": ("binary", "multiclass"),
    "ridge": ("regression",),
    "hist_gradient_boosting": ("binary", "multiclass", "regression"),
    "random_forest": ("binary", "multiclass", "regression"),
    "decision_tree": ("binary", "multiclass", "regression"),
}

#: Name of the final step of every pipeline built by :func:`make_estimator`.
MODEL_STEP = "model"

HOLDOUT_STRATEGIES = ("auto", "group", "time", "stratified", "random")


# --------------------------------------------------------------------------- estimators


def _categorical_columns(X: pd.DataFrame) -> list[str]:
    return [
        str(c)
        for c in X.columns
        if isinstance(X[c].dtype, pd.CategoricalDtype)
        or X[c].dtype.kind in "OSUb"
        or pd.api.types.is_string_dtype(X[c].dtype)
    ]


def make_estimator(
    name: str,
    *,
    task: str,
    X: pd.DataFrame | None = None,
    params: Mapping[str, Any] | None = None,
    random_state: int | None = 0,
) -> BaseEstimator:
    """Build a named model with its preprocessing as one scikit-learn ``Pipeline``.

    ========================  ==========================================================
    name                      pipeline
    ========================  ==========================================================
    ``logistic_regression``   median imputation + missing indicators, scaling, one-hot
                              encoding of string columns, ``LogisticRegression``
    ``ridge``                 same preprocessing, ``Ridge`` (regression)
    ``hist_gradient_boosting`` NaN kept (handled natively), string columns ordinal-encoded
                              and declared categorical, ``HistGradientBoosting*``
    ``random_forest``         median imputation, one-hot encoding, ``RandomForest*``
    ``decision_tree``         median imputation, one-hot encoding, ``DecisionTree*``
    ========================  ==========================================================

    Parameters
    ----------
    name : str
        One of :data:`ESTIMATORS`.
    task : {"binary", "multiclass", "regression"}
        The task; picks classifier or regressor.
    X : DataFrame or None, default=None
        Training features; string, boolean and categorical columns are one-hot (or
        ordinal) encoded. ``None`` treats every column as numeric.
    params : mapping or None, default=None
        Parameters of the final estimator, without prefix (``{"max_depth": 3}``) or with
        the pipeline prefix (``{"model__max_depth": 3}``).
    random_state : int or None, default=0
        Seed of the estimator when it has one.

    Returns
    -------
    Pipeline
        Steps ``"preprocess"`` and ``"model"``.

    Raises
    ------
    ValueError
        For an unknown name, a task the estimator does not support, or an unknown
        parameter.

    Examples
    --------
    >>> from mlkit.training import make_estimator
    >>> pipe = make_estimator("ridge", task="regression", params={"alpha": 10.0})
    >>> pipe.named_steps["model"].alpha
    10.0
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    check_choice(name, name="name", choices=tuple(ESTIMATORS))
    if task not in ESTIMATORS[name]:
        raise ValueError(
            f"estimator {name!r} does not support task={task!r}; it supports "
            f"{', '.join(ESTIMATORS[name])}. Pick one of "
            f"{', '.join(k for k, v in ESTIMATORS.items() if task in v)} for {task}."
        )
    if X is not None and not isinstance(X, pd.DataFrame):
        raise ValueError(
            f"X must be a pandas DataFrame (column names drive the preprocessing), got "
            f"{type(X).__name__}; wrap it with pd.DataFrame(X)."
        )
    categorical = _categorical_columns(X) if X is not None else []
    numeric: Any = (
        [str(c) for c in X.columns if str(c) not in categorical] if X is not None else slice(None)
    )
    classification = task != "regression"
    model: Any
    if name == "hist_gradient_boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=np.nan,
            encoded_missing_value=np.nan,
        )
        transformers = [("num", "passthrough", numeric)]
        if categorical:
            transformers.append(("cat", encoder, categorical))
        n_numeric = len(numeric) if isinstance(numeric, list) else 0
        cat_mask: Any = [False] * n_numeric + [True] * len(categorical) if categorical else None
        cls = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
        model = cls(random_state=random_state, categorical_features=cat_mask)
    else:
        scale = name in ("logistic_regression", "ridge")
        num_steps: list[Any] = [SimpleImputer(strategy="median", add_indicator=scale)]
        if scale:
            num_steps.append(StandardScaler())
        transformers = [("num", make_pipeline(*num_steps), numeric)]
        if categorical:
            transformers.append(
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    ),
                    categorical,
                )
            )
        if name == "logistic_regression":
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression(max_iter=2000)
        elif name == "ridge":
            from sklearn.linear_model import Ridge

            model = Ridge()
        elif name == "decision_tree":
            from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

            cls_tree = DecisionTreeClassifier if classification else DecisionTreeRegressor
            model = cls_tree(random_state=random_state)
        else:
            from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

            cls_rf = RandomForestClassifier if classification else RandomForestRegressor
            model = cls_rf(random_state=random_state, n_jobs=1)
    pipeline = Pipeline(
        [
            ("preprocess", ColumnTransformer(transformers, remainder="drop")),
            (MODEL_STEP, model),
        ]
    )
    if params:
        _set_model_params(pipeline, params)
    return pipeline


def model_param_names(params: Mapping[str, Any]) -> dict[str, Any]:
    """Prefix bare parameter names with the pipeline's model step (``model__``).

    Names that already contain ``__`` (a full pipeline path) are kept.

    Examples
    --------
    >>> from mlkit.training import model_param_names
    >>> model_param_names({"max_depth": 3, "preprocess__num": "drop"})
    {'model__max_depth': 3, 'preprocess__num': 'drop'}
    """
    if not isinstance(params, Mapping):
        raise ValueError(
            f"params must be a mapping of parameter names to values, got "
            f"{type(params).__name__} ({params!r}); pass e.g. {{'max_depth': 3}}."
        )
    return {(k if "__" in k else f"{MODEL_STEP}__{k}"): v for k, v in params.items()}


def _set_model_params(pipeline: Any, params: Mapping[str, Any]) -> None:
    full = model_param_names(params)
    valid = set(pipeline.get_params(deep=True))
    prefix = f"{MODEL_STEP}__"
    unknown = sorted(k.removeprefix(prefix) for k in set(full) - valid)  # the names as given
    if unknown:
        own = sorted(k.split("__", 1)[1] for k in valid if k.startswith(f"{MODEL_STEP}__"))
        raise ValueError(
            f"params has unknown parameter(s) {unknown} for "
            f"{type(pipeline.named_steps[MODEL_STEP]).__name__}; valid names: {', '.join(own)}."
        )
    pipeline.set_params(**full)


# --------------------------------------------------------------------------- holdout


@dataclass(frozen=True, eq=False)
class HoldoutSplit:
    """Row indices of the training and the held-out test part.

    Attributes
    ----------
    train, test : ndarray of int
        Positions of the rows (into the arrays passed to :func:`holdout_split`).
    strategy : str
        ``"group"``, ``"time"``, ``"stratified"`` or ``"random"``.
    reason : str
        One line on why this strategy was used.
    """

    train: np.ndarray
    test: np.ndarray
    strategy: str
    reason: str

    @property
    def test_fraction(self) -> float:
        """Share of the rows in the test part."""
        return self.test.size / (self.train.size + self.test.size)

    def to_frame(self) -> pd.DataFrame:
        """One row per part: size and fraction."""
        n = self.train.size + self.test.size
        return pd.DataFrame(
            {
                "rows": [self.train.size, self.test.size],
                "fraction": [self.train.size / n, self.test.size / n],
            },
            index=pd.Index(["train", "test"], name="part"),
        )


def holdout_split(
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    test_size: float = 0.2,
    strategy: str = "auto",
    random_state: int | None = 0,
    task: Task | None = None,
) -> HoldoutSplit:
    """Hold out a test part once, respecting the structure of the data.

    ``strategy="auto"`` follows the same logic as :func:`mlkit.splits.choose_cv`:

    ================  =====================================================================
    data              test part
    ================  =====================================================================
    ``time`` given    the last ``test_size`` of the rows in time order ("time"); rows tied
                      with the cut go to the test part, so all test rows are at or after
                      all training rows
    ``groups`` given  whole groups ("group"): ``StratifiedGroupKFold``'s first fold of
                      ``round(1 / test_size)`` for classification (class rates kept),
                      ``GroupShuffleSplit`` for regression
    classification    ``train_test_split(stratify=y)`` ("stratified")
    regression        ``train_test_split`` ("random")
    ================  =====================================================================

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target.
    groups : array-like of shape (n_samples,), default=None
        Group of each row; a group is entirely in train or in test.
    time : array-like of shape (n_samples,), default=None
        Time of each row.
    test_size : float, default=0.2
        Fraction of rows (or groups) in the test part, in (0, 1).
    strategy : {"auto", "group", "time", "stratified", "random"}, default="auto"
        Force a strategy; ``"group"`` needs ``groups`` and ``"time"`` needs ``time``.
    random_state : int or None, default=0
        Seed of the shuffling strategies.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared (:func:`mlkit.metrics.resolve_task`): a count target
        declared ``"regression"`` is split without stratification. ``None`` infers it.

    Returns
    -------
    HoldoutSplit

    Raises
    ------
    ValueError
        For a ``test_size`` outside (0, 1), a strategy without the data it needs,
        or inconsistent lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.training import holdout_split
    >>> y = np.array([0, 1] * 10)
    >>> split = holdout_split(y, groups=np.repeat(np.arange(10), 2), test_size=0.2)
    >>> split.strategy, split.test.size
    ('group', 4)
    >>> split = holdout_split(y, time=np.arange(20), test_size=0.25)
    >>> split.test.tolist()
    [15, 16, 17, 18, 19]
    """
    from sklearn.model_selection import GroupShuffleSplit, StratifiedGroupKFold, train_test_split

    y_arr = check_target(y, name="y")
    n = y_arr.shape[0]
    check_choice(strategy, name="strategy", choices=HOLDOUT_STRATEGIES)
    resolved = resolve_task(y_arr, task)
    if isinstance(test_size, bool) or not isinstance(test_size, int | float):
        raise ValueError(f"test_size must be a fraction in (0, 1), got {test_size!r}.")
    if not 0.0 < float(test_size) < 1.0:
        raise ValueError(
            f"test_size={test_size} must be strictly between 0 and 1 (a fraction, e.g. 0.2)."
        )
    group_arr = check_groups(groups, n_samples=n) if groups is not None else None
    time_arr = None
    if time is not None:
        time_arr = as_1d(time, name="time")
        check_consistent_length(y=y_arr, time=time_arr)
        if has_missing(time_arr):
            raise ValueError("time contains missing values; every row needs a time stamp.")
    if strategy == "auto":
        if time_arr is not None:
            strategy = "time"
        elif group_arr is not None:
            strategy = "group"
        else:
            strategy = "random" if resolved == "regression" else "stratified"
    index = np.arange(n)
    if strategy == "time":
        if time_arr is None:
            raise ValueError("strategy='time' needs time; pass time=<one stamp per row>.")
        order = np.argsort(time_arr, kind="stable")
        n_test = max(1, math.ceil(test_size * n))
        if n_test >= n:
            raise ValueError(f"test_size={test_size} leaves no training rows; use a smaller one.")
        cut_value = time_arr[order[n - n_test]]
        is_test = time_arr >= cut_value
        if is_test.all():
            raise ValueError(
                "every row has the same time as the cut, so no training rows remain; "
                "use strategy='random' or a time column with more distinct values."
            )
        reason = (
            f"time given: the last {is_test.mean():.0%} of the rows in time order are the test "
            f"part (from {cut_value}), so the model is judged on the future"
        )
        if group_arr is not None:
            shared = np.intersect1d(group_arr[is_test], group_arr[~is_test]).size
            reason += f"; {shared} group(s) have rows on both sides of the cut"
        return HoldoutSplit(index[~is_test], index[is_test], "time", reason)
    if strategy == "group":
        if group_arr is None:
            raise ValueError("strategy='group' needs groups; pass groups=<one id per row>.")
        n_groups = pd.unique(group_arr).size
        if n_groups < 2:
            raise ValueError("groups has a single group; a group holdout needs at least 2.")
        smallest_class = (
            int(np.unique(y_arr.astype(str), return_counts=True)[1].min())
            if resolved != "regression"
            else 0
        )
        n_folds = min(max(2, round(1 / test_size)), n_groups, smallest_class)
        if n_folds >= 2:  # classification, and every class can appear in every fold
            splitter: Any = StratifiedGroupKFold(
                n_splits=n_folds, shuffle=True, random_state=random_state
            )
            train, test = next(splitter.split(np.zeros((n, 1)), y_arr, group_arr))
            reason = (
                f"groups given: whole groups are held out (first fold of a "
                f"{n_folds}-fold StratifiedGroupKFold, keeping the class rates)"
            )
        else:
            splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=random_state)
            train, test = next(splitter.split(np.zeros((n, 1)), y_arr, group_arr))
            reason = "groups given: whole groups are held out (GroupShuffleSplit)"
            if smallest_class:
                reason += f"; not stratified, because a class has only {smallest_class} member(s)"
        return HoldoutSplit(np.sort(train), np.sort(test), "group", reason)
    stratify = y_arr if strategy == "stratified" else None
    if stratify is not None and resolved == "regression":
        raise ValueError("strategy='stratified' needs a classification target; use 'random'.")
    if stratify is not None:
        labels, counts = np.unique(y_arr.astype(str), return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                f"y has a class ({labels[counts.argmin()]!r}) with a single member, so a "
                f"stratified holdout cannot keep it on both sides; for a count target pass "
                f"task='regression', otherwise strategy='random' or merge rare classes."
            )
    train, test = train_test_split(
        index, test_size=test_size, random_state=random_state, stratify=stratify
    )
    reason = (
        "no groups or time: a stratified random split keeps the class rates"
        if stratify is not None
        else "no groups or time: a random split"
    )
    return HoldoutSplit(np.sort(train), np.sort(test), strategy, reason)


# --------------------------------------------------------------------------- fitting


def final_fit(
    estimator: BaseEstimator,
    X: Any,
    y: Any,
    *,
    params: Mapping[str, Any] | None = None,
) -> BaseEstimator:
    """Refit a fresh copy of ``estimator`` with ``params`` on all the training rows.

    Cross-validation chose the configuration; the model that ships is this one
    refit, trained on every training row (more data than any fold model saw).

    Parameters
    ----------
    estimator : estimator
        Unfitted template (it is cloned, never modified).
    X : array-like or DataFrame of shape (n_samples, n_features)
        All training features (never the holdout).
    y : array-like of shape (n_samples,)
        Training target.
    params : mapping or None, default=None
        Hyperparameters to set before fitting (e.g. ``best_params_`` of a search).
        Bare names are applied to the pipeline's ``model`` step when there is one.

    Returns
    -------
    estimator
        The fitted clone.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from mlkit.training import final_fit
    >>> model = final_fit(Ridge(), [[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0], params={"alpha": 0.0})
    >>> round(float(model.coef_[0]), 6)
    1.0
    """
    check_features(X, name="X")
    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr)
    model = clone(estimator)
    if params:
        if hasattr(model, "named_steps") and MODEL_STEP in model.named_steps:
            _set_model_params(model, params)
        else:
            valid = set(model.get_params(deep=True))
            unknown = sorted(set(params) - valid)
            if unknown:
                raise ValueError(
                    f"params has unknown parameter(s) {unknown} for {type(model).__name__}; "
                    f"see estimator.get_params()."
                )
            model.set_params(**params)
    return model.fit(X, y_arr)


def fit_fold_models(
    estimator: BaseEstimator,
    X: Any,
    y: Any,
    *,
    cv: Any,
    groups: Any = None,
    time: Any = None,
    task: Task | None = None,
) -> list[BaseEstimator]:
    """Fit one clone of ``estimator`` per cross-validation fold (on the fold's training rows).

    Parameters
    ----------
    estimator : estimator
        Unfitted template.
    X, y : training data
    cv : None, int, splitter or (train, test) pairs
        Resolved by :func:`mlkit.splits.materialise_folds`, as everywhere in mlkit (an
        int is :func:`mlkit.splits.choose_cv` with that many folds).
    groups : array-like or None, default=None
        Group of each row; a fold that puts a group on both sides is refused.
    time, task : optional
        Passed to :func:`mlkit.splits.materialise_folds` (time-ordered folds, the
        declared task).

    Returns
    -------
    list of fitted estimators, one per fold.

    Raises
    ------
    ValueError
        For an invalid ``cv`` or folds that split a group.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import KFold
    >>> from mlkit.training import fit_fold_models
    >>> X, y = [[float(i)] for i in range(9)], [float(i) for i in range(9)]
    >>> len(fit_fold_models(Ridge(), X, y, cv=KFold(3)))
    3
    """
    from mlkit.splits import materialise_folds

    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr, groups=groups)
    folds = materialise_folds(cv, X, y_arr, groups=groups, time=time, task=task)
    models = []
    for train, _ in folds:
        X_train = X.iloc[train] if hasattr(X, "iloc") else np.asarray(X)[train]
        models.append(clone(estimator).fit(X_train, y_arr[train]))
    return models


# --------------------------------------------------------------------------- scoring


class ModelScore(float):
    """A holdout score in natural units that states its direction.

    A ``float`` (it formats, compares and logs as one), with two extra attributes:
    ``metric`` (mlkit's readable name, e.g. ``"rmse"``) and ``greater_is_better``.
    A loss is positive, lower is better.
    """

    metric: str
    greater_is_better: bool

    def __new__(cls, value: float, *, metric: str, greater_is_better: bool) -> ModelScore:
        obj = super().__new__(cls, value)
        obj.metric = metric
        obj.greater_is_better = greater_is_better
        return obj

    def __repr__(self) -> str:
        return float.__repr__(self)

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``."""
        return "higher is better" if self.greater_is_better else "lower is better"


def _check_fitted_model(model: Any) -> None:
    """scikit-learn's own ``NotFittedError`` for an unfitted model (a ValueError subclass)."""
    from sklearn.utils.validation import check_is_fitted

    if not (hasattr(model, "fit") and hasattr(model, "predict")):
        raise ValueError(
            f"model must be a fitted scikit-learn estimator with fit and predict, got "
            f"{type(model).__name__}."
        )
    check_is_fitted(
        model,
        msg="model: this %(name)s instance is not fitted yet; call its fit(X, y) first, or "
        "pass a fitted model.",
    )


def score_model(
    model: Any, X: Any, y: Any, *, scoring: Any, task: Task | None = None
) -> ModelScore:
    """Score a fitted model with one metric, in natural units (a loss is positive).

    The scorer comes from :func:`mlkit.metrics.get_scorers`, the one scorer resolver
    (the same aliases, positive label and zero-division rule as everywhere in mlkit).
    The task is read from the fitted model (a classifier's ``classes_``, a regressor),
    never from the holdout's ``y``; the positive class of a binary model is the greater
    of its ``classes_``.

    Parameters
    ----------
    model : fitted estimator
    X, y : the evaluation rows (the holdout)
    scoring : str or callable
        One metric: an mlkit name or alias (``"rmse"``, ``"auc"``), a scikit-learn
        scorer name (``"neg_log_loss"``) or a scorer callable.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared; it must agree with the fitted model.

    Returns
    -------
    ModelScore
        A float in natural units (a loss such as RMSE or log loss is positive, lower
        is better), with ``.metric``, ``.greater_is_better`` and ``.direction``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        For an unfitted model (a ``ValueError`` subclass).
    ValueError
        For an object that is not an estimator, missing values in ``y``, a length
        mismatch, several metrics, or a metric that does not fit the task or the model
        (e.g. ``"roc_auc"`` on a regressor); the message names both.

    Examples
    --------
    >>> from sklearn.dummy import DummyRegressor
    >>> from mlkit.training import score_model
    >>> model = DummyRegressor().fit([[0], [1]], [1.0, 3.0])
    >>> score = score_model(model, [[0], [1]], [1.0, 3.0], scoring="neg_mean_absolute_error")
    >>> score, score.metric, score.direction
    (1.0, 'mae', 'lower is better')
    """
    from mlkit.evaluation import _fitted_task
    from mlkit.scoring import get_scorers

    _check_fitted_model(model)
    check_features(X, name="X")
    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr)
    if isinstance(scoring, list | tuple | dict) or scoring is None:
        raise ValueError(
            f"scoring={scoring!r} must be one metric (a name or a scorer callable), e.g. "
            f"scoring='roc_auc'; use evaluate_holdout for several."
        )
    fitted_task = _fitted_task(model, y_arr, task)
    classes = getattr(model, "classes_", None)
    pos_label = sorted(np.asarray(classes).tolist())[-1] if fitted_task == "binary" else None
    [(name, scorer)] = get_scorers(
        scoring, task=fitted_task, estimator=model, pos_label=pos_label
    ).items()
    sign = float(getattr(scorer, "_sign", 1.0))
    value = float(scorer(model, X, y_arr))
    return ModelScore(sign * value, metric=name, greater_is_better=sign > 0)


def evaluate_holdout(
    model: Any,
    X: Any,
    y: Any,
    *,
    task: Task | None = None,
    metrics: Sequence[str] | None = None,
    threshold: float = 0.5,
) -> pd.DataFrame:
    """Every holdout metric of a fitted model, as a one-column table.

    A thin wrapper of :func:`mlkit.metrics.evaluate` (the task's metric set) that
    returns the metrics as the index, ready to log or to compare.

    Parameters
    ----------
    model : fitted estimator
    X, y : the holdout rows
    task : {"binary", "multiclass", "regression"} or None
        The task decided upstream; ``None`` reads it from the fitted model (never from
        the holdout's ``y``: a 3-class model on a holdout with two of its classes is
        still scored as multiclass). A declared task must agree with the model.
    metrics : sequence of str or None
        Metric names; ``None`` gives the task's metric set.
    threshold : float, default=0.5
        Decision threshold for the threshold-dependent binary metrics.

    Returns
    -------
    DataFrame
        Index: metric name; column ``"value"`` (natural units, losses positive, as
        :func:`mlkit.metrics.evaluate` reports them) and ``"greater_is_better"``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        For an unfitted model (a ``ValueError`` subclass).
    ValueError
        As :func:`mlkit.metrics.evaluate`, e.g. a ``task`` that contradicts the model.

    Examples
    --------
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.training import evaluate_holdout
    >>> model = LinearRegression().fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0])
    >>> round(float(evaluate_holdout(model, [[3.0]], [4.0], metrics=["mae"]).loc["mae", "value"]), 6)
    1.0
    """
    from mlkit.metrics import evaluate

    _check_fitted_model(model)
    check_features(X, name="X")
    y_arr = check_target(y, name="y")
    table = evaluate(
        model,
        X,
        y_arr,
        metrics=list(metrics) if metrics else None,
        threshold=threshold,
        task=task,
    )
    return _as_value_table(table)


def _as_value_table(table: Any) -> pd.DataFrame:
    """Normalise :func:`mlkit.metrics.evaluate` output to index=metric, column 'value'."""
    if isinstance(table, pd.Series):
        return table.rename("value").rename_axis("metric").to_frame()
    frame = pd.DataFrame(table)
    if "value" in frame.columns:
        if "metric" in frame.columns:
            frame = frame.set_index("metric")
        return frame.rename_axis("metric")
    if frame.shape[0] == 1:
        return frame.T.set_axis(["value"], axis=1).rename_axis("metric")
    numeric = frame.select_dtypes("number")
    return numeric.iloc[:, [0]].set_axis(["value"], axis=1).rename_axis("metric")
