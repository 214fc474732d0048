"""Tests of mlkit.splits: choose_cv rules and errors, TimeOrderedSplit, audit_cv, plot_cv."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    TimeSeriesSplit,
)

from mlkit.splits import CVAudit, TimeOrderedSplit, audit_cv, choose_cv, materialise_folds, plot_cv

# --------------------------------------------------------------------------- strategies


@st.composite
def grouped_labels(draw: st.DrawFn, *, min_groups: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels and repeated group ids (1-6 rows per group), shuffled row order."""
    n_groups = draw(st.integers(min_groups, 40))
    sizes = draw(st.lists(st.integers(1, 6), min_size=n_groups, max_size=n_groups))
    groups = np.repeat(np.arange(n_groups), sizes)
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=groups.size)
    order = rng.permutation(groups.size)
    return y[order], groups[order]


def _brute_force_leaks(splits, groups):
    """Leaked groups per fold by plain set intersection (independent of audit_cv)."""
    return [len(set(groups[train]) & set(groups[test])) for train, test in splits]


# --------------------------------------------------------------------------- choose_cv rules


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"time": np.arange(40)}, "TimeOrderedSplit"),
        ({"groups": np.repeat(np.arange(10), 4)}, "StratifiedGroupKFold"),
        ({}, "StratifiedKFold"),
    ],
)
def test_choose_cv_classification_rules(kwargs, expected):
    y = np.tile([0, 1], 20)
    cv = choose_cv(y, **kwargs)
    assert type(cv).__name__ == expected
    assert isinstance(cv.reason_, str) and cv.reason_ and "\n" not in cv.reason_


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"time": np.arange(40)}, "TimeOrderedSplit"),
        ({"groups": np.repeat(np.arange(10), 4)}, "GroupKFold"),
        ({}, "KFold"),
    ],
)
def test_choose_cv_regression_rules(kwargs, expected):
    y = np.linspace(0.0, 1.0, 40) + 0.01
    cv = choose_cv(y, **kwargs)
    assert type(cv).__name__ == expected
    assert cv.reason_


def test_choose_cv_time_wins_over_groups_and_says_so():
    cv = choose_cv(np.tile([0, 1], 20), groups=np.repeat(np.arange(10), 4), time=np.arange(40))
    assert isinstance(cv, TimeOrderedSplit)
    assert "groups are not used" in cv.reason_


def test_choose_cv_shuffles_with_the_seed():
    y = np.tile([0, 1, 2], 20)
    a, b = choose_cv(y, random_state=3), choose_cv(y, random_state=3)
    assert a.shuffle and a.random_state == 3
    for (_, test_a), (_, test_b) in zip(a.split(y, y), b.split(y, y), strict=True):
        np.testing.assert_array_equal(test_a, test_b)
    c = choose_cv(y, random_state=4)
    assert any(
        not np.array_equal(ta, tc)
        for (_, ta), (_, tc) in zip(a.split(y, y), c.split(y, y), strict=True)
    )


def test_time_ordered_split_tests_after_training_on_unsorted_time():
    rng = np.random.default_rng(0)
    time = rng.permutation(100)
    cv = TimeOrderedSplit(n_splits=4, time=time)
    for train, test in cv.split(np.zeros((100, 1))):
        assert time[test].min() > time[train].max()


def test_time_ordered_split_rejects_wrong_length():
    cv = TimeOrderedSplit(n_splits=2, time=np.arange(5))
    with pytest.raises(ValueError, match="time has 5 entries but X has 6 rows"):
        list(cv.split(np.zeros((6, 1))))


# --------------------------------------------------------------------------- choose_cv errors


def test_choose_cv_rejects_more_splits_than_groups():
    with pytest.raises(ValueError, match=r"n_splits=5 is greater than the number of groups \(3\)"):
        choose_cv([0, 1] * 6, groups=[0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])


def test_choose_cv_rejects_a_class_rarer_than_n_splits():
    y = [0] * 20 + [1] * 3
    with pytest.raises(ValueError, match=r"class 1 of y has only 3 member\(s\).*n_splits<=3"):
        choose_cv(y)


def test_choose_cv_rejects_a_class_in_too_few_groups():
    y = np.array([0] * 32 + [1] * 8)
    groups = np.repeat(np.arange(10), 4)  # class 1 lives in two groups only
    with pytest.raises(
        ValueError, match=r"class 1 of y occurs in only 2 group\(s\), fewer than n_splits=5"
    ):
        choose_cv(y, groups=groups)


