"""Tests for mlkit.diagnostics: LR range test, debug-set overfit, gradient norms, seeds."""

from __future__ import annotations

import copy
import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlkit._incremental import set_rate
from mlkit.diagnostics import (
    gradient_norms,
    lr_range_test,
    overfit_small_batch,
    seed_sensitivity,
)


@pytest.fixture(scope="module")
def classification() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_classification(
        n_samples=1200, n_features=10, n_informative=5, flip_y=0.05, random_state=0
    )
    return StandardScaler().fit_transform(X), y


# --------------------------------------------------------------------------- gradients


def _forward(coefs: list[np.ndarray], intercepts: list[np.ndarray], X: np.ndarray, act: str):
    hidden = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[act]
    a = X
    for k, (w, b) in enumerate(zip(coefs, intercepts, strict=True)):
        a = a @ w + b
        if k < len(coefs) - 1:
            a = hidden(a)
    return a


def _data_loss(coefs, intercepts, X, y, *, act: str, task: str) -> float:
    """The MLP's training loss written out independently of scikit-learn, no L2 term."""
    out = _forward(coefs, intercepts, X, act).ravel()
    if task == "classification":
        p = 1.0 / (1.0 + np.exp(-out))
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    return float(np.mean((y - out) ** 2) / 2)  # scikit-learn's squared loss is MSE / 2


def _finite_difference_norms(mlp, X, y, *, act: str, task: str, h: float = 1e-6):
    coefs = [c.copy() for c in mlp.coefs_]
    intercepts = [b.copy() for b in mlp.intercepts_]
    norms = []
    for k in range(len(coefs)):
        total = 0.0
        for params in (coefs[k], intercepts[k]):
            for idx in np.ndindex(params.shape):
                old = params[idx]
                params[idx] = old + h
                up = _data_loss(coefs, intercepts, X, y, act=act, task=task)
                params[idx] = old - h
                down = _data_loss(coefs, intercepts, X, y, act=act, task=task)
                params[idx] = old
                total += ((up - down) / (2 * h)) ** 2
        norms.append(np.sqrt(total))
    return np.array(norms)


@pytest.mark.parametrize(
    ("task", "act"), [("classification", "tanh"), ("regression", "relu")], ids=["clf", "reg"]
)
def test_gradient_norms_match_finite_differences(task: str, act: str) -> None:
    # Stated tolerance: the per-layer norms agree with central finite differences
    # (h = 1e-6) to a relative error of 1e-5 on a tiny two-hidden-layer network.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    if task == "classification":
        y = (X[:, 0] + 0.5 * rng.normal(size=20) > 0).astype(int)
        mlp = MLPClassifier((4, 3), activation=act, alpha=0.05, learning_rate_init=0.1)
    else:
        y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=20)
        mlp = MLPRegressor(
            hidden_layer_sizes=(4, 3), activation=act, alpha=0.05, learning_rate_init=0.01
        )
    mlp.set_params(random_state=0)
    result = gradient_norms(mlp, X, y, n_steps=1, batch_size=20)

    # gradient_norms records the step after the initialising one; with batch_size equal
    # to the data, that first step used every row, so rebuild its weights here.
    reference = clone(mlp).set_params(
        solver="sgd", momentum=0.0, learning_rate="constant", batch_size=20, shuffle=False
    )
    if task == "classification":
        reference.partial_fit(X, y, classes=np.unique(y))
    else:
        reference.partial_fit(X, y)
    expected = _finite_difference_norms(reference, X, y, act=act, task=task)
    np.testing.assert_allclose(result.norms[0], expected, rtol=1e-5)
    loss = _data_loss(reference.coefs_, reference.intercepts_, X, y, act=act, task=task)
    assert result.losses[0] == pytest.approx(loss, rel=1e-9)


def test_gradient_norms_frame_and_layers(classification) -> None:
    X, y = classification
    result = gradient_norms(MLPClassifier((8, 8), random_state=0), X, y, n_steps=7)
    frame = result.to_frame()
    assert result.norms.shape == (7, 3) and len(frame) == 21
    assert set(frame["layer"]) == set(result.layer_names())
    assert (result.norms > 0).all() and not result.diverged


def test_gradient_norms_vanish_towards_the_input_in_a_deep_logistic_net(classification) -> None:
    X, y = classification
    deep = MLPClassifier((16,) * 6, activation="logistic", learning_rate_init=0.03, random_state=0)
    norms = gradient_norms(deep, X, y, n_steps=20).norms.mean(axis=0)
    assert norms[0] < 1e-3 * norms[-1]


