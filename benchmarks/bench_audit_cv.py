"""Benchmark: ``mlkit.splits.audit_cv`` on 1,000,000 rows with 100,000 groups, 5 folds.

For each splitter (a shuffled ``KFold`` that leaks groups, and ``GroupKFold``) it
prints:

- the time to generate the splits alone with scikit-learn (``list(cv.split(...))``);
- the time of ``audit_cv`` (which generates the same splits and audits them) and the
  ratio audit / splits alone;
- the time of a plain-Python audit of the leaked groups only (per-fold set
  intersection), for scale;
- the peak memory traced by ``tracemalloc`` during ``audit_cv`` (numpy reports its
  buffers to tracemalloc), next to the peak of generating the splits alone.

Timings are the best of ``REPEATS`` runs. Run: ``.venv/bin/python benchmarks/bench_audit_cv.py``
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold, KFold

from mlkit.splits import audit_cv

N_ROWS = 1_000_000
N_GROUPS = 100_000
N_SPLITS = 5
REPEATS = 3


def best_time(func: Callable[[], Any], repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_mib(func: Callable[[], Any]) -> float:
    tracemalloc.start()
    func()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    rng = np.random.default_rng(0)
    groups = rng.integers(0, N_GROUPS, size=N_ROWS)
    y = (rng.random(N_ROWS) < 0.15).astype(np.int64)
    X = np.zeros((N_ROWS, 1), dtype=np.float32)
    print(
        f"audit_cv on {N_ROWS:,} rows, {np.unique(groups).size:,} groups, {N_SPLITS} folds "
        f"(best of {REPEATS})"
    )
    splitters = {
        "KFold(shuffle=True)": (KFold(N_SPLITS, shuffle=True, random_state=0), False),
        "GroupKFold": (GroupKFold(N_SPLITS), True),
    }
    for name, (cv, uses_groups) in splitters.items():

        def splits_only(cv: Any = cv, uses_groups: bool = uses_groups) -> list[Any]:
            return list(cv.split(X, y, groups if uses_groups else None))

        def audit(cv: Any = cv) -> Any:
            return audit_cv(cv, X, y, groups=groups)

        def python_sets(cv: Any = cv, uses_groups: bool = uses_groups) -> list[int]:
            return [
                len(set(groups[train].tolist()) & set(groups[test].tolist()))
                for train, test in cv.split(X, y, groups if uses_groups else None)
            ]

        t_split = best_time(splits_only)
        t_audit = best_time(audit)
        t_sets = best_time(python_sets, repeats=1)
        m_split = peak_mib(splits_only)
        m_audit = peak_mib(audit)
        result = audit()
        assert result.folds["leaked_groups"].tolist() == python_sets()
        print(f"\n{name}: total leaked groups {result.summary['total_leaked_groups']:,}")
        print(f"  splits alone (scikit-learn)      {t_split:7.3f} s   peak {m_split:7.1f} MiB")
        print(f"  audit_cv (splits + audit)        {t_audit:7.3f} s   peak {m_audit:7.1f} MiB")
        print(f"  ratio audit_cv / splits alone    {t_audit / t_split:7.2f}")
        print(f"  audit overhead beyond splits     {t_audit - t_split:7.3f} s")
        print(f"  plain-Python set intersection    {t_sets:7.3f} s   (leaked groups only)")


if __name__ == "__main__":
    main()
