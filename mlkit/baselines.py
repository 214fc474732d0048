"""Dummy baselines under cross-validation, and the "beat the baseline" gate.

A model is only worth its complexity if it beats the best thing that ignores the
features. :func:`compare_baselines` scores every applicable scikit-learn dummy strategy
on the same cross-validation folds; :func:`beats_baseline` compares a real model with
the best of them fold by fold, on repeated k-fold cross-validation, and decides with
the corrected repeated k-fold t-test (:func:`mlkit.stats.corrected_ttest`) whether the
margin is larger than the noise.

Both functions materialise the folds once and reuse them for every strategy and the
model, so the comparisons are paired. Ill-defined
metrics are handled on purpose: precision, recall and F1 of a model that never
predicts the positive class count as 0 (``zero_division=0.0``) rather than warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import (
    check_consistent_length,
    check_groups,
    check_positive_int,
    check_target,
)
from mlkit.metrics import (
    METRIC_SETS,
    Task,
    get_scorers,
    greater_is_better,
    resolve_task,
)

__all__ = [
    "BaselineComparison",
    "baseline_strategies",
    "beats_baseline",
    "compare_baselines",
    "nadeau_bengio_test",
    "plot_fold_scores",
]

#: The regression quantiles tried as baselines (besides mean and median).
REGRESSION_QUANTILES: tuple[float, ...] = (0.25, 0.75)


def baseline_strategies(task: Task) -> dict[str, Any]:
    """The dummy estimators tried for a task, by strategy name.

    ==============  ================================================================
    task            strategies
    ==============  ================================================================
    classification  ``most_frequent``, ``prior``, ``stratified``, ``uniform``
                    (``DummyClassifier``, ``random_state=0``)
    regression      ``mean``, ``median``, ``quantile=0.25``, ``quantile=0.75``
                    (``DummyRegressor``)
    ==============  ================================================================

    ``constant`` is left out: a constant is only meaningful with domain knowledge
    (pass your own estimator to :func:`beats_baseline` for that).

    Examples
    --------
    >>> from mlkit.baselines import baseline_strategies
    >>> list(baseline_strategies("regression"))
    ['mean', 'median', 'quantile=0.25', 'quantile=0.75']
    """
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if task == "regression":
        dummies: dict[str, Any] = {
            "mean": DummyRegressor(strategy="mean"),
            "median": DummyRegressor(strategy="median"),
        }
        for q in REGRESSION_QUANTILES:
            dummies[f"quantile={q:g}"] = DummyRegressor(strategy="quantile", quantile=q)
        return dummies
    if task in ("binary", "multiclass"):
        return {
            s: DummyClassifier(strategy=s, random_state=0)
            for s in ("most_frequent", "prior", "stratified", "uniform")
        }
    raise ValueError(f"task={task!r} is not supported; use 'binary', 'multiclass' or 'regression'.")


# --------------------------------------------------------------------------- shared checks


def _prepare(
    X: Any, y: Any, *, groups: Any, cv: Any, task: Any = None, time: Any = None
) -> tuple[np.ndarray, Task, list[tuple[np.ndarray, np.ndarray]], Any]:
    """Validate the data, decide the task once and materialise the folds once."""
    from mlkit.splits import materialise_folds

    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr)
    group_arr = None if groups is None else check_groups(groups, n_samples=y_arr.shape[0])
    task = resolve_task(y_arr, task)
    folds = list(materialise_folds(cv, X, y_arr, groups=group_arr, time=time, task=task))
    if len(folds) < 2:
        raise ValueError(
            f"cv produced {len(folds)} fold(s); the fold-to-fold noise needs at least 2. "
            f"Use a splitter with n_splits>=2."
        )
    return y_arr, task, folds, group_arr


def _positive_label(y: np.ndarray, task: Task) -> Any:
    """The positive class of a binary target: the greater label, as in scikit-learn."""
    if task != "binary":
        return None
    return sorted(pd.unique(y).tolist())[-1]


def _greater_is_better(name: str, scorer: Any) -> bool:
    """Direction of a resolved scorer: its own sign, else :func:`greater_is_better` of the name."""
    sign = getattr(scorer, "_sign", None)
    return bool(sign > 0) if sign is not None else greater_is_better(name)


def _fold_scores(
    estimator: Any,
    X: Any,
    y: Any,
    folds: list[tuple[np.ndarray, np.ndarray]],
    scorers: dict[str, Any],
    *,
    n_jobs: int | None,
    train: bool = False,
) -> dict[str, np.ndarray]:
    """Per-fold test scores (greater is better) of ``estimator`` on the given folds.

    With ``train=True`` the training-fold scores are returned too, as ``train_<name>``.
    """
    from sklearn.model_selection import cross_validate

    result = cross_validate(
        estimator,
        X,
        y,
        cv=folds,
        scoring=scorers,
        n_jobs=n_jobs,
        error_score="raise",
        return_train_score=train,
    )
    scores = {name: np.asarray(result[f"test_{name}"], dtype=float) for name in scorers}
    if train:
        scores |= {
            f"train_{name}": np.asarray(result[f"train_{name}"], dtype=float) for name in scorers
        }
    return scores


# --------------------------------------------------------------------------- compare


def compare_baselines(
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_jobs: int | None = None,
    task: Any = None,
    time: Any = None,
    long: bool = False,
) -> pd.DataFrame:
    """Cross-validate every dummy strategy of the task on the same folds.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        Features (ignored by the dummies, but split like a real model's).
    y : array-like of shape (n_samples,)
        Target; with ``task`` it decides the strategies (:func:`baseline_strategies`).
    groups : array-like of shape (n_samples,), default=None
        Group (subject) ids, passed to ``cv.split``; rows of one group never straddle
        train and test (checked on every fold, except on time-ordered folds).
    cv : None, int, splitter or (train, test) pairs, default=None
        Resolved once by :func:`mlkit.splits.materialise_folds`: ``None`` or an int
        (number of folds) is :func:`mlkit.splits.choose_cv` ``(y, groups=groups,
        time=time, task=task)``. The folds are drawn once and shared by every strategy.
    scoring : None, str, callable, list or dict, default=None
        ``None`` scores the task's whole :func:`~mlkit.metrics.metric_set`; otherwise
        anything :func:`mlkit.metrics.get_scorers` accepts (the same aliases, positive
        label and zero-division rule as every mlkit function). A metric that does not
        fit the task (``"rmse"`` on a binary target) is refused.
    n_jobs : int, default=None
        Parallel jobs of ``cross_validate``.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared (:func:`mlkit.metrics.resolve_task`): an integer count
        target declared ``"regression"`` gets unstratified folds and the regression
        dummies. ``None`` infers it from ``y``.
    time : array-like of shape (n_samples,) or None, default=None
        Time of each row; with ``cv`` None or an int the folds are time-ordered (every
        fold trains on the past and tests on the future).
    long : bool, default=False
        Return the tidy long table instead: one row per strategy x fold x metric, with
        the columns ``strategy``, ``fold``, ``metric``, ``score`` (natural units) and
        ``greater_is_better``.

    Returns
    -------
    DataFrame
        One row per strategy (index ``strategy``) and columns ``<metric>_mean`` and
        ``<metric>_std`` (standard deviation over folds) for each metric. Losses are
        reported as positive numbers (lower is better); the directions are in
        ``frame.attrs["greater_is_better"]``. With ``long=True``, the long table
        described above (the wide one is its mean and population standard deviation
        per strategy and metric).

    Raises
    ------
    ValueError
        For missing values in ``y``, a length mismatch between ``X``, ``y`` and
        ``groups``, a single class, an unknown metric or one that does not fit the
        task, a ``task`` that ``y`` contradicts, an invalid ``cv``, folds that split a
        group, or ``long`` that is not a bool.

    Notes
    -----
    Precision, recall and F1 are 0 for a fold where a strategy predicts no positive
    (``zero_division=0.0``), so no ``UndefinedMetricWarning`` is emitted: never
    flagging anyone finds nobody. ROC AUC of a constant score is 0.5 and average
    precision equals the positive rate, which are the honest values for "no ranking".

    Examples
    --------
    >>> from mlkit.baselines import compare_baselines
    >>> y = [0, 0, 0, 1] * 10
    >>> table = compare_baselines([[0]] * 40, y, scoring=["accuracy", "recall"])
    >>> table.loc["most_frequent", ["accuracy_mean", "recall_mean"]].tolist()
    [0.75, 0.0]
    >>> tidy = compare_baselines([[0]] * 40, y, scoring="accuracy", long=True)
    >>> tidy.columns.tolist(), len(tidy)
    (['strategy', 'fold', 'metric', 'score', 'greater_is_better'], 20)
    """
    if not isinstance(long, bool):
        raise ValueError(f"long={long!r} must be True or False.")
    y_arr, task, folds, _ = _prepare(X, y, groups=groups, cv=cv, task=task, time=time)
    requested = list(METRIC_SETS[task]) if scoring is None else scoring
    scorers = get_scorers(requested, task=task, pos_label=_positive_label(y_arr, task))
    directions = {name: _greater_is_better(name, scorer) for name, scorer in scorers.items()}
    records: list[dict[str, Any]] = []
    rows: dict[str, dict[str, float]] = {}
    for strategy, dummy in baseline_strategies(task).items():
        scores = _fold_scores(dummy, X, y_arr, folds, scorers, n_jobs=n_jobs)
        row: dict[str, float] = {}
        for name, values in scores.items():
            natural = values if directions[name] else -values
            row[f"{name}_mean"] = float(np.mean(natural))
            row[f"{name}_std"] = float(np.std(natural))
            if long:
                records += [
                    {"strategy": strategy, "fold": k, "metric": name, "score": float(v),
                     "greater_is_better": directions[name]}
                    for k, v in enumerate(natural)
                ]  # fmt: skip
        rows[strategy] = row
    if long:
        tidy = pd.DataFrame.from_records(
            records, columns=["strategy", "fold", "metric", "score", "greater_is_better"]
        )
        tidy.attrs["n_splits"] = len(folds)
        tidy.attrs["task"] = task
        return tidy
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "strategy"
    table.attrs["greater_is_better"] = directions
    table.attrs["n_splits"] = len(folds)
    table.attrs["task"] = task
    return table


# --------------------------------------------------------------------------- gate


@dataclass(frozen=True)
class BaselineComparison:
    """A model against the best dummy baseline, fold by fold on the same folds.

    Scores are in natural units (losses positive). ``margin`` and the paired
    differences are oriented so that positive means "the model is better", whatever
    the metric's direction. The folds are ``n_repeats`` repetitions of
    ``n_splits``-fold cross-validation, repeat after repeat.

    Attributes
    ----------
    metric : str
        Readable metric name.
    greater_is_better : bool
        Direction of ``metric``.
    model_score, baseline_score : float
        Cross-validated mean of the model and of the best baseline.
    baseline_strategy : str
        The best dummy strategy, chosen by its mean score on the *training* folds (the
        test folds only measure it).
    margin : float
        Mean paired improvement of the model over the baseline (> 0: model better).
    model_fold_scores, baseline_fold_scores : tuple of float
        Per-fold test scores on the same folds (``n = n_splits * n_repeats`` of them).
    difference_std : float
        Standard deviation (ddof=1) of the ``n`` paired per-fold improvements.
    standard_error : float
        Naive standard error ``difference_std / sqrt(n)``; too small, because the
        training sets of the folds overlap.
    corrected_standard_error : float
        Corrected repeated k-fold standard error (Nadeau & Bengio 2003; Bouckaert &
        Frank 2004) ``difference_std * sqrt(1/n + n_test/n_train)``.
    t_statistic, p_value : float
        Corrected repeated k-fold t-test, ``n - 1`` degrees of freedom, one-sided
        (H0: the model is no better).
    alpha : float
        Significance level of the gate.
    beats : bool
        ``p_value < alpha`` (equivalently ``margin > t_{1-alpha, n-1} *
        corrected_standard_error``).
    baseline_means : dict
        Mean test score of every dummy strategy.
    baseline_train_means : dict
        Mean training-fold score of every dummy strategy (what the choice used).
    n_repeats : int
        Repetitions of the k-fold cross-validation.
    test_train_ratio : float
        Mean ``n_test / n_train`` of the folds, used by the correction.
    """

    metric: str
    greater_is_better: bool
    model_score: float
    baseline_strategy: str
    baseline_score: float
    margin: float
    model_fold_scores: tuple[float, ...]
    baseline_fold_scores: tuple[float, ...]
    difference_std: float
    standard_error: float
    corrected_standard_error: float
    t_statistic: float
    p_value: float
    alpha: float
    beats: bool
    baseline_means: dict[str, float]
    baseline_train_means: dict[str, float] = field(default_factory=dict)
    n_repeats: int = 1
    test_train_ratio: float = float("nan")

    @property
    def n_folds(self) -> int:
        """Number of paired fold scores (``n_splits * n_repeats``)."""
        return len(self.model_fold_scores)

    @property
    def n_splits(self) -> int:
        """Folds per repeat."""
        return self.n_folds // max(self.n_repeats, 1)

    def to_frame(self) -> pd.DataFrame:
        """Per-fold scores: ``model``, ``baseline`` and ``improvement`` (> 0: model better).

        Indexed by ``(repeat, fold)``.
        """
        model = np.asarray(self.model_fold_scores)
        baseline = np.asarray(self.baseline_fold_scores)
        sign = 1.0 if self.greater_is_better else -1.0
        index = pd.MultiIndex.from_product(
            [range(self.n_repeats), range(self.n_splits)], names=["repeat", "fold"]
        )
        return pd.DataFrame(
            {"model": model, "baseline": baseline, "improvement": sign * (model - baseline)},
            index=index,
        )

    def summary(self) -> str:
        """A few lines of plain text: scores, margin, noise, verdict."""
        direction = "higher" if self.greater_is_better else "lower"
        verdict = "BEATS" if self.beats else "does NOT beat"
        return (
            f"{self.metric} ({direction} is better), {self.n_repeats} x {self.n_splits}-fold "
            f"cross-validation\n"
            f"model {self.model_score:.4g} vs best baseline '{self.baseline_strategy}' "
            f"{self.baseline_score:.4g}\n"
            f"margin {self.margin:+.4g} (fold-to-fold std of the improvement "
            f"{self.difference_std:.3g}, corrected repeated k-fold standard error "
            f"{self.corrected_standard_error:.3g}, one-sided p = {self.p_value:.3g})\n"
            f"verdict: the model {verdict} the baseline at alpha = {self.alpha:g}"
        )

    def __str__(self) -> str:
        return self.summary()


def nadeau_bengio_test(differences: Any, *, test_train_ratio: float) -> dict[str, float]:
    """Deprecated: use :func:`mlkit.stats.corrected_ttest` (this is a thin alias).

    One-sided (H1: mean > 0) corrected resampled t-test on paired per-fold differences,
    returned as a dict with the keys of the old API: ``mean``, ``std``,
    ``standard_error`` (naive), ``corrected_standard_error``, ``t_statistic``,
    ``p_value``.

    Examples
    --------
    >>> import warnings
    >>> from mlkit.baselines import nadeau_bengio_test
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     result = nadeau_bengio_test([0.02, 0.03, 0.01, 0.04, 0.02], test_train_ratio=0.25)
    >>> round(result["p_value"], 4)
    0.0175
    """
    import warnings

    from mlkit.stats import corrected_ttest

    warnings.warn(
        "nadeau_bengio_test is deprecated; use mlkit.stats.corrected_ttest.",
        DeprecationWarning,
        stacklevel=2,
    )
    test = corrected_ttest(differences, test_train_ratio=test_train_ratio)
    return {
        "mean": test.mean,
        "std": test.std,
        "standard_error": test.std / math.sqrt(test.n),
        "corrected_standard_error": test.standard_error,
        "t_statistic": test.t_statistic,
        "p_value": test.p_value,
    }


def beats_baseline(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    cv: Any = None,
    n_splits: int = 5,
    n_repeats: int = 5,
    scoring: Any = None,
    n_jobs: int | None = None,
    alpha: float = 0.05,
    random_state: int = 0,
    task: Any = None,
) -> BaselineComparison:
    """Does ``estimator`` beat the best dummy baseline by more than the noise?

    The model and every dummy strategy (:func:`baseline_strategies`) are
    cross-validated on the *same* folds: by default ``n_repeats`` repetitions of
    ``n_splits``-fold CV from :func:`mlkit.splits.repeated_folds` (whole groups per
    fold, stratified for classification). The best baseline is the strategy with the
    best mean score on the **training** folds, so the test folds that judge the
    comparison play no part in choosing the opponent. The ``n`` paired per-fold
    improvements ``d_i`` (model minus baseline, signed so that > 0 means better) are
    tested with the corrected repeated k-fold t-test
    (:func:`mlkit.stats.corrected_ttest`; Nadeau & Bengio 2003, Bouckaert & Frank 2004).

    **The rule:** ``beats`` is True if and only if the one-sided p-value is below
    ``alpha``, which is the same as::

        margin > t_{1 - alpha, n - 1} * std(d) * sqrt(1/n + n_test/n_train)

    with ``margin = mean(d)``. A negative or zero margin never beats. The correction
    makes the gate stricter than the naive ``std(d) / sqrt(n)``, because fold scores
    share most of their training data and are not independent; with it, the rate of
    false "beats" on data without signal stays near ``alpha``.

    Time-ordered data are refused (``time`` given, or a ``TimeSeriesSplit``): their
    folds are neither exchangeable nor of equal size, so no t-test over folds is valid
    (:func:`mlkit.stats.check_exchangeable`). Compare on one later holdout period
    instead, e.g. with :func:`mlkit.stats.paired_bootstrap`.

    Parameters
    ----------
    estimator : scikit-learn estimator (unfitted)
        The model to test; cloned for every fold.
    X, y, groups, n_jobs
        As in :func:`compare_baselines`.
    time : None
        Must be ``None``; given time stamps raise the ``ValueError`` above (use
        :func:`compare_baselines` with ``time=`` for time-ordered folds, and a later
        holdout period for the verdict).
    cv : None, int or splitter, default=None
        ``None`` uses ``n_repeats x n_splits`` repeated folds; an int sets
        ``n_splits``. A splitter is used as given (e.g. ``RepeatedStratifiedKFold``);
        it must not be time-ordered, and ``n_repeats`` is then taken as 1 unless the
        splitter has ``n_repeats``.
    n_splits : int, default=5
        Folds per repeat.
    n_repeats : int, default=5
        Repetitions with different shuffles (seeds ``random_state + r``).
    scoring : None, str or callable, default=None
        One metric, resolved by :func:`mlkit.metrics.get_scorers`; ``None`` uses
        :data:`mlkit.metrics.DEFAULT_SCORING` of the task. A metric that does not fit
        the task or the estimator (``"roc_auc"`` on a regressor) is refused.
    alpha : float, default=0.05
        Significance level, in (0, 1).
    random_state : int, default=0
        Seed of the first repeat.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, when declared (:func:`mlkit.metrics.resolve_task`); ``None`` infers
        it from ``y``.

    Returns
    -------
    BaselineComparison

    Raises
    ------
    ValueError
        As :func:`compare_baselines`, and for an object without ``fit``, a list of
        metrics, ``alpha`` outside (0, 1), ``time`` given or a time-ordered ``cv``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.baselines import beats_baseline
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ [1.0, 2.0, 0.0] + rng.normal(size=200)
    >>> result = beats_baseline(LinearRegression(), X, y, scoring="rmse")
    >>> result.baseline_strategy, result.n_repeats, result.n_splits, result.beats
    ('mean', 5, 5, True)
    """
    from mlkit.splits import repeated_folds
    from mlkit.stats import check_exchangeable, corrected_ttest

    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise ValueError(
            f"estimator must be an unfitted scikit-learn estimator (with fit and "
            f"get_params), got {type(estimator).__name__}."
        )
    if isinstance(scoring, list | tuple | dict):
        raise ValueError(
            f"scoring={scoring!r} holds several metrics, but the gate compares on one "
            f"metric; pass a single name (use compare_baselines for a table of several)."
        )
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be a number strictly between 0 and 1, e.g. 0.05.")
    check_exchangeable(cv, time=time, name="cv")
    if cv is None or (isinstance(cv, int | np.integer) and not isinstance(cv, bool)):
        y_arr = check_target(y, name="y")
        check_consistent_length(X=X, y=y_arr)
        group_arr = None if groups is None else check_groups(groups, n_samples=y_arr.shape[0])
        task = resolve_task(y_arr, task)
        folds = list(
            repeated_folds(
                X,
                y_arr,
                groups=group_arr,
                task=task,
                n_splits=n_splits if cv is None else int(cv),
                n_repeats=n_repeats,
                random_state=random_state,
            )
        )
        repeats = check_positive_int(n_repeats, name="n_repeats")
    else:
        y_arr, task, folds, _ = _prepare(X, y, groups=groups, cv=cv, task=task)
        repeats = int(getattr(cv, "n_repeats", 1))
        if len(folds) % repeats:
            repeats = 1

    scorers = get_scorers(
        scoring, task=task, estimator=estimator, pos_label=_positive_label(y_arr, task)
    )
    [(name, scorer)] = scorers.items()
    loss = not _greater_is_better(name, scorer)

    model_scores = _fold_scores(estimator, X, y_arr, folds, scorers, n_jobs=n_jobs)[name]
    baseline_runs = {
        strategy: _fold_scores(dummy, X, y_arr, folds, scorers, n_jobs=n_jobs, train=True)
        for strategy, dummy in baseline_strategies(task).items()
    }
    train_means = {s: float(np.mean(r[f"train_{name}"])) for s, r in baseline_runs.items()}
    best = max(train_means, key=lambda s: train_means[s])  # chosen on training folds only
    baseline_scores = {s: r[name] for s, r in baseline_runs.items()}
    differences = model_scores - baseline_scores[best]  # greater-is-better: > 0 model better
    ratio = float(np.mean([len(test) / len(train) for train, test in folds]))
    test = corrected_ttest(differences, test_train_ratio=ratio, alternative="greater")
    sign = -1.0 if loss else 1.0
    return BaselineComparison(
        metric=name,
        greater_is_better=not loss,
        model_score=float(sign * model_scores.mean()),
        baseline_strategy=best,
        baseline_score=float(sign * baseline_scores[best].mean()),
        margin=test.mean,
        model_fold_scores=tuple(float(v) for v in sign * model_scores),
        baseline_fold_scores=tuple(float(v) for v in sign * baseline_scores[best]),
        difference_std=test.std,
        standard_error=test.std / math.sqrt(test.n),
        corrected_standard_error=test.standard_error,
        t_statistic=test.t_statistic,
        p_value=test.p_value,
        alpha=float(alpha),
        beats=bool(test.mean > 0 and test.p_value < alpha),
        baseline_means={s: float(sign * v.mean()) for s, v in baseline_scores.items()},
        baseline_train_means={s: float(sign * v) for s, v in train_means.items()},
        n_repeats=repeats,
        test_train_ratio=ratio,
    )


def plot_fold_scores(result: BaselineComparison, *, ax: Any = None) -> Any:
    """Plot the model's and the baseline's score on each fold, joined by fold.

    Parameters
    ----------
    result : BaselineComparison
        From :func:`beats_baseline`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    if not isinstance(result, BaselineComparison):
        raise ValueError(
            f"result must be a BaselineComparison from beats_baseline, got {type(result).__name__}."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    frame = result.to_frame()
    for fold, row in frame.iterrows():
        ax.plot([0, 1], [row["baseline"], row["model"]], color="0.6", lw=1, marker="o",
                label="one fold" if fold == 0 else None)  # fmt: skip
    ax.plot([0, 1], [result.baseline_score, result.model_score], color="C3", lw=2.5,
            marker="s", label="mean over folds")  # fmt: skip
    ax.set_xticks([0, 1], [f"baseline\n({result.baseline_strategy})", "model"])
    ax.set_xlim(-0.3, 1.3)
    direction = "higher" if result.greater_is_better else "lower"
    ax.set_ylabel(f"{result.metric} ({direction} is better)")
    verdict = "beats" if result.beats else "does not beat"
    ax.set_title(f"Model {verdict} the baseline (p = {result.p_value:.2g})")
    ax.legend(fontsize="small")
    return ax
