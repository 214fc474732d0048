"""Compare a few model families with default settings, on the same repeated folds.

:func:`compare_models` is the first look at a new problem: "run a few chosen models with
default hyperparameters and see which one is doing well", with the honesty scikit-learn's
``cross_validate`` loop and PyCaret's ``compare_models`` leave out:

- every model and the best dummy baseline are scored on the **same** repeated folds
  (:func:`mlkit.splits.repeated_folds`: whole groups, stratified classes), so every
  comparison is paired;
- every mean has an interval from the corrected repeated k-fold t-test
  (:func:`mlkit.stats.corrected_ttest`; Nadeau & Bengio 2003, Bouckaert & Frank 2004),
  not the naive ``std / sqrt(n)``, which is far too narrow because the folds share most
  of their training rows;
- each model is tested against the best model and against the baseline, and the
  p-values of each family are Holm-adjusted (:func:`mlkit.stats.holm`).

Time-ordered data are refused (:func:`mlkit.stats.check_exchangeable`): their folds are
not exchangeable, so a paired t-test over them is not valid.

The private helpers here (scorer, folds, scoring on folds) are shared with
:mod:`mlkit.ablation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import check_consistent_length, check_groups, check_target
from mlkit.metrics import (
    DEFAULT_SCORING,
    METRIC_SETS,
    Task,
    greater_is_better,
    infer_task,
    metric_scorers,
    readable_metric_name,
    resolve_scoring,
)

__all__ = ["ModelComparison", "compare_models"]

Fold = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- shared helpers


@dataclass(frozen=True, eq=False)
class _Setup:
    """Everything decided once before any model is fitted."""

    y: np.ndarray
    task: Task
    folds: tuple[Fold, ...]
    scorer: Any
    metric: str
    greater_is_better: bool
    test_train_ratio: float
    n_repeats: int


def _single_scorer(scoring: Any, *, task: Task, y: np.ndarray) -> tuple[str, Any, bool]:
    """(readable name, scorer object, greater_is_better) of one metric."""
    from sklearn.metrics import get_scorer

    if isinstance(scoring, list | tuple):
        raise ValueError(
            f"scoring={scoring!r} is a list, but models are compared on one metric; pass a "
            f"single metric name such as 'average_precision'."
        )
    resolved = resolve_scoring(DEFAULT_SCORING[task] if scoring is None else scoring, task=task)
    if callable(resolved):
        func = getattr(resolved, "_score_func", resolved)
        name = str(getattr(func, "__name__", "score"))
        sign = getattr(resolved, "_sign", 1)
        return name, resolved, bool(sign > 0)
    name = readable_metric_name(resolved, task=task)
    if name in METRIC_SETS[task]:
        pos_label = sorted(pd.unique(y).tolist())[-1] if task == "binary" else 1
        scorer = metric_scorers(task, metrics=[name], pos_label=pos_label)[name]
    else:
        scorer = get_scorer(resolved)
    return name, scorer, greater_is_better(name)


def _setup(
    X: Any,
    y: Any,
    *,
    groups: Any,
    time: Any,
    cv: Any,
    scoring: Any,
    n_repeats: int,
    random_state: int,
) -> _Setup:
    """Validate the data, refuse time order, draw the folds once, choose the scorer."""
    from mlkit._validation import check_positive_int
    from mlkit.splits import materialise_folds, repeated_folds
    from mlkit.stats import check_exchangeable

    y_arr = check_target(y, name="y")
    check_consistent_length(X=X, y=y_arr)
    n_repeats = check_positive_int(n_repeats, name="n_repeats", minimum=1)
    if isinstance(random_state, bool) or not isinstance(random_state, int | np.integer):
        raise ValueError(f"random_state={random_state!r} must be an int, e.g. 0.")
    check_exchangeable(cv, time=time)
    group_arr = None if groups is None else check_groups(groups, n_samples=y_arr.shape[0])
    task = infer_task(y_arr)
    folds: tuple[Fold, ...]
    if cv is None or (isinstance(cv, int | np.integer) and not isinstance(cv, bool)):
        n_splits = 5 if cv is None else int(cv)
        folds = repeated_folds(
            X, y_arr, groups=group_arr, n_splits=n_splits, n_repeats=n_repeats,
            random_state=int(random_state),
        )  # fmt: skip
    else:
        folds = materialise_folds(cv, X, y_arr, groups=group_arr)
        n_repeats = 1
    if len(folds) < 2:
        raise ValueError(
            f"cv produced {len(folds)} fold(s); a paired comparison needs at least 2. Use "
            f"cv=None (5 folds, n_repeats repeats) or a splitter with n_splits>=2."
        )
    name, scorer, gib = _single_scorer(scoring, task=task, y=y_arr)
    ratio = float(np.mean([len(test) / len(train) for train, test in folds]))
    return _Setup(y_arr, task, folds, scorer, name, gib, ratio, n_repeats)


def _check_estimator(estimator: Any, *, name: str) -> None:
    if not (hasattr(estimator, "fit") and hasattr(estimator, "get_params")):
        raise ValueError(
            f"{name} must be an unfitted scikit-learn estimator (with fit and get_params), "
            f"got {type(estimator).__name__}."
        )


def _cross_validate(
    estimator: Any,
    X: Any,
    setup: _Setup,
    *,
    n_jobs: int | None,
    train_scores: bool = False,
) -> dict[str, np.ndarray]:
    """``cross_validate`` on the setup's folds; scores greater-is-better."""
    from sklearn.model_selection import cross_validate

    result = cross_validate(
        estimator, X, setup.y, cv=list(setup.folds), scoring=setup.scorer, n_jobs=n_jobs,
        return_train_score=train_scores, error_score="raise",
    )  # fmt: skip
    return {key: np.asarray(value, dtype=float) for key, value in result.items()}


