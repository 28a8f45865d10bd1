"""Admin corrections. Each one changes the store and writes its audit row in one transaction.

Memory edits, invalidations and suppressions are `MemoryService.update/delete/suppress` (the
same rules and answers as the user API) run in the caller's session, so the audit row commits
with them. Every memory change writes a memory-history row (actor `admin`) and bumps the user's
`memory_version`, so retrieval rebuilds its index and the next reply sees the change.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from persona.admin.audit import write_audit
from persona.admin.queries import (
    get_tenant,
    get_user,
    history_public,
    list_memories,
    memory_public,
    profile_public,
    tenant_public,
    trace_public,
    turn_public,
)
from persona.bootstrap import new_tenant
from persona.errors import NotFound
from persona.memory.checks import MAX_TEXT_CHARS, check_text
from persona.memory.kinds import memory_kind
from persona.memory.service import MemoryService
from persona.memory.writes import (
    add_memory,
    bump_version,
    embedding_bytes,
    memory_snapshot,
    purge_user_rows,
    record_history,
)
from persona.steer.proposals import exported as exported_proposals
from store.models import (
    Feedback,
    Memory,
    MemoryHistory,
    Profile,
    Trace,
    Turn,
    utcnow,
)
from store.responses import exported_responses
from store.tenants import key_cache, rotate_key

MAX_MEMORY_CHARS = MAX_TEXT_CHARS


def _audited(
    session: Session,
    memory: Memory,
    action: str,
    admin: str,
    tenant_id: str,
    external_id: str,
    reason: str,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Audit a correction of `memory` in the same transaction; the memory's admin form.
    The audit keeps the memory's text unless `details` says otherwise."""
    write_audit(
        session,
        admin=admin,
        action=action,
        tenant_id=tenant_id,
        user_external_id=external_id,
        target=memory.id,
        reason=reason,
        details={"text": memory.text} if details is None else details,
    )
    return memory_public(memory)


def edit_memory(
    session: Session,
    memories: MemoryService,
    *,
    admin: str,
    tenant_id: str,
    external_id: str,
    memory_id: str,
    text: str,
    reason: str,
) -> dict[str, Any]:
    """Replace a valid memory's text (re-embedded); history keeps what it said before."""
    before = memories.get(tenant_id, external_id, memory_id, session=session).text
    memory = memories.update(
        tenant_id,
        external_id,
        memory_id,
        text=text,
        actor="admin",
        reason=reason,
        session=session,
    )
    details = {"before": before, "after": memory.text}
    return _audited(session, memory, "memory.edit", admin, tenant_id, external_id, reason, details)


def invalidate_memory(
    session: Session,
    memories: MemoryService,
    *,
    admin: str,
    tenant_id: str,
    external_id: str,
    memory_id: str,
    reason: str,
) -> dict[str, Any]:
    """Mark a memory no longer true (kept, queryable by time; never used in replies again):
    `MemoryService.delete`, audited."""
    memory = memories.delete(
        tenant_id, external_id, memory_id, actor="admin", reason=reason, session=session
    )
    action = "memory.invalidate"
    return _audited(session, memory, action, admin, tenant_id, external_id, reason)


def suppress_memory(
    session: Session,
    memories: MemoryService,
    *,
    admin: str,
    tenant_id: str,
    external_id: str,
    memory_id: str,
    suppressed: bool,
    reason: str,
) -> dict[str, Any]:
    """ "Don't mention this again" (or undo it): kept and exported, left out of prompts."""
    memory = memories.suppress(
        tenant_id,
        external_id,
        memory_id,
        suppressed=suppressed,
        actor="admin",
        reason=reason,
        session=session,
    )
    action = "memory.suppress" if suppressed else "memory.unsuppress"
    return _audited(session, memory, action, admin, tenant_id, external_id, reason)


def add_note(
    session: Session,
    memories: MemoryService,
    *,
    admin: str,
    tenant_id: str,
    external_id: str,
    text: str,
    reason: str,
    kind: str = "fact",
) -> dict[str, Any]:
    """Add a memory written by an admin (actor `admin`, metadata `admin_note`).

    Unlike `MemoryService.add` it is not consolidated: a note is kept as written, beside
    whatever the user said.
    """
    kind = memory_kind(kind)
    text = check_text(text)
    user = get_user(session, tenant_id, external_id)
    assert user.id is not None
    memory = add_memory(
        session,
        Memory(
            user_id=user.id,
            kind=kind,
            text=text,
            embedding=embedding_bytes(memories.embedder.embed([text])[0]),
            actor="admin",
            meta={"admin_note": True},
        ),
    )
    record_history(
        session,
        memory_id=memory.id,
        user_id=user.id,
        op="add",
        before=None,
        after=memory_snapshot(memory),
        actor="admin",
        reason=reason,
    )
    bump_version(session, user)
    details = {"kind": kind, "text": text}
    return _audited(session, memory, "memory.note", admin, tenant_id, external_id, reason, details)