def test_choose_cv_rejects_nan_in_y():
    with pytest.raises(ValueError, match=r"y contains 1 missing value\(s\)"):
        choose_cv([0.0, 1.0, np.nan, 1.0, 0.0])


def test_choose_cv_rejects_groups_of_another_length():
    with pytest.raises(ValueError, match="groups has 9 entries but y has 10"):
        choose_cv([0, 1] * 5, groups=np.arange(9))


def test_choose_cv_rejects_time_of_another_length():
    with pytest.raises(ValueError, match="time has 11 entries but y has 10"):
        choose_cv([0, 1] * 5, time=np.arange(11))


@pytest.mark.parametrize("n_splits", [1, 0])
def test_choose_cv_rejects_fewer_than_two_splits(n_splits):
    with pytest.raises(ValueError, match=rf"n_splits={n_splits} is too small; use n_splits>=2"):
        choose_cv([0, 1] * 10, n_splits=n_splits)


def test_choose_cv_rejects_non_integer_splits():
    with pytest.raises(ValueError, match="n_splits must be an integer"):
        choose_cv([0, 1] * 10, n_splits=2.5)


# --------------------------------------------------------------------------- split invariants


@settings(max_examples=40, deadline=None)
@given(data=grouped_labels())
def test_group_splitters_never_put_a_group_on_both_sides(data):
    y, groups = data
    splitters = [GroupKFold(5), GroupKFold(5, shuffle=True, random_state=0)]
    if np.bincount(y, minlength=2).min() >= 5:
        splitters.append(StratifiedGroupKFold(5, shuffle=True, random_state=0))
    for cv in splitters:
        for train, test in cv.split(y, y, groups):
            assert not set(groups[train]) & set(groups[test])


@settings(max_examples=40, deadline=None)
@given(data=grouped_labels())
def test_kfold_splitters_test_every_sample_exactly_once(data):
    y, groups = data
    splitters = [KFold(5, shuffle=True, random_state=0), GroupKFold(5)]
    if np.bincount(y, minlength=2).min() >= 5:
        splitters.append(StratifiedKFold(5, shuffle=True, random_state=0))
        splitters.append(StratifiedGroupKFold(5, shuffle=True, random_state=1))
    for cv in splitters:
        counts = np.zeros(y.size, dtype=int)
        uses_groups = isinstance(cv, GroupKFold | StratifiedGroupKFold)
        for _, test in cv.split(y, y, groups if uses_groups else None):
            counts[test] += 1
        assert (counts == 1).all(), type(cv).__name__
        # and the audit agrees
        summary = audit_cv(cv, y.reshape(-1, 1), y, groups=groups).summary
        assert summary["rows_never_tested"] == 0
        assert summary["rows_tested_twice_or_more"] == 0


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(5, 60), min_size=2, max_size=4),
    n_splits=st.integers(2, 5),
    seed=st.integers(0, 1000),
)
def test_stratified_kfold_from_choose_cv_keeps_class_counts_within_one(counts, n_splits, seed):
    # Tolerance: each fold holds floor or ceil of n_c / n_splits members of class c,
    # so its class rate is within 1 / n_test of the ideal share.
    y = np.repeat(np.arange(len(counts)), counts)
    y = np.random.default_rng(seed).permutation(y)
    cv = choose_cv(y, n_splits=n_splits, random_state=seed)
    for _, test in cv.split(y.reshape(-1, 1), y):
        fold_counts = np.bincount(y[test], minlength=len(counts))
        ideal = np.asarray(counts) / n_splits
        assert np.all(np.abs(fold_counts - ideal) < 1 + 1e-9)


def test_stratified_group_kfold_balances_rates_better_than_group_kfold():
    # pbcseq-like: rare positives, several visits per patient. Stated tolerance: every fold's
    # positive rate within 0.03 of the overall rate for StratifiedGroupKFold.
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(300), rng.integers(1, 12, 300))
    sick = rng.random(300) < 0.15
    y = (sick[groups] & (rng.random(groups.size) < 0.6)).astype(int)
    X = np.zeros((y.size, 1))
    plain = audit_cv(GroupKFold(5), X, y, groups=groups).summary["worst_deviation"]
    strat = audit_cv(StratifiedGroupKFold(5, shuffle=True, random_state=0), X, y, groups=groups)
    assert strat.summary["worst_deviation"] <= 0.03
    assert strat.summary["worst_deviation"] <= plain


# --------------------------------------------------------------------------- audit_cv


