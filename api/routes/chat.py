"""OpenAI-compatible Chat Completions (`POST /v1/chat/completions`) and `GET /v1/models`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import EngineDep, RuntimeDep, TenantDep
from api.errors import error_body
from persona.errors import InvalidInput, PersonaError
from persona.types import AUTO_MODEL, TIER_MODELS, ChatMessage, ChatReply, ChatRequest

router = APIRouter(tags=["chat"])


class ContentPart(BaseModel):
    """A text part of a message's content (images and audio are not supported)."""

    type: Literal["text"]
    text: str


class WireMessage(BaseModel):
    """A message as OpenAI clients send it."""

    model_config = ConfigDict(extra="ignore")

    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        """The content as plain text."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    """`stream_options` of the OpenAI API."""

    include_usage: bool = False


class CompletionRequest(BaseModel):
    """The subset of the Chat Completions request persona honours; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = AUTO_MODEL
    messages: list[WireMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=32_000)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=32_000)
    n: int = Field(default=1, ge=1, le=1)
    user: str | None = Field(default=None, max_length=256)
    persona_tier: Literal["fast", "reasoning"] | None = None
    persona_session: str | None = Field(default=None, max_length=256)


def _to_request(body: CompletionRequest, header_user: str | None) -> ChatRequest:
    user = body.user or header_user
    if not user or not user.strip():
        raise InvalidInput(
            "no end user: set the 'user' field of the request or the X-Persona-User header",
            param="user",
        )
    return ChatRequest(
        user=user.strip(),
        messages=[ChatMessage(role=m.role, content=m.text()) for m in body.messages],
        model=body.model,
        session_id=body.persona_session,
        temperature=body.temperature,
        max_tokens=body.max_completion_tokens or body.max_tokens,
        tier=body.persona_tier,
        stream=body.stream,
    )


async def _memory_controls(request: ChatRequest, http: Request) -> ChatRequest:
    """Temporary chat and project scope: `persona_memory` ("on" | "off" | "project") and
    `metadata.project` in the body, or the `X-Persona-Memory` / `X-Persona-Project` headers
    (the body wins)."""
    raw = await http.json()
    body = raw if isinstance(raw, dict) else {}
    meta = body.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    mode = body.get("persona_memory") or http.headers.get("x-persona-memory") or "on"
    project = meta.get("project") or http.headers.get("x-persona-project")
    if not isinstance(mode, str) or mode.strip().lower() not in ("on", "off", "project"):
        raise InvalidInput(
            "persona_memory (or X-Persona-Memory) must be 'on', 'off' or 'project'",
            param="persona_memory",
        )
    if project is not None and (not isinstance(project, str) or not 0 < len(project) <= 256):
        raise InvalidInput("metadata.project must be a string of 1-256 characters", "metadata")
    return request.model_copy(update={"memory": mode.strip().lower(), "project": project})


def _completion(reply: ChatReply, created: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{reply.id}",
        "object": "chat.completion",
        "created": created,
        "model": reply.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.reply},
                "finish_reason": "stop",
            }
        ],
        "usage": reply.usage.model_dump(),
        "persona": reply.trace,
    }


def _sse(obj: dict[str, Any] | str) -> str:
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return f"data: {data}\n\n"


def _chunk(
    cid: str, created: int, model: str, delta: dict[str, Any], finish: str | None
) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _stream_events(
    first: str | ChatReply, rest: Iterator[str | ChatReply], created: int, model: str, usage: bool
) -> Iterator[str]:
    cid = f"chatcmpl-{created}"
    yield _sse(_chunk(cid, created, model, {"role": "assistant", "content": ""}, None))
    item: str | ChatReply | None = first
    try:
        while item is not None:
            if isinstance(item, ChatReply):
                final = _chunk(f"chatcmpl-{item.id}", created, item.model, {}, "stop")
                final["persona"] = item.trace
                yield _sse(final)
                if usage:
                    tail = _chunk(f"chatcmpl-{item.id}", created, item.model, {}, None)
                    tail["choices"] = []
                    tail["usage"] = item.usage.model_dump()
                    yield _sse(tail)
                break
            if item:
                yield _sse(_chunk(cid, created, model, {"content": item}, None))
            item = next(rest, None)
    except PersonaError as exc:
        # headers are already sent: report the failure in-band, as OpenAI does
        yield _sse(error_body(exc.message, exc.status_code, exc.code))
    yield _sse("[DONE]")


@router.post("/v1/chat/completions", response_model=None)
async def chat_completions(
    body: CompletionRequest,
    tenant: TenantDep,
    engine: EngineDep,
    http: Request,
    x_persona_user: Annotated[str | None, Header()] = None,
) -> JSONResponse | StreamingResponse:
    """Answer like OpenAI's Chat Completions, plus a `persona` object with the trace."""
    request = await _memory_controls(_to_request(body, x_persona_user), http)
    created = int(time.time())
    if not body.stream:
        reply = await run_in_threadpool(engine.chat, tenant.id, request)
        return JSONResponse(_completion(reply, created))
    events = engine.stream(tenant.id, request)
    # the first item is produced before any byte is sent, so that bad input and a provider
    # failing before its first token still get a proper status code
    first = await run_in_threadpool(next, events)
    include_usage = bool(body.stream_options and body.stream_options.include_usage)
    return StreamingResponse(
        _stream_events(first, events, created, body.model, include_usage),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/v1/models")
async def list_models(runtime: RuntimeDep, _: TenantDep) -> dict[str, Any]:
    """The model names this server accepts."""
    names = [AUTO_MODEL, *TIER_MODELS, *runtime.settings.model_aliases]
    return {
        "object": "list",
        "data": [{"id": n, "object": "model", "created": 0, "owned_by": "persona"} for n in names],
    }