def test_gradient_norms_rejects_a_model_that_is_not_an_mlp(classification) -> None:
    X, y = classification
    with pytest.raises(ValueError, match="mlp=SGDClassifier is not a scikit-learn MLP"):
        gradient_norms(SGDClassifier(), X, y)
    with pytest.raises(ValueError, match="batch_size=5000 is larger"):
        gradient_norms(MLPClassifier(), X, y, batch_size=5000)
    with pytest.raises(ValueError, match="mlp is the class MLPClassifier, not an instance"):
        gradient_norms(MLPClassifier, X, y)
    # an L-BFGS MLP is fine here: the norms are taken along plain SGD steps
    lbfgs = MLPClassifier((4,), solver="lbfgs", random_state=0)
    assert gradient_norms(lbfgs, X, y, n_steps=2).norms.shape == (2, 2)


# --------------------------------------------------------------------------- LR range test


def test_set_rate_changes_the_step_of_an_existing_optimizer(classification) -> None:
    X, y = classification
    for solver in ("sgd", "adam"):
        est = MLPClassifier((8,), solver=solver, momentum=0.0, batch_size=64, random_state=0)
        est.partial_fit(X[:64], y[:64], classes=[0, 1])
        slow, fast = copy.deepcopy(est), copy.deepcopy(est)
        set_rate(fast, "learning_rate_init", 10 * est.learning_rate_init)
        before = est.coefs_[0].copy()
        slow.partial_fit(X[64:128], y[64:128])
        fast.partial_fit(X[64:128], y[64:128])
        np.testing.assert_allclose(
            fast.coefs_[0] - before, 10 * (slow.coefs_[0] - before), rtol=1e-8, atol=1e-14
        )


def _rate_that_trains_well(estimator, X, y, X_val, y_val) -> float:
    """Independent of the range test: a grid of full (3-epoch) trainings, best validation."""
    rates = 10.0 ** np.arange(-4, 1.01, 0.5)
    losses = []
    for rate in rates:
        model = clone(estimator).set_params(learning_rate_init=rate, batch_size=32)
        with np.errstate(all="ignore"):
            for _ in range(3):
                model.partial_fit(X, y, classes=[0, 1])
            proba = model.predict_proba(X_val)
        losses.append(log_loss(y_val, proba) if np.isfinite(proba).all() else np.inf)
    return float(rates[int(np.argmin(losses))])


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_lr_range_suggestion_within_a_decade_of_a_rate_that_trains_well(
    classification, solver: str
) -> None:
    X, y = classification
    X_fit, y_fit, X_val, y_val = X[:900], y[:900], X[900:], y[900:]
    mlp = MLPClassifier((32,), solver=solver, random_state=0)
    result = lr_range_test(mlp, X_fit, y_fit, lr_min=1e-5, lr_max=10.0, n_steps=100)
    good = _rate_that_trains_well(mlp, X_fit, y_fit, X_val, y_val)
    assert abs(np.log10(result.suggestion / good)) <= 1.0, (result.suggestion, good)


def test_lr_range_test_stops_when_the_loss_diverges(classification) -> None:
    X, y = classification
    mlp = MLPClassifier((16,), solver="sgd", random_state=0)
    result = lr_range_test(mlp, X, y, lr_min=1e-4, lr_max=1e4, n_steps=100)
    assert result.diverged and result.learning_rates.size < 100
    last = result.smoothed[-1]
    assert not np.isfinite(last) or last > 4 * np.nanmin(result.smoothed[:-1])
    ratios = np.diff(np.log(result.learning_rates))
    np.testing.assert_allclose(ratios, np.log(1e8) / 99)


def test_lr_range_test_works_for_sgd_models_and_returns_frame(classification) -> None:
    X, y = classification
    result = lr_range_test(SGDClassifier(random_state=0), X, y, lr_min=1e-5, lr_max=1.0)
    frame = result.to_frame()
    assert list(frame.columns) == ["step", "learning_rate", "loss", "smoothed_loss"]
    assert result.loss_name == "hinge loss" and result.suggestion == result.lr_at_minimum / 10
    assert frame["learning_rate"].iloc[0] == pytest.approx(1e-5)


def test_lr_range_test_plot_returns_axes(classification) -> None:
    import matplotlib

    matplotlib.use("Agg")
    X, y = classification
    result = lr_range_test(MLPClassifier((8,), random_state=0), X, y, n_steps=20)
    ax = result.plot()
    assert ax.get_xscale() == "log" and "learning rate" in ax.get_xlabel()