@settings(max_examples=40, deadline=None)
@given(data=grouped_labels(), seed=st.integers(0, 1000))
def test_audit_cv_leaked_groups_match_set_intersection(data, seed):
    y, groups = data
    X = np.zeros((y.size, 2))
    for cv in (KFold(5, shuffle=True, random_state=seed), GroupKFold(5)):
        audit = audit_cv(cv, X, y, groups=groups)
        uses_groups = isinstance(cv, GroupKFold)
        expected = _brute_force_leaks(list(cv.split(X, y, groups if uses_groups else None)), groups)
        assert audit.folds["leaked_groups"].tolist() == expected
        assert audit.summary["total_leaked_groups"] == sum(expected)
    assert audit.summary["total_leaked_groups"] == 0  # GroupKFold, the last one


def test_audit_cv_reports_leaks_of_kfold_over_repeated_groups():
    groups = np.repeat(np.arange(50), 4)
    X = np.zeros((200, 1))
    audit = audit_cv(KFold(5, shuffle=True, random_state=0), X, groups=groups)
    assert audit.summary["total_leaked_groups"] > 0
    assert audit.summary["folds_with_leaked_groups"] == 5
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    expected_rows = [int(np.isin(groups[test], groups[train]).sum()) for train, test in splits]
    assert audit.folds["leaked_test_rows"].tolist() == expected_rows


def test_audit_cv_rates_sizes_and_worst_fold_match_direct_computation():
    rng = np.random.default_rng(1)
    y = (rng.random(300) < 0.2).astype(int)
    X = rng.normal(size=(300, 3))
    cv = KFold(4, shuffle=True, random_state=2)
    audit = audit_cv(cv, X, y)
    splits = list(cv.split(X))
    assert isinstance(audit, CVAudit)
    assert audit.folds["n_train"].tolist() == [len(tr) for tr, _ in splits]
    assert audit.folds["n_test"].tolist() == [len(te) for _, te in splits]
    rates = np.array([y[te].mean() for _, te in splits])
    np.testing.assert_allclose(audit.folds["test_positive_rate"], rates)
    deviations = np.abs(rates - y.mean())
    np.testing.assert_allclose(audit.folds["deviation"], deviations)
    assert audit.summary["worst_fold"] == int(deviations.argmax())
    assert audit.summary["positive_rate"] == pytest.approx(y.mean())
    pd.testing.assert_frame_equal(audit.to_frame(), audit.folds)


def test_audit_cv_int_cv_gives_the_folds_of_materialise_folds():
    """cv=5 in audit_cv is the same fold list as everywhere else in mlkit (issue 11)."""
    rng = np.random.default_rng(3)
    groups = rng.integers(0, 30, 150)
    y = rng.integers(0, 2, 150)
    X = np.zeros((150, 1))
    audit = audit_cv(5, X, y, groups=groups)
    folds = materialise_folds(5, X, y, groups=groups)
    expected = [test.size for _, test in folds]
    assert audit.folds["n_test"].tolist() == expected
    assert audit.splitter == "StratifiedGroupKFold"
    assert int(audit.summary["total_leaked_groups"]) == 0
    # and the per-fold positive rates are those of exactly these test folds
    rates = [float(y[test].mean()) for _, test in folds]
    assert audit.folds["test_positive_rate"].tolist() == pytest.approx(rates)
    # unshuffled StratifiedKFold (cross_validate's meaning of cv=5) would leak groups
    plain = audit_cv(StratifiedKFold(5), X, y, groups=groups)
    assert int(plain.summary["total_leaked_groups"]) > 0


def test_audit_cv_int_cv_with_time_is_time_ordered_and_none_means_five():
    rng = np.random.default_rng(4)
    time = rng.permutation(60)
    y, X = rng.integers(0, 2, 60), np.zeros((60, 1))
    audit = audit_cv(None, X, y, time=time)
    assert audit.splitter == "TimeOrderedSplit" and len(audit) == 5
    assert not audit.summary["any_test_before_train"]
    expected = [test.size for _, test in materialise_folds(None, X, y, time=time)]
    assert audit.folds["n_test"].tolist() == expected


def test_audit_cv_declared_regression_on_counts_is_unstratified():
    y = np.tile([0, 1, 2, 3], 15)
    audit = audit_cv(3, np.zeros((60, 1)), y, task="regression")
    assert audit.splitter == "KFold" and "test_target_mean" in audit.folds
    with pytest.raises(ValueError, match="task='regression' is given but y is None"):
        audit_cv(3, np.zeros((60, 1)), task="regression")


def test_plot_cv_int_cv_uses_the_same_folds_as_audit_cv():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(5)
    groups, y = rng.integers(0, 20, 80), rng.integers(0, 2, 80)
    ax = plot_cv(4, np.zeros((80, 1)), y, groups=groups)
    assert ax.get_title().startswith("StratifiedGroupKFold")
    plt.close(ax.figure)


