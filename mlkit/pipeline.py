"""The whole model-development pipeline, from a config to a registered model.

:func:`run_pipeline` is what ``mlkit run CONFIG.yaml`` executes:

1. load the data (a named mlkit dataset or a CSV / Parquet file with column roles);
2. hold out the test rows once (:func:`mlkit.training.holdout_split`);
3. choose the cross-validation splitter on the training rows and audit its folds;
4. tune the hyperparameters on those folds (or cross-validate the fixed ones);
5. compare the model with the dummy baselines on the same folds;
6. optionally, estimate the whole tuning procedure with nested cross-validation;
7. refit the chosen configuration on all the training rows;
8. evaluate it once on the holdout;
9. log everything to MLflow, register the model as ``challenger`` and let the gate
   decide whether it becomes ``champion``.

:func:`prepare` runs steps 1 and the checks that need the data (column names,
estimator parameters, search-space names); ``mlkit validate`` uses it.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit.config import ConfigError, PipelineConfig, config_to_dict, parse_dimension
from mlkit.metrics import Task, resolve_scoring, resolve_task
from mlkit.training import (
    ESTIMATORS,
    HoldoutSplit,
    evaluate_holdout,
    final_fit,
    holdout_split,
    make_estimator,
    model_param_names,
    score_model,
)

__all__ = ["PipelineData", "PipelineResult", "load_data", "prepare", "run_pipeline"]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class PipelineData:
    """The data of a run with the role of each column.

    Attributes
    ----------
    name : str
    X : DataFrame
    y : Series
    groups, time : Series or None
        Used by the holdout split and the cross-validation splitter.
    """

    name: str
    X: pd.DataFrame
    y: pd.Series
    groups: pd.Series | None = None
    time: pd.Series | None = None

    def take(self, rows: np.ndarray) -> PipelineData:
        """The subset of rows ``rows`` (positions), index reset."""

        def pick(series: pd.Series | None) -> pd.Series | None:
            return None if series is None else series.iloc[rows].reset_index(drop=True)

        return PipelineData(
            self.name,
            self.X.iloc[rows].reset_index(drop=True),
            self.y.iloc[rows].reset_index(drop=True),
            pick(self.groups),
            pick(self.time),
        )


def load_data(config: PipelineConfig) -> PipelineData:
    """Load the data a config describes.

    Named datasets define their own column roles: ``pbcseq`` and ``patient_visits``
    have ``groups`` (patients; their ``time`` is days since each patient's own
    registration, not a shared clock, so it is not used for splitting), ``flights``
    has ``time``. A file needs ``data.target`` and may name ``groups`` and ``time``
    columns; those role columns are never features.

    Raises
    ------
    ConfigError
        For a column that does not exist (with the closest name) or an unreadable file.
    """
    from mlkit import datasets

    spec = config.data
    groups: pd.Series | None = None
    time_col: pd.Series | None = None
    if spec.dataset is not None:
        loaders: dict[str, Callable[..., Any]] = {
            "pbcseq": datasets.load_pbcseq,
            "flights": datasets.load_flights,
            "patient_visits": datasets.make_patient_visits,
        }
        try:
            loaded = loaders[spec.dataset](**spec.options)
        except (TypeError, ValueError) as error:
            raise ConfigError(f"data.options for {spec.dataset!r}: {error}") from None
        X, y = loaded.X, loaded.y
        if spec.dataset == "flights":
            time_col = loaded.time
        else:
            groups = loaded.groups
        name = spec.dataset
    else:
        assert spec.path is not None and spec.target is not None
        frame = _read_table(Path(spec.path))
        for role in ("target", "groups", "time"):
            column = getattr(spec, role)
            if column is not None:
                _check_column(frame, column, key=f"data.{role}")
        y = frame[spec.target]
        if y.isna().any():
            raise ConfigError(
                f"data.target column {spec.target!r} has {int(y.isna().sum())} missing "
                f"value(s); drop those rows from the file first."
            )
        groups = frame[spec.groups] if spec.groups else None
        if spec.time:
            time_col = frame[spec.time]
            if time_col.dtype == object:
                try:
                    time_col = pd.to_datetime(time_col)
                except (ValueError, TypeError):
                    raise ConfigError(
                        f"data.time column {spec.time!r} is text that is not a date; "
                        f"use a numeric or ISO date column."
                    ) from None
        roles = {c for c in (spec.target, spec.groups, spec.time) if c}
        X = frame.drop(columns=sorted(roles))
        name = Path(spec.path).name
    if spec.features is not None:
        for column in spec.features:
            _check_column(X, column, key="data.features")
        X = X[list(spec.features)]
    elif spec.drop:
        for column in spec.drop:
            _check_column(X, column, key="data.drop")
        X = X.drop(columns=list(spec.drop))
    if X.shape[1] == 0:
        raise ConfigError("no feature columns are left; check data.features / data.drop.")
    data = PipelineData(
        name,
        X.reset_index(drop=True),
        y.reset_index(drop=True),
        None if groups is None else groups.reset_index(drop=True),
        None if time_col is None else time_col.reset_index(drop=True),
    )
    if spec.max_rows is not None and spec.max_rows < data.X.shape[0]:
        data = data.take(_subsample(data, spec.max_rows, seed=config.seed))
    return data


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.name.lower().endswith((".parquet", ".pq")):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except Exception as error:  # any reader failure is a problem with the file
        raise ConfigError(f"data.path={str(path)!r} could not be read: {error}") from None


def _check_column(frame: pd.DataFrame, column: str, *, key: str) -> None:
    if column not in frame.columns:
        names = [str(c) for c in frame.columns]
        close = difflib.get_close_matches(column, names, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{key}: column {column!r} is not in the data; {hint}columns: {', '.join(names)}."
        )


def _subsample(data: PipelineData, n_rows: int, *, seed: int) -> np.ndarray:
    """Positions of a random subset of about ``n_rows`` rows (whole groups), in order."""
    rng = np.random.default_rng(seed)
    n = data.X.shape[0]
    if data.groups is None:
        return np.sort(rng.choice(n, size=n_rows, replace=False))
    codes, uniques = pd.factorize(data.groups)
    order = rng.permutation(len(uniques))
    sizes = np.bincount(codes)[order]
    keep = order[: int(np.searchsorted(np.cumsum(sizes), n_rows)) + 1]
    return np.flatnonzero(np.isin(codes, keep))


# --------------------------------------------------------------------------- prepare


@dataclass(frozen=True)
class Prepared:
    """A validated config with its data, task, scoring, estimator and search space."""

    config: PipelineConfig
    data: PipelineData
    task: Task
    scoring: str
    estimator: Any = field(repr=False)
    space: dict[str, Any] = field(repr=False)


def prepare(config: PipelineConfig) -> Prepared:
    """Load the data and run every check that needs it.

    Raises
    ------
    ConfigError
        A missing column, a task the estimator does not support, an unknown
        estimator parameter or search-space name, a scoring name that is not a
        single known metric.
    """
    data = load_data(config)
    task = _declared_task(config.task, data.y)
    _check_role_columns(data)
    try:
        scoring = resolve_scoring(config.scoring, task=task)
    except ValueError as error:
        raise ConfigError(f"scoring: {error}") from None
    if not isinstance(scoring, str):
        raise ConfigError("scoring must be one metric name (the one the model is chosen by).")
    if task not in ESTIMATORS[config.model.estimator]:
        fitting = [k for k, v in ESTIMATORS.items() if task in v]
        raise ConfigError(
            f"model.estimator={config.model.estimator!r} does not support a {task} target; "
            f"use one of {', '.join(fitting)}."
        )
    try:
        estimator = make_estimator(
            config.model.estimator,
            task=task,
            X=data.X,
            params=config.model.params,
            random_state=config.seed,
        )
    except ValueError as error:
        raise ConfigError(f"model.params: {error}") from None
    _check_model_params(estimator.named_steps["model"], config.model.params, key="model.params")
    valid = set(estimator.get_params(deep=True))
    space = {}
    for name, spec in config.tuning.space.items():
        full = next(iter(model_param_names({name: None})))
        if full not in valid:
            own = sorted(k.split("__", 1)[1] for k in valid if k.startswith("model__"))
            close = difflib.get_close_matches(name, own, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"tuning.space.{name} is not a parameter of "
                f"{type(estimator.named_steps['model']).__name__}; {hint}valid: {', '.join(own)}."
            )
        space[full] = parse_dimension(spec, key=f"tuning.space.{name}")
        _check_space_values(estimator.named_steps["model"], name, space[full])
    _check_holdout_classes(config, data, task)
    return Prepared(config, data, task, scoring, estimator, space)


def _declared_task(declared: str, y: pd.Series) -> Task:
    """The task a config declares (or ``auto``), checked against the target before any fit.

    :func:`mlkit.metrics.resolve_task` decides; its message is put in the config's words.
    """
    try:
        return resolve_task(y, declared)
    except ValueError as error:
        text = re.sub(r"task='?(\w+)'?", r"task: \1", str(error))
        text = text.replace(" y ", f" the target {y.name!r} ").replace(
            "or None", "or remove 'task'"
        )
        text = text.replace("'binary' or 'multiclass'", "binary or multiclass")
        raise ConfigError(f"data target: {text}" if declared == "auto" else text) from None


def _check_role_columns(data: PipelineData) -> None:
    for role, column in (("groups", data.groups), ("time", data.time)):
        if column is not None and column.isna().any():
            raise ConfigError(
                f"data.{role} column {column.name!r} has {int(column.isna().sum())} missing "
                f"value(s); every row needs a {role[:-1] if role == 'groups' else role} value "
                f"(drop those rows from the file first)."
            )


def _check_model_params(model: Any, params: dict[str, Any], *, key: str) -> None:
    """scikit-learn's own parameter validation, reported in the config's vocabulary."""
    validate = getattr(model, "_validate_params", None)
    if validate is None or not params:
        return
    try:
        validate()
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{key}: {error}") from None


def _check_space_values(model: Any, name: str, dimension: Any) -> None:
    """Every value a search could try must pass the model's parameter validation."""
    from sklearn.base import clone

    if isinstance(dimension, list | tuple):
        candidates = list(dimension)
    elif hasattr(dimension, "values"):
        candidates = list(dimension.values)
    else:
        candidates = [dimension.low, dimension.high]
    for value in candidates:
        try:
            trial = clone(model).set_params(**{name: value})
        except (ValueError, TypeError) as error:
            raise ConfigError(f"tuning.space.{name}: {error}") from None
        validate = getattr(trial, "_validate_params", None)
        if validate is None:
            return
        try:
            validate()
        except (ValueError, TypeError) as error:
            raise ConfigError(f"tuning.space.{name}={value!r}: {error}") from None


