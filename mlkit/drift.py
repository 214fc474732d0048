"""Data drift tests, concept-drift detectors and a reference profile.

- :func:`data_drift` compares a reference sample (the training data) with current data,
  column by column, with the tests Evidently chooses by default, so the numbers can be
  compared with that tool (the rule is stated in the docstring). Every computation is
  scipy's (``ks_2samp``, ``chi2_contingency``, ``wasserstein_distance``,
  ``jensenshannon``, ``false_discovery_control``). The p-values are corrected across
  columns with Benjamini–Hochberg; the population stability index (PSI) is always
  reported next to the test.
- :func:`prediction_drift` and :func:`target_drift` run the same tests on a model's
  predictions and on the labels.
- :class:`DriftProfile` keeps what a later check needs from the reference data (a row
  sample, bin edges, category counts, row count) as plain JSON + Parquet (no pickle).
- :func:`detect_changes` runs one of river's concept-drift detectors (ADWIN,
  Page–Hinkley, DDM) over an error stream and returns where it fired.

river and matplotlib are imported inside the functions that use them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlkit._validation import check_features, check_fitted, check_positive_int

__all__ = [
    "DETECTORS",
    "METHODS",
    "DriftProfile",
    "DriftReport",
    "data_drift",
    "detect_changes",
    "population_stability_index",
    "prediction_drift",
    "target_drift",
]

#: Tests :func:`data_drift` knows ("auto" picks one per column).
METHODS = ("auto", "ks", "wasserstein", "chi2", "z", "jensenshannon")
#: Tests that give a p-value (the others give a distance).
P_VALUE_TESTS = frozenset({"ks", "chi2", "z"})
NUMERIC_ONLY = frozenset({"ks", "wasserstein"})
#: Evidently's switch: exact tests while the reference has at most this many rows.
SMALL_REFERENCE = 1000
#: Evidently treats a numeric column with at most this many distinct values as categorical.
FEW_VALUES = 5
#: river detectors by name (module path, class name).
DETECTORS: dict[str, tuple[str, str]] = {
    "adwin": ("river.drift", "ADWIN"),
    "page_hinkley": ("river.drift", "PageHinkley"),
    "ddm": ("river.drift.binary", "DDM"),
}
_PSI_FLOOR = 1e-4  # bin share floor, so an empty bin gives a large but finite PSI


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True, eq=False)
class DriftProfile:
    """What a drift check needs to remember about the reference data.

    Build it with :meth:`from_frame`; :meth:`save` writes ``profile.json`` (row count,
    column kinds, standard deviations, PSI bin edges and shares, category counts) and
    ``sample.parquet`` (at most ``max_rows`` reference rows drawn at random) into a
    folder; :meth:`load` reads them back. Nothing is pickled.

    With a profile, :func:`data_drift` chooses the test from the *full* reference row
    count, runs exact tests (KS, χ², Z) and the Wasserstein distance on the stored
    sample, and computes the Jensen–Shannon distance, χ²/Z counts of categories and PSI
    from the full-reference summaries. A reference of at most ``max_rows`` rows is
    stored whole, so the result then equals the one on the reference frame itself.

    Attributes
    ----------
    n_rows : int
        Rows of the full reference.
    kinds : dict of str to {"numeric", "categorical"}
    sample : DataFrame
        The stored reference rows.
    std : dict of str to float
        Standard deviation of each numeric column (full reference).
    edges, shares : dict of str to list of float
        PSI bins of each numeric column (reference deciles) and the reference share
        of each bin.
    counts : dict of str to dict
        Category counts of each categorical column and of each numeric column with at
        most 5 distinct values (full reference; keys as strings).
    """

    n_rows: int
    kinds: dict[str, str]
    sample: pd.DataFrame = field(repr=False)
    std: dict[str, float] = field(repr=False)
    edges: dict[str, list[float]] = field(repr=False)
    shares: dict[str, list[float]] = field(repr=False)
    counts: dict[str, dict[str, int]] = field(repr=False)

    @property
    def columns(self) -> list[str]:
        """The profiled columns, in order."""
        return list(self.kinds)

    @classmethod
    def from_frame(
        cls,
        reference: pd.DataFrame,
        *,
        max_rows: int = 5000,
        n_bins: int = 10,
        random_state: int = 0,
    ) -> DriftProfile:
        """Profile a reference frame.

        Parameters
        ----------
        reference : DataFrame
        max_rows : int, default=5000
            Rows kept for the exact tests (a random sample, in the original order).
        n_bins : int, default=10
            Quantile bins for PSI.
        random_state : int, default=0

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from mlkit.drift import DriftProfile
        >>> frame = pd.DataFrame({"x": np.arange(10_000.0), "c": ["a", "b"] * 5000})
        >>> profile = DriftProfile.from_frame(frame, max_rows=500)
        >>> profile.n_rows, len(profile.sample), profile.kinds
        (10000, 500, {'x': 'numeric', 'c': 'categorical'})
        """
        frame = _check_frame(reference, name="reference")
        check_positive_int(n_bins, name="n_bins", minimum=2)
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 10:
            raise ValueError(f"max_rows={max_rows!r} must be an int >= 10, e.g. 5000.")
        n = len(frame)
        rows = np.arange(n)
        if n > max_rows:
            rows = np.sort(np.random.default_rng(random_state).choice(n, max_rows, replace=False))
        kinds, std, edges, shares, counts = {}, {}, {}, {}, {}
        for column in frame.columns:
            name = str(column)
            values = frame[column]
            kind = _kind(values)
            kinds[name] = kind
            if kind == "numeric":
                arr = _clean_numeric(values)
                std[name] = float(np.std(arr)) if arr.size else float("nan")
                e = _quantile_edges(arr, n_bins)
                edges[name] = e.tolist()
                shares[name] = _bin_shares(arr, e).tolist()
                if _few_values(arr, arr[:0]):  # tested like a categorical column
                    counts[name] = {str(k): int(v) for k, v in _value_counts(values).items()}
            else:
                vc = _value_counts(values)
                counts[name] = {str(k): int(v) for k, v in vc.items()}
        sample = frame.iloc[rows].reset_index(drop=True)
        sample.columns = [str(c) for c in sample.columns]
        return cls(n, kinds, sample, std, edges, shares, counts)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``profile.json`` and ``sample.parquet`` into ``folder``; returns it."""
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": "mlkit.drift.DriftProfile/1",
            "n_rows": self.n_rows,
            "kinds": self.kinds,
            "std": self.std,
            "edges": self.edges,
            "shares": self.shares,
            "counts": self.counts,
        }
        sample = self.sample.copy()
        for name, kind in self.kinds.items():
            if kind == "categorical":  # one dtype per column, whatever the source mixed
                sample[name] = sample[name].map(lambda v: None if pd.isna(v) else str(v))
        sample.to_parquet(path / "sample.parquet", index=False)
        (path / "profile.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> DriftProfile:
        """Read a profile written by :meth:`save`.

        Examples
        --------
        >>> import tempfile, pandas as pd
        >>> from mlkit.drift import DriftProfile
        >>> profile = DriftProfile.from_frame(pd.DataFrame({"x": range(100)}))
        >>> DriftProfile.load(profile.save(tempfile.mkdtemp())).n_rows
        100
        """
        path = Path(folder)
        meta_path, sample_path = path / "profile.json", path / "sample.parquet"
        if not meta_path.is_file() or not sample_path.is_file():
            raise ValueError(
                f"folder={str(path)!r} holds no drift profile (profile.json and "
                f"sample.parquet); write one with DriftProfile.save()."
            )
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != "mlkit.drift.DriftProfile/1":
            raise ValueError(f"{meta_path} is not an mlkit drift profile (format key).")
        sample = pd.read_parquet(sample_path)
        for name, kind in meta["kinds"].items():
            if kind == "categorical":
                sample[name] = sample[name].astype(object)
        return cls(
            int(meta["n_rows"]),
            dict(meta["kinds"]),
            sample,
            {k: float(v) for k, v in meta["std"].items()},
            meta["edges"],
            meta["shares"],
            meta["counts"],
        )


# --------------------------------------------------------------------------- report


@dataclass(frozen=True, eq=False)
class DriftReport:
    """Result of :func:`data_drift`: one row per column.

    Attributes
    ----------
    table : DataFrame
        Index ``column``; ``kind``, ``test``, ``statistic`` (KS D, χ², Z, or the
        distance), ``p_value`` (raw; NaN for distances), ``p_adjusted``
        (Benjamini–Hochberg across the p-value columns), ``distance`` (NaN for
        p-value tests), ``threshold`` (alpha or the distance threshold),
        ``drifted``, ``psi``, ``n_reference``, ``n_current``.
    alpha, threshold, drift_share : float
        The settings used.
    """

    table: pd.DataFrame
    alpha: float
    threshold: float
    drift_share: float

    @property
    def share_drifted(self) -> float:
        """Share of the columns flagged as drifted (after the correction)."""
        return float(self.table["drifted"].mean()) if len(self.table) else 0.0

    @property
    def drifted(self) -> bool:
        """Dataset drift: at least ``drift_share`` of the columns drifted (Evidently's rule)."""
        return bool(self.share_drifted >= self.drift_share and self.table["drifted"].any())

    @property
    def drifted_columns(self) -> list[str]:
        """The names of the drifted columns."""
        return [str(c) for c in self.table.index[self.table["drifted"].to_numpy(bool)]]

    def to_frame(self) -> pd.DataFrame:
        """The per-column table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        """One line: drifted columns out of all, and the dataset verdict."""
        verdict = "dataset drift" if self.drifted else "no dataset drift"
        names = ", ".join(self.drifted_columns) or "none"
        return (
            f"{len(self.drifted_columns)} of {len(self.table)} columns drifted "
            f"(share {self.share_drifted:.2f}, dataset drift at >= {self.drift_share:g}): "
            f"{verdict}; drifted: {names}"
        )

    def plot(self, ax: Any = None) -> Any:
        """Bars of PSI per column, coloured by the drift verdict; returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(self.table) + 1.5))
        table = self.table.sort_values("psi")
        colours = ["tab:red" if d else "tab:blue" for d in table["drifted"]]
        ax.barh([str(c) for c in table.index], table["psi"], color=colours)
        for level, style in ((0.1, ":"), (0.25, "--")):
            ax.axvline(level, color="grey", linestyle=style, linewidth=1)
        ax.set_xlabel("PSI (reference-decile bins; 0.1 and 0.25 marked)")
        ax.set_title("Drift per column (red: test says drifted)")
        return ax


