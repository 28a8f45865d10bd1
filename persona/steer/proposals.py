"""Proposed constraints: what the background model parse read, pending the user's word.

The policy (README, "Proposed constraints"):

- The rules run on the hot path. The sentences they could not read (`parse_ambiguous`) are
  queued with the turn, in its transaction (outbox job `steer_parse`), never parsed on the hot
  path.
- The worker asks the model (`model_parse`) when `PERSONA_STEER_MODEL_PARSE` allows it (`auto`:
  not the bundled local model) and stores each valid standing constraint as *proposed*, with
  its source turn and sentence. A proposal is never in force: not in the prompt, not checked.
- Every later reply's trace lists the user's proposals (`steering.proposed`); the REST API
  (`GET /v1/users/{user}/proposals`) and `persona steer proposals` list them too.
- The user confirms one (it becomes a stored constraint: source `chat`, the source turn as its
  `turn_id`, superseding what it conflicts with, as any later instruction does) or rejects it
  (it is not proposed again from that sentence).
- Kept without objection: once it was shown on `PERSONA_STEER_PROPOSAL_TURNS` (3) later turns,
  it comes into force (`decided_by: no_objection`). A later message setting a rule in the same
  slot or one in conflict objects: that rule wins and the proposal is `superseded`. A proposal
  in conflict with a rule already in force never comes in by silence; it waits to be confirmed.
  With 0 turns only a confirmation brings a proposal in.
- Authority: a proposal comes only from the sender's own message, after the rules' authority
  and mention checks (a message with a refused claim has no ambiguous sentence), lands in the
  sender's own profile only, and names only a registered type, a sentence the model was shown
  and a quote from it.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from persona.errors import Conflict, NotFound
from persona.steer.proposal_types import (
    ProposalPublic,
    ProposalsPublic,
    ProposedConstraint,
)
from store.db import session_scope
from store.models import STEER_PARSE_JOB, Outbox, Profile, SteerProposal, Trace, Turn, User, utcnow
from store.users import find_user, get_profile

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from persona.memory.extract.llm import ChatGateway
    from persona.steer.types import Constraint

log = logging.getLogger(__name__)

DEFAULT_MAX_BATCH = 8  # turns of one user per model call


def exported(session: Session, user_id: int) -> list[dict[str, Any]]:
    """The user's proposals, oldest first, in their public form (for a data export)."""
    rows = session.exec(
        select(SteerProposal)
        .where(col(SteerProposal.user_id) == user_id)
        .order_by(col(SteerProposal.created_at))
    ).all()
    return [public(row).model_dump(mode="json") for row in rows]


def public(row: SteerProposal, accept_after: int | None = None) -> ProposalPublic:
    """The public shape of a stored proposal."""
    return ProposalPublic(
        id=row.id,
        constraint=ProposedConstraint(id=row.constraint_id, kwargs=dict(row.kwargs)),
        status=row.status,  # type: ignore[arg-type]
        source_turn_id=row.source_turn_id,
        source_text=row.source_text,
        model=row.model,
        turns_seen=row.turns_seen,
        accept_after=row.accept_after if accept_after is None else accept_after,
        decided_by=row.decided_by,
        reason=row.reason,
        cid=row.cid,
        created_at=row.created_at,
        decided_at=row.decided_at,
    )


def pending(session: Session, user_id: int) -> list[SteerProposal]:
    """The user's proposals still waiting for their word, oldest first."""
    query = select(SteerProposal).where(
        SteerProposal.user_id == user_id, SteerProposal.status == "proposed"
    )
    return list(session.exec(query.order_by(col(SteerProposal.created_at))).all())


def continues_tool_call(session: Session, user: User, message: str) -> bool:
    """Whether this turn answers tool output: the user's latest turn had this very message and
    was answered with a tool call (the agent loop re-sends the user message that started it)."""
    last = session.exec(
        select(Turn.user_message, Trace.data)
        .join(Trace, col(Trace.turn_id) == Turn.id)
        .where(Turn.user_id == user.id)
        .order_by(col(Turn.created_at).desc())
        .limit(1)
    ).first()
    return last is not None and last[0] == message and last[1].get("reply_kind") == "tool_call"


