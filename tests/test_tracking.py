"""Tests of mlkit.tracking: stores, runs, logging, stale runs (the registry: test_registry)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate

from mlkit.datasets import make_patient_visits
from mlkit.registry import register_model
from mlkit.tracking import (
    TrackedRun,
    data_checksum,
    flatten,
    list_runs,
    log_cv_result,
    mark_stale_runs,
    resolve_store,
    start_run,
    store_lock,
)

HGB_TYPE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One SQLite store shared by the module (each test uses its own model name)."""
    folder = tmp_path_factory.mktemp("store")
    previous = os.environ.get("MLKIT_CACHE_DIR")
    os.environ["MLKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield folder
    if previous is None:
        os.environ.pop("MLKIT_CACHE_DIR", None)
    else:
        os.environ["MLKIT_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    cohort = make_patient_visits(80, random_state=0)
    holdout = make_patient_visits(40, random_state=1)  # new patients
    return cohort.X, cohort.y, holdout.X, holdout.y


def _client(store: Path):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    uri = resolve_store(store).tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


# --------------------------------------------------------------------------- stores


def test_resolve_store_folder_puts_db_and_artifacts_side_by_side(tmp_path: Path) -> None:
    got = resolve_store(tmp_path / "runs")
    assert got.tracking_uri == f"sqlite:///{(tmp_path / 'runs').resolve()}/mlflow.db"
    assert got.artifact_location == (tmp_path / "runs" / "artifacts").resolve().as_uri()
    assert got.is_local


def test_resolve_store_default_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLKIT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_store().root == (tmp_path / "mlkit-runs").resolve()
    monkeypatch.setenv("MLKIT_HOME", str(tmp_path / "home"))
    assert resolve_store().root == (tmp_path / "home").resolve()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    server = resolve_store()
    assert server.tracking_uri == "http://tracking.example:5000" and server.root is None
    assert resolve_store(tmp_path / "x").root == (tmp_path / "x").resolve()  # explicit wins


@pytest.mark.parametrize(
    ("store", "match"),
    [
        ("", r"store is an empty string"),
        ("file:///tmp/mlruns", r"file store"),
        (3, r"store must be a folder path or a tracking URI"),
    ],
)
def test_resolve_store_rejects_bad_input(store: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_store(store)  # type: ignore[arg-type]


def test_resolve_store_rejects_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match=r"is a file"):
        resolve_store(tmp_path / "f")


def test_store_lock_is_reentrant(tmp_path: Path) -> None:
    with store_lock(tmp_path), store_lock(tmp_path):
        assert (tmp_path / ".mlkit.lock").exists()


# --------------------------------------------------------------------------- values


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.text("abc", min_size=1, max_size=3),
        st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)),
        max_size=5,
    )
)
def test_flatten_keeps_every_leaf_as_a_string(data: dict) -> None:
    flat = flatten({"outer": data})
    assert len(flat) == len(data) or not data
    assert all(isinstance(v, str) for v in flat.values())
    for key, value in data.items():
        expected = value if isinstance(value, str) else str(value).replace("'", '"')
        assert flat[f"outer.{key}"] == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=30))
def test_data_checksum_sees_order_and_values(values: list[float]) -> None:
    frame = pd.DataFrame({"x": values})
    assert data_checksum(frame) == data_checksum(frame.copy())
    changed = frame.assign(x=frame["x"] + 1.0)
    if not np.array_equal(changed["x"].to_numpy(), frame["x"].to_numpy()):
        assert data_checksum(changed) != data_checksum(frame)
    reversed_ = frame.iloc[::-1].reset_index(drop=True)
    if not np.array_equal(reversed_["x"].to_numpy(), frame["x"].to_numpy()):
        assert data_checksum(reversed_) != data_checksum(frame)
    assert data_checksum(frame.rename(columns={"x": "y"})) != data_checksum(frame)


# --------------------------------------------------------------------------- runs


