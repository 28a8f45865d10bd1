"""Consolidation: the one place that decides how candidates change a user's stored memories.

Rules, applied to each candidate in the order it was said:

- add, same normalised text as a valid memory, or cosine >= `DUPLICATE_COSINE` with one (and
  no conflicting attribute): *refresh* it (importance raised, `updated_at` now); no copy.
- add, same attribute as valid memories but a different text: *supersede* them. Each old row
  gets `invalid_at=now` and `superseded_by=<new id>`; the new row is valid from now. Both stay,
  so `as_of` queries answer from either side of the change.
- add, otherwise: a new row.
- supersede / invalidate with a `target_id` (an extractor's operation against the user's
  current memories, e.g. "I meant Berlin, not Paris"): replace or end exactly that memory
  (nothing when it is no longer valid or outside the scope).
- forget: *invalidate* the memories the candidate names (by attribute, else by text). A keyed
  attribute ("opinion:jazz", "habit:smoking") names its memory whatever the wording; a
  single-valued one with a value ("location" = "Rome") only a memory holding that value.
- invalidate_previous ("that's no longer true"): invalidate the memory the previous turn was
  about (best effort: the best match to that turn's text, else its most recent memory).

Conflicting statements in one message ("I live in Paris. Actually, Berlin."): the later one
wins and the earlier is kept, superseded, with a zero-length validity interval.
Nothing is ever deleted here. Every change writes a history row, and the user's
`memory_version` is bumped once, in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlmodel import Session, col, or_, select

from persona.memory.extract.candidate import Candidate, CurrentMemory, normalize_text
from persona.memory.kinds import EPISODE
from persona.memory.words import overlap
from persona.memory.writes import (
    add_memory,
    bump_version,
    embedding_array,
    embedding_bytes,
    memory_snapshot,
    record_history,
)
from store.models import Memory, MemoryHistory, User, utcnow

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from persona.embed import Embedder

DUPLICATE_COSINE = 0.9
FORGET_MATCH = 0.6  # cosine or word overlap for "forget <text>" without an attribute
PREVIOUS_MATCH = 0.35  # "that's no longer true" against the previous turn's text


@dataclass(frozen=True)
class Change:
    """One change consolidation made (mirrors the history row it wrote)."""

    op: str  # add | refresh | supersede | invalidate
    memory_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str


@dataclass(frozen=True)
class Scope:
    """Where new memories live: the user's, or one agent's or one session's."""

    scope: str = "user"
    agent_id: str | None = None
    session_id: str | None = None
    project: str | None = None  # None: the user's own, outside any project


def valid_memories(session: Session, user_id: int, scope: Scope, now: datetime) -> list[Memory]:
    """The user's valid memories in `scope` (no episodes), oldest first: what candidates of a
    turn in that scope are consolidated with."""
    query = select(Memory).where(
        Memory.user_id == user_id,
        col(Memory.invalid_at).is_(None),
        Memory.kind != EPISODE,
        Memory.scope == scope.scope,
        or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
    )
    if scope.agent_id is not None:
        query = query.where(Memory.agent_id == scope.agent_id)
    if scope.session_id is not None:
        query = query.where(Memory.session_id == scope.session_id)
    # a project's memories are consolidated only with that project's
    query = query.where(
        col(Memory.project).is_(None)
        if scope.project is None
        else col(Memory.project) == scope.project
    )
    return list(session.exec(query.order_by(col(Memory.valid_from))).all())


def current_memories(
    session: Session, user_id: int, scope: Scope, now: datetime
) -> list[CurrentMemory]:
    """`valid_memories` as extractors see them (id, kind, text, attribute)."""
    return [
        CurrentMemory(m.id, m.kind, m.text, m.attribute)
        for m in valid_memories(session, user_id, scope, now)
    ]