def enqueue(session: Session, user: User, turn_id: str, sentences: Sequence[str]) -> None:
    """Queue the background parse of a turn's ambiguous sentences (in the turn's transaction)."""
    payload = {
        "turn_id": turn_id,
        "user_id": user.id,
        "tenant_id": user.tenant_id,
        "sentences": list(sentences),
    }
    session.add(Outbox(kind=STEER_PARSE_JOB, user_id=user.id, payload=payload))


def _constraint(row: SteerProposal) -> Constraint:
    from persona.steer.types import Constraint

    return Constraint(id=row.constraint_id, kwargs=dict(row.kwargs), source="user")


def _clashes(a: Constraint, b: Constraint) -> bool:
    from persona.steer.conflicts import find_conflicts
    from persona.steer.precedence import slot

    return slot(a) == slot(b) or bool(find_conflicts([a, b]))


def _decide(row: SteerProposal, status: str, by: str, reason: str = "") -> None:
    row.status, row.decided_by, row.reason, row.decided_at = status, by, reason, utcnow()


def accept(session: Session, profile: Profile, row: SteerProposal, by: str) -> dict[str, Any]:
    """Bring a proposal into force: a stored constraint with the source turn as provenance."""
    from persona.profiles import MAX_CONSTRAINTS, constraint_row, merge_constraint

    stored = constraint_row(row.constraint_id, dict(row.kwargs), "chat", row.source_turn_id)
    stored["proposal"] = row.id
    rows, _ = merge_constraint(list(profile.constraints), stored)
    if len(rows) > MAX_CONSTRAINTS:
        raise Conflict(f"a user may have at most {MAX_CONSTRAINTS} constraints")
    profile.constraints = rows
    profile.version += 1
    profile.updated_at = utcnow()
    session.add(profile)
    row.cid = stored["cid"]
    _decide(row, "accepted", by)
    session.add(row)
    return stored


def observe_turn(
    session: Session, profile: Profile, shown: Sequence[str], new_rows: Sequence[dict[str, Any]]
) -> None:
    """Apply the policy after a turn whose trace showed the proposals `shown` (ids): a rule the
    message set in their slot supersedes them; otherwise the turn counts as kept without
    objection, and one kept long enough comes into force unless it conflicts with a rule."""
    from persona.profiles import to_constraint

    for pid in shown:
        # locked: a confirmation or rejection arriving meanwhile is decided once
        row = session.get(SteerProposal, pid, with_for_update=True)
        if row is None or row.status != "proposed" or row.user_id != profile.user_id:
            continue  # decided meanwhile (confirmed or rejected while this reply was written)
        proposal = _constraint(row)
        said = next((r for r in new_rows if _clashes(to_constraint(r), proposal)), None)
        if said is not None:
            _decide(row, "superseded", "chat", f"a later message set {said['id']}")
            session.add(row)
            continue
        row.turns_seen += 1
        if row.accept_after and row.turns_seen >= row.accept_after:
            held = next(
                (r for r in profile.constraints if _clashes(to_constraint(r), proposal)), None
            )
            if held is not None:
                held_by = f"{held.get('cid')} ({held['id']})"
                row.reason = f"conflicts with {held_by}: waits to be confirmed"
            else:
                try:
                    accept(session, profile, row, "no_objection")
                    continue
                except Conflict as exc:  # the user's rules are full: the reply still goes out
                    row.reason = f"{exc.message}: waits to be confirmed"
        session.add(row)


class Proposals:
    """List, confirm and reject a user's proposals (the REST API and the CLI call this)."""

    def __init__(self, db: Engine) -> None:
        self.db = db

    def _user(self, session: Session, tenant_id: str, user: str) -> User:
        found = find_user(session, tenant_id, user)
        if found is None:
            raise NotFound(f"no user {user!r}")
        return found

    def _row(self, session: Session, user: User, pid: str) -> SteerProposal:
        row = session.get(SteerProposal, pid, with_for_update=True)
        if row is None or row.user_id != user.id:
            raise NotFound(f"user {user.external_id!r} has no proposal {pid!r}")
        return row

    def listing(self, tenant_id: str, user: str, status: str | None = None) -> ProposalsPublic:
        """The user's proposals, newest first; `status` keeps one kind (e.g. "proposed")."""
        with session_scope(self.db) as session:
            u = self._user(session, tenant_id, user)
            query = select(SteerProposal).where(SteerProposal.user_id == u.id)
            if status is not None:
                query = query.where(SteerProposal.status == status)
            rows = session.exec(query.order_by(col(SteerProposal.created_at).desc())).all()
            return ProposalsPublic(proposals=[public(r) for r in rows])

    def confirm(self, tenant_id: str, user: str, pid: str) -> ProposalPublic:
        """Bring a proposal into force now; 409 unless it is still proposed."""
        with session_scope(self.db) as session:
            u = self._user(session, tenant_id, user)
            row = self._row(session, u, pid)
            if row.status != "proposed":
                raise Conflict(f"proposal {pid!r} is {row.status}, not proposed")
            accept(session, get_profile(session, u), row, "user")
            return public(row)

    def reject(self, tenant_id: str, user: str, pid: str) -> ProposalPublic:
        """Drop a proposal for good; 409 unless it is still proposed."""
        with session_scope(self.db) as session:
            u = self._user(session, tenant_id, user)
            row = self._row(session, u, pid)
            if row.status != "proposed":
                raise Conflict(f"proposal {pid!r} is {row.status}, not proposed")
            _decide(row, "rejected", "user")
            session.add(row)
            return public(row)


