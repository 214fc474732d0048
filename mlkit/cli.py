"""Command line: ``mlkit run CONFIG.yaml``, ``mlkit validate CONFIG.yaml``, ``mlkit models NAME``,
``mlkit runs [--mark-stale]``, ``mlkit monitor CONFIG.yaml --data NEW.csv``,
``mlkit tune CONFIG.yaml --storage URL --study NAME --trials N`` (one worker of a shared study).

Exit codes: 0 success; 1 the run failed (the MLflow run is marked FAILED and nothing
is registered); 2 a bad command line or config (one message, no traceback); 130 the
run was interrupted (Ctrl-C, SIGINT) and 143 it was terminated (SIGTERM), in both
cases after marking the MLflow run FAILED and deleting what it registered.
``mlkit monitor`` exits 0 without drift, 1 with drift and 2 for a bad file or columns.
A run killed outright (SIGKILL) cannot clean up: ``mlkit runs --mark-stale`` does it.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
#: Exit codes of an interrupted (SIGINT) and a terminated (SIGTERM) run: 128 + signal.
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when ``mlkit run`` receives SIGTERM (handled like Ctrl-C)."""


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
        "--scheduler",
        help="run the CV and tuning fits on a Dask cluster: its scheduler address "
        "(tcp://host:port)",
    )
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

    runs = commands.add_parser(
        "runs",
        help="list the runs of a store; --mark-stale marks runs left RUNNING by a killed "
        "process as FAILED",
    )
    runs.add_argument("--store", help="tracking store folder or URI (as for 'run')")
    runs.add_argument(
        "--mark-stale",
        action="store_true",
        help="mark RUNNING runs whose process is gone (same host; pid tag) as FAILED and "
        "delete what they registered; a run whose process still runs is left alone",
    )
    runs.add_argument(
        "--older-than",
        type=float,
        metavar="SECONDS",
        help="with --mark-stale, also mark runs that cannot be checked (another host, not "
        "started by mlkit) once they started more than SECONDS ago",
    )
    runs.add_argument("-n", "--limit", type=int, default=20, help="runs to list (default 20)")
    _add_tune_parser(commands)
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
        if args.command == "runs":
            return _runs(args)
        if args.command == "monitor":
            return _monitor(args)
        if args.command == "tune":
            return _tune(args)
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
    metric = prepared.metric
    print(
        f"  model: {config.model.estimator}, tuning: {config.tuning.method}, "
        f"scoring: {metric.name} ({metric.direction})"
    )
    folds = prepared.folds
    print(f"  cv: {folds.n_splits} folds of {folds.splitter}; {folds.reason}")
    return EXIT_OK


def _models(args: argparse.Namespace) -> int:
    from mlkit.registry import list_versions
    from mlkit.tracking import resolve_store

    try:
        store = resolve_store(args.store)
        table = list_versions(args.name, store=store)
    except (ValueError, ConnectionError) as error:
        _error(str(error))
        return EXIT_USAGE
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(f"model {args.name!r} in {store}")
        print(table.drop(columns=["run_id"]).to_string())
    return EXIT_OK


def _runs(args: argparse.Namespace) -> int:
    """List runs (read only); with --mark-stale, first mark the runs of dead processes."""
    from mlkit.tracking import list_runs, mark_stale_runs, resolve_store

    if args.older_than is not None and not args.mark_stale:
        _error("--older-than only applies with --mark-stale.")
        return EXIT_USAGE
    if args.limit < 1:
        _error(f"--limit must be a positive number of runs, got {args.limit}.")
        return EXIT_USAGE
    try:
        store = resolve_store(args.store)
        if args.mark_stale:
            marked = mark_stale_runs(store, older_than=args.older_than)
            print(f"marked {len(marked)} stale run(s) FAILED" + (f": {', '.join(marked)}"
                                                                 if marked else ""))  # fmt: skip
        table = list_runs(store)
    except (ValueError, ConnectionError) as error:
        _error(str(error))
        return EXIT_USAGE
    import pandas as pd

    shown = table.head(args.limit)[["experiment", "name", "status", "start"]]
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(f"{len(table)} run(s) in {store}" + (f" (newest {args.limit})"
                                                  if len(table) > args.limit else ""))  # fmt: skip
        if len(shown):
            print(shown.to_string())
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
        with _dask_backend(args.scheduler), _sigterm_as_interrupt():
            result = run_pipeline(
                config,
                store=args.store,
                tracking=False if args.no_tracking else None,
                echo=echo,
            )
    except ConfigError:
        raise
    except Terminated:
        _error("terminated (SIGTERM); the MLflow run is marked FAILED and nothing was "
               "registered.")  # fmt: skip
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _error("interrupted; the MLflow run is marked FAILED and nothing was registered.")
        return EXIT_INTERRUPTED
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


#: Seconds a terminated run may spend cleaning up before it exits anyway (a process
#: supervisor sends SIGKILL after a grace period too; ``mlkit runs --mark-stale`` then
#: finishes the cleanup).
CLEANUP_SECONDS = 30.0


