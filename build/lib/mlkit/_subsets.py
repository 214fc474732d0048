"""Training subsets for learning curves: nested, seeded, whole groups, stratified, recent.

The subset rules of :func:`mlkit.curves.learning_curve`, kept apart so they can be
tested (and reused) on their own. :func:`training_subsets` is re-exported by
:mod:`mlkit.curves`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

Subsets = Literal["nested", "prefix"]


def _translate_sizes(train_sizes: Any, n_max: int, *, unit: str) -> np.ndarray:
    """Absolute subset sizes (in ``unit``), as scikit-learn translates them, validated."""
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0 or sizes.dtype.kind not in "iuf":
        raise ValueError(
            f"train_sizes must be a non-empty 1-D list of fractions in (0, 1] or of integer "
            f"numbers of {unit}, got {train_sizes!r}."
        )
    if sizes.dtype.kind == "f":
        if not np.all((sizes > 0) & (sizes <= 1)):
            raise ValueError(
                f"train_sizes={sizes.tolist()} are fractions of the {n_max} training {unit} "
                f"per fold and must lie in (0, 1]; pass fractions such as "
                f"(0.1, 0.5, 1.0) or integer numbers of {unit}."
            )
        absolute = (sizes * n_max).astype(int)
        if absolute.min() < 1:
            raise ValueError(
                f"train_sizes={sizes.tolist()}: the smallest fraction of {n_max} training "
                f"{unit} is less than one {unit[:-1]}; use a fraction of at least "
                f"{1 / n_max:.3g}."
            )
    else:
        absolute = sizes.astype(int)
        if absolute.min() < 1 or absolute.max() > n_max:
            raise ValueError(
                f"train_sizes={absolute.tolist()} must lie in [1, {n_max}] (the training "
                f"{unit} of the smallest fold); use smaller sizes or fractions in (0, 1]."
            )
    return np.unique(absolute)


def _stratified_counts(class_counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Nested per-class allocations: row ``j`` sums to ``sizes[j]``, within 1 of ``k * p``.

    Each class starts from the larger of its previous allocation (nestedness) and
    ``floor(k * p)``; the few samples left go to the classes furthest below their
    target. In the rare case that the start already exceeds ``k``, the samples are
    added one at a time from the previous allocation instead.
    """
    share = class_counts / class_counts.sum()
    alloc = np.zeros((sizes.size, class_counts.size), dtype=int)
    current = np.zeros(class_counts.size, dtype=int)
    for j, k in enumerate(sizes):
        target = k * share
        base = np.minimum(np.maximum(current, np.floor(target).astype(int)), class_counts)
        if base.sum() <= k:
            deficit = np.where(base < class_counts, target - base, -np.inf)
            order = np.argsort(-deficit, kind="stable")[: k - base.sum()]
            base[order] += 1
            current = base
        else:
            while current.sum() < k:
                deficit = np.where(current < class_counts, target - current, -np.inf)
                current[int(np.argmax(deficit))] += 1
        alloc[j] = current
    return alloc


def training_subsets(
    train: Any,
    sizes: Sequence[int],
    *,
    labels: Any = None,
    groups: Any = None,
    time: Any = None,
    subsets: Subsets = "nested",
    random_state: int | None = 0,
) -> list[np.ndarray]:
    """The training subsets of one fold, one per size, as :func:`learning_curve` draws them.

    Parameters
    ----------
    train : array-like of int
        Row indices of the fold's training part.
    sizes : sequence of int
        Increasing subset sizes, in groups when ``groups`` is given, otherwise in rows.
    labels : array-like or None, default=None
        Class label of every row (all rows of the dataset, indexed by ``train``);
        ``None`` for no stratification. With ``groups``, a group's label is its greatest
        label for two classes (a patient with any positive visit is positive), its most
        frequent label otherwise.
    groups, time : array-like or None, default=None
        Group and time of every row. With ``time`` the subsets are the most recent
        rows (groups by their latest row), not random ones, and are not stratified.
    subsets : {"nested", "prefix"}, default="nested"
        ``"prefix"`` returns ``train[:k]`` exactly as
        :func:`sklearn.model_selection.learning_curve` (with ``shuffle=False``) does,
        ignoring labels, groups and time.
    random_state : int or None, default=0
        Seed of the random order (``"nested"`` without ``time``).

    Returns
    -------
    list of ndarray
        Sorted row indices; every subset contains the previous one.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.curves import training_subsets
    >>> y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1])
    >>> small, large = training_subsets(np.arange(10), [5, 10], labels=y)
    >>> int(y[small].sum()), bool(np.isin(small, large).all())
    (2, True)
    """
    train = np.asarray(train, dtype=np.intp)
    sizes_arr = np.asarray(sizes, dtype=int)
    if subsets == "prefix":
        return [train[:k] for k in sizes_arr]
    group_arr = None if groups is None else np.asarray(groups)
    if group_arr is not None:
        unit_of_row = pd.factorize(group_arr[train])[0]
        n_units = int(unit_of_row.max()) + 1
    else:
        unit_of_row, n_units = np.arange(train.size), train.size
    rng = np.random.default_rng(random_state)
    if time is not None:
        latest = np.full(n_units, -1)
        np.maximum.at(latest, unit_of_row, _rank(np.asarray(time)[train]))
        order = np.argsort(-latest, kind="stable")  # most recent first
        chosen = [order[:k] for k in sizes_arr]
    elif labels is None:
        order = rng.permutation(n_units)
        chosen = [order[:k] for k in sizes_arr]
    else:
        classes, coded = np.unique(np.asarray(labels)[train], return_inverse=True)
        if group_arr is None:
            unit_label = coded
        elif classes.size == 2:  # a group is positive when any of its rows is
            unit_label = np.zeros(n_units, dtype=coded.dtype)
            np.maximum.at(unit_label, unit_of_row, coded)
        else:  # the group's most frequent class
            counts = np.zeros((n_units, classes.size), dtype=int)
            np.add.at(counts, (unit_of_row, coded), 1)
            unit_label = counts.argmax(axis=1)
        members = [rng.permutation(np.flatnonzero(unit_label == c)) for c in range(classes.size)]
        alloc = _stratified_counts(np.array([m.size for m in members]), sizes_arr)
        chosen = [
            np.concatenate([members[c][: alloc[j, c]] for c in range(classes.size)])
            for j in range(sizes_arr.size)
        ]
    if group_arr is None:
        return [np.sort(train[units]) for units in chosen]
    whole_groups = []
    for units in chosen:
        mask = np.zeros(n_units, dtype=bool)
        mask[units] = True
        whole_groups.append(np.sort(train[mask[unit_of_row]]))
    return whole_groups


def _rank(values: np.ndarray) -> np.ndarray:
    """Dense-free ordinal rank of any orderable values (datetimes included)."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable")
