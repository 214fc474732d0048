"""MLflow tracking and model registry helpers (the same ones ``mlkit run`` uses).

- :func:`resolve_store` decides where runs go: a folder holding ``mlflow.db`` (SQLite)
  and ``artifacts/``, or a tracking server URI.
- :func:`start_run` is a context manager around one MLflow run. If its body raises,
  the run is marked ``FAILED``, any model version it registered is deleted, and the
  exception propagates.
- :class:`TrackedRun` logs parameters, metrics, tables, figures and files (written to
  a temporary file first and renamed into place, so a crash leaves no half-written
  artifact); :func:`log_cv_result` logs a tuning or cross-validation result.
- :func:`register_model` stores the model with skops (never pickle), records the
  types skops does not trust by default, registers a new version and gives it the
  alias ``challenger``; :func:`promote_if_better` is the champion/challenger gate,
  which re-scores the current champion on the *same* holdout rows and promotes only
  when a paired bootstrap interval of the difference (over patients) clears a margin.
- :func:`load_model` loads a version or alias safely: types outside skops' default
  trust list are refused unless the caller trusts them explicitly.
- :func:`list_versions` lists the versions of a registered model with their aliases.

Nothing here imports mlflow or skops at module import time. MLflow's anonymous
telemetry is switched off (``MLFLOW_DISABLE_TELEMETRY=true``) before mlflow is imported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import check_consistent_length, check_groups, check_target
from mlkit.stats import BootstrapInterval

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "GateDecision",
    "ModelVersionInfo",
    "Store",
    "TrackedRun",
    "TrackingServerUnreachable",
    "UntrustedTypesError",
    "data_checksum",
    "flatten",
    "list_versions",
    "load_model",
    "log_cv_result",
    "promote_if_better",
    "register_model",
    "resolve_store",
    "start_run",
    "store_lock",
]

CHAMPION = "champion"
CHALLENGER = "challenger"
#: Default folder name of the local store (under the current working directory).
DEFAULT_FOLDER = "mlkit-runs"
#: Tag holding the JSON list of types skops does not trust by default.
UNTRUSTED_TYPES_TAG = "mlkit.untrusted_types"
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


class UntrustedTypesError(ValueError):
    """A stored model holds types the caller has not trusted; the message lists them."""


# --------------------------------------------------------------------------- store


@dataclass(frozen=True)
class Store:
    """Where runs, artifacts and registered models live.

    Attributes
    ----------
    tracking_uri : str
        MLflow tracking (and registry) URI.
    root : Path or None
        The local folder holding ``mlflow.db`` and ``artifacts/`` (``None`` for a
        tracking server).
    """

    tracking_uri: str
    root: Path | None = None

    @property
    def artifact_location(self) -> str | None:
        """Artifact root of experiments created by mlkit (``None``: the server's default)."""
        return (self.root / "artifacts").as_uri() if self.root is not None else None

    @property
    def is_local(self) -> bool:
        """True for a local SQLite store (then mlkit serialises writers with a file lock)."""
        return self.root is not None

    def __str__(self) -> str:
        return self.tracking_uri


def resolve_store(store: str | os.PathLike[str] | Store | None = None) -> Store:
    """Resolve where tracking goes.

    In order: an explicit ``store`` (a folder, a ``sqlite:///`` URI or any tracking
    URI); else ``$MLFLOW_TRACKING_URI``; else the folder ``$MLKIT_HOME``; else
    ``./mlkit-runs`` resolved to an absolute path now. A folder store holds
    ``mlflow.db`` (SQLite, created on first use) and ``artifacts/`` side by side,
    independent of the working directory of later calls.

    Parameters
    ----------
    store : str, path, Store or None, default=None

    Returns
    -------
    Store

    Examples
    --------
    >>> import tempfile
    >>> from mlkit.tracking import resolve_store
    >>> folder = tempfile.mkdtemp()
    >>> store = resolve_store(folder)
    >>> store.tracking_uri.startswith("sqlite:///"), store.tracking_uri.endswith("mlflow.db")
    (True, True)
    """
    if isinstance(store, Store):
        return store
    if store is None:
        env_uri = os.environ.get("MLFLOW_TRACKING_URI")
        if env_uri:
            return _store_from_uri(env_uri)
        store = os.environ.get("MLKIT_HOME") or Path.cwd() / DEFAULT_FOLDER
    if not isinstance(store, str | os.PathLike):
        raise ValueError(
            f"store must be a folder path or a tracking URI, got {type(store).__name__}."
        )
    text = os.fspath(store)
    if not text.strip():
        raise ValueError("store is an empty string; pass a folder path or a tracking URI.")
    if "://" in text:
        return _store_from_uri(text)
    root = Path(text).expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise ValueError(f"store={text!r} is a file; pass a folder (mlflow.db goes inside it).")
    return Store(tracking_uri=f"sqlite:///{root / 'mlflow.db'}", root=root)


def _store_from_uri(uri: str) -> Store:
    if uri.startswith("sqlite:///"):
        db = Path(uri[len("sqlite:///") :]).expanduser().resolve()
        return Store(tracking_uri=f"sqlite:///{db}", root=db.parent)
    if uri.startswith("file:") or "://" not in uri:
        raise ValueError(
            f"tracking URI {uri!r} is a file store, which MLflow 3 has deprecated and which "
            f"has no model registry; pass a folder (mlkit creates a SQLite store in it)."
        )
    return Store(tracking_uri=uri, root=None)


# --------------------------------------------------------------------------- mlflow plumbing

# MLflow logs through its own stderr handler. These loggers print routine INFO or
# advisory WARNING lines during normal, successful use (database creation and alembic
# migrations on first use, "View run" links, signature hints about integer columns,
# registry chatter). Any stderr text fails the book build, so they are raised to ERROR
# while mlkit calls into MLflow, and restored afterwards. Real errors still show.
_NOISY_LOGGERS = (
    "mlflow.store.db.utils",
    "alembic",
    "alembic.runtime.migration",
    "mlflow.tracking._tracking_service.client",
    "mlflow.tracking._model_registry.client",
    "mlflow.tracking._model_registry.fluent",
    "mlflow.models.model",
    "mlflow.models.signature",
    "mlflow.types.utils",
    "mlflow.utils.environment",
    "mlflow.utils.requirements_utils",
    "mlflow.sklearn",
)


def _mlflow() -> Any:
    """Import mlflow with telemetry off (and no "View run at <url>" lines on stdout)."""
    os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    with warnings.catch_warnings():
        # `import mlflow` imports tqdm.auto, which warns on stderr inside Jupyter when
        # ipywidgets is absent; mlkit shows no MLflow progress bars, so it is moot.
        warnings.filterwarnings("ignore", message=".*IProgress not found.*")
        import mlflow

    return mlflow


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence MLflow's routine console output (see ``_NOISY_LOGGERS``)."""
    saved = {}
    for name in _NOISY_LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            # MLflow warns that integer columns cannot hold missing values when it infers
            # a signature; the signature is still right for the data it was given.
            warnings.filterwarnings("ignore", message=".*[Ii]nteger column.*")
            # SQLAlchemy 2.1 deprecates a loader option MLflow's store still uses; it
            # warns once when the store is first opened and changes nothing for mlkit.
            warnings.filterwarnings("ignore", message=r".*``noload`` loader strategy.*")
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


_LOCK_STATE: dict[str, list[Any]] = {}
_LOCK_GUARD = threading.RLock()


@contextlib.contextmanager
def store_lock(store: Store | str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on a store, across processes (and machines, for a server).

    Serialises first-time database creation (SQLite + alembic migrations race when
    several processes create the same database), experiment creation, model
    registration and alias moves, so concurrent runs pass the champion gate one after
    another. Re-entrant within a process. A local store locks ``.mlkit.lock`` beside
    ``mlflow.db``; a tracking server (or database URI) holds a short-lived registered
    model named :data:`SERVER_LOCK_NAME` (see :func:`_server_lock`).

    Examples
    --------
    >>> import tempfile
    >>> from mlkit.tracking import store_lock
    >>> with store_lock(tempfile.mkdtemp()):
    ...     pass
    """
    resolved = resolve_store(store)
    if resolved.root is None:
        with _server_lock(resolved):
            yield
        return
    resolved.root.mkdir(parents=True, exist_ok=True)
    path = str(resolved.root / ".mlkit.lock")
    with _LOCK_GUARD:
        state = _LOCK_STATE.get(path)
        if state is None:
            from filelock import FileLock  # portable (Windows too); imported where used

            lock = FileLock(path, is_singleton=False)
            lock.acquire()
            state = _LOCK_STATE[path] = [lock, 0]
        state[1] += 1
        try:
            yield
        finally:
            state[1] -= 1
            if state[1] == 0:
                state[0].release()
                del _LOCK_STATE[path]


#: Name of the registered model that serves as the lock of a tracking server.
SERVER_LOCK_NAME = "mlkit.store-lock"
#: Seconds after which a server lock left by a crashed holder may be broken.
SERVER_LOCK_TTL = 600.0


@contextlib.contextmanager
def _server_lock(store: Store) -> Iterator[None]:
    """A mutex shared by every client of a tracking server.

    The only atomic "create if absent" the MLflow REST API offers is creating a
    registered model (the name is unique in the database), so holding the lock means
    having created the model :data:`SERVER_LOCK_NAME`, and releasing it deletes it.
    A lock older than :data:`SERVER_LOCK_TTL` seconds (its holder crashed) is broken.
    """
    import random
    import socket
    import uuid

    key = f"server:{store.tracking_uri}"
    with _LOCK_GUARD:
        state = _LOCK_STATE.get(key)
        if state is None:
            client = _client(store)
            token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
            with _quiet():
                while not _try_server_lock(client, token):
                    time.sleep(random.uniform(0.05, 0.3))
            state = _LOCK_STATE[key] = [(client, token), 0]
        state[1] += 1
        try:
            yield
        finally:
            state[1] -= 1
            if state[1] == 0:
                del _LOCK_STATE[key]
                client, token = state[0]
                with contextlib.suppress(Exception), _quiet():
                    held = client.get_registered_model(SERVER_LOCK_NAME)
                    if (held.tags or {}).get("mlkit.lock.owner") == token:
                        client.delete_registered_model(SERVER_LOCK_NAME)


def _try_server_lock(client: Any, token: str) -> bool:
    """One attempt to take the server lock; breaks a lock that outlived its TTL."""
    try:
        client.create_registered_model(
            SERVER_LOCK_NAME,
            tags={
                "mlkit.lock.owner": token,
                "mlkit.lock.expires": repr(time.time() + SERVER_LOCK_TTL),
            },
            description="Held by mlkit while it registers a model version or moves an "
            "alias; deleted right after. Safe to delete if it is older than 10 minutes.",
        )
        return True
    except Exception as error:
        # ALREADY_EXISTS: somebody holds it. DOES_NOT_EXIST: the holder released it
        # between MLflow's failed insert and the lookup it then makes to build the error
        # message (sqlalchemy_store.create_registered_model); either way, try again.
        code = str(getattr(error, "error_code", error))
        if "RESOURCE_ALREADY_EXISTS" not in code and "RESOURCE_DOES_NOT_EXIST" not in code:
            raise
    with contextlib.suppress(Exception):  # it may be released in between
        held = client.get_registered_model(SERVER_LOCK_NAME)
        if float((held.tags or {}).get("mlkit.lock.expires", "inf")) < time.time():
            client.delete_registered_model(SERVER_LOCK_NAME)
    return False


def _retry(func: Any, *args: Any, attempts: int = 40, **kwargs: Any) -> Any:
    """Call ``func``, retrying while SQLite reports "database is locked"."""
    delay = 0.05
    for attempt in range(attempts):
        try:
            return func(*args, **kwargs)
        except Exception as error:
            if "database is locked" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


_READY: set[str] = set()


def _client(store: Store) -> Any:
    """An ``MlflowClient`` for ``store``, creating the SQLite database on first use."""
    _mlflow()
    from mlflow import MlflowClient

    if store.tracking_uri in _READY:
        return MlflowClient(tracking_uri=store.tracking_uri, registry_uri=store.tracking_uri)
    if store.root is None:  # a tracking server or a database: fail fast when unreachable
        _check_reachable(store.tracking_uri)
        _READY.add(store.tracking_uri)
        return MlflowClient(tracking_uri=store.tracking_uri, registry_uri=store.tracking_uri)
    # Creating the client opens the store, and a new SQLite store runs its alembic
    # migrations then: several processes doing that at once corrupt each other's work,
    # so first use happens under the store lock.
    with store_lock(store), _quiet():
        db = store.root / "mlflow.db" if store.root is not None else None
        fresh = db is not None and not db.exists()
        if fresh and db is not None:
            _seed_database(db)
        client = _retry(
            MlflowClient, tracking_uri=store.tracking_uri, registry_uri=store.tracking_uri
        )
        _retry(client.search_experiments, max_results=1)
        _retry(client.search_registered_models, max_results=1)
        if fresh and db is not None:
            _save_template(db)
            _pin_default_experiment(db, store)
    _READY.add(store.tracking_uri)
    return client


class TrackingServerUnreachable(ConnectionError):
    """The tracking server does not answer; the message names it and says what to check."""


def _check_reachable(uri: str, *, timeout: float = 5.0) -> None:
    """Probe an ``http(s)://`` tracking server's ``/health`` once, in seconds, not minutes.

    MLflow's own client retries a refused connection with exponential backoff for
    minutes before it gives up; a run should rather stop at once and say why.
    """
    import urllib.error
    import urllib.request

    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(f"{uri.rstrip('/')}/health", timeout=timeout):
            return
    except urllib.error.HTTPError:
        return  # it answered (a proxy or auth in front of it): reachable
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise TrackingServerUnreachable(
            f"the MLflow tracking server at {uri} is unreachable ({reason}); start it "
            f"(mlflow server --backend-store-uri ... --host ... --port ...) or fix the "
            f"tracking URI ($MLFLOW_TRACKING_URI, tracking.store in the config, or --store)."
        ) from None


def _template_path() -> Path | None:
    """Cached empty, fully migrated database for this MLflow version (or None)."""
    from importlib.metadata import version

    base = os.environ.get("MLKIT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mlkit"
    )
    return Path(base) / f"mlflow-{version('mlflow')}-empty.db"


def _seed_database(db: Path) -> None:
    """Start a new store from the cached empty database when there is one.

    A new SQLite store otherwise runs every alembic migration of MLflow's schema,
    which takes several seconds; the result is identical, so it is cached once.
    """
    template = _template_path()
    if template is None or not template.is_file():
        return
    partial = db.with_name(f".{db.name}.partial-{os.getpid()}")
    try:
        shutil.copyfile(template, partial)
        os.replace(partial, db)
    except OSError:
        partial.unlink(missing_ok=True)


def _save_template(db: Path) -> None:
    """Cache a just-created empty database (best effort; read-only homes are fine)."""
    template = _template_path()
    if template is None or template.is_file():
        return
    partial = template.with_name(f".{template.name}.partial-{os.getpid()}")
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(db, partial)
        os.replace(partial, template)
    except OSError:
        partial.unlink(missing_ok=True)


def _pin_default_experiment(db: Path, store: Store) -> None:
    """Point MLflow's "Default" experiment at the store's artifacts folder.

    MLflow gives it a location relative to the working directory of the process that
    created the database; mlkit never writes there, but plain MLflow calls would.
    """
    import sqlite3

    with contextlib.closing(sqlite3.connect(db, timeout=30)) as connection, connection:
        connection.execute(
            "UPDATE experiments SET artifact_location = ? WHERE experiment_id = 0",
            (store.artifact_location,),
        )


def _experiment_id(client: Any, store: Store, name: str) -> str:
    with store_lock(store), _quiet():
        experiment = _retry(client.get_experiment_by_name, name)
        if experiment is None:
            return str(
                _retry(client.create_experiment, name, artifact_location=store.artifact_location)
            )
        if experiment.lifecycle_stage == "deleted":
            _retry(client.restore_experiment, experiment.experiment_id)
        return str(experiment.experiment_id)


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
            shutil.copyfile(local, partial)
            os.replace(partial, dest_dir / local.name)
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
    with _quiet():
        run = _retry(client.create_run, experiment_id, run_name=run_name, tags=dict(tags or {}))
    tracked = TrackedRun(run.info.run_id, experiment_id, resolved, client)
    try:
        yield tracked
    except BaseException:
        with contextlib.suppress(Exception), _quiet():
            _unregister(tracked)
        with contextlib.suppress(Exception), _quiet():
            _retry(client.set_terminated, tracked.run_id, status="FAILED")
        raise
    with _quiet():
        _retry(client.set_terminated, tracked.run_id, status="FINISHED")


def _unregister(run: TrackedRun) -> None:
    with store_lock(run.store):
        for name, version in reversed(run.registered):
            _retry(run.client.delete_model_version, name, version)
        run.registered.clear()


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


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class ModelVersionInfo:
    """A registered model version.

    Attributes
    ----------
    name, version : str
    run_id : str
    model_uri : str
        ``models:/<name>/<version>``.
    untrusted_types : tuple of str
        Types in the skops file that skops does not trust by default.
    """

    name: str
    version: str
    run_id: str
    model_uri: str
    untrusted_types: tuple[str, ...] = ()


def _skops_types(model: Any) -> list[str]:
    import skops.io as sio

    return sorted(sio.get_untrusted_types(data=sio.dumps(model)))


def register_model(
    model: Any,
    run: TrackedRun,
    *,
    name: str,
    X_example: pd.DataFrame | None = None,
    tags: Mapping[str, Any] | None = None,
    alias: str | None = CHALLENGER,
) -> ModelVersionInfo:
    """Store a fitted model with skops in ``run`` and register it as a new version.

    The model is serialised with skops (``serialization_format="skops"``; never
    pickle). The types skops does not trust by default (e.g. the tree predictors of
    gradient boosting) are computed from the dumped bytes and recorded on the version
    (tag ``mlkit.untrusted_types``) and as the artifact ``model/untrusted_types.json``,
    so a loader can see exactly what it is asked to trust.

    Parameters
    ----------
    model : fitted scikit-learn estimator
    run : TrackedRun
        The run the model belongs to (from :func:`start_run`).
    name : str
        Registered model name; created on first use.
    X_example : DataFrame or None, default=None
        A few input rows, used to record the model signature (input columns and types).
    tags : mapping or None, default=None
        Extra version tags.
    alias : str or None, default="challenger"
        Alias moved to the new version.

    Returns
    -------
    ModelVersionInfo
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty model name, got {name!r}.")
    untrusted = _skops_types(model)
    signature = None
    if X_example is not None:
        from mlflow.models import infer_signature

        with _quiet():
            signature = infer_signature(X_example, model.predict(X_example))
    mlflow = _mlflow()
    with tempfile.TemporaryDirectory(prefix="mlkit-model-") as tmp, _quiet():
        local = Path(tmp) / "model"
        mlflow.sklearn.save_model(
            model,
            str(local),
            serialization_format="skops",
            skops_trusted_types=untrusted,
            signature=signature if signature is not None else False,
            # explicit requirements: inferring them re-imports the model in a subprocess
            pip_requirements=[
                f"{p}=={v}"
                for p, v in _package_versions().items()
                if p in ("scikit-learn", "skops", "numpy", "pandas")
            ],
        )
        (local / "untrusted_types.json").write_text(json.dumps(untrusted), encoding="utf-8")
        for path in sorted(local.rglob("*")):
            if path.is_file():
                parent = path.parent.relative_to(tmp).as_posix()
                run.log_file(path, artifact_path=parent)
    source = f"{_retry(run.client.get_run, run.run_id).info.artifact_uri}/model"
    version_tags = {UNTRUSTED_TYPES_TAG: json.dumps(untrusted), "mlkit.run_id": run.run_id}
    version_tags.update({k: str(v) for k, v in (tags or {}).items()})
    client = run.client
    with store_lock(run.store), _quiet():
        try:
            _retry(client.get_registered_model, name)
        except Exception as error:
            if "RESOURCE_DOES_NOT_EXIST" not in str(getattr(error, "error_code", error)):
                raise
            with contextlib.suppress(Exception):
                _retry(client.create_registered_model, name)
        created = _retry(
            client.create_model_version,
            name,
            source,
            run_id=run.run_id,
            tags=version_tags,
            await_creation_for=0,
        )
        version = str(created.version)
        run.registered.append((name, version))
        if alias:
            _retry(client.set_registered_model_alias, name, alias, version)
    run.set_tags({"mlkit.model_name": name, "mlkit.model_version": version})
    return ModelVersionInfo(
        name, version, run.run_id, f"models:/{name}/{version}", tuple(untrusted)
    )


def _resolve_version(client: Any, name: str, version: str | int | None, alias: str | None) -> Any:
    if (version is None) == (alias is None):
        raise ValueError("pass exactly one of version=<number> or alias=<name> (e.g. 'champion').")
    try:
        if alias is not None:
            return _retry(client.get_model_version_by_alias, name, alias)
        return _retry(client.get_model_version, name, str(version))
    except Exception as error:
        what = f"alias {alias!r}" if alias is not None else f"version {version}"
        raise ValueError(
            f"model {name!r} has no {what} in this store; list what exists with "
            f"list_versions({name!r})."
        ) from error


def load_model(
    name: str,
    *,
    version: str | int | None = None,
    alias: str | None = None,
    store: str | os.PathLike[str] | Store | None = None,
    trusted: Sequence[str] | None = None,
    trust_recorded_types: bool = False,
) -> Any:
    """Load a registered model version safely with skops.

    The skops file is inspected before anything is loaded. Types that skops does not
    trust by default must be trusted by the caller, either listed in ``trusted`` or,
    with ``trust_recorded_types=True``, accepted because they are exactly the types
    recorded when the version was registered. Otherwise :class:`UntrustedTypesError`
    lists them. (MLflow's own loader would trust whatever list the model files carry.)

    Parameters
    ----------
    name : str
        Registered model name.
    version : str, int or None
        Version number; give this or ``alias``.
    alias : str or None
        E.g. ``"champion"``.
    store : str, path, Store or None, default=None
        See :func:`resolve_store`.
    trusted : sequence of str or None, default=None
        Type names the caller trusts.
    trust_recorded_types : bool, default=False
        Also trust the types recorded on the version at registration.

    Returns
    -------
    estimator

    Raises
    ------
    UntrustedTypesError
        When the file holds untrusted types the caller did not trust.
    ValueError
        For an unknown model, version or alias.
    """
    import skops.io as sio

    resolved = resolve_store(store)
    client = _client(resolved)
    details = _resolve_version(client, name, version, alias)
    allowed = set(trusted or ())
    recorded = json.loads(details.tags.get(UNTRUSTED_TYPES_TAG, "[]"))
    if trust_recorded_types:
        allowed |= set(recorded)
    with _quiet():
        uri = _retry(client.get_model_version_download_uri, name, details.version)
    data = _read_skops(
        uri, what=f"model {name!r} version {details.version}", tracking_uri=resolved.tracking_uri
    )
    found = sorted(sio.get_untrusted_types(data=data))
    missing = [t for t in found if t not in allowed]
    if missing:
        extra = (
            ""
            if set(missing) <= set(recorded)
            else " Some of them were NOT recorded at registration: the file may have been altered."
        )
        raise UntrustedTypesError(
            f"model {name!r} version {details.version} contains types that are not trusted by "
            f"default: {missing}. Load it only if you trust where it came from, with "
            f"trusted={missing!r} or trust_recorded_types=True.{extra}"
        )
    return sio.loads(data, trusted=found)


def _read_skops(uri: str, *, what: str, tracking_uri: str | None = None) -> bytes:
    """The bytes of the ``*.skops`` file under artifact ``uri`` (read, never executed).

    ``tracking_uri`` locates served artifacts (``mlflow-artifacts:/...``) when it is not
    the process-wide tracking URI.
    """
    if uri.startswith("file:"):
        from urllib.parse import unquote, urlparse

        files = sorted(Path(unquote(urlparse(uri).path)).rglob("*.skops"))
    else:
        mlflow = _mlflow()
        previous = os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")
        # a progress bar on stderr would fail the book build
        os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
        try:
            with tempfile.TemporaryDirectory(prefix="mlkit-load-") as tmp, _quiet():
                folder = Path(
                    mlflow.artifacts.download_artifacts(
                        artifact_uri=uri, dst_path=tmp, tracking_uri=tracking_uri
                    )
                )
                files = sorted(folder.rglob("*.skops"))
                if files:
                    return files[0].read_bytes()
        finally:
            if previous is None:
                os.environ.pop("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", None)
            else:
                os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = previous
    if not files:
        raise ValueError(f"{what} has no skops file; mlkit loads only skops models (never pickle).")
    return files[0].read_bytes()


@dataclass(frozen=True)
class GateDecision:
    """The champion/challenger decision for one new model version.

    Attributes
    ----------
    promoted : bool
        Whether ``champion`` moved to the challenger.
    name, challenger_version : str
    champion_version : str or None
        The champion before the decision (``None`` when there was none).
    challenger_score, champion_score : float or None
        Both scored on the same holdout rows with ``scoring`` (greater is better).
    margin : float
    scoring : str
    reason : str
    interval : BootstrapInterval or None
        Paired bootstrap interval of ``challenger_score - champion_score`` over
        resampled groups (or rows) of the holdout; ``None`` when there was no champion
        to compare with.
    """

    promoted: bool
    name: str
    challenger_version: str
    champion_version: str | None
    challenger_score: float
    champion_score: float | None
    margin: float
    scoring: str
    reason: str
    interval: BootstrapInterval | None = None

    @property
    def champion_now(self) -> str:
        """The version holding the ``champion`` alias after the decision."""
        if self.promoted or self.champion_version is None:
            return self.challenger_version
        return self.champion_version

    def to_frame(self) -> pd.DataFrame:
        """The decision as a one-column table."""
        return pd.DataFrame(
            {
                "value": {
                    "challenger version": self.challenger_version,
                    "challenger score": self.challenger_score,
                    "champion version (before)": self.champion_version,
                    "champion score": self.champion_score,
                    "margin": self.margin,
                    "difference": None if self.interval is None else self.interval.estimate,
                    "interval low": None if self.interval is None else self.interval.ci_low,
                    "interval high": None if self.interval is None else self.interval.ci_high,
                    "resamples": None if self.interval is None else self.interval.n_valid,
                    "promoted": self.promoted,
                    "reason": self.reason,
                }
            }
        )


def _row_scorer(model: Any, X: Any, y: np.ndarray, *, scoring: Any) -> Any:
    """``score(rows) -> float``: ``scoring`` of ``model`` on a subset of the rows ``X, y``.

    The model predicts every row once; a resample only indexes those predictions, so a
    thousand bootstrap scores cost one ``predict`` per response method.
    """
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier
    from sklearn.metrics import check_scoring

    outputs: dict[str, np.ndarray] = {}
    for method in ("predict", "predict_proba", "decision_function"):
        if hasattr(model, method):
            try:
                outputs[method] = np.asarray(getattr(model, method)(X))
            except (AttributeError, NotImplementedError, ValueError):
                continue

    def serve(method: str) -> Any:
        def respond(_self: Any, rows: Any) -> np.ndarray:
            return outputs[method][np.asarray(rows, dtype=int).ravel()]

        respond.__name__ = respond.__qualname__ = method  # scorers look methods up by name
        return respond

    mixin: type = ClassifierMixin if is_classifier(model) else RegressorMixin
    cached_type = type(
        "CachedPredictions",
        (mixin, BaseEstimator),
        {m: serve(m) for m in outputs} | {"fit": lambda self, *a, **k: self},
    )
    cached = cached_type()
    if hasattr(model, "classes_"):
        cached.classes_ = model.classes_
    scorer = check_scoring(model, scoring=scoring)

    def score(rows: np.ndarray) -> float:
        rows = np.asarray(rows, dtype=int)
        return float(scorer(cached, rows.reshape(-1, 1), y[rows]))

    return score


def promote_if_better(
    name: str,
    version: str | int,
    X: pd.DataFrame,
    y: Any,
    *,
    scoring: str,
    margin: float = 0.0,
    groups: Any = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    random_state: int | None = 0,
    store: str | os.PathLike[str] | Store | None = None,
    challenger: Any = None,
    trusted: Sequence[str] | None = None,
) -> GateDecision:
    """The champion/challenger gate: move ``champion`` only on an improvement beyond noise.

    The current champion is loaded and scored on the *same* holdout rows ``X, y`` as
    the challenger (stored numbers from an older holdout are not comparable). With a
    few dozen holdout patients the difference of two scores is noisy (the standard
    error of a ROC AUC is several hundredths), so the gate does not compare the two
    point scores. It draws ``n_resamples`` paired bootstrap resamples of the holdout,
    by whole ``groups`` (patients) when given, scores both models on each resample and
    takes the two-sided ``confidence`` percentile interval of the difference
    (:func:`mlkit.stats.paired_bootstrap`).

    **The rule:** the challenger becomes champion when there is no champion yet, or
    when the **lower bound** of that interval exceeds ``margin``. A tie, or a gain
    within the noise, keeps the champion. The decision, both scores, the interval and
    the number of resamples are written as tags on the challenger version
    (``mlkit.gate.*``). Runs under the store lock, so concurrent runs decide one after
    another.

    Reusing one holdout for every new version turns it into a validation set: each
    decision looks at it, and over many versions the champion is partly chosen for
    luck on these rows. Refresh the holdout (new patients, a later period) from time
    to time.

    Parameters
    ----------
    name : str
        Registered model name.
    version : str or int
        The challenger version.
    X, y : the holdout rows
    scoring : str
        scikit-learn scorer name (greater is better).
    margin : float, default=0.0
        Required improvement (in ``scoring`` units), >= 0, that the lower bound of the
        interval must exceed.
    groups : array-like of shape (n_rows,) or None, default=None
        Group (patient) of each holdout row: resample whole groups. ``None`` resamples
        rows (only right when rows are independent).
    n_resamples : int, default=1000
        Bootstrap resamples, at least 100.
    confidence : float, default=0.95
        Level of the two-sided interval (the lower bound is a one-sided
        ``(1 + confidence) / 2`` bound).
    random_state : int or None, default=0
        Seed of the resampling.
    store : see :func:`resolve_store`
    challenger : fitted estimator or None
        The challenger model, if at hand (else it is loaded from the registry).
    trusted : sequence of str or None
        Extra trusted types for loading; the types recorded at registration are trusted.

    Returns
    -------
    GateDecision

    Raises
    ------
    ValueError
        A negative ``margin``, ``groups`` of another length than ``y``,
        ``n_resamples`` < 100 or ``confidence`` outside (0, 1).
    """
    from mlkit.stats import paired_bootstrap
    from mlkit.training import score_model

    if isinstance(margin, bool) or not isinstance(margin, int | float) or not margin >= 0:
        raise ValueError(f"margin must be a number >= 0, got {margin!r}.")
    y_arr = check_target(y, name="y")
    n_rows = check_consistent_length(X=X, y=y_arr)
    group_arr = None if groups is None else check_groups(groups, n_samples=n_rows)
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int) or n_resamples < 100:
        raise ValueError(f"n_resamples={n_resamples!r} must be an integer >= 100, e.g. 1000.")
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, int | float)
        or not 0 < confidence < 1
    ):
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1, e.g. 0.95.")
    interval = None
    resolved = resolve_store(store)
    client = _client(resolved)
    version = str(version)
    with store_lock(resolved):
        if challenger is None:
            challenger = load_model(
                name, version=version, store=resolved, trusted=trusted, trust_recorded_types=True
            )
        challenger_score = score_model(challenger, X, y, scoring=scoring)
        try:
            current = _retry(client.get_model_version_by_alias, name, CHAMPION)
        except Exception:
            current = None
        champion_version = str(current.version) if current is not None else None
        champion_score: float | None = None
        if current is None:
            promoted, reason = True, "no champion yet: the first version becomes champion"
        elif champion_version == version:
            promoted, reason = False, "this version is already champion"
        else:
            try:
                champion = load_model(
                    name,
                    version=champion_version,
                    store=resolved,
                    trusted=trusted,
                    trust_recorded_types=True,
                )
                champion_score = score_model(champion, X, y, scoring=scoring)
            except Exception as error:  # the champion cannot score these rows
                promoted = False
                reason = (
                    f"champion v{champion_version} could not be scored on this holdout "
                    f"({type(error).__name__}: {error}); kept it, promote by hand if intended"
                )
            else:
                score_challenger = _row_scorer(challenger, X, y_arr, scoring=scoring)
                score_champion = _row_scorer(champion, X, y_arr, scoring=scoring)
                interval = paired_bootstrap(
                    lambda rows: score_challenger(rows) - score_champion(rows),
                    n_rows,
                    groups=group_arr,
                    n_resamples=n_resamples,
                    confidence=confidence,
                    random_state=random_state,
                )
                promoted = interval.ci_low > margin
                verb = "beats" if promoted else "does not beat"
                units = "patients/groups" if interval.resampled == "groups" else "rows"
                reason = (
                    f"challenger {verb} champion v{champion_version} beyond the noise: "
                    f"{challenger_score:.4f} vs {champion_score:.4f} ({scoring}, difference "
                    f"{interval.estimate:+.4f}, {confidence:.0%} interval "
                    f"[{interval.ci_low:+.4f}, {interval.ci_high:+.4f}] from "
                    f"{interval.n_valid} resamples of {interval.n_units} {units}); promoted "
                    f"only when the lower bound exceeds margin={margin:g}"
                )
        tags = {
            "mlkit.gate.decision": "promoted" if promoted else "not promoted",
            "mlkit.gate.reason": reason,
            "mlkit.gate.scoring": scoring,
            "mlkit.gate.margin": repr(float(margin)),
            "mlkit.gate.challenger_score": repr(challenger_score),
            "mlkit.gate.champion_version": champion_version or "",
            "mlkit.gate.champion_score": "" if champion_score is None else repr(champion_score),
        }
        if interval is not None:
            tags |= {
                "mlkit.gate.difference": repr(interval.estimate),
                "mlkit.gate.ci_low": repr(interval.ci_low),
                "mlkit.gate.ci_high": repr(interval.ci_high),
                "mlkit.gate.confidence": repr(interval.confidence),
                "mlkit.gate.n_resamples": str(interval.n_resamples),
                "mlkit.gate.n_valid_resamples": str(interval.n_valid),
                "mlkit.gate.resampled": f"{interval.n_units} {interval.resampled}",
            }
        with _quiet():
            for key, value in tags.items():
                _retry(client.set_model_version_tag, name, version, key, value)
            if promoted:
                _retry(client.set_registered_model_alias, name, CHAMPION, version)
    return GateDecision(
        promoted=promoted,
        name=name,
        challenger_version=version,
        champion_version=champion_version,
        challenger_score=challenger_score,
        champion_score=champion_score,
        margin=float(margin),
        scoring=scoring,
        reason=reason,
        interval=interval,
    )


