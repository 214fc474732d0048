"""Tests of ``mlkit monitor`` (mlkit.monitor, mlkit.cli) and the reference profile of a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mlkit.cli import main


def _rows(n: int, *, shift: float = 0.0, seed: int = 0, start: str = "2024-01-01") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x0 = rng.normal(shift, 1, n)
    x1 = rng.normal(shift, 1, n)
    return pd.DataFrame(
        {
            "x0": x0,
            "x1": x1,
            "shop": rng.choice(["a", "b", "c"], n),
            "when": pd.date_range(start, periods=n, freq="h").astype(str),
            "label": (x0 + rng.normal(0, 1, n) > shift).astype(int),
        }
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny CSV project with one registered champion."""
    import os

    folder = tmp_path_factory.mktemp("monitor")
    os.environ.setdefault("MLKIT_CACHE_DIR", str(folder / "cache"))
    _rows(400).to_csv(folder / "history.csv", index=False)
    config = {
        "name": "shop",
        "data": {"path": "history.csv", "target": "label", "time": "when"},
        "cv": {"n_splits": 2},
        "scoring": "roc_auc",
        "model": {"estimator": "logistic_regression"},
        "tuning": {"method": "none"},
        "tracking": {"store": str(folder / "store")},
        "registry": {"margin": 0.0},
    }
    (folder / "shop.yaml").write_text(yaml.safe_dump(config))
    assert main(["run", str(folder / "shop.yaml"), "-q"]) == 0
    return folder


def test_run_logs_reference_profile_as_json_and_parquet(project: Path) -> None:
    from mlkit.drift import DriftProfile
    from mlkit.monitor import load_reference

    profile, version, _ = load_reference("shop", store=project / "store")
    assert version == "1"
    assert profile.columns == ["x0", "x1", "shop"]  # features only: no target, no time
    files = sorted(p.name for p in (project / "store" / "artifacts").rglob("reference/*"))
    assert files == ["profile.json", "sample.parquet"]
    assert isinstance(profile, DriftProfile) and profile.n_rows == 320  # 80% training rows


def test_monitor_exit_0_without_drift_and_1_with_drift(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(project / "shop.yaml")
    _rows(300, seed=1, start="2024-03-01").to_csv(project / "same.csv", index=False)
    assert main(["monitor", config, "--data", str(project / "same.csv")]) == 0
    out = capsys.readouterr().out
    assert "no dataset drift" in out and "x0" in out and "ks" in out
    _rows(300, shift=2.0, seed=2, start="2024-03-01").to_csv(project / "new.csv", index=False)
    assert main(["monitor", config, "--data", str(project / "new.csv")]) == 1
    out = capsys.readouterr().out
    assert "dataset drift" in out and "drifted: x0, x1" in out


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, "does not exist"),
        ("x0,x1\n1,2\n", r"lacks the model's feature column\(s\) \['shop'\]"),
        ("", "could not be read"),
    ],
)
def test_monitor_bad_file_exits_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], content: str | None, match: str
) -> None:
    import re

    path = project / "bad.csv"
    path.unlink(missing_ok=True)
    if content is not None:
        path.write_text(content)
    assert main(["monitor", str(project / "shop.yaml"), "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mlkit: error: ") and re.search(match, err), err
    assert err.count("\n") == 1


def test_monitor_without_champion_exits_2(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _rows(50).to_csv(tmp_path / "new.csv", index=False)
    code = main(["monitor", str(project / "shop.yaml"), "--data", str(tmp_path / "new.csv"),
                 "--store", str(tmp_path / "empty")])  # fmt: skip
    assert code == 2
    assert "no registered model named 'shop'" in capsys.readouterr().err


@pytest.mark.slow
def test_monitor_retrain_registers_and_gates_a_new_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit.registry import list_versions

    new = _rows(200, shift=2.0, seed=3, start="2024-03-01")
    new.to_csv(project / "retrain.csv", index=False)
    code = main(["monitor", str(project / "shop.yaml"), "--data", str(project / "retrain.csv"),
                 "--retrain"])  # fmt: skip
    assert code == 1  # drift was found; the exit code says so after the retrain too
    out = capsys.readouterr().out
    assert "registered: shop version" in out
    table = list_versions("shop", store=project / "store")
    assert len(table) >= 2
    assert table.iloc[-1]["decision"] in ("promoted", "not promoted")
    from mlflow import MlflowClient

    uri = f"sqlite:///{project / 'store' / 'mlflow.db'}"
    run = MlflowClient(uri).get_run(table.iloc[-1]["run_id"])
    assert run.data.params["data.rows"] == "600"  # 400 configured rows + 200 new ones
