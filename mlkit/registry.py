"""Model registry: register, load safely, gate (champion/challenger) and list versions.

- :func:`register_model` stores the model with skops (never pickle) in a tracked run,
  records the types skops does not trust by default and the SHA-256 of the model file,
  and registers a new version **without an alias**.
- :func:`promote_if_better` is the champion/challenger gate: it re-scores the champion
  on the same holdout rows, promotes only when a paired bootstrap interval of the
  improvement clears a margin, records its decision as version tags, and only then
  moves ``champion`` (promoted) or ``challenger`` (not promoted). A crash before the
  decision leaves a version without an alias, which the crash path of
  :func:`mlkit.tracking.start_run` (or :func:`mlkit.tracking.mark_stale_runs` after a
  kill) deletes.
- :func:`load_model` checks that a version holds exactly one model file whose SHA-256
  matches the recorded one, and refuses types outside skops' default trust list unless
  the caller trusts them; :func:`list_versions` lists versions with their aliases.

Reading never writes to a local store (SQLite opened read-only, no lock), so a
read-only store can be read. Nothing here imports mlflow or skops at import time.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit._model_files import (
    MODEL_SHA256_TAG,
    _one_model_file,
    _read_skops,
    _sha256,
    _verify_model_file,
)
from mlkit._store import (
    SERVER_LOCK_NAME,
    Store,
    _client,
    _mlflow,
    _quiet,
    _reader,
    _retry,
    resolve_store,
    store_lock,
)
from mlkit._validation import check_consistent_length, check_groups, check_target
from mlkit.stats import BootstrapInterval
from mlkit.tracking import TrackedRun, _package_versions

__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "GateDecision",
    "ModelVersionInfo",
    "UntrustedTypesError",
    "list_versions",
    "load_model",
    "promote_if_better",
    "register_model",
]

CHAMPION = "champion"
CHALLENGER = "challenger"
#: Version tag holding the JSON list of types skops does not trust by default.
UNTRUSTED_TYPES_TAG = "mlkit.untrusted_types"
#: Version tag holding the model file's name (the one ``*.skops`` file of the version).
MODEL_FILE_TAG = "mlkit.model_file"


class UntrustedTypesError(ValueError):
    """A stored model holds types the caller has not trusted; the message lists them."""


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
    sha256 : str
        SHA-256 (hex) of the model file, recorded on the version and checked on load.
    """

    name: str
    version: str
    run_id: str
    model_uri: str
    untrusted_types: tuple[str, ...] = ()
    sha256: str = ""


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
) -> ModelVersionInfo:
    """Store a fitted model with skops in ``run`` and register it as a new version.

    The model is serialised with skops (``serialization_format="skops"``; never
    pickle). The types skops does not trust by default (e.g. the tree predictors of
    gradient boosting) are computed from the dumped bytes and recorded on the version
    (tag ``mlkit.untrusted_types``) and as the artifact ``model/untrusted_types.json``,
    so a loader can see exactly what it is asked to trust. The SHA-256 of the model
    file is recorded too (tag ``mlkit.model_sha256``); :func:`load_model` refuses a
    file that does not match it.

    The new version gets no alias: :func:`promote_if_better` sets ``champion`` or
    ``challenger`` once it has decided.

    Parameters
    ----------
    model : fitted scikit-learn estimator
    run : TrackedRun
        The run the model belongs to (from :func:`mlkit.tracking.start_run`).
    name : str
        Registered model name; created on first use.
    X_example : DataFrame or None, default=None
        A few input rows, used to record the model signature (input columns and types).
    tags : mapping or None, default=None
        Extra version tags.

    Returns
    -------
    ModelVersionInfo

    Raises
    ------
    ValueError
        An empty ``name``, or a ``run`` that is not a :class:`~mlkit.tracking.TrackedRun`.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlkit.registry import list_versions, load_model, promote_if_better, register_model
    >>> from mlkit.tracking import start_run
    >>> X, y, store = [[0.0], [1.0], [2.0], [3.0]] * 10, [0, 0, 1, 1] * 10, tempfile.mkdtemp()
    >>> with start_run("demo", store=store) as run:
    ...     info = register_model(LogisticRegression().fit(X, y), run, name="demo")
    >>> list_versions("demo", store=store)["aliases"].tolist()  # no alias before the gate
    ['']
    >>> promote_if_better("demo", info.version, X, y, scoring="roc_auc", store=store).promoted
    True
    >>> load_model("demo", alias="champion", store=store).predict([[3.0]])
    array([1])
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"name must be a non-empty model name, got {name!r}.")
    if not isinstance(run, TrackedRun):
        raise ValueError(
            f"run must be the TrackedRun yielded by mlkit.tracking.start_run, got "
            f"{type(run).__name__}."
        )
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
        model_file = _one_model_file(local, what=f"the model {name!r} being registered")
        sha256 = _sha256(model_file.read_bytes())
        (local / "untrusted_types.json").write_text(json.dumps(untrusted), encoding="utf-8")
        for path in sorted(local.rglob("*")):
            if path.is_file():
                parent = path.parent.relative_to(tmp).as_posix()
                run.log_file(path, artifact_path=parent)
    source = f"{_retry(run.client.get_run, run.run_id).info.artifact_uri}/model"
    version_tags = {
        UNTRUSTED_TYPES_TAG: json.dumps(untrusted),
        MODEL_SHA256_TAG: sha256,
        MODEL_FILE_TAG: model_file.name,
        "mlkit.run_id": run.run_id,
    }
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
        # the tags are written in the same transaction as the version: a version never
        # exists without its hash
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
    run.set_tags({"mlkit.model_name": name, "mlkit.model_version": version})
    return ModelVersionInfo(
        name, version, run.run_id, f"models:/{name}/{version}", tuple(untrusted), sha256
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

    Before anything is loaded, the version's files are checked: it must hold exactly
    one model file (a swapped-in or extra file is refused), whose SHA-256 must equal
    the one recorded at registration, and which must be a complete skops archive.
    Types that skops does not trust by default must then be trusted by the caller,
    either listed in ``trusted`` or, with ``trust_recorded_types=True``, accepted
    because they are exactly the types recorded when the version was registered.
    Otherwise :class:`UntrustedTypesError` lists them. (MLflow's own loader would trust
    whatever list the model files carry.) Nothing is written to the store.

    Parameters
    ----------
    name : str
        Registered model name.
    version : str, int or None
        Version number; give this or ``alias``.
    alias : str or None
        E.g. ``"champion"``.
    store : str, path, Store or None, default=None
        See :func:`mlkit.tracking.resolve_store`.
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
        For an unknown model, version or alias; a version with no, or more than one,
        model file; a model file whose SHA-256 differs from the recorded one; a
        truncated or non-zip model file.
    """
    import skops.io as sio

    if trusted is not None and (
        isinstance(trusted, str) or not all(isinstance(t, str) for t in trusted)
    ):
        raise ValueError(
            f"trusted must be a list of type names (e.g. {['sklearn.tree._tree.Tree']}), "
            f"got {trusted!r}."
        )
    if (version is None) == (alias is None):  # before the store is opened
        raise ValueError("pass exactly one of version=<number> or alias=<name> (e.g. 'champion').")
    resolved = resolve_store(store)
    client = _reader(resolved)
    details = _resolve_version(client, name, version, alias)
    what = f"model {name!r} version {details.version}"
    tags = details.tags or {}
    allowed = set(trusted or ())
    recorded = json.loads(tags.get(UNTRUSTED_TYPES_TAG, "[]"))
    if trust_recorded_types:
        allowed |= set(recorded)
    with _quiet():
        uri = _retry(client.get_model_version_download_uri, name, details.version)
    data = _read_skops(uri, what=what, tracking_uri=resolved.tracking_uri)
    _verify_model_file(data, tags, what=what)
    try:
        found = sorted(sio.get_untrusted_types(data=data))
    except Exception as error:  # a zip that is not a skops archive
        raise ValueError(
            f"{what}: the model file is not a readable skops archive "
            f"({type(error).__name__}: {error}); it is damaged or not a skops file."
        ) from None
    missing = [t for t in found if t not in allowed]
    if missing:
        raise UntrustedTypesError(
            _untrusted_message(
                what,
                missing,
                recorded=recorded,
                trusted=trusted,
                trust_recorded_types=trust_recorded_types,
            )
        )
    return sio.loads(data, trusted=found)