def test_audit_cv_regression_reports_target_means():
    y = np.arange(20, dtype=float) + 0.5
    audit = audit_cv(KFold(4), np.zeros((20, 1)), y)
    expected = [y[test].mean() for _, test in KFold(4).split(y)]
    np.testing.assert_allclose(audit.folds["test_target_mean"], expected)
    assert audit.summary["target_mean"] == pytest.approx(y.mean())


def test_audit_cv_multiclass_reports_one_rate_per_class():
    y = np.array(["a", "b", "c"] * 10)
    audit = audit_cv(StratifiedKFold(5), np.zeros((30, 1)), y)
    assert {"test_rate_a", "test_rate_b", "test_rate_c"} <= set(audit.folds.columns)
    np.testing.assert_allclose(audit.folds[["test_rate_a", "test_rate_b"]].sum(axis=1), 2 / 3)


def test_audit_cv_time_order_flags_shuffled_folds_and_not_time_ordered_ones():
    time = np.random.default_rng(0).permutation(60)
    X = np.zeros((60, 1))
    ordered = audit_cv(TimeOrderedSplit(n_splits=3, time=time), X)  # time taken from cv
    assert not ordered.folds["test_before_train"].any()
    assert ordered.summary["rows_never_tested"] == 15
    shuffled = audit_cv(KFold(3, shuffle=True, random_state=0), X, time=time)
    expected = [
        bool(time[test].min() < time[train].max())
        for train, test in KFold(3, shuffle=True, random_state=0).split(X)
    ]
    assert shuffled.folds["test_before_train"].tolist() == expected
    assert shuffled.summary["any_test_before_train"]