def test_lr_range_test_rejects_bad_input(classification) -> None:
    X, y = classification
    mlp = MLPClassifier()
    with pytest.raises(ValueError, match=r"lr_min=1 must be smaller than lr_max=0\.1"):
        lr_range_test(mlp, X, y, lr_min=1.0, lr_max=0.1)
    with pytest.raises(ValueError, match="lr_min=0 must be"):
        lr_range_test(mlp, X, y, lr_min=0)
    with pytest.raises(ValueError, match="estimator=RandomForestClassifier has no partial_fit"):
        lr_range_test(RandomForestClassifier(), X, y)
    with pytest.raises(ValueError, match="estimator=Pipeline has no partial_fit"):
        lr_range_test(make_pipeline(StandardScaler(), mlp), X, y)
    with pytest.raises(ValueError, match="X contains missing"):
        lr_range_test(mlp, np.where(X > 2, np.nan, X), y)
    with pytest.raises(ValueError, match=r"solver='lbfgs'\) has no partial_fit"):
        lr_range_test(MLPClassifier(solver="lbfgs"), X, y)
    with pytest.raises(ValueError, match="n_steps=2 is too small"):
        lr_range_test(mlp, X, y, n_steps=2)


# --------------------------------------------------------------------------- overfit check


class ShuffleEveryStep(ClassifierMixin, BaseEstimator):
    """A data-loader bug: labels are permuted anew on every step, apart from their rows."""

    def __init__(self, estimator=None, random_state: int = 0) -> None:
        self.estimator = estimator
        self.random_state = random_state

    def partial_fit(self, X, y, classes=None):
        if not hasattr(self, "estimator_"):
            self.estimator_ = clone(self.estimator)
            self.rng_ = np.random.default_rng(self.random_state)
        self.estimator_.partial_fit(X, self.rng_.permutation(y), classes=classes)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        return self.estimator_.predict_proba(X)


WORKING = MLPClassifier((32,), learning_rate_init=0.01, random_state=0)


def test_overfit_small_batch_passes_on_a_working_model(classification) -> None:
    X, y = classification
    result = overfit_small_batch(WORKING, X, y, n=32, max_steps=300)
    assert result.passed and result.losses[-1] <= result.threshold
    assert result.verdict.startswith("passed")
    # the constant-prediction loss is the entropy of the debug set's class frequencies
    assert 0 < result.constant_loss <= np.log(2) + 1e-12


def test_overfit_small_batch_fails_when_labels_are_reshuffled_every_step(classification) -> None:
    X, y = classification
    result = overfit_small_batch(ShuffleEveryStep(WORKING), X, y, n=32, max_steps=300)
    assert not result.passed and result.losses.size == 300
    assert result.verdict.startswith("failed")


def test_overfit_small_batch_fails_on_constant_features(classification) -> None:
    X, y = classification
    result = overfit_small_batch(WORKING, np.zeros_like(X), y, n=32, max_steps=300)
    assert not result.passed
    # with constant inputs only the bias can learn: the loss stays near the constant's
    assert result.losses.min() > 0.9 * result.constant_loss


def test_overfit_small_batch_memorises_labels_shuffled_once(classification) -> None:
    # The documented limit: a model with enough capacity fits fixed random labels too.
    X, y = classification
    y_random = np.random.default_rng(1).permutation(y)
    assert overfit_small_batch(WORKING, X, y_random, n=32, max_steps=300).passed


def test_overfit_small_batch_regression() -> None:
    X, y = make_regression(n_samples=100, n_features=5, noise=5.0, random_state=0)
    mlp = MLPRegressor(hidden_layer_sizes=(32,), learning_rate_init=0.01, random_state=0)
    result = overfit_small_batch(mlp, X, y / y.std(), n=16, max_steps=500)
    assert result.passed and result.loss_name == "squared error"
    assert list(result.to_frame().columns) == ["step", "loss"]


def test_overfit_small_batch_rejects_bad_input(classification) -> None:
    X, y = classification
    with pytest.raises(ValueError, match="n=5000 is larger than the data"):
        overfit_small_batch(WORKING, X, y, n=5000)
    with pytest.raises(ValueError, match="n=1 is too small"):
        overfit_small_batch(WORKING, X, y, n=1)
    with pytest.raises(ValueError, match="tol=1 must be < 1"):
        overfit_small_batch(WORKING, X, y, tol=1.0)
    with pytest.raises(ValueError, match="has no partial_fit"):
        overfit_small_batch(LogisticRegression(), X, y)


# --------------------------------------------------------------------------- seeds


def test_seed_sensitivity_matches_cross_val_score_per_seed(classification) -> None:
    X, y = classification
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    sgd = SGDClassifier(loss="log_loss", random_state=0)
    result = seed_sensitivity(sgd, X, y, seeds=[3, 7], cv=cv, scoring="log_loss", vary="model")
    for seed in (3, 7):
        expected = -cross_val_score(
            clone(sgd).set_params(random_state=seed), X, y, cv=cv, scoring="neg_log_loss"
        )
        got = result.scores.query("seed == @seed")["test_score"].to_numpy()
        np.testing.assert_allclose(got, expected)
    assert result.metric == "log_loss" and not result.greater_is_better
    assert result.seed_std > 0 and result.fold_std > 0


