"""Stored Responses API responses: save, find (tenant-scoped), delete, and the conversation a
`previous_response_id` continues."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from store.models import StoredResponse

MAX_CHAIN = 200  # links followed back from a previous_response_id


def find_response(
    session: Session, tenant_id: str, response_id: str, user_id: int | None = None
) -> StoredResponse | None:
    """The tenant's stored response `response_id` (and `user_id`'s, if given), or None."""
    row = session.get(StoredResponse, response_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    if user_id is not None and row.user_id != user_id:
        return None
    return row


def conversation(session: Session, row: StoredResponse) -> list[dict[str, Any]]:
    """Every input and output item of `row` and the responses before it, oldest first."""
    chain: list[StoredResponse] = [row]
    while chain[-1].previous_response_id and len(chain) < MAX_CHAIN:
        prev = session.get(StoredResponse, chain[-1].previous_response_id)
        if prev is None or prev.tenant_id != row.tenant_id or prev.user_id != row.user_id:
            break
        chain.append(prev)
    items: list[dict[str, Any]] = []
    for link in reversed(chain):
        items += [*link.input_items, *link.output_items]
    return items


def delete_user_responses(session: Session, user_id: int) -> int:
    """Delete every stored response of one user; returns how many."""
    rows = session.exec(select(StoredResponse).where(col(StoredResponse.user_id) == user_id)).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def exported_responses(session: Session, user_id: int) -> list[dict[str, Any]]:
    """One user's stored responses for an export, oldest first: each response object with its
    output and input items."""
    query = select(StoredResponse).where(col(StoredResponse.user_id) == user_id)
    rows = session.exec(query.order_by(col(StoredResponse.created_at))).all()
    return [{**r.response, "output": r.output_items, "input_items": r.input_items} for r in rows]
