"""The LLM extractor: memory operations against what the user's memory holds now.

The model sees the turn and the user's current memories (under short references, `m1`,
`m2`, ...: real ids are long and models copy them badly) and answers with operations: `add` a
new memory, `supersede` a current one the user changed or corrected, `invalidate` one that is no
longer true, or nothing. The reply is validated against the schema (malformed items and
references to memories it was not shown are dropped); a reply that does not parse gets one retry
carrying the parse error, and after that (or on a provider error) the rule extractor takes over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from persona.errors import PersonaError
from persona.memory.extract.ask import ChatGateway, ask_json
from persona.memory.extract.candidate import Candidate, CurrentMemory
from persona.memory.extract.lenient_json import ParseError, parse_json_lenient
from persona.memory.extract.rules import extract_rules
from persona.memory.kinds import STATED_KINDS

__all__ = [
    "BATCH_RESPONSE_FORMAT",
    "BATCH_SCHEMA",
    "RESPONSE_FORMAT",
    "SCHEMA",
    "ChatGateway",
    "LLMExtractor",
    "ParseError",
    "candidates_from_json",
    "parse_json_lenient",
]

log = logging.getLogger(__name__)

MAX_ITEMS = 20
MAX_TEXT_CHARS = 300
MAX_SHOWN = 60  # current memories listed in the prompt

OPS = ("add", "supersede", "invalidate", "none")

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "operations": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "op": {"type": "string", "enum": list(OPS)},
                    "id": {"type": ["string", "null"]},
                    "kind": {"type": "string", "enum": list(STATED_KINDS)},
                    "text": {"type": ["string", "null"]},
                    "attribute": {"type": ["string", "null"]},
                    "importance": {"type": "number"},
                },
                "required": ["op", "id", "kind", "text", "attribute", "importance"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["operations"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "memory_operations", "schema": SCHEMA, "strict": True},
}


def _with_turn(schema: dict[str, Any]) -> dict[str, Any]:
    item = schema["properties"]["operations"]["items"]
    props = {"turn": {"type": "integer"}, **item["properties"]}
    batch_item = {**item, "properties": props, "required": ["turn", *item["required"]]}
    return {**schema, "properties": {"operations": {"type": "array", "items": batch_item}}}


BATCH_SCHEMA: dict[str, Any] = _with_turn(SCHEMA)
BATCH_RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "memory_operations", "schema": BATCH_SCHEMA, "strict": True},
}

SYSTEM_PROMPT = """You keep the long-term memory about the USER up to date from one chat turn.
You get the user's CURRENT MEMORIES (each with an id such as m1) and the turn.
Return only JSON: {"operations": [{"op": ..., "id": ..., "kind": ..., "text": ..., \
"attribute": ..., "importance": ...}]}
- op "add": something new the USER states about themselves as true now (id: null).
- op "supersede": the user changed or corrected a current memory ("I moved to Berlin", "I meant \
34, not 43", "now I hate jazz"); id: the memory it replaces, text: the new statement.
- op "invalidate": a current memory is no longer true and nothing replaces it ("I stopped \
smoking", "forget that I have a cat"); id: that memory, text: null.
- A fact already in the current memories needs no operation.
- kind: "fact" (about the user), "preference" (likes, dislikes, tastes), "event" (something \
that happened to the user, with its date if said), "instruction" (a standing request about \
how to answer).
- text: a short third-person statement in English without the word "user", e.g. "Lives in \
Paris", "Is vegetarian", "Has a dog named Rex", "Is allergic to peanuts".
- attribute: what it is about, lower case: "name", "location", "job", "employer", "diet", \
"age", "birthday", "partner", "marital_status", "children"; "opinion:<thing>" for likes and \
dislikes; "pet:<species>"; "allergy:<thing>", "condition:<thing>", "medication:<thing>" for \
health; null when none fits.
- importance: 0.0 to 1.0 (how useful for future conversations; health facts 0.9).
Only the USER's own facts, in any language. Nothing from questions, hypotheticals, plans, what \
other people are said to do or like, or the assistant's reply. Nothing to do: {"operations": []}"""


BATCH_SYSTEM_PROMPT = (
    SYSTEM_PROMPT.replace("from one chat turn.", "from several chat turns, in the order said.")
    + """
