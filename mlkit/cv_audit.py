"""Auditing cross-validation folds: what a splitter does to one dataset.

- :func:`audit_cv` tabulates what any splitter does to a dataset, fold by fold:
  sizes, class balance, groups that straddle train and test, time order.
- :func:`plot_cv` draws the same folds.

Both resolve ``cv`` (``None``, an int, a splitter or ``(train, test)`` pairs) through
:func:`mlkit.splits.materialise_folds`, the one fold resolver: ``cv=5`` here means the
splitter :func:`mlkit.splits.choose_cv` picks for the data, as everywhere in mlkit.
They measure leakage, so folds that put a group on both sides are audited, not refused.
They are re-exported by :mod:`mlkit.splits` (``from mlkit.splits import audit_cv``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import (
    GroupKFold,
    GroupShuffleSplit,
    LeaveOneGroupOut,
    LeavePGroupsOut,
    RepeatedStratifiedKFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from mlkit._validation import (
    as_1d,
    check_consistent_length,
    check_features,
    check_positive_int,
    check_target,
    has_missing,
    n_samples_of,
)
from mlkit.metrics import resolve_task

__all__ = ["CVAudit", "audit_cv", "plot_cv"]

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
    task: Any = None,
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
    cv : None, int, scikit-learn splitter or iterable of (train, test) index pairs
        The folds to audit, resolved by :func:`mlkit.splits.materialise_folds`, as in
        every mlkit function: ``None`` or an int is the splitter
        :func:`mlkit.splits.choose_cv` picks for ``y``, ``groups``, ``time`` and
        ``task`` with that many folds (5 for ``None``); without ``y``, the unstratified
        choice. This is *not* what ``cv=5`` means in scikit-learn's
        ``cross_validate`` (unshuffled ``StratifiedKFold`` / ``KFold``): to audit that,
        pass the splitter, e.g. ``StratifiedKFold(5)``. ``groups`` is passed to
        ``cv.split``, so group splitters work as in scikit-learn.
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
    task : {"binary", "multiclass", "regression"} or None, default=None
        The declared task (see :func:`mlkit.metrics.resolve_task`); decides the
        per-fold columns and, for an int ``cv``, the splitter. Needs ``y``.

    Returns
    -------
    CVAudit
        ``.folds`` (one row per fold) and ``.summary`` (worst fold and totals).

    Raises
    ------
    ValueError
        If ``y``, ``groups`` or ``time`` has another length than ``X`` or missing
        values; if ``cv`` is not None, a splitter, an int >= 2 or an iterable of
        splits; if ``cv`` needs ``groups`` or ``y`` that were not given; a ``task``
        without ``y`` or one that ``y`` contradicts.

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
    data = _check_split_inputs(cv, X, y, groups=groups, time=time, task=task, caller="audit_cv")
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
    time: Any = None,
    task: Any = None,
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
    cv : None, int, scikit-learn splitter or iterable of (train, test) index pairs
        As in :func:`audit_cv` (resolved by :func:`mlkit.splits.materialise_folds`).
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,), default=None
        Target; adds a class band for a classification target.
    groups : array-like of shape (n_samples,), default=None
        Group id of each row; passed to ``cv.split`` and drawn as a band.
    time : array-like of shape (n_samples,), default=None
        Time of each row; with ``cv`` None or an int, folds are time-ordered.
    task : str or None, default=None
        The declared task, as in :func:`audit_cv`.
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
    data = _check_split_inputs(cv, X, y, groups=groups, time=time, task=task, caller="plot_cv")
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
    cv: Any, X: Any, y: Any, *, groups: Any, time: Any, task: Any, caller: str
) -> _SplitData:
    from mlkit.splits import choose_cv, materialise_folds

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
    if y_arr is None and task is not None:
        raise ValueError(
            f"task={task!r} is given but y is None; pass {caller}(cv, X, y, task=...) with "
            f"the target, or drop task."
        )
    resolved_task = resolve_task(y_arr, task) if y_arr is not None else None
    if isinstance(cv, bool | str) or (
        cv is not None
        and not isinstance(cv, int | np.integer)
        and not hasattr(cv, "split")
        and not isinstance(cv, Iterable)
    ):
        raise ValueError(
            f"cv must be None, an int >= 2, a scikit-learn splitter or an iterable of "
            f"(train, test) index pairs, got {type(cv).__name__}; e.g. cv=5 or "
            f"cv=GroupKFold(5)."
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
    # Without y, an int or None resolves as for a numeric target: unstratified folds.
    y_split = y_arr if y_arr is not None else np.arange(n, dtype=np.float64)
    task_split = resolved_task if resolved_task is not None else "regression"
    chosen_here = cv is None or isinstance(cv, int | np.integer)
    # The one fold resolver; shared groups are what the audit measures, so allowed. The
    # task only matters to an int (a splitter's task was checked above, once).
    splits = list(
        materialise_folds(
            cv,
            X,
            y_split,
            groups=group_arr,
            time=time_arr,
            task=task_split if chosen_here else None,
            allow_shared_groups=True,
        )
    )
    if chosen_here:
        chosen = choose_cv(
            y_split,
            groups=group_arr,
            time=time_arr,
            task=task_split,
            n_splits=5 if cv is None else int(cv),
        )
        name = type(chosen).__name__
    else:
        name = type(cv).__name__ if hasattr(cv, "split") else "given folds"

    classes = np.array([])
    y_codes = y_float = None
    if y_arr is not None:
        if resolved_task != "regression":
            classes, y_codes = np.unique(y_arr, return_inverse=True)
        else:
            y_float = y_arr.astype(np.float64)
    group_codes, n_groups = None, 0
    if group_arr is not None:
        codes, uniques = pd.factorize(group_arr)
        group_codes, n_groups = codes.astype(np.intp), len(uniques)
    return _SplitData(
        n_samples=n,
        splits=splits,
        splitter=name,
        task=resolved_task,
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
