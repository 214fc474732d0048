"""Search spaces: one description of the hyperparameters for every search method.

A search space maps parameter names (as in ``estimator.get_params()``) to
*dimensions*:

- :class:`Int` — integers in ``[low, high]``, optionally log-spaced or on a step;
- :class:`Float` — reals in ``[low, high]``, optionally log-spaced;
- :class:`Categorical` — an explicit list of values (any Python objects).

A plain list (or tuple, range, array) of values is read as a :class:`Categorical`,
so a scikit-learn ``param_grid`` dict is a valid space as it is. The same space
serves grid search (:meth:`Space.grid`), random search and successive halving
(:meth:`Space.sample`, :meth:`Space.param_distributions`) and Bayesian search
(:meth:`Space.suggest`, for Optuna).

Grid search needs a finite set of values for every dimension. A :class:`Categorical`
has one; an :class:`Int` enumerates its integers (up to :data:`MAX_ENUMERATED_INTS`);
a :class:`Float` needs a stated resolution, either ``Float(...).grid(n)`` or the
``grid_resolution`` argument, because "every real number in [0.001, 100]" is not a
grid.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, replace
from typing import Any, TypeAlias

import numpy as np

__all__ = [
    "MAX_ENUMERATED_INTS",
    "Categorical",
    "Dimension",
    "Float",
    "Int",
    "Space",
    "as_space",
]

#: Grid search enumerates every value of an :class:`Int` without a resolution only up
#: to this many values; beyond it, state a resolution with ``Int(...).grid(n)``.
MAX_ENUMERATED_INTS = 100

#: Value types that Optuna stores natively in a categorical distribution.
_OPTUNA_PRIMITIVES = (bool, int, float, str, type(None))


def _check_resolution(n: Any, *, name: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise ValueError(
            f"{name} must be an integer >= 2 (the number of grid points), got {n!r}; e.g. {name}=5."
        )
    return int(n)


def _as_generator(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


class _Numeric:
    """Shared behaviour of :class:`Int` and :class:`Float` (sampling through a unit draw)."""

    low: Any
    high: Any
    log: bool
    n_grid: int | None

    def _from_unit(self, u: np.ndarray) -> list[Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def sample(self, n: int, *, random_state: Any = None) -> list[Any]:
        """Draw ``n`` values independently (uniform, or log-uniform when ``log=True``).

        Parameters
        ----------
        n : int
            Number of values.
        random_state : int, numpy Generator/RandomState or None
            Seed or generator.

        Returns
        -------
        list
            ``n`` values inside ``[low, high]``.
        """
        rng = _as_generator(random_state)
        return self._from_unit(rng.random(int(n)))

    def rvs(self, size: int | None = None, random_state: Any = None) -> Any:
        """scipy.stats-style draw, so scikit-learn's ``ParameterSampler`` accepts the dimension."""
        values = self.sample(1 if size is None else int(size), random_state=random_state)
        return values[0] if size is None else np.asarray(values)

    def grid(self, n: int) -> Any:
        """A copy of this dimension that grid search evaluates at ``n`` points.

        The points are evenly spaced (geometrically when ``log=True``) from ``low`` to
        ``high`` inclusive; random and Bayesian search still use the whole range.

        Parameters
        ----------
        n : int
            Number of grid points, at least 2.
        """
        dimension: Any = self  # a frozen dataclass subclass (Int or Float)
        return replace(dimension, n_grid=_check_resolution(n, name="n"))

    def _check_bounds(self) -> None:
        if not self.low < self.high:
            raise ValueError(
                f"{type(self).__name__}(low={self.low!r}, high={self.high!r}): low must be "
                f"smaller than high; swap them, or use Categorical([{self.low!r}]) for a "
                f"fixed value."
            )
        if self.log and self.low <= 0:
            raise ValueError(
                f"{type(self).__name__}(low={self.low!r}, high={self.high!r}, log=True): a log "
                f"scale needs low > 0; use a positive low (e.g. {type(self).__name__}("
                f"{1 if isinstance(self, Int) else 1e-3!r}, {self.high!r}, log=True)) or log=False."
            )
        if self.n_grid is not None:
            _check_resolution(self.n_grid, name="n_grid")


