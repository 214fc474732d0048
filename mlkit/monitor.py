"""Check new data against the champion's reference profile; retrain on drift.

The engine of ``mlkit monitor CONFIG --data NEW.csv [--retrain]``:

- :func:`load_reference` finds the model version behind an alias (``champion``) in the
  tracking store and reads the drift profile its run logged under ``reference/``
  (``mlkit run`` logs one with every model: the training features as JSON + Parquet);
- :func:`check_new_data` reads the new file and runs :func:`mlkit.drift.data_drift`
  against that profile;
- :func:`retrain_with` re-runs the pipeline of the config on the configured data plus
  the new rows; the pipeline registers the result and its gate
  (:func:`mlkit.registry.promote_if_better`) makes it ``champion`` or ``challenger``.

Every problem with the file, the store or the columns raises :class:`MonitorError`
(a ``ValueError``) with one line saying what to fix.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = [
    "MonitorError",
    "MonitorResult",
    "check_new_data",
    "load_reference",
    "read_new_data",
    "retrain_with",
]


class MonitorError(ValueError):
    """A bad new-data file, a missing profile or champion, or mismatched columns."""


@dataclass(frozen=True)
class MonitorResult:
    """Result of :func:`check_new_data`.

    Attributes
    ----------
    report : mlkit.drift.DriftReport
    model_name, version, run_id : str
        The model version whose reference profile was used.
    n_rows : int
        Rows of the new data.
    """

    report: Any
    model_name: str
    version: str
    run_id: str
    n_rows: int

    @property
    def drifted(self) -> bool:
        """The dataset-level verdict of the report."""
        return bool(self.report.drifted)


def load_reference(
    name: str, *, store: Any = None, alias: str = "champion"
) -> tuple[Any, str, str]:
    """The drift profile logged with the version behind ``alias`` of model ``name``.

    Returns
    -------
    (DriftProfile, version, run_id)

    Raises
    ------
    MonitorError
        No such model or alias, or the run holds no ``reference/`` profile.
    """
    from mlkit.drift import DriftProfile
    from mlkit.registry import list_versions
    from mlkit.tracking import _mlflow, _quiet, resolve_store

    for key, value in (("name", name), ("alias", alias)):
        if not isinstance(value, str) or not value.strip():
            raise MonitorError(f"{key} must be a non-empty string, got {value!r}.")
    try:
        resolved = resolve_store(store)
    except ValueError as error:
        raise MonitorError(str(error)) from None
    database = Path(resolved.tracking_uri.removeprefix("sqlite:///"))
    if resolved.tracking_uri.startswith("sqlite:///") and not database.is_file():
        # reading must not create an empty store as a side effect
        raise MonitorError(
            f"no registered model named {name!r}: there is no tracking store at "
            f"{database.parent} (no mlflow.db); run 'mlkit run CONFIG' first, or pass the "
            f"store that holds it (--store)."
        )
    try:
        versions = list_versions(name, store=resolved)
    except ValueError as error:
        raise MonitorError(f"{error} Run 'mlkit run CONFIG' first.") from None
    holders = [
        (str(v), str(run))
        for v, a, run in zip(versions.index, versions["aliases"], versions["run_id"], strict=True)
        if alias in str(a).split(", ")
    ]
    if not holders:
        raise MonitorError(
            f"model {name!r} has no version with alias {alias!r} in {resolved}; run "
            f"'mlkit run CONFIG' until one is promoted, or pass --alias."
        )
    version, run_id = holders[0]
    # no progress bar on stderr (a scheduler's log, the book) while downloading
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    mlflow = _mlflow()
    with tempfile.TemporaryDirectory(prefix="mlkit-monitor-") as tmp, _quiet():
        try:
            local = mlflow.artifacts.download_artifacts(
                run_id=run_id,
                artifact_path="reference",
                dst_path=tmp,
                tracking_uri=resolved.tracking_uri,
            )
            profile = DriftProfile.load(local)
        except Exception as error:
            raise MonitorError(
                f"the run of {name!r} version {version} has no reference profile "
                f"({type(error).__name__}); models registered before mlkit logged one need "
                f"a new 'mlkit run'."
            ) from None
    return profile, version, run_id


def read_new_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV or Parquet file of new rows (one-line :class:`MonitorError` if not).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> from mlkit.monitor import MonitorError, read_new_data
    >>> path = tempfile.mkdtemp() + "/new.csv"
    >>> pd.DataFrame({"x": [1.0, 2.0]}).to_csv(path, index=False)
    >>> read_new_data(path).shape
    (2, 1)
    >>> try:
    ...     read_new_data(path + ".missing")
    ... except MonitorError as error:
    ...     print(str(error).endswith("does not exist."))
    True
    """
    file = Path(path)
    if not file.is_file():
        raise MonitorError(f"--data {str(file)!r} does not exist.")
    try:
        if file.name.lower().endswith((".parquet", ".pq")):
            frame = pd.read_parquet(file)
        else:
            frame = pd.read_csv(file)
    except Exception as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise MonitorError(f"--data {str(file)!r} could not be read: {first}") from None
    if len(frame) == 0:
        raise MonitorError(f"--data {str(file)!r} has no rows.")
    return frame


