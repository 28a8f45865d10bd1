"""`/v1/users/{user}/memories`: list, search, get, add, update, forget, suppress, history,
export, purge."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from api.deps import RuntimeDep, TenantDep
from persona.errors import InvalidInput
from persona.memory.kinds import MemoryKind
from persona.public import (
    DataExport,
    HistoryEntry,
    HistoryList,
    MemoryList,
    MemoryPublic,
    MemorySummary,
    Purged,
    ScoredMemory,
    SearchResults,
    SummaryEdited,
)
from persona.types import Timestamp

router = APIRouter(tags=["memory"])

UserPath = Annotated[str, Path(min_length=1, max_length=256, description="the end user's id")]


class MemoryIn(BaseModel):
    """A memory to add; it goes through consolidation like an extracted one."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    kind: MemoryKind = "fact"
    attribute: str | None = Field(default=None, max_length=100)
    importance: float = Field(default=0.5, ge=0, le=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: Literal["user", "agent", "session"] = "user"
    agent_id: str | None = Field(default=None, max_length=256)
    session_id: str | None = Field(default=None, max_length=256)
    expires_at: Timestamp | None = None
    project: str | None = Field(default=None, min_length=1, max_length=256)


class MemoryPatch(BaseModel):
    """Fields to change on a memory (recorded in its history)."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, min_length=1, max_length=2000)
    kind: MemoryKind | None = None
    attribute: str | None = Field(default=None, max_length=100)
    importance: float | None = Field(default=None, ge=0, le=1)
    metadata: dict[str, Any] | None = None
    expires_at: Timestamp | None = None
    reason: str = Field(default="", max_length=500)


class SearchIn(BaseModel):
    """A memory search."""

    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(default=10, ge=1, le=100)
    as_of: Timestamp | None = None


def _metadata_filter(pairs: list[str] | None) -> dict[str, Any] | None:
    if not pairs:
        return None
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InvalidInput(f"metadata filter {pair!r} must look like key=value", "metadata")
        out[key] = value
    return out


@router.get("/v1/users/{user:path}/memories")
async def list_memories(
    rt: RuntimeDep,
    tenant: TenantDep,
    user: UserPath,
    kind: MemoryKind | None = None,
    scope: Literal["user", "agent", "session"] | None = None,
    metadata: Annotated[list[str] | None, Query(description="key=value, repeatable")] = None,
    valid: Literal["current", "all"] = "current",
    as_of: Timestamp | None = None,
    project: Annotated[str | None, Query(max_length=256)] = None,
) -> MemoryList:
    """The user's memories: currently valid (default), all (`valid=all`), or as of a time."""
    rows = await run_in_threadpool(
        rt.memories.list,
        tenant.id,
        user,
        kind=kind,
        scope=scope,
        metadata=_metadata_filter(metadata),
        include_invalid=valid == "all",
        as_of=as_of,
        project=project,
    )
    return MemoryList(memories=[MemoryPublic.now(m) for m in rows])


@router.post("/v1/users/{user:path}/memories/search")
async def search_memories(
    body: SearchIn, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> SearchResults:
    """Hybrid search over the user's memories (relevance-gated: may return nothing)."""
    hits = await run_in_threadpool(
        rt.memories.search, tenant.id, user, body.query, k=body.k, as_of=body.as_of
    )
    return SearchResults(
        results=[ScoredMemory.now(h.memory, score=round(float(h.score), 4)) for h in hits]
    )


@router.post("/v1/users/{user:path}/memories", status_code=201)
async def add_memory(
    body: MemoryIn, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> MemoryPublic:
    """Add a memory (a near-duplicate refreshes the existing one; a new value supersedes)."""
    values = body.model_dump()
    memory = await run_in_threadpool(
        rt.memories.add, tenant.id, user, values.pop("text"), actor="api", **values
    )
    return MemoryPublic.now(memory)


@router.get("/v1/users/{user:path}/memories/export")
async def export_memories(rt: RuntimeDep, tenant: TenantDep, user: UserPath) -> DataExport:
    """Everything stored about the user: profile, memories with history, turns."""
    export = await run_in_threadpool(rt.memories.export, tenant.id, user)
    return DataExport.model_validate(export)


class SummaryIn(BaseModel):
    """An edited memory summary."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=40_000)


@router.get("/v1/users/{user:path}/memories/summary")
async def memory_summary(rt: RuntimeDep, tenant: TenantDep, user: UserPath) -> MemorySummary:
    """A short, readable text of the user's current memories."""
    text = await run_in_threadpool(rt.memories.summary, tenant.id, user)
    return MemorySummary(summary=text)


@router.put("/v1/users/{user:path}/memories/summary")
async def edit_memory_summary(
    body: SummaryIn, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> SummaryEdited:
    """Apply an edited summary: removed lines are forgotten, new lines remembered (history)."""
    out = await run_in_threadpool(
        rt.memories.edit_summary, tenant.id, user, body.text, actor="user"
    )
    return SummaryEdited.model_validate(out)


@router.get("/v1/users/{user:path}/memories/history")
async def user_history(rt: RuntimeDep, tenant: TenantDep, user: UserPath) -> HistoryList:
    """Every change to any of the user's memories, oldest first."""
    rows = await run_in_threadpool(rt.memories.history, tenant.id, user, None)
    return HistoryList(history=[HistoryEntry.of(h) for h in rows])


@router.delete("/v1/users/{user:path}/memories")
async def purge_memories(
    rt: RuntimeDep,
    tenant: TenantDep,
    user: UserPath,
    confirm: Annotated[bool, Query(description="must be true: this cannot be undone")] = False,
) -> Purged:
    """Hard-delete the user's memories, history, vectors and turns; returns the counts."""
    if not confirm:
        raise InvalidInput(
            "purging deletes everything about the user; pass confirm=true", "confirm"
        )
    counts = await run_in_threadpool(rt.memories.purge, tenant.id, user)
    return Purged(purged=counts)


@router.get("/v1/users/{user:path}/memories/{memory_id}")
async def get_memory(
    memory_id: str, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> MemoryPublic:
    """One memory."""
    return MemoryPublic.now(await run_in_threadpool(rt.memories.get, tenant.id, user, memory_id))


@router.patch("/v1/users/{user:path}/memories/{memory_id}")
async def update_memory(
    memory_id: str, body: MemoryPatch, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> MemoryPublic:
    """Change a memory; the change is recorded in its history."""
    values = body.model_dump(exclude_unset=True)
    memory = await run_in_threadpool(
        rt.memories.update, tenant.id, user, memory_id, actor="api", **values
    )
    return MemoryPublic.now(memory)


@router.delete("/v1/users/{user:path}/memories/{memory_id}")
async def forget_memory(
    memory_id: str,
    rt: RuntimeDep,
    tenant: TenantDep,
    user: UserPath,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> MemoryPublic:
    """Forget a memory: it stops being used but stays in history (purge deletes)."""
    memory = await run_in_threadpool(
        rt.memories.delete, tenant.id, user, memory_id, actor="api", reason=reason
    )
    return MemoryPublic.now(memory)


@router.post("/v1/users/{user:path}/memories/{memory_id}/suppress")
async def suppress_memory(
    memory_id: str,
    rt: RuntimeDep,
    tenant: TenantDep,
    user: UserPath,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> MemoryPublic:
    """ "Don't mention this again": the memory stays (history, export) but leaves every prompt."""
    memory = await run_in_threadpool(
        rt.memories.suppress, tenant.id, user, memory_id, actor="api", reason=reason
    )
    return MemoryPublic.now(memory)


@router.post("/v1/users/{user:path}/memories/{memory_id}/unsuppress")
async def unsuppress_memory(
    memory_id: str,
    rt: RuntimeDep,
    tenant: TenantDep,
    user: UserPath,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> MemoryPublic:
    """Undo a suppression: the memory may be used in prompts again."""
    memory = await run_in_threadpool(
        rt.memories.suppress,
        tenant.id,
        user,
        memory_id,
        suppressed=False,
        actor="api",
        reason=reason,
    )
    return MemoryPublic.now(memory)


@router.get("/v1/users/{user:path}/memories/{memory_id}/history")
async def memory_history(
    memory_id: str, rt: RuntimeDep, tenant: TenantDep, user: UserPath
) -> HistoryList:
    """The changes to one memory, oldest first."""
    rows = await run_in_threadpool(rt.memories.history, tenant.id, user, memory_id)
    return HistoryList(history=[HistoryEntry.of(h) for h in rows])
