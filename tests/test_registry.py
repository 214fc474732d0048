"""Tests of mlkit.registry: registration, safe loading, the gate, versions, read-only use."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score, root_mean_squared_error

from mlkit.datasets import make_patient_visits
from mlkit.registry import (
    CHALLENGER,
    CHAMPION,
    MODEL_SHA256_TAG,
    UNTRUSTED_TYPES_TAG,
    UntrustedTypesError,
    list_versions,
    load_model,
    promote_if_better,
    register_model,
)
from mlkit.tracking import list_runs, resolve_store, start_run

HGB_TYPE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One SQLite store shared by the module (each test uses its own model name)."""
    folder = tmp_path_factory.mktemp("store")
    previous = os.environ.get("MLKIT_CACHE_DIR")
    os.environ["MLKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield folder
    if previous is None:
        os.environ.pop("MLKIT_CACHE_DIR", None)
    else:
        os.environ["MLKIT_CACHE_DIR"] = previous


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series, pd.DataFrame, pd.Series]:
    cohort = make_patient_visits(80, random_state=0)
    holdout = make_patient_visits(40, random_state=1)  # new patients
    return cohort.X, cohort.y, holdout.X, holdout.y


def _client(store: Path):  # type: ignore[no-untyped-def]
    from mlflow import MlflowClient

    uri = resolve_store(store).tracking_uri
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def _model_file(store: Path, name: str, version: str) -> Path:
    source = _client(store).get_model_version(name, version).source
    return Path(source.removeprefix("file://")) / "model.skops"


def test_load_model_refuses_untrusted_types_until_trusted(store: Path, data: tuple) -> None:
    X, y, X_new, _ = data
    model = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    with start_run("t-load", store=store) as run:
        info = register_model(model, run, name="t-load", X_example=X.head(3))
    assert HGB_TYPE in info.untrusted_types
    with pytest.raises(UntrustedTypesError, match=r"not trusted by default: .*TreePredictor"):
        load_model("t-load", version=info.version, store=store)
    for kwargs in ({"trusted": list(info.untrusted_types)}, {"trust_recorded_types": True}):
        loaded = load_model("t-load", version=info.version, store=store, **kwargs)
        assert np.array_equal(loaded.predict_proba(X_new), model.predict_proba(X_new))


def test_load_model_reports_unknown_version_or_alias(store: Path) -> None:
    with pytest.raises(ValueError, match=r"exactly one of version"):
        load_model("t-load", store=store)
    with pytest.raises(ValueError, match=r"has no alias 'nope'"):
        load_model("t-load", alias="nope", store=store)


