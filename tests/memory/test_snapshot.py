"""Stored search snapshots on SQLite and PostgreSQL: a cold user is loaded from one row with
the same results as a rebuild, and no snapshot is read at another version or outlives a purge."""

from __future__ import annotations

import itertools
import json
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from persona.embed import Embedder
from persona.memory import snapshot
from persona.memory.retrieve import Retriever
from persona.memory.snapshot import SnapshotStore
from persona.memory.state import UserState
from persona.memory.writes import bump_version, purge_user_rows
from store.models import Memory, SearchSnapshot, User
from tests.factories import make_user

T0 = datetime(2024, 3, 1, 12, tzinfo=UTC)
_IDS = itertools.count()
TEXTS = (
    ("Caroline", "I painted a sunrise over the lake last weekend"),
    ("Mel", "That sounds lovely! Was it for the art show in May?"),
    ("Caroline", "Yes, and I adopted a puppy named Biscuit yesterday"),
    ("Mel", "What a week. How is Biscuit settling in?"),
    (None, "I am allergic to peanuts"),
    (None, "My sister lives in Lisbon"),
)


def _seed(session: Session, embedder: Embedder, user: User, copies: int = 1) -> None:
    """Episodic turns with speakers, sessions and sequence numbers, plus facts of every shape
    the state records (no vector, expired, invalidated, suppressed, scoped, in a project)."""
    assert user.id is not None
    texts = [text for _ in range(copies) for _, text in TEXTS]
    vectors = embedder.embed(texts)
    for i, (text, vector) in enumerate(zip(texts, vectors, strict=True)):
        speaker, _ = TEXTS[i % len(TEXTS)]
        meta: dict[str, Any] = {"speaker": speaker, "seq": i} if speaker else {"source": "x"}
        session.add(
            Memory(
                id=f"{user.external_id}-{next(_IDS):05d}",
                user_id=user.id,
                kind="episode" if speaker else "fact",
                text=text,
                embedding=None if i % 11 == 5 else vector.astype("<f4").tobytes(),
                importance=0.3 + (i % 5) / 10,
                session_id=f"s{i // 12}" if speaker else None,
                scope="session" if i % 13 == 7 else "user",
                agent_id="coach" if i % 17 == 3 else None,
                project="garden" if i % 19 == 4 else None,
                valid_from=T0 + timedelta(minutes=i),
                invalid_at=T0 + timedelta(days=2) if i % 23 == 9 else None,
                expires_at=T0 + timedelta(days=9000) if i % 29 == 2 else None,
                suppressed_at=T0 if i % 31 == 8 else None,
                meta=meta,
            )
        )
    bump_version(session, user)
    session.commit()


def _hits(retriever: Retriever, session: Session, embedder: Embedder, user: User) -> list[Any]:
    assert user.id is not None
    out = []
    for query in ("What did Caroline paint?", "the puppy", "When was the art show?", "peanuts"):
        for kw in ({}, {"agent_id": "coach"}, {"projects": [None]}, {"session_id": "s0"}):
            hits = retriever.search(session, user.id, query, embedder.embed([query])[0], 6, **kw)
            out.append(
                [(h.memory.id, round(h.score, 5), h.dense_rank, h.lexical_rank) for h in hits]
            )
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_a_state_round_trips_through_its_encoding_attribute_for_attribute(
    session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "rt")
    _seed(session, embedder, user, copies=6)
    assert user.id is not None
    retriever = Retriever()
    state = retriever.state(session, user.id)
    back = snapshot.decode(snapshot.encode(state, retriever.snapshot_key), retriever.snapshot_key)
    assert back is not None and len(back) == len(state) == 36
    assert vars(back).keys() == vars(state).keys()
    for name in ("ids", "kinds", "scopes", "agent_ids", "session_ids", "projects", "meta"):
        assert _same(getattr(back, name), getattr(state, name)), name
    for name in snapshot._ARRAYS:
        assert _same(getattr(back, name), getattr(state, name)), name
    assert vars(back.features).keys() == vars(state.features).keys()
    assert _same(vars(back.features), vars(state.features))
    assert (back.bm25.k1, back.bm25.b, back.bm25.size) == (
        state.bm25.k1, state.bm25.b, state.bm25.size
    )  # fmt: skip
    assert _same(back.bm25.postings, state.bm25.postings)
    assert back.faiss.ids == state.faiss.ids and back.faiss.version == state.faiss.version
    assert _same(back.faiss.vectors(), state.faiss.vectors())


