"""The typed steps :func:`mlkit.pipeline.run_pipeline` composes.

Each step takes one :class:`StepContext` (the prepared config, the training and
holdout rows, the task, the metric, the folds, the seed, where to log and what to
say) and returns a small frozen result. The folds are materialised once by
:func:`mlkit.pipeline.prepare`; the audit, the tuning (or the cross-validation of
fixed parameters), the baselines and the nested outer loop all receive that same
tuple of ``(train, test)`` pairs.

Logging goes to ``ctx.run``: an MLflow :class:`~mlkit.tracking.TrackedRun`, or a
:class:`NoRun` that records nothing, so no step branches on whether it is tracked.
Scores in results and messages are in natural units (a loss is positive, lower is
better) and the direction is stated.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit.config import PipelineConfig, config_to_dict
from mlkit.metrics import Task
from mlkit.pipeline_checks import FoldPlan, Metric
from mlkit.training import evaluate_holdout, final_fit, model_param_names, score_model

if TYPE_CHECKING:
    from mlkit.pipeline import PipelineData, Prepared

__all__ = [
    "AuditOutcome",
    "BaselineOutcome",
    "HoldoutOutcome",
    "NestedOutcome",
    "NoRun",
    "RegistryOutcome",
    "StepContext",
    "TuningOutcome",
]


# --------------------------------------------------------------------------- the null run


class NoRun:
    """A run that records nothing: the ``TrackedRun`` methods the pipeline calls, as no-ops.

    Examples
    --------
    >>> from mlkit.pipeline_steps import NoRun
    >>> run = NoRun()
    >>> run.log_metrics({"x": 1.0}); run.run_id is None
    True
    """

    run_id: str | None = None
    store: Any = None

    def log_params(self, params: Mapping[str, Any], *, prefix: str = "") -> None:
        """Nothing is recorded."""

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Nothing is recorded."""

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Nothing is recorded."""

    def log_file(self, local_path: Any, *, artifact_path: str = "") -> str:
        """Nothing is recorded."""
        return ""

    def log_text(self, text: str, name: str) -> str:
        """Nothing is recorded."""
        return ""

    def log_dict(self, data: Mapping[str, Any], name: str) -> str:
        """Nothing is recorded."""
        return ""

    def log_table(self, table: pd.DataFrame | pd.Series, name: str) -> str:
        """Nothing is recorded."""
        return ""

    def log_figure(self, figure: Any, name: str) -> str:
        """Nothing is recorded."""
        return ""

    def log_environment(self, *, folder: Path | None = None) -> None:
        """Nothing is recorded."""


def records(run: Any) -> bool:
    """Whether ``run`` keeps what is logged (so figures and profiles are worth making)."""
    return not isinstance(run, NoRun)


# --------------------------------------------------------------------------- context


@dataclass(frozen=True, eq=False)
class StepContext:
    """What every step reads: decided once, before the first step runs.

    Attributes
    ----------
    prepared : Prepared
        The checked config with its estimator and search space.
    train, test : PipelineData
        The training rows and the holdout rows (index reset).
    task : {"binary", "multiclass", "regression"}
        Declared or inferred once by :func:`mlkit.pipeline.prepare`.
    metric : Metric
        The metric the model is chosen and gated by, with its direction.
    folds : FoldPlan
        The cross-validation folds on ``train``, shared by every step.
    outer : FoldPlan or None
        The outer folds of nested CV (when enabled).
    seed : int
    run : TrackedRun or NoRun
    say : callable
        Called with one line of progress.
    """

    prepared: Prepared
    train: PipelineData
    test: PipelineData
    task: Task
    metric: Metric
    folds: FoldPlan
    outer: FoldPlan | None
    seed: int
    run: Any = field(default_factory=NoRun)
    say: Callable[[str], Any] = field(default=lambda _line: None)

    @property
    def config(self) -> PipelineConfig:
        """The pipeline config."""
        return self.prepared.config


# --------------------------------------------------------------------------- audit


@dataclass(frozen=True, eq=False)
class AuditOutcome:
    """The splitter, why it was chosen, and the audit of its folds."""

    splitter: str
    reason: str
    n_splits: int
    audit: Any = field(default=None, repr=False)


def audit_step(ctx: StepContext) -> AuditOutcome:
    """Audit the shared folds (class balance, groups across sides, time order)."""
    from mlkit import splits

    train, plan, run = ctx.train, ctx.folds, ctx.run
    ctx.say(f"cv: {plan.n_splits} folds of {plan.splitter}; {plan.reason}")
    audit = splits.audit_cv(plan.folds, train.X, train.y, groups=train.groups, time=train.time)
    run.set_tags({"mlkit.cv_reason": plan.reason, "mlkit.cv_splitter": plan.splitter})
    run.log_table(audit.folds, "split/cv_audit.csv")
    run.log_table(audit.summary, "split/cv_audit_summary.csv")
    run.log_metrics({f"audit.{k}": float(v) for k, v in audit.summary.items() if _is_number(v)})
    _log_plot(run, "plots/cv_folds.png", _plot_cv, plan, train)
    return AuditOutcome(plan.splitter, plan.reason, plan.n_splits, audit)


# --------------------------------------------------------------------------- tuning


@dataclass(frozen=True)
class TuningOutcome:
    """The chosen hyperparameters and their per-fold scores (natural units)."""

    method: str
    best_params: dict[str, Any]
    cv_scores: tuple[float, ...]
    n_candidates: int

    @property
    def cv_mean(self) -> float:
        """Mean of the per-fold scores."""
        return float(np.mean(self.cv_scores))


def tuning_step(ctx: StepContext) -> TuningOutcome:
    """Tune on the shared folds, or cross-validate the fixed parameters on them."""
    from mlkit.tracking import log_cv_result

    train, metric, run, tuning = ctx.train, ctx.metric, ctx.run, ctx.config.tuning
    folds = ctx.folds.folds
    if tuning.method != "none":
        from mlkit.tuning import tune

        result = tune(
            ctx.prepared.estimator, ctx.prepared.space, train.X, train.y,
            method=tuning.method,  # type: ignore[arg-type]
            groups=train.groups, cv=folds, scoring=metric.scorer, n_iter=tuning.n_iter,
            random_state=ctx.seed, n_jobs=tuning.n_jobs, task=ctx.task, time=train.time,
        )  # fmt: skip
        scores = tuple(float(s) for s in result.fold_scores())  # natural units
        outcome = TuningOutcome(tuning.method, dict(result.best_params_), scores,
                                int(result.n_candidates))  # fmt: skip
        ctx.say(
            f"tuning: {outcome.n_candidates} candidates ({tuning.method}), best "
            f"{metric.describe(outcome.cv_mean)}"
        )
        log_cv_result(run, result, prefix="tuning")
        _log_plot(run, "plots/tuning_trace.png", _plot_trace, result)
    else:
        from sklearn.model_selection import cross_val_score

        raw = cross_val_score(
            ctx.prepared.estimator, train.X, train.y, groups=train.groups, cv=folds,
            scoring=metric.scorer, n_jobs=tuning.n_jobs,
        )  # fmt: skip
        scores = tuple(metric.natural(s) for s in raw)
        outcome = TuningOutcome("none", {}, scores, 1)
        spread = float(np.std(scores))
        ctx.say(f"cv: {metric.describe(outcome.cv_mean, spread, note='fixed params')}")
        log_cv_result(run, {"test_score": np.asarray(scores)}, prefix="cv")
    for step, score in enumerate(scores):
        run.log_metrics({f"cv.{metric.name}": score}, step=step)
    run.log_metrics(
        {f"cv.{metric.name}.mean": outcome.cv_mean, f"cv.{metric.name}.std": float(np.std(scores))}
    )
    return outcome


# --------------------------------------------------------------------------- baselines


@dataclass(frozen=True)
class BaselineOutcome:
    """The beat-the-baseline verdict (``None`` when no paired test is valid)."""

    summary: str | None
    beats: bool | None = None


def baseline_step(ctx: StepContext, chosen: Any) -> BaselineOutcome:
    """Every dummy strategy on the shared folds; the paired gate on repeated folds.

    The gate's corrected t-test needs exchangeable, repeated folds
    (:func:`mlkit.baselines.beats_baseline` draws them, whole groups per fold); with
    time-ordered folds no such test is valid, so only the table is logged.
    """
    from mlkit.baselines import beats_baseline, compare_baselines

    train, run, metric = ctx.train, ctx.run, ctx.metric
    table = compare_baselines(
        train.X, train.y, groups=train.groups, cv=ctx.folds.folds, scoring=metric.scorer,
        task=ctx.task, time=train.time,
    )  # fmt: skip
    run.log_table(table, "baselines/strategies.csv")
    if train.time is not None:
        ctx.say("baseline: paired test skipped (time-ordered folds are not exchangeable)")
        return BaselineOutcome(None)
    comparison = beats_baseline(
        chosen, train.X, train.y, groups=train.groups, scoring=metric.scorer,
        random_state=ctx.seed, task=ctx.task,
    )  # fmt: skip
    summary = comparison.summary()
    ctx.say("baseline: " + summary.splitlines()[-1].removeprefix("verdict: "))
    run.log_table(comparison.to_frame(), "baselines/folds.csv")
    run.log_text(summary, "baselines/verdict.txt")
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
    return BaselineOutcome(summary, bool(comparison.beats))


# --------------------------------------------------------------------------- nested CV


@dataclass(frozen=True)
class NestedOutcome:
    """Nested CV in natural units; ``optimism`` > 0 means the tuning score flatters."""

    mean: float
    std: float
    optimism: float


def nested_step(ctx: StepContext) -> NestedOutcome:
    """Nested CV: the shared outer folds, inner folds chosen like the outer ones."""
    from mlkit.tracking import log_cv_result
    from mlkit.tuning import nested_cv

    assert ctx.outer is not None, "nested_step needs the outer folds (nested.enabled)"
    train, metric, tuning, config = ctx.train, ctx.metric, ctx.config.tuning, ctx.config
    nested = nested_cv(
        ctx.prepared.estimator, ctx.prepared.space, train.X, train.y,
        method=tuning.method,  # type: ignore[arg-type]
        groups=train.groups, outer_cv=ctx.outer.folds, scoring=metric.scorer,
        inner_cv=config.nested.inner_splits,  # each outer training part's own folds
        n_iter=tuning.n_iter, random_state=ctx.seed, n_jobs=tuning.n_jobs,
        task=ctx.task, time=train.time,
    )  # fmt: skip
    outer = [float(s) for s in nested.outer_scores]  # natural units
    mean = float(np.mean(outer))
    optimism = float(nested.optimism)  # > 0: the tuning score flatters
    outcome = NestedOutcome(mean, float(np.std(outer)), optimism)
    note = f"the tuning score flatters by {optimism:+.4f}"
    ctx.say(f"nested cv: {metric.describe(mean, outcome.std, note=note)}")
    log_cv_result(ctx.run, nested, prefix="nested")
    ctx.run.log_metrics({"nested.optimism": optimism, f"nested.{metric.name}.mean": mean})
    return outcome


# --------------------------------------------------------------------------- final model


def fit_step(ctx: StepContext, best_params: dict[str, Any]) -> Any:
    """Refit the chosen configuration on all the training rows."""
    return final_fit(ctx.prepared.estimator, ctx.train.X, ctx.train.y, params=best_params)


@dataclass(frozen=True, eq=False)
class HoldoutOutcome:
    """The holdout score (natural units), every holdout metric and the predictions."""

    score: float
    metrics: pd.DataFrame = field(repr=False)
    predictions: np.ndarray = field(repr=False)


def holdout_step(ctx: StepContext, model: Any) -> HoldoutOutcome:
    """Score the final model once on the holdout rows."""
    test, metric, run, config = ctx.test, ctx.metric, ctx.run, ctx.config
    score = float(score_model(model, test.X, test.y, scoring=metric.scorer, task=ctx.task))
    # task=None: the task comes from the fitted model (decided by prepare), never from
    # the holdout's y, which may hold fewer classes or look like classes (counts)
    metrics = evaluate_holdout(
        model, test.X, test.y, task=None, metrics=config.evaluation.metrics,
        threshold=config.evaluation.threshold,
    )  # fmt: skip
    predictions = _predictions(model, test.X, ctx.task)
    ctx.say(f"final model: refit on {ctx.train.X.shape[0]} rows; holdout {metric.describe(score)}")
    values = metrics["value"] if "value" in metrics else metrics.iloc[:, 0]
    run.log_metrics({f"holdout.{k}": float(v) for k, v in values.items() if _is_number(v)})
    run.log_metrics({f"holdout.{metric.name}": score})
    run.log_table(metrics, "holdout/metrics.csv")
    run.log_table(pd.DataFrame({"y_true": test.y, "prediction": predictions}),
                  "holdout/predictions.csv")  # fmt: skip
    _log_plot(run, "plots/holdout.png", _plot_holdout, test.y.to_numpy(), predictions, ctx.task)
    return HoldoutOutcome(score, metrics, predictions)


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class RegistryOutcome:
    """The registered version and the gate's decision (both ``None`` when not registered)."""

    version: Any = None
    decision: Any = None


