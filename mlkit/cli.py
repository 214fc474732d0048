"""Command line: ``mlkit run CONFIG.yaml``, ``mlkit validate CONFIG.yaml``, ``mlkit models NAME``,
``mlkit monitor CONFIG.yaml --data NEW.csv``.

Exit codes: 0 success; 1 the run failed (the MLflow run is marked FAILED and nothing
is registered); 2 a bad command line or config (one message, no traceback).
``mlkit monitor`` exits 0 without drift, 1 with drift and 2 for a bad file or columns.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    from mlkit import __version__

    parser = argparse.ArgumentParser(
        prog="mlkit",
        description="Model development from one config: data, holdout, baselines, CV, "
        "tuning, final fit, holdout evaluation, MLflow tracking and registry.",
    )
    parser.add_argument("--version", action="version", version=f"mlkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser("run", help="run the pipeline a config describes")
    run.add_argument("config", help="YAML config file (see configs/)")
    run.add_argument(
        "--store",
        help="tracking store: a folder (SQLite + artifacts) or a tracking URI; overrides "
        "the config (default: $MLFLOW_TRACKING_URI, else $MLKIT_HOME, else ./mlkit-runs)",
    )
    run.add_argument(
        "--no-tracking",
        action="store_true",
        help="run without MLflow (nothing is logged or registered)",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    run.add_argument(
        "--traceback", action="store_true", help="print the full traceback when the run fails"
    )

    validate = commands.add_parser("validate", help="check a config (and its data) without running")
    validate.add_argument("config", help="YAML config file")

    monitor = commands.add_parser(
        "monitor",
        help="test new data for drift against the champion's reference profile "
        "(exit 0: no drift, 1: drift, 2: bad file or columns)",
    )
    monitor.add_argument("config", help="the YAML config the model was run with")
    monitor.add_argument("--data", required=True, help="CSV or Parquet file of new rows")
    monitor.add_argument("--store", help="tracking store folder or URI (as for 'run')")
    monitor.add_argument("--alias", default="champion", help="model alias to compare with")
    monitor.add_argument("--alpha", type=float, default=0.05, help="level of the tests")
    monitor.add_argument(
        "--drift-share",
        type=float,
        default=0.5,
        help="share of drifted columns that counts as drift (default 0.5)",
    )
    monitor.add_argument(
        "--retrain",
        action="store_true",
        help="on drift, re-run the pipeline on the config's data plus the new rows "
        "(needs the target column) and gate the new model against the champion",
    )

    models = commands.add_parser("models", help="list the versions and aliases of a model")
    models.add_argument("name", help="registered model name")
    models.add_argument("--store", help="tracking store folder or URI (as for 'run')")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mlkit`` console script (and ``python -m mlkit``).

    Parameters
    ----------
    argv : sequence of str or None
        Arguments without the program name; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        The exit code.
    """
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    parser = _parser()
    args = parser.parse_args(argv)
    from mlkit.config import ConfigError

    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "models":
            return _models(args)
        if args.command == "monitor":
            return _monitor(args)
        return _run(args)
    except ConfigError as error:
        _error(str(error))
        return EXIT_USAGE


def _error(message: str) -> None:
    print(f"mlkit: error: {message}", file=sys.stderr)


def _validate(args: argparse.Namespace) -> int:
    from mlkit.config import load_config
    from mlkit.pipeline import prepare

    config = load_config(args.config)
    prepared = prepare(config)
    data = prepared.data
    print(f"{args.config}: valid")
    print(
        f"  data: {data.name}, {data.X.shape[0]} rows, {data.X.shape[1]} features, "
        f"{prepared.task} target {data.y.name!r}"
    )
    print(
        f"  model: {config.model.estimator}, tuning: {config.tuning.method}, "
        f"scoring: {prepared.scoring}"
    )
    return EXIT_OK


def _models(args: argparse.Namespace) -> int:
    from mlkit.tracking import list_versions, resolve_store

    try:
        store = resolve_store(args.store)
        table = list_versions(args.name, store=store)
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(f"model {args.name!r} in {store}")
        print(table.drop(columns=["run_id"]).to_string())
    return EXIT_OK


def _monitor(args: argparse.Namespace) -> int:
    """Exit 0 without drift, 1 with drift (after any --retrain), 2 on a bad input."""
    from mlkit.config import load_config
    from mlkit.display import format_number
    from mlkit.monitor import MonitorError, check_new_data, retrain_with

    config = load_config(args.config)
    try:
        result = check_new_data(
            config,
            args.data,
            store=args.store,
            alias=args.alias,
            alpha=args.alpha,
            drift_share=args.drift_share,
        )
    except MonitorError as error:
        _error(str(error))
        return EXIT_USAGE
    table = result.report.to_frame()
    shown = table[["test", "statistic", "p_adjusted", "distance", "drifted", "psi"]]
    print(f"model {result.model_name!r} version {result.version} ({args.alias}); "
          f"{result.n_rows} new rows")  # fmt: skip
    print(shown.map(format_number).to_string())
    print(result.report.summary())
    if result.drifted and args.retrain:
        try:
            retrained = retrain_with(
                config, args.data, store=args.store, echo=lambda line: print(f"- {line}")
            )
        except MonitorError as error:
            _error(str(error))
            return EXIT_USAGE
        print(retrained.summary())
    return EXIT_FAILED if result.drifted else EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from mlkit.config import ConfigError, load_config
    from mlkit.pipeline import run_pipeline

    config = load_config(args.config)
    echo: Any = None if args.quiet else (lambda line: print(f"- {line}", flush=True))
    try:
        result = run_pipeline(
            config,
            store=args.store,
            tracking=False if args.no_tracking else None,
            echo=echo,
        )
    except ConfigError:
        raise
    except KeyboardInterrupt:
        _error("interrupted; the MLflow run is marked FAILED and nothing was registered.")
        return 130
    except Exception as error:
        if args.traceback:
            traceback.print_exc()
        _error(
            f"the run failed: {type(error).__name__}: {error}\n"
            f"The MLflow run (if any) is marked FAILED and nothing was registered. "
            f"Use --traceback for details."
        )
        return EXIT_FAILED
    print(result.summary())
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
