"""Feedback on replies: stored, then used to nudge the tenant's routing threshold."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine

from persona.errors import NotFound
from store.db import session_scope
from store.models import Feedback, Tenant, Turn


def record_feedback(
    db: Engine, tenant_id: str, response_id: str, rating: str, comment: str = ""
) -> dict[str, Any]:
    """Store feedback on the turn `response_id` (`chatcmpl-<turn>` or the turn id) and adjust
    the tenant's threshold ("regenerate with reasoning" on a fast reply lowers it)."""
    from persona.route import Router
    from persona.route.tenant import apply_feedback

    turn_id = response_id.removeprefix("chatcmpl-")
    with session_scope(db) as session:
        turn = session.get(Turn, turn_id)
        if turn is None or turn.tenant_id != tenant_id:
            raise NotFound(f"no response {response_id!r} for this tenant")
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None
        row = Feedback(
            tenant_id=tenant_id,
            user_id=turn.user_id,
            turn_id=turn.id,
            rating=rating,
            comment=comment,
        )
        session.add(row)
        session.flush()
        stored = {
            "id": row.id,
            "response_id": f"chatcmpl-{turn.id}",
            "rating": rating,
            "tier": turn.tier,
        }
        name = tenant.name
    routing = apply_feedback(db, Router.load().default_threshold, tenant_name=name)
    return {"feedback": stored, "route_threshold": routing["route_threshold"]}
