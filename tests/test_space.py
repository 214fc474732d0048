"""Tests for mlkit.space: dimensions, grids, sampling, parsing of search spaces."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.model_selection import ParameterGrid, ParameterSampler

from mlkit.space import MAX_ENUMERATED_INTS, Categorical, Float, Int, Space, as_space

# --------------------------------------------------------------------------- strategies

float_bounds = st.tuples(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=1e-6, max_value=1e6, allow_nan=False),
).map(lambda t: (t[0], t[0] + t[1]))
positive_bounds = st.tuples(
    st.floats(min_value=1e-8, max_value=1e4), st.floats(min_value=1.001, max_value=1e6)
).map(lambda t: (t[0], t[0] * t[1]))
int_bounds = st.tuples(
    st.integers(min_value=-1000, max_value=1000), st.integers(min_value=1, max_value=5000)
).map(lambda t: (t[0], t[0] + t[1]))
seeds = st.integers(min_value=0, max_value=2**32 - 1)


# --------------------------------------------------------------------------- sampling


@given(bounds=float_bounds, seed=seeds)
def test_float_sample_within_bounds(bounds: tuple[float, float], seed: int) -> None:
    low, high = bounds
    values = Float(low, high).sample(50, random_state=seed)
    assert len(values) == 50
    assert all(low <= v <= high for v in values)


@given(bounds=positive_bounds, seed=seeds)
def test_float_log_sample_within_bounds(bounds: tuple[float, float], seed: int) -> None:
    low, high = bounds
    values = Float(low, high, log=True).sample(50, random_state=seed)
    assert all(low <= v <= high for v in values)


@given(bounds=int_bounds, seed=seeds, log=st.booleans())
def test_int_sample_within_bounds_and_integral(
    bounds: tuple[int, int], seed: int, log: bool
) -> None:
    low, high = bounds
    if log:
        low, high = abs(low) + 1, abs(low) + 1 + (high - low)
    dim = Int(low, high, log=log)
    values = dim.sample(50, random_state=seed)
    assert all(isinstance(v, int) and low <= v <= high for v in values)
    assert all(dim.contains(v) for v in values)


@given(low=st.integers(-50, 50), n_steps=st.integers(1, 30), step=st.integers(1, 7), seed=seeds)
def test_int_sample_respects_step(low: int, n_steps: int, step: int, seed: int) -> None:
    dim = Int(low, low + n_steps * step, step=step)
    values = dim.sample(40, random_state=seed)
    assert all((v - low) % step == 0 and low <= v <= low + n_steps * step for v in values)


def test_float_log_sample_is_uniform_in_log_space() -> None:
    # A log-uniform draw on [1e-3, 1e3] puts half its mass below the geometric mean (1)
    # and a sixth in each decade; a linear draw would put ~0.0001% below 1.
    values = np.array(Float(1e-3, 1e3, log=True).sample(6000, random_state=0))
    assert abs(np.mean(values < 1.0) - 0.5) < 0.03
    decade_share = np.histogram(np.log10(values), bins=6, range=(-3, 3))[0] / values.size
    assert np.all(np.abs(decade_share - 1 / 6) < 0.03)


def test_int_log_sample_reaches_both_ends_and_favours_small_values() -> None:
    values = np.array(Int(1, 1000, log=True).sample(4000, random_state=1))
    assert values.min() == 1
    assert values.max() >= 900
    assert abs(np.mean(values <= 31) - 0.5) < 0.05  # sqrt(1000) ~ 31.6 is the log midpoint


@given(seed=seeds)
def test_sample_same_seed_same_values(seed: int) -> None:
    space = as_space({"a": Float(0, 1), "b": Int(1, 9), "c": ["x", "y", "z"]})
    assert space.sample(10, random_state=seed) == space.sample(10, random_state=seed)


def test_sample_different_seeds_differ() -> None:
    space = as_space({"a": Float(0, 1)})
    assert space.sample(5, random_state=0) != space.sample(5, random_state=1)


def test_space_sample_all_categorical_draws_without_replacement() -> None:
    space = as_space({"a": [1, 2, 3], "b": ["x", "y"]})
    drawn = space.sample(100, random_state=0)
    assert len(drawn) == space.grid_size() == 6
    keys = {tuple(sorted(d.items())) for d in drawn}
    assert len(keys) == 6


def test_categorical_sample_covers_values() -> None:
    values = Categorical(["a", "b", "c"]).sample(300, random_state=0)
    assert set(values) == {"a", "b", "c"}


def test_numeric_dimensions_work_in_sklearn_parameter_sampler() -> None:
    distributions = as_space({"C": Float(1e-2, 1e2, log=True), "k": Int(1, 5), "p": ["a", "b"]})
    drawn = list(ParameterSampler(distributions.param_distributions(), n_iter=20, random_state=0))
    assert len(drawn) == 20
    assert all(distributions.contains(d) for d in drawn)


# --------------------------------------------------------------------------- grids


@given(bounds=float_bounds, n=st.integers(2, 40))
def test_float_grid_has_n_points_from_low_to_high(bounds: tuple[float, float], n: int) -> None:
    low, high = bounds
    points = Float(low, high).grid(n).grid_values()
    assert len(points) == n
    assert math.isclose(points[0], low, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(points[-1], high, rel_tol=1e-9, abs_tol=1e-9)
    assert all(a < b for a, b in itertools.pairwise(points))


@given(bounds=positive_bounds, n=st.integers(3, 20))
def test_float_log_grid_is_geometric(bounds: tuple[float, float], n: int) -> None:
    low, high = bounds
    points = np.array(Float(low, high, log=True).grid(n).grid_values())
    ratios = points[1:] / points[:-1]
    np.testing.assert_allclose(ratios, (high / low) ** (1 / (n - 1)), rtol=1e-6)


def test_float_grid_resolution_argument_applies_when_no_own_grid() -> None:
    assert len(Float(0, 1).grid_values(4)) == 4
    assert len(Float(0, 1).grid(3).grid_values(10)) == 3  # the dimension's own grid wins


@given(bounds=int_bounds, n=st.integers(2, 30), log=st.booleans())
def test_int_grid_is_sorted_unique_and_spans_the_range(
    bounds: tuple[int, int], n: int, log: bool
) -> None:
    low, high = bounds
    if log:
        low, high = abs(low) + 1, abs(low) + 1 + (high - low)
    dim = Int(low, high, log=log).grid(n)
    points = dim.grid_values()
    assert points == sorted(set(points))
    assert points[0] == low and points[-1] == high
    assert 2 <= len(points) <= n
    assert all(dim.contains(p) for p in points)


def test_int_grid_without_resolution_enumerates_every_value() -> None:
    assert Int(3, 7).grid_values() == [3, 4, 5, 6, 7]
    assert Int(0, 9, step=3).grid_values() == [0, 3, 6, 9]


def test_int_grid_with_more_points_than_values_enumerates() -> None:
    assert Int(1, 4).grid(10).grid_values() == [1, 2, 3, 4]


@given(
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    n_float=st.integers(2, 4),
)
@settings(max_examples=30)
def test_grid_size_is_product_of_dimension_sizes(sizes: list[int], n_float: int) -> None:
    spec: dict[str, object] = {f"c{i}": list(range(s)) for i, s in enumerate(sizes)}
    spec["f"] = Float(0, 1).grid(n_float)
    space = as_space(spec)
    grid = space.grid()
    assert space.grid_size() == math.prod(sizes) * n_float == len(grid)
    assert len({tuple(sorted(g.items())) for g in grid}) == len(grid)


def test_grid_matches_sklearn_parameter_grid_for_a_param_grid_dict() -> None:
    param_grid = {"C": [0.1, 1.0, 10.0], "penalty": ["l1", "l2"], "fit_intercept": [True, False]}
    ours = as_space(param_grid).grid()
    theirs = list(ParameterGrid(param_grid))
    key = lambda d: tuple(sorted(d.items()))  # noqa: E731
    assert sorted(map(key, ours)) == sorted(map(key, theirs))


def test_grid_order_is_sklearn_parameter_grid_order() -> None:
    param_grid = {"b": [1, 2], "a": ["x", "y", "z"], "c": [None, 0.5]}
    assert as_space(param_grid).grid() == list(ParameterGrid(param_grid))


def test_float_grid_without_resolution_names_dimension_and_fix() -> None:
    space = as_space({"C": Float(1e-3, 1e3, log=True)})
    with pytest.raises(ValueError, match=r"space\['C'\].*continuous.*\.grid\(n\).*grid_resolution"):
        space.grid()


def test_int_grid_too_many_values_asks_for_resolution() -> None:
    with pytest.raises(ValueError, match=r"too many to enumerate.*grid_resolution"):
        Int(0, MAX_ENUMERATED_INTS * 2).grid_values()


# --------------------------------------------------------------------------- parsing


def test_as_space_reads_lists_as_categorical() -> None:
    space = as_space({"a": [1, 2], "b": (None, "x"), "c": range(3), "d": np.array([0.5, 1.5])})
    assert all(isinstance(d, Categorical) for d in space.dimensions.values())
    assert space.dimensions["c"].values == (0, 1, 2)
    assert space.dimensions["d"].values == (0.5, 1.5)


def test_as_space_passes_space_through() -> None:
    space = as_space({"a": [1]})
    assert as_space(space) is space
    assert isinstance(space, Space)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({}, r"space is empty"),
        ({"C": 1.0}, r"space\['C'\] is 1\.0; use a list"),
        ([{"a": [1]}, {"b": [2]}], r"list of 2 dicts"),
        ("C", r"space must be a dict"),
        ({"a": []}, r"space\['a'\].*empty"),
        ({1: [1, 2]}, r"keys must be parameter names"),
    ],
)
def test_as_space_bad_input_names_argument(spec: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        as_space(spec)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Float(1.0, 1.0), r"low must be smaller than high"),
        (lambda: Float(2.0, 1.0), r"low must be smaller than high"),
        (lambda: Float(0.0, 1.0, log=True), r"log scale needs low > 0"),
        (lambda: Float(0.0, math.inf), r"high=inf must be finite"),
        (lambda: Float("a", 1.0), r"low must be a number"),
        (lambda: Int(0, 10, log=True), r"log scale needs low > 0"),
        (lambda: Int(1.5, 3), r"low must be an integer"),
        (lambda: Int(0, 10, step=3), r"multiple of step; use high=9"),
        (lambda: Int(1, 10, step=0), r"step=0 must be >= 1"),
        (lambda: Int(1, 10, step=1, log=True), r"either log=True or step"),
        (lambda: Float(0.0, 1.0).grid(1), r"n must be an integer >= 2"),
        (lambda: Categorical([]), r"empty"),
        (lambda: Categorical("ab"), r"list of candidate values"),
        (lambda: Categorical([1, 1]), r"contains 1 twice"),
    ],
)
def test_dimension_bad_input_says_what_and_how(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()  # type: ignore[operator]


def test_categorical_accepts_unhashable_and_object_values() -> None:
    dim = Categorical([(10,), (10, 10), {"a": 1}, None])
    assert dim.contains((10, 10)) and dim.contains(None)
    assert not dim.contains((5,))


# --------------------------------------------------------------------------- optuna


def test_suggest_maps_object_categories_through_an_index() -> None:
    import optuna

    dim = Categorical([(10,), (20, 20)])
    trial = optuna.trial.FixedTrial({"layers": 1})
    assert dim.suggest(trial, "layers") == (20, 20)


def test_suggest_passes_primitive_categories_and_bounds() -> None:
    import optuna

    space = as_space({"C": Float(0.1, 10, log=True), "k": Int(1, 9, step=2), "p": ["a", None]})
    trial = optuna.trial.FixedTrial({"C": 2.0, "k": 5, "p": None})
    assert space.suggest(trial) == {"C": 2.0, "k": 5, "p": None}