def _check_holdout_classes(config: PipelineConfig, data: PipelineData, task: str) -> None:
    """A classification holdout (and its training part) must hold at least two classes."""
    if task == "regression":
        return
    try:
        split = holdout_split(
            data.y,
            groups=data.groups,
            time=data.time,
            test_size=config.holdout.test_size,
            strategy=config.holdout.strategy,
            random_state=config.seed,
        )
    except ValueError as error:
        raise ConfigError(f"holdout: {error}") from None
    for part, rows in (("test", split.test), ("training", split.train)):
        classes = pd.unique(data.y.to_numpy()[rows])
        if classes.size < 2:
            raise ConfigError(
                f"holdout: the {part} part would hold a single class "
                f"({np.asarray(classes[0]).item()!r}); use a "
                f"larger holdout.test_size, holdout.strategy: group/stratified, or more data."
            )


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class PipelineResult:
    """Everything a pipeline run produced.

    Attributes
    ----------
    config : PipelineConfig
    task : str
    scoring : str
        The scorer the model was chosen and gated by (greater is better).
    holdout : HoldoutSplit
    cv_reason : str
        Why this splitter.
    best_params : dict
        Chosen hyperparameters (empty when nothing was tuned).
    cv_scores : tuple of float
        Per-fold scores of the chosen configuration.
    nested_score : float or None
        Mean outer score of nested CV (when enabled).
    baseline_summary : str or None
        The beat-the-baseline verdict.
    holdout_metrics : DataFrame
        Every holdout metric (index ``metric``, column ``value``).
    holdout_score : float
        The holdout score in ``scoring``.
    predictions : ndarray
        The final model's holdout predictions (probability of the positive class for
        binary tasks).
    model : estimator
        The final fitted model.
    data_checksum : str
    run_id, tracking_uri : str or None
    model_name, model_version : str or None
    decision : GateDecision or None
    timings : dict of str to float
        Seconds per step.
    """

    config: PipelineConfig
    task: str
    scoring: str
    holdout: HoldoutSplit
    cv_reason: str
    best_params: dict[str, Any]
    cv_scores: tuple[float, ...]
    nested_score: float | None
    baseline_summary: str | None
    holdout_metrics: pd.DataFrame = field(repr=False)
    holdout_score: float = float("nan")
    predictions: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    model: Any = field(default=None, repr=False)
    data_checksum: str = ""
    run_id: str | None = None
    tracking_uri: str | None = None
    model_name: str | None = None
    model_version: str | None = None
    decision: Any = None
    timings: dict[str, float] = field(default_factory=dict, repr=False)

    @property
    def cv_mean(self) -> float:
        """Mean cross-validated score of the chosen configuration."""
        return float(np.mean(self.cv_scores))

    def summary(self) -> str:
        """A short plain-text report: scores and where everything went."""
        lines = [
            f"task: {self.task}   scoring: {self.scoring}",
            f"holdout: {self.holdout.test.size} rows ({self.holdout.strategy})",
            f"cv: {len(self.cv_scores)} folds, {self.cv_mean:.4f} +/- {np.std(self.cv_scores):.4f}",
        ]
        if self.best_params:
            params = ", ".join(
                f"{k.removeprefix('model__')}={v!r}" for k, v in self.best_params.items()
            )
            lines.append(f"chosen: {params}")
        if self.nested_score is not None:
            lines.append(f"nested cv estimate: {self.nested_score:.4f}")
        if self.baseline_summary:
            lines.append(
                "baseline: " + self.baseline_summary.splitlines()[-1].removeprefix("verdict: ")
            )
        lines.append(f"holdout {self.scoring}: {self.holdout_score:.4f}")
        if self.run_id:
            lines.append(f"tracking: {self.tracking_uri}")
            lines.append(f"run id: {self.run_id}")
        else:
            lines.append("tracking: off")
        if self.model_version:
            lines.append(f"model: {self.model_name} version {self.model_version} (challenger)")
        if self.decision is not None:
            outcome = (
                "now champion"
                if self.decision.promoted
                else (f"champion stays version {self.decision.champion_version}")
            )
            lines.append(f"gate: {outcome}: {self.decision.reason}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- run


def run_pipeline(
    config: PipelineConfig,
    *,
    store: str | None = None,
    tracking: bool | None = None,
    echo: Callable[[str], Any] | None = None,
) -> PipelineResult:
    """Run the whole pipeline a config describes (what ``mlkit run`` does).

    Parameters
    ----------
    config : PipelineConfig
        From :func:`mlkit.config.load_config`.
    store : str or None, default=None
        Tracking store folder or URI; overrides ``tracking.store`` of the config.
    tracking : bool or None, default=None
        Override ``tracking.enabled`` (``False`` runs without MLflow and registers
        nothing; the benchmark uses it).
    echo : callable or None, default=None
        Called with one line per step (e.g. ``print``); ``None`` is silent.

    Returns
    -------
    PipelineResult

    Raises
    ------
    ConfigError
        For a config that does not fit the data (see :func:`prepare`).
    Exception
        Anything raised during the run, after the MLflow run is marked ``FAILED``
        and its model version (if any) is removed from the registry.
    """
    say = echo or (lambda _line: None)
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    with clock("prepare"):
        prepared = prepare(config)
    data, task, scoring = prepared.data, prepared.task, prepared.scoring
    seed = config.seed
    track = config.tracking.enabled if tracking is None else tracking
    say(
        f"data: {data.name}, {data.X.shape[0]} rows, {data.X.shape[1]} features, {task} "
        f"target {data.y.name!r}"
    )

    from mlkit.tracking import data_checksum

    checksum = data_checksum(data.X, data.y, data.groups, data.time)
    with clock("holdout"):
        split = holdout_split(
            data.y,
            groups=data.groups,
            time=data.time,
            test_size=config.holdout.test_size,
            strategy=config.holdout.strategy,
            random_state=seed,
        )
    train, test = data.take(split.train), data.take(split.test)
    say(f"holdout: {split.test.size} test rows; {split.reason}")

    run_context: Any = contextlib.nullcontext(None)
    store_used = None
    if track:
        from mlkit.tracking import resolve_store, start_run

        store_used = resolve_store(store or config.tracking.store)
        say(f"tracking: {store_used}")
        run_context = start_run(
            config.experiment_name,
            store=store_used,
            run_name=config.name,
            tags={"mlkit.config": config.source or "", "mlkit.task": task},
        )
    with run_context as run, _thread_limit(config.threads):
        if run is not None:
            _log_setup(run, config, data, split, checksum, task, scoring)
        outcome = _develop(prepared, train, test, run=run, say=say, clock=clock)
        if run is not None:  # what `mlkit monitor` compares new data with
            _log_reference_profile(run, train.X)
        version = decision = None
        if run is not None and config.registry.enabled:
            from mlkit.tracking import promote_if_better, register_model

            with clock("register"):
                version = register_model(
                    outcome["model"],
                    run,
                    name=config.model_name,
                    X_example=train.X.head(5),
                    tags={
                        "mlkit.holdout_score": repr(outcome["holdout_score"]),
                        "mlkit.scoring": scoring,
                        "mlkit.data_sha256": checksum,
                    },
                )
                say(f"registered: {version.name} version {version.version} (alias challenger)")
                decision = promote_if_better(
                    version.name,
                    version.version,
                    test.X,
                    test.y,
                    scoring=scoring,
                    margin=config.registry.margin,
                    n_resamples=config.registry.n_resamples,
                    groups=test.groups,
                    random_state=seed,
                    store=run.store,
                    challenger=outcome["model"],
                )
            run.set_tags(
                {
                    "mlkit.gate.decision": "promoted" if decision.promoted else "not promoted",
                    "mlkit.gate.reason": decision.reason,
                }
            )
        if run is not None:
            run.log_metrics({f"time.{k}": v for k, v in timings.items()})
    return PipelineResult(
        config=config,
        task=task,
        scoring=scoring,
        holdout=split,
        cv_reason=outcome["cv_reason"],
        best_params=outcome["best_params"],
        cv_scores=outcome["cv_scores"],
        nested_score=outcome["nested_score"],
        baseline_summary=outcome["baseline_summary"],
        holdout_metrics=outcome["holdout_metrics"],
        holdout_score=outcome["holdout_score"],
        predictions=outcome["predictions"],
        model=outcome["model"],
        data_checksum=checksum,
        run_id=run.run_id if run is not None else None,
        tracking_uri=str(store_used) if store_used is not None else None,
        model_name=version.name if version is not None else None,
        model_version=version.version if version is not None else None,
        decision=decision,
        timings=dict(timings),
    )


def _log_reference_profile(run: Any, X: pd.DataFrame) -> None:
    """Log the training features' drift profile as ``reference/`` (JSON + Parquet)."""
    import tempfile

    from mlkit.drift import DriftProfile

    with tempfile.TemporaryDirectory(prefix="mlkit-reference-") as tmp:
        folder = DriftProfile.from_frame(X).save(tmp)
        for name in ("profile.json", "sample.parquet"):
            run.log_file(folder / name, artifact_path="reference")


def _thread_limit(threads: int | None) -> Any:
    if threads is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads)


