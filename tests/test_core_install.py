"""``pip install mlkit`` without extras works: the core functions run with no optional package.

Builds a fresh virtual environment, installs this checkout without extras (numpy, pandas,
scipy, scikit-learn, joblib, pyyaml only) and runs the core calls there, including a
search with a progress line, which must fall back to plain text when tqdm is absent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import importlib.util, io, sys
    for optional in ("tqdm", "optuna", "mlflow", "matplotlib", "seaborn", "river", "skops"):
        assert importlib.util.find_spec(optional) is None, f"{optional} is installed"

    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mlkit.baselines import compare_baselines
    from mlkit.datasets import load_pbcseq, verify_checksums
    from mlkit.metrics import choose_primary_metric, infer_task
    from mlkit.splits import audit_cv, choose_cv, materialise_folds, repeated_folds
    from mlkit.stats import corrected_ttest, holm
    from mlkit.training import holdout_split
    from mlkit.tuning import tune

    assert all(verify_checksums().values())
    pbc = load_pbcseq()
    assert infer_task(pbc.y) == "binary"
    cv = choose_cv(pbc.y, groups=pbc.groups)
    folds = materialise_folds(cv, pbc.X, pbc.y, groups=pbc.groups)
    assert len(folds) == 5
    assert len(repeated_folds(pbc.X, pbc.y, groups=pbc.groups, n_repeats=2)) == 10
    audit = audit_cv(cv, pbc.X, pbc.y, groups=pbc.groups)
    assert int(audit.summary["total_leaked_groups"]) == 0
    table = compare_baselines(pbc.X, pbc.y, groups=pbc.groups)
    assert len(table) > 0
    split = holdout_split(pbc.y, groups=pbc.groups, test_size=0.2, random_state=0)
    assert len(split.train) > len(split.test) > 0
    assert 0 <= corrected_ttest([0.1, 0.2, 0.0], test_train_ratio=0.25).p_value <= 1
    assert holm([0.01, 0.02]).tolist() == [0.02, 0.02]

    X = pbc.X.select_dtypes("number").fillna(0).to_numpy()
    stderr, sys.stderr = sys.stderr, io.StringIO()
    try:
        model = make_pipeline(StandardScaler(), LogisticRegression())
        result = tune(model, {"logisticregression__C": [0.1, 1.0]}, X, pbc.y,
                      method="grid", groups=pbc.groups, progress=True)
        progress_text = sys.stderr.getvalue()
    finally:
        sys.stderr = stderr
    assert result.best_params_["logisticregression__C"] in (0.1, 1.0)
    last = progress_text.strip().splitlines()[-1]
    done, total = last.rsplit(": ", 1)[1].split("/")
    assert done == total and int(total) >= 2, progress_text
    print("core install OK")
    """
)


@pytest.mark.slow
def test_core_install_runs_without_optional_packages(tmp_path: Path) -> None:
    env_dir = tmp_path / "core-venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"
    # build from a copy: an in-tree build would leave build/ and *.egg-info in the checkout
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "mlkit", source / "mlkit", ignore=shutil.ignore_patterns("__pycache__"))
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if install.returncode != 0:
        pytest.fail(f"pip install of the core package failed:\n{install.stderr[-3000:]}")
    run = subprocess.run(
        [str(python), "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # not the repository: import the installed package
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "core install OK" in run.stdout
    assert sys.version_info >= (3, 11)
