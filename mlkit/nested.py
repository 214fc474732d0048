"""Nested cross-validation: the honest estimate of "tune, then refit".

:func:`nested_cv` wraps a whole :func:`mlkit.tuning.tune` search in an outer
cross-validation loop. The best inner score is optimistic because it is the maximum
of many noisy estimates (Varma & Simon 2006; Cawley & Talbot 2010); the outer scores
are not. The task, groups and time are honoured in both loops: with ``time`` given the
outer folds and the inner folds of every outer training part train on the past only.

``from mlkit.tuning import nested_cv, NestedCVResult`` works as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit._search import (
    METHODS,
    Method,
    check_error_score,
    check_n_iter,
    check_space,
    check_time_order,
    progress_bar,
    resolve_scorer,
    show_progress,
    take,
)
from mlkit._validation import check_choice, check_consistent_length, check_groups, check_target
from mlkit.metrics import resolve_task
from mlkit.splits import Fold, materialise_folds

if TYPE_CHECKING:
    from mlkit.tuning import TuningResult

__all__ = ["NestedCVResult", "nested_cv"]


@dataclass(frozen=True, eq=False)
class NestedCVResult:
    """The outcome of :func:`nested_cv`.

    Attributes
    ----------
    method : str
        The inner search method.
    scoring : str
        The metric's readable name (``"roc_auc"``, ``"rmse"``, ...).
    outer_scores : tuple of float
        Score of the tuned-and-refit model on each outer test fold: the honest estimate.
        All scores here are in natural units, like :attr:`TuningResult.best_score_`: a
        loss is positive and lower is better (see ``greater_is_better``).
    mean_score, std_score : float
        Their mean and standard deviation.
    best_params : tuple of dict
        Hyperparameters chosen by the inner search in each outer fold.
    inner_best_scores : tuple of float
        The inner search's best mean CV score in each outer fold.
    mean_inner_best_score : float
        Their mean: what you would report if you quoted the tuning score itself.
    outer_folds : tuple of (train, test)
        The outer folds.
    inner_results : tuple of TuningResult
        The inner searches (their ``folds`` index into the outer training part).
    greater_is_better : bool
        False for a loss.
    """

    method: str
    scoring: Any
    outer_scores: tuple[float, ...]
    mean_score: float
    std_score: float
    best_params: tuple[dict[str, Any], ...]
    inner_best_scores: tuple[float, ...]
    mean_inner_best_score: float
    outer_folds: tuple[Fold, ...] = field(repr=False)
    inner_results: tuple[TuningResult, ...] = field(repr=False)
    greater_is_better: bool = True

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``: how to read every score."""
        return "higher is better" if self.greater_is_better else "lower is better"

    @property
    def optimism(self) -> float:
        """How much the tuning score flatters the procedure; positive means it flatters.

        ``mean_inner_best_score - mean_score`` for a score (higher is better), and
        ``mean_score - mean_inner_best_score`` for a loss (the inner best loss is lower
        than the outer one when it flatters). Negative means the outer models did
        better than the inner searches promised (e.g. thanks to more training data).
        """
        gap = self.mean_inner_best_score - self.mean_score
        return gap if self.greater_is_better else -gap

    def summary(self) -> str:
        """One line: the nested estimate with its direction, and the optimism."""
        return (
            f"nested CV ({self.method} search, {len(self.outer_scores)} outer folds): "
            f"{self.scoring} {self.mean_score:.4g} +/- {self.std_score:.2g} ({self.direction}); "
            f"the tuning score flatters by {self.optimism:+.3g}"
        )

    def __str__(self) -> str:
        return self.summary()

    def to_frame(self) -> pd.DataFrame:
        """One row per outer fold: outer score, inner best score, chosen parameters."""
        frame = pd.DataFrame(
            {
                "outer_score": self.outer_scores,
                "inner_best_score": self.inner_best_scores,
                "best_params": self.best_params,
            }
        )
        frame.index.name = "outer_fold"
        return frame


# --------------------------------------------------------------------------- nested CV


