"""Paired statistical comparisons of cross-validated scores.

One place for the tests that every paired comparison in mlkit uses (the baseline gate,
model comparison, ablation), so they all agree:

- :func:`corrected_ttest`: the corrected resampled t-test of Nadeau & Bengio (2003), in
  its repeated k-fold form (Bouckaert & Frank, 2004), on paired per-fold differences;
- :func:`holm`: Holm's step-down adjustment of several p-values;
- :func:`check_exchangeable`: refuses folds the test is not valid for (time order);
- :func:`paired_bootstrap`: a percentile interval of a paired difference on one
  holdout, resampling whole groups (the champion gate uses it).

The correction: the ``n = k * r`` fold scores of ``r`` repeats of ``k``-fold CV share
most of their training data, so they are positively correlated and the naive standard
error ``s / sqrt(n)`` is too small. Nadeau & Bengio replace ``1 / n`` by
``1 / n + n_test / n_train``; the statistic is compared with Student's t with ``n - 1``
degrees of freedom.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

__all__ = [
    "BootstrapInterval",
    "PairedTest",
    "check_exchangeable",
    "corrected_ttest",
    "holm",
    "paired_bootstrap",
]

Alternative = Literal["greater", "less", "two-sided"]


@dataclass(frozen=True)
class PairedTest:
    """Result of :func:`corrected_ttest` (or of the naive test, ``corrected=False``).

    Attributes
    ----------
    mean, std : float
        Mean and standard deviation (ddof=1) of the ``n`` paired differences.
    n : int
        Number of differences (folds times repeats).
    standard_error : float
        The standard error used by the test (corrected or naive).
    t_statistic, df, p_value : float
        The t statistic, its degrees of freedom (``n - 1``) and the p-value under
        ``alternative``.
    ci_low, ci_high : float
        Two-sided ``confidence`` interval of the mean difference with the same standard
        error.
    corrected : bool
        Whether the Nadeau-Bengio correction was applied.
    alternative : str
        ``"greater"`` (H1: mean > 0), ``"less"`` or ``"two-sided"``.
    confidence : float
        Level of the interval.
    """

    mean: float
    std: float
    n: int
    standard_error: float
    t_statistic: float
    df: float
    p_value: float
    ci_low: float
    ci_high: float
    corrected: bool
    alternative: str
    confidence: float

    def to_frame(self) -> pd.DataFrame:
        """One-row table of every field."""
        return pd.DataFrame([self.__dict__])


def corrected_ttest(
    differences: Any,
    *,
    test_train_ratio: float,
    alternative: Alternative = "greater",
    confidence: float = 0.95,
    corrected: bool = True,
) -> PairedTest:
    """Corrected repeated k-fold t-test on paired per-fold differences.

    With ``n`` differences ``d_i`` (``k`` folds times ``r`` repeats, each pair scored on
    the same test fold), mean ``m`` and standard deviation ``s``::

        se = s * sqrt(1/n + n_test/n_train)        (corrected, Nadeau & Bengio 2003)
        se = s * sqrt(1/n)                         (naive, corrected=False)
        t  = m / se,   df = n - 1

    Bouckaert & Frank (2004) showed this corrected statistic over ``r x k`` folds
    (e.g. 10 x 10 or 5 x 5) has a type-I error close to the nominal level and good
    replicability, unlike the naive one, which rejects far too often.

    Parameters
    ----------
    differences : array-like of shape (n,) or (r, k)
        Paired per-fold differences, signed so that > 0 means the first system is
        better. At least 2 finite values.
    test_train_ratio : float
        ``n_test / n_train`` of the folds (about ``1 / (k - 1)`` for k-fold).
    alternative : {"greater", "less", "two-sided"}, default="greater"
        The alternative hypothesis about the mean difference.
    confidence : float, default=0.95
        Level of the two-sided interval of the mean difference.
    corrected : bool, default=True
        ``False`` gives the naive paired t-test (for teaching: it is too liberal).

    Returns
    -------
    PairedTest

    Raises
    ------
    ValueError
        Fewer than 2 or non-finite differences, a ``test_train_ratio`` that is not
        a finite number > 0, an unknown ``alternative`` or ``confidence`` outside (0, 1).

    Examples
    --------
    >>> from mlkit.stats import corrected_ttest
    >>> result = corrected_ttest([0.02, 0.03, 0.01, 0.04, 0.02], test_train_ratio=0.25)
    >>> round(result.p_value, 4), result.df
    (0.0175, 4.0)
    """
    from scipy import stats

    diff = np.asarray(differences, dtype=float).ravel()
    if diff.size < 2 or not np.isfinite(diff).all():
        raise ValueError(
            f"differences must hold at least 2 finite per-fold values, got {diff.size} "
            f"(finite: {bool(np.isfinite(diff).all())}); use a splitter with n_splits>=2."
        )
    if (
        isinstance(test_train_ratio, bool)
        or not isinstance(test_train_ratio, int | float | np.floating)
        or not math.isfinite(test_train_ratio)
        or test_train_ratio <= 0
    ):
        raise ValueError(
            f"test_train_ratio={test_train_ratio!r} must be a finite number > 0 "
            f"(n_test / n_train, e.g. 0.25 for 5-fold CV)."
        )
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(
            f"alternative={alternative!r} is not one of 'greater', 'less', 'two-sided'."
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1, e.g. 0.95.")
    n = diff.size
    mean = float(diff.mean())
    std = float(diff.std(ddof=1))
    factor = 1.0 / n + (float(test_train_ratio) if corrected else 0.0)
    se = std * math.sqrt(factor)
    df = float(n - 1)
    if se > 1e-12 * max(1.0, abs(mean)):
        t = mean / se
        if alternative == "greater":
            p = float(stats.t.sf(t, df))
        elif alternative == "less":
            p = float(stats.t.cdf(t, df))
        else:
            p = float(2 * stats.t.sf(abs(t), df))
        half = float(stats.t.ppf(0.5 + confidence / 2, df)) * se
    else:  # every fold gave the same difference: no noise to compare against
        t = math.copysign(math.inf, mean) if mean != 0 else 0.0
        if mean == 0:
            p = 1.0 if alternative == "two-sided" else 0.5
        elif alternative == "two-sided":
            p = 0.0
        else:
            p = 0.0 if (mean > 0) == (alternative == "greater") else 1.0
        half = 0.0
    return PairedTest(
        mean=mean,
        std=std,
        n=n,
        standard_error=se,
        t_statistic=float(t),
        df=df,
        p_value=p,
        ci_low=mean - half,
        ci_high=mean + half,
        corrected=corrected,
        alternative=alternative,
        confidence=float(confidence),
    )


def holm(p_values: Any) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error control).

    Sort the ``m`` p-values ascending, multiply the ``i``-th smallest (from 0) by
    ``m - i``, take the running maximum so the order is kept, and cap at 1. Reject
    where the adjusted p-value is below ``alpha``.

    Parameters
    ----------
    p_values : array-like of shape (m,)
        Raw p-values in [0, 1]; NaN is not allowed.

    Returns
    -------
    ndarray of shape (m,)
        Adjusted p-values, in the input order.

    Raises
    ------
    ValueError
        An empty input, or a value outside [0, 1] or NaN.

    Examples
    --------
    >>> from mlkit.stats import holm
    >>> holm([0.01, 0.04, 0.03]).round(3).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float).ravel()
    if p.size == 0:
        raise ValueError("p_values is empty; pass at least one p-value.")
    if not np.all((p >= 0) & (p <= 1)):  # also catches NaN
        raise ValueError(f"p_values must lie in [0, 1] (no NaN), got {p.tolist()}.")
    m = p.size
    order = np.argsort(p, kind="stable")
    scaled = p[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(np.maximum.accumulate(scaled), 1.0)
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return adjusted


def check_exchangeable(cv: Any = None, *, time: Any = None, name: str = "cv") -> None:
    """Refuse time-ordered folds for a paired test over folds.

    The corrected t-test treats the fold differences as exchangeable draws of equal
    size. Time-ordered folds (``TimeSeriesSplit`` and its kin, or any ``time`` given)
    grow their training set fold after fold and test on different periods, so the
    differences are neither exchangeable nor comparable.

    Raises
    ------
    ValueError
        When ``time`` is given or ``cv`` is a ``TimeSeriesSplit`` (or subclass). The
        message says what to do instead.

    Examples
    --------
    >>> from sklearn.model_selection import KFold, TimeSeriesSplit
    >>> from mlkit.stats import check_exchangeable
    >>> check_exchangeable(KFold(5))
    >>> check_exchangeable(TimeSeriesSplit(5))
    Traceback (most recent call last):
    ...
    ValueError: cv=TimeSeriesSplit gives time-ordered folds, which are neither exchangeable nor of equal size, so a paired t-test over folds is not valid; compare the models on one later holdout period (e.g. a paired bootstrap of its rows), or replay them period by period with mlkit.continuous.replay.
    """
    from sklearn.model_selection import TimeSeriesSplit

    if time is not None or isinstance(cv, TimeSeriesSplit):
        what = f"{name}={type(cv).__name__}" if cv is not None else "time"
        raise ValueError(
            f"{what} gives time-ordered folds, which are neither exchangeable nor of equal "
            f"size, so a paired t-test over folds is not valid; compare the models on one "
            f"later holdout period (e.g. a paired bootstrap of its rows), or replay them "
            f"period by period with mlkit.continuous.replay."
        )


@dataclass(frozen=True)
class BootstrapInterval:
    """Result of :func:`paired_bootstrap`: a percentile interval of a paired statistic.

    Attributes
    ----------
    estimate : float
        The statistic on all rows (e.g. challenger score minus champion score).
    ci_low, ci_high : float
        Two-sided ``confidence`` percentile interval over the resamples.
    confidence : float
        Level of the interval.
    n_resamples : int
        Resamples drawn.
    n_valid : int
        Resamples where the statistic was defined (e.g. both classes present).
    n_units : int
        Number of resampled units: groups when ``groups`` was given, else rows.
    resampled : str
        ``"groups"`` or ``"rows"``.
    """

    estimate: float
    ci_low: float
    ci_high: float
    confidence: float
    n_resamples: int
    n_valid: int
    n_units: int
    resampled: str

    def to_frame(self) -> pd.DataFrame:
        """One-row table of every field."""
        return pd.DataFrame([self.__dict__])


def paired_bootstrap(
    statistic: Any,
    n_samples: int,
    *,
    groups: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | None = 0,
) -> BootstrapInterval:
    """Percentile bootstrap interval of a paired statistic, resampling whole groups.

    ``statistic(rows)`` receives an integer array of row positions (with repeats) and
    returns a float, for instance the difference of two models' scores computed on the
    *same* rows: both models see the same resample, so the shared difficulty of the
    rows cancels (a paired bootstrap). With ``groups``, each resample draws as many
    groups as there are, with replacement, and takes all rows of each drawn group, so
    that rows of one subject (visits of a patient) move together, as they are not
    independent. A resample where the statistic is undefined (it returns NaN or raises
    ``ValueError``, e.g. a ROC AUC with one class) is skipped and counted.

    Parameters
    ----------
    statistic : callable
        ``statistic(rows: ndarray) -> float``.
    n_samples : int
        Number of rows.
    groups : array-like of shape (n_samples,) or None, default=None
        Group of each row; ``None`` resamples rows.
    n_resamples : int, default=1000
        Number of bootstrap resamples, at least 100.
    confidence : float, default=0.95
        Level of the two-sided percentile interval.
    random_state : int or None, default=0
        Seed.

    Returns
    -------
    BootstrapInterval

    Raises
    ------
    ValueError
        ``statistic`` not callable, ``n_samples`` < 2, ``groups`` of another length
        or with fewer than 2 groups, ``n_resamples`` < 100, ``confidence`` outside
        (0, 1), or fewer than half of the resamples valid.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.stats import paired_bootstrap
    >>> a = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> b = a - 1.0  # model b is worse by exactly 1 on every row
    >>> result = paired_bootstrap(lambda rows: float(np.mean(a[rows] - b[rows])), 6)
    >>> result.estimate, result.ci_low, result.ci_high
    (1.0, 1.0, 1.0)
    """
    if not callable(statistic):
        raise ValueError(
            f"statistic must be a callable statistic(rows) -> float, got {type(statistic).__name__}."
        )
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer) or n_samples < 2:
        raise ValueError(f"n_samples={n_samples!r} must be an integer >= 2.")
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer):
        raise ValueError(f"n_resamples={n_resamples!r} must be an integer >= 100, e.g. 1000.")
    if n_resamples < 100:
        raise ValueError(
            f"n_resamples={n_resamples} is too few for a percentile interval; use >= 100 "
            f"(1000 is the default)."
        )
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1, e.g. 0.95.")
    rng = np.random.default_rng(random_state)
    if groups is None:
        units = [np.array([i]) for i in range(int(n_samples))]
        resampled = "rows"
    else:
        codes, uniques = pd.factorize(np.asarray(groups), use_na_sentinel=False)
        if codes.size != n_samples:
            raise ValueError(
                f"groups has {codes.size} values but n_samples={n_samples}; pass one group "
                f"id per row."
            )
        if uniques.size < 2:
            raise ValueError("groups holds fewer than 2 groups; resample rows (groups=None).")
        order = np.argsort(codes, kind="stable")
        bounds = np.cumsum(np.bincount(codes))
        units = np.split(order, bounds[:-1])
        resampled = "groups"
    sizes = np.array([u.size for u in units])
    flat = np.concatenate(units)
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    estimate = float(statistic(np.arange(int(n_samples))))
    values = []
    for _ in range(int(n_resamples)):
        picked = rng.integers(0, len(units), size=len(units))
        if resampled == "rows":
            rows = picked
        else:
            rows = np.concatenate([flat[starts[p] : starts[p] + sizes[p]] for p in picked])
        try:
            with warnings.catch_warnings():
                # a resample can draw one class only: the metric is undefined there, which
                # is expected and counted (n_valid), not a warning for the user
                warnings.filterwarnings("ignore", category=_undefined_metric_warning())
                value = float(statistic(rows))
        except ValueError:
            continue
        if math.isfinite(value):
            values.append(value)
    if len(values) < n_resamples / 2:
        raise ValueError(
            f"the statistic was undefined on {n_resamples - len(values)} of {n_resamples} "
            f"resamples (e.g. only one class drawn); use more rows or groups, or a statistic "
            f"that is defined on small samples."
        )
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return BootstrapInterval(
        estimate=estimate,
        ci_low=float(low),
        ci_high=float(high),
        confidence=float(confidence),
        n_resamples=int(n_resamples),
        n_valid=len(values),
        n_units=len(units),
        resampled=resampled,
    )


def _undefined_metric_warning() -> type[Warning]:
    """scikit-learn's ``UndefinedMetricWarning`` (imported where needed)."""
    try:
        from sklearn.exceptions import UndefinedMetricWarning
    except ImportError:  # pragma: no cover - scikit-learn is a core dependency
        return UserWarning
    return UndefinedMetricWarning
