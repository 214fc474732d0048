"""Learning curves and validation curves on honest folds.

- :func:`learning_curve`: the score against the amount of training data (samples, or
  groups such as patients), with each fold's test part fixed and the training subsets
  nested, seeded, made of whole groups, stratified by class, or the most recent rows;
- :meth:`LearningCurveResult.scalability` / :func:`fit_time_slope` and
  :func:`plot_scalability`: fit time against training size on log-log axes, whose slope
  is the empirical complexity exponent;
- :meth:`LearningCurveResult.extrapolate`: an inverse power law ``error ~ a + b *
  n**(-c)`` fitted to the test curve, the predicted score at 2x and 10x the data with
  an interval from the fold spread, and a plateau verdict, or a clear "poor fit"
  verdict instead of a number (see :mod:`mlkit.extrapolation`);
- :func:`validation_curve`: the score against one hyperparameter, on the same folds for
  every value.

Scores are in natural units: a loss (log loss, RMSE, ...) is positive and lower is
better; the tables and plots say which direction is better.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mlkit._subsets import Subsets, _translate_sizes, training_subsets
from mlkit._validation import (
    as_1d,
    check_choice,
    check_consistent_length,
    check_groups,
    check_n_jobs,
    check_target,
    has_missing,
)
from mlkit.metrics import (
    METRIC_SETS,
    Task,
    greater_is_better,
    infer_task,
    metric_scorers,
    readable_metric_name,
    resolve_scoring,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from mlkit.extrapolation import Extrapolation

__all__ = [
    "LearningCurveResult",
    "Scalability",
    "ValidationCurveResult",
    "fit_time_slope",
    "learning_curve",
    "plot_scalability",
    "training_subsets",
    "validation_curve",
]

Fold = tuple[np.ndarray, np.ndarray]


# --------------------------------------------------------------------------- inputs


def _check_time(time: Any, n_samples: int) -> np.ndarray:
    arr = as_1d(time, name="time")
    if arr.shape[0] != n_samples:
        raise ValueError(
            f"time has {arr.shape[0]} entries but y has {n_samples}; pass one time value "
            f"per row, in the same order as y."
        )
    if has_missing(arr):
        n_missing = int(pd.isna(arr).sum())
        raise ValueError(
            f"time contains {n_missing} missing value(s) (NaN/NaT); every row needs a time "
            f"stamp to decide which rows are the most recent. Drop or fill those rows."
        )
    return arr


def _folds(
    cv: Any, X: Any, y: np.ndarray, groups: np.ndarray | None, time: np.ndarray | None,
    random_state: int,
) -> tuple[Fold, ...]:  # fmt: skip
    """One fold list, group- and time-aware, checked for groups on both sides."""
    from mlkit.splits import choose_cv, materialise_folds

    if time is not None and (cv is None or (isinstance(cv, int) and not isinstance(cv, bool))):
        cv = choose_cv(y, groups=groups, time=time, n_splits=5 if cv is None else cv)
    # materialise_folds refuses folds that put a group on both sides (time-ordered
    # folds excepted: they split on time)
    return materialise_folds(
        cv, X, y, groups=groups, random_state=random_state, allow_shared_groups=time is not None
    )


def _scorer(scoring: Any, *, task: Task, y: np.ndarray) -> tuple[Any, str, bool]:
    """(greater-is-better scorer, readable metric name, is the metric a loss)."""
    from sklearn.metrics import get_scorer

    if isinstance(scoring, list | tuple | dict):
        raise ValueError(
            f"scoring must be one metric, got {scoring!r}; pass a single name such as "
            f"scoring='roc_auc'."
        )
    resolved = resolve_scoring(scoring, task=task)
    if callable(resolved):
        func = getattr(resolved, "_score_func", resolved)
        name = str(getattr(func, "__name__", "score"))
        sign = getattr(resolved, "_sign", 1)
        return resolved, name, bool(sign < 0)
    name = readable_metric_name(resolved, task=task)
    if name in METRIC_SETS[task]:
        pos_label = sorted(pd.unique(y).tolist())[-1] if task == "binary" else 1
        scorer = metric_scorers(task, metrics=[name], pos_label=pos_label)[name]
    else:
        scorer = get_scorer(resolved)
    sign = getattr(scorer, "_sign", None)
    loss = bool(sign < 0) if sign is not None else not greater_is_better(name)
    return scorer, name, loss


def _take(data: Any, idx: np.ndarray) -> Any:
    if hasattr(data, "iloc"):
        return data.iloc[idx]
    if hasattr(data, "shape"):
        return data[idx]
    return [data[i] for i in idx]


def _model_name(estimator: Any) -> str:
    steps = getattr(estimator, "steps", None)
    last = steps[-1][1] if steps else estimator
    return type(last).__name__


# --------------------------------------------------------------------------- fitting


def _fit_and_score(
    estimator: Any, X: Any, y: Any, train: np.ndarray, test: np.ndarray, scorer: Any,
    params: Mapping[str, Any] | None = None,
) -> tuple[float, float, float, float]:  # fmt: skip
    """Fit a clone on ``train``; (train score, test score, fit s, score s)."""
    from sklearn.base import clone

    model = clone(estimator)
    X_train, y_train = _take(X, train), _take(y, train)
    start = _time.perf_counter()
    try:
        model.set_params(**(params or {})).fit(X_train, y_train)
    except Exception as error:  # name the value that failed (a validation curve's point)
        if not params:
            raise
        shown = ", ".join(f"{key}={value!r}" for key, value in params.items())
        raise ValueError(f"the fit with {shown} failed: {error}") from error
    fit_time = _time.perf_counter() - start
    start = _time.perf_counter()
    test_score = scorer(model, _take(X, test), _take(y, test))
    score_time = _time.perf_counter() - start
    train_score = scorer(model, X_train, y_train)
    return float(train_score), float(test_score), fit_time, score_time


def _run(jobs: list[tuple[Any, ...]], n_jobs: int | None) -> list[tuple[float, ...]]:
    from joblib import Parallel, delayed

    return list(Parallel(n_jobs=n_jobs)(delayed(_fit_and_score)(*job) for job in jobs))


def _natural(values: np.ndarray, loss: bool) -> np.ndarray:
    return -values if loss else values


def _direction(loss: bool) -> str:
    return "lower is better" if loss else "higher is better"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class LearningCurveResult:
    """Scores per training size and fold, returned by :func:`learning_curve`.

    Attributes
    ----------
    scores : DataFrame
        One row per size x fold: ``size`` (0, 1, ...), ``fold``, ``train_size`` (in
        :attr:`unit`), ``n_train_samples``, ``n_train_groups`` (NA without groups),
        ``train_score``, ``test_score`` (natural units), ``fit_time``, ``score_time``
        (seconds).
    metric : str
        Readable metric name.
    loss : bool
        True when lower is better (the scores are positive losses).
    unit : str
        ``"samples"`` or ``"groups"``: what ``train_size`` counts.
    subsets : str
        ``"nested"`` or ``"prefix"`` (scikit-learn's plain prefixes).
    model : str
        Name of the (last step of the) estimator.
    train_subsets : tuple of tuple of ndarray
        ``train_subsets[fold][size]``: the row indices each model was trained on.
    test_parts : tuple of ndarray
        The fixed test rows of each fold.
    """

    scores: pd.DataFrame
    metric: str
    loss: bool
    unit: str
    subsets: str
    model: str
    train_subsets: tuple[tuple[np.ndarray, ...], ...] = field(repr=False)
    test_parts: tuple[np.ndarray, ...] = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        """The per size x fold table (a copy of :attr:`scores`)."""
        return self.scores.copy()

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation over folds, one row per training size."""
        grouped = self.scores.groupby("train_size")
        table = grouped[["n_train_samples", "train_score", "test_score", "fit_time"]].mean()
        table["test_std"] = grouped["test_score"].std(ddof=1)
        table["gap"] = (table["test_score"] - table["train_score"]) * (1 if self.loss else -1)
        table.attrs["direction"] = _direction(self.loss)
        return table

    def plot(self, ax: Axes | None = None) -> Axes:
        """Train and test score against training size, with a band of +-1 fold SD."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        long = self.scores.melt(
            id_vars=["train_size", "fold"], value_vars=["train_score", "test_score"],
            var_name="part", value_name="score",
        )  # fmt: skip
        long["part"] = long["part"].map({"train_score": "train", "test_score": "test"})
        sns.lineplot(
            data=long, x="train_size", y="score", hue="part", style="part", markers=True,
            errorbar="sd", ax=ax,
        )  # fmt: skip
        ax.set_xlabel(f"training {self.unit}")
        ax.set_ylabel(f"{self.metric} ({_direction(self.loss)})")
        ax.set_title(f"Learning curve: {self.model}")
        ax.legend(title=None, loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax

    def scalability(self) -> Scalability:
        """Fit time against training samples, with the fitted log-log slope."""
        return fit_time_slope(
            self.scores["n_train_samples"].to_numpy(),
            self.scores["fit_time"].to_numpy(),
            model=self.model,
        )

    def extrapolate(
        self, *, factors: Sequence[float] = (2.0, 10.0), tolerance: float | None = None
    ) -> Extrapolation:
        """Fit ``error ~ a + b * n**(-c)`` to the test curve.

        See :func:`mlkit.extrapolation.fit_power_law` (``n`` counts :attr:`unit`).
        """
        from mlkit.extrapolation import fit_power_law

        wide = self.scores.pivot(index="train_size", columns="fold", values="test_score")
        return fit_power_law(
            wide.index.to_numpy(dtype=float), wide.to_numpy(dtype=float),
            loss=self.loss, metric=self.metric, unit=self.unit, factors=factors,
            tolerance=tolerance,
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class Scalability:
    """Fit time against training size: ``seconds ~ C * n**slope``.

    Attributes
    ----------
    slope : float
        Least-squares slope of log(mean fit time) on log(training samples): the
        empirical complexity exponent (about 1 for linear-time fits).
    intercept : float
        Intercept of that line (natural logs).
    times : DataFrame
        ``n_train_samples`` and mean ``fit_time`` per size.
    model : str
        Model name, for tables and legends.
    """

    slope: float
    intercept: float
    times: pd.DataFrame
    model: str

    def predict(self, n_samples: float) -> float:
        """Predicted fit seconds for ``n_samples`` training samples."""
        return float(math.exp(self.intercept) * n_samples**self.slope)

    def to_frame(self) -> pd.DataFrame:
        """One row: model, slope and the predicted seconds at the largest size."""
        largest = float(self.times["n_train_samples"].max())
        return pd.DataFrame(
            [{"model": self.model, "slope": self.slope, "fit_time_largest": self.predict(largest)}]
        )

    def plot(self, ax: Axes | None = None) -> Axes:
        """Log-log fit time with the fitted line."""
        return plot_scalability({self.model: self}, ax=ax)


def fit_time_slope(n_samples: Any, fit_times: Any, *, model: str = "model") -> Scalability:
    """Fit ``log(seconds) = intercept + slope * log(n)`` to mean fit time per size.

    Parameters
    ----------
    n_samples, fit_times : array-like of shape (n,)
        Training samples and fit seconds (several rows per size are averaged).
    model : str, default="model"
        Name used in tables and legends.

    Returns
    -------
    Scalability

    Raises
    ------
    ValueError
        Fewer than 2 distinct sizes, or non-positive sizes or times.

    Examples
    --------
    >>> from mlkit.curves import fit_time_slope
    >>> round(fit_time_slope([100, 200, 400], [0.01, 0.04, 0.16]).slope, 6)
    2.0
    """
    n = np.asarray(n_samples, dtype=float).ravel()
    t = np.asarray(fit_times, dtype=float).ravel()
    if n.shape != t.shape or n.size == 0:
        raise ValueError(
            f"n_samples and fit_times must have the same non-zero length, got {n.size} and "
            f"{t.size}."
        )
    if not (np.all(n > 0) and np.all(t > 0) and np.isfinite(t).all()):
        raise ValueError("n_samples and fit_times must be positive and finite for a log-log fit.")
    frame = pd.DataFrame({"n_train_samples": n, "fit_time": t})
    times = frame.groupby("n_train_samples", as_index=False).agg(fit_time=("fit_time", "mean"))
    if len(times) < 2:
        raise ValueError(
            f"n_samples has {len(times)} distinct size(s); a slope needs at least 2 training "
            f"sizes (better 4 or more)."
        )
    slope, intercept = np.polyfit(np.log(times["n_train_samples"]), np.log(times["fit_time"]), 1)
    return Scalability(float(slope), float(intercept), times, model)


def plot_scalability(
    results: Mapping[str, LearningCurveResult | Scalability], ax: Axes | None = None
) -> Axes:
    """Fit time against training samples for several models, log-log, slopes in the legend.

    Parameters
    ----------
    results : mapping of str to LearningCurveResult or Scalability
        Model name -> its learning curve (or its :class:`Scalability`).
    ax : matplotlib Axes or None, default=None

    Returns
    -------
    Axes
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if not results:
        raise ValueError("results is empty; pass a dict of model name -> learning curve result.")
    for name, result in results.items():
        if not isinstance(result, LearningCurveResult | Scalability):
            raise ValueError(
                f"results[{name!r}] must be a LearningCurveResult or Scalability, got "
                f"{type(result).__name__}."
            )
    if ax is None:
        _, ax = plt.subplots()
    palette = sns.color_palette("colorblind", len(results))
    for colour, (name, result) in zip(palette, results.items(), strict=False):
        scal = result.scalability() if isinstance(result, LearningCurveResult) else result
        n = scal.times["n_train_samples"].to_numpy()
        ax.plot(n, scal.times["fit_time"], "o", color=colour)
        grid = np.geomspace(n.min(), n.max(), 20)
        ax.plot(grid, [scal.predict(v) for v in grid], "-", color=colour,
                label=f"{name} (slope {scal.slope:.2f})")  # fmt: skip
    from matplotlib.ticker import NullFormatter

    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = sorted({float(v) for r in results.values() for v in _sizes_of(r)})
    ax.set_xticks(sizes, [f"{v:,.0f}" for v in sizes])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("training samples (log scale)")
    ax.set_ylabel("fit time, s (log scale)")
    ax.set_title("Fit time against training size")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2)
    return ax


