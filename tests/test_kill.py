"""Killing ``mlkit run`` at random moments leaves a consistent store.

Twenty runs of a tiny config share one store, two at a time; each is sent SIGKILL or
SIGTERM at a seeded random moment of its life (some finish first). After
``mlkit runs --mark-stale``: every run is FINISHED or FAILED, a FAILED run registered
nothing, no version carries an alias the gate did not decide, every version's model
file matches its recorded SHA-256, and no half-written file is left in the store.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

CONFIG = {
    "name": "killed",
    "seed": 0,
    "data": {"dataset": "patient_visits", "options": {"n_patients": 40, "random_state": 0}},
    "cv": {"n_splits": 3},
    "model": {"estimator": "logistic_regression"},
    "tuning": {"method": "grid", "space": {"C": [0.1, 1.0]}},
    "nested": {"enabled": False},
    "baselines": {"enabled": False},
    "registry": {"margin": 0.0, "n_resamples": 100},
}
N_KILLS, AT_ONCE, SEED = 20, 2, 11


def _start(folder: Path, store: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MLFLOW_TRACKING_URI", "MLKIT_HOME")}
    env.update(MLKIT_CACHE_DIR=str(folder / "cache"), MPLBACKEND="Agg", OMP_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "-m", "mlkit", "run", "killed.yaml", "--store", str(store), "-q"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_random_kills_leave_a_consistent_store(tmp_path: Path) -> None:
    from mlflow import MlflowClient

    from mlkit.cli import main
    from mlkit.registry import MODEL_SHA256_TAG

    (tmp_path / "killed.yaml").write_text(yaml.safe_dump(CONFIG))
    store = tmp_path / "store"
    began = time.perf_counter()
    first = _start(tmp_path, store)  # one whole run: a champion, and the run's duration
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    duration = time.perf_counter() - began

    rng = random.Random(SEED)
    codes: dict[str, list[int]] = {"SIGKILL": [], "SIGTERM": []}
    allowed = {"SIGKILL": {0, -signal.SIGKILL}, "SIGTERM": {0, 143, -signal.SIGTERM}}
    for _ in range(N_KILLS // AT_ONCE):
        plan = [
            (rng.choice(["SIGKILL", "SIGTERM"]), rng.uniform(0.25, 1.3) * duration)
            for _ in range(AT_ONCE)
        ]
        start = time.perf_counter()
        processes = [_start(tmp_path, store) for _ in plan]
        for (name, delay), process in sorted(
            zip(plan, processes, strict=True), key=lambda item: item[0][1]
        ):
            time.sleep(max(0.0, delay - (time.perf_counter() - start)))
            if process.poll() is None:
                process.send_signal(getattr(signal, name))
        for (name, _), process in zip(plan, processes, strict=True):
            _, err = process.communicate(timeout=120)
            codes[name].append(process.returncode)
            # SIGTERM: cleaned up (143), finished first (0) or hit before Python set its
            # handler (-15); SIGKILL: killed (-9) or finished first
            assert process.returncode in allowed[name], (name, process.returncode, err)
            assert "Traceback" not in err, err
    assert 143 in codes["SIGTERM"] and -signal.SIGKILL in codes["SIGKILL"], codes

    assert main(["runs", "--store", str(store)]) == 0  # reading works right after kills
    assert main(["runs", "--mark-stale", "--store", str(store)]) == 0
    uri = f"sqlite:///{store / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    experiment = client.get_experiment_by_name("killed").experiment_id
    runs = {r.info.run_id: r for r in client.search_runs([experiment], max_results=1000)}
    # an early kill stops a process before it created its run
    assert 1 < len(runs) <= N_KILLS + 1
    assert {r.info.status for r in runs.values()} <= {"FINISHED", "FAILED"}
    versions = client.search_model_versions("name = 'killed'")
    champion = client.get_model_version_by_alias("killed", "champion")
    assert champion is not None
    for version in versions:
        tags = version.tags
        if version.aliases:  # an alias only after the gate decided
            assert tags.get("mlkit.gate.decision") in ("promoted", "not promoted"), tags
        assert runs[version.run_id].info.status == "FINISHED"  # a failed run keeps nothing
        model = Path(version.source.removeprefix("file://")) / "model.skops"
        assert hashlib.sha256(model.read_bytes()).hexdigest() == tags[MODEL_SHA256_TAG]
    partial = [p for p in store.rglob("*") if ".partial-" in p.name or p.suffix == ".tmp"]
    assert partial == []
    failed = sum(r.info.status == "FAILED" for r in runs.values())
    print(f"\nkill test: {N_KILLS} kills, codes {codes}, {len(runs)} runs ({failed} FAILED), "
          f"{len(versions)} versions, "
          f"one run {duration:.1f} s, wall {time.perf_counter() - began:.0f} s")  # fmt: skip
