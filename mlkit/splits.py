"""Choosing cross-validation splitters by explicit rules.

:func:`choose_cv` picks the scikit-learn splitter that matches the structure of
the data (time order, groups, task type) and records a one-line reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)
from sklearn.model_selection._split import BaseCrossValidator

from mlkit._validation import as_1d, check_groups, check_positive_int, check_target, has_missing
from mlkit.metrics import infer_task

__all__ = ["TimeOrderedSplit", "choose_cv"]


class TimeOrderedSplit(TimeSeriesSplit):
    """``TimeSeriesSplit`` over rows ordered by a time column.

    scikit-learn's :class:`~sklearn.model_selection.TimeSeriesSplit` assumes the
    rows are already sorted by time. This subclass takes the time values once and
    yields indices into the *original* row order, so unsorted data is split
    correctly: every test row is at or after every training row of its fold.

    Parameters
    ----------
    n_splits : int, default=5
        Number of splits (at least 2).
    time : array-like of shape (n_samples,)
        Time stamp (or any orderable value) of each row.
    max_train_size, test_size, gap : see :class:`~sklearn.model_selection.TimeSeriesSplit`.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.splits import TimeOrderedSplit
    >>> time = np.array([3, 1, 2, 0, 5, 4])
    >>> cv = TimeOrderedSplit(n_splits=2, time=time)
    >>> for train, test in cv.split(np.zeros((6, 1))):
    ...     print(sorted(time[train].tolist()), sorted(time[test].tolist()))
    [0, 1] [2, 3]
    [0, 1, 2, 3] [4, 5]
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        time: Any,
        max_train_size: int | None = None,
        test_size: int | None = None,
        gap: int = 0,
    ) -> None:
        super().__init__(
            n_splits=n_splits, max_train_size=max_train_size, test_size=test_size, gap=gap
        )
        self.time = time

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        time = as_1d(self.time, name="time")
        n = len(X) if not hasattr(X, "shape") else X.shape[0]
        if time.shape[0] != n:
            raise ValueError(
                f"time has {time.shape[0]} entries but X has {n} rows; pass one time value per "
                f"row of X, in the same order."
            )
        order = np.argsort(time, kind="stable")
        for train, test in super().split(order):
            yield order[train], order[test]