def test_start_run_logs_and_finishes(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(store.parent)  # artifacts must not depend on the working directory
    with start_run("t-finish", store=store, run_name="ok") as run:
        run.log_params({"cv": {"n_splits": 5}, "space": {"C": [0.1, 1.0]}})
        run.log_metrics({"auc": 0.75, "skipped": float("nan")})
        run.log_table(pd.DataFrame({"a": [1, 2]}), "tables/a.csv")
        run.log_dict({"k": [1, 2]}, "config/c.yaml")
        run.log_environment()
    got = _client(store).get_run(run.run_id)
    assert got.info.status == "FINISHED"
    assert got.data.params["cv.n_splits"] == "5"
    assert got.data.params["space.C"] == "[0.1, 1.0]"
    assert got.data.metrics == {"auc": 0.75}
    assert "version.scikit-learn" in got.data.params
    artifacts = Path(got.info.artifact_uri.removeprefix("file://"))
    assert artifacts.is_relative_to(store)
    assert (artifacts / "tables" / "a.csv").read_text().splitlines()[1] == "0,1"
    assert not list(artifacts.rglob("*.partial-*"))
    assert not (store.parent / "mlruns").exists()


def test_start_run_marks_failed_unregisters_and_reraises(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    model = LogisticRegression().fit(X, y)
    with pytest.raises(RuntimeError, match="boom"), start_run("t-fail", store=store) as run:
        info = register_model(model, run, name="t-fail-model")
        assert info.version == "1"
        raise RuntimeError("boom")
    client = _client(store)
    assert client.get_run(run.run_id).info.status == "FAILED"
    assert client.search_model_versions("name = 't-fail-model'") == []


def test_a_failed_run_leaves_no_half_copied_artifact(
    store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from mlkit import tracking

    local = tmp_path / "plot.png"
    local.write_bytes(b"png" * 1000)

    def copy_then_interrupt(source: Path, target: Path) -> None:
        Path(target).write_bytes(b"half")  # the copy had begun when the signal landed
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), start_run("t-partial", store=store) as run:
        monkeypatch.setattr(tracking.shutil, "copyfile", copy_then_interrupt)
        run.log_file(local, artifact_path="plots")
    monkeypatch.setattr(tracking.shutil, "copyfile", shutil.copyfile)
    # and a partial file some other interrupted step left: the crash path removes it too
    with pytest.raises(RuntimeError), start_run("t-partial", store=store) as run:
        uri = _client(store).get_run(run.run_id).info.artifact_uri
        folder = Path(uri.removeprefix("file://")) / "plots"
        folder.mkdir(parents=True)
        (folder / ".plot.png.partial-1").write_bytes(b"half")
        raise RuntimeError("boom")
    assert not list(store.rglob(".*.partial-*"))


def test_start_run_rejects_empty_experiment(store: Path) -> None:
    with pytest.raises(ValueError, match=r"experiment must be a non-empty name"):
        with start_run("  ", store=store):
            pass


def test_log_cv_result_logs_each_fold(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    result = cross_validate(LogisticRegression(), X, y, cv=3, scoring="roc_auc")
    with start_run("t-cv", store=store) as run:
        log_cv_result(run, result, prefix="cv")
    history = _client(store).get_metric_history(run.run_id, "cv.fold_score")
    got = [m.value for m in sorted(history, key=lambda m: m.step)]
    assert np.allclose(got, result["test_score"])
    metrics = _client(store).get_run(run.run_id).data.metrics
    assert metrics["cv.mean_score"] == pytest.approx(np.mean(result["test_score"]))
    with (
        pytest.raises(ValueError, match=r"without 'test_score'"),
        start_run("t-cv", store=store) as r,
    ):
        log_cv_result(r, {"score": [1.0]})


def test_log_cv_result_logs_tuning_result(store: Path, data: tuple) -> None:
    from mlkit.tuning import tune

    X, y, _, _ = data
    result = tune(LogisticRegression(), {"C": [0.1, 1.0]}, X, y, method="grid", cv=3)
    with start_run("t-tune", store=store) as run:
        log_cv_result(run, result, prefix="tuning")
    got = _client(store).get_run(run.run_id).data
    assert got.params["tuning.best.C"] == str(result.best_params_["C"])
    assert got.metrics["tuning.best_score"] == pytest.approx(result.best_score_)
    history = _client(store).get_metric_history(run.run_id, "tuning.fold_score")
    assert np.allclose([m.value for m in sorted(history, key=lambda m: m.step)],
                       result.fold_scores())  # fmt: skip


def test_server_lock_retries_when_the_holder_releases_during_mlflows_lookup() -> None:
    """MLflow answers a failed create with a lookup; a lock released in between gives
    RESOURCE_DOES_NOT_EXIST, which means "try again", not a crashed run."""
    from mlkit.tracking import _try_server_lock

    class Gone(Exception):
        error_code = "RESOURCE_DOES_NOT_EXIST"

    class Broken(Exception):
        error_code = "INTERNAL_ERROR"

    class Client:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def create_registered_model(self, *args: object, **kwargs: object) -> None:
            raise self.error

        def get_registered_model(self, name: str) -> None:
            raise Gone()

    assert _try_server_lock(Client(Gone()), "token") is False
    with pytest.raises(Broken):
        _try_server_lock(Client(Broken()), "token")


# --------------------------------------------------------------------------- module split


def test_registry_names_still_importable_from_tracking_for_one_release() -> None:
    import mlkit.registry
    import mlkit.tracking

    for name in ("register_model", "load_model", "promote_if_better", "list_versions",
                 "GateDecision", "UntrustedTypesError", "CHAMPION", "_read_skops"):  # fmt: skip
        assert getattr(mlkit.tracking, name) is getattr(mlkit.registry, name)
    with pytest.raises(AttributeError, match=r"has no attribute 'nope'"):
        mlkit.tracking.nope  # noqa: B018


def test_import_tracking_does_not_import_the_registry() -> None:
    code = "import sys, mlkit.tracking; print('mlkit.registry' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_modules_stay_by_concern() -> None:
    root = Path(__file__).resolve().parents[1] / "mlkit"
    for name in ("tracking.py", "registry.py", "_store.py", "_model_files.py"):
        assert len((root / name).read_text().splitlines()) <= 800, name


# --------------------------------------------------------------------------- stale runs


def test_start_run_tags_its_process_and_host(store: Path) -> None:
    with start_run("t-owner", store=store) as run:
        pass
    tags = _client(store).get_run(run.run_id).data.tags
    assert tags["mlkit.pid"] == str(os.getpid())
    assert tags["mlkit.host"] == socket.gethostname()


def test_process_alive_sees_dead_and_reused_pids() -> None:
    import time

    from mlkit.tracking import _process_alive

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert _process_alive(dead.pid, int(time.time() * 1000)) is False
    assert _process_alive(os.getpid(), int(time.time() * 1000)) is True
    if Path("/proc/self/stat").exists():  # this process started after 1970: a reused pid
        assert _process_alive(os.getpid(), 0) is False


def test_mark_stale_runs_marks_only_runs_whose_process_is_gone(tmp_path: Path, data: tuple) -> None:
    X, y, _, _ = data
    folder = tmp_path / "s"
    with start_run("t-stale", store=folder, run_name="done"):
        pass
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    client, host = _client(folder), socket.gethostname()
    exp = client.get_experiment_by_name("t-stale").experiment_id

    def make(name: str, pid: object, on: str) -> str:
        tags = {"mlkit.pid": str(pid), "mlkit.host": on}
        return str(client.create_run(exp, run_name=name, tags=tags).info.run_id)

    killed, alive = make("killed", dead.pid, host), make("alive", os.getpid(), host)
    elsewhere = make("elsewhere", 1, "another-host")
    # the killed run had registered a version and was copying an artifact
    tracked = TrackedRun(killed, exp, resolve_store(folder), client)
    register_model(LogisticRegression().fit(X, y), tracked, name="t-stale")
    artifacts = Path(client.get_run(killed).info.artifact_uri.removeprefix("file://"))
    (artifacts / "model" / ".model.skops.partial-999").write_bytes(b"half")

    assert mark_stale_runs(folder) == [killed]
    assert client.get_run(killed).info.status == "FAILED"
    assert "is gone" in client.get_run(killed).data.tags["mlkit.stale"]
    assert client.search_model_versions("name = 't-stale'") == []
    assert not list(folder.rglob(".*.partial-*"))
    assert client.get_run(alive).info.status == "RUNNING"
    assert client.get_run(elsewhere).info.status == "RUNNING"  # cannot be checked
    assert mark_stale_runs(folder, older_than=0) == [elsewhere]
    assert client.get_run(alive).info.status == "RUNNING"  # alive here: never marked
    table = list_runs(folder)
    assert table.loc[alive, "status"] == "RUNNING" and table.loc[killed, "status"] == "FAILED"
    assert sorted(table["name"]) == ["alive", "done", "elsewhere", "killed"]
    client.set_terminated(alive)


@pytest.mark.parametrize("older_than", [-1, "5", True])
def test_mark_stale_runs_rejects_bad_older_than(tmp_path: Path, older_than: object) -> None:
    with pytest.raises(ValueError, match=r"older_than must be a number of seconds >= 0"):
        mark_stale_runs(tmp_path, older_than=older_than)  # type: ignore[arg-type]