Several TURNs are given, numbered in the order they were said: each operation has "turn", the \
number of the turn it comes from. A later turn can change what an earlier one said ("I live in \
Paris" ... "we moved to Berlin"): give each turn its own operations."""
)


def _turn_index(item: Any, count: int) -> int | None:
    """The 0-based turn an operation names, or None when it names no turn it was shown."""
    raw = item.get("turn") if isinstance(item, dict) else None
    if isinstance(raw, bool):
        return None
    try:
        number = int(raw) if isinstance(raw, (int, str)) else None
    except ValueError:
        return None
    return number - 1 if number is not None and 1 <= number <= count else None


@dataclass(frozen=True)
class Shown:
    """The current memories as listed in the prompt: reference -> memory."""

    memories: dict[str, CurrentMemory]

    @classmethod
    def of(cls, current: Sequence[CurrentMemory]) -> Shown:
        # attribute-bearing memories first: they are what a change of fact supersedes
        ranked = sorted(current, key=lambda m: m.attribute is None)[:MAX_SHOWN]
        return cls({f"m{i}": m for i, m in enumerate(ranked, 1)})

    def block(self) -> str:
        lines = [
            f"{ref} | {m.kind} | {m.attribute or '-'} | {m.text}"
            for ref, m in self.memories.items()
        ]
        return "CURRENT MEMORIES (id | kind | attribute | text):\n" + "\n".join(lines)


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("operations", "memories", "facts", "items", "results", "data"):
            if isinstance(data.get(key), list):
                return list(data[key])
        if "text" in data:
            return [data]
    raise ParseError(f"expected an object with an 'operations' list, got {type(data).__name__}")


def _importance(item: dict[str, Any]) -> float:
    try:
        return min(1.0, max(0.0, float(item.get("importance", 0.5))))
    except (TypeError, ValueError):
        return 0.5


def _candidate(item: Any, shown: Shown) -> Candidate | None:
    """One validated operation, or None for a malformed item or an unknown reference."""
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict):
        return None
    op = str(item.get("op") or "add").lower()
    if op not in OPS or op == "none":
        return None
    text = str(item.get("text") or item.get("memory") or "").strip()[:MAX_TEXT_CHARS]
    kind = str(item.get("kind") or item.get("type") or "fact").lower()
    kind = kind if kind in STATED_KINDS else "fact"
    attribute = item.get("attribute")
    attribute = str(attribute).strip().lower() or None if attribute else None
    target = shown.memories.get(str(item.get("id") or "").strip())
    if op == "invalidate":
        if target is None:
            log.info(
                "memory extraction: invalidate of an unknown memory %r dropped", item.get("id")
            )
            return None
        return Candidate(
            target.kind, target.text, target.attribute, op="invalidate", target_id=target.id
        )
    if not text:
        return None
    if op == "supersede" and target is not None:
        return Candidate(
            kind,
            text,
            attribute or target.attribute,
            None,
            _importance(item),
            op="supersede",
            target_id=target.id,
        )
    # an add, or a supersede naming no memory it was shown: consolidation still supersedes a
    # single-valued attribute's old value
    return Candidate(kind, text, attribute, None, _importance(item))


def candidates_from_json(data: Any, current: Sequence[CurrentMemory] = ()) -> list[Candidate]:
    """Validated candidates from parsed model output; malformed items are dropped."""
    shown = Shown.of(current)
    found = (_candidate(item, shown) for item in _items(data)[:MAX_ITEMS])
    return [c for c in found if c is not None]


class LLMExtractor:
    """Extracts memory operations with a chat model; falls back to the rules when it cannot."""

    def __init__(
        self,
        gateway: ChatGateway,
        model: str,
        *,
        structured: bool = True,
        max_tokens: int = 600,
        fallback: Callable[[str], list[Candidate]] | None = None,
    ) -> None:
        self.gateway = gateway
        self.model = model
        self.structured = structured
        self.max_tokens = max_tokens
        self.fallback = fallback
        self.last_outcome = ""  # "llm" | "llm_retry" | "fallback:<why>", for traces and tests

    def messages(
        self, message: str, reply: str | None, current: Sequence[CurrentMemory] = ()
    ) -> list[dict[str, Any]]:
        """The prompt for one turn."""
        turn = f"USER: {message}"
        if reply:
            turn += f"\nASSISTANT (context only, extract nothing from it): {reply[:1000]}"
        if current:
            turn = f"{Shown.of(current).block()}\n\n{turn}"
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": turn}]

    def extract(
        self,
        message: str,
        reply: str | None = None,
        *,
        now: datetime | None = None,
        current: Sequence[CurrentMemory] = (),
    ) -> list[Candidate]:
        """Operations for `message`; one retry with the parse error, then the rule extractor."""
        if not message.strip():
            return []
        data = self._ask(self.messages(message, reply, current), RESPONSE_FORMAT)
        if data is None:
            return self._fallback(message, now, current)
        return candidates_from_json(data, current)

    def extract_turns(
        self,
        turns: Sequence[tuple[str, str | None, datetime | None]],
        *,
        current: Sequence[CurrentMemory] = (),
    ) -> list[list[Candidate]]:
        """Operations for several turns (message, reply, when) of one user, in order, with one
        model call.

        Each operation names the turn it comes from (1-based); one naming no turn it was shown
        is dropped: a memory's history must point at the turn that said it.
        """
        if len(turns) <= 1:
            return [self.extract(m, r, now=when, current=current) for m, r, when in turns]
        pairs = [(message, reply) for message, reply, _ in turns]
        data = self._ask(self.batch_messages(pairs, current), BATCH_RESPONSE_FORMAT)
        if data is None:
            return [self._fallback(m, when, current) for m, _, when in turns]
        shown = Shown.of(current)
        out: list[list[Candidate]] = [[] for _ in turns]
        for item in _items(data)[: MAX_ITEMS * len(turns)]:
            index = _turn_index(item, len(turns))
            if index is None:
                log.info("memory extraction: operation of an unknown turn dropped: %r", item)
                continue
            found = _candidate(item, shown)
            if found is not None:
                out[index].append(found)
        return out

    def batch_messages(
        self, turns: Sequence[tuple[str, str | None]], current: Sequence[CurrentMemory] = ()
    ) -> list[dict[str, Any]]:
        """The prompt for several turns: each numbered, in the order they were said."""
        blocks = []
        for number, (message, reply) in enumerate(turns, 1):
            block = f"TURN {number}\nUSER: {message}"
            if reply:
                block += f"\nASSISTANT (context only, extract nothing from it): {reply[:500]}"
            blocks.append(block)
        body = "\n\n".join(blocks)
        if current:
            body = f"{Shown.of(current).block()}\n\n{body}"
        return [
            {"role": "system", "content": BATCH_SYSTEM_PROMPT},
            {"role": "user", "content": body},
        ]

    def _ask(self, messages: list[dict[str, Any]], fmt: dict[str, Any]) -> Any | None:
        """The parsed JSON answer (one retry carrying the parse error), or None: fall back."""

        def read(data: Any) -> Any:
            _items(data)
            return data

        try:
            answer = ask_json(
                self.gateway,
                messages,
                read,
                model=self.model,
                retry=lambda exc: (
                    f"That was not valid JSON ({exc}). Reply with only the JSON "
                    'object {"operations": [...]}, nothing else.'
                ),
                response_format=fmt if self.structured else None,
                max_tokens=self.max_tokens,
                what="memory extraction",
            )
        except PersonaError as exc:
            log.warning("memory extraction: provider failed (%s); using rules", exc)
            self.last_outcome = "fallback:provider_error"
            return None
        if answer is None:
            self.last_outcome = "fallback:unparsable"
            return None
        data, attempt = answer
        self.last_outcome = "llm" if attempt == 0 else "llm_retry"
        return data

    def _fallback(
        self, message: str, now: datetime | None, current: Sequence[CurrentMemory]
    ) -> list[Candidate]:
        if self.fallback is None:
            return extract_rules(message, now=now, current=current)
        return self.fallback(message)
