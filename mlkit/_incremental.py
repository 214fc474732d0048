"""Private helpers of :mod:`mlkit.diagnostics`: training step by step with ``partial_fit``.

Input checks, mini-batch schedules, one update, the loss in natural units, setting the
learning rate of an incremental estimator, and the small utilities the seed experiment
needs. Nothing here is public API.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from mlkit._validation import (
    check_consistent_length,
    check_features,
    check_positive_int,
    check_target,
)

INCREMENTAL = "MLPClassifier, MLPRegressor, SGDClassifier or SGDRegressor"


def check_incremental(estimator: Any, *, name: str = "estimator") -> None:
    if isinstance(estimator, type):
        raise ValueError(
            f"{name} is the class {estimator.__name__}, not an instance; "
            f"pass {estimator.__name__}(...)."
        )
    solver = getattr(estimator, "solver", None)
    if solver == "lbfgs" and hasattr(type(estimator), "partial_fit"):  # an MLP
        raise ValueError(
            f"{name}={type(estimator).__name__}(solver='lbfgs') has no partial_fit: L-BFGS "
            f"works on the full batch; use solver='sgd' or solver='adam'."
        )
    if not hasattr(estimator, "partial_fit") or not hasattr(estimator, "get_params"):
        raise ValueError(
            f"{name}={type(estimator).__name__} has no partial_fit, so it cannot be "
            f"trained one mini-batch at a time; pass an incremental estimator ({INCREMENTAL})"
            f" on already preprocessed features (a Pipeline has no partial_fit)."
        )


def rate_parameter(estimator: Any, *, name: str = "estimator") -> str:
    """``"learning_rate_init"`` (MLP) or ``"eta0"`` (SGD): the step size parameter."""
    params = estimator.get_params(deep=False)
    for key in ("learning_rate_init", "eta0"):
        if key in params:
            return key
    raise ValueError(
        f"{name}={type(estimator).__name__} has no learning_rate_init or eta0 parameter, "
        f"so its learning rate cannot be set; use an {INCREMENTAL}."
    )


def as_float_matrix(X: Any, *, name: str = "X") -> np.ndarray:
    check_features(X, name=name, allow_sparse=False)  # duplicates, inf by column, sparse
    arr = np.asarray(X)
    if arr.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (samples x features) but has shape {arr.shape}; "
            f"use X.reshape(-1, 1) for a single feature."
        )
    try:
        arr = arr.astype(np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be numeric; encode and scale the features first "
            f"(these diagnostics take preprocessed features, not a Pipeline)."
        ) from None
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name} contains missing or infinite values; impute them before training "
            f"(e.g. SimpleImputer fit on the training rows)."
        )
    return arr


def prepare(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    y_arr = check_target(y, name="y")
    X_arr = as_float_matrix(X)
    check_consistent_length(X=X_arr, y=y_arr)
    return X_arr, y_arr


def check_batch_size(batch_size: Any, n_samples: int) -> int:
    batch_size = check_positive_int(batch_size, name="batch_size")
    if batch_size > n_samples:
        raise ValueError(
            f"batch_size={batch_size} is larger than the number of samples ({n_samples}); "
            f"use batch_size<={n_samples}."
        )
    return batch_size


def check_positive_float(value: Any, *, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    if not math.isfinite(float(value)) or float(value) <= 0:
        raise ValueError(f"{name}={value!r} must be a finite number > 0.")
    return float(value)


def is_classifier(estimator: Any) -> bool:
    from sklearn.base import is_classifier

    return bool(is_classifier(estimator))


def batches(n_samples: int, batch_size: int, n_steps: int, seed: int) -> Iterator[np.ndarray]:
    """``n_steps`` mini-batches: consecutive slices of a fresh permutation per epoch."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(n_samples)
    start = 0
    for _ in range(n_steps):
        if start + batch_size > n_samples:
            order = rng.permutation(n_samples)
            start = 0
        yield order[start : start + batch_size]
        start += batch_size


def step(estimator: Any, X: np.ndarray, y: np.ndarray, classes: np.ndarray | None) -> None:
    """One ``partial_fit`` call; ``classes`` on the first call of a classifier."""
    if classes is not None and not hasattr(estimator, "classes_"):
        estimator.partial_fit(X, y, classes=classes)
    else:
        estimator.partial_fit(X, y)


