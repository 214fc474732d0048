"""Calibration of predicted probabilities: measuring it, repairing it, thresholds.

A classifier is *calibrated* when, among the cases it gives a probability ``p``, a share
``p`` is positive. For binary targets, this module repairs calibration and gathers the
tools of chapter 11 in one place:

- measuring (defined in :mod:`mlkit.reliability`, re-exported here):
  :func:`reliability_table`, :func:`plot_reliability`, :func:`brier_decomposition`,
  :func:`expected_calibration_error` and :func:`calibration_report`;
- :func:`recalibrate`: scikit-learn's ``CalibratedClassifierCV`` (sigmoid or isotonic)
  on folds that keep every group on one side, or on a prefit model through
  ``FrozenEstimator``; :func:`calibrate_out_of_fold` does the same to out-of-fold
  scores, without refitting the model;
- :func:`~mlkit.thresholds.tune_threshold` (defined in :mod:`mlkit.thresholds`,
  re-exported here): ``TunedThresholdClassifierCV`` against the costs of
  :func:`mlkit.metrics.expected_cost`, next to ``c_fp / (c_fp + c_fn)``.

The positive class is the greater label (``1`` for 0/1 labels), as in scikit-learn,
unless ``pos_label`` says otherwise. Losses (Brier, ECE, cost) are positive numbers,
lower is better. matplotlib and seaborn are imported only by the plotting functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mlkit._validation import (
    check_choice,
    check_consistent_length,
    check_groups,
    check_target,
)
from mlkit.reliability import (
    STRATEGIES,
    BrierDecomposition,
    CalibrationReport,
    ECEEstimate,
    brier_decomposition,
    calibration_report,
    expected_calibration_error,
    plot_reliability,
    reliability_table,
)
from mlkit.reliability import _check_proba as _check_proba
from mlkit.reliability import _check_truth as _check_truth
from mlkit.thresholds import ThresholdChoice, _group_folds, tune_threshold

__all__ = [
    "METHODS",
    "STRATEGIES",
    "BrierDecomposition",
    "CalibrationReport",
    "ECEEstimate",
    "ThresholdChoice",
    "brier_decomposition",
    "calibrate_out_of_fold",
    "calibration_report",
    "expected_calibration_error",
    "plot_reliability",
    "recalibrate",
    "reliability_table",
    "tune_threshold",
]

METHODS = ("sigmoid", "isotonic")

# --------------------------------------------------------------------------- recalibration


def _check_estimator_fitted(estimator: Any) -> None:
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:
        check_is_fitted(estimator)
    except (NotFittedError, TypeError):
        # NotFittedError is a ValueError too: both ``except`` styles catch it
        raise NotFittedError(
            f"estimator ({type(estimator).__name__}) is not fitted, but prefit=True; fit it on "
            f"training data first, or pass prefit=False to fit it inside the folds."
        ) from None


def recalibrate(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    method: str = "isotonic",
    groups: Any = None,
    cv: Any = None,
    prefit: bool = False,
    random_state: int | None = 0,
) -> Any:
    """Wrap a classifier in scikit-learn's ``CalibratedClassifierCV`` and fit it.

    Without ``prefit``, the folds come from :func:`mlkit.splits.materialise_folds`
    (``choose_cv`` with ``groups`` by default), so each calibrator is fitted on the
    predictions for patients that its model never saw: a fold never splits a group.
    Each fold gives a (model, calibrator) pair; predictions average the pairs
    (``ensemble=True``).

    With ``prefit=True``, ``estimator`` is already fitted; it is wrapped in
    :class:`sklearn.frozen.FrozenEstimator` (``cv="prefit"`` is gone from
    scikit-learn) and *all* of ``X, y`` calibrates it. Those rows must not overlap the
    model's training rows (nor their groups).

    Parameters
    ----------
    estimator : classifier
        With ``predict_proba`` or ``decision_function`` (the calibrator maps the
        decision function when there is one, else the probability).
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
        Binary labels.
    method : {"isotonic", "sigmoid"}, default="isotonic"
        Isotonic regression (flexible, needs about a thousand calibration samples) or
        Platt's sigmoid (two parameters); see Niculescu-Mizil and Caruana (2005).
    groups : array-like, default=None
        Group of each row, given to the splitter.
    cv : None, int, splitter or list of (train, test), default=None
        As in :func:`~mlkit.splits.materialise_folds`; must be ``None`` with ``prefit``.
    prefit : bool, default=False
        ``estimator`` is fitted already; calibrate it on ``X, y``.
    random_state : int or None, default=0
        Seed of the default splitter.

    Returns
    -------
    CalibratedClassifierCV
        Fitted.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        An unfitted estimator with ``prefit`` (a subclass of ``ValueError``).
    ValueError
        Bad ``method``, a target without two classes, lengths that differ, ``cv`` with
        ``prefit``, a ``cv`` whose folds put one group on both sides although ``groups``
        is given.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from mlkit.calibration import recalibrate
    >>> X, y = make_classification(n_samples=300, random_state=0)
    >>> groups = [i // 3 for i in range(300)]
    >>> model = recalibrate(GaussianNB(), X, y, method="sigmoid", groups=groups, cv=3)
    >>> len(model.calibrated_classifiers_)
    3
    """
    from sklearn.base import clone
    from sklearn.calibration import CalibratedClassifierCV

    method = check_choice(method, name="method", choices=METHODS)
    y_arr = check_target(y, name="y")
    _check_truth(y_arr, name="y")
    check_consistent_length(X=X, y=y_arr)
    if groups is not None:
        check_groups(groups, n_samples=y_arr.size)
    if prefit:
        from sklearn.frozen import FrozenEstimator

        if cv is not None:
            raise ValueError(
                "cv is given but prefit=True: a prefit model is calibrated on all of X, y "
                "(no folds); drop cv, or pass prefit=False to calibrate inside folds."
            )
        _check_estimator_fitted(estimator)
        return CalibratedClassifierCV(FrozenEstimator(estimator), method=method).fit(X, y_arr)
    folds = _group_folds(cv, X, y_arr, groups=groups, random_state=random_state)
    calibrated = CalibratedClassifierCV(clone(estimator), method=method, cv=list(folds))
    return calibrated.fit(X, y_arr)


def calibrate_out_of_fold(
    y_true: Any,
    y_prob: Any,
    *,
    method: str = "isotonic",
    groups: Any = None,
    cv: Any = None,
    pos_label: Any = None,
    random_state: int | None = 0,
) -> np.ndarray:
    """Recalibrate out-of-fold probabilities, each fold by a map fitted on the others.

    When ``y_prob`` already are out-of-fold predictions (``cross_val_predict`` on group
    folds), a second round of folds gives an honest estimate of what recalibration does
    without refitting the model: the calibrator applied to a fold's patients was fitted
    on the (probability, label) pairs of the other patients only. This is the
    ``ensemble=False`` recipe of ``CalibratedClassifierCV``, evaluated out of fold.

    ``"isotonic"`` fits ``IsotonicRegression(out_of_bounds="clip")`` on the probability;
    ``"sigmoid"`` fits a logistic regression on the log-odds of the probability
    (logistic calibration; Platt's sigmoid on a model's log-odds output).

    Parameters
    ----------
    y_true, y_prob, pos_label
        As in :func:`reliability_table`.
    method : {"isotonic", "sigmoid"}, default="isotonic"
    groups, cv, random_state
        Folds as in :func:`~mlkit.splits.materialise_folds` (by default
        ``StratifiedGroupKFold`` when ``groups`` is given).

    Returns
    -------
    ndarray of shape (n_samples,)
        Recalibrated probabilities, each from a map that never saw its label.

    Raises
    ------
    ValueError
        As :func:`reliability_table` for the inputs; a bad ``method``; folds that do not
        test every sample once, or that split a group although ``groups`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.calibration import calibrate_out_of_fold
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(size=500)
    >>> y = rng.uniform(size=500) < p**3
    >>> bool(np.mean((calibrate_out_of_fold(y, p) - y) ** 2) < np.mean((p - y) ** 2))
    True
    """
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    method = check_choice(method, name="method", choices=METHODS)
    truth = _check_truth(y_true, pos_label=pos_label)
    prob = _check_proba(y_prob, n_samples=truth.size)
    folds = _group_folds(cv, prob[:, None], truth, groups=groups, random_state=random_state)
    out = np.full(truth.size, np.nan)
    eps = 1e-6
    logit = np.log(np.clip(prob, eps, 1 - eps) / (1 - np.clip(prob, eps, 1 - eps)))
    for train, test in folds:
        if method == "isotonic":
            iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
            out[test] = iso.fit(prob[train], truth[train]).predict(prob[test])
        else:
            lr = LogisticRegression(C=1e6).fit(logit[train, None], truth[train])
            out[test] = lr.predict_proba(logit[test, None])[:, 1]
    if np.isnan(out).any():
        raise ValueError(
            "cv does not test every sample exactly once; pass K-fold style folds (the "
            "default) so that every probability is recalibrated."
        )
    return out
