"""Choosing and auditing cross-validation splitters.

- :func:`choose_cv` picks the scikit-learn splitter that matches the structure of
  the data (time order, groups, task type) and records a one-line reason.
- :func:`audit_cv` tabulates what any splitter does to a dataset, fold by fold:
  sizes, class balance, groups that straddle train and test, time order.
- :func:`plot_cv` draws the same folds.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    KFold,
    LeaveOneGroupOut,
    LeavePGroupsOut,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
    TimeSeriesSplit,
    check_cv,
)
from sklearn.model_selection._split import BaseCrossValidator

from mlkit._validation import (
    as_1d,
    check_consistent_length,
    check_features,
    check_groups,
    check_positive_int,
    check_target,
    has_missing,
    n_samples_of,
)
from mlkit.metrics import infer_task, resolve_task

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


# --------------------------------------------------------------------------- audit

#: Splitters that need ``groups`` in ``split`` (and ignore nothing about them).
_GROUP_SPLITTERS: tuple[type, ...] = (
    GroupKFold,
    StratifiedGroupKFold,
    GroupShuffleSplit,
    LeaveOneGroupOut,
    LeavePGroupsOut,
)
#: Splitters that need ``y`` in ``split``.
_STRATIFIED_SPLITTERS: tuple[type, ...] = (
    StratifiedKFold,
    StratifiedGroupKFold,
    StratifiedShuffleSplit,
    RepeatedStratifiedKFold,
)


@dataclass(frozen=True, eq=False)
class CVAudit:
    """What a cross-validation splitter does to one dataset, fold by fold.

    Returned by :func:`audit_cv`.

    Attributes
    ----------
    folds : DataFrame
        One row per fold (index ``fold``, from 0) with the columns

        - ``n_train``, ``n_test``: rows in the training and test part;
        - ``test_positive_rate`` (binary ``y``; the positive class is the larger
          label), ``test_rate_<class>`` for each class (multiclass ``y``) or
          ``test_target_mean`` (regression ``y``); absent when ``y`` is None;
        - ``deviation``: how far the test rate (largest over classes) or test target
          mean is from the overall one, in absolute value; NA without ``y``;
        - ``leaked_groups``: groups with rows on both sides of the fold, and
          ``leaked_test_rows``: test rows whose group also appears in training
          (NA without ``groups``);
        - ``test_before_train``: whether some test row is earlier than some
          training row (NA without ``time``).
    summary : Series
        The worst fold and the totals: ``n_folds``, ``n_samples``,
        ``positive_rate`` / ``target_mean`` (overall, when ``y`` is given),
        ``worst_fold`` and ``worst_deviation`` (the fold with the largest
        ``deviation``), ``total_leaked_groups`` (sum over folds),
        ``folds_with_leaked_groups``, ``any_test_before_train``, and
        ``rows_never_tested`` / ``rows_tested_twice_or_more`` (0 and 0 for a
        K-fold splitter, where every row is tested exactly once).
    splitter : str
        The splitter's class name.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> from mlkit.splits import audit_cv
    >>> X = np.zeros((8, 1))
    >>> groups = [0, 0, 1, 1, 2, 2, 3, 3]
    >>> audit = audit_cv(KFold(2, shuffle=True, random_state=0), X, groups=groups)
    >>> audit.folds["n_test"].tolist()
    [4, 4]
    >>> audit.folds["leaked_groups"].tolist()
    [2, 2]
    """

    folds: pd.DataFrame
    summary: pd.Series
    splitter: str

    def to_frame(self) -> pd.DataFrame:
        """The per-fold table (a copy of :attr:`folds`)."""
        return self.folds.copy()

    # The audit reads like its per-fold table: ``audit["leaked_groups"]``, ``len(audit)``,
    # ``audit.loc[0]``, ``audit.shape`` all answer from :attr:`folds`.

    def __getitem__(self, key: Any) -> Any:
        return self.folds[key]

    def __len__(self) -> int:
        return len(self.folds)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in {"folds", "summary", "splitter"}:
            raise AttributeError(name)
        return getattr(self.folds, name)

    def _repr_html_(self) -> str:
        return str(self.folds.to_html())

    def __str__(self) -> str:
        lines = [f"CVAudit of {self.splitter}", self.folds.to_string(), "summary:"]
        lines += [f"  {key}: {value}" for key, value in self.summary.items()]
        return "\n".join(lines)


def audit_cv(
    cv: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    time: Any = None,
) -> CVAudit:
    """Audit the folds of a cross-validation splitter on one dataset.

    For every fold: the train and test sizes, the test positive rate (or target
    mean) and its deviation from the overall one, how many groups straddle train
    and test, and whether some test row is earlier than some training row. The
    summary names the worst fold and totals the leaks. Everything is computed with
    ``np.bincount`` on integer-coded groups (no Python loop over groups), so a
    million rows take well under a second beyond generating the splits.

    Parameters
    ----------
    cv : int, scikit-learn splitter or iterable of (train, test) index pairs
        The splitter to audit. An int means what it means in
        :func:`sklearn.model_selection.cross_validate`: unshuffled
        ``StratifiedKFold`` for a classification ``y``, ``KFold`` otherwise.
        ``groups`` is passed to ``cv.split``, so group splitters work as in
        scikit-learn.
    X : array-like of shape (n_samples, n_features)
        Features (only the number of rows is used, and whatever ``cv`` needs).
    y : array-like of shape (n_samples,), default=None
        Target. Gives the per-fold positive rate (classification) or target
        mean (regression); needed by stratified splitters.
    groups : array-like of shape (n_samples,), default=None
        Group (subject) id of each row; gives the leaked-group counts.
    time : array-like of shape (n_samples,), default=None
        Time of each row; gives ``test_before_train``. When None and ``cv`` has a
        ``time`` attribute (:class:`TimeOrderedSplit`), that one is used.

    Returns
    -------
    CVAudit
        ``.folds`` (one row per fold) and ``.summary`` (worst fold and totals).

    Raises
    ------
    ValueError
        If ``y``, ``groups`` or ``time`` has another length than ``X`` or missing
        values; if ``cv`` is not a splitter, an int >= 2 or an iterable of splits;
        if ``cv`` needs ``groups`` or ``y`` that were not given.

    See Also
    --------
    plot_cv : the same folds as a picture.
    choose_cv : pick a splitter that matches the data.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GroupKFold, KFold
    >>> from mlkit.splits import audit_cv
    >>> rng = np.random.default_rng(0)
    >>> groups = np.repeat(np.arange(20), 5)  # 20 subjects, 5 rows each
    >>> X, y = rng.normal(size=(100, 2)), np.tile([0, 1], 50)
    >>> leaky = audit_cv(KFold(5, shuffle=True, random_state=0), X, y, groups=groups)
    >>> int(leaky.summary["total_leaked_groups"]) > 0
    True
    >>> safe = audit_cv(GroupKFold(5), X, y, groups=groups)
    >>> int(safe.summary["total_leaked_groups"])
    0
    """
    data = _check_split_inputs(cv, X, y, groups=groups, time=time, caller="audit_cv")
    n = data.n_samples
    rows: list[dict[str, Any]] = []
    times_tested = np.zeros(n, dtype=np.int64)
    overall = _target_summary(data.y_codes, data.y_float, data.classes, np.arange(n))

    group_codes, n_groups = data.group_codes, data.n_groups
    for train, test in data.splits:
        row: dict[str, Any] = {"n_train": int(train.size), "n_test": int(test.size)}
        times_tested += np.bincount(test, minlength=n)
        if data.task is not None:
            stats = _target_summary(data.y_codes, data.y_float, data.classes, test)
            row.update({f"test_{key}": value for key, value in stats.items()})
            row["deviation"] = max(abs(stats[key] - overall[key]) for key in stats)
        else:
            row["deviation"] = np.nan
        if group_codes is not None:
            in_train = np.bincount(group_codes[train], minlength=n_groups) > 0
            in_test = np.bincount(group_codes[test], minlength=n_groups) > 0
            row["leaked_groups"] = int(np.count_nonzero(in_train & in_test))
            row["leaked_test_rows"] = int(np.count_nonzero(in_train[group_codes[test]]))
        else:
            row["leaked_groups"] = pd.NA
            row["leaked_test_rows"] = pd.NA
        if data.time is not None and train.size and test.size:
            row["test_before_train"] = bool(data.time[test].min() < data.time[train].max())
        else:
            row["test_before_train"] = pd.NA
        rows.append(row)

    folds = pd.DataFrame(rows)
    folds.index.name = "fold"
    folds["leaked_groups"] = folds["leaked_groups"].astype("Int64")
    folds["leaked_test_rows"] = folds["leaked_test_rows"].astype("Int64")
    folds["test_before_train"] = folds["test_before_train"].astype("boolean")
    # a column that is NA on every fold says "not measured" (no groups, no time, no y):
    # leave it out rather than show a column of <NA>
    folds = folds.loc[:, ~folds.isna().all(axis=0)]

    summary: dict[str, Any] = {"n_folds": len(folds), "n_samples": n}
    summary.update(overall)
    if data.task is not None:
        worst = int(folds["deviation"].to_numpy().argmax())
        summary["worst_fold"] = worst
        summary["worst_deviation"] = float(folds["deviation"].iloc[worst])
    if group_codes is not None:
        summary["total_leaked_groups"] = int(folds["leaked_groups"].sum())
        summary["folds_with_leaked_groups"] = int((folds["leaked_groups"] > 0).sum())
    if data.time is not None:
        summary["any_test_before_train"] = bool(folds["test_before_train"].fillna(False).any())
    summary["rows_never_tested"] = int(np.count_nonzero(times_tested == 0))
    summary["rows_tested_twice_or_more"] = int(np.count_nonzero(times_tested > 1))
    return CVAudit(
        folds=folds,
        summary=pd.Series(summary, name="summary", dtype=object),
        splitter=data.splitter,
    )


def plot_cv(
    cv: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    ax: Any = None,
) -> Any:
    """Draw the folds of a splitter: one band per fold, samples along the x-axis.

    Training rows are blue, test rows orange, rows left out of a fold grey. Below
    the folds, a band coloured by class (when ``y`` is classification) and one
    coloured by group (when ``groups`` is given) show whether classes stay
    balanced and whether groups stay on one side. In the spirit of scikit-learn's
    "Visualizing cross-validation behavior in scikit-learn" example.

    Parameters
    ----------
    cv : int, scikit-learn splitter or iterable of (train, test) index pairs
        As in :func:`audit_cv`.
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,), default=None
        Target; adds a class band for a classification target.
    groups : array-like of shape (n_samples,), default=None
        Group id of each row; passed to ``cv.split`` and drawn as a band.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes

    Raises
    ------
    ValueError
        For the same inputs as :func:`audit_cv`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import GroupKFold
    >>> from mlkit.splits import plot_cv
    >>> groups = np.repeat(np.arange(10), 4)
    >>> ax = plot_cv(GroupKFold(4), np.zeros((40, 1)), np.tile([0, 1], 20), groups=groups)
    >>> [t.get_text() for t in ax.get_yticklabels()][-2:]
    ['class', 'group']
    """
    data = _check_split_inputs(cv, X, y, groups=groups, time=None, caller="plot_cv")
    import matplotlib.pyplot as plt
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Patch

    n = data.n_samples
    role_colors = np.array([to_rgba(c) for c in ("#d9d9d9", "#4c72b0", "#dd8452")])
    bands: list[np.ndarray] = []
    labels: list[str] = []
    for i, (train, test) in enumerate(data.splits):
        role = np.zeros(n, dtype=np.int64)
        role[train] = 1
        role[test] = 2
        bands.append(role_colors[role])
        labels.append(f"fold {i}")
    handles = [
        Patch(color=role_colors[1], label="train"),
        Patch(color=role_colors[2], label="test"),
    ]
    if any((band == role_colors[0]).all(axis=1).any() for band in bands):
        handles.append(Patch(color=role_colors[0], label="not used"))
    if data.task in ("binary", "multiclass") and data.y_codes is not None:
        palette = colormaps["tab10"]  # blue and orange (0, 1) are train and test
        class_colors = np.array([palette(2 + k % 8) for k in range(len(data.classes))])
        bands.append(class_colors[data.y_codes])
        labels.append("class")
        handles += [
            Patch(color=class_colors[k], label=f"class {c}") for k, c in enumerate(data.classes[:8])
        ]
    if data.group_codes is not None:
        group_cmap = colormaps["tab20"]
        bands.append(np.array(group_cmap(data.group_codes % group_cmap.N)))
        labels.append("group")

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.35 * len(bands) + 1.6))
    ax.imshow(np.stack(bands), aspect="auto", interpolation="nearest")
    ax.set_yticks(np.arange(len(labels)), labels=labels)
    ax.set_xlabel("sample index")
    ax.set_ylabel("CV iteration")
    ax.set_title(f"{data.splitter}: train and test rows of each fold")
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return ax


@dataclass(frozen=True, eq=False)
class _SplitData:
    """Validated inputs of :func:`audit_cv` / :func:`plot_cv` and the materialised splits."""

    n_samples: int
    splits: list[tuple[np.ndarray, np.ndarray]]
    splitter: str
    task: str | None
    classes: np.ndarray
    y_codes: np.ndarray | None
    y_float: np.ndarray | None
    group_codes: np.ndarray | None
    n_groups: int
    time: np.ndarray | None


def _check_split_inputs(
    cv: Any, X: Any, y: Any, *, groups: Any, time: Any, caller: str
) -> _SplitData:
    n = n_samples_of(X, name="X")
    check_features(X, name="X")
    y_arr = check_target(y, name="y") if y is not None else None
    group_arr = as_1d(groups, name="groups") if groups is not None else None
    if time is None and isinstance(getattr(cv, "time", None), np.ndarray | pd.Series | list):
        time = cv.time
    time_arr = as_1d(time, name="time") if time is not None else None
    check_consistent_length(X=X, y=y_arr, groups=group_arr, time=time_arr)
    if group_arr is not None and has_missing(group_arr):
        raise ValueError(
            "groups contains missing values; every sample needs a group label "
            "(e.g. give each unlabelled row its own id)."
        )
    if time_arr is not None and has_missing(time_arr):
        raise ValueError("time contains missing values; every row needs a time stamp.")

    task = infer_task(y_arr) if y_arr is not None else None
    classification = task in ("binary", "multiclass")
    if isinstance(cv, bool | str) or (
        not isinstance(cv, int | np.integer)
        and not hasattr(cv, "split")
        and not isinstance(cv, Iterable)
    ):
        raise ValueError(
            f"cv must be an int >= 2, a scikit-learn splitter or an iterable of (train, test) "
            f"index pairs, got {type(cv).__name__}; e.g. cv=5 or cv=GroupKFold(5)."
        )
    if isinstance(cv, int | np.integer):
        check_positive_int(cv, name="cv", minimum=2)
    if groups is None and isinstance(cv, _GROUP_SPLITTERS):
        raise ValueError(
            f"cv={type(cv).__name__} needs groups but groups is None; pass "
            f"{caller}(cv, X, y, groups=...) with one group id per row."
        )
    if y_arr is None and isinstance(cv, _STRATIFIED_SPLITTERS):
        raise ValueError(
            f"cv={type(cv).__name__} stratifies on y but y is None; pass "
            f"{caller}(cv, X, y) with the target."
        )
    splitter = check_cv(cv, y_arr, classifier=classification)
    with warnings.catch_warnings():
        # groups go to every splitter so that group splitters work; splitters that do not
        # use them (KFold, ...) warn that they are ignored, which is exactly the point here.
        warnings.filterwarnings(
            "ignore", message="The groups parameter is ignored", category=UserWarning
        )
        splits = [
            (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
            for train, test in splitter.split(X, y_arr, group_arr)
        ]
    if not splits:
        raise ValueError(f"cv={cv!r} produced no splits; pass a splitter with n_splits >= 2.")

    classes = np.array([])
    y_codes = y_float = None
    if y_arr is not None:
        if classification:
            classes, y_codes = np.unique(y_arr, return_inverse=True)
        else:
            y_float = y_arr.astype(np.float64)
    group_codes, n_groups = None, 0
    if group_arr is not None:
        codes, uniques = pd.factorize(group_arr)
        group_codes, n_groups = codes.astype(np.intp), len(uniques)
    name = type(cv).__name__ if hasattr(cv, "split") else type(splitter).__name__
    return _SplitData(
        n_samples=n,
        splits=splits,
        splitter=name,
        task=task,
        classes=classes,
        y_codes=y_codes,
        y_float=y_float,
        group_codes=group_codes,
        n_groups=n_groups,
        time=time_arr,
    )


def _target_summary(
    y_codes: np.ndarray | None, y_float: np.ndarray | None, classes: np.ndarray, rows: np.ndarray
) -> dict[str, float]:
    """Positive rate (binary), class rates (multiclass) or target mean of ``rows``."""
    if y_float is not None:
        return {"target_mean": float(y_float[rows].mean()) if rows.size else np.nan}
    if y_codes is None:
        return {}
    counts = np.bincount(y_codes[rows], minlength=len(classes))
    rates = counts / max(rows.size, 1)
    if len(classes) == 2:
        return {"positive_rate": float(rates[1])}
    return {f"rate_{c}": float(r) for c, r in zip(classes, rates, strict=True)}


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
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
) -> tuple[Fold, ...]:
    """``n_repeats`` shuffled repetitions of the splitter :func:`choose_cv` would pick.

    Repeat ``r`` uses ``choose_cv(y, groups=groups, n_splits=n_splits,
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
        cv = choose_cv(y, groups=groups, n_splits=n_splits, random_state=int(random_state) + r)
        folds.extend(materialise_folds(cv, X, y, groups=groups))
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
        n_splits = 5 if cv is None else int(cv)  # choose_cv checks it
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
