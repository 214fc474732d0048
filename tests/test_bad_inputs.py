"""One table of bad inputs across mlkit's public functions and the CLI.

Every case checks three things:

1. the exception type (``ValueError`` for a bad value, ``TypeError`` where the
   type is wrong, scikit-learn's ``NotFittedError`` for an unfitted model);
2. that the message names the offending argument (or config key, or column);
3. that nothing was written: each case runs with the working directory, ``$MLKIT_HOME``,
   ``$MLFLOW_TRACKING_URI`` and the temporary-file folder (``tempfile``) pointing into an
   empty folder, which must be unchanged afterwards. Only ``$MLKIT_CACHE_DIR`` (the
   empty-store template MLflow's migrations produce once per machine) is shared by the
   session, so that the few cases that touch a store stay fast.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import sparse
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
from sklearn.model_selection import KFold, TimeSeriesSplit
from sklearn.neural_network import MLPClassifier
from sklearn.tree import DecisionTreeClassifier

from mlkit import (
    ablation,
    baselines,
    calibration,
    config,
    continuous,
    curves,
    datasets,
    diagnostics,
    display,
    drift,
    extrapolation,
    leakage,
    metrics,
    monitor,
    selection,
    servers,
    space,
    splits,
    stats,
    thresholds,
    tracking,
    training,
    tuning,
)

# --------------------------------------------------------------------------- tiny data

RNG = np.random.default_rng(0)
N = 40
X = pd.DataFrame(RNG.normal(size=(N, 3)), columns=["a", "b", "c"])
Y = np.tile([0, 1], N // 2)
Y_MULTI = np.tile([0, 1, 2, 3], N // 4)
GROUPS = np.repeat(np.arange(10), 4)
TIME = pd.Series(pd.date_range("2020-01-01", periods=N, freq="D"))
SCORE = np.linspace(0.01, 0.99, N)
X_DUP = pd.DataFrame(X.to_numpy(), columns=["a", "a", "c"])
X_INF = X.assign(b=np.r_[np.inf, X["b"].to_numpy()[1:]])
X_SPARSE = sparse.csr_matrix(X.to_numpy())
FITTED = LogisticRegression().fit(X, Y)


def lr() -> LogisticRegression:
    return LogisticRegression()


def sgd() -> SGDClassifier:
    return SGDClassifier(loss="log_loss", random_state=0)


def tiny_config() -> config.PipelineConfig:
    raw = {"name": "tiny", "data": {"dataset": "patient_visits", "options": {"n_patients": 30}}}
    return config.config_from_dict(raw)


# --------------------------------------------------------------------------- sandbox


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and modification time (files only:
    a temporary folder made and removed again is not a leftover)."""
    return {
        str(path.relative_to(folder)): (
            (path.stat().st_size, path.stat().st_mtime_ns) if path.is_file() else (0, 0)
        )
        for path in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session cache, seeded (read-only) from the user's mlkit cache when it has one."""
    folder = tmp_path_factory.mktemp("mlkit-cache")
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    for template in Path(os.environ.get("MLKIT_CACHE_DIR") or Path(home) / "mlkit").glob(
        "mlflow-*-empty.db"
    ):
        shutil.copy(template, folder)
    return folder


@pytest.fixture
def sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Path:
    """An empty working directory; every place mlkit may write points into ``tmp_path``."""
    work, temp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("MLKIT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'home' / 'mlflow.db'}")
    monkeypatch.setenv("MLKIT_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return tmp_path


# --------------------------------------------------------------------------- the table

Case = Callable[[], Any]

CASES: list[Any] = [
    # ---- datasets
    pytest.param(
        lambda: datasets.make_patient_visits(0), ValueError, r"n_patients", id="datasets-n0"
    ),
    pytest.param(
        lambda: datasets.make_patient_visits(20, positive_rate=1.5),
        ValueError,
        r"positive_rate",
        id="datasets-rate",
    ),
    pytest.param(
        lambda: datasets.make_patient_visits(20, visits_per_patient=(5, 2)),
        ValueError,
        r"visits_per_patient",
        id="datasets-visits",
    ),
    pytest.param(
        lambda: datasets.load_pbcseq(unknown_outcome="keepit"),
        ValueError,
        r"unknown_outcome",
        id="datasets-pbc-outcome",
    ),
    pytest.param(
        lambda: datasets.load_pbcseq(horizon_days=-5),
        ValueError,
        r"horizon_days",
        id="datasets-pbc-horizon",
    ),
    pytest.param(
        lambda: datasets.load_flights(target="nope"),
        ValueError,
        r"target='nope'",
        id="datasets-flights",
    ),
    pytest.param(
        lambda: datasets.data_path("nope.csv"),
        (FileNotFoundError, ValueError),
        r"nope\.csv",
        id="datasets-data-path",
    ),
    pytest.param(
        lambda: datasets.make_patient_visits(20, random_state="a"),  # type: ignore[arg-type]
        ValueError,
        r"random_state must be an int or None, got 'a'",
        id="datasets-random-state",
    ),
    # ---- metrics
    pytest.param(
        lambda: metrics.resolve_task(Y, "regresion"), ValueError, r"task", id="metrics-task-typo"
    ),
    pytest.param(
        lambda: metrics.resolve_task(Y_MULTI, "binary"),
        ValueError,
        r"task",
        id="metrics-task-binary-on-multiclass",
    ),
    pytest.param(
        lambda: metrics.get_scorers("rmse", task="binary"),
        ValueError,
        r"rmse.*binary|binary.*rmse",
        id="metrics-scorer-task",
    ),
    pytest.param(
        lambda: metrics.get_scorers("roc_auc", task="binary", estimator=LinearRegression()),
        ValueError,
        r"roc_auc.*LinearRegression|LinearRegression.*roc_auc",
        id="metrics-scorer-estimator",
    ),
    pytest.param(
        lambda: metrics.evaluate(lr(), X, Y),
        NotFittedError,
        r"estimator.*LogisticRegression.*not fitted",
        id="metrics-evaluate-unfitted",
    ),
    pytest.param(
        lambda: metrics.evaluate(FITTED, X, Y, threshold=2.0),
        ValueError,
        r"threshold",
        id="metrics-evaluate-threshold",
    ),
    pytest.param(
        lambda: metrics.choose_primary_metric("binary", positive_rate=2.0),
        ValueError,
        r"positive_rate",
        id="metrics-primary-rate",
    ),
    pytest.param(
        lambda: metrics.evaluate(FITTED, X_INF, Y),
        ValueError,
        r"\bX\b.*'b'.*infinite",
        id="metrics-evaluate-inf",
    ),
    pytest.param(lambda: metrics.metric_set("foo"), ValueError, r"task", id="metrics-set-task"),
    pytest.param(
        lambda: metrics.resolve_scoring("nope", task="binary"),
        ValueError,
        r"scoring='nope'",
        id="metrics-resolve-scoring",
    ),
    pytest.param(
        lambda: metrics.readable_metric_name("auc", task="foo"),  # type: ignore[arg-type]
        ValueError,
        r"\btask\b",
        id="metrics-readable-task",
    ),
    pytest.param(
        lambda: metrics.metric_scorers("binary", metrics=["rmse"]),
        ValueError,
        r"metrics.*rmse",
        id="metrics-scorers-task",
    ),
    # ---- thresholds
    pytest.param(
        lambda: thresholds.cost_optimal_threshold(cost_false_positive=0, cost_false_negative=1),
        ValueError,
        r"cost_false_positive",
        id="thresholds-cost",
    ),
    pytest.param(
        lambda: thresholds.confusion_at_threshold(Y, SCORE, threshold=float("nan")),
        ValueError,
        r"threshold",
        id="thresholds-confusion-threshold",
    ),
    pytest.param(
        lambda: thresholds.confusion_at_threshold(Y, SCORE[:-1], threshold=0.5),
        ValueError,
        r"y_score",
        id="thresholds-confusion-length",
    ),
    pytest.param(
        lambda: thresholds.recall_at_precision(Y, SCORE, precision_floor=0.0),
        ValueError,
        r"precision_floor",
        id="thresholds-recall-floor",
    ),
    pytest.param(
        lambda: thresholds.expected_cost(
            Y,
            np.r_[np.nan, SCORE[1:]],
            threshold=0.5,
            cost_false_positive=1,
            cost_false_negative=1,
        ),
        ValueError,
        r"y_score",
        id="thresholds-cost-nan-score",
    ),
    pytest.param(
        lambda: thresholds.threshold_curve(Y_MULTI, SCORE),
        ValueError,
        r"y_true",
        id="thresholds-curve-multiclass",
    ),
    pytest.param(
        lambda: thresholds.tune_threshold(
            lr(), X_INF, Y, cost_false_positive=1, cost_false_negative=5
        ),
        ValueError,
        r"'b'",
        id="thresholds-tune-inf",
    ),
    pytest.param(
        lambda: thresholds.plot_threshold_curve(
            Y, SCORE, cost_false_positive=-1, cost_false_negative=1
        ),
        ValueError,
        r"cost_false_positive",
        id="thresholds-plot-cost",
    ),
    # ---- splits
    pytest.param(lambda: splits.choose_cv(Y, n_splits=1), ValueError, r"n_splits", id="splits-k1"),
    pytest.param(
        lambda: splits.choose_cv(Y, groups=GROUPS[:-1]), ValueError, r"groups", id="splits-groups"
    ),
    pytest.param(
        lambda: splits.materialise_folds(3, X_DUP, Y),
        ValueError,
        r"duplicate column names \['a'\]",
        id="splits-dup-columns",
    ),
    pytest.param(lambda: splits.audit_cv(3, X_INF, Y), ValueError, r"'b'", id="splits-audit-inf"),
    pytest.param(
        lambda: splits.materialise_folds(KFold(3), X, Y, groups=GROUPS),
        ValueError,
        r"\bcv\b puts 1 group\(s\) on both sides",
        id="splits-kfold-shares-groups",
    ),
    pytest.param(
        lambda: splits.repeated_folds(X, Y, n_repeats=0),
        ValueError,
        r"n_repeats",
        id="splits-repeats",
    ),
    pytest.param(
        lambda: list(splits.TimeOrderedSplit(3, time=None).split(X)),
        ValueError,
        r"time",
        id="splits-time-none",
    ),
    pytest.param(
        lambda: splits.plot_cv(KFold(3), X, Y, groups=GROUPS[:5]),
        ValueError,
        r"groups",
        id="splits-plot-groups",
    ),
    # ---- baselines
    pytest.param(
        lambda: baselines.compare_baselines(X_DUP, Y),
        ValueError,
        r"duplicate column names",
        id="baselines-dup",
    ),
    pytest.param(
        lambda: baselines.compare_baselines(X, Y, scoring="nope"),
        ValueError,
        r"scoring='nope'",
        id="baselines-scoring",
    ),
    pytest.param(
        lambda: baselines.beats_baseline(lr(), X, Y, alpha=2.0),
        ValueError,
        r"alpha",
        id="baselines-alpha",
    ),
    pytest.param(
        lambda: baselines.beats_baseline(lr(), X, Y, n_repeats=0),
        ValueError,
        r"n_repeats",
        id="baselines-repeats",
    ),
    pytest.param(
        lambda: stats.corrected_ttest([0.1, 0.2, 0.3], test_train_ratio=-1.0),
        ValueError,
        r"test_train_ratio",
        id="baselines-nb-ratio",
    ),
    pytest.param(
        lambda: baselines.baseline_strategies("foo"),  # type: ignore[arg-type]
        ValueError,
        r"task",
        id="baselines-strategies-task",
    ),
    pytest.param(
        lambda: baselines.beats_baseline(lr(), X_INF, Y, n_repeats=1),
        ValueError,
        r"'b'",
        id="baselines-beats-inf",
    ),
    pytest.param(
        lambda: baselines.plot_fold_scores("not a result"),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"result.*BaselineComparison",
        id="baselines-plot-result",
    ),
    # ---- leakage
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X, Y, groups=None),
        ValueError,
        r"groups",
        id="leakage-groups-none",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X, Y, groups=GROUPS[:-1]),
        ValueError,
        r"groups",
        id="leakage-groups-length",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X, Y, groups=GROUPS, n_standard_errors=-1.0),
        ValueError,
        r"n_standard_errors",
        id="leakage-alpha",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X_INF, Y, groups=GROUPS),
        ValueError,
        r"\bX\b.*'b'.*infinite",
        id="leakage-inf",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X_DUP, Y, groups=GROUPS),
        ValueError,
        r"duplicate column names \['a'\]",
        id="leakage-dup",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(lr(), X_SPARSE, Y, groups=GROUPS),
        ValueError,
        r"\bX\b is a sparse matrix",
        id="leakage-sparse",
    ),
    # ---- tuning
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0]}, X, Y, method="gridd"),  # type: ignore[arg-type]
        ValueError,
        r"method",
        id="tuning-method",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {}, X, Y, method="grid"), ValueError, r"space", id="tuning-space"
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0, 2.0]}, X, Y, method="random", n_iter=0),
        ValueError,
        r"n_iter",
        id="tuning-n-iter",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"nope": [1, 2]}, X, Y, method="grid"),
        ValueError,
        r"nope",
        id="tuning-unknown-param",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0]}, X_INF, Y, method="grid"),
        ValueError,
        r"'b'",
        id="tuning-inf",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0]}, X, Y, method="grid", n_jobs=0),
        ValueError,
        r"n_jobs",
        id="tuning-n-jobs",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0]}, X, Y, method="grid", cv=KFold(3), groups=GROUPS),
        ValueError,
        r"\bcv\b puts 1 group\(s\) on both sides",
        id="tuning-kfold-shares-groups",
    ),
    pytest.param(
        lambda: tuning.nested_cv(lr(), {"C": [1.0]}, X, Y, method="grid", outer_cv=1),
        ValueError,
        r"outer_cv",
        id="tuning-nested-outer",
    ),
    pytest.param(
        lambda: tuning.nested_cv(lr(), {"C": [1.0]}, X_DUP, Y, method="grid"),
        ValueError,
        r"duplicate column names \['a'\]",
        id="tuning-nested-dup",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"C": [1.0, -1.0]}, X, Y, method="grid"),
        ValueError,
        r"\bC\b.*-1",
        id="tuning-failing-candidate-named",
    ),
    pytest.param(
        lambda: tuning.plot_search_trace({}),
        (TypeError, ValueError),
        r"results",
        id="tuning-plot-empty",
    ),
    pytest.param(
        lambda: tuning.tune(lr(), {"l1_ratio": [0.0, 1.0]}, X, Y, method="grid"),
        ValueError,
        r"l1_ratio=1\.0|'l1_ratio': 1\.0",
        id="tuning-failing-candidate-at-fit",
    ),
    # ---- space
    pytest.param(
        lambda: space.Float(1.0, 0.0),
        ValueError,
        r"low must be smaller than high",
        id="space-float-order",
    ),
    pytest.param(
        lambda: space.Float(0.0, 1.0, log=True),
        ValueError,
        r"log scale needs low > 0",
        id="space-float-log",
    ),
    pytest.param(lambda: space.Int(1, 5, step=0), ValueError, r"step", id="space-int-step"),
    pytest.param(
        lambda: space.Int(0, 10, log=True),
        ValueError,
        r"log scale needs low > 0; use a positive low \(e\.g\. Int\(1, 10",
        id="space-int-log-advice",
    ),
    pytest.param(lambda: space.Categorical([]), ValueError, r"values", id="space-categorical"),
    pytest.param(lambda: space.Float(0.0, 1.0, n_grid=0), ValueError, r"n_grid", id="space-n-grid"),
    pytest.param(
        lambda: space.as_space(5), (TypeError, ValueError), r"space must be a dict", id="space-as"
    ),
    pytest.param(
        lambda: space.Space({"C": 5}),  # type: ignore[dict-item]
        (TypeError, ValueError),
        r"\bC\b",
        id="space-space-dimension",
    ),
    # ---- curves
    pytest.param(
        lambda: curves.learning_curve(lr(), X, Y, train_sizes=(0.0, 1.0)),
        ValueError,
        r"train_sizes",
        id="curves-sizes",
    ),
    pytest.param(
        lambda: curves.learning_curve(lr(), X, Y, subsets="foo"),  # type: ignore[arg-type]
        ValueError,
        r"subsets",
        id="curves-subsets",
    ),
    pytest.param(
        lambda: curves.learning_curve(lr(), X_DUP, Y),
        ValueError,
        r"duplicate column names",
        id="curves-dup",
    ),
    pytest.param(
        lambda: curves.validation_curve(lr(), X, Y, param_name="nope", param_range=[1, 2]),
        ValueError,
        r"param_name='nope'",
        id="curves-param-name",
    ),
    pytest.param(
        lambda: curves.validation_curve(lr(), X, Y, param_name="C", param_range=[]),
        ValueError,
        r"param_range",
        id="curves-param-range",
    ),
    pytest.param(
        lambda: curves.validation_curve(lr(), X_INF, Y, param_name="C", param_range=[1.0, 2.0]),
        ValueError,
        r"'b'",
        id="curves-validation-inf",
    ),
    pytest.param(
        lambda: curves.fit_time_slope([10, 20, 40], [0.1, 0.2]),
        ValueError,
        r"fit_times",
        id="curves-slope-length",
    ),
    pytest.param(
        lambda: curves.fit_time_slope([10, 20, 40], [0.1, 0.2, -1.0]),
        ValueError,
        r"fit_times",
        id="curves-slope-negative",
    ),
    pytest.param(
        lambda: curves.plot_scalability({}), ValueError, r"results", id="curves-plot-empty"
    ),
    pytest.param(
        lambda: curves.plot_scalability({"m": "not a result"}),  # type: ignore[dict-item]
        (TypeError, ValueError),
        r"results\['m'\]",
        id="curves-plot-type",
    ),
    pytest.param(
        lambda: curves.validation_curve(
            lr(), X, Y, param_name="l1_ratio", param_range=[0.0, 1.0], cv=3
        ),
        ValueError,
        r"the fit with l1_ratio=1\.0 failed",
        id="curves-failing-value",
    ),
    # ---- extrapolation
    pytest.param(
        lambda: extrapolation.fit_power_law(
            [10, 20, 40, 80], [0.4, 0.3, 0.2, 0.1], loss=True, tolerance=-1.0
        ),
        ValueError,
        r"tolerance",
        id="extrapolation-tolerance",
    ),
    pytest.param(
        lambda: extrapolation.fit_power_law([10, 20, 40, 80], [0.3, 0.2, 0.1], loss=True),
        ValueError,
        r"scores",
        id="extrapolation-length",
    ),
    pytest.param(
        lambda: extrapolation.fit_power_law(
            [10, 20, 40, 80], [0.4, 0.3, 0.2, 0.1], loss=True, factors=(0.5,)
        ),
        ValueError,
        r"factors",
        id="extrapolation-factors",
    ),
    pytest.param(
        lambda: extrapolation.fit_power_law([-10, 20, 40, 80], [0.4, 0.3, 0.2, 0.1], loss=True),
        ValueError,
        r"\bn\b",
        id="extrapolation-negative-n",
    ),
    # ---- selection
    pytest.param(
        lambda: selection.compare_models({}, X, Y), ValueError, r"models", id="selection-empty"
    ),
    pytest.param(
        lambda: selection.compare_models({"m": "not a model"}, X, Y),
        (TypeError, ValueError),
        r"models\['m'\]",
        id="selection-not-estimator",
    ),
    pytest.param(
        lambda: selection.compare_models({"m": lr()}, X, Y, confidence=1.5),
        ValueError,
        r"confidence",
        id="selection-confidence",
    ),
    pytest.param(
        lambda: selection.compare_models({"m": lr()}, X_INF, Y),
        ValueError,
        r"'b'",
        id="selection-inf",
    ),
    pytest.param(
        lambda: selection.compare_models({"m": lr()}, X_DUP, Y),
        ValueError,
        r"duplicate column names",
        id="selection-dup",
    ),
    pytest.param(
        lambda: selection.compare_models(
            {"lasso_lbfgs": LogisticRegression(l1_ratio=1.0)}, X, Y, cv=3, n_repeats=1
        ),
        ValueError,
        r"models\['lasso_lbfgs'\] failed to fit",
        id="selection-failing-model",
    ),
    # ---- ablation
    pytest.param(
        lambda: ablation.ablate(lr(), X, Y, variants={}), ValueError, r"variants", id="ablate-empty"
    ),
    pytest.param(
        lambda: ablation.ablate(lr(), X, Y, variants={"no_z": ablation.DropColumns(["zz"])}),
        ValueError,
        r"zz",
        id="ablate-missing-column",
    ),
    pytest.param(
        lambda: ablation.DropColumns([]), ValueError, r"columns", id="ablate-dropcolumns-empty"
    ),
    pytest.param(
        lambda: ablation.ablate(lr(), X_DUP, Y, variants={"no_c": ablation.DropColumns(["c"])}),
        ValueError,
        r"duplicate column names",
        id="ablate-dup",
    ),
    pytest.param(
        lambda: ablation.ablate(lr(), X_SPARSE, Y, variants={"no_c": ablation.DropColumns(["c"])}),
        ValueError,
        r"\bX\b is a csr_matrix",
        id="ablate-sparse",
    ),
    pytest.param(
        lambda: ablation.ablate(lr(), X, Y, variants={"l1": {"l1_ratio": 1.0}}, cv=3, n_repeats=1),
        ValueError,
        r"variant 'l1' failed",
        id="ablate-failing-variant",
    ),
    # ---- training
    pytest.param(
        lambda: training.make_estimator("xgboost", task="binary"),
        ValueError,
        r"xgboost",
        id="training-estimator-name",
    ),
    pytest.param(
        lambda: training.make_estimator("logistic_regression", task="binary", params={"nope": 1}),
        ValueError,
        r"nope",
        id="training-estimator-param",
    ),
    pytest.param(
        lambda: training.holdout_split(Y, test_size=1.5),
        ValueError,
        r"test_size",
        id="training-holdout-size",
    ),
    pytest.param(
        lambda: training.holdout_split(Y, strategy="foo"),
        ValueError,
        r"strategy",
        id="training-holdout-strategy",
    ),
    pytest.param(
        lambda: training.final_fit(lr(), X_INF, Y),
        ValueError,
        r"\bX\b.*'b'.*infinite",
        id="training-final-inf",
    ),
    pytest.param(
        lambda: training.score_model(lr(), X, Y, scoring="accuracy"),
        NotFittedError,
        r"model.*LogisticRegression.*not fitted",
        id="training-score-unfitted",
    ),
    pytest.param(
        lambda: training.evaluate_holdout(FITTED, X, Y, threshold=-0.1),
        ValueError,
        r"threshold",
        id="training-evaluate-threshold",
    ),
    pytest.param(
        lambda: training.evaluate_holdout(lr(), X, Y),
        NotFittedError,
        r"model.*LogisticRegression.*not fitted",
        id="training-evaluate-unfitted",
    ),
    pytest.param(
        lambda: training.fit_fold_models(lr(), X, Y, cv=KFold(3), groups=GROUPS),
        ValueError,
        r"\bcv\b puts .*group\(s\) on both sides",
        id="training-fold-models-shares-groups",
    ),
    pytest.param(
        lambda: training.score_model(FITTED, X_INF, Y, scoring="accuracy"),
        ValueError,
        r"\bX\b.*'b'.*infinite",
        id="training-score-inf",
    ),
    pytest.param(
        lambda: training.model_param_names("max_depth=3"),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"params",
        id="training-param-names",
    ),
    # ---- calibration
    pytest.param(
        lambda: calibration.recalibrate(lr(), X_INF, Y),
        ValueError,
        r"\bX\b.*'b'.*infinite",
        id="calibration-recalibrate-inf",
    ),
    pytest.param(
        lambda: calibration.recalibrate(lr(), X, Y, prefit=True),
        NotFittedError,
        r"estimator.*LogisticRegression.*not fitted",
        id="calibration-prefit-unfitted",
    ),
    pytest.param(
        lambda: calibration.reliability_table(Y, SCORE, n_bins=0),
        ValueError,
        r"n_bins",
        id="calibration-bins",
    ),
    pytest.param(
        lambda: calibration.reliability_table(Y, SCORE + 1.0),
        ValueError,
        r"y_prob",
        id="calibration-prob-range",
    ),
    pytest.param(
        lambda: calibration.brier_decomposition(Y, SCORE, strategy="foo"),
        ValueError,
        r"strategy",
        id="calibration-strategy",
    ),
    pytest.param(
        lambda: calibration.expected_calibration_error(Y, SCORE, confidence=2.0),
        ValueError,
        r"confidence",
        id="calibration-ece-confidence",
    ),
    pytest.param(
        lambda: calibration.recalibrate(lr(), X, Y, method="foo"),
        ValueError,
        r"method",
        id="calibration-method",
    ),
    pytest.param(
        lambda: calibration.calibrate_out_of_fold(Y_MULTI, SCORE),
        ValueError,
        r"y_true",
        id="calibration-oof-multiclass",
    ),
    pytest.param(
        lambda: calibration.plot_reliability(Y, SCORE, n_bins=0),
        ValueError,
        r"n_bins",
        id="calibration-plot-bins",
    ),
    pytest.param(
        lambda: calibration.calibration_report(Y, SCORE[:-1]),
        ValueError,
        r"y_prob",
        id="calibration-report-length",
    ),
    # ---- diagnostics
    pytest.param(
        lambda: diagnostics.lr_range_test(sgd(), X, Y, lr_min=1.0, lr_max=0.1),
        ValueError,
        r"lr_min=1 must be smaller than lr_max",
        id="diagnostics-lr-order",
    ),
    pytest.param(
        lambda: diagnostics.lr_range_test(lr(), X, Y),
        (TypeError, ValueError),
        r"estimator.*partial_fit.*SGDClassifier",
        id="diagnostics-lr-no-partial-fit",
    ),
    pytest.param(
        lambda: diagnostics.overfit_small_batch(sgd(), X, Y, n=0),
        ValueError,
        r"\bn\b",
        id="diagnostics-overfit-n",
    ),
    pytest.param(
        lambda: diagnostics.gradient_norms(lr(), X, Y),
        (TypeError, ValueError),
        r"mlp",
        id="diagnostics-gradient-not-mlp",
    ),
    pytest.param(
        lambda: diagnostics.seed_sensitivity(DecisionTreeClassifier(), X, Y, seeds=[]),
        ValueError,
        r"seeds",
        id="diagnostics-seeds",
    ),
    pytest.param(
        lambda: diagnostics.seed_sensitivity(
            DecisionTreeClassifier(), X, Y, seeds=[0, 1], vary="foo"
        ),
        ValueError,
        r"vary",
        id="diagnostics-vary",
    ),
    pytest.param(
        lambda: diagnostics.lr_range_test(sgd(), X_INF, Y),
        ValueError,
        r"\bX\b column\(s\) \['b'\] contain infinite",
        id="diagnostics-lr-inf",
    ),
    pytest.param(
        lambda: diagnostics.overfit_small_batch(sgd(), X_SPARSE, Y),
        ValueError,
        r"\bX\b is a sparse matrix",
        id="diagnostics-overfit-sparse",
    ),
    pytest.param(
        lambda: diagnostics.gradient_norms(MLPClassifier(), X_DUP, Y),
        ValueError,
        r"\bX\b has duplicate column names \['a'\]",
        id="diagnostics-gradient-dup",
    ),
    pytest.param(
        lambda: diagnostics.seed_sensitivity(DecisionTreeClassifier(), X_SPARSE, Y, seeds=[0, 1]),
        ValueError,
        r"\bX\b is a sparse matrix",
        id="diagnostics-seeds-sparse",
    ),
    # ---- drift
    pytest.param(
        lambda: drift.data_drift(X, X.drop(columns="c")), ValueError, r"'c'", id="drift-missing"
    ),
    pytest.param(lambda: drift.data_drift(X, X, alpha=0.0), ValueError, r"alpha", id="drift-alpha"),
    pytest.param(
        lambda: drift.data_drift(X, X, method="foo"), ValueError, r"method", id="drift-method"
    ),
    pytest.param(
        lambda: drift.data_drift(X_DUP, X_DUP),
        ValueError,
        r"duplicate column names",
        id="drift-dup",
    ),
    pytest.param(lambda: drift.data_drift(X, X_INF), ValueError, r"current.*'b'", id="drift-inf"),
    pytest.param(
        lambda: drift.data_drift(X_SPARSE, X),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"reference",
        id="drift-sparse",
    ),
    pytest.param(
        lambda: drift.population_stability_index(SCORE, SCORE, n_bins=1),
        ValueError,
        r"n_bins",
        id="drift-psi-bins",
    ),
    pytest.param(
        lambda: drift.detect_changes(SCORE, detector="foo"),
        ValueError,
        r"detector",
        id="drift-detector",
    ),
    pytest.param(
        lambda: drift.make_detector("adwin", nope=1),
        (TypeError, ValueError),
        r"nope",
        id="drift-detector-param",
    ),
    pytest.param(
        lambda: drift.prediction_drift(lr(), X, X),
        NotFittedError,
        r"model.*LogisticRegression.*not fitted",
        id="drift-prediction-unfitted",
    ),
    pytest.param(lambda: drift.data_drift(X, X, n_bins=1), ValueError, r"n_bins", id="drift-bins"),
    pytest.param(
        lambda: drift.target_drift(Y, None), ValueError, r"current", id="drift-target-none"
    ),
    pytest.param(
        lambda: drift.DriftProfile.from_frame(X, max_rows=5),
        ValueError,
        r"max_rows",
        id="drift-profile-rows",
    ),
    pytest.param(
        lambda: drift.prediction_drift(FITTED, X_SPARSE, X_SPARSE),  # type: ignore[arg-type]
        ValueError,
        r"reference must be a pandas DataFrame, got csr_matrix",
        id="drift-prediction-sparse",
    ),
    # ---- continuous
    pytest.param(lambda: continuous.every(0), ValueError, r"\bk\b", id="continuous-every"),
    pytest.param(
        lambda: continuous.on_data_drift(1.5), ValueError, r"share", id="continuous-share"
    ),
    pytest.param(
        lambda: continuous.on_performance(),
        ValueError,
        r"threshold=.*detector=",
        id="continuous-on-performance",
    ),
    pytest.param(
        lambda: continuous.ScoreGate(confidence=2.0),
        ValueError,
        r"confidence",
        id="continuous-gate-confidence",
    ),
    pytest.param(
        lambda: continuous.replay(X, Y, time=TIME, estimator=lr(), policy="foo", period="W"),
        (TypeError, ValueError),
        r"policy",
        id="continuous-replay-policy",
    ),
    pytest.param(
        lambda: continuous.replay(
            X, Y, time=TIME, estimator=lr(), policy=continuous.never(), label_delay=-1
        ),
        ValueError,
        r"label_delay",
        id="continuous-replay-delay",
    ),
    pytest.param(
        lambda: continuous.replay(
            X_INF, Y, time=TIME, estimator=lr(), policy=continuous.never(), period="W"
        ),
        ValueError,
        r"'b'",
        id="continuous-replay-inf",
    ),
    pytest.param(
        lambda: continuous.replay(
            X_SPARSE, Y, time=TIME, estimator=lr(), policy=continuous.never(), period="W"
        ),
        ValueError,
        r"\bX\b must be a pandas DataFrame, got csr_matrix",
        id="continuous-replay-sparse",
    ),
    pytest.param(
        lambda: continuous.compare_replays([]), ValueError, r"results", id="continuous-compare"
    ),
    pytest.param(
        lambda: continuous.plot_replays([]), ValueError, r"results", id="continuous-plot-empty"
    ),
    pytest.param(
        lambda: continuous.ScoreGate(n_bootstrap=-1),
        ValueError,
        r"n_bootstrap",
        id="continuous-gate-bootstrap",
    ),
    pytest.param(
        lambda: continuous.replay(
            X, Y, time=TIME, period="W", estimator=None, policy=continuous.never()
        ),
        ValueError,
        r"estimator must be an unfitted scikit-learn estimator",
        id="continuous-replay-estimator",
    ),
    pytest.param(
        lambda: continuous.ScoreGate(margin=float("nan")),
        ValueError,
        r"margin=nan",
        id="continuous-gate-margin-nan",
    ),
    # ---- monitor
    pytest.param(
        lambda: monitor.read_new_data("missing.csv"),
        ValueError,
        r"missing\.csv",
        id="monitor-missing-file",
    ),
    pytest.param(
        lambda: monitor.load_reference("nope", store="store"),
        ValueError,
        r"nope",
        id="monitor-no-model",
    ),
    pytest.param(
        lambda: monitor.check_new_data(tiny_config(), "missing.csv"),
        ValueError,
        r"--data 'missing\.csv' does not exist",
        id="monitor-check-missing-file",
    ),
    pytest.param(
        lambda: monitor.retrain_with(tiny_config(), "missing.csv"),
        ValueError,
        r"--data 'missing\.csv' does not exist",
        id="monitor-retrain-missing-file",
    ),
    pytest.param(
        lambda: monitor.load_reference("nope", store="store", alias=""),
        ValueError,
        r"alias must be a non-empty string",
        id="monitor-empty-alias",
    ),
    # ---- tracking / registry (read paths must not create a store)
    pytest.param(lambda: tracking.resolve_store(5), ValueError, r"\bstore\b", id="tracking-store"),
    pytest.param(
        lambda: tracking.load_model("nope", version=1, alias="champion", store="store"),
        ValueError,
        r"version.*alias",
        id="tracking-load-version-and-alias",
    ),
    pytest.param(
        lambda: tracking.load_model("nope", version=1, store="store"),
        ValueError,
        r"store .*store holds no mlflow\.db",
        id="tracking-load-missing-store",
    ),
    pytest.param(
        lambda: tracking.list_versions("nope", store="store"),
        ValueError,
        r"nope",
        id="tracking-list-missing-store",
    ),
    pytest.param(
        lambda: tracking.flatten("a=1"),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"data",
        id="tracking-flatten",
    ),
    pytest.param(
        lambda: tracking.promote_if_better("nope", 1, X, Y, scoring="roc_auc", margin=-1.0),
        ValueError,
        r"margin",
        id="tracking-gate-margin",
    ),
    pytest.param(
        lambda: tracking.start_run("").__enter__(),
        ValueError,
        r"experiment",
        id="tracking-start-run-name",
    ),
    # ---- servers (refused before any process or folder is created)
    pytest.param(
        lambda: servers.start_dask_cluster(0), ValueError, r"n_workers", id="servers-dask-workers"
    ),
    pytest.param(
        lambda: servers.start_dask_cluster(1, port=80),
        ValueError,
        r"\bport\b",
        id="servers-dask-port",
    ),
    pytest.param(
        lambda: servers.start_postgres(["bad-name"]),
        ValueError,
        r"databases",
        id="servers-postgres-name",
    ),
    pytest.param(
        lambda: servers.start_postgres(["mlflow"], timeout=0),
        ValueError,
        r"timeout",
        id="servers-postgres-timeout",
    ),
    pytest.param(
        lambda: servers.start_tracking_server("sqlite:///x.db", workers=0),
        ValueError,
        r"workers",
        id="servers-tracking-workers",
    ),
    # ---- stats
    pytest.param(
        lambda: stats.corrected_ttest([0.1], test_train_ratio=0.25),
        ValueError,
        r"differences",
        id="stats-ttest-one",
    ),
    pytest.param(
        lambda: stats.corrected_ttest([0.1, 0.2], test_train_ratio=0.0),
        ValueError,
        r"test_train_ratio",
        id="stats-ttest-ratio",
    ),
    pytest.param(
        lambda: stats.corrected_ttest(
            [0.1, 0.2],
            test_train_ratio=0.25,
            alternative="foo",  # type: ignore[arg-type]
        ),
        ValueError,
        r"alternative",
        id="stats-ttest-alternative",
    ),
    pytest.param(lambda: stats.holm([0.5, 1.5]), ValueError, r"p_values", id="stats-holm"),
    pytest.param(
        lambda: stats.check_exchangeable(TimeSeriesSplit(3)),
        ValueError,
        r"\bcv\b",
        id="stats-exchangeable",
    ),
    pytest.param(
        lambda: stats.paired_bootstrap(lambda idx: 0.0, 10, n_resamples=0),
        ValueError,
        r"n_resamples",
        id="stats-bootstrap-resamples",
    ),
    pytest.param(
        lambda: stats.paired_bootstrap("mean", 10),
        (TypeError, ValueError),
        r"statistic",
        id="stats-bootstrap-statistic",
    ),
    # ---- display
    pytest.param(
        lambda: display.format_number(1.0, digits=0), ValueError, r"digits", id="display-digits"
    ),
    pytest.param(
        lambda: display.format_table("not a frame"),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"frame",
        id="display-table-frame",
    ),
    pytest.param(
        lambda: display.set_style(context="foo"), ValueError, r"context", id="display-context"
    ),
    pytest.param(lambda: display.glue(), ValueError, r"name=value", id="display-glue-empty"),
    pytest.param(
        lambda: display.format_table(X, index="yes"),  # type: ignore[arg-type]
        ValueError,
        r"index",
        id="display-table-index",
    ),
    # ---- config
    pytest.param(
        lambda: config.config_from_dict(
            {"name": "x", "data": {"dataset": "pbcseq"}, "cv": {"n_splits": 1}}
        ),
        config.ConfigError,
        r"cv\.n_splits",
        id="config-n-splits",
    ),
    pytest.param(
        lambda: config.config_from_dict(
            {"name": "x", "data": {"dataset": "pbcseq"}, "tuning": {"method": "foo"}}
        ),
        config.ConfigError,
        r"tuning\.method",
        id="config-tuning-method",
    ),
    pytest.param(
        lambda: config.parse_dimension({"type": "float", "low": 1, "high": 0}, key="space.C"),
        config.ConfigError,
        r"space\.C",
        id="config-dimension",
    ),
    pytest.param(
        lambda: config.load_config("missing.yaml"),
        config.ConfigError,
        r"missing\.yaml",
        id="config-missing-file",
    ),
    pytest.param(
        lambda: config.config_to_dict({"name": "x"}),  # type: ignore[arg-type]
        (TypeError, ValueError),
        r"config",
        id="config-to-dict",
    ),
]


