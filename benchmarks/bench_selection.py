"""compare_models vs a plain cross_validate loop on the same folds (target ratio <= 1.05).

The plain loop does the same work compare_models does: one ``cross_validate`` per model
and per dummy strategy (with training scores, to choose the baseline) on one
materialised list of repeated folds, then a corrected t interval per model. Both run
in one process, alternating, best of ``--rounds``. Run from the repository root::

    PYTHONPATH=$PWD OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_selection.py
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import stats
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlkit.baselines import baseline_strategies
from mlkit.datasets import load_pbcseq
from mlkit.selection import compare_models
from mlkit.splits import repeated_folds


def plain_loop(models, X, y, groups, scoring):
    """What a careful user would write with scikit-learn and scipy alone."""
    folds = [
        fold
        for r in range(3)
        for fold in StratifiedGroupKFold(5, shuffle=True, random_state=r).split(X, y, groups)
    ]
    ratio = np.mean([len(te) / len(tr) for tr, te in folds])
    summary = {}
    for name, model in models.items():
        scores = cross_validate(model, X, y, cv=folds, scoring=scoring)["test_score"]
        n = scores.size
        se = scores.std(ddof=1) * np.sqrt(1 / n + ratio)
        summary[name] = (scores.mean(), stats.t.ppf(0.975, n - 1) * se)
    train = {
        s: cross_validate(d, X, y, cv=folds, scoring=scoring, return_train_score=True)
        for s, d in baseline_strategies("binary").items()
    }
    best = max(train, key=lambda s: train[s]["train_score"].mean())
    summary["baseline"] = (train[best]["test_score"].mean(), np.nan)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pbc = load_pbcseq()
    X, y, groups = pbc.X, pbc.y, pbc.groups
    models = {
        "logreg": make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression()),
        "tree": DecisionTreeClassifier(random_state=0),
        "boosting": HistGradientBoostingClassifier(max_iter=50, random_state=0),
    }
    scoring = "average_precision"
    folds = list(repeated_folds(X, y, groups=groups, n_splits=5, n_repeats=3))
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    for _ in range(args.rounds):
        start, cpu = time.perf_counter(), time.process_time()
        plain = plain_loop(models, X, y, groups, scoring)
        theirs.append(time.perf_counter() - start)
        theirs_cpu.append(time.process_time() - cpu)
        start, cpu = time.perf_counter(), time.process_time()
        result = compare_models(models, X, y, groups=groups, scoring=scoring, n_repeats=3)
        ours.append(time.perf_counter() - start)
        ours_cpu.append(time.process_time() - cpu)
    for name in models:  # same folds, same numbers
        assert np.isclose(plain[name][0], result.table.loc[name, "mean"]), name
    print(f"pbcseq: {len(y)} rows, {len(folds)} folds, {len(models)} models + 4 dummies")
    print(f"plain cross_validate loop: best {min(theirs):.2f} s  (all: {np.round(theirs, 2)})")
    print(f"compare_models           : best {min(ours):.2f} s  (all: {np.round(ours, 2)})")
    print(f"ratio compare_models / plain, wall = {min(ours) / min(theirs):.3f}  (target <= 1.05)")
    print(
        f"ratio compare_models / plain, CPU  = {min(ours_cpu) / min(theirs_cpu):.3f}  "
        f"(CPU {min(ours_cpu):.2f} s vs {min(theirs_cpu):.2f} s; steadier on a shared machine)"
    )


if __name__ == "__main__":
    main()
