"""The public shape of proposed constraints (`persona.steer.proposals`): in the trace, the
REST API, the SDK and the CLI. Plain pydantic, so the trace and the HTTP client need no
database code to read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["proposed", "accepted", "rejected", "superseded"]
STATUSES: tuple[str, ...] = ("proposed", "accepted", "rejected", "superseded")


class ProposedConstraint(BaseModel):
    """The constraint a proposal would add."""

    id: str
    kwargs: dict[str, Any] = Field(default_factory=dict)


class ProposalPublic(BaseModel):
    """A proposed constraint as the trace, the REST API and the CLI show it."""

    id: str = Field(description="the proposal's id, p_<hex>")
    constraint: ProposedConstraint
    status: Status
    source_turn_id: str = Field(description="the turn whose message asked for it")
    source_text: str = Field(description="the sentence of that message the rules did not read")
    model: str = Field(description="the model that read it")
    turns_seen: int = Field(description="later turns whose trace showed it while proposed")
    accept_after: int = Field(
        description="it comes into force after this many such turns without objection; "
        "0: only when confirmed"
    )
    decided_by: str | None = Field(description="user, no_objection or chat; null while proposed")
    reason: str = ""
    cid: str | None = Field(description="the stored constraint's id once accepted")
    created_at: datetime
    decided_at: datetime | None = None


class ProposalsPublic(BaseModel):
    """A user's proposals."""

    proposals: list[ProposalPublic]
