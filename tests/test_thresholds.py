"""mlkit.thresholds owns the threshold tools; mlkit.metrics re-exports the same objects."""

from __future__ import annotations

import pytest

import mlkit.metrics as metrics
import mlkit.thresholds as thresholds


@pytest.mark.parametrize("name", thresholds.__all__)
def test_thresholds_reexported_from_metrics_are_the_same_objects(name: str) -> None:
    assert getattr(metrics, name) is getattr(thresholds, name)


def test_thresholds_cost_optimal_threshold_bad_cost_names_argument() -> None:
    with pytest.raises(ValueError, match="cost_false_negative=-1"):
        thresholds.cost_optimal_threshold(cost_false_positive=1.0, cost_false_negative=-1)