def remove_constraint(
    session: Session, *, admin: str, tenant_id: str, external_id: str, cid: str, reason: str
) -> dict[str, Any]:
    """Remove one of the user's stored constraints (by its `cid`); returns the new profile."""
    user = get_user(session, tenant_id, external_id)
    profile = session.get(Profile, user.id)
    constraints = list(profile.constraints) if profile else []
    kept = [c for c in constraints if c.get("cid") != cid]
    if profile is None or len(kept) == len(constraints):
        raise NotFound(f"user {external_id!r} has no constraint {cid!r}")
    removed = next(c for c in constraints if c.get("cid") == cid)
    profile.constraints = kept
    profile.version += 1
    profile.updated_at = utcnow()
    session.add(profile)
    write_audit(
        session,
        admin=admin,
        action="constraint.remove",
        tenant_id=tenant_id,
        user_external_id=external_id,
        target=cid,
        reason=reason,
        details={"constraint": removed},
    )
    return profile_public(profile)


def export_user(
    session: Session, *, admin: str, tenant_id: str, external_id: str, reason: str = ""
) -> dict[str, Any]:
    """Everything stored about the user: profile, memories with history, turns, traces, feedback,
    stored Responses API responses and proposed constraints."""
    user = get_user(session, tenant_id, external_id)
    history = session.exec(
        select(MemoryHistory)
        .where(MemoryHistory.user_id == user.id)
        .order_by(col(MemoryHistory.created_at), col(MemoryHistory.id))
    ).all()
    by_memory: dict[str, list[dict[str, Any]]] = {}
    for row in history:
        by_memory.setdefault(row.memory_id, []).append(history_public(row))
    memories = list_memories(session, tenant_id, external_id, state="all", limit=1_000_000)
    turns = session.exec(select(Turn).where(Turn.user_id == user.id).order_by(col(Turn.created_at)))
    traces = session.exec(
        select(Trace).where(Trace.user_id == user.id).order_by(col(Trace.created_at))
    )
    feedback = session.exec(
        select(Feedback).where(Feedback.user_id == user.id).order_by(col(Feedback.created_at))
    )
    write_audit(
        session,
        admin=admin,
        action="user.export",
        tenant_id=tenant_id,
        user_external_id=external_id,
        reason=reason,
    )
    return {
        "user": {"id": user.external_id, "created_at": user.created_at.isoformat()},
        "profile": profile_public(session.get(Profile, user.id)),
        "memories": [{**m, "history": by_memory.get(m["id"], [])} for m in memories],
        "turns": [turn_public(t) for t in turns.all()],
        "traces": [trace_public(t, None) for t in traces.all()],
        "feedback": [
            {
                "turn_id": f.turn_id,
                "rating": f.rating,
                "comment": f.comment,
                "created_at": f.created_at.isoformat(),
            }
            for f in feedback.all()
        ],
        "responses": exported_responses(session, user.id or 0),
        "proposals": exported_proposals(session, user.id or 0),
    }


def purge_user(
    session: Session, *, admin: str, tenant_id: str, external_id: str, reason: str
) -> dict[str, int]:
    """Hard-delete the user's memories, history, turns, traces, jobs and feedback; counts."""
    user = get_user(session, tenant_id, external_id)
    counts = purge_user_rows(session, user)
    write_audit(
        session,
        admin=admin,
        action="user.purge",
        tenant_id=tenant_id,
        user_external_id=external_id,
        reason=reason,
        details=dict(counts),
    )
    return counts


def create_tenant_audited(session: Session, *, admin: str, name: str) -> dict[str, Any]:
    """Create a tenant; returns it with its API key (shown only this once)."""
    tenant, key = new_tenant(session, name)
    write_audit(
        session, admin=admin, action="tenant.create", tenant_id=tenant.id, target=tenant.name
    )
    return {"tenant": {**tenant_public(tenant), "users": 0}, "api_key": key}


def rotate_tenant_key(
    session: Session, *, admin: str, tenant_id: str, reason: str
) -> dict[str, Any]:
    """Give the tenant a new API key (the old one stops working); returns the new key."""
    tenant = get_tenant(session, tenant_id)
    key = rotate_key(session, tenant)
    write_audit(
        session,
        admin=admin,
        action="tenant.rotate_key",
        tenant_id=tenant.id,
        target=tenant.name,
        reason=reason,
    )
    return {"tenant": tenant_public(tenant), "api_key": key}


def set_tenant_disabled(
    session: Session, *, admin: str, tenant_id: str, disabled: bool, reason: str
) -> dict[str, Any]:
    """Disable (its key stops working) or re-enable a tenant."""
    tenant = get_tenant(session, tenant_id)
    key_cache.forget(tenant.id)
    tenant.disabled = disabled
    session.add(tenant)
    session.flush()
    write_audit(
        session,
        admin=admin,
        action="tenant.disable" if disabled else "tenant.enable",
        tenant_id=tenant.id,
        target=tenant.name,
        reason=reason,
    )
    return tenant_public(tenant)
