"""Budget, calibration and feedback change the threshold as specified."""

from __future__ import annotations

import numpy as np
import pytest

from persona.errors import InvalidInput
from persona.route import (
    adjust_threshold,
    calibrate_threshold,
    tenant_threshold,
    threshold_for_budget,
)


def test_calibrate_hits_target_share() -> None:
    scores = np.linspace(0.0, 0.99, 100)
    for share in (0.1, 0.2, 0.5):
        threshold = calibrate_threshold(scores.tolist(), share)
        assert float(np.mean(scores >= threshold)) == pytest.approx(share)
    assert calibrate_threshold(scores.tolist(), 0.2) == pytest.approx(0.8)
    assert float(np.mean(scores >= calibrate_threshold(scores.tolist(), 0.0))) == 0.0
    assert calibrate_threshold(scores.tolist(), 1.0) == 0.0


def test_calibrate_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput):
        calibrate_threshold([], 0.2)
    with pytest.raises(InvalidInput):
        calibrate_threshold([0.1, 0.2], 1.5)


def test_budget_and_tenant_settings() -> None:
    reference = np.linspace(0.0, 1.0, 101).tolist()
    assert threshold_for_budget(0.3, reference) == pytest.approx(0.7)
    assert threshold_for_budget(0.1, reference) > threshold_for_budget(0.5, reference)
    assert tenant_threshold({}, 0.45, reference) == 0.45
    assert tenant_threshold({"target_share": 0.3}, 0.45, reference) == pytest.approx(0.7)
    both = {"target_share": 0.3, "route_threshold": 0.62}
    assert tenant_threshold(both, 0.45, reference) == 0.62


def test_feedback_steps() -> None:
    assert adjust_threshold(0.5, [("regenerate_reasoning", "fast")]) == 0.48
    assert adjust_threshold(0.5, [{"rating": "down", "tier": "fast"}]) == 0.49
    assert adjust_threshold(0.5, [("up", "fast")]) == 0.505
    # ratings of reasoning replies say nothing about the threshold
    assert adjust_threshold(0.5, [("up", "reasoning"), ("down", "reasoning")]) == 0.5
    assert adjust_threshold(0.5, []) == 0.5


def test_feedback_is_bounded() -> None:
    many = [("regenerate_reasoning", "fast")] * 50
    assert adjust_threshold(0.5, many) == 0.4
    assert adjust_threshold(0.05, many) == 0.02
    assert adjust_threshold(0.97, [("up", "fast")] * 50) == 0.98
    with pytest.raises(InvalidInput):
        adjust_threshold(0.5, [("meh", "fast")])
