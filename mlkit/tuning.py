"""Hyperparameter tuning under one API: grid, random, Bayesian and successive halving.

:func:`tune` searches a :mod:`mlkit.space` search space with one of four methods and
scores every candidate on *the same* cross-validation folds: the splitter is
resolved once (by default :func:`mlkit.splits.choose_cv`), its ``(train, test)``
index lists are materialised, and every candidate is fitted on exactly those
folds with its hyperparameters held fixed across them. A candidate's fold scores
are therefore what ``cross_val_score`` gives on those folds, and two candidates
differ only by their hyperparameters, never by their luck with the split.

:func:`nested_cv` (in :mod:`mlkit.nested`, re-exported here) wraps the whole search
in an outer cross-validation loop, which is the honest estimate of how well "tune,
then refit" generalises: the best inner score is optimistic because it is the maximum
of many noisy estimates (Varma & Simon 2006; Cawley & Talbot 2010).

Scores are reported in natural units: for a loss (``rmse``, ``log_loss``, ``mae``...)
``best_score_`` and every score in ``results_`` are positive and lower is better
(``TuningResult.greater_is_better`` is False); scikit-learn's searches report the
negated value. Candidates are scored by scikit-learn's ``GridSearchCV`` on the
materialised folds (grid and random search, and each Bayesian trial) or by its halving
searches, so the scores are scikit-learn's. The Optuna runner lives in the private
``mlkit._optuna_search``, the candidate scoring and progress bar in ``mlkit._search``.

Parallelism goes through joblib (``n_jobs``), so the same call runs unchanged on a
Dask cluster inside ``joblib.parallel_config(backend="dask")``. When a worker dies,
Dask reschedules its fits; if it took the only copy of data joblib had scattered to it,
the batch of fits is run again on the workers left (fits are deterministic, so the
results are the same), and after three such losses the error says so.
"""

from __future__ import annotations

import time as _time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlkit._search import (
    METHODS,
    Method,
    best_index,
    check_error_score,
    check_n_iter,
    check_space,
    check_time_order,
    describe,
    evaluate,
    failure_text,
    first_failure,
    params_key,
    report_failures,
    resolve_scorer,
    rows,
    show_progress,
    with_rank,
)
from mlkit._validation import (
    check_choice,
    check_consistent_length,
    check_groups,
    check_n_jobs,
    check_positive_int,
    check_target,
)
from mlkit.metrics import resolve_task
from mlkit.nested import NestedCVResult, nested_cv
from mlkit.space import Space
from mlkit.splits import Fold, materialise_folds

__all__ = [
    "HALVING_FACTOR",
    "HALVING_MIN_TEST_MEMBERS",
    "METHODS",
    "NestedCVResult",
    "TuningResult",
    "nested_cv",
    "plot_search_trace",
    "tune",
]