def check_new_data(
    config: Any,
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    store: Any = None,
    alias: str = "champion",
    alpha: float = 0.05,
    drift_share: float = 0.5,
) -> MonitorResult:
    """Test new rows for drift against the reference profile of the ``alias`` model.

    Parameters
    ----------
    config : PipelineConfig
        Gives the model name and the tracking store.
    data : path or DataFrame
        New rows with (at least) the model's feature columns; extra columns such as
        the target or the time are ignored.
    store, alias, alpha, drift_share
        See :func:`mlkit.tracking.resolve_store` and :func:`mlkit.drift.data_drift`.

    Returns
    -------
    MonitorResult
    """
    from mlkit.drift import data_drift

    frame = data if isinstance(data, pd.DataFrame) else read_new_data(data)
    profile, version, run_id = load_reference(
        config.model_name, store=store or config.tracking.store, alias=alias
    )
    missing = [c for c in profile.columns if c not in frame.columns]
    if missing:
        raise MonitorError(
            f"the new data lacks the model's feature column(s) {missing}; it has "
            f"{[str(c) for c in frame.columns]}."
        )
    try:
        report = data_drift(profile, frame[profile.columns], alpha=alpha, drift_share=drift_share)
    except ValueError as error:
        raise MonitorError(str(error)) from None
    return MonitorResult(report, config.model_name, version, run_id, len(frame))


def retrain_with(
    config: Any,
    data: str | os.PathLike[str] | pd.DataFrame,
    *,
    store: Any = None,
    echo: Callable[[str], Any] | None = None,
) -> Any:
    """Re-run the config's pipeline on its data plus the new rows.

    The new rows need the feature columns and the target column (and the time /
    groups columns when the config's data has them). The combined data is written
    to a temporary Parquet file and the config is pointed at it; the pipeline then
    holds out, tunes, refits, registers a challenger and gates it against the
    champion on the new holdout, as ``mlkit run`` does.

    Returns
    -------
    mlkit.pipeline.PipelineResult
    """
    from mlkit.pipeline import load_data, run_pipeline

    reference = load_data(config)
    new = data if isinstance(data, pd.DataFrame) else read_new_data(data)
    roles = {"target": reference.y.name}
    if reference.time is not None:
        roles["time"] = reference.time.name
    if reference.groups is not None:
        roles["groups"] = reference.groups.name
    needed = [*reference.X.columns, *roles.values()]
    missing = [str(c) for c in needed if c not in new.columns]
    if missing:
        raise MonitorError(
            f"--retrain needs the column(s) {missing} in the new data (features, the "
            f"target and the time/groups columns of the config's data)."
        )
    old = reference.X.copy()
    for role, column in roles.items():
        old[column] = getattr(reference, "y" if role == "target" else role).to_numpy()
    new = new[needed].copy()
    for column in old.columns:
        if old[column].dtype == object:
            new[column] = new[column].astype(object)
    combined = pd.concat([old, new], ignore_index=True)
    if "time" in roles:  # one dtype in the file, whichever way each side was read
        combined[roles["time"]] = pd.to_datetime(combined[roles["time"]])
    with tempfile.TemporaryDirectory(prefix="mlkit-retrain-") as tmp:
        path = Path(tmp) / "reference_plus_new.parquet"
        combined.to_parquet(path, index=False)
        spec = replace(
            config.data,
            dataset=None,
            options={},
            path=str(path),
            features=None,
            drop=(),
            max_rows=None,
            **{role: str(column) for role, column in roles.items()},
        )
        return run_pipeline(replace(config, data=spec), store=store, echo=echo)
