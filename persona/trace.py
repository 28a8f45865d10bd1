"""The trace of one reply: why it looked as it did, as one typed model.

The engine builds a `Trace` once, after the model call (`persona.engine`); the same object is
the reply's `ChatReply.trace`, the `persona` field of a chat completion or Response, and the
JSON stored with the turn (`Trace.dump`). Sections, in the order they appear:

    user, memory, memories, route, requested_model, tier_override, prompt, steering,
    request, model, tier, usage, cost_usd, attempts, reply_kind, turn_id, latency_ms

Keys the engine leaves out when they do not apply (a constraint's provenance, the project of a
chat outside one, `steering.not_applicable`, the `store` stage of an unrecorded reply) are
left out of the JSON too, so a client sees the shape it always saw.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from persona.route.types import Effort, Tier
from persona.steer.proposal_types import ProposalPublic
from persona.steer.types import Source, Verdict

MemoryMode = Literal["on", "off", "project"]
ModelFamily = Literal["local", "reasoning", "chat"]
ReplyKind = Literal["text", "tool_call"]
Kwargs = dict[str, JsonValue]


def _absent(value: object) -> bool:
    return value is None


def _optional() -> Any:
    """A field that is None when it does not apply, and then left out of the JSON."""
    return Field(default=None, exclude_if=_absent)


class Usage(BaseModel):
    """Token counts of the model call(s) for one reply."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class MemoryUse(BaseModel):
    """How the chat used memory: its mode (`ProjectMemoryUse` in a project)."""

    mode: MemoryMode


class ProjectMemoryUse(MemoryUse):
    """A chat in a project: the project, and where what it teaches is written."""

    project: str
    writes_to: str | None  # the project's (project-only mode) or None: the user's own


class MemoryTrace(BaseModel):
    """A memory put in the prompt, and why: a standing `profile` fact or `relevant` now."""

    id: str
    kind: str
    text: str
    score: float
    why: Literal["profile", "relevant"]


class SignalTrace(BaseModel):
    """One input to the routing decision and how it moved the outcome."""

    name: str
    value: float | str
    effect: float | str


class RouteTrace(BaseModel):
    """The fast/reasoning decision (`persona.route.types.RouteDecision`)."""

    model_config = ConfigDict(from_attributes=True)

    tier: Tier
    score: float
    threshold: float
    effort: Effort | None
    signals: list[SignalTrace]
    reason: str


class PromptTrace(BaseModel):
    """The compiled prompt: the adapter's family, its section names and the system text."""

    family: ModelFamily
    sections: list[str]
    system: str


class ConstraintTrace(BaseModel):
    """A constraint in force (`steer.types.Constraint.as_dict`): provenance when known."""

    id: str
    kwargs: Kwargs = Field(default_factory=dict)
    source: Source | None = _optional()
    created_at: str | None = _optional()


class RejectedTrace(ConstraintTrace):
    """A rule the message asked for that could not be stored, and why."""

    reason: str


class DroppedTrace(BaseModel):
    """A constraint precedence dropped, why, and the one that won (if any)."""

    constraint: ConstraintTrace
    reason: str
    winner: ConstraintTrace | None


class ConstraintRow(BaseModel):
    """A constraint as the profile stores it (`persona.profiles.constraint_row`)."""

    cid: str
    id: str
    kwargs: Kwargs
    source: Source
    created_at: str
    turn_id: str | None = None


class StoredFromMessage(BaseModel):
    """The standing rules the message set (saved with the turn)."""

    constraints: list[ConstraintRow] = Field(default_factory=list)
    instructions: list[str] = Field(default_factory=list)


class Note(BaseModel):
    """Something the message said that was not applied, and why (a claim, a mention)."""

    text: str
    reason: str


class Fallback(BaseModel):
    """Rules kept only by their fallback, and the model's text before it."""

    rules: list[str]
    model_text: str


class NotApplicable(BaseModel):
    """A constraint not checked on this reply, and why (a tool call, structured output)."""

    id: str
    why: str


class SteeringTrace(BaseModel):
    """The constraints in force, which won and lost, verdicts, repairs and re-asks."""

    active: list[ConstraintTrace] = Field(default_factory=list)
    dropped: list[DroppedTrace] = Field(default_factory=list)
    instructions: list[str] = Field(default_factory=list)
    stored_from_message: StoredFromMessage = Field(default_factory=StoredFromMessage)
    one_off: list[ConstraintRow] = Field(default_factory=list)
    rejected: list[RejectedTrace] = Field(default_factory=list)
    results: list[Verdict] = Field(default_factory=list)
    # the verdicts on the model's first reply as it came, before any repair or re-ask
    results_before_repair: list[Verdict] = Field(default_factory=list)
    repairs: list[str] = Field(default_factory=list)
    reasked: bool = False
    fallback: Fallback | None = None
    refused_claims: list[Note] = Field(default_factory=list)
    mentions: list[Note] = Field(default_factory=list)
    # sentences the rules could not read, queued for the background model parse
    ambiguous: list[str] = Field(default_factory=list)
    # constraints the model parse proposed, shown until the user decides; never in force
    proposed: list[ProposalPublic] = Field(default_factory=list)
    compliant: bool | None = None  # every result passed (None: nothing was checked)
    not_applicable: list[NotApplicable] | None = _optional()


class AdaptedParam(BaseModel):
    """A request parameter changed for the model, e.g. a temperature a reasoning model refuses."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    param: str
    from_: JsonValue = Field(alias="from")
    to: JsonValue
    why: str


class RequestTrace(BaseModel):
    """What happened to the app's request parameters: forwarded, adapted or refused."""

    forwarded: list[str] = Field(default_factory=list)
    adapted: list[AdaptedParam] = Field(default_factory=list)
    refused: list[str] = Field(default_factory=list)


class Attempt(BaseModel):
    """A failed provider attempt before the model that answered."""

    model: str
    error: str
    status: int | None = None
    ms: float


class Latency(BaseModel):
    """Milliseconds per stage of the hot path, and in all; `store` only for a stored turn."""

    user: float
    embed: float
    retrieve: float
    steer: float
    route: float
    compile: float
    model: float
    verify: float
    store: float | None = _optional()
    total: float


class Trace(BaseModel):
    """Why a reply looked as it did; `dump()` is its JSON (the `persona` field, the stored row)."""

    model_config = ConfigDict(frozen=True)

    user: str
    memory: ProjectMemoryUse | MemoryUse = Field(union_mode="left_to_right")
    memories: list[MemoryTrace]
    route: RouteTrace
    requested_model: str
    tier_override: Tier | None
    prompt: PromptTrace
    steering: SteeringTrace
    request: RequestTrace
    model: str  # the model that answered (after any fallback)
    tier: Tier
    usage: Usage
    cost_usd: float | None
    attempts: list[Attempt]
    reply_kind: ReplyKind
    turn_id: str | None  # None: nothing was stored (temporary chat, `store: false`)
    latency_ms: Latency

    def dump(self) -> dict[str, JsonValue]:
        """The JSON form, with the keys clients and the stored trace have always had."""
        return self.model_dump(mode="json")
