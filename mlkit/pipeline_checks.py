"""The checks of a pipeline config against its data, run by ``prepare`` (``mlkit validate``).

Everything a run would use is decided and checked here, before any model is fitted:
the task, the scorer and its direction, the estimator's parameters and every
search-space value, the holdout, and the cross-validation folds (the training folds,
and for nested CV the outer folds and the inner folds of every outer training part).
Every problem is one :class:`~mlkit.config.ConfigError` in the config's own words
(``tuning.space.C``, ``n_grid``, ``nested.inner_splits``), so ``mlkit validate`` prints
it on one line and exits with code 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit.config import ConfigError
from mlkit.metrics import Task, greater_is_better, readable_metric_name, resolve_task

if TYPE_CHECKING:
    from mlkit.pipeline import PipelineData
    from mlkit.training import HoldoutSplit

__all__ = ["FoldPlan", "Metric"]

Fold = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class Metric:
    """The metric a run is chosen and gated by, and its direction.

    Attributes
    ----------
    name : str
        Readable name (``"rmse"``, ``"average_precision"``).
    scorer : str
        The scikit-learn scorer name (greater is better: ``"neg_root_mean_squared_error"``).
    greater_is_better : bool
        ``False`` for a loss, reported as a positive number.

    Examples
    --------
    >>> from mlkit.pipeline_checks import Metric
    >>> rmse = Metric.of("neg_root_mean_squared_error", task="regression")
    >>> rmse.name, rmse.natural(-3.21), rmse.describe(3.21)
    ('rmse', 3.21, 'rmse 3.2100 (lower is better)')
    """

    name: str
    scorer: str
    greater_is_better: bool

    @classmethod
    def of(cls, scorer: str, *, task: Task) -> Metric:
        """The metric of a scikit-learn scorer name (or mlkit alias) for ``task``."""
        name = readable_metric_name(scorer, task=task)
        return cls(name, scorer, greater_is_better(name))

    def natural(self, value: Any) -> float:
        """A scikit-learn scorer's ``value`` in natural units (a negated loss becomes positive)."""
        return float(value) if self.greater_is_better else -float(value)

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``."""
        return "higher is better" if self.greater_is_better else "lower is better"

    def describe(self, value: float, spread: float | None = None, *, note: str = "") -> str:
        """``"<name> <value> [+/- <spread>] (<direction>[; note])"``, natural units."""
        plus = "" if spread is None else f" +/- {spread:.4f}"
        return f"{self.name} {value:.4f}{plus} ({self.direction}{'; ' + note if note else ''})"


@dataclass(frozen=True, eq=False)
class FoldPlan:
    """Cross-validation folds, materialised once and shared by every step.

    Attributes
    ----------
    splitter : str
        The splitter's class name (``"StratifiedGroupKFold"``).
    reason : str
        Why that splitter (:func:`mlkit.splits.choose_cv`).
    folds : tuple of (train, test)
        Positions into the rows the plan was made on.
    """

    splitter: str
    reason: str
    folds: tuple[Fold, ...] = field(repr=False)

    @property
    def n_splits(self) -> int:
        """Number of folds."""
        return len(self.folds)


# --------------------------------------------------------------------------- task and scoring


def declared_task(declared: str, y: pd.Series) -> Task:
    """The task a config declares (or ``auto``), checked against the target before any fit.

    :func:`mlkit.metrics.resolve_task` decides; its message is put in the config's words.
    """
    try:
        return resolve_task(y, declared)
    except ValueError as error:
        text = re.sub(r"task='?(\w+)'?", r"task: \1", str(error))
        text = text.replace(" y ", f" the target {y.name!r} ").replace(
            "or None", "or remove 'task'"
        )
        text = text.replace("'binary' or 'multiclass'", "binary or multiclass")
        raise ConfigError(f"data.target: {text}" if declared == "auto" else text) from None


def check_scoring(scoring: Any, *, task: Task, estimator: Any) -> Metric:
    """The one metric a run is chosen by, checked against the task and the estimator."""
    from mlkit.metrics import get_scorers, resolve_scoring

    if isinstance(scoring, list | tuple):
        raise ConfigError("scoring must be one metric name (the one the model is chosen by).")
    try:
        name = resolve_scoring(scoring, task=task)
        get_scorers(name if scoring is None else scoring, task=task, estimator=estimator)
    except ValueError as error:
        raise ConfigError(f"scoring: {error}") from None
    if not isinstance(name, str):
        raise ConfigError("scoring must be one metric name (the one the model is chosen by).")
    return Metric.of(name, task=task)


def check_evaluation_metrics(metrics: Sequence[str] | None, *, task: Task) -> None:
    """``evaluation.metrics`` must name metrics of the task (checked before any fit)."""
    if metrics is None:
        return
    from mlkit.metrics import metric_scorers

    try:
        metric_scorers(task, metrics=list(metrics))
    except ValueError as error:
        text = str(error).replace("metrics contains", "contains")
        raise ConfigError(f"evaluation.metrics {text}") from None


# --------------------------------------------------------------------------- columns


def check_role_columns(data: PipelineData) -> None:
    """Every row needs a group and a time value when those columns are used."""
    for role, column in (("groups", data.groups), ("time", data.time)):
        if column is not None and column.isna().any():
            raise ConfigError(
                f"data.{role} column {column.name!r} has {int(column.isna().sum())} missing "
                f"value(s); every row needs a {role[:-1] if role == 'groups' else role} value "
                f"(drop those rows from the file first)."
            )


# --------------------------------------------------------------------------- model and space


def check_model_params(model: Any, params: dict[str, Any], *, key: str) -> None:
    """scikit-learn's own parameter validation, reported in the config's vocabulary."""
    validate = getattr(model, "_validate_params", None)
    if validate is None or not params:
        return
    try:
        validate()
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{key}: {error}") from None


def check_space_values(model: Any, name: str, dimension: Any) -> None:
    """Every value a search could try must pass the model's parameter validation."""
    from sklearn.base import clone

    if isinstance(dimension, list | tuple):
        candidates = list(dimension)
    elif hasattr(dimension, "values"):
        candidates = list(dimension.values)
    else:
        candidates = [dimension.low, dimension.high]
    for value in candidates:
        try:
            trial = clone(model).set_params(**{name: value})
        except (ValueError, TypeError) as error:
            raise ConfigError(f"tuning.space.{name}: {error}") from None
        validate = getattr(trial, "_validate_params", None)
        if validate is None:
            continue
        try:
            validate()
        except (ValueError, TypeError) as error:
            raise ConfigError(f"tuning.space.{name}={value!r}: {error}") from None


