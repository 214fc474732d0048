"""MLflow tracking: stores, runs and what a run logs (the same helpers ``mlkit run`` uses).

- :func:`resolve_store` decides where runs go: a folder holding ``mlflow.db`` (SQLite)
  and ``artifacts/``, or a tracking server URI.
- :func:`start_run` is a context manager around one MLflow run. If its body raises
  (including ``KeyboardInterrupt`` and the SIGTERM of ``mlkit run``), the run is
  marked ``FAILED``, any model version it registered is deleted, and the exception
  propagates. The run is tagged with the process id and host that run it
  (``mlkit.pid``, ``mlkit.host``).
- :func:`mark_stale_runs` marks runs left ``RUNNING`` by a killed process as
  ``FAILED`` (and cleans up after them as a crash would); :func:`list_runs` lists runs.
- :class:`TrackedRun` logs parameters, metrics, tables, figures and files (written to
  a temporary file first and renamed into place, so a crash leaves no half-written
  artifact); :func:`log_cv_result` logs a tuning or cross-validation result.

The model registry (register, load, gate, versions) lives in :mod:`mlkit.registry`;
its names are still importable from here for one release.

Nothing here imports mlflow or skops at module import time. MLflow's anonymous
telemetry is switched off (``MLFLOW_DISABLE_TELEMETRY=true``) before mlflow is imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit._store import (  # noqa: F401  (DEFAULT_FOLDER, _mlflow, ...: re-exported)
    DEFAULT_FOLDER,
    SERVER_LOCK_NAME,
    Store,
    TrackingServerUnreachable,
    _client,
    _experiment_id,
    _mlflow,
    _quiet,
    _reader,
    _retry,
    _try_server_lock,
    resolve_store,
    store_lock,
)

__all__ = [
    "Store",
    "TrackedRun",
    "TrackingServerUnreachable",
    "data_checksum",
    "flatten",
    "list_runs",
    "log_cv_result",
    "mark_stale_runs",
    "resolve_store",
    "start_run",
    "store_lock",
]

#: Packages whose versions are recorded with every run.
RECORDED_PACKAGES = (
    "mlkit",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "skops",
    "mlflow",
    "optuna",
)
#: Run tags naming the process (and host) that runs it; see :func:`mark_stale_runs`.
PID_TAG, HOST_TAG = "mlkit.pid", "mlkit.host"

#: Registry names moved to :mod:`mlkit.registry`; importable from here for one release.
_MOVED_TO_REGISTRY = frozenset(
    {
        "CHALLENGER",
        "CHAMPION",
        "GateDecision",
        "ModelVersionInfo",
        "UNTRUSTED_TYPES_TAG",
        "UntrustedTypesError",
        "list_versions",
        "load_model",
        "promote_if_better",
        "register_model",
        "_read_skops",
        "_row_scorer",
        "_skops_types",
    }
)


def __getattr__(name: str) -> Any:
    """Forward the registry names that moved to :mod:`mlkit.registry` (for one release)."""
    if name in _MOVED_TO_REGISTRY:
        import importlib

        return getattr(importlib.import_module("mlkit.registry"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- values


def flatten(data: Mapping[str, Any], *, prefix: str = "", sep: str = ".") -> dict[str, str]:
    """Flatten nested mappings into ``{"a.b.c": "value"}`` with string values.

    Lists and other values are JSON-encoded (strings stay as they are).

    Examples
    --------
    >>> from mlkit.tracking import flatten
    >>> flatten({"cv": {"n_splits": 5}, "space": {"depth": [2, 3]}, "name": "x"})
    {'cv.n_splits': '5', 'space.depth': '[2, 3]', 'name': 'x'}
    """
    if not isinstance(data, Mapping):
        raise ValueError(
            f"data must be a mapping (e.g. a config dict), got {type(data).__name__} ({data!r})."
        )
    result: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, Mapping) and value:
            result.update(flatten(value, prefix=name, sep=sep))
        elif isinstance(value, str):
            result[name] = value
        else:
            result[name] = json.dumps(_jsonable(value))
    return result


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return repr(value)


def data_checksum(*arrays: Any) -> str:
    """SHA-256 of the content of DataFrames / Series / arrays (order, values, names, dtypes).

    The same data gives the same checksum in every process, so a run records exactly
    which data it saw.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.tracking import data_checksum
    >>> a = pd.DataFrame({"x": [1, 2]})
    >>> data_checksum(a) == data_checksum(a.copy()), data_checksum(a) == data_checksum(a + 1)
    (True, False)
    """
    digest = hashlib.sha256()
    for item in arrays:
        if item is None:
            digest.update(b"<none>")
            continue
        frame = item if isinstance(item, pd.DataFrame | pd.Series) else pd.DataFrame(item)
        header = (
            list(map(str, frame.columns)) if isinstance(frame, pd.DataFrame) else [str(frame.name)]
        )
        dtypes = (
            list(map(str, frame.dtypes)) if isinstance(frame, pd.DataFrame) else [str(frame.dtype)]
        )
        digest.update(json.dumps([header, dtypes, len(frame)]).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _git_commit(folder: Path | None = None) -> tuple[str | None, bool]:
    """The current git commit of ``folder`` (or cwd) and whether the tree has changes."""
    cwd = str(folder) if folder else None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None, False
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return commit.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return None, False


def _package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in RECORDED_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            continue
    return versions


# --------------------------------------------------------------------------- runs


@dataclass
class TrackedRun:
    """One MLflow run in progress (yielded by :func:`start_run`).

    Attributes
    ----------
    run_id, experiment_id : str
    store : Store
    registered : list of (name, version)
        Model versions registered during the run (deleted again if the run fails).
    """

    run_id: str
    experiment_id: str
    store: Store
    client: Any = field(repr=False)
    registered: list[tuple[str, str]] = field(default_factory=list)

    # ----- values
    def log_params(self, params: Mapping[str, Any], *, prefix: str = "") -> None:
        """Log parameters (nested mappings are flattened with dots; values as strings)."""
        from mlflow.entities import Param

        flat = flatten(params, prefix=prefix)
        items = [Param(k, v if len(v) <= 6000 else v[:5997] + "...") for k, v in flat.items()]
        for start in range(0, len(items), 100):
            _retry(self.client.log_batch, self.run_id, params=items[start : start + 100])

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Log numeric metrics (NaN and infinite values are skipped)."""
        from mlflow.entities import Metric

        stamp = int(time.time() * 1000)
        items = [
            Metric(k, float(v), stamp, step or 0)
            for k, v in metrics.items()
            if v is not None and np.isfinite(float(v))
        ]
        for start in range(0, len(items), 500):
            _retry(self.client.log_batch, self.run_id, metrics=items[start : start + 500])

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        """Set run tags (values as strings)."""
        from mlflow.entities import RunTag

        items = [
            RunTag(k, v if isinstance(v, str) else json.dumps(_jsonable(v)))
            for k, v in tags.items()
        ]
        if items:
            _retry(self.client.log_batch, self.run_id, tags=items)

    # ----- files
    def log_file(self, local_path: str | os.PathLike[str], *, artifact_path: str = "") -> str:
        """Copy a local file into the run's artifacts; returns its artifact path.

        On a local store the file is copied to a temporary name and renamed into place,
        so an interrupted copy never leaves a half-written artifact.
        """
        local = Path(local_path)
        target = f"{artifact_path}/{local.name}" if artifact_path else local.name
        run = _retry(self.client.get_run, self.run_id)
        uri = run.info.artifact_uri
        if uri.startswith("file:"):
            from urllib.parse import unquote, urlparse

            dest_dir = Path(unquote(urlparse(uri).path)) / artifact_path
            dest_dir.mkdir(parents=True, exist_ok=True)
            partial = dest_dir / f".{local.name}.partial-{os.getpid()}"
            try:
                shutil.copyfile(local, partial)
                os.replace(partial, dest_dir / local.name)
            except BaseException:  # an interrupted copy leaves nothing behind
                partial.unlink(missing_ok=True)
                raise
        else:
            _retry(self.client.log_artifact, self.run_id, str(local), artifact_path or None)
        return target

    def _log_written(self, name: str, write: Any) -> str:
        folder, _, filename = name.rpartition("/")
        with tempfile.TemporaryDirectory(prefix="mlkit-artifact-") as tmp:
            path = Path(tmp) / filename
            write(path)
            return self.log_file(path, artifact_path=folder)

    def log_text(self, text: str, name: str) -> str:
        """Log a text artifact (``name`` may contain folders: ``"tables/x.txt"``)."""
        return self._log_written(name, lambda p: p.write_text(text, encoding="utf-8"))

    def log_dict(self, data: Mapping[str, Any], name: str) -> str:
        """Log a mapping as JSON or YAML (by the suffix of ``name``)."""
        if name.endswith((".yaml", ".yml")):
            import yaml

            text = yaml.safe_dump(_jsonable(data), sort_keys=False)
        else:
            text = json.dumps(_jsonable(data), indent=2)
        return self.log_text(text, name)

    def log_table(self, table: pd.DataFrame | pd.Series, name: str) -> str:
        """Log a table as CSV (``name`` ending in ``.csv``)."""
        frame = table.to_frame() if isinstance(table, pd.Series) else table
        return self._log_written(name, lambda p: frame.to_csv(p))

    def log_figure(self, figure: Any, name: str) -> str:
        """Log a matplotlib figure as PNG (the figure is not closed)."""
        return self._log_written(name, lambda p: figure.savefig(p, dpi=100, bbox_inches="tight"))

    def log_environment(self, *, folder: Path | None = None) -> None:
        """Record the git commit (when there is one) and package versions."""
        commit, dirty = _git_commit(folder)
        tags: dict[str, Any] = {"mlkit.git_dirty": str(dirty).lower()}
        if commit:
            tags["mlkit.git_commit"] = commit
            tags["mlflow.source.git.commit"] = commit
        self.set_tags(tags)
        versions = _package_versions()
        self.log_params(versions, prefix="version")
        self.log_dict(versions, "environment/packages.json")