def model_parse_enabled(setting: str, model: str | None) -> bool:
    """Whether the background parse asks a model: `on`, or `auto` with a model that can follow
    a JSON schema (not the bundled local one)."""
    from persona.memory.extract import can_extract_json

    return setting == "on" or (setting == "auto" and can_extract_json(model))


@dataclass
class SteerParseHandler:
    """The `steer_parse` job handler: one model call for the ambiguous sentences of a batch of
    one user's turns; stores what it reads as proposals. Disabled, it does nothing."""

    gateway: ChatGateway | None
    model: str
    enabled: bool = True
    accept_after: int = 3
    max_batch: int = DEFAULT_MAX_BATCH

    def __call__(self, session: Session, payload: dict[str, Any]) -> list[SteerProposal]:
        return self.run_batch(session, [payload])

    def group(self, payload: dict[str, Any]) -> Hashable:
        """Jobs of one user run together."""
        return payload.get("user_id")

    def run_batch(
        self, session: Session, payloads: Sequence[dict[str, Any]]
    ) -> list[SteerProposal]:
        """Parse the turns' sentences with one call; returns the proposals stored."""
        from persona.steer.model_parse import model_parse

        if not self.enabled or self.gateway is None:
            return []
        asked: list[tuple[dict[str, Any], str]] = []
        for payload in payloads:
            user = session.get(User, payload["user_id"])
            if user is None or session.get(Turn, payload["turn_id"]) is None:
                continue  # the user or the turn was deleted since: nothing to propose
            asked.extend((payload, s) for s in payload.get("sentences") or [])
        if not asked:
            return []
        parsed = model_parse(self.gateway, self.model, [s for _, s in asked])
        if parsed.outcome == "unparsable":
            log.warning("steer model parse: %s gave no usable answer", self.model)
        stored: list[SteerProposal] = []
        for read in parsed.read:
            payload, sentence = asked[read.sentence]
            row = self._store(session, payload, sentence, read.constraint)
            if row is not None:
                stored.append(row)
        return stored

    def _store(
        self, session: Session, payload: dict[str, Any], sentence: str, constraint: Constraint
    ) -> SteerProposal | None:
        """Store one proposal unless the user has it already (in force, proposed, or rejected
        from the same sentence)."""
        from persona.profiles import to_constraint

        user_id = int(payload["user_id"])
        profile = session.get(Profile, user_id)
        key = constraint.key()
        if profile is not None and any(to_constraint(r).key() == key for r in profile.constraints):
            return None
        same = session.exec(
            select(SteerProposal).where(
                SteerProposal.user_id == user_id,
                SteerProposal.constraint_id == constraint.id,
                col(SteerProposal.status).in_(["proposed", "rejected"]),
            )
        ).all()
        for old in same:
            if _constraint(old).key() == key and (
                old.status == "proposed" or old.source_text == sentence
            ):
                return None
        row = SteerProposal(
            id=f"p_{secrets.token_hex(8)}",
            tenant_id=str(payload["tenant_id"]),
            user_id=user_id,
            source_turn_id=str(payload["turn_id"]),
            source_text=sentence,
            constraint_id=constraint.id,
            kwargs=dict(constraint.kwargs),
            model=self.model,
            accept_after=self.accept_after,
        )
        session.add(row)
        session.flush()
        return row