@pytest.mark.parametrize(("call", "error", "names"), CASES)
def test_bad_input_is_refused_by_name_and_nothing_is_written(
    sandbox: Path, call: Case, error: type[BaseException], names: str
) -> None:
    before = _snapshot(sandbox)
    with pytest.raises(error, match=names):
        call()
    assert _snapshot(sandbox) == before


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: Path("result.txt").write_text("x"), id="working-directory"),
        pytest.param(lambda: tempfile.mkdtemp(), id="tempfile"),
        pytest.param(lambda: Path(os.environ["MLKIT_HOME"]).mkdir(), id="mlkit-home"),
    ],
)
def test_the_sandbox_sees_a_write(sandbox: Path, write: Case) -> None:
    """The "nothing written" check can fail: each of these writes changes the snapshot."""
    before = _snapshot(sandbox)
    write()
    assert _snapshot(sandbox) != before


# --------------------------------------------------------------------------- ID-like columns

N_ID = 60
X_ID = pd.DataFrame(
    {"a": RNG.normal(size=N_ID), "b": RNG.normal(size=N_ID), "row_id": np.arange(N_ID)}
)
Y_ID = np.tile([0, 1], N_ID // 2)
TIME_ID = pd.Series(pd.date_range("2020-01-01", periods=N_ID, freq="D"))
X_ID_STR = X_ID.assign(row_id=[f"visit-{i}" for i in range(N_ID)])
X_ID_INDEX = X_ID.set_axis(np.arange(100, 100 + N_ID)).assign(row_id=np.arange(100, 100 + N_ID))

ID_CASES: list[Any] = [
    pytest.param(lambda: splits.materialise_folds(3, X_ID, Y_ID), id="materialise_folds"),
    pytest.param(lambda: baselines.compare_baselines(X_ID, Y_ID, cv=3), id="compare_baselines"),
    pytest.param(
        lambda: selection.compare_models(
            {"tree": DummyClassifier()}, X_ID, Y_ID, cv=3, n_repeats=1
        ),
        id="compare_models",
    ),
    pytest.param(
        lambda: curves.learning_curve(DummyClassifier(), X_ID, Y_ID, cv=3, train_sizes=(1.0,)),
        id="learning_curve",
    ),
    pytest.param(
        lambda: tuning.tune(
            DummyClassifier(), {"strategy": ["prior"]}, X_ID, Y_ID, method="grid", cv=3
        ),
        id="tune",
    ),
    pytest.param(
        lambda: curves.validation_curve(
            DummyClassifier(), X_ID, Y_ID, param_name="strategy", param_range=["prior"], cv=3
        ),
        id="validation_curve",
    ),
    pytest.param(
        lambda: ablation.ablate(
            DummyClassifier(),
            X_ID,
            Y_ID,
            variants={"no_b": ablation.DropColumns(["b"])},
            cv=3,
            n_repeats=1,
        ),
        id="ablate",
    ),
    pytest.param(
        lambda: thresholds.tune_threshold(
            LogisticRegression(), X_ID, Y_ID, cost_false_positive=1, cost_false_negative=2, cv=3
        ),
        id="tune_threshold",
    ),
    pytest.param(
        lambda: continuous.replay(
            X_ID,
            Y_ID,
            time=TIME_ID,
            period="W",
            estimator=DummyClassifier(),
            policy=continuous.never(),
            oracle=False,
            track_drift=False,
        ),
        id="replay",
    ),
    pytest.param(
        lambda: diagnostics.overfit_small_batch(sgd(), X_ID, Y_ID, max_steps=2),
        id="overfit_small_batch",
    ),
    pytest.param(
        lambda: leakage.group_leakage_check(
            DummyClassifier(),
            X_ID,
            Y_ID,
            groups=np.repeat(np.arange(15), 4),
            n_splits=3,
            n_repeats=1,
        ),
        id="group_leakage_check",
    ),
    pytest.param(
        lambda: baselines.beats_baseline(DummyClassifier(), X_ID, Y_ID, n_splits=3, n_repeats=1),
        id="beats_baseline",
    ),
    pytest.param(
        lambda: calibration.recalibrate(LogisticRegression(), X_ID, Y_ID, cv=3),
        id="recalibrate",
    ),
    pytest.param(
        lambda: metrics.evaluate(DummyClassifier().fit(X_ID, Y_ID), X_ID, Y_ID),
        id="evaluate",
    ),
    pytest.param(
        lambda: splits.materialise_folds(3, X_ID_STR, Y_ID), id="materialise_folds-string-id"
    ),
    pytest.param(
        lambda: selection.compare_models(
            {"dummy": DummyClassifier()}, X_ID_INDEX, Y_ID, cv=3, n_repeats=1
        ),
        id="compare_models-index-id",
    ),
    pytest.param(
        lambda: training.final_fit(DummyClassifier(), X_ID, Y_ID),
        id="final_fit",
    ),
]


@pytest.mark.parametrize("call", ID_CASES)
def test_identifier_like_column_warns(sandbox: Path, call: Case) -> None:
    before = _snapshot(sandbox)
    with pytest.warns(UserWarning, match=r"'row_id'.*identifier"):
        call()
    assert _snapshot(sandbox) == before


# --------------------------------------------------------------------------- the CLI

TINY = {
    "name": "tiny",
    "seed": 0,
    "data": {"dataset": "patient_visits", "options": {"n_patients": 30, "random_state": 0}},
    "cv": {"n_splits": 3},
    "model": {"estimator": "decision_tree"},
}


def _with(**changes: Any) -> dict[str, Any]:
    raw = dict(TINY)
    raw.update(changes)
    return raw


def _csv_frame(kind: str) -> pd.DataFrame:
    frame = pd.DataFrame({"x1": np.arange(N, dtype=float), "x2": RNG.normal(size=N)})
    frame["patient"] = GROUPS
    frame["y"] = Y
    if kind == "multiclass":
        frame["y"] = Y_MULTI
    elif kind == "nan_groups":
        frame.loc[3, "patient"] = np.nan
    elif kind == "one_class":
        frame["y"] = 0
    elif kind == "one_positive_patient":  # the holdout or the training rows get one class
        frame["y"] = (frame["patient"] == 0).astype(int)
    elif kind == "nan_time":
        frame["day"] = pd.date_range("2020-01-01", periods=N, freq="D").astype(str)
        frame.loc[5, "day"] = None
    elif kind == "inf":
        frame.loc[7, "x2"] = np.inf
    return frame


CLI_CASES: list[Any] = [
    pytest.param(
        "validate {config}", _with(cv={"n_splits": 1}), None, r"cv\.n_splits", id="cli-n-splits"
    ),
    pytest.param(
        "validate {config}",
        _with(model={"estimator": "decision_tree", "params": {"nope": 1}}),
        None,
        r"model\.params\.nope|model\.params.*\['nope'\]",
        id="cli-model-param-name",
    ),
    pytest.param(
        "validate {config}",
        _with(model={"estimator": "decision_tree", "params": {"max_depth": -3}}),
        None,
        r"model\.params.*max_depth|max_depth.*model\.params",
        id="cli-model-param-value",
    ),
    pytest.param(
        "validate {config}",
        _with(
            tuning={"method": "grid", "space": {"max_depth": {"type": "int", "low": 5, "high": 2}}}
        ),
        None,
        r"tuning\.space\.max_depth",
        id="cli-space-order",
    ),
    pytest.param(
        "validate {config}",
        _with(
            tuning={
                "method": "grid",
                "space": {"max_depth": {"type": "int", "low": 2, "high": 5, "n_grid": 0}},
            }
        ),
        None,
        r"n_grid",
        id="cli-n-grid",
    ),
    pytest.param(
        "validate {config}",
        _with(tuning={"method": "grid", "n_jobs": 0, "space": {"max_depth": [2, 3]}}),
        None,
        r"tuning\.n_jobs",
        id="cli-n-jobs",
    ),
    pytest.param(
        "validate {config}",
        _with(tuning={"method": "grid", "space": {"min_samples_leaf": [0, 2]}}),
        None,
        r"tuning\.space\.min_samples_leaf",
        id="cli-space-value",
    ),
    pytest.param(
        "validate {config}",
        _with(scoring="rmse"),
        None,
        r"scoring.*rmse.*binary",
        id="cli-scoring-task",
    ),
    pytest.param(
        "validate {config}",
        _with(evaluation={"metrics": ["nope"]}),
        None,
        r"evaluation\.metrics",
        id="cli-eval-metrics",
    ),
    pytest.param(
        "validate {config}",
        _with(task="binary", data={"path": "{csv}", "target": "y", "groups": "patient"}),
        "multiclass",
        r"\btask\b",
        id="cli-task-binary-on-multiclass",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "groups": "patient"}),
        "nan_groups",
        r"data\.groups|patient",
        id="cli-nan-groups",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "groups": "patient"}),
        "one_class",
        r"data\.target.*single class \(0\)",
        id="cli-single-class",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "nope"}),
        "binary",
        r"data\.target",
        id="cli-target-missing",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "missing.csv", "target": "y"}),
        None,
        r"data\.path",
        id="cli-data-path",
    ),
    pytest.param(
        "run {config}", _with(cv={"n_splits": 1}), None, r"cv\.n_splits", id="cli-run-n-splits"
    ),
    pytest.param(
        "run {config}",
        _with(model={"estimator": "decision_tree", "params": {"nope": 1}}),
        None,
        r"model\.params\.nope|model\.params.*\['nope'\]",
        id="cli-run-model-param",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "groups": "patient"}),
        "one_positive_patient",
        r"holdout",
        id="cli-holdout-single-class",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "time": "day"}),
        "nan_time",
        r"data\.time|'day'",
        id="cli-nan-time",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "groups": "patient"}),
        "inf",
        r"'x2'.*infinite",
        id="cli-inf-column",
    ),
    pytest.param(
        "validate {config}",
        _with(data={"path": "{csv}", "target": "y", "features": ["x1", "nope"]}),
        "binary",
        r"data\.features.*nope",
        id="cli-features-missing",
    ),
    pytest.param(
        "validate {config}",
        _with(registry={"n_resamples": 5}),
        None,
        r"registry\.n_resamples",
        id="cli-n-resamples",
    ),
    pytest.param(
        "validate {config}",
        _with(holdout={"test_size": 1.5}),
        None,
        r"holdout\.test_size",
        id="cli-test-size",
    ),
    pytest.param(
        "monitor {config} --data missing.csv",
        TINY,
        None,
        r"--data.*missing\.csv",
        id="cli-monitor-missing-data",
    ),
    pytest.param(
        "tune {config} --storage journal.log --study s --trials 0",
        TINY,
        None,
        r"--trials",
        id="cli-tune-trials",
    ),
    pytest.param(
        "validate {config}",
        _with(tuning={"method": "grid", "space": {"nope": [1, 2]}}),
        None,
        r"tuning\.space.*nope",
        id="cli-space-unknown-param",
    ),
    pytest.param(
        "validate {config}",
        _with(model={"estimator": "decision_tre"}),
        None,
        r"model\.estimator='decision_tre'.*did you mean 'decision_tree'",
        id="cli-estimator-typo",
    ),
    pytest.param(
        "validate {config}",
        _with(sed=1),
        None,
        r"\bsed\b.*did you mean 'seed'",
        id="cli-unknown-key",
    ),
    pytest.param(
        "run {config}",
        _with(tuning={"method": "random", "space": {"max_depth": [2, 3]}}),
        None,
        r"tuning\.n_iter",
        id="cli-run-n-iter-missing",
    ),
    pytest.param(
        "validate {config}", "name: [unclosed", None, r"tiny\.yaml|line", id="cli-yaml-syntax"
    ),
]


