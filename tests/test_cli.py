"""Tests of the command line and the end-to-end pipeline (mlkit.cli, mlkit.pipeline)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlkit.cli import main
from mlkit.config import config_from_dict, load_config
from mlkit.pipeline import load_data, run_pipeline
from mlkit.training import final_fit, holdout_split, make_estimator

TINY = {
    "name": "tiny",
    "seed": 0,
    "data": {"dataset": "patient_visits", "options": {"n_patients": 60, "random_state": 0}},
    "cv": {"n_splits": 3},
    "model": {
        "estimator": "hist_gradient_boosting",
        "params": {"max_iter": 15, "early_stopping": False},
    },
    "tuning": {"method": "grid", "space": {"max_leaf_nodes": [4, 8]}},
    "registry": {"margin": 0.0},
}


def _config_file(folder: Path, raw: object = None, name: str = "tiny.yaml") -> Path:
    path = folder / name
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw or TINY))
    return path


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "MLKIT_HOME")}
    env.update(MLKIT_CACHE_DIR=str(folder / "cache"), MPLBACKEND="Agg")
    return env


def _mlkit(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mlkit", *args],
        cwd=folder,
        env=_env(folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _client(store: Path):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    uri = f"sqlite:///{store / 'mlflow.db'}"
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_cli_run_twice_registers_two_versions_and_keeps_champion(tmp_path: Path) -> None:
    from mlkit.registry import list_versions

    config = _config_file(tmp_path)
    outputs = []
    for _ in range(2):
        process = _mlkit(tmp_path, "run", config.name)
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert err == ""  # nothing on stderr: no MLflow chatter, no warnings
        outputs.append(out)
    store = tmp_path / "mlkit-runs"  # default: ./mlkit-runs of the working directory
    assert (store / "mlflow.db").is_file() and (store / "artifacts").is_dir()
    assert f"tracking: sqlite:///{store.resolve()}/mlflow.db" in outputs[0]
    assert "version 1" in outputs[0] and "now champion" in outputs[0]
    assert "version 2" in outputs[1] and "champion stays version 1" in outputs[1]

    table = list_versions("tiny", store=store)
    assert table.index.tolist() == [1, 2]
    assert table.loc[1, "aliases"] == "champion" and table.loc[2, "aliases"] == "challenger"
    assert table["decision"].tolist() == ["promoted", "not promoted"]

    client = _client(store)
    runs = client.search_runs([client.get_experiment_by_name("tiny").experiment_id])
    assert sorted(r.info.status for r in runs) == ["FINISHED", "FINISHED"]
    first, second = sorted(runs, key=lambda r: r.info.start_time)
    # determinism: same config and seed give the same metrics and predictions
    assert first.data.metrics["holdout.roc_auc"] == second.data.metrics["holdout.roc_auc"]
    folder = [Path(r.info.artifact_uri.removeprefix("file://")) for r in (first, second)]
    predictions = [(f / "holdout" / "predictions.csv").read_text() for f in folder]
    assert predictions[0] == predictions[1]
    for expected in ("config/config.yaml", "config/tiny.yaml", "baselines/strategies.csv",
                     "split/cv_audit.csv", "tuning/results.csv", "plots/cv_folds.png",
                     "plots/holdout.png", "model/model.skops", "environment/packages.json"):  # fmt: skip
        assert (folder[0] / expected).is_file(), expected
    assert first.data.tags["mlkit.data_sha256"] == second.data.tags["mlkit.data_sha256"]
    assert first.data.params["config.cv.n_splits"] == "3"
    assert not (tmp_path / "mlruns").exists()

    assert main(["models", "tiny", "--store", str(store)]) == 0


@pytest.mark.slow
def test_cli_four_concurrent_runs_on_one_new_store(tmp_path: Path) -> None:
    config = _config_file(tmp_path)
    store = tmp_path / "shared"
    processes = [_mlkit(tmp_path, "run", config.name, "--store", str(store), "-q")
                 for _ in range(4)]  # fmt: skip
    results = [p.communicate(timeout=600) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
    client = _client(store)
    versions = client.search_model_versions("name = 'tiny'")
    assert sorted(int(v.version) for v in versions) == [1, 2, 3, 4]
    assert len({v.run_id for v in versions}) == 4
    runs = client.search_runs([client.get_experiment_by_name("tiny").experiment_id])
    assert [r.info.status for r in runs] == ["FINISHED"] * 4
    assert client.get_model_version_by_alias("tiny", "champion") is not None
    assert sum("now champion" in out for out, _ in results) == 1


def test_run_pipeline_is_deterministic_and_matches_plain_refit(tmp_path: Path) -> None:
    config = config_from_dict({**TINY, "tracking": {"enabled": False},
                               "registry": {"enabled": False}})  # fmt: skip
    first = run_pipeline(config)
    second = run_pipeline(config)
    assert np.array_equal(first.predictions, second.predictions)
    assert first.cv_scores == second.cv_scores and first.best_params == second.best_params
    assert first.run_id is None and first.model_version is None

    # the final model is a plain refit of the chosen configuration on the training rows
    data = load_data(config)
    split = holdout_split(data.y, groups=data.groups, test_size=0.2, random_state=0)
    assert np.array_equal(split.test, first.holdout.test)
    template = make_estimator("hist_gradient_boosting", task="binary", X=data.X,
                              params=TINY["model"]["params"], random_state=0)  # fmt: skip
    plain = final_fit(template, data.X.iloc[split.train], data.y.iloc[split.train],
                      params=first.best_params)  # fmt: skip
    expected = plain.predict_proba(data.X.iloc[split.test])[:, 1]
    assert np.array_equal(first.predictions, expected)
    assert "holdout roc_auc" in first.summary() and "tracking: off" in first.summary()


def test_run_pipeline_crash_marks_run_failed_and_registers_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlkit.registry
    import mlkit.tracking

    def broken_gate(*args: object, **kwargs: object) -> None:
        raise RuntimeError("gate crashed")

    monkeypatch.setenv("MLKIT_CACHE_DIR", str(tmp_path / "cache"))
    # the pipeline may import the gate from either module (tracking forwards to registry)
    monkeypatch.setattr(mlkit.tracking, "promote_if_better", broken_gate)
    monkeypatch.setattr(mlkit.registry, "promote_if_better", broken_gate)
    store = tmp_path / "store"
    with pytest.raises(RuntimeError, match="gate crashed"):
        run_pipeline(config_from_dict(TINY), store=str(store))
    client = _client(store)
    runs = client.search_runs([client.get_experiment_by_name("tiny").experiment_id])
    assert [r.info.status for r in runs] == ["FAILED"]
    assert client.search_model_versions("name = 'tiny'") == []


# --------------------------------------------------------------------------- bad input


BAD_CONFIGS = [
    ({**TINY, "sed": 1}, r"sed is not a valid key; did you mean 'seed'\?"),
    ({**TINY, "cv": {"n_splits": "three"}}, r"cv.n_splits must be an integer, got str"),
    ({**TINY, "data": {"path": "missing.csv", "target": "y"}}, r"missing.csv' does not exist"),
    ("name: x\ndata: [unclosed\n", r"not valid YAML at line"),
    ({**TINY, "tuning": {"method": "grid", "space": {"max_leaf_node": [4]}}},
     r"tuning.space.max_leaf_node is not a parameter .* did you mean 'max_leaf_nodes'"),
    ({**TINY, "model": {"estimator": "ridge"}}, r"'ridge' does not support a binary target"),
    ({**TINY, "scoring": "rmsee"}, r"scoring: scoring='rmsee' is not a known metric"),
    ({**TINY, "data": {"dataset": "patient_visits", "options": {"n_patient": 5}}},
     r"data.options for 'patient_visits'"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "match"), BAD_CONFIGS)
def test_cli_bad_config_exits_2_with_one_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: object, match: str
) -> None:
    import re

    path = _config_file(tmp_path, raw)
    for command in ("validate", "run"):
        assert main([command, str(path), "--no-tracking"] if command == "run"
                    else [command, str(path)]) == 2  # fmt: skip
        err = capsys.readouterr().err
        assert err.startswith("mlkit: error: ") and re.search(match, err), err
        assert "Traceback" not in err and err.count("\n") == 1


def test_cli_csv_config_with_unknown_column(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pd.DataFrame({"a": [1.0, 2.0] * 20, "label": [0, 1] * 20}).to_csv(tmp_path / "d.csv")
    path = _config_file(tmp_path, {"name": "csv", "data": {"path": "d.csv", "target": "labl"}})
    assert main(["validate", str(path)]) == 2
    assert "column 'labl' is not in the data; did you mean 'label'?" in capsys.readouterr().err


def test_cli_bad_config_in_a_subprocess_prints_no_traceback(tmp_path: Path) -> None:
    path = _config_file(tmp_path, {**TINY, "tunning": {}})
    process = _mlkit(tmp_path, "run", path.name)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 2
    assert err == f"mlkit: error: {path.name}: tunning is not a valid key; did you mean " \
                  f"'tuning'? valid keys here: name, data, seed, task, scoring, threads, " \
                  f"holdout, cv, model, tuning, nested, baselines, evaluation, tracking, registry.\n"  # fmt: skip
    assert out == ""


def test_cli_validate_accepts_shipped_config(capsys: pytest.CaptureFixture[str]) -> None:
    path = Path(__file__).resolve().parents[1] / "configs" / "pbcseq.yaml"
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out and "binary" in out and "average_precision" in out


def test_cli_models_unknown_name_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    os.environ.setdefault("MLKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["models", "nope", "--store", str(tmp_path / "s")]) == 2
    assert "no registered model named 'nope'" in capsys.readouterr().err


def test_cli_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "mlkit 0." in capsys.readouterr().out


def test_load_config_of_shipped_pbcseq_is_small_budget() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "configs" / "pbcseq.yaml")
    assert config.tuning.n_iter is not None and config.tuning.n_iter <= 10
    assert config.nested.enabled is True  # the estimate chapter 8 quotes


@pytest.mark.slow
def test_shipped_pbcseq_config_runs_chapter_8_procedure() -> None:
    """`mlkit run configs/pbcseq.yaml` tunes and estimates what chapter 8 does by hand."""
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    from mlkit.datasets import load_pbcseq
    from mlkit.pipeline import run_pipeline
    from mlkit.space import Int
    from mlkit.training import holdout_split
    from mlkit.tuning import nested_cv, tune

    config = load_config(Path(__file__).resolve().parents[1] / "configs" / "pbcseq.yaml")
    result = run_pipeline(config, tracking=False)

    pbc = load_pbcseq()  # chapter 8's cells, verbatim in substance
    split = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    X_train, y_train = pbc.X.iloc[split.train], pbc.y.iloc[split.train]
    groups_train = pbc.groups.iloc[split.train]
    model = Pipeline([("impute", SimpleImputer(strategy="median")),
                      ("tree", DecisionTreeClassifier(random_state=0))])  # fmt: skip
    space = {"tree__max_depth": Int(2, 12).grid(4),
             "tree__min_samples_leaf": Int(1, 200, log=True).grid(3)}  # fmt: skip
    procedure = dict(method="random", n_iter=10, cv=3, scoring="average_precision",
                     random_state=0)  # fmt: skip
    search = tune(model, space, X_train, y_train, groups=groups_train, **procedure)
    by_hand = {k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
    assert {k.split("__", 1)[1]: v for k, v in result.best_params.items()} == by_hand
    nested = nested_cv(model, space, X_train, y_train, groups=groups_train,
                       inner_cv=procedure.pop("cv"), **procedure)  # fmt: skip
    assert result.nested_score == pytest.approx(nested.mean_score)


def test_pipeline_nested_inner_cv_never_trains_on_the_future() -> None:
    import numpy as np
    import pandas as pd

    from mlkit.splits import materialise_folds

    rng = np.random.default_rng(0)
    time = pd.Series(rng.permutation(200), index=np.arange(200) + 1000)
    X = pd.DataFrame({"x": rng.normal(size=200)}, index=time.index)
    outer_train = X.sample(150, random_state=0)  # one outer training part
    y = pd.Series(np.tile([0.5, 1.5, 2.5], 50), index=outer_train.index)
    t = time.loc[outer_train.index]
    # what nested_cv does with the pipeline's int inner_cv on an outer training part
    for train, test in materialise_folds(3, outer_train, y, time=t):
        assert t.iloc[train].max() <= t.iloc[test].min()


def test_pipeline_baselines_can_be_disabled() -> None:
    from mlkit.config import config_from_dict
    from mlkit.pipeline import run_pipeline

    config = config_from_dict({**TINY, "baselines": {"enabled": False}})
    result = run_pipeline(config, tracking=False)
    assert result.baseline_summary is None and "baselines" not in result.timings
    assert run_pipeline(config_from_dict(TINY), tracking=False).baseline_summary


# --------------------------------------------------------------------------- signals, runs


@pytest.mark.slow
def test_cli_sigterm_marks_the_run_failed_and_exits_143(tmp_path: Path) -> None:
    import signal
    import time

    config = _config_file(tmp_path)
    store = tmp_path / "store"
    process = _mlkit(tmp_path, "run", config.name, "--store", str(store))
    assert process.stdout is not None
    for line in process.stdout:  # the run exists once tracking has started
        if line.startswith("- cv:"):
            break
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert err.startswith("mlkit: error: terminated (SIGTERM)") and "Traceback" not in err
    client = _client(store)
    runs = client.search_runs([client.get_experiment_by_name("tiny").experiment_id])
    assert [r.info.status for r in runs] == ["FAILED"]
    assert client.search_model_versions("name = 'tiny'") == []
    assert not list(store.rglob(".*.partial-*"))


def test_cli_runs_lists_and_marks_stale(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import socket

    from mlkit.tracking import start_run

    os.environ.setdefault("MLKIT_CACHE_DIR", str(tmp_path / "cache"))
    store = tmp_path / "store"
    with start_run("cli-runs", store=store, run_name="fine"):
        pass
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    client = _client(store)
    exp = client.get_experiment_by_name("cli-runs").experiment_id
    killed = client.create_run(exp, run_name="killed",
                               tags={"mlkit.pid": str(dead.pid),
                                     "mlkit.host": socket.gethostname()}).info.run_id  # fmt: skip
    assert main(["runs", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert "2 run(s)" in out and "RUNNING" in out and "fine" in out
    assert main(["runs", "--mark-stale", "--store", str(store)]) == 0
    out = capsys.readouterr().out
    assert f"marked 1 stale run(s) FAILED: {killed}" in out and "RUNNING" not in out
    assert client.get_run(killed).info.status == "FAILED"


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["runs", "--older-than", "5"], r"--older-than only applies with --mark-stale"),
        (["runs", "--limit", "0"], r"--limit must be a positive number"),
        (["runs", "--mark-stale", "--older-than", "-1"], r"older_than must be a number"),
    ],
)
def test_cli_runs_bad_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], match: str
) -> None:
    import re

    os.environ.setdefault("MLKIT_CACHE_DIR", str(tmp_path / "cache"))
    assert main([*args, "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlkit: error: ") and re.search(match, err), err


def test_sigterm_swallowed_in_a_finalizer_is_raised_again() -> None:
    """A SIGTERM landing in ``__del__`` (where Python ignores exceptions) is not lost."""
    import signal
    import time

    from mlkit.cli import Terminated, _sigterm_as_interrupt

    class Finalised:
        def __del__(self) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(10_000):  # the handler runs in here, inside __del__
                pass

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Terminated), _sigterm_as_interrupt():
        Finalised()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            time.sleep(0.01)
    assert signal.getsignal(signal.SIGTERM) is before
    # the cleanup watchdog is cancelled with the context: it must not end this process
    import threading

    timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer)]
    assert all(t.finished.is_set() for t in timers)


def test_a_terminated_run_whose_cleanup_hangs_exits_143_after_the_watchdog() -> None:
    import subprocess
    import sys
    import time

    code = (
        "import time\n"
        "from mlkit.cli import _cleanup_watchdog\n"
        "_cleanup_watchdog(0.2)\n"
        "time.sleep(30)  # a cleanup stuck on a lock\n"
    )
    began = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 143
    assert time.perf_counter() - began < 20
    assert "mlkit runs --mark-stale" in done.stderr.splitlines()[-1]
