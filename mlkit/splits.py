"""Choosing cross-validation splitters and resolving them into folds, once.

- :func:`choose_cv` picks the scikit-learn splitter that matches the structure of
  the data (time order, groups, task type) and records a one-line reason.
- :func:`materialise_folds` is the one fold resolver: ``cv=None|int|splitter|pairs``
  to a tuple of ``(train, test)`` index arrays; it refuses folds that put a group on
  both sides.
- :func:`repeated_folds` gives shuffled repetitions for the corrected t-test.
- :func:`audit_cv` and :func:`plot_cv` (from :mod:`mlkit.cv_audit`, re-exported here)
  tabulate and draw what any ``cv`` does to a dataset.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
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

from mlkit._validation import (
    as_1d,
    check_features,
    check_groups,
    check_positive_int,
    check_target,
    has_missing,
)
from mlkit.metrics import resolve_task

__all__ = [
    "CVAudit",
    "TimeOrderedSplit",
    "audit_cv",
    "choose_cv",
    "materialise_folds",
    "plot_cv",
    "repeated_folds",
]


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
    time : array-like of shape (n_samples,), pandas Series, or str
        Time stamp (or any orderable value) of each row; read at split time. A pandas
        Series indexed like the full data also orders a subsample ``X`` (a DataFrame
        whose index is a subset); a string names a column of ``X``.
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

    def _time_of(self, X: Any) -> np.ndarray:
        """The time of each row of ``X``, taken at split time.

        ``time`` may be a column name of ``X``; a pandas Series indexed like the full
        data, so that a subsample ``X`` (a DataFrame with a subset of its index) is
        ordered by its own rows' times; or an array with one value per row of ``X``.
        """
        n = len(X) if not hasattr(X, "shape") else X.shape[0]
        if isinstance(self.time, str):
            if not isinstance(X, pd.DataFrame) or self.time not in X.columns:
                raise ValueError(
                    f"time={self.time!r} names a column, but X has no such column; pass X "
                    f"as a DataFrame with that column or pass the time values."
                )
            values = as_1d(X[self.time], name="time")
        elif (
            isinstance(self.time, pd.Series)
            and isinstance(X, pd.DataFrame)
            and self.time.index.is_unique
            and X.index.isin(self.time.index).all()
        ):
            values = as_1d(self.time.loc[X.index], name="time")
        else:
            values = as_1d(self.time, name="time")
        if values.shape[0] != n:
            raise ValueError(
                f"time has {values.shape[0]} entries but X has {n} rows; pass one time value "
                f"per row of X (or a pandas Series indexed like X, or a column name)."
            )
        if has_missing(values):
            raise ValueError("time contains missing values; every row needs a time stamp.")
        return values

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        time = self._time_of(X)
        order = np.argsort(time, kind="stable")
        for train, test in super().split(order):
            yield order[train], order[test]


def choose_cv(
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    task: Any = None,
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
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared rather than inferred (see
        :func:`mlkit.metrics.resolve_task`): an integer count target declared
        ``"regression"`` gets unstratified folds.
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
    task = resolve_task(y_arr, task)
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
                f"{_advice(n_groups, 'groups')}."
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
                f"{_advice(n_samples, 'samples')}."
            )
        cv = KFold(n_splits=n_splits, shuffle=True, random_state=random_state)
        reason = "regression target without groups or time: shuffled KFold"
    cv.reason_ = reason
    return cv


def _advice(limit: int, what: str) -> str:
    """What to do when only ``limit`` folds are possible (never advises fewer than 2)."""
    if limit >= 2:
        return f"use n_splits<={limit} or more {what}"
    return f"cross-validation needs at least 2 {what}, there is {limit}; collect more data"


def _plain(value: Any) -> Any:
    """A numpy scalar as the plain Python value, so messages read ``1``, not ``np.int64(1)``."""
    return value.item() if isinstance(value, np.generic) else value


def _check_class_counts(y: np.ndarray, n_splits: int, *, groups: np.ndarray | None) -> None:
    """Every class needs at least ``n_splits`` members (and groups) to appear in each fold."""
    classes, counts = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_counts=True)
    smallest = int(np.argmin(counts))
    if counts[smallest] < n_splits:
        raise ValueError(
            f"class {_plain(classes[smallest])!r} of y has only {int(counts[smallest])} member(s), fewer than "
            f"n_splits={n_splits}, so a stratified splitter cannot put it in every fold; "
            f"{_advice(int(counts[smallest]), 'members of that class')}, merge rare classes, "
            f"or collect more data."
        )
    if groups is None:
        return
    pairs = pd.DataFrame({"y": y, "g": groups}).drop_duplicates()
    labels, groups_per_class = np.unique(pairs["y"].to_numpy(), return_counts=True)
    rarest = int(np.argmin(groups_per_class))
    if groups_per_class[rarest] < n_splits:
        raise ValueError(
            f"class {_plain(labels[rarest])!r} of y occurs in only "
            f"{int(groups_per_class[rarest])} group(s), "
            f"fewer than n_splits={n_splits}, so some test folds would have none of it; "
            f"{_advice(int(groups_per_class[rarest]), 'groups with that class')}."
        )


Fold = tuple[np.ndarray, np.ndarray]


def materialise_folds(
    cv: Any,
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    task: Any = None,
    random_state: int | None = 0,
    name: str = "cv",
    allow_shared_groups: bool = False,
) -> tuple[Fold, ...]:
    """Resolve ``cv`` once into a tuple of ``(train, test)`` integer index arrays.

    Every mlkit function that cross-validates several things (a model and its
    baselines, the candidates of a search) calls this once and reuses the result,
    so all of them are scored on exactly the same folds.

    Parameters
    ----------
    cv : None, int, splitter, or iterable of (train, test) pairs
        ``None`` or an int: :func:`choose_cv` with that many folds (5 for ``None``),
        given ``groups``, ``time`` and ``task``: the same splitter every mlkit
        function picks for that data.
        A splitter: its ``split(X, y, groups)``. Pairs: used as given (integer or
        boolean index arrays, by position).
    X, y : array-like
        Features and target (``y`` must be free of missing values).
    groups : array-like or None, default=None
        Passed to the splitter's ``split``; splitters that ignore groups are not warned about.
    time : array-like or None, default=None
        Time of each row, for :func:`choose_cv` when ``cv`` is ``None`` or an int (folds
        then train on the past and test on the future). With a splitter or pairs it is
        only checked (length, no missing values).
    task : str or None, default=None
        The declared task, for :func:`choose_cv` (see :func:`mlkit.metrics.resolve_task`).
    random_state : int or None, default=0
        Seed for :func:`choose_cv`.
    name : str, default="cv"
        The argument name used in error messages (e.g. ``"outer_cv"``).
    allow_shared_groups : bool, default=False
        With ``groups`` given, a fold that puts one group on both sides is refused
        (a ``KFold`` passed with ``groups`` leaks silently otherwise). ``True`` allows
        it, for the few places that measure such leakage on purpose.

    Returns
    -------
    tuple of (ndarray, ndarray)

    Raises
    ------
    ValueError
        For a ``cv`` of another type, an int below 2, a fold that is not a pair of
        non-empty integer index arrays within ``[0, n_samples)``, or no fold at all.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.splits import materialise_folds
    >>> folds = materialise_folds(3, np.zeros((6, 1)), [0, 1, 0, 1, 0, 1])
    >>> [test.size for _, test in folds]
    [2, 2, 2]
    """
    check_features(X, name="X")
    y_arr = check_target(y, name="y")
    n_samples = y_arr.shape[0]
    group_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    folds: list[Fold] = []
    with warnings.catch_warnings():
        # groups go to every splitter so that group splitters work; the ones that do
        # not use them (KFold, ...) warn "The groups parameter is ignored" when split()
        # is called: callers that care check for groups on both sides of a fold.
        warnings.filterwarnings(
            "ignore", message="The groups parameter is ignored", category=UserWarning
        )
        pairs = _fold_pairs(cv, X, y_arr, group_arr, random_state, name, time=time, task=task)
        for k, pair in enumerate(pairs):
            try:
                train, test = pair
            except (TypeError, ValueError):
                raise ValueError(
                    f"{name}: fold {k} is not a (train, test) pair of index arrays."
                ) from None
            folds.append(
                (
                    _as_indices(train, n_samples, name=name, k=k),
                    _as_indices(test, n_samples, name=name, k=k),
                )
            )
    if not folds:
        raise ValueError(
            f"{name} produced no folds; pass a splitter or at least one (train, test) pair."
        )
    chosen_by_time = time is not None and (cv is None or isinstance(cv, int | np.integer))
    time_ordered = isinstance(cv, TimeSeriesSplit) or chosen_by_time
    if group_arr is not None and not allow_shared_groups and not time_ordered:
        # time-ordered folds split on time, not on groups (choose_cv says so in reason_)
        _refuse_shared_groups(folds, group_arr, name=name)
    return tuple(folds)


def _refuse_shared_groups(folds: Sequence[Fold], groups: np.ndarray, *, name: str) -> None:
    """Raise when a fold puts rows of one group in both its train and test parts."""
    codes, uniques = pd.factorize(groups)
    n_groups = len(uniques)
    for k, (train, test) in enumerate(folds):
        in_train = np.bincount(codes[train], minlength=n_groups) > 0
        in_test = np.bincount(codes[test], minlength=n_groups) > 0
        shared = np.flatnonzero(in_train & in_test)
        if shared.size:
            example = uniques[shared[0]]
            example = example.item() if isinstance(example, np.generic) else example
            raise ValueError(
                f"{name} puts {shared.size} group(s) on both sides of fold {k} (e.g. group "
                f"{example!r} is in both train and test), so it ignores groups and the "
                f"estimate would leak; use a group-aware splitter (GroupKFold, "
                f"StratifiedGroupKFold) or {name}=None."
            )


def repeated_folds(
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    task: Any = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
) -> tuple[Fold, ...]:
    """``n_repeats`` shuffled repetitions of the splitter :func:`choose_cv` would pick.

    Repeat ``r`` uses ``choose_cv(y, groups=groups, task=task, n_splits=n_splits,
    random_state=random_state + r)``, so folds respect groups (whole groups per fold,
    stratified for classification) and are reproducible. The result is the flat tuple
    of all ``n_splits * n_repeats`` folds, repeat by repeat: what the corrected repeated
    k-fold t-test (:func:`mlkit.stats.corrected_ttest`) needs.

    Parameters
    ----------
    X, y : array-like
        Features and target.
    groups : array-like or None, default=None
        Group of each row; no group is ever on both sides of a fold.
    time : None
        Must be ``None``: time-ordered data have one fold list, not shuffled repeats
        (a ``ValueError`` says so).
    task : str or None, default=None
        The declared task (:func:`mlkit.metrics.resolve_task`); a count target
        declared ``"regression"`` gets unstratified folds.
    n_splits : int, default=5
        Folds per repeat, at least 2.
    n_repeats : int, default=3
        Repetitions, at least 1.
    random_state : int, default=0
        Seed of the first repeat.

    Returns
    -------
    tuple of (ndarray, ndarray)

    Raises
    ------
    ValueError
        ``time`` given, ``n_splits`` < 2, ``n_repeats`` < 1, and whatever
        :func:`choose_cv` refuses.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.splits import repeated_folds
    >>> folds = repeated_folds(np.zeros((20, 1)), [0, 1] * 10, n_splits=5, n_repeats=2)
    >>> len(folds)
    10
    """
    if time is not None:
        raise ValueError(
            "time is given, but repeated shuffled folds would train on the future; use "
            "materialise_folds(choose_cv(y, time=time), X, y) for one time-ordered fold list."
        )
    n_splits = check_positive_int(n_splits, name="n_splits", minimum=2)
    n_repeats = check_positive_int(n_repeats, name="n_repeats", minimum=1)
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise ValueError(f"random_state={random_state!r} must be an int, e.g. 0.")
    folds: list[Fold] = []
    for r in range(n_repeats):
        cv = choose_cv(
            y, groups=groups, task=task, n_splits=n_splits, random_state=int(random_state) + r
        )
        folds.extend(materialise_folds(cv, X, y, groups=groups, task=task))
    return tuple(folds)


def _fold_pairs(
    cv: Any,
    X: Any,
    y: np.ndarray,
    groups: np.ndarray | None,
    random_state: int | None,
    name: str,
    *,
    time: Any = None,
    task: Any = None,
) -> Iterable[Any]:
    """The (train, test) pairs that ``cv`` stands for (see :func:`materialise_folds`)."""
    if cv is None or (isinstance(cv, int | np.integer) and not isinstance(cv, bool)):
        n_splits = 5 if cv is None else check_positive_int(int(cv), name=name, minimum=2)
        chosen = choose_cv(
            y, groups=groups, time=time, task=task, n_splits=n_splits, random_state=random_state
        )
        return chosen.split(X, y, groups)
    if task is not None:
        resolve_task(y, task)
    if time is not None:
        time_arr = as_1d(time, name="time")
        if time_arr.shape[0] != y.shape[0]:
            raise ValueError(
                f"time has {time_arr.shape[0]} entries but y has {y.shape[0]}; pass one time "
                f"value per sample, in the same order as y."
            )
        if has_missing(time_arr):
            raise ValueError("time contains missing values; every row needs a time stamp.")
    if hasattr(cv, "split") and not isinstance(cv, str):
        return cv.split(X, y, groups)
    if isinstance(cv, Sequence | Iterator) and not isinstance(cv, str):
        return cv
    raise ValueError(
        f"{name} must be None, an int (number of folds), a splitter or a list of "
        f"(train, test) index pairs, got {type(cv).__name__}."
    )


def _as_indices(part: Any, n_samples: int, *, name: str, k: int) -> np.ndarray:
    arr = np.asarray(part)
    if arr.dtype == bool:
        arr = np.flatnonzero(arr)
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{name}: fold {k} has an empty or non-integer index array.")
    if arr.min() < 0 or arr.max() >= n_samples:
        raise ValueError(
            f"{name}: fold {k} has indices outside [0, {n_samples}); index rows of X by position."
        )
    return arr.astype(np.intp, copy=False)


# Re-exported so that ``from mlkit.splits import audit_cv, plot_cv, CVAudit`` keeps working;
# imported last because mlkit.cv_audit resolves folds with materialise_folds above.
from mlkit.cv_audit import CVAudit, audit_cv, plot_cv  # noqa: E402
