"""Tests of the pipeline's steps: one fold list, one task, natural units, a null run."""

from __future__ import annotations

import functools
import inspect
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import KFold, StratifiedGroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlkit.baselines
import mlkit.splits
import mlkit.tuning
from mlkit.cli import main
from mlkit.config import load_config
from mlkit.pipeline import prepare, run_pipeline
from mlkit.training import holdout_split

ROOT = Path(__file__).resolve().parents[1]


def _config(folder: Path, frame: pd.DataFrame, **extra: Any) -> Path:
    frame.to_csv(folder / "data.csv", index=False)
    raw: dict[str, Any] = {
        "name": "t",
        "data": {"path": "data.csv", "target": "y"},
        "model": {"estimator": "logistic_regression"},
        "tracking": {"enabled": False},
        "registry": {"enabled": False},
    }
    raw.update(extra)
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def _grouped_binary(n_groups: int = 50, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(n_groups), 3)
    x = rng.normal(size=groups.size)
    y = (x + rng.normal(scale=1.0, size=groups.size) > 0.3).astype(int)
    return pd.DataFrame({"x": x, "z": rng.normal(size=groups.size), "y": y, "g": groups})


def _spy(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: list) -> None:
    """Replace ``module.name`` by a wrapper that records (args, kwargs, result)."""
    original = getattr(module, name)

    @functools.wraps(original)
    def spy(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        calls.append((args, kwargs, result))
        return result

    monkeypatch.setattr(module, name, spy)


# --------------------------------------------------------------------------- item 2: one fold list


def test_pipeline_hands_one_fold_tuple_to_audit_tuning_and_baselines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned: list = []
    audited: list = []
    baselines: list = []
    nested: list = []
    _spy(monkeypatch, mlkit.tuning, "tune", tuned)
    _spy(monkeypatch, mlkit.splits, "audit_cv", audited)
    _spy(monkeypatch, mlkit.baselines, "compare_baselines", baselines)
    _spy(monkeypatch, mlkit.tuning, "nested_cv", nested)
    frame = _grouped_binary()
    path = _config(
        tmp_path, frame,
        data={"path": "data.csv", "target": "y", "groups": "g"},
        cv={"n_splits": 3},
        tuning={"method": "grid", "space": {"C": [0.1, 1.0]}},
        nested={"enabled": True, "outer_splits": 3, "inner_splits": 2},
    )  # fmt: skip
    result = run_pipeline(load_config(path))

    shared = tuned[0][1]["cv"]  # the pipeline's own tune call comes first
    assert isinstance(shared, tuple) and all(len(pair) == 2 for pair in shared)
    assert audited[0][0][0] is shared
    assert baselines[0][1]["cv"] is shared
    # the same folds as plain scikit-learn on the training rows
    split = holdout_split(frame["y"], groups=frame["g"], test_size=0.2, random_state=0)
    train = frame.iloc[split.train].reset_index(drop=True)
    expected = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0).split(
        train[["x", "z"]], train["y"], train["g"]
    )
    for (got_train, got_test), (want_train, want_test) in zip(shared, expected, strict=True):
        assert np.array_equal(got_train, want_train) and np.array_equal(got_test, want_test)
    assert "StratifiedGroupKFold" in result.cv_reason
    # nested CV: its outer folds are materialised once too, and given as pairs
    outer = nested[0][1]["outer_cv"]
    assert isinstance(outer, tuple) and len(outer) == 3
    expected = StratifiedGroupKFold(n_splits=3, shuffle=True, random_state=0).split(
        train[["x", "z"]], train["y"], train["g"]
    )
    for (_, got), (_, want), (_, used) in zip(
        outer, expected, nested[0][2].outer_folds, strict=True
    ):
        assert np.array_equal(got, want) and np.array_equal(used, want)


def test_pipeline_fixed_params_are_cross_validated_on_the_shared_folds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sklearn.model_selection

    scored: list = []
    audited: list = []
    _spy(monkeypatch, sklearn.model_selection, "cross_val_score", scored)
    _spy(monkeypatch, mlkit.splits, "audit_cv", audited)
    path = _config(tmp_path, _grouped_binary(),
                   data={"path": "data.csv", "target": "y", "groups": "g"},
                   cv={"n_splits": 3}, baselines={"enabled": False})  # fmt: skip
    run_pipeline(load_config(path))
    shared = audited[0][0][0]
    assert isinstance(shared, tuple) and len(shared) == 3
    assert scored[0][1]["cv"] is shared


