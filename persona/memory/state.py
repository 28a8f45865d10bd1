"""A user's search state: everything a search needs about their memories, built from SQL at
one `memory_version` (`UserState`), and the lexical terms its BM25 index is made of.

Lexical terms are the tokenizer's stems with irregular past forms met with their verb
("bought" -> "buy", `terms`): a question's "did ... buy" then matches "I bought". LoCoMo
evidence recall@10 0.800 -> 0.804 (conversations 0-4: 0.811 -> 0.814, 5-9: 0.789 -> 0.795).
Measured and left out: Porter's final-e rule on top (`bake`/`baked` meet; 0-4 fell to
0.807). Before it, each at two or three strengths: question-frame stop words, word bigrams,
maximal marginal relevance, a penalty on a top hit's same-session neighbours (recall@10
fell), dense pseudo-relevance feedback (recall@5 fell), log, square-root, top-50 and clipped
z-score normalisations (both fell).

Every memory write rebuilds the user's state, so the expensive part (tokenising the texts) is
cached by content (`_doc_terms`); a process that has not built the state loads the user's
stored snapshot instead (`persona.memory.snapshot`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select

from persona.memory.bm25 import BM25Index, TermCounts, count_terms, stem, tokenize
from persona.memory.signals import TurnFeatures
from store.models import Memory
from store.vectors import FaissIndex

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from sqlmodel import Session

    from persona.memory.retrieve import FusionWeights

_FAR = math.inf


class UserState:
    """Everything a search needs about one user's memories, built from SQL at one version."""

    def __init__(self, rows: Sequence[Any], version: int, weights: FusionWeights) -> None:
        self.version = version
        self.ids: list[str] = [r.id for r in rows]
        self.kinds = np.array([r.kind for r in rows], dtype=object)
        self.scopes = np.array([r.scope for r in rows], dtype=object)
        self.agent_ids = np.array([r.agent_id for r in rows], dtype=object)
        self.session_ids = np.array([r.session_id for r in rows], dtype=object)
        self.meta: list[dict[str, Any]] = [r.meta or {} for r in rows]
        self.importance = np.array([r.importance for r in rows], dtype=np.float32)
        self.valid_from = np.array([r.valid_from.timestamp() for r in rows], dtype=np.float64)
        self.invalid_at = _times(r.invalid_at for r in rows)
        self.expires_at = _times(r.expires_at for r in rows)
        self.updated_at = _times(r.updated_at for r in rows)
        self.suppressed = np.array([r.suppressed_at is not None for r in rows], dtype=bool)
        self.projects = np.array([r.project for r in rows], dtype=object)
        with_vec = [i for i, r in enumerate(rows) if r.embedding is not None]
        self.vec_pos = np.array(with_vec, dtype=np.int64)
        vectors = (
            np.frombuffer(b"".join(rows[i].embedding for i in with_vec), dtype="<f4")
            .reshape(len(with_vec), -1)
            .astype(np.float32)
            if with_vec
            else np.zeros((0, 384), dtype=np.float32)
        )
        self.faiss = FaissIndex([self.ids[i] for i in with_vec], vectors, version)
        self.features = TurnFeatures(
            [r.text for r in rows], self.meta, list(self.session_ids), [r.valid_from for r in rows]
        )
        prev = self.features.previous
        docs = [
            _doc_terms(
                r.text,
                str((r.meta or {}).get("context", "")),
                weights.text_repeat,
                rows[prev[i]].text if prev[i] >= 0 else "",
                weights.previous_tokens,
                weights.previous_repeat,
            )
            for i, r in enumerate(rows)
        ]
        self.bm25 = BM25Index.from_counts(docs, b=weights.bm25_b)

    def __len__(self) -> int:
        return len(self.ids)


