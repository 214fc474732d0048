"""Bayesian search with Optuna for :func:`mlkit.tuning.tune` (private).

One Optuna study (TPE sampler, seeded) whose objective cross-validates each trial's
candidate on the fixed folds through :func:`mlkit._search.evaluate`. A study can live in
a storage shared by several processes; each worker records checksums of its data and
folds on the study, and a worker whose data or folds differ is refused. Optuna is
imported only when a search runs.
"""

from __future__ import annotations

import hashlib
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from mlkit._search import evaluate, progress_bar, report_failures, rows
from mlkit.space import Categorical, Space
from mlkit.splits import Fold


@contextmanager
def quiet_optuna() -> Iterator[Any]:
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


def resolve_storage(storage: Any, optuna: Any) -> Any:
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


def derive_study_name(estimator: Any, space: Space, scoring: Any, folds: tuple[Fold, ...]) -> str:
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


def run_bayes(
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
    error_score: Any,
) -> pd.DataFrame:
    """Run ``n_iter`` more trials; one row per finished trial of the study (raw scores).

    Scores are greater-is-better (the study maximises). A trial with a NaN fold score
    (a failed fit under ``error_score=nan``, or an undefined metric) is recorded with
    its fold scores and marked pruned, so the sampler learns nothing from it.
    """
    with quiet_optuna() as optuna:
        study = optuna.create_study(
            storage=resolve_storage(storage, optuna),
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

        stopped: list[Exception] = []

        def objective(trial: Any) -> float:
            params = space.suggest(trial)
            try:
                scores, fit, score_time = evaluate(
                    estimator, [params], X, y, folds, scorer, n_jobs=n_jobs,
                    error_score=error_score, show=False, desc="bayes", report=False,
                )  # fmt: skip
            except ValueError as error:  # a failing candidate: stop without Optuna's log
                stopped.append(error)
                study.stop()
                raise optuna.TrialPruned() from None
            trial.set_user_attr("fold_scores", [float(s) for s in scores[0]])
            trial.set_user_attr("fit_time", float(fit[0, 0]))
            trial.set_user_attr("score_time", float(score_time[0, 0]))
            if np.isnan(scores[0]).any():
                raise optuna.TrialPruned()
            return float(np.mean(scores[0]))

        bar = progress_bar(n_iter, desc="bayes search", show=show)
        try:
            study.optimize(objective, n_trials=n_iter, callbacks=[lambda *_: bar.update(1)])
        finally:
            bar.close()
        if stopped:
            raise stopped[0]
        _check_study(study, fingerprint, claim=False)  # a worker that raced us differs
        kept = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
        finished = [
            t for t in study.get_trials(deepcopy=False)
            if t.state in kept and "fold_scores" in t.user_attrs
        ]  # fmt: skip
    finished.sort(key=lambda t: t.number)
    candidates = [_params_from_trial(space, t.params) for t in finished]
    scores = np.array([t.user_attrs["fold_scores"] for t in finished], dtype=float)
    if scores.shape[1:] != (len(folds),):
        raise ValueError(
            f"study {study_name!r} holds trials scored on another number of folds; use a new "
            f"study_name for this search."
        )
    report_failures(estimator, candidates, X, y, folds, scorer, scores)
    k = len(folds)
    fit = np.repeat([[t.user_attrs["fit_time"]] for t in finished], k, axis=1)
    score_time = np.repeat([[t.user_attrs["score_time"]] for t in finished], k, axis=1)
    return rows(candidates, scores, fit, score_time)


def _params_from_trial(space: Space, raw: Mapping[str, Any]) -> dict[str, Any]:
    params = {}
    for name, dim in space.dimensions.items():
        value = raw[name]
        if isinstance(dim, Categorical) and dim._optuna_choices != list(dim.values):
            value = dim.values[int(value)]
        params[name] = value
    return params
