"""Tests of mlkit.drift: data drift tests, BH, PSI, profiles, river detectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mlkit.drift import (
    DriftProfile,
    data_drift,
    detect_changes,
    population_stability_index,
    prediction_drift,
    target_drift,
)


def _frames(n_ref: int, n_cur: int, *, shift: float = 0.0, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)

    def one(n: int, s: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "x": rng.normal(s, 1, n),
                "y": rng.exponential(1 + s, n),
                "few": rng.integers(0, 4, n),
                "cat": rng.choice(np.array(["a", "b", "c"], dtype=object), n),
                "flag": rng.choice(np.array(["yes", "no"], dtype=object), n),
            }
        )

    return one(n_ref, 0.0), one(n_cur, shift)


# --------------------------------------------------------------------------- statistics


def test_data_drift_small_reference_statistics_equal_scipy() -> None:
    ref, cur = _frames(800, 600, shift=0.3)
    table = data_drift(ref, cur).to_frame()
    assert table["test"].to_dict() == {"x": "ks", "y": "ks", "few": "chi2", "cat": "chi2",
                                       "flag": "z"}  # fmt: skip
    for column in ("x", "y"):
        expected = stats.ks_2samp(ref[column], cur[column])
        assert table.loc[column, "statistic"] == pytest.approx(expected.statistic)
        assert table.loc[column, "p_value"] == pytest.approx(expected.pvalue)
    for column in ("few", "cat"):
        counts = pd.crosstab(
            np.r_[np.zeros(len(ref)), np.ones(len(cur))], np.r_[ref[column], cur[column]]
        )
        chi2, p, _, _ = stats.chi2_contingency(counts.to_numpy(), correction=False)
        assert table.loc[column, "statistic"] == pytest.approx(chi2)
        assert table.loc[column, "p_value"] == pytest.approx(p)
    # two-proportion pooled Z-test, by hand
    a, b = (ref["flag"] == "no").mean(), (cur["flag"] == "no").mean()
    pooled = (a * len(ref) + b * len(cur)) / (len(ref) + len(cur))
    z = (b - a) / np.sqrt(pooled * (1 - pooled) * (1 / len(ref) + 1 / len(cur)))
    assert table.loc["flag", "statistic"] == pytest.approx(z)
    assert table.loc["flag", "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))


def test_data_drift_large_reference_distances_equal_scipy() -> None:
    ref, cur = _frames(3000, 2000, shift=0.2)
    table = data_drift(ref, cur).to_frame()
    assert table["test"].to_dict() == {"x": "wasserstein", "y": "wasserstein",
                                       "few": "jensenshannon", "cat": "jensenshannon",
                                       "flag": "jensenshannon"}  # fmt: skip
    for column in ("x", "y"):
        expected = stats.wasserstein_distance(ref[column], cur[column]) / np.std(ref[column])
        assert table.loc[column, "distance"] == pytest.approx(expected)
        assert table.loc[column, "drifted"] == (expected >= 0.1)
    for column in ("few", "cat", "flag"):
        r = ref[column].astype(str).value_counts(normalize=True)
        c = cur[column].astype(str).value_counts(normalize=True)
        cats = sorted(set(r.index) | set(c.index))
        expected = jensenshannon(r.reindex(cats, fill_value=0), c.reindex(cats, fill_value=0))
        assert table.loc[column, "distance"] == pytest.approx(expected)
    assert table["p_value"].isna().all() and table["p_adjusted"].isna().all()


def test_data_drift_benjamini_hochberg_matches_hand_computation() -> None:
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({f"x{j}": rng.normal(0, 1, 300) for j in range(6)})
    cur = pd.DataFrame({f"x{j}": rng.normal(0.05 * j, 1, 300) for j in range(6)})
    report = data_drift(ref, cur, alpha=0.1)
    p = report.table["p_value"].to_numpy()
    m = p.size
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adjusted_sorted = np.minimum(np.minimum.accumulate(ranked[::-1])[::-1], 1.0)
    expected = np.empty(m)
    expected[order] = adjusted_sorted
    np.testing.assert_allclose(report.table["p_adjusted"], expected)
    assert (report.table["drifted"] == (expected < 0.1)).all()
    assert report.share_drifted == pytest.approx(np.mean(expected < 0.1))


def test_psi_equals_hand_computation() -> None:
    reference = np.arange(1000.0)  # deciles split it into 10 bins of 100 values
    current = np.arange(100.0)  # everything falls into the first bin
    floor = 1e-4
    expected = (1 - 0.1) * np.log(1 / 0.1) + 9 * (floor - 0.1) * np.log(floor / 0.1)
    assert population_stability_index(reference, current) == pytest.approx(expected)
    table = data_drift(pd.DataFrame({"v": reference}), pd.DataFrame({"v": current})).table
    assert table.loc["v", "psi"] == pytest.approx(expected)
    cats = population_stability_index(["a"] * 50 + ["b"] * 50, ["a"] * 80 + ["b"] * 20,
                                      categorical=True)  # fmt: skip
    assert cats == pytest.approx((0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.4))


def test_data_drift_false_positive_rate_on_stationary_data_is_at_most_alpha() -> None:
    alpha, n_seeds, n_columns = 0.05, 200, 8
    any_drift = column_flags = 0
    for seed in range(n_seeds):
        rng = np.random.default_rng(seed)
        ref = pd.DataFrame({f"x{j}": rng.normal(size=200) for j in range(n_columns)})
        cur = pd.DataFrame({f"x{j}": rng.normal(size=200) for j in range(n_columns)})
        ref["c"], cur["c"] = rng.choice(["a", "b", "c"], 200), rng.choice(["a", "b", "c"], 200)
        report = data_drift(ref, cur, alpha=alpha)
        any_drift += bool(report.table["drifted"].any())
        column_flags += int(report.table["drifted"].sum())
    # BH controls the family-wise rate under the global null; allow 3 binomial SEs
    tolerance = 3 * np.sqrt(alpha * (1 - alpha) / n_seeds)
    assert any_drift / n_seeds <= alpha + tolerance
    assert column_flags / (n_seeds * (n_columns + 1)) <= alpha


def test_data_drift_distances_stay_below_threshold_on_large_stationary_data() -> None:
    flagged = 0
    for seed in range(20):
        ref, cur = _frames(5000, 5000, seed=seed)
        flagged += int(data_drift(ref, cur).table["drifted"].sum())
    assert flagged == 0


def test_data_drift_detects_a_real_shift() -> None:
    ref, cur = _frames(500, 500, shift=1.0)
    report = data_drift(ref, cur)
    assert {"x", "y"} <= set(report.drifted_columns)
    assert "drifted" in report.summary()


def test_data_drift_method_override_and_columns() -> None:
    ref, cur = _frames(3000, 3000, shift=0.1)
    table = data_drift(ref, cur, columns=["x", "cat"], method={"x": "ks"}).table
    assert table.index.tolist() == ["x", "cat"]
    assert table["test"].tolist() == ["ks", "jensenshannon"]
    assert table.loc["x", "p_value"] == pytest.approx(stats.ks_2samp(ref["x"], cur["x"]).pvalue)


def test_data_drift_drops_missing_values() -> None:
    ref, cur = _frames(300, 300, shift=0.5)
    cur.loc[:49, "x"] = np.nan
    table = data_drift(ref, cur).table
    assert table.loc["x", "n_current"] == 250
    expected = stats.ks_2samp(ref["x"], cur["x"].dropna())
    assert table.loc["x", "p_value"] == pytest.approx(expected.pvalue)


# --------------------------------------------------------------------------- profile


def test_profile_round_trip_equals_frame_when_stored_whole(tmp_path: Path) -> None:
    ref, cur = _frames(900, 700, shift=0.2)
    profile = DriftProfile.from_frame(ref, max_rows=5000)
    folder = profile.save(tmp_path / "profile")
    assert sorted(p.name for p in folder.iterdir()) == ["profile.json", "sample.parquet"]
    loaded = DriftProfile.load(folder)
    direct = data_drift(ref, cur).to_frame()
    via = data_drift(loaded, cur).to_frame()
    pd.testing.assert_frame_equal(direct, via, check_dtype=False)


def test_profile_of_large_reference_uses_full_row_count_and_counts(tmp_path: Path) -> None:
    ref, cur = _frames(20_000, 3000, shift=0.2)
    profile = DriftProfile.load(DriftProfile.from_frame(ref, max_rows=2000).save(tmp_path))
    assert profile.n_rows == 20_000 and len(profile.sample) == 2000
    direct = data_drift(ref, cur).to_frame()
    via = data_drift(profile, cur).to_frame()
    assert via["test"].tolist() == direct["test"].tolist()
    for column in ("cat", "flag"):  # category shares of the full reference are stored
        assert via.loc[column, "distance"] == pytest.approx(direct.loc[column, "distance"])
    np.testing.assert_allclose(via["psi"], direct["psi"])
    # the Wasserstein distance uses the stored sample: close, not equal
    assert via.loc["x", "distance"] == pytest.approx(direct.loc["x", "distance"], abs=0.05)


def test_profile_load_of_a_folder_without_profile_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="holds no drift profile"):
        DriftProfile.load(tmp_path)


# --------------------------------------------------------------------------- predictions/target


def test_prediction_and_target_drift() -> None:
    from sklearn.linear_model import LogisticRegression

    ref, cur = _frames(500, 500, shift=1.0)
    model = LogisticRegression().fit(ref[["x", "y"]], (ref["x"] > 0).astype(int))
    report = prediction_drift(model, ref[["x", "y"]], cur[["x", "y"]])
    expected = stats.ks_2samp(
        model.predict_proba(ref[["x", "y"]])[:, 1], model.predict_proba(cur[["x", "y"]])[:, 1]
    )
    assert report.table.loc["prediction", "p_value"] == pytest.approx(expected.pvalue)
    target = target_drift(ref["few"], cur["few"]).table
    assert target.loc["target", "test"] == "chi2"


def test_report_plot_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    ref, cur = _frames(300, 300, shift=0.5)
    ax = data_drift(ref, cur).plot()
    assert ax.get_xlabel().startswith("PSI")


# --------------------------------------------------------------------------- bad input


def test_data_drift_different_columns_are_named() -> None:
    ref, cur = _frames(100, 100)
    with pytest.raises(ValueError, match=r"only in reference \['flag'\], only in current \['z'\]"):
        data_drift(ref, cur.drop(columns="flag").assign(z=1.0))
    with pytest.raises(ValueError, match=r"columns \['nope'\] are not in reference"):
        data_drift(ref, cur, columns=["nope"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alpha": 1.5}, r"alpha=1.5 must be a number strictly between 0 and 1"),
        ({"method": "t-test"}, r"method='t-test' is not known"),
        ({"method": {"cat": "ks"}}, r"method='ks' needs a numeric column but 'cat'"),
        ({"method": {"cat": "z"}}, r"method='z' compares two proportions but 'cat' has 3"),
        ({"threshold": 0}, r"threshold=0 must be a positive number"),
    ],
)
def test_data_drift_bad_arguments(kwargs: dict, match: str) -> None:
    ref, cur = _frames(100, 100)
    with pytest.raises(ValueError, match=match):
        data_drift(ref, cur, **kwargs)


def test_data_drift_bad_frames() -> None:
    ref, cur = _frames(100, 100)
    with pytest.raises(ValueError, match="current must be a pandas DataFrame"):
        data_drift(ref, cur.to_numpy())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="reference has no rows"):
        data_drift(ref.iloc[:0], cur)
    with pytest.raises(ValueError, match="column 'x' is numeric in reference but categorical"):
        data_drift(ref, cur.assign(x=cur["x"].astype(str)))


# --------------------------------------------------------------------------- detectors


def _stream(seed: int, *, change: int = 1000, n: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.r_[rng.binomial(1, 0.1, change), rng.binomial(1, 0.3, n - change)].astype(float)


def test_detect_changes_equals_plain_river_loop() -> None:
    from river.drift import ADWIN, PageHinkley
    from river.drift.binary import DDM

    stream = _stream(0)
    for name, detector in (("adwin", ADWIN()), ("page_hinkley", PageHinkley()), ("ddm", DDM())):
        expected = []
        for i, value in enumerate(stream):
            detector.update(bool(value) if name == "ddm" else value)
            if detector.drift_detected:
                expected.append(i)
        assert detect_changes(stream, detector=name).tolist() == expected, name


@pytest.mark.slow
@pytest.mark.parametrize("detector", ["adwin", "page_hinkley", "ddm"])
def test_detectors_fire_after_a_known_change_within_500_steps(detector: str) -> None:
    change, delay, n_seeds = 1000, 500, 60
    caught = false_alarm = 0
    for seed in range(n_seeds):
        hits = detect_changes(_stream(seed, change=change), detector=detector)
        false_alarm += bool((hits < change).any())
        after = hits[hits >= change]
        caught += bool(after.size and after[0] - change <= delay)
    print(f"{detector}: caught {caught}/{n_seeds} within {delay}, false alarm before the "
          f"change in {false_alarm}/{n_seeds} seeds")  # fmt: skip
    assert caught / n_seeds >= 0.8
    assert false_alarm / n_seeds <= 0.5


def test_detect_changes_bad_input() -> None:
    with pytest.raises(ValueError, match=r"detector='cusum' is not known; use one of adwin"):
        detect_changes([0, 1, 0], detector="cusum")
    with pytest.raises(ValueError, match=r"errors must be 0/1 .* for detector='ddm'"):
        detect_changes([0.5, 1.0], detector="ddm")
    with pytest.raises(ValueError, match="errors contain NaN"):
        detect_changes([0.0, np.nan])
    with pytest.raises(ValueError, match="params for detector='adwin'"):
        detect_changes([0.0, 1.0], detector="adwin", window=3)


def test_psi_and_profile_bad_input() -> None:
    with pytest.raises(ValueError, match="at least one non-missing value each"):
        population_stability_index([np.nan], [1.0])
    with pytest.raises(ValueError, match=r"max_rows=5 must be an int >= 10"):
        DriftProfile.from_frame(pd.DataFrame({"x": range(20)}), max_rows=5)
    with pytest.raises(ValueError, match="reference must be a pandas DataFrame"):
        DriftProfile.from_frame([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"reference must be 1-D .* has shape \(3, 2\)"):
        target_drift(np.zeros((3, 2)), [1, 2])