def loss_name(estimator: Any) -> str:
    if not is_classifier(estimator):
        return "squared error"
    return "log loss" if hasattr(estimator, "predict_proba") else "hinge loss"


def training_loss(
    estimator: Any, X: np.ndarray, y: np.ndarray, classes: np.ndarray | None
) -> float:
    """The training loss in natural units (positive, lower is better); inf if diverged.

    Log loss for classifiers with ``predict_proba``, hinge loss for the others,
    mean squared error for regressors.
    """
    from sklearn.metrics import hinge_loss, log_loss, mean_squared_error

    with np.errstate(all="ignore"):
        if classes is None:
            pred = np.asarray(estimator.predict(X), dtype=float)
            if not np.isfinite(pred).all():
                return math.inf
            return float(mean_squared_error(y, pred))
        if hasattr(estimator, "predict_proba"):
            proba = np.asarray(estimator.predict_proba(X), dtype=float)
            if not np.isfinite(proba).all():
                return math.inf
            return float(log_loss(y, proba, labels=classes))
        decision = np.asarray(estimator.decision_function(X), dtype=float)
        if not np.isfinite(decision).all():
            return math.inf
        return float(hinge_loss(y, decision, labels=classes))


def constant_loss(y: np.ndarray, classes: np.ndarray | None, loss_name: str) -> float:
    """Loss of the best constant prediction: class frequencies, or the mean."""
    if classes is None:
        return float(np.mean((y - y.mean()) ** 2))
    if loss_name == "hinge loss":
        return 1.0  # a zero decision function costs exactly 1 per sample
    freq = np.array([np.mean(y == c) for c in classes])
    freq = freq[freq > 0]
    return float(-(freq * np.log(freq)).sum())


def set_rate(estimator: Any, key: str, rate: float) -> None:
    """Set the step size, also inside an MLP's optimizer once it exists.

    scikit-learn builds an MLP's optimizer on the first ``partial_fit`` and keeps it, so
    a later ``set_params(learning_rate_init=...)`` alone would not change the step. The
    rate is written to the optimizer too (``SGDOptimizer.learning_rate``;
    ``AdamOptimizer.learning_rate_init``, from which Adam derives its step every update).
    ``tests/test_diagnostics.py`` checks that the step really changes.
    """
    estimator.set_params(**{key: rate})
    optimizer = getattr(estimator, "_optimizer", None)
    if optimizer is not None:
        optimizer.learning_rate_init = rate
        optimizer.learning_rate = rate


def incremental_clone(estimator: Any, *, batch_size: int) -> Any:
    """A fresh clone set up for one update per ``partial_fit`` at a constant rate."""
    from sklearn.base import clone

    est = clone(estimator)
    params = est.get_params(deep=False)
    updates: dict[str, Any] = {}
    if "learning_rate" in params:
        updates["learning_rate"] = "constant"
    if "batch_size" in params:
        updates["batch_size"] = batch_size
    if params.get("early_stopping"):
        updates["early_stopping"] = False
    if updates:
        est.set_params(**updates)
    return est


def check_random_state(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"random_state={value!r} must be an int, e.g. 0.")
    return int(value)


def debug_rows(y: np.ndarray, n: int, *, seed: int, stratify: bool) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if n == y.size:
        return np.arange(y.size)
    if stratify:
        from sklearn.model_selection import train_test_split

        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2 and n >= counts.size:
            rows, _ = train_test_split(
                np.arange(y.size), train_size=n, stratify=y, random_state=seed
            )
            return np.sort(np.asarray(rows))
    return np.sort(rng.choice(y.size, size=n, replace=False))


def with_seed(estimator: Any, seed: int) -> Any:
    """A clone with every ``random_state`` parameter (nested ones too) set to ``seed``."""
    from sklearn.base import clone

    est = clone(estimator)
    keys = [
        k for k in est.get_params(deep=True) if k == "random_state" or k.endswith("__random_state")
    ]
    if not keys:
        raise ValueError(
            f"estimator={type(estimator).__name__} has no random_state parameter, so a seed "
            f"cannot change it; use vary='order' to vary only the order of the rows."
        )
    est.set_params(**dict.fromkeys(keys, seed))
    return est


def clone_estimator(estimator: Any) -> Any:
    from sklearn.base import clone

    return clone(estimator)


def take(X: Any, idx: np.ndarray) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[idx]
    return np.asarray(X)[idx]