# --------------------------------------------------------------------------- data_drift


def data_drift(
    reference: pd.DataFrame | DriftProfile,
    current: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    method: str | Mapping[str, str] = "auto",
    alpha: float = 0.05,
    threshold: float = 0.1,
    drift_share: float = 0.5,
    n_bins: int = 10,
) -> DriftReport:
    """Test every column of ``current`` for drift against ``reference``.

    The ``"auto"`` rule is the one Evidently documents as its default, decided per
    column on the size of the *reference*:

    ========================  ===============================  ============================
    column                    reference <= 1,000 rows          reference > 1,000 rows
    ========================  ===============================  ============================
    numeric, > 5 values       two-sample Kolmogorov–Smirnov    Wasserstein distance / std
                              (drift if p < alpha)             of the reference (>= 0.1)
    categorical, or numeric   χ² (``chi2_contingency`` on the  Jensen–Shannon distance of
    with <= 5 values          2 x k table), or a two-          the category shares
                              proportion Z-test if <= 2 values (drift if >= 0.1)
    ========================  ===============================  ============================

    The distinct values are counted on both samples together. One difference from
    Evidently: its χ² is a goodness-of-fit test against the reference shares; here
    both samples are samples (``chi2_contingency``, no continuity correction). The Z
    statistic is the signed square root of the 2 x 2 χ², which is the pooled
    two-proportion Z-test with the same p-value.

    The p-values of the test columns are adjusted together with Benjamini–Hochberg
    (``scipy.stats.false_discovery_control``) and a column drifts when its adjusted
    p-value is below ``alpha``; distances are compared with ``threshold``, without
    correction. The dataset drifts when at least ``drift_share`` of the columns drift
    (Evidently's default 0.5). PSI on ``n_bins`` reference-quantile bins (categories
    for categorical columns) is reported for every column; it does not decide.
    Missing values are dropped before testing.

    Parameters
    ----------
    reference : DataFrame or DriftProfile
        The data the model was trained on, or its saved profile.
    current : DataFrame
        New data with the same columns (extra columns are an error unless
        ``columns`` selects).
    columns : sequence of str or None, default=None
        Columns to test; ``None`` tests every column of the reference.
    method : str or mapping, default="auto"
        One of :data:`METHODS` for every column, or a mapping column -> method
        (columns left out use ``"auto"``).
    alpha : float, default=0.05
        Level of the p-value tests (after correction).
    threshold : float, default=0.1
        Threshold of the distances.
    drift_share : float, default=0.5
        Share of drifted columns that makes the dataset drift.
    n_bins : int, default=10
        PSI bins.

    Returns
    -------
    DriftReport

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from mlkit.drift import data_drift
    >>> rng = np.random.default_rng(0)
    >>> ref = pd.DataFrame({"x": rng.normal(size=500), "c": rng.choice(["a", "b"], 500)})
    >>> cur = pd.DataFrame({"x": rng.normal(1, 1, 500), "c": rng.choice(["a", "b"], 500)})
    >>> report = data_drift(ref, cur)
    >>> report.to_frame()["test"].tolist(), report.drifted_columns
    (['ks', 'z'], ['x'])
    """
    _check_fraction(alpha, "alpha")
    _check_fraction(drift_share, "drift_share")
    check_positive_int(n_bins, name="n_bins", minimum=2)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise ValueError(f"threshold={threshold!r} must be a positive number, e.g. 0.1.")
    profile = reference if isinstance(reference, DriftProfile) else None
    ref_frame = profile.sample if profile is not None else _check_frame(reference, name="reference")
    cur_frame = _check_frame(current, name="current")
    ref_columns = profile.columns if profile is not None else [str(c) for c in ref_frame.columns]
    names = _select_columns(ref_columns, [str(c) for c in cur_frame.columns], columns)
    methods = _methods(method, names)
    n_ref_total = profile.n_rows if profile is not None else len(ref_frame)
    rows = []
    for name in names:
        ref_col, cur_col = _column(ref_frame, name), _column(cur_frame, name)
        kind = profile.kinds[name] if profile is not None else _kind(ref_col)
        if (_kind(cur_col) != kind) and cur_col.notna().any():
            raise ValueError(
                f"column {name!r} is {kind} in reference but {_kind(cur_col)} in current; "
                f"convert it to one type in both frames."
            )
        rows.append(
            _test_column(
                name,
                kind,
                ref_col,
                cur_col,
                method=methods[name],
                n_ref_total=n_ref_total,
                profile=profile,
                threshold=float(threshold),
                n_bins=n_bins,
            )
        )
    table = pd.DataFrame(rows).set_index("column") if rows else _empty_table()
    p_mask = table["test"].isin(P_VALUE_TESTS) & table["p_value"].notna()
    table["p_adjusted"] = np.nan
    if p_mask.any():
        from scipy.stats import false_discovery_control

        table.loc[p_mask, "p_adjusted"] = false_discovery_control(
            table.loc[p_mask, "p_value"].to_numpy(float), method="bh"
        )
    table["threshold"] = np.where(table["test"].isin(P_VALUE_TESTS), alpha, threshold)
    drifted = np.where(
        table["test"].isin(P_VALUE_TESTS),
        table["p_adjusted"] < alpha,
        table["distance"] >= threshold,
    )
    table["drifted"] = drifted.astype(bool)
    order = ["kind", "test", "statistic", "p_value", "p_adjusted", "distance", "threshold",
             "drifted", "psi", "n_reference", "n_current"]  # fmt: skip
    return DriftReport(table[order], float(alpha), float(threshold), float(drift_share))