def _natural(scores: np.ndarray, greater: bool) -> np.ndarray:
    """Greater-is-better scores in natural units (a loss positive)."""
    return scores if greater else -scores


def _direction(greater: bool) -> str:
    return "higher is better" if greater else "lower is better"


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ValueError(f"alpha={alpha!r} must be a number strictly between 0 and 1, e.g. 0.05.")
    return float(alpha)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class ModelComparison:
    """Models and the best dummy baseline, scored on the same repeated folds.

    Returned by :func:`compare_models`. Scores are in natural units (a loss positive,
    lower is better; see ``greater_is_better``).

    Attributes
    ----------
    table : DataFrame
        One row per model plus one for the baseline (index ``model``), best first:

        - ``mean``, ``ci_low``, ``ci_high``: mean score over the folds and its
          ``confidence`` interval from the corrected repeated k-fold t-test;
        - ``std``: fold-to-fold standard deviation;
        - ``rank``: 1 for the best mean (the baseline is ranked too);
        - ``fit_time``, ``predict_time``: mean seconds per fold (``predict_time`` is
          scikit-learn's ``score_time``: predicting and scoring the test fold);
        - ``gap_to_best``: how much worse than the best model, in metric units (>= 0);
          ``p_vs_best``: two-sided corrected p-value of the paired differences with the
          best model, ``p_vs_best_holm``: Holm-adjusted over the other models and the
          baseline; ``differs_from_best``: ``p_vs_best_holm < alpha``;
        - ``gain_over_baseline``: paired improvement over the baseline (> 0 better),
          ``p_vs_baseline``: one-sided corrected p-value (H1: the model is better),
          ``p_vs_baseline_holm`` (Holm over the models), ``beats_baseline``;
        - ``is_baseline``: True on the baseline's row.
    fold_scores : DataFrame
        One row per fold (index ``fold``, repeat by repeat), one column per model and the
        baseline, natural units.
    metric : str
        Readable metric name.
    greater_is_better : bool
        Direction of ``metric``.
    best : str
        The model with the best mean (never the baseline).
    baseline : str
        Name of the baseline row, ``"baseline (<strategy>)"``.
    baseline_strategy : str
        The dummy strategy with the best mean score on the *training* folds.
    alpha, confidence : float
        Significance level of the verdicts, level of the intervals.
    n_repeats : int
        Repeats of the k-fold split (1 when ``cv`` was a splitter or a fold list).
    test_train_ratio : float
        Mean ``n_test / n_train`` of the folds, used by the correction.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.selection import compare_models
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(120, 2))
    >>> y = X @ [1.0, 0.0] + rng.normal(size=120)
    >>> result = compare_models({"linear": LinearRegression()}, X, y, scoring="rmse")
    >>> result.best, result.baseline, bool(result.table.loc["linear", "beats_baseline"])
    ('linear', 'baseline (mean)', True)
    """

    table: pd.DataFrame
    fold_scores: pd.DataFrame
    metric: str
    greater_is_better: bool
    best: str
    baseline: str
    baseline_strategy: str
    alpha: float
    confidence: float
    n_repeats: int
    test_train_ratio: float

    def to_frame(self) -> pd.DataFrame:
        """The per-model table (a copy of :attr:`table`), best first."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Interval plot: each fold's score (dots), mean and corrected interval (bar).

        Models are sorted best first; the baseline is drawn in grey with a dashed line
        at its mean. Returns the matplotlib ``Axes``.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.55 * len(self.table) + 1.5))
        order = list(self.table.index)
        long = self.fold_scores[order].melt(var_name="model", value_name="score")
        sns.stripplot(data=long, x="score", y="model", order=order, color="0.7", size=3,
                      jitter=0.15, ax=ax, zorder=1)  # fmt: skip
        for i, (name, row) in enumerate(self.table.iterrows()):
            colour = "0.45" if row["is_baseline"] else ("C3" if name == self.best else "C0")
            ax.errorbar(row["mean"], i, xerr=[[row["mean"] - row["ci_low"]],
                        [row["ci_high"] - row["mean"]]], fmt="o", color=colour,
                        capsize=4, lw=2, zorder=3)  # fmt: skip
        base_mean = float(self.fold_scores[self.baseline].mean())
        ax.axvline(base_mean, color="0.45", ls="--", lw=1, zorder=0)
        ax.set_xlabel(f"{self.metric} ({_direction(self.greater_is_better)})")
        ax.set_ylabel("")
        level = f"{self.confidence:.0%}"
        ax.set_title(
            f"{len(self.table) - 1} models vs baseline, {len(self.fold_scores)} folds "
            f"(dots), mean with corrected {level} interval"
        )
        return ax


# --------------------------------------------------------------------------- compare


def compare_models(
    models: Mapping[str, Any],
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_repeats: int = 3,
    random_state: int = 0,
    n_jobs: int | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> ModelComparison:
    """Score a few models and the best dummy baseline on the same repeated folds.

    The plain scikit-learn equivalent is one ``cross_validate`` per model on one
    materialised fold list, then a t interval per model and a paired t-test per pair::

        folds = repeated_folds(X, y, groups=groups)       # drawn once
        for name, model in models.items():
            scores[name] = cross_validate(model, X, y, cv=folds, scoring=...)["test_score"]

    ``compare_models`` adds the baseline (the dummy strategy of
    :func:`mlkit.baselines.baseline_strategies` with the best mean on the *training*
    folds, so the test folds do not choose it), corrected intervals, ranks, timings and
    Holm-adjusted paired tests.

    **The tests.** For model ``m`` and the best model ``b``, the per-fold differences
    ``d = score_b - score_m`` go to :func:`mlkit.stats.corrected_ttest` (two-sided);
    the p-values of all models (and the baseline) against the best are Holm-adjusted
    together. Against the baseline, ``d = score_m - score_baseline`` is tested one-sided
    (H1: the model is better), Holm-adjusted over the models. "Differs from the best" is
    a statement about *this* data; "does not differ" is not proof of equality: the
    folds share most of their training rows, so the evidence is weaker than the number
    of folds suggests (that is what the correction accounts for).

    Parameters
    ----------
    models : dict of str to estimator
        Name -> unfitted scikit-learn estimator (or pipeline), each with its default
        settings or whatever you set. At least one.
    X : array-like or DataFrame of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    groups : array-like of shape (n_samples,), default=None
        Group (subject) of each row; every fold keeps whole groups (checked).
    time : None
        Time-ordered data are refused with a ``ValueError`` (see
        :func:`mlkit.stats.check_exchangeable`): compare on one later holdout period.
    cv : None, int, splitter or list of (train, test) pairs, default=None
        ``None`` (5 folds) or an int (folds per repeat): ``n_repeats`` repetitions of
        the splitter :func:`mlkit.splits.choose_cv` picks
        (:func:`mlkit.splits.repeated_folds`). A splitter or a fold list is used as
        given (``n_repeats`` is then ignored; a ``RepeatedStratifiedKFold`` brings its
        own repeats). A ``TimeSeriesSplit`` is refused.
    scoring : None or str or scorer callable, default=None
        One metric; ``None`` uses :data:`mlkit.metrics.DEFAULT_SCORING` of the task
        (pass ``"average_precision"`` for a rare positive class).
    n_repeats : int, default=3
        Repeats of the k-fold split when ``cv`` is None or an int.
    random_state : int, default=0
        Seed of the first repeat's shuffle.
    n_jobs : int, default=None
        Parallel jobs of each ``cross_validate`` call.
    alpha : float, default=0.05
        Level of the ``differs_from_best`` and ``beats_baseline`` verdicts.
    confidence : float, default=0.95
        Level of the intervals.

    Returns
    -------
    ModelComparison

    Raises
    ------
    ValueError
        An empty ``models`` or one that is not a dict of estimators, the name of a model
        equal to the baseline's, ``time`` or a time-ordered ``cv``, folds that split a
        group, a list of metrics, and whatever the data checks refuse (missing ``y``,
        mismatched lengths).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mlkit.selection import compare_models
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] + rng.normal(size=300) > 1).astype(int)
    >>> models = {"logreg": LogisticRegression(), "tree": DecisionTreeClassifier(random_state=0)}
    >>> result = compare_models(models, X, y, scoring="average_precision", n_repeats=2)
    >>> result.best, list(result.table.index)[:2], result.baseline.startswith("baseline (")
    ('logreg', ['logreg', 'tree'], True)
    >>> bool(result.table.loc["logreg", "beats_baseline"])
    True
    """
    from mlkit.baselines import baseline_strategies
    from mlkit.stats import corrected_ttest, holm

    if not isinstance(models, Mapping):
        raise ValueError(
            f"models must be a dict of name -> unfitted estimator, got "
            f"{type(models).__name__}; e.g. models={{'logreg': LogisticRegression()}}."
        )
    if len(models) == 0:
        raise ValueError(
            "models is empty; pass at least one name -> estimator, e.g. "
            "models={'logreg': LogisticRegression()}."
        )
    for name, model in models.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"models: every name must be a non-empty str, got {name!r}.")
        if name.startswith("baseline ("):
            raise ValueError(
                f"models: the name {name!r} is reserved for the dummy baseline's row; "
                f"rename the model."
            )
        _check_estimator(model, name=f"models[{name!r}]")
    alpha = _check_alpha(alpha)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1.")
    setup = _setup(
        X, y, groups=groups, time=time, cv=cv, scoring=scoring, n_repeats=n_repeats,
        random_state=random_state,
    )  # fmt: skip

    raw: dict[str, np.ndarray] = {}
    fit_time: dict[str, float] = {}
    predict_time: dict[str, float] = {}
    for name, model in models.items():
        try:
            result = _cross_validate(model, X, setup, n_jobs=n_jobs)
        except Exception as error:  # re-raised with the model's name
            raise ValueError(f"models[{name!r}] failed to fit or score: {error}") from error
        raw[name] = result["test_score"]
        fit_time[name] = float(result["fit_time"].mean())
        predict_time[name] = float(result["score_time"].mean())

    # the baseline is chosen on the training folds' scores, never on the test folds
    best_train = -np.inf
    strategy = ""
    dummy_result: dict[str, np.ndarray] = {}
    for candidate, dummy in baseline_strategies(setup.task).items():
        result = _cross_validate(dummy, X, setup, n_jobs=n_jobs, train_scores=True)
        train_mean = float(result["train_score"].mean())
        if train_mean > best_train:
            best_train, strategy, dummy_result = train_mean, candidate, result
    baseline = f"baseline ({strategy})"
    raw[baseline] = dummy_result["test_score"]
    fit_time[baseline] = float(dummy_result["fit_time"].mean())
    predict_time[baseline] = float(dummy_result["score_time"].mean())

    names = list(raw)
    model_names = names[:-1]
    best = max(model_names, key=lambda n: float(raw[n].mean()))
    ratio = setup.test_train_ratio
    rows: dict[str, dict[str, Any]] = {}
    for name in names:
        interval = corrected_ttest(
            raw[name], test_train_ratio=ratio, alternative="two-sided", confidence=confidence
        )
        lo, hi = interval.ci_low, interval.ci_high
        if not setup.greater_is_better:
            lo, hi = -hi, -lo
        rows[name] = {
            "mean": float(_natural(raw[name], setup.greater_is_better).mean()),
            "ci_low": lo,
            "ci_high": hi,
            "std": interval.std,
            "fit_time": fit_time[name],
            "predict_time": predict_time[name],
            "gap_to_best": float((raw[best] - raw[name]).mean()),
            "is_baseline": name == baseline,
        }
    others = [n for n in names if n != best]
    if others:
        p_best = [
            corrected_ttest(raw[best] - raw[n], test_train_ratio=ratio,
                            alternative="two-sided").p_value
            for n in others
        ]  # fmt: skip
        for n, p, p_adj in zip(others, p_best, holm(p_best), strict=True):
            rows[n].update(p_vs_best=p, p_vs_best_holm=float(p_adj),
                           differs_from_best=bool(p_adj < alpha))  # fmt: skip
    rows[best].update(p_vs_best=np.nan, p_vs_best_holm=np.nan, differs_from_best=False)
    p_base = []
    for n in model_names:
        test = corrected_ttest(raw[n] - raw[baseline], test_train_ratio=ratio,
                               alternative="greater")  # fmt: skip
        rows[n]["gain_over_baseline"] = test.mean
        p_base.append(test.p_value)
    for n, p, p_adj in zip(model_names, p_base, holm(p_base), strict=True):
        gain = rows[n]["gain_over_baseline"]
        rows[n].update(p_vs_baseline=p, p_vs_baseline_holm=float(p_adj),
                       beats_baseline=bool(gain > 0 and p_adj < alpha))  # fmt: skip
    rows[baseline].update(gain_over_baseline=0.0, p_vs_baseline=np.nan,
                          p_vs_baseline_holm=np.nan, beats_baseline=False)  # fmt: skip

    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "model"
    sign = 1.0 if setup.greater_is_better else -1.0
    table["rank"] = (-sign * table["mean"]).rank(method="min").astype(int)
    table = table.sort_values(["rank", "is_baseline"], kind="stable")
    columns = ["mean", "ci_low", "ci_high", "std", "rank", "fit_time", "predict_time",
               "gap_to_best", "p_vs_best", "p_vs_best_holm", "differs_from_best",
               "gain_over_baseline", "p_vs_baseline", "p_vs_baseline_holm",
               "beats_baseline", "is_baseline"]  # fmt: skip
    table = table[columns]
    table.attrs["metric"] = setup.metric
    table.attrs["greater_is_better"] = setup.greater_is_better
    folds = pd.DataFrame(
        {n: _natural(raw[n], setup.greater_is_better) for n in names},
        index=pd.RangeIndex(len(setup.folds), name="fold"),
    )
    return ModelComparison(
        table=table,
        fold_scores=folds,
        metric=setup.metric,
        greater_is_better=setup.greater_is_better,
        best=best,
        baseline=baseline,
        baseline_strategy=strategy,
        alpha=alpha,
        confidence=float(confidence),
        n_repeats=setup.n_repeats,
        test_train_ratio=ratio,
    )
