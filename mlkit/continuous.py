"""Replay retraining policies over a time-ordered history.

:func:`replay` answers "which retraining policy would have served us best on our own
history?". It walks the data period by period (months by default): the deployed model
predicts each period and is scored on it; the labels of a period become usable
``label_delay`` periods later; at the end of each period a *policy* decides whether to
fit a *challenger*, and a *gate* decides whether the challenger replaces the champion.

Policies (small frozen objects, or the strings ``"never"`` and ``"always"``):

- :func:`never`: keep the first model;
- :func:`every`: retrain every ``k`` periods;
- :func:`on_data_drift`: retrain when :func:`mlkit.drift.data_drift` flags at least a
  share of the feature columns of the latest period against the champion's training rows;
- :func:`on_performance`: retrain when the latest labelled period scores worse than a
  threshold, or when a river detector (:func:`mlkit.drift.detect_changes`) fires on
  the deployed model's per-row errors.

The gate (:class:`ScoreGate`) works on in-memory models: the challenger is fitted
without the latest labelled period, both models are scored on that period, and the
challenger is promoted only if it beats the champion by more than ``margin`` (and,
with ``n_bootstrap > 0``, if the lower bound of a paired bootstrap of the gain over the
rows also clears the margin). It never promotes a challenger it scored below the
champion. (The registry's gate, :func:`mlkit.tracking.promote_if_better`, does the same
job for registered versions.)

matplotlib is imported inside the plotting functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "GateResult",
    "OnDataDrift",
    "OnPerformance",
    "Policy",
    "ReplayResult",
    "ScoreGate",
    "compare_replays",
    "every",
    "never",
    "on_data_drift",
    "on_performance",
    "plot_replays",
    "replay",
]


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True, eq=False)
class Context:
    """What a policy may look at when period ``period`` has just ended.

    ``labelled_score`` / ``labelled_errors`` belong to the latest period whose labels
    arrived at this moment (``None`` when none arrived or that period was warm-up);
    ``drift_share`` is the share of drifted feature columns of the period that just
    ended (features arrive without delay); ``greater_is_better`` orients the score.
    """

    period: int
    since_retrain: int
    labelled_score: float | None
    labelled_errors: np.ndarray | None
    drift_share: float
    greater_is_better: bool


@dataclass(frozen=True)
class Policy:
    """Base class: ``decide`` returns (retrain?, detector fired?).

    Subclasses that read ``context.labelled_errors`` keep ``needs_errors = True``
    (the per-row errors cost one more prediction per period).
    """

    needs_errors = True

    def decide(self, context: Context, memory: dict[str, Any]) -> tuple[bool, bool]:
        raise NotImplementedError  # pragma: no cover

    def reset(self, memory: dict[str, Any]) -> None:
        """Called after each retrain (a detector starts afresh)."""

    @property
    def label(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Never(Policy):
    """Keep the first model."""

    needs_errors = False

    def decide(self, context: Context, memory: dict[str, Any]) -> tuple[bool, bool]:
        return False, False

    @property
    def label(self) -> str:
        return "never"


@dataclass(frozen=True)
class Every(Policy):
    """Retrain every ``k`` periods."""

    needs_errors = False

    k: int = 1

    def decide(self, context: Context, memory: dict[str, Any]) -> tuple[bool, bool]:
        return (context.period + 1) % self.k == 0, False

    @property
    def label(self) -> str:
        return "every period" if self.k == 1 else f"every {self.k} periods"


@dataclass(frozen=True)
class OnDataDrift(Policy):
    """Retrain when at least ``share`` of the feature columns drifted."""

    needs_errors = False

    share: float = 0.5

    def decide(self, context: Context, memory: dict[str, Any]) -> tuple[bool, bool]:
        return bool(context.drift_share >= self.share), False

    @property
    def label(self) -> str:
        return f"data drift >= {self.share:g}"


@dataclass(frozen=True)
class OnPerformance(Policy):
    """Retrain when the labelled score crosses ``threshold`` or a detector fires."""

    threshold: float | None = None
    detector: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def decide(self, context: Context, memory: dict[str, Any]) -> tuple[bool, bool]:
        retrain = fired = False
        if self.threshold is not None and context.labelled_score is not None:
            worse = (
                context.labelled_score < self.threshold
                if context.greater_is_better
                else context.labelled_score > self.threshold
            )
            retrain = bool(worse)
        if self.detector is not None and context.labelled_errors is not None:
            from mlkit.drift import make_detector

            if "detector" not in memory:
                memory["detector"] = make_detector(self.detector, **dict(self.params))
            instance = memory["detector"]
            values = context.labelled_errors
            values = values.astype(bool).tolist() if self.detector == "ddm" else values.tolist()
            for value in values:
                instance.update(value)
                if instance.drift_detected:
                    fired = True
            retrain = retrain or fired
        return retrain, fired

    def reset(self, memory: dict[str, Any]) -> None:
        memory.pop("detector", None)

    @property
    def label(self) -> str:
        if self.detector is not None:
            return f"detector {self.detector}"
        return f"score threshold {self.threshold:g}"


def never() -> Never:
    """Policy: keep the first model."""
    return Never()


def every(k: int = 1) -> Every:
    """Policy: retrain every ``k`` periods (``every(1)`` retrains each period)."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k={k!r} must be an int >= 1 (retrain every k periods).")
    return Every(k)


