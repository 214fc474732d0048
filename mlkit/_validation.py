"""Input checks shared by every public mlkit function.

Each check raises :class:`ValueError` naming the offending argument, saying what
was wrong and how to fix it, so errors surface at mlkit's boundary instead of as
a traceback from deep inside numpy or scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def as_1d(values: Any, *, name: str) -> np.ndarray:
    """Return ``values`` as a 1-D numpy array, or raise a clear ``ValueError``."""
    if values is None:
        raise ValueError(f"{name} is None; pass a 1-D array-like with one value per sample.")
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise ValueError(
                f"{name} must be 1-D but is a DataFrame with {values.shape[1]} columns; "
                f"pass a single column (e.g. df['col'])."
            )
        values = values.iloc[:, 0]
    arr = np.asarray(values)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(
            f"{name} must be 1-D (one value per sample) but has shape {arr.shape}; "
            f"reshape it with .ravel() or pass a single column."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; pass at least one sample.")
    return arr


def has_missing(arr: np.ndarray) -> bool:
    """True when ``arr`` holds NaN / None / NaT values."""
    if arr.dtype.kind in "fc":
        return bool(np.isnan(arr).any())
    if arr.dtype.kind in "iub":
        return False
    return bool(pd.isna(arr).any())


def check_target(y: Any, *, name: str = "y") -> np.ndarray:
    """Validate a target vector: 1-D, non-empty, no missing values."""
    arr = as_1d(y, name=name)
    if has_missing(arr):
        n_missing = int(pd.isna(arr).sum())
        raise ValueError(
            f"{name} contains {n_missing} missing value(s) (NaN/None); drop those rows or "
            f"impute the target before modelling (a model cannot learn from an unknown label)."
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError(f"{name} contains infinite values; drop or clip them before modelling.")
    return arr


def n_samples_of(X: Any, *, name: str = "X") -> int:
    """Number of rows of ``X`` (DataFrame, array, or sequence)."""
    if X is None:
        raise ValueError(f"{name} is None; pass a 2-D array-like or DataFrame of features.")
    shape = getattr(X, "shape", None)
    if shape is not None and len(shape) >= 1:
        if len(shape) == 1:
            raise ValueError(
                f"{name} must be 2-D (samples x features) but is 1-D with shape {tuple(shape)}; "
                f"use X.reshape(-1, 1) for a single feature."
            )
        return int(shape[0])
    if isinstance(X, Sequence):
        return len(X)
    raise ValueError(
        f"{name} of type {type(X).__name__} is not array-like; pass a DataFrame or array."
    )


def check_consistent_length(**named: Any) -> int:
    """Check that every non-None argument has the same number of samples.

    Returns the common length. The message names every argument and its length.
    """
    lengths: dict[str, int] = {}
    for key, value in named.items():
        if value is None:
            continue
        if key == "X":
            lengths[key] = n_samples_of(value, name=key)
        else:
            lengths[key] = len(value)
    if len(set(lengths.values())) > 1:
        detail = ", ".join(f"{k} has {v}" for k, v in lengths.items())
        first = next(iter(lengths))
        others = [k for k in lengths if lengths[k] != lengths[first]]
        raise ValueError(
            f"{', '.join(others)} must have one entry per sample like {first}, but {detail} "
            f"rows; align them (same rows, same order) before calling."
        )
    return next(iter(lengths.values())) if lengths else 0


def check_groups(groups: Any, *, n_samples: int, name: str = "groups") -> np.ndarray:
    """Validate a group-label vector: 1-D, right length, no missing labels."""
    arr = as_1d(groups, name=name)
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"{name} has {arr.shape[0]} entries but y has {n_samples}; pass one {name} label "
            f"per sample, in the same order as y."
        )
    if has_missing(arr):
        raise ValueError(
            f"{name} contains missing values; every sample needs a group label "
            f"(e.g. give each unlabelled row its own id)."
        )
    return arr


def check_positive_int(value: Any, *, name: str, minimum: int = 1) -> int:
    """Validate an integer argument such as ``n_splits`` or ``n_iter``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ValueError(f"{name}={value} is too small; use {name}>={minimum}.")
    return int(value)


def check_choice(value: Any, *, name: str, choices: Sequence[str]) -> str:
    """Validate a string option against the allowed ``choices``."""
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}={value!r} is not supported; use one of {allowed}.")
    return str(value)


def check_fraction(value: Any, *, name: str, closed: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    inside = 0.0 <= number <= 1.0 if closed else 0.0 < number < 1.0
    if not math.isfinite(number) or not inside:
        interval = "[0, 1]" if closed else "(0, 1), exclusive"
        raise ValueError(f"{name}={value!r} must lie in {interval}.")
    return number


def check_cost(value: Any, *, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(number) or number <= 0:
        raise ValueError(
            f"{name}={value!r} must be a finite cost > 0 (in any unit, e.g. money or "
            f"harm points; only the ratio of the two costs matters)."
        )
    return number