@contextlib.contextmanager
def start_run(
    experiment: str,
    *,
    store: str | os.PathLike[str] | Store | None = None,
    run_name: str | None = None,
    tags: Mapping[str, str] | None = None,
) -> Iterator[TrackedRun]:
    """Start a tracked MLflow run; mark it ``FAILED`` and unregister its models on error.

    Parameters
    ----------
    experiment : str
        Experiment name; created on first use with its artifacts in the store's
        ``artifacts/`` folder (never relative to the working directory).
    store : str, path, Store or None, default=None
        See :func:`resolve_store`.
    run_name : str or None, default=None
    tags : mapping or None, default=None
        Run tags.

    Yields
    ------
    TrackedRun

    Raises
    ------
    Exception
        Whatever the body raised, after the run is marked ``FAILED`` and the model
        versions registered in it are deleted.

    Examples
    --------
    >>> import tempfile
    >>> from mlkit.tracking import start_run
    >>> folder = tempfile.mkdtemp()
    >>> with start_run("demo", store=folder) as run:
    ...     run.log_metrics({"auc": 0.8})
    >>> run.client.get_run(run.run_id).info.status
    'FINISHED'
    """
    if not isinstance(experiment, str) or not experiment.strip():
        raise ValueError(f"experiment must be a non-empty name, got {experiment!r}.")
    resolved = resolve_store(store)
    client = _client(resolved)
    experiment_id = _experiment_id(client, resolved, experiment)
    # who runs it: mark_stale_runs leaves a run alone while this process lives
    owner = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    with _quiet():
        run = _retry(
            client.create_run, experiment_id, run_name=run_name, tags={**owner, **(tags or {})}
        )
    tracked = TrackedRun(run.info.run_id, experiment_id, resolved, client)
    try:
        yield tracked
    except BaseException:
        with contextlib.suppress(Exception), _quiet():
            _unregister(tracked)
        with contextlib.suppress(Exception), _quiet():
            _remove_partial_files(_retry(client.get_run, tracked.run_id).info.artifact_uri)
        with contextlib.suppress(Exception), _quiet():
            _retry(client.set_terminated, tracked.run_id, status="FAILED")
        raise
    with _quiet():
        _retry(client.set_terminated, tracked.run_id, status="FINISHED")