#: Successive halving keeps the best 1/``HALVING_FACTOR`` of the candidates at each
#: iteration and gives them ``HALVING_FACTOR`` times more samples.
HALVING_FACTOR = 3
#: Halving's first iteration uses enough samples that every subsampled test part
#: expects at least this many members of the rarest class (samples, for regression).
HALVING_MIN_TEST_MEMBERS = 10


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class TuningResult:
    """The outcome of :func:`tune`.

    Attributes
    ----------
    method : str
        The search method.
    best_params_ : dict
        Hyperparameters of the best candidate (best mean fold score: the highest, or the
        lowest for a loss; for ``"halving"``, the best of the last iteration).
    best_score_ : float
        Its mean cross-validated score, in the metric's natural units: a loss
        (``rmse``, ``log_loss``, ``mae``, ``brier``...) is positive and lower is better,
        see ``greater_is_better``. scikit-learn's ``GridSearchCV.best_score_`` is the
        negative of it for a loss.
    best_estimator_ : estimator
        A clone of the estimator with ``best_params_``, refit on all of ``X``.
    results_ : DataFrame
        One row per candidate, in the order they were evaluated: ``param_<name>``
        for each hyperparameter, ``params`` (the dict), ``fold_0`` ... ``fold_{K-1}``
        (score on each fold, natural units as ``best_score_``), ``mean_score``,
        ``std_score``, ``rank`` (1 = best; a candidate that failed under
        ``error_score=np.nan`` has NaN scores and ranks last),
        ``fit_time`` and ``score_time`` (mean seconds per fold). For ``"halving"`` each
        candidate appears once, with the scores of the *last iteration it reached*,
        and two more columns: ``iter`` (that iteration, from 0) and ``n_resources``
        (the number of samples it was trained on there: each fold's train and test
        parts are subsampled to that fraction). Candidates are ranked by how far
        they got, then by score, because scores from different iterations are not
        comparable.
    history_ : DataFrame
        Every evaluation in order, same columns as ``results_``. For ``"halving"``
        one row per (iteration, candidate); for the other methods the same rows as
        ``results_``.
    scoring : str
        The metric's readable name (``"roc_auc"``, ``"rmse"``, ...; a callable's name),
        as resolved by :func:`mlkit.metrics.get_scorers`.
    folds : tuple of (train, test) index arrays
        The folds every candidate was scored on.
    n_fits : int
        Number of model fits in the search (candidates x folds, summed over halving
        iterations), excluding the final refit.
    wall_time : float
        Seconds for the whole call, refit included.
    study_name : str or None
        The Optuna study name (``"bayes"`` only).
    greater_is_better : bool
        False for a loss: then every score above is lower-is-better.
    task : str or None
        The task the scorer was chosen for (``"binary"``, ``"multiclass"`` or
        ``"regression"``).
    """

    method: str
    best_params_: dict[str, Any]
    best_score_: float
    best_estimator_: Any = field(repr=False)
    results_: pd.DataFrame = field(repr=False)
    history_: pd.DataFrame = field(repr=False)
    scoring: Any
    folds: tuple[Fold, ...] = field(repr=False)
    n_fits: int
    wall_time: float
    study_name: str | None = None
    greater_is_better: bool = True
    task: str | None = None

    @property
    def direction(self) -> str:
        """``"higher is better"`` or ``"lower is better"``: how to read every score."""
        return "higher is better" if self.greater_is_better else "lower is better"

    def summary(self) -> str:
        """One line: method, size of the search, best score with its direction, parameters."""
        return (
            f"{self.method} search, {self.n_candidates} candidates x {len(self.folds)} folds: "
            f"best {self.scoring} {self.best_score_:.4g} ({self.direction}) with "
            f"{describe(self.best_params_)}"
        )

    def __str__(self) -> str:
        return self.summary()

    @property
    def n_candidates(self) -> int:
        """Number of distinct candidates evaluated."""
        return int(self.results_.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """``results_`` sorted from best to worst (by ``rank``)."""
        return self.results_.sort_values("rank", kind="stable")

    def fold_scores(self, params: Mapping[str, Any] | None = None) -> np.ndarray:
        """The per-fold scores of one candidate (default: the best one).

        Parameters
        ----------
        params : dict or None
            The candidate's hyperparameters, as in ``results_["params"]``.
        """
        target = self.best_params_ if params is None else dict(params)
        for row_params, row in zip(
            self.results_["params"], self.results_.itertuples(), strict=True
        ):
            if params_key(row_params) == params_key(target):
                return np.array([getattr(row, f"fold_{k}") for k in range(len(self.folds))])
        raise ValueError(f"params={target!r} is not a candidate of this search.")

    def trace(self) -> pd.DataFrame:
        """The best score found against the number of fits spent.

        Returns
        -------
        DataFrame
            For grid, random and Bayesian search, one row per candidate in evaluation
            order: ``n_fits`` (cumulative), ``score`` (that candidate's mean score) and
            ``best_score`` (best so far). For halving, one row per iteration:
            ``n_fits`` (cumulative at the end of the iteration), ``best_score`` (best
            mean score in that iteration) and ``n_resources``; those scores are
            measured on ``n_resources`` samples, so they are not comparable across
            iterations.
        """
        k = len(self.folds)
        if self.method == "halving":
            per_iter = self.history_.groupby("iter", sort=True).agg(
                n_candidates=("mean_score", "size"),
                best_score=("mean_score", "max" if self.greater_is_better else "min"),
                n_resources=("n_resources", "first"),
            )
            per_iter["n_fits"] = (per_iter["n_candidates"] * k).cumsum()
            return per_iter.reset_index()[["iter", "n_fits", "best_score", "n_resources"]]
        scores = self.history_["mean_score"].to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "n_fits": np.arange(1, scores.size + 1) * k,
                "score": scores,
                "best_score": (np.fmax if self.greater_is_better else np.fmin).accumulate(scores),
            }
        )


# --------------------------------------------------------------------------- tune


