"""Tests of mlkit.stats.paired_bootstrap (the champion gate's noise model)."""

from __future__ import annotations

import numpy as np
import pytest

from mlkit.stats import BootstrapInterval, paired_bootstrap


def test_paired_bootstrap_constant_difference_has_a_zero_width_interval() -> None:
    a = np.arange(10.0)
    result = paired_bootstrap(lambda rows: float(np.mean(a[rows] - (a[rows] - 0.5))), 10)
    assert isinstance(result, BootstrapInterval)
    assert result.estimate == result.ci_low == result.ci_high == pytest.approx(0.5)
    assert result.n_valid == result.n_resamples == 1000 and result.resampled == "rows"


def test_paired_bootstrap_row_interval_matches_the_normal_theory_width() -> None:
    rng = np.random.default_rng(0)
    d = rng.normal(0.2, 1.0, size=400)
    result = paired_bootstrap(lambda rows: float(d[rows].mean()), d.size, n_resamples=2000)
    expected = 2 * 1.96 * d.std(ddof=1) / np.sqrt(d.size)  # independent: CLT interval
    assert result.ci_high - result.ci_low == pytest.approx(expected, rel=0.12)
    assert result.ci_low < d.mean() < result.ci_high
    assert result.estimate == pytest.approx(d.mean())


def test_paired_bootstrap_resamples_whole_groups() -> None:
    """Four identical rows per group carry the information of one row: a wider interval."""
    rng = np.random.default_rng(1)
    per_group = rng.normal(size=100)
    d = np.repeat(per_group, 4)
    groups = np.repeat(np.arange(100), 4)
    rows = paired_bootstrap(lambda r: float(d[r].mean()), d.size, n_resamples=1500)
    grouped = paired_bootstrap(
        lambda r: float(d[r].mean()), d.size, groups=groups, n_resamples=1500
    )
    expected = 2 * 1.96 * per_group.std(ddof=1) / np.sqrt(100)  # 100 independent units
    assert grouped.ci_high - grouped.ci_low == pytest.approx(expected, rel=0.15)
    ratio = (grouped.ci_high - grouped.ci_low) / (rows.ci_high - rows.ci_low)
    assert 1.6 < ratio < 2.4  # sqrt(4) = 2
    assert grouped.n_units == 100 and grouped.resampled == "groups"


def test_paired_bootstrap_every_resample_keeps_groups_whole() -> None:
    groups = np.repeat(np.array(["a", "b", "c", "d", "e"]), [1, 2, 3, 4, 5])
    seen: list[np.ndarray] = []

    def record(rows: np.ndarray) -> float:
        seen.append(rows.copy())
        return 0.0

    paired_bootstrap(record, groups.size, groups=groups, n_resamples=100)
    for rows in seen[1:]:  # the first call is the estimate on all rows
        labels, counts = np.unique(groups[rows], return_counts=True)
        sizes = dict(zip(*np.unique(groups, return_counts=True), strict=True))
        assert all(count % sizes[label] == 0 for label, count in zip(labels, counts, strict=True))


def test_paired_bootstrap_skips_undefined_resamples_and_counts_them() -> None:
    y = np.array([0] * 18 + [1] * 2)

    def needs_both_classes(rows: np.ndarray) -> float:
        if np.unique(y[rows]).size < 2:
            raise ValueError("one class")
        return float(y[rows].mean())

    result = paired_bootstrap(needs_both_classes, y.size, n_resamples=500)
    assert 0 < result.n_resamples - result.n_valid < result.n_resamples / 2


def test_paired_bootstrap_refuses_a_mostly_undefined_statistic() -> None:
    with pytest.raises(ValueError, match=r"undefined on \d+ of 200 resamples"):
        paired_bootstrap(lambda rows: float("nan"), 10, n_resamples=200)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"statistic": "mean"}, r"statistic must be a callable"),
        ({"n_samples": 1}, r"n_samples=1 must be an integer >= 2"),
        ({"n_resamples": 50}, r"n_resamples=50 is too few"),
        ({"confidence": 1.0}, r"confidence=1.0 must be strictly between 0 and 1"),
        ({"groups": [0, 1]}, r"groups has 2 values but n_samples=10"),
        ({"groups": [0] * 10}, r"fewer than 2 groups"),
    ],
)
def test_paired_bootstrap_bad_input_names_the_argument(kwargs: dict, match: str) -> None:
    args = {"statistic": lambda rows: 0.0, "n_samples": 10} | kwargs
    statistic, n_samples = args.pop("statistic"), args.pop("n_samples")
    with pytest.raises(ValueError, match=match):
        paired_bootstrap(statistic, n_samples, **args)


def test_paired_bootstrap_undefined_resamples_are_counted_silently() -> None:
    import warnings

    from sklearn.metrics import roc_auc_score

    from mlkit.stats import paired_bootstrap

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(6), 3)
    y = np.r_[np.ones(3), np.zeros(15)]  # one positive patient: many resamples lack it
    score = rng.uniform(size=y.size)

    def statistic(rows: np.ndarray) -> float:
        if np.unique(y[rows]).size < 2:
            return roc_auc_score(y[rows], score[rows])  # nan, with a warning
        return roc_auc_score(y[rows], score[rows]) - 0.5

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            result = paired_bootstrap(statistic, y.size, groups=groups, n_resamples=200)
        except ValueError as error:  # too many undefined resamples: said, not warned
            assert "undefined" in str(error)
        else:
            assert result.n_valid < 200
