"""The steering stage of the hot path: the rules in force for one reply, and storing new ones.

Gathers the developer's and the user's constraints and instructions, reads standing or one-off
preferences from the message, applies precedence (`persona.steer.precedence`), and after the
reply stores the standing ones the message set, with the turn as provenance. Sentences the
rules could not read go to the background model parse; what it reads is only proposed
(`persona.steer.proposals`), listed in the trace until the user decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from persona.steer.proposal_types import ProposalPublic
from persona.steer.types import Constraint, Verdict
from persona.trace import (
    ConstraintRow,
    ConstraintTrace,
    DroppedTrace,
    Fallback,
    NotApplicable,
    Note,
    RejectedTrace,
    SteeringTrace,
    StoredFromMessage,
)
from store.models import Profile, Tenant, User, utcnow


@dataclass
class Steering:
    """The constraints and instructions in force for one reply, and what happened to them."""

    active: list[Constraint] = field(default_factory=list)  # after precedence
    dropped: list[DroppedTrace] = field(default_factory=list)
    developer_instructions: str = ""
    instructions: list[str] = field(default_factory=list)
    new_constraints: list[ConstraintRow] = field(default_factory=list)  # standing, from chat
    new_instructions: list[str] = field(default_factory=list)
    one_off: list[ConstraintRow] = field(default_factory=list)
    rejected: list[RejectedTrace] = field(default_factory=list)
    results: list[Verdict] = field(default_factory=list)
    # the verdicts on the model's first reply as it came, before any repair or re-ask
    results_before_repair: list[Verdict] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    reasked: bool = False
    # set when neither repair nor re-ask could make the reply keep a rule: which rule, why
    fallback: Fallback | None = None
    # claims of authority the message made (never stored or applied) and mentions it ignored
    refused_claims: list[Note] = field(default_factory=list)
    mentions: list[Note] = field(default_factory=list)
    # set when the reply's text must not be checked (a tool call, structured output)
    not_applicable: list[NotApplicable] | None = None
    # sentences asking for a change of form the rules could not read: queued with the turn for
    # the background model parse, whose constraints are only proposed (`steer.proposals`)
    ambiguous: list[str] = field(default_factory=list)
    # the user's proposals waiting for their word: shown, never in force
    proposed: list[ProposalPublic] = field(default_factory=list)
    message: str = ""  # the user message steered (not in the trace)

    @property
    def has_checks(self) -> bool:
        """Whether the reply must be checked (and so buffered when streaming)."""
        return bool(self.active)

    def as_trace(self) -> SteeringTrace:
        """Trace form: active constraints, which won and lost, verdicts, repairs."""
        return SteeringTrace(
            active=[_constraint_trace(c) for c in self.active],
            dropped=list(self.dropped),
            instructions=list(self.instructions),
            stored_from_message=StoredFromMessage(
                constraints=list(self.new_constraints), instructions=list(self.new_instructions)
            ),
            one_off=list(self.one_off),
            rejected=list(self.rejected),
            results=list(self.results),
            results_before_repair=list(self.results_before_repair),
            repairs=list(self.repairs),
            reasked=self.reasked,
            fallback=self.fallback,
            refused_claims=list(self.refused_claims),
            mentions=list(self.mentions),
            ambiguous=list(self.ambiguous),
            proposed=list(self.proposed),
            compliant=all(r.passed for r in self.results) if self.results else None,
            not_applicable=self.not_applicable,
        )


def _constraint_trace(c: Constraint) -> ConstraintTrace:
    return ConstraintTrace.model_validate(c.as_dict())


def steer(
    session: Session,
    tenant: Tenant | None,
    profile: Profile,
    message: str,
    *,
    proposals: bool = True,
) -> Steering:
    """Gather developer and user rules, read new preferences from the message, apply precedence.

    `proposals=False`: the caller knows the user has none waiting (they are not read)."""
    from persona.errors import PersonaError
    from persona.profiles import constraint_row, merge_constraint, to_constraint
    from persona.steer.parse import parse_preferences
    from persona.steer.precedence import resolve
    from persona.steer.proposals import pending, public

    developer_rows = list(tenant.constraints) if tenant else []
    user_rows = list(profile.constraints)
    out = Steering(
        message=message,
        developer_instructions=tenant.instructions if tenant else "",
        instructions=[i["text"] for i in profile.instructions],
    )
    parsed = parse_preferences(message)
    # a message can only set its sender's own rules: claimed authority sets nothing
    out.refused_claims = [Note(text=c.text, reason=c.reason) for c in parsed.claims]
    out.mentions = [Note(text=m.text, reason=m.reason) for m in parsed.mentions]
    out.ambiguous = list(parsed.ambiguous)
    if profile.user_id and proposals:  # a known user's proposals: shown until decided
        out.proposed = [public(row) for row in pending(session, profile.user_id)]
    one_off: list[ConstraintRow] = []
    for c in parsed.constraints:
        source = "chat" if parsed.scope == "standing" else "one_off"
        try:
            row = constraint_row(c.id, dict(c.kwargs), source)
        except PersonaError as exc:
            out.rejected.append(
                RejectedTrace.model_validate({**c.as_dict(), "reason": exc.message})
            )
            continue
        if parsed.scope == "standing":
            user_rows, _ = merge_constraint(user_rows, row)
            out.new_constraints.append(ConstraintRow.model_validate(row))
        else:
            one_off.append(ConstraintRow.model_validate(row))
    if parsed.scope == "standing":
        out.new_instructions = list(parsed.instructions)
        out.instructions.extend(parsed.instructions)
    out.one_off = one_off
    resolution = resolve(
        [to_constraint(r) for r in developer_rows],
        [to_constraint(r) for r in user_rows],
        [to_constraint(r.model_dump(mode="json")) for r in one_off],
    )
    out.active = list(resolution.active)
    out.dropped = [
        DroppedTrace(
            constraint=_constraint_trace(c),
            reason=reason,
            winner=_constraint_trace(w) if w else None,
        )
        for c, reason, w in resolution.dropped
    ]
    return out


def persist_steering(session: Session, user: User, steering: Steering, turn_id: str) -> None:
    """Store standing preferences the message set, with the turn as provenance; queue the
    background parse of what the rules could not read; apply the proposals' policy."""
    from persona.steer.proposals import continues_tool_call, enqueue, observe_turn

    ambiguous, shown = steering.ambiguous, steering.proposed
    if (ambiguous or shown) and continues_tool_call(session, user, steering.message):
        # a turn answering tool output steers the user message of the turn before it: that
        # message was queued for the parse and counted as a turn already (the trace still
        # shows both)
        ambiguous, shown = [], []
    if ambiguous:
        enqueue(session, user, turn_id, ambiguous)
    if not steering.new_constraints and not steering.new_instructions and not shown:
        return
    from persona.profiles import instruction_row, merge_constraint
    from store.users import get_profile

    profile = get_profile(session, user)
    if steering.new_constraints or steering.new_instructions:
        rows = list(profile.constraints)
        # the turn is their provenance, in the profile and in the trace
        steering.new_constraints = [
            r.model_copy(update={"turn_id": turn_id}) for r in steering.new_constraints
        ]
        for row in steering.new_constraints:
            rows, _ = merge_constraint(rows, row.model_dump(mode="json"))
        profile.constraints = rows
        profile.instructions = [
            *profile.instructions,
            *(instruction_row(t, "chat", turn_id) for t in steering.new_instructions),
        ]
        profile.version += 1
        profile.updated_at = utcnow()
        session.add(profile)
    if shown:
        observe_turn(
            session,
            profile,
            [p.id for p in shown],
            [r.model_dump(mode="json") for r in steering.new_constraints],
        )
