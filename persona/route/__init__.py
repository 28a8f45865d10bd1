"""Routing: per message, the fast chat model or the reasoning model, explained and steerable.

The engine calls `Router.load().decide(...)`; thresholds come from `calibrate` (budget,
calibration, feedback) and the tenant's settings. The names below are imported on first use:
`persona.route.types` (the tier and decision types every reply's trace names) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_LAZY = {
    "RouteDecision": "persona.route.types",
    "Router": "persona.route.router",
    "Signal": "persona.route.types",
    "adjust_threshold": "persona.route.calibrate",
    "calibrate_threshold": "persona.route.calibrate",
    "tenant_threshold": "persona.route.calibrate",
    "threshold_for_budget": "persona.route.calibrate",
}


def __getattr__(name: str) -> Any:
    # the router pulls in numpy; the types alone must not (the SDK's HTTP client reads them)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'persona.route' has no attribute {name!r}")