def _untrusted_message(
    what: str,
    missing: list[str],
    *,
    recorded: list[str],
    trusted: Sequence[str] | None,
    trust_recorded_types: bool,
) -> str:
    """Why a load was refused, advising only what the caller has not already done."""
    head = f"{what} contains types that are not trusted by default: {missing}."
    if not set(missing) <= set(recorded):
        advice = (
            " Some of them were NOT recorded at registration, so the file may have been "
            "altered"
            + (" (trust_recorded_types=True does not cover them)." if trust_recorded_types else ".")
            + f" Load it only if you know why, by listing them in trusted={missing!r}."
        )
    elif trusted is not None:
        advice = (
            f" The trusted list you passed ({list(trusted)!r}) does not include them; add "
            f"them to it if you trust where the model came from, or pass "
            f"trust_recorded_types=True (they are the types recorded at registration)."
        )
    else:
        advice = (
            f" Load it only if you trust where it came from, with trusted={missing!r} or "
            f"trust_recorded_types=True (they are the types recorded at registration)."
        )
    return head + advice


# --------------------------------------------------------------------------- the gate


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
        Both scored on the same holdout rows with ``scoring``, in natural units (a
        loss such as ``rmse`` is positive; see ``greater_is_better``).
    margin : float
    scoring : str
    reason : str
    interval : BootstrapInterval or None
        Paired bootstrap interval of the challenger's **improvement** over the champion
        (``challenger - champion`` for a score, ``champion - challenger`` for a loss,
        so positive is better either way), over resampled groups (or rows) of the
        holdout; ``None`` when there was no champion to compare with.
    greater_is_better : bool, default=True
        Whether a higher ``scoring`` value is better (``False`` for a loss).
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
    greater_is_better: bool = True

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
                    "greater is better": self.greater_is_better,
                    "margin": self.margin,
                    "improvement": None if self.interval is None else self.interval.estimate,
                    "interval low": None if self.interval is None else self.interval.ci_low,
                    "interval high": None if self.interval is None else self.interval.ci_high,
                    "resamples": None if self.interval is None else self.interval.n_valid,
                    "promoted": self.promoted,
                    "reason": self.reason,
                }
            }
        )


