"""Training chronicles: diagnostics for models trained step by step with ``partial_fit``.

Four checks that save days when a network trains badly (Karpathy, 2019):

- :func:`lr_range_test` raises the learning rate geometrically, one mini-batch per
  step, records the loss and suggests a rate (Smith, 2017);
- :func:`overfit_small_batch` asks whether the model can drive the training loss on a
  few samples to about zero; if it cannot, the pipeline has a bug;
- :func:`gradient_norms` records the exact per-layer gradient norm of a scikit-learn
  MLP at each step, to see vanishing or exploding gradients (Glorot and Bengio, 2010);
- :func:`seed_sensitivity` sets the score spread across random seeds against the
  spread across cross-validation folds.

They work on scikit-learn estimators that learn incrementally
(``MLPClassifier``/``MLPRegressor``, ``SGDClassifier``/``SGDRegressor``) on features
that are already preprocessed (a ``Pipeline`` has no ``partial_fit``: fit the
preprocessing first and pass its output). No deep-learning framework is needed.
Importing this module loads no plotting library; ``.plot`` imports matplotlib.

The first two live here; :func:`gradient_norms` is defined in :mod:`mlkit.gradients`
and :func:`seed_sensitivity` in :mod:`mlkit.seeds`, both re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlkit._incremental import (
    batches,
    check_batch_size,
    check_incremental,
    check_positive_float,
    check_random_state,
    constant_loss,
    debug_rows,
    incremental_clone,
    is_classifier,
    loss_name,
    prepare,
    rate_parameter,
    set_rate,
    step,
    training_loss,
)
from mlkit._validation import check_positive_int
from mlkit.gradients import GradientNorms, gradient_norms
from mlkit.seeds import SeedSensitivity, seed_sensitivity
from mlkit.tasks import _plain

__all__ = [
    "GradientNorms",
    "LRRangeResult",
    "OverfitCheck",
    "SeedSensitivity",
    "gradient_norms",
    "lr_range_test",
    "overfit_small_batch",
    "seed_sensitivity",
]

# --------------------------------------------------------------------------- LR range test


@dataclass(frozen=True, eq=False)
class LRRangeResult:
    """The outcome of :func:`lr_range_test`.

    Attributes
    ----------
    learning_rates : ndarray
        The rate used at each step (geometric), up to the step where the test stopped.
    losses : ndarray
        The training loss on a fixed evaluation sample after each step.
    smoothed : ndarray
        ``losses`` smoothed by a bias-corrected exponential moving average.
    suggestion : float
        The suggested rate: a tenth of ``lr_at_minimum``.
    lr_at_minimum : float
        The rate at which the smoothed loss is lowest.
    steepest : float
        The rate at which the smoothed loss falls fastest (most negative slope
        against log10 of the rate), a second, bolder rule.
    diverged : bool
        Whether the test stopped early because the loss diverged.
    loss_name : str
        "log loss", "hinge loss" or "squared error" (lower is better).
    """

    learning_rates: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    smoothed: np.ndarray = field(repr=False)
    suggestion: float
    lr_at_minimum: float
    steepest: float
    diverged: bool
    loss_name: str

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``step``, ``learning_rate``, ``loss``, ``smoothed_loss``."""
        return pd.DataFrame(
            {
                "step": np.arange(self.learning_rates.size),
                "learning_rate": self.learning_rates,
                "loss": self.losses,
                "smoothed_loss": self.smoothed,
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Loss against learning rate (log scale), the suggestion marked.

        Returns the matplotlib ``Axes``.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        finite = np.isfinite(self.losses)
        ax.plot(self.learning_rates[finite], self.losses[finite], alpha=0.35, label="raw")
        ax.plot(self.learning_rates, self.smoothed, label="smoothed")
        ax.axvline(self.lr_at_minimum, color="grey", linestyle=":", label="loss minimum")
        ax.axvline(self.suggestion, color="C3", linestyle="--", label="suggestion (min / 10)")
        ax.set_xscale("log")
        ax.set_xlabel("learning rate (log scale)")
        ax.set_ylabel(f"training {self.loss_name} (lower is better)")
        ax.set_title("Learning-rate range test")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def lr_range_test(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    lr_min: float = 1e-5,
    lr_max: float = 1.0,
    n_steps: int = 100,
    batch_size: int = 32,
    random_state: int = 0,
    smoothing: float = 0.7,
    diverge_factor: float = 4.0,
    eval_size: int = 1000,
) -> LRRangeResult:
    """Learning-rate range test: raise the rate geometrically, one mini-batch per step.

    A fresh clone of ``estimator`` takes ``n_steps`` updates; step ``t`` uses the rate
    ``lr_min * (lr_max / lr_min) ** (t / (n_steps - 1))`` (Smith, 2017). For an MLP
    the rate is ``learning_rate_init`` (``batch_size`` is set so that each
    ``partial_fit`` is exactly one update); for an SGD model it is ``eta0`` with
    ``learning_rate="constant"`` (SGD models update per sample, so a step is one pass
    over the mini-batch). After each step the training loss is measured on a fixed
    evaluation sample of ``eval_size`` training rows (less noisy than the batch loss),
    and smoothed by an exponential moving average with bias correction.

    **Stopping rule.** The test stops early when the smoothed loss exceeds
    ``diverge_factor`` times its best value so far, or the loss is not finite.

    **Suggestion rule.** A tenth of the rate at which the smoothed loss is lowest. The
    minimum sits where training is about to become unstable; a tenth of it is still
    fast, with a margin of safety. ``steepest`` (where the loss falls fastest) is
    reported too. A minimum at the last step means ``lr_max`` was too low.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor, SGDClassifier or SGDRegressor
        Unfitted template; it is cloned, never modified.
    X : array-like of shape (n_samples, n_features)
        Preprocessed (numeric, scaled, imputed) training features.
    y : array-like of shape (n_samples,)
        Target.
    lr_min, lr_max : float, default=1e-5, 1.0
        The range of rates, ``0 < lr_min < lr_max``.
    n_steps : int, default=100
        Number of mini-batches (at least 5).
    batch_size : int, default=32
        Rows per mini-batch; batches cycle through reshuffled epochs.
    random_state : int, default=0
        Seed of the batch order and the evaluation sample.
    smoothing : float, default=0.7
        Moving-average weight of the past, in [0, 1); 0 means no smoothing.
    diverge_factor : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its best value (> 1).
    eval_size : int, default=1000
        Rows of the fixed evaluation sample (all rows if there are fewer).

    Returns
    -------
    LRRangeResult
        With ``.suggestion``, ``.to_frame()`` and ``.plot(ax=None)``.

    Raises
    ------
    ValueError
        ``lr_min >= lr_max``, non-positive rates, an estimator without
        ``partial_fit`` or without a learning-rate parameter, ``batch_size`` larger
        than the data, bad ``X``/``y``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> from mlkit.diagnostics import lr_range_test
    >>> X, y = make_classification(n_samples=400, random_state=0)
    >>> mlp = MLPClassifier(hidden_layer_sizes=(16,), solver="sgd", random_state=0)
    >>> result = lr_range_test(mlp, X, y, lr_min=1e-4, lr_max=10.0, n_steps=60)
    >>> bool(result.suggestion < result.lr_at_minimum <= 10.0)
    True
    """
    check_incremental(estimator)
    key = rate_parameter(estimator)
    lr_min = check_positive_float(lr_min, name="lr_min")
    lr_max = check_positive_float(lr_max, name="lr_max")
    if lr_min >= lr_max:
        raise ValueError(
            f"lr_min={lr_min:g} must be smaller than lr_max={lr_max:g}; the test raises "
            f"the rate from lr_min to lr_max (e.g. lr_min=1e-5, lr_max=1)."
        )
    n_steps = check_positive_int(n_steps, name="n_steps", minimum=5)
    if (
        isinstance(smoothing, bool)
        or not isinstance(smoothing, int | float)
        or not (0 <= smoothing < 1)
    ):
        raise ValueError(f"smoothing={_plain(smoothing)!r} must be a number in [0, 1), e.g. 0.7.")
    diverge_factor = check_positive_float(diverge_factor, name="diverge_factor")
    if diverge_factor <= 1:
        raise ValueError(f"diverge_factor={diverge_factor:g} must be > 1, e.g. 4.")
    eval_size = check_positive_int(eval_size, name="eval_size")
    seed = check_random_state(random_state)
    X_arr, y_arr = prepare(X, y)
    batch_size = check_batch_size(batch_size, X_arr.shape[0])

    est = incremental_clone(estimator, batch_size=batch_size)
    classes = np.unique(y_arr) if is_classifier(est) else None
    rng = np.random.default_rng(seed + 1)
    eval_idx = rng.permutation(X_arr.shape[0])[: min(eval_size, X_arr.shape[0])]
    X_eval, y_eval = X_arr[eval_idx], y_arr[eval_idx]

    rates = lr_min * (lr_max / lr_min) ** (np.arange(n_steps) / (n_steps - 1))
    losses: list[float] = []
    smoothed: list[float] = []
    average, best, diverged = 0.0, math.inf, False
    with np.errstate(all="ignore"):
        for t, idx in enumerate(batches(X_arr.shape[0], batch_size, n_steps, seed)):
            set_rate(est, key, float(rates[t]))
            step(est, X_arr[idx], y_arr[idx], classes)
            loss = training_loss(est, X_eval, y_eval, classes)
            losses.append(loss)
            if not math.isfinite(loss):
                smoothed.append(math.inf)
                diverged = True
                break
            average = smoothing * average + (1 - smoothing) * loss
            value = average / (1 - smoothing ** (t + 1))
            smoothed.append(value)
            best = min(best, value)
            if value > diverge_factor * best:
                diverged = True
                break
    used = rates[: len(losses)]
    smooth = np.array(smoothed)
    at_min = float(used[int(np.argmin(smooth))])
    finite = np.isfinite(smooth)
    if finite.sum() >= 2:
        slope = np.gradient(smooth[finite], np.log10(used[finite]))
        steepest = float(used[finite][int(np.argmin(slope))])
    else:
        steepest = at_min
    return LRRangeResult(
        learning_rates=used,
        losses=np.array(losses),
        smoothed=smooth,
        suggestion=at_min / 10,
        lr_at_minimum=at_min,
        steepest=steepest,
        diverged=diverged,
        loss_name=loss_name(est),
    )


# --------------------------------------------------------------------------- overfit check


@dataclass(frozen=True, eq=False)
class OverfitCheck:
    """The outcome of :func:`overfit_small_batch`.

    Attributes
    ----------
    losses : ndarray
        Training loss on the debug set after each step.
    passed : bool
        Whether the loss fell to ``threshold`` or below within ``max_steps``.
    steps_to_pass : int or None
        The first step (counted from 1) at or below the threshold.
    threshold : float
        ``tol`` times ``constant_loss``.
    constant_loss : float
        The loss of the best constant prediction on the debug set (class
        frequencies, or the mean): what a model that learns nothing achieves.
    n : int
        Rows in the debug set.
    loss_name : str
        "log loss", "hinge loss" or "squared error".
    """

    losses: np.ndarray = field(repr=False)
    passed: bool
    steps_to_pass: int | None
    threshold: float
    constant_loss: float
    n: int
    loss_name: str

    @property
    def verdict(self) -> str:
        """One sentence saying what the check found."""
        if self.passed:
            return (
                f"passed: the training {self.loss_name} on {self.n} samples fell below "
                f"{self.threshold:.3g} after {self.steps_to_pass} steps"
            )
        return (
            f"failed: after {self.losses.size} steps the training {self.loss_name} on "
            f"{self.n} samples is {self.losses[-1]:.3g}, above {self.threshold:.3g} "
            f"(a constant prediction scores {self.constant_loss:.3g}); look for a bug"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per step: ``step`` (from 1) and ``loss``."""
        return pd.DataFrame({"step": np.arange(1, self.losses.size + 1), "loss": self.losses})

    def plot(self, ax: Any = None, *, label: str | None = None) -> Any:
        """The loss trace (log scale) with the pass threshold; returns the ``Axes``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        ax.plot(np.arange(1, self.losses.size + 1), self.losses, label=label or "loss")
        ax.axhline(self.threshold, color="grey", linestyle=":", label="pass threshold")
        ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_ylabel(f"training {self.loss_name} on {self.n} samples (log scale)")
        ax.set_title("Overfitting a small debug set")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def overfit_small_batch(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    n: int = 32,
    max_steps: int = 500,
    tol: float = 0.05,
    random_state: int = 0,
) -> OverfitCheck:
    """Can the model drive the training loss on ``n`` samples to about zero?

    Karpathy's recipe (Karpathy, 2019): before training on everything, overfit a
    tiny debug set. A fresh clone of ``estimator`` trains on the same ``n`` rows (one
    ``partial_fit`` on all of them per step; an MLP's ``batch_size`` is set to ``n``)
    for at most ``max_steps`` steps. The check **passes** when the training loss on
    those rows falls to ``tol`` times the loss of the best constant prediction (class
    frequencies, or the mean) within the budget. It stops at the first such step.

    What a failure means: the pipeline cannot fit even the data it sees, so something
    between the data and the update is broken (features that reach the model as
    constants, a frozen or zero learning rate, labels that do not stay with their rows
    because a loader shuffles them on every step). What a pass does *not* mean: a
    flexible model also memorises ``n`` rows whose labels were shuffled *once* (random
    but fixed labels), so passing says the model can fit, not that there is signal.
    A linear model passes only when the ``n`` rows are separable (about ``n`` <= number
    of features).

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor, SGDClassifier or SGDRegressor
        Unfitted template, configured as you intend to train it (rate, solver).
    X : array-like of shape (n_samples, n_features)
        Preprocessed features.
    y : array-like of shape (n_samples,)
        Target.
    n : int, default=32
        Rows in the debug set (stratified by class for classification), at least 2
        and at most the number of rows.
    max_steps : int, default=500
        Step budget.
    tol : float, default=0.05
        Pass threshold as a fraction of the constant prediction's loss, in (0, 1).
    random_state : int, default=0
        Seed of the debug-set draw.

    Returns
    -------
    OverfitCheck
        ``.passed``, ``.verdict``, the loss trace in ``.to_frame()``, ``.plot()``.

    Raises
    ------
    ValueError
        ``n`` larger than the data or < 2, an estimator without ``partial_fit``,
        ``tol`` outside (0, 1), bad ``X``/``y``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> from mlkit.diagnostics import overfit_small_batch
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> mlp = MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
    >>> overfit_small_batch(mlp, X, y, n=32).passed
    True
    """
    check_incremental(estimator)
    X_arr, y_arr = prepare(X, y)
    n_samples = X_arr.shape[0]
    n = check_positive_int(n, name="n", minimum=2)
    if n > n_samples:
        raise ValueError(
            f"n={n} is larger than the data ({n_samples} rows); use n<={n_samples} "
            f"(a debug set is a small subset, e.g. n=32)."
        )
    max_steps = check_positive_int(max_steps, name="max_steps")
    tol = check_positive_float(tol, name="tol")
    if tol >= 1:
        raise ValueError(f"tol={tol:g} must be < 1 (a fraction of the constant loss), e.g. 0.05.")
    seed = check_random_state(random_state)

    est = incremental_clone(estimator, batch_size=n)
    is_clf = is_classifier(est)
    classes = np.unique(y_arr) if is_clf else None
    idx = debug_rows(y_arr, n, seed=seed, stratify=is_clf)
    X_d, y_d = X_arr[idx], y_arr[idx]
    name = loss_name(est)
    constant = constant_loss(y_d, classes, name)
    threshold = tol * constant
    losses: list[float] = []
    first: int | None = None
    with np.errstate(all="ignore"):
        for k in range(1, max_steps + 1):
            step(est, X_d, y_d, classes)
            losses.append(training_loss(est, X_d, y_d, classes))
            if losses[-1] <= threshold:
                first = k
                break
    return OverfitCheck(
        losses=np.array(losses),
        passed=first is not None,
        steps_to_pass=first,
        threshold=threshold,
        constant_loss=constant,
        n=n,
        loss_name=name,
    )
