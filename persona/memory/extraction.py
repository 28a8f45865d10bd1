"""The extraction job: what one user's chat turns teach persona about them.

Each turn's outbox job (`"extract"`) extracts memory operations from the user's message and
consolidates them, in the turn's own history (`source_turn_id`), idempotent per turn: a re-run
of a committed turn does nothing and does not ask the model again.

The worker runs one user's pending turns together (`ExtractionHandler.run_batch`): with the LLM
extractor one model call covers them all (the turns that arrived since the user's last run, up to
`max_batch`), consolidation still applies them turn by turn in the order said, and the episodic
index embeds all their exchanges in one call. A busy user costs one extraction call per batch,
not one per turn; a quiet user's single turn runs as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from persona.memory.consolidate import Change, Scope, consolidate, current_memories
from persona.memory.extract import Extraction, ExtractorMode, extract, extract_turns
from store.models import MemoryHistory, Turn, User, utcnow

if TYPE_CHECKING:
    from persona.embed import Embedder
    from persona.memory.extract import ChatGateway

log = logging.getLogger(__name__)

# run after extraction in the same transaction with the batch's payloads (one user's turns, in
# order), e.g. episodic indexing of the exchanges
PostProcessor = Callable[[Session, Sequence[dict[str, Any]]], object]

DEFAULT_MAX_BATCH = 8  # turns of one user per extraction call


@dataclass
class ExtractionResult:
    """What one extraction job did."""

    changes: list[Change] = field(default_factory=list)
    extractor: str = "none"  # or "already_applied" for a re-run of a committed job


def turn_time(payload: dict[str, Any]) -> datetime:
    """When the turn happened: what it says is valid from then, not from when the job ran."""
    raw = payload.get("created_at")
    try:
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        when = None
    if when is None:
        return utcnow()
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _applied(session: Session, payloads: Sequence[dict[str, Any]]) -> set[tuple[int, str]]:
    """The (user, turn) of `payloads` whose memory changes are committed already (one query
    per user: a batch is one user's turns)."""
    by_user: dict[int, set[str]] = {}
    for payload in payloads:
        if payload.get("turn_id") and isinstance(payload.get("user_id"), int):
            by_user.setdefault(payload["user_id"], set()).add(payload["turn_id"])
    out: set[tuple[int, str]] = set()
    for user_id, turn_ids in by_user.items():
        rows = session.exec(
            select(MemoryHistory.source_turn_id)
            .where(
                MemoryHistory.user_id == user_id,
                col(MemoryHistory.source_turn_id).in_(turn_ids),
            )
            .distinct()
        ).all()
        out.update((user_id, turn_id) for turn_id in rows if turn_id is not None)
    return out


def _previous_turn(session: Session, user_id: int, payload: dict[str, Any]) -> Turn | None:
    query = select(Turn).where(Turn.user_id == user_id, Turn.id != payload["turn_id"])
    current = session.get(Turn, payload["turn_id"])
    if current is not None:
        query = query.where(col(Turn.created_at) < current.created_at)
    if payload.get("session_id"):
        query = query.where(Turn.session_id == payload["session_id"])
    return session.exec(query.order_by(col(Turn.created_at).desc()).limit(1)).first()


def _pending(
    session: Session, payload: dict[str, Any], applied: set[tuple[int, str]]
) -> tuple[User | None, str | None]:
    """The turn's user, or None when there is nothing to do (user deleted, turn applied)."""
    user = session.get(User, payload["user_id"])
    if user is None or user.id is None:
        return None, "none"  # the user was deleted since the turn; nothing to learn
    if (user.id, payload.get("turn_id")) in applied:
        # this turn's changes are committed (one transaction per job): a re-run does nothing,
        # and does not ask the model again
        return None, "already_applied"
    return user, None


def _apply(
    session: Session,
    user: User,
    payload: dict[str, Any],
    extraction: Extraction,
    *,
    embedder: Embedder,
) -> ExtractionResult:
    """Consolidate one turn's extracted candidates into the user's memory."""
    assert user.id is not None
    turn_id = payload.get("turn_id")
    candidates = extraction.candidates
    previous: Turn | None = None
    if any(c.op == "invalidate_previous" for c in candidates) and turn_id:
        previous = _previous_turn(session, user.id, payload)
        context = f"{previous.user_message}\n{previous.reply}" if previous else ""
        candidates = [
            replace(c, text=context) if c.op == "invalidate_previous" else c for c in candidates
        ]
    changes = consolidate(
        session,
        user,
        candidates,
        embedder=embedder,
        actor="extractor",
        source_turn_id=turn_id,
        now=turn_time(payload),
        scope=Scope(project=payload.get("project")),
        previous_turn_id=previous.id if previous else None,
    )
    return ExtractionResult(changes, extraction.extractor)


def run_extraction(
    session: Session,
    job_payload: dict[str, Any],
    *,
    embedder: Embedder,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    extractor_mode: ExtractorMode = "auto",
    post_processors: Sequence[PostProcessor] = (),
) -> ExtractionResult:
    """Extract memories from one turn and consolidate them; idempotent per `turn_id`."""
    return run_extraction_batch(
        session,
        [job_payload],
        embedder=embedder,
        gateway=gateway,
        model=model,
        extractor_mode=extractor_mode,
        post_processors=post_processors,
    )[0]


def run_extraction_batch(
    session: Session,
    payloads: Sequence[dict[str, Any]],
    *,
    embedder: Embedder,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    extractor_mode: ExtractorMode = "auto",
    post_processors: Sequence[PostProcessor] = (),
) -> list[ExtractionResult]:
    """Extract and consolidate several turns of one user, in the order said (one result per
    payload, in the given order); one model call covers them when the LLM extractor runs.

    The model sees the user's memories as they were before the first turn and every turn in
    order; consolidation then applies each turn's operations in turn, so a later turn's change
    supersedes what an earlier one added, with each memory's history naming its own turn.
    """
    results: dict[int, ExtractionResult] = {}
    todo: list[tuple[int, User, dict[str, Any]]] = []
    applied = _applied(session, payloads)
    for i, payload in enumerate(payloads):
        user, skipped = _pending(session, payload, applied)
        if user is None:
            results[i] = ExtractionResult(extractor=skipped or "none")
        else:
            todo.append((i, user, payload))
    todo.sort(key=lambda item: turn_time(item[2]))
    by_scope: dict[tuple[int, str | None], list[tuple[int, User, dict[str, Any]]]] = {}
    for item in todo:
        by_scope.setdefault((item[2]["user_id"], item[2].get("project")), []).append(item)
    for group in by_scope.values():
        user = group[0][1]
        assert user.id is not None
        scope = Scope(project=group[0][2].get("project"))
        if len(group) > 1 and _one_call(gateway, model, extractor_mode):
            when = turn_time(group[0][2])
            extractions = extract_turns(
                [(p.get("user_message") or "", p.get("reply"), turn_time(p)) for _, _, p in group],
                gateway=gateway,
                model=model,
                mode=extractor_mode,
                current=current_memories(session, user.id, scope, when),
            )
            for (i, _, payload), extraction in zip(group, extractions, strict=True):
                results[i] = _apply(session, user, payload, extraction, embedder=embedder)
        else:
            for i, _, payload in group:
                when = turn_time(payload)
                extraction = extract(
                    payload.get("user_message") or "",
                    reply=payload.get("reply"),
                    gateway=gateway,
                    model=model,
                    mode=extractor_mode,
                    now=when,
                    # operations ("I meant Berlin, not Paris") are decided against what is
                    # valid now, after the turns before it
                    current=current_memories(session, user.id, scope, when),
                )
                results[i] = _apply(session, user, payload, extraction, embedder=embedder)
    done = [payload for _, _, payload in todo]
    if done:
        for post in post_processors:
            post(session, done)
    return [results[i] for i in range(len(payloads))]


def _one_call(gateway: ChatGateway | None, model: str | None, mode: ExtractorMode) -> bool:
    """Whether turns of a batch go to the model together (the LLM extractor runs)."""
    from persona.memory.extract import can_extract_json

    return mode == "llm" or (mode == "auto" and gateway is not None and can_extract_json(model))


@dataclass
class ExtractionHandler:
    """The `"extract"` job handler bound to an embedder, gateway and extractor mode; the
    worker runs up to `max_batch` claimed turns of one user together (`run_batch`)."""

    embedder: Embedder
    gateway: ChatGateway | None = None
    model: str | None = None
    extractor_mode: ExtractorMode = "auto"
    post_processors: Sequence[PostProcessor] = ()
    max_batch: int = DEFAULT_MAX_BATCH

    def __call__(self, session: Session, payload: dict[str, Any]) -> ExtractionResult:
        return self.run_batch(session, [payload])[0]

    def group(self, payload: dict[str, Any]) -> Hashable:
        """Jobs of one user run together."""
        return payload.get("user_id")

    def run_batch(
        self, session: Session, payloads: Sequence[dict[str, Any]]
    ) -> list[ExtractionResult]:
        return run_extraction_batch(
            session,
            payloads,
            embedder=self.embedder,
            gateway=self.gateway,
            model=self.model,
            extractor_mode=self.extractor_mode,
            post_processors=self.post_processors,
        )


def extraction_handler(
    *,
    embedder: Embedder,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    extractor_mode: ExtractorMode = "auto",
    post_processors: Sequence[PostProcessor] = (),
    max_batch: int = DEFAULT_MAX_BATCH,
) -> ExtractionHandler:
    """The `"extract"` job handler (see `ExtractionHandler`)."""
    return ExtractionHandler(
        embedder, gateway, model, extractor_mode, tuple(post_processors), max(1, max_batch)
    )
