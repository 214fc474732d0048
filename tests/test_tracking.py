"""Tests of mlkit.tracking: stores, runs, logging, registry, gate and safe loading."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import cross_validate

from mlkit.datasets import make_patient_visits
from mlkit.tracking import (
    CHALLENGER,
    CHAMPION,
    UntrustedTypesError,
    data_checksum,
    flatten,
    list_versions,
    load_model,
    log_cv_result,
    promote_if_better,
    register_model,
    resolve_store,
    start_run,
    store_lock,
)

HGB_TYPE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"


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


# --------------------------------------------------------------------------- stores


def test_resolve_store_folder_puts_db_and_artifacts_side_by_side(tmp_path: Path) -> None:
    got = resolve_store(tmp_path / "runs")
    assert got.tracking_uri == f"sqlite:///{(tmp_path / 'runs').resolve()}/mlflow.db"
    assert got.artifact_location == (tmp_path / "runs" / "artifacts").resolve().as_uri()
    assert got.is_local


def test_resolve_store_default_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.delenv("MLKIT_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert resolve_store().root == (tmp_path / "mlkit-runs").resolve()
    monkeypatch.setenv("MLKIT_HOME", str(tmp_path / "home"))
    assert resolve_store().root == (tmp_path / "home").resolve()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://tracking.example:5000")
    server = resolve_store()
    assert server.tracking_uri == "http://tracking.example:5000" and server.root is None
    assert resolve_store(tmp_path / "x").root == (tmp_path / "x").resolve()  # explicit wins


@pytest.mark.parametrize(
    ("store", "match"),
    [
        ("", r"store is an empty string"),
        ("file:///tmp/mlruns", r"file store"),
        (3, r"store must be a folder path or a tracking URI"),
    ],
)
def test_resolve_store_rejects_bad_input(store: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        resolve_store(store)  # type: ignore[arg-type]


def test_resolve_store_rejects_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match=r"is a file"):
        resolve_store(tmp_path / "f")


def test_store_lock_is_reentrant(tmp_path: Path) -> None:
    with store_lock(tmp_path), store_lock(tmp_path):
        assert (tmp_path / ".mlkit.lock").exists()


# --------------------------------------------------------------------------- values


@settings(max_examples=50, deadline=None)
@given(
    st.dictionaries(
        st.text("abc", min_size=1, max_size=3),
        st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)),
        max_size=5,
    )
)
def test_flatten_keeps_every_leaf_as_a_string(data: dict) -> None:
    flat = flatten({"outer": data})
    assert len(flat) == len(data) or not data
    assert all(isinstance(v, str) for v in flat.values())
    for key, value in data.items():
        expected = value if isinstance(value, str) else str(value).replace("'", '"')
        assert flat[f"outer.{key}"] == expected


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=30))
def test_data_checksum_sees_order_and_values(values: list[float]) -> None:
    frame = pd.DataFrame({"x": values})
    assert data_checksum(frame) == data_checksum(frame.copy())
    changed = frame.assign(x=frame["x"] + 1.0)
    if not np.array_equal(changed["x"].to_numpy(), frame["x"].to_numpy()):
        assert data_checksum(changed) != data_checksum(frame)
    reversed_ = frame.iloc[::-1].reset_index(drop=True)
    if not np.array_equal(reversed_["x"].to_numpy(), frame["x"].to_numpy()):
        assert data_checksum(reversed_) != data_checksum(frame)
    assert data_checksum(frame.rename(columns={"x": "y"})) != data_checksum(frame)


# --------------------------------------------------------------------------- runs


def test_start_run_logs_and_finishes(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(store.parent)  # artifacts must not depend on the working directory
    with start_run("t-finish", store=store, run_name="ok") as run:
        run.log_params({"cv": {"n_splits": 5}, "space": {"C": [0.1, 1.0]}})
        run.log_metrics({"auc": 0.75, "skipped": float("nan")})
        run.log_table(pd.DataFrame({"a": [1, 2]}), "tables/a.csv")
        run.log_dict({"k": [1, 2]}, "config/c.yaml")
        run.log_environment()
    got = _client(store).get_run(run.run_id)
    assert got.info.status == "FINISHED"
    assert got.data.params["cv.n_splits"] == "5"
    assert got.data.params["space.C"] == "[0.1, 1.0]"
    assert got.data.metrics == {"auc": 0.75}
    assert "version.scikit-learn" in got.data.params
    artifacts = Path(got.info.artifact_uri.removeprefix("file://"))
    assert artifacts.is_relative_to(store)
    assert (artifacts / "tables" / "a.csv").read_text().splitlines()[1] == "0,1"
    assert not list(artifacts.rglob("*.partial-*"))
    assert not (store.parent / "mlruns").exists()


def test_start_run_marks_failed_unregisters_and_reraises(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    model = LogisticRegression().fit(X, y)
    with pytest.raises(RuntimeError, match="boom"), start_run("t-fail", store=store) as run:
        info = register_model(model, run, name="t-fail-model")
        assert info.version == "1"
        raise RuntimeError("boom")
    client = _client(store)
    assert client.get_run(run.run_id).info.status == "FAILED"
    assert client.search_model_versions("name = 't-fail-model'") == []


def test_start_run_rejects_empty_experiment(store: Path) -> None:
    with pytest.raises(ValueError, match=r"experiment must be a non-empty name"):
        with start_run("  ", store=store):
            pass


def test_log_cv_result_logs_each_fold(store: Path, data: tuple) -> None:
    X, y, _, _ = data
    result = cross_validate(LogisticRegression(), X, y, cv=3, scoring="roc_auc")
    with start_run("t-cv", store=store) as run:
        log_cv_result(run, result, prefix="cv")
    history = _client(store).get_metric_history(run.run_id, "cv.fold_score")
    got = [m.value for m in sorted(history, key=lambda m: m.step)]
    assert np.allclose(got, result["test_score"])
    metrics = _client(store).get_run(run.run_id).data.metrics
    assert metrics["cv.mean_score"] == pytest.approx(np.mean(result["test_score"]))
    with (
        pytest.raises(ValueError, match=r"without 'test_score'"),
        start_run("t-cv", store=store) as r,
    ):
        log_cv_result(r, {"score": [1.0]})


def test_log_cv_result_logs_tuning_result(store: Path, data: tuple) -> None:
    from mlkit.tuning import tune

    X, y, _, _ = data
    result = tune(LogisticRegression(), {"C": [0.1, 1.0]}, X, y, method="grid", cv=3)
    with start_run("t-tune", store=store) as run:
        log_cv_result(run, result, prefix="tuning")
    got = _client(store).get_run(run.run_id).data
    assert got.params["tuning.best.C"] == str(result.best_params_["C"])
    assert got.metrics["tuning.best_score"] == pytest.approx(result.best_score_)
    history = _client(store).get_metric_history(run.run_id, "tuning.fold_score")
    assert np.allclose([m.value for m in sorted(history, key=lambda m: m.step)],
                       result.fold_scores())  # fmt: skip


# --------------------------------------------------------------------------- registry


def test_load_model_refuses_untrusted_types_until_trusted(store: Path, data: tuple) -> None:
    X, y, X_new, _ = data
    model = HistGradientBoostingClassifier(max_iter=10, random_state=0).fit(X, y)
    with start_run("t-load", store=store) as run:
        info = register_model(model, run, name="t-load", X_example=X.head(3))
    assert HGB_TYPE in info.untrusted_types
    with pytest.raises(UntrustedTypesError, match=r"not trusted by default: .*TreePredictor"):
        load_model("t-load", version=info.version, store=store)
    with pytest.raises(UntrustedTypesError, match=r"trusted=\["):
        load_model("t-load", alias=CHALLENGER, store=store, trusted=["numpy.dtype"])
    for kwargs in ({"trusted": list(info.untrusted_types)}, {"trust_recorded_types": True}):
        loaded = load_model("t-load", alias=CHALLENGER, store=store, **kwargs)
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

    from mlkit.tracking import _row_scorer

    X, y, X_new, y_new = data
    model = HistGradientBoostingClassifier(max_iter=20, random_state=0).fit(X, y)
    y_arr = y_new.to_numpy()
    score = _row_scorer(model, X_new, y_arr, scoring=scoring)
    rng = np.random.default_rng(0)
    for _ in range(3):
        rows = rng.integers(0, len(y_arr), size=len(y_arr))
        expected = get_scorer(scoring)(model, X_new.iloc[rows], y_arr[rows])
        assert score(rows) == pytest.approx(expected)


def test_server_lock_retries_when_the_holder_releases_during_mlflows_lookup() -> None:
    """MLflow answers a failed create with a lookup; a lock released in between gives
    RESOURCE_DOES_NOT_EXIST, which means "try again", not a crashed run."""
    from mlkit.tracking import _try_server_lock

    class Gone(Exception):
        error_code = "RESOURCE_DOES_NOT_EXIST"

    class Broken(Exception):
        error_code = "INTERNAL_ERROR"

    class Client:
        def __init__(self, error: Exception) -> None:
            self.error = error

        def create_registered_model(self, *args: object, **kwargs: object) -> None:
            raise self.error

        def get_registered_model(self, name: str) -> None:
            raise Gone()

    assert _try_server_lock(Client(Gone()), "token") is False
    with pytest.raises(Broken):
        _try_server_lock(Client(Broken()), "token")
