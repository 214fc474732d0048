"""The pipeline configuration: a YAML file read into frozen dataclasses and validated.

``mlkit run CONFIG.yaml`` and :func:`mlkit.pipeline.run_pipeline` take a
:class:`PipelineConfig`. :func:`load_config` reads one from YAML and checks it
*before* any work starts: an unknown key (with the closest valid one suggested), a
value of the wrong type, a value outside its allowed set or a data file that does
not exist each give one :class:`ConfigError` that names the key and says how to fix it.

A minimal config::

    name: pbcseq-death-2y          # run name; default experiment and model name
    data:
      dataset: pbcseq              # or  path: data.csv  with  target: <column>
    model:
      estimator: hist_gradient_boosting
    tuning:
      method: random
      n_iter: 6
      space:
        learning_rate: [0.03, 0.1, 0.3]
        max_depth: {type: int, low: 2, high: 6}

Every other key has a default; see the dataclasses below for the full schema.
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any, Union, cast, get_args, get_origin, get_type_hints

from mlkit import metrics as _metrics
from mlkit import training as _training
from mlkit import tuning as _tuning

# The allowed values come from the modules that own them, so they cannot drift apart.
from mlkit._validation import check_n_jobs

__all__ = [
    "DATASETS",
    "HOLDOUT_STRATEGIES",
    "TASKS",
    "TUNING_METHODS",
    "BaselinesConfig",
    "CVConfig",
    "ConfigError",
    "DataConfig",
    "EvaluationConfig",
    "HoldoutConfig",
    "ModelConfig",
    "NestedConfig",
    "PipelineConfig",
    "RegistryConfig",
    "TrackingConfig",
    "TuningConfig",
    "config_from_dict",
    "config_to_dict",
    "load_config",
]

#: Named datasets a config may load with ``data.dataset`` (see :mod:`mlkit.datasets`).
DATASETS: tuple[str, ...] = ("pbcseq", "flights", "patient_visits")
#: How the test rows are held out (``holdout.strategy``).
HOLDOUT_STRATEGIES: tuple[str, ...] = _training.HOLDOUT_STRATEGIES
#: Search methods (``tuning.method``); ``"none"`` cross-validates the fixed parameters.
TUNING_METHODS: tuple[str, ...] = ("none", *_tuning.METHODS)
#: Supervised tasks (``task``); ``"auto"`` infers it from the target.
TASKS: tuple[str, ...] = ("auto", *_metrics.TASKS)
#: Data file suffixes ``data.path`` may have.
DATA_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet", ".pq")


class ConfigError(ValueError):
    """An invalid pipeline configuration; the message names the key and the fix."""


# --------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class DataConfig:
    """Where the data comes from and the role of each column.

    Give either ``dataset`` (a named mlkit dataset, with loader ``options``) or
    ``path`` (a CSV or Parquet file; relative paths are resolved against the config
    file's folder) with ``target`` and optionally ``groups`` and ``time`` columns.
    ``features`` keeps only the listed columns; ``drop`` removes columns.
    ``max_rows`` keeps a random subset of rows (whole groups when there are groups),
    in their original order, to make a quick run.
    """

    dataset: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    target: str | None = None
    groups: str | None = None
    time: str | None = None
    features: tuple[str, ...] | None = None
    drop: tuple[str, ...] = ()
    max_rows: int | None = None


@dataclass(frozen=True)
class HoldoutConfig:
    """The test split, held out once before anything else looks at the data.

    ``strategy="auto"`` holds out whole groups when there are groups, the last
    ``test_size`` fraction in time when there is a time column, and a stratified
    (classification) or plain random split otherwise.
    """

    test_size: float = 0.2
    strategy: str = "auto"


@dataclass(frozen=True)
class CVConfig:
    """Cross-validation on the training part (the splitter follows the data's structure)."""

    n_splits: int = 5


@dataclass(frozen=True)
class ModelConfig:
    """The estimator, by name (see :data:`mlkit.training.ESTIMATORS`), and fixed parameters.

    Parameter names are those of the final estimator (``max_depth``); the pipeline
    prefix (``model__``) is added for you.
    """

    estimator: str = "hist_gradient_boosting"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TuningConfig:
    """Hyperparameter search. ``space`` maps a parameter to a list of values or to
    ``{type: int|float, low: .., high: .., log: bool, step: int, n_grid: int}``."""

    method: str = "none"
    n_iter: int | None = None
    space: dict[str, Any] = field(default_factory=dict)
    n_jobs: int | None = None


@dataclass(frozen=True)
class NestedConfig:
    """Nested cross-validation: an honest estimate of the whole tuning procedure."""

    enabled: bool = False
    outer_splits: int = 3
    inner_splits: int = 3


@dataclass(frozen=True)
class BaselinesConfig:
    """The beat-the-baseline gate (chapter 2): dummy strategies and the corrected test.

    ``enabled: false`` skips it, e.g. for quick infrastructure runs; the run then logs
    no baseline verdict."""

    enabled: bool = True


@dataclass(frozen=True)
class EvaluationConfig:
    """Holdout metrics: ``metrics=None`` gives the task's metric set."""

    metrics: tuple[str, ...] | None = None
    threshold: float = 0.5


@dataclass(frozen=True)
class TrackingConfig:
    """MLflow tracking. ``store`` is a folder (SQLite + artifacts inside) or a tracking
    URI; ``None`` means ``$MLFLOW_TRACKING_URI``, else ``$MLKIT_HOME``, else
    ``./mlkit-runs``. ``experiment`` defaults to the config's ``name``."""

    enabled: bool = True
    store: str | None = None
    experiment: str | None = None


@dataclass(frozen=True)
class RegistryConfig:
    """Model registry. The new version gets alias ``challenger``; ``champion`` moves to
    it only when the lower bound of the paired bootstrap interval (``n_resamples``
    resamples of the holdout's groups) of its score gain exceeds ``margin``."""

    enabled: bool = True
    model_name: str | None = None
    margin: float = 0.0
    n_resamples: int = 1000


@dataclass(frozen=True)
class PipelineConfig:
    """The whole pipeline configuration (the top level of the YAML file).

    ``threads`` caps the OpenMP / BLAS threads of each fit (default 1: on small data,
    and when several runs share a machine, more threads cost more than they save;
    parallelise across candidates with ``tuning.n_jobs`` instead). ``null`` leaves the
    libraries' default.
    """

    name: str
    data: DataConfig
    seed: int = 0
    task: str = "auto"
    scoring: str | None = None
    threads: int | None = 1
    holdout: HoldoutConfig = field(default_factory=HoldoutConfig)
    cv: CVConfig = field(default_factory=CVConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    tuning: TuningConfig = field(default_factory=TuningConfig)
    nested: NestedConfig = field(default_factory=NestedConfig)
    baselines: BaselinesConfig = field(default_factory=BaselinesConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    registry: RegistryConfig = field(default_factory=RegistryConfig)
    source: str | None = field(default=None, compare=False)

    @property
    def experiment_name(self) -> str:
        """The MLflow experiment: ``tracking.experiment`` or the config's ``name``."""
        return self.tracking.experiment or self.name

    @property
    def model_name(self) -> str:
        """The registered model name: ``registry.model_name`` or the config's ``name``."""
        return self.registry.model_name or self.name


# --------------------------------------------------------------------------- reading


def load_config(path: str | Path) -> PipelineConfig:
    """Read and validate a pipeline configuration from a YAML file.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    PipelineConfig
        With ``data.path`` resolved to an absolute path (relative paths are taken
        from the config file's folder) and ``source`` set to the config file.

    Raises
    ------
    ConfigError
        When the file is missing or not YAML, a key is unknown (the message suggests
        the closest valid key), a value has the wrong type or is out of range, or the
        data file does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mlkit.config import load_config
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.yaml").write_text("name: demo\\ndata: {dataset: pbcseq}\\n")
    >>> load_config(folder / "run.yaml").data.dataset
    'pbcseq'
    >>> _ = (folder / "bad.yaml").write_text("name: demo\\ndata: {datset: pbcseq}\\n")
    >>> load_config(folder / "bad.yaml")
    Traceback (most recent call last):
    ...
    mlkit.config.ConfigError: ...bad.yaml: data.datset is not a valid key; did you mean 'dataset'? ...
    """
    import yaml

    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found; check the path.")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a text file; a config is UTF-8 YAML.") from None
    try:
        return config_from_dict(raw, base_dir=path.resolve().parent, source=str(path))
    except ConfigError as error:
        raise ConfigError(f"{path}: {error}") from None


def config_from_dict(
    raw: Any, *, base_dir: str | Path | None = None, source: str | None = None
) -> PipelineConfig:
    """Validate a configuration given as a (YAML-like) dict.

    Parameters
    ----------
    raw : mapping
        The configuration, with the same keys as the YAML file.
    base_dir : str or Path or None, default=None
        Folder against which a relative ``data.path`` is resolved (default: the
        current working directory).
    source : str or None, default=None
        Where the configuration came from, recorded on the result.

    Returns
    -------
    PipelineConfig

    Raises
    ------
    ConfigError
        See :func:`load_config`.

    Examples
    --------
    >>> from mlkit.config import config_from_dict
    >>> config = config_from_dict({"name": "demo", "data": {"dataset": "pbcseq"},
    ...                            "cv": {"n_splits": 3}})
    >>> config.cv.n_splits, config.model_name
    (3, 'demo')
    """
    if raw is None:
        raise ConfigError("the config is empty; it needs at least 'name' and 'data'.")
    if not isinstance(raw, Mapping):
        raise ConfigError(
            f"the config must be a mapping of keys to values, got {type(raw).__name__}; "
            f"start with 'name:' and 'data:'."
        )
    config = _build(PipelineConfig, {**raw, "source": None}, where="")
    config = _replace_data(config, base_dir=Path(base_dir) if base_dir else Path.cwd())
    _check_semantics(config)
    if source is not None:
        config = _with_source(config, source)
    return config


def config_to_dict(config: PipelineConfig) -> dict[str, Any]:
    """The configuration as plain YAML-able data (tuples become lists).

    Examples
    --------
    >>> from mlkit.config import config_from_dict, config_to_dict
    >>> config_to_dict(config_from_dict({"name": "demo", "data": {"dataset": "pbcseq"}}))["cv"]
    {'n_splits': 5}
    """

    if not isinstance(config, PipelineConfig):
        raise ValueError(
            f"config must be a PipelineConfig (from load_config or config_from_dict), got "
            f"{type(config).__name__}."
        )

    def plain(value: Any) -> Any:
        if is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Mapping):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [plain(v) for v in value]
        return value

    result = plain(config)
    result.pop("source", None)
    return dict(result)


# --------------------------------------------------------------------------- machinery


def _build(cls: type, raw: Any, *, where: str) -> Any:
    """Build dataclass ``cls`` from mapping ``raw``, checking keys and value types."""
    label = where or "the config"
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{label} must be a mapping of keys to values, got {_describe(raw)}.")
    hints = get_type_hints(cls)
    known = [f.name for f in fields(cls) if f.name != "source"]
    for key in raw:
        if key == "source" and cls is PipelineConfig:
            continue
        if not isinstance(key, str) or key not in known:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"{_key(where, key)} is not a valid key; {hint}valid keys here: {', '.join(known)}."
            )
    values: dict[str, Any] = {}
    for f in fields(cls):
        if f.name == "source":
            continue
        key = _key(where, f.name)
        if f.name not in raw:
            if f.default is MISSING and f.default_factory is MISSING:
                raise ConfigError(f"{key} is required but missing; add '{f.name}:' to {label}.")
            continue
        values[f.name] = _coerce(raw[f.name], hints[f.name], key=key)
    return cls(**values)


def _coerce(value: Any, hint: Any, *, key: str) -> Any:
    """Check ``value`` against type ``hint`` (the few types the schema uses)."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(value, options[0], key=key)
    if is_dataclass(hint):
        return _build(hint, value, where=key)  # type: ignore[arg-type]
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false, got {_describe(value)}.")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{key} must be an integer, got {_describe(value)}.")
        return value
    if hint is float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ConfigError(f"{key} must be a number, got {_describe(value)}.")
        return float(value)
    if hint is str:
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{key} must be a non-empty string, got {_describe(value)}.")
        return value
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(
                f"{key} must be a list of column or metric names, got {_describe(value)}; "
                f"e.g. [a, b]."
            )
        return tuple(value)
    if origin is dict:
        if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
            raise ConfigError(
                f"{key} must be a mapping of names to values, got {_describe(value)}."
            )
        return dict(value)
    raise TypeError(f"unsupported schema type {hint!r} for {key}")  # pragma: no cover


def _key(where: str, name: Any) -> str:
    return f"{where}.{name}" if where else str(name)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__} {text}"


def _replace_data(config: PipelineConfig, *, base_dir: Path) -> PipelineConfig:
    from dataclasses import replace

    data = config.data
    if data.path is None:
        return config
    resolved = Path(data.path).expanduser()
    if not resolved.is_absolute():
        resolved = (base_dir / resolved).resolve()
    return replace(config, data=replace(data, path=str(resolved)))


def _with_source(config: PipelineConfig, source: str) -> PipelineConfig:
    from dataclasses import replace

    return replace(config, source=source)


def _choice(value: Any, *, key: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ConfigError(
            f"{key}={value!r} is not supported; {hint}use one of {', '.join(choices)}."
        )


def _check_semantics(config: PipelineConfig) -> None:
    """Checks across keys and ranges that types alone cannot express."""
    data = config.data
    if (data.dataset is None) == (data.path is None):
        raise ConfigError(
            "data needs exactly one of 'dataset' (a named mlkit dataset: "
            f"{', '.join(DATASETS)}) or 'path' (a CSV or Parquet file)."
        )
    if data.dataset is not None:
        _choice(data.dataset, key="data.dataset", choices=DATASETS)
        for role in ("target", "groups", "time"):
            if getattr(data, role) is not None:
                raise ConfigError(
                    f"data.{role} is set but data.dataset={data.dataset!r} defines its own "
                    f"column roles; use data.{role} only with data.path."
                )
    else:
        assert data.path is not None
        path = Path(data.path)
        if not path.name.lower().endswith(DATA_SUFFIXES):
            raise ConfigError(
                f"data.path={data.path!r} has an unsupported suffix; use one of "
                f"{', '.join(DATA_SUFFIXES)}."
            )
        if not path.is_file():
            raise ConfigError(
                f"data.path={data.path!r} does not exist; relative paths are read from the "
                f"config file's folder."
            )
        if data.target is None:
            raise ConfigError("data.target is required with data.path; name the label column.")
        if data.options:
            raise ConfigError("data.options is only for named datasets (data.dataset); remove it.")
    if data.features is not None and data.drop:
        raise ConfigError("data.features and data.drop are exclusive; use one of them.")
    if data.max_rows is not None and data.max_rows < 20:
        raise ConfigError(f"data.max_rows={data.max_rows} is too small; use at least 20.")
    _choice(config.task, key="task", choices=TASKS)
    if config.threads is not None and config.threads < 1:
        raise ConfigError(
            f"threads={config.threads} must be at least 1 (or null for the library default)."
        )
    if not 0.0 < config.holdout.test_size < 1.0:
        raise ConfigError(
            f"holdout.test_size={config.holdout.test_size} must be strictly between 0 and 1 "
            f"(a fraction of the rows, e.g. 0.2)."
        )
    _choice(config.holdout.strategy, key="holdout.strategy", choices=HOLDOUT_STRATEGIES)
    for key, value in (
        ("cv.n_splits", config.cv.n_splits),
        ("nested.outer_splits", config.nested.outer_splits),
        ("nested.inner_splits", config.nested.inner_splits),
    ):
        if value < 2:
            raise ConfigError(f"{key}={value} is too small; use at least 2 folds.")
    _check_model(config)
    _check_tuning(config)
    _check_metric_names(config)
    if not 0.0 < config.evaluation.threshold < 1.0:
        raise ConfigError(
            f"evaluation.threshold={config.evaluation.threshold} must be strictly between "
            f"0 and 1 (the probability above which a case is called positive)."
        )
    if config.registry.margin < 0:
        raise ConfigError(
            f"registry.margin={config.registry.margin} must be >= 0 (how much better, in "
            f"the scoring metric, a challenger must be to become champion)."
        )
    if config.registry.n_resamples < 100:
        raise ConfigError(
            f"registry.n_resamples={config.registry.n_resamples} is too few for a bootstrap "
            f"interval; use at least 100 (1000 is the default)."
        )
    if config.registry.enabled and not config.tracking.enabled:
        raise ConfigError(
            "registry.enabled is true but tracking.enabled is false; the registry lives in "
            "the tracking store, so enable tracking or set registry.enabled: false."
        )


def _check_model(config: PipelineConfig) -> None:
    from mlkit.training import ESTIMATORS

    _choice(config.model.estimator, key="model.estimator", choices=tuple(ESTIMATORS))


def _check_tuning(config: PipelineConfig) -> None:
    tuning = config.tuning
    _choice(tuning.method, key="tuning.method", choices=TUNING_METHODS)
    if tuning.method == "none":
        if tuning.space:
            raise ConfigError(
                "tuning.space is set but tuning.method is 'none'; choose a method "
                "(grid, random, bayes, halving) or remove the space."
            )
        if config.nested.enabled:
            raise ConfigError(
                "nested.enabled is true but nothing is tuned (tuning.method: none); nested "
                "CV estimates a tuning procedure, so set a tuning method or disable it."
            )
    elif not tuning.space:
        raise ConfigError(
            f"tuning.method={tuning.method!r} needs tuning.space: a mapping of parameter "
            f"names to lists of values, e.g. {{max_depth: [2, 3, 4]}}."
        )
    if tuning.method in ("random", "bayes") and tuning.n_iter is None:
        raise ConfigError(
            f"tuning.method={tuning.method!r} needs tuning.n_iter (the number of candidates "
            f"to try), e.g. n_iter: 10."
        )
    if tuning.method == "grid" and tuning.n_iter is not None:
        raise ConfigError(
            f"tuning.n_iter={tuning.n_iter} is not used by tuning.method='grid' (a grid tries "
            f"every combination); remove n_iter or use method: random."
        )
    if tuning.n_iter is not None and tuning.n_iter < 1:
        raise ConfigError(f"tuning.n_iter={tuning.n_iter} must be at least 1.")
    for name, spec in tuning.space.items():
        parse_dimension(spec, key=f"tuning.space.{name}")
    try:
        check_n_jobs(tuning.n_jobs)
    except ValueError:
        raise ConfigError(
            f"tuning.n_jobs={tuning.n_jobs!r} must be null (one worker), a positive number of "
            f"parallel jobs or -1 (all cores)."
        ) from None


def _check_metric_names(config: PipelineConfig) -> None:
    """``scoring`` and ``evaluation.metrics`` are known names (for the declared task, if any)."""
    tasks = _metrics.TASKS if config.task == "auto" else (cast(_metrics.Task, config.task),)
    if config.scoring is not None:
        errors = []
        for task in tasks:
            try:
                _metrics.get_scorers(config.scoring, task=task)
                break
            except ValueError as error:
                errors.append(str(error))
        else:
            raise ConfigError(f"scoring: {errors[0]}")  # the pipeline's "key: message" form
    for metric in config.evaluation.metrics or ():
        fits = [t for t in tasks if _metrics.readable_metric_name(metric, task=t) in
                _metrics.METRIC_SETS[t]]  # fmt: skip
        if not fits:
            known = sorted({m for t in tasks for m in _metrics.METRIC_SETS[t]})
            what = "known" if len(tasks) > 1 else f"{tasks[0]}"
            raise ConfigError(
                f"evaluation.metrics contains {metric!r}, which is not a {what} metric; use "
                f"names from {', '.join(known)}."
            )


_DIMENSION_KEYS = ("type", "low", "high", "log", "step", "n_grid")


def parse_dimension(spec: Any, *, key: str) -> Any:
    """Read one search-space entry of a config: a list of values or a range mapping.

    Returns a list (categorical values) or an :class:`mlkit.space.Int` /
    :class:`mlkit.space.Float`.

    Examples
    --------
    >>> from mlkit.config import parse_dimension
    >>> parse_dimension([1, 2], key="x")
    [1, 2]
    >>> parse_dimension({"type": "float", "low": 0.01, "high": 1, "log": True}, key="x")
    Float(low=0.01, high=1.0, log=True, n_grid=None)
    """
    if isinstance(spec, list):
        if not spec:
            raise ConfigError(f"{key} is an empty list; give at least one candidate value.")
        return list(spec)
    if not isinstance(spec, Mapping):
        raise ConfigError(
            f"{key} must be a list of values or a range such as "
            f"{{type: float, low: 0.01, high: 1, log: true}}, got {_describe(spec)}."
        )
    for k in spec:
        if k not in _DIMENSION_KEYS:
            close = difflib.get_close_matches(str(k), _DIMENSION_KEYS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ConfigError(
                f"{key}.{k} is not a valid key; {hint}valid keys here: "
                f"{', '.join(_DIMENSION_KEYS)}."
            )
    kind = spec.get("type")
    _choice(kind, key=f"{key}.type", choices=("int", "float"))
    for bound in ("low", "high"):
        if bound not in spec:
            raise ConfigError(f"{key}.{bound} is required for a {kind} range.")
    from mlkit.space import Float, Int

    options = {k: spec[k] for k in ("log", "step", "n_grid") if k in spec}
    try:
        if kind == "int":
            return Int(spec["low"], spec["high"], **options)
        if "step" in options:
            raise ConfigError(f"{key}.step is only for int ranges; remove it.")
        return Float(spec["low"], spec["high"], **options)
    except (ValueError, TypeError) as error:
        raise ConfigError(f"{key}: {error}") from None
