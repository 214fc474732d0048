"""Benchmark mlkit.tuning against plain scikit-learn on the same work.

1. Overhead: ``tune(method="grid")`` against ``GridSearchCV`` on the same grid and the
   same materialised folds, refit included. Each is timed ``REPEATS`` times, alternating,
   and the medians are compared (target: ratio <= 1.05).
2. Budget: how many fits random and Bayesian search need before their best-so-far
   mean CV score comes within 0.5% of the grid's best score.

Run: ``.venv/bin/python benchmarks/bench_tuning.py``. Prints timings and ratios only.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from mlkit.datasets import load_pbcseq, make_patient_visits
from mlkit.space import Float
from mlkit.tuning import tune

REPEATS = 9
SEEDS = 3
TOLERANCE = 0.005  # "within 0.5% of the grid's best score"


def _time_pair(
    model: object, space: dict, X: np.ndarray, y: np.ndarray, label: str,
    scoring: str = "roc_auc", sklearn_scoring: str = "roc_auc",
) -> float:  # fmt: skip
    """Time tune(method="grid") and GridSearchCV on the same grid and folds, alternating.

    Returns the ratio of the medians. For a loss, mlkit reports positive values and
    GridSearchCV negated ones, so the scores are compared with the sign flipped.
    """
    first = tune(model, space, X, y, method="grid", scoring=scoring)
    folds = list(first.folds)
    param_grid = {name: first.results_[f"param_{name}"].unique().tolist() for name in space}
    ours, theirs = [], []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = tune(model, space, X, y, method="grid", cv=folds, scoring=scoring)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        search = GridSearchCV(model, param_grid, cv=folds, scoring=sklearn_scoring).fit(X, y)
        theirs.append(time.perf_counter() - start)
    sign = 1.0 if result.greater_is_better else -1.0
    same = np.array_equal(
        result.results_["mean_score"], sign * search.cv_results_["mean_test_score"]
    )
    same_best = result.best_score_ == sign * search.best_score_
    t_ours, t_theirs = statistics.median(ours), statistics.median(theirs)
    paired = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
    print(f"{label}: {first.n_candidates} candidates x {len(folds)} folds on {X.shape[0]} rows")
    print(f"  mlkit tune(method='grid'): {t_ours:.3f} s (median of {REPEATS})")
    print(f"  sklearn GridSearchCV:      {t_theirs:.3f} s (median of {REPEATS})")
    print(f"  ratio of medians:          {t_ours / t_theirs:.3f} (target <= 1.05)")
    print(f"  median of paired ratios:   {paired:.3f}")
    print(f"  identical mean scores:     {same} (best score {same_best}; {result.direction})")
    return t_ours / t_theirs


def bench_overhead() -> None:
    """Wall time of tune(method="grid") vs GridSearchCV, same grid, same folds, refit included."""
    data = make_patient_visits(n_patients=300, random_state=0)
    X, y = data.X.to_numpy(), data.y.to_numpy()
    # one BLAS/OpenMP thread each, so both sides do the same single-threaded work
    with threadpool_limits(limits=1):
        _time_pair(
            make_pipeline(StandardScaler(), LogisticRegression()),
            {"logisticregression__C": Float(1e-4, 1e2, log=True).grid(12)},
            X, y, "logistic regression (fits of a few ms)",
        )  # fmt: skip
        _time_pair(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": [2, 4, 8, None], "min_samples_leaf": [1, 5, 20, 50, 100]},
            X[:400], y[:400], "decision tree on 400 rows (fits of ~1 ms: overhead-dominated)",
        )  # fmt: skip
        regression = make_patient_visits(n_patients=300, random_state=1)
        X_reg = regression.X.to_numpy()
        y_reg = X_reg @ np.linspace(-1, 1, X_reg.shape[1]) + np.random.default_rng(0).normal(
            size=X_reg.shape[0]
        )
        _time_pair(
            Ridge(), {"alpha": Float(1e-3, 1e3, log=True).grid(12)}, X_reg, y_reg,
            "ridge regression, rmse (a loss: mlkit positive, sklearn negated)",
            scoring="rmse", sklearn_scoring="neg_root_mean_squared_error",
        )  # fmt: skip


def fits_to_reach(trace: pd.DataFrame, target: float) -> int | None:
    """First cumulative fit count at which the best-so-far score reaches ``target``."""
    hit = trace[trace["best_score"] >= target]
    return None if hit.empty else int(hit["n_fits"].iloc[0])


def bench_budget() -> None:
    """Fits random and Bayesian search need to come within 0.5% of the grid's best."""
    data = load_pbcseq()
    X, y, groups = data.X.to_numpy(dtype=float), data.y.to_numpy(), data.groups.to_numpy()
    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), SVC())
    space = {
        "svc__C": Float(1e-2, 1e3, log=True).grid(6),
        "svc__gamma": Float(1e-4, 1e0, log=True).grid(6),
        "svc__class_weight": [None, "balanced"],
    }
    start = time.perf_counter()
    grid = tune(model, space, X, y, method="grid", groups=groups, cv=3)
    t_grid = time.perf_counter() - start
    target = grid.best_score_ - TOLERANCE * abs(grid.best_score_)
    print(
        f"\npbcseq, SVC, grid of {grid.n_candidates} candidates x 3 patient-wise folds = "
        f"{grid.n_fits} fits, {t_grid:.1f} s; best ROC AUC {grid.best_score_:.4f}"
    )
    print(f"  target (within 0.5% of the grid's best): {target:.4f}")
    for method in ("random", "bayes"):
        reached = []
        for seed in range(SEEDS):
            start = time.perf_counter()
            result = tune(
                model, space, X, y, method=method, cv=grid.folds,
                n_iter=grid.n_candidates, random_state=seed,
            )  # fmt: skip
            elapsed = time.perf_counter() - start
            n = fits_to_reach(result.trace(), target)
            reached.append(n)
            print(
                f"  {method:6s} seed {seed}: best {result.best_score_:.4f}; target reached after "
                f"{n if n is not None else 'never (within the same budget)'} fits ({elapsed:.1f} s)"
            )
        hits = [n for n in reached if n is not None]
        summary = f"{statistics.median(hits):.0f}" if hits else "n/a"
        print(
            f"  {method}: reached the target in {len(hits)}/{SEEDS} seeds; median fits "
            f"{summary} (the grid needs {grid.n_fits})"
        )


if __name__ == "__main__":
    bench_overhead()
    bench_budget()
