"""Persisted search states: a cold user is served from one row, not rebuilt from every memory.

A process that has not cached a user (a new replica, a restart, an LRU eviction) used to build
the user's `UserState` from all their memory rows on the message path: for 1,000 memories,
about 12 ms to load the rows and 35 ms to tokenise them and build the lexical index and the
conversation features. The retriever now stores each state it builds for a user with at least
`min_size` memories (`PERSONA_SNAPSHOT_MIN_MEMORIES`) in `search_snapshot`, tagged with the
`memory_version` it was built at, and loads it back when that is still the user's version.

Safety rests on the same rule as the in-process cache: every memory write bumps the user's
version, so a snapshot of another version is never read (the state is rebuilt from SQL, and a
new snapshot written). A snapshot is written only while the user's version is still the one it
was built at, checked under the user row's lock; a purge bumps the version first and deletes
the user's snapshot with their memories, so no snapshot outlives the memories it holds.

The encoding is numbers and JSON only, never pickle (a database row must not be able to run
code): `MAGIC`, a JSON header naming each array's dtype, shape and offset, then the raw
little-endian arrays. A header of another `FORMAT` or dimension is ignored (rebuilt).

Writes happen on one background thread per process (`SnapshotStore`), after the reply: the
message that built the state never waits for its encoding or its INSERT.
"""

from __future__ import annotations

import json
import logging
import struct
import threading
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import update
from sqlmodel import Session, col, select

from persona.memory.bm25 import BM25Index
from persona.memory.signals import TurnFeatures
from persona.memory.state import UserState
from store.models import SearchSnapshot, User, utcnow
from store.vectors import FaissIndex

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


log = logging.getLogger(__name__)

MAGIC = b"PSNAP"
FORMAT = 2  # 2: `updated_at` (the profile order)
_ALIGN = 8

# UserState attributes by how they are stored; a new attribute must be added to one of these
# (the round-trip test compares every attribute)
_ARRAYS = (
    "importance",
    "valid_from",
    "invalid_at",
    "expires_at",
    "updated_at",
    "suppressed",
    "vec_pos",
)
_OBJECTS = ("kinds", "scopes", "agent_ids", "session_ids", "projects")
_FEATURE_ARRAYS = ("speaker", "temporal", "month", "year", "day", "session", "previous")


def encode(state: UserState, key: list[Any]) -> bytes:
    """`state` as bytes: `MAGIC`, header length, JSON header, then the aligned raw arrays.
    `key`: what else the state was built with (the retriever's lexical settings); `decode`
    reads it back only for an equal key."""
    arrays: dict[str, np.ndarray[Any, Any]] = {name: getattr(state, name) for name in _ARRAYS}
    arrays.update({f"f.{name}": getattr(state.features, name) for name in _FEATURE_ARRAYS})
    arrays["vectors"] = state.faiss.vectors()
    bm25 = state.bm25
    vocab = list(bm25.postings)
    arrays["bm25.docs"] = _concat([bm25.postings[t][0] for t in vocab], np.int32)
    arrays["bm25.weights"] = _concat([bm25.postings[t][1] for t in vocab], np.float32)
    arrays["bm25.lengths"] = np.array([len(bm25.postings[t][0]) for t in vocab], dtype=np.int64)
    specs: dict[str, list[Any]] = {}
    chunks: list[bytes] = []
    offset = 0
    for name, array in arrays.items():
        raw = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<"), copy=False)
        data = raw.tobytes()
        specs[name] = [raw.dtype.str, list(raw.shape), offset]
        pad = -len(data) % _ALIGN
        chunks.append(data + b"\0" * pad)
        offset += len(data) + pad
    header = {
        "format": FORMAT,
        "key": key,
        "version": state.version,
        "dim": state.faiss.dim,
        "arrays": specs,
        "ids": state.ids,
        "faiss_ids": state.faiss.ids,
        "objects": {name: getattr(state, name).tolist() for name in _OBJECTS},
        "meta": state.meta,
        "name_tokens": state.features.name_tokens,
        "bm25": {"k1": bm25.k1, "b": bm25.b, "size": bm25.size, "vocab": vocab},
    }
    head = json.dumps(header, separators=(",", ":"), allow_nan=False).encode()
    head += b" " * (-(len(MAGIC) + 4 + len(head)) % _ALIGN)
    return b"".join([MAGIC, struct.pack("<I", len(head)), head, *chunks])