def test_bytes_of_another_format_key_or_dimension_are_not_read(
    session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "fmt")
    _seed(session, embedder, user)
    assert user.id is not None
    retriever = Retriever()
    key = retriever.snapshot_key
    data = snapshot.encode(retriever.state(session, user.id), key)
    assert snapshot.decode(data, key, dim=384) is not None
    assert snapshot.decode(data, key, dim=768) is None
    assert snapshot.decode(data, [*key[:-1], 0.9]) is None  # another BM25 length setting
    assert snapshot.decode(b"\x80\x04pickle", key) is None
    assert snapshot.decode(snapshot.MAGIC + struct.pack("<I", 3) + b"{{{", key) is None
    size = struct.unpack_from("<I", data, len(snapshot.MAGIC))[0]
    start = len(snapshot.MAGIC) + 4
    header = json.loads(data[start : start + size])
    header["format"] = snapshot.FORMAT + 1
    head = json.dumps(header).encode()
    other = snapshot.MAGIC + struct.pack("<I", len(head)) + head + data[start + size :]
    assert snapshot.decode(other, key) is None


def test_a_cold_user_is_loaded_from_the_snapshot_with_the_results_of_a_rebuild(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "cold")
    _seed(session, embedder, user, copies=4)
    assert user.id is not None
    writer = Retriever(snapshots=SnapshotStore(engine, min_size=10))
    rebuilt = _hits(writer, session, embedder, user)
    assert writer.snapshots is not None and writer.snapshots.flush()
    assert writer.snapshots.writes == 1
    stored = session.exec(select(SearchSnapshot).where(SearchSnapshot.user_id == user.id)).one()
    assert (stored.version, stored.size) == (1, 24)

    # another process: nothing cached; the state comes from the snapshot, not the rows
    reader = Retriever(snapshots=SnapshotStore(engine, min_size=10))
    assert _hits(reader, session, embedder, user) == rebuilt
    assert reader.snapshots is not None and reader.snapshots.loads == 1
    assert reader.snapshots.flush() and reader.snapshots.writes == 0  # nothing to rewrite
    assert reader.cache.builds == 1
    assert Retriever(snapshots=None).search(session, user.id, "puppy", None, 3)  # still from SQL


def test_a_snapshot_of_an_older_version_is_never_read_and_is_replaced(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "stale")
    _seed(session, embedder, user, copies=4)
    assert user.id is not None
    first = Retriever(snapshots=SnapshotStore(engine, min_size=10))
    first.state(session, user.id)
    assert first.snapshots is not None and first.snapshots.flush()

    # a memory written (version 2) after the snapshot of version 1: a cold reader rebuilds
    text = "I moved to Porto in June"
    session.add(
        Memory(
            id="porto", user_id=user.id, kind="fact", text=text,
            embedding=embedder.embed([text])[0].astype("<f4").tobytes(),
        )
    )  # fmt: skip
    bump_version(session, user)
    session.commit()
    reader = Retriever(snapshots=SnapshotStore(engine, min_size=10))
    query = "where did I move?"
    hits = reader.search(session, user.id, query, embedder.embed([query])[0], 3)
    assert hits[0].memory.id == "porto"
    assert reader.snapshots is not None and reader.snapshots.loads == 0
    assert reader.snapshots.flush() and reader.snapshots.writes == 1
    session.expire_all()
    stored = session.exec(select(SearchSnapshot).where(SearchSnapshot.user_id == user.id)).one()
    assert (stored.version, stored.size) == (2, 25)