def tune(
    estimator: Any,
    space: Any,
    X: Any,
    y: Any,
    *,
    method: Method,
    groups: Any = None,
    time: Any = None,
    task: str | None = None,
    cv: Any = None,
    scoring: Any = None,
    n_iter: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    error_score: Any = "raise",
    storage: Any = None,
    grid_resolution: int | None = None,
    study_name: str | None = None,
    progress: bool | None = None,
) -> TuningResult:
    """Search hyperparameters by cross-validation on one fixed set of folds.

    Parameters
    ----------
    estimator : scikit-learn estimator
        The model (or pipeline) to tune; it is cloned, never modified.
    space : Space or dict
        The search space: parameter name to :class:`~mlkit.space.Int`,
        :class:`~mlkit.space.Float`, :class:`~mlkit.space.Categorical` or a plain list of
        values (so a scikit-learn ``param_grid`` dict works as it is). Names are those of
        ``estimator.get_params()`` (``"model__C"`` inside a pipeline).
    X : array-like or DataFrame of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target.
    method : {"grid", "random", "bayes", "halving"}
        ``"grid"``: every combination of the grid (continuous dimensions need a
        resolution: ``Float(...).grid(n)`` or ``grid_resolution``). ``"random"``:
        ``n_iter`` candidates drawn at random (Bergstra & Bengio 2012). Both are scored
        by scikit-learn's ``GridSearchCV`` on the materialised folds (``refit=False``),
        given the candidate list in order, so the scores are ``GridSearchCV``'s.
        ``"bayes"``:
        ``n_iter`` trials of Optuna's TPE sampler, seeded, each cross-validated on the
        folds. ``"halving"``: successive halving (scikit-learn's
        ``HalvingGridSearchCV`` when ``n_iter`` is None, ``HalvingRandomSearchCV`` with
        ``n_candidates=n_iter`` otherwise), using the number of samples as the
        resource, keeping the best 1/:data:`HALVING_FACTOR` at each rung; the first
        rung uses enough samples that every subsampled test part expects
        :data:`HALVING_MIN_TEST_MEMBERS` members of the rarest class. See
        ``results_`` in :class:`TuningResult` for what it records.
    groups : array-like of shape (n_samples,), default=None
        Group id of each row; used to choose the default splitter (no group in both
        train and test) and passed to a given splitter's ``split``. A fold that puts a
        group on both sides (e.g. a ``KFold``) is refused.
    time : array-like of shape (n_samples,), default=None
        Time of each row. With ``cv`` None or an int the folds train on the past and
        test on the future (:class:`mlkit.splits.TimeOrderedSplit`); any fold that
        trains on a row later than one of its test rows is refused.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task, declared (checked against ``y``) or, for None, inferred; see
        :func:`mlkit.metrics.resolve_task`. It picks the default splitter and scoring.
    cv : None, int, splitter or iterable of (train, test), default=None
        ``None``: :func:`mlkit.splits.choose_cv` on ``y``, ``groups``, ``time`` and
        ``task`` (5 folds); an int: ``choose_cv`` with that many folds; a splitter: its
        folds; an iterable: those index pairs. The folds are materialised once
        (:func:`mlkit.splits.materialise_folds`) and reused for every candidate.
    scoring : None, str or callable, default=None
        One metric, resolved by :func:`mlkit.metrics.get_scorers`: ``None`` gives the
        task's default (:data:`mlkit.metrics.DEFAULT_SCORING`); a readable name
        (``"rmse"``, ``"log_loss"``), alias or scikit-learn scorer name; or a callable
        ``scorer(estimator, X, y)``. A metric that does not fit the task or the
        estimator is refused. Losses are minimised and reported positive.
    n_iter : int or None, default=None
        Number of candidates (random, halving-random) or trials (bayes). Required for
        ``"random"`` and ``"bayes"``; not allowed for ``"grid"``.
    random_state : int or None, default=0
        Seed for the default splitter, the random draws, the TPE sampler and the
        halving subsamples. The same seed gives the same result.
    n_jobs : int or None, default=None
        Parallel jobs through joblib (fits of candidates x folds; folds of a trial for
        ``"bayes"``). ``None`` means the joblib default (1, or all workers of a Dask
        cluster inside ``joblib.parallel_config(backend="dask")``).
    error_score : "raise" or np.nan, default="raise"
        A candidate whose fit (or scoring) raises: ``"raise"`` stops the search with a
        ``ValueError`` naming the candidate's parameters, the fold and the original
        error; ``np.nan`` records the candidate with NaN scores (ranked last) and warns
        once (a ``FitFailedWarning``) naming every failed candidate. If every candidate
        fails, a ``ValueError`` says so.
    storage : None, str, path or optuna storage, default=None
        ``"bayes"`` only: where the Optuna study lives. ``None`` keeps it in memory; a
        database URL (``"sqlite:///tune.db"``, ``"postgresql://..."``); a path ending
        in ``.log`` or ``.jsonl`` gives a ``JournalStorage`` on a file (good for several
        processes on one host); or an ``optuna.storages`` object. Several processes
        (on several machines, with a database server) calling :func:`tune` with the
        same storage and study name share one study; each runs ``n_iter`` more trials,
        and ``results_`` holds every finished trial of the study. Give each process
        its own ``random_state`` so they do not propose the same points, and the same
        ``cv`` (a splitter with a fixed seed, or the same index pairs): the study
        records checksums of ``X, y`` and of the folds (user attributes
        ``mlkit.data_sha256``, ``mlkit.folds_sha256``) and a worker whose data or folds
        differ is refused with a ``ValueError``.
    grid_resolution : int or None, default=None
        Grid points for continuous dimensions without their own ``.grid(n)`` (grid and
        halving-grid only).
    study_name : str or None, default=None
        ``"bayes"`` only. ``None`` derives a name from the estimator, space, scoring
        and folds, so processes describing the same search share a study.
    progress : bool or None, default=None
        Show a tqdm progress bar on stderr (fits for grid and random search, trials for
        Bayesian search; halving runs inside scikit-learn and shows none). ``None``
        shows it only when stderr is a terminal, so nothing is printed in notebooks or
        CI logs.

    Returns
    -------
    TuningResult
        ``best_params_``, ``best_score_``, ``best_estimator_`` (refit on all of ``X``),
        ``results_`` (one row per candidate with its fold scores) and more.

    Raises
    ------
    ValueError
        For an unknown ``method``; an empty ``space`` or a parameter the estimator
        does not have; ``n_iter`` missing for random or Bayesian search (or given for
        grid search); a continuous dimension on a grid without a resolution; a
        ``storage`` that is not understood; inconsistent ``X``, ``y``, ``groups``,
        ``time``; a ``task`` that ``y`` contradicts; a ``scoring`` that does not fit the
        task or the estimator; folds that put a group on both sides or train on the
        future; or a failing candidate (see ``error_score``).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from mlkit.space import Float
    >>> from mlkit.tuning import tune
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())
    >>> space = {"logisticregression__C": Float(1e-3, 1e2, log=True).grid(6)}
    >>> result = tune(model, space, X, y, method="grid")
    >>> result.results_.shape[0], len(result.folds)
    (6, 5)
    >>> round(result.best_score_, 3)
    0.995

    A loss is reported in its natural units, positive and lower is better:

    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> X, y = load_diabetes(return_X_y=True)
    >>> result = tune(Ridge(), {"alpha": [0.01, 0.1, 1.0]}, X, y, method="grid",
    ...               scoring="rmse")
    >>> result.greater_is_better, bool(result.best_score_ > 0)
    (False, True)
    >>> bool(result.best_score_ == result.results_["mean_score"].min())
    True
    """
    start = _time.perf_counter()
    method = check_choice(method, name="method", choices=METHODS)  # type: ignore[assignment]
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    groups_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    parsed = check_space(space, estimator)
    n_iter = check_n_iter(n_iter, method=method)
    n_jobs = check_n_jobs(n_jobs)
    error_score = check_error_score(error_score)
    if storage is not None and method != "bayes":
        raise ValueError(
            f"storage is only used by method='bayes' (an Optuna study), got method={method!r}; "
            f"drop storage or use method='bayes'."
        )
    if grid_resolution is not None:
        grid_resolution = check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    task = resolve_task(y_arr, task)
    scoring_name, scorer, greater = resolve_scorer(scoring, task=task, estimator=estimator)
    folds = materialise_folds(
        cv, X, y_arr, groups=groups_arr, time=time, task=task, random_state=random_state
    )
    check_time_order(time, folds)
    show = show_progress(progress)
    sign = 1.0 if greater else -1.0

    name = None
    if method in ("grid", "random"):
        if method == "grid":
            candidates = parsed.grid(grid_resolution)
        else:
            assert n_iter is not None
            candidates = parsed.sample(n_iter, random_state=random_state)
        scores, fit, score_time = evaluate(
            estimator, candidates, X, y, folds, scorer, n_jobs=n_jobs,
            error_score=error_score, show=show, desc=method,
        )  # fmt: skip
        history = rows(candidates, sign * scores, fit, score_time)
    elif method == "bayes":
        from mlkit._optuna_search import derive_study_name, run_bayes

        assert n_iter is not None
        name = study_name or derive_study_name(estimator, parsed, scoring_name, folds)
        history = run_bayes(
            estimator, parsed, X, y, folds, scorer,
            n_iter=n_iter, random_state=random_state, n_jobs=n_jobs, storage=storage,
            study_name=name, show=show, error_score=error_score,
        )  # fmt: skip
        history = _natural(history, sign, len(folds))
    else:
        history = _run_halving(
            estimator, parsed, X, y, folds, scorer,
            n_iter=n_iter, random_state=random_state, n_jobs=n_jobs,
            grid_resolution=grid_resolution, error_score=error_score, task=task,
        )  # fmt: skip
        history = _natural(history, sign, len(folds))

    if method == "halving":
        results = _last_iteration(history, greater_is_better=greater)
        best_index(results[results["iter"] == results["iter"].max()], greater_is_better=greater)
        best = int(np.flatnonzero(results["rank"].to_numpy() == 1)[0])
    else:
        results = history = with_rank(history, greater_is_better=greater)
        best = best_index(results, greater_is_better=greater)
    best_params = dict(results["params"].iloc[best])
    best_score = float(results["mean_score"].iloc[best])
    best_estimator = clone(estimator).set_params(**clone(best_params, safe=False))
    best_estimator.fit(X, y)
    return TuningResult(
        method=method,
        best_params_=best_params,
        best_score_=best_score,
        best_estimator_=best_estimator,
        results_=results,
        history_=history,
        scoring=scoring_name,
        folds=folds,
        n_fits=int(history.shape[0]) * len(folds),
        wall_time=_time.perf_counter() - start,
        study_name=name,
        greater_is_better=greater,
        task=task,
    )


