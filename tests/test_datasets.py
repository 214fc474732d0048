"""Tests of mlkit.datasets: shapes, dtypes, checksums, labels, generator determinism."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.datasets import (
    Dataset,
    data_path,
    load_flights,
    load_pbcseq,
    make_patient_visits,
    verify_checksums,
)


def test_verify_checksums_all_files_match() -> None:
    result = verify_checksums()
    assert set(result) == {"pbcseq.csv.gz", "flights.csv.gz"}
    assert all(result.values())


def test_checksums_file_matches_independent_sha256() -> None:
    listed = json.loads(data_path("checksums.json").read_text())
    for name, digest in listed.items():
        assert hashlib.sha256(data_path(name).read_bytes()).hexdigest() == digest


def test_data_path_unknown_file_names_argument() -> None:
    with pytest.raises(ValueError, match=r"filename='nope\.csv' is not a vendored data file"):
        data_path("nope.csv")


def _raw_pbcseq() -> pd.DataFrame:
    return pd.read_csv(data_path("pbcseq.csv.gz"), compression="gzip")


def test_load_pbcseq_shapes_groups_and_dtypes() -> None:
    raw = _raw_pbcseq()
    known = ~((raw["status"] != 2) & (raw["futime"] - raw["day"] <= 730))
    data = load_pbcseq()
    assert isinstance(data, Dataset)
    assert data.X.shape == (int(known.sum()), 15)
    assert data.groups is not None and data.groups.nunique() == raw.loc[known, "id"].nunique()
    n = data.n_samples
    assert len(data.y) == len(data.groups) == len(data.time) == len(data.status) == n
    assert data.X.index.equals(pd.RangeIndex(n))
    assert set(data.y.unique()) == {0, 1}
    assert all(data.X[c].dtype.kind in "fi" for c in data.X.columns)
    assert set(data.status.unique()) == {0, 1, 2}


def test_load_pbcseq_has_no_visit_with_unknown_two_year_outcome() -> None:
    data = load_pbcseq()
    assert data.status is not None and data.time is not None and data.groups is not None
    raw = _raw_pbcseq().set_index(["id", "day"])
    futime = raw.loc[list(zip(data.groups, data.time, strict=True)), "futime"].to_numpy()
    followed = futime - data.time.to_numpy()
    # every kept visit: a death within 2 years (positive) or >2 years of follow-up
    dead_soon = (data.status.to_numpy() == 2) & (followed <= 730)
    assert (dead_soon | (followed > 730)).all()
    np.testing.assert_array_equal(data.y.to_numpy(), dead_soon.astype(int))


def test_load_pbcseq_label_is_death_within_horizon_from_raw_file() -> None:
    raw = _raw_pbcseq()
    kept = load_pbcseq(unknown_outcome="negative")
    expected = ((raw["status"] == 2) & (raw["futime"] - raw["day"] <= 730)).astype(int)
    np.testing.assert_array_equal(kept.y.to_numpy(), expected.to_numpy())
    data = load_pbcseq()
    assert data.y.sum() == expected.sum()  # dropping unknowns drops no death
    assert 0.10 < data.y.mean() < 0.20
    longer = load_pbcseq(horizon_days=3650, unknown_outcome="negative")
    assert (longer.y >= kept.y).all() and longer.y.sum() > kept.y.sum()
    assert load_pbcseq(horizon_days=3650).n_samples < data.n_samples  # more unknowns


def test_pbcseq_readme_numbers_match_the_loader() -> None:
    readme = (Path(__file__).resolve().parents[1] / "mlkit" / "data" / "README.md").read_text()
    raw = _raw_pbcseq()
    within = raw["futime"] - raw["day"] <= 730
    data = load_pbcseq()
    assert data.groups is not None
    positive_patients = int(data.y.groupby(data.groups).max().sum())
    for phrase in (
        f"For {int(((raw['status'] != 2) & within).sum())} of the {len(raw)} visits",
        f"{int(((raw['status'] == 0) & within).sum())} censored",
        f"{int(((raw['status'] == 1) & within).sum())} transplanted",
        f"{data.n_samples} visits of {data.groups.nunique()} patients, "
        f"{int(data.y.sum())} positive ({data.y.mean():.1%})",
        f"{positive_patients} of the {data.groups.nunique()} patients",
    ):
        assert phrase in " ".join(readme.split()), phrase


def test_load_pbcseq_visits_are_within_follow_up() -> None:
    raw = pd.read_csv(data_path("pbcseq.csv.gz"), compression="gzip")
    assert (raw["day"] <= raw["futime"]).all()
    # every patient has one fixed registration age and sex across visits
    assert (raw.groupby("id")["age"].nunique() == 1).all()


def test_load_pbcseq_bad_horizon_names_argument() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        load_pbcseq(horizon_days=0)


def test_load_pbcseq_bad_unknown_outcome_names_argument() -> None:
    with pytest.raises(ValueError, match=r"unknown_outcome='keep'.*'drop'"):
        load_pbcseq(unknown_outcome="keep")


def test_load_flights_time_ordered_every_month_present() -> None:
    data = load_flights()
    assert data.X.shape == (48000, 15)
    assert data.time is not None and data.time.is_monotonic_increasing
    assert data.time.dt.year.eq(2013).all()
    counts = data.time.dt.month.value_counts()
    assert sorted(counts.index) == list(range(1, 13))
    assert counts.min() >= 3000
    assert set(data.y.unique()) == {0, 1}
    for column in ("carrier", "origin", "dest"):
        assert data.X[column].map(type).eq(str).all()


def test_load_flights_regression_target_consistent_with_label() -> None:
    delayed = load_flights()
    minutes = load_flights(target="arr_delay")
    assert minutes.y.dtype == np.float64
    np.testing.assert_array_equal((minutes.y > 15).astype(int), delayed.y)


def test_load_flights_unknown_target_names_argument() -> None:
    with pytest.raises(ValueError, match="target='late' is not supported"):
        load_flights(target="late")


def test_vendored_files_are_modest_in_size() -> None:
    assert data_path("flights.csv.gz").stat().st_size < 10 * 2**20
    with gzip.open(data_path("flights.csv.gz"), "rt") as handle:
        header = handle.readline().strip().split(",")
    assert "arr_delay" in header and "sched_dep" in header


def test_make_patient_visits_same_seed_same_cohort() -> None:
    a = make_patient_visits(n_patients=40, random_state=7)
    b = make_patient_visits(n_patients=40, random_state=7)
    pd.testing.assert_frame_equal(a.X, b.X)
    pd.testing.assert_series_equal(a.y, b.y)
    c = make_patient_visits(n_patients=40, random_state=8)
    assert not a.X.equals(c.X)


@settings(max_examples=25, deadline=None)
@given(
    n_patients=st.integers(2, 60),
    low=st.integers(1, 4),
    extra=st.integers(0, 5),
    n_features=st.integers(1, 8),
    seed=st.integers(0, 10_000),
)
def test_make_patient_visits_structure_invariants(
    n_patients: int, low: int, extra: int, n_features: int, seed: int
) -> None:
    cohort = make_patient_visits(
        n_patients=n_patients,
        visits_per_patient=(low, low + extra),
        n_features=n_features,
        n_informative=1,
        random_state=seed,
    )
    assert cohort.groups is not None and cohort.time is not None
    visits = cohort.groups.value_counts()
    assert cohort.groups.nunique() == n_patients
    assert visits.min() >= low and visits.max() <= low + extra
    assert cohort.X.shape == (len(cohort.y), n_features)
    assert cohort.true_proba is not None
    assert cohort.true_proba.between(0, 1).all()
    # visit days start at 0 and increase within each patient
    first_days = cohort.time.groupby(cohort.groups).first()
    assert (first_days == 0).all()
    assert cohort.time.groupby(cohort.groups).apply(lambda s: s.is_monotonic_increasing).all()


def test_make_patient_visits_hits_requested_positive_rate() -> None:
    cohort = make_patient_visits(n_patients=3000, positive_rate=0.1, random_state=0)
    assert cohort.true_proba is not None
    assert abs(cohort.true_proba.mean() - 0.1) < 1e-6
    assert abs(cohort.y.mean() - 0.1) < 0.015


def test_make_patient_visits_signature_makes_patients_recognisable() -> None:
    cohort = make_patient_visits(n_patients=300, identity=2.0, noise=0.5, random_state=0)
    anonymous = make_patient_visits(n_patients=300, identity=0.0, noise=0.5, random_state=0)

    def within_share(d: Dataset) -> float:
        # share of feature variance explained by the patient (intra-class correlation)
        assert d.groups is not None
        means = d.X.groupby(d.groups.to_numpy()).transform("mean")
        return float(
            ((means - d.X.mean()) ** 2).to_numpy().sum()
            / ((d.X - d.X.mean()) ** 2).to_numpy().sum()
        )

    assert within_share(cohort) > 0.8
    assert within_share(anonymous) < 0.35


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_patients": 1}, "n_patients=1 is too small"),
        ({"positive_rate": 1.5}, "positive_rate=1.5 must be strictly between 0 and 1"),
        ({"visits_per_patient": (3, 2)}, "visits_per_patient"),
        ({"visits_per_patient": "many"}, "visits_per_patient must be a"),
        ({"n_informative": 20, "n_features": 5}, "n_informative=20 exceeds n_features=5"),
        ({"noise": -1.0}, "noise=-1.0 must be a finite number"),
        ({"signal": float("nan")}, "signal=nan must be a finite number"),
    ],
)
def test_make_patient_visits_bad_input_names_argument(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        make_patient_visits(**kwargs)


def test_dataset_summary_reports_rows_groups_rate() -> None:
    data = load_pbcseq()
    summary = data.summary()
    assert data.groups is not None
    assert summary["rows"] == len(data.y)
    assert summary["groups"] == data.groups.nunique()
    assert summary["positive rate"] == round(float(data.y.mean()), 4)