def nested_cv(
    estimator: Any,
    space: Any,
    X: Any,
    y: Any,
    *,
    method: Method,
    groups: Any = None,
    time: Any = None,
    task: str | None = None,
    outer_cv: Any = None,
    inner_cv: Any = None,
    scoring: Any = None,
    n_iter: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    error_score: Any = "raise",
    grid_resolution: int | None = None,
    progress: bool | None = None,
) -> NestedCVResult:
    """Estimate the performance of "tune, then refit" with nested cross-validation.

    The outer loop splits the data; in each outer fold, :func:`~mlkit.tuning.tune`
    searches the space on the outer *training* part only (with its own inner folds),
    refits the best candidate on that part, and scores it once on the outer test part.
    The mean outer score estimates how well the whole procedure generalises; the mean
    of the inner best scores is what quoting the tuning score would claim, and it is
    biased in the flattering direction (Varma & Simon 2006; Cawley & Talbot 2010).

    Parameters
    ----------
    estimator, space, X, y, method, scoring, n_iter, random_state, n_jobs, error_score, grid_resolution
        As in :func:`mlkit.tuning.tune`.
    groups : array-like of shape (n_samples,), default=None
        Group id of each row, honoured in both loops: the default outer splitter keeps
        groups apart, and the inner splitter is chosen on the outer-training part's own
        ``y`` and ``groups``. Folds that put a group on both sides are refused.
    time : array-like of shape (n_samples,), default=None
        Time of each row, honoured in both loops: the outer folds (for ``outer_cv`` None
        or an int) and the inner folds of each outer training part (for ``inner_cv``
        None or an int, on that part's own times) train on the past and test on the
        future; a fold of either loop that trains on a later row than one of its test
        rows is refused.
    task : {"binary", "multiclass", "regression"} or None, default=None
        Decided once here (:func:`mlkit.metrics.resolve_task`) and passed to every
        inner search.
    outer_cv : None, int, splitter or iterable of (train, test), default=None
        Outer folds, through :func:`mlkit.splits.materialise_folds`. ``None``:
        ``choose_cv(y, groups=, time=, task=)``; an int: the same with that many folds.
    inner_cv : None, int or splitter, default=None
        Inner splitter, applied to each outer-training part. ``None``: ``choose_cv`` on
        that part's ``y``, ``groups`` and ``time``; an int: the same with that many
        folds; a splitter: used as given (with the part's groups).
    progress : bool or None, default=None
        Progress bar over the outer folds (``None``: only on a terminal).

    Returns
    -------
    NestedCVResult

    Raises
    ------
    ValueError
        As :func:`~mlkit.tuning.tune`; also for an ``inner_cv`` given as a list of index
        pairs (inner folds must be computed on each outer-training part).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mlkit.tuning import nested_cv
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> result = nested_cv(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
    ...                    X, y, method="grid", outer_cv=3, inner_cv=3)
    >>> len(result.outer_scores), len(result.best_params)
    (3, 3)
    >>> bool(result.mean_score <= 1.0), result.greater_is_better
    (True, True)
    """
    from mlkit.tuning import tune

    method = check_choice(method, name="method", choices=METHODS)  # type: ignore[assignment]
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    groups_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    check_space(space, estimator)
    check_n_iter(n_iter, method=method)
    error_score = check_error_score(error_score)
    if inner_cv is not None and not isinstance(inner_cv, int | np.integer):
        if not hasattr(inner_cv, "split") or isinstance(inner_cv, str):
            raise ValueError(
                "inner_cv must be None, an int or a splitter with a split method, got "
                f"{type(inner_cv).__name__}; inner folds are computed on each outer-training "
                "part, so fixed index pairs cannot be used."
            )
    task = resolve_task(y_arr, task)
    scoring_name, scorer, greater = resolve_scorer(scoring, task=task, estimator=estimator)
    outer = materialise_folds(
        outer_cv, X, y_arr, groups=groups_arr, time=time, task=task,
        random_state=random_state, name="outer_cv",
    )  # fmt: skip
    check_time_order(time, outer, name="outer_cv")
    sign = 1.0 if greater else -1.0

    outer_scores: list[float] = []
    inner_results: list[TuningResult] = []
    bar = progress_bar(len(outer), desc="nested CV", show=show_progress(progress))
    try:
        for train, test in outer:
            X_part, y_part = take(X, train), take(y, train)
            g_part = None if groups_arr is None else groups_arr[train]
            t_part = None if time is None else take(time, train)
            # inner folds on this outer-training part's own y, groups and times
            inner_folds = materialise_folds(
                inner_cv, X_part, y_arr[train], groups=g_part, time=t_part, task=task,
                random_state=random_state, name="inner_cv",
            )  # fmt: skip
            check_time_order(t_part, inner_folds, name="inner_cv")
            inner = tune(
                estimator, space, X_part, y_part, method=method, groups=g_part,
                time=t_part, task=task, cv=inner_folds,
                scoring=scoring_name if scoring is None else scoring, n_iter=n_iter,
                random_state=random_state, n_jobs=n_jobs, error_score=error_score,
                grid_resolution=grid_resolution, progress=False,
            )  # fmt: skip
            raw = scorer(inner.best_estimator_, take(X, test), take(y, test))
            outer_scores.append(sign * float(raw))
            inner_results.append(inner)
            bar.update(1)
    finally:
        bar.close()
    inner_best = tuple(r.best_score_ for r in inner_results)
    return NestedCVResult(
        method=method,
        scoring=scoring_name,
        outer_scores=tuple(outer_scores),
        mean_score=float(np.mean(outer_scores)),
        std_score=float(np.std(outer_scores)),
        best_params=tuple(r.best_params_ for r in inner_results),
        inner_best_scores=inner_best,
        mean_inner_best_score=float(np.mean(inner_best)),
        outer_folds=outer,
        inner_results=tuple(inner_results),
        greater_is_better=greater,
    )
