"""Episodic memory: conversation turns become indexed memories, once."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from persona.embed import HashEmbedder
from persona.memory.episodes import (
    EpisodeTurn,
    chat_turns,
    context_vectors,
    ingest_chat_turn,
    ingest_turns,
)
from store.models import Memory, MemoryHistory, User
from tests.factories import make_user

AT = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def _rows(session: Session, user: User) -> list[Memory]:
    stmt = select(Memory).where(Memory.user_id == user.id).order_by(Memory.text)  # type: ignore[arg-type]
    return list(session.scalars(stmt))


def test_context_vectors_mix_neighbours_by_distance_and_direction() -> None:
    vectors = np.eye(3, dtype=np.float32)
    mixed = context_vectors(vectors, [[(1, 1), (2, 2)], [(0, -1)], []], before=0.6, after=0.4)
    expected = np.array([[1, 0.4, 0.2], [0.6, 1, 0], [0, 0, 1]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(mixed, expected, rtol=1e-6)


def test_ingest_turns_stores_one_episode_per_turn(engine: Engine) -> None:
    embedder = HashEmbedder()
    turns = [
        EpisodeTurn("Ann", "I adopted a puppy", AT, "s1", meta={"dia_id": "D1:1"}),
        EpisodeTurn("Bo", "What is its name?", AT, "s1", meta={"dia_id": "D1:2"}),
        EpisodeTurn("Ann", "Max!", AT, "s1", meta={"dia_id": "D1:3"}),
        EpisodeTurn("Bo", "  ", AT, "s1", meta={"dia_id": "D1:4"}),  # blank: skipped
        EpisodeTurn("Ann", "New session here", AT, "s2", meta={"dia_id": "D2:1"}),
    ]
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session)
        stored = ingest_turns(session, user, turns, embedder)
        session.commit()
        rows = _rows(session, user)
        assert sorted(stored) == sorted(m.id for m in rows)
        summary = [
            (m.kind, m.text, m.session_id, m.valid_from, m.importance, m.source_turn_id, m.meta)
            for m in rows
        ]
        assert summary == [
            ("episode", "Ann: I adopted a puppy", "s1", AT, 0.3, None,
             {"dia_id": "D1:1", "speaker": "Ann", "seq": 0, "context": "Bo: What is its name? Ann: Max!"}),
            ("episode", "Ann: Max!", "s1", AT, 0.3, None,
             {"dia_id": "D1:3", "speaker": "Ann", "seq": 2,
              "context": "Ann: I adopted a puppy Bo: What is its name?"}),
            ("episode", "Ann: New session here", "s2", AT, 0.3, None,
             {"dia_id": "D2:1", "speaker": "Ann", "seq": 0, "context": ""}),
            ("episode", "Bo: What is its name?", "s1", AT, 0.3, None,
             {"dia_id": "D1:2", "speaker": "Bo", "seq": 1,
              "context": "Ann: I adopted a puppy Ann: Max!"}),
        ]  # fmt: skip
        # the stored vector of a turn with no neighbours is its own embedding
        alone = np.frombuffer(rows[2].embedding or b"", dtype="<f4")
        np.testing.assert_allclose(alone, embedder.embed(["Ann: New session here"])[0], rtol=1e-6)
        session.refresh(user)
        assert user.memory_version == 1  # bumped once for the batch
        history = list(session.scalars(select(MemoryHistory)))
        assert sorted((h.op, h.actor, h.reason, h.memory_id) for h in history) == sorted(
            ("add", "extractor", "episode", m.id) for m in rows
        )


def test_chat_turn_ingestion_is_idempotent(engine: Engine) -> None:
    embedder = HashEmbedder()
    assert chat_turns("hi", "hello", at=AT, session_id="s", turn_id="t1") == [
        EpisodeTurn("user", "hi", AT, "s", "t1", {"role": "user"}),
        EpisodeTurn("assistant", "hello", AT, "s", "t1", {"role": "assistant"}),
    ]
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session)
        kwargs = {"at": AT, "session_id": "chat-1", "turn_id": "turn-1"}
        first = ingest_chat_turn(
            session, user, embedder, user_message="I love jazz", reply="Noted!", **kwargs
        )
        session.commit()
        again = ingest_chat_turn(
            session, user, embedder, user_message="I love jazz", reply="Noted!", **kwargs
        )
        session.commit()
        session.refresh(user)
        assert (again, user.memory_version) == ([], 1)
        rows = _rows(session, user)
        assert sorted(first) == sorted(m.id for m in rows)
        assert [(m.text, m.source_turn_id, m.meta) for m in rows] == [
            ("assistant: Noted!", "turn-1",
             {"role": "assistant", "speaker": "assistant", "seq": 1, "context": "user: I love jazz"}),
            ("user: I love jazz", "turn-1",
             {"role": "user", "speaker": "user", "seq": 0, "context": "assistant: Noted!"}),
        ]  # fmt: skip
