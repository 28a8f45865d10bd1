"""Hybrid memory retrieval: dense (FAISS) + lexical (BM25) + recency + importance, fused.

Per user, the retriever caches a `UserState` (`persona.memory.state`: FAISS index, BM25 index,
and the row attributes filters need) in a versioned LRU (`store.vectors.IndexCache`); a search
reads the user's `memory_version`, scores every candidate with numpy, and loads only the top
`k` rows from SQL.

Fusion is a weighted sum of z-scores, chosen by measurement on LoCoMo (evidence recall@5 /
@10): z-score 0.666 / 0.754 against reciprocal-rank fusion 0.560 / 0.662 with the same
signals; RRF throws away how far ahead a strong lexical match is. Recency (half-life decay)
and importance are small additive terms. The relevance gate keeps only memories with a
lexical match or a cosine of at least `dense_floor`; when none pass, nothing is returned.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from persona.memory.bm25 import tokenize
from persona.memory.kinds import PROFILE_KINDS
from persona.memory.signals import SignalWeights, lift
from persona.memory.state import UserState, count_rows, load_rows, verbs_met
from store.models import Memory, utcnow
from store.vectors import IndexCache, memory_version

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from sqlmodel import Session

    from persona.memory.snapshot import SnapshotStore

_DAY = 86_400.0


@dataclass(frozen=True)
class FusionWeights:
    """How the signals combine (defaults measured on LoCoMo; see the module docstring)."""

    dense: float = 0.5
    lexical: float = 0.5
    recency: float = 0.1
    importance: float = 0.2
    recency_half_life_days: float = 30.0
    dense_floor: float = 0.35  # the relevance gate for memories with no lexical match
    text_repeat: int = 3  # the memory's own tokens count this many times against its context
    previous_tokens: int = 8  # the last tokens of the previous turn join a turn's document
    previous_repeat: int = 1  # ... this many times
    bm25_b: float = 0.3  # length normalisation: chat turns are short and alike in length
    signals: SignalWeights = field(default_factory=SignalWeights)


@dataclass(frozen=True)
class Hit:
    """One retrieved memory with its fused score and the signals behind it."""

    memory: Memory
    score: float
    dense: float
    lexical: float
    recency: float
    dense_rank: int | None  # 1-based rank among candidates, None when the signal is absent
    lexical_rank: int | None


def _zscore(x: NDArray[np.float32]) -> NDArray[np.float32]:
    if x.size == 0:
        return x
    sd = float(x.std())
    out: NDArray[np.float32] = ((x - x.mean()) / (sd if sd > 1e-9 else 1.0)).astype(np.float32)
    return out


def _ranks(x: NDArray[np.float32], present: NDArray[np.bool_]) -> NDArray[np.int64]:
    ranks = np.empty(x.size, dtype=np.int64)
    ranks[np.argsort(-x, kind="stable")] = np.arange(1, x.size + 1)
    return np.where(present, ranks, 0)


class Retriever:
    """Searches one user's memories; holds the per-user index cache (thread-safe).

    `snapshots`: where states are persisted (`persona.memory.snapshot`): a user missing from
    the cache is loaded from their snapshot when it is at their version, and a state built
    from SQL is handed to it to store.
    """

    def __init__(
        self,
        cache_size: int = 256,
        weights: FusionWeights | None = None,
        cache: IndexCache[UserState] | None = None,
        snapshots: SnapshotStore | None = None,
    ) -> None:
        self.weights = weights or FusionWeights()
        self.cache: IndexCache[UserState] = cache or IndexCache(cache_size)
        self.snapshots = snapshots
        w = self.weights
        # what a state's lexical index depends on besides the rows: a snapshot built with
        # other settings is not read
        self.snapshot_key: list[Any] = [
            w.text_repeat,
            w.previous_tokens,
            w.previous_repeat,
            w.bm25_b,
        ]

    def state(self, session: Session, user_id: int, version: int | None = None) -> UserState:
        """The user's search state at their current memory version (cached); `version`: that
        version as the caller just read it (the user row of this request), else it is read."""
        if version is None:
            version = memory_version(session, user_id)
        return self.cache.get(user_id, version, lambda: self._build(session, user_id, version))

    def _build(self, session: Session, user_id: int, version: int) -> UserState:
        snapshots = self.snapshots
        if snapshots is not None:
            stored = snapshots.load(session, user_id, version, self.snapshot_key)
            if stored is not None:
                return stored
        state = UserState(load_rows(session, user_id), version, self.weights)
        if snapshots is not None:
            snapshots.submit(user_id, state, self.snapshot_key)
        return state

    def store_snapshot(self, session: Session, user_id: int) -> bool:
        """Build the user's state from SQL and queue it as their snapshot, without caching it
        here (for a process that answers no messages: `persona worker`). False when snapshots
        are off, the user has too few memories or their snapshot is current."""
        snapshots = self.snapshots
        if snapshots is None:
            return False
        version = memory_version(session, user_id)
        if snapshots.known(user_id) == version or count_rows(session, user_id) < snapshots.min_size:
            return False  # counted first: most users are small, and their rows are not read
        rows = load_rows(session, user_id)
        snapshots.submit(user_id, UserState(rows, version, self.weights), self.snapshot_key)
        return True

    def search(
        self,
        session: Session,
        user_id: int,
        query: str,
        query_embedding: NDArray[np.float32] | None,
        k: int = 8,
        *,
        kinds: Iterable[str] | None = None,
        as_of: datetime | None = None,
        include_invalid: bool = False,
        agent_id: str | None = None,
        session_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        include_suppressed: bool = False,
        projects: Iterable[str | None] | None = None,
        version: int | None = None,
    ) -> list[Hit]:
        """The user's `k` most relevant memories for `query`, best first.

        By default only memories valid now (not invalidated, not expired); `as_of` answers
        from that moment (valid_from <= t < invalid_at); `include_invalid` drops the check.
        `agent_id`/`session_id` keep memories of that scope plus user-wide ones; `metadata`
        keeps memories whose metadata has every given key with the given value. Suppressed
        memories ("don't mention this again") are left out unless `include_suppressed`;
        `projects` keeps only memories of those projects (None in it: the user's own);
        `version` as in `state`.
        """
        state = self.state(session, user_id, version)
        if k <= 0 or len(state) == 0:
            return []
        mask = self._filter(state, kinds, as_of, include_invalid, agent_id, session_id, metadata)
        if not include_suppressed:
            mask &= ~state.suppressed
        if projects is not None:
            mask &= _of_projects(state, projects)
        if not mask.any():
            return []
        w = self.weights
        dense = np.zeros(len(state), dtype=np.float32)
        has_vec = np.zeros(len(state), dtype=bool)
        if query_embedding is not None and len(state.faiss):
            dense[state.vec_pos] = state.faiss.scores(query_embedding)
            has_vec[state.vec_pos] = True
        lexical = state.bm25.scores(self._lexical_query(state, query))
        cand = np.flatnonzero(mask)
        d, lx = dense[cand], lexical[cand]
        now = (as_of or utcnow()).timestamp()
        age_days = np.maximum(now - state.valid_from[cand], 0.0) / _DAY
        recency = np.power(0.5, age_days / w.recency_half_life_days).astype(np.float32)
        fused = (
            w.dense * _zscore(d)
            + w.lexical * _zscore(lx)
            + w.recency * recency
            + w.importance * (state.importance[cand] - 0.5)
        )
        fused += lift(state.features, cand, query, w.signals)
        relevant = (lx > 0) | (has_vec[cand] & (d >= w.dense_floor))
        if not relevant.any():
            return []
        dense_ranks = _ranks(np.where(has_vec[cand], d, -np.inf).astype(np.float32), has_vec[cand])
        lexical_ranks = _ranks(lx, lx > 0)
        keep = np.flatnonzero(relevant)
        top = keep[np.argsort(-fused[keep], kind="stable")[:k]]
        ids = [state.ids[cand[i]] for i in top]
        rows = _rows(session, ids)
        hits = []
        for i, memory_id in zip(top, ids, strict=True):
            memory = rows.get(memory_id)
            if memory is None:  # deleted since the state was built (a concurrent purge)
                continue
            hits.append(
                Hit(
                    memory=memory,
                    score=float(fused[i]),
                    dense=float(d[i]),
                    lexical=float(lx[i]),
                    recency=float(recency[i]),
                    dense_rank=int(dense_ranks[i]) or None,
                    lexical_rank=int(lexical_ranks[i]) or None,
                )
            )
        return hits

    def profile(
        self,
        session: Session,
        user_id: int,
        limit: int,
        projects: Iterable[str | None] | None = None,
        version: int | None = None,
    ) -> list[Memory]:
        """The user's standing facts, preferences and instructions: valid now (not
        invalidated, not expired), not suppressed, user-wide, of `projects` (None in it: the
        user's own); most important first, then most recently updated; at most `limit`.

        Chosen from the search state at the user's current version (`version` as in
        `state`), so a user with none costs no query; the chosen rows are read by id.
        """
        state = self.state(session, user_id, version)
        if limit <= 0 or len(state) == 0:
            return []
        now = utcnow().timestamp()
        mask = np.isin(state.kinds, PROFILE_KINDS) & (state.scopes == "user")
        mask &= (state.invalid_at == math.inf) & (state.expires_at > now) & ~state.suppressed
        if projects is not None:
            mask &= _of_projects(state, projects)
        cand = np.flatnonzero(mask)
        if not len(cand):
            return []
        order = np.lexsort((-state.updated_at[cand], -state.importance[cand]))[:limit]
        ids = [state.ids[cand[i]] for i in order]
        rows = _rows(session, ids)
        return [rows[i] for i in ids if i in rows]  # one may be gone: a concurrent purge

    def _lexical_query(self, state: UserState, query: str) -> list[str]:
        """The query's tokens for BM25; a named speaker is left to the speaker signal.

        "What did Caroline paint?" should not rank every turn that greets Caroline by name:
        the speaker signal already favours her own turns.
        """
        tokens = tokenize(query)
        if not self.weights.signals.speaker:
            return verbs_met(tokens)
        kept = [t for t in tokens if t not in state.features.name_tokens]
        return verbs_met(kept or tokens)

    @staticmethod
    def _filter(
        state: UserState,
        kinds: Iterable[str] | None,
        as_of: datetime | None,
        include_invalid: bool,
        agent_id: str | None,
        session_id: str | None,
        metadata: Mapping[str, Any] | None,
    ) -> NDArray[np.bool_]:
        mask = np.ones(len(state), dtype=bool)
        if not include_invalid:
            t = (as_of or utcnow()).timestamp()
            mask &= (state.invalid_at > t) & (state.expires_at > t)
            if as_of is not None:
                mask &= state.valid_from <= t
        if kinds is not None:
            mask &= np.isin(state.kinds, list(kinds))
        if agent_id is not None:
            mask &= (state.agent_ids == agent_id) | (state.agent_ids == None)  # noqa: E711
        if session_id is not None:
            mask &= (state.session_ids == session_id) | (state.scopes != "session")
        if metadata:
            items = list(metadata.items())
            for i in np.flatnonzero(mask):
                meta = state.meta[i]
                if any(key not in meta or meta[key] != value for key, value in items):
                    mask[i] = False
        return mask


def _of_projects(state: UserState, projects: Iterable[str | None]) -> NDArray[np.bool_]:
    """Which of the state's memories belong to one of `projects` (None: the user's own)."""
    wanted = set(projects)
    return np.array([p in wanted for p in state.projects], dtype=bool)


def _rows(session: Session, ids: Sequence[str]) -> dict[str, Memory]:
    """The memories of `ids` by id (one may be gone since the state was built: a purge)."""
    query = select(Memory).where(Memory.id.in_(ids))  # type: ignore[attr-defined]
    return {m.id: m for m in session.scalars(query)}


def approx_tokens(text: str) -> int:
    """A cheap token estimate: one token per four characters."""
    return max(1, math.ceil(len(text) / 4))


def select_for_prompt(hits: Sequence[Hit], token_budget: int) -> list[Hit]:
    """The hits, in order, that fit in `token_budget` (ones too long to fit are skipped)."""
    chosen: list[Hit] = []
    used = 0
    for hit in hits:
        cost = approx_tokens(hit.memory.text)
        if used + cost <= token_budget:
            chosen.append(hit)
            used += cost
    return chosen
