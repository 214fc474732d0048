"""Package-level promises: light import, version, typing marker, no unsafe persistence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import mlkit

HEAVY = (
    "optuna",
    "mlflow",
    "matplotlib",
    "seaborn",
    "river",
    "skops",
    "dask",
    "distributed",
    "tqdm",
    "statsmodels",
    "myst_nb",
)
ROOT = Path(mlkit.__file__).resolve().parent


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    return {line.split(".")[0] for line in out.splitlines()}


def test_import_mlkit_is_light() -> None:
    loaded = _modules_after("import mlkit")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "sklearn" not in loaded and "pandas" not in loaded


def _public_modules() -> list[str]:
    return sorted(
        f"mlkit.{p.stem}"
        for p in ROOT.glob("*.py")
        if not p.stem.startswith("_") and p.stem not in {"cli"}
    )


@pytest.mark.parametrize("module", _public_modules())
def test_import_submodule_does_not_load_heavy_libraries(module: str) -> None:
    loaded = _modules_after(f"import {module}")
    assert not loaded & set(HEAVY), f"{module} imports {sorted(loaded & set(HEAVY))} at import time"


def test_version_is_a_release_string() -> None:
    parts = mlkit.__version__.split(".")
    assert len(parts) >= 3 and all(p.isdigit() for p in parts[:3])


def test_package_is_typed() -> None:
    assert (ROOT / "py.typed").is_file()


def test_no_pickle_or_joblib_persistence_in_package() -> None:
    offenders = []
    for path in ROOT.rglob("*.py"):
        text = path.read_text()
        for needle in ("pickle.dump", "joblib.dump", "cloudpickle.dump", "pickle.load("):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders
