"""A candidate memory: what an extractor proposes, before consolidation decides what to write."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Op = Literal["add", "forget", "invalidate_previous", "supersede", "invalidate"]

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n.,;:!?\"'`"


def normalize_text(text: str) -> str:
    """Lower-case, single-spaced, without edge punctuation: the form compared for duplicates."""
    return _SPACE.sub(" ", text.strip().lower()).strip(_EDGE_PUNCT)


@dataclass(frozen=True)
class CurrentMemory:
    """A currently valid memory of the user, as extractors see it (the LLM prompt lists these)."""

    id: str
    kind: str
    text: str
    attribute: str | None = None


@dataclass(frozen=True)
class Candidate:
    """One proposed change to a user's memory.

    `op` is "add" (remember `text`), "forget" (invalidate memories matching `text` or
    `attribute`) or "invalidate_previous" ("that's no longer true": invalidate what the previous
    turn was about; `text` then holds that turn's message, filled in by the job).
    "supersede" (replace the memory `target_id` with `text`) and "invalidate" (end the memory
    `target_id`) are the operations an LLM extractor emits against the user's current memories.
    `attribute` names what the memory is about ("location", "diet", "opinion:jazz"); a new
    value of a single-valued attribute supersedes the old one.
    """

    kind: str  # a StatedKind (persona.memory.kinds)
    text: str
    attribute: str | None = None
    value: str | None = None
    importance: float = 0.5
    op: Op = "add"
    event_date: str | None = None
    # "supersede" / "invalidate" name the exact current memory they replace or end (LLM ops)
    target_id: str | None = None

    def key(self) -> str:
        """A stable fingerprint, recorded in history so a re-run job can skip this candidate."""
        return f"{self.op}|{self.kind}|{self.attribute or ''}|{normalize_text(self.text)}"