class _Clock:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = self.timings.get(step, 0.0) + time.perf_counter() - start


def _log_setup(
    run: Any,
    config: PipelineConfig,
    data: PipelineData,
    split: HoldoutSplit,
    checksum: str,
    task: str,
    scoring: str,
) -> None:
    plain = config_to_dict(config)
    run.log_dict(plain, "config/config.yaml")
    if config.source:
        source = Path(config.source)
        if source.is_file():
            run.log_text(source.read_text(encoding="utf-8"), f"config/{source.name}")
    run.log_params(plain, prefix="config")
    run.log_params(
        {
            "task": task,
            "scoring": scoring,
            "data.rows": data.X.shape[0],
            "data.features": data.X.shape[1],
            "data.sha256": checksum,
            "holdout.strategy": split.strategy,
            "holdout.rows": int(split.test.size),
        }
    )
    run.set_tags({"mlkit.data_sha256": checksum, "mlkit.holdout_reason": split.reason})
    folder = Path(config.source).resolve().parent if config.source else None
    run.log_environment(folder=folder)
    run.log_table(split.to_frame(), "split/holdout.csv")


def _develop(
    prepared: Prepared,
    train: PipelineData,
    test: PipelineData,
    *,
    run: Any,
    say: Callable[[str], Any],
    clock: _Clock,
) -> dict[str, Any]:
    """Steps 3 to 8: splitter, tuning, baselines, nested CV, final fit, holdout."""
    from mlkit.splits import choose_cv

    config, task, scoring = prepared.config, prepared.task, prepared.scoring
    seed = config.seed
    X, y, groups, time_ = train.X, train.y, train.groups, train.time
    with clock("cv"):
        try:
            cv = choose_cv(
                y, groups=groups, time=time_, n_splits=config.cv.n_splits, random_state=seed
            )
        except ValueError as error:
            raise ConfigError(f"cv: {error}") from None
        say(f"cv: {cv.get_n_splits()} folds of {type(cv).__name__}; {cv.reason_}")
        audit = _audit(cv, X, y, groups=groups, time=time_)
        if run is not None:
            run.set_tags({"mlkit.cv_reason": cv.reason_, "mlkit.cv_splitter": type(cv).__name__})
            if audit is not None:
                run.log_table(audit.folds, "split/cv_audit.csv")
                run.log_table(audit.summary, "split/cv_audit_summary.csv")
                run.log_metrics(
                    {f"audit.{k}": float(v) for k, v in audit.summary.items() if _is_number(v)}
                )
            _log_plot(run, "plots/cv_folds.png", _plot_cv, cv, X, y, groups)

    estimator = prepared.estimator
    tuning = config.tuning
    with clock("tuning"):
        if tuning.method != "none":
            from mlkit.tuning import tune

            result = tune(
                estimator,
                prepared.space,
                X,
                y,
                method=tuning.method,  # type: ignore[arg-type]
                groups=groups,
                cv=cv,
                scoring=scoring,
                n_iter=tuning.n_iter,
                random_state=seed,
                n_jobs=tuning.n_jobs,
            )
            best_params = dict(result.best_params_)
            cv_scores = tuple(float(s) for s in result.fold_scores())
            say(
                f"tuning: {result.n_candidates} candidates ({tuning.method}), best "
                f"{scoring} {result.best_score_:.4f}"
            )
            if run is not None:
                from mlkit.tracking import log_cv_result

                log_cv_result(run, result, prefix="tuning")
                _log_plot(run, "plots/tuning_trace.png", _plot_trace, result)
        else:
            from sklearn.model_selection import cross_val_score

            scores = cross_val_score(
                estimator, X, y, groups=groups, cv=cv, scoring=scoring, n_jobs=tuning.n_jobs
            )
            best_params = {}
            cv_scores = tuple(float(s) for s in scores)
            say(f"cv: {scoring} {np.mean(scores):.4f} +/- {np.std(scores):.4f} (fixed params)")
            if run is not None:
                from mlkit.tracking import log_cv_result

                log_cv_result(run, {"test_score": scores}, prefix="cv")
        if run is not None:
            for step, score in enumerate(cv_scores):
                run.log_metrics({f"cv.{scoring}": score}, step=step)
            run.log_metrics(
                {
                    f"cv.{scoring}.mean": float(np.mean(cv_scores)),
                    f"cv.{scoring}.std": float(np.std(cv_scores)),
                }
            )

    chosen = _with_params(estimator, best_params)
    baseline_summary = None
    if config.baselines.enabled:
        with clock("baselines"):
            baseline_summary = _baselines(
                chosen, X, y, groups=groups, time=time_, cv=cv, scoring=scoring, run=run,
                say=say, seed=seed,
            )  # fmt: skip
    else:
        say("baseline: skipped (baselines.enabled: false)")

    nested_score = None
    if config.nested.enabled:
        with clock("nested"):
            from mlkit.tuning import nested_cv

            nested = nested_cv(
                estimator,
                prepared.space,
                X,
                y,
                method=tuning.method,  # type: ignore[arg-type]
                groups=groups,
                outer_cv=choose_cv(
                    y,
                    groups=groups,
                    time=time_,
                    n_splits=config.nested.outer_splits,
                    random_state=seed,
                ),
                inner_cv=_inner_cv(config.nested.inner_splits, time_),
                scoring=scoring,
                n_iter=tuning.n_iter,
                random_state=seed,
                n_jobs=tuning.n_jobs,
            )
            nested_score = float(nested.mean_score)
            say(
                f"nested cv: {scoring} {nested.mean_score:.4f} +/- {nested.std_score:.4f} "
                f"(tuning score flatters by {nested.optimism:+.4f})"
            )
            if run is not None:
                from mlkit.tracking import log_cv_result

                log_cv_result(run, nested, prefix="nested")
                run.log_metrics({"nested.optimism": float(nested.optimism)})

    with clock("final_fit"):
        model = final_fit(estimator, X, y, params=best_params)
    with clock("holdout_eval"):
        holdout_score = score_model(model, test.X, test.y, scoring=scoring)
        metrics = evaluate_holdout(
            model,
            test.X,
            test.y,
            task=task,
            metrics=config.evaluation.metrics,
            threshold=config.evaluation.threshold,
        )
        predictions = _predictions(model, test.X, task)
    say(f"final model: refit on {X.shape[0]} rows; holdout {scoring} {holdout_score:.4f}")
    if run is not None:
        values = metrics["value"] if "value" in metrics else metrics.iloc[:, 0]
        run.log_metrics({f"holdout.{k}": float(v) for k, v in values.items() if _is_number(v)})
        run.log_metrics({f"holdout.{scoring}": holdout_score})
        run.log_table(metrics, "holdout/metrics.csv")
        frame = pd.DataFrame({"y_true": test.y, "prediction": predictions})
        run.log_table(frame, "holdout/predictions.csv")
        _log_plot(run, "plots/holdout.png", _plot_holdout, test.y.to_numpy(), predictions, task)
    return {
        "cv_reason": cv.reason_,
        "best_params": best_params,
        "cv_scores": cv_scores,
        "nested_score": nested_score,
        "baseline_summary": baseline_summary,
        "model": model,
        "holdout_score": holdout_score,
        "holdout_metrics": metrics,
        "predictions": predictions,
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _with_params(estimator: Any, params: dict[str, Any]) -> Any:
    from sklearn.base import clone

    chosen = clone(estimator)
    if params:
        chosen.set_params(**model_param_names(params))
    return chosen


def _audit(cv: Any, X: Any, y: Any, *, groups: Any, time: Any) -> Any:
    from mlkit import splits

    audit_cv = getattr(splits, "audit_cv", None)
    if audit_cv is None:  # pragma: no cover - older mlkit.splits
        return None
    return audit_cv(cv, X, y, groups=groups, time=time)


def _baselines(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    groups: Any,
    time: Any = None,
    cv: Any,
    scoring: str,
    run: Any,
    say: Callable[[str], Any],
    seed: int = 0,
) -> str | None:
    from mlkit.baselines import beats_baseline, compare_baselines

    table = compare_baselines(X, y, groups=groups, cv=cv, scoring=scoring)
    if time is not None:  # time-ordered folds: no valid paired t-test over folds
        say("baseline: paired test skipped (time-ordered folds are not exchangeable)")
        if run is not None:
            run.log_table(table, "baselines/strategies.csv")
        return None
    # repeated k-fold with the corrected t-test (its own folds, whole groups per fold)
    comparison = beats_baseline(estimator, X, y, groups=groups, scoring=scoring, random_state=seed)
    say("baseline: " + comparison.summary().splitlines()[-1].removeprefix("verdict: "))
    if run is not None:
        run.log_table(table, "baselines/strategies.csv")
        run.log_table(comparison.to_frame(), "baselines/folds.csv")
        run.log_text(comparison.summary(), "baselines/verdict.txt")
        run.log_metrics(
            {
                "baseline.score": comparison.baseline_score,
                "baseline.margin": comparison.margin,
                "baseline.p_value": comparison.p_value,
                "baseline.beats": float(comparison.beats),
            }
        )
        run.set_tags(
            {
                "mlkit.baseline_strategy": comparison.baseline_strategy,
                "mlkit.beats_baseline": str(comparison.beats).lower(),
            }
        )
        _log_plot(run, "plots/baseline_folds.png", _plot_baseline, comparison)
    return comparison.summary()


def _predictions(model: Any, X: pd.DataFrame, task: str) -> np.ndarray:
    if task == "binary" and hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(X)[:, 1])
    return np.asarray(model.predict(X))


