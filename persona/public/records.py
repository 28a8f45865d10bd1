"""The public records of persona's data, one model each: what the REST API answers (its
`response_model`s, so OpenAPI documents them), what the admin API reuses.

```
MemorySnapshot   a memory's stored fields at one moment: a history row's `before`/`after`
  MemoryPublic   + its `state` now: every API that shows a memory
    ScoredMemory + a search `score`
HistoryEntry     one change to one memory (`before`/`after` are snapshots)
ProfilePublic    a user's profile, constraints and instructions
  UserProfile    + the user it belongs to (`/v1/users/{user}/profile`)
TenantPublic     a tenant, never its key hash (TenantListed adds its user count)
UserSummary      one user as a listing shows it; UserDetail: one user with counts and profile
TurnPublic, TracePublic, AuditEntry, FeedbackPublic
ErrorBody        the OpenAI error format every non-2xx answer uses
```

Times are ISO 8601 strings exactly as `datetime.isoformat()` writes them (`+00:00`, not `Z`),
so a body reads the same whether it was built from a row or read back from a JSON column.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, NotRequired, Self

from pydantic import BaseModel, ConfigDict, Field, JsonValue, PlainSerializer, with_config
from typing_extensions import TypedDict  # pydantic needs this one on Python < 3.12

from persona.trace import Trace as ReplyTrace

if TYPE_CHECKING:
    from store.models import AuditLog, Memory, MemoryHistory, Profile, Tenant, Trace, Turn, User


def _iso(value: datetime) -> str:
    return value.isoformat()


IsoTime = Annotated[datetime, PlainSerializer(_iso, return_type=str, when_used="json")]
MemoryState = Literal["valid", "superseded", "expired", "forgotten"]


class Public(BaseModel):
    """Base of the public models: built from rows (`from_attributes`)."""

    model_config = ConfigDict(from_attributes=True)


# --- errors -------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """What went wrong: a message for people, a `code` for programs, the `param` at fault."""

    message: str
    type: str = Field(description="invalid_request_error, authentication_error, ...")
    param: str | None = Field(description="the request field at fault, e.g. `messages[0]`")
    code: str | None


class ErrorBody(BaseModel):
    """The OpenAI error format: `{"error": {"message", "type", "param", "code"}}`."""

    error: ErrorDetail


# --- memories -----------------------------------------------------------------------------


class MemorySnapshot(Public):
    """A memory's stored fields at one moment, without its embedding: what a history row keeps
    as `before`/`after`. Snapshots written before an optional field existed read it as null."""

    model_config = ConfigDict(from_attributes=True, extra="allow")

    id: str
    kind: str = Field(description="fact, preference, event, instruction or episode")
    text: str
    attribute: str | None = None
    importance: float
    scope: str = Field(description="user, agent or session")
    agent_id: str | None = None
    session_id: str | None = None
    actor: str = Field(description="extractor, user, admin or api")
    source_turn_id: str | None = None
    valid_from: IsoTime
    invalid_at: IsoTime | None = None
    superseded_by: str | None = None
    expires_at: IsoTime | None = None
    suppressed_at: IsoTime | None = None
    project: str | None = None
    created_at: IsoTime
    updated_at: IsoTime
    meta: dict[str, Any] = Field(default_factory=dict)

    @classmethod
    def of(cls, memory: Memory | Mapping[str, Any], **extra: Any) -> Self:
        """The snapshot of a memory row (or of its column values, as a bulk insert has them)."""
        names = MemorySnapshot.model_fields
        if isinstance(memory, Mapping):
            values = {name: memory[name] for name in names if name in memory}
        else:
            values = {name: getattr(memory, name) for name in names}
        return cls(**values, **extra)


def memory_state(memory: Memory | MemorySnapshot, now: datetime | None = None) -> MemoryState:
    """`valid`, `superseded`, `forgotten` (invalidated) or `expired` at `now` (default: the
    clock)."""
    if now is None:
        from store.models import utcnow

        now = utcnow()
    if memory.superseded_by is not None:
        return "superseded"
    if memory.invalid_at is not None:
        return "forgotten"
    if memory.expires_at is not None and memory.expires_at <= now:
        return "expired"
    return "valid"


class MemoryPublic(MemorySnapshot):
    """A memory as every API shows it: its fields and its state now."""

    model_config = ConfigDict(from_attributes=True, extra="ignore")

    state: MemoryState

    @classmethod
    def now(cls, memory: Memory, now: datetime | None = None, **extra: Any) -> Self:
        """The public form of a memory row, its state taken at `now` (default: the clock)."""
        return cls.of(memory, state=memory_state(memory, now), **extra)


class ScoredMemory(MemoryPublic):
    """A search hit: the memory and its fused relevance score."""

    score: float


class HistoryEntry(Public):
    """One change to one memory: what it was, what it became, who did it and why."""

    id: int
    memory_id: str
    op: str = Field(description="add, refresh, update, supersede, invalidate, (un)suppress ...")
    actor: str
    reason: str
    source_turn_id: str | None
    before: MemorySnapshot | None
    after: MemorySnapshot | None
    created_at: IsoTime

    @classmethod
    def of(cls, row: MemoryHistory) -> Self:
        """The public form of a history row."""
        return cls.model_validate(row)


class MemoryWithHistory(MemoryPublic):
    """A memory and every change to it, oldest first (an export)."""

    history: list[HistoryEntry]


class MemoryDetail(BaseModel):
    """A memory, its history timeline (oldest first) and its supersede chain."""

    memory: MemoryPublic
    history: list[HistoryEntry]
    chain: list[MemoryPublic] = Field(description="every version of this fact, oldest first")


# --- profiles -----------------------------------------------------------------------------


@with_config(ConfigDict(extra="allow"))
class StoredConstraint(TypedDict):
    """A checkable constraint with its provenance (`source`: api, chat, developer ...)."""

    cid: str
    id: str
    kwargs: dict[str, Any]
    source: str
    created_at: NotRequired[str]
    turn_id: NotRequired[str | None]


@with_config(ConfigDict(extra="allow"))
class StoredInstruction(TypedDict):
    """A free-text standing instruction with its provenance."""

    iid: str
    text: str
    source: str
    created_at: NotRequired[str]
    turn_id: NotRequired[str | None]


class ProfilePublic(Public):
    """How a user wants to be answered: custom instructions, personality and traits, ambiguity
    policy, routing preference, stored constraints and standing instructions."""

    about_you: str
    response_style: str
    personality: str
    traits: dict[str, Any]
    ambiguity: str
    constraints: list[StoredConstraint]
    instructions: list[StoredInstruction]
    route_preference: str | None
    version: int
    updated_at: IsoTime

    @classmethod
    def of(cls, profile: Profile | None) -> Self:
        """The public form of a profile row (the defaults when the user has none yet)."""
        if profile is None:
            from store.models import Profile

            profile = Profile(user_id=0)
        return cls.model_validate(profile)


class UserProfile(ProfilePublic):
    """A user's profile, named by the user's id."""

    user: str

    @classmethod
    def of_user(cls, user: User, profile: Profile) -> Self:
        """The profile of `user`."""
        return cls(**ProfilePublic.of(profile).model_dump(), user=user.external_id)


# --- tenants, users, turns, traces, audit -------------------------------------------------


class TenantPublic(Public):
    """A tenant (never its key hash)."""

    id: str
    name: str
    key_prefix: str
    disabled: bool
    created_at: IsoTime


class TenantListed(TenantPublic):
    """A tenant with its number of users."""

    users: int

    @classmethod
    def of(cls, tenant: Tenant, users: int) -> Self:
        """The public form of a tenant with its user count."""
        return cls(**TenantPublic.model_validate(tenant).model_dump(), users=users)


class TenantRef(BaseModel):
    """A tenant named by id and name."""

    id: str
    name: str


class UserSummary(BaseModel):
    """One user in a listing: activity and counts."""

    id: str = Field(description="the user's id in the tenant's app")
    created_at: IsoTime
    last_active_at: IsoTime
    last_turn_at: IsoTime | None
    memories_valid: int
    memories_total: int
    turns: int


class UserDetail(BaseModel):
    """One user: profile and constraints, memory counts by state, turns, last activity."""

    id: str
    tenant: TenantRef
    created_at: IsoTime
    last_active_at: IsoTime
    memory_version: int
    memories: dict[MemoryState, int]
    turns: int
    profile: ProfilePublic
    tenant_constraints: list[StoredConstraint]


class TurnPublic(Public):
    """One exchange: the user's message and the reply."""

    id: str
    session_id: str | None
    user_message: str
    reply: str
    model: str
    tier: str
    created_at: IsoTime


