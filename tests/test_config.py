"""Tests of mlkit.config: schema, validation messages, shipped configs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkit.config import (
    ConfigError,
    PipelineConfig,
    config_from_dict,
    config_to_dict,
    load_config,
    parse_dimension,
)
from mlkit.space import Float, Int

CONFIGS = Path(__file__).resolve().parents[1] / "configs"
MINIMAL = {"name": "demo", "data": {"dataset": "pbcseq"}}


def _write(tmp_path: Path, data: object, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def test_config_from_dict_minimal_gets_defaults() -> None:
    config = config_from_dict(MINIMAL)
    assert isinstance(config, PipelineConfig)
    assert config.seed == 0 and config.cv.n_splits == 5 and config.holdout.test_size == 0.2
    assert config.tuning.method == "none" and config.registry.margin == 0.0
    assert config.experiment_name == "demo" and config.model_name == "demo"


def test_config_is_frozen() -> None:
    config = config_from_dict(MINIMAL)
    with pytest.raises(AttributeError):
        config.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({**MINIMAL, "sed": 1}, r"sed is not a valid key; did you mean 'seed'\?"),
        ({"name": "x", "data": {"datset": "pbcseq"}}, r"data.datset .* did you mean 'dataset'"),
        ({**MINIMAL, "tuning": {"n_iterr": 3}}, r"tuning.n_iterr .* did you mean 'n_iter'"),
        ({**MINIMAL, "cv": {"n_splits": "five"}}, r"cv.n_splits must be an integer, got str"),
        ({**MINIMAL, "cv": {"n_splits": True}}, r"cv.n_splits must be an integer"),
        ({**MINIMAL, "cv": {"n_splits": 1}}, r"cv.n_splits=1 is too small"),
        ({**MINIMAL, "holdout": {"test_size": 1.5}}, r"holdout.test_size=1.5 must be strictly"),
        ({**MINIMAL, "cv": 5}, r"cv must be a mapping"),
        ({"data": {"dataset": "pbcseq"}}, r"name is required"),
        ({"name": "x", "data": {}}, r"exactly one of 'dataset'"),
        ({"name": "x", "data": {"dataset": "pbcseg"}}, r"did you mean 'pbcseq'"),
        ({**MINIMAL, "model": {"estimator": "xgboost"}}, r"model.estimator='xgboost'"),
        ({**MINIMAL, "tuning": {"method": "random"}}, r"needs tuning.space"),
        ({**MINIMAL, "tuning": {"method": "random", "space": {"C": [1]}}}, r"needs tuning.n_iter"),
        ({**MINIMAL, "tuning": {"space": {"C": [1]}}}, r"tuning.method is 'none'"),
        ({**MINIMAL, "registry": {"margin": -1}}, r"registry.margin=-1.0 must be >= 0"),
        ({**MINIMAL, "tracking": {"enabled": "yes"}}, r"tracking.enabled must be true or false"),
        ({**MINIMAL, "tracking": {"enabled": False}}, r"registry lives in the tracking store"),
        ({**MINIMAL, "data": {"dataset": "pbcseq", "target": "y"}}, r"data.target is set"),
        ({**MINIMAL, "threads": 0}, r"threads=0 must be at least 1"),
        ([1, 2], r"must be a mapping"),
        (None, r"config is empty"),
    ],
)
def test_config_from_dict_rejects_bad_config_with_clear_message(raw: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        config_from_dict(raw)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_load_config_prefixes_file_name_and_reports_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")
    path = _write(tmp_path, {**MINIMAL, "sed": 1})
    with pytest.raises(ConfigError, match=r"run.yaml: sed is not a valid key"):
        load_config(path)


def test_load_config_reports_yaml_syntax_error_with_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: demo\ndata: {dataset: pbcseq\n")
    with pytest.raises(ConfigError, match=r"not valid YAML at line \d+"):
        load_config(path)


def test_load_config_resolves_data_path_against_config_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.csv").write_text("a,y\n1,0\n2,1\n")
    raw = {"name": "csv", "data": {"path": "data.csv", "target": "y"}}
    config = load_config(_write(tmp_path / "sub", raw))
    assert config.data.path == str((tmp_path / "sub" / "data.csv").resolve())
    assert config.source is not None and config.source.endswith("run.yaml")


def test_load_config_rejects_missing_data_file_and_bad_suffix(tmp_path: Path) -> None:
    raw = {"name": "csv", "data": {"path": "missing.csv", "target": "y"}}
    with pytest.raises(ConfigError, match=r"data.path=.*missing.csv' does not exist"):
        load_config(_write(tmp_path, raw))
    (tmp_path / "data.xlsx").write_text("x")
    raw = {"name": "csv", "data": {"path": "data.xlsx", "target": "y"}}
    with pytest.raises(ConfigError, match=r"unsupported suffix"):
        load_config(_write(tmp_path, raw))


def test_load_config_path_needs_target(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_text("a,y\n1,0\n")
    with pytest.raises(ConfigError, match=r"data.target is required"):
        load_config(_write(tmp_path, {"name": "x", "data": {"path": "data.csv"}}))


def test_parse_dimension_reads_lists_and_ranges() -> None:
    assert parse_dimension([1, 2, 3], key="k") == [1, 2, 3]
    assert parse_dimension({"type": "int", "low": 1, "high": 4}, key="k") == Int(1, 4)
    got = parse_dimension({"type": "float", "low": 0.1, "high": 1, "log": True}, key="k")
    assert got == Float(0.1, 1.0, log=True)


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ([], r"k is an empty list"),
        (3, r"k must be a list of values or a range"),
        ({"type": "float", "low": 1}, r"k.high is required"),
        ({"type": "floats", "low": 0, "high": 1}, r"k.type='floats' .* did you mean 'float'"),
        ({"type": "float", "lo": 0, "high": 1}, r"k.lo is not a valid key; did you mean 'low'"),
        ({"type": "float", "low": 2, "high": 1}, r"k: "),
    ],
)
def test_parse_dimension_rejects_bad_spec(spec: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        parse_dimension(spec, key="k")


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    n_splits=st.integers(2, 20),
    test_size=st.floats(0.01, 0.99),
    margin=st.floats(0, 10),
    method=st.sampled_from(["grid", "random", "bayes", "halving"]),
)
def test_config_to_dict_round_trips(
    seed: int, n_splits: int, test_size: float, margin: float, method: str
) -> None:
    raw = {
        **MINIMAL,
        "seed": seed,
        "cv": {"n_splits": n_splits},
        "holdout": {"test_size": test_size},
        "registry": {"margin": margin},
        "tuning": {
            "method": method,
            "n_iter": None if method == "grid" else 3,
            "space": {"max_depth": [2, 3]},
        },
    }
    config = config_from_dict(raw)
    assert config_from_dict(config_to_dict(config)) == config
    assert yaml.safe_load(yaml.safe_dump(config_to_dict(config))) == config_to_dict(config)


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_are_valid_against_their_data(path: Path) -> None:
    from mlkit.pipeline import prepare

    prepared = prepare(load_config(path))
    assert prepared.data.X.shape[0] > 100


def test_shipped_configs_include_classification_with_groups_and_regression() -> None:
    from mlkit.pipeline import prepare

    tasks = {}
    for path in CONFIGS.glob("*.yaml"):
        prepared = prepare(load_config(path))
        tasks[prepared.task] = prepared.data
    assert tasks["binary"].groups is not None
    assert "regression" in tasks


def test_config_grid_with_n_iter_is_rejected_with_fix() -> None:
    raw = {
        "name": "grid-n-iter",
        "data": {"dataset": "pbcseq"},
        "model": {"estimator": "logistic_regression"},
        "tuning": {"method": "grid", "n_iter": 5, "space": {"C": [0.1, 1.0]}},
    }
    with pytest.raises(ConfigError, match=r"tuning\.n_iter=5 is not used by tuning\.method='grid'"):
        config_from_dict(raw)


def _write_config(tmp_path, frame, **extra):
    import yaml

    frame.to_csv(tmp_path / "data.csv", index=False)
    config = {
        "name": "t",
        "data": {"path": "data.csv", "target": "y"},
        "model": {"estimator": "logistic_regression"},
        "tracking": {"enabled": False},
        "registry": {"enabled": False},
    }
    for key, value in extra.items():
        config[key] = value
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_validate_honours_regression_on_integer_counts(tmp_path) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": rng.integers(0, 4, size=60)})
    path = _write_config(tmp_path, frame, task="regression", model={"estimator": "ridge"})
    assert main(["validate", str(path)]) == 0


def test_validate_refuses_binary_on_multiclass_before_fitting(tmp_path, capsys) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": np.tile([0, 1, 2], 20)})
    path = _write_config(tmp_path, frame, task="binary")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "task: binary but the target 'y' has 3 classes" in err
    assert len(err.strip().splitlines()) == 1


def test_validate_checks_model_params_with_sklearn_validation(tmp_path, capsys) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": np.tile([0, 1], 30)})
    path = _write_config(
        tmp_path, frame, model={"estimator": "logistic_regression", "params": {"C": -1.0}}
    )
    assert main(["validate", str(path)]) == 2
    assert "model.params: The 'C' parameter" in capsys.readouterr().err


def test_validate_checks_search_space_values(tmp_path, capsys) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": np.tile([0, 1], 30)})
    path = _write_config(tmp_path, frame, tuning={"method": "grid", "space": {"C": [1.0, -2.0]}})
    assert main(["validate", str(path)]) == 2
    assert "tuning.space.C=-2.0" in capsys.readouterr().err


def test_validate_refuses_nan_groups(tmp_path, capsys) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(20), 3).astype(float)
    groups[5] = np.nan
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": np.tile([0, 1], 30), "g": groups})
    path = _write_config(tmp_path, frame, data={"path": "data.csv", "target": "y", "groups": "g"})
    assert main(["validate", str(path)]) == 2
    assert "data.groups column 'g' has 1 missing value" in capsys.readouterr().err


def test_validate_refuses_single_class_holdout(tmp_path, capsys) -> None:
    import numpy as np
    import pandas as pd

    from mlkit.cli import main

    rng = np.random.default_rng(0)
    time = np.arange(60)
    y = np.tile([0, 1], 30)
    y[45:] = 0  # the last rows (the time holdout) are all negatives
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": y, "t": time})
    path = _write_config(tmp_path, frame, data={"path": "data.csv", "target": "y", "time": "t"})
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "holdout: the test part would hold a single class (0)" in err


def test_config_allowed_values_come_from_their_owning_modules() -> None:
    from mlkit import config, metrics, training, tuning

    assert config.TASKS == ("auto", *metrics.TASKS)
    assert config.TUNING_METHODS == ("none", *tuning.METHODS)
    assert config.HOLDOUT_STRATEGIES is training.HOLDOUT_STRATEGIES


def test_config_registry_n_resamples_too_few_is_refused() -> None:
    from mlkit.config import ConfigError, config_from_dict

    with pytest.raises(ConfigError, match=r"registry\.n_resamples=50 is too few"):
        config_from_dict(
            {"name": "x", "data": {"dataset": "pbcseq"}, "registry": {"n_resamples": 50}}
        )
