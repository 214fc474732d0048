"""Chapter execution time and import cost.

Prints, in one run:

- the wall time of ``import mlkit`` next to ``import sklearn`` and a bare interpreter
  (fresh processes, median of several runs), and the heavy libraries each import loads;
- the execution seconds of every chapter (``chapters/*.md`` read with jupytext and
  executed top to bottom with nbclient in a fresh kernel, in a temporary folder), against
  the 30 s target.

Usage: ``python benchmarks/bench_chapters.py [chapter.md ...]``
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 30.0
HEAVY = ("optuna", "mlflow", "matplotlib", "river", "sklearn", "pandas")


def import_seconds(statement: str, *, repeats: int = 7) -> float:
    """Median wall time of a fresh interpreter running ``statement``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", statement], check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def loaded_heavy(statement: str) -> list[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    names = {m.split(".")[0] for m in out.stdout.split()}
    return [h for h in HEAVY if h in names]


def chapter_seconds(path: Path) -> float:
    import jupytext
    from nbclient import NotebookClient

    notebook = jupytext.read(path)
    with tempfile.TemporaryDirectory() as workdir:
        client = NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": workdir}}
        )
        start = time.perf_counter()
        client.execute()
        return time.perf_counter() - start


def main(argv: list[str]) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    bare = import_seconds("pass")
    mlkit_s = import_seconds("import mlkit")
    sklearn_s = import_seconds("import sklearn")
    print("== import cost (fresh interpreter, median of 7; interpreter start-up subtracted)")
    print(f"  python start-up      {bare * 1000:7.1f} ms")
    print(
        f"  import mlkit         {(mlkit_s - bare) * 1000:7.1f} ms   loads: {loaded_heavy('import mlkit') or 'nothing heavy'}"
    )
    print(
        f"  import sklearn       {(sklearn_s - bare) * 1000:7.1f} ms   loads: {loaded_heavy('import sklearn')}"
    )
    print(f"  ratio mlkit/sklearn  {(mlkit_s - bare) / max(sklearn_s - bare, 1e-9):7.3f}")

    chapters = [Path(a) for a in argv[1:]] or sorted((ROOT / "chapters").glob("*.md"))
    print(f"\n== chapter execution (fresh kernel each; target < {TARGET_SECONDS:.0f} s on 2 cores)")
    total = 0.0
    for path in chapters:
        seconds = chapter_seconds(path)
        total += seconds
        flag = "ok" if seconds < TARGET_SECONDS else "OVER TARGET"
        print(f"  {path.name:32s} {seconds:6.1f} s  {flag}")
    print(f"  {'total':32s} {total:6.1f} s")


if __name__ == "__main__":
    main(sys.argv)