def choose_cv(
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    n_splits: int = 5,
    random_state: int | None = 0,
) -> BaseCrossValidator:
    """Choose a cross-validation splitter from the structure of the data.

    The rules, in order:

    ========================================  ===========================
    data                                      splitter
    ========================================  ===========================
    ``time`` given                            :class:`TimeOrderedSplit`
                                              (a ``TimeSeriesSplit`` in time order)
    ``groups`` given, classification target   ``StratifiedGroupKFold`` (shuffled)
    ``groups`` given, regression target       ``GroupKFold``
    classification target                     ``StratifiedKFold`` (shuffled)
    regression target                         ``KFold`` (shuffled)
    ========================================  ===========================

    The returned splitter carries the reason for the choice in its ``reason_``
    attribute (one line of text).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target; decides classification versus regression (see
        :func:`mlkit.metrics.infer_task`). Must not contain missing values.
    groups : array-like of shape (n_samples,), default=None
        Subject / group id of each row. Rows of one group never straddle train and test.
    time : array-like of shape (n_samples,), default=None
        Time of each row. When given, folds respect time order (train before test).
    n_splits : int, default=5
        Number of folds, at least 2.
    random_state : int or None, default=0
        Seed for the shuffling splitters.

    Returns
    -------
    cv : scikit-learn splitter
        With an extra attribute ``reason_`` (str).

    Raises
    ------
    ValueError
        For missing values in ``y``; ``groups`` or ``time`` of another length
        than ``y``; ``n_splits`` < 2; ``n_splits`` greater than the number of groups
        or samples; a class with fewer members (or groups) than ``n_splits`` under
        a stratified splitter.

    Examples
    --------
    >>> from mlkit.splits import choose_cv
    >>> y = [0, 1] * 10
    >>> cv = choose_cv(y)
    >>> type(cv).__name__
    'StratifiedKFold'
    >>> cv = choose_cv(y, groups=[i // 2 for i in range(20)])
    >>> type(cv).__name__
    'StratifiedGroupKFold'
    >>> cv.reason_
    'groups given and a classification target: StratifiedGroupKFold keeps each group in one fold and balances class rates'
    """
    y_arr = check_target(y, name="y")
    n_samples = y_arr.shape[0]
    n_splits = check_positive_int(n_splits, name="n_splits", minimum=2)
    task = infer_task(y_arr)
    classification = task != "regression"

    cv: BaseCrossValidator
    if time is not None:
        time_arr = as_1d(time, name="time")
        if time_arr.shape[0] != n_samples:
            raise ValueError(
                f"time has {time_arr.shape[0]} entries but y has {n_samples}; pass one time "
                f"value per sample, in the same order as y."
            )
        if has_missing(time_arr):
            raise ValueError("time contains missing values; every row needs a time stamp.")
        if n_splits + 1 > n_samples:
            raise ValueError(
                f"n_splits={n_splits} needs at least n_splits+1={n_splits + 1} samples for a "
                f"time-ordered split, but y has {n_samples}; use fewer splits."
            )
        cv = TimeOrderedSplit(n_splits=n_splits, time=time_arr)
        reason = (
            "time given: TimeSeriesSplit in time order, so every fold trains on the past "
            "and tests on the future"
        )
        if groups is not None:
            check_groups(groups, n_samples=n_samples)
            reason += " (groups are not used by time-ordered splits)"
    elif groups is not None:
        group_arr = check_groups(groups, n_samples=n_samples)
        n_groups = pd.unique(group_arr).size
        if n_splits > n_groups:
            raise ValueError(
                f"n_splits={n_splits} is greater than the number of groups ({n_groups}); "
                f"use n_splits<={n_groups} or more groups."
            )
        if classification:
            _check_class_counts(y_arr, n_splits, groups=group_arr)
            cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
            reason = (
                "groups given and a classification target: StratifiedGroupKFold keeps each "
                "group in one fold and balances class rates"
            )
        else:
            cv = GroupKFold(n_splits=n_splits)
            reason = "groups given and a regression target: GroupKFold keeps each group in one fold"
    elif classification:
        _check_class_counts(y_arr, n_splits, groups=None)
        cv = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        reason = (
            f"{task} classification target without groups or time: shuffled StratifiedKFold "
            f"keeps the class rates equal across folds"
        )
    else:
        if n_splits > n_samples:
            raise ValueError(
                f"n_splits={n_splits} is greater than the number of samples ({n_samples}); "
                f"use n_splits<={n_samples}."
            )
        cv = KFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        reason = "regression target without groups or time: shuffled KFold"
    cv.reason_ = reason
    return cv


def _check_class_counts(y: np.ndarray, n_splits: int, *, groups: np.ndarray | None) -> None:
    """Every class needs at least ``n_splits`` members (and groups) to appear in each fold."""
    classes, counts = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_counts=True)
    smallest = int(np.argmin(counts))
    if counts[smallest] < n_splits:
        raise ValueError(
            f"class {classes[smallest]!r} of y has only {counts[smallest]} member(s), fewer than "
            f"n_splits={n_splits}, so a stratified splitter cannot put it in every fold; use "
            f"n_splits<={counts[smallest]}, merge rare classes, or collect more data."
        )
    if groups is None:
        return
    pairs = pd.DataFrame({"y": y, "g": groups}).drop_duplicates()
    labels, groups_per_class = np.unique(pairs["y"].to_numpy(), return_counts=True)
    rarest = int(np.argmin(groups_per_class))
    if groups_per_class[rarest] < n_splits:
        raise ValueError(
            f"class {labels[rarest]!r} of y occurs in only {groups_per_class[rarest]} group(s), "
            f"fewer than n_splits={n_splits}, so some test folds would have none of it; use "
            f"n_splits<={groups_per_class[rarest]} or more groups with that class."
        )
