"""Scoring candidates on fixed folds for :mod:`mlkit.tuning` (private).

Every candidate list (a grid, random draws, one Optuna trial) is scored by
scikit-learn's own search machinery: a :class:`~sklearn.model_selection.GridSearchCV`
on the materialised folds, with ``refit=False``, whose ``_run_search`` hook evaluates
exactly the given candidates in the given order. The scores are therefore those of
``GridSearchCV`` on the same folds, bit for bit. This module also turns failed fits
into errors and warnings that name the candidate, retries a batch a Dask cluster lost,
and draws the optional progress bar.

Scores here are scikit-learn's "greater is better" values (losses negated);
:mod:`mlkit.tuning` converts them to natural units.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import GridSearchCV

from mlkit._validation import check_positive_int
from mlkit.metrics import get_scorers
from mlkit.space import Space, as_space
from mlkit.splits import Fold

Method = Literal["grid", "random", "bayes", "halving"]
#: The search methods :func:`mlkit.tuning.tune` accepts.
METHODS: tuple[str, ...] = ("grid", "random", "bayes", "halving")

#: Errors of a Dask cluster that lost a worker together with data only it held (joblib
#: scatters large arguments to one worker). Every fit is deterministic, so the whole
#: batch is simply run again on the workers that are left.
_LOST_WORK = ("CancelledError", "FutureCancelledError", "KilledWorker")
_LOST_WORK_ATTEMPTS = 3
#: With a progress bar, candidates are evaluated in about this many batches.
_PROGRESS_STEPS = 20


class LostWorkError(RuntimeError):
    """The parallel backend lost a batch of fits more often than we retry."""


def take(data: Any, idx: np.ndarray) -> Any:
    """Rows ``idx`` (by position) of an array, a DataFrame/Series or a list."""
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if hasattr(data, "shape"):
        return data[idx]
    return [data[i] for i in idx]


def check_error_score(error_score: Any) -> Any:
    """``"raise"`` or NaN, as :func:`mlkit.tuning.tune` accepts."""
    if isinstance(error_score, str) and error_score == "raise":
        return "raise"
    if isinstance(error_score, float | np.floating) and math.isnan(error_score):
        return np.nan
    raise ValueError(
        f"error_score={error_score!r} is not supported; use 'raise' (a failing candidate "
        f"stops the search with an error naming it) or np.nan (it is recorded with NaN "
        f"scores and a warning)."
    )


def check_space(space: Any, estimator: Any) -> Space:
    """The search space as a :class:`~mlkit.space.Space`, its names checked on ``estimator``."""
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


def check_n_iter(n_iter: Any, *, method: str) -> int | None:
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


def resolve_scorer(scoring: Any, *, task: Any, estimator: Any) -> tuple[str, Any, bool]:
    """``(readable name, scorer, greater_is_better)`` of the one metric to optimise.

    Resolved by :func:`mlkit.metrics.get_scorers`, which refuses a metric that does not
    fit the task or the estimator. A loss is a negated scorer (``_sign`` of -1).
    """
    if isinstance(scoring, list | tuple | dict):
        raise ValueError(
            f"scoring must be one metric (the one to optimise), got {scoring!r}; pass a "
            f"single name such as scoring='roc_auc'."
        )
    [(name, scorer)] = get_scorers(scoring, task=task, estimator=estimator).items()
    return name, scorer, bool(getattr(scorer, "_sign", 1) > 0)


def check_time_order(time: Any, folds: Sequence[Fold], *, name: str = "cv") -> None:
    """Refuse a fold that trains on rows later than its test rows when ``time`` is given."""
    if time is None:
        return
    values = np.asarray(time)
    for k, (train, test) in enumerate(folds):
        latest, first = values[train].max(), values[test].min()
        if latest > first:
            raise ValueError(
                f"{name}: fold {k} trains on rows later than its test rows (training time up "
                f"to {_plain(latest)!r}, test time from {_plain(first)!r}), but time is given; "
                f"pass {name}=None or an int (a time-ordered split), or a splitter that trains "
                f"on the past only, such as mlkit.splits.TimeOrderedSplit."
            )


def _plain(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return str(value)
    return value.item() if isinstance(value, np.generic) else value


def describe(params: Mapping[str, Any]) -> str:
    """A candidate as plain ``{'name': value}`` text (numpy scalars shown as numbers)."""
    return repr({k: _plain(v) for k, v in params.items()})


# --------------------------------------------------------------------------- evaluation


class _CandidateSearch(GridSearchCV):
    """``GridSearchCV`` over an explicit list of candidates, in order, in batches."""

    _mlkit_candidates: list[dict[str, Any]]
    _mlkit_batch: int
    _mlkit_tick: Callable[[int], None]

    def _run_search(self, evaluate_candidates: Callable[..., Any]) -> None:
        candidates = self._mlkit_candidates
        for start in range(0, len(candidates), self._mlkit_batch):
            batch = candidates[start : start + self._mlkit_batch]
            evaluate_candidates([dict(p) for p in batch])
            self._mlkit_tick(len(batch))


def fit_and_score(
    estimator: Any, params: Mapping[str, Any], X: Any, y: Any, train: np.ndarray,
    test: np.ndarray, scorer: Any,
) -> float:  # fmt: skip
    """Fit one clone with ``params`` on ``train`` and score it on ``test`` (may raise)."""
    model = clone(estimator).set_params(**clone(dict(params), safe=False))
    model.fit(take(X, train), take(y, train))
    return float(scorer(model, take(X, test), take(y, test)))


def first_failure(
    estimator: Any,
    candidates: Sequence[Mapping[str, Any]],
    X: Any,
    y: Any,
    folds: Sequence[Fold],
    scorer: Any,
) -> tuple[int, int, BaseException] | None:
    """Re-run fits until one raises: ``(candidate, fold, error)``, or None.

    Only called after a search failed, to name the culprit. Fold 0 of every candidate
    is tried first (most failures, such as an invalid parameter value, happen on any
    fold), then the other folds, so a late candidate is found after about one fit per
    candidate rather than a whole search.
    """
    for k, (train, test) in enumerate(folds):
        for i, params in enumerate(candidates):
            try:
                fit_and_score(estimator, params, X, y, train, test, scorer)
            except Exception as error:
                return i, k, error
    return None


def failure_text(params: Mapping[str, Any], fold: int, error: BaseException) -> str:
    message = str(error).strip().splitlines()[0].rstrip(".") if str(error).strip() else ""
    return f"candidate {describe(params)} failed on fold {fold}: {type(error).__name__}: {message}"


def evaluate(
    estimator: Any,
    candidates: list[dict[str, Any]],
    X: Any,
    y: Any,
    folds: tuple[Fold, ...],
    scorer: Any,
    *,
    n_jobs: int | None,
    error_score: Any,
    show: bool,
    desc: str,
    report: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score every candidate on every fold with ``GridSearchCV(cv=folds, refit=False)``.

    Returns
    -------
    scores, fit_times, score_times : ndarray of shape (n_candidates, n_folds)
        Greater-is-better scores (NaN for a failed fit when ``error_score`` is NaN) and
        mean seconds per fold.

    Raises
    ------
    ValueError
        With ``error_score="raise"``, for the first candidate whose fit (or scoring)
        raises, naming its parameters, the fold and the original error; with NaN, when
        every candidate failed (``report=False`` leaves NaN failures to the caller).
    """
    k = len(folds)
    bar = progress_bar(len(candidates) * k, desc=f"{desc} search", show=show)
    search = _CandidateSearch(
        estimator,
        [{name: [value] for name, value in p.items()} for p in candidates],
        scoring=scorer,
        n_jobs=n_jobs,
        refit=False,
        cv=list(folds),
        error_score="raise" if error_score == "raise" else np.nan,
    )
    search._mlkit_candidates = candidates
    search._mlkit_batch = (
        max(1, math.ceil(len(candidates) / _PROGRESS_STEPS)) if show else len(candidates)
    )
    search._mlkit_tick = lambda n: bar.update(n * k)
    try:
        with warnings.catch_warnings():
            # failures are reported below, once, naming the candidates
            warnings.filterwarnings("ignore", category=FitFailedWarning)
            warnings.filterwarnings("ignore", message="One or more of the test scores")
            _with_retries(lambda: search.fit(X, y), on_retry=getattr(bar, "reset", None))
    except Exception as error:
        if isinstance(error, LostWorkError):
            raise
        found = first_failure(estimator, candidates, X, y, folds, scorer)
        if found is None:
            raise
        if error_score != "raise" and not report:  # every fit failed: NaN, caller reports
            nan = np.full((len(candidates), k), np.nan)
            return nan, np.zeros_like(nan), np.zeros_like(nan)
        i, fold, original = found
        if error_score == "raise":
            raise ValueError(
                f"{failure_text(candidates[i], fold, original)}. Fix or remove that value "
                f"in the search space, or pass error_score=np.nan to record failing "
                f"candidates with NaN scores and go on."
            ) from None
        raise ValueError(
            f"every candidate failed, so there is nothing to choose from; the first: "
            f"{failure_text(candidates[i], fold, original)}."
        ) from None
    finally:
        bar.close()
    results = search.cv_results_
    scores = np.column_stack([results[f"split{j}_test_score"] for j in range(k)]).astype(float)
    fit = np.repeat(np.asarray(results["mean_fit_time"], dtype=float)[:, None], k, axis=1)
    score_time = np.repeat(np.asarray(results["mean_score_time"], dtype=float)[:, None], k, axis=1)
    if error_score != "raise" and report:
        report_failures(estimator, candidates, X, y, folds, scorer, scores)
    return scores, fit, score_time