def decode(data: bytes, key: list[Any], dim: int | None = None) -> UserState | None:
    """The state `encode` wrote, or None for bytes of another format or `key` (or another
    vector dimension than `dim`). Arrays are read-only views of `data` (searches only read)."""
    if not data.startswith(MAGIC) or len(data) < len(MAGIC) + 4:
        return None
    (size,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    try:
        header = json.loads(data[start : start + size])
    except ValueError:
        return None
    if header.get("format") != FORMAT or header.get("key") != key:
        return None
    if dim is not None and header["dim"] != dim:
        return None
    body = memoryview(data)[start + size :]

    def array(name: str) -> np.ndarray[Any, Any]:
        dtype, shape, offset = header["arrays"][name]
        count = int(np.prod(shape)) if shape else 1
        return np.frombuffer(body, dtype=np.dtype(dtype), count=count, offset=offset).reshape(shape)

    state = UserState.__new__(UserState)
    state.version = int(header["version"])
    state.ids = header["ids"]
    for name in _OBJECTS:
        values = header["objects"][name]
        setattr(state, name, np.array(values, dtype=object) if values else np.array([], object))
    state.meta = header["meta"]
    for name in _ARRAYS:
        setattr(state, name, array(name))
    vectors = array("vectors")
    state.faiss = FaissIndex(header["faiss_ids"], vectors, state.version)
    features = TurnFeatures.__new__(TurnFeatures)
    for name in _FEATURE_ARRAYS:
        setattr(features, name, array(f"f.{name}"))
    features.name_tokens = header["name_tokens"]
    state.features = features
    spec = header["bm25"]
    bm25 = BM25Index(k1=spec["k1"], b=spec["b"], size=spec["size"])
    docs, weights = array("bm25.docs"), array("bm25.weights")
    bounds = np.concatenate(([0], np.cumsum(array("bm25.lengths"))))
    bm25.postings = {
        term: (docs[bounds[i] : bounds[i + 1]], weights[bounds[i] : bounds[i + 1]])
        for i, term in enumerate(spec["vocab"])
    }
    state.bm25 = bm25
    return state


def _concat(parts: list[np.ndarray[Any, Any]], dtype: type) -> np.ndarray[Any, Any]:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def load(
    session: Session, user_id: int, version: int, key: list[Any], dim: int | None = None
) -> UserState | None:
    """The user's stored state at exactly `version`, or None (missing, older, unreadable)."""
    row = session.execute(
        select(SearchSnapshot.data).where(
            col(SearchSnapshot.user_id) == user_id, col(SearchSnapshot.version) == version
        )
    ).first()
    if row is None:
        return None
    state = decode(bytes(row[0]), key, dim)
    return state if state is not None and state.version == version else None


def save(session: Session, user_id: int, state: UserState, key: list[Any]) -> bool:
    """Store `state` as the user's snapshot if it is still at the user's current version.
    True when written (the caller commits).

    The first statement is a no-op UPDATE of the user row that matches only at the state's
    version: it checks the version and takes the lock a memory write or a purge takes first
    (PostgreSQL's row lock, SQLite's write lock), so a purge either waits for this snapshot
    and deletes it, or moves the version before this check and nothing is written.
    """
    checked = session.execute(
        update(User)
        .where(col(User.id) == user_id, col(User.memory_version) == state.version)
        .values(memory_version=col(User.memory_version))
    )
    if not getattr(checked, "rowcount", 0):
        return False
    data = encode(state, key)
    written = session.execute(
        update(SearchSnapshot)
        .where(col(SearchSnapshot.user_id) == user_id)
        .values(version=state.version, size=len(state), data=data, created_at=utcnow())
    )
    if not getattr(written, "rowcount", 0):
        session.add(
            SearchSnapshot(user_id=user_id, version=state.version, size=len(state), data=data)
        )
    return True


class SnapshotStore:
    """Loads snapshots on the message path and writes them on one background thread.

    `submit` queues the newest state per user (an older queued one is replaced) and returns at
    once; `flush` waits until the queue is empty (tests, evals, shutdown). A failed write is
    logged and dropped: the snapshot is an optimisation, SQL stays the truth.
    """

    def __init__(self, engine: Engine, min_size: int = 200, dim: int | None = None) -> None:
        self.engine = engine
        self.min_size = min_size
        self.dim = dim
        self.loads = 0  # states served from a snapshot (for tests and metrics)
        self.writes = 0
        self._pending: OrderedDict[int, tuple[UserState, list[Any]]] = OrderedDict()
        self._saved: OrderedDict[int, int] = OrderedDict()  # user -> version last written
        # users whose last state built here was under `min_size`: no snapshot is looked up for
        # them (a rebuild after each memory write would otherwise cost one more SELECT)
        self._small: OrderedDict[int, int] = OrderedDict()
        self._cond = threading.Condition()
        self._writing: tuple[int, int] | None = None  # (user, version) being written
        self._thread: threading.Thread | None = None

    def load(
        self, session: Session, user_id: int, version: int, key: list[Any]
    ) -> UserState | None:
        """The user's snapshot at `version` built with `key`, or None (without a query for a
        user this process last saw under `min_size`)."""
        with self._cond:
            if user_id in self._small:
                return None
        try:
            state = load(session, user_id, version, key, self.dim)
        except Exception:  # an unreadable row must not fail the message
            log.exception("search snapshot of user %s could not be read", user_id)
            return None
        if state is not None:
            self.loads += 1
            self._remember(user_id, version)
        return state

    def submit(self, user_id: int, state: UserState, key: list[Any]) -> None:
        """Queue `state` (built with `key`) to be stored, if it is big enough and not stored
        already."""
        with self._cond:
            if len(state) < self.min_size:
                _touch(self._small, user_id, state.version)
                return
            self._small.pop(user_id, None)
            if self._saved.get(user_id) == state.version:
                return
            self._pending[user_id] = (state, key)
            self._pending.move_to_end(user_id)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="persona-snapshots", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued snapshot is written (or dropped); False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and self._writing is None, timeout)

    def known(self, user_id: int) -> int | None:
        """The version of the user's snapshot this process has queued, written or read last."""
        with self._cond:
            pending = self._pending.get(user_id)
            if pending is not None:
                return pending[0].version
            if self._writing is not None and self._writing[0] == user_id:
                return self._writing[1]
            return self._saved.get(user_id)

    def _remember(self, user_id: int, version: int) -> None:
        with self._cond:
            _touch(self._saved, user_id, version)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: bool(self._pending), timeout=60.0):
                    self._thread = None
                    return
                user_id, (state, key) = self._pending.popitem(last=False)
                self._writing = (user_id, state.version)
            try:
                self._write(user_id, state, key)
            finally:
                with self._cond:
                    self._writing = None
                    self._cond.notify_all()

    def _write(self, user_id: int, state: UserState, key: list[Any]) -> None:
        try:
            with Session(self.engine) as session:
                written = save(session, user_id, state, key)
                session.commit()
        except Exception:
            log.warning("search snapshot of user %s not written", user_id, exc_info=True)
            return
        if written:
            self.writes += 1
            self._remember(user_id, state.version)


def _touch(entries: OrderedDict[int, int], user_id: int, version: int, size: int = 4096) -> None:
    """Record `user_id` as the newest entry of a bounded LRU."""
    entries[user_id] = version
    entries.move_to_end(user_id)
    while len(entries) > size:
        entries.popitem(last=False)