def _unregister(run: TrackedRun) -> None:
    with store_lock(run.store):
        _discard_versions(run.client, reversed(run.registered))
        run.registered.clear()


def _discard_versions(client: Any, versions: Any) -> None:
    """Delete model versions of a failed run, handing ``champion`` back first.

    A version the gate had already promoted returns the ``champion`` alias to the
    champion it replaced (recorded in its ``mlkit.gate.champion_version`` tag), so a
    run that fails after its gate leaves the registry as it found it.
    """
    for name, version in versions:
        with contextlib.suppress(Exception):
            details = _retry(client.get_model_version, name, version)
            previous = (details.tags or {}).get("mlkit.gate.champion_version", "")
            if "champion" in (details.aliases or []) and previous:
                _retry(client.set_registered_model_alias, name, "champion", previous)
        _retry(client.delete_model_version, name, version)


def log_cv_result(run: TrackedRun, result: Any, *, prefix: str = "cv") -> None:
    """Log a tuning, nested-CV or cross-validation result to ``run``.

    Accepts a tuning result (``best_params_``, ``best_score_``, ``results_``), a nested
    CV result (``outer_scores_`` or a ``to_frame()``), the dict returned by
    ``sklearn.model_selection.cross_validate``, or a DataFrame. Per-fold scores are
    logged as metric ``{prefix}.fold_score`` with the fold as the step, plus their mean
    and standard deviation; tables go to ``{prefix}/*.csv``.

    Parameters
    ----------
    run : TrackedRun
    result : object
    prefix : str, default="cv"
        Name prefix of the logged values.
    """
    if isinstance(result, pd.DataFrame):
        run.log_table(result, f"{prefix}/results.csv")
        return
    folds: list[float] = []
    if isinstance(result, Mapping):
        scores = result.get("test_score")
        if scores is None:
            raise ValueError(
                "result is a mapping without 'test_score'; pass the dict returned by "
                "cross_validate or a tuning result."
            )
        folds = [float(s) for s in np.ravel(scores)]
        run.log_table(
            pd.DataFrame({k: np.ravel(v) for k, v in result.items() if np.ndim(v) == 1}),
            f"{prefix}/folds.csv",
        )
    else:
        best_params = getattr(result, "best_params_", None)
        if best_params is not None:
            run.log_params(dict(best_params), prefix=f"{prefix}.best")
        best_score = getattr(result, "best_score_", None)
        if best_score is not None:
            run.log_metrics({f"{prefix}.best_score": float(best_score)})
        table = getattr(result, "results_", None)
        if isinstance(table, pd.DataFrame):
            run.log_table(table, f"{prefix}/results.csv")
            fold_scores = getattr(result, "fold_scores", None)
            if callable(fold_scores):
                folds = [float(s) for s in np.ravel(fold_scores())]
            else:
                folds = _best_fold_scores(table)
        for attribute in ("outer_scores", "outer_scores_", "fold_scores_", "scores_"):
            values = getattr(result, attribute, None)
            if values is not None and not folds:
                folds = [float(s) for s in np.ravel(values)]
        to_frame = getattr(result, "to_frame", None)
        if table is None and callable(to_frame):
            run.log_table(to_frame(), f"{prefix}/results.csv")
    for step, score in enumerate(folds):
        run.log_metrics({f"{prefix}.fold_score": score}, step=step)
    if folds:
        run.log_metrics(
            {
                f"{prefix}.mean_score": float(np.mean(folds)),
                f"{prefix}.std_score": float(np.std(folds)),
            }
        )