def on_data_drift(share: float = 0.5) -> OnDataDrift:
    """Policy: retrain when at least ``share`` (in (0, 1]) of the columns drifted."""
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise ValueError(f"share={share!r} must be a number in (0, 1], e.g. 0.5.")
    return OnDataDrift(float(share))


def on_performance(
    *, threshold: float | None = None, detector: str | None = None, **params: Any
) -> OnPerformance:
    """Policy: retrain on a score threshold (natural units) or a river detector.

    ``threshold`` is in the metric's natural units (a loss is positive): retrain when
    the latest labelled period scores worse. ``detector`` is a name of
    :data:`mlkit.drift.DETECTORS`, run on the deployed model's per-row errors (0/1
    mistakes for classifiers, absolute errors for regressors); ``params`` go to it.
    """
    from mlkit.drift import DETECTORS

    if threshold is None and detector is None:
        raise ValueError("on_performance needs threshold=... or detector=... (or both).")
    if detector is not None and detector not in DETECTORS:
        raise ValueError(f"detector={detector!r} is not known; use one of {', '.join(DETECTORS)}.")
    if threshold is not None and (
        isinstance(threshold, bool) or not isinstance(threshold, int | float)
    ):
        raise ValueError(f"threshold={threshold!r} must be a number (the metric's units).")
    return OnPerformance(threshold, detector, dict(params))


def _resolve_policy(policy: Any) -> Policy:
    if isinstance(policy, Policy):
        return policy
    if policy == "never":
        return Never()
    if policy == "always":
        return Every(1)
    raise ValueError(
        f"policy={policy!r} is not known; use 'never', 'always', every(k), "
        f"on_data_drift(...) or on_performance(...) from mlkit.continuous."
    )


# --------------------------------------------------------------------------- gate


@dataclass(frozen=True)
class GateResult:
    """One gate decision: scores in the scorer's units (greater is better) on the gate rows."""

    promoted: bool
    champion_score: float
    challenger_score: float
    gain: float
    lower_bound: float | None


