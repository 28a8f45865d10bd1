"""The LLM extractor: asks the model for JSON matching a schema, parses what real models return.

Real-world output is rarely clean JSON: it comes in ```json fences, after "Sure! Here you go:",
inside `reasoning_content` with an empty answer, with single quotes or trailing commas. The
parser below accepts all of those; a reply that still does not parse gets one retry carrying
the parse error, and after that (or on a provider error) the rule extractor takes over.
"""

from __future__ import annotations

import ast
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from persona.errors import PersonaError
from persona.memory.extract.candidate import KINDS, Candidate
from persona.memory.extract.rules import extract_rules

log = logging.getLogger(__name__)

MAX_ITEMS = 20
MAX_TEXT_CHARS = 300

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "memories": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(KINDS)},
                    "text": {"type": "string"},
                    "attribute": {"type": ["string", "null"]},
                    "importance": {"type": "number"},
                },
                "required": ["kind", "text", "attribute", "importance"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["memories"],
    "additionalProperties": False,
}

RESPONSE_FORMAT: dict[str, Any] = {
    "type": "json_schema",
    "json_schema": {"name": "memories", "schema": SCHEMA, "strict": True},
}

SYSTEM_PROMPT = """You extract long-term memories about the USER from one chat turn.
Return only JSON: {"memories": [{"kind": ..., "text": ..., "attribute": ..., "importance": ...}]}
- kind: "fact" (about the user), "preference" (likes, dislikes, tastes), "event" (something \
that happened to the user, with its date if said), "instruction" (a standing request about \
how to answer).
- text: a short third-person statement without the word "user", e.g. "Lives in Paris", \
"Is vegetarian", "Has a dog named Rex".
- attribute: what it is about, lower case: "name", "location", "job", "employer", "diet", \
"age", "birthday", "partner", "marital_status", "children"; "opinion:<thing>" for likes and \
dislikes; "pet:<species>"; "allergy:<thing>"; null when none fits.
- importance: 0.0 to 1.0 (how useful for future conversations).
Only what the USER states about themselves as true now. Nothing from questions, hypotheticals, \
what other people are said to do, or the assistant's reply. No memories: {"memories": []}."""


class ChatReply(Protocol):
    """What a gateway returns: the answer text and, for reasoning models, the reasoning."""

    @property
    def text(self) -> str:
        """The answer."""
        ...

    @property
    def reasoning(self) -> str | None:
        """The model's reasoning (`reasoning_content`), if any."""
        ...


class ChatGateway(Protocol):
    """Anything with the LLM gateway's `complete` (persona.llm.Gateway, or a test fake)."""

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        model: str,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> ChatReply:
        """One chat completion."""
        ...


class ParseError(ValueError):
    """The model's output holds no usable JSON."""


_FENCE = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _balanced_spans(text: str) -> list[str]:
    """Every top-level {...} or [...] span in `text`, outermost first, respecting strings."""
    spans: list[str] = []
    depth, start, quote, escaped = 0, -1, "", False
    for i, ch in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
            continue
        if ch in "\"'" and depth > 0:
            quote = ch
        elif ch in "{[":
            if depth == 0:
                start = i
            depth += 1
        elif ch in "}]" and depth > 0:
            depth -= 1
            if depth == 0:
                spans.append(text[start : i + 1])
    return spans


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        first_error = exc
    fixed = _TRAILING_COMMA.sub(r"\1", text)
    try:
        return json.loads(fixed)
    except json.JSONDecodeError:
        pass
    # Python-literal style: single quotes, True/False/None (or JSON's true/false/null)
    pythonic = re.sub(r"\btrue\b", "True", fixed)
    pythonic = re.sub(r"\bfalse\b", "False", pythonic)
    pythonic = re.sub(r"\bnull\b", "None", pythonic)
    try:
        return ast.literal_eval(pythonic)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise first_error from None


def parse_json_lenient(*texts: str | None) -> Any:
    """The first JSON value found in `texts` (answer, then reasoning); raises `ParseError`."""
    errors: list[str] = []
    for raw in texts:
        if not raw or not raw.strip():
            continue
        text = _THINK.sub("", raw) if _THINK.search(raw) and _THINK.sub("", raw).strip() else raw
        options = [text.strip(), *_FENCE.findall(text), *_balanced_spans(text)]
        for option in options:
            option = option.strip()
            if not option or option[0] not in "{[":
                continue
            try:
                return _loads(option)
            except json.JSONDecodeError as exc:
                errors.append(str(exc))
    raise ParseError(errors[0] if errors else "the reply contains no JSON object")


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in ("memories", "facts", "items", "results", "data"):
            if isinstance(data.get(key), list):
                return list(data[key])
        if "text" in data:
            return [data]
    raise ParseError(f"expected an object with a 'memories' list, got {type(data).__name__}")


def candidates_from_json(data: Any) -> list[Candidate]:
    """Validated candidates from parsed model output; malformed items are dropped."""
    out: list[Candidate] = []
    for item in _items(data)[:MAX_ITEMS]:
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            continue
        text = str(item.get("text") or item.get("memory") or "").strip()
        if not text:
            continue
        kind = str(item.get("kind") or item.get("type") or "fact").lower()
        attribute = item.get("attribute")
        attribute = str(attribute).strip().lower() or None if attribute else None
        try:
            importance = min(1.0, max(0.0, float(item.get("importance", 0.5))))
        except (TypeError, ValueError):
            importance = 0.5
        out.append(
            Candidate(
                kind if kind in KINDS else "fact",
                text[:MAX_TEXT_CHARS],
                attribute,
                None,
                importance,
            )
        )
    return out


class LLMExtractor:
    """Extracts candidates with a chat model; falls back to the rules when it cannot."""

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
        self.fallback = fallback or extract_rules
        self.last_outcome = ""  # "llm" | "llm_retry" | "fallback:<why>", for traces and tests

    def messages(self, message: str, reply: str | None) -> list[dict[str, Any]]:
        """The prompt for one turn."""
        turn = f"USER: {message}"
        if reply:
            turn += f"\nASSISTANT (context only, extract nothing from it): {reply[:1000]}"
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": turn}]

    def extract(
        self, message: str, reply: str | None = None, *, now: datetime | None = None
    ) -> list[Candidate]:
        """Candidates for `message`; one retry with the parse error, then the rule extractor."""
        if not message.strip():
            return []
        messages = self.messages(message, reply)
        fmt = RESPONSE_FORMAT if self.structured else None
        for attempt in range(2):
            try:
                result = self.gateway.complete(
                    messages, model=self.model, response_format=fmt, max_tokens=self.max_tokens
                )
            except PersonaError as exc:
                log.warning("memory extraction: provider failed (%s); using rules", exc)
                self.last_outcome = "fallback:provider_error"
                return self._fallback(message, now)
            try:
                data = parse_json_lenient(result.text, result.reasoning)
                found = candidates_from_json(data)
            except ParseError as exc:
                log.info("memory extraction: unparsable reply (%s)", exc)
                messages = [
                    *messages,
                    {"role": "assistant", "content": result.text or ""},
                    {
                        "role": "user",
                        "content": f"That was not valid JSON ({exc}). Reply with only the JSON "
                        'object {"memories": [...]}, nothing else.',
                    },
                ]
                continue
            self.last_outcome = "llm" if attempt == 0 else "llm_retry"
            return found
        self.last_outcome = "fallback:unparsable"
        return self._fallback(message, now)

    def _fallback(self, message: str, now: datetime | None) -> list[Candidate]:
        if self.fallback is extract_rules:
            return extract_rules(message, now=now)
        return self.fallback(message)