def test_audit_cv_accepts_an_iterable_of_splits():
    X = np.zeros((10, 1))
    splits = [(np.arange(5), np.arange(5, 10)), (np.arange(5, 10), np.arange(5))]
    audit = audit_cv(splits, X, groups=np.arange(10) // 2)
    assert audit.folds["n_test"].tolist() == [5, 5]
    assert audit.folds["leaked_groups"].tolist() == _brute_force_leaks(splits, np.arange(10) // 2)


def test_audit_cv_without_groups_or_time_hides_those_columns():
    audit = audit_cv(ShuffleSplit(3, random_state=0), np.zeros((20, 1)))
    hidden = {"leaked_groups", "leaked_test_rows", "test_before_train", "deviation"}
    assert not hidden & set(audit.folds.columns)
    assert not audit.folds.isna().any().any()
    assert "total_leaked_groups" not in audit.summary
    assert "CVAudit of ShuffleSplit" in str(audit)


def test_audit_cv_rejects_group_splitter_without_groups():
    with pytest.raises(ValueError, match="cv=GroupKFold needs groups but groups is None"):
        audit_cv(GroupKFold(3), np.zeros((12, 1)))


def test_audit_cv_rejects_stratified_splitter_without_y():
    with pytest.raises(ValueError, match="cv=StratifiedKFold stratifies on y but y is None"):
        audit_cv(StratifiedKFold(3), np.zeros((12, 1)))


def test_audit_cv_rejects_inputs_of_different_lengths():
    with pytest.raises(ValueError, match="groups must have one entry per sample like X"):
        audit_cv(KFold(3), np.zeros((12, 1)), groups=np.arange(10))


@pytest.mark.parametrize(("cv", "message"), [("five", "cv must be None, an int >= 2"), (1, "cv=1")])
def test_audit_cv_rejects_bad_cv(cv, message):
    with pytest.raises(ValueError, match=message):
        audit_cv(cv, np.zeros((12, 1)))


def test_audit_cv_rejects_missing_groups():
    groups = np.array([0, 1, np.nan, 1, 0, 2], dtype=float)
    with pytest.raises(ValueError, match="groups contains missing values"):
        audit_cv(KFold(2), np.zeros((6, 1)), groups=groups)


# --------------------------------------------------------------------------- plot_cv


def test_plot_cv_draws_one_band_per_fold_plus_class_and_group():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = np.repeat(np.arange(12), 3)
    y = np.tile([0, 1, 1], 12)
    fig, ax = plt.subplots()
    returned = plot_cv(StratifiedGroupKFold(3), np.zeros((36, 1)), y, groups=groups, ax=ax)
    assert returned is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["fold 0", "fold 1", "fold 2", "class", "group"]
    image = ax.get_images()[0].get_array()
    assert image.shape[:2] == (5, 36)
    assert "StratifiedGroupKFold" in ax.get_title()
    plt.close(fig)


def test_plot_cv_marks_rows_left_out_of_a_fold():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = plot_cv(TimeSeriesSplit(3), np.zeros((20, 1)))
    assert "not used" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_plot_cv_rejects_group_splitter_without_groups():
    with pytest.raises(ValueError, match=r"needs groups but groups is None; pass plot_cv\("):
        plot_cv(GroupKFold(3), np.zeros((12, 1)))


def test_import_splits_does_not_import_matplotlib():
    code = "import sys, mlkit.splits; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_audit_cv_reads_like_its_per_fold_table() -> None:
    X = np.zeros((12, 1))
    groups = np.repeat(np.arange(6), 2)
    audit = audit_cv(KFold(3, shuffle=True, random_state=0), X, groups=groups)
    assert len(audit) == 3
    assert audit.shape == audit.folds.shape
    pd.testing.assert_series_equal(audit["leaked_groups"], audit.folds["leaked_groups"])
    assert list(audit.columns) == list(audit.folds.columns)
    assert int(audit["leaked_groups"].sum()) == int(audit.summary["total_leaked_groups"])
    with pytest.raises(AttributeError):
        audit.not_a_column_or_method  # noqa: B018


def test_time_ordered_split_orders_a_subsample_by_its_own_times() -> None:
    import pandas as pd

    from mlkit.splits import TimeOrderedSplit

    rng = np.random.default_rng(0)
    time = pd.Series(rng.permutation(100), index=np.arange(100) * 3)
    X = pd.DataFrame({"x": rng.normal(size=100)}, index=time.index)
    cv = TimeOrderedSplit(n_splits=3, time=time)
    sub = X.sample(40, random_state=1)
    for train, test in cv.split(sub):
        assert time.loc[sub.index[train]].max() <= time.loc[sub.index[test]].min()


def test_time_ordered_split_time_as_column_name() -> None:
    import pandas as pd

    from mlkit.splits import TimeOrderedSplit

    X = pd.DataFrame({"t": [5, 1, 4, 2, 3, 0], "x": range(6)})
    folds = list(TimeOrderedSplit(n_splits=2, time="t").split(X))
    assert [sorted(X["t"].iloc[test].tolist()) for _, test in folds] == [[2, 3], [4, 5]]
    with pytest.raises(ValueError, match="time='when' names a column"):
        list(TimeOrderedSplit(n_splits=2, time="when").split(X))


def test_choose_cv_never_advises_fewer_than_two_splits() -> None:
    y = np.array([0] * 20 + [1])
    with pytest.raises(ValueError) as error:
        choose_cv(y, n_splits=5)
    message = str(error.value)
    assert "n_splits<=1" not in message and "needs at least 2" in message
    assert "np.int64" not in message


def test_choose_cv_honours_declared_regression_on_counts():
    y = np.tile([0, 1, 2, 3], 10)
    assert type(choose_cv(y)).__name__ == "StratifiedKFold"
    assert type(choose_cv(y, task="regression")).__name__ == "KFold"
    with pytest.raises(ValueError, match="task='binary' but y has 4 classes"):
        choose_cv(y, task="binary")


def test_materialise_folds_int_cv_with_time_trains_on_the_past():
    rng = np.random.default_rng(0)
    time = rng.permutation(40)
    X, y = np.zeros((40, 1)), np.tile([0, 1], 20)
    folds = materialise_folds(4, X, y, time=time)
    assert len(folds) == 4
    for train, test in folds:
        assert time[train].max() < time[test].min()


def test_materialise_folds_checks_time_and_task_with_a_splitter():
    from sklearn.model_selection import KFold

    X, y = np.zeros((20, 1)), np.tile([0, 1], 10)
    with pytest.raises(ValueError, match="time has 3 entries"):
        materialise_folds(KFold(2), X, y, time=[1, 2, 3])
    with pytest.raises(ValueError, match="task='multiclass'"):
        materialise_folds(KFold(2), X, y, task="multiclass")


def test_repeated_folds_count_target_declared_regression_is_unstratified():
    from mlkit.splits import repeated_folds

    y = np.random.default_rng(0).poisson(2.0, size=50)
    X = np.zeros((50, 1))
    folds = repeated_folds(X, y, task="regression", n_splits=5, n_repeats=2)
    expected = [
        test for r in range(2) for _, test in KFold(5, shuffle=True, random_state=r).split(X)
    ]
    assert all(np.array_equal(t, e) for (_, t), e in zip(folds, expected, strict=True))
