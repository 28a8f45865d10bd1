"""Admin API: one user's memories (by state, kind, text), history timelines, corrections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.admin_deps import AdminDep, Limit, Offset
from api.deps import RuntimeDep
from api.routes.admin_tenants import Reason, ReasonBody
from persona.admin import corrections, queries
from persona.public import MemoryDetail, MemoryPublic, Page
from store.db import session_scope

router = APIRouter(
    prefix="/admin/v1/tenants/{tenant_id}/users/{user_id:path}/memories", tags=["admin"]
)


class MemoryEdit(BaseModel):
    """New text for a memory, and why."""

    text: str = Field(min_length=1, max_length=corrections.MAX_MEMORY_CHARS)
    reason: Reason


class NoteCreate(BaseModel):
    """A memory an admin adds for the user."""

    text: str = Field(min_length=1, max_length=corrections.MAX_MEMORY_CHARS)
    kind: str = "fact"
    reason: Reason


@router.get("")
def memories(
    tenant_id: str,
    user_id: str,
    admin: AdminDep,
    runtime: RuntimeDep,
    state: str = "valid",
    kind: str | None = None,
    q: Annotated[str, Query(max_length=500)] = "",
    limit: Limit = 200,
    offset: Offset = 0,
) -> Page[MemoryPublic]:
    """Memories by state (valid, superseded, expired, forgotten, all), kind and words."""
    with session_scope(runtime.db) as session:
        data = queries.list_memories(
            session,
            admin.check_tenant(tenant_id),
            user_id,
            state=state,
            kind=kind,
            search=q,
            limit=limit,
            offset=offset,
        )
    return Page[MemoryPublic].model_validate({"data": data})


@router.post("", status_code=201)
def add_note(
    tenant_id: str, user_id: str, body: NoteCreate, admin: AdminDep, runtime: RuntimeDep
) -> MemoryPublic:
    """Add a memory (a note) for the user, written by this admin."""
    with session_scope(runtime.db) as session:
        memory = corrections.add_note(
            session,
            runtime.memories,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            text=body.text,
            kind=body.kind,
            reason=body.reason,
        )
    return MemoryPublic.model_validate(memory)


@router.get("/{memory_id}")
def memory(
    tenant_id: str, user_id: str, memory_id: str, admin: AdminDep, runtime: RuntimeDep
) -> MemoryDetail:
    """A memory, its history timeline (actor, reason, source turn) and supersede chain."""
    with session_scope(runtime.db) as session:
        detail = queries.memory_detail(session, admin.check_tenant(tenant_id), user_id, memory_id)
    return MemoryDetail.model_validate(detail)


@router.patch("/{memory_id}")
def edit(
    tenant_id: str,
    user_id: str,
    memory_id: str,
    body: MemoryEdit,
    admin: AdminDep,
    runtime: RuntimeDep,
) -> MemoryPublic:
    """Change a valid memory's text."""
    with session_scope(runtime.db) as session:
        memory = corrections.edit_memory(
            session,
            runtime.memories,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            memory_id=memory_id,
            text=body.text,
            reason=body.reason,
        )
    return MemoryPublic.model_validate(memory)


@router.post("/{memory_id}/invalidate")
def invalidate(
    tenant_id: str,
    user_id: str,
    memory_id: str,
    body: ReasonBody,
    admin: AdminDep,
    runtime: RuntimeDep,
) -> MemoryPublic:
    """Mark a memory no longer true: kept in history, never used in a reply again."""
    with session_scope(runtime.db) as session:
        memory = corrections.invalidate_memory(
            session,
            runtime.memories,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            memory_id=memory_id,
            reason=body.reason,
        )
    return MemoryPublic.model_validate(memory)


@router.post("/{memory_id}/suppress")
def suppress(
    tenant_id: str,
    user_id: str,
    memory_id: str,
    body: ReasonBody,
    admin: AdminDep,
    runtime: RuntimeDep,
) -> MemoryPublic:
    """ "Don't mention this again": kept in history and export, never used in a reply."""
    with session_scope(runtime.db) as session:
        memory = corrections.suppress_memory(
            session,
            runtime.memories,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            memory_id=memory_id,
            suppressed=True,
            reason=body.reason,
        )
    return MemoryPublic.model_validate(memory)


@router.post("/{memory_id}/unsuppress")
def unsuppress(
    tenant_id: str,
    user_id: str,
    memory_id: str,
    body: ReasonBody,
    admin: AdminDep,
    runtime: RuntimeDep,
) -> MemoryPublic:
    """Undo a suppression: the memory may be used in replies again."""
    with session_scope(runtime.db) as session:
        memory = corrections.suppress_memory(
            session,
            runtime.memories,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            external_id=user_id,
            memory_id=memory_id,
            suppressed=False,
            reason=body.reason,
        )
    return MemoryPublic.model_validate(memory)