def _test_column(
    name: str,
    kind: str,
    ref_col: pd.Series,
    cur_col: pd.Series,
    *,
    method: str,
    n_ref_total: int,
    profile: DriftProfile | None,
    threshold: float,
    n_bins: int,
) -> dict[str, Any]:
    from scipy import stats
    from scipy.spatial.distance import jensenshannon

    row: dict[str, Any] = {"column": name, "kind": kind, "statistic": np.nan,
                           "p_value": np.nan, "distance": np.nan, "psi": np.nan}  # fmt: skip
    if kind == "numeric":
        ref, cur = _clean_numeric(ref_col), _clean_numeric(cur_col)
        few = _few_values(ref, cur)
        ref_counts = cur_counts = None
        if few or method in ("chi2", "z", "jensenshannon"):
            ref_counts, cur_counts = _counts_pair(ref_col, cur_col, profile, name)
    else:
        ref_counts, cur_counts = _counts_pair(ref_col, cur_col, profile, name)
        few = True
    if method == "auto":
        small = n_ref_total <= SMALL_REFERENCE
        if kind == "numeric" and not few:
            method = "ks" if small else "wasserstein"
        elif small:
            assert ref_counts is not None and cur_counts is not None
            method = "z" if len(ref_counts.index.union(cur_counts.index)) <= 2 else "chi2"
        else:
            method = "jensenshannon"
    if method in NUMERIC_ONLY and kind != "numeric":
        raise ValueError(
            f"method={method!r} needs a numeric column but {name!r} is categorical; use "
            f"'chi2', 'z', 'jensenshannon' or 'auto' for it."
        )
    row["test"] = method
    if kind == "numeric" and ref_counts is None:
        row["n_reference"], row["n_current"] = int(ref.size), int(cur.size)
        if ref.size and cur.size:
            if method == "ks":
                result = stats.ks_2samp(ref, cur)
                row["statistic"], row["p_value"] = float(result.statistic), float(result.pvalue)
            else:
                scale = profile.std[name] if profile is not None else float(np.std(ref))
                distance = float(stats.wasserstein_distance(ref, cur)) / max(scale, 1e-3)
                row["statistic"] = row["distance"] = distance
        edges = (
            np.asarray(profile.edges[name]) if profile is not None else _quantile_edges(ref, n_bins)
        )
        ref_shares = (
            np.asarray(profile.shares[name]) if profile is not None else _bin_shares(ref, edges)
        )
        if cur.size:
            row["psi"] = _psi(ref_shares, _bin_shares(cur, edges))
        return row
    assert ref_counts is not None and cur_counts is not None
    categories = ref_counts.index.union(cur_counts.index)
    r = ref_counts.reindex(categories, fill_value=0).to_numpy(float)
    c = cur_counts.reindex(categories, fill_value=0).to_numpy(float)
    row["n_reference"], row["n_current"] = int(r.sum()), int(c.sum())
    if method == "jensenshannon":
        if r.sum() and c.sum():
            distance = float(jensenshannon(r / r.sum(), c / c.sum()))
            row["statistic"] = row["distance"] = distance
    elif method in ("chi2", "z"):
        if method == "z" and len(categories) > 2:
            raise ValueError(
                f"method='z' compares two proportions but {name!r} has {len(categories)} "
                f"categories; use 'chi2'."
            )
        table = np.vstack([r, c])
        table = table[:, table.sum(axis=0) > 0]
        if table.shape[1] >= 2 and r.sum() and c.sum():
            chi2, p, _, _ = stats.chi2_contingency(table, correction=False)
            if method == "z":
                sign = np.sign(c[0] / c.sum() - r[0] / r.sum())
                row["statistic"] = float(sign * np.sqrt(chi2))
            else:
                row["statistic"] = float(chi2)
            row["p_value"] = float(p)
        elif r.sum() and c.sum():  # one category on both sides: nothing changed
            row["statistic"], row["p_value"] = 0.0, 1.0
    else:
        raise ValueError(f"method={method!r} needs a numeric column; {name!r} has few values.")
    if r.sum() and c.sum():
        row["psi"] = _psi(r / r.sum(), c / c.sum())
    return row