def _sizes_of(result: LearningCurveResult | Scalability) -> list[float]:
    if isinstance(result, LearningCurveResult):
        return result.scores["n_train_samples"].unique().tolist()
    return result.times["n_train_samples"].tolist()


# --------------------------------------------------------------------------- learning curve


def _check_subsets_have_classes(
    subsets_per_fold: list[list[np.ndarray]], y: np.ndarray, sizes: np.ndarray, unit: str
) -> None:
    """Every training subset of a classifier needs every class of its fold."""
    for k, subsets in enumerate(subsets_per_fold):
        needed = np.unique(y[subsets[-1]])
        for size, rows in zip(sizes, subsets, strict=True):
            missing = np.setdiff1d(needed, np.unique(y[rows]))
            if missing.size:
                raise ValueError(
                    f"train_sizes: the subset of {size} {unit} in fold {k} holds no row of "
                    f"class {missing.tolist()[0]!r}, so a classifier cannot learn it; use a "
                    f"larger smallest size (e.g. train_sizes=(0.2, ...)) or more data."
                )


def learning_curve(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    groups: Any = None,
    time: Any = None,
    cv: Any = None,
    train_sizes: Sequence[float] = (0.1, 0.2, 0.4, 0.7, 1.0),
    scoring: Any = None,
    subsets: Subsets = "nested",
    n_jobs: int | None = None,
    random_state: int | None = 0,
) -> LearningCurveResult:
    """Cross-validated train and test scores against the amount of training data.

    Each fold's test part stays fixed; the training subsets are drawn from that fold's
    training part and are

    - **nested**: each smaller subset lies inside the larger one, so the curve shows
      the effect of *adding* data, not of drawing another sample;
    - **seeded** (``random_state``, and the fold number);
    - **whole groups** when ``groups`` is given; the sizes then count groups (patients);
    - **stratified by class** for a classification target (by the group's label with
      groups), so small subsets keep the class balance of the fold;
    - with ``time``: the **most recent** rows (groups) of the training part, so the
      question becomes "how much history do I need?".

    scikit-learn's :func:`sklearn.model_selection.learning_curve` instead trains on
    plain prefixes ``train[:k]`` of each training fold (or of a shuffled copy). Prefixes
    follow the row order, so on data sorted by patient or by date the small subsets are
    the first patients or the oldest rows; shuffled prefixes cut patients into pieces
    and do not keep the class balance. With 100 patients of 10 visits each, a shuffled
    "10 %" prefix touches about 65 of the patients (the expected number, 62 in the
    example below), each with a visit or two; the book's learning-curve chapter measures the effects on the PBC
    visits. ``subsets="prefix"`` reproduces scikit-learn's subsets exactly.

    Parameters
    ----------
    estimator : scikit-learn estimator
        Cloned for every fit.
    X, y : array-like
        Features and target.
    groups : array-like or None, default=None
        Group (subject) of each row.
    time : array-like or None, default=None
        Time of each row, no missing values; folds follow time order when ``cv`` is
        None or an int. With ``groups`` too, the subsets are the groups with the most
        recent rows; time-ordered folds may then hold earlier rows of a test group in
        training (the past of a subject is known when its future is predicted).
    cv : None, int, splitter or list of (train, test) pairs, default=None
        Resolved once by :func:`mlkit.splits.materialise_folds` (None:
        :func:`mlkit.splits.choose_cv`, which respects groups and time).
    train_sizes : sequence, default=(0.1, 0.2, 0.4, 0.7, 1.0)
        Fractions in (0, 1] of the training units of the smallest fold, or integer
        numbers of units (groups with ``groups``, rows otherwise). Duplicates after
        rounding down are dropped. With ``subsets="prefix"`` the fractions refer to the
        first fold, as in scikit-learn.
    scoring : str, callable or None, default=None
        One metric (see :func:`mlkit.metrics.resolve_scoring`); reported in natural units.
    subsets : {"nested", "prefix"}, default="nested"
        ``"prefix"``: scikit-learn's plain prefixes (ignores groups, classes and time).
    n_jobs : int or None, default=None
        Parallel fits over size x fold (joblib), as scikit-learn does.
    random_state : int or None, default=0
        Seed of the folds (when chosen here) and of the subsets (None is taken as 0,
        so a curve is always reproducible).

    Returns
    -------
    LearningCurveResult

    Raises
    ------
    ValueError
        ``train_sizes`` out of range, or so small that a subset holds no row of some
        class, or less than one group; ``time`` with missing values; a ``cv`` that puts
        a group on both sides; and the usual length and target checks.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlkit.curves import learning_curve
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> result = learning_curve(LogisticRegression(), X, y, train_sizes=(0.25, 1.0))
    >>> result.to_frame()["train_size"].unique().tolist()
    [40, 160]

    What a shuffled prefix does to patients (scikit-learn's ``shuffle=True``):

    >>> import numpy as np
    >>> from mlkit.curves import training_subsets
    >>> patient = np.repeat(np.arange(100), 10)  # 100 patients x 10 visits
    >>> rows = np.arange(1000)
    >>> prefix = np.random.RandomState(0).permutation(rows)[:100]  # "10 %" of visits
    >>> np.unique(patient[prefix]).size
    62
    >>> whole = training_subsets(rows, [10], groups=patient)[0]  # 10 % of patients
    >>> np.unique(patient[whole]).size, whole.size
    (10, 100)
    """
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    group_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    time_arr = None if time is None else _check_time(time, n_samples)
    check_choice(subsets, name="subsets", choices=("nested", "prefix"))
    n_jobs = check_n_jobs(n_jobs)
    task = infer_task(y_arr)
    scorer, metric, loss = _scorer(scoring, task=task, y=y_arr)
    folds = _folds(cv, X, y_arr, group_arr, time_arr, 0 if random_state is None else random_state)

    by_groups = group_arr is not None and subsets == "nested"
    unit = "groups" if by_groups else "samples"
    if by_groups:
        assert group_arr is not None
        n_units = [pd.unique(group_arr[train]).size for train, _ in folds]
    else:
        n_units = [train.size for train, _ in folds]
    # scikit-learn sizes the prefixes by the first fold (a shorter fold gets fewer rows)
    n_max = n_units[0] if subsets == "prefix" else min(n_units)
    sizes = _translate_sizes(train_sizes, n_max, unit=unit)
    stratify = task != "regression" and time_arr is None
    seed = 0 if random_state is None else random_state
    all_subsets = [
        training_subsets(
            train,
            sizes.tolist(),
            labels=y_arr if stratify else None,
            groups=group_arr if by_groups else None,
            time=time_arr,
            subsets=subsets,
            random_state=int(np.random.SeedSequence([seed, k]).generate_state(1)[0]),
        )
        for k, (train, _) in enumerate(folds)
    ]
    if task != "regression":
        _check_subsets_have_classes(all_subsets, y_arr, sizes, unit)
    jobs = [
        (estimator, X, y, all_subsets[k][j], test, scorer)
        for j in range(sizes.size)
        for k, (_, test) in enumerate(folds)
    ]
    out = np.array(_run(jobs, n_jobs), dtype=float)
    rows = pd.DataFrame(
        {"size": np.repeat(np.arange(sizes.size), len(folds)),
         "fold": np.tile(np.arange(len(folds)), sizes.size),
         "train_size": np.repeat(sizes, len(folds))}
    )  # fmt: skip
    rows["n_train_samples"] = [len(job[3]) for job in jobs]
    rows["n_train_groups"] = pd.array(
        [pd.unique(group_arr[job[3]]).size if group_arr is not None else pd.NA for job in jobs],
        dtype="Int64",
    )
    rows["train_score"] = _natural(out[:, 0], loss)
    rows["test_score"] = _natural(out[:, 1], loss)
    rows["fit_time"], rows["score_time"] = out[:, 2], out[:, 3]
    rows.attrs["direction"] = _direction(loss)
    return LearningCurveResult(
        rows, metric, loss, unit, subsets, _model_name(estimator),
        tuple(tuple(s) for s in all_subsets), tuple(test for _, test in folds),
    )  # fmt: skip


