"""SQL tables: the one source of truth. Only Alembic creates the schema.

Timestamps are timezone-aware UTC (`utcnow()`); SQLModel's UTCDateTime stores them as UTC on
SQLite and PostgreSQL alike and refuses naive values.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Final, Literal

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the storage convention)."""
    return datetime.now(UTC)


def new_id() -> str:
    """A random 32-hex-char id."""
    return uuid.uuid4().hex


def _json(default: Any = None) -> Any:
    factory = (lambda: {}) if default is None else default
    return Field(default_factory=factory, sa_column=Column(JSON, nullable=False))


class Tenant(SQLModel, table=True):
    """An app using persona. Its API key is stored only as a SHA-256 hash."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(index=True, unique=True, max_length=200)
    api_key_hash: str = Field(index=True, unique=True, max_length=64)
    key_prefix: str = Field(max_length=16)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # developer-level steering and routing settings (outrank the user's)
    instructions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    constraints: list[dict[str, Any]] = _json(list)
    settings: dict[str, Any] = _json()


class User(SQLModel, table=True):
    """An end user of a tenant's app, named by the app (`external_id`)."""

    __table_args__ = (UniqueConstraint("tenant_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenant.id", index=True, max_length=32)
    external_id: str = Field(max_length=256)
    memory_version: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)


class Profile(SQLModel, table=True):
    """How a user wants to be answered: custom instructions, personality, constraints."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    about_you: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    response_style: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    personality: str = "default"
    traits: dict[str, Any] = _json()
    ambiguity: str = "proceed"
    constraints: list[dict[str, Any]] = _json(list)  # [{cid, id, kwargs, source, created_at}]
    instructions: list[dict[str, Any]] = _json(list)  # free-text standing instructions
    route_preference: str | None = None
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class Memory(SQLModel, table=True):
    """One remembered item. Never deleted by consolidation: superseded or invalidated instead."""

    __table_args__ = (Index("ix_memory_user_valid", "user_id", "invalid_at"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=20)  # fact | preference | event | instruction | episode
    text: str = Field(sa_column=Column(Text, nullable=False))
    attribute: str | None = Field(default=None, max_length=100)  # what it is about, for supersede
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    importance: float = 0.5
    scope: str = Field(default="user", max_length=20)  # user | agent | session
    agent_id: str | None = Field(default=None, max_length=256)
    session_id: str | None = Field(default=None, max_length=256)
    actor: str = Field(default="extractor", max_length=20)  # extractor | user | admin | api
    source_turn_id: str | None = Field(default=None, max_length=32)
    valid_from: datetime = Field(default_factory=utcnow)
    invalid_at: datetime | None = None
    superseded_by: str | None = Field(default=None, max_length=32)
    expires_at: datetime | None = None
    # "don't mention this again": kept valid and exported, never put in a prompt
    suppressed_at: datetime | None = None
    # the project the memory belongs to (None: the user's, shared by every chat)
    project: str | None = Field(default=None, max_length=256)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    meta: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column("metadata", JSON, nullable=False)
    )


class MemoryHistory(SQLModel, table=True):
    """One change to one memory: what it was, what it became, who did it and why."""

    __tablename__ = "memory_history"

    id: int | None = Field(default=None, primary_key=True)
    memory_id: str = Field(index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    op: str = Field(max_length=20)  # add|refresh|update|supersede|invalidate|delete|(un)suppress
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    actor: str = Field(max_length=20)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    source_turn_id: str | None = Field(default=None, max_length=32)
    # the extraction candidate this change applied, so a re-run of the job can skip it
    candidate_key: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = Field(default_factory=utcnow)


class Turn(SQLModel, table=True):
    """One exchange: the user's message and the assistant's reply."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    tenant_id: str = Field(index=True, max_length=32)
    session_id: str | None = Field(default=None, max_length=256)
    user_message: str = Field(sa_column=Column(Text, nullable=False))
    reply: str = Field(sa_column=Column(Text, nullable=False))
    model: str = Field(max_length=200)
    tier: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow, index=True)


class Trace(SQLModel, table=True):
    """Why a reply looked the way it did: memories, route, prompt, checks, timings."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    turn_id: str = Field(index=True, max_length=32)
    tenant_id: str = Field(index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    tier: str = Field(max_length=20)
    route_score: float | None = None
    total_ms: float = 0.0
    data: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow, index=True)


JobKind = Literal["extract", "steer_parse"]
# the job every finished turn enqueues: learn memories from it (persona.worker runs it)
EXTRACT_JOB: Final[JobKind] = "extract"
# a turn whose style requests the rules could not read: the model parse proposes constraints
STEER_PARSE_JOB: Final[JobKind] = "steer_parse"


class Outbox(SQLModel, table=True):
    """Background work written in the same transaction as the turn that caused it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)  # a JobKind
    user_id: int | None = Field(default=None, index=True)
    payload: dict[str, Any] = _json()
    status: str = Field(default="pending", max_length=20, index=True)  # pending|done|failed
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    available_at: datetime = Field(default_factory=utcnow)
    locked_until: datetime | None = None
    locked_by: str | None = Field(default=None, max_length=300)  # "<host>:<pid>" of the claimer
    created_at: datetime = Field(default_factory=utcnow)
    done_at: datetime | None = None