def test_seed_sensitivity_is_zero_for_a_deterministic_model(classification) -> None:
    X, y = classification
    result = seed_sensitivity(LogisticRegression(), X, y, seeds=[0, 1, 2], cv=3, vary="model")
    assert result.seed_std == 0.0 and result.fold_std > 0
    assert result.summary()["seeds / folds"] == 0.0


def test_seed_sensitivity_rejects_bad_input(classification) -> None:
    X, y = classification
    with pytest.raises(ValueError, match="seeds=\\[0\\] must hold at least two"):
        seed_sensitivity(SGDClassifier(), X, y, seeds=[0])
    with pytest.raises(ValueError, match="vary='weights' is not supported"):
        seed_sensitivity(SGDClassifier(), X, y, seeds=[0, 1], vary="weights")
    with pytest.raises(ValueError, match="has no random_state parameter"):
        from sklearn.neighbors import KNeighborsClassifier

        seed_sensitivity(KNeighborsClassifier(), X, y, seeds=[0, 1], vary="model")
    with pytest.raises(ValueError, match="groups has 3 entries"):
        seed_sensitivity(SGDClassifier(), X, y, seeds=[0, 1], groups=[1, 2, 3])


def test_import_diagnostics_loads_no_plotting_library() -> None:
    code = "import sys, mlkit.diagnostics; print(sorted(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "matplotlib" not in out.stdout and "seaborn" not in out.stdout


def test_seed_sensitivity_declared_regression_on_integer_counts() -> None:
    from sklearn.linear_model import SGDRegressor
    from sklearn.metrics import mean_absolute_error
    from sklearn.model_selection import KFold

    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 3))
    counts = rng.poisson(np.exp(0.5 + 0.4 * X[:, 0]))  # few distinct integer values
    assert np.unique(counts).size <= 20  # infer_task would call it multiclass
    cv = KFold(3, shuffle=True, random_state=0)
    model = SGDRegressor(random_state=0)
    result = seed_sensitivity(
        model, X, counts, seeds=[0, 1], cv=cv, scoring="mae", vary="model", task="regression"
    )
    assert result.metric == "mae" and not result.greater_is_better
    for seed in (0, 1):
        expected = [
            mean_absolute_error(
                counts[test],
                clone(model)
                .set_params(random_state=seed)
                .fit(X[train], counts[train])
                .predict(X[test]),
            )
            for train, test in cv.split(X)
        ]
        got = result.scores.query("seed == @seed")["test_score"].to_numpy()
        np.testing.assert_allclose(got, expected)
    with pytest.raises(ValueError, match="scoring='mae' is a regression metric, but the task is"):
        seed_sensitivity(model, X, counts, seeds=[0, 1], cv=cv, scoring="mae")


def test_seed_sensitivity_regression_loss_is_positive_lower_is_better() -> None:
    from sklearn.linear_model import SGDRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(150, 2))
    y = X @ np.array([1.5, -2.0]) + rng.normal(scale=0.5, size=150)
    result = seed_sensitivity(
        SGDRegressor(), X, y, seeds=[0, 1], cv=3, scoring="neg_root_mean_squared_error"
    )
    assert result.metric == "rmse" and not result.greater_is_better
    assert (result.scores[["train_score", "test_score"]] > 0).all().all()


@pytest.mark.parametrize(
    ("estimator", "scoring", "match"),
    [
        (
            SGDClassifier(),
            "rmse",
            r"scoring='rmse' is a regression metric, but the task is 'binary'",
        ),
        (SGDClassifier(), "log_loss", r"scoring='log_loss' needs predict_proba.*SGDClassifier"),
        (SGDClassifier(), ["accuracy", "f1"], r"gives 2 metrics; seed_sensitivity takes one"),
    ],
)
def test_seed_sensitivity_refuses_scoring_that_does_not_fit(
    classification, estimator, scoring, match
) -> None:
    X, y = classification
    with pytest.raises(ValueError, match=match):
        seed_sensitivity(estimator, X, y, seeds=[0, 1], cv=3, scoring=scoring)


def test_seed_sensitivity_refuses_task_contradicting_y(classification) -> None:
    X, y = classification
    with pytest.raises(ValueError, match=r"task='multiclass' but y has 2 classes"):
        seed_sensitivity(SGDClassifier(), X, y, seeds=[0, 1], task="multiclass")


def test_diagnostics_reexports_gradients_and_seeds() -> None:
    import mlkit.diagnostics
    import mlkit.gradients
    import mlkit.seeds

    for module in (mlkit.gradients, mlkit.seeds):
        for name in module.__all__:
            assert name in mlkit.diagnostics.__all__, name
            assert getattr(mlkit.diagnostics, name) is getattr(module, name)
    for name in mlkit.diagnostics.__all__:
        assert hasattr(mlkit.diagnostics, name), name
