"""Low-level memory writes: snapshots for history, inserts, history rows, version bumps.

Consolidation and the memory service build on these; nothing here decides *whether* to write.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, event, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col

from persona.public import MemorySnapshot
from store.models import (
    Feedback,
    Memory,
    MemoryHistory,
    Outbox,
    SearchSnapshot,
    SteerProposal,
    StoredResponse,
    Trace,
    Turn,
    User,
    utcnow,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

_BUMPED_KEY = "persona_memory_bumped"


def memory_snapshot(memory: Memory | Mapping[str, Any]) -> dict[str, Any]:
    """The memory (a row or its column values) as stored in a history row's `before`/`after`:
    a `MemorySnapshot` in its JSON form."""
    return MemorySnapshot.of(memory).model_dump(mode="json")


def embedding_bytes(vector: NDArray[np.float32]) -> bytes:
    """The stored form of one embedding (float32, little-endian, as numpy lays it out)."""
    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()


def embedding_array(blob: bytes | None) -> NDArray[np.float32] | None:
    """The vector stored in `blob`, or None."""
    if blob is None:
        return None
    return np.frombuffer(blob, dtype=np.float32)


def add_memory(session: Session, memory: Memory) -> Memory:
    """Insert `memory` and flush so its id and defaults are set; the caller records history."""
    session.add(memory)
    session.flush()
    return memory


def record_history(
    session: Session,
    *,
    memory_id: str,
    user_id: int,
    op: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: str,
    reason: str = "",
    source_turn_id: str | None = None,
    candidate_key: str | None = None,
    now: datetime | None = None,
) -> MemoryHistory:
    """Add one history row for a change to `memory_id`."""
    row = MemoryHistory(
        memory_id=memory_id,
        user_id=user_id,
        op=op,
        before=before,
        after=after,
        actor=actor,
        reason=reason,
        source_turn_id=source_turn_id,
        candidate_key=candidate_key,
        created_at=now or utcnow(),
    )
    session.add(row)
    return row


def set_suppressed(
    session: Session,
    user: User,
    memory: Memory,
    suppressed: bool,
    *,
    actor: str,
    reason: str = "",
) -> Memory:
    """Suppress a memory from prompts (or lift that), with a history row and a version bump.

    Nothing changes (no history row) when the memory is already in the asked state.
    """
    if (memory.suppressed_at is not None) == suppressed:
        return memory
    before = memory_snapshot(memory)
    now = utcnow()
    memory.suppressed_at = now if suppressed else None
    memory.updated_at = now
    session.add(memory)
    assert user.id is not None
    op = "suppress" if suppressed else "unsuppress"
    record_history(
        session,
        memory_id=memory.id,
        user_id=user.id,
        op=op,
        before=before,
        after=memory_snapshot(memory),
        actor=actor,
        reason=reason or ("don't mention this again" if suppressed else "may be mentioned again"),
        now=now,
    )
    bump_version(session, user)
    return memory


def _clear_bumped(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended (commit or rollback)
        session.info.pop(_BUMPED_KEY, None)


def bump_version(session: Session, user: User) -> bool:
    """Bump `user.memory_version` once per transaction (so index caches rebuild).

    Returns True when this call bumped it, False when this transaction already had.
    """
    assert user.id is not None
    if not event.contains(session, "after_transaction_end", _clear_bumped):
        event.listen(session, "after_transaction_end", _clear_bumped)
    bumped: set[int] = session.info.setdefault(_BUMPED_KEY, set())
    if user.id in bumped:
        return False
    bumped.add(user.id)
    # an SQL-side increment: concurrent writers can never both write the same version, and on
    # PostgreSQL the row lock serialises memory writes for this user until commit
    # (the new version set on `user` from RETURNING directly: the ORM's "fetch" sync does the
    # same with more bookkeeping per call)
    version = session.execute(
        update(User)
        .where(col(User.id) == user.id)
        .values(memory_version=col(User.memory_version) + 1)
        .returning(col(User.memory_version))
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if version is not None:
        set_committed_value(user, "memory_version", version)
    return True


def purge_user_rows(session: Session, user: User) -> dict[str, int]:
    """Hard-delete the user's memories, history, turns, traces, feedback, pending jobs, stored
    Responses API responses and proposed constraints.

    The user row and profile stay; the version bump makes every index cache drop the user's
    vectors, and the user's stored search snapshot goes too. The bump comes first: it takes
    the user row's lock a snapshot write checks (`persona.memory.snapshot.save`), so none can
    land after this purge. Returns how many rows of each kind were deleted.
    """
    bump_version(session, user)
    session.execute(delete(SearchSnapshot).where(col(SearchSnapshot.user_id) == user.id))
    counts: dict[str, int] = {}
    for name, table, column in (
        ("history", MemoryHistory, MemoryHistory.user_id),
        ("memories", Memory, Memory.user_id),
        ("traces", Trace, Trace.user_id),
        ("turns", Turn, Turn.user_id),
        ("feedback", Feedback, Feedback.user_id),
        ("jobs", Outbox, Outbox.user_id),
        ("responses", StoredResponse, StoredResponse.user_id),
        # proposed constraints quote the user's message: they go with the turns
        ("proposals", SteerProposal, SteerProposal.user_id),
    ):
        result = session.execute(delete(table).where(col(column) == user.id))
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    return counts
