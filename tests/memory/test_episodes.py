"""Episodic memory: conversation turns become indexed memories, once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from persona.config import Settings
from persona.embed import HashEmbedder
from persona.engine import ChatEngine
from persona.memory.episodes import (
    AFTER_WEIGHT,
    EpisodeTurn,
    chat_turns,
    context_vectors,
    decode_vector,
    encode_vector,
    ingest_chat_turn,
    ingest_turns,
)
from persona.runtime import Runtime
from persona.types import ChatMessage, ChatRequest
from persona.worker import make_worker
from store.db import session_scope
from store.models import Memory, MemoryHistory, User
from store.tenants import create_tenant
from tests.factories import make_user
from tests.fakes.provider import FakeProvider, ok

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


class CountingEmbedder(HashEmbedder):
    """The hash embedder, recording every text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        self.texts.extend(texts)
        return super().embed(texts)


def test_a_turn_carrying_its_vector_is_not_embedded_again(engine: Engine) -> None:
    embedder = CountingEmbedder()
    carried = embedder.embed(["something else entirely"])[0]
    embedder.texts.clear()
    turns = [
        EpisodeTurn("user", "I love jazz", AT, "s1", "t1", vector=carried),
        EpisodeTurn("assistant", "Noted!", AT, "s2", "t1"),  # another session: no mixing
    ]
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session)
        ingest_turns(session, user, turns, embedder)
        session.commit()
        rows = {
            m.text: np.frombuffer(m.embedding or b"", dtype="<f4") for m in _rows(session, user)
        }
    assert embedder.texts == ["assistant: Noted!"]
    np.testing.assert_allclose(rows["user: I love jazz"], carried, rtol=1e-6)
    np.testing.assert_allclose(
        rows["assistant: Noted!"], embedder.embed(["assistant: Noted!"])[0], rtol=1e-6
    )


def test_a_payload_vector_is_used_only_from_the_same_embedder() -> None:
    embedder = HashEmbedder()
    vector = embedder.embed(["I love jazz"])[0]
    encoded = encode_vector(vector, embedder)
    decoded = decode_vector({"message_vector": encoded}, embedder)
    assert decoded is not None
    np.testing.assert_array_equal(decoded, vector)
    other = HashEmbedder()
    other.name = "another-model"
    short = HashEmbedder(dim=8)
    assert decode_vector({"message_vector": encoded}, other) is None
    assert decode_vector({"message_vector": encoded}, short) is None  # another width
    assert decode_vector({}, embedder) is None  # a payload written before vectors travelled
    for broken in ({**encoded, "vector": "not base64!"}, {"embedder": "hash"}, "text", None):
        assert decode_vector({"message_vector": broken}, embedder) is None


def test_the_background_job_indexes_a_chat_message_with_its_hot_path_vector(
    sqlite_url: str, fake_provider: FakeProvider
) -> None:
    """The message is embedded once, on the hot path; the job embeds only the reply."""
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    settings = Settings(
        database_url=sqlite_url,
        fast_model="openai/fast-fake",
        reasoning_model="openai/fast-fake",
        model_endpoints={"openai/fast-fake": endpoint},
        background_worker=False,
        extract_settle_s=0,
    )
    embedder = CountingEmbedder()
    runtime = Runtime.build(settings, embedder=embedder, upgrade=True)
    try:
        with session_scope(runtime.db) as session:
            tenant_id = create_tenant(session, "app")[0].id
        fake_provider.script(ok("Jazz it is."))
        message = "I like jazz records from the sixties"
        request = ChatRequest(user="ann", messages=[ChatMessage(role="user", content=message)])
        ChatEngine(runtime).chat(tenant_id, request)
        assert embedder.texts == [message]
        make_worker(runtime).run_until_idle()
        assert f"user: {message}" not in embedder.texts
        assert "assistant: Jazz it is." in embedder.texts
        with session_scope(runtime.db) as session:
            stored = session.scalars(
                select(Memory.embedding).where(Memory.text == f"user: {message}")  # type: ignore[call-overload]
            ).one()
        own = embedder.embed([message])[0]
        reply = embedder.embed(["assistant: Jazz it is."])[0]
        expected = own + AFTER_WEIGHT * reply  # the reply follows at distance 1
        np.testing.assert_allclose(
            np.frombuffer(stored, dtype="<f4"), expected / np.linalg.norm(expected), rtol=1e-5
        )
    finally:
        runtime.close()
