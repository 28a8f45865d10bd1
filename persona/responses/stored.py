"""Stored responses as a Responses request meets them: the conversation a
`previous_response_id` continues, and the response kept after the reply (`store: true`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from persona.errors import InvalidInput, NotFound
from store.db import session_scope
from store.models import StoredResponse
from store.responses import conversation, find_response
from store.users import find_user


def history(db: Engine, tenant_id: str, user: str, previous: Any) -> list[dict[str, Any]]:
    """The stored conversation `previous` continues (the same tenant and user), oldest first."""
    if previous is None:
        return []
    if not isinstance(previous, str):
        raise InvalidInput("previous_response_id must be a string", param="previous_response_id")
    with session_scope(db) as session:
        found = find_user(session, tenant_id, user)
        row = found and find_response(session, tenant_id, previous, found.id)
        if not row:
            raise NotFound(
                f"no stored response {previous!r} for this user; it was deleted, stored with "
                "store: false, or belongs to another user",
            )
        return conversation(session, row)


def save(
    db: Engine, tenant_id: str, user: str, items: list[dict[str, Any]], final: dict[str, Any]
) -> None:
    """Keep the finished response `final` (whose input items were `items`)."""
    with session_scope(db) as session:
        found = find_user(session, tenant_id, user)
        if found is None or found.id is None:  # nothing was recorded for this user
            return
        trace = final.get("persona") or {}
        session.add(
            StoredResponse(
                id=final["id"],
                tenant_id=tenant_id,
                user_id=found.id,
                turn_id=trace.get("turn_id"),
                previous_response_id=final.get("previous_response_id"),
                input_items=items,
                output_items=final["output"],
                response={k: v for k, v in final.items() if k != "output"},
            )
        )


def fetch(db: Engine, tenant_id: str, rid: str) -> StoredResponse:
    """The tenant's stored response `rid` (detached from its session)."""
    with session_scope(db) as session:
        row = find_response(session, tenant_id, rid)
        if row is None:
            raise NotFound(f"no stored response {rid!r}")
        session.expunge(row)
        return row


def delete(db: Engine, tenant_id: str, rid: str) -> None:
    """Delete the tenant's stored response `rid` (the turns and memories of it stay)."""
    with session_scope(db) as session:
        row = find_response(session, tenant_id, rid)
        if row is None:
            raise NotFound(f"no stored response {rid!r}")
        session.delete(row)
