"""Tests of mlkit.ablation: known truth, equality with plain scikit-learn, bad variants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import TimeSeriesSplit, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from mlkit.ablation import Ablation, DropColumns, ablate
from mlkit.splits import repeated_folds
from mlkit.stats import corrected_ttest, holm

SIGNAL = ["s1", "s2", "s3"]
NOISE = ["n1", "n2", "n3"]


@pytest.fixture(scope="module")
def known_truth():
    """All of y's signal is in SIGNAL; NOISE is independent of everything."""
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 6)), columns=SIGNAL + NOISE)
    X["colour"] = rng.choice(["red", "green", "blue"], size=n)
    logit = X[SIGNAL].to_numpy() @ [1.5, -1.0, 1.0] - 1.0
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)
    groups = np.repeat(np.arange(n // 3), 3)
    return X, y, groups


def _pipeline():
    columns = ColumnTransformer(
        [("num", StandardScaler(), SIGNAL + NOISE), ("cat", OneHotEncoder(), ["colour"])]
    )
    return Pipeline([("columns", columns), ("model", LogisticRegression())])


@pytest.fixture(scope="module")
def ablation(known_truth):
    X, y, groups = known_truth
    variants = {
        "no signal": DropColumns(SIGNAL),
        "no noise": DropColumns(NOISE),
        "shallow tree": {"model": DecisionTreeClassifier(max_depth=2, random_state=0)},
    }
    return ablate(_pipeline(), X, y, variants=variants, groups=groups, scoring="roc_auc",
                  n_repeats=2)  # fmt: skip


def test_ablate_flags_the_signal_group_and_not_the_noise_group(ablation):
    table = ablation.table
    assert table.loc["no signal", "significant"] and table.loc["no signal", "effect"] == "worse"
    assert table.loc["no signal", "ci_high"] < 0
    assert not table.loc["no noise", "significant"]
    assert table.loc["no noise", "effect"] == "no clear change"


def test_ablate_equals_plain_cross_validate_on_the_reference_folds(known_truth, ablation):
    X, y, groups = known_truth
    folds = list(repeated_folds(X, y, groups=groups, n_splits=5, n_repeats=2))
    reference = cross_validate(_pipeline(), X, y, cv=folds, scoring="roc_auc")["test_score"]
    # the variant by hand: drop the columns from X and from the ColumnTransformer's list
    by_hand = clone(_pipeline()).set_params(
        columns__transformers=[
            ("num", StandardScaler(), SIGNAL),
            ("cat", OneHotEncoder(), ["colour"]),
        ]
    )
    no_noise = cross_validate(by_hand, X.drop(columns=NOISE), y, cv=folds, scoring="roc_auc")
    np.testing.assert_allclose(ablation.fold_scores["reference"], reference)
    np.testing.assert_allclose(ablation.fold_scores["no noise"], no_noise["test_score"])
    assert ablation.reference_score == pytest.approx(reference.mean())
    d = no_noise["test_score"] - reference
    test = corrected_ttest(d, test_train_ratio=ablation.test_train_ratio, alternative="two-sided")
    row = ablation.table.loc["no noise"]
    assert row["change"] == pytest.approx(d.mean())
    assert (row["ci_low"], row["ci_high"], row["p_value"]) == pytest.approx(
        (test.ci_low, test.ci_high, test.p_value)
    )
    np.testing.assert_allclose(ablation.table["p_holm"], holm(ablation.table["p_value"]))


def test_ablate_column_drop_works_with_make_column_selector(known_truth):
    X, y, groups = known_truth
    columns = ColumnTransformer(
        [("num", StandardScaler(), make_column_selector(dtype_include="number")),
         ("cat", OneHotEncoder(), make_column_selector(dtype_exclude="number"))]
    )  # fmt: skip
    pipe = Pipeline([("columns", columns), ("model", LogisticRegression())])
    result = ablate(pipe, X, y, groups=groups, n_repeats=1,
                    variants={"no colour": DropColumns(["colour"])})  # fmt: skip
    assert np.isfinite(result.table.loc["no colour", "change"])


def test_ablate_set_params_variant_and_loss_direction():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 3))
    X[rng.uniform(size=X.shape) < 0.1] = np.nan
    y = (np.nan_to_num(X[:, 0]) > 0).astype(int)
    pipe = Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler()),
                     ("model", LogisticRegression())])  # fmt: skip
    result = ablate(pipe, X, y, scoring="log_loss", n_repeats=1, variants={
        "no scaling": {"scale": "passthrough"}, "weak model": {"model__C": 1e-4}})  # fmt: skip
    assert not result.greater_is_better and result.reference_score > 0
    weak = result.table.loc["weak model"]
    assert weak["change"] > 0 and weak["effect"] == "worse"  # a higher loss is worse


