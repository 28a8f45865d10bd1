"""The memory summary: a short, readable text of what persona currently knows about a user.

It is compiled from the user's current memories (valid, not suppressed, not episodes, outside
any project), one line each, so it is always up to date with them. Editing it is a set of
memory operations, each with its history row: a line removed invalidates its memory, a new
line is added through consolidation (a new value supersedes), and a changed line does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, or_, select

from persona.memory.kinds import SUMMARY_KINDS
from store.models import Memory, User, utcnow

HEADINGS = {
    "fact": "About you",
    "preference": "Preferences",
    "instruction": "How to answer",
    "event": "Things that happened",
}
MAX_LINES = 200


def summary_memories(session: Session, user: User) -> list[Memory]:
    """The memories the summary shows, by kind then oldest first."""
    now = utcnow()
    rows = session.exec(
        select(Memory)
        .where(
            Memory.user_id == user.id,
            col(Memory.kind).in_(SUMMARY_KINDS),
            col(Memory.invalid_at).is_(None),
            col(Memory.suppressed_at).is_(None),
            col(Memory.project).is_(None),
            or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
        )
        .order_by(col(Memory.created_at), col(Memory.id))
        .limit(MAX_LINES)
    ).all()
    return sorted(rows, key=lambda m: SUMMARY_KINDS.index(m.kind))


def render(memories: list[Memory]) -> str:
    """The summary text: a heading per kind, then `- <memory text>` lines."""
    blocks: list[str] = []
    for kind in SUMMARY_KINDS:
        lines = [f"- {m.text}" for m in memories if m.kind == kind]
        if lines:
            blocks.append("\n".join([f"{HEADINGS[kind]}:", *lines]))
    return "\n\n".join(blocks)


def _key(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


@dataclass
class SummaryEdit:
    """What an edited summary asks for: memories to drop, texts to add (with their kind)."""

    removed: list[Memory] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)


def diff(memories: list[Memory], edited: str) -> SummaryEdit:
    """Compare the edited text with the memories it was compiled from.

    Each `- ` (or `* `) line is one memory; a heading line (`About you:`) sets the kind of the
    lines after it (new lines before any heading are facts); other lines are ignored.
    """
    by_heading = {f"{h.lower()}:": k for k, h in HEADINGS.items()}
    kind = "fact"
    wanted: list[tuple[str, str]] = []
    for raw in edited.splitlines():
        line = raw.strip()
        if line.lower() in by_heading:
            kind = by_heading[line.lower()]
        elif line[:2] in ("- ", "* ") and line[2:].strip():
            wanted.append((line[2:].strip(), kind))
    keys = {_key(text) for text, _ in wanted}
    current = {_key(m.text) for m in memories}
    out = SummaryEdit()
    out.removed = [m for m in memories if _key(m.text) not in keys]
    seen: set[str] = set()
    for text, k in wanted:
        if _key(text) not in current and _key(text) not in seen:
            seen.add(_key(text))
            out.added.append((text, k))
    return out
