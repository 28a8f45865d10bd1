"""User-facing memory operations (REST, SDK and CLI call these): list, get, add, update,
delete, suppress, history, search, export and purge.

Every write goes through consolidation or writes a history row itself, and bumps the user's
`memory_version` in the same transaction. Users are named by (tenant id, external id).

A write asked of a memory that is already in that state (forgetting a forgotten memory,
suppressing a suppressed one, updating one that is no longer valid) is refused with `Conflict`,
whoever asks: the REST API, the SDK, the CLI or an admin correction (which passes its own
`session` so that its audit row lands in the same transaction).
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from persona.errors import Conflict, InvalidInput, NotFound
from persona.memory.checks import MAX_TEXT_CHARS, check_actor, check_scope, check_text
from persona.memory.consolidate import consolidate
from persona.memory.export import export_user
from persona.memory.extract.candidate import Candidate
from persona.memory.kinds import stated_kind
from persona.memory.writes import (
    bump_version,
    embedding_bytes,
    memory_snapshot,
    purge_user_rows,
    record_history,
    set_suppressed,
)
from store.db import session_scope
from store.models import Memory, MemoryHistory, User, utcnow
from store.users import find_user, get_or_create_user

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from persona.embed import Embedder


def _valid_at(memory: Memory, when: datetime) -> bool:
    if memory.valid_from > when:
        return False
    if memory.invalid_at is not None and memory.invalid_at <= when:
        return False
    return memory.expires_at is None or memory.expires_at > when


class MemoryService:
    """Memory operations for one database and embedder."""

    def __init__(self, engine: Engine, embedder: Embedder, *, retriever: Any = None) -> None:
        self.engine = engine
        self.embedder = embedder
        self._retriever = retriever

    @contextmanager
    def _scope(self, session: Session | None) -> Iterator[Session]:
        """The caller's session (the change joins its transaction), or a new transaction."""
        if session is not None:
            yield session
            return
        with session_scope(self.engine) as own:
            yield own

    @staticmethod
    def _user(session: Session, tenant_id: str, external_id: str) -> User:
        user = find_user(session, tenant_id, external_id)
        if user is None:
            raise NotFound(f"no user {external_id!r} in this tenant")
        return user

    @staticmethod
    def _memory(session: Session, user: User, memory_id: str) -> Memory:
        memory = session.get(Memory, memory_id)
        if memory is None or memory.user_id != user.id:
            raise NotFound(f"no memory {memory_id!r} for this user")
        return memory

    def list(
        self,
        tenant_id: str,
        user_external_id: str,
        *,
        kind: str | None = None,
        scope: str | None = None,
        metadata: dict[str, Any] | None = None,
        include_invalid: bool = False,
        as_of: datetime | None = None,
        project: str | None = None,
    ) -> builtins.list[Memory]:
        """The user's memories, oldest first: valid now by default, valid at `as_of`, or all
        (only `project`'s when given)."""
        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            query = select(Memory).where(Memory.user_id == user.id)
            if kind is not None:
                query = query.where(Memory.kind == kind)
            if scope is not None:
                query = query.where(Memory.scope == scope)
            if project is not None:
                query = query.where(Memory.project == project)
            if as_of is None and not include_invalid:
                query = query.where(col(Memory.invalid_at).is_(None))
            rows = session.exec(query.order_by(col(Memory.created_at), col(Memory.id))).all()
        when = as_of or utcnow()
        out = [m for m in rows if include_invalid or _valid_at(m, when)]
        if metadata:
            out = [m for m in out if all(m.meta.get(k) == v for k, v in metadata.items())]
        return out

    def get(
        self,
        tenant_id: str,
        user_external_id: str,
        memory_id: str,
        *,
        session: Session | None = None,
    ) -> Memory:
        """One memory of the user (NotFound for another user's)."""
        with self._scope(session) as session:
            return self._memory(
                session, self._user(session, tenant_id, user_external_id), memory_id
            )

    def add(
        self,
        tenant_id: str,
        user_external_id: str,
        text: str,
        kind: str = "fact",
        attribute: str | None = None,
        metadata: dict[str, Any] | None = None,
        actor: str = "api",
        *,
        importance: float = 0.5,
        scope: str = "user",
        agent_id: str | None = None,
        session_id: str | None = None,
        expires_at: datetime | None = None,
        project: str | None = None,
    ) -> Memory:
        """Add a memory through consolidation (a duplicate refreshes, a new value supersedes).

        Creates the user on first sight, like a chat would. Returns the resulting memory.
        A `project` (or `metadata["project"]`) makes it that project's: read only by its chats.
        """
        project = project or (metadata or {}).get("project") or None
        if project is not None and (not isinstance(project, str) or len(project) > 256):
            raise InvalidInput("project must be a string of at most 256 characters", "project")
        text = check_text(text)
        check_actor(actor)
        stated = stated_kind(kind)
        if not 0.0 <= importance <= 1.0:
            raise InvalidInput("importance must be between 0 and 1", param="importance")
        where = check_scope(scope, agent_id, session_id, project)
        candidate = Candidate(stated, text, attribute or None, None, importance)
        with session_scope(self.engine) as session:
            user = get_or_create_user(session, tenant_id, user_external_id)
            changes = consolidate(
                session,
                user,
                [candidate],
                embedder=self.embedder,
                actor=actor,
                scope=where,
                metadata=metadata,
                expires_at=expires_at,
            )
            memory_id = next(ch.memory_id for ch in changes if ch.op in ("add", "refresh"))
            memory = session.get(Memory, memory_id)
            assert memory is not None
            return memory

    def update(
        self,
        tenant_id: str,
        user_external_id: str,
        memory_id: str,
        *,
        text: str | None = None,
        kind: str | None = None,
        attribute: str | None = None,
        importance: float | None = None,
        metadata: dict[str, Any] | None = None,
        expires_at: datetime | None = None,
        actor: str = "api",
        reason: str = "",
        session: Session | None = None,
    ) -> Memory:
        """Correct a valid memory in place (history op "update"); None leaves a field as is."""
        check_actor(actor)
        new_kind = stated_kind(kind) if kind is not None else None
        if importance is not None and not 0.0 <= importance <= 1.0:
            raise InvalidInput("importance must be between 0 and 1", param="importance")
        with self._scope(session) as session:
            user = self._user(session, tenant_id, user_external_id)
            memory = self._memory(session, user, memory_id)
            if memory.invalid_at is not None:
                raise Conflict(f"memory {memory_id!r} is no longer valid and cannot be updated")
            before = memory_snapshot(memory)
            if text is not None:
                memory.text = check_text(text)
                memory.embedding = embedding_bytes(self.embedder.embed([memory.text])[0])
            if new_kind is not None:
                memory.kind = new_kind
            if attribute is not None:
                memory.attribute = attribute or None
            if importance is not None:
                memory.importance = importance
            if metadata is not None:
                memory.meta = dict(metadata)
            if expires_at is not None:
                memory.expires_at = expires_at
            memory.updated_at = utcnow()
            session.add(memory)
            assert user.id is not None
            record_history(
                session,
                memory_id=memory.id,
                user_id=user.id,
                op="update",
                before=before,
                after=memory_snapshot(memory),
                actor=actor,
                reason=reason or "updated",
            )
            bump_version(session, user)
            return memory

    def delete(
        self,
        tenant_id: str,
        user_external_id: str,
        memory_id: str,
        *,
        actor: str = "api",
        reason: str = "",
        session: Session | None = None,
    ) -> Memory:
        """Forget a memory: it is invalidated now (kept for history; `purge` erases).

        Conflict when it is no longer valid (forgotten or superseded): nothing would change.
        """
        check_actor(actor)
        with self._scope(session) as session:
            user = self._user(session, tenant_id, user_external_id)
            memory = self._memory(session, user, memory_id)
            if memory.invalid_at is not None:
                raise Conflict(f"memory {memory_id!r} is already invalid (forgotten or superseded)")
            before = memory_snapshot(memory)
            memory.invalid_at = memory.updated_at = utcnow()
            session.add(memory)
            assert user.id is not None
            record_history(
                session,
                memory_id=memory.id,
                user_id=user.id,
                op="invalidate",
                before=before,
                after=memory_snapshot(memory),
                actor=actor,
                reason=reason or "deleted",
            )
            bump_version(session, user)
            return memory

    def suppress(
        self,
        tenant_id: str,
        user_external_id: str,
        memory_id: str,
        *,
        suppressed: bool = True,
        actor: str = "api",
        reason: str = "",
        session: Session | None = None,
    ) -> Memory:
        """ "Don't mention this again": keep the memory (valid, in history and export) but never
        put it in a prompt; `suppressed=False` undoes it. History ops "suppress"/"unsuppress";
        Conflict when the memory is already in the asked state."""
        check_actor(actor)
        with self._scope(session) as session:
            user = self._user(session, tenant_id, user_external_id)
            memory = self._memory(session, user, memory_id)
            if (memory.suppressed_at is not None) == suppressed:
                state = "already suppressed" if suppressed else "not suppressed"
                raise Conflict(f"memory {memory_id!r} is {state}")
            return set_suppressed(session, user, memory, suppressed, actor=actor, reason=reason)

    def summary(self, tenant_id: str, user_external_id: str) -> str:
        """The user's memory summary: current memories as a short text (see `summary.py`)."""
        from persona.memory.summary import render, summary_memories

        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            return render(summary_memories(session, user))

    def edit_summary(
        self, tenant_id: str, user_external_id: str, text: str, *, actor: str = "user"
    ) -> dict[str, Any]:
        """Apply an edited summary as memory operations (invalidate removed lines, add new
        ones through consolidation), each with history, in one transaction. Returns the new
        summary and the changes."""
        from persona.memory.summary import diff, render, summary_memories

        check_actor(actor)
        if len(text) > 20 * MAX_TEXT_CHARS:
            raise InvalidInput("the summary is too long", param="text")
        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            assert user.id is not None
            edit = diff(summary_memories(session, user), text)
            changes: builtins.list[dict[str, Any]] = []
            now = utcnow()
            for memory in edit.removed:
                before = memory_snapshot(memory)
                memory.invalid_at = memory.updated_at = now
                session.add(memory)
                record_history(
                    session,
                    memory_id=memory.id,
                    user_id=user.id,
                    op="invalidate",
                    before=before,
                    after=memory_snapshot(memory),
                    actor=actor,
                    reason="removed from the memory summary",
                    now=now,
                )
                changes.append({"op": "invalidate", "memory_id": memory.id})
            if edit.removed:
                bump_version(session, user)
            for line, kind in edit.added:
                made = consolidate(
                    session,
                    user,
                    [Candidate(kind, check_text(line), None, None, 0.7)],
                    embedder=self.embedder,
                    actor=actor,
                    now=now,
                )
                changes += [{"op": ch.op, "memory_id": ch.memory_id} for ch in made]
            session.flush()
            return {"summary": render(summary_memories(session, user)), "changes": changes}

    def history(
        self, tenant_id: str, user_external_id: str, memory_id: str | None = None
    ) -> builtins.list[MemoryHistory]:
        """The history of one memory, or of all the user's memories, oldest first."""
        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            query = select(MemoryHistory).where(MemoryHistory.user_id == user.id)
            if memory_id is not None:
                self._memory(session, user, memory_id)
                query = query.where(MemoryHistory.memory_id == memory_id)
            return builtins.list(session.exec(query.order_by(col(MemoryHistory.id))).all())

    def search(
        self,
        tenant_id: str,
        user_external_id: str,
        query: str,
        *,
        k: int = 10,
        as_of: datetime | None = None,
    ) -> builtins.list[Any]:
        """The user's memories most relevant to `query` (hybrid retrieval, relevance-gated)."""
        if not query.strip():
            raise InvalidInput("a search needs a non-empty query", param="query")
        if not 1 <= k <= 100:
            raise InvalidInput("k must be between 1 and 100", param="k")
        if self._retriever is None:
            from persona.memory.retrieve import Retriever

            self._retriever = Retriever()
        embedding = self.embedder.embed([query])[0]
        extra: dict[str, Any] = {"as_of": as_of} if as_of is not None else {}
        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            hits = self._retriever.search(session, user.id, query, embedding, k=k, **extra)
            return builtins.list(hits)

    def export(self, tenant_id: str, user_external_id: str) -> dict[str, Any]:
        """Everything stored about the user, as JSON-safe data."""
        with session_scope(self.engine) as session:
            return export_user(session, self._user(session, tenant_id, user_external_id))

    def purge(self, tenant_id: str, user_external_id: str) -> dict[str, int]:
        """Hard-delete the user's memories, history, turns, traces, feedback, pending jobs,
        stored responses and proposed constraints.

        The user row and profile stay. The version bump makes every index cache drop the user's
        vectors. Returns how many rows of each kind were deleted.
        """
        with session_scope(self.engine) as session:
            user = self._user(session, tenant_id, user_external_id)
            counts = purge_user_rows(session, user)
        return counts