# --------------------------------------------------------------------------- validation curve


@dataclass(frozen=True, eq=False)
class ValidationCurveResult:
    """Scores per hyperparameter value and fold, returned by :func:`validation_curve`.

    Attributes
    ----------
    scores : DataFrame
        One row per value x fold: ``param_index``, ``param_value``, ``fold``,
        ``train_score``, ``test_score`` (natural units), ``fit_time``, ``score_time``.
    param_name, metric, model : str
    loss : bool
        True when lower is better.
    """

    scores: pd.DataFrame
    param_name: str
    metric: str
    loss: bool
    model: str

    def to_frame(self) -> pd.DataFrame:
        """The per value x fold table (a copy of :attr:`scores`)."""
        return self.scores.copy()

    def summary(self) -> pd.DataFrame:
        """Mean train and test score, test SD and gap per value."""
        grouped = self.scores.groupby("param_index")
        table = grouped[["train_score", "test_score", "fit_time"]].mean()
        table.insert(0, "param_value", grouped["param_value"].first())
        table["test_std"] = grouped["test_score"].std(ddof=1)
        table["gap"] = (table["test_score"] - table["train_score"]) * (1 if self.loss else -1)
        return table.reset_index(drop=True)

    def best_value(self) -> Any:
        """The value with the best mean test score."""
        table = self.summary()
        scores = table["test_score"].to_numpy()
        return table["param_value"].iloc[int(np.argmin(scores) if self.loss else np.argmax(scores))]

    def plot(self, ax: Axes | None = None) -> Axes:
        """Train and test score against the hyperparameter, with a band of +-1 fold SD."""
        import matplotlib.pyplot as plt
        import seaborn as sns

        if ax is None:
            _, ax = plt.subplots()
        values = self.scores["param_value"]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
        x = "param_value" if numeric else "param_index"
        long = self.scores.melt(
            id_vars=[x, "fold"], value_vars=["train_score", "test_score"],
            var_name="part", value_name="score",
        )  # fmt: skip
        long["part"] = long["part"].map({"train_score": "train", "test_score": "test"})
        sns.lineplot(data=long, x=x, y="score", hue="part", style="part", markers=True,
                     errorbar="sd", ax=ax)  # fmt: skip
        if numeric and values.min() > 0 and values.max() / values.min() >= 100:
            ax.set_xscale("log")
        if not numeric:
            labels = self.scores.drop_duplicates("param_index")["param_value"].astype(str)
            ax.set_xticks(range(len(labels)), labels)
        ax.set_xlabel(self.param_name.split("__")[-1])
        ax.set_ylabel(f"{self.metric} ({_direction(self.loss)})")
        ax.set_title(f"Validation curve: {self.model}")
        ax.legend(title=None, loc="center left", bbox_to_anchor=(1.01, 0.5))
        return ax


