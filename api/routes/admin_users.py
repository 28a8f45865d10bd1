"""Admin API: a tenant's users, one user's profile, turns and traces, export and purge."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.admin_deps import AdminDep, Limit, Offset
from api.deps import RuntimeDep
from api.routes.admin_tenants import ReasonBody
from persona.admin import corrections, queries
from persona.public import (
    AdminExport,
    Deleted,
    Page,
    ProfilePublic,
    TracePublic,
    TurnPublic,
    UserDetail,
    UserSummary,
)
from store.db import session_scope

router = APIRouter(prefix="/admin/v1/tenants/{tenant_id}/users", tags=["admin"])


@router.get("")
def users(
    tenant_id: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    q: Annotated[str, Query(max_length=256)] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[UserSummary]:
    """The tenant's users (search by id with `q`), with counts and last activity."""
    with session_scope(runtime.db) as session:
        queries.get_tenant(session, admin.check_tenant(tenant_id))
        rows = queries.list_users(session, tenant_id, q, limit, offset)
    return Page[UserSummary].model_validate({"data": rows})


@router.get("/{user_id:path}/turns")
def turns(
    tenant_id: str,
    user_id: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TurnPublic]:
    """The user's turns, newest first."""
    with session_scope(runtime.db) as session:
        rows = queries.list_turns(session, admin.check_tenant(tenant_id), user_id, limit, offset)
    return Page[TurnPublic].model_validate({"data": rows})


@router.get("/{user_id:path}/traces")
def traces(
    tenant_id: str,
    user_id: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    memory_id: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TracePublic]:
    """The user's traces, newest first; `memory_id` keeps only replies that used that memory."""
    with session_scope(runtime.db) as session:
        rows = queries.list_traces(
            session,
            admin.check_tenant(tenant_id),
            user_id,
            memory_id=memory_id,
            limit=limit,
            offset=offset,
        )
    return Page[TracePublic].model_validate({"data": rows})


@router.get("/{user_id:path}/traces/{turn_id}")
def trace(
    tenant_id: str, user_id: str, turn_id: str, admin: AdminDep, runtime: RuntimeDep
) -> TracePublic:
    """The trace of one reply: memories, route, prompt, checks and repairs, model, latency."""
    with session_scope(runtime.db) as session:
        row = queries.get_trace(session, admin.check_tenant(tenant_id), user_id, turn_id)
    return TracePublic.model_validate(row)


@router.delete("/{user_id:path}/constraints/{cid}")
def remove_constraint(
    tenant_id: str,
    user_id: str,
    cid: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Query(min_length=1, max_length=2000)],
) -> ProfilePublic:
    """Remove one of the user's constraints; returns the updated profile."""
    with session_scope(runtime.db) as session:
        profile = corrections.remove_constraint(
            session,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            cid=cid,
            reason=reason,
        )
    return ProfilePublic.model_validate(profile)


@router.get("/{user_id:path}/export")
def export(
    tenant_id: str,
    user_id: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    reason: Annotated[str, Query(max_length=2000)] = "",
) -> AdminExport:
    """Everything stored about the user (audited)."""
    with session_scope(runtime.db) as session:
        exported = corrections.export_user(
            session,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            reason=reason,
        )
    return AdminExport.model_validate(exported)


@router.post("/{user_id:path}/purge")
def purge(
    tenant_id: str, user_id: str, body: ReasonBody, admin: AdminDep, runtime: RuntimeDep
) -> Deleted:
    """Hard-delete the user's memories, turns and traces; returns what was deleted."""
    with session_scope(runtime.db) as session:
        counts = corrections.purge_user(
            session,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            reason=body.reason,
        )
    return Deleted(deleted=counts)


# last: a user id may hold '/', so this path also matches the longer ones above
@router.get("/{user_id:path}")
def user(tenant_id: str, user_id: str, admin: AdminDep, runtime: RuntimeDep) -> UserDetail:
    """One user: profile and constraints, memory counts by state, turns, last activity."""
    with session_scope(runtime.db) as session:
        detail = queries.user_detail(session, admin.check_tenant(tenant_id), user_id)
    return UserDetail.model_validate(detail)
