"""Throwaway local servers: PostgreSQL, an MLflow tracking server and a Dask cluster.

A team runs these engines on real machines. To try mlkit against them on one machine
(the tests, the "Scaling out" appendix, ``benchmarks/bench_scale.py``), this module
starts each of them as ordinary subprocesses bound to ``127.0.0.1`` on free ports,
with their logs in files, and stops them again:

- :func:`start_postgres`: ``initdb`` + ``pg_ctl start`` in a new temporary folder (as
  the unprivileged ``postgres`` user when running as root, since PostgreSQL refuses
  to run as root), with trust authentication on loopback only and a few empty
  databases; :meth:`LocalPostgres.database_url` gives a SQLAlchemy URL for MLflow or Optuna.
- :func:`start_tracking_server`: ``mlflow server --serve-artifacts`` on a backend store.
- :func:`start_dask_cluster`: ``dask scheduler`` and ``n_workers`` separate
  ``dask worker`` processes (one thread each).

Every service is a context manager, is stopped by ``.stop()`` and, as a safety net,
at interpreter exit. Nothing here is meant for production: PostgreSQL runs with
``fsync=off`` and no passwords, which is fine for a database that is deleted when it
stops and reachable from this machine only.

Nothing is imported from mlflow, optuna or dask at module import time.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

__all__ = [
    "DaskCluster",
    "LocalPostgres",
    "LocalService",
    "ServiceError",
    "find_postgres",
    "free_port",
    "start_dask_cluster",
    "start_postgres",
    "start_tracking_server",
]

HOST = "127.0.0.1"


class ServiceError(RuntimeError):
    """A local service could not be started; the message says why and how to fix it."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now.

    Examples
    --------
    >>> from mlkit.servers import free_port
    >>> 1024 < free_port() < 65536
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _check_port(port: int | None) -> int:
    if port is None:
        return free_port()
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise ValueError(f"port must be an int in 1024..65535 or None (a free port), got {port!r}.")
    return port


def _check_timeout(timeout: float) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds > 0, got {timeout!r}.")
    return float(timeout)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
        return True
    return False


def _script(name: str) -> str:
    """The console script ``name`` of this Python environment (else on PATH)."""
    local = Path(sys.executable).parent / name
    if local.is_file():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise ServiceError(f"the {name!r} command is not installed in this environment.")
    return found


class LocalService:
    """A started service: its address, folder and log; ``stop()`` ends it.

    Attributes
    ----------
    name : str
    url : str
        Where clients connect (``http://127.0.0.1:PORT``, ``tcp://...``, ...).
    port : int
    folder : Path
        Working folder (logs, data); deleted on stop when the service created it.
    """

    def __init__(
        self,
        name: str,
        url: str,
        port: int,
        folder: Path,
        stop: Callable[[], None],
        *,
        owns_folder: bool = False,
    ) -> None:
        self.name, self.url, self.port, self.folder = name, url, port, folder
        self._stop, self._owns_folder, self._stopped = stop, owns_folder, False
        self._ready: Callable[[], None] | None = None
        atexit.register(self.stop)

    def wait(self) -> LocalService:
        """Block until the service answers (for a service started with ``wait=False``)."""
        ready, self._ready = self._ready, None
        if ready is not None:
            try:
                ready()
            except BaseException:
                self.stop()
                raise
        return self

    def stop(self) -> None:
        """Stop the service (idempotent) and remove its temporary folder."""
        if self._stopped:
            return
        self._stopped = True
        try:
            self._stop()
        finally:
            if self._owns_folder:
                shutil.rmtree(self.folder, ignore_errors=True)
            atexit.unregister(self.stop)

    @property
    def running(self) -> bool:
        """False once :meth:`stop` has been called."""
        return not self._stopped

    def __enter__(self) -> LocalService:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<{type(self).__name__} {self.name} {self.url} ({state})>"


def _popen(command: Sequence[str], log: Path, env: dict[str, str] | None = None) -> Any:
    """Start ``command`` in its own process group, output appended to ``log``."""
    with open(log, "ab") as handle:
        return subprocess.Popen(
            list(command),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own group: stop() ends it and its children only
        )