def validation_curve(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    param_name: str,
    param_range: Sequence[Any],
    groups: Any = None,
    time: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_jobs: int | None = None,
    random_state: int | None = 0,
) -> ValidationCurveResult:
    """Cross-validated train and test scores for each value of one hyperparameter.

    Every value is scored on the same folds (resolved once, group- and time-aware, as
    in :func:`learning_curve`); the plain scikit-learn equivalent is
    :func:`sklearn.model_selection.validation_curve` with a fixed fold list.

    Parameters
    ----------
    estimator : scikit-learn estimator
    X, y : array-like
    param_name : str
        A parameter of ``estimator`` (``"model__C"`` inside a pipeline).
    param_range : sequence
        The values to try (at least one).
    groups, time, cv, scoring, n_jobs, random_state
        As in :func:`learning_curve`.

    Returns
    -------
    ValidationCurveResult

    Raises
    ------
    ValueError
        An unknown ``param_name``, an empty ``param_range``, ``time`` with missing
        values, and the checks of :func:`learning_curve`.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from mlkit.curves import validation_curve
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> result = validation_curve(LogisticRegression(), X, y, param_name="C",
    ...                           param_range=[0.01, 1.0])
    >>> result.summary()["param_value"].tolist()
    [0.01, 1.0]
    """
    y_arr = check_target(y, name="y")
    n_samples = check_consistent_length(X=X, y=y_arr)
    group_arr = None if groups is None else check_groups(groups, n_samples=n_samples)
    time_arr = None if time is None else _check_time(time, n_samples)
    valid = estimator.get_params(deep=True)
    if param_name not in valid:
        close = [p for p in valid if param_name.split("__")[-1] in p][:5]
        raise ValueError(
            f"param_name={param_name!r} is not a parameter of {_model_name(estimator)}; "
            f"use one of estimator.get_params() (e.g. {close or list(valid)[:5]})."
        )
    values = list(param_range)
    if not values:
        raise ValueError("param_range is empty; pass at least one value to try.")
    n_jobs = check_n_jobs(n_jobs)
    task = infer_task(y_arr)
    scorer, metric, loss = _scorer(scoring, task=task, y=y_arr)
    folds = _folds(cv, X, y_arr, group_arr, time_arr, 0 if random_state is None else random_state)
    jobs = [
        (estimator, X, y, train, test, scorer, {param_name: value})
        for value in values
        for train, test in folds
    ]
    out = np.array(_run(jobs, n_jobs), dtype=float)
    rows = pd.DataFrame(
        {"param_index": np.repeat(np.arange(len(values)), len(folds)),
         "param_value": pd.Series([v for v in values for _ in folds]),
         "fold": np.tile(np.arange(len(folds)), len(values)),
         "train_score": _natural(out[:, 0], loss), "test_score": _natural(out[:, 1], loss),
         "fit_time": out[:, 2], "score_time": out[:, 3]}
    )  # fmt: skip
    rows.attrs["direction"] = _direction(loss)
    return ValidationCurveResult(rows, param_name, metric, loss, _model_name(estimator))
