"""Ablation: remove or replace one part of a pipeline at a time, on the same folds.

:func:`ablate` answers "why does this model work?". Each *variant* changes one thing of a
reference pipeline (a step replaced or switched off, a hyperparameter, a feature group
dropped); every variant is scored on the reference's own repeated folds, so each
fold gives a paired difference, tested with the corrected repeated k-fold t-test
(:func:`mlkit.stats.corrected_ttest`) and Holm-adjusted across the variants
(:func:`mlkit.stats.holm`).

A variant is either

- a dict for ``set_params``: ``{"scale": "passthrough"}``, ``{"model": LogisticRegression()}``,
  ``{"model__max_depth": 2}``; or
- :class:`DropColumns` ``(["bili", "albumin"])``: drop a feature group from ``X``. Columns
  that a ``ColumnTransformer`` of the pipeline selects **by name** are removed from its
  column lists too (a transformer left with no column is skipped), so name-based
  pipelines keep working; selectors made with ``make_column_selector`` simply see the
  narrower ``X``. Integer or boolean column positions are refused (they would shift).

Everything is validated before the first fit: an unknown step, parameter or column
raises a ``ValueError`` naming the variant and the unknown name.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlkit.selection import _check_alpha, _check_estimator, _cross_validate, _direction, _setup

__all__ = ["Ablation", "DropColumns", "ablate"]


@dataclass(frozen=True)
class DropColumns:
    """A variant of :func:`ablate` that drops a group of columns from ``X``.

    Parameters
    ----------
    columns : list of str
        Column names of the ``X`` DataFrame (at least one).

    Examples
    --------
    >>> from mlkit.ablation import DropColumns
    >>> DropColumns(["bili", "albumin"]).columns
    ('bili', 'albumin')
    """

    columns: tuple[str, ...]

    def __init__(self, columns: Iterable[str]) -> None:
        if isinstance(columns, str):
            columns = [columns]
        cols = tuple(columns)
        if not cols:
            raise ValueError("columns is empty; pass at least one column name to drop.")
        object.__setattr__(self, "columns", cols)


# --------------------------------------------------------------------------- variants


def _close(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.5)
    return f" Did you mean {', '.join(map(repr, close))}?" if close else ""


def _column_transformers(estimator: Any) -> list[Any]:
    """Every ``ColumnTransformer`` inside ``estimator`` (itself included)."""
    from sklearn.compose import ColumnTransformer

    found = [estimator] if isinstance(estimator, ColumnTransformer) else []
    found += [
        v for v in estimator.get_params(deep=True).values() if isinstance(v, ColumnTransformer)
    ]
    unique: list[Any] = []
    for ct in found:
        if not any(ct is seen for seen in unique):
            unique.append(ct)
    return unique


def _drop_from_transformers(estimator: Any, columns: set[str], *, variant: str) -> Any:
    """A clone of ``estimator`` whose ColumnTransformers no longer name ``columns``."""
    from sklearn.base import clone

    model = clone(estimator)
    for ct in _column_transformers(model):
        new = []
        for name, transformer, selection in ct.transformers:
            if callable(selection):
                new.append((name, transformer, selection))
                continue
            if isinstance(selection, str):
                selection = [selection]
            values = (
                list(np.asarray(selection).ravel())
                if not isinstance(selection, list)
                else selection
            )
            if values and not all(isinstance(v, str) for v in values):
                raise ValueError(
                    f"variant {variant!r} drops columns, but the ColumnTransformer step "
                    f"{name!r} selects columns by position or mask ({selection!r}), which "
                    f"would shift; select them by name or with make_column_selector."
                )
            new.append((name, transformer, [v for v in values if v not in columns]))
        ct.set_params(transformers=new)
    return model


def _prepare_variants(estimator: Any, X: Any, variants: Any) -> dict[str, tuple[Any, Any]]:
    """Variant name -> (estimator, X) after validating every variant (nothing fitted)."""
    from sklearn.base import clone

    if not isinstance(variants, Mapping) or len(variants) == 0:
        raise ValueError(
            "variants must be a non-empty dict of name -> change, e.g. "
            "{'no scaling': {'scale': 'passthrough'}, 'no labs': DropColumns(['bili'])}."
        )
    prepared: dict[str, tuple[Any, Any]] = {}
    for name, change in variants.items():
        if not isinstance(name, str) or not name or name == "reference":
            raise ValueError(
                f"variants: every name must be a non-empty str other than 'reference', "
                f"got {name!r}."
            )
        if isinstance(change, DropColumns):
            if not isinstance(X, pd.DataFrame):
                raise ValueError(
                    f"variant {name!r} drops columns by name, but X is a "
                    f"{type(X).__name__}; pass X as a pandas DataFrame."
                )
            unknown = [c for c in change.columns if c not in X.columns]
            if unknown:
                raise ValueError(
                    f"variant {name!r} drops unknown column {unknown[0]!r}, not in X's "
                    f"columns.{_close(str(unknown[0]), map(str, X.columns))}"
                )
            if len(set(change.columns)) >= X.shape[1]:
                raise ValueError(
                    f"variant {name!r} drops every column of X; keep at least one feature."
                )
            model = _drop_from_transformers(estimator, set(change.columns), variant=name)
            prepared[name] = (model, X.drop(columns=list(change.columns)))
        elif isinstance(change, Mapping):
            if not change:
                raise ValueError(f"variant {name!r} is an empty dict; it changes nothing.")
            model = clone(estimator)
            # shallow names first, so {"model": Tree(), "model__max_depth": 2} works
            for key in sorted(change, key=lambda k: str(k).count("__")):
                current = model.get_params(deep=True)
                if key not in current:
                    step = str(key).split("__")[0]
                    what = "parameter" if step in current else "step or parameter"
                    raise ValueError(
                        f"variant {name!r} names unknown {what} {key!r} of the estimator."
                        f"{_close(str(key), current)} Valid names: "
                        f"estimator.get_params().keys()."
                    )
                try:
                    value = change[key]
                    if hasattr(value, "get_params") and not isinstance(value, type):
                        value = clone(value)  # never mutate the caller's estimator
                    model.set_params(**{key: value})
                except (ValueError, TypeError) as error:
                    raise ValueError(f"variant {name!r} cannot be set: {error}") from error
            prepared[name] = (model, X)
        else:
            raise ValueError(
                f"variant {name!r} must be a dict of set_params changes or DropColumns([...]), "
                f"got {type(change).__name__}."
            )
    return prepared


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class Ablation:
    """Each variant against the reference pipeline, paired on the same folds.

    Returned by :func:`ablate`. Scores in natural units (a loss positive).

    Attributes
    ----------
    table : DataFrame
        One row per variant (index ``variant``, in the given order):

        - ``score``: the variant's mean score; ``change``: mean paired change
          ``variant - reference`` in metric units (for a loss, > 0 means worse);
        - ``ci_low``, ``ci_high``: its ``confidence`` interval (corrected);
        - ``p_value``: two-sided corrected p-value; ``p_holm``: Holm-adjusted over the
          variants; ``significant``: ``p_holm < alpha``;
        - ``effect``: ``"worse"``, ``"better"`` or ``"no clear change"`` (from
          ``significant`` and the sign of the change).
    fold_scores : DataFrame
        One row per fold, one column for ``reference`` and each variant.
    reference_score : float
        Mean score of the reference.
    metric : str
        Readable metric name.
    greater_is_better : bool
        Direction of ``metric``.
    alpha, confidence : float
        Level of ``significant`` and of the intervals.
    n_repeats : int
        Repeats of the k-fold split (1 when ``cv`` was a splitter or a fold list).
    test_train_ratio : float
        Mean ``n_test / n_train`` of the folds, used by the correction.
    """

    table: pd.DataFrame
    fold_scores: pd.DataFrame
    reference_score: float
    metric: str
    greater_is_better: bool
    alpha: float
    confidence: float
    n_repeats: int
    test_train_ratio: float

    def to_frame(self) -> pd.DataFrame:
        """The per-variant table (a copy of :attr:`table`)."""
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Forest plot: each variant's mean change and corrected interval; 0 = no change.

        Significant variants (after Holm) are drawn in colour, the others in grey. The
        intervals are not Holm-adjusted, so an interval that just excludes 0 can be grey.
        Returns the matplotlib ``Axes``.
        """
        import matplotlib.pyplot as plt
        from matplotlib.lines import Line2D

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.5 * len(self.table) + 1.5))
        for i, (_, row) in enumerate(self.table.iterrows()):
            colour = {"worse": "C3", "better": "C2"}.get(row["effect"], "0.5")
            ax.errorbar(row["change"], i, xerr=[[row["change"] - row["ci_low"]],
                        [row["ci_high"] - row["change"]]], fmt="o", color=colour,
                        capsize=4, lw=2)  # fmt: skip
        ax.axvline(0.0, color="0.3", lw=1, ls="--")
        ax.set_yticks(range(len(self.table)), list(self.table.index))
        ax.invert_yaxis()
        ax.set_xlabel(
            f"change in {self.metric} vs reference ({_direction(self.greater_is_better)})"
        )
        ax.set_title(
            f"Ablation: reference {self.metric} = {self.reference_score:.3g}, "
            f"corrected {self.confidence:.0%} intervals"
        )
        handles = [Line2D([], [], color=c, marker="o", ls="", label=lab) for c, lab in
                   (("C3", "significantly worse"), ("C2", "significantly better"),
                    ("0.5", "no clear change"))]  # fmt: skip
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3,
                  fontsize="small")  # fmt: skip
        return ax