def report_failures(
    estimator: Any,
    candidates: Sequence[Mapping[str, Any]],
    X: Any,
    y: Any,
    folds: Sequence[Fold],
    scorer: Any,
    scores: np.ndarray,
) -> None:
    """Warn once naming every candidate whose NaN scores come from a failed fit.

    A NaN can also be a genuine score (a metric undefined on a fold); each candidate
    with a NaN is re-run on its first NaN fold to tell the two apart. If every
    candidate failed, a ``ValueError`` says so.
    """
    failed: list[str] = []
    for i, params in enumerate(candidates):
        missing = np.flatnonzero(np.isnan(scores[i]))
        if missing.size == 0:
            continue
        train, test = folds[int(missing[0])]
        try:
            fit_and_score(estimator, params, X, y, train, test, scorer)
        except Exception as error:
            failed.append(f"{failure_text(params, int(missing[0]), error)}")
    if not failed:
        return
    if len(failed) == len(candidates):
        raise ValueError(
            f"every candidate failed, so there is nothing to choose from; the first: {failed[0]}."
        )
    shown = "; ".join(failed[:5]) + (f"; and {len(failed) - 5} more" if len(failed) > 5 else "")
    warnings.warn(
        f"{len(failed)} of {len(candidates)} candidates failed and were recorded with NaN "
        f"scores (error_score=nan): {shown}.",
        FitFailedWarning,
        stacklevel=4,
    )


