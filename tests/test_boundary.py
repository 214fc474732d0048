"""Boundary checks on X: caught where mlkit receives the data, with a message that names it."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from mlkit._validation import check_features
from mlkit.splits import audit_cv, materialise_folds

RNG = np.random.default_rng(0)
Y = np.tile([0, 1], 50)


def _frame(**extra: object) -> pd.DataFrame:
    frame = pd.DataFrame({"a": RNG.normal(size=100), "b": RNG.normal(size=100)})
    for name, values in extra.items():
        frame[name] = values
    return frame


def test_check_features_duplicate_columns_named() -> None:
    X = pd.DataFrame(RNG.normal(size=(100, 3)), columns=["a", "b", "a"])
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        check_features(X)


def test_check_features_inf_in_frame_names_column() -> None:
    X = _frame(c=np.r_[np.inf, np.zeros(99)])
    with pytest.raises(ValueError, match=r"\['c'\] contain infinite"):
        check_features(X)


def test_check_features_inf_in_array_names_column_index() -> None:
    X = RNG.normal(size=(10, 3))
    X[4, 2] = -np.inf
    with pytest.raises(ValueError, match=r"infinite values in column\(s\) \[2\]"):
        check_features(X)


def test_check_features_nan_is_allowed() -> None:
    X = _frame(c=np.r_[np.nan, np.zeros(99)])
    assert check_features(X) is X


def test_check_features_sparse_refused_when_unsupported() -> None:
    X = sparse.csr_matrix(np.eye(5))
    with pytest.raises(ValueError, match="features is a sparse matrix"):
        check_features(X, name="features", allow_sparse=False)
    assert check_features(X) is X


@pytest.mark.parametrize(
    "column",
    [np.arange(100), np.arange(1, 101), np.array([f"id{i}" for i in range(100)], dtype=object)],
)
def test_check_features_identifier_column_warns(column: np.ndarray) -> None:
    with pytest.warns(UserWarning, match="'row_id' .* looks like an identifier"):
        check_features(_frame(row_id=column))


def test_check_features_continuous_floats_do_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_features(_frame())


def test_check_features_small_integer_column_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_features(_frame(stage=np.tile([1, 2, 3, 4], 25)))


def test_materialise_folds_refuses_duplicate_columns_before_splitting() -> None:
    X = pd.DataFrame(RNG.normal(size=(100, 2)), columns=["x", "x"])
    with pytest.raises(ValueError, match="duplicate column names"):
        materialise_folds(5, X, Y)


def test_audit_cv_refuses_inf_features() -> None:
    X = _frame(c=np.r_[np.inf, np.zeros(99)])
    with pytest.raises(ValueError, match="infinite"):
        audit_cv(5, X, Y)
