"""Episodic memory: past conversation turns indexed as memories (kind="episode").

Each turn becomes one memory whose text is `"<speaker>: <text>"`. Turns are indexed with
their neighbours as context, because a turn alone is often elliptic ("Yes, last Friday!"):
- the stored embedding is the turn's own vector plus its neighbours' within `window` turns of
  the same session, weighted `weight / distance` (earlier turns weigh more), renormalised; no
  extra model call;
- the neighbours' texts go to `meta["context"]`, which the lexical index reads too.
This is the one path for every conversation: the product's background job after a chat turn
(`ingest_chat_turn`) and bulk imports or evals (`ingest_turns`).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import insert, select

from persona.memory.kinds import EPISODE
from persona.memory.writes import bump_version, memory_snapshot
from store.models import Memory, MemoryHistory, User, new_id, utcnow

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from sqlmodel import Session

    from persona.embed import Embedder

WINDOW = 2  # neighbours on each side used as context
# weight of a neighbour at distance 1 in the stored embedding: the turn before counts more,
# since an answer follows its question (LoCoMo recall@10 0.780 with 0.6/0.3, 0.777 with 0.3/0.3)
BEFORE_WEIGHT = 0.6
AFTER_WEIGHT = 0.3
EPISODE_IMPORTANCE = 0.3  # below extracted facts (0.5 default): a raw turn is weaker evidence


@dataclass(frozen=True)
class EpisodeTurn:
    """One utterance of a conversation: who said what, when, in which session."""

    speaker: str
    text: str
    at: datetime
    session_id: str | None = None
    turn_id: str | None = None  # the persona Turn it came from, if any (idempotency key)
    meta: dict[str, Any] = field(default_factory=dict)
    # the turn's own vector when it is known already (a chat message, embedded on the hot
    # path): not embedded again
    vector: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)

    @property
    def memory_text(self) -> str:
        """The indexed text: `"<speaker>: <text>"`."""
        return f"{self.speaker}: {self.text}"


def chat_turns(
    user_message: str,
    reply: str,
    *,
    at: datetime,
    session_id: str | None,
    turn_id: str | None,
    user_name: str = "user",
    assistant_name: str = "assistant",
    message_vector: NDArray[np.float32] | None = None,
) -> list[EpisodeTurn]:
    """A chat exchange (the user's message and the assistant's reply) as two episode turns.

    `message_vector`: the message's embedding from the hot path, which the user's side keeps
    (one embedding fewer per turn). It embeds the message without the `"user: "` prefix; that
    prefix is the same on every user turn of a chat, so it tells turns apart by nothing.
    """
    return [
        EpisodeTurn(
            user_name, user_message, at, session_id, turn_id, {"role": "user"}, message_vector
        ),
        EpisodeTurn(assistant_name, reply, at, session_id, turn_id, {"role": "assistant"}),
    ]


def encode_vector(vector: NDArray[np.float32], embedder: Embedder) -> dict[str, str]:
    """A message's vector for a job's JSON payload, with the embedder it came from."""
    raw = np.asarray(vector, dtype="<f4").tobytes()
    return {"vector": base64.b64encode(raw).decode("ascii"), "embedder": embedder.name}


def decode_vector(payload: dict[str, Any], embedder: Embedder) -> NDArray[np.float32] | None:
    """The message vector a payload carries, if `embedder` made it (else it is embedded again:
    a process on another model, or an older payload without one)."""
    field_ = payload.get("message_vector")
    if not isinstance(field_, dict) or field_.get("embedder") != embedder.name:
        return None
    try:
        vector = np.frombuffer(base64.b64decode(field_["vector"], validate=True), dtype="<f4")
    except (KeyError, TypeError, ValueError):
        return None
    return vector.astype(np.float32) if vector.shape == (embedder.dim,) else None


def _neighbours(turns: Sequence[EpisodeTurn], window: int) -> list[list[tuple[int, int]]]:
    """For each turn, (index, offset) of the turns within `window` in the same session
    (offset < 0: an earlier turn)."""
    out: list[list[tuple[int, int]]] = []
    for i, turn in enumerate(turns):
        near = []
        for j in range(max(0, i - window), min(len(turns), i + window + 1)):
            if j != i and turns[j].session_id == turn.session_id:
                near.append((j, j - i))
        out.append(near)
    return out


def context_vectors(
    vectors: NDArray[np.float32],
    neighbours: Sequence[Sequence[tuple[int, int]]],
    before: float = BEFORE_WEIGHT,
    after: float = AFTER_WEIGHT,
) -> NDArray[np.float32]:
    """Each vector plus its neighbours, an earlier one weighted `before / distance`, a later
    one `after / distance`; L2-normalised."""
    out = vectors.astype(np.float32, copy=True)
    for i, near in enumerate(neighbours):
        for j, offset in near:
            out[i] += ((before if offset < 0 else after) / abs(offset)) * vectors[j]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def _next_seq(session: Session, user_id: int, turns: Sequence[EpisodeTurn]) -> dict[Any, int]:
    """Per session of `turns`, the sequence number its next turn gets (one query a session).

    The newest few episodes of the session are read and their largest `seq` taken: a chat
    exchange stores two turns with the same time, so time alone cannot order them.
    """
    out: dict[Any, int] = {}
    for sid in dict.fromkeys(t.session_id for t in turns):
        query = select(Memory.meta).where(  # type: ignore[call-overload]
            Memory.user_id == user_id, Memory.kind == EPISODE, Memory.session_id == sid
        )
        if sid is None:
            query = select(Memory.meta).where(  # type: ignore[call-overload]
                Memory.user_id == user_id,
                Memory.kind == EPISODE,
                Memory.session_id.is_(None),  # type: ignore[union-attr]
            )
        recent = session.execute(
            query.order_by(Memory.valid_from.desc(), Memory.created_at.desc()).limit(8)  # type: ignore[attr-defined]
        ).scalars()
        seqs = [m.get("seq") for m in recent if isinstance(m, dict)]
        out[sid] = max((q for q in seqs if isinstance(q, int)), default=-1) + 1
    return out


def _already_stored(session: Session, user_id: int, turns: Sequence[EpisodeTurn]) -> set[Any]:
    turn_ids = {t.turn_id for t in turns if t.turn_id is not None}
    if not turn_ids:
        return set()
    rows = session.execute(
        select(Memory.source_turn_id, Memory.text).where(  # type: ignore[call-overload]
            Memory.user_id == user_id,
            Memory.kind == EPISODE,
            Memory.source_turn_id.in_(turn_ids),  # type: ignore[union-attr]
        )
    ).all()
    return {(row[0], row[1]) for row in rows}


def _own_vectors(turns: Sequence[EpisodeTurn], embedder: Embedder) -> NDArray[np.float32]:
    """Each turn's own vector: the one it carries, else embedded (one call for the rest)."""
    missing = [i for i, t in enumerate(turns) if t.vector is None]
    out = np.empty((len(turns), embedder.dim), dtype=np.float32)
    if missing:
        out[missing] = embedder.embed([turns[i].memory_text for i in missing])
    for i, turn in enumerate(turns):
        if turn.vector is not None:
            out[i] = turn.vector
    return out