@lru_cache(maxsize=1 << 17)
def _doc_terms(
    text: str,
    context: str,
    text_repeat: int,
    previous: str,
    previous_tokens: int,
    previous_repeat: int,
) -> TermCounts:
    """A memory's lexical document: its own tokens `text_repeat` times, then its context's,
    then the last `previous_tokens` tokens of the previous turn `previous_repeat` times.

    Cached by content: every memory write rebuilds the user's state from SQL, and re-tokenizing
    thousands of unchanged texts was most of that rebuild.
    """
    tail = terms(previous)[-previous_tokens:] if previous_tokens else []
    return count_terms(terms(text) * text_repeat + terms(context) + tail * previous_repeat)


# English verbs whose past forms a suffix stemmer cannot meet with the base form a question
# uses after "did" ("What did she buy?" / "I bought ..."); past forms more often read in
# another sense ("rose", "ground", "lay", "bit", "shot") are left out
_IRREGULAR_TEXT = """
    go:went,gone buy:bought make:made take:took,taken see:saw,seen get:got,gotten give:gave,given
    come:came run:ran eat:ate,eaten write:wrote,written begin:began,begun feel:felt find:found
    hold:held keep:kept know:knew,known leave:left lose:lost meet:met pay:paid say:said
    sell:sold send:sent spend:spent teach:taught think:thought tell:told win:won wear:wore,worn
    break:broke,broken bring:brought build:built catch:caught choose:chose,chosen draw:drew,drawn
    drive:drove,driven drink:drank,drunk fall:fell,fallen fly:flew,flown forget:forgot,forgotten
    grow:grew,grown hear:heard lead:led ride:rode,ridden sing:sang,sung sit:sat sleep:slept
    speak:spoke,spoken stand:stood swim:swam,swum throw:threw,thrown wake:woke,woken feed:fed
    fight:fought hide:hid,hidden shake:shook,shaken steal:stole,stolen seek:sought blow:blew,blown
    deal:dealt dig:dug flee:fled freeze:froze,frozen mean:meant understand:understood
    overcome:overcame become:became forgive:forgave,forgiven hang:hung strike:struck
"""
_IRREGULAR = {
    past: stem(base)
    for entry in _IRREGULAR_TEXT.split()
    for base, _, pasts in [entry.partition(":")]
    for past in pasts.split(",")
}


def verbs_met(tokens: Sequence[str]) -> list[str]:
    """Tokens with an irregular past form as its verb's ("bought" -> "buy"): "What did she
    buy?" then meets "I bought ...", as "paint" meets "painted" through the stemmer (the
    stemmer leaves these forms whole)."""
    return [_IRREGULAR.get(t, t) for t in tokens]


def terms(text: str) -> list[str]:
    """`text`'s lexical terms: its tokens (`tokenize`) with irregular verbs met."""
    return verbs_met(tokenize(text))


def forget_terms() -> None:
    """Drop the cache of tokenised memory texts, as in a process that has not read them."""
    _doc_terms.cache_clear()


def _times(values: Iterable[datetime | None]) -> NDArray[np.float64]:
    return np.array([_FAR if v is None else v.timestamp() for v in values], dtype=np.float64)


def load_rows(session: Session, user_id: int) -> list[Any]:
    cols = (
        Memory.id,
        Memory.kind,
        Memory.text,
        Memory.embedding,
        Memory.importance,
        Memory.scope,
        Memory.agent_id,
        Memory.session_id,
        Memory.valid_from,
        Memory.invalid_at,
        Memory.expires_at,
        Memory.suppressed_at,
        Memory.project,
        Memory.meta,
        Memory.updated_at,
    )
    stmt = select(*cols).where(Memory.user_id == user_id).order_by(Memory.valid_from, Memory.id)  # type: ignore[call-overload]
    return list(session.execute(stmt).all())


def count_rows(session: Session, user_id: int) -> int:
    """How many memories `load_rows` would read for the user."""
    stmt = select(func.count()).select_from(Memory).where(Memory.user_id == user_id)  # type: ignore[arg-type]
    return int(session.execute(stmt).scalar_one())