def population_stability_index(
    reference: Any, current: Any, *, n_bins: int = 10, categorical: bool = False
) -> float:
    """PSI of ``current`` against ``reference`` on reference-quantile bins.

    ``sum((c - r) * ln(c / r))`` over bins, with shares floored at 1e-4. Common reading:
    below 0.1 stable, 0.1 to 0.25 moderate shift, above 0.25 large shift.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.drift import population_stability_index
    >>> x = np.random.default_rng(0).normal(size=5000)
    >>> round(population_stability_index(x, x), 6)
    0.0
    """
    check_positive_int(n_bins, name="n_bins", minimum=2)
    if categorical:
        rc = _value_counts(pd.Series(np.asarray(reference, dtype=object)))
        cc = _value_counts(pd.Series(np.asarray(current, dtype=object)))
        cats = rc.index.union(cc.index)
        r = rc.reindex(cats, fill_value=0).to_numpy(float)
        c = cc.reindex(cats, fill_value=0).to_numpy(float)
        return _psi(r / r.sum(), c / c.sum())
    ref = _clean_numeric(pd.Series(np.asarray(reference, dtype=float)))
    cur = _clean_numeric(pd.Series(np.asarray(current, dtype=float)))
    if ref.size == 0 or cur.size == 0:
        raise ValueError("reference and current need at least one non-missing value each.")
    edges = _quantile_edges(ref, n_bins)
    return _psi(_bin_shares(ref, edges), _bin_shares(cur, edges))


