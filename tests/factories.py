"""Row factories shared by tests."""

from __future__ import annotations

from sqlmodel import Session

from persona.trace import (
    MemoryUse,
    PromptTrace,
    RequestTrace,
    RouteTrace,
    SignalTrace,
    SteeringTrace,
    Trace,
    Usage,
)
from store.models import Tenant, User


def make_user(session: Session, name: str = "u", *, commit: bool = True) -> User:
    """A user `name` in a tenant of its own (`t-<name>`); committed unless `commit=False`."""
    tenant = Tenant(name=f"t-{name}", api_key_hash=name.ljust(64, "0"), key_prefix="psn_x")
    session.add(tenant)
    session.flush()
    user = User(tenant_id=tenant.id, external_id=name)
    session.add(user)
    if commit:
        session.commit()
    else:
        session.flush()
    return user


def plain_trace(
    actual: Trace,
    *,
    user: str,
    model: str,
    usage: Usage,
    system: str,
    requested_model: str = "persona/fast",
    forwarded: tuple[str, ...] = ("user",),
    turn_id: str | None = None,
) -> Trace:
    """The trace of a plain reply (no memories, no rules) as the engine must build it, forced
    to the fast tier unless `requested_model` is persona/auto. What a test cannot know in
    advance is read from `actual`: the timings, the turn id when none is given, and the
    classifier's score and signals (when forced, the `override` signal must be the last);
    persona/auto takes the whole route (the classifier's decision)."""
    route = actual.route
    forced = requested_model == "persona/fast"
    if forced:
        route = RouteTrace(
            tier="fast",
            score=route.score,
            threshold=route.threshold,
            effort=None,
            signals=[
                *route.signals[:-1],
                SignalTrace(name="override", value="fast", effect="forces fast"),
            ],
            reason="The request asked for the fast model explicitly.",
        )
    return Trace(
        user=user,
        memory=MemoryUse(mode="on"),
        memories=[],
        route=route,
        requested_model=requested_model,
        tier_override="fast" if forced else None,
        prompt=PromptTrace(family="chat", sections=["role"], system=system),
        steering=SteeringTrace(),
        request=RequestTrace(forwarded=list(forwarded)),
        model=model,
        tier=route.tier,
        usage=usage,
        cost_usd=None,
        attempts=[],
        reply_kind="text",
        turn_id=turn_id or actual.turn_id,
        latency_ms=actual.latency_ms,
    )
