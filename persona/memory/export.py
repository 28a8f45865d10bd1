"""A user's export: everything stored about them, as JSON-safe data."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from persona.memory.writes import memory_snapshot
from persona.steer.proposals import exported as exported_proposals
from store.models import Feedback, Memory, MemoryHistory, Trace, Turn, User
from store.responses import exported_responses
from store.users import get_profile


def export_user(session: Session, user: User) -> dict[str, Any]:
    """The user's profile, memories (each with its history), turns, traces, feedback, stored
    responses and proposals."""
    profile = get_profile(session, user)
    uid = user.id
    memories = session.exec(
        select(Memory).where(Memory.user_id == uid).order_by(col(Memory.created_at))
    ).all()
    history = session.exec(
        select(MemoryHistory).where(MemoryHistory.user_id == uid).order_by(col(MemoryHistory.id))
    ).all()
    turns = session.exec(
        select(Turn).where(Turn.user_id == uid).order_by(col(Turn.created_at))
    ).all()
    traces = session.exec(
        select(Trace).where(Trace.user_id == uid).order_by(col(Trace.created_at))
    ).all()
    feedback = session.exec(select(Feedback).where(Feedback.user_id == uid)).all()
    by_memory: dict[str, list[dict[str, Any]]] = {}
    for row in history:
        by_memory.setdefault(row.memory_id, []).append(
            row.model_dump(mode="json", exclude={"user_id", "memory_id"})
        )
    return {
        "user": {
            "external_id": user.external_id,
            "tenant_id": user.tenant_id,
            "created_at": user.created_at.isoformat(),
            "last_seen_at": user.last_seen_at.isoformat(),
        },
        "profile": profile.model_dump(mode="json", exclude={"user_id"}),
        "memories": [{**memory_snapshot(m), "history": by_memory.get(m.id, [])} for m in memories],
        "turns": [t.model_dump(mode="json", exclude={"user_id"}) for t in turns],
        "traces": [t.model_dump(mode="json", exclude={"user_id"}) for t in traces],
        "feedback": [f.model_dump(mode="json", exclude={"user_id"}) for f in feedback],
        "responses": exported_responses(session, uid or 0),
        "proposals": exported_proposals(session, uid or 0),
    }
