"""The routing decision returned with every reply and logged in the trace."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Tier = Literal["fast", "reasoning"]
Effort = Literal["low", "medium", "high"]
TIERS: tuple[str, ...] = ("fast", "reasoning")
PREFERENCES: tuple[str, ...] = ("always_reason", "prefer_fast")


@dataclass(frozen=True)
class Signal:
    """One input to a decision: its value and how it moved the outcome.

    `effect` is a logit contribution for classifier inputs; policy signals (override, explicit
    ask, preference, stickiness) carry a short word such as "forces reasoning".
    """

    name: str
    value: float | str
    effect: float | str


@dataclass(frozen=True)
class RouteDecision:
    """Which tier answers, the score and threshold behind it, and why."""

    tier: Tier
    score: float
    threshold: float
    effort: Effort | None
    reason: str
    signals: list[Signal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: {tier, score, threshold, effort, signals, reason}."""
        out = asdict(self)
        return {
            "tier": out["tier"],
            "score": out["score"],
            "threshold": out["threshold"],
            "effort": out["effort"],
            "signals": out["signals"],
            "reason": out["reason"],
        }
