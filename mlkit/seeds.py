"""Seed sensitivity: how much a score moves with the random seed alone, against the folds.

:func:`seed_sensitivity` fits one model per (seed, fold) on one fixed fold list and
sets the spread across seeds against the spread across folds (Bouthillier et al.,
2021). One of the training chronicles of :mod:`mlkit.diagnostics`, which re-exports
it. Importing this module loads no plotting library; ``.plot`` imports matplotlib
and seaborn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlkit._incremental import (
    check_random_state,
    clone_estimator,
    take,
    with_seed,
)
from mlkit._validation import (
    check_consistent_length,
    check_features,
    check_groups,
    check_target,
)
from mlkit.scoring import get_scorers, greater_is_better
from mlkit.tasks import Task, resolve_task

__all__ = ["SeedSensitivity", "seed_sensitivity"]


@dataclass(frozen=True, eq=False)
class SeedSensitivity:
    """The outcome of :func:`seed_sensitivity`.

    Attributes
    ----------
    scores : DataFrame
        One row per (seed, fold): ``seed``, ``fold``, ``train_score``, ``test_score``.
    metric : str
        The metric's name; losses are positive (lower is better).
    greater_is_better : bool
        Direction of the metric.
    seed_std : float
        Spread across seeds: the standard deviation of the test score over seeds
        within a fold, averaged over folds (same rows, only the seed differs).
    fold_std : float
        Spread across folds: the standard deviation over folds for one seed,
        averaged over seeds (same seed, different rows).
    vary : str
        What the seed changed: "model", "order" or "both".
    """

    scores: pd.DataFrame = field(repr=False)
    metric: str
    greater_is_better: bool
    seed_std: float
    fold_std: float
    vary: str

    @property
    def ratio(self) -> float:
        """``seed_std / fold_std``: how large the seed's noise is next to the folds'."""
        return self.seed_std / self.fold_std if self.fold_std > 0 else math.inf

    def to_frame(self) -> pd.DataFrame:
        """The per-(seed, fold) scores."""
        return self.scores.copy()

    def summary(self) -> pd.Series:
        """Mean test score, the two spreads and their ratio."""
        return pd.Series(
            {
                f"mean test {self.metric}": float(self.scores["test_score"].mean()),
                "spread across seeds (std)": self.seed_std,
                "spread across folds (std)": self.fold_std,
                "seeds / folds": self.ratio,
            },
            name="value",
        )

    def plot(self, ax: Any = None) -> Any:
        """Scores by fold, one dot per seed, training and validation; returns the ``Axes``."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        long = self.scores.melt(
            id_vars=["seed", "fold"],
            value_vars=["train_score", "test_score"],
            var_name="part",
            value_name="score",
        )
        long["part"] = long["part"].map({"train_score": "training", "test_score": "validation"})
        sns.stripplot(
            data=long, x="fold", y="score", hue="part", dodge=True, jitter=0.15, ax=ax, size=5
        )
        direction = "higher" if self.greater_is_better else "lower"
        ax.set_xlabel("cross-validation fold")
        ax.set_ylabel(f"{self.metric.replace('_', ' ')} ({direction} is better)")
        ax.set_title("Score by fold, one dot per seed")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def seed_sensitivity(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    seeds: Sequence[int],
    cv: Any = 5,
    scoring: Any = None,
    groups: Any = None,
    vary: str = "both",
    task: Task | None = None,
) -> SeedSensitivity:
    """How much does the score move with the seed alone, against the folds?

    Training is deterministic given the seed, yet a different seed (initial weights,
    batch order) lands on a different model: "deterministic yet chaotic". For each seed
    and each fold of one fixed fold list, a clone of ``estimator`` is fitted (``fit``,
    not ``partial_fit``) and scored on the training and the test part. ``vary="model"``
    sets every ``random_state`` parameter to the seed; ``vary="order"`` keeps the
    estimator and shuffles the order of the training rows with the seed; ``"both"``
    does both. A seed spread close to the fold spread means a single-seed comparison
    between two models is mostly noise (Bouthillier et al., 2021).

    Parameters
    ----------
    estimator : estimator
        Any scikit-learn estimator (a Pipeline works; ``partial_fit`` is not used).
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target.
    seeds : sequence of int
        At least two distinct seeds.
    cv : int, splitter or list of (train, test) pairs, default=5
        Resolved once by :func:`mlkit.splits.materialise_folds` (groups respected);
        every seed uses the same folds.
    scoring : str, callable or None, default=None
        One metric, resolved by :func:`mlkit.scoring.get_scorers` (a readable name such
        as ``"log_loss"``, an alias, a scikit-learn scorer name or a scorer object) and
        checked against the task and the estimator; ``None`` is the task's default.
        Losses are reported in natural units: positive, lower is better.
    groups : array-like or None, default=None
        Group of each row; no group is on both sides of a fold.
    vary : {"both", "model", "order"}, default="both"
        What the seed changes.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, as decided upstream; ``None`` infers it from ``y``
        (:func:`mlkit.tasks.resolve_task`).

    Returns
    -------
    SeedSensitivity
        ``.seed_std``, ``.fold_std``, ``.summary()``, ``.to_frame()``, ``.plot()``.

    Raises
    ------
    ValueError
        Fewer than two seeds or repeated seeds, an unknown ``vary``, an estimator
        without ``random_state`` for ``vary="model"``, bad ``cv``/``groups``/``y``, a
        ``task`` that ``y`` contradicts, more than one metric, or a metric that does not
        fit the task or the estimator (e.g. ``"log_loss"`` on a model without
        ``predict_proba``).

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import SGDClassifier
    >>> from mlkit.seeds import seed_sensitivity
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> result = seed_sensitivity(SGDClassifier(), X, y, seeds=[0, 1, 2], cv=3,
    ...                           scoring="accuracy")
    >>> result.scores.shape
    (9, 4)
    """
    from mlkit.splits import materialise_folds

    if not hasattr(estimator, "fit") or isinstance(estimator, type):
        raise ValueError(
            f"estimator={estimator!r} is not a scikit-learn estimator instance; "
            f"pass e.g. MLPClassifier(...)."
        )
    if vary not in ("both", "model", "order"):
        raise ValueError(f"vary={vary!r} is not supported; use 'both', 'model' or 'order'.")
    seed_list = [check_random_state(s) for s in seeds] if not isinstance(seeds, str) else []
    if len(seed_list) < 2 or len(set(seed_list)) != len(seed_list):
        raise ValueError(
            f"seeds={seeds!r} must hold at least two distinct integers, e.g. range(5); "
            f"a spread needs more than one seed."
        )
    check_features(X, name="X", allow_sparse=False)  # rows are taken by position
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    group_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    task = resolve_task(y_arr, task)
    if vary in ("both", "model"):
        with_seed(estimator, seed_list[0])  # fails early without random_state
    scorers = get_scorers(scoring, task=task, estimator=estimator)
    if len(scorers) != 1:
        raise ValueError(
            f"scoring={scoring!r} gives {len(scorers)} metrics; seed_sensitivity takes one "
            f"metric, so pick the primary one."
        )
    [(metric, scorer)] = scorers.items()
    # scikit-learn scorers are greater-is-better; report losses in natural units
    scorer_sign = getattr(scorer, "_sign", None)
    better_up = greater_is_better(metric) if scorer_sign is None else scorer_sign > 0
    sign = 1.0 if better_up else -1.0
    folds = materialise_folds(cv, X, y_arr, groups=group_arr, task=task)

    records = []
    for seed in seed_list:
        for k, (train, test) in enumerate(folds):
            est = with_seed(estimator, seed) if vary != "order" else clone_estimator(estimator)
            if vary != "model":
                train = np.random.default_rng(seed).permutation(train)
            est.fit(take(X, train), y_arr[train])
            records.append(
                {
                    "seed": seed,
                    "fold": k,
                    "train_score": sign * float(scorer(est, take(X, train), y_arr[train])),
                    "test_score": sign * float(scorer(est, take(X, test), y_arr[test])),
                }
            )
    table = pd.DataFrame(records)
    seed_std = float(table.groupby("fold")["test_score"].std(ddof=1).mean())
    fold_std = (
        float(table.groupby("seed")["test_score"].std(ddof=1).mean()) if len(folds) > 1 else 0.0
    )
    return SeedSensitivity(
        scores=table,
        metric=metric,
        greater_is_better=sign > 0,
        seed_std=seed_std,
        fold_std=fold_std,
        vary=vary,
    )