def test_pipeline_time_ordered_nested_cv_never_trains_on_future_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tuned: list = []
    nested: list = []
    _spy(monkeypatch, mlkit.tuning, "tune", tuned)
    _spy(monkeypatch, mlkit.tuning, "nested_cv", nested)
    rng = np.random.default_rng(1)
    n = 160
    t = rng.permutation(n).astype(float)  # rows are not in time order
    x = rng.normal(size=n)
    # `tt` repeats the time as a feature, so every call's X tells each row's time
    frame = pd.DataFrame({"x": x, "tt": t, "t": t, "y": 2 * x + rng.normal(size=n)})
    path = _config(
        tmp_path, frame, model={"estimator": "ridge"},
        data={"path": "data.csv", "target": "y", "time": "t"}, cv={"n_splits": 3},
        tuning={"method": "grid", "space": {"alpha": [0.1, 10.0]}},
        nested={"enabled": True, "outer_splits": 3, "inner_splits": 2},
    )  # fmt: skip
    run_pipeline(load_config(path))

    assert len(nested) == 1 and len(tuned) == 1 + 3  # the search, then one per outer fold
    (args, _, outer_result) = nested[0]
    X_train = args[2]
    assert X_train["tt"].max() < frame["tt"].max() - 0.2 * n + 1  # the holdout is the future
    for train, test in outer_result.outer_folds:
        assert X_train["tt"].to_numpy()[train].max() < X_train["tt"].to_numpy()[test].min()
    for args, _, result in tuned:
        times = args[2]["tt"].to_numpy()
        assert len(result.folds) >= 2
        for train, test in result.folds:
            assert times[train].max() < times[test].min()


# --------------------------------------------------------------------------- item 3: task once


def _counts(n: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.5 + 0.4 * x))  # a count: few distinct integer values
    return pd.DataFrame({"x": x, "z": rng.normal(size=n), "y": y})


def test_declared_regression_on_counts_gets_kfold_type_folds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nested: list = []
    _spy(monkeypatch, mlkit.tuning, "nested_cv", nested)
    path = _config(
        tmp_path, _counts(), task="regression", model={"estimator": "ridge"},
        cv={"n_splits": 3}, tuning={"method": "grid", "space": {"alpha": [0.1, 10.0]}},
        nested={"enabled": True, "outer_splits": 3, "inner_splits": 2},
        baselines={"enabled": False},
    )  # fmt: skip
    assert main(["validate", str(path)]) == 0
    prepared = prepare(load_config(path))
    assert prepared.task == "regression" and prepared.folds.splitter == "KFold"
    assert prepared.outer is not None and prepared.outer.splitter == "KFold"
    assert main(["run", str(path), "--no-tracking"]) == 0
    out = capsys.readouterr().out
    assert "folds of KFold" in out and "Stratified" not in out
    assert nested[0][1]["inner_cv"] == 2 and nested[0][1]["task"] == "regression"
    # the folds are plain shuffled KFold on the training rows
    train = prepared.data.take(prepared.holdout.train)
    expected = KFold(n_splits=3, shuffle=True, random_state=0).split(train.X)
    for (_, got), (_, want) in zip(prepared.folds.folds, expected, strict=True):
        assert np.array_equal(got, want)


# --------------------------------------------------------------------------- item 4: natural units


