"""The tracking store: where runs and registered models live, and how mlkit talks to it.

Private plumbing shared by :mod:`mlkit.tracking` (runs) and :mod:`mlkit.registry`
(model versions): resolving a store, the cross-process store lock, a quiet MLflow
import, retries on a busy SQLite file, a read-only client for readers, and a fast
failure when a tracking server does not answer. The public names are re-exported by
:mod:`mlkit.tracking`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Default folder name of the local store (under the current working directory).
DEFAULT_FOLDER = "mlkit-runs"


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


def _reader(store: Store) -> Any:
    """An ``MlflowClient`` for reading ``store`` that never writes to it.

    A local store's SQLite file is opened read-only (``mode=ro``: SQLite itself refuses
    any write, whatever the file permissions), without the store lock and without
    creating anything, so a read-only copy of a store (or one on a read-only mount)
    can be listed and loaded from. A tracking server gets the usual client.

    Raises
    ------
    ValueError
        When a local store holds no ``mlflow.db`` (nothing was tracked there).
    """
    if store.root is None:
        return _client(store)
    db = store.root / "mlflow.db"
    if not db.is_file():
        raise ValueError(
            f"store {store.root} holds no mlflow.db: nothing was tracked or registered "
            f"there; check the store (store=, --store, $MLFLOW_TRACKING_URI, $MLKIT_HOME)."
        )
    if (db.parent / "mlflow.db-journal").exists() and os.access(db.parent, os.W_OK):
        # a writer is busy, or one was killed mid-transaction (a hot journal, which a
        # read-only connection cannot roll back): read through a normal client
        return _client(store)
    _mlflow()
    from urllib.parse import quote

    from mlflow import MlflowClient

    uri = f"sqlite:///file:{quote(str(db))}?mode=ro&uri=true"
    with _quiet():
        return _retry(MlflowClient, tracking_uri=uri, registry_uri=uri)


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
