"""Thresholds: budget (target share of reasoning calls), calibration on traffic, feedback.

Calibration follows RouteLLM: the threshold is the (1 - target share) quantile of the scores
the tenant's traffic actually produced, so that share of calls goes to the reasoning tier.
Feedback nudges a threshold in small bounded steps: a "regenerate with reasoning" on a fast
reply says the router should have chosen reasoning, so the threshold goes down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from persona.errors import InvalidInput

Scores = Sequence[float] | NDArray[np.float64]

MIN_THRESHOLD = 0.02
MAX_THRESHOLD = 0.98
MAX_FEEDBACK_SHIFT = 0.10  # one adjustment moves the threshold at most this far
# (rating, tier of the rated reply) -> threshold step
FEEDBACK_STEPS: dict[tuple[str, str], float] = {
    ("regenerate_reasoning", "fast"): -0.02,
    ("down", "fast"): -0.01,
    ("up", "fast"): +0.005,
}


def _check_share(target_share: float) -> None:
    if not 0.0 <= target_share <= 1.0:
        raise InvalidInput(f"target share must be between 0 and 1, got {target_share}")


def calibrate_threshold(scores: Scores, target_share: float) -> float:
    """The threshold that sends `target_share` of `scores` to reasoning (a score quantile)."""
    _check_share(target_share)
    values = np.asarray(scores, dtype=np.float64)
    if values.size == 0:
        raise InvalidInput("no route scores to calibrate on")
    if target_share == 0.0:
        return float(min(values.max() + 1e-6, 1.0))
    return float(np.quantile(values, 1.0 - target_share, method="higher"))


def threshold_for_budget(target_share: float, reference_scores: Scores) -> float:
    """A threshold for a budget before any traffic: the quantile of reference scores."""
    return calibrate_threshold(reference_scores, target_share)


def tenant_threshold(
    settings: Mapping[str, Any], default: float, reference_scores: Scores
) -> float:
    """The tenant's threshold: `route_threshold`, else from `target_share`, else `default`."""
    if settings.get("route_threshold") is not None:
        return float(settings["route_threshold"])
    if settings.get("target_share") is not None:
        return threshold_for_budget(float(settings["target_share"]), reference_scores)
    return default


def _pairs(feedback: Iterable[Mapping[str, str] | tuple[str, str]]) -> Iterable[tuple[str, str]]:
    for item in feedback:
        if isinstance(item, tuple):
            yield item[0], item[1]
        else:
            yield item["rating"], item["tier"]


def adjust_threshold(
    threshold: float, feedback: Iterable[Mapping[str, str] | tuple[str, str]]
) -> float:
    """Nudge `threshold` by the feedback: items {"rating", "tier"} or (rating, tier) pairs.

    Ratings: "up", "down", "regenerate_reasoning". Each moves the threshold a small fixed step
    (see `FEEDBACK_STEPS`; ratings of reasoning replies say nothing about routing); the total
    move is capped at `MAX_FEEDBACK_SHIFT` and the result stays in [0.02, 0.98].
    """
    shift = 0.0
    for rating, tier in _pairs(feedback):
        if rating not in {"up", "down", "regenerate_reasoning"}:
            raise InvalidInput(f"unknown feedback rating {rating!r}")
        shift += FEEDBACK_STEPS.get((rating, tier), 0.0)
    shift = max(-MAX_FEEDBACK_SHIFT, min(MAX_FEEDBACK_SHIFT, shift))
    return round(max(MIN_THRESHOLD, min(MAX_THRESHOLD, threshold + shift)), 4)
