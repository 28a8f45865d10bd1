"""Read-only admin queries: tenants, users, profiles, memories with history, turns, traces.

Every function that touches a user takes the tenant id as well, so a lookup can never reach
another tenant's rows: `get_user(session, tenant_id, external_id)` is the only way in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from persona.errors import InvalidInput, NotFound
from persona.public import (
    HistoryEntry,
    MemoryDetail,
    MemoryPublic,
    MemoryState,
    ProfilePublic,
    TenantListed,
    TenantPublic,
    TenantRef,
    TracePublic,
    TurnPublic,
    UserDetail,
    UserSummary,
    memory_state,
)
from store.models import Memory, MemoryHistory, Profile, Tenant, Trace, Turn, User, utcnow

MEMORY_STATES = ("valid", "superseded", "expired", "forgotten", "all")

# Every function here answers in JSON form (`model_dump(mode="json")`) of a model of
# `persona.public`: the CLI prints these and the corrections compose them; the routes declare
# the models.


def tenant_public(tenant: Tenant) -> dict[str, Any]:
    """The JSON form of a tenant (`TenantPublic`: never its key hash)."""
    return TenantPublic.model_validate(tenant).model_dump(mode="json")


def list_tenants(session: Session, tenant_id: str | None = None) -> list[dict[str, Any]]:
    """All tenants (or only `tenant_id`), oldest first, with user counts."""
    counts = dict(session.exec(select(User.tenant_id, func.count()).group_by(User.tenant_id)).all())
    query = select(Tenant).order_by(col(Tenant.created_at), col(Tenant.name))
    if tenant_id is not None:
        query = query.where(Tenant.id == tenant_id)
    return [
        TenantListed.of(t, int(counts.get(t.id, 0))).model_dump(mode="json")
        for t in session.exec(query).all()
    ]


def get_tenant(session: Session, tenant_id: str) -> Tenant:
    """The tenant with this id, or NotFound."""
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise NotFound(f"no tenant with id {tenant_id!r}")
    return tenant


def get_user(session: Session, tenant_id: str, external_id: str) -> User:
    """The user `external_id` of `tenant_id`, or NotFound (never another tenant's user)."""
    user = session.exec(
        select(User).where(User.tenant_id == tenant_id, User.external_id == external_id)
    ).first()
    if user is None:
        raise NotFound(f"no user {external_id!r} in this tenant")
    return user


def list_users(
    session: Session, tenant_id: str, search: str = "", limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The tenant's users, most recently active first, with memory and turn counts."""
    valid = (
        select(Memory.user_id, func.count().label("n"))
        .where(col(Memory.invalid_at).is_(None))
        .group_by(col(Memory.user_id))
        .subquery()
    )
    total = select(Memory.user_id, func.count().label("n")).group_by(col(Memory.user_id)).subquery()
    turns = (
        select(Turn.user_id, func.count().label("n"), func.max(Turn.created_at).label("last"))
        .group_by(col(Turn.user_id))
        .subquery()
    )
    query = (
        select(User, valid.c.n, total.c.n, turns.c.n, turns.c.last)  # type: ignore[call-overload]
        .outerjoin(valid, valid.c.user_id == User.id)
        .outerjoin(total, total.c.user_id == User.id)
        .outerjoin(turns, turns.c.user_id == User.id)
        .where(User.tenant_id == tenant_id)
    )
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(User.external_id).ilike(f"%{escaped}%", escape="\\"))
    query = query.order_by(col(User.last_seen_at).desc(), col(User.external_id))
    rows = session.exec(query.offset(offset).limit(limit)).all()
    return [
        UserSummary(
            id=user.external_id,
            created_at=user.created_at,
            last_active_at=user.last_seen_at,
            last_turn_at=last,
            memories_valid=int(n_valid or 0),
            memories_total=int(n_total or 0),
            turns=int(n_turns or 0),
        ).model_dump(mode="json")
        for user, n_valid, n_total, n_turns, last in rows
    ]


def profile_public(profile: Profile | None) -> dict[str, Any]:
    """The JSON form of a profile (`ProfilePublic`; the defaults when the user has none)."""
    return ProfilePublic.of(profile).model_dump(mode="json")


def memory_public(memory: Memory, now: datetime | None = None) -> dict[str, Any]:
    """The JSON form of a memory with its state (`MemoryPublic`)."""
    return MemoryPublic.now(memory, now).model_dump(mode="json")


def user_detail(session: Session, tenant_id: str, external_id: str) -> dict[str, Any]:
    """One user: profile and constraints, counts per memory state, turns and last activity."""
    user = get_user(session, tenant_id, external_id)
    now = utcnow()
    states: dict[MemoryState, int] = {"valid": 0, "superseded": 0, "expired": 0, "forgotten": 0}
    for memory in session.exec(select(Memory).where(Memory.user_id == user.id)).all():
        states[memory_state(memory, now)] += 1
    n_turns = session.exec(select(func.count()).where(Turn.user_id == user.id)).one()
    tenant = get_tenant(session, tenant_id)
    detail = {
        "id": user.external_id,
        "tenant": TenantRef(id=tenant.id, name=tenant.name),
        "created_at": user.created_at,
        "last_active_at": user.last_seen_at,
        "memory_version": user.memory_version,
        "memories": states,
        "turns": int(n_turns),
        "profile": ProfilePublic.of(session.get(Profile, user.id)),
        "tenant_constraints": tenant.constraints,  # stored JSON: validated into the model
    }
    return UserDetail.model_validate(detail).model_dump(mode="json")


def list_memories(
    session: Session,
    tenant_id: str,
    external_id: str,
    *,
    state: str = "valid",
    kind: str | None = None,
    search: str = "",
    limit: int = 200,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The user's memories in `state` (or `all`), newest first, optionally by kind and text
    (each in the JSON form of `MemoryPublic`)."""
    if state not in MEMORY_STATES:
        raise InvalidInput(f"state must be one of {', '.join(MEMORY_STATES)}", param="state")
    user = get_user(session, tenant_id, external_id)
    now = utcnow()
    query = select(Memory).where(Memory.user_id == user.id)
    if kind:
        query = query.where(Memory.kind == kind)
    if search:
        words = [w for w in search.lower().split() if w]
        query = query.where(*(func.lower(Memory.text).contains(w, autoescape=True) for w in words))
    if state == "superseded":
        query = query.where(col(Memory.superseded_by).is_not(None))
    elif state == "forgotten":
        query = query.where(
            col(Memory.invalid_at).is_not(None), col(Memory.superseded_by).is_(None)
        )
    elif state == "expired":
        query = query.where(col(Memory.invalid_at).is_(None), col(Memory.expires_at) <= now)
    elif state == "valid":
        query = query.where(
            col(Memory.invalid_at).is_(None),
            or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
        )
    query = query.order_by(col(Memory.created_at).desc(), col(Memory.id))
    return [memory_public(m, now) for m in session.exec(query.offset(offset).limit(limit)).all()]


def get_memory(session: Session, tenant_id: str, external_id: str, memory_id: str) -> Memory:
    """The memory `memory_id` of this user, or NotFound."""
    user = get_user(session, tenant_id, external_id)
    memory = session.get(Memory, memory_id)
    if memory is None or memory.user_id != user.id:
        raise NotFound(f"no memory {memory_id!r} for user {external_id!r}")
    return memory


def history_public(row: MemoryHistory) -> dict[str, Any]:
    """The JSON form of one history row (`HistoryEntry`)."""
    return HistoryEntry.of(row).model_dump(mode="json")


def supersede_chain(session: Session, memory: Memory) -> list[dict[str, Any]]:
    """Every version of this fact, oldest first: what it superseded and what superseded it."""
    chain = [memory]
    seen = {memory.id}
    current = memory
    while True:  # walk back: who did `current` supersede?
        prev = session.exec(
            select(Memory).where(
                Memory.user_id == memory.user_id, Memory.superseded_by == current.id
            )
        ).first()
        if prev is None or prev.id in seen:
            break
        chain.insert(0, prev)
        seen.add(prev.id)
        current = prev
    current = memory
    while current.superseded_by and current.superseded_by not in seen:  # walk forward
        nxt = session.get(Memory, current.superseded_by)
        if nxt is None or nxt.user_id != memory.user_id:
            break
        chain.append(nxt)
        seen.add(nxt.id)
        current = nxt
    now = utcnow()
    return [memory_public(m, now) for m in chain]


def memory_detail(
    session: Session, tenant_id: str, external_id: str, memory_id: str
) -> dict[str, Any]:
    """A memory with its full history timeline (oldest first) and its supersede chain."""
    memory = get_memory(session, tenant_id, external_id, memory_id)
    rows = session.exec(
        select(MemoryHistory)
        .where(MemoryHistory.memory_id == memory.id, MemoryHistory.user_id == memory.user_id)
        .order_by(col(MemoryHistory.created_at), col(MemoryHistory.id))
    ).all()
    return MemoryDetail(
        memory=MemoryPublic.now(memory),
        history=[HistoryEntry.of(r) for r in rows],
        chain=[MemoryPublic.model_validate(m) for m in supersede_chain(session, memory)],
    ).model_dump(mode="json")


def turn_public(turn: Turn) -> dict[str, Any]:
    """The JSON form of a turn (`TurnPublic`)."""
    return TurnPublic.model_validate(turn).model_dump(mode="json")


def list_turns(
    session: Session, tenant_id: str, external_id: str, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The user's turns, newest first."""
    user = get_user(session, tenant_id, external_id)
    query = select(Turn).where(Turn.user_id == user.id, Turn.tenant_id == tenant_id)
    query = query.order_by(col(Turn.created_at).desc(), col(Turn.id)).offset(offset).limit(limit)
    return [turn_public(t) for t in session.exec(query).all()]


def trace_public(trace: Trace, turn: Turn | None) -> dict[str, Any]:
    """The JSON form of a trace, with its turn's message and reply (`TracePublic`)."""
    return TracePublic.of(trace, turn).model_dump(mode="json")


def list_traces(
    session: Session,
    tenant_id: str,
    external_id: str,
    *,
    memory_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The user's traces, newest first; with `memory_id`, only replies that used that memory."""
    user = get_user(session, tenant_id, external_id)
    query = (
        select(Trace, Turn)
        .outerjoin(Turn, col(Turn.id) == col(Trace.turn_id))
        .where(Trace.user_id == user.id, Trace.tenant_id == tenant_id)
        .order_by(col(Trace.created_at).desc(), col(Trace.id))
    )
    if memory_id is None:
        rows = session.exec(query.offset(offset).limit(limit)).all()
        return [trace_public(t, turn) for t, turn in rows]
    # the used memories live in the JSON trace; filter in Python (per user, so bounded)
    used = [
        trace_public(t, turn)
        for t, turn in session.exec(query).all()
        if any(m.get("id") == memory_id for m in (t.data or {}).get("memories", []))
    ]
    return used[offset : offset + limit]


def get_trace(session: Session, tenant_id: str, external_id: str, turn_id: str) -> dict[str, Any]:
    """The trace of one turn of this user, or NotFound."""
    user = get_user(session, tenant_id, external_id)
    row = session.exec(
        select(Trace).where(
            Trace.turn_id == turn_id, Trace.user_id == user.id, Trace.tenant_id == tenant_id
        )
    ).first()
    if row is None:
        raise NotFound(f"no trace for turn {turn_id!r} of user {external_id!r}")
    return trace_public(row, session.get(Turn, turn_id))
