"""The per-user FAISS index cache: lazy, versioned, LRU, isolated, and only a cache."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Memory, User
from store.vectors import FaissIndex, IndexCache, load_user_vectors, memory_version, user_index
from tests.factories import make_user


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def _add(session: Session, user: User, memory_id: str, vector: np.ndarray | None) -> None:
    assert user.id is not None
    blob = None if vector is None else vector.astype("<f4").tobytes()
    session.add(Memory(id=memory_id, user_id=user.id, kind="fact", text=memory_id, embedding=blob))
    session.execute(
        update(User).where(User.id == user.id).values(memory_version=User.memory_version + 1)  # type: ignore[arg-type]
    )
    session.flush()


def test_faiss_index_ranks_by_inner_product() -> None:
    vectors = np.stack([_unit(1, 0, 0), _unit(0, 1, 0), _unit(1, 1, 0)])
    index = FaissIndex(["a", "b", "c"], vectors, version=7)
    query = _unit(1, 0.2, 0)
    assert [mid for mid, _ in index.search(query, 2)] == ["a", "c"]
    np.testing.assert_allclose(index.scores(query), vectors @ query, rtol=1e-5)
    assert (len(index), index.version) == (3, 7)
    assert index.search(query, 0) == []
    assert FaissIndex([], np.zeros((0, 3), dtype=np.float32), 0).search(query, 5) == []


def test_cache_builds_lazily_once_per_version() -> None:
    cache: IndexCache[str] = IndexCache(size=2)
    calls: list[tuple[int, int]] = []

    def build(user: int, version: int) -> str:
        calls.append((user, version))
        return f"{user}@{version}"

    assert len(cache) == 0
    assert cache.get(1, 0, lambda: build(1, 0)) == "1@0"
    assert cache.get(1, 0, lambda: build(1, 0)) == "1@0"
    assert cache.get(1, 1, lambda: build(1, 1)) == "1@1"  # version changed: rebuilt
    assert calls == [(1, 0), (1, 1)]
    assert (cache.builds, len(cache)) == (2, 1)


def test_cache_evicts_least_recently_used() -> None:
    cache: IndexCache[str] = IndexCache(size=2)
    cache.get(1, 0, lambda: "one")
    cache.get(2, 0, lambda: "two")
    cache.get(1, 0, lambda: "unused")  # touch 1: 2 is now the oldest
    cache.get(3, 0, lambda: "three")
    assert (1 in cache, 2 in cache, 3 in cache) == (True, False, True)
    cache.invalidate(1)
    assert 1 not in cache
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        IndexCache(size=0)


def test_cache_builds_once_under_concurrent_gets() -> None:
    cache: IndexCache[int] = IndexCache(size=4)
    started = threading.Barrier(8)
    results: list[int] = []

    def build() -> int:
        return 42

    def worker() -> None:
        started.wait()
        results.append(cache.get(5, 3, build))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (results, cache.builds) == ([42] * 8, 1)


def test_user_index_isolation_versions_and_cache_loss(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        alice, bob = (
            make_user(session, "alice", commit=False),
            make_user(session, "bob", commit=False),
        )
        _add(session, alice, "a1", _unit(1, 0, 0, *([0] * 381)))
        _add(session, alice, "a2", _unit(0, 1, 0, *([0] * 381)))
        _add(session, alice, "a3", None)  # no embedding: not indexed
        _add(session, bob, "b1", _unit(1, 0, 0, *([0] * 381)))
        session.commit()
        assert alice.id is not None and bob.id is not None
        query = _unit(1, 0.1, 0, *([0] * 381))
        cache: IndexCache[FaissIndex] = IndexCache(size=8)

        index = user_index(session, cache, alice.id)
        first = index.search(query, 10)
        assert [mid for mid, _ in first] == ["a1", "a2"]
        assert [mid for mid, _ in user_index(session, cache, bob.id).search(query, 10)] == ["b1"]
        assert user_index(session, cache, alice.id) is index  # cached
        assert memory_version(session, alice.id) == 3

        _add(session, alice, "a4", _unit(0.5, 0.5, 0, *([0] * 381)))
        session.commit()
        rebuilt = user_index(session, cache, alice.id)
        assert rebuilt is not index
        assert [mid for mid, _ in rebuilt.search(query, 10)] == ["a1", "a4", "a2"]

        ids, matrix = load_user_vectors(session, alice.id)
        assert (sorted(ids), matrix.shape) == (["a1", "a2", "a4"], (3, 384))

        again = rebuilt.search(query, 10)
        cache.clear()  # the cache is only a cache: a fresh one answers the same
        assert user_index(session, IndexCache(size=1), alice.id).search(query, 10) == again
