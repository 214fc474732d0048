"""Boundary checks shared by every public function."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlkit._validation import (
    as_1d,
    check_choice,
    check_consistent_length,
    check_groups,
    check_positive_int,
    check_target,
)


def test_check_target_rejects_nan_with_fix() -> None:
    with pytest.raises(ValueError, match=r"y contains 1 missing value.*drop those rows"):
        check_target([0.0, np.nan, 1.0])


def test_check_target_rejects_none_in_object_labels() -> None:
    with pytest.raises(ValueError, match="missing value"):
        check_target(np.array(["a", None, "b"], dtype=object))


def test_check_target_rejects_infinite() -> None:
    with pytest.raises(ValueError, match="infinite"):
        check_target([1.0, np.inf])


def test_as_1d_rejects_2d_and_empty() -> None:
    with pytest.raises(ValueError, match=r"groups must be 1-D .* shape \(2, 2\)"):
        as_1d(np.zeros((2, 2)), name="groups")
    with pytest.raises(ValueError, match="y is empty"):
        as_1d([], name="y")
    with pytest.raises(ValueError, match="DataFrame with 2 columns"):
        as_1d(pd.DataFrame({"a": [1], "b": [2]}), name="y")


def test_as_1d_accepts_column_vector_and_single_column_frame() -> None:
    assert as_1d(np.zeros((3, 1)), name="y").shape == (3,)
    assert as_1d(pd.DataFrame({"a": [1, 2]}), name="y").shape == (2,)


def test_check_consistent_length_names_every_argument() -> None:
    with pytest.raises(
        ValueError,
        match=r"y, groups must have one entry per sample like X.*X has 3.*y has 2.*groups has 4",
    ):
        check_consistent_length(X=np.zeros((3, 2)), y=[0, 1], groups=[1, 2, 3, 4])
    assert check_consistent_length(X=np.zeros((3, 2)), y=[0, 1, 0], groups=None) == 3


def test_check_consistent_length_rejects_1d_X() -> None:
    with pytest.raises(ValueError, match=r"X must be 2-D .* X\.reshape\(-1, 1\)"):
        check_consistent_length(X=np.zeros(3), y=[0, 1, 0])


def test_check_groups_length_and_missing() -> None:
    with pytest.raises(ValueError, match="groups has 2 entries but y has 3"):
        check_groups([1, 2], n_samples=3)
    with pytest.raises(ValueError, match="groups contains missing values"):
        check_groups([1.0, np.nan, 2.0], n_samples=3)


def test_check_positive_int_and_choice() -> None:
    with pytest.raises(ValueError, match="n_splits=1 is too small; use n_splits>=2"):
        check_positive_int(1, name="n_splits", minimum=2)
    with pytest.raises(ValueError, match="n_splits must be an integer"):
        check_positive_int(2.5, name="n_splits")
    with pytest.raises(ValueError, match="n_splits must be an integer"):
        check_positive_int(True, name="n_splits")
    with pytest.raises(
        ValueError, match="method='best' is not supported; use one of 'grid', 'random'"
    ):
        check_choice("best", name="method", choices=("grid", "random"))