def registry_step(
    ctx: StepContext, model: Any, holdout: HoldoutOutcome, *, checksum: str
) -> RegistryOutcome:
    """Register the model (no alias yet); the gate then makes it ``champion`` or ``challenger``."""
    from mlkit.registry import promote_if_better, register_model

    config, run, metric, test = ctx.config, ctx.run, ctx.metric, ctx.test
    version = register_model(
        model, run, name=config.model_name, X_example=ctx.train.X.head(5),
        tags={
            "mlkit.holdout_score": repr(holdout.score),
            "mlkit.metric": metric.name,
            "mlkit.greater_is_better": str(metric.greater_is_better).lower(),
            "mlkit.scoring": metric.scorer,
            "mlkit.data_sha256": checksum,
        },
    )  # fmt: skip
    ctx.say(f"registered: {version.name} version {version.version} (no alias until the gate)")
    decision = promote_if_better(
        version.name, version.version, test.X, test.y, scoring=metric.scorer,
        margin=config.registry.margin, n_resamples=config.registry.n_resamples,
        groups=test.groups, random_state=ctx.seed, store=run.store, challenger=model,
        task=ctx.task,
    )  # fmt: skip
    run.set_tags(
        {
            "mlkit.gate.decision": "promoted" if decision.promoted else "not promoted",
            "mlkit.gate.reason": decision.reason,
        }
    )
    return RegistryOutcome(version, decision)