def _regression(n: int = 150, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": 3 * X[:, 0] + rng.normal(size=n)})


def test_losses_are_reported_positive_with_lower_is_better(tmp_path: Path) -> None:
    frame = _regression()
    path = _config(tmp_path, frame, model={"estimator": "ridge", "params": {"alpha": 1.0}},
                   scoring="mae", baselines={"enabled": False})  # fmt: skip
    lines: list[str] = []
    result = run_pipeline(load_config(path), echo=lines.append)

    split = holdout_split(frame["y"], test_size=0.2, random_state=0)
    train, test = frame.iloc[split.train], frame.iloc[split.test]
    plain = -cross_val_score(
        make_pipeline(StandardScaler(), Ridge(alpha=1.0)), train[["a", "b"]], train["y"],
        cv=KFold(n_splits=5, shuffle=True, random_state=0), scoring="neg_mean_absolute_error",
    )  # fmt: skip
    np.testing.assert_allclose(result.cv_scores, plain, rtol=1e-6)
    holdout_mae = mean_absolute_error(test["y"], result.model.predict(test[["a", "b"]]))
    assert result.holdout_score == pytest.approx(holdout_mae)
    assert result.metric == "mae" and result.greater_is_better is False
    summary = result.summary()
    assert f"holdout mae: {holdout_mae:.4f} (lower is better)" in summary
    assert f"mae {np.mean(plain):.4f} +/- " in summary and "neg_" not in summary
    assert "-" not in re.sub(r"\+/- |[a-z_]+-[a-z]", "", summary.split("tracking")[0])
    said = "\n".join(lines)
    assert f"holdout mae {holdout_mae:.4f} (lower is better)" in said and "neg_" not in said


# --------------------------------------------------------------------------- item 5: validate


def _binary(n: int = 90) -> pd.DataFrame:
    frame = _grouped_binary(n_groups=n // 3)
    return frame


GRID_C = {"method": "grid", "space": {"C": [0.1, 1.0]}}
BAD = [
    ({"tuning": {**GRID_C, "n_jobs": 0}}, r"tuning\.n_jobs=0 must be null"),
    ({"tuning": {"method": "grid", "space": {"C": {"type": "float", "low": 0.1, "high": 1}}}},
     r"tuning\.space\.C is a float range, so tuning\.method='grid' needs .* add n_grid"),
    ({"tuning": {"method": "halving", "space": {"C": {"type": "float", "low": 0.1, "high": 1}}}},
     r"tuning\.space\.C is a float range, so tuning\.method='halving' needs .*n_grid"),
    ({"scoring": "rmse"}, r"scoring: scoring='rmse' is a regression metric, but the task is"),
    ({"evaluation": {"metrics": ["accuracyy"]}}, r"evaluation\.metrics contains 'accuracyy'"),
    ({"evaluation": {"metrics": ["rmse"]}}, r"evaluation\.metrics contains 'rmse'"),
    ({"cv": {"n_splits": 40}}, r"cv: cv\.n_splits=40 is greater than the number of groups"),
    ({"tuning": GRID_C, "nested": {"enabled": True, "outer_splits": 40}},
     r"nested: nested\.outer_splits=40 is greater than the number of groups"),
    ({"tuning": GRID_C, "nested": {"enabled": True, "outer_splits": 3, "inner_splits": 19}},
     r"nested: .*nested\.inner_splits=19"),
    ({"tuning": GRID_C, "nested": {"enabled": True, "outer_splits": 3, "inner_splits": 40}},
     r"nested: nested\.inner_splits=40 is greater than the number of groups"),
]  # fmt: skip


@pytest.mark.parametrize(("extra", "match"), BAD)
def test_validate_refuses_what_a_run_would_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: dict, match: str
) -> None:
    path = _config(tmp_path, _binary(), data={"path": "data.csv", "target": "y", "groups": "g"},
                   **extra)  # fmt: skip
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlkit: error: ") and err.count("\n") == 1, err
    assert re.search(match, err), err
    assert "grid_resolution" not in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


def test_validate_accepts_the_good_version_of_each_bad_config(tmp_path: Path) -> None:
    path = _config(
        tmp_path, _binary(), data={"path": "data.csv", "target": "y", "groups": "g"},
        scoring="log_loss", evaluation={"metrics": ["accuracy", "brier"]}, cv={"n_splits": 3},
        tuning={"method": "grid", "n_jobs": 1,
                "space": {"C": {"type": "float", "low": 0.1, "high": 1, "n_grid": 3}}},
        nested={"enabled": True, "outer_splits": 3, "inner_splits": 2},
    )  # fmt: skip
    assert main(["validate", str(path)]) == 0


# --------------------------------------------------------------------------- item 1: steps


def test_steps_use_one_null_run_and_no_tracking_branches() -> None:
    from mlkit import pipeline, pipeline_steps
    from mlkit.pipeline_steps import NoRun
    from mlkit.tracking import TrackedRun

    source = inspect.getsource(pipeline) + inspect.getsource(pipeline_steps)
    assert "run is not None" not in source and "run is None" not in source
    used = set(re.findall(r"\brun\.(\w+)\b", source))
    assert {"log_params", "log_metrics", "set_tags", "log_table", "log_figure"} <= used
    for name in used:
        assert hasattr(TrackedRun, name) or name in ("run_id", "store"), name
        assert hasattr(NoRun, name), name
        member = getattr(TrackedRun, name, None)
        if callable(member):  # same keyword names, so a step cannot call one wrongly
            assert set(inspect.signature(getattr(NoRun, name)).parameters) == set(
                inspect.signature(member).parameters
            ), name


def test_steps_return_typed_results(tmp_path: Path) -> None:
    import dataclasses

    from mlkit import pipeline_steps as steps

    path = _config(tmp_path, _regression(), model={"estimator": "ridge"}, scoring="rmse",
                   tuning={"method": "grid", "space": {"alpha": [0.1, 10.0]}})  # fmt: skip
    prepared = prepare(load_config(path))
    train, test = prepared.split()
    ctx = steps.StepContext(prepared, train, test, prepared.task, prepared.metric,
                            prepared.folds, prepared.outer, 0)  # fmt: skip
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.seed = 1  # type: ignore[misc]
    audit = steps.audit_step(ctx)
    tuned = steps.tuning_step(ctx)
    model = steps.fit_step(ctx, tuned.best_params)
    holdout = steps.holdout_step(ctx, model)
    for outcome in (audit, tuned, holdout):
        assert dataclasses.is_dataclass(outcome) and type(outcome).__dataclass_params__.frozen
    assert audit.n_splits == len(prepared.folds.folds) == 5
    assert len(tuned.cv_scores) == 5 and all(s > 0 for s in tuned.cv_scores)
    assert holdout.score > 0 and holdout.predictions.shape == (test.X.shape[0],)


def test_run_pipeline_records_nothing_without_tracking(tmp_path: Path) -> None:
    path = _config(tmp_path, _regression(), model={"estimator": "ridge"},
                   baselines={"enabled": False})  # fmt: skip
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_pipeline(load_config(path))
    assert result.run_id is None and result.model_version is None and result.decision is None
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# --------------------------------------------------------------------------- item 6: size


def test_pipeline_modules_stay_under_800_lines() -> None:
    for path in sorted((ROOT / "mlkit").glob("pipeline*.py")):
        assert len(path.read_text().splitlines()) <= 800, path.name