def test_register_model_never_pickles(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    with start_run("t-skops", store=store) as run:
        register_model(LogisticRegression().fit(X, y), run, name="t-skops")
    artifacts = Path(_client(store).get_run(run.run_id).info.artifact_uri.removeprefix("file://"))
    names = {p.name for p in artifacts.rglob("*") if p.is_file()}
    assert "model.skops" in names and "untrusted_types.json" in names
    assert not {n for n in names if n.endswith((".pkl", ".pickle", ".joblib"))}


def _register(store: Path, model: object, name: str) -> str:
    with start_run(f"exp-{name}", store=store) as run:
        return register_model(model, run, name=name).version


def test_gate_does_not_promote_a_gain_within_the_noise(store: Path, data: tuple) -> None:
    _, _, X_new, y_new = data
    groups_new = make_patient_visits(40, random_state=1).groups
    name = "t-gate-noise"
    # two logistic regressions trained on two cohorts of the same population: equally
    # good in truth; on 40 holdout patients one of them is ahead by luck
    fits = [LogisticRegression().fit(c.X, c.y)
            for c in (make_patient_visits(80, random_state=s) for s in (0, 3))]  # fmt: skip
    aucs = [roc_auc_score(y_new, m.predict_proba(X_new)[:, 1]) for m in fits]
    champion, challenger = (fits[0], fits[1]) if aucs[1] > aucs[0] else (fits[1], fits[0])
    gain = abs(aucs[1] - aucs[0])
    assert gain > 0.01  # the old point-score gate (margin 0.005) would have promoted it

    v1 = _register(store, champion, name)
    first = promote_if_better(name, v1, X_new, y_new, scoring="roc_auc", store=store)
    assert first.promoted and first.champion_version is None and first.interval is None
    v2 = _register(store, challenger, name)
    second = promote_if_better(name, v2, X_new, y_new, scoring="roc_auc", margin=0.005,
                               groups=groups_new, n_resamples=300, store=store)  # fmt: skip
    assert not second.promoted and second.champion_now == v1
    assert second.interval is not None
    assert second.interval.estimate == pytest.approx(gain)  # plain sklearn, same rows
    assert second.interval.ci_low < 0.005 < second.interval.ci_high
    assert second.interval.n_units == groups_new.nunique()
    assert second.interval.resampled == "groups"
    tags = _client(store).get_model_version(name, v2).tags
    assert tags["mlkit.gate.decision"] == "not promoted"
    assert tags["mlkit.gate.n_resamples"] == "300"
    assert float(tags["mlkit.gate.ci_low"]) == pytest.approx(second.interval.ci_low)
    assert float(tags["mlkit.gate.ci_high"]) == pytest.approx(second.interval.ci_high)
    assert "interval" in tags["mlkit.gate.reason"]


def test_gate_promotes_a_clearly_better_model_and_keeps_a_tie(store: Path) -> None:
    train = make_patient_visits(150, signal=2.0, random_state=0)
    holdout = make_patient_visits(150, signal=2.0, random_state=1)
    name = "t-gate-clear"
    dummy = DummyClassifier(strategy="prior").fit(train.X, train.y)
    strong = LogisticRegression().fit(train.X, train.y)
    strong_auc = roc_auc_score(holdout.y, strong.predict_proba(holdout.X)[:, 1])
    assert strong_auc > 0.7  # checked independently: far above the dummy's 0.5

    v1 = _register(store, dummy, name)
    promote_if_better(name, v1, holdout.X, holdout.y, scoring="roc_auc", store=store)
    v2 = _register(store, strong, name)
    better = promote_if_better(name, v2, holdout.X, holdout.y, scoring="roc_auc", margin=0.01,
                               groups=holdout.groups, n_resamples=200, store=store)  # fmt: skip
    assert better.promoted and better.champion_version == v1
    assert better.interval is not None and better.interval.ci_low > 0.01
    assert better.interval.estimate == pytest.approx(strong_auc - 0.5)
    assert better.challenger_score == pytest.approx(strong_auc)

    v3 = _register(store, strong, name)  # the same model again: a tie never promotes
    tie = promote_if_better(name, v3, holdout.X, holdout.y, scoring="roc_auc",
                            groups=holdout.groups, n_resamples=100, store=store)  # fmt: skip
    assert not tie.promoted and tie.champion_now == v2
    assert tie.interval is not None and tie.interval.ci_low == tie.interval.ci_high == 0.0

    table = list_versions(name, store=store)
    assert table.loc[2, "aliases"] == CHAMPION and table.loc[3, "aliases"] == CHALLENGER
    assert table["decision"].tolist() == ["promoted", "promoted", "not promoted"]


def test_gate_rescores_champion_on_this_holdout(store: Path, data: tuple) -> None:
    X, y, X_new, y_new = data
    name = "t-gate-rescore"
    dummy = DummyClassifier(strategy="prior").fit(X, y)
    v1 = _register(store, dummy, name)
    promote_if_better(name, v1, X.head(60), y.head(60), scoring="roc_auc", store=store)
    model = LogisticRegression().fit(X, y)
    v2 = _register(store, model, name)
    decision = promote_if_better(name, v2, X_new, y_new, scoring="roc_auc", store=store)
    assert decision.champion_score == pytest.approx(0.5)  # the dummy, scored on X_new
    assert decision.promoted


def test_promote_if_better_rejects_bad_margin(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    with pytest.raises(ValueError, match=r"margin must be a number >= 0"):
        promote_if_better("t-gate", "1", X, y, scoring="roc_auc", margin=-0.1, store=store)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"groups": np.arange(3)}, r"groups"),
        ({"n_resamples": 10}, r"n_resamples=10 must be an integer >= 100"),
        ({"confidence": 1.5}, r"confidence=1.5 must be strictly between 0 and 1"),
    ],
)
def test_promote_if_better_rejects_bad_resampling(
    store: Path, data: tuple, kwargs: dict, match: str
) -> None:
    X, y, _, _ = data
    with pytest.raises(ValueError, match=match):
        promote_if_better("t-gate", "1", X, y, scoring="roc_auc", store=store, **kwargs)


