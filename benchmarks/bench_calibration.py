"""Benchmark: ``mlkit.calibration`` against plain scikit-learn on the same work.

1. ``reliability_table`` against ``sklearn.calibration.calibration_curve`` on 1,000,000
   probabilities (10 uniform bins): the ratio mlkit / scikit-learn (mlkit adds the
   counts, edges and input checks).
2. ``expected_calibration_error`` with 1,000 bootstrap resamples over 300 groups of 5
   rows (and 1,000 perfectly calibrated redraws): seconds per call.
3. Estimating what recalibration does on held-out patients of pbcseq (training
   patients, 5 group folds, random forest): nested ``CalibratedClassifierCV`` inside
   ``cross_val_predict`` (3 inner group folds, routed with metadata routing) against
   ``calibrate_out_of_fold`` on out-of-fold scores that are computed once. Both times
   include the out-of-fold model fits they need; the ratio says how much cheaper the
   out-of-fold recipe is, and the Brier scores say whether it estimates the same thing.

CPU only, one thread per fit. Timings are the best of ``REPEATS`` runs and are inflated
on a shared machine. Run: ``.venv/bin/python benchmarks/bench_calibration.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import StratifiedGroupKFold, cross_val_predict
from threadpoolctl import threadpool_limits

from mlkit.calibration import calibrate_out_of_fold, expected_calibration_error, reliability_table
from mlkit.datasets import load_pbcseq
from mlkit.splits import choose_cv, materialise_folds
from mlkit.training import holdout_split, make_estimator

REPEATS = 3


def best_time(func: Callable[[], Any], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_reliability() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=1_000_000)
    y = (rng.uniform(size=p.size) < p).astype(int)
    sk = best_time(lambda: calibration_curve(y, p, n_bins=10))
    mk = best_time(lambda: reliability_table(y, p, n_bins=10))
    print(f"reliability table, 1e6 rows: sklearn {sk:.3f} s, mlkit {mk:.3f} s, ratio {mk / sk:.2f}")


def bench_ece() -> None:
    rng = np.random.default_rng(1)
    groups = np.repeat(np.arange(300), 5)
    p = rng.uniform(size=groups.size)
    y = (rng.uniform(size=p.size) < p).astype(int)
    seconds = best_time(lambda: expected_calibration_error(y, p, groups=groups))
    print(f"ECE, 1,500 rows, 1,000 group resamples + 1,000 redraws: {seconds:.2f} s")


def bench_recalibration() -> None:
    pbc = load_pbcseq()
    split = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    X, y = pbc.X.iloc[split.train], pbc.y.iloc[split.train]
    groups = pbc.groups.iloc[split.train]
    folds = materialise_folds(choose_cv(y, groups=groups), X, y, groups=groups)
    forest = make_estimator("random_forest", task="binary", X=X, random_state=0)
    results: dict[str, np.ndarray] = {}

    def nested() -> None:
        with sklearn.config_context(enable_metadata_routing=True):
            model = CalibratedClassifierCV(forest, method="isotonic", cv=StratifiedGroupKFold(3))
            proba = cross_val_predict(
                model, X, y, cv=folds, params={"groups": groups}, method="predict_proba"
            )
        results["nested"] = proba[:, 1]

    def out_of_fold() -> None:
        raw = cross_val_predict(forest, X, y, cv=folds, method="predict_proba")[:, 1]
        results["out_of_fold"] = calibrate_out_of_fold(y, raw, groups=groups, cv=folds)

    t_nested = best_time(nested, repeats=1)
    t_oof = best_time(out_of_fold, repeats=1)
    print(
        f"recalibration estimate, pbcseq training patients, random forest: nested "
        f"CalibratedClassifierCV {t_nested:.1f} s, calibrate_out_of_fold {t_oof:.1f} s, "
        f"ratio {t_oof / t_nested:.2f}"
    )
    for name, proba in results.items():
        print(f"  Brier after isotonic recalibration ({name}): {brier_score_loss(y, proba):.4f}")


def main() -> None:
    threadpool_limits(limits=1, user_api="openmp")
    bench_reliability()
    bench_ece()
    bench_recalibration()


if __name__ == "__main__":
    main()
