"""Conversation-shaped retrieval signals over episodic turns: who spoke, whether a turn says
when, which session it belongs to, and which turn came before it.

Dense and lexical similarity compare a question with one turn; questions about a
conversation also carry structure those scores miss:
- a question naming a person ("What did Caroline paint?") is most often answered by that
  person's own turns (`speaker`);
- a question asking when ("When did I ...", "what year ...") is answered by a turn that says
  when, and a question naming a month or year by turns of that time (`temporal`, `span`);
- a turn answering the question asked in the turn before it shares that question's words, not
  its own: `TurnFeatures.previous` finds that turn through `meta.seq`, and the retriever adds
  its last words to the turn's lexical document.
Measured and left out (LoCoMo recall@10 fell): adding a share of the previous turn's fused
score, and lifting the turns of sessions whose best turn scores high.
Every signal is neutral (zero) where the data does not carry it: memories with no speaker,
no session or no sequence number score as before. All of it is numpy over the user's arrays,
built once per index version (`TurnFeatures`) and combined per query (`lift`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from persona.memory.bm25 import tokenize
from persona.memory.when import asks_when, has_temporal, named_span

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True)
class SignalWeights:
    """How much each signal adds to the fused z-score (0 turns a signal off)."""

    speaker: float = 1.2
    temporal: float = 0.8
    span: float = 1.6


class TurnFeatures:
    """Per-memory arrays the signals read, built with the user's search state."""

    def __init__(
        self,
        texts: Sequence[str],
        metas: Sequence[dict[str, Any]],
        session_ids: Sequence[str | None],
        times: Sequence[datetime],
    ) -> None:
        n = len(texts)
        speakers = [str(m.get("speaker") or "") for m in metas]
        names = sorted({s for s in speakers if s})
        code = {name: i for i, name in enumerate(names)}
        self.speaker = np.array([code.get(s, -1) for s in speakers], dtype=np.int32)
        # a speaker is named in a question by any word of their name ("Caroline", "Dr Lee")
        self.name_tokens: dict[str, int] = {}
        for name, i in code.items():
            for token in tokenize(name):
                self.name_tokens.setdefault(token, i)
        self.temporal = np.array([has_temporal(t) for t in texts], dtype=bool)
        utc = [t if t.tzinfo else t.replace(tzinfo=UTC) for t in times]
        self.month = np.array([t.month for t in utc], dtype=np.int16)
        self.year = np.array([t.year for t in utc], dtype=np.int16)
        self.day = np.array([t.day for t in utc], dtype=np.int8)
        sessions = {s: i for i, s in enumerate(dict.fromkeys(s for s in session_ids if s))}
        self.session = np.array([sessions.get(s, -1) if s else -1 for s in session_ids], np.int32)
        self.previous = np.full(n, -1, dtype=np.int64)
        at: dict[tuple[int, int], int] = {}
        for i, meta in enumerate(metas):
            seq = meta.get("seq")
            if isinstance(seq, int) and self.session[i] >= 0:
                at[(int(self.session[i]), seq)] = i
        for (sess, seq), i in at.items():
            self.previous[i] = at.get((sess, seq - 1), -1)


def lift(
    features: TurnFeatures,
    cand: NDArray[np.int64],
    query: str,
    w: SignalWeights,
) -> NDArray[np.float32]:
    """What the signals add to the fused scores of the candidates `cand`."""
    out = np.zeros(cand.size, dtype=np.float32)
    if w.speaker:
        named = {features.name_tokens[t] for t in tokenize(query) if t in features.name_tokens}
        if named:
            out += w.speaker * np.isin(features.speaker[cand], list(named))
    if w.temporal and asks_when(query):
        out += w.temporal * features.temporal[cand]
    if w.span:
        span = named_span(query)
        if span is not None:
            hit = np.ones(cand.size, dtype=bool)
            if span.month is not None:
                hit &= features.month[cand] == span.month
            if span.year is not None:
                hit &= features.year[cand] == span.year
            if span.day is not None:
                hit &= features.day[cand] == span.day
            out += w.span * hit
    return out