def prediction_drift(
    model: Any, reference: pd.DataFrame, current: pd.DataFrame, **kwargs: Any
) -> DriftReport:
    """Drift of a model's outputs: :func:`data_drift` on its predictions.

    A binary classifier's positive-class probability is used when it has
    ``predict_proba``; otherwise ``predict``. ``kwargs`` go to :func:`data_drift`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.drift import prediction_drift
    >>> X = pd.DataFrame({"x": np.arange(200.0)})
    >>> model = LinearRegression().fit(X, X["x"])
    >>> bool(prediction_drift(model, X, X + 100).table.loc["prediction", "drifted"])
    True
    """
    check_fitted(model, name="model")
    _check_frame(reference, name="reference")
    _check_frame(current, name="current")
    return data_drift(
        pd.DataFrame({"prediction": _predict(model, reference)}),
        pd.DataFrame({"prediction": _predict(model, current)}),
        **kwargs,
    )


def target_drift(reference: Any, current: Any, **kwargs: Any) -> DriftReport:
    """Drift of the labels: :func:`data_drift` on the two target vectors.

    Examples
    --------
    >>> from mlkit.drift import target_drift
    >>> target_drift([0, 1] * 200, [0] * 300 + [1] * 100).table.loc["target", "test"]
    'z'
    """
    from mlkit._validation import as_1d

    ref = as_1d(reference, name="reference")
    cur = as_1d(current, name="current")
    return data_drift(pd.DataFrame({"target": ref}), pd.DataFrame({"target": cur}), **kwargs)


