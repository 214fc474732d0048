"""Hyperparameter tuning under one API: grid, random, Bayesian and successive halving.

:func:`tune` searches a :mod:`mlkit.space` search space with one of four methods and
scores every candidate on *the same* cross-validation folds: the splitter is
resolved once (by default :func:`mlkit.splits.choose_cv`), its ``(train, test)``
index lists are materialised, and every candidate is fitted on exactly those
folds with its hyperparameters held fixed across them. A candidate's fold scores
are therefore what ``cross_val_score`` gives on those folds, and two candidates
differ only by their hyperparameters, never by their luck with the split.

:func:`nested_cv` wraps the whole search in an outer cross-validation loop, which
is the honest estimate of how well "tune, then refit" generalises: the best inner
score is optimistic because it is the maximum of many noisy estimates
(Varma & Simon 2006; Cawley & Talbot 2010).

Parallelism goes through joblib (``n_jobs``), so the same call runs unchanged on a
Dask cluster inside ``joblib.parallel_config(backend="dask")``. When a worker dies,
Dask reschedules its fits; if it took the only copy of data joblib had scattered to it,
the batch of fits is run again on the workers left (fits are deterministic, so the
results are the same), and after three such losses the error says so.
"""

from __future__ import annotations

import hashlib
import sys
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.utils.parallel import Parallel, delayed

from mlkit._validation import (
    check_choice,
    check_consistent_length,
    check_groups,
    check_n_jobs,
    check_positive_int,
    check_target,
)
from mlkit.metrics import infer_task, resolve_scoring
from mlkit.space import Categorical, Space, as_space
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

Method = Literal["grid", "random", "bayes", "halving"]
#: The search methods :func:`tune` accepts.
METHODS: tuple[str, ...] = ("grid", "random", "bayes", "halving")


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
        Hyperparameters of the best candidate (highest mean fold score; for
        ``"halving"``, the best of the last iteration).
    best_score_ : float
        Its mean cross-validated score (greater is better).
    best_estimator_ : estimator
        A clone of the estimator with ``best_params_``, refit on all of ``X``.
    results_ : DataFrame
        One row per candidate, in the order they were evaluated: ``param_<name>``
        for each hyperparameter, ``params`` (the dict), ``fold_0`` ... ``fold_{K-1}``
        (score on each fold), ``mean_score``, ``std_score``, ``rank`` (1 = best),
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
    scoring : str or callable
        The scorer used (a scikit-learn name or a callable).
    folds : tuple of (train, test) index arrays
        The folds every candidate was scored on.
    n_fits : int
        Number of model fits in the search (candidates x folds, summed over halving
        iterations), excluding the final refit.
    wall_time : float
        Seconds for the whole call, refit included.
    study_name : str or None
        The Optuna study name (``"bayes"`` only).
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
            if _params_key(row_params) == _params_key(target):
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
                best_score=("mean_score", "max"),
                n_resources=("n_resources", "first"),
            )
            per_iter["n_fits"] = (per_iter["n_candidates"] * k).cumsum()
            return per_iter.reset_index()[["iter", "n_fits", "best_score", "n_resources"]]
        scores = self.history_["mean_score"].to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "n_fits": np.arange(1, scores.size + 1) * k,
                "score": scores,
                "best_score": np.fmax.accumulate(scores),
            }
        )