def _terminate(process: Any, *, timeout: float = 5.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true", PYTHONUNBUFFERED="1")
    return env


# --------------------------------------------------------------------------- PostgreSQL


def find_postgres() -> Path | None:
    """The folder holding PostgreSQL's ``initdb`` and ``pg_ctl`` (newest version), or None.

    Looks on ``PATH``, then under ``/usr/lib/postgresql/*/bin`` (Debian and Ubuntu).

    Examples
    --------
    >>> from mlkit.servers import find_postgres
    >>> folder = find_postgres()
    >>> folder is None or (folder / "initdb").is_file()
    True
    """
    on_path = shutil.which("initdb")
    if on_path:
        folder = Path(on_path).resolve().parent  # PATH may hold symlinks to the real folder
        if (folder / "pg_ctl").is_file() and (folder / "createdb").is_file():
            return folder
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> float:
        with contextlib.suppress(ValueError):
            return float(Path(path).parent.parent.name)
        return 0.0

    for path in sorted(candidates, key=version, reverse=True):
        if all((Path(path).parent / n).is_file() for n in ("pg_ctl", "createdb")):
            return Path(path).parent
    return None


class LocalPostgres(LocalService):
    """A throwaway PostgreSQL server (see :func:`start_postgres`)."""

    def database_url(self, database: str, *, driver: str | None = "psycopg") -> str:
        """SQLAlchemy URL of ``database`` (``postgresql+psycopg://postgres@127.0.0.1:P/db``).

        ``driver=None`` gives the plain ``postgresql://`` form (libpq, psql).
        """
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://postgres@{HOST}:{self.port}/{database}"


def start_postgres(
    databases: Sequence[str] = ("mlflow", "optuna"),
    *,
    port: int | None = None,
    timeout: float = 60.0,
) -> LocalPostgres:
    """Start a throwaway PostgreSQL server on 127.0.0.1 with empty ``databases``.

    ``initdb`` creates a cluster in a new temporary folder (superuser ``postgres``,
    trust authentication: no passwords, so it listens on loopback only and its unix
    socket lives in that folder). When this process runs as root the server runs as
    the system user ``postgres`` (via ``runuser``), because PostgreSQL refuses to run
    as root. Durability is switched off (``fsync=off``): the data is deleted on stop.

    Parameters
    ----------
    databases : sequence of str, default=("mlflow", "optuna")
        Databases to create (letters, digits and underscores).
    port : int or None, default=None
        TCP port; ``None`` picks a free one.
    timeout : float, default=60
        Seconds to wait for the server to accept connections.

    Returns
    -------
    LocalPostgres

    Raises
    ------
    ServiceError
        PostgreSQL is not installed, or it did not start (the log's tail is quoted).
    ValueError
        For a bad database name, port or timeout.

    Examples
    --------
    >>> from mlkit.servers import find_postgres, start_postgres
    >>> if find_postgres() is not None:  # doctest: +SKIP
    ...     with start_postgres(["demo"]) as pg:
    ...         print(pg.database_url("demo").startswith("postgresql+psycopg://postgres@127.0.0.1:"))
    True
    """
    names = list(databases) if not isinstance(databases, str) else [databases]
    for name in names:
        if not isinstance(name, str) or not name.replace("_", "").isalnum():
            raise ValueError(
                f"databases must be names of letters, digits and underscores, got {name!r}."
            )
    port = _check_port(port)
    timeout = _check_timeout(timeout)
    bindir = find_postgres()
    if bindir is None:
        raise ServiceError(
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or under "
            "/usr/lib/postgresql/*/bin); install it, e.g. 'apt-get install postgresql'."
        )
    as_user: list[str] = []
    uid = gid = None
    if os.geteuid() == 0:
        import pwd

        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            raise ServiceError(
                "running as root, but there is no 'postgres' system user to run PostgreSQL "
                "as (PostgreSQL refuses to run as root); install Debian's postgresql package "
                "or run as an ordinary user."
            ) from None
        uid, gid = account.pw_uid, account.pw_gid
        runuser = shutil.which("runuser")
        if runuser is None:
            raise ServiceError("running as root needs 'runuser' to start PostgreSQL as postgres.")
        as_user = [runuser, "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="mlkit-postgres-"))
    data, sockets, log = folder / "data", folder / "socket", folder / "postgres.log"
    sockets.mkdir()
    if uid is not None and gid is not None:
        for path in (folder, sockets):
            os.chown(path, uid, gid)

    def run(command: list[str], what: str) -> None:
        done = subprocess.run(
            as_user + command, capture_output=True, text=True, timeout=timeout, cwd=folder
        )
        if done.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise ServiceError(
                f"PostgreSQL {what} failed (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-800:]}\n{_tail(log)}"
            )

    run(
        [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--no-sync"],
        "initdb",
    )  # fmt: skip
    options = (
        f"-k {sockets} -h {HOST} -p {port} -c fsync=off -c synchronous_commit=off "
        f"-c full_page_writes=off -c max_connections=60"
    )
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(data)]
    run([*pg_ctl, "-l", str(log), "-w", "-t", str(int(timeout)), "-o", options, "start"], "start")

    def stop() -> None:
        with contextlib.suppress(Exception):
            subprocess.run(
                [*as_user, *pg_ctl, "-m", "fast", "-w", "stop"], capture_output=True, timeout=60
            )

    server = LocalPostgres("postgresql", f"postgresql://{HOST}:{port}", port, folder, stop,
                           owns_folder=True)  # fmt: skip
    try:
        for name in names:
            subprocess.run(
                [str(bindir / "createdb"), "-h", HOST, "-p", str(port), "-U", "postgres", name],
                capture_output=True, text=True, timeout=timeout, check=True,
            )  # fmt: skip
    except (subprocess.SubprocessError, OSError) as error:
        server.stop()
        raise ServiceError(f"PostgreSQL started but createdb failed: {error}") from error
    return server


# --------------------------------------------------------------------------- MLflow


def start_tracking_server(
    backend_store_uri: str,
    *,
    artifacts: str | os.PathLike[str] | None = None,
    port: int | None = None,
    workers: int = 1,
    timeout: float = 180.0,
    wait: bool = True,
) -> LocalService:
    """Start ``mlflow server --serve-artifacts`` on 127.0.0.1 and wait until it answers.

    Parameters
    ----------
    backend_store_uri : str
        The tracking and registry database: ``postgresql+psycopg://...`` (see
        :meth:`LocalPostgres.database_url`) or ``sqlite:////abs/path/mlflow.db``.
    artifacts : str, path or None, default=None
        Where the server keeps artifacts (``--artifacts-destination``); clients upload
        and download through the server. ``None``: a folder in the service folder.
    port : int or None, default=None
        ``None`` picks a free port.
    workers : int, default=1
        Server worker processes.
    timeout : float, default=180
        Seconds to wait for ``/health`` to answer (startup imports a lot).
    wait : bool, default=True
        Wait until the server answers. ``False`` returns at once (start something else
        meanwhile), and ``.wait()`` on the result waits.

    Returns
    -------
    LocalService
        ``url`` is the tracking URI (``http://127.0.0.1:PORT``); the server log is
        ``folder / "mlflow.log"``.

    Raises
    ------
    ServiceError
        When the server exits or does not answer in time (the log's tail is quoted).
    ValueError
        For a bad argument.

    Examples
    --------
    >>> from mlkit.servers import start_tracking_server
    >>> start_tracking_server("")
    Traceback (most recent call last):
    ...
    ValueError: backend_store_uri must be a database URL such as 'postgresql+psycopg://...' or 'sqlite:////abs/path/mlflow.db', got ''.
    """
    if not isinstance(backend_store_uri, str) or "://" not in backend_store_uri:
        raise ValueError(
            "backend_store_uri must be a database URL such as 'postgresql+psycopg://...' or "
            f"'sqlite:////abs/path/mlflow.db', got {backend_store_uri!r}."
        )
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive int, got {workers!r}.")
    port = _check_port(port)
    timeout = _check_timeout(timeout)
    folder = Path(tempfile.mkdtemp(prefix="mlkit-mlflow-"))
    destination = Path(artifacts) if artifacts is not None else folder / "artifacts"
    destination.mkdir(parents=True, exist_ok=True)
    log = folder / "mlflow.log"
    command = [
        _script("mlflow"), "server",
        "--backend-store-uri", backend_store_uri,
        "--serve-artifacts", "--artifacts-destination", str(destination.resolve()),
        "--host", HOST, "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    env = _environment()
    # MLflow 3 also starts seven "job execution" (huey) processes for its GenAI features
    # unless told not to; tracking and the registry do not use them.
    env.setdefault("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
    process = _popen(command, log, env=env)
    service = LocalService(
        "mlflow", f"http://{HOST}:{port}", port, folder,
        lambda: _terminate(process, timeout=3.0),  # clients may hold keep-alive connections
        owns_folder=True,  # its log; artifacts given by the caller live elsewhere and stay
    )  # fmt: skip
    deadline = time.monotonic() + timeout

    def ready() -> None:
        while True:
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"{service.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            if process.poll() is not None or time.monotonic() > deadline:
                why = "exited" if process.poll() is not None else f"did not answer in {timeout:g} s"
                raise ServiceError(f"the MLflow tracking server {why}; its log ends:\n{_tail(log)}")
            time.sleep(0.25)

    service._ready = ready
    return service.wait() if wait else service


# --------------------------------------------------------------------------- Dask


class DaskCluster(LocalService):
    """A ``dask scheduler`` and separate ``dask worker`` processes (see
    :func:`start_dask_cluster`); ``url`` is the scheduler address."""

    def __init__(self, *args: Any, scheduler: Any, workers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scheduler_process = scheduler
        self.worker_processes = workers

    @property
    def address(self) -> str:
        """The scheduler address for ``distributed.Client(address)``."""
        return self.url

    def kill_worker(self, index: int = 0) -> None:
        """Kill worker ``index`` abruptly (SIGKILL), as a crashed machine would go."""
        process = self.worker_processes[index]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_dask_cluster(
    n_workers: int = 2,
    *,
    port: int | None = None,
    timeout: float = 120.0,
) -> DaskCluster:
    """Start ``dask scheduler`` and ``n_workers`` ``dask worker`` processes on 127.0.0.1.

    Each worker is its own command (``dask worker tcp://127.0.0.1:P --nthreads 1
    --no-nanny``), as on separate machines; none has a dashboard. The call returns once
    every worker has joined the scheduler.

    Parameters
    ----------
    n_workers : int, default=2
    port : int or None, default=None
        Scheduler port; ``None`` picks a free one.
    timeout : float, default=120
        Seconds to wait for the scheduler and the workers.

    Returns
    -------
    DaskCluster
        ``address`` is the scheduler (``tcp://127.0.0.1:P``); logs are in ``folder``.

    Raises
    ------
    ServiceError, ValueError

    Examples
    --------
    >>> from mlkit.servers import start_dask_cluster
    >>> start_dask_cluster(0)
    Traceback (most recent call last):
    ...
    ValueError: n_workers must be a positive int, got 0.
    """
    if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
        raise ValueError(f"n_workers must be a positive int, got {n_workers!r}.")
    port = _check_port(port)
    timeout = _check_timeout(timeout)
    folder = Path(tempfile.mkdtemp(prefix="mlkit-dask-"))
    dask, env = _script("dask"), _environment()
    env.setdefault("OMP_NUM_THREADS", "1")
    address = f"tcp://{HOST}:{port}"
    scheduler = _popen(
        [dask, "scheduler", "--host", HOST, "--port", str(port), "--no-dashboard"],
        folder / "scheduler.log",
        env=env,
    )
    workers: list[Any] = []

    def stop() -> None:
        for process in [*workers, scheduler]:
            _terminate(process)

    cluster = DaskCluster(
        "dask", address, port, folder, stop, owns_folder=True, scheduler=scheduler,
        workers=workers,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while not _listening(port):
        if scheduler.poll() is not None or time.monotonic() > deadline:
            cluster.stop()
            raise ServiceError(
                f"the Dask scheduler did not start; its log ends:\n"
                f"{_tail(folder / 'scheduler.log')}"
            )
        time.sleep(0.2)
    for k in range(n_workers):
        workers.append(
            _popen(
                [dask, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", HOST, "--name", f"worker-{k}"],
                folder / f"worker-{k}.log",
                env=env,
            )
        )  # fmt: skip
    from distributed import Client

    try:
        with Client(address, timeout=timeout) as client:
            client.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
    except Exception as error:
        cluster.stop()
        raise ServiceError(f"the Dask workers did not join the scheduler: {error}") from error
    return cluster