# --------------------------------------------------------------------------- detectors


def detect_changes(errors: Any, *, detector: str = "adwin", **params: Any) -> np.ndarray:
    """Positions where a river concept-drift detector fires on an error stream.

    Parameters
    ----------
    errors : 1-D array-like
        One value per prediction, in time order: 0/1 mistakes (required by ``"ddm"``)
        or absolute errors.
    detector : {"adwin", "page_hinkley", "ddm"}, default="adwin"
        ``river.drift.ADWIN``, ``river.drift.PageHinkley`` or
        ``river.drift.binary.DDM``.
    **params
        Passed to the river detector (e.g. ``delta=0.002`` for ADWIN).

    Returns
    -------
    ndarray of int
        Positions (0-based) of the values after which the detector signalled a change.
        river's detectors reset themselves after a detection.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.drift import detect_changes
    >>> rng = np.random.default_rng(0)
    >>> stream = np.r_[rng.binomial(1, 0.1, 1000), rng.binomial(1, 0.5, 1000)]
    >>> detect_changes(stream, detector="adwin").tolist()
    [1055]
    """
    from mlkit._validation import as_1d

    if detector not in DETECTORS:
        raise ValueError(f"detector={detector!r} is not known; use one of {', '.join(DETECTORS)}.")
    arr = as_1d(errors, name="errors")
    try:
        values = arr.astype(float)
    except (TypeError, ValueError):
        raise ValueError("errors must be numbers (0/1 mistakes or absolute errors).") from None
    if not np.isfinite(values).all():
        raise ValueError("errors contain NaN or infinite values; drop or fill them first.")
    if detector == "ddm" and not np.isin(values, (0.0, 1.0)).all():
        raise ValueError(
            "errors must be 0/1 (1 = mistake) for detector='ddm'; use 'adwin' or "
            "'page_hinkley' for real-valued errors."
        )
    instance = make_detector(detector, **params)
    hits = []
    stream = values.astype(bool).tolist() if detector == "ddm" else values.tolist()
    update = instance.update
    for i, value in enumerate(stream):
        update(value)
        if instance.drift_detected:
            hits.append(i)
    return np.asarray(hits, dtype=int)


def make_detector(detector: str, **params: Any) -> Any:
    """A fresh river detector by name (see :data:`DETECTORS`)."""
    import importlib

    if detector not in DETECTORS:
        raise ValueError(f"detector={detector!r} is not known; use one of {', '.join(DETECTORS)}.")
    module, cls = DETECTORS[detector]
    try:
        return getattr(importlib.import_module(module), cls)(**params)
    except TypeError as error:
        raise ValueError(f"params for detector={detector!r}: {error}") from None


# --------------------------------------------------------------------------- helpers


