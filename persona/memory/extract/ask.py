"""Asking a model for JSON: the gateway it needs, one retry that names what was wrong."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from persona.memory.extract.lenient_json import ParseError, parse_json_lenient

log = logging.getLogger(__name__)


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


T = TypeVar("T")


def ask_json(
    gateway: ChatGateway,
    messages: list[dict[str, Any]],
    read: Callable[[Any], T],
    *,
    model: str,
    retry: Callable[[ParseError], str],
    response_format: dict[str, Any] | None,
    max_tokens: int | None,
    what: str,
) -> tuple[T, int] | None:
    """`read(answer)` of `model`'s JSON answer, and the attempt it took (0, or 1 after one
    retry whose message, `retry(error)`, tells the model what was wrong); None when it still
    is not the JSON asked for. `read` raises `ParseError` for JSON of the wrong shape.
    Provider errors propagate."""
    for attempt in range(2):
        result = gateway.complete(
            messages, model=model, response_format=response_format, max_tokens=max_tokens
        )
        try:
            return read(parse_json_lenient(result.text, result.reasoning)), attempt
        except ParseError as exc:
            log.info("%s: unparsable answer (%s)", what, exc)
            messages = [
                *messages,
                {"role": "assistant", "content": result.text or ""},
                {"role": "user", "content": retry(exc)},
            ]
    return None


__all__ = ["ChatGateway", "ChatReply", "ask_json"]