def _best_fold_scores(table: pd.DataFrame) -> list[float]:
    """Per-fold test scores of the best candidate in a ``results_`` table.

    Understands mlkit's tuning tables (``fold_<k>`` and ``rank``) and scikit-learn's
    ``cv_results_`` (``split<k>_test_score`` and ``rank_test_score``).
    """
    names = [str(c) for c in table.columns]
    columns = [c for c in names if c.startswith("fold_") and c[5:].isdigit()]
    rank = "rank"
    if not columns:
        columns = [c for c in names if c.startswith("split") and c.endswith("_test_score")]
        rank = "rank_test_score"
    if not columns or table.empty or rank not in names:
        return []
    best = int(np.argmin(table[rank].to_numpy(dtype=float)))
    return [float(v) for v in table[columns].iloc[best].to_numpy(dtype=float) if np.isfinite(v)]


# --------------------------------------------------------------------------- run listing


def _all_runs(client: Any, *, status: str | None = None) -> list[Any]:
    experiments = _retry(client.search_experiments)
    ids = [e.experiment_id for e in experiments]
    if not ids:
        return []
    query = f"attributes.status = '{status}'" if status else ""
    runs: list[Any] = []
    token = None
    while True:
        page = _retry(client.search_runs, ids, query, max_results=1000, page_token=token)
        runs.extend(page)
        token = getattr(page, "token", None)
        if not token:
            return runs