# --------------------------------------------------------------------------- ablate


def ablate(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    variants: Mapping[str, Any],
    groups: Any = None,
    time: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_repeats: int = 3,
    random_state: int = 0,
    n_jobs: int | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
) -> Ablation:
    """Change one part of ``estimator`` at a time and test each change on the same folds.

    The plain scikit-learn equivalent: draw one fold list, ``cross_validate`` the
    reference and ``clone(estimator).set_params(**change)`` (or the reference on
    ``X.drop(columns=...)``) on it, and t-test the per-fold differences with the
    corrected standard error ``s * sqrt(1/n + n_test/n_train)``.

    Parameters
    ----------
    estimator : scikit-learn estimator or pipeline (unfitted)
        The reference.
    X : array-like or DataFrame of shape (n_samples, n_features)
        A DataFrame when a variant drops columns.
    y : array-like of shape (n_samples,)
    variants : dict of str to dict or DropColumns
        Name -> one change: a dict of ``set_params`` values (a step replaced by another
        estimator or ``"passthrough"``, a hyperparameter), or :class:`DropColumns`. Column
        drops are applied to ``X`` and to the name lists of every ``ColumnTransformer``
        in the pipeline.
    groups, time, cv, scoring, n_repeats, random_state, n_jobs
        As in :func:`mlkit.selection.compare_models`: ``n_repeats`` shuffled
        repetitions of the folds :func:`mlkit.splits.choose_cv` picks (whole groups,
        stratified); ``time`` or a ``TimeSeriesSplit`` is refused.
    alpha : float, default=0.05
        Level of ``significant`` (after Holm).
    confidence : float, default=0.95
        Level of the intervals.

    Returns
    -------
    Ablation

    Raises
    ------
    ValueError
        Before any fit: an empty ``variants``, a variant naming an unknown step,
        parameter or column (the message names both), a column drop on a non-DataFrame
        or on a ColumnTransformer that selects by position, ``time``, and the data checks
        of :func:`~mlkit.selection.compare_models`. A variant that fails to fit raises a
        ``ValueError`` naming it.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.ablation import DropColumns, ablate
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["signal", "noise1", "noise2"])
    >>> y = 2 * X["signal"] + rng.normal(size=200)
    >>> result = ablate(LinearRegression(), X, y, scoring="rmse", variants={
    ...     "no signal": DropColumns(["signal"]), "no noise": DropColumns(["noise1", "noise2"])})
    >>> result.table["effect"].to_dict()
    {'no signal': 'worse', 'no noise': 'no clear change'}
    """
    from mlkit.stats import corrected_ttest, holm

    _check_estimator(estimator, name="estimator")
    alpha = _check_alpha(alpha)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence={confidence!r} must be strictly between 0 and 1.")
    prepared = _prepare_variants(estimator, X, variants)
    setup = _setup(
        X, y, groups=groups, time=time, cv=cv, scoring=scoring, n_repeats=n_repeats,
        random_state=random_state,
    )  # fmt: skip
    raw = {"reference": _cross_validate(estimator, X, setup, n_jobs=n_jobs)["test_score"]}
    for name, (model, X_variant) in prepared.items():
        try:
            raw[name] = _cross_validate(model, X_variant, setup, n_jobs=n_jobs)["test_score"]
        except Exception as error:  # re-raised below, with the variant's name
            raise ValueError(f"variant {name!r} failed to fit or score: {error}") from error
    sign = 1.0 if setup.greater_is_better else -1.0
    rows: dict[str, dict[str, Any]] = {}
    p_values = []
    for name in prepared:
        diff = sign * (raw[name] - raw["reference"])  # natural units
        test = corrected_ttest(diff, test_train_ratio=setup.test_train_ratio,
                               alternative="two-sided", confidence=confidence)  # fmt: skip
        rows[name] = {"score": float(sign * raw[name].mean()), "change": test.mean,
                      "ci_low": test.ci_low, "ci_high": test.ci_high,
                      "p_value": test.p_value}  # fmt: skip
        p_values.append(test.p_value)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "variant"
    table["p_holm"] = holm(p_values)
    table["significant"] = table["p_holm"] < alpha
    better = (table["change"] > 0) == setup.greater_is_better
    table["effect"] = np.where(
        table["significant"], np.where(better, "better", "worse"), "no clear change"
    )
    table.attrs["metric"] = setup.metric
    table.attrs["greater_is_better"] = setup.greater_is_better
    folds = pd.DataFrame(
        {n: sign * v for n, v in raw.items()}, index=pd.RangeIndex(len(setup.folds), name="fold")
    )
    return Ablation(
        table=table,
        fold_scores=folds,
        reference_score=float(sign * raw["reference"].mean()),
        metric=setup.metric,
        greater_is_better=setup.greater_is_better,
        alpha=alpha,
        confidence=float(confidence),
        n_repeats=setup.n_repeats,
        test_train_ratio=setup.test_train_ratio,
    )
