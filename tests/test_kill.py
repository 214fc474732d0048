"""Killing ``mlkit run`` at random moments leaves a consistent store.

Twenty runs of a tiny config share one store, two at a time; each is sent SIGKILL or
SIGTERM at a seeded random moment: half anywhere in the run, half after it announced
its final model, i.e. during registration, the gate and the last logging (some runs
finish first). After
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
import threading
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


class _Run:
    """One ``mlkit run`` process; a thread notes when it reaches the registration step."""

    def __init__(self, folder: Path, store: Path) -> None:
        env = {k: v for k, v in os.environ.items()
               if k not in ("MLFLOW_TRACKING_URI", "MLKIT_HOME")}  # fmt: skip
        env.update(MLKIT_CACHE_DIR=str(folder / "cache"), MPLBACKEND="Agg", OMP_NUM_THREADS="1")
        self.began, self.registering = time.perf_counter(), None
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mlkit", "run", "killed.yaml", "--store", str(store)],
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.err: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.process.stderr or []),
                         daemon=True).start()  # fmt: skip

    def _read(self) -> None:
        for line in self.process.stdout or []:
            if line.startswith("- final model:"):  # registration and the gate come next
                self.registering = time.perf_counter()

    def wait(self) -> tuple[int, str]:
        code = self.process.wait(timeout=120)
        time.sleep(0.05)  # let the reader threads drain the pipes
        return code, "".join(self.err)


@pytest.mark.slow
def test_random_kills_leave_a_consistent_store(tmp_path: Path) -> None:
    from mlflow import MlflowClient

    from mlkit.cli import main
    from mlkit.registry import MODEL_SHA256_TAG

    (tmp_path / "killed.yaml").write_text(yaml.safe_dump(CONFIG))
    store = tmp_path / "store"
    began = time.perf_counter()
    first = _Run(tmp_path, store)  # one whole run: a champion, and the run's timing
    code, err = first.wait()
    assert code == 0 and first.registering is not None, err
    duration = time.perf_counter() - began
    tail = time.perf_counter() - first.registering  # registration, gate, logging

    rng = random.Random(SEED)
    codes: dict[str, list[int]] = {"SIGKILL": [], "SIGTERM": []}
    n_at_registry = 0
    allowed = {"SIGKILL": {0, -signal.SIGKILL}, "SIGTERM": {0, 143, -signal.SIGTERM}}
    for _ in range(N_KILLS // AT_ONCE):
        # half the kills at any moment of the run, half during registration and the gate
        plan = []
        for _ in range(AT_ONCE):
            name, at_registry = rng.choice(["SIGKILL", "SIGTERM"]), rng.random() < 0.5
            delay = (
                rng.uniform(0.0, 1.2) * tail if at_registry else rng.uniform(0.2, 1.0) * duration
            )
            plan.append((name, at_registry, delay))
            n_at_registry += at_registry
        runs_now = [_Run(tmp_path, store) for _ in plan]
        pending = list(zip(plan, runs_now, strict=True))
        while pending:
            for item in list(pending):
                (name, at_registry, delay), run = item
                origin = run.registering if at_registry else run.began
                if run.process.poll() is not None:
                    pending.remove(item)
                elif origin is not None and time.perf_counter() - origin >= delay:
                    run.process.send_signal(getattr(signal, name))
                    pending.remove(item)
            time.sleep(0.01)
        for (name, _, _), run in zip(plan, runs_now, strict=True):
            code, err = run.wait()
            codes[name].append(code)
            # SIGTERM: cleaned up (143), finished first (0) or hit before Python set its
            # handler (-15); SIGKILL: killed (-9) or finished first
            assert code in allowed[name], (name, code, err[-3000:])
            if code == 143:  # cleaned up and said so, last
                assert err.splitlines()[-1].startswith("mlkit: error: terminated"), err
            else:
                assert "Traceback" not in err, err[-3000:]
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
    print(f"\nkill test: {N_KILLS} kills ({n_at_registry} aimed at registration), codes {codes}, {len(runs)} runs ({failed} FAILED), "
          f"{len(versions)} versions, "
          f"one run {duration:.1f} s, wall {time.perf_counter() - began:.0f} s")  # fmt: skip