@dataclass(frozen=True, eq=False)
class NestedCVResult:
    """The outcome of :func:`nested_cv`.

    Attributes
    ----------
    method : str
        The inner search method.
    scoring : str or callable
        The scorer.
    outer_scores : tuple of float
        Score of the tuned-and-refit model on each outer test fold: the honest estimate.
    mean_score, std_score : float
        Their mean and standard deviation.
    best_params : tuple of dict
        Hyperparameters chosen by the inner search in each outer fold.
    inner_best_scores : tuple of float
        The inner search's best mean CV score in each outer fold.
    mean_inner_best_score : float
        Their mean: what you would report if you quoted the tuning score itself.
    outer_folds : tuple of (train, test)
        The outer folds.
    inner_results : tuple of TuningResult
        The inner searches (their ``folds`` index into the outer training part).
    """

    method: str
    scoring: Any
    outer_scores: tuple[float, ...]
    mean_score: float
    std_score: float
    best_params: tuple[dict[str, Any], ...]
    inner_best_scores: tuple[float, ...]
    mean_inner_best_score: float
    outer_folds: tuple[Fold, ...] = field(repr=False)
    inner_results: tuple[TuningResult, ...] = field(repr=False)

    @property
    def optimism(self) -> float:
        """``mean_inner_best_score - mean_score``: how much the tuning score flatters."""
        return self.mean_inner_best_score - self.mean_score

    def to_frame(self) -> pd.DataFrame:
        """One row per outer fold: outer score, inner best score, chosen parameters."""
        frame = pd.DataFrame(
            {
                "outer_score": self.outer_scores,
                "inner_best_score": self.inner_best_scores,
                "best_params": self.best_params,
            }
        )
        frame.index.name = "outer_fold"
        return frame


# --------------------------------------------------------------------------- tune