def _fill(raw: Any, csv: str) -> Any:
    if isinstance(raw, dict):
        return {key: _fill(value, csv) for key, value in raw.items()}
    return csv if raw == "{csv}" else raw


@pytest.mark.parametrize(("command", "raw", "csv_kind", "names"), CLI_CASES)
def test_cli_refuses_bad_config_with_one_line_naming_the_key(
    sandbox: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    raw: Any,
    csv_kind: str | None,
    names: str,
) -> None:
    from mlkit.cli import main

    inputs = sandbox / "inputs"
    inputs.mkdir()
    csv = inputs / "data.csv"
    if csv_kind is not None:
        _csv_frame(csv_kind).to_csv(csv, index=False)
    path = inputs / "tiny.yaml"
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(_fill(raw, str(csv))))
    capsys.readouterr()
    before = _snapshot(sandbox)
    code = main(command.format(config=path).split())
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured
    assert len(lines) == 1 and lines[0].startswith("mlkit: error:"), captured.err
    assert re.search(names, lines[0]), lines[0]
    assert _snapshot(sandbox) == before


def test_cli_models_on_missing_store_creates_nothing(
    sandbox: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit.cli import main

    before = _snapshot(sandbox)
    code = main(["models", "tiny", "--store", str(sandbox / "no-store")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "no-store" in err[0], err
    assert _snapshot(sandbox) == before


def test_the_table_is_large_enough() -> None:
    assert len(CASES) + len(ID_CASES) + len(CLI_CASES) + 1 >= 70
