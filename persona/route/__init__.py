"""Routing: per message, the fast chat model or the reasoning model, explained and steerable.

The lead wires `Router.load().decide(...)` into the engine; thresholds come from
`calibrate` (budget, calibration, feedback) and the tenant's settings.
"""

from __future__ import annotations

from persona.route.calibrate import (
    adjust_threshold,
    calibrate_threshold,
    tenant_threshold,
    threshold_for_budget,
)
from persona.route.router import Router
from persona.route.types import RouteDecision, Signal

__all__ = [
    "RouteDecision",
    "Router",
    "Signal",
    "adjust_threshold",
    "calibrate_threshold",
    "tenant_threshold",
    "threshold_for_budget",
]
