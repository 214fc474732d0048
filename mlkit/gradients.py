"""Vanishing and exploding gradients: the exact per-layer gradient norm of an MLP.

:func:`gradient_norms` trains a clone of a scikit-learn ``MLPClassifier`` or
``MLPRegressor`` with plain mini-batch SGD and recovers, from the public weights before
and after each step, the exact gradient norm of every layer (Glorot and Bengio, 2010).
One of the training chronicles of :mod:`mlkit.diagnostics`, which re-exports it.
Importing this module loads no plotting library; ``.plot`` imports matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlkit._incremental import (
    batches,
    check_batch_size,
    check_random_state,
    incremental_clone,
    is_classifier,
    prepare,
    step,
)
from mlkit._validation import (
    check_positive_int,
)

__all__ = ["GradientNorms", "gradient_norms"]


@dataclass(frozen=True, eq=False)
class GradientNorms:
    """The outcome of :func:`gradient_norms`.

    Attributes
    ----------
    norms : ndarray of shape (n_recorded, n_layers)
        Euclidean norm of the gradient of the layer's weights and biases together, at
        each recorded step (rows) and layer (columns, input side first).
    losses : ndarray of shape (n_recorded,)
        The mini-batch training loss (without the L2 penalty) before each step.
    learning_rate : float
        The constant SGD step used.
    diverged : bool
        Whether training stopped early because the weights became non-finite.
    """

    norms: np.ndarray = field(repr=False)
    losses: np.ndarray = field(repr=False)
    learning_rate: float
    diverged: bool

    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + output layer)."""
        return int(self.norms.shape[1])

    def layer_names(self) -> list[str]:
        """``"layer 1"`` (input side) ... ``"layer L (output)"``."""
        names = [f"layer {k + 1}" for k in range(self.n_layers)]
        names[-1] += " (output)"
        return names

    def to_frame(self) -> pd.DataFrame:
        """Long format: one row per (step, layer) with ``gradient_norm`` and ``loss``."""
        steps = np.arange(self.norms.shape[0])
        frames = [
            pd.DataFrame(
                {
                    "step": steps,
                    "layer": name,
                    "gradient_norm": self.norms[:, k],
                    "loss": self.losses,
                }
            )
            for k, name in enumerate(self.layer_names())
        ]
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax: Any = None) -> Any:
        """Gradient norm per layer over the steps (log scale); returns the ``Axes``."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        steps = np.arange(self.norms.shape[0])
        colours = plt.get_cmap("viridis")(np.linspace(0, 0.9, self.n_layers))
        for k, name in enumerate(self.layer_names()):
            ax.plot(steps, self.norms[:, k], color=colours[k], label=name)
        ax.set_yscale("log")
        ax.set_xlabel("step (mini-batch)")
        ax.set_ylabel("gradient norm (log scale)")
        ax.set_title("Gradient norm per layer")
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def gradient_norms(
    mlp: Any,
    X: Any,
    y: Any,
    *,
    n_steps: int = 100,
    batch_size: int = 32,
    random_state: int = 0,
) -> GradientNorms:
    """The exact per-layer gradient norm of a scikit-learn MLP at each training step.

    A fresh clone of ``mlp`` is trained with plain mini-batch SGD at its
    ``learning_rate_init`` (``solver="sgd"``, ``momentum=0``,
    ``learning_rate="constant"``; the other settings, such as ``activation``,
    ``hidden_layer_sizes`` and ``alpha``, are kept; any ``solver`` is accepted and
    replaced). One such update is exactly
    ``W_new = W - lr * (grad + alpha * W / b)`` for a batch of ``b`` rows, so the
    gradient of the mean batch loss is recovered without approximation as
    ``(W - W_new) / lr - alpha * W / b`` (biases carry no penalty). Only public
    attributes (``coefs_``, ``intercepts_``) are read. The first ``partial_fit``
    initialises the weights inside scikit-learn and is not recorded; the ``n_steps``
    steps after it are. Training stops early when the weights overflow (exploding
    gradients).

    Parameters
    ----------
    mlp : MLPClassifier or MLPRegressor
        Unfitted template; it is cloned, never modified.
    X : array-like of shape (n_samples, n_features)
        Preprocessed features.
    y : array-like of shape (n_samples,)
        Target.
    n_steps : int, default=100
        Steps to record.
    batch_size : int, default=32
        Rows per mini-batch.
    random_state : int, default=0
        Seed of the batch order.

    Returns
    -------
    GradientNorms
        ``.norms`` (steps x layers), ``.to_frame()``, ``.plot(ax=None)``.

    Raises
    ------
    ValueError
        ``mlp`` not a scikit-learn MLP, ``batch_size`` larger than the data, bad
        ``X``/``y``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.neural_network import MLPClassifier
    >>> from mlkit.gradients import gradient_norms
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> result = gradient_norms(MLPClassifier((8, 8), random_state=0), X, y, n_steps=5)
    >>> result.norms.shape
    (5, 3)
    """
    if isinstance(mlp, type):
        raise ValueError(
            f"mlp is the class {mlp.__name__}, not an instance; pass {mlp.__name__}(...)."
        )
    params = mlp.get_params(deep=False) if hasattr(mlp, "get_params") else {}
    if "hidden_layer_sizes" not in params or "learning_rate_init" not in params:
        raise ValueError(
            f"mlp={type(mlp).__name__} is not a scikit-learn MLP; gradient_norms reads "
            f"coefs_ and intercepts_, so pass an MLPClassifier or MLPRegressor."
        )
    n_steps = check_positive_int(n_steps, name="n_steps")
    seed = check_random_state(random_state)
    X_arr, y_arr = prepare(X, y)
    batch_size = check_batch_size(batch_size, X_arr.shape[0])
    est = incremental_clone(mlp, batch_size=batch_size)
    est.set_params(solver="sgd", momentum=0.0, nesterovs_momentum=False)
    lr = float(est.learning_rate_init)
    alpha = float(est.alpha)
    classes = np.unique(y_arr) if is_classifier(est) else None

    rows: list[list[float]] = []
    losses: list[float] = []
    diverged = False
    with np.errstate(all="ignore"):
        for t, idx in enumerate(batches(X_arr.shape[0], batch_size, n_steps + 1, seed)):
            if t == 0:
                step(est, X_arr[idx], y_arr[idx], classes)
                continue
            coefs = [c.copy() for c in est.coefs_]
            intercepts = [b.copy() for b in est.intercepts_]
            step(est, X_arr[idx], y_arr[idx], classes)
            b = idx.size
            norms = []
            for w0, w1, b0, b1 in zip(coefs, est.coefs_, intercepts, est.intercepts_, strict=True):
                grad_w = (w0 - w1) / lr - alpha * w0 / b
                grad_b = (b0 - b1) / lr
                norms.append(float(np.sqrt(np.sum(grad_w**2) + np.sum(grad_b**2))))
            penalty = 0.5 * alpha * sum(float(np.sum(w**2)) for w in coefs) / b
            rows.append(norms)
            losses.append(float(est.loss_curve_[-1]) - penalty)
            if not all(np.isfinite(c).all() for c in est.coefs_) or not np.isfinite(norms).all():
                diverged = True
                break
    return GradientNorms(
        norms=np.array(rows), losses=np.array(losses), learning_rate=lr, diverged=diverged
    )