@dataclass(frozen=True)
class Float(_Numeric):
    """A real-valued hyperparameter in ``[low, high]``.

    Parameters
    ----------
    low, high : float
        Bounds, ``low < high``; both are included.
    log : bool, default=False
        Sample uniformly in log space (use for scale parameters such as a
        regularisation strength or a learning rate). Needs ``low > 0``.
    n_grid : int or None, default=None
        Number of grid points for grid search; set it with :meth:`grid`.

    Examples
    --------
    >>> from mlkit.space import Float
    >>> Float(1e-3, 1e3, log=True).grid(7).grid_values()
    [0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0]
    >>> values = Float(0.0, 1.0).sample(3, random_state=0)
    >>> all(0.0 <= v <= 1.0 for v in values)
    True
    """

    low: float
    high: float
    _: KW_ONLY
    log: bool = False
    n_grid: int | None = None

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ValueError(f"Float {name} must be a number, got {value!r}.")
            if not math.isfinite(value):
                raise ValueError(f"Float {name}={value!r} must be finite.")
            object.__setattr__(self, name, float(value))
        self._check_bounds()

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        if self.log:
            lo, hi = math.log(self.low), math.log(self.high)
            values = np.exp(lo + u * (hi - lo))
        else:
            values = self.low + u * (self.high - self.low)
        return [float(v) for v in np.clip(values, self.low, self.high)]

    def grid_values(self, resolution: int | None = None) -> list[float]:
        """The grid points: ``n_grid`` (or else ``resolution``) evenly spaced values.

        Raises
        ------
        ValueError
            When neither ``n_grid`` nor ``resolution`` is set: a continuous range has
            no natural grid.
        """
        n = self.n_grid if self.n_grid is not None else resolution
        if n is None:
            raise ValueError(
                f"{self!r} is continuous, so grid search needs a resolution; use "
                f"Float(...).grid(n) for this dimension or pass grid_resolution=n."
            )
        n = _check_resolution(n, name="grid_resolution")
        points = (
            np.geomspace(self.low, self.high, n)
            if self.log
            else np.linspace(self.low, self.high, n)
        )
        tidy = [float(f"{v:.15g}") for v in points]  # 0.01, not 0.009999999999999998
        return tidy if len(set(tidy)) == n else [float(v) for v in points]

    def contains(self, value: Any) -> bool:
        """True when ``value`` lies in ``[low, high]``."""
        return bool(self.low <= value <= self.high)

    def suggest(self, trial: Any, name: str) -> float:
        """Ask an Optuna ``trial`` for a value of this dimension."""
        return float(trial.suggest_float(name, self.low, self.high, log=self.log))