def test_list_versions_unknown_model_lists_names(store: Path) -> None:
    with pytest.raises(ValueError, match=r"no registered model named 'nope'"):
        list_versions("nope", store=store)


@pytest.mark.parametrize(
    "scoring", ["roc_auc", "average_precision", "neg_log_loss", "accuracy", "neg_brier_score"]
)
def test_gate_row_scorer_equals_plain_scorer_on_resampled_rows(scoring: str, data: tuple) -> None:
    """The gate scores resamples from cached predictions: same numbers as sklearn's scorer."""
    from sklearn.metrics import get_scorer

    from mlkit.metrics import get_scorers
    from mlkit.registry import _row_scorer

    X, y, X_new, y_new = data
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    y_arr = y_new.to_numpy()
    [scorer] = get_scorers(scoring, task="binary", estimator=model).values()
    score = _row_scorer(model, X_new, y_arr, scorer=scorer)
    rng = np.random.default_rng(0)
    for _ in range(3):
        rows = rng.integers(0, len(y_arr), size=len(y_arr))
        expected = get_scorer(scoring)(model, X_new.iloc[rows], y_arr[rows])
        assert score(rows) == pytest.approx(expected)


# --------------------------------------------------------------------------- aliases


def test_register_model_sets_no_alias_until_the_gate_decides(store: Path, data: tuple) -> None:
    X, y, X_new, y_new = data
    name = "t-alias"
    strong = LogisticRegression().fit(X, y)
    v1 = _register(store, strong, name)
    assert _client(store).get_registered_model(name).aliases == {}  # not gated yet
    promote_if_better(name, v1, X_new, y_new, scoring="roc_auc", store=store)
    v2 = _register(store, DummyClassifier(strategy="prior").fit(X, y), name)
    assert _client(store).get_registered_model(name).aliases == {CHAMPION: 1}
    decision = promote_if_better(name, v2, X_new, y_new, scoring="roc_auc", store=store,
                                 n_resamples=100)  # fmt: skip
    assert not decision.promoted
    assert _client(store).get_registered_model(name).aliases == {CHAMPION: 1, CHALLENGER: 2}
    assert _client(store).get_model_version(name, v2).tags["mlkit.gate.decision"]


def test_failed_run_after_promotion_hands_champion_back(store: Path, data: tuple) -> None:
    X, y, X_new, y_new = data
    name = "t-handback"
    v1 = _register(store, DummyClassifier(strategy="prior").fit(X, y), name)
    promote_if_better(name, v1, X_new, y_new, scoring="roc_auc", store=store)
    with pytest.raises(RuntimeError, match="after the gate"), start_run("t-hb", store=store) as run:
        strong = LogisticRegression().fit(X, y)
        info = register_model(strong, run, name=name)
        decision = promote_if_better(name, info.version, X_new, y_new, scoring="roc_auc",
                                     store=store, challenger=strong, n_resamples=200)  # fmt: skip
        assert decision.promoted
        raise RuntimeError("after the gate")
    client = _client(store)
    assert [str(v.version) for v in client.search_model_versions(f"name = '{name}'")] == ["1"]
    assert str(client.get_model_version_by_alias(name, CHAMPION).version) == "1"


# --------------------------------------------------------------------------- model files


@pytest.fixture(scope="module")
def hgb_version(store: Path, data: tuple) -> tuple[str, str]:
    X, y, _, _ = data
    model = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    with start_run("t-hash", store=store) as run:
        info = register_model(model, run, name="t-hash")
    path = _model_file(store, "t-hash", info.version)
    assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()  # independent
    assert _client(store).get_model_version("t-hash", info.version).tags[MODEL_SHA256_TAG] == (
        info.sha256
    )
    return "t-hash", info.version


@pytest.fixture()
def restore_file(store: Path, hgb_version: tuple[str, str]) -> Iterator[Path]:
    """The version's model file; restored (and extra files removed) after the test."""
    path = _model_file(store, *hgb_version)
    original = path.read_bytes()
    before = set(path.parent.iterdir())
    yield path
    path.write_bytes(original)
    for extra in set(path.parent.iterdir()) - before:
        extra.unlink()


def _load(store: Path, version: tuple[str, str]) -> object:
    return load_model(version[0], version=version[1], store=store, trust_recorded_types=True)