def _check_frame(frame: Any, *, name: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"{name} must be a pandas DataFrame, got {type(frame).__name__}; wrap arrays "
            f"with pd.DataFrame(values, columns=[...])."
        )
    if len(frame) == 0:
        raise ValueError(f"{name} has no rows; pass at least one row.")
    # duplicate column names and inf; identifiers are fine here (nothing is fitted)
    return check_features(frame, name=name, warn_identifiers=False)


def _check_fraction(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ValueError(f"{name}={value!r} must be a number strictly between 0 and 1.")


def _select_columns(
    ref_columns: list[str], cur_columns: list[str], columns: Sequence[str] | None
) -> list[str]:
    if columns is not None:
        if isinstance(columns, str):
            columns = [columns]
        names = [str(c) for c in columns]
        if not names:
            raise ValueError("columns is empty; pass column names or None for all.")
        for side, have in (("reference", ref_columns), ("current", cur_columns)):
            missing = [c for c in names if c not in have]
            if missing:
                raise ValueError(f"columns {missing} are not in {side}; check the names.")
        return names
    only_ref = [c for c in ref_columns if c not in cur_columns]
    only_cur = [c for c in cur_columns if c not in ref_columns]
    if only_ref or only_cur:
        raise ValueError(
            f"reference and current have different columns: only in reference {only_ref}, "
            f"only in current {only_cur}; pass columns=[...] or align the frames."
        )
    return ref_columns


def _methods(method: str | Mapping[str, str], names: list[str]) -> dict[str, str]:
    chosen = dict.fromkeys(names, "auto")
    if isinstance(method, Mapping):
        unknown = [c for c in method if c not in names]
        if unknown:
            raise ValueError(f"method names columns {unknown} that are not tested.")
        chosen.update({str(k): v for k, v in method.items()})
    else:
        chosen = dict.fromkeys(names, method)
    for value in chosen.values():
        if value not in METHODS:
            raise ValueError(f"method={value!r} is not known; use one of {', '.join(METHODS)}.")
    return chosen


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return frame[next(c for c in frame.columns if str(c) == name)]


def _kind(values: pd.Series) -> str:
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "categorical"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    return "categorical"


def _clean_numeric(values: pd.Series) -> np.ndarray:
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    mask = np.isnan(arr)
    return arr[~mask] if mask.any() else arr


def _few_values(ref: np.ndarray, cur: np.ndarray) -> bool:
    """At most FEW_VALUES distinct values in both together (cheap when there are many)."""
    head = np.unique(np.concatenate([ref[:2000], cur[:2000]]))
    if head.size > FEW_VALUES:
        return False
    return np.unique(np.concatenate([ref, cur])).size <= FEW_VALUES


def _value_counts(values: pd.Series) -> pd.Series:
    counts = values.dropna().astype(object).map(str).value_counts(sort=False)
    return counts


def _counts_pair(
    ref_col: pd.Series, cur_col: pd.Series, profile: DriftProfile | None, name: str
) -> tuple[pd.Series, pd.Series]:
    cur = _value_counts(cur_col)
    if profile is not None and name in profile.counts:
        ref = pd.Series(profile.counts[name], dtype="int64")
    else:
        ref = _value_counts(ref_col)
    return ref, cur


def _quantile_edges(values: np.ndarray, n_bins: int) -> np.ndarray:
    if values.size == 0:
        return np.array([], dtype=float)
    inner = np.unique(np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1]))
    return inner


def _bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Shares of ``values`` in the bins (-inf, e1], (e1, e2], ..., (ek, inf)."""
    codes = np.searchsorted(edges, values, side="left")
    counts = np.bincount(codes, minlength=edges.size + 1).astype(float)
    return counts / max(values.size, 1)


def _psi(ref_shares: np.ndarray, cur_shares: np.ndarray) -> float:
    r = np.maximum(np.asarray(ref_shares, float), _PSI_FLOOR)
    c = np.maximum(np.asarray(cur_shares, float), _PSI_FLOOR)
    return float(np.sum((c - r) * np.log(c / r)))


def _predict(model: Any, X: pd.DataFrame) -> np.ndarray:
    if hasattr(model, "predict_proba") and len(getattr(model, "classes_", [])) == 2:
        return np.asarray(model.predict_proba(X))[:, 1]
    return np.asarray(model.predict(X))


def _empty_table() -> pd.DataFrame:
    columns = ["kind", "test", "statistic", "p_value", "distance", "psi", "n_reference",
               "n_current"]  # fmt: skip
    return pd.DataFrame(columns=columns, index=pd.Index([], name="column"))
