"""Datasets: real data vendored in ``mlkit/data/`` and a synthetic patient cohort.

Nothing here downloads: the real datasets are small extracts shipped with the
package (see ``mlkit/data/README.md`` for provenance, licences and checksums) and
the synthetic cohort is generated from a seed.

- :func:`load_pbcseq`: follow-up visits of liver patients (Mayo Clinic PBC study),
  label "death within 2 years of the visit", grouped by patient; visits whose 2-year
  outcome is unknown (censored or transplanted within 2 years) are left out.
- :func:`load_flights`: 48,000 New York City flights of 2013 with the weather at the
  origin, label "arrived more than 15 minutes late", ordered in time.
- :func:`make_patient_visits`: a cohort of patients with several visits each, a
  patient-specific signature in the features and a known true risk per visit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import check_choice, check_positive_int

__all__ = [
    "Dataset",
    "data_path",
    "load_flights",
    "load_pbcseq",
    "make_patient_visits",
    "verify_checksums",
]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A supervised dataset with optional group and time structure.

    Attributes
    ----------
    name : str
        Short name of the dataset.
    X : DataFrame of shape (n_samples, n_features)
        Features.
    y : Series of shape (n_samples,)
        Target.
    groups : Series or None
        Group (subject) id of each row; rows of one group are not independent.
    time : Series or None
        Time of each row (days since registration, or a timestamp).
    status : Series or None
        Raw outcome status where the label was derived from it (pbcseq).
    true_proba : Series or None
        The true probability of the positive class (synthetic data only).
    description : str
        What the rows, features and label are.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    groups: pd.Series | None = None
    time: pd.Series | None = None
    status: pd.Series | None = None
    true_proba: pd.Series | None = None
    description: str = field(default="", repr=False)

    @property
    def n_samples(self) -> int:
        """Number of rows."""
        return int(self.X.shape[0])

    def summary(self) -> pd.Series:
        """A one-column overview: rows, features, groups, positive rate, time span."""
        info: dict[str, Any] = {"rows": self.n_samples, "features": int(self.X.shape[1])}
        if self.groups is not None:
            info["groups"] = int(self.groups.nunique())
        if self.y.dtype.kind in "biu" and self.y.nunique() == 2:
            info["positive rate"] = round(float(self.y.mean()), 4)
        else:
            info["target mean"] = round(float(self.y.mean()), 4)
        if self.time is not None:
            info["time from"] = self.time.min()
            info["time to"] = self.time.max()
        return pd.Series(info, name=self.name, dtype=object)


# --------------------------------------------------------------------------- files


def data_path(filename: str) -> Any:
    """Path of a vendored data file inside the installed package.

    Works from any working directory (chapters executed in a scratch folder,
    a user's project), because it resolves through the package, never a relative path.
    """
    path = resources.files("mlkit") / "data" / filename
    if not path.is_file():
        available = sorted(p.name for p in (resources.files("mlkit") / "data").iterdir())
        raise ValueError(
            f"filename={filename!r} is not a vendored data file; use one of {available}."
        )
    return path


@cache
def _expected_checksums() -> dict[str, str]:
    text = data_path("checksums.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


def verify_checksums() -> dict[str, bool]:
    """Recompute the SHA-256 of every vendored file and compare with ``checksums.json``.

    Returns
    -------
    dict
        ``{filename: matches}`` for every file listed in ``checksums.json``.
    """
    result = {}
    for name, expected in _expected_checksums().items():
        digest = hashlib.sha256(data_path(name).read_bytes()).hexdigest()
        result[name] = digest == expected
    return result


@cache
def _read_csv(filename: str) -> pd.DataFrame:
    with data_path(filename).open("rb") as handle:
        return pd.read_csv(handle, compression="gzip")


# --------------------------------------------------------------------------- pbcseq

PBCSEQ_FEATURES = [
    "age", "male", "trt", "ascites", "hepato", "spiders", "edema", "bili", "chol",
    "albumin", "alk_phos", "ast", "platelet", "protime", "stage",
]  # fmt: skip

_PBCSEQ_DESCRIPTION = """\
Mayo Clinic primary biliary cirrhosis (PBC) follow-up visits, R survival::pbcseq.
The file holds 1945 visits of 312 patients enrolled in a randomised trial of
D-penicillamine (1974-1984); each row is one visit with the lab values measured at it.
Label y: the patient died within the horizon (default 730 days) of the visit
(status == 2 and futime - day <= horizon). Visits whose outcome at the horizon is
unknown (follow-up ended by censoring or by a liver transplant within the horizon)
are dropped by default: their label is neither 0 nor 1. Transplant is informative
censoring (the sickest patients are transplanted), so counting those visits as
"survived" would bias the label towards 0 exactly where risk is highest.
groups: patient id. time: days from registration to the visit.
Features: age at registration (years), male (0/1), trt (1 D-penicillamine, 2 placebo),
ascites, hepato (hepatomegaly), spiders (spider angiomas), edema (0, 0.5, 1),
bili (serum bilirubin, mg/dl), chol (cholesterol, mg/dl; often missing), albumin (g/dl),
alk_phos (alkaline phosphatase, U/l), ast (aspartate aminotransferase, U/ml),
platelet (count), protime (prothrombin time, s), stage (histologic stage 1-4).
Missing values are left as NaN: impute inside a pipeline."""


#: How :func:`load_pbcseq` treats visits whose outcome at the horizon is unknown.
UNKNOWN_OUTCOME_CHOICES = ("drop", "negative")


def load_pbcseq(*, horizon_days: int = 730, unknown_outcome: str = "drop") -> Dataset:
    """Load the PBC follow-up visits (real data, grouped by patient).

    The label of a visit is "the patient died within ``horizon_days`` of this visit".
    It is known for two kinds of visit: the patient died within the horizon (1), or
    was followed, alive and without a transplant, for at least ``horizon_days`` after
    the visit (0). For the other visits follow-up ended earlier, by censoring
    (``status == 0``) or a liver transplant (``status == 1``), so nobody knows whether
    the patient would have died within the horizon. Those visits are dropped by
    default.

    Parameters
    ----------
    horizon_days : int, default=730
        The label is "death within ``horizon_days`` of the visit".
    unknown_outcome : {"drop", "negative"}, default="drop"
        ``"drop"`` (honest): leave out the visits whose status at the horizon is
        unknown. ``"negative"`` keeps them labelled 0, which is **wrong** and only
        offered to reproduce older analyses: a censored visit is not a survival, and a
        transplant is *informative* censoring (the sickest patients are the ones
        transplanted), so the label would call "survived" many of the visits at the
        highest risk, biasing every model and metric towards optimism about them.

    Returns
    -------
    Dataset
        ``X`` (15 clinical features, NaN where not measured), ``y`` (0/1, about 15%
        positive at the default horizon), ``groups`` (patient id), ``time`` (day of
        the visit since registration) and ``status`` (0 censored, 1 transplant, 2 dead).
        Rows keep the file's order (by patient, then visit day), indexed 0..n-1.

    Raises
    ------
    ValueError
        ``horizon_days`` not a positive integer, or an unknown ``unknown_outcome``.

    Examples
    --------
    >>> from mlkit.datasets import load_pbcseq
    >>> data = load_pbcseq()
    >>> data.X.shape, int(data.groups.nunique())
    ((1754, 15), 311)
    >>> load_pbcseq(unknown_outcome="negative").X.shape  # wrong labels, see above
    (1945, 15)
    """
    horizon_days = check_positive_int(horizon_days, name="horizon_days")
    check_choice(unknown_outcome, name="unknown_outcome", choices=UNKNOWN_OUTCOME_CHOICES)
    raw = _read_csv("pbcseq.csv.gz")
    within = raw["futime"] - raw["day"] <= horizon_days
    died_soon = (raw["status"] == 2) & within
    if unknown_outcome == "drop":
        known = ~((raw["status"] != 2) & within)
        raw, died_soon = raw[known].reset_index(drop=True), died_soon[known].reset_index(drop=True)
    X = raw.assign(male=(raw["sex"] == "m").astype("int64"))[PBCSEQ_FEATURES].copy()
    return Dataset(
        name="pbcseq",
        X=X,
        y=died_soon.astype("int64").rename("death_within_horizon"),
        groups=raw["id"].rename("patient_id"),
        time=raw["day"].rename("day"),
        status=raw["status"].rename("status"),
        description=_PBCSEQ_DESCRIPTION,
    )


# --------------------------------------------------------------------------- flights

FLIGHTS_FEATURES = [
    "month", "day_of_week", "dep_hour", "carrier", "origin", "dest", "distance",
    "temp", "dewp", "humid", "wind_dir", "wind_speed", "precip", "pressure", "visib",
]  # fmt: skip
FLIGHTS_CATEGORICAL = ["carrier", "origin", "dest"]

_FLIGHTS_DESCRIPTION = """\
New York City departures of 2013 (R nycflights13::flights) joined with the hourly
weather at the origin airport (nycflights13::weather). 4,000 flights drawn at random
from each month (seed 2013), cancelled and diverted flights removed.
Label y: arrival delay > 15 minutes (target="delayed") or the arrival delay in minutes
(target="arr_delay"). time: scheduled departure (local time); rows are in time order.
Features: month, day_of_week (0 Monday), dep_hour (scheduled), carrier, origin, dest
(categorical strings), distance (miles), temp, dewp (F), humid (%), wind_dir (degrees),
wind_speed (mph), precip (inches), pressure (mbar; often missing), visib (miles)."""


def load_flights(*, target: str = "delayed") -> Dataset:
    """Load the NYC flights of 2013 with weather (real data, ordered in time).

    Parameters
    ----------
    target : {"delayed", "arr_delay"}, default="delayed"
        ``"delayed"``: binary label, arrival more than 15 minutes late (about 24%
        positive, varying by month). ``"arr_delay"``: arrival delay in minutes
        (regression).

    Returns
    -------
    Dataset
        ``X`` (15 features: calendar, carrier, route, weather; ``carrier``, ``origin``,
        ``dest`` are strings), ``y``, and ``time`` (scheduled departure, datetime64).

    Examples
    --------
    >>> from mlkit.datasets import load_flights
    >>> data = load_flights()
    >>> data.X.shape
    (48000, 15)
    >>> bool(data.time.is_monotonic_increasing)
    True
    """
    check_choice(target, name="target", choices=("delayed", "arr_delay"))
    raw = _read_csv("flights.csv.gz")
    X = raw[FLIGHTS_FEATURES].copy()
    for column in FLIGHTS_CATEGORICAL:
        X[column] = X[column].astype(object)
    y: pd.Series
    if target == "delayed":
        y = (raw["arr_delay"] > 15).astype("int64").rename("delayed")
    else:
        y = raw["arr_delay"].astype("float64").rename("arr_delay")
    return Dataset(
        name="flights",
        X=X,
        y=y,
        time=pd.to_datetime(raw["sched_dep"]).rename("sched_dep"),
        description=_FLIGHTS_DESCRIPTION,
    )


# --------------------------------------------------------------------------- synthetic


def make_patient_visits(
    n_patients: int = 200,
    *,
    visits_per_patient: tuple[int, int] = (2, 10),
    n_features: int = 10,
    n_informative: int = 3,
    positive_rate: float = 0.15,
    signal: float = 1.0,
    patient_effect: float = 1.5,
    identity: float = 1.0,
    noise: float = 1.0,
    random_state: int | None = 0,
) -> Dataset:
    """Generate a cohort of patients with repeated visits and a known true risk.

    Each patient ``p`` has a *signature* ``s_p ~ N(0, identity^2 I)``: a constant
    offset on every feature (think age, sex, genetics) that makes the patient's
    visits resemble each other. Each visit ``v`` adds visit-level variation
    ``noise * z_v`` with ``z_v ~ N(0, I)``, so ``x_v = s_p + noise * z_v``.
    The true log-odds of a positive label is::

        logit p_v = b + signal * mean(x_v[:n_informative]) * sqrt(n_informative)
                      + patient_effect * u_p

    where ``u_p ~ N(0, 1)`` is a hidden patient frailty that is *not* in the
    features, and the intercept ``b`` is solved so that the expected positive rate is
    ``positive_rate``. Labels are drawn as ``Bernoulli(p_v)``.

    A model that memorises patients (via their signature) learns ``u_p`` from a
    patient's other visits: that helps only when the same patient is in training
    and test, which is exactly what record-wise cross-validation allows and what
    new patients never offer. Draw a fresh cohort (another ``random_state``) to get
    genuinely new patients.

    Parameters
    ----------
    n_patients : int, default=200
        Number of patients (groups), at least 2.
    visits_per_patient : (int, int), default=(2, 10)
        Inclusive range of the number of visits per patient, drawn uniformly.
    n_features : int, default=10
        Number of features.
    n_informative : int, default=3
        How many of the features carry the visit-level signal (the first ones).
    positive_rate : float, default=0.15
        Expected fraction of positive visits, in (0, 1).
    signal : float, default=1.0
        Strength of the feature signal in the log-odds (0 means features are useless).
    patient_effect : float, default=1.5
        Standard deviation of the hidden patient frailty in the log-odds.
    identity : float, default=1.0
        Standard deviation of the patient signature in the features (0: patients
        cannot be recognised from their features).
    noise : float, default=1.0
        Standard deviation of the visit-level feature variation.
    random_state : int or None, default=0
        Seed; the same seed gives the same cohort.

    Returns
    -------
    Dataset
        ``X`` (``x0`` ... ``x{n_features-1}``), ``y`` (0/1), ``groups`` (patient id),
        ``time`` (day of visit), ``true_proba`` (the true probability of each visit).

    Examples
    --------
    >>> from mlkit.datasets import make_patient_visits
    >>> cohort = make_patient_visits(n_patients=50, random_state=1)
    >>> int(cohort.groups.nunique())
    50
    """
    n_patients = check_positive_int(n_patients, name="n_patients", minimum=2)
    n_features = check_positive_int(n_features, name="n_features")
    n_informative = check_positive_int(n_informative, name="n_informative")
    if n_informative > n_features:
        raise ValueError(
            f"n_informative={n_informative} exceeds n_features={n_features}; "
            f"use n_informative<=n_features."
        )
    try:
        low, high = (int(v) for v in visits_per_patient)
    except (TypeError, ValueError):
        raise ValueError(
            f"visits_per_patient must be a (min, max) pair of integers, got {visits_per_patient!r}."
        ) from None
    if not 1 <= low <= high:
        raise ValueError(
            f"visits_per_patient={visits_per_patient!r} must satisfy 1 <= min <= max; "
            f"e.g. visits_per_patient=(2, 10)."
        )
    if not 0.0 < float(positive_rate) < 1.0:
        raise ValueError(f"positive_rate={positive_rate!r} must be strictly between 0 and 1.")
    for name, value in (("signal", signal), ("patient_effect", patient_effect),
                        ("identity", identity), ("noise", noise)):  # fmt: skip
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name}={value!r} must be a finite number >= 0.")

    if random_state is not None and (
        isinstance(random_state, bool) or not isinstance(random_state, int | np.integer)
    ):
        raise ValueError(f"random_state must be an int or None, got {random_state!r}.")
    rng = np.random.default_rng(random_state)
    n_visits = rng.integers(low, high + 1, size=n_patients)
    patient = np.repeat(np.arange(n_patients), n_visits)
    signature = rng.normal(0.0, 1.0, size=(n_patients, n_features)) * identity
    frailty = rng.normal(0.0, 1.0, size=n_patients)
    visit_variation = rng.normal(0.0, 1.0, size=(patient.size, n_features))
    X = signature[patient] + noise * visit_variation
    linear = signal * X[:, :n_informative].mean(axis=1) * np.sqrt(n_informative)
    linear = linear + patient_effect * frailty[patient]
    intercept = _intercept_for_rate(linear, float(positive_rate))
    proba = 1.0 / (1.0 + np.exp(-(intercept + linear)))
    y = (rng.random(patient.size) < proba).astype("int64")
    gaps = rng.integers(30, 365, size=patient.size)
    gaps[np.r_[0, np.cumsum(n_visits)[:-1]]] = 0  # each patient's first visit is day 0
    day = pd.Series(gaps).groupby(patient).cumsum().to_numpy()

    columns = [f"x{i}" for i in range(n_features)]
    return Dataset(
        name="patient_visits",
        X=pd.DataFrame(X, columns=columns),
        y=pd.Series(y, name="positive"),
        groups=pd.Series(patient, name="patient_id"),
        time=pd.Series(day, name="day"),
        true_proba=pd.Series(proba, name="true_proba"),
        description=(
            f"Synthetic cohort: {n_patients} patients, {patient.size} visits, "
            f"{n_informative} informative of {n_features} features, signal={signal}, "
            f"patient_effect={patient_effect}, identity={identity}, noise={noise}, "
            f"random_state={random_state}."
        ),
    )


def _intercept_for_rate(linear: np.ndarray, rate: float) -> float:
    """Intercept b such that mean(sigmoid(b + linear)) equals ``rate`` (bisection)."""
    low, high = -50.0, 50.0
    for _ in range(100):
        mid = 0.5 * (low + high)
        if np.mean(1.0 / (1.0 + np.exp(-(mid + linear)))) < rate:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)
