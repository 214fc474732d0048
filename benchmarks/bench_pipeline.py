"""Benchmark: ``mlkit run`` with MLflow tracking against the same pipeline with tracking off.

Each run is a fresh process (``python -m mlkit run CONFIG``), as a user would start
it, so the figures include interpreter start-up and imports. Tracking runs use a new
temporary store each time, so the first-use cost of the SQLite store is included
(from the cached empty database after the first ever run; see ``--cold``).

Prints the wall time of each variant, the ratio tracking / no tracking, and the peak
resident memory of the process.

    python benchmarks/bench_pipeline.py [--config configs/pbcseq.yaml] [--repeat 2] [--cold]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUNNER = """
import resource, sys
from mlkit.cli import main
code = main(sys.argv[1:])
print(f"MAXRSS_KB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")
sys.exit(code)
"""


def _run_once(config: Path, *, tracking: bool, cold: bool) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one ``mlkit run`` process."""
    with tempfile.TemporaryDirectory(prefix="mlkit-bench-") as tmp:
        args = ["run", str(config), "-q"]
        args += ["--store", str(Path(tmp) / "store")] if tracking else ["--no-tracking"]
        env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
        env.update(MPLBACKEND="Agg", MLFLOW_DISABLE_TELEMETRY="true")
        if cold:
            env["MLKIT_CACHE_DIR"] = str(Path(tmp) / "cache")
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", _RUNNER, *args],
            cwd=tmp,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mlkit run failed ({done.returncode}):\n{done.stderr}")
    rss_kb = next(
        int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("MAXRSS_KB")
    )
    return seconds, rss_kb / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "pbcseq.yaml")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="no cached empty database: every tracking run migrates a new SQLite store",
    )
    args = parser.parse_args()

    figures: dict[str, list[tuple[float, float]]] = {"tracking off": [], "tracking on": []}
    for _ in range(args.repeat):  # interleaved, so drifting machine load hits both alike
        figures["tracking off"].append(_run_once(args.config, tracking=False, cold=args.cold))
        figures["tracking on"].append(_run_once(args.config, tracking=True, cold=args.cold))

    print(f"config: {args.config}   repeats: {args.repeat}   cpus: {os.cpu_count()}")
    print(f"{'variant':<14} {'median s':>9} {'min s':>7} {'peak RSS MiB':>13}")
    medians = {}
    for name, rows in figures.items():
        times = [t for t, _ in rows]
        medians[name] = statistics.median(times)
        peak = max(m for _, m in rows)
        print(f"{name:<14} {medians[name]:>9.1f} {min(times):>7.1f} {peak:>13.0f}")
    ratio = medians["tracking on"] / medians["tracking off"]
    extra = medians["tracking on"] - medians["tracking off"]
    print(f"ratio tracking on / off: {ratio:.2f}  (tracking adds {extra:.1f} s per run)")


if __name__ == "__main__":
    main()
