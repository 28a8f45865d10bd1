"""The vector index: a cache over SQL, one FAISS index per user, kept in a versioned LRU.

SQL is the source of truth. A user's index is built from that user's memory rows on first
use and tagged with the user's `memory_version`; every memory write bumps the version, so a
cached index whose version differs is rebuilt. Indexes never span users, so a search can only
return the user's own memories. Dropping the cache (or starting a new process) loses nothing.

`IndexCache` is generic: the retriever caches a richer per-user state (FAISS index plus its
lexical index and row attributes) in it, built with `load_user_vectors` and `FaissIndex`.

`FaissIndex` wraps `IndexFlatIP` and maps FAISS positions to memory ids in a list. Memory ids
are hex strings, so `IndexIDMap` would need a second id mapping anyway; and a flat index is
rebuilt, never mutated, so positions are stable. Exact inner-product search over a few
thousand normalised 384-d vectors takes well under a millisecond.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlmodel import Session, col

from store.models import Memory, User

DIM = 384
T = TypeVar("T")


class VectorIndex(Protocol):
    """Nearest-neighbour search over one user's memory vectors (inner product)."""

    ids: list[str]
    version: int

    def __len__(self) -> int:
        """How many vectors the index holds."""
        ...

    def search(self, query: NDArray[np.float32], k: int) -> list[tuple[str, float]]:
        """The `k` nearest (memory id, score) pairs, best first."""
        ...

    def scores(self, query: NDArray[np.float32]) -> NDArray[np.float32]:
        """The score of every vector, in `ids` order."""
        ...


class FaissIndex:
    """An exact inner-product FAISS index over normalised vectors (`IndexFlatIP`)."""

    def __init__(self, ids: Sequence[str], vectors: NDArray[np.float32], version: int) -> None:
        import faiss

        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(ids):
            raise ValueError(f"expected {len(ids)} vectors, got an array of shape {matrix.shape}")
        self.ids = list(ids)
        self.version = version
        self.dim = int(matrix.shape[1]) or DIM
        self._index = faiss.IndexFlatIP(self.dim)
        if len(ids):
            self._index.add(matrix)

    def __len__(self) -> int:
        """How many vectors the index holds."""
        return len(self.ids)

    def vectors(self) -> NDArray[np.float32]:
        """The indexed vectors, in `ids` order (a copy)."""
        if not self.ids:
            return np.zeros((0, self.dim), dtype=np.float32)
        out: NDArray[np.float32] = self._index.reconstruct_n(0, len(self.ids))
        return out

    def _raw(self, query: NDArray[np.float32], k: int) -> tuple[Any, Any]:
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        return self._index.search(q, k)

    def search(self, query: NDArray[np.float32], k: int) -> list[tuple[str, float]]:
        """The `k` nearest (memory id, inner product) pairs, best first."""
        k = min(k, len(self.ids))
        if k <= 0:
            return []
        dist, pos = self._raw(query, k)
        return [(self.ids[int(p)], float(d)) for d, p in zip(dist[0], pos[0], strict=True)]

    def scores(self, query: NDArray[np.float32]) -> NDArray[np.float32]:
        """The inner product of `query` with every vector, in `ids` order."""
        n = len(self.ids)
        out = np.zeros(n, dtype=np.float32)
        if n:
            dist, pos = self._raw(query, n)
            out[pos[0]] = dist[0]
        return out


def memory_version(session: Session, user_id: int) -> int:
    """The user's current `memory_version`, read from the database (never from a stale object)."""
    stmt = select(col(User.memory_version)).where(col(User.id) == user_id)
    version = session.execute(stmt).scalar()
    return int(version or 0)


def load_user_vectors(session: Session, user_id: int) -> tuple[list[str], NDArray[np.float32]]:
    """The ids and embeddings of all of the user's memories that have an embedding."""
    rows = session.execute(
        select(Memory.id, Memory.embedding).where(  # type: ignore[call-overload]
            Memory.user_id == user_id,
            Memory.embedding.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    ids = [row[0] for row in rows]
    if not rows:
        return ids, np.zeros((0, DIM), dtype=np.float32)
    matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(len(rows), -1)
    return ids, matrix.astype(np.float32)


class IndexCache(Generic[T]):
    """A thread-safe LRU of per-user state, each entry tagged with the user's memory version.

    `get` returns the cached entry when its version matches and builds (outside the lock,
    one build per user at a time) otherwise. Entries are rebuilt from SQL, so eviction or a
    cleared cache changes no result.
    """

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("the index cache needs room for at least one user")
        self.size = size
        self.builds = 0  # how many entries were built (for tests and metrics)
        self._entries: OrderedDict[int, tuple[int, T]] = OrderedDict()
        self._lock = threading.Lock()
        self._build_locks: dict[int, threading.Lock] = {}

    def __len__(self) -> int:
        """How many users are cached."""
        return len(self._entries)

    def __contains__(self, user_id: object) -> bool:
        """Whether this user has a cached entry (of any version)."""
        return user_id in self._entries

    def _lookup(self, user_id: int, version: int) -> T | None:
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(user_id)
                return entry[1]
            return None

    def get(self, user_id: int, version: int, build: Callable[[], T]) -> T:
        """The user's entry at `version`, built by `build()` when missing or stale."""
        hit = self._lookup(user_id, version)
        if hit is not None:
            return hit
        with self._lock:
            build_lock = self._build_locks.setdefault(user_id, threading.Lock())
        with build_lock:
            hit = self._lookup(user_id, version)  # another thread may have built it meanwhile
            if hit is not None:
                return hit
            value = build()
            with self._lock:
                self.builds += 1
                current = self._entries.get(user_id)
                if current is None or current[0] <= version:
                    self._entries[user_id] = (version, value)
                    self._entries.move_to_end(user_id)
                while len(self._entries) > self.size:
                    evicted, _ = self._entries.popitem(last=False)
                    self._build_locks.pop(evicted, None)
            return value

    def invalidate(self, user_id: int) -> None:
        """Drop the user's entry (e.g. after a purge)."""
        with self._lock:
            self._entries.pop(user_id, None)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._build_locks.clear()


def build_user_index(session: Session, user_id: int, version: int) -> FaissIndex:
    """A FAISS index over the user's stored embeddings, tagged with `version`."""
    ids, matrix = load_user_vectors(session, user_id)
    return FaissIndex(ids, matrix, version)


def user_index(session: Session, cache: IndexCache[FaissIndex], user_id: int) -> FaissIndex:
    """The user's FAISS index at their current memory version (cached, rebuilt when stale)."""
    version = memory_version(session, user_id)
    return cache.get(user_id, version, lambda: build_user_index(session, user_id, version))