class _Run:
    """One consolidation call: the user's valid memories in scope, and the changes so far."""

    def __init__(
        self,
        session: Session,
        user: User,
        *,
        actor: str,
        source_turn_id: str | None,
        now: datetime,
        scope: Scope,
    ) -> None:
        self.session, self.user, self.actor = session, user, actor
        self.source_turn_id, self.now, self.scope = source_turn_id, now, scope
        self.changes: list[Change] = []
        if session.get_bind().dialect.name == "postgresql":
            # one writer per user at a time: a concurrent job waits here instead of deciding
            # against a stale view (two adds of the same fact, two supersedes of one value)
            # (NO KEY UPDATE: inserting a turn, whose foreign key share-locks the user, goes on)
            session.exec(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
        self.applied: set[str] = set()
        if source_turn_id is not None:
            # read after the lock: a concurrent run of the same job has committed by now
            keys = session.exec(
                select(MemoryHistory.candidate_key).where(
                    MemoryHistory.user_id == user.id,
                    MemoryHistory.source_turn_id == source_turn_id,
                    col(MemoryHistory.candidate_key).is_not(None),
                )
            ).all()
            self.applied = {key for key in keys if key is not None}
        assert user.id is not None
        self.pool = valid_memories(session, user.id, scope, now)

    def _history(
        self,
        op: str,
        memory: Memory,
        before: dict[str, Any] | None,
        reason: str,
        candidate_key: str | None = None,
    ) -> None:
        after = memory_snapshot(memory)
        assert self.user.id is not None
        record_history(
            self.session,
            memory_id=memory.id,
            user_id=self.user.id,
            op=op,
            before=before,
            after=after,
            actor=self.actor,
            reason=reason,
            source_turn_id=self.source_turn_id,
            candidate_key=candidate_key,
            now=self.now,
        )
        self.changes.append(Change(op, memory.id, before, after, reason))

    @staticmethod
    def _cosine(memory: Memory, vector: NDArray[np.float32]) -> float:
        stored = embedding_array(memory.embedding)
        if stored is None or stored.shape != vector.shape:
            return 0.0
        return float(np.dot(stored, vector))

    def refresh(self, memory: Memory, c: Candidate, why: str, meta: dict[str, Any] | None) -> None:
        """Re-affirm an existing memory instead of copying it."""
        before = memory_snapshot(memory)
        memory.importance = max(memory.importance, c.importance)
        memory.updated_at = self.now
        if meta:
            memory.meta = {**memory.meta, **meta}
        self.session.add(memory)
        self._history("refresh", memory, before, why, candidate_key=c.key())

    def invalidate(self, memory: Memory, c: Candidate, why: str) -> None:
        """End a memory's validity now (it stays stored and queryable by time)."""
        before = memory_snapshot(memory)
        memory.invalid_at = self.now
        memory.updated_at = self.now
        self.session.add(memory)
        self.pool.remove(memory)
        self._history("invalidate", memory, before, why, candidate_key=c.key())

    def add(
        self,
        c: Candidate,
        vector: NDArray[np.float32],
        meta: dict[str, Any] | None,
        expires_at: datetime | None,
    ) -> Memory:
        """Apply an "add" candidate: refresh, supersede or insert."""
        norm = normalize_text(c.text)
        same = [m for m in self.pool if normalize_text(m.text) == norm]
        if same:
            self.refresh(same[-1], c, "same text as a valid memory", meta)
            return same[-1]
        olds = [m for m in self.pool if c.attribute and m.attribute == c.attribute]
        if not olds:
            scored = [
                (self._cosine(m, vector), m)
                for m in self.pool
                if m.attribute is None or c.attribute is None or m.attribute == c.attribute
            ]
            best = max(scored, key=lambda pair: pair[0], default=None)
            if best is not None and best[0] >= DUPLICATE_COSINE:
                self.refresh(best[1], c, f"near-duplicate (cosine {best[0]:.3f})", meta)
                return best[1]
        return self.insert(c, vector, meta, expires_at, olds)

    def targeted(
        self,
        c: Candidate,
        vector: NDArray[np.float32],
        meta: dict[str, Any] | None,
        expires_at: datetime | None,
    ) -> None:
        """Apply a "supersede" / "invalidate" candidate to the one memory it names."""
        target = next((m for m in self.pool if m.id == c.target_id), None)
        if target is None:
            return  # already ended, or not this user's / this scope's: nothing to change
        if c.op == "invalidate":
            self.invalidate(target, c, "the user said it is no longer true")
            return
        if normalize_text(c.text) == normalize_text(target.text):
            self.refresh(target, c, "same text as the memory it supersedes", meta)
            return
        attribute = c.attribute or target.attribute
        olds = [target] + [
            m for m in self.pool if attribute and m.attribute == attribute and m.id != target.id
        ]
        self.insert(replace(c, attribute=attribute), vector, meta, expires_at, olds)

    def insert(
        self,
        c: Candidate,
        vector: NDArray[np.float32],
        meta: dict[str, Any] | None,
        expires_at: datetime | None,
        olds: list[Memory],
    ) -> Memory:
        """Write `c` as a new memory that supersedes `olds`."""
        full_meta = dict(meta or {})
        if c.event_date:
            full_meta.setdefault("event_date", c.event_date)
        assert self.user.id is not None
        new = Memory(
            user_id=self.user.id,
            kind=c.kind,
            text=c.text,
            attribute=c.attribute,
            embedding=embedding_bytes(vector),
            importance=c.importance,
            scope=self.scope.scope,
            agent_id=self.scope.agent_id,
            session_id=self.scope.session_id,
            project=self.scope.project,
            actor=self.actor,
            source_turn_id=self.source_turn_id,
            valid_from=self.now,
            expires_at=expires_at,
            created_at=self.now,
            updated_at=self.now,
            meta=full_meta,
        )
        add_memory(self.session, new)
        for old in olds:
            before = memory_snapshot(old)
            old.invalid_at = self.now
            old.superseded_by = new.id
            old.updated_at = self.now
            self.session.add(old)
            self.pool.remove(old)
            why = (
                f"superseded by {new.id} (new value of {c.attribute!r})"
                if c.attribute
                else f"superseded by {new.id} (a correction)"
            )
            self._history("supersede", old, before, why, candidate_key=c.key())
        reason = f"supersedes {', '.join(o.id for o in olds)}" if olds else "new memory"
        self._history("add", new, None, reason, candidate_key=c.key())
        self.pool.append(new)
        return new

    def forget(self, c: Candidate, vector: NDArray[np.float32]) -> None:
        """Apply a "forget" candidate."""
        if c.attribute and (c.value is None or ":" in c.attribute):
            targets = [m for m in self.pool if m.attribute == c.attribute]
        elif c.value:
            # a named value must match: "I no longer live in Rome" leaves "Lives in Paris"
            value, norm = c.value.lower(), normalize_text(c.text)
            targets = [
                m
                for m in self.pool
                if normalize_text(m.text) == norm
                or (
                    value in m.text.lower()
                    and (
                        m.attribute == c.attribute
                        or (m.attribute is None and overlap(c.text, m.text) >= FORGET_MATCH)
                    )
                )
            ]
        else:
            norm = normalize_text(c.text)
            scored = [
                (max(self._cosine(m, vector), overlap(c.text, m.text)), m)
                for m in self.pool
                if not c.attribute or m.attribute in (None, c.attribute)
            ]
            exact = [m for s, m in scored if normalize_text(m.text) == norm]
            best = max(scored, key=lambda pair: pair[0], default=None)
            if exact:
                targets = exact
            elif best is not None and best[0] >= FORGET_MATCH:
                targets = [best[1]]
            else:
                targets = []
        for memory in targets:
            self.invalidate(memory, c, "forget requested")

    def invalidate_previous(
        self, c: Candidate, vector: NDArray[np.float32] | None, previous_turn_id: str | None
    ) -> None:
        """Apply "that's no longer true" to what the previous turn was about."""
        if not self.pool:
            return
        target: Memory | None = None
        if vector is not None and c.text.strip():
            scored = [(max(self._cosine(m, vector), overlap(m.text, c.text)), m) for m in self.pool]
            score, best = max(scored, key=lambda pair: (pair[0], pair[1].updated_at))
            target = best if score >= PREVIOUS_MATCH else None
        if target is None and previous_turn_id is not None:
            from_turn = [m for m in self.pool if m.source_turn_id == previous_turn_id]
            target = max(from_turn, key=lambda m: m.updated_at, default=None)
        if target is None and not c.text.strip():
            target = max(self.pool, key=lambda m: m.updated_at)
        if target is not None:
            self.invalidate(target, c, "user said it is no longer true")


def consolidate(
    session: Session,
    user: User,
    candidates: Sequence[Candidate],
    *,
    embedder: Embedder,
    actor: str,
    source_turn_id: str | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
    metadata: dict[str, Any] | None = None,
    expires_at: datetime | None = None,
    previous_turn_id: str | None = None,
    skip_keys: Collection[str] = (),
) -> list[Change]:
    """Apply `candidates` (in order) to `user`'s memories; history rows and one version bump.

    With a `source_turn_id`, candidates already recorded in that turn's history are skipped
    (read after taking the user's lock), so a re-run of the same job changes nothing;
    `skip_keys` adds further `Candidate.key()`s to skip.
    """
    now = now or utcnow()
    todo = [c for c in candidates if c.key() not in skip_keys and (c.text or c.op != "add")]
    if not todo:
        return []
    texts = [c.text for c in todo]
    vectors = embedder.embed(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    run = _Run(
        session, user, actor=actor, source_turn_id=source_turn_id, now=now, scope=scope or Scope()
    )
    for c, vector in zip(todo, vectors, strict=True):
        if c.key() in run.applied:
            continue
        if c.op == "add":
            run.add(c, vector, metadata, expires_at)
        elif c.op == "forget":
            run.forget(c, vector)
        elif c.op in ("supersede", "invalidate"):
            run.targeted(c, vector, metadata, expires_at)
        else:
            run.invalidate_previous(c, vector if c.text.strip() else None, previous_turn_id)
    if run.changes:
        bump_version(session, user)
    return run.changes
