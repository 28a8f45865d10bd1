"""Public request/response types of the SDK and the engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from persona.route.types import Tier
from persona.trace import MemoryMode, RouteTrace, Trace, Usage

__all__ = [
    "AUTO_MODEL",
    "TIER_MODELS",
    "ChatMessage",
    "ChatReply",
    "ChatRequest",
    "MemoryMode",
    "Role",
    "Timestamp",
    "Trace",
    "Usage",
]

Role = Literal["system", "developer", "user", "assistant", "tool"]
TIER_MODELS: dict[str, Tier] = {"persona/fast": "fast", "persona/reasoning": "reasoning"}
AUTO_MODEL = "persona/auto"

# the times persona accepts (`as_of`, `expires_at`): databases and offsets break at the ends
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def in_time_range(when: datetime) -> datetime:
    """`when`, if between `EARLIEST` and `LATEST` (a naive time is UTC); else ValueError."""
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    if not EARLIEST <= aware <= LATEST:
        raise ValueError("must be a time between 1900-01-01 and 9999-12-30")
    return when


Timestamp = Annotated[datetime, AfterValidator(in_time_range)]


class ChatMessage(BaseModel):
    """One chat message: its text (what memory, routing and steering read) and, from an OpenAI
    client, the message exactly as sent (`raw`: parts, tool calls, names), forwarded unchanged."""

    role: Role
    content: str
    raw: dict[str, Any] | None = Field(default=None, exclude=True)


class ChatRequest(BaseModel):
    """What the engine needs to answer one message."""

    user: str = Field(min_length=1, max_length=256)
    messages: list[ChatMessage]
    model: str = AUTO_MODEL
    session_id: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    tier: Tier | None = None  # explicit override, like model=persona/<tier>
    stream: bool = False
    # "off": temporary chat (memory neither read nor written); "project": only `project`'s
    memory: MemoryMode = "on"
    project: str | None = Field(default=None, max_length=256)
    reasoning_effort: str | None = None  # the app's own; wins over the router's
    # False (Responses `store: false`): memories are read, but nothing about the exchange is
    # written (no user created, no turn, trace, saved preference or extraction job)
    record: bool = True
    params: dict[str, Any] = Field(default_factory=dict)  # other OpenAI params, forwarded as is


class ChatReply(BaseModel):
    """A reply and the trace explaining it (`persona.trace.Trace`)."""

    id: str
    reply: str
    model: str
    tier: Tier
    usage: Usage
    trace: Trace
    finish_reason: str | None = None
    raw: dict[str, Any] | None = None  # the provider's response (choices, tool calls, usage...)

    @property
    def route(self) -> RouteTrace:
        """The routing decision (tier, score, threshold, effort, signals, reason)."""
        return self.trace.route