# --------------------------------------------------------------------------- plots


def _log_plot(run: Any, name: str, draw: Callable[..., Any], *args: Any) -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from a pipeline run
    import matplotlib.pyplot as plt

    ax = draw(*args)
    try:
        run.log_figure(ax.figure, name)
    finally:
        plt.close(ax.figure)


def _plot_cv(cv: Any, X: Any, y: Any, groups: Any) -> Any:
    from mlkit.splits import plot_cv

    ax = plot_cv(cv, X, y, groups=groups)
    ax.set_title(f"Cross-validation folds ({type(cv).__name__})")
    return ax


def _plot_trace(result: Any) -> Any:
    from mlkit.tuning import plot_search_trace

    return plot_search_trace(result)


def _plot_baseline(comparison: Any) -> Any:
    from mlkit.baselines import plot_fold_scores

    return plot_fold_scores(comparison)


def _plot_holdout(y_true: np.ndarray, predictions: np.ndarray, task: str) -> Any:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(5, 4))
    if task == "binary":
        from sklearn.metrics import RocCurveDisplay

        RocCurveDisplay.from_predictions(y_true, predictions, ax=ax, name="final model")
        ax.set_title("Holdout ROC curve")
    elif task == "regression":
        ax.scatter(y_true, predictions, s=6, alpha=0.4)
        low, high = float(np.min(y_true)), float(np.max(y_true))
        ax.plot([low, high], [low, high], color="grey", linestyle="--", label="perfect")
        ax.set_xlabel("observed")
        ax.set_ylabel("predicted")
        ax.legend()
        ax.set_title("Holdout: predicted against observed")
    else:
        from sklearn.metrics import ConfusionMatrixDisplay

        ConfusionMatrixDisplay.from_predictions(y_true, predictions, ax=ax)
        ax.set_title("Holdout confusion matrix")
    return ax


def _inner_cv(n_splits: int, time: pd.Series | None) -> Any:
    """The inner splitter of nested CV: time-ordered inside each outer training part.

    An int lets :func:`mlkit.tuning.nested_cv` choose a splitter on each outer training
    part, which knows nothing of time; with a time column that would train on rows
    later than the ones it validates on. :class:`~mlkit.splits.TimeOrderedSplit` with
    the time Series (indexed like ``X``) orders each outer training part by its own rows.
    """
    if time is None:
        return n_splits
    from mlkit.splits import TimeOrderedSplit

    return TimeOrderedSplit(n_splits=n_splits, time=time)