def list_versions(
    name: str, *, store: str | os.PathLike[str] | Store | None = None
) -> pd.DataFrame:
    """The versions of a registered model with their aliases and gate decisions.

    Parameters
    ----------
    name : str
    store : see :func:`resolve_store`

    Returns
    -------
    DataFrame
        One row per version (index ``version``): ``aliases``, ``run_id``, ``created``,
        ``status``, ``challenger_score``, ``champion_score``, ``decision``.

    Raises
    ------
    ValueError
        When no model of that name exists (the message lists the registered names).
    """
    resolved = resolve_store(store)
    client = _client(resolved)
    with _quiet():
        try:
            model = _retry(client.get_registered_model, name)
        except Exception:
            names = sorted(
                m.name
                for m in _retry(client.search_registered_models)
                if m.name != SERVER_LOCK_NAME
            )
            raise ValueError(
                f"no registered model named {name!r} in {resolved}; registered: "
                f"{names or 'none yet'}."
            ) from None
        versions = _retry(client.search_model_versions, f"name = '{name}'")
    aliases: dict[str, list[str]] = {}
    for alias, version in (model.aliases or {}).items():
        aliases.setdefault(str(version), []).append(alias)
    rows = []
    for v in versions:
        tags = v.tags or {}
        rows.append(
            {
                "version": int(v.version),
                "aliases": ", ".join(sorted(aliases.get(str(v.version), []))),
                "run_id": v.run_id,
                "created": pd.Timestamp(v.creation_timestamp, unit="ms"),
                "status": v.status,
                "challenger_score": _float_or_nan(tags.get("mlkit.gate.challenger_score")),
                "champion_score": _float_or_nan(tags.get("mlkit.gate.champion_score")),
                "decision": tags.get("mlkit.gate.decision", ""),
            }
        )
    columns = [
        "version",
        "aliases",
        "run_id",
        "created",
        "status",
        "challenger_score",
        "champion_score",
        "decision",
    ]
    return pd.DataFrame(rows, columns=columns).sort_values("version").set_index("version")


def _float_or_nan(text: str | None) -> float:
    try:
        return float(text) if text else float("nan")
    except ValueError:
        return float("nan")