@dataclass(frozen=True)
class ScoreGate:
    """Promote a challenger only if it beats the champion on the same labelled rows.

    ``gain`` is the challenger's score minus the champion's, oriented so that positive
    is better (for a loss: champion's loss minus challenger's). Promotion needs
    ``gain > margin``; with ``n_bootstrap > 0`` it also needs the ``1 - confidence``
    quantile of the gain over ``n_bootstrap`` paired bootstrap resamples of the rows
    (both models scored on the same resample) to exceed ``margin``. So a challenger
    scored below the champion is never promoted.

    Examples
    --------
    >>> from mlkit.continuous import ScoreGate
    >>> ScoreGate(margin=0.01).margin
    0.01
    """

    margin: float = 0.0
    n_bootstrap: int = 0
    confidence: float = 0.9
    random_state: int = 0

    def __post_init__(self) -> None:
        number = isinstance(self.margin, int | float) and not isinstance(self.margin, bool)
        if not (number and self.margin >= 0):
            raise ValueError(f"margin={self.margin!r} must be a number >= 0 (and finite).")
        if (
            isinstance(self.n_bootstrap, bool)
            or not isinstance(self.n_bootstrap, int)
            or (self.n_bootstrap < 0)
        ):
            raise ValueError(f"n_bootstrap={self.n_bootstrap!r} must be an int >= 0.")
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence={self.confidence!r} must be strictly between 0 and 1.")

    def decide(
        self, champion: Any, challenger: Any, X: pd.DataFrame, y: np.ndarray, *, scorer: Any
    ) -> GateResult:
        """Score both models on the same rows ``X, y`` and decide.

        ``scorer(model, X, y)`` is a scikit-learn scorer (greater is better); the
        scores in the result are in its units.
        """
        champ, chall = _Cached(champion, X), _Cached(challenger, X)
        rows = np.arange(len(y)).reshape(-1, 1)
        s_champ, s_chall = float(scorer(champ, rows, y)), float(scorer(chall, rows, y))
        gain = s_chall - s_champ
        lower = None
        promoted = bool(gain > self.margin)
        if self.n_bootstrap and promoted:
            rng = np.random.default_rng(self.random_state)
            gains = []
            for _ in range(self.n_bootstrap):
                idx = rng.integers(0, len(y), len(y))
                try:
                    a = float(scorer(chall, rows[idx], y[idx]))
                    b = float(scorer(champ, rows[idx], y[idx]))
                except ValueError:  # e.g. one class only in the resample: skip it
                    continue
                gains.append(a - b)
            lower = float(np.quantile(gains, 1 - self.confidence)) if gains else float("-inf")
            promoted = lower > self.margin
        return GateResult(promoted, s_champ, s_chall, gain, lower)


class _Cached:
    """Predictions of a fitted model on fixed rows, served by row position.

    Lets a scikit-learn scorer score bootstrap resamples without predicting again:
    ``X`` passed to the methods is a column of row positions. Only the prediction
    methods the model has are offered, so scorers choose the same one.
    """

    def __init__(self, model: Any, X: pd.DataFrame) -> None:
        self.model, self.X = model, X
        self._cache: dict[str, np.ndarray] = {}
        if hasattr(model, "classes_"):
            self.classes_ = model.classes_

    def __sklearn_tags__(self) -> Any:
        return self.model.__sklearn_tags__()

    def _get(self, method: str, rows: np.ndarray) -> np.ndarray:
        if method not in self._cache:
            self._cache[method] = np.asarray(getattr(self.model, method)(self.X))
        return self._cache[method][np.asarray(rows).ravel()]

    def _method(self, name: str) -> Any:
        if not hasattr(self.model, name):
            raise AttributeError(name)
        return getattr(self, f"_{name}")

    def _predict(self, rows: np.ndarray) -> np.ndarray:
        return self._get("predict", rows)

    def _predict_proba(self, rows: np.ndarray) -> np.ndarray:
        return self._get("predict_proba", rows)

    def _decision_function(self, rows: np.ndarray) -> np.ndarray:
        return self._get("decision_function", rows)

    predict = property(lambda self: self._method("predict"))
    predict_proba = property(lambda self: self._method("predict_proba"))
    decision_function = property(lambda self: self._method("decision_function"))


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class ReplayResult:
    """Result of :func:`replay`.

    Attributes
    ----------
    frame : DataFrame
        One row per served period (index ``period``, the period start): ``n_rows``,
        ``score`` of the deployed model (natural units), ``model`` (which fitted model
        served it: 0 is the first), ``drift_share`` of its features against the
        serving model's training rows, ``fired`` (a detector fired when this period's
        labels arrived), ``retrained`` and ``promoted`` (decided at the *end* of this
        period; the new model serves from the next one), ``gate_champion`` /
        ``gate_challenger`` (gate scores, NaN without a gate).
    policy, metric : str
    greater_is_better : bool
    oracle_mean : float or None
        Mean score of the same replay with a retrain every period and no gate.
    sorted_time : bool
        True when ``time`` was not in order and the rows were sorted (stably).
    """

    frame: pd.DataFrame
    policy: str
    metric: str
    greater_is_better: bool
    oracle_mean: float | None = None
    sorted_time: bool = False

    @property
    def mean_score(self) -> float:
        """Mean score over the served periods (each period counts once)."""
        return float(self.frame["score"].mean())

    @property
    def n_retrains(self) -> int:
        return int(self.frame["retrained"].sum())

    @property
    def n_promotions(self) -> int:
        return int(self.frame["promoted"].sum())

    @property
    def regret(self) -> float | None:
        """How much worse than the retrain-every-period oracle (positive: worse)."""
        if self.oracle_mean is None:
            return None
        gap = self.oracle_mean - self.mean_score
        return float(gap if self.greater_is_better else -gap)

    def to_frame(self) -> pd.DataFrame:
        """The per-period frame (a copy)."""
        return self.frame.copy()

    def totals(self) -> pd.Series:
        """Mean score, retrains, promotions, oracle mean and regret."""
        return pd.Series(
            {
                f"mean {self.metric}": self.mean_score,
                "retrains": self.n_retrains,
                "promotions": self.n_promotions,
                f"oracle mean {self.metric}": self.oracle_mean,
                "regret": self.regret,
            },
            name=self.policy,
        )

    def plot(self, ax: Any = None, *, others: Sequence[ReplayResult] = ()) -> Any:
        """Score per period of this result (and ``others``); returns the Axes."""
        return plot_replays([self, *others], ax=ax)


