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
9. log everything to MLflow, register the model (no alias yet) and let the gate
   decide: ``champion`` when it beats the current one, ``challenger`` otherwise.

:func:`prepare` runs steps 1 to 3 without fitting anything: it decides the task,
the metric, the holdout and the folds once and checks everything a run would use
against the data (:mod:`mlkit.pipeline_checks`); ``mlkit validate`` runs it. The steps
themselves live in :mod:`mlkit.pipeline_steps`.
"""

from __future__ import annotations

import contextlib
import difflib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit import pipeline_checks as checks
from mlkit import pipeline_steps as steps
from mlkit.config import ConfigError, PipelineConfig, parse_dimension
from mlkit.metrics import Task
from mlkit.pipeline_checks import FoldPlan, Metric
from mlkit.training import (
    ESTIMATORS,
    HoldoutSplit,
    holdout_split,
    make_estimator,
    model_param_names,
)

__all__ = ["PipelineData", "PipelineResult", "Prepared", "load_data", "prepare", "run_pipeline"]


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


@dataclass(frozen=True, eq=False)
class Prepared:
    """A validated config with everything a run uses, decided once.

    Attributes
    ----------
    config : PipelineConfig
    data : PipelineData
    task : {"binary", "multiclass", "regression"}
        Declared in the config (checked against the target) or inferred.
    scoring : str
        The scikit-learn scorer name the model is chosen by (greater is better).
    estimator : Pipeline
        The unfitted model with the config's fixed parameters.
    space : dict
        The search space, with pipeline-prefixed names.
    metric : Metric
        ``scoring`` as a readable name with its direction (losses lower is better).
    holdout : HoldoutSplit
        The test rows, held out once.
    folds : FoldPlan
        The cross-validation folds on the training rows, materialised once.
    outer : FoldPlan or None
        The outer folds of nested CV (``nested.enabled``), also on the training rows.
    """

    config: PipelineConfig
    data: PipelineData
    task: Task
    scoring: str
    estimator: Any = field(repr=False)
    space: dict[str, Any] = field(repr=False)
    metric: Metric = field(repr=False)
    holdout: HoldoutSplit = field(repr=False)
    folds: FoldPlan = field(repr=False)
    outer: FoldPlan | None = field(default=None, repr=False)

    def split(self) -> tuple[PipelineData, PipelineData]:
        """The training rows and the holdout rows (each with its index reset)."""
        return self.data.take(self.holdout.train), self.data.take(self.holdout.test)


def prepare(config: PipelineConfig) -> Prepared:
    """Load the data, decide everything a run uses and check it, before any fit.

    That is: the task (declared or inferred, once), the metric and its direction, the
    estimator's parameters (scikit-learn's own validation) and every search-space
    value, ``tuning.n_jobs``, grid points (``n_grid``) where a grid is searched, the
    holdout (no single-class part), and the cross-validation folds (``cv.n_splits``,
    and with nested CV ``nested.outer_splits`` and ``nested.inner_splits`` on every
    outer training part). ``mlkit validate`` runs exactly this.

    Raises
    ------
    ConfigError
        One line in the config's vocabulary, e.g. a missing column, a task the
        estimator does not support, an unknown estimator parameter or search-space
        name, a scoring that is not one metric of the task, too many folds for the
        number of groups.
    """
    data = load_data(config)
    task = checks.declared_task(config.task, data.y)
    checks.check_role_columns(data)
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
    model = estimator.named_steps["model"]
    checks.check_model_params(model, config.model.params, key="model.params")
    metric = checks.check_scoring(config.scoring, task=task, estimator=estimator)
    checks.check_evaluation_metrics(config.evaluation.metrics, task=task)
    space = _space(config, estimator)
    checks.check_grid_points(config.tuning.method, config.tuning.n_iter, space)
    try:
        split = holdout_split(
            data.y,
            groups=data.groups,
            time=data.time,
            test_size=config.holdout.test_size,
            strategy=config.holdout.strategy,
            random_state=config.seed,
            task=task,
        )
    except ValueError as error:
        raise ConfigError(f"holdout: {error}") from None
    checks.check_holdout_classes(data, split, task=task)
    train = data.take(split.train)
    folds = checks.plan_folds(train, task=task, n_splits=config.cv.n_splits, seed=config.seed)
    outer = None
    if config.nested.enabled:
        outer = checks.plan_folds(
            train, task=task, n_splits=config.nested.outer_splits, seed=config.seed,
            key="nested.outer_splits",
        )  # fmt: skip
        checks.check_inner_folds(
            train, outer, n_splits=config.nested.inner_splits, task=task, seed=config.seed
        )
    return Prepared(config, data, task, metric.scorer, estimator, space, metric, split, folds,
                    outer)  # fmt: skip


def _space(config: PipelineConfig, estimator: Any) -> dict[str, Any]:
    """The config's search space with pipeline names, each value checked by the model."""
    valid = set(estimator.get_params(deep=True))
    model = estimator.named_steps["model"]
    space = {}
    for name, spec in config.tuning.space.items():
        full = next(iter(model_param_names({name: None})))
        if full not in valid:
            own = sorted(k.split("__", 1)[1] for k in valid if k.startswith("model__"))
            close = difflib.get_close_matches(name, own, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"tuning.space.{name} is not a parameter of "
                f"{type(model).__name__}; {hint}valid: {', '.join(own)}."
            )
        space[full] = parse_dimension(spec, key=f"tuning.space.{name}")
        checks.check_space_values(model, name, space[full])
    return space


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class PipelineResult:
    """Everything a pipeline run produced.

    Scores are in natural units: a loss (``rmse``, ``log_loss``) is a positive number,
    lower is better; ``metric`` and ``greater_is_better`` say which.

    Attributes
    ----------
    config : PipelineConfig
    task : str
    scoring : str
        The scikit-learn scorer the model was chosen and gated by.
    holdout : HoldoutSplit
    cv_reason : str
        Why this splitter.
    best_params : dict
        Chosen hyperparameters (empty when nothing was tuned).
    cv_scores : tuple of float
        Per-fold scores of the chosen configuration, in natural units.
    nested_score : float or None
        Mean outer score of nested CV (when enabled), in natural units.
    baseline_summary : str or None
        The beat-the-baseline verdict.
    holdout_metrics : DataFrame
        Every holdout metric (index ``metric``, column ``value``).
    holdout_score : float
        The holdout score in ``metric``, natural units.
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
    metric : str
        Readable name of ``scoring`` (``"rmse"`` for ``neg_root_mean_squared_error``).
    greater_is_better : bool
        ``False`` for a loss.
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
    metric: str = ""
    greater_is_better: bool = True

    @property
    def cv_mean(self) -> float:
        """Mean cross-validated score of the chosen configuration."""
        return float(np.mean(self.cv_scores))

    def summary(self) -> str:
        """A short plain-text report: scores (with their direction) and where things went."""
        name = self.metric or self.scoring
        direction = f"({'higher' if self.greater_is_better else 'lower'} is better)"
        lines = [
            f"task: {self.task}   scoring: {name} {direction}",
            f"holdout: {self.holdout.test.size} rows ({self.holdout.strategy})",
            f"cv: {len(self.cv_scores)} folds, {name} {self.cv_mean:.4f} "
            f"+/- {np.std(self.cv_scores):.4f} {direction}",
        ]
        if self.best_params:
            params = ", ".join(
                f"{k.removeprefix('model__')}={v!r}" for k, v in self.best_params.items()
            )
            lines.append(f"chosen: {params}")
        if self.nested_score is not None:
            lines.append(f"nested cv estimate: {name} {self.nested_score:.4f} {direction}")
        if self.baseline_summary:
            lines.append(
                "baseline: " + self.baseline_summary.splitlines()[-1].removeprefix("verdict: ")
            )
        lines.append(f"holdout {name}: {self.holdout_score:.4f} {direction}")
        if self.run_id:
            lines.append(f"tracking: {self.tracking_uri}")
            lines.append(f"run id: {self.run_id}")
        else:
            lines.append("tracking: off")
        if self.model_version:
            alias = (
                "champion"
                if self.decision is not None and self.decision.promoted
                else ("challenger")
            )
            lines.append(f"model: {self.model_name} version {self.model_version} ({alias})")
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

    :func:`prepare` decides the task, the metric, the holdout and the folds once; the
    steps of :mod:`mlkit.pipeline_steps` (audit, tuning, baselines, nested CV, final
    fit, holdout, registry) each receive them in one :class:`StepContext`.

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
    from mlkit.tracking import data_checksum

    say = echo or (lambda _line: None)
    timings: dict[str, float] = {}
    clock = _Clock(timings)
    with clock("prepare"):
        prepared = prepare(config)
    data, task, split = prepared.data, prepared.task, prepared.holdout
    track = config.tracking.enabled if tracking is None else tracking
    say(
        f"data: {data.name}, {data.X.shape[0]} rows, {data.X.shape[1]} features, {task} "
        f"target {data.y.name!r}"
    )
    checksum = data_checksum(data.X, data.y, data.groups, data.time)
    train, test = prepared.split()
    say(f"holdout: {split.test.size} test rows; {split.reason}")

    run_context: Any = contextlib.nullcontext(steps.NoRun())
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
        steps.log_setup(run, prepared, checksum=checksum)
        ctx = steps.StepContext(
            prepared, train, test, task, prepared.metric, prepared.folds, prepared.outer,
            config.seed, run, say,
        )  # fmt: skip
        with clock("cv"):
            audit = steps.audit_step(ctx)
        with clock("tuning"):
            tuned = steps.tuning_step(ctx)
        baseline = steps.BaselineOutcome(None)
        if config.baselines.enabled:
            with clock("baselines"):
                chosen = steps.with_params(prepared.estimator, tuned.best_params)
                baseline = steps.baseline_step(ctx, chosen)
        else:
            say("baseline: skipped (baselines.enabled: false)")
        nested = None
        if config.nested.enabled:
            with clock("nested"):
                nested = steps.nested_step(ctx)
        with clock("final_fit"):
            model = steps.fit_step(ctx, tuned.best_params)
        with clock("holdout_eval"):
            holdout = steps.holdout_step(ctx, model)
        steps.log_reference_profile(run, train.X)
        registered = steps.RegistryOutcome()
        if track and config.registry.enabled:
            with clock("register"):
                registered = steps.registry_step(ctx, model, holdout, checksum=checksum)
        run.log_metrics({f"time.{k}": v for k, v in timings.items()})
    return PipelineResult(
        config=config,
        task=task,
        scoring=prepared.metric.scorer,
        holdout=split,
        cv_reason=audit.reason,
        best_params=tuned.best_params,
        cv_scores=tuned.cv_scores,
        nested_score=None if nested is None else nested.mean,
        baseline_summary=baseline.summary,
        holdout_metrics=holdout.metrics,
        holdout_score=holdout.score,
        predictions=holdout.predictions,
        model=model,
        data_checksum=checksum,
        run_id=run.run_id,
        tracking_uri=str(store_used) if store_used is not None else None,
        model_name=getattr(registered.version, "name", None),
        model_version=getattr(registered.version, "version", None),
        decision=registered.decision,
        timings=dict(timings),
        metric=prepared.metric.name,
        greater_is_better=prepared.metric.greater_is_better,
    )


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