def _natural(frame: pd.DataFrame, sign: float, k: int) -> pd.DataFrame:
    """Scores of a greater-is-better table in natural units (losses made positive)."""
    if sign > 0:
        return frame
    frame = frame.copy()
    for column in [f"fold_{j}" for j in range(k)] + ["mean_score"]:
        frame[column] = sign * frame[column]
    return frame


# --------------------------------------------------------------------------- plot


def plot_search_trace(
    results: TuningResult | Mapping[str, TuningResult],
    *,
    ax: Any = None,
) -> Any:
    """Plot the best score found against the number of fits, one line per search.

    Scores are in natural units (a loss is positive, and the curve goes down); the
    axis label names the metric and its direction.

    Parameters
    ----------
    results : TuningResult or dict of str to TuningResult
        One search, or several keyed by a label for the legend.
    ax : matplotlib Axes or None, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mlkit.tuning import plot_search_trace, tune
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> result = tune(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
    ...               X, y, method="grid")
    >>> ax = plot_search_trace(result)
    >>> ax.get_xlabel()
    'number of model fits'
    """
    import matplotlib.pyplot as plt

    if isinstance(results, TuningResult):
        results = {results.method: results}
    if (
        not isinstance(results, Mapping)
        or not results
        or not all(isinstance(r, TuningResult) for r in results.values())
    ):
        raise ValueError(
            "results must be a TuningResult or a non-empty dict of label to TuningResult."
        )
    metrics = {(r.scoring, r.greater_is_better) for r in results.values()}
    if len(metrics) > 1:
        raise ValueError(
            f"results were scored with different metrics {sorted(m for m, _ in metrics)}; "
            f"plot searches of one metric together."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4))
    for label, result in results.items():
        trace = result.trace()
        if result.method == "halving":
            ax.plot(trace["n_fits"], trace["best_score"], marker="o", linestyle=":",
                    label=f"{label} (best of each rung, on fewer samples)")  # fmt: skip
        else:
            ax.step(trace["n_fits"], trace["best_score"], where="post", label=label)
    first = next(iter(results.values()))
    ax.set_xlabel("number of model fits")
    ax.set_ylabel(f"best mean CV {first.scoring} so far ({first.direction})")
    ax.set_title("Search progress: best score against fits spent")
    ax.legend(loc="lower right" if first.greater_is_better else "upper right", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


# --------------------------------------------------------------------------- halving


def _run_halving(
    estimator: Any,
    space: Space,
    X: Any,
    y: Any,
    folds: tuple[Fold, ...],
    scorer: Any,
    *,
    n_iter: int | None,
    random_state: int | None,
    n_jobs: int | None,
    grid_resolution: int | None,
    error_score: Any,
    task: str,
) -> pd.DataFrame:
    """Successive halving by scikit-learn on the folds; one row per (iteration, candidate)."""
    from sklearn.exceptions import FitFailedWarning
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import (
        HalvingGridSearchCV,
        HalvingRandomSearchCV,
        ParameterGrid,
        ParameterSampler,
    )

    n_candidates = space.grid_size(grid_resolution) if n_iter is None else n_iter
    if n_iter is not None and space.is_categorical:
        n_candidates = min(n_iter, space.grid_size())
    common: dict[str, Any] = {
        "min_resources": _halving_min_resources(np.asarray(y), len(folds), n_candidates, task),
        "factor": HALVING_FACTOR,
        "cv": list(folds),
        "scoring": scorer,
        "refit": False,
        "random_state": random_state,
        "n_jobs": n_jobs,
        "error_score": error_score,
    }
    search: Any
    if n_iter is None:
        search = HalvingGridSearchCV(estimator, space.param_grid(grid_resolution), **common)
    else:
        search = HalvingRandomSearchCV(
            estimator, space.param_distributions(), n_candidates=n_candidates, **common
        )
    try:
        with warnings.catch_warnings():  # failures are reported once, by candidate
            warnings.filterwarnings("ignore", category=FitFailedWarning)
            warnings.filterwarnings("ignore", message="One or more of the test scores")
            search.fit(X, y)
    except Exception:
        if n_iter is None:
            tried = list(ParameterGrid(space.param_grid(grid_resolution)))
        else:
            tried = list(
                ParameterSampler(
                    space.param_distributions(), n_candidates, random_state=random_state
                )
            )
        found = first_failure(estimator, tried, X, y, folds, scorer)
        if found is None:
            raise
        i, fold, original = found
        raise ValueError(
            f"{failure_text(tried[i], fold, original)}. Fix or remove that value in the search "
            f"space, or pass error_score=np.nan to record failing candidates with NaN scores."
        ) from None
    cv_results = search.cv_results_
    k = len(folds)
    candidates = [dict(p) for p in cv_results["params"]]
    scores = np.column_stack([cv_results[f"split{i}_test_score"] for i in range(k)])
    fit = np.repeat(np.asarray(cv_results["mean_fit_time"])[:, None], k, axis=1)
    score_time = np.repeat(np.asarray(cv_results["mean_score_time"])[:, None], k, axis=1)
    if error_score != "raise":
        report_failures(estimator, candidates, X, y, folds, scorer, scores)
    history = rows(candidates, scores, fit, score_time)
    history.insert(0, "n_resources", np.asarray(cv_results["n_resources"], dtype=int))
    history.insert(0, "iter", np.asarray(cv_results["iter"], dtype=int))
    return history


def _halving_min_resources(y: np.ndarray, n_splits: int, n_candidates: int, task: str) -> int:
    """Samples for the first halving iteration: sklearn's 'exhaust' value, floored.

    scikit-learn subsamples each fold's train *and* test part (without
    stratification) to the iteration's resource. The floor makes every subsampled test
    part expect at least :data:`HALVING_MIN_TEST_MEMBERS` members of the rarest class
    (that many samples for regression), so no score is undefined for lack of a class.
    """
    n_samples = y.shape[0]
    last_iteration = int(np.floor(np.log(max(n_candidates, 1)) / np.log(HALVING_FACTOR)))
    exhaust = n_samples // HALVING_FACTOR**last_iteration
    if task == "regression":
        floor = HALVING_MIN_TEST_MEMBERS * n_splits
    else:
        _, counts = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_counts=True)
        rarest_share = counts.min() / n_samples
        floor = int(np.ceil(HALVING_MIN_TEST_MEMBERS * n_splits / rarest_share))
    return int(min(n_samples, max(exhaust, floor)))


def _last_iteration(history: pd.DataFrame, *, greater_is_better: bool) -> pd.DataFrame:
    """One row per halving candidate: its last (furthest) iteration; ranked by reach, score."""
    keys = history["params"].map(params_key)
    last = history.assign(_key=keys).drop_duplicates("_key", keep="last").drop(columns="_key")
    order = last.sort_values(
        ["iter", "mean_score"], ascending=[False, not greater_is_better], kind="stable"
    )
    ranks = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    last = last.copy()
    last.insert(list(last.columns).index("std_score") + 1, "rank", ranks.loc[last.index].to_numpy())
    return last.reset_index(drop=True)