def compare_replays(results: Sequence[ReplayResult]) -> pd.DataFrame:
    """One row of :meth:`ReplayResult.totals` per result (index: policy)."""
    if not results:
        raise ValueError("results is empty; pass at least one ReplayResult.")
    frame = pd.DataFrame([r.totals() for r in results])
    frame[["retrains", "promotions"]] = frame[["retrains", "promotions"]].astype(int)
    frame.index.name = "policy"
    return frame


def plot_replays(results: Sequence[ReplayResult], ax: Any = None) -> Any:
    """Score over time of several replays, promotions marked; returns the Axes."""
    import matplotlib.pyplot as plt

    if not results:
        raise ValueError("results is empty; pass at least one ReplayResult.")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 3.5))
    for result in results:
        frame = result.frame
        (line,) = ax.plot(frame.index, frame["score"], marker="o", markersize=3,
                          label=f"{result.policy} ({result.n_retrains} retrains)")  # fmt: skip
        moved = frame.index[frame["promoted"].to_numpy(bool)]
        ax.scatter(moved, frame.loc[moved, "score"], marker="^", s=40, color=line.get_color())
    first = results[0]
    direction = "higher" if first.greater_is_better else "lower"
    if isinstance(first.frame.index, pd.DatetimeIndex):
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(f"{first.metric} ({direction} is better)")
    ax.set_xlabel("period")
    ax.set_title("Score of the deployed model (triangle: a new model goes live next)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, fontsize="small")
    return ax


# --------------------------------------------------------------------------- replay


def replay(
    X: pd.DataFrame,
    y: Any,
    *,
    time: Any,
    period: str = "MS",
    estimator: Any,
    policy: Any,
    window: str | int = "expanding",
    label_delay: int = 0,
    gate: ScoreGate | None = None,
    scoring: Any = None,
    warmup: int = 1,
    oracle: bool | ReplayResult = True,
    track_drift: bool = True,
    drift_columns: Sequence[str] | None = None,
    sort: bool = True,
    reference_rows: int = 5000,
) -> ReplayResult:
    """Replay a retraining policy over a time-ordered history, period by period.

    The first model is fitted on the first ``warmup`` periods (all their labels are
    known: this is the history before deployment). Then, for each later period:

    1. the deployed model predicts the period and is scored on its labels (the score
       the business would have seen; the policy does not see it yet);
    2. at the end of the period, the labels of the period ``label_delay`` periods back
       arrive; the policy sees their score and per-row errors, and the drift share of
       the period that just ended;
    3. if the policy says retrain and labels newer than the champion's training data
       exist, a challenger is fitted on the labelled periods in ``window``. Without a
       gate it goes live for the next period. With a gate, the latest labelled period
       is left out of the challenger's training rows and both models are scored on it;
       the challenger goes live only if the gate promotes it.

    Parameters
    ----------
    X : DataFrame
        Features, one row per event.
    y : 1-D array-like
        Labels.
    time : array-like of datetimes, or a column name of ``X``
        When each row happened. A named column is removed from the features. Rows
        out of order are sorted stably (``sort=True``, recorded in
        ``result.sorted_time``) or refused (``sort=False``).
    period : str, default="MS"
        pandas offset alias of a period (``"MS"`` month start, ``"W"``, ``"D"``...).
        Every period between the first and the last must have rows.
    estimator : scikit-learn estimator
        Cloned and fitted for each (re)train.
    policy : str or Policy
        ``"never"``, ``"always"``, :func:`every`, :func:`on_data_drift`,
        :func:`on_performance`.
    window : "expanding" or int, default="expanding"
        Train on all labelled periods, or on the last ``window`` of them.
    label_delay : int, default=0
        Periods until a period's labels are usable (0: at its end).
    gate : ScoreGate or None, default=None
        ``None`` promotes every challenger.
    scoring : str, callable or None, default=None
        scikit-learn scorer name or mlkit alias; ``None``: the task's default. Scores
        are reported in natural units (a loss is positive, lower is better).
    warmup : int, default=1
        Periods used for the first fit (at least one period must remain).
    oracle : bool or ReplayResult, default=True
        Also replay "retrain every period, no gate" for the regret (or pass an
        oracle replay computed before, to reuse it).
    track_drift : bool, default=True
        Compute the drift share of each period (needed by :func:`on_data_drift`).
    drift_columns : sequence of str or None, default=None
        Feature columns the drift share is computed on (``None``: all). Calendar
        columns such as the month drift by construction; leave them out.
    sort : bool, default=True
    reference_rows : int, default=5000
        Rows of the serving model's training data kept as drift reference.

    Returns
    -------
    ReplayResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import LinearRegression
    >>> from mlkit.continuous import replay
    >>> rng = np.random.default_rng(0)
    >>> time = pd.Series(pd.date_range("2024-01-01", periods=360, freq="D"))
    >>> X = pd.DataFrame({"x": rng.normal(size=360)})
    >>> y = 2 * X["x"] + (time.dt.month > 6) * 3 + rng.normal(0, 0.1, 360)
    >>> result = replay(X, y, time=time, estimator=LinearRegression(), policy="never",
    ...                 scoring="mae")
    >>> len(result.frame), result.n_retrains, bool(result.regret > 0)
    (11, 0, True)
    """
    from sklearn.base import clone
    from sklearn.metrics import get_scorer

    from mlkit._validation import check_target
    from mlkit.metrics import greater_is_better, infer_task, readable_metric_name, resolve_scoring
    from mlkit.selection import _check_estimator

    X, y_arr, t = _check_data(X, y, time)
    sorted_time = False
    if not t.is_monotonic_increasing:
        if not sort:
            raise ValueError(
                "time is not in increasing order; sort the rows by time first or pass "
                "sort=True (replay then sorts them stably)."
            )
        order = np.argsort(t.to_numpy(), kind="stable")
        X, y_arr, t = X.iloc[order].reset_index(drop=True), y_arr[order], t.iloc[order]
        t = t.reset_index(drop=True)
        sorted_time = True
    codes, labels = _period_codes(t, period)
    n_periods = len(labels)
    _check_int(warmup, "warmup", low=1)
    if warmup >= n_periods:
        raise ValueError(
            f"warmup={warmup} leaves no period to replay ({n_periods} periods of "
            f"{period!r}); use warmup <= {n_periods - 1} or a shorter period."
        )
    _check_int(label_delay, "label_delay", low=0)
    if window != "expanding":
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(
                f"window={window!r} must be 'expanding' or an int >= 1 (periods in a "
                f"sliding window)."
            )
    if gate is not None and not isinstance(gate, ScoreGate):
        raise ValueError(f"gate must be a ScoreGate or None, got {type(gate).__name__}.")
    _check_estimator(estimator, name="estimator")
    _check_int(reference_rows, "reference_rows", low=10)
    rule = _resolve_policy(policy)
    check_target(y_arr, name="y")
    task = infer_task(y_arr)
    name = resolve_scoring(scoring, task=task)
    if isinstance(name, list):
        raise ValueError("scoring must be one metric, not a list.")
    scorer = get_scorer(name) if isinstance(name, str) else name
    metric = readable_metric_name(name, task=task) if isinstance(name, str) else "score"
    gib = greater_is_better(metric) if isinstance(name, str) else True
    natural = 1.0 if gib else -1.0  # scorer values are greater-is-better

    starts = np.searchsorted(codes, np.arange(n_periods + 1), side="left")
    if drift_columns is None:
        monitored = list(X.columns)
    else:
        monitored = [drift_columns] if isinstance(drift_columns, str) else list(drift_columns)
        missing = [c for c in monitored if c not in X.columns]
        if missing or not monitored:
            raise ValueError(
                f"drift_columns {missing or '[]'} are not feature columns of X; pick from "
                f"{list(X.columns)}."
            )

    def rows(first: int, last: int) -> slice:  # periods first..last inclusive
        return slice(int(starts[first]), int(starts[last + 1]))

    def fit(first: int, last: int) -> Any:
        part = rows(first, last)
        return clone(estimator).fit(X.iloc[part], y_arr[part])

    def reference(first: int, last: int) -> Any:
        from mlkit.drift import DriftProfile

        return DriftProfile.from_frame(
            X.iloc[rows(first, last)][monitored], max_rows=reference_rows
        )

    def window_start(last: int) -> int:
        return 0 if window == "expanding" else max(0, last - int(window) + 1)

    champion = fit(window_start(warmup - 1), warmup - 1)
    trained_upto = warmup - 1
    profile = reference(window_start(warmup - 1), warmup - 1) if track_drift else None
    model_id, next_id = 0, 1
    served: dict[int, tuple[Any, int]] = {}
    scores: dict[int, float] = {}
    memory: dict[str, Any] = {}
    since = 0
    records = []
    for p in range(warmup, n_periods):
        part = rows(p, p)
        if part.stop == part.start:  # pragma: no cover - _period_codes refuses this
            raise ValueError(f"period {labels[p]} has no rows")
        Xp, yp = X.iloc[part], y_arr[part]
        served[p] = (champion, model_id)
        score = natural * float(scorer(champion, Xp, yp))
        share = float("nan")
        if profile is not None:
            from mlkit.drift import data_drift

            share = data_drift(profile, Xp[monitored]).share_drifted
        scores[p] = score
        latest = p - label_delay  # labels known up to this period
        labelled_score = labelled_errors = None
        if latest >= warmup:  # the deployed model's score there, now that labels came
            labelled_score = scores[latest]
            if rule.needs_errors:
                model_q, _ = served[latest]
                q = rows(latest, latest)
                labelled_errors = _errors(model_q, X.iloc[q], y_arr[q], task)
        context = Context(p, since, labelled_score, labelled_errors, share, gib)
        retrain, fired = rule.decide(context, memory)
        record = {"period": labels[p], "n_rows": part.stop - part.start, "score": score,
                  "model": model_id, "drift_share": share, "fired": fired,
                  "retrained": False, "promoted": False,
                  "gate_champion": np.nan, "gate_challenger": np.nan}  # fmt: skip
        since += 1
        new_last = latest if gate is None else latest - 1  # last period a fit may use
        can = p < n_periods - 1 and new_last > trained_upto and latest >= 0
        if retrain and can:
            record["retrained"] = True
            if gate is None:
                first = window_start(latest)
                challenger, promoted = fit(first, latest), True
                train_first, train_last = first, latest
            else:
                train_last = latest - 1
                train_first = window_start(train_last)
                challenger = fit(train_first, train_last)
                g = rows(latest, latest)
                decision = gate.decide(champion, challenger, X.iloc[g], y_arr[g], scorer=scorer)
                promoted = decision.promoted
                record["gate_champion"] = decision.champion_score * natural
                record["gate_challenger"] = decision.challenger_score * natural
            trained_upto = new_last
            rule.reset(memory)
            since = 0
            if promoted:
                record["promoted"] = True
                champion, model_id, next_id = challenger, next_id, next_id + 1
                if track_drift:
                    profile = reference(train_first, train_last)
        records.append(record)
    frame = pd.DataFrame(records).set_index("period")
    oracle_mean: float | None = None
    if isinstance(oracle, ReplayResult):
        oracle_mean = oracle.mean_score
    elif oracle:
        if isinstance(rule, Every) and rule.k == 1 and gate is None:
            oracle_mean = float(frame["score"].mean())
        else:
            oracle_mean = replay(
                X, y_arr, time=t, period=period, estimator=estimator, policy=Every(1),
                window=window, label_delay=label_delay, gate=None, scoring=scoring,
                warmup=warmup, oracle=False, track_drift=False, sort=sort,
            ).mean_score  # fmt: skip
    return ReplayResult(frame, rule.label, metric, gib, oracle_mean, sorted_time)


# --------------------------------------------------------------------------- helpers


def _check_int(value: Any, name: str, *, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{name}={value!r} must be an int >= {low}.")


def _check_data(X: Any, y: Any, time: Any) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    from mlkit._validation import as_1d, check_features

    if not isinstance(X, pd.DataFrame):
        raise ValueError(
            f"X must be a pandas DataFrame, got {type(X).__name__}; wrap arrays with "
            f"pd.DataFrame(values, columns=[...])."
        )
    if isinstance(time, str):
        if time not in X.columns:
            raise ValueError(f"time={time!r} is not a column of X; pass the column or its name.")
        t = X[time]
        X = X.drop(columns=[time])
    else:
        t = pd.Series(as_1d(time, name="time"))
    X = check_features(X, name="X").reset_index(drop=True)
    y_arr = as_1d(y, name="y")
    if not (len(X) == len(y_arr) == len(t)):
        raise ValueError(
            f"X, y and time must have one row each per event; got {len(X)}, {len(y_arr)} "
            f"and {len(t)} rows."
        )
    try:
        t = pd.Series(pd.to_datetime(t)).reset_index(drop=True)
    except (TypeError, ValueError):
        raise ValueError(
            "time must hold dates or datetimes (pd.to_datetime must read it)."
        ) from None
    if t.isna().any():
        raise ValueError(f"time has {int(t.isna().sum())} missing value(s); drop those rows.")
    return X, y_arr, t


def _period_codes(t: pd.Series, period: str) -> tuple[np.ndarray, list[pd.Timestamp]]:
    from pandas.tseries.frequencies import to_offset

    try:
        offset = to_offset(period)
    except (TypeError, ValueError):
        raise ValueError(
            f"period={period!r} is not a pandas offset alias; use e.g. 'MS' (month "
            f"start), 'W' or 'D'."
        ) from None
    first, last = t.iloc[0], t.iloc[-1]
    start = offset.rollback(first.normalize())
    edges = pd.date_range(start=start, end=last + offset, freq=offset)
    codes = np.searchsorted(edges.to_numpy(), t.to_numpy(), side="right") - 1
    n_periods = int(codes[-1]) + 1
    counts = np.bincount(codes, minlength=n_periods)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(
            f"period={period!r} leaves {empty.size} period(s) with no rows (first: "
            f"{edges[empty[0]].date()}); use a longer period or fill the gap."
        )
    return codes, list(edges[:n_periods])


def _errors(model: Any, X: pd.DataFrame, y: np.ndarray, task: str) -> np.ndarray:
    prediction = np.asarray(model.predict(X))
    if task == "regression":
        return np.abs(prediction.astype(float) - y.astype(float))
    return (prediction != y).astype(float)