def tune(
    estimator: Any,
    space: Any,
    X: Any,
    y: Any,
    *,
    method: Method,
    groups: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_iter: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
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
        ``n_iter`` candidates drawn at random (Bergstra & Bengio 2012). ``"bayes"``:
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
        train and test) and passed to a given splitter's ``split``.
    cv : None, int, splitter or iterable of (train, test), default=None
        ``None``: :func:`mlkit.splits.choose_cv` on ``y`` and ``groups`` (5 folds); an
        int: ``choose_cv`` with that many folds; a splitter: its folds; an iterable:
        those index pairs. The folds are materialised once and reused for every
        candidate.
    scoring : None, str or callable, default=None
        One metric (greater is better). ``None``: the task's default
        (:data:`mlkit.metrics.DEFAULT_SCORING`); a scorer name or mlkit alias; or a
        callable ``scorer(estimator, X, y)``.
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
        ``storage`` that is not understood; or inconsistent ``X``, ``y``, ``groups``.

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
    """
    start = time.perf_counter()
    method = check_choice(method, name="method", choices=METHODS)  # type: ignore[assignment]
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    groups_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    parsed = _check_space(space, estimator)
    n_iter = _check_n_iter(n_iter, method=method)
    n_jobs = check_n_jobs(n_jobs)
    if storage is not None and method != "bayes":
        raise ValueError(
            f"storage is only used by method='bayes' (an Optuna study), got method={method!r}; "
            f"drop storage or use method='bayes'."
        )
    if grid_resolution is not None:
        grid_resolution = check_positive_int(grid_resolution, name="grid_resolution", minimum=2)
    scoring_name = _check_scoring(scoring, y_arr)
    scorer = check_scoring(estimator, scoring=scoring_name)
    folds = materialise_folds(cv, X, y_arr, groups=groups_arr, random_state=random_state)
    show = _show_progress(progress)

    if method == "grid":
        candidates = parsed.grid(grid_resolution)
        history = _evaluate(estimator, candidates, X, y, folds, scorer, n_jobs, show, method)
        best = _best_index(history)
        best_params, best_score = candidates[best], float(history["mean_score"].iloc[best])
        n_fits, name = len(candidates) * len(folds), None
    elif method == "random":
        assert n_iter is not None
        candidates = parsed.sample(n_iter, random_state=random_state)
        history = _evaluate(estimator, candidates, X, y, folds, scorer, n_jobs, show, method)
        best = _best_index(history)
        best_params, best_score = candidates[best], float(history["mean_score"].iloc[best])
        n_fits, name = len(candidates) * len(folds), None
    elif method == "bayes":
        assert n_iter is not None
        name = study_name or _derive_study_name(estimator, parsed, scoring_name, folds)
        history = _run_bayes(
            estimator, parsed, X, y, folds, scorer,
            n_iter=n_iter, random_state=random_state, n_jobs=n_jobs, storage=storage,
            study_name=name, show=show,
        )  # fmt: skip
        best = _best_index(history)
        best_params = dict(history["params"].iloc[best])
        best_score = float(history["mean_score"].iloc[best])
        n_fits = int(history.shape[0]) * len(folds)
    else:
        history, best_params, best_score = _run_halving(
            estimator, parsed, X, y, folds, scorer,
            n_iter=n_iter, random_state=random_state, n_jobs=n_jobs,
            grid_resolution=grid_resolution,
        )  # fmt: skip
        n_fits, name = int(history.shape[0]) * len(folds), None

    results = _last_iteration(history) if method == "halving" else _with_rank(history)
    if method != "halving":
        history = results
    best_estimator = clone(estimator).set_params(**clone(best_params, safe=False))
    best_estimator.fit(X, y)
    return TuningResult(
        method=method,
        best_params_=dict(best_params),
        best_score_=best_score,
        best_estimator_=best_estimator,
        results_=results,
        history_=history,
        scoring=scoring_name,
        folds=folds,
        n_fits=n_fits,
        wall_time=time.perf_counter() - start,
        study_name=name,
    )


# --------------------------------------------------------------------------- nested CV


def nested_cv(
    estimator: Any,
    space: Any,
    X: Any,
    y: Any,
    *,
    method: Method,
    groups: Any = None,
    outer_cv: Any = None,
    inner_cv: Any = None,
    scoring: Any = None,
    n_iter: int | None = None,
    random_state: int | None = 0,
    n_jobs: int | None = None,
    grid_resolution: int | None = None,
    progress: bool | None = None,
) -> NestedCVResult:
    """Estimate the performance of "tune, then refit" with nested cross-validation.

    The outer loop splits the data; in each outer fold, :func:`tune` searches the
    space on the outer *training* part only (with its own inner folds), refits the
    best candidate on that part, and scores it once on the outer test part. The mean
    outer score estimates how well the whole procedure generalises; the mean of the
    inner best scores is what quoting the tuning score would claim, and it is biased
    upwards (Varma & Simon 2006; Cawley & Talbot 2010).

    Parameters
    ----------
    estimator, space, X, y, method, scoring, n_iter, random_state, n_jobs, grid_resolution
        As in :func:`tune`.
    groups : array-like of shape (n_samples,), default=None
        Group id of each row, honoured in both loops: the default outer splitter keeps
        groups apart, and the inner splitter is chosen on the outer-training part's own
        ``y`` and ``groups``.
    outer_cv : None, int, splitter or iterable of (train, test), default=None
        Outer folds. ``None``: ``choose_cv(y, groups=groups)``; an int: ``choose_cv``
        with that many folds.
    inner_cv : None, int or splitter, default=None
        Inner splitter, applied to each outer-training part. ``None``: ``choose_cv`` on
        that part's ``y`` and ``groups``; an int: the same with that many folds; a
        splitter: used as given (with the part's groups).
    progress : bool or None, default=None
        Progress bar over the outer folds (``None``: only on a terminal).

    Returns
    -------
    NestedCVResult

    Raises
    ------
    ValueError
        As :func:`tune`; also for an ``inner_cv`` given as a list of index pairs
        (inner folds must be computed on each outer-training part).

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from mlkit.tuning import nested_cv
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> result = nested_cv(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2, 3]},
    ...                    X, y, method="grid", outer_cv=3, inner_cv=3)
    >>> len(result.outer_scores), len(result.best_params)
    (3, 3)
    >>> bool(result.mean_score <= 1.0)
    True
    """
    method = check_choice(method, name="method", choices=METHODS)  # type: ignore[assignment]
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    groups_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    _check_space(space, estimator)
    _check_n_iter(n_iter, method=method)
    if inner_cv is not None and not isinstance(inner_cv, int | np.integer):
        if not hasattr(inner_cv, "split") or isinstance(inner_cv, str):
            raise ValueError(
                "inner_cv must be None, an int or a splitter with a split method, got "
                f"{type(inner_cv).__name__}; inner folds are computed on each outer-training "
                "part, so fixed index pairs cannot be used."
            )
    scoring_name = _check_scoring(scoring, y_arr)
    scorer = check_scoring(estimator, scoring=scoring_name)
    outer = materialise_folds(
        outer_cv, X, y_arr, groups=groups_arr, random_state=random_state, name="outer_cv"
    )

    outer_scores: list[float] = []
    inner_results: list[TuningResult] = []
    bar = _progress_bar(len(outer), desc="nested CV", show=_show_progress(progress))
    try:
        for train, test in outer:
            g_train = None if groups_arr is None else groups_arr[train]
            inner = tune(
                estimator, space, _take(X, train), _take(y, train),
                method=method, groups=g_train, cv=inner_cv, scoring=scoring_name,
                n_iter=n_iter, random_state=random_state, n_jobs=n_jobs,
                grid_resolution=grid_resolution, progress=False,
            )  # fmt: skip
            outer_scores.append(
                float(scorer(inner.best_estimator_, _take(X, test), _take(y, test)))
            )
            inner_results.append(inner)
            bar.update(1)
    finally:
        bar.close()
    inner_best = tuple(r.best_score_ for r in inner_results)
    return NestedCVResult(
        method=method,
        scoring=scoring_name,
        outer_scores=tuple(outer_scores),
        mean_score=float(np.mean(outer_scores)),
        std_score=float(np.std(outer_scores)),
        best_params=tuple(r.best_params_ for r in inner_results),
        inner_best_scores=inner_best,
        mean_inner_best_score=float(np.mean(inner_best)),
        outer_folds=outer,
        inner_results=tuple(inner_results),
    )


# --------------------------------------------------------------------------- plot


def plot_search_trace(
    results: TuningResult | Mapping[str, TuningResult],
    *,
    ax: Any = None,
) -> Any:
    """Plot the best score found against the number of fits, one line per search.

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
    if not isinstance(results, Mapping) or not results:
        raise ValueError(
            "results must be a TuningResult or a non-empty dict of label to TuningResult."
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
    ax.set_ylabel(f"best mean CV score so far ({_scoring_label(first.scoring)})")
    ax.set_title("Search progress: best score against fits spent")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    return ax


# --------------------------------------------------------------------------- checks


def _check_space(space: Any, estimator: Any) -> Space:
    parsed = as_space(space, name="space")
    if not hasattr(estimator, "get_params"):
        raise ValueError(
            f"estimator must be a scikit-learn estimator (with get_params/set_params), got "
            f"{type(estimator).__name__}."
        )
    valid = estimator.get_params(deep=True)
    unknown = [name for name in parsed.names if name not in valid]
    if unknown:
        shown = sorted(valid)
        listing = ", ".join(shown[:25]) + (", ..." if len(shown) > 25 else "")
        raise ValueError(
            f"space has parameter(s) {unknown} that {type(estimator).__name__} does not have; "
            f"use names from estimator.get_params(): {listing}."
        )
    return parsed


def _check_n_iter(n_iter: Any, *, method: str) -> int | None:
    if n_iter is None:
        if method in ("random", "bayes"):
            raise ValueError(
                f"n_iter is required for method={method!r}: pass the number of candidates to "
                f"evaluate, e.g. n_iter=20."
            )
        return None
    if method == "grid":
        raise ValueError(
            "n_iter is not used by method='grid', which evaluates every combination of the "
            "grid; drop n_iter, or use method='random' to evaluate n_iter candidates."
        )
    return check_positive_int(n_iter, name="n_iter")


def _check_scoring(scoring: Any, y: np.ndarray) -> Any:
    if isinstance(scoring, list | tuple | dict):
        raise ValueError(
            f"scoring must be one metric (the one to optimise), got {scoring!r}; pass a "
            f"single name such as scoring='roc_auc'."
        )
    return resolve_scoring(scoring, task=infer_task(y))


# --------------------------------------------------------------------------- evaluation


def _take(data: Any, idx: np.ndarray) -> Any:
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if hasattr(data, "shape"):
        return data[idx]
    return [data[i] for i in idx]


#: Errors of a Dask cluster that lost a worker together with data only it held (joblib
#: scatters large arguments to one worker). Every fit is deterministic, so the whole
#: batch is simply run again on the workers that are left.
_LOST_WORK = ("CancelledError", "FutureCancelledError", "KilledWorker")
_LOST_WORK_ATTEMPTS = 3


def _fit_and_score(
    estimator: Any, params: dict[str, Any], X: Any, y: Any, train: np.ndarray, test: np.ndarray,
    scorer: Any,
) -> tuple[float, float, float]:  # fmt: skip
    """Fit one clone with ``params`` on ``train``; return (score on test, fit s, score s)."""
    model = clone(estimator).set_params(**clone(params, safe=False))
    start = time.perf_counter()
    model.fit(_take(X, train), _take(y, train))
    fitted = time.perf_counter()
    score = scorer(model, _take(X, test), _take(y, test))
    return float(score), fitted - start, time.perf_counter() - fitted


def _evaluate(
    estimator: Any,
    candidates: list[dict[str, Any]],
    X: Any,
    y: Any,
    folds: tuple[Fold, ...],
    scorer: Any,
    n_jobs: int | None,
    show: bool,
    desc: str,
) -> pd.DataFrame:
    """Score every candidate on every fold (one joblib task per fit); one row each."""
    bar = _progress_bar(len(candidates) * len(folds), desc=f"{desc} search", show=show)
    try:
        for attempt in range(_LOST_WORK_ATTEMPTS):
            tasks = (
                delayed(_fit_and_score)(estimator, params, X, y, train, test, scorer)
                for params in candidates
                for train, test in folds
            )
            outputs = []
            try:
                for out in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
                    outputs.append(out)
                    bar.update(1)
                break
            except Exception as error:
                if type(error).__name__ not in _LOST_WORK:
                    raise
                if attempt == _LOST_WORK_ATTEMPTS - 1:
                    raise RuntimeError(
                        f"the parallel backend lost work {_LOST_WORK_ATTEMPTS} times "
                        f"({type(error).__name__}: workers of the Dask cluster died and took "
                        f"data with them); the search did not complete. Check the workers' "
                        f"logs (memory limits?) and run it again."
                    ) from error
                getattr(bar, "reset", lambda: None)()
    finally:
        bar.close()
    k = len(folds)
    table = np.asarray(outputs, dtype=float).reshape(len(candidates), k, 3)
    return _rows(candidates, table[:, :, 0], table[:, :, 1], table[:, :, 2])


def _rows(
    candidates: list[dict[str, Any]],
    scores: np.ndarray,
    fit_times: np.ndarray,
    score_times: np.ndarray,
) -> pd.DataFrame:
    names: list[str] = []
    for params in candidates:
        names.extend(n for n in params if n not in names)
    data: dict[str, Any] = {
        f"param_{n}": pd.Series([p.get(n) for p in candidates], dtype=object) for n in names
    }
    data["params"] = [dict(p) for p in candidates]
    for k in range(scores.shape[1]):
        data[f"fold_{k}"] = scores[:, k]
    data["mean_score"] = scores.mean(axis=1)
    data["std_score"] = scores.std(axis=1)
    data["fit_time"] = fit_times.mean(axis=1)
    data["score_time"] = score_times.mean(axis=1)
    return pd.DataFrame(data)  # object parameter columns keep values as given


def _with_rank(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    ranks = (-frame["mean_score"]).rank(method="min", na_option="bottom").astype(int)
    frame.insert(list(frame.columns).index("std_score") + 1, "rank", ranks)
    return frame


def _best_index(frame: pd.DataFrame) -> int:
    scores = frame["mean_score"].to_numpy(dtype=float)
    if np.all(np.isnan(scores)):
        raise ValueError(
            "every candidate scored NaN; check the scoring and that the estimator can fit "
            "each fold (e.g. both classes present in every training fold)."
        )
    return int(np.nanargmax(scores))


# --------------------------------------------------------------------------- bayes (Optuna)


@contextmanager
def _quiet_optuna() -> Iterator[Any]:
    """Silence Optuna's INFO logs and experimental warnings inside the block only."""
    with warnings.catch_warnings():
        # optuna imports tqdm.auto, which warns on stderr in a notebook without ipywidgets
        warnings.filterwarnings("ignore", message="IProgress not found")
        import optuna

    previous = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
            yield optuna
    finally:
        optuna.logging.set_verbosity(previous)


def _resolve_storage(storage: Any, optuna: Any) -> Any:
    import os

    if storage is None or isinstance(storage, optuna.storages.BaseStorage):
        return storage
    if isinstance(storage, str | os.PathLike):
        text = os.fspath(storage)
        if text.endswith((".log", ".jsonl")):
            from optuna.storages.journal import JournalFileBackend

            return optuna.storages.JournalStorage(JournalFileBackend(text))
        if "://" in text:
            return text if text.startswith("sqlite") else _rdb_storage(text, optuna)
    raise ValueError(
        f"storage={storage!r} is not understood; pass a database URL ('sqlite:///tune.db', "
        f"'postgresql://user@host/db'), a file path ending in .log or .jsonl (journal file), "
        f"or an optuna.storages object."
    )


def _rdb_storage(url: str, optuna: Any, attempts: int = 5) -> Any:
    """An Optuna RDB storage on a database server, e.g. ``postgresql+psycopg://...``.

    Workers that start at the same moment on a new database all try to create
    Optuna's tables; the losers of that race get an integrity error once, so
    creation is retried. Connections are checked before use (``pool_pre_ping``). A
    plain ``postgresql://`` URL uses psycopg 3 when psycopg2 is not installed.
    """
    import importlib.util

    if url.startswith("postgresql://") and importlib.util.find_spec("psycopg2") is None:
        if importlib.util.find_spec("psycopg") is not None:  # SQLAlchemy's default is psycopg2
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
    for attempt in range(attempts):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs={"pool_pre_ping": True})
        except Exception as error:
            text = f"{error!r} {error.__cause__!r}"
            racing = any(w in text for w in ("IntegrityError", "UniqueViolation", "already exists"))
            if not racing or attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _data_digest(*arrays: Any) -> str:
    """SHA-256 of the values (and shape) of ``X``, ``y``: the same in every process."""
    digest = hashlib.sha256()
    for item in arrays:
        if isinstance(item, pd.DataFrame | pd.Series):
            frame = item
        else:
            array = np.asarray(item) if not hasattr(item, "toarray") else item.toarray()
            frame = pd.DataFrame(array.reshape(array.shape[0], -1))
        digest.update(repr(tuple(frame.shape)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _folds_digest(folds: tuple[Fold, ...]) -> str:
    digest = hashlib.sha256()
    for train, test in folds:
        digest.update(np.ascontiguousarray(train, dtype=np.int64).tobytes() + b"|")
        digest.update(np.ascontiguousarray(test, dtype=np.int64).tobytes() + b";")
    return digest.hexdigest()


#: What a worker of a shared study must agree on, stored as study user attributes.
_STUDY_CHECKS = {"mlkit.data_sha256": "data (X, y)", "mlkit.folds_sha256": "folds"}


def _check_study(study: Any, fingerprint: Mapping[str, str], *, claim: bool) -> None:
    """Record the data and folds checksums on a study, or refuse a worker that differs."""
    stored = study.user_attrs
    for key, value in fingerprint.items():
        if key not in stored:
            if claim:
                study.set_user_attr(key, value)
            continue
        if stored[key] != value:
            what = _STUDY_CHECKS[key]
            raise ValueError(
                f"study {study.study_name!r} holds trials scored on other {what}: its "
                f"checksum is {str(stored[key])[:12]}..., this worker's is {value[:12]}...; "
                f"every worker of a shared study must pass the same X, y and folds (the same "
                f"cv splitter with a fixed random_state); load the same data, or use another "
                f"study_name."
            )


def _derive_study_name(estimator: Any, space: Space, scoring: Any, folds: tuple[Fold, ...]) -> str:
    digest = hashlib.sha256()
    digest.update(type(estimator).__qualname__.encode())
    digest.update(
        repr(sorted((k, repr(v)) for k, v in estimator.get_params(deep=False).items())).encode()
    )
    digest.update(repr(space).encode())
    digest.update(repr(scoring).encode())
    for train, test in folds:
        digest.update(np.ascontiguousarray(train).tobytes())
        digest.update(b"|")
        digest.update(np.ascontiguousarray(test).tobytes())
    return f"mlkit-tune-{type(estimator).__name__}-{digest.hexdigest()[:12]}"


def _run_bayes(
    estimator: Any,
    space: Space,
    X: Any,
    y: Any,
    folds: tuple[Fold, ...],
    scorer: Any,
    *,
    n_iter: int,
    random_state: int | None,
    n_jobs: int | None,
    storage: Any,
    study_name: str,
    show: bool,
) -> pd.DataFrame:
    with _quiet_optuna() as optuna:
        study = optuna.create_study(
            storage=_resolve_storage(storage, optuna),
            sampler=optuna.samplers.TPESampler(seed=random_state),
            study_name=study_name,
            direction="maximize",
            load_if_exists=True,
        )
        fingerprint = {
            "mlkit.data_sha256": _data_digest(X, y),
            "mlkit.folds_sha256": _folds_digest(folds),
        }
        _check_study(study, fingerprint, claim=True)

        def objective(trial: Any) -> float:
            params = space.suggest(trial)
            row = _evaluate(estimator, [params], X, y, folds, scorer, n_jobs, False, "bayes")
            scores = [float(row[f"fold_{k}"].iloc[0]) for k in range(len(folds))]
            trial.set_user_attr("fold_scores", scores)
            trial.set_user_attr("fit_time", float(row["fit_time"].iloc[0]))
            trial.set_user_attr("score_time", float(row["score_time"].iloc[0]))
            return float(np.mean(scores))

        bar = _progress_bar(n_iter, desc="bayes search", show=show)
        try:
            study.optimize(objective, n_trials=n_iter, callbacks=[lambda *_: bar.update(1)])
        finally:
            bar.close()
        _check_study(study, fingerprint, claim=False)  # a worker that raced us differs
        complete = [
            t for t in study.get_trials(deepcopy=False)
            if t.state == optuna.trial.TrialState.COMPLETE and "fold_scores" in t.user_attrs
        ]  # fmt: skip
    complete.sort(key=lambda t: t.number)
    candidates = [_params_from_trial(space, t.params) for t in complete]
    scores = np.array([t.user_attrs["fold_scores"] for t in complete], dtype=float)
    if scores.shape[1:] != (len(folds),):
        raise ValueError(
            f"study {study_name!r} holds trials scored on another number of folds; use a new "
            f"study_name for this search."
        )
    k = len(folds)
    fit = np.repeat([[t.user_attrs["fit_time"]] for t in complete], k, axis=1)
    score_time = np.repeat([[t.user_attrs["score_time"]] for t in complete], k, axis=1)
    return _rows(candidates, scores, fit, score_time)


def _params_from_trial(space: Space, raw: Mapping[str, Any]) -> dict[str, Any]:
    params = {}
    for name, dim in space.dimensions.items():
        value = raw[name]
        if isinstance(dim, Categorical) and dim._optuna_choices != list(dim.values):
            value = dim.values[int(value)]
        params[name] = value
    return params


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
) -> tuple[pd.DataFrame, dict[str, Any], float]:
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV

    n_candidates = space.grid_size(grid_resolution) if n_iter is None else n_iter
    if n_iter is not None and space.is_categorical:
        n_candidates = min(n_iter, space.grid_size())
    common: dict[str, Any] = {
        "min_resources": _halving_min_resources(np.asarray(y), len(folds), n_candidates),
        "factor": HALVING_FACTOR,
        "cv": list(folds),
        "scoring": scorer,
        "refit": False,
        "random_state": random_state,
        "n_jobs": n_jobs,
        "error_score": "raise",
    }
    search: Any
    if n_iter is None:
        search = HalvingGridSearchCV(estimator, space.param_grid(grid_resolution), **common)
    else:
        search = HalvingRandomSearchCV(
            estimator, space.param_distributions(), n_candidates=n_candidates, **common
        )
    search.fit(X, y)
    cv_results = search.cv_results_
    k = len(folds)
    candidates = [dict(p) for p in cv_results["params"]]
    scores = np.column_stack([cv_results[f"split{i}_test_score"] for i in range(k)])
    fit = np.repeat(np.asarray(cv_results["mean_fit_time"])[:, None], k, axis=1)
    score_time = np.repeat(np.asarray(cv_results["mean_score_time"])[:, None], k, axis=1)
    history = _rows(candidates, scores, fit, score_time)
    history.insert(0, "n_resources", np.asarray(cv_results["n_resources"], dtype=int))
    history.insert(0, "iter", np.asarray(cv_results["iter"], dtype=int))
    return history, dict(search.best_params_), float(search.best_score_)


def _halving_min_resources(y: np.ndarray, n_splits: int, n_candidates: int) -> int:
    """Samples for the first halving iteration: sklearn's 'exhaust' value, floored.

    scikit-learn subsamples each fold's train *and* test part (without
    stratification) to the iteration's resource. The floor makes every subsampled test
    part expect at least :data:`HALVING_MIN_TEST_MEMBERS` members of the rarest class
    (that many samples for regression), so no score is undefined for lack of a class.
    """
    n_samples = y.shape[0]
    last_iteration = int(np.floor(np.log(max(n_candidates, 1)) / np.log(HALVING_FACTOR)))
    exhaust = n_samples // HALVING_FACTOR**last_iteration
    if infer_task(y) == "regression":
        floor = HALVING_MIN_TEST_MEMBERS * n_splits
    else:
        _, counts = np.unique(y.astype(str) if y.dtype.kind == "O" else y, return_counts=True)
        rarest_share = counts.min() / n_samples
        floor = int(np.ceil(HALVING_MIN_TEST_MEMBERS * n_splits / rarest_share))
    return int(min(n_samples, max(exhaust, floor)))


def _params_key(params: Mapping[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in params.items()))


def _last_iteration(history: pd.DataFrame) -> pd.DataFrame:
    """One row per halving candidate: its last (furthest) iteration; ranked by reach, score."""
    keys = history["params"].map(_params_key)
    last = history.assign(_key=keys).drop_duplicates("_key", keep="last").drop(columns="_key")
    order = last.sort_values(["iter", "mean_score"], ascending=[False, False], kind="stable")
    ranks = pd.Series(np.arange(1, len(order) + 1), index=order.index)
    last = last.copy()
    last.insert(list(last.columns).index("std_score") + 1, "rank", ranks.loc[last.index].to_numpy())
    return last.reset_index(drop=True)


# --------------------------------------------------------------------------- progress


class _NullBar:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def _show_progress(progress: bool | None) -> bool:
    if progress is None:
        isatty = getattr(sys.stderr, "isatty", None)
        return bool(isatty and isatty())
    return bool(progress)


class _TextBar:
    """A plain-text progress line on stderr, for installs without tqdm."""

    def __init__(self, total: int, *, desc: str) -> None:
        self.total, self.desc, self.n = total, desc, 0

    def update(self, n: int = 1) -> None:
        self.n += n
        end = "\n" if self.n >= self.total else "\r"
        sys.stderr.write(f"{self.desc}: {self.n}/{self.total}{end}")
        sys.stderr.flush()

    def close(self) -> None:
        return None


def _progress_bar(total: int, *, desc: str, show: bool) -> Any:
    if not show:
        return _NullBar()
    try:
        from tqdm import tqdm
    except ImportError:  # the core install has no tqdm: fall back to a text line
        return _TextBar(total, desc=desc)
    return tqdm(total=total, desc=desc, leave=False, file=sys.stderr)


def _scoring_label(scoring: Any) -> str:
    return scoring if isinstance(scoring, str) else getattr(scoring, "__name__", "custom scorer")
