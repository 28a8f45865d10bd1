"""The OpenAI-wire answers of the chat routes, as models for the OpenAPI document.

The routes build these bodies as dicts (they carry the provider's fields through untouched, so
every model here allows extra fields); the models say what is always there. `persona` is the
trace of the reply.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TRACE = "persona's trace of the reply: memories used, route, steering checks, latency"
SSE = {"text/event-stream": {"schema": {"type": "string", "description": "server-sent events"}}}


class Wire(BaseModel):
    """An OpenAI-wire object: the fields persona sets, and any the provider added."""

    model_config = ConfigDict(extra="allow")


class ChatCompletion(Wire):
    """A Chat Completion (`stream: true`: `chat.completion.chunk` events; the last carries
    `persona`)."""

    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[dict[str, Any]] = Field(description="index, message, logprobs, finish_reason")
    usage: dict[str, Any]
    persona: dict[str, Any] = Field(description=TRACE)


class ResponseObject(Wire):
    """A Responses API response (`stream: true`: `response.*` events)."""

    id: str
    object: Literal["response"]
    created_at: int
    status: str
    model: str
    output: list[dict[str, Any]]
    usage: dict[str, Any] | None
    persona: dict[str, Any] | None = Field(default=None, description=TRACE)


class ResponseDeleted(BaseModel):
    """A stored response was deleted."""

    id: str
    object: Literal["response.deleted"]
    deleted: bool


class InputItems(BaseModel):
    """One page of a stored response's input items."""

    object: Literal["list"]
    data: list[dict[str, Any]]
    first_id: str | None
    last_id: str | None
    has_more: bool


class ModelCard(BaseModel):
    """A model name this server accepts."""

    id: str
    object: Literal["model"]
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The model names this server accepts."""

    object: Literal["list"]
    data: list[ModelCard]
