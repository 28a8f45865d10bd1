"""The decision: classifier score and threshold, then overrides, explicit asks, preference, state.

Precedence, highest first: an override from the request (`model=persona/fast|reasoning`), an
explicit ask in the message ("think hard", "quick answer"), the user's preference, the
conversation state (stay on reasoning while a hard task is in progress unless the message is a
light acknowledgement), then the score against the threshold.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from persona.route.types import Effort, Signal, Tier

PREFER_FAST_SHIFT = 0.15  # "prefer_fast" raises the threshold by this much


def effort_for(score: float, threshold: float, forced: bool, long_or_code: bool) -> Effort:
    """Reasoning effort: high far above the threshold or on an explicit ask, low near it."""
    if (
        forced
        or score >= min(threshold + 0.45, 0.98)
        or (long_or_code and score >= threshold + 0.3)
    ):
        return "high"
    if score < threshold + 0.15:
        return "low"
    return "medium"


def resolve(
    score: float,
    threshold: float,
    *,
    override: str | None,
    ask: str | None,
    preference: str | None,
    previous_tier: str | None,
    light: bool,
) -> tuple[Tier, float, list[Signal], str]:
    """Apply the policy; returns (tier, effective threshold, policy signals, reason)."""
    if override is not None:
        tier: Tier = "reasoning" if override == "reasoning" else "fast"
        return (
            tier,
            threshold,
            [Signal("override", override, f"forces {tier}")],
            (f"The request asked for the {tier} model explicitly."),
        )
    if ask is not None:
        tier = "reasoning" if ask == "reasoning" else "fast"
        words = "to think it through" if tier == "reasoning" else "for a quick answer"
        return (
            tier,
            threshold,
            [Signal("explicit_ask", ask, f"forces {tier}")],
            (f"The message asks {words}."),
        )
    signals: list[Signal] = []
    if preference == "always_reason":
        if not light:
            return (
                "reasoning",
                threshold,
                [Signal("user_preference", preference, "forces reasoning")],
                ("The user prefers careful, reasoned answers."),
            )
        signals.append(Signal("user_preference", preference, "not applied to a light message"))
    elif preference == "prefer_fast":
        threshold = min(threshold + PREFER_FAST_SHIFT, 0.99)
        signals.append(Signal("user_preference", preference, f"threshold +{PREFER_FAST_SHIFT}"))
    if previous_tier == "reasoning":
        if light:
            signals.append(Signal("sticky", "released", "light acknowledgement"))
            return (
                "fast",
                threshold,
                signals,
                ("A short acknowledgement after a hard task needs no reasoning."),
            )
        if score < threshold:
            signals.append(Signal("sticky", "reasoning", "keeps reasoning"))
            return (
                "reasoning",
                threshold,
                signals,
                ("A hard task is in progress, so this follow-up stays on the reasoning model."),
            )
    tier = "reasoning" if score >= threshold else "fast"
    return tier, threshold, signals, ""


def score_reason(
    tier: Tier, score: float, threshold: float, top: Sequence[Mapping[str, object]]
) -> str:
    """One sentence for a score-based decision, naming the strongest signals in its direction."""
    names = [str(s["name"]).replace("_", " ") for s in top]
    drivers = f" (mostly {' and '.join(names)})" if names else ""
    if tier == "reasoning":
        return (
            f"Looks like multi-step work{drivers}: score {score:.2f} >= threshold {threshold:.2f}."
        )
    return f"Looks like a light request{drivers}: score {score:.2f} < threshold {threshold:.2f}."