# --------------------------------------------------------------------------- run records


def log_setup(run: Any, prepared: Prepared, *, checksum: str) -> None:
    """The config, the data's shape and checksum, the holdout and the environment."""
    config, data, split, metric = (prepared.config, prepared.data, prepared.holdout,
                                   prepared.metric)  # fmt: skip
    plain = config_to_dict(config)
    run.log_dict(plain, "config/config.yaml")
    source = Path(config.source) if config.source else None
    if source is not None and source.is_file():
        run.log_text(source.read_text(encoding="utf-8"), f"config/{source.name}")
    run.log_params(plain, prefix="config")
    run.log_params(
        {
            "task": prepared.task, "scoring": metric.scorer, "metric": metric.name,
            "greater_is_better": metric.greater_is_better, "data.rows": data.X.shape[0],
            "data.features": data.X.shape[1], "data.sha256": checksum,
            "holdout.strategy": split.strategy, "holdout.rows": int(split.test.size),
        }
    )  # fmt: skip
    run.set_tags({"mlkit.data_sha256": checksum, "mlkit.holdout_reason": split.reason})
    run.log_environment(folder=source.resolve().parent if source is not None else None)
    run.log_table(split.to_frame(), "split/holdout.csv")


def log_reference_profile(run: Any, X: pd.DataFrame) -> None:
    """Log the training features' drift profile as ``reference/`` (JSON + Parquet).

    It is what ``mlkit monitor`` compares new data with; nothing is computed for a
    run that records nothing.
    """
    if not records(run):
        return
    import tempfile

    from mlkit.drift import DriftProfile

    with tempfile.TemporaryDirectory(prefix="mlkit-reference-") as tmp:
        folder = DriftProfile.from_frame(X).save(tmp)
        for name in ("profile.json", "sample.parquet"):
            run.log_file(folder / name, artifact_path="reference")


def with_params(estimator: Any, params: dict[str, Any]) -> Any:
    """A clone of ``estimator`` with the chosen (unprefixed) hyperparameters."""
    from sklearn.base import clone

    chosen = clone(estimator)
    if params:
        chosen.set_params(**model_param_names(params))
    return chosen


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _predictions(model: Any, X: pd.DataFrame, task: str) -> np.ndarray:
    if task == "binary" and hasattr(model, "predict_proba"):
        return np.asarray(model.predict_proba(X)[:, 1])
    return np.asarray(model.predict(X))


# --------------------------------------------------------------------------- plots


def _log_plot(run: Any, name: str, draw: Callable[..., Any], *args: Any) -> None:
    """Draw a figure and log it; a run that records nothing draws nothing."""
    if not records(run):
        return
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window from a pipeline run
    import matplotlib.pyplot as plt

    ax = draw(*args)
    try:
        run.log_figure(ax.figure, name)
    finally:
        plt.close(ax.figure)


def _plot_cv(plan: FoldPlan, train: PipelineData) -> Any:
    from mlkit.splits import plot_cv

    ax = plot_cv(plan.folds, train.X, train.y, groups=train.groups)
    ax.set_title(f"Cross-validation folds ({plan.splitter})")
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
