"""Extrapolating a learning curve: is collecting more data worth it?

:func:`fit_power_law` fits an inverse power law ``error ~ a + b * n**(-c)`` to a test
learning curve (the mean over folds, and each fold's curve), predicts the score at
multiples of the data (2x and 10x by default) with an interval from the fold spread,
and returns a plateau verdict. When the fit is poor (few sizes, a curve that does not
decrease, a large residual, an unstable exponent) it says so instead of printing a
number. Power laws describe empirical learning curves well over a useful range
(Hestness et al. 2017; Viering & Loog 2022), but an extrapolation is only as good as
the range it was fitted on: treat 10x as a rough guide.

:meth:`mlkit.curves.LearningCurveResult.extrapolate` calls it on a learning curve.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["C_BOUNDS", "Extrapolation", "fit_power_law"]


def _direction(loss: bool) -> str:
    return "lower is better" if loss else "higher is better"


C_BOUNDS = (0.01, 3.0)


@dataclass(frozen=True, eq=False)
class Extrapolation:
    """An inverse power law fitted to a learning curve, returned by :func:`fit_power_law`.

    The curve is fitted to the error ``e`` (the loss, or minus a higher-is-better score)
    as ``e(n) = a + b * n**(-c)``; ``a`` is the error the curve levels off at.

    Attributes
    ----------
    a, b, c : float
        Fitted parameters in the original units of ``n`` and of ``e`` (NaN when the fit
        failed).
    reliable : bool
        Whether the fit passed every check; when False, :attr:`predictions` holds NaN.
    verdict : str
        One sentence: ``"plateau: ..."``, ``"still improving: ..."`` or
        ``"poor fit: ..."`` (with the reason).
    predictions : DataFrame
        One row per factor: ``factor``, ``n``, ``predicted``, ``low``, ``high`` (the
        range of the per-fold fits), in the metric's natural units.
    current : float
        Mean test score at the largest size.
    gain_2x : float
        Predicted improvement from doubling the data (positive = better; NaN if poor).
    noise : float
        Standard error of the mean test score at the largest size (fold spread).
    rmse : float
        Root mean squared residual of the fit to the mean curve.
    observed : DataFrame
        ``n``, ``mean``, ``se`` of the test score per size (for plotting).
    metric, unit : str
    loss : bool
    """

    a: float
    b: float
    c: float
    reliable: bool
    verdict: str
    predictions: pd.DataFrame
    current: float
    gain_2x: float
    noise: float
    rmse: float
    observed: pd.DataFrame = field(repr=False)
    metric: str = "score"
    unit: str = "samples"
    loss: bool = True

    def to_frame(self) -> pd.DataFrame:
        """The predictions table, with the verdict in ``frame.attrs["verdict"]``."""
        frame = self.predictions.copy()
        frame.attrs["verdict"] = self.verdict
        return frame

    def predict(self, n: Any) -> np.ndarray:
        """The fitted curve at ``n`` in natural units (NaN when the fit failed)."""
        e = self.a + self.b * np.asarray(n, dtype=float) ** (-self.c)
        return e if self.loss else -e

    def __str__(self) -> str:
        return self.verdict

    def plot(self, ax: Axes | None = None) -> Axes:
        """Observed mean test score, the fitted curve and the predictions, log x-axis."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        obs = self.observed
        ax.errorbar(obs["n"], obs["mean"], yerr=obs["se"], fmt="o", label="observed (mean, SE)")
        if np.isfinite(self.c):
            n_max = float(obs["n"].max())
            inside = np.geomspace(float(obs["n"].min()), n_max, 40)
            beyond = np.geomspace(n_max, n_max * max(self.predictions["factor"].max(), 1), 40)
            ax.plot(inside, self.predict(inside), "-", label="power-law fit")
            ax.plot(beyond, self.predict(beyond), "--", label="extrapolation")
        if self.reliable:
            pred = self.predictions
            ax.errorbar(
                pred["n"], pred["predicted"],
                yerr=[pred["predicted"] - pred["low"], pred["high"] - pred["predicted"]],
                fmt="s", capsize=4, label="predicted (fold range)",
            )  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel(f"training {self.unit} (log scale)")
        ax.set_ylabel(f"test {self.metric} ({_direction(self.loss)})")
        ax.set_title("Extrapolated learning curve" if self.reliable else "Power-law fit: poor")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def _power(n: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a + b * n ** (-c)


def _fit_curve(x: np.ndarray, e: np.ndarray, p0: Sequence[float] | None = None) -> np.ndarray:
    """Least-squares (a, b, c) on ``x = n / n_max``; raises RuntimeError when it fails."""
    import warnings

    from scipy.optimize import OptimizeWarning, curve_fit

    spread = float(e.max() - e.min())
    if p0 is None:
        p0 = (float(e.min()) - 0.1 * spread, max(spread, 1e-12), 0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OptimizeWarning)
        params, _ = curve_fit(
            _power, x, e, p0=p0, bounds=([-np.inf, 0.0, C_BOUNDS[0]], [np.inf, np.inf, C_BOUNDS[1]]),
            maxfev=20_000,
        )  # fmt: skip
    return np.asarray(params, dtype=float)


def fit_power_law(
    n: Any,
    scores: Any,
    *,
    loss: bool,
    metric: str = "score",
    unit: str = "samples",
    factors: Sequence[float] = (2.0, 10.0),
    tolerance: float | None = None,
) -> Extrapolation:
    """Fit ``error ~ a + b * n**(-c)`` to a learning curve and extrapolate it.

    The error ``e`` is the score itself for a loss and minus the score otherwise. The
    curve is fitted (``scipy.optimize.curve_fit``, ``b >= 0``, ``c`` in
    :data:`C_BOUNDS`) to the mean over folds, and again to each fold's curve; the
    range of the per-fold predictions is the interval. The fit is declared **poor**
    (and no number is predicted) when there are fewer than 4 sizes, the error does not
    decrease from the smallest to the largest size or rises by more than twice the
    fold noise between two sizes, the fit fails, ``c`` ends on a bound, the residual is
    larger than twice the noise and 10 % of the curve's range, or the per-fold
    exponents vary by more than their mean (unstable ``c``).

    The **plateau** verdict compares the predicted gain of doubling the data with
    ``tolerance`` (the smallest gain worth having, in the metric's units) or, without
    it, with the standard error of the mean test score at the largest size.

    Parameters
    ----------
    n : array-like of shape (n_sizes,)
        Increasing training sizes.
    scores : array-like of shape (n_sizes,) or (n_sizes, n_folds)
        Test scores in natural units (a loss positive).
    loss : bool
        True when lower is better.
    metric, unit : str
        Names used in the verdict and plots.
    factors : sequence of float, default=(2.0, 10.0)
        Multiples of the largest size to predict at (each > 1).
    tolerance : float or None, default=None
        Smallest improvement worth collecting data for.

    Returns
    -------
    Extrapolation

    Raises
    ------
    ValueError
        ``n`` and ``scores`` of different lengths, non-positive or non-increasing ``n``,
        non-finite scores, a factor <= 1 or a negative ``tolerance``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.extrapolation import fit_power_law
    >>> n = np.array([100, 200, 400, 800, 1600])
    >>> fit = fit_power_law(n, 0.1 + 2.0 * n ** -0.5, loss=True, metric="rmse")
    >>> round(fit.a, 4), round(fit.b, 3), round(fit.c, 3)
    (0.1, 2.0, 0.5)
    >>> fit.verdict.split(":")[0]
    'still improving'
    """
    sizes = np.asarray(n, dtype=float).ravel()
    values = np.asarray(scores, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.ndim != 2 or values.shape[0] != sizes.size:
        raise ValueError(
            f"scores must have one row per size ({sizes.size}), got shape {values.shape}."
        )
    if sizes.size == 0 or np.any(sizes <= 0) or np.any(np.diff(sizes) <= 0):
        raise ValueError(f"n must be positive and strictly increasing, got {sizes.tolist()}.")
    if not np.isfinite(values).all():
        raise ValueError("scores contain NaN or infinite values; a curve fit needs finite scores.")
    factors_arr = np.asarray(factors, dtype=float).ravel()
    if factors_arr.size == 0 or np.any(factors_arr <= 1):
        raise ValueError(
            f"factors={list(factors)} must be multiples of the data > 1, e.g. (2, 10)."
        )
    if tolerance is not None and not tolerance >= 0:
        raise ValueError(f"tolerance={tolerance!r} must be a gain >= 0 in the metric's units.")
    sign = 1.0 if loss else -1.0
    errors = sign * values
    k = errors.shape[1]
    mean = errors.mean(axis=1)
    se = errors.std(axis=1, ddof=1) / math.sqrt(k) if k > 1 else np.zeros(sizes.size)
    noise = float(se[-1])
    n_max = float(sizes[-1])
    x = sizes / n_max
    observed = pd.DataFrame({"n": sizes, "mean": sign * mean, "se": se})
    nan_pred = pd.DataFrame(
        {"factor": factors_arr, "n": factors_arr * n_max, "predicted": np.nan, "low": np.nan,
         "high": np.nan}
    )  # fmt: skip

    params = np.full(3, np.nan)
    reason = None
    tiny = 1e-12 * max(1.0, float(np.abs(mean).max()))
    jumps = np.diff(mean) - 2 * np.maximum(se[1:], se[:-1])
    if sizes.size < 4:
        reason = f"only {sizes.size} training sizes; a three-parameter curve needs at least 4"
    elif not mean[-1] < mean[0] - tiny:
        reason = f"the test {metric} does not improve from the smallest to the largest size"
    elif np.any(jumps > tiny):
        reason = f"the test {metric} gets worse between two sizes by more than the fold noise"
    else:
        try:
            params = _fit_curve(x, mean)
        except (RuntimeError, ValueError):
            reason = "the least-squares fit did not converge"
    rmse = float(np.sqrt(np.mean((_power(x, *params) - mean) ** 2)))
    fold_params: list[np.ndarray] = []
    if reason is None:
        if min(abs(params[2] - C_BOUNDS[0]), abs(params[2] - C_BOUNDS[1])) < 1e-3:
            reason = f"the exponent c={params[2]:.3g} ends on its bound {C_BOUNDS} (unstable c)"
        elif rmse > max(2 * float(se.mean()), 0.1 * float(mean.max() - mean.min())) + tiny:
            reason = f"the residual ({rmse:.3g}) is large: the curve is not a power law"
    if reason is None and k > 1:
        for j in range(k):
            try:
                fold_params.append(_fit_curve(x, errors[:, j], p0=params.tolist()))
            except (RuntimeError, ValueError):
                reason = f"the fit to fold {j}'s curve did not converge"
                break
        fold_c = np.array([p[2] for p in fold_params])
        if reason is None and fold_c.std(ddof=1) > fold_c.mean():
            reason = (
                f"the per-fold exponents c range from {fold_c.min():.2g} to {fold_c.max():.2g} "
                f"(unstable c)"
            )
    a, b, c = (float(v) for v in params)
    b_orig = b * n_max**c if np.isfinite(c) else math.nan
    current = float(sign * mean[-1])
    if reason is not None:
        return Extrapolation(
            a, b_orig, c, False, f"poor fit: {reason}; no extrapolation is reported", nan_pred,
            current, math.nan, noise, rmse, observed, metric, unit, loss,
        )  # fmt: skip
    predicted = sign * _power(factors_arr, a, b, c)
    folds = np.array([sign * _power(factors_arr, *p) for p in fold_params]) if fold_params else None
    low = folds.min(axis=0) if folds is not None else predicted
    high = folds.max(axis=0) if folds is not None else predicted
    predictions = pd.DataFrame(
        {"factor": factors_arr, "n": factors_arr * n_max, "predicted": predicted,
         "low": low, "high": high}
    )  # fmt: skip
    gain = float(_power(np.array([1.0]), a, b, c)[0] - _power(np.array([2.0]), a, b, c)[0])
    threshold, what = (
        (tolerance, "the tolerance") if tolerance is not None else (noise, "the fold noise")
    )
    if gain <= threshold + tiny:
        verdict = (
            f"plateau: twice the data is predicted to improve {metric} by {gain:.3g}, not "
            f"more than {what} ({threshold:.3g})"
        )
    else:
        verdict = (
            f"still improving: twice the data is predicted to improve {metric} by {gain:.3g}"
            f" (to {sign * _power(np.array([2.0]), a, b, c)[0]:.3g}), more than {what} "
            f"({threshold:.3g})"
        )
    return Extrapolation(
        a, b_orig, c, True, verdict, predictions, current, gain, noise, rmse, observed,
        metric, unit, loss,
    )  # fmt: skip