def check_grid_points(method: str, n_iter: int | None, space: dict[str, Any]) -> None:
    """A grid (grid search, or halving without ``n_iter``) needs ``n_grid`` on every range."""
    if not (method == "grid" or (method == "halving" and n_iter is None)):
        return
    for full, dimension in space.items():
        if getattr(dimension, "low", None) is not None and getattr(dimension, "n_grid", 0) is None:
            name = full.removeprefix("model__")
            raise ConfigError(
                f"tuning.space.{name} is a {type(dimension).__name__.lower()} range, so "
                f"tuning.method={method!r} needs its number of grid points; add n_grid, "
                f"e.g. {{type: {type(dimension).__name__.lower()}, low: {dimension.low}, "
                f"high: {dimension.high}, n_grid: 5}}, or list the values."
            )


# --------------------------------------------------------------------------- holdout and folds


def check_holdout_classes(data: PipelineData, split: HoldoutSplit, *, task: str) -> None:
    """A classification holdout (and its training part) must hold at least two classes."""
    if task == "regression":
        return
    for part, rows in (("test", split.test), ("training", split.train)):
        classes = pd.unique(data.y.to_numpy()[rows])
        if classes.size < 2:
            raise ConfigError(
                f"holdout: the {part} part would hold a single class "
                f"({np.asarray(classes[0]).item()!r}); use a "
                f"larger holdout.test_size, holdout.strategy: group/stratified, or more data."
            )


def _in_config_words(error: Exception, key: str) -> ConfigError:
    """A splitter's message with ``n_splits`` spelled as the config key that sets it."""
    text = re.sub(r"\bn_splits\b", key, str(error))
    return ConfigError(f"{key.split('.')[0]}: {text}")


def plan_folds(
    data: PipelineData,
    *,
    task: Task,
    n_splits: int,
    seed: int,
    key: str = "cv.n_splits",
) -> FoldPlan:
    """Choose the splitter for ``data`` and materialise its folds once.

    :func:`mlkit.splits.choose_cv` with the declared ``task`` and the data's ``groups``
    and ``time`` chooses; :func:`mlkit.splits.materialise_folds` resolves the folds and
    refuses one that puts a group on both sides.
    """
    from mlkit.splits import choose_cv, materialise_folds

    try:
        cv = choose_cv(
            data.y, groups=data.groups, time=data.time, task=task, n_splits=n_splits,
            random_state=seed,
        )  # fmt: skip
        folds = materialise_folds(
            cv, data.X, data.y, groups=data.groups, time=data.time, task=task, random_state=seed
        )
    except ValueError as error:
        raise _in_config_words(error, key) from None
    return FoldPlan(type(cv).__name__, str(cv.reason_), tuple(folds))


def check_inner_folds(
    data: PipelineData, outer: FoldPlan, *, n_splits: int, task: Task, seed: int
) -> None:
    """Every outer training part must split into ``nested.inner_splits`` inner folds.

    The same resolution :func:`mlkit.tuning.nested_cv` makes of an int ``inner_cv`` on
    each outer training part: :func:`mlkit.splits.choose_cv` given that part's groups,
    time and the declared task.
    """
    from mlkit.splits import materialise_folds

    try:
        for train, _ in outer.folds:
            groups = None if data.groups is None else data.groups.iloc[train]
            time = None if data.time is None else data.time.iloc[train]
            materialise_folds(
                n_splits, data.X.iloc[train], data.y.iloc[train], groups=groups, time=time,
                task=task, random_state=seed, name="nested.inner_splits",
            )  # fmt: skip
    except ValueError as error:
        raise _in_config_words(error, "nested.inner_splits") from None
