"""mlkit against real servers: MLflow on PostgreSQL, a shared Optuna study, a Dask cluster.

Every server is started here as a subprocess on a free 127.0.0.1 port (mlkit.servers)
and stopped at the end of the module, pass or fail. These tests run in their own
``make servers`` step (not under xdist). They skip, with the reason printed in the
summary, only when PostgreSQL is not installed or cannot start; with
``MLKIT_REQUIRE_SERVERS=1`` (set by ``.ci/run``) that is a failure instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import yaml
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import KFold, cross_val_score, cross_validate
from sklearn.tree import DecisionTreeClassifier

from mlkit.servers import (
    DaskCluster,
    LocalPostgres,
    LocalService,
    ServiceError,
    find_postgres,
    free_port,
    start_dask_cluster,
    start_postgres,
    start_tracking_server,
)

pytestmark = pytest.mark.server

HGB_TYPE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
RUN_CONFIG = {
    "name": "team",
    "seed": 0,
    "data": {"dataset": "patient_visits", "options": {"n_patients": 50, "random_state": 0}},
    "cv": {"n_splits": 3},
    "model": {
        "estimator": "hist_gradient_boosting",
        "params": {"max_iter": 10, "early_stopping": False},
    },
    "registry": {"margin": 0.0},
}
TUNE_CONFIG = {
    **RUN_CONFIG,
    "name": "team-tune",
    "tuning": {
        "method": "bayes",
        "n_iter": 4,
        "space": {
            "max_leaf_nodes": {"type": "int", "low": 3, "high": 15},
            "learning_rate": {"type": "float", "low": 0.05, "high": 0.5, "log": True},
        },
    },
}


def _unavailable(reason: str) -> None:
    if os.environ.get("MLKIT_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{reason} (MLKIT_REQUIRE_SERVERS=1: the server tests must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def postgres() -> Iterator[LocalPostgres]:
    if find_postgres() is None:
        _unavailable(
            "PostgreSQL is not installed (no initdb); install Debian's postgresql package "
            "(.ci/run does it)"
        )
    try:
        server = start_postgres(["mlflow", "optuna"])
    except ServiceError as error:
        _unavailable(f"PostgreSQL could not be started: {error}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def tracking(postgres: LocalPostgres) -> Iterator[LocalService]:
    server = start_tracking_server(postgres.database_url("mlflow"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("servers")
    (folder / "run.yaml").write_text(yaml.safe_dump(RUN_CONFIG))
    (folder / "tune.yaml").write_text(yaml.safe_dump(TUNE_CONFIG))
    return folder


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "MLKIT_HOME")}
    env.update(MLKIT_CACHE_DIR=str(folder / "cache"), MPLBACKEND="Agg", **extra)
    return env


def _mlkit(folder: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mlkit", *args],
        cwd=folder,
        env=_env(folder, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _client(uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=uri, registry_uri=uri)


# --------------------------------------------------------------------------- tracking server


def test_tracking_server_four_concurrent_runs_give_four_versions_and_one_champion(
    tracking: LocalService, work: Path
) -> None:
    processes = [_mlkit(work, "run", "run.yaml", "-q", MLFLOW_TRACKING_URI=tracking.url)
                 for _ in range(4)]  # fmt: skip
    results = [p.communicate(timeout=600) for p in processes]
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err
        assert err == ""
    assert not (work / "mlkit-runs").exists() and not (work / "mlruns").exists()

    client = _client(tracking.url)
    experiment = client.get_experiment_by_name("team")
    runs = client.search_runs([experiment.experiment_id])
    assert sorted(r.info.status for r in runs) == ["FINISHED"] * 4  # none lost, none doubled
    versions = client.search_model_versions("name = 'team'")
    assert sorted(int(v.version) for v in versions) == [1, 2, 3, 4]
    assert sorted(v.run_id for v in versions) == sorted(r.info.run_id for r in runs)
    decisions = {int(v.version): v.tags["mlkit.gate.decision"] for v in versions}
    assert sorted(decisions.values()) == ["not promoted"] * 3 + ["promoted"]
    champion = client.get_model_version_by_alias("team", "champion")
    assert decisions[int(champion.version)] == "promoted"
    assert sum("now champion" in out for out, _ in results) == 1
    # artifacts went through the server (--serve-artifacts), not to a local folder
    assert all(r.info.artifact_uri.startswith("mlflow-artifacts:") for r in runs)
    names = [a.path for a in client.list_artifacts(runs[0].info.run_id, "model")]
    assert "model/model.skops" in names
    # the lock model used to serialise the gate is gone again
    assert [m.name for m in client.search_registered_models()] == ["team"]


def test_model_registered_through_server_loads_through_server_with_same_trust_rules(
    tracking: LocalService, work: Path
) -> None:
    from mlkit.config import config_from_dict
    from mlkit.pipeline import load_data
    from mlkit.registry import UntrustedTypesError, load_model
    from mlkit.training import holdout_split

    if not _client(tracking.url).search_model_versions("name = 'team'"):
        pytest.skip("needs the model registered by the concurrent-runs test")
    with pytest.raises(UntrustedTypesError, match="TreePredictor"):
        load_model("team", alias="champion", store=tracking.url)
    model = load_model("team", alias="champion", store=tracking.url, trust_recorded_types=True)
    same = load_model("team", alias="champion", store=tracking.url, trusted=[HGB_TYPE])
    # the predictions the run logged (from the in-memory model) equal the loaded model's
    champion = _client(tracking.url).get_model_version_by_alias("team", "champion")
    logged = _client(tracking.url).download_artifacts(
        champion.run_id, "holdout/predictions.csv", str(work / "download")
    )
    data = load_data(config_from_dict(RUN_CONFIG))
    split = holdout_split(data.y, groups=data.groups, test_size=0.2, random_state=0)
    X_test = data.X.iloc[split.test]
    expected = pd.read_csv(logged)["prediction"].to_numpy()
    np.testing.assert_allclose(model.predict_proba(X_test)[:, 1], expected, rtol=1e-12)
    np.testing.assert_array_equal(same.predict_proba(X_test), model.predict_proba(X_test))


def test_cli_models_lists_the_server_registry(
    tracking: LocalService, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit.cli import main

    if not _client(tracking.url).search_model_versions("name = 'team'"):
        pytest.skip("needs the model registered by the concurrent-runs test")
    assert main(["models", "team", "--store", tracking.url]) == 0
    out = capsys.readouterr().out
    assert f"model 'team' in {tracking.url}" in out
    assert out.count("not promoted") == 3 and "champion" in out


def test_unreachable_server_fails_fast_with_a_clear_message(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit.cli import main

    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    start = time.perf_counter()
    assert main(["models", "team", "--store", url]) == 2
    assert main(["run", str(work / "run.yaml"), "--store", url, "-q"]) == 1
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err
    assert err.count(f"the MLflow tracking server at {url} is unreachable") == 2
    # MLflow's own retries would take minutes before giving up
    assert elapsed < 60, elapsed


# --------------------------------------------------------------------------- shared study


@pytest.mark.parametrize("kind", ["postgresql", "journal"])
def test_shared_study_two_workers_ten_trials_each_hold_twenty_trials_on_the_same_folds(
    postgres: LocalPostgres, work: Path, kind: str
) -> None:
    import optuna

    from mlkit.config import config_from_dict
    from mlkit.pipeline import prepare
    from mlkit.splits import choose_cv
    from mlkit.training import holdout_split

    storage = postgres.database_url("optuna") if kind == "postgresql" else str(work / "study.jsonl")
    study = f"shared-{kind}"
    workers = [_mlkit(work, "tune", "tune.yaml", "--storage", storage, "--study", study,
                      "--trials", "10", "--seed", str(seed)) for seed in (1, 2)]  # fmt: skip
    outputs = [w.communicate(timeout=600) for w in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err
        assert err == ""
    assert any("20 finished trials" in out for out, _ in outputs)  # the later one sees all

    if kind == "journal":
        from optuna.storages.journal import JournalFileBackend

        loaded = optuna.load_study(
            study_name=study, storage=optuna.storages.JournalStorage(JournalFileBackend(storage))
        )
    else:
        loaded = optuna.load_study(study_name=study, storage=storage)
    trials = loaded.get_trials(deepcopy=False)
    complete = [t for t in trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(trials) == len(complete) == 20
    assert sorted(t.number for t in complete) == list(range(20))
    assert set(loaded.user_attrs) >= {"mlkit.data_sha256", "mlkit.folds_sha256"}

    # each trial's fold scores are cross_val_score on the config's training folds
    prepared = prepare(config_from_dict(TUNE_CONFIG))
    data = prepared.data
    split = holdout_split(data.y, groups=data.groups, test_size=0.2, random_state=0)
    train = data.take(split.train)
    folds = list(choose_cv(train.y, groups=train.groups, n_splits=3, random_state=0)
                 .split(train.X, train.y, train.groups))  # fmt: skip
    for trial in (complete[0], complete[-1]):
        model = clone(prepared.estimator).set_params(**trial.params)
        expected = cross_val_score(model, train.X, train.y, cv=folds, scoring="roc_auc")
        np.testing.assert_allclose(trial.user_attrs["fold_scores"], expected, rtol=1e-12)


def test_shared_study_refuses_a_worker_with_other_data_or_folds(postgres: LocalPostgres) -> None:
    from mlkit.tuning import tune

    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    common = {"method": "bayes", "n_iter": 1, "storage": postgres.database_url("optuna"),
              "study_name": "guarded"}  # fmt: skip
    tree = DecisionTreeClassifier(random_state=0)
    space = {"max_depth": [1, 2, 3]}
    tune(tree, space, X, y, cv=folds, **common)
    with pytest.raises(ValueError, match=r"other data \(X, y\).*same X, y and folds"):
        tune(tree, space, X + 1.0, y, cv=folds, **common)
    other = list(KFold(3, shuffle=True, random_state=1).split(X))
    with pytest.raises(ValueError, match=r"other folds: its checksum"):
        tune(tree, space, X, y, cv=other, **common)
    again = tune(tree, space, X, y, cv=folds, random_state=1, **common)
    assert again.n_candidates == 2  # the refused workers added nothing


def test_plain_postgresql_url_uses_psycopg3(postgres: LocalPostgres) -> None:
    from mlkit.tuning import tune

    X, y = make_classification(n_samples=90, n_features=4, random_state=1)
    url = postgres.database_url("optuna", driver=None)
    assert url.startswith("postgresql://")
    result = tune(DecisionTreeClassifier(random_state=0), {"max_depth": [1, 2]}, X, y,
                  method="bayes", n_iter=2, storage=url, study_name="plain-url")  # fmt: skip
    assert result.n_candidates == 2


# --------------------------------------------------------------------------- Dask cluster


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[DaskCluster]:
    cluster = start_dask_cluster(2)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def dask_client(dask_cluster: DaskCluster) -> Iterator[Any]:
    from distributed import Client

    with Client(dask_cluster.address) as client:
        yield client


@pytest.fixture(scope="module")
def tuning_data() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(n_samples=300, n_features=8, n_informative=4, random_state=0)


SPACE = {"max_depth": [2, 3, 4, 6], "min_samples_leaf": [1, 5, 20]}


@pytest.mark.parametrize(("method", "n_iter"), [("grid", None), ("bayes", 5)])
def test_dask_cluster_tuning_equals_n_jobs_1_and_runs_on_both_workers(
    dask_client: Any, tuning_data: tuple[np.ndarray, np.ndarray], method: str, n_iter: Any
) -> None:
    from distributed import get_task_stream

    from mlkit.tuning import tune

    X, y = tuning_data
    tree = DecisionTreeClassifier(random_state=0)
    sequential = tune(tree, SPACE, X, y, method=method, n_iter=n_iter, n_jobs=1)
    with get_task_stream(dask_client) as stream, joblib.parallel_config(backend="dask"):
        on_cluster = tune(tree, SPACE, X, y, method=method, n_iter=n_iter, n_jobs=-1)
    columns = [c for c in sequential.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(on_cluster.results_[columns], sequential.results_[columns])
    assert on_cluster.best_params_ == sequential.best_params_
    workers = {task["worker"] for task in stream.data}
    assert len(workers) == 2, workers  # the fits ran on both worker processes


def test_dask_cluster_cross_validation_equals_n_jobs_1(
    dask_client: Any, tuning_data: tuple[np.ndarray, np.ndarray]
) -> None:
    X, y = tuning_data
    tree = DecisionTreeClassifier(max_depth=3, random_state=0)
    cv = KFold(5, shuffle=True, random_state=0)
    expected = cross_validate(tree, X, y, cv=cv, scoring="roc_auc", n_jobs=1)["test_score"]
    with joblib.parallel_config(backend="dask"):
        got = cross_validate(tree, X, y, cv=cv, scoring="roc_auc", n_jobs=-1)["test_score"]
    np.testing.assert_array_equal(got, expected)


def test_cli_run_with_scheduler_runs_the_fits_on_the_cluster_with_the_same_result(
    dask_cluster: DaskCluster, dask_client: Any, work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from distributed import get_task_stream

    from mlkit.cli import main

    config = str(work / "tune.yaml")  # bayes search, 4 trials x 3 folds
    assert main(["run", config, "--no-tracking", "-q"]) == 0
    local = capsys.readouterr().out
    with get_task_stream(dask_client) as stream:
        assert (
            main(["run", config, "--no-tracking", "-q", "--scheduler", dask_cluster.address]) == 0
        )
    remote = capsys.readouterr().out
    assert remote == local  # same folds, same chosen parameters, same scores
    assert len(stream.data) >= 4 * 3  # at least every tuning fit ran on the cluster


def test_killing_a_dask_worker_mid_tuning_still_completes_with_identical_results(
    tuning_data: tuple[np.ndarray, np.ndarray],
) -> None:
    from distributed import Client

    from mlkit.tuning import tune

    X, y = tuning_data
    tree = DecisionTreeClassifier(random_state=0)
    space = {"max_depth": [2, 3, 4, 5, 6, 8], "min_samples_leaf": [1, 2, 5, 10, 20]}
    sequential = tune(tree, space, X, y, method="grid", cv=10, n_jobs=1)
    with start_dask_cluster(2) as cluster, Client(cluster.address) as client:
        outcome: dict[str, Any] = {}

        def search() -> None:
            try:
                with joblib.parallel_config(backend="dask"):
                    outcome["result"] = tune(tree, space, X, y, method="grid", cv=10, n_jobs=-1)
            except BaseException as error:  # re-raised below
                outcome["error"] = error

        thread = threading.Thread(target=search)
        thread.start()
        victim = cluster.worker_processes[0]
        deadline = time.monotonic() + 120
        while thread.is_alive() and time.monotonic() < deadline:
            busy = client.processing()
            names = {a: w["name"] for a, w in client.scheduler_info()["workers"].items()}
            if any(names.get(a) == "worker-0" and keys for a, keys in busy.items()):
                break
            time.sleep(0.02)
        assert thread.is_alive(), "the search ended before a worker could be killed"
        cluster.kill_worker(0)
        assert victim.poll() is not None
        thread.join(timeout=300)
        assert "error" not in outcome, outcome.get("error")
        # one worker finished the job: Dask rescheduled the dead worker's fits, and tune
        # reran the batch whose scattered data died with it (see the next test)
        assert len(client.scheduler_info()["workers"]) == 1
    result = outcome["result"]
    columns = [c for c in sequential.results_.columns if c not in ("fit_time", "score_time")]
    pd.testing.assert_frame_equal(result.results_[columns], sequential.results_[columns])


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: start_postgres(["bad name"]), r"databases must be names"),
        (lambda: start_postgres(port=80), r"port must be an int in 1024\.\.65535"),
        (lambda: start_tracking_server("mlflow.db"), r"backend_store_uri must be a database URL"),
        (lambda: start_tracking_server("sqlite:///x.db", workers=0), r"workers must be"),
        (lambda: start_dask_cluster(0), r"n_workers must be a positive int"),
        (lambda: start_dask_cluster(2, timeout=-1), r"timeout must be a number of seconds"),
    ],
)
def test_servers_bad_input_raises_value_error(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_cli_tune_bad_input_exits_2_with_one_message(
    work: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit.cli import main

    args = ["tune", str(work / "tune.yaml"), "--storage", str(work / "bad.jsonl"), "--study", "s"]
    assert main([*args, "--trials", "0"]) == 2
    assert "--trials must be a positive number of trials, got 0" in capsys.readouterr().err
    (work / "empty.yaml").write_text(yaml.safe_dump({**RUN_CONFIG, "name": "empty"}))
    assert main(["tune", str(work / "empty.yaml"), "--storage", "x.jsonl", "--study", "s",
                 "--trials", "1"]) == 2  # fmt: skip
    assert "tuning.space is empty" in capsys.readouterr().err
