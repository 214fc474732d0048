"""Group leakage: does cross-validation reward a model for recognising subjects?

When a dataset holds several rows per subject (visits of a patient, sessions of a
user, images of a scene), record-wise cross-validation puts rows of the same
subject on both sides of a fold. A flexible model can then score well by
recognising the subject instead of learning what generalises to new subjects
(Saeb et al., 2017, "The need to approximate the use-case in clinical machine
learning"). :func:`group_leakage_check` measures that optimism directly:
the same model, the same data, scored once with record-wise folds and once with
subject-wise folds, the gap weighed against the noise of repeated cross-validation
with the same corrected repeated k-fold t-test as every other paired comparison in
mlkit (:func:`mlkit.stats.corrected_ttest`), plus an identity measure that shows
whether the features alone find a subject's other rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    StratifiedGroupKFold,
    StratifiedKFold,
    cross_val_score,
)

from mlkit._validation import (
    check_consistent_length,
    check_features,
    check_groups,
    check_positive_int,
    check_target,
)
from mlkit.metrics import get_scorers, resolve_task
from mlkit.splits import choose_cv, materialise_folds
from mlkit.stats import corrected_ttest

__all__ = ["GroupLeakageReport", "group_leakage_check"]

#: Test rows per fold used by the identity measure (a random subset beyond this).
IDENTITY_MAX_TEST_ROWS = 2000


@dataclass(frozen=True, eq=False)
class GroupLeakageReport:
    """Record-wise versus group-wise cross-validation of one model on one dataset.

    Returned by :func:`group_leakage_check`. Scores are in natural units (a loss such
    as ``log_loss`` is positive, lower is better; see ``greater_is_better``), and a
    positive ``gap`` always means that record-wise CV looks better (is more
    optimistic) than group-wise CV, whatever the metric's direction.

    Attributes
    ----------
    scoring : str
        The metric used (mlkit's readable name, e.g. ``"roc_auc"``, ``"log_loss"``, or
        the callable's name).
    greater_is_better : bool
        Direction of ``scoring``.
    record_cv, group_cv : str
        The splitters: shuffled ``StratifiedKFold`` / ``KFold`` (record-wise) and
        shuffled ``StratifiedGroupKFold`` / ``GroupKFold`` (group-wise).
    record_scores, group_scores : ndarray of shape (n_repeats * n_splits,)
        Per-fold scores (natural units), repeat after repeat.
    record_score, group_score : float
        Means of the per-fold scores.
    gap : float
        The optimism of record-wise CV: the mean of the ``J`` paired differences
        ``record_scores[j] - group_scores[j]`` (same repeat, same fold position), with
        the sign flipped for a loss, so that > 0 means record-wise CV looks better.
    gap_se : float
        Corrected repeated k-fold standard error of the gap,
        ``std(d) * sqrt(1/J + n_test/n_train)`` (Nadeau & Bengio 2003; Bouckaert &
        Frank 2004), with ``J`` paired differences ``d``.
    z : float
        ``gap / gap_se``, the gap in corrected standard errors (``inf`` when the gap is
        positive and the differences agree exactly).
    threshold : float
        ``n_standard_errors``: how many corrected standard errors ``z`` must exceed.
    p_value : float
        One-sided p-value of the corrected t-test (H1: record-wise CV scores higher),
        ``J - 1`` degrees of freedom; reported, the verdict uses ``threshold``.
    min_gap : float
        The smallest gap that counts as a leak, whatever its noise:
        ``min_relative_gap * |record_score|``.
    leaky : bool
        The verdict: ``z > threshold`` and ``gap > min_gap``.
    verdict : str
        One sentence that states the verdict and the numbers behind it.
    identity_match_rate : float
        Fraction of test rows (record-wise folds) whose nearest training row, on
        imputed and standardised features, belongs to the same group.
    identity_chance_rate : float
        The same fraction for a nearest neighbour drawn at random from the training
        rows: the mean, over test rows, of the share of training rows of the test
        row's group.
    n_samples, n_groups, n_splits, n_repeats : int
        Sizes of the check.
    """

    scoring: str
    record_cv: str
    group_cv: str
    record_scores: np.ndarray
    group_scores: np.ndarray
    record_score: float
    group_score: float
    gap: float
    gap_se: float
    z: float
    threshold: float
    min_gap: float
    leaky: bool
    verdict: str
    identity_match_rate: float
    identity_chance_rate: float
    n_samples: int
    n_groups: int
    n_splits: int
    n_repeats: int
    p_value: float = float("nan")
    greater_is_better: bool = True

    @property
    def identity_lift(self) -> float:
        """``identity_match_rate / identity_chance_rate`` (how many times chance)."""
        if self.identity_chance_rate == 0:
            return float("inf") if self.identity_match_rate > 0 else float("nan")
        return self.identity_match_rate / self.identity_chance_rate

    def to_frame(self) -> pd.DataFrame:
        """Per-fold scores: one row per (repeat, fold), one column per scheme.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn.linear_model import LogisticRegression
        >>> from mlkit.leakage import group_leakage_check
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.normal(size=(120, 3)), rng.integers(0, 2, 120)
        >>> report = group_leakage_check(
        ...     LogisticRegression(), X, y, groups=rng.integers(0, 30, 120), n_splits=3,
        ...     n_repeats=1,
        ... )
        >>> report.to_frame().columns.tolist()
        ['record_wise', 'group_wise']
        """
        index = pd.MultiIndex.from_product(
            [range(self.n_repeats), range(self.n_splits)], names=["repeat", "fold"]
        )
        return pd.DataFrame(
            {"record_wise": self.record_scores, "group_wise": self.group_scores}, index=index
        )

    def summary(self) -> str:
        """A few readable lines: both scores, the gap, the identity measure, the verdict."""
        direction = "higher" if self.greater_is_better else "lower"
        lines = [
            f"group leakage check ({self.n_samples} rows, {self.n_groups} groups, "
            f"{self.n_repeats} x {self.n_splits}-fold, scoring={self.scoring}, "
            f"{direction} is better)",
            f"  record-wise ({self.record_cv}): {self.record_score:.4f}",
            f"  group-wise  ({self.group_cv}): {self.group_score:.4f}",
            f"  gap: {self.gap:.4f}, corrected standard error {self.gap_se:.4f}, "
            f"t = {self.z:.1f}, one-sided p = {self.p_value:.2g} "
            f"(flag when the gap exceeds {self.threshold:g} corrected standard errors "
            f"and {self.min_gap:.4f})",
            f"  identity: the nearest training row is the same group for "
            f"{self.identity_match_rate:.1%} of test rows (chance {self.identity_chance_rate:.1%})",
            f"  verdict: {self.verdict}",
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def group_leakage_check(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    groups: Any,
    task: Any = None,
    scoring: Any = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    n_standard_errors: float = 2.0,
    min_relative_gap: float = 0.01,
    random_state: int = 0,
    n_jobs: int | None = None,
) -> GroupLeakageReport:
    """Compare record-wise and group-wise cross-validation of one model.

    The same estimator is cross-validated twice on the same data:

    - **record-wise**: shuffled ``StratifiedKFold`` (classification) or ``KFold``
      (regression), which ignores ``groups``, so a group's rows fall on both sides;
    - **group-wise**: shuffled ``StratifiedGroupKFold`` or ``GroupKFold``, which
      keeps each group on one side, as new subjects would be.

    Each is repeated ``n_repeats`` times with seeds ``random_state + r``.

    **Verdict rule.** Both schemes run on the same data with the same seeds, so their
    ``J = n_splits * n_repeats`` fold scores are paired by (repeat, fold position):
    ``d_j = record_j - group_j``, and the gap is ``mean(d)``. Fold scores of one
    cross-validation share most of their training rows, so they are correlated and the
    naive ``std(d) / sqrt(J)`` understates the noise; the gap is tested with the
    corrected repeated k-fold t-test (:func:`mlkit.stats.corrected_ttest`,
    ``SE = std(d) * sqrt(1/J + n_test/n_train)``, ``J - 1`` degrees of freedom), the
    same test as :func:`mlkit.baselines.beats_baseline`. The check flags a leak when
    the gap exceeds ``n_standard_errors`` corrected standard errors (``z = gap / SE >
    n_standard_errors``; 2 is about a one-sided 3-4 % level at ``J = 15``) **and**
    ``gap > min_relative_gap * |record_score|`` (a floor so that a negligible gap is
    never flagged). For a loss, ``d`` is flipped so that > 0 means record-wise CV looks
    better. When groups
    carry no information both schemes estimate the same quantity and the gap is pure
    partition noise; a model that recognises subjects makes record-wise CV
    systematically better.

    **Identity measure.** On the first repeat's record-wise folds, features are
    imputed (median), standardised and one-hot encoded (non-numeric columns), and
    each test row (at most ``IDENTITY_MAX_TEST_ROWS`` per fold) is matched to its
    nearest training row. The match rate, the share of test rows whose nearest
    training row belongs to the same group, is compared with the chance rate. A
    high rate means the features identify subjects: a flexible model can memorise
    them, and record-wise CV rewards it.

    Parameters
    ----------
    estimator : scikit-learn estimator
        The model (a pipeline when it needs preprocessing); cloned for every fold.
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target.
    groups : array-like of shape (n_samples,)
        Group (subject) id of each row (keyword-only).
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared (:func:`mlkit.metrics.resolve_task`); ``None`` infers
        it from ``y``. A count target declared ``"regression"`` gets ``KFold`` /
        ``GroupKFold`` and regression metrics.
    scoring : str, callable or None, default=None
        One metric, resolved by :func:`mlkit.metrics.get_scorers` (the same aliases,
        positive label and zero-division rule as every mlkit function); ``None`` gives
        the task's default (ROC AUC for a binary target). A metric that does not fit
        the task or the estimator is refused.
    n_splits : int, default=5
        Folds per cross-validation, at least 2 and at most the number of groups.
    n_repeats : int, default=3
        Repetitions of both cross-validations with different shuffles.
    n_standard_errors : float, default=2.0
        How many corrected standard errors the gap must exceed to be flagged; > 0.
    min_relative_gap : float, default=0.01
        The gap must also exceed this fraction of ``|record_score|``.
    random_state : int, default=0
        Seed of the first repeat's shuffles (and of the identity subsample).
    n_jobs : int or None, default=None
        Passed to :func:`sklearn.model_selection.cross_val_score`.

    Returns
    -------
    GroupLeakageReport
        Scores, gap, verdict and identity measure; ``.to_frame()`` gives the
        per-fold scores, ``.summary()`` a readable text.

    Raises
    ------
    ValueError
        If ``X``, ``y`` and ``groups`` differ in length; ``groups`` is None or has
        missing values; ``y`` has missing values; ``n_splits`` < 2 or exceeds the
        number of groups; a class occurs in fewer than ``n_splits`` groups;
        ``scoring`` is a list, unknown, or does not fit the task or the estimator;
        ``task`` contradicts ``y``; ``estimator`` has no ``fit`` method;
        ``n_standard_errors`` not a positive number or ``min_relative_gap`` negative.

    See Also
    --------
    mlkit.splits.audit_cv : which groups straddle train and test, fold by fold.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from mlkit.leakage import group_leakage_check
    >>> rng = np.random.default_rng(0)
    >>> subject = np.repeat(np.arange(40), 6)  # 40 subjects, 6 rows each
    >>> signature = rng.normal(size=(40, 5))[subject]  # rows of a subject look alike
    >>> X = signature + 0.3 * rng.normal(size=(240, 5))
    >>> y = rng.integers(0, 2, 40)[subject]  # the label is a trait of the subject
    >>> report = group_leakage_check(KNeighborsClassifier(1), X, y, groups=subject, n_splits=4)
    >>> report.leaky
    True
    >>> report.identity_match_rate > 5 * report.identity_chance_rate
    True
    """
    if not hasattr(estimator, "fit"):
        raise ValueError(
            f"estimator must be a scikit-learn estimator with a fit method, got "
            f"{type(estimator).__name__}; e.g. RandomForestClassifier()."
        )
    check_features(X, name="X", allow_sparse=False)  # rows are taken by position
    y_arr = check_target(y, name="y")
    if groups is None:
        raise ValueError(
            "groups is None; pass one group (subject) id per row, e.g. groups=data.groups."
        )
    n_samples = check_consistent_length(X=X, y=y_arr, groups=groups)
    group_arr = check_groups(groups, n_samples=n_samples)
    n_splits = check_positive_int(n_splits, name="n_splits", minimum=2)
    n_repeats = check_positive_int(n_repeats, name="n_repeats", minimum=1)
    if not np.isfinite(min_relative_gap) or min_relative_gap < 0:
        raise ValueError(f"min_relative_gap={min_relative_gap!r} must be a finite number >= 0.")
    if (
        isinstance(n_standard_errors, bool)
        or not isinstance(n_standard_errors, int | float)
        or not 0 < n_standard_errors < np.inf
    ):
        raise ValueError(
            f"n_standard_errors={n_standard_errors!r} must be a positive finite number of "
            f"corrected standard errors, e.g. 2.0."
        )
    if isinstance(scoring, list | tuple | dict):
        raise ValueError(
            f"scoring={scoring!r} holds several metrics; group_leakage_check compares one "
            f"metric, pass a single name such as scoring='roc_auc'."
        )
    task = resolve_task(y_arr, task)
    positive = sorted(pd.unique(y_arr).tolist())[-1] if task == "binary" else None
    [(scoring_name, scorer)] = get_scorers(
        scoring, task=task, estimator=estimator, pos_label=positive
    ).items()
    sign = float(getattr(scorer, "_sign", 1))  # -1: a loss, scored negated by scikit-learn
    # choose_cv validates n_splits against the number of groups and the class counts.
    choose_cv(y_arr, groups=group_arr, task=task, n_splits=n_splits, random_state=random_state)
    choose_cv(y_arr, task=task, n_splits=n_splits, random_state=random_state)

    record_scores: list[np.ndarray] = []
    group_scores: list[np.ndarray] = []
    record_folds: list[Any] = []
    for repeat in range(n_repeats):
        record_cv, group_cv = _splitters(task, n_splits=n_splits, seed=random_state + repeat)
        # the one fold resolver; record-wise folds share groups on purpose
        record = materialise_folds(record_cv, X, y_arr, task=task, name="record-wise cv")
        grouped = materialise_folds(
            group_cv, X, y_arr, groups=group_arr, task=task, name="group-wise cv"
        )
        record_folds.append(record)
        for folds, out in ((record, record_scores), (grouped, group_scores)):
            out.append(
                cross_val_score(
                    clone(estimator), X, y_arr, cv=list(folds), scoring=scorer, n_jobs=n_jobs
                )
            )
    rec_gib = np.concatenate(record_scores).astype(float)  # greater is better
    grp_gib = np.concatenate(group_scores).astype(float)
    if not (np.isfinite(rec_gib).all() and np.isfinite(grp_gib).all()):
        raise ValueError(
            "some fold scores are NaN (the estimator failed on a fold or the scorer is "
            "undefined there); run cross_validate with error_score='raise' to see why."
        )
    rec, grp = sign * rec_gib, sign * grp_gib  # natural units (a loss is positive)

    record_score, group_score = float(rec.mean()), float(grp.mean())
    n_test = n_samples / n_splits
    test = corrected_ttest(
        rec_gib - grp_gib,
        test_train_ratio=n_test / (n_samples - n_test),
        alternative="greater",
    )
    gap, gap_se, z = test.mean, test.standard_error, test.t_statistic
    threshold = float(n_standard_errors)
    min_gap = float(min_relative_gap) * abs(record_score)
    leaky = bool(z > threshold and gap > min_gap)

    match_rate, chance_rate = _identity_match(
        X, group_arr, record_folds[0], random_state=random_state
    )
    verdict = _verdict(
        leaky=leaky,
        gap=gap,
        gap_se=gap_se,
        z=z,
        p_value=test.p_value,
        threshold=threshold,
        min_gap=min_gap,
        match_rate=match_rate,
        chance_rate=chance_rate,
    )
    record_name, group_name = (type(cv).__name__ for cv in _splitters(task, n_splits, seed=0))
    return GroupLeakageReport(
        scoring=str(scoring_name),
        record_cv=record_name,
        group_cv=group_name,
        record_scores=rec,
        group_scores=grp,
        record_score=record_score,
        group_score=group_score,
        gap=gap,
        gap_se=gap_se,
        z=float(z),
        threshold=threshold,
        min_gap=min_gap,
        leaky=leaky,
        verdict=verdict,
        identity_match_rate=match_rate,
        identity_chance_rate=chance_rate,
        n_samples=n_samples,
        n_groups=int(pd.unique(group_arr).size),
        n_splits=n_splits,
        n_repeats=n_repeats,
        p_value=test.p_value,
        greater_is_better=sign > 0,
    )


def _splitters(task: str, n_splits: int, *, seed: int) -> tuple[Any, Any]:
    """Record-wise and group-wise splitters for one repeat."""
    if task == "regression":
        return (
            KFold(n_splits, shuffle=True, random_state=seed),
            GroupKFold(n_splits, shuffle=True, random_state=seed),
        )
    return (
        StratifiedKFold(n_splits, shuffle=True, random_state=seed),
        StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed),
    )


def _identity_features() -> Any:
    """Median-impute and standardise numbers, one-hot encode everything else."""
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return make_column_transformer(
        (
            make_pipeline(
                SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()
            ),
            make_column_selector(dtype_include="number"),
        ),
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent", keep_empty_features=True),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            make_column_selector(dtype_exclude="number"),
        ),
    )


def _identity_match(
    X: Any, groups: np.ndarray, folds: Any, *, random_state: int
) -> tuple[float, float]:
    """Nearest-neighbour same-group match rate of test rows, and its chance rate."""
    from sklearn.neighbors import NearestNeighbors

    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(np.asarray(X))
    frame = frame.set_axis([str(c) for c in frame.columns], axis=1)
    codes = pd.factorize(groups)[0]
    n_groups = int(codes.max()) + 1
    rng = np.random.default_rng(random_state)
    matches, chances = [], []
    for train, test in folds:
        if test.size > IDENTITY_MAX_TEST_ROWS:
            test = rng.choice(test, size=IDENTITY_MAX_TEST_ROWS, replace=False)
        features = _identity_features().fit(frame.iloc[train])
        z_train = np.asarray(features.transform(frame.iloc[train]), dtype=float)
        z_test = np.asarray(features.transform(frame.iloc[test]), dtype=float)
        nearest = (
            NearestNeighbors(n_neighbors=1)
            .fit(z_train)
            .kneighbors(z_test, return_distance=False)[:, 0]
        )
        matches.append(codes[train][nearest] == codes[test])
        share = np.bincount(codes[train], minlength=n_groups) / train.size
        chances.append(share[codes[test]])
    return float(np.concatenate(matches).mean()), float(np.concatenate(chances).mean())


def _verdict(
    *,
    leaky: bool,
    gap: float,
    gap_se: float,
    z: float,
    p_value: float,
    threshold: float,
    min_gap: float,
    match_rate: float,
    chance_rate: float,
) -> str:
    identity = (
        f"the features find a row of the same group for {match_rate:.1%} of test rows "
        f"(chance {chance_rate:.1%})"
    )
    if leaky:
        return (
            f"leak: record-wise CV is optimistic by {gap:.4f} ({z:.1f} corrected standard "
            f"errors > {threshold:g}, one-sided p = {p_value:.2g}); {identity}. Use "
            f"group-wise CV (GroupKFold / StratifiedGroupKFold) to estimate performance on "
            f"new groups."
        )
    why = (
        f"within the noise of repeated CV ({z:.1f} corrected standard errors, not above "
        f"{threshold:g}; p = {p_value:.2g})"
        if not z > threshold
        else f"below the minimum gap {min_gap:.4f}"
    )
    return (
        f"no evidence of group leakage: the gap {gap:.4f} is {why}; {identity}. "
        f"Group-wise CV remains the honest estimate for new groups."
    )