@dataclass(frozen=True)
class Int(_Numeric):
    """An integer hyperparameter in ``[low, high]``.

    Parameters
    ----------
    low, high : int
        Bounds, ``low < high``; both are included.
    log : bool, default=False
        Sample log-uniformly (use for sizes spanning orders of magnitude, such as a
        number of trees). Needs ``low >= 1``; cannot be combined with ``step``.
    step : int or None, default=None
        Only ``low, low + step, ..., high`` are allowed; ``high - low`` must be a
        multiple of ``step``.
    n_grid : int or None, default=None
        Number of grid points for grid search; set it with :meth:`grid`. Without it,
        grid search takes every allowed value (at most :data:`MAX_ENUMERATED_INTS`).

    Examples
    --------
    >>> from mlkit.space import Int
    >>> Int(1, 5).grid_values()
    [1, 2, 3, 4, 5]
    >>> Int(2, 20, step=6).grid_values()
    [2, 8, 14, 20]
    >>> Int(1, 1000, log=True).grid(4).grid_values()
    [1, 10, 100, 1000]
    """

    low: int
    high: int
    _: KW_ONLY
    log: bool = False
    step: int | None = None
    n_grid: int | None = None

    def __post_init__(self) -> None:
        for name in ("low", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                raise ValueError(
                    f"Int {name} must be an integer, got {value!r}; use Float for real values."
                )
            object.__setattr__(self, name, int(value))
        self._check_bounds()
        if self.step is not None:
            if isinstance(self.step, bool) or not isinstance(self.step, int | np.integer):
                raise ValueError(f"Int step must be a positive integer, got {self.step!r}.")
            if self.step < 1:
                raise ValueError(f"Int step={self.step} must be >= 1.")
            if self.log:
                raise ValueError(
                    "Int(..., log=True, step=...) is ambiguous: a log scale has no constant "
                    "step; use either log=True or step."
                )
            if (self.high - self.low) % self.step:
                raise ValueError(
                    f"Int(low={self.low}, high={self.high}, step={self.step}): high - low must "
                    f"be a multiple of step; use high={self.low + (self.high - self.low) // self.step * self.step}."
                )

    @property
    def n_values(self) -> int:
        """How many integers the dimension allows."""
        return (self.high - self.low) // (self.step or 1) + 1

    def _from_unit(self, u: np.ndarray) -> list[Any]:
        if self.log:
            lo, hi = math.log(self.low - 0.5), math.log(self.high + 0.5)
            values = np.rint(np.exp(lo + u * (hi - lo)))
        else:
            values = self.low + np.floor(u * self.n_values) * (self.step or 1)
        return [int(v) for v in np.clip(values, self.low, self.high)]

    def _snap(self, value: float) -> int:
        step = self.step or 1
        return int(self.low + round((value - self.low) / step) * step)

    def grid_values(self, resolution: int | None = None) -> list[int]:
        """The grid points.

        With ``n_grid`` (or else ``resolution``) set: that many evenly spaced
        (geometrically when ``log=True``) allowed values, duplicates removed after
        rounding; every allowed value when there are no more than that. Without
        either: every allowed value.

        Raises
        ------
        ValueError
            Without a resolution when the dimension has more than
            :data:`MAX_ENUMERATED_INTS` values.
        """
        n = self.n_grid if self.n_grid is not None else resolution
        if n is None:
            if self.n_values > MAX_ENUMERATED_INTS:
                raise ValueError(
                    f"{self!r} has {self.n_values} values, too many to enumerate on a grid "
                    f"(limit {MAX_ENUMERATED_INTS}); use Int(...).grid(n) or pass "
                    f"grid_resolution=n."
                )
            return list(range(self.low, self.high + 1, self.step or 1))
        n = _check_resolution(n, name="grid_resolution")
        if self.n_values <= n:
            return list(range(self.low, self.high + 1, self.step or 1))
        points = (
            np.geomspace(self.low, self.high, n)
            if self.log
            else np.linspace(self.low, self.high, n)
        )
        return sorted({self._snap(float(v)) for v in points})

    def contains(self, value: Any) -> bool:
        """True when ``value`` is an allowed integer of the dimension."""
        step = self.step or 1
        return bool(
            float(value).is_integer()
            and self.low <= value <= self.high
            and (int(value) - self.low) % step == 0
        )

    def suggest(self, trial: Any, name: str) -> int:
        """Ask an Optuna ``trial`` for a value of this dimension."""
        return int(trial.suggest_int(name, self.low, self.high, step=self.step or 1, log=self.log))


@dataclass(frozen=True)
class Categorical:
    """A hyperparameter taking one of an explicit list of values.

    Parameters
    ----------
    values : sequence
        The candidate values, at least one, without duplicates. Any Python objects
        (strings, numbers, None, tuples, estimators).

    Examples
    --------
    >>> from mlkit.space import Categorical
    >>> Categorical(["l1", "l2"]).grid_values()
    ['l1', 'l2']
    """

    values: tuple[Any, ...]

    def __init__(self, values: Iterable[Any]) -> None:
        if isinstance(values, str | bytes) or not isinstance(values, Iterable):
            raise ValueError(
                f"Categorical values must be a list of candidate values, got {values!r}; "
                f"wrap a single value in a list, e.g. Categorical([{values!r}])."
            )
        items = tuple(values.tolist() if isinstance(values, np.ndarray) else values)
        if not items:
            raise ValueError("Categorical values is empty; pass at least one candidate value.")
        seen: list[Any] = []
        for item in items:
            if any(_same(item, other) for other in seen):
                raise ValueError(
                    f"Categorical values contains {item!r} twice; list each candidate once."
                )
            seen.append(item)
        object.__setattr__(self, "values", items)

    def sample(self, n: int, *, random_state: Any = None) -> list[Any]:
        """Draw ``n`` values uniformly with replacement."""
        rng = _as_generator(random_state)
        return [self.values[i] for i in rng.integers(len(self.values), size=int(n))]

    def grid_values(self, resolution: int | None = None) -> list[Any]:
        """Every value, in the given order (``resolution`` is ignored)."""
        return list(self.values)

    def contains(self, value: Any) -> bool:
        """True when ``value`` is one of the values."""
        return any(_same(value, v) for v in self.values)

    @property
    def _optuna_choices(self) -> list[Any]:
        if all(isinstance(v, _OPTUNA_PRIMITIVES) for v in self.values):
            return list(self.values)
        return list(range(len(self.values)))  # objects Optuna cannot store: ask for an index

    def suggest(self, trial: Any, name: str) -> Any:
        """Ask an Optuna ``trial`` for a value (by index when values are not primitives)."""
        choices = self._optuna_choices
        choice = trial.suggest_categorical(name, choices)
        if choices == list(self.values):
            return choice
        return self.values[int(choice)]


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except Exception:  # objects whose == is not a bool (arrays, estimators)
        return False


Dimension: TypeAlias = Int | Float | Categorical


@dataclass(frozen=True)
class Space:
    """A named collection of dimensions: the full hyperparameter search space.

    Build one with :func:`as_space` (which also reads plain lists as categorical
    dimensions) rather than directly.

    Parameters
    ----------
    dimensions : mapping of str to Int, Float or Categorical
        Parameter name (as in ``estimator.get_params()``) to dimension.

    Examples
    --------
    >>> from mlkit.space import Float, as_space
    >>> space = as_space({"C": Float(0.01, 100, log=True).grid(5), "penalty": ["l2", None]})
    >>> space.grid_size()
    10
    >>> space.grid()[0]
    {'C': 0.01, 'penalty': 'l2'}
    """

    dimensions: Mapping[str, Dimension]

    def __post_init__(self) -> None:
        for name, dim in self.dimensions.items():
            if not isinstance(dim, Int | Float | Categorical):
                raise ValueError(
                    f"space[{name!r}] must be an Int, Float or Categorical dimension, got "
                    f"{type(dim).__name__}; build spaces with as_space(...), which also reads "
                    f"lists of values."
                )

    @property
    def names(self) -> list[str]:
        """The parameter names, in order."""
        return list(self.dimensions)

    @property
    def is_categorical(self) -> bool:
        """True when every dimension is a :class:`Categorical` (a finite grid)."""
        return all(isinstance(d, Categorical) for d in self.dimensions.values())

    def param_grid(self, resolution: int | None = None) -> dict[str, list[Any]]:
        """The grid as a scikit-learn ``param_grid`` dict (name to list of values).

        Parameters
        ----------
        resolution : int or None, default=None
            Grid points for :class:`Float` dimensions without their own ``.grid(n)``
            (and the cap for :class:`Int` dimensions without one).

        Raises
        ------
        ValueError
            When a :class:`Float` dimension has no resolution, naming it.
        """
        grid = {}
        for name, dim in self.dimensions.items():
            try:
                grid[name] = dim.grid_values(resolution)
            except ValueError as error:
                raise ValueError(f"space[{name!r}]: {error}") from None
        return grid

    def grid(self, resolution: int | None = None) -> list[dict[str, Any]]:
        """Every combination of grid values, in scikit-learn's ``ParameterGrid`` order.

        Parameter names are taken in sorted order and the last one varies fastest,
        as in ``ParameterGrid``, so ties between candidates break the same way as in
        ``GridSearchCV`` (the first candidate wins).
        """
        grid = self.param_grid(resolution)
        names = sorted(grid)
        combos = itertools.product(*(grid[name] for name in names))
        return [dict(zip(names, combo, strict=True)) for combo in combos]

    def grid_size(self, resolution: int | None = None) -> int:
        """Number of grid combinations."""
        return math.prod(len(v) for v in self.param_grid(resolution).values())

    def sample(self, n: int, *, random_state: Any = None) -> list[dict[str, Any]]:
        """Draw ``n`` candidates at random.

        Each dimension is drawn independently (uniform, log-uniform for ``log=True``).
        When every dimension is categorical the candidates are drawn *without*
        replacement from the grid (as scikit-learn's ``ParameterSampler`` does), so at
        most :meth:`grid_size` distinct candidates come back.

        Parameters
        ----------
        n : int
            Number of candidates.
        random_state : int, numpy Generator or None
            Seed; the same seed gives the same candidates.
        """
        rng = _as_generator(random_state)
        if self.is_categorical:
            grid = self.grid()
            order = rng.permutation(len(grid))[: int(n)]
            return [grid[i] for i in order]
        columns = {
            name: dim.sample(int(n), random_state=rng) for name, dim in self.dimensions.items()
        }
        return [{name: columns[name][i] for name in self.dimensions} for i in range(int(n))]

    def param_distributions(self) -> dict[str, Any]:
        """The space as scikit-learn ``param_distributions`` (lists and ``rvs`` objects)."""
        return {
            name: list(dim.values) if isinstance(dim, Categorical) else dim
            for name, dim in self.dimensions.items()
        }

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Ask an Optuna ``trial`` for one value of every dimension."""
        return {name: dim.suggest(trial, name) for name, dim in self.dimensions.items()}

    def contains(self, params: Mapping[str, Any]) -> bool:
        """True when ``params`` has exactly the space's names and every value is allowed."""
        return set(params) == set(self.dimensions) and all(
            self.dimensions[name].contains(value) for name, value in params.items()
        )


def as_space(space: Any, *, name: str = "space") -> Space:
    """Read a search-space description into a :class:`Space`.

    Parameters
    ----------
    space : Space or mapping
        A :class:`Space`, or a mapping from parameter name to a dimension
        (:class:`Int`, :class:`Float`, :class:`Categorical`) or to a list / tuple /
        range / 1-D array of candidate values (read as :class:`Categorical`). A
        scikit-learn ``param_grid`` dict is therefore accepted as it is.
    name : str, default="space"
        Argument name used in error messages.

    Returns
    -------
    Space

    Raises
    ------
    ValueError
        For an empty space, a non-string parameter name, or a value that is neither
        a dimension nor a list of candidates.

    Examples
    --------
    >>> from mlkit.space import Int, as_space
    >>> space = as_space({"max_depth": Int(1, 4), "criterion": ["gini", "entropy"]})
    >>> space.names
    ['max_depth', 'criterion']
    """
    if isinstance(space, Space):
        return space
    if (
        isinstance(space, Sequence)
        and not isinstance(space, str)
        and space
        and all(isinstance(s, Mapping) for s in space)
    ):
        raise ValueError(
            f"{name} is a list of {len(space)} dicts (several sub-grids); mlkit takes one "
            f"space: tune each sub-grid separately or merge them into one dict."
        )
    if not isinstance(space, Mapping):
        raise ValueError(
            f"{name} must be a dict mapping parameter names to dimensions or lists of values, "
            f"got {type(space).__name__}; e.g. {name}={{'C': Float(1e-3, 1e3, log=True)}}."
        )
    if not space:
        raise ValueError(
            f"{name} is empty; give at least one parameter to tune, e.g. "
            f"{name}={{'C': Float(1e-3, 1e3, log=True)}}."
        )
    dimensions: dict[str, Dimension] = {}
    for key, value in space.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} keys must be parameter names (non-empty str), got {key!r}.")
        if isinstance(value, Int | Float | Categorical):
            dimensions[key] = value
        elif isinstance(value, list | tuple | range | np.ndarray):
            try:
                dimensions[key] = Categorical(value)
            except ValueError as error:
                raise ValueError(f"{name}[{key!r}]: {error}") from None
        else:
            raise ValueError(
                f"{name}[{key!r}] is {value!r}; use a list of candidate values (e.g. [{value!r}]) "
                f"or a dimension: Int(low, high), Float(low, high) or Categorical(values)."
            )
    return Space(dimensions)