class TracePublic(BaseModel):
    """Why a reply looked the way it did, with the turn's message and reply."""

    id: str
    turn_id: str
    tier: str
    route_score: float | None
    total_ms: float
    created_at: IsoTime
    user_message: str | None
    reply: str | None
    # the trace itself; a row written by an older version is returned as stored
    data: ReplyTrace | dict[str, JsonValue] = Field(
        union_mode="left_to_right", description="the trace: memories, route, steering, latency"
    )

    @classmethod
    def of(cls, trace: Trace, turn: Turn | None) -> Self:
        """The public form of a trace row and its turn."""
        return cls(
            id=trace.id,
            turn_id=trace.turn_id,
            tier=trace.tier,
            route_score=trace.route_score,
            total_ms=trace.total_ms,
            created_at=trace.created_at,
            user_message=turn.user_message if turn else None,
            reply=turn.reply if turn else None,
            data=trace.data,
        )


class AuditEntry(BaseModel):
    """One admin correction: who, what, when, why."""

    id: int
    admin: str
    tenant_id: str | None
    user: str | None
    action: str
    target: str | None
    reason: str
    details: dict[str, Any]
    created_at: IsoTime

    @classmethod
    def of(cls, row: AuditLog) -> Self:
        """The public form of an audit row."""
        assert row.id is not None
        return cls(
            id=row.id,
            admin=row.admin,
            tenant_id=row.tenant_id,
            user=row.user_external_id,
            action=row.action,
            target=row.target,
            reason=row.reason,
            details=row.details,
            created_at=row.created_at,
        )


class FeedbackPublic(BaseModel):
    """Feedback on one reply."""

    turn_id: str | None
    rating: str
    comment: str
    created_at: IsoTime