def test_ablate_to_frame_and_forest_plot(ablation):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    assert isinstance(ablation, Ablation)
    frame = ablation.to_frame()
    assert list(frame.index) == ["no signal", "no noise", "shallow tree"]
    assert {"change", "ci_low", "ci_high", "p_value", "p_holm", "significant"} <= set(frame)
    ax = ablation.plot()
    assert "change in roc_auc vs reference" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_yticklabels()] == list(frame.index)
    plt.close("all")


@pytest.mark.parametrize(
    ("variants", "match"),
    [
        ({}, "variants must be a non-empty dict"),
        ({"v": {"scaler": "passthrough"}}, "variant 'v' names unknown step or parameter 'scaler'"),
        ({"v": {"model__depth": 2}}, "variant 'v' names unknown parameter 'model__depth'"),
        ({"no x": DropColumns(["s1", "x9"])}, "variant 'no x' drops unknown column 'x9'"),
        ({"v": {}}, "variant 'v' is an empty dict"),
        ({"v": ["s1"]}, "variant 'v' must be a dict of set_params changes or DropColumns"),
        ({"reference": {"model__C": 2.0}}, "other than 'reference'"),
        ({"all": DropColumns([*SIGNAL, *NOISE, "colour"])}, "drops every column"),
    ],
)
def test_ablate_bad_variants_fail_before_fitting(known_truth, variants, match):
    X, y, groups = known_truth
    with pytest.raises(ValueError, match=match):
        ablate(_pipeline(), X, y, variants=variants, groups=groups)


def test_ablate_refuses_positional_column_transformer_and_arrays(known_truth):
    X, y, _ = known_truth
    by_position = Pipeline([("columns", ColumnTransformer([("num", StandardScaler(), [0, 1])])),
                            ("model", LogisticRegression())])  # fmt: skip
    with pytest.raises(ValueError, match="selects columns by position"):
        ablate(by_position, X, y, variants={"v": DropColumns(["s1"])})
    with pytest.raises(ValueError, match="X is a ndarray; pass X as a pandas DataFrame"):
        ablate(LogisticRegression(), X[SIGNAL].to_numpy(), y, variants={"v": DropColumns(["s1"])})


def test_ablate_refuses_time_and_names_a_failing_variant(known_truth):
    X, y, groups = known_truth
    with pytest.raises(ValueError, match="time gives time-ordered folds"):
        ablate(_pipeline(), X, y, variants={"v": {"model__C": 2.0}}, time=np.arange(len(y)))
    with pytest.raises(ValueError, match="cv=TimeSeriesSplit"):
        ablate(_pipeline(), X, y, variants={"v": {"model__C": 2.0}}, cv=TimeSeriesSplit(3))
    with pytest.raises(ValueError, match="variant 'bad solver' failed to fit"):
        ablate(_pipeline(), X, y, groups=groups, n_repeats=1,
               variants={"bad solver": {"model__solver": "no-such-solver"}})  # fmt: skip
    with pytest.raises(ValueError, match="estimator must be an unfitted"):
        ablate("model", X, y, variants={"v": {"model__C": 2.0}})


def test_drop_columns_needs_a_column():
    with pytest.raises(ValueError, match="columns is empty"):
        DropColumns([])
    assert DropColumns("a").columns == ("a",)


def test_ablate_replaced_step_can_be_configured_in_the_same_variant(known_truth):
    X, y, groups = known_truth
    variant = {"model": DecisionTreeClassifier(random_state=0), "model__max_depth": 2}
    result = ablate(_pipeline(), X, y, groups=groups, n_repeats=1, variants={"tree": variant})
    folds = list(repeated_folds(X, y, groups=groups, n_splits=5, n_repeats=1))
    by_hand = clone(_pipeline()).set_params(
        model=DecisionTreeClassifier(max_depth=2, random_state=0)
    )
    expected = cross_validate(by_hand, X, y, cv=folds, scoring="roc_auc")["test_score"]
    np.testing.assert_allclose(result.fold_scores["tree"], expected)
    assert variant["model"].max_depth is None  # the caller's estimator is not mutated