class Feedback(SQLModel, table=True):
    """A user's or app's judgement of a reply (thumbs, 'regenerate with reasoning')."""

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(index=True, max_length=32)
    user_id: int | None = Field(default=None, index=True)
    turn_id: str | None = Field(default=None, max_length=32)
    rating: str = Field(max_length=40)  # up | down | regenerate_reasoning
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class AdminKey(SQLModel, table=True):
    """An admin API key (hashed); scoped to one tenant or global (tenant_id None)."""

    __tablename__ = "admin_key"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    key_hash: str = Field(index=True, unique=True, max_length=64)
    key_prefix: str = Field(max_length=16)
    tenant_id: str | None = Field(default=None, max_length=32)
    name: str = Field(default="", max_length=200)
    disabled: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class AuditLog(SQLModel, table=True):
    """Every admin correction: who, what, when, why."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    admin: str = Field(max_length=64)  # admin key prefix or "global"
    tenant_id: str | None = Field(default=None, index=True, max_length=32)
    user_external_id: str | None = Field(default=None, max_length=256)
    action: str = Field(max_length=60)
    target: str | None = Field(default=None, max_length=200)
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    details: dict[str, Any] = _json()
    created_at: datetime = Field(default_factory=utcnow, index=True)


class RateBucket(SQLModel, table=True):
    """One API key's token bucket, shared by every replica on this database (PostgreSQL).

    `stamp` is the database clock (epoch seconds) of the last refill, so replicas on hosts
    whose clocks differ still agree. Unlogged on PostgreSQL: a crash only refills buckets.
    """

    __tablename__ = "rate_bucket"

    key: str = Field(primary_key=True, max_length=80)
    tokens: float
    stamp: float
    taken: bool = True  # whether the last request took a token (False: it was refused)


class StoredResponse(SQLModel, table=True):
    """A Responses API response persona stored (`store: true`), so `previous_response_id` can
    continue its conversation and `GET /v1/responses/{id}` can return it."""

    __tablename__ = "stored_response"

    id: str = Field(primary_key=True, max_length=64)  # resp_<hex>
    tenant_id: str = Field(index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    turn_id: str | None = Field(default=None, max_length=32)
    previous_response_id: str | None = Field(default=None, max_length=64)
    input_items: list[dict[str, Any]] = _json(list)  # this request's own input items
    output_items: list[dict[str, Any]] = _json(list)
    response: dict[str, Any] = _json()  # the Response object but its `output`
    created_at: datetime = Field(default_factory=utcnow, index=True)


class SteerProposal(SQLModel, table=True):
    """A standing constraint the background model parse read from a message the rules found
    ambiguous: shown as proposed, with its source turn, until the user confirms or rejects it
    (or it is kept without objection, `persona.steer.proposals`). Never in force before."""

    __tablename__ = "steer_proposal"
    __table_args__ = (Index("ix_steer_proposal_user_status", "user_id", "status"),)

    id: str = Field(primary_key=True, max_length=32)  # p_<hex>
    tenant_id: str = Field(index=True, max_length=32)
    user_id: int = Field(foreign_key="user.id", index=True)
    source_turn_id: str = Field(max_length=32)
    source_text: str = Field(sa_column=Column(Text, nullable=False))  # the ambiguous sentence
    constraint_id: str = Field(max_length=100)
    kwargs: dict[str, Any] = _json()
    # proposed | accepted | rejected | superseded
    status: str = Field(default="proposed", max_length=20)
    model: str = Field(default="", max_length=200)
    turns_seen: int = 0  # the user's later turns whose trace showed it while proposed
    accept_after: int = 0  # in force after that many turns without objection; 0: confirm only
    decided_by: str | None = Field(default=None, max_length=20)  # user | no_objection | chat
    reason: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    cid: str | None = Field(default=None, max_length=32)  # the stored constraint, once accepted
    created_at: datetime = Field(default_factory=utcnow)
    decided_at: datetime | None = None


class SearchSnapshot(SQLModel, table=True):
    """A user's search state as the retriever built it at one `memory_version`, encoded by
    `persona.memory.snapshot` (numbers and JSON, never pickle): a process that has not cached
    the user loads it instead of rebuilding from every memory row. Derived data: used only
    while `version` equals the user's current one, deleted with the user's memories."""

    __tablename__ = "search_snapshot"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    version: int
    size: int  # memories in the state
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