def list_runs(store: str | os.PathLike[str] | Store | None = None) -> pd.DataFrame:
    """The runs of a store, newest first: status, start, name (read only).

    Parameters
    ----------
    store : see :func:`resolve_store`
        Only read: a local store's SQLite file is opened read-only.

    Returns
    -------
    DataFrame
        One row per run (index ``run_id``): ``experiment``, ``name``, ``status``,
        ``start``, ``end``, ``pid``, ``host``.

    Examples
    --------
    >>> import tempfile
    >>> from mlkit.tracking import list_runs, start_run
    >>> folder = tempfile.mkdtemp()
    >>> with start_run("demo", store=folder, run_name="first"):
    ...     pass
    >>> list_runs(folder)[["name", "status"]].to_numpy().tolist()
    [['first', 'FINISHED']]
    """
    resolved = resolve_store(store)
    columns = ["experiment", "name", "status", "start", "end", "pid", "host"]
    if resolved.root is not None and not (resolved.root / "mlflow.db").is_file():
        return pd.DataFrame(columns=["run_id", *columns]).set_index("run_id")
    client = _reader(resolved)
    with _quiet():
        names = {e.experiment_id: e.name for e in _retry(client.search_experiments)}
        runs = _all_runs(client)
    rows = [
        {
            "run_id": r.info.run_id,
            "experiment": names.get(r.info.experiment_id, r.info.experiment_id),
            "name": r.info.run_name,
            "status": r.info.status,
            "start": pd.Timestamp(r.info.start_time, unit="ms"),
            "end": pd.Timestamp(r.info.end_time, unit="ms") if r.info.end_time else pd.NaT,
            "pid": r.data.tags.get(PID_TAG, ""),
            "host": r.data.tags.get(HOST_TAG, ""),
        }
        for r in runs
    ]
    frame = pd.DataFrame(rows, columns=["run_id", *columns])
    return frame.sort_values("start", ascending=False).set_index("run_id")


