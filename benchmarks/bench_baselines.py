"""Benchmark: mlkit.baselines against the plain scikit-learn loop doing the same work.

Both sides cross-validate the four DummyClassifier strategies on pbcseq with the binary
metric set on the same group-aware folds; the plain side is the loop a user would write
(``cross_validate`` per strategy with the string scorers). A second pair times
``beats_baseline`` against the plain equivalent (model + four dummies on the same folds
plus the corrected t-test by hand). Prints timings (best of ``REPEATS``) and ratios
(mlkit / plain; 1.0 means no overhead).

Run: ``.venv/bin/python benchmarks/bench_baselines.py``
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import stats
from sklearn.dummy import DummyClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit.baselines import beats_baseline, compare_baselines
from mlkit.datasets import load_pbcseq
from mlkit.metrics import metric_set
from mlkit.splits import choose_cv

REPEATS = 5
STRATEGIES = ("most_frequent", "prior", "stratified", "uniform")


def best_time(func: Callable[[], Any]) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    data = load_pbcseq()
    X, y, groups = data.X, data.y.to_numpy(), data.groups.to_numpy()
    scoring = metric_set("binary")

    def plain_compare() -> dict[str, dict[str, float]]:
        folds = list(choose_cv(y, groups=groups).split(X, y, groups))
        table = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # precision of never-positive dummies
            for strategy in STRATEGIES:
                result = cross_validate(
                    DummyClassifier(strategy=strategy, random_state=0), X, y, cv=folds,
                    scoring=scoring,
                )  # fmt: skip
                table[strategy] = {name: result[f"test_{name}"].mean() for name in scoring}
        return table

    def mlkit_compare() -> Any:
        return compare_baselines(X, y, groups=groups)

    model = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression())

    def plain_gate() -> bool:
        # the same work as beats_baseline: 5 x 5 repeated patient-wise folds, the best
        # dummy chosen on the training folds, the corrected repeated k-fold t-test
        folds = [
            fold
            for r in range(5)
            for fold in choose_cv(y, groups=groups, random_state=r).split(X, y, groups)
        ]
        scores = cross_validate(model, X, y, cv=folds, scoring="average_precision")["test_score"]
        base = {
            s: cross_validate(DummyClassifier(strategy=s, random_state=0), X, y, cv=folds,
                              scoring="average_precision", return_train_score=True)
            for s in STRATEGIES
        }  # fmt: skip
        best = max(base, key=lambda s: base[s]["train_score"].mean())
        diff = scores - base[best]["test_score"]
        ratio = np.mean([len(te) / len(tr) for tr, te in folds])
        se = diff.std(ddof=1) * np.sqrt(1 / diff.size + ratio)
        return bool(stats.t.sf(diff.mean() / se, df=diff.size - 1) < 0.05)

    def mlkit_gate() -> bool:
        return beats_baseline(model, X, y, groups=groups, scoring="average_precision").beats

    # same answers first, then timings
    plain_table = plain_compare()
    table = mlkit_compare()
    for strategy in STRATEGIES:
        assert np.isclose(table.loc[strategy, "roc_auc_mean"], plain_table[strategy]["roc_auc"])
    assert plain_gate() == mlkit_gate()

    rows = [
        ("compare_baselines (4 strategies x 9 metrics x 5 folds)", plain_compare, mlkit_compare),
        ("beats_baseline (logistic regression, AP, 5 x 5 folds)", plain_gate, mlkit_gate),
    ]
    print(f"pbcseq: {len(y)} rows, {len(np.unique(groups))} patients; best of {REPEATS} runs")
    for label, plain, ours in rows:
        t_plain, t_ours = best_time(plain), best_time(ours)
        print(
            f"{label}: plain scikit-learn {t_plain:.3f} s, mlkit {t_ours:.3f} s, "
            f"ratio mlkit/plain {t_ours / t_plain:.2f}"
        )


if __name__ == "__main__":
    main()
