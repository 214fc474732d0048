"""Tests of mlkit.continuous: replay, policies, the in-memory gate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_absolute_error, roc_auc_score

from mlkit.continuous import (
    ScoreGate,
    compare_replays,
    every,
    on_data_drift,
    on_performance,
    plot_replays,
    replay,
)


def _stream(n_months: int = 8, per_month: int = 150, *, change: int = 4, seed: int = 0):  # type: ignore[no-untyped-def]
    """A regression stream whose slope on x0 flips at month ``change`` (concept drift)."""
    rng = np.random.default_rng(seed)
    n = n_months * per_month
    month = np.repeat(np.arange(n_months), per_month)
    day = rng.integers(0, 28, n)
    time = pd.Series(pd.to_datetime({"year": 2024, "month": month + 1, "day": day + 1}))
    X = pd.DataFrame({"x0": rng.normal(size=n), "x1": rng.normal(size=n)})
    slope = np.where(month < change, 2.0, -1.0)
    y = slope * X["x0"] + 0.5 * X["x1"] + rng.normal(0, 0.3, n)
    order = np.argsort(time.to_numpy(), kind="stable")
    y = y.to_numpy()[order]
    return X.iloc[order].reset_index(drop=True), y, time.iloc[order].reset_index(drop=True)


def _months(time: pd.Series) -> np.ndarray:
    return (time.dt.year * 12 + time.dt.month).to_numpy() - (2024 * 12 + 1)


def test_replay_never_equals_scoring_the_first_model_by_hand() -> None:
    X, y, time = _stream()
    result = replay(X, y, time=time, estimator=LinearRegression(), policy="never",
                    scoring="mae", oracle=False)  # fmt: skip
    month = _months(time)
    first = LinearRegression().fit(X[month == 0], y[month == 0])
    expected = [mean_absolute_error(y[month == m], first.predict(X[month == m]))
                for m in range(1, 8)]  # fmt: skip
    np.testing.assert_allclose(result.frame["score"], expected)
    assert result.metric == "mae" and not result.greater_is_better
    assert result.n_retrains == 0 and (result.frame["model"] == 0).all()
    assert list(result.frame.index) == list(pd.date_range("2024-02-01", periods=7, freq="MS"))


@pytest.mark.parametrize(("label_delay", "window"), [(0, "expanding"), (1, "expanding"), (0, 2)])
def test_replay_every_period_without_gate_equals_hand_loop(
    label_delay: int, window: object
) -> None:
    X, y, time = _stream()
    result = replay(X, y, time=time, estimator=LinearRegression(), policy=every(1),
                    scoring="mae", label_delay=label_delay, window=window)  # fmt: skip
    month = _months(time)
    expected, last = [], 0
    model = LinearRegression().fit(X[month == 0], y[month == 0])
    for m in range(1, 8):
        expected.append(mean_absolute_error(y[month == m], model.predict(X[month == m])))
        latest = m - label_delay  # labels known at the end of month m
        if latest > last and m < 7:
            first = 0 if window == "expanding" else max(0, latest - int(window) + 1)  # type: ignore[call-overload]
            rows = (month >= first) & (month <= latest)
            model, last = LinearRegression().fit(X[rows], y[rows]), latest
    np.testing.assert_allclose(result.frame["score"], expected)
    assert result.oracle_mean == pytest.approx(result.mean_score) and result.regret == 0


def test_replay_regret_is_against_an_every_period_oracle() -> None:
    X, y, time = _stream()
    never = replay(X, y, time=time, estimator=LinearRegression(), policy="never", scoring="mae")
    oracle = replay(X, y, time=time, estimator=LinearRegression(), policy="always",
                    scoring="mae", oracle=False)  # fmt: skip
    assert never.oracle_mean == pytest.approx(oracle.mean_score)
    assert never.regret == pytest.approx(never.mean_score - oracle.mean_score)  # loss
    assert never.regret > 0  # the concept flips at month 4: the first model decays
    reused = replay(X, y, time=time, estimator=LinearRegression(), policy=every(2),
                    scoring="mae", oracle=oracle)  # fmt: skip
    assert reused.oracle_mean == pytest.approx(oracle.mean_score)
    table = compare_replays([never, oracle, reused])
    assert table.index.tolist() == ["never", "every period", "every 2 periods"]
    assert table["retrains"].tolist() == [0, 6, 3]


def test_gate_never_promotes_a_challenger_it_scored_below_the_champion() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=400)})
    y = X["x"].to_numpy() + rng.normal(0, 1, 400)
    from sklearn.metrics import get_scorer

    scorer = get_scorer("neg_mean_absolute_error")
    for seed in range(200):
        local = np.random.default_rng(seed)
        champion = DummyRegressor(strategy="constant", constant=local.normal()).fit(X, y)
        challenger = DummyRegressor(strategy="constant", constant=local.normal()).fit(X, y)
        gate = ScoreGate(margin=float(local.uniform(0, 0.1)),
                         n_bootstrap=int(local.choice([0, 30])), random_state=seed)  # fmt: skip
        decision = gate.decide(champion, challenger, X, y, scorer=scorer)
        champ = mean_absolute_error(y, champion.predict(X))
        chall = mean_absolute_error(y, challenger.predict(X))
        assert decision.champion_score == pytest.approx(-champ)
        assert decision.challenger_score == pytest.approx(-chall)
        if decision.promoted:
            assert champ - chall > gate.margin
        else:
            assert champ - chall <= gate.margin or gate.n_bootstrap > 0


def test_replay_gate_rows_show_no_promotion_of_a_worse_challenger() -> None:
    X, y, time = _stream(n_months=10, seed=1)
    result = replay(X, y, time=time, estimator=LinearRegression(), policy=every(1),
                    scoring="mae", gate=ScoreGate(margin=0.01), oracle=False)  # fmt: skip
    frame = result.frame
    gated = frame[frame["retrained"]]
    assert len(gated) > 0 and gated["gate_champion"].notna().all()
    promoted = gated[gated["promoted"]]
    assert (promoted["gate_champion"] - promoted["gate_challenger"] > 0.01).all()  # MAE
    kept = gated[~gated["promoted"]]
    assert (kept["gate_champion"] - kept["gate_challenger"] <= 0.01).all()


def test_gate_bootstrap_scores_equal_plain_scorer_on_classifier() -> None:
    from sklearn.metrics import get_scorer

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (X["a"] + rng.normal(0, 1, 300) > 0).astype(int).to_numpy()
    champion = LogisticRegression().fit(X[["a"]].assign(b=0.0), y)
    challenger = LogisticRegression().fit(X, y)
    decision = ScoreGate(n_bootstrap=50).decide(champion, challenger, X, y,
                                                scorer=get_scorer("roc_auc"))  # fmt: skip
    assert decision.challenger_score == pytest.approx(
        roc_auc_score(y, challenger.predict_proba(X)[:, 1])
    )
    assert decision.lower_bound is None or decision.lower_bound <= decision.gain


def test_replay_sorts_unsorted_time_or_refuses() -> None:
    X, y, time = _stream()
    order = np.random.default_rng(0).permutation(len(y))
    shuffled = replay(X.iloc[order], y[order], time=time.iloc[order].to_numpy(),
                      estimator=LinearRegression(), policy="never", oracle=False)  # fmt: skip
    plain = replay(X, y, time=time, estimator=LinearRegression(), policy="never", oracle=False)
    assert shuffled.sorted_time and not plain.sorted_time
    np.testing.assert_allclose(shuffled.frame["score"], plain.frame["score"])
    with pytest.raises(ValueError, match="time is not in increasing order"):
        replay(X.iloc[order], y[order], time=time.iloc[order], estimator=LinearRegression(),
               policy="never", sort=False)  # fmt: skip


def test_replay_time_as_column_name() -> None:
    X, y, time = _stream()
    frame = X.assign(when=time)
    a = replay(frame, y, time="when", estimator=LinearRegression(), policy="never", oracle=False)
    b = replay(X, y, time=time, estimator=LinearRegression(), policy="never", oracle=False)
    np.testing.assert_allclose(a.frame["score"], b.frame["score"])


def test_on_performance_threshold_and_detector() -> None:
    X, y, time = _stream(n_months=8, change=3)
    result = replay(X, y, time=time, estimator=LinearRegression(),
                    policy=on_performance(threshold=1.0), scoring="mae", oracle=False)  # fmt: skip
    frame = result.frame
    # a retrain is decided exactly where the just-labelled month's MAE exceeds 1.0
    # (the last month cannot retrain: nothing is served after it)
    wanted = (frame["score"] > 1.0) & (np.arange(len(frame)) < len(frame) - 1)
    assert frame["retrained"].tolist() == wanted.tolist()
    detected = replay(X, y, time=time, estimator=LinearRegression(),
                      policy=on_performance(detector="adwin"), scoring="mae", oracle=False)  # fmt: skip
    assert detected.frame["fired"].any()
    assert detected.frame.loc[detected.frame["fired"], "retrained"].iloc[0]


def test_on_data_drift_follows_drift_share() -> None:
    rng = np.random.default_rng(0)
    X, y, time = _stream()
    month = _months(time)
    X = X.assign(x1=X["x1"] + (month >= 5) * 3.0 + rng.normal(0, 0.01, len(y)))
    result = replay(X, y, time=time, estimator=LinearRegression(), policy=on_data_drift(0.5),
                    scoring="mae", oracle=False, drift_columns=["x0", "x1"])  # fmt: skip
    frame = result.frame
    assert (frame["drift_share"] >= 0.5).tolist() == (frame.index.month >= 6).tolist()
    served = frame.iloc[:-1]
    assert served["retrained"].tolist() == (served["drift_share"] >= 0.5).tolist()


def test_plot_replays_returns_axes() -> None:
    import matplotlib

    matplotlib.use("Agg")
    X, y, time = _stream()
    results = [replay(X, y, time=time, estimator=LinearRegression(), policy=p, scoring="mae",
                      oracle=False) for p in ("never", every(2))]  # fmt: skip
    ax = plot_replays(results)
    assert "mae" in ax.get_ylabel() and "lower is better" in ax.get_ylabel()
    assert results[0].plot(others=results[1:]) is not None


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"label_delay": -1}, r"label_delay=-1 must be an int >= 0"),
        ({"policy": "sometimes"}, r"policy='sometimes' is not known"),
        ({"period": "fortnightly"}, r"period='fortnightly' is not a pandas offset alias"),
        ({"period": "D"}, r"period='D' leaves .* period\(s\) with no rows"),
        ({"warmup": 8}, r"warmup=8 leaves no period to replay"),
        ({"warmup": 0}, r"warmup=0 must be an int >= 1"),
        ({"window": "sliding"}, r"window='sliding' must be 'expanding' or an int"),
        ({"gate": 0.1}, r"gate must be a ScoreGate or None"),
        ({"drift_columns": ["nope"]}, r"drift_columns \['nope'\] are not feature columns"),
        ({"time": "nope"}, r"time='nope' is not a column of X"),
    ],
)
def test_replay_bad_input(kwargs: dict, match: str) -> None:
    X, y, time = _stream()
    args = {"time": time, "estimator": LinearRegression(), "policy": "never", **kwargs}
    with pytest.raises(ValueError, match=match):
        replay(X, y, **args)


def test_replay_bad_lengths_and_policies() -> None:
    X, y, time = _stream()
    with pytest.raises(ValueError, match="X, y and time must have one row each per event"):
        replay(X, y[:-1], time=time, estimator=LinearRegression(), policy="never")
    with pytest.raises(ValueError, match=r"detector='cusum' is not known"):
        on_performance(detector="cusum")
    with pytest.raises(ValueError, match="on_performance needs threshold"):
        on_performance()
    with pytest.raises(ValueError, match=r"k=0 must be an int >= 1"):
        every(0)
    with pytest.raises(ValueError, match=r"share=2 must be a number in \(0, 1\]"):
        on_data_drift(2)
    with pytest.raises(ValueError, match=r"margin=-1 must be a number >= 0"):
        ScoreGate(margin=-1)
    assert clone(LinearRegression()) is not None


def test_compare_and_plot_replays_refuse_empty_lists() -> None:
    with pytest.raises(ValueError, match="results is empty"):
        compare_replays([])
    with pytest.raises(ValueError, match="results is empty"):
        plot_replays([])
