"""Writing a finished turn: the turn, its trace and its background jobs, in one transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from store.models import EXTRACT_JOB, JobKind, Outbox, Trace, Turn, User, new_id


def record_turn(
    session: Session,
    *,
    user: User,
    user_message: str,
    reply: str,
    model: str,
    tier: str,
    trace: dict[str, Any],
    turn_id: str | None = None,
    route_score: float | None,
    total_ms: float = 0.0,
    session_id: str | None = None,
    jobs: tuple[JobKind, ...] = (EXTRACT_JOB,),
    project: str | None = None,
    message_vector: dict[str, str] | None = None,
) -> tuple[Turn, Trace]:
    """Add the turn, its trace and one outbox job per kind in `jobs`; the caller commits.

    With a `project`, what the jobs learn from the turn belongs to that project only.
    `message_vector`: the user message's embedding (`persona.memory.episodes.encode_vector`),
    which the jobs reuse instead of embedding the message again.
    """
    assert user.id is not None
    turn = Turn(
        id=turn_id or new_id(),
        user_id=user.id,
        tenant_id=user.tenant_id,
        session_id=session_id,
        user_message=user_message,
        reply=reply,
        model=model,
        tier=tier,
    )
    session.add(turn)
    trace_row = Trace(
        turn_id=turn.id,
        tenant_id=user.tenant_id,
        user_id=user.id,
        tier=tier,
        route_score=route_score,
        total_ms=total_ms,
        data=trace,
    )
    session.add(trace_row)
    payload = {
        "turn_id": turn.id,
        "user_id": user.id,
        "tenant_id": user.tenant_id,
        "session_id": session_id,
        "user_message": user_message,
        "reply": reply,
        "created_at": turn.created_at.isoformat(),
    }
    if project is not None:
        payload["project"] = project
    if message_vector is not None:
        payload["message_vector"] = message_vector
    for kind in jobs:
        session.add(Outbox(kind=kind, user_id=user.id, payload=payload))
    return turn, trace_row