def test_load_model_verifies_the_sha256(
    store: Path, hgb_version: tuple, restore_file: Path
) -> None:
    _load(store, hgb_version)  # untouched: loads
    recorded = hashlib.sha256(restore_file.read_bytes()).hexdigest()
    with zipfile.ZipFile(restore_file, "a") as archive:  # still a valid zip, one more entry
        archive.writestr("extra.txt", "x")
    altered = hashlib.sha256(restore_file.read_bytes()).hexdigest()
    with pytest.raises(ValueError) as info:
        _load(store, hgb_version)
    message = str(info.value)
    assert f"model 't-hash' version {hgb_version[1]}" in message
    assert recorded[:12] in message and altered[:12] in message


def test_load_model_refuses_a_swapped_in_model(
    store: Path, data: tuple, hgb_version: tuple, restore_file: Path
) -> None:
    import skops.io as sio

    X, y, _, _ = data
    other = HistGradientBoostingClassifier(max_iter=3, random_state=1).fit(X, y)
    restore_file.write_bytes(sio.dumps(other))  # a valid skops file, same recorded types
    with pytest.raises(ValueError, match=rf"version {hgb_version[1]}: the model file's SHA-256"):
        _load(store, hgb_version)


@pytest.mark.parametrize("extra", ["other.skops", "model.pkl"])
def test_load_model_refuses_an_extra_model_file(
    store: Path, hgb_version: tuple, restore_file: Path, extra: str
) -> None:
    shutil.copyfile(restore_file, restore_file.parent / extra)
    with pytest.raises(ValueError, match=r"holds 2 model files .* exactly one skops file"):
        _load(store, hgb_version)


@pytest.mark.parametrize("keep_hash", [True, False])
def test_load_model_refuses_a_truncated_file(
    store: Path, hgb_version: tuple, restore_file: Path, keep_hash: bool
) -> None:
    data = restore_file.read_bytes()
    restore_file.write_bytes(data[: len(data) // 2])
    client = _client(store)
    recorded = client.get_model_version(*hgb_version).tags[MODEL_SHA256_TAG]
    if not keep_hash:  # a version registered before hashes were recorded
        client.delete_model_version_tag(*hgb_version, MODEL_SHA256_TAG)
    try:
        with pytest.raises(ValueError, match=rf"model 't-hash' version {hgb_version[1]}"):
            _load(store, hgb_version)
        restore_file.write_bytes(b"not a zip at all")
        with pytest.raises(ValueError, match=r"version \d+: the model file|not a zip"):
            _load(store, hgb_version)
    finally:
        client.set_model_version_tag(*hgb_version, MODEL_SHA256_TAG, recorded)


# --------------------------------------------------------------------------- refusals


def test_refusal_does_not_advise_a_flag_already_passed(
    store: Path, data: tuple, hgb_version: tuple
) -> None:
    name, version = hgb_version
    with pytest.raises(UntrustedTypesError) as info:
        load_model(name, version=version, store=store, trusted=["numpy.dtype"])
    message = str(info.value)
    assert "with trusted=" not in message and "you passed" in message
    assert HGB_TYPE in message
    # types that were not recorded: trust_recorded_types=True cannot help, so it is not
    # advised when the caller already passed it
    client = _client(store)
    client.set_model_version_tag(name, version, UNTRUSTED_TYPES_TAG, json.dumps([]))
    try:
        with pytest.raises(UntrustedTypesError) as info:
            load_model(name, version=version, store=store, trust_recorded_types=True)
    finally:
        client.set_model_version_tag(name, version, UNTRUSTED_TYPES_TAG, json.dumps([HGB_TYPE]))
    message = str(info.value)
    assert "or trust_recorded_types=True" not in message
    assert "NOT recorded at registration" in message and "does not cover them" in message


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"trusted": HGB_TYPE}, r"trusted must be a list of type names"),
        ({"trusted": [3]}, r"trusted must be a list of type names"),
    ],
)
def test_load_model_rejects_bad_trusted(store: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        load_model("t-hash", version=1, store=store, **kwargs)


def test_register_model_rejects_a_run_that_is_not_a_tracked_run(data: tuple) -> None:
    X, y, _, _ = data
    with pytest.raises(ValueError, match=r"run must be the TrackedRun"):
        register_model(LogisticRegression().fit(X, y), "run-id", name="x")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- gate scorer


def test_gate_resolves_losses_and_aliases_through_get_scorers(store: Path) -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = 3 * X["a"] + rng.normal(scale=0.5, size=200)
    X_new = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    y_new = 3 * X_new["a"] + rng.normal(scale=0.5, size=80)
    weak, good = Ridge(alpha=1e4).fit(X[["b"]].assign(a=0.0)[["a", "b"]], y), LinearRegression()
    good.fit(X, y)
    name = "t-gate-rmse"
    v1 = _register(store, weak, name)
    promote_if_better(name, v1, X_new, y_new, scoring="rmse", store=store)
    v2 = _register(store, good, name)
    decision = promote_if_better(name, v2, X_new, y_new, scoring="rmse", store=store,
                                 n_resamples=200)  # fmt: skip
    # natural units: rmse is positive and lower is better; derived with plain sklearn
    assert decision.challenger_score == pytest.approx(
        root_mean_squared_error(y_new, good.predict(X_new))
    )
    assert decision.champion_score == pytest.approx(
        root_mean_squared_error(y_new, weak.predict(X_new))
    )
    assert not decision.greater_is_better and decision.promoted
    assert decision.interval is not None
    assert decision.interval.estimate == pytest.approx(
        decision.champion_score - decision.challenger_score
    )
    assert "lower is better" in decision.reason


def test_gate_accepts_a_metric_alias(store: Path, data: tuple) -> None:
    from mlkit.metrics import SCORING_ALIASES

    X, y, X_new, y_new = data
    alias = next(a for a, target in SCORING_ALIASES.items() if target == "roc_auc")
    model = LogisticRegression().fit(X, y)
    v1 = _register(store, model, "t-gate-alias")
    decision = promote_if_better("t-gate-alias", v1, X_new, y_new, scoring=alias, store=store)
    assert decision.challenger_score == pytest.approx(
        roc_auc_score(y_new, model.predict_proba(X_new)[:, 1])
    )


def test_gate_rejects_a_scoring_that_does_not_fit_the_task(store: Path, data: tuple) -> None:
    X, y, X_new, y_new = data
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=r"scoring='rmse' is a regression metric.*'binary'"):
        promote_if_better("t-gate-bad", "1", X_new, y_new, scoring="rmse", store=store,
                          challenger=model)  # fmt: skip