def _cleanup_watchdog(seconds: float) -> threading.Timer:
    """Exit with 143 after ``seconds`` unless cancelled (the cleanup finished) by then.

    The exception a signal raises can land anywhere, including between a lock's
    acquisition and its bookkeeping; a cleanup that then waits on that lock would wait
    forever. The watchdog bounds it: the run stays RUNNING, and ``mlkit runs
    --mark-stale`` (which sees its pid is gone) marks it FAILED and removes what it
    registered.
    """

    def give_up() -> None:
        sys.stderr.write(
            f"mlkit: error: terminated (SIGTERM); the cleanup did not finish within "
            f"{seconds:g} s, so the run may still show RUNNING: run `mlkit runs "
            f"--mark-stale` to mark it FAILED.\n"
        )
        sys.stderr.flush()
        os._exit(EXIT_TERMINATED)

    timer = threading.Timer(seconds, give_up)
    timer.daemon = True
    timer.start()
    return timer


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into :class:`Terminated`, so a run cleans up exactly as on Ctrl-C.

    The exception unwinds through :func:`mlkit.tracking.start_run`, which marks the run
    FAILED and deletes what it registered. Further SIGTERMs and SIGINTs are ignored
    while that cleanup runs (a second signal must not cut it short; SIGKILL still
    works, and ``mlkit runs --mark-stale`` cleans up after it). A signal that lands in
    a weakref callback or ``__del__``, where Python swallows exceptions ("Exception
    ignored in ..."), is raised again at the next ordinary line instead of being lost.
    """

    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        watchdogs.append(_cleanup_watchdog(CLEANUP_SECONDS))
        # MLflow logs the query this interrupts as a database error, with a traceback;
        # the run is being cleaned up, so that is noise
        logging.getLogger("mlflow").setLevel(logging.CRITICAL)
        raise Terminated(signum)

    def again(signum: int, frame: Any) -> None:
        raise Terminated(signal.SIGTERM)

    watchdogs: list[threading.Timer] = []

    def unraisable(info: Any) -> None:
        # swallowed: raise it again in 10 ms, once this callback has returned
        if isinstance(info.exc_value, Terminated) and hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, again)
            signal.setitimer(signal.ITIMER_REAL, 0.01)
            return
        previous_hook(info)

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    previous_int, previous_hook = signal.getsignal(signal.SIGINT), sys.unraisablehook
    previous_alarm = signal.getsignal(signal.SIGALRM) if hasattr(signal, "SIGALRM") else None
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        for watchdog in watchdogs:  # the cleanup is over: the process may live on
            watchdog.cancel()
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        sys.unraisablehook = previous_hook
        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_alarm)


# --------------------------------------------------------------------------- mlkit tune


def _add_tune_parser(commands: Any) -> None:
    tune = commands.add_parser(
        "tune",
        help="add Bayesian-search trials to a shared Optuna study (one worker; start several)",
        description="Run --trials Optuna trials of the config's search space on the config's "
        "training rows and folds, adding them to the study NAME in --storage. Start this "
        "command on several machines (or several times on one) to feed one study.",
    )
    tune.add_argument("config", help="YAML config file (its tuning.space is searched)")
    tune.add_argument(
        "--storage",
        required=True,
        help="Optuna storage: a database URL (postgresql+psycopg://user@host/db) or a "
        "journal file path ending in .log/.jsonl (several processes on one machine)",
    )
    tune.add_argument("--study", required=True, help="study name shared by all workers")
    tune.add_argument("--trials", type=int, required=True, help="trials this worker adds")
    tune.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of this worker's sampler (give each worker its own; default: fresh); "
        "the holdout and the folds always follow the config's seed",
    )
    tune.add_argument(
        "--scheduler",
        help="run the fits on a Dask cluster: the scheduler address (tcp://host:port)",
    )


@contextlib.contextmanager
def _dask_backend(address: str | None) -> Iterator[None]:
    """Send joblib's parallel work (CV and tuning fits) to the Dask cluster at ``address``."""
    if not address:
        yield
        return
    import joblib
    from distributed import Client

    with Client(address, timeout=30), joblib.parallel_config(backend="dask"):
        yield


def _tune(args: argparse.Namespace) -> int:
    from mlkit.config import ConfigError, load_config
    from mlkit.pipeline import prepare
    from mlkit.tuning import tune

    if args.trials < 1:
        raise ConfigError(f"--trials must be a positive number of trials, got {args.trials}.")
    config = load_config(args.config)
    prepared = prepare(config)
    if not prepared.space:
        raise ConfigError(f"{args.config}: tuning.space is empty; there is nothing to tune.")
    train, _ = prepared.split()  # the holdout rows are never tuned on
    cv = prepared.folds.folds  # the folds `mlkit run` tunes on
    try:
        with _dask_backend(args.scheduler):
            result = tune(
                prepared.estimator, prepared.space, train.X, train.y,
                method="bayes", groups=train.groups, time=train.time, task=prepared.task,
                cv=cv, scoring=prepared.scoring,
                n_iter=args.trials, random_state=args.seed, n_jobs=config.tuning.n_jobs,
                storage=args.storage, study_name=args.study,
            )  # fmt: skip
    except ValueError as error:
        _error(str(error))
        return EXIT_USAGE
    params = ", ".join(f"{k.removeprefix('model__')}={v!r}" for k, v in result.best_params_.items())
    print(
        f"study {result.study_name!r}: {result.n_candidates} finished trials "
        f"(this worker added {args.trials} in {result.wall_time:.1f} s)"
    )
    print(f"best {result.scoring}: {result.best_score_:.4f} ({result.direction}; {params})")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
