"""Wall time of one tuning job on 1 process, on 2 Dask workers, and on 2 Optuna workers.

The job: Bayesian search (Optuna TPE) of a small gradient-boosted model on the PBC
training patients, ``N_TRIALS`` trials, each cross-validated on the same 4 grouped folds.

1. one process, ``n_jobs=1``;
2. the same call inside ``joblib.parallel_config(backend="dask")`` with a scheduler and
   2 worker processes started as separate commands (the folds of each trial run in
   parallel on the workers; the cluster's start-up is not counted);
3. two ``mlkit tune`` processes sharing one study (PostgreSQL when it is installed,
   else a journal file), ``N_TRIALS / 2`` trials each: once with the processes'
   start-up (imports, data loading), which a worker pays, and once counting only the
   slower worker's own tuning time.

Figures depend on the machine: on a 2-core machine shared with other jobs, two
workers can at best halve the time, and the per-task overhead of Dask is visible on
fits this small. Run: ``python benchmarks/bench_scale.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import yaml

N_TRIALS = 16
CONFIG = {
    "name": "bench-scale",
    "seed": 0,
    "data": {"dataset": "pbcseq"},
    "cv": {"n_splits": 4},
    "scoring": "roc_auc",
    "model": {
        "estimator": "hist_gradient_boosting",
        "params": {"max_iter": 100, "early_stopping": False},
    },
    "tuning": {
        "method": "bayes",
        "n_iter": N_TRIALS,
        "space": {
            "learning_rate": {"type": "float", "low": 0.02, "high": 0.3, "log": True},
            "max_leaf_nodes": {"type": "int", "low": 3, "high": 31},
            "min_samples_leaf": {"type": "int", "low": 5, "high": 60},
        },
    },
}


def _job() -> tuple[object, ...]:
    """The config's estimator, space, training rows and folds (as ``mlkit tune`` uses)."""
    from mlkit.config import config_from_dict
    from mlkit.pipeline import prepare
    from mlkit.splits import choose_cv
    from mlkit.training import holdout_split

    prepared = prepare(config_from_dict(CONFIG))
    data = prepared.data
    split = holdout_split(data.y, groups=data.groups, test_size=0.2, random_state=0)
    train = data.take(split.train)
    cv = choose_cv(train.y, groups=train.groups, n_splits=4, random_state=0)
    return prepared.estimator, prepared.space, train, cv


def _count(output: str) -> int:
    """The number of finished trials an ``mlkit tune`` worker reported."""
    return int(output.split(": ", 1)[1].split(" finished")[0])


def main() -> None:
    from threadpoolctl import threadpool_limits

    from mlkit.servers import find_postgres, start_dask_cluster, start_postgres
    from mlkit.tuning import tune

    threadpool_limits(1)
    estimator, space, train, cv = _job()
    common = {"method": "bayes", "groups": train.groups, "cv": cv, "n_iter": N_TRIALS,
              "random_state": 0}  # fmt: skip
    times: dict[str, float] = {}

    start = time.perf_counter()
    one = tune(estimator, space, train.X, train.y, n_jobs=1, **common)
    times["1 process"] = time.perf_counter() - start

    from distributed import Client

    with start_dask_cluster(2) as cluster, Client(cluster.address) as client:
        client.run(lambda: __import__("sklearn.ensemble"))  # warm the workers' imports
        start = time.perf_counter()
        with joblib.parallel_config(backend="dask"):
            on_dask = tune(estimator, space, train.X, train.y, n_jobs=-1, **common)
        times["2 Dask workers"] = time.perf_counter() - start
    assert on_dask.results_["mean_score"].tolist() == one.results_["mean_score"].tolist()

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        folder = Path(tmp)
        (folder / "bench.yaml").write_text(yaml.safe_dump(CONFIG))
        postgres = start_postgres(["optuna"]) if find_postgres() is not None else None
        storage = postgres.database_url("optuna") if postgres else str(folder / "study.jsonl")
        label = f"2 Optuna workers ({'PostgreSQL' if postgres else 'journal file'})"
        env = dict(os.environ, OMP_NUM_THREADS="1", MPLBACKEND="Agg")
        try:
            start = time.perf_counter()
            workers = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "mlkit",
                        "tune",
                        "bench.yaml",
                        "--storage",
                        storage,
                        "--study",
                        "bench",
                        "--trials",
                        str(N_TRIALS // 2),
                        "--seed",
                        str(seed),
                    ],
                    cwd=folder,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for seed in (1, 2)
            ]
            outputs = [w.communicate(timeout=1200) for w in workers]
            times[label] = time.perf_counter() - start
        finally:
            if postgres is not None:
                postgres.stop()
        tuning_seconds, last = [], "no worker: 0 finished trials"
        for worker, (out, err) in zip(workers, outputs, strict=True):
            if worker.returncode != 0:
                raise SystemExit(f"an Optuna worker failed:\n{err}")
            if _count(out) >= _count(last):
                last = out
            tuning_seconds.append(float(out.split(" in ")[1].split(" s)")[0]))
        times[label.replace("workers", "workers, tuning only")] = max(tuning_seconds)
    print(f"tuning job: {N_TRIALS} Bayesian trials x 4 folds, HistGradientBoosting, "
          f"{train.X.shape[0]} training visits; {os.cpu_count()} CPU cores (shared)")  # fmt: skip
    base = times["1 process"]
    for name, seconds in times.items():
        print(f"  {name:<40s} {seconds:7.1f} s   speed-up x{base / seconds:.2f}")
    print("  Dask results identical to 1 process: yes (checked)")
    print(f"  shared study, as the last worker saw it: {last.strip().splitlines()[0]}")


if __name__ == "__main__":
    main()
