"""Measuring the calibration of predicted probabilities (binary targets).

A classifier is *calibrated* when, among the cases it gives a probability ``p``, a share
``p`` is positive. This module measures that:

- :func:`reliability_table` and :func:`plot_reliability`: the reliability diagram, with
  the number of cases in each bin (equal-width or equal-mass bins, the same binning as
  :func:`sklearn.calibration.calibration_curve`);
- :func:`brier_decomposition`: the Brier score and Murphy's decomposition into
  reliability, resolution and uncertainty;
- :func:`expected_calibration_error`: ECE with a bootstrap interval (over groups when
  given) and the ECE a perfectly calibrated model would reach by chance;
- :func:`calibration_report`: all of the above in one :class:`CalibrationReport`.

Repairing calibration (``CalibratedClassifierCV``, out-of-fold recalibration) lives in
:mod:`mlkit.calibration`, which re-exports everything here.

The positive class is the greater label (``1`` for 0/1 labels), as in scikit-learn,
unless ``pos_label`` says otherwise. Losses (Brier, ECE) are positive numbers, lower is
better. matplotlib and seaborn are imported only by the plotting functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit._validation import (
    check_choice,
    check_groups,
    check_positive_int,
    check_target,
)
from mlkit.tasks import _plain
from mlkit.thresholds import _check_scores

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "STRATEGIES",
    "BrierDecomposition",
    "CalibrationReport",
    "ECEEstimate",
    "brier_decomposition",
    "calibration_report",
    "expected_calibration_error",
    "plot_reliability",
    "reliability_table",
]

STRATEGIES = ("uniform", "quantile")

# --------------------------------------------------------------------------- checks


def _check_truth(y_true: Any, *, pos_label: Any = None, name: str = "y_true") -> np.ndarray:
    """``y_true == positive class`` as booleans; exactly two classes required."""
    arr = check_target(y_true, name=name)
    labels = sorted(pd.unique(arr).tolist(), key=lambda v: (str(type(v)), v))
    if len(labels) < 2:
        raise ValueError(
            f"{name} has a single class ({labels[0]!r}) in all {arr.shape[0]} samples; "
            f"calibration compares predicted probabilities with observed rates of both "
            f"classes, so pass data that contain positives and negatives."
        )
    if len(labels) > 2:
        raise ValueError(
            f"{name} has {len(labels)} classes; calibration here is for binary targets. "
            f"Binarise it (y_true == positive_class) first."
        )
    if pos_label is None:
        pos_label = labels[-1]
    elif pos_label not in labels:
        raise ValueError(
            f"pos_label={_plain(pos_label)!r} is not one of the labels of {name} {labels}."
        )
    return np.asarray(arr == pos_label, dtype=bool)


def _check_proba(y_prob: Any, *, n_samples: int, name: str = "y_prob") -> np.ndarray:
    """Finite numeric scores of the right length (thresholds' check), within [0, 1]."""
    arr = _check_scores(y_prob, n_samples=n_samples, name=name)
    if arr.min() < 0.0 or arr.max() > 1.0:
        raise ValueError(
            f"{name} has values outside [0, 1] (min {arr.min():.3g}, max {arr.max():.3g}); pass "
            f"probabilities of the positive class, e.g. predict_proba(X)[:, 1], not "
            f"decision_function scores."
        )
    return arr


def _check_inputs(
    y_true: Any, y_prob: Any, n_bins: Any, strategy: Any, pos_label: Any
) -> tuple[np.ndarray, np.ndarray, int, str]:
    truth = _check_truth(y_true, pos_label=pos_label)
    prob = _check_proba(y_prob, n_samples=truth.size)
    n_bins = check_positive_int(n_bins, name="n_bins", minimum=1)
    if n_bins > truth.size:
        raise ValueError(
            f"n_bins={n_bins} is more than the {truth.size} samples; use n_bins<={truth.size} "
            f"(about 10 is usual; fewer for small samples)."
        )
    strategy = check_choice(strategy, name="strategy", choices=STRATEGIES)
    return truth, prob, n_bins, strategy


def _bin_ids(prob: np.ndarray, n_bins: int, strategy: str) -> tuple[np.ndarray, np.ndarray]:
    """Bin edges and the bin of each probability, exactly as ``calibration_curve``."""
    if strategy == "quantile":
        edges = np.percentile(prob, np.linspace(0, 1, n_bins + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    return edges, np.searchsorted(edges[1:-1], prob)


def _bin_sums(
    truth: np.ndarray, prob: np.ndarray, n_bins: int, strategy: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    edges, ids = _bin_ids(prob, n_bins, strategy)
    count = np.bincount(ids, minlength=n_bins).astype(float)
    prob_sum = np.bincount(ids, weights=prob, minlength=n_bins)
    true_sum = np.bincount(ids, weights=truth.astype(float), minlength=n_bins)
    return edges, count, prob_sum, true_sum


def _ece(truth: np.ndarray, prob: np.ndarray, n_bins: int, strategy: str) -> float:
    _, _, prob_sum, true_sum = _bin_sums(truth, prob, n_bins, strategy)
    return float(np.abs(true_sum - prob_sum).sum() / truth.size)


# --------------------------------------------------------------------------- reliability


def reliability_table(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
) -> pd.DataFrame:
    """The reliability diagram as a table: one row per bin, with its count.

    Bins are those of :func:`sklearn.calibration.calibration_curve`: ``"uniform"`` cuts
    [0, 1] into ``n_bins`` equal widths, ``"quantile"`` puts about the same number of
    samples in each bin (equal mass). Empty bins are kept with count 0 and missing rates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels, two classes.
    y_prob : array-like of shape (n_samples,)
        Predicted probability of the positive class, in [0, 1].
    n_bins : int, default=10
        Number of bins, at least 1 and at most the number of samples.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width or equal-mass bins.
    pos_label : label, default=None
        The positive class; the greater label when ``None``.

    Returns
    -------
    DataFrame
        Columns ``bin, lower, upper, count, share`` (of all samples),
        ``mean_predicted``, ``observed_rate`` and ``gap`` (observed minus predicted:
        positive means the model under-predicts the risk in that bin).

    Raises
    ------
    ValueError
        Fewer or more than two classes, probabilities outside [0, 1], lengths that
        differ, a bad ``n_bins`` or ``strategy``.

    Examples
    --------
    >>> from mlkit.reliability import reliability_table
    >>> table = reliability_table([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2)
    >>> table["count"].tolist(), table["observed_rate"].tolist()
    ([2, 2], [0.0, 1.0])
    """
    truth, prob, n_bins, strategy = _check_inputs(y_true, y_prob, n_bins, strategy, pos_label)
    edges, count, prob_sum, true_sum = _bin_sums(truth, prob, n_bins, strategy)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_predicted = np.where(count > 0, prob_sum / np.maximum(count, 1), np.nan)
        observed = np.where(count > 0, true_sum / np.maximum(count, 1), np.nan)
    return pd.DataFrame(
        {
            "bin": np.arange(n_bins),
            "lower": edges[:-1],
            "upper": edges[1:],
            "count": count.astype(np.int64),
            "share": count / truth.size,
            "mean_predicted": mean_predicted,
            "observed_rate": observed,
            "gap": observed - mean_predicted,
        }
    )


_DIAGONAL = "perfectly calibrated"


def _draw_reliability(
    table: pd.DataFrame, *, label: str | None, show_counts: bool, ax: Axes | None
) -> Axes:
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.ticker import NullLocator

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    filled = table[table["count"] > 0]
    if not any(line.get_label() == _DIAGONAL for line in ax.get_lines()):
        ax.plot([0, 1], [0, 1], ls="--", color="0.5", lw=1, label=_DIAGONAL)
    sns.lineplot(
        data=filled, x="mean_predicted", y="observed_rate", marker="o", ax=ax, label=label,
        errorbar=None, sort=True,
    )  # fmt: skip
    ax.set(xlim=(0, 1), ylim=(-0.02, 1.02), xlabel="mean predicted probability (per bin)")
    ax.set_ylabel("observed share of positives")
    if show_counts:
        twin = ax.twinx()
        twin.bar(
            (table["lower"] + table["upper"]) / 2, table["count"],
            width=(table["upper"] - table["lower"]) * 0.9, color="0.6", alpha=0.3,
        )  # fmt: skip
        # log scale: the first bin often holds most samples, the rest a few dozen each
        twin.set_yscale("log")
        twin.yaxis.set_minor_locator(NullLocator())  # minor log ticks: clutter, slow
        twin.set_ylim(0.8, max(float(table["count"].max()), 1.0) * 40)
        twin.set_ylabel("samples per bin (bars, log scale)")
        twin.grid(False)
        ax.set_zorder(twin.get_zorder() + 1)
        ax.patch.set_visible(False)
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_reliability(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    label: str | None = None,
    show_counts: bool = True,
    pos_label: Any = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw the reliability diagram (seaborn), with the bin counts as bars.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy, pos_label
        As in :func:`reliability_table`.
    label : str, default=None
        Legend entry of the curve.
    show_counts : bool, default=True
        Bars of the number of samples per bin on a second, logarithmic y axis: a bin of
        five cases says little, and a reader must see that. Call again with the same
        ``ax`` (and ``show_counts=False``) to overlay several models.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib Axes
    """
    table = reliability_table(y_true, y_prob, n_bins=n_bins, strategy=strategy, pos_label=pos_label)
    return _draw_reliability(table, label=label, show_counts=show_counts, ax=ax)


# --------------------------------------------------------------------------- Brier


@dataclass(frozen=True)
class BrierDecomposition:
    """The Brier score and Murphy's decomposition on binned probabilities.

    ``brier = reliability - resolution + uncertainty + within_bin_variance -
    within_bin_covariance``. The first three terms are Murphy's (1973); they add up to
    the Brier score *exactly* only when all probabilities in a bin are equal (discrete
    forecasts). Otherwise the binned decomposition is approximate, and the two
    within-bin terms of Stephenson et al. (2008) close the gap; they are small when the
    bins are narrow.

    Attributes
    ----------
    brier : float
        Mean squared difference between probability and outcome (lower is better).
    reliability : float
        Miscalibration: the count-weighted mean of (mean predicted - observed rate)²
        over bins (lower is better).
    resolution : float
        How far the bins' observed rates spread around the base rate (higher is better).
    uncertainty : float
        Base rate × (1 − base rate): the Brier score of always predicting the base rate.
    within_bin_variance, within_bin_covariance : float
        The terms the binning leaves out.
    n_bins : int
    strategy : str
    """

    brier: float
    reliability: float
    resolution: float
    uncertainty: float
    within_bin_variance: float
    within_bin_covariance: float
    n_bins: int
    strategy: str

    @property
    def binning_error(self) -> float:
        """``brier - (reliability - resolution + uncertainty)``: what the binning misses."""
        return self.brier - (self.reliability - self.resolution + self.uncertainty)

    def to_frame(self) -> pd.DataFrame:
        """One row per term, with its sign in the decomposition."""
        terms = {
            "reliability": (self.reliability, "+"),
            "resolution": (self.resolution, "−"),
            "uncertainty": (self.uncertainty, "+"),
            "binning error": (self.binning_error, "+"),
            "brier": (self.brier, "="),
        }
        return pd.DataFrame(
            [(k, s, v) for k, (v, s) in terms.items()], columns=["term", "sign", "value"]
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Bar chart of the terms."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        sns.barplot(data=self.to_frame(), x="value", y="term", ax=ax, color="C0")
        ax.set(xlabel="value (Brier units)", ylabel="", title="Brier score decomposition")
        return ax


def brier_decomposition(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    pos_label: Any = None,
) -> BrierDecomposition:
    """The Brier score and its Murphy decomposition over the bins of the reliability diagram.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy, pos_label
        As in :func:`reliability_table`.

    Returns
    -------
    BrierDecomposition

    Raises
    ------
    ValueError
        As :func:`reliability_table`.

    Examples
    --------
    >>> from mlkit.reliability import brier_decomposition
    >>> d = brier_decomposition([0, 1, 0, 1], [0.25, 0.25, 0.75, 0.75], n_bins=2)
    >>> round(d.brier, 4), round(d.reliability - d.resolution + d.uncertainty, 4)
    (0.3125, 0.3125)
    """
    truth, prob, n_bins, strategy = _check_inputs(y_true, y_prob, n_bins, strategy, pos_label)
    _, ids = _bin_ids(prob, n_bins, strategy)
    n = truth.size
    y = truth.astype(float)
    count = np.bincount(ids, minlength=n_bins).astype(float)
    safe = np.maximum(count, 1)
    f_bin = np.bincount(ids, weights=prob, minlength=n_bins) / safe
    o_bin = np.bincount(ids, weights=y, minlength=n_bins) / safe
    base = y.mean()
    df = prob - f_bin[ids]
    return BrierDecomposition(
        brier=float(np.mean((prob - y) ** 2)),
        reliability=float(np.sum(count * (f_bin - o_bin) ** 2) / n),
        resolution=float(np.sum(count * (o_bin - base) ** 2) / n),
        uncertainty=float(base * (1 - base)),
        within_bin_variance=float(np.sum(df**2) / n),
        within_bin_covariance=float(2 * np.sum(df * (y - o_bin[ids])) / n),
        n_bins=n_bins,
        strategy=strategy,
    )


# --------------------------------------------------------------------------- ECE


@dataclass(frozen=True, eq=False)
class ECEEstimate:
    """Expected calibration error with a bootstrap interval and a chance reference.

    Attributes
    ----------
    value : float
        ECE: the count-weighted mean of |observed rate − mean predicted| over bins.
    low, high : float
        Percentile bootstrap interval at ``confidence``: how much the estimate moves
        with the sample. A resample's ECE is biased upwards a little more than the
        estimate, so for a well calibrated model the interval can start just above it.
    null_upper : float
        The ``confidence`` quantile of the ECE of a *perfectly calibrated* model with the
        same probabilities (outcomes redrawn as Bernoulli(p)): on finite data ECE is
        never 0, and a value below this one is within chance.
    p_value : float
        Share of those perfectly calibrated redraws with an ECE at least ``value``.
    n_bins, strategy, confidence, n_resamples : as passed.
    resampled : str
        ``"samples"`` or ``"groups"``: what the bootstrap drew.
    replicates : ndarray
        The bootstrap ECEs (for :meth:`plot`).
    """

    value: float
    low: float
    high: float
    null_upper: float
    p_value: float
    n_bins: int
    strategy: str
    confidence: float
    n_resamples: int
    resampled: str
    replicates: np.ndarray = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """One row: the estimate, its interval, the chance reference and the settings."""
        return pd.DataFrame(
            [
                {
                    "ece": self.value,
                    "low": self.low,
                    "high": self.high,
                    "null_upper": self.null_upper,
                    "p_value": self.p_value,
                    "n_bins": self.n_bins,
                    "strategy": self.strategy,
                    "resampled": self.resampled,
                }
            ]
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Histogram of the bootstrap ECEs with the estimate and the chance reference."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        sns.histplot(x=self.replicates, ax=ax, color="C0", label="bootstrap ECE")
        ax.axvline(self.value, color="C1", label=f"ECE {self.value:.3f}")
        ax.axvline(self.null_upper, color="0.4", ls="--", label="chance level (calibrated)")
        ax.set(xlabel="expected calibration error (lower is better)", ylabel="resamples")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        return ax


def _check_confidence(confidence: Any) -> float:
    try:
        value = float(confidence)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0.0 < value < 1.0:
        raise ValueError(
            f"confidence={_plain(confidence)!r} must be a number in (0, 1), e.g. 0.95."
        )
    return value


def expected_calibration_error(
    y_true: Any,
    y_prob: Any,
    *,
    n_bins: int = 10,
    strategy: str = "uniform",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    groups: Any = None,
    pos_label: Any = None,
    random_state: int | None = 0,
) -> ECEEstimate:
    """ECE with equal-width or equal-mass bins, a bootstrap interval and a chance level.

    ECE = Σ_b (n_b / n) |observed rate_b − mean predicted_b| over the bins of
    :func:`reliability_table` (Naeini et al. 2015; Guo et al. 2017). The interval is the
    percentile bootstrap: resample the samples, or whole groups when ``groups`` is given
    (visits of one patient are not independent, so resampling visits would make the
    interval too narrow), recompute the bins and the ECE. ECE is biased upwards (the
    absolute value of noise is positive: a perfectly calibrated model does not score 0 on
    finite data), so the estimate also carries the ECE that a perfectly calibrated model
    reaches by chance on the same probabilities, by redrawing the outcomes as
    Bernoulli(p) (consistency resampling, Bröcker and Smith 2007): ``null_upper`` and
    ``p_value`` say whether the miscalibration is more than chance.

    Parameters
    ----------
    y_true, y_prob, n_bins, strategy, pos_label
        As in :func:`reliability_table`.
    n_resamples : int, default=1000
        Bootstrap resamples (and perfectly calibrated redraws), at least 1.
    confidence : float, default=0.95
        Level of the interval, in (0, 1).
    groups : array-like of shape (n_samples,), default=None
        Group (patient) of each sample; the bootstrap then draws whole groups.
    random_state : int or None, default=0
        Seed.

    Returns
    -------
    ECEEstimate

    Raises
    ------
    ValueError
        As :func:`reliability_table`; also ``n_resamples`` < 1, ``confidence`` outside
        (0, 1), ``groups`` of another length.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.reliability import expected_calibration_error
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=2000)
    >>> y = rng.uniform(size=2000) < p
    >>> ece = expected_calibration_error(y, p, n_resamples=200)
    >>> ece.value < 0.05, ece.low <= ece.value <= ece.high, ece.p_value > 0.05
    (True, True, True)
    """
    truth, prob, n_bins, strategy = _check_inputs(y_true, y_prob, n_bins, strategy, pos_label)
    n_resamples = check_positive_int(n_resamples, name="n_resamples", minimum=1)
    confidence = _check_confidence(confidence)
    n = truth.size
    if groups is None:
        codes, n_units = np.arange(n), n
    else:
        group_arr = check_groups(groups, n_samples=n)
        codes, uniques = pd.factorize(group_arr)
        n_units = len(uniques)
    rng = np.random.default_rng(random_state)
    value = _ece(truth, prob, n_bins, strategy)
    boot = np.empty(n_resamples)
    null = np.empty(n_resamples)
    for r in range(n_resamples):
        weights = np.bincount(rng.integers(0, n_units, n_units), minlength=n_units)[codes]
        rows = np.repeat(np.arange(n), weights)
        boot[r] = _ece(truth[rows], prob[rows], min(n_bins, rows.size), strategy)
        null[r] = _ece(rng.uniform(size=n) < prob, prob, n_bins, strategy)
    alpha = (1 - confidence) / 2
    return ECEEstimate(
        value=value,
        low=float(np.quantile(boot, alpha)),
        high=float(np.quantile(boot, 1 - alpha)),
        null_upper=float(np.quantile(null, confidence)),
        p_value=float((1 + np.sum(null >= value)) / (1 + n_resamples)),
        n_bins=n_bins,
        strategy=strategy,
        confidence=confidence,
        n_resamples=n_resamples,
        resampled="samples" if groups is None else "groups",
        replicates=boot,
    )


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, eq=False)
class CalibrationReport:
    """Reliability table, Brier decomposition and ECE of one set of probabilities.

    Returned by :func:`calibration_report`.

    Attributes
    ----------
    label : str
        Name of the model (row label of :meth:`to_frame`).
    table : DataFrame
        :func:`reliability_table`.
    brier : BrierDecomposition
    ece : ECEEstimate
    n_samples : int
    positive_rate, mean_predicted : float
        Observed share of positives and mean probability: calibration-in-the-large.
    """

    label: str
    table: pd.DataFrame
    brier: BrierDecomposition
    ece: ECEEstimate
    n_samples: int
    positive_rate: float
    mean_predicted: float

    def to_frame(self) -> pd.DataFrame:
        """One row (index: the label) with every summary number; losses are positive."""
        row = {
            "n": self.n_samples,
            "positive_rate": self.positive_rate,
            "mean_predicted": self.mean_predicted,
            "brier": self.brier.brier,
            "reliability": self.brier.reliability,
            "resolution": self.brier.resolution,
            "ece": self.ece.value,
            "ece_low": self.ece.low,
            "ece_high": self.ece.high,
            "ece_chance": self.ece.null_upper,
        }
        return pd.DataFrame([row], index=pd.Index([self.label], name="model"))

    def plot(self, ax: Axes | None = None, *, show_counts: bool = True) -> Axes:
        """The reliability diagram of :attr:`table` (see :func:`plot_reliability`)."""
        ax = _draw_reliability(self.table, label=self.label, show_counts=show_counts, ax=ax)
        ax.set_title(f"{self.label}: ECE {self.ece.value:.3f}, Brier {self.brier.brier:.3f}")
        return ax


def calibration_report(
    y_true: Any,
    y_prob: Any,
    *,
    label: str = "model",
    n_bins: int = 10,
    strategy: str = "uniform",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    groups: Any = None,
    pos_label: Any = None,
    random_state: int | None = 0,
) -> CalibrationReport:
    """Everything about the calibration of ``y_prob``: table, Brier terms, ECE.

    Parameters are those of :func:`expected_calibration_error`; ``label`` names the row.

    Returns
    -------
    CalibrationReport

    Examples
    --------
    >>> from mlkit.reliability import calibration_report
    >>> report = calibration_report([0, 1, 0, 1, 1], [0.2, 0.6, 0.3, 0.9, 0.7],
    ...                             n_bins=2, n_resamples=50, label="toy")
    >>> report.to_frame().index.tolist(), report.n_samples
    (['toy'], 5)
    """
    kwargs = {"n_bins": n_bins, "strategy": strategy, "pos_label": pos_label}
    table = reliability_table(y_true, y_prob, **kwargs)
    truth = _check_truth(y_true, pos_label=pos_label)
    prob = _check_proba(y_prob, n_samples=truth.size)
    return CalibrationReport(
        label=str(label),
        table=table,
        brier=brier_decomposition(y_true, y_prob, **kwargs),
        ece=expected_calibration_error(
            y_true,
            y_prob,
            n_resamples=n_resamples,
            confidence=confidence,
            groups=groups,
            random_state=random_state,
            **kwargs,
        ),
        n_samples=int(truth.size),
        positive_rate=float(truth.mean()),
        mean_predicted=float(prob.mean()),
    )
