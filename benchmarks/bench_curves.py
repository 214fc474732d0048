"""Benchmark: mlkit.curves.learning_curve against sklearn.model_selection.learning_curve.

Both sides fit the same model on the same folds and the same training subsets
(``subsets="prefix"``: scikit-learn's plain prefixes), score train and test parts with
the same scorer, and run the size x fold fits through joblib. The scores are checked to
be identical before timing. A second line times mlkit's default subsets (nested,
whole-group, stratified), which do the same number of fits on subsets of the same
sizes (in groups there, so the row counts differ a little). Prints timings (best of
``REPEATS``, the two sides interleaved) and ratios (mlkit / scikit-learn; target
<= 1.05).

Run: ``PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_curves.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import learning_curve as sk_learning_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit.curves import learning_curve
from mlkit.datasets import load_flights, load_pbcseq
from mlkit.splits import choose_cv

REPEATS = 5
SIZES = (0.1, 0.2, 0.4, 0.7, 1.0)


def interleaved_best(funcs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    best = dict.fromkeys(funcs, np.inf)
    for _ in range(REPEATS):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def bench(label: str, X: Any, y: Any, groups: Any, n_jobs: int | None) -> None:
    model = make_pipeline(SimpleImputer(), StandardScaler(), LogisticRegression(max_iter=500))
    folds = list(choose_cv(y, groups=groups).split(X, y, groups))

    def plain() -> Any:
        return sk_learning_curve(
            model, X, y, cv=folds, train_sizes=SIZES, scoring="roc_auc", n_jobs=n_jobs
        )

    def prefix() -> Any:
        return learning_curve(
            model, X, y, cv=folds, train_sizes=SIZES, scoring="roc_auc", subsets="prefix",
            n_jobs=n_jobs,
        )  # fmt: skip

    def nested() -> Any:
        return learning_curve(
            model, X, y, groups=groups, cv=folds, train_sizes=SIZES, scoring="roc_auc",
            n_jobs=n_jobs,
        )  # fmt: skip

    _, train, test = plain()
    frame = prefix().to_frame()
    same = np.array_equal(frame.pivot(index="size", columns="fold", values="test_score"), test)
    same &= np.array_equal(frame.pivot(index="size", columns="fold", values="train_score"), train)
    times = interleaved_best({"sklearn": plain, "prefix": prefix, "nested": nested})
    print(f"{label} (n_jobs={n_jobs}); scores identical to scikit-learn: {same}")
    print(f"  sklearn.learning_curve        {times['sklearn']:.3f} s")
    print(
        f"  mlkit, subsets='prefix'       {times['prefix']:.3f} s   "
        f"ratio {times['prefix'] / times['sklearn']:.3f}"
    )
    print(
        f"  mlkit, nested group subsets   {times['nested']:.3f} s   "
        f"ratio {times['nested'] / times['sklearn']:.3f}"
    )


def main() -> None:
    pbc = load_pbcseq()
    bench("pbcseq, 5 group folds x 5 sizes", pbc.X, pbc.y.to_numpy(), pbc.groups.to_numpy(), None)
    flights = load_flights()
    X = flights.X.select_dtypes("number").iloc[:12_000]
    y = flights.y.to_numpy()[:12_000]
    groups = np.asarray(flights.time.dt.day_of_year)[:12_000]  # day of the year as a group
    bench("flights (12,000 rows, numeric), days as groups", X, y, groups, None)
    bench("flights (12,000 rows, numeric), days as groups", X, y, groups, 2)


if __name__ == "__main__":
    main()