def _with_retries(run: Callable[[], Any], *, on_retry: Callable[[], Any] | None) -> Any:
    for attempt in range(_LOST_WORK_ATTEMPTS):
        try:
            return run()
        except Exception as error:
            if type(error).__name__ not in _LOST_WORK:
                raise
            if attempt == _LOST_WORK_ATTEMPTS - 1:
                raise LostWorkError(
                    f"the parallel backend lost work {_LOST_WORK_ATTEMPTS} times "
                    f"({type(error).__name__}: workers of the Dask cluster died and took "
                    f"data with them); the search did not complete. Check the workers' "
                    f"logs (memory limits?) and run it again."
                ) from error
            if on_retry is not None:
                on_retry()
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- tables


def rows(
    candidates: list[dict[str, Any]],
    scores: np.ndarray,
    fit_times: np.ndarray,
    score_times: np.ndarray,
) -> pd.DataFrame:
    """One row per candidate: ``param_*``, ``params``, ``fold_*``, summary, times."""
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


def with_rank(frame: pd.DataFrame, *, greater_is_better: bool) -> pd.DataFrame:
    """Add ``rank`` (1 = best; NaN scores last) after ``std_score``."""
    frame = frame.copy()
    key = -frame["mean_score"] if greater_is_better else frame["mean_score"]
    ranks = key.rank(method="min", na_option="bottom").astype(int)
    frame.insert(list(frame.columns).index("std_score") + 1, "rank", ranks)
    return frame


def best_index(frame: pd.DataFrame, *, greater_is_better: bool) -> int:
    """Position of the best mean score (the first one on ties)."""
    scores = frame["mean_score"].to_numpy(dtype=float)
    if np.all(np.isnan(scores)):
        raise ValueError(
            "every candidate scored NaN; check the scoring and that the estimator can fit "
            "each fold (e.g. both classes present in every training fold)."
        )
    return int(np.nanargmax(scores) if greater_is_better else np.nanargmin(scores))


def params_key(params: Mapping[str, Any]) -> str:
    return repr(sorted((k, repr(v)) for k, v in params.items()))


# --------------------------------------------------------------------------- progress


class _NullBar:
    def update(self, n: int = 1) -> None:
        return None

    def close(self) -> None:
        return None


def show_progress(progress: bool | None) -> bool:
    """``progress``, or (for None) whether stderr is a terminal."""
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


def progress_bar(total: int, *, desc: str, show: bool) -> Any:
    """A tqdm bar on stderr, a plain text line without tqdm, or nothing."""
    if not show:
        return _NullBar()
    try:
        from tqdm import tqdm
    except ImportError:  # the core install has no tqdm: fall back to a text line
        return _TextBar(total, desc=desc)
    return tqdm(total=total, desc=desc, leave=False, file=sys.stderr)