def _row_scorer(model: Any, X: Any, y: np.ndarray, *, scorer: Any) -> Any:
    """``score(rows) -> float``: ``scorer`` of ``model`` on a subset of the rows ``X, y``.

    ``scorer`` is a scorer object from :func:`mlkit.metrics.get_scorers` (greater is
    better). The model predicts every row once; a resample only indexes those
    predictions, so a thousand bootstrap scores cost one ``predict`` per response method.
    """
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_classifier

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

    def score(rows: np.ndarray) -> float:
        rows = np.asarray(rows, dtype=int)
        return float(scorer(cached, rows.reshape(-1, 1), y[rows]))

    return score


def _gate_scorer(
    scoring: Any, model: Any, y: np.ndarray, *, task: Any, pos_label: Any
) -> tuple[str, Any]:
    """The gate's one scorer, resolved by :func:`mlkit.metrics.get_scorers`.

    The task is the fitted challenger's (its classes), so a holdout that happens to
    miss a class is still scored as the model's task.
    """
    from sklearn.base import is_regressor

    from mlkit.metrics import get_scorers, resolve_task

    if task is None:
        classes = getattr(model, "classes_", None)
        if classes is not None:
            task = "binary" if len(classes) == 2 else "multiclass"
        elif is_regressor(model):
            task = "regression"
        else:
            task = resolve_task(y)
    scorers = get_scorers(scoring, task=task, estimator=model, pos_label=pos_label)
    if len(scorers) != 1:
        raise ValueError(
            f"scoring must name one metric for the gate, got {len(scorers)}: "
            f"{sorted(scorers)}; pass one of them."
        )
    [(readable, scorer)] = scorers.items()
    return readable, scorer


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
    task: str | None = None,
    pos_label: Any = None,
) -> GateDecision:
    """The champion/challenger gate: move ``champion`` only on an improvement beyond noise.

    The current champion is loaded and scored on the *same* holdout rows ``X, y`` as
    the challenger (stored numbers from an older holdout are not comparable). With a
    few dozen holdout patients the difference of two scores is noisy (the standard
    error of a ROC AUC is several hundredths), so the gate does not compare the two
    point scores. It draws ``n_resamples`` paired bootstrap resamples of the holdout,
    by whole ``groups`` (patients) when given, scores both models on each resample and
    takes the two-sided ``confidence`` percentile interval of the improvement
    (:func:`mlkit.stats.paired_bootstrap`). ``scoring`` is resolved by
    :func:`mlkit.metrics.get_scorers`, with the same aliases, positive label and
    zero-division rule as everywhere else in mlkit.

    **The rule:** the challenger becomes champion when there is no champion yet, or
    when the **lower bound** of that interval exceeds ``margin``. A tie, or a gain
    within the noise, keeps the champion. The decision, both scores, the interval and
    the number of resamples are written as tags on the challenger version
    (``mlkit.gate.*``); only then is an alias moved: ``champion`` to a promoted
    version, ``challenger`` to one that was not promoted. Runs under the store lock,
    so concurrent runs decide one after another.

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
        A metric name, alias or scikit-learn scorer name (see
        :func:`mlkit.metrics.get_scorers`); a loss such as ``"rmse"`` is fine.
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
    store : see :func:`mlkit.tracking.resolve_store`
    challenger : fitted estimator or None
        The challenger model, if at hand (else it is loaded from the registry).
    trusted : sequence of str or None
        Extra trusted types for loading; the types recorded at registration are trusted.
    task : {"binary", "multiclass", "regression"} or None, default=None
        The task; ``None`` takes it from the fitted challenger.
    pos_label : label or None, default=None
        Positive class of binary metrics (``None``: 1).

    Returns
    -------
    GateDecision

    Raises
    ------
    ValueError
        A negative ``margin``, ``groups`` of another length than ``y``,
        ``n_resamples`` < 100, ``confidence`` outside (0, 1), or a ``scoring`` that
        is unknown or does not fit the task or the model.
    """
    from mlkit.stats import paired_bootstrap

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
    if challenger is not None:  # a bad scoring is refused before the store is touched
        _gate_scorer(scoring, challenger, y_arr, task=task, pos_label=pos_label)
    interval = None
    resolved = resolve_store(store)
    client = _client(resolved)
    version = str(version)
    rows = np.arange(n_rows)
    with store_lock(resolved):
        if challenger is None:
            challenger = load_model(
                name, version=version, store=resolved, trusted=trusted, trust_recorded_types=True
            )
        metric, scorer = _gate_scorer(scoring, challenger, y_arr, task=task, pos_label=pos_label)
        sign = 1.0 if getattr(scorer, "_sign", 1) > 0 else -1.0  # natural = sign * score
        score_challenger = _row_scorer(challenger, X, y_arr, scorer=scorer)
        challenger_score = sign * score_challenger(rows)
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
                score_champion = _row_scorer(champion, X, y_arr, scorer=scorer)
                champion_score = sign * score_champion(rows)
            except Exception as error:  # the champion cannot score these rows
                promoted = False
                reason = (
                    f"champion v{champion_version} could not be scored on this holdout "
                    f"({type(error).__name__}: {error}); kept it, promote by hand if intended"
                )
            else:
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
                direction = "greater" if sign > 0 else "lower"
                reason = (
                    f"challenger {verb} champion v{champion_version} beyond the noise: "
                    f"{challenger_score:.4f} vs {champion_score:.4f} ({metric}, {direction} "
                    f"is better; improvement {interval.estimate:+.4f}, {confidence:.0%} "
                    f"interval [{interval.ci_low:+.4f}, {interval.ci_high:+.4f}] from "
                    f"{interval.n_valid} resamples of {interval.n_units} {units}); promoted "
                    f"only when the lower bound exceeds margin={margin:g}"
                )
        tags = {
            "mlkit.gate.decision": "promoted" if promoted else "not promoted",
            "mlkit.gate.reason": reason,
            "mlkit.gate.scoring": str(scoring),
            "mlkit.gate.greater_is_better": str(sign > 0).lower(),
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
            # the decision is recorded first; the alias follows it, never the reverse
            for key, value in tags.items():
                _retry(client.set_model_version_tag, name, version, key, value)
            if promoted:
                _retry(client.set_registered_model_alias, name, CHAMPION, version)
            elif champion_version != version:
                _retry(client.set_registered_model_alias, name, CHALLENGER, version)
    return GateDecision(
        promoted=promoted,
        name=name,
        challenger_version=version,
        champion_version=champion_version,
        challenger_score=challenger_score,
        champion_score=champion_score,
        margin=float(margin),
        scoring=str(scoring),
        reason=reason,
        interval=interval,
        greater_is_better=sign > 0,
    )


def list_versions(
    name: str, *, store: str | os.PathLike[str] | Store | None = None
) -> pd.DataFrame:
    """The versions of a registered model with their aliases and gate decisions.

    Parameters
    ----------
    name : str
    store : see :func:`mlkit.tracking.resolve_store`
        Only read: the SQLite file of a local store is opened read-only.

    Returns
    -------
    DataFrame
        One row per version (index ``version``): ``aliases``, ``run_id``, ``created``,
        ``status``, ``challenger_score``, ``champion_score`` (natural units) and
        ``decision``.

    Raises
    ------
    ValueError
        When no model of that name exists (the message lists the registered names).
    """
    resolved = resolve_store(store)
    if resolved.root is not None and not (resolved.root / "mlflow.db").is_file():
        raise ValueError(
            f"no registered model named {name!r} in {resolved}; registered: none yet "
            f"(the store holds no mlflow.db)."
        )
    client = _reader(resolved)
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
    rows = [
        (
            int(v.version),
            ", ".join(sorted(aliases.get(str(v.version), []))),
            v.run_id,
            pd.Timestamp(v.creation_timestamp, unit="ms"),
            v.status,
            _float_or_nan((v.tags or {}).get("mlkit.gate.challenger_score")),
            _float_or_nan((v.tags or {}).get("mlkit.gate.champion_score")),
            (v.tags or {}).get("mlkit.gate.decision", ""),
        )
        for v in versions
    ]
    columns = "version aliases run_id created status challenger_score champion_score decision"
    return pd.DataFrame(rows, columns=columns.split()).sort_values("version").set_index("version")


def _float_or_nan(text: str | None) -> float:
    try:
        return float(text) if text else float("nan")
    except ValueError:
        return float("nan")