def ingest_turns(
    session: Session,
    user: User,
    turns: Sequence[EpisodeTurn],
    embedder: Embedder,
    *,
    window: int = WINDOW,
    actor: str = "extractor",
    agent_id: str | None = None,
    project: str | None = None,
) -> list[str]:
    """Store `turns` (in conversation order) as episodic memories; returns the new memory ids.

    Embeds all turns in one call, writes the memories and one `add` history row each as two
    multi-row inserts (an import of thousands of turns spends its time in the model, not in
    per-row ORM work), and bumps the user's `memory_version` once. Turns with a `turn_id`
    already stored for this user are skipped, so re-running the same job adds nothing.
    """
    assert user.id is not None
    stored = _already_stored(session, user.id, turns)
    todo = [t for t in turns if t.text.strip() and (t.turn_id, t.memory_text) not in stored]
    if not todo:
        return []
    near = _neighbours(todo, window)
    next_seq = _next_seq(session, user.id, todo)
    seqs = []
    for turn in todo:
        seqs.append(next_seq[turn.session_id])
        next_seq[turn.session_id] += 1
    vectors = context_vectors(_own_vectors(todo, embedder), near)
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "user_id": user.id,
            "kind": EPISODE,
            "text": turn.memory_text,
            "attribute": None,
            "embedding": vectors[i].astype("<f4").tobytes(),
            "importance": EPISODE_IMPORTANCE,
            "scope": "user",
            "agent_id": agent_id,
            "session_id": turn.session_id,
            "actor": actor,
            "source_turn_id": turn.turn_id,
            "valid_from": turn.at,
            "invalid_at": None,
            "superseded_by": None,
            "expires_at": None,
            "suppressed_at": None,
            "project": project,
            "created_at": now,
            "updated_at": now,
            "meta": {
                **turn.meta,
                "speaker": turn.speaker,
                "seq": seqs[i],
                "context": " ".join(todo[j].memory_text for j, _ in sorted(near[i])),
            },
        }
        for i, turn in enumerate(todo)
    ]
    session.execute(insert(Memory), rows)
    history = [
        {
            "memory_id": row["id"],
            "user_id": user.id,
            "op": "add",
            "before": None,
            "after": memory_snapshot(row),
            "actor": actor,
            "reason": "episode",
            "source_turn_id": row["source_turn_id"],
            "created_at": now,
        }
        for row in rows
    ]
    session.execute(insert(MemoryHistory), history)
    bump_version(session, user)
    session.flush()
    return [row["id"] for row in rows]


def ingest_chat_turn(
    session: Session,
    user: User,
    embedder: Embedder,
    *,
    user_message: str,
    reply: str,
    at: datetime,
    session_id: str | None,
    turn_id: str | None,
    agent_id: str | None = None,
    project: str | None = None,
) -> list[str]:
    """Index one chat exchange (the background job's call after each turn); the new ids."""
    turns = chat_turns(user_message, reply, at=at, session_id=session_id, turn_id=turn_id)
    return ingest_turns(session, user, turns, embedder, agent_id=agent_id, project=project)
