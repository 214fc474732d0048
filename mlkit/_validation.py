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


#: Frames with at least this many rows are checked for identifier-like columns.
MIN_ROWS_FOR_ID_CHECK = 50


def check_features(
    X: Any, *, name: str = "X", allow_sparse: bool = True, warn_identifiers: bool = True
) -> Any:
    """Boundary checks on a feature matrix; returns ``X`` unchanged.

    - duplicate column names (a DataFrame) raise, naming the duplicates;
    - ``inf`` / ``-inf`` in a numeric column raise, naming the column (NaN is allowed:
      imputation is a modelling step);
    - a sparse matrix raises when ``allow_sparse`` is False;
    - a column that looks like a row identifier (integer or string values unique per
      row, or an integer column equal to the row position or the index) warns: a model
      can memorise it, and it never generalises (``warn_identifiers=False`` for data
      that is not fed to a model, e.g. a drift check).

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit._validation import check_features
    >>> check_features(pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]))
    Traceback (most recent call last):
    ...
    ValueError: X has duplicate column names ['a']; rename them (e.g. df.columns = [...]) so every feature has one name.
    """
    import warnings

    if X is None:
        raise ValueError(f"{name} is None; pass a 2-D array-like or DataFrame of features.")
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        if not allow_sparse:
            raise ValueError(
                f"{name} is a sparse matrix ({type(X).__name__}), which this function does "
                f"not support; pass a dense array ({name}.toarray()) or a DataFrame."
            )
        data = getattr(X, "data", None)
        if data is not None and data.dtype.kind == "f" and np.isinf(data).any():
            raise ValueError(f"{name} contains infinite values; drop or clip them first.")
        return X
    if isinstance(X, pd.DataFrame):
        duplicated = X.columns[X.columns.duplicated()].unique().tolist()
        if duplicated:
            raise ValueError(
                f"{name} has duplicate column names {duplicated}; rename them (e.g. "
                f"df.columns = [...]) so every feature has one name."
            )
        numeric = X.select_dtypes(include=["number"])
        if numeric.shape[1]:
            values = numeric.to_numpy(dtype=float, na_value=np.nan)
            bad = np.isinf(values).any(axis=0)
            if bad.any():
                columns = numeric.columns[bad].tolist()
                raise ValueError(
                    f"{name} column(s) {columns} contain infinite values; replace them "
                    f"(e.g. df.replace([np.inf, -np.inf], np.nan) and impute) before modelling."
                )
        n = X.shape[0]
        if warn_identifiers and n >= MIN_ROWS_FOR_ID_CHECK:
            for column in X.columns:
                series = X[column]
                kind = series.dtype.kind
                if kind not in "iuOSU" and str(series.dtype) not in ("string", "str"):
                    continue
                if series.nunique(dropna=False) != n:
                    continue
                positional = kind in "iu" and (
                    np.array_equal(series.to_numpy(), np.arange(n))
                    or np.array_equal(series.to_numpy(), np.arange(1, n + 1))
                    or np.array_equal(series.to_numpy(), X.index.to_numpy())
                )
                what = "equals the row position" if positional else "is unique per row"
                warnings.warn(
                    f"{name} column {column!r} {what}, so it looks like an identifier; a "
                    f"model can memorise it and it never generalises. Drop it from {name} "
                    f"(pass it as groups= if it identifies subjects).",
                    UserWarning,
                    stacklevel=3,
                )
        return X
    arr = np.asarray(X) if not isinstance(X, np.ndarray) else X
    if arr.dtype.kind in "fc" and arr.size and np.isinf(arr).any():
        columns = np.flatnonzero(np.isinf(arr).reshape(arr.shape[0], -1).any(axis=0)).tolist()
        raise ValueError(
            f"{name} contains infinite values in column(s) {columns}; replace them (e.g. "
            f"np.nan_to_num or np.where(np.isinf({name}), np.nan, {name})) before modelling."
        )
    return X


def check_n_jobs(n_jobs: Any) -> int | None:
    """``None``, a positive int, or a negative int (joblib's "all cores but ..."); not 0."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int | np.integer) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be None, a positive integer or -1 (all cores), got {n_jobs!r}."
        )
    return int(n_jobs)


def check_fitted(estimator: Any, *, name: str = "estimator") -> None:
    """Raise scikit-learn's ``NotFittedError`` naming ``name`` when it is not fitted.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlkit._validation import check_fitted
    >>> check_fitted(LogisticRegression(), name="model")
    Traceback (most recent call last):
    ...
    sklearn.exceptions.NotFittedError: model (LogisticRegression) is not fitted; call model.fit(X, y) on training data first.
    """
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        raise NotFittedError(
            f"{name} ({type(estimator).__name__}) is not fitted; call {name}.fit(X, y) on "
            f"training data first."
        ) from None
    except TypeError:
        raise TypeError(
            f"{name} must be a fitted scikit-learn estimator, got {type(estimator).__name__}."
        ) from None