def _process_alive(pid: int, started_ms: int) -> bool | None:
    """Whether process ``pid`` of this host still runs the run started at ``started_ms``.

    ``None`` when it cannot be told (Windows, where probing a pid signals it). On
    Linux a zombie counts as dead, and so does a process that started after the run
    (the pid was reused).
    """
    if os.name == "nt" or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's live process
    except OSError:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X"):
            return False
        stat = Path("/proc/stat").read_text().splitlines()
        boot = next(int(line.split()[1]) for line in stat if line.startswith("btime"))
        started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
        return started <= started_ms / 1000 + 2.0
    except (OSError, ValueError, IndexError, StopIteration):
        return True


def mark_stale_runs(
    store: str | os.PathLike[str] | Store | None = None,
    *,
    older_than: float | None = None,
) -> list[str]:
    """Mark runs left ``RUNNING`` by a killed process as ``FAILED``; clean up after them.

    :func:`start_run` tags every run with the process id and host that run it. A run
    still ``RUNNING`` whose process is gone (same host, pid no longer running, or now
    a newer process) was killed (SIGKILL, power loss) before it could mark itself.
    With ``older_than``, runs whose process cannot be checked (another host, a run not
    started by mlkit) are also marked once they started more than ``older_than``
    seconds ago. A run whose process is alive on this host is never marked.

    A marked run is cleaned up as a crashed one is: the model versions it registered
    are deleted (a promoted one hands ``champion`` back first) and half-copied
    artifact files (``.*.partial-*``) are removed. Its tag ``mlkit.stale`` says why.

    Parameters
    ----------
    store : see :func:`resolve_store`
    older_than : float or None, default=None
        Age in seconds beyond which a run that cannot be checked counts as stale.

    Returns
    -------
    list of str
        The run ids marked ``FAILED``.

    Raises
    ------
    ValueError
        A negative or non-numeric ``older_than``.
    """
    if older_than is not None and (
        isinstance(older_than, bool)
        or not isinstance(older_than, int | float)
        or not older_than >= 0
    ):
        raise ValueError(f"older_than must be a number of seconds >= 0, got {older_than!r}.")
    resolved = resolve_store(store)
    if resolved.root is not None and not (resolved.root / "mlflow.db").is_file():
        return []
    client = _client(resolved)
    host, now = socket.gethostname(), time.time()
    marked: list[str] = []
    with store_lock(resolved), _quiet():
        for run in _all_runs(client, status="RUNNING"):
            tags, started = run.data.tags, int(run.info.start_time or 0)
            pid = tags.get(PID_TAG, "")
            alive = (
                _process_alive(int(pid), started)
                if tags.get(HOST_TAG) == host and pid.isdigit()
                else None
            )
            if alive is None and older_than is not None and now - started / 1000 > older_than:
                reason = f"still RUNNING after {now - started / 1000:.0f} s (older_than)"
            elif alive is False:
                reason = f"process {pid} on {host} is gone"
            else:
                continue
            _clean_up_stale(client, run, reason)
            marked.append(run.info.run_id)
    return marked


def _remove_partial_files(artifact_uri: str | None) -> None:
    """Delete the half-copied artifact files (``.*.partial-*``) of a local run."""
    uri = artifact_uri or ""
    if uri.startswith("file:"):
        from urllib.parse import unquote, urlparse

        for partial in Path(unquote(urlparse(uri).path)).rglob(".*.partial-*"):
            partial.unlink(missing_ok=True)


def _clean_up_stale(client: Any, run: Any, reason: str) -> None:
    run_id = run.info.run_id
    versions = _retry(client.search_model_versions, f"run_id = '{run_id}'")
    with contextlib.suppress(Exception):
        _discard_versions(client, [(v.name, str(v.version)) for v in versions])
    _remove_partial_files(run.info.artifact_uri)
    _retry(client.set_tag, run_id, "mlkit.stale", reason)
    _retry(client.set_terminated, run_id, status="FAILED")
