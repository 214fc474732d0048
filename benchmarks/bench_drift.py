"""Benchmark: ``mlkit.drift.data_drift`` against a plain scipy loop, and ``replay`` overhead.

1. ``data_drift`` on 1,000,000 rows x 20 columns (16 numeric, 4 categorical) against a
   plain loop that computes the same outputs with scipy and numpy directly: per numeric
   column the Wasserstein distance over the reference standard deviation, per
   categorical column the Jensen-Shannon distance of the category shares, and PSI on
   reference-decile bins for every column (the reference is > 1,000 rows, so these are
   the tests the "auto" rule picks). Ratio = mlkit seconds / plain seconds (best of 3).
2. ``mlkit.continuous.replay`` with ``policy=every(1)`` against a hand-written loop that
   refits and scores month by month on the same data (oracle off in both).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_drift.py [--rows N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance


def make_frames(n_rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for shift in (0.0, 0.2):
        data: dict[str, object] = {}
        for j in range(16):
            data[f"x{j}"] = rng.normal(shift * (j % 2), 1.0, n_rows)
        for j in range(4):
            p = np.array([0.5, 0.3, 0.15, 0.05]) if shift == 0 else np.array([0.4, 0.3, 0.2, 0.1])
            data[f"c{j}"] = rng.choice(np.array(["a", "b", "c", "d"], dtype=object), n_rows, p=p)
        frames.append(pd.DataFrame(data))
    return frames[0], frames[1]


def plain_loop(ref: pd.DataFrame, cur: pd.DataFrame) -> dict[str, tuple[float, float]]:
    out = {}
    for column in ref.columns:
        if ref[column].dtype.kind == "f":
            r, c = ref[column].to_numpy(), cur[column].to_numpy()
            distance = wasserstein_distance(r, c) / max(np.std(r), 1e-3)
            edges = np.unique(np.quantile(r, np.linspace(0, 1, 11)[1:-1]))
            rs = np.bincount(np.searchsorted(edges, r), minlength=edges.size + 1) / r.size
            cs = np.bincount(np.searchsorted(edges, c), minlength=edges.size + 1) / c.size
        else:
            rc, cc = ref[column].value_counts(), cur[column].value_counts()
            cats = rc.index.union(cc.index)
            rs = rc.reindex(cats, fill_value=0).to_numpy(float)
            cs = cc.reindex(cats, fill_value=0).to_numpy(float)
            rs, cs = rs / rs.sum(), cs / cs.sum()
            distance = float(jensenshannon(rs, cs))
        rs, cs = np.maximum(rs, 1e-4), np.maximum(cs, 1e-4)
        out[column] = (float(distance), float(np.sum((cs - rs) * np.log(cs / rs))))
    return out


def best_of(func, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_data_drift(n_rows: int) -> None:
    from mlkit.drift import data_drift

    ref, cur = make_frames(n_rows)
    plain = plain_loop(ref, cur)
    report = data_drift(ref, cur)
    table = report.to_frame()
    for column, (distance, psi) in plain.items():  # same numbers, or the ratio is moot
        assert np.isclose(table.loc[column, "distance"], distance), column
        assert np.isclose(table.loc[column, "psi"], psi), column
    t_plain = best_of(lambda: plain_loop(ref, cur))
    t_mlkit = best_of(lambda: data_drift(ref, cur))
    print(f"data_drift on {n_rows:,} rows x {ref.shape[1]} columns (reference and current)")
    print(f"  plain scipy loop  {t_plain:8.2f} s")
    print(f"  mlkit data_drift  {t_mlkit:8.2f} s")
    print(f"  ratio             {t_mlkit / t_plain:8.3f}  (target <= 1.1)")


def bench_replay() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mlkit.continuous import every, replay

    rng = np.random.default_rng(0)
    n = 24_000
    time_ = pd.Series(pd.date_range("2013-01-01", "2013-12-31 23:00", periods=n))
    X = pd.DataFrame(rng.normal(size=(n, 8)), columns=[f"x{j}" for j in range(8)])
    y = pd.Series((X["x0"] + 0.5 * rng.normal(size=n) > 0).astype(int))
    model = make_pipeline(StandardScaler(), LogisticRegression())

    def by_hand() -> list[float]:
        from sklearn.base import clone
        from sklearn.metrics import roc_auc_score

        month = time_.dt.month.to_numpy()
        scores = []
        for m in range(2, 13):
            train, test = month < m, month == m
            fitted = clone(model).fit(X[train], y[train])
            scores.append(roc_auc_score(y[test], fitted.predict_proba(X[test])[:, 1]))
        return scores

    def with_mlkit() -> object:  # the same work: no drift tracking, no oracle
        return replay(
            X, y, time=time_, estimator=model, policy=every(1), oracle=False, track_drift=False
        )

    def with_drift() -> object:  # plus the per-month drift share
        return replay(X, y, time=time_, estimator=model, policy=every(1), oracle=False)

    expected = by_hand()
    got = with_mlkit().frame["score"].tolist()  # type: ignore[attr-defined]
    assert np.allclose(expected, got), (expected, got)
    t_hand = best_of(by_hand)
    t_mlkit = best_of(with_mlkit)
    t_drift = best_of(with_drift)
    print(f"replay, 12 months x {n // 12:,} rows, retrain every month (logistic regression)")
    print(f"  hand-written loop {t_hand:8.2f} s")
    print(f"  mlkit replay      {t_mlkit:8.2f} s   ratio {t_mlkit / t_hand:6.3f}")
    print(f"  + drift share     {t_drift:8.2f} s   ratio {t_drift / t_hand:6.3f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--only-replay", action="store_true")
    args = parser.parse_args()
    if not args.only_replay:
        bench_data_drift(args.rows)
    if not args.skip_replay:
        bench_replay()
