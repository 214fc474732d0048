"""Model files of registered versions: find the one file, hash it, refuse what is wrong.

Private helpers of :mod:`mlkit.registry`: a version holds exactly one skops file (a
swapped-in or extra model file is refused), whose SHA-256 must match the one recorded at
registration, and which must be a complete zip archive. Nothing is executed here; no
heavy import at module import time.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

from mlkit._store import _mlflow, _quiet

#: Version tag holding the SHA-256 (hex) of the model file, verified on every load.
MODEL_SHA256_TAG = "mlkit.model_sha256"
#: File suffixes that count as model files: a version must hold exactly one of them.
MODEL_SUFFIXES = (".skops", ".pkl", ".pickle", ".joblib", ".cloudpickle")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _verify_model_file(data: bytes, tags: Mapping[str, str], *, what: str) -> None:
    """Refuse a model file that differs from the registered one or is no zip archive."""
    recorded = tags.get(MODEL_SHA256_TAG)
    if recorded:
        actual = _sha256(data)
        if actual != recorded:
            raise ValueError(
                f"{what}: the model file's SHA-256 {actual[:12]}... differs from the "
                f"{recorded[:12]}... recorded at registration; the file was altered, "
                f"swapped or truncated. Refusing to load it; register the model again."
            )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError(
            f"{what}: the model file ({len(data)} bytes) is not a zip archive, so not a "
            f"complete skops file (truncated or not a skops file). Register the model again."
        )


def _one_model_file(folder: Path, *, what: str) -> Path:
    """The one ``*.skops`` file under ``folder``; refuses none, several, or any pickle."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in MODEL_SUFFIXES)
    if len(files) == 1 and files[0].suffix == ".skops":
        return files[0]
    if not files:
        raise ValueError(f"{what} has no skops file; mlkit loads only skops models (never pickle).")
    names = [p.relative_to(folder).as_posix() for p in files]
    raise ValueError(
        f"{what} holds {len(files)} model files {names}, but a version holds exactly one "
        f"skops file; a file was added or swapped in. Refusing to load it."
    )


def _read_skops(uri: str, *, what: str, tracking_uri: str | None = None) -> bytes:
    """The bytes of the one ``*.skops`` file under artifact ``uri`` (read, never executed).

    ``tracking_uri`` locates served artifacts (``mlflow-artifacts:/...``) when it is not
    the process-wide tracking URI.
    """
    if uri.startswith("file:"):
        from urllib.parse import unquote, urlparse

        return _one_model_file(Path(unquote(urlparse(uri).path)), what=what).read_bytes()
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
            return _one_model_file(folder, what=what).read_bytes()
    finally:
        if previous is None:
            os.environ.pop("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", None)
        else:
            os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = previous
