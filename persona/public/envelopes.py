"""The envelopes of the REST routes: pages, lists and the results of changes, built from the
records in `persona.public.records`."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from persona.public.records import (
    FeedbackPublic,
    HistoryEntry,
    IsoTime,
    MemoryPublic,
    MemoryWithHistory,
    ProfilePublic,
    ScoredMemory,
    StoredConstraint,
    StoredInstruction,
    TenantListed,
    TenantPublic,
    TracePublic,
    TurnPublic,
)
from persona.steer.proposal_types import ProposalPublic

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of an admin listing (`limit`/`offset` in the query)."""

    data: list[T]


class MemoryList(BaseModel):
    """A user's memories."""

    memories: list[MemoryPublic]


class SearchResults(BaseModel):
    """Memories relevant to a query, best first (relevance-gated: may be empty)."""

    results: list[ScoredMemory]


class HistoryList(BaseModel):
    """Changes to memories, oldest first."""

    history: list[HistoryEntry]


class MemorySummary(BaseModel):
    """A short, readable text of the user's current memories."""

    summary: str


class MemoryChange(BaseModel):
    """One memory operation a summary edit made."""

    op: str
    memory_id: str


class SummaryEdited(MemorySummary):
    """The summary after an edit, and the memory operations that applied it."""

    changes: list[MemoryChange]


class Purged(BaseModel):
    """How many rows of each kind a purge deleted."""

    purged: dict[str, int]


class ExportedUser(BaseModel):
    """The user row of an export."""

    external_id: str
    tenant_id: str
    created_at: IsoTime
    last_seen_at: IsoTime


class DataExport(BaseModel):
    """Everything stored about a user, row by row as stored (the data-portability export)."""

    user: ExportedUser
    profile: dict[str, Any]
    memories: list[dict[str, Any]] = Field(description="each memory with its `history` rows")
    turns: list[dict[str, Any]]
    traces: list[dict[str, Any]]
    feedback: list[dict[str, Any]]
    responses: list[dict[str, Any]]
    proposals: list[ProposalPublic] = Field(description="constraints proposed from messages")


class ConstraintList(BaseModel):
    """A user's stored constraints with provenance."""

    constraints: list[StoredConstraint]


class ConstraintsAdded(BaseModel):
    """Constraints added, and older ones they superseded."""

    added: list[StoredConstraint]
    superseded: list[StoredConstraint]


class Instructions(ConstraintList):
    """The constraints and free-text instructions in force for a user."""

    instructions: list[StoredInstruction]


class InstructionAdded(BaseModel):
    """What a preference said in words became: constraints and/or a free-text instruction."""

    constraints: ConstraintsAdded
    instruction: StoredInstruction | None


class Removed(BaseModel):
    """The constraint or instruction removed."""

    removed: StoredConstraint | StoredInstruction


class TenantRules(BaseModel):
    """A tenant's developer instructions and constraints (they outrank every user's)."""

    instructions: str
    constraints: list[StoredConstraint]


class StoredFeedback(BaseModel):
    """Feedback as stored."""

    id: int
    response_id: str
    rating: str
    tier: str


class FeedbackRecorded(BaseModel):
    """Stored feedback and the tenant's routing threshold after it."""

    feedback: StoredFeedback
    route_threshold: float


class TenantCreated(BaseModel):
    """A new tenant and its API key (shown only this once)."""

    tenant: TenantListed
    api_key: str


class TenantKey(BaseModel):
    """A tenant and its new API key (shown only this once)."""

    tenant: TenantPublic
    api_key: str


class AdminIdentity(BaseModel):
    """The calling admin."""

    admin: str
    scope: Literal["global", "tenant"]
    tenant_id: str | None


class ExportedUserRef(BaseModel):
    """The user of an admin export."""

    id: str
    created_at: IsoTime


class AdminExport(BaseModel):
    """Everything stored about a user, in the public forms the admin API shows."""

    user: ExportedUserRef
    profile: ProfilePublic
    memories: list[MemoryWithHistory]
    turns: list[TurnPublic]
    traces: list[TracePublic]
    feedback: list[FeedbackPublic]
    responses: list[dict[str, Any]] = Field(description="stored Responses API responses")
    proposals: list[ProposalPublic] = Field(description="constraints proposed from messages")


class Deleted(BaseModel):
    """How many rows of each kind were deleted."""

    deleted: dict[str, int]