# --------------------------------------------------------------------------- read-only store


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(folder.rglob("*"))
    }


def test_reading_a_read_only_store_writes_nothing(
    tmp_path: Path, data: tuple, capsys: pytest.CaptureFixture[str]
) -> None:
    from mlkit._store import _reader
    from mlkit.cli import main

    X, y, X_new, y_new = data
    folder = tmp_path / "store"
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(X, y)
    v1 = _register(folder, model, "t-ro")
    promote_if_better("t-ro", v1, X_new, y_new, scoring="roc_auc", store=folder)
    (folder / ".mlkit.lock").unlink(missing_ok=True)  # a copied store has no lock file
    before = _snapshot(folder)
    modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
    for path in modes:
        path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    try:
        assert list_versions("t-ro", store=folder).loc[1, "aliases"] == CHAMPION
        loaded = load_model("t-ro", alias=CHAMPION, store=folder, trust_recorded_types=True)
        assert np.array_equal(loaded.predict(X_new), model.predict(X_new))
        assert list_runs(folder)["status"].tolist() == ["FINISHED"]
        assert main(["models", "t-ro", "--store", str(folder)]) == 0
        assert main(["runs", "--store", str(folder)]) == 0
        assert "t-ro" in capsys.readouterr().out
        # SQLite itself refuses writes through the reader, even for root (chmod does not
        # bind root): reading cannot write by accident
        with pytest.raises(Exception, match=r"readonly database"):
            _reader(resolve_store(folder)).set_registered_model_alias("t-ro", "x", "1")
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert _snapshot(folder) == before  # no lock file, no journal, nothing touched


# --------------------------------------------------------------------------- README


@pytest.mark.parametrize(
    "estimator", [HistGradientBoostingClassifier, HistGradientBoostingRegressor]
)
def test_readme_lists_the_hist_gradient_boosting_untrusted_types(estimator: type) -> None:
    import re

    import skops.io as sio

    X, y = make_patient_visits(30, random_state=0).X, make_patient_visits(30, random_state=0).y
    fitted = estimator(max_iter=3).fit(X, y)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Trusted types") :]
    shown = re.search(r"fitted_hist_gradient_boosting\)\)\n(\[.*?\])", section)
    assert shown is not None
    assert json.loads(shown.group(1).replace("'", '"')) == sio.get_untrusted_types(
        data=sio.dumps(fitted)
    )