def test_a_state_is_not_stored_once_the_version_moved_on(
    session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "moved")
    _seed(session, embedder, user)
    assert user.id is not None
    retriever = Retriever()
    state = retriever.state(session, user.id)
    bump_version(session, user)  # a write after the state was built
    session.commit()
    assert snapshot.save(session, user.id, state, retriever.snapshot_key) is False
    session.commit()
    assert session.exec(select(SearchSnapshot)).all() == []


def test_a_purge_deletes_the_snapshot_and_a_state_queued_before_it_is_not_written(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "gone")
    _seed(session, embedder, user, copies=3)
    assert user.id is not None
    retriever = Retriever(snapshots=SnapshotStore(engine, min_size=1))
    state = retriever.state(session, user.id)
    assert retriever.snapshots is not None and retriever.snapshots.flush()
    assert len(session.exec(select(SearchSnapshot)).all()) == 1

    purge_user_rows(session, user)
    session.commit()
    assert session.exec(select(SearchSnapshot)).all() == []
    # the pre-purge state, written late (a background write racing the purge): refused
    assert snapshot.save(session, user.id, state, retriever.snapshot_key) is False
    session.commit()
    assert session.exec(select(SearchSnapshot)).all() == []
    assert Retriever(snapshots=SnapshotStore(engine)).search(session, user.id, "puppy", None) == []


def test_small_users_are_not_stored_and_the_worker_path_stores_without_caching(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    small = make_user(session, "small")
    _seed(session, embedder, small)
    big = make_user(session, "big")
    _seed(session, embedder, big, copies=5)
    assert small.id is not None and big.id is not None
    store = SnapshotStore(engine, min_size=20)
    retriever = Retriever(snapshots=store)
    retriever.state(session, small.id)
    assert store.flush() and store.writes == 0

    assert retriever.store_snapshot(session, small.id) is False
    assert retriever.store_snapshot(session, big.id) is True
    assert big.id not in retriever.cache  # a worker serves no message: nothing cached
    assert retriever.store_snapshot(session, big.id) is False  # queued or written already
    assert store.flush() and store.writes == 1
    loaded = snapshot.load(session, big.id, 1, retriever.snapshot_key)
    assert isinstance(loaded, UserState) and len(loaded) == 30


def test_an_unreadable_snapshot_row_falls_back_to_the_rows(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "bad")
    _seed(session, embedder, user, copies=2)
    assert user.id is not None
    session.add(SearchSnapshot(user_id=user.id, version=1, size=12, data=b"PSNAP\xff\xff\xff\x7f"))
    session.commit()
    retriever = Retriever(snapshots=SnapshotStore(engine, min_size=1))
    assert len(retriever.state(session, user.id)) == 12
    assert retriever.snapshots is not None and retriever.snapshots.loads == 0
    assert retriever.snapshots.flush() and retriever.snapshots.writes == 1  # replaced


def test_no_snapshot_is_looked_up_for_a_user_last_seen_small_until_they_grow(
    engine: Engine, session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "grows")
    _seed(session, embedder, user)
    assert user.id is not None
    store = SnapshotStore(engine, min_size=10)
    retriever = Retriever(snapshots=store)
    queries: list[str] = []

    def seen(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        queries.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        retriever.state(session, user.id)  # 6 memories: under min_size
        _seed(session, embedder, user, copies=2)  # version 2, 18 memories
        queries.clear()
        retriever.state(session, user.id)
        assert not any("search_snapshot" in q for q in queries)  # last seen small: no lookup
        assert store.flush() and store.writes == 1  # ... and now big enough to store
        _seed(session, embedder, user, copies=3)
        queries.clear()
        retriever.state(session, user.id)
        assert any("search_snapshot" in q for q in queries)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
        store.flush()  # no write left running once the test's engine is disposed
