"""OpenAI-compatible Chat Completions (`POST /v1/chat/completions`) and `GET /v1/models`."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse

from api.deps import EngineDep, RuntimeDep, TenantDep
from api.errors import error_body
from api.schemas import SSE, ChatCompletion, ModelCard, ModelList
from persona.errors import NotFound, PersonaError
from persona.llm.types import StreamChunk
from persona.types import AUTO_MODEL, TIER_MODELS, ChatReply, ChatRequest
from persona.wire import CompletionRequest, memory_controls, to_chat_request
from store.models import new_id

router = APIRouter(tags=["chat"])


async def _memory_controls(request: ChatRequest, http: Request) -> ChatRequest:
    """Temporary chat and project scope, from the body or the X-Persona-Memory /
    X-Persona-Project headers (the body wins)."""
    raw = await http.json()
    return memory_controls(
        request,
        raw if isinstance(raw, dict) else {},
        http.headers.get("x-persona-memory"),
        http.headers.get("x-persona-project"),
    )


_MESSAGE_KEYS = (
    "role",
    "content",
    "refusal",
    "tool_calls",
    "function_call",
    "audio",
    "annotations",
)
_TOOL_CALL_KEYS = ("index", "id", "type", "function")


def _tool_calls(calls: Any) -> list[dict[str, Any]]:
    out = []
    for call in calls or []:
        item = {k: call.get(k) for k in _TOOL_CALL_KEYS if call.get(k) is not None}
        fn = call.get("function") or {}
        item["function"] = {k: fn[k] for k in ("name", "arguments") if fn.get(k) is not None}
        out.append(item)
    return out


def _clean(message: dict[str, Any], *, keep_content: bool) -> dict[str, Any]:
    out = {k: message[k] for k in _MESSAGE_KEYS if message.get(k) is not None}
    if keep_content:
        out.setdefault("content", None)
    if "tool_calls" in out:
        out["tool_calls"] = _tool_calls(out["tool_calls"])
        if keep_content:
            for call in out["tool_calls"]:
                call.pop("index", None)
    return out


def _completion(reply: ChatReply, created: int) -> dict[str, Any]:
    raw = reply.raw or {}
    choices: list[dict[str, Any]] = []
    for i, choice in enumerate(raw.get("choices") or [{}]):
        message = _clean(choice.get("message") or {}, keep_content=True)
        message["role"] = "assistant"
        if i == 0 and (message.get("content") is not None or not message.get("tool_calls")):
            message["content"] = reply.reply  # checked and repaired by steering
        choices.append(
            {
                "index": choice.get("index", i),
                "message": message,
                "logprobs": choice.get("logprobs"),
                "finish_reason": choice.get("finish_reason") or reply.finish_reason or "stop",
            }
        )
    out: dict[str, Any] = {
        "id": f"chatcmpl-{reply.id}",
        "object": "chat.completion",
        "created": created,
        "model": reply.model,
        "choices": choices,
        "usage": _usage(raw.get("usage"), reply),
    }
    for key in ("system_fingerprint", "service_tier"):
        if raw.get(key) is not None:
            out[key] = raw[key]
    out["persona"] = reply.trace.dump()
    return out


def _usage(raw: Any, reply: ChatReply) -> dict[str, Any]:
    usage: dict[str, Any] = reply.usage.model_dump()
    if isinstance(raw, dict):
        for key in ("prompt_tokens_details", "completion_tokens_details"):
            details = raw.get(key)
            if isinstance(details, dict) and any(v for v in details.values()):
                usage[key] = {k: v for k, v in details.items() if v is not None}
    return usage


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


def _raw_choices(raw: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for choice in raw.get("choices") or []:
        item: dict[str, Any] = {
            "index": choice.get("index", 0),
            "delta": _clean(choice.get("delta") or {}, keep_content=False),
            "finish_reason": choice.get("finish_reason"),
        }
        if choice.get("logprobs") is not None:
            item["logprobs"] = choice["logprobs"]
        out.append(item)
    return out


async def _stream_events(
    first: Any, rest: AsyncIterator[Any], created: int, model: str, usage: bool
) -> AsyncIterator[str]:
    cid = f"chatcmpl-{new_id()}"
    yield _sse(_chunk(cid, created, model, {"role": "assistant", "content": ""}, None))
    item: Any = first
    finish: dict[str, Any] | None = None  # held back to carry the trace
    try:
        while item is not None:
            if isinstance(item, ChatReply):
                final = finish or _chunk(cid, created, model, {}, item.finish_reason or "stop")
                final["persona"] = item.trace.dump()
                yield _sse(final)
                if usage:
                    tail = _chunk(cid, created, model, {}, None)
                    tail["choices"] = []
                    tail["usage"] = item.usage.model_dump()
                    yield _sse(tail)
                break
            if isinstance(item, StreamChunk) and item.raw is not None:
                event = _chunk(cid, created, model, {}, None)
                event["choices"] = _raw_choices(item.raw)
                if any(c["finish_reason"] for c in event["choices"]):
                    if finish is not None:
                        finish["choices"].extend(event["choices"])
                    else:
                        finish = event
                elif event["choices"]:
                    yield _sse(event)
            elif isinstance(item, str) and item:
                yield _sse(_chunk(cid, created, model, {"content": item}, None))
            item = await anext(rest, None)
    except PersonaError as exc:
        # headers are already sent: report the failure in-band, as OpenAI does
        yield _sse(error_body(exc.message, exc.status_code, exc.code))
    yield _sse("[DONE]")


@router.post(
    "/v1/chat/completions",
    response_model=None,
    responses={200: {"model": ChatCompletion, "content": SSE}},
)
async def chat_completions(
    body: CompletionRequest,
    tenant: TenantDep,
    engine: EngineDep,
    http: Request,
    x_persona_user: Annotated[str | None, Header()] = None,
) -> JSONResponse | StreamingResponse:
    """Answer like OpenAI's Chat Completions, plus a `persona` object with the trace."""
    request = await _memory_controls(to_chat_request(body, x_persona_user), http)
    options = request.params.get("stream_options")
    created = int(time.time())
    if not body.stream:
        reply = await engine.achat(tenant.id, request)
        return JSONResponse(_completion(reply, created))
    events = engine.astream(tenant.id, request, chunks=True)
    # the first item is produced before any byte is sent, so that bad input and a provider
    # failing before its first token still get a proper status code
    first = await anext(events)
    include_usage = bool(isinstance(options, dict) and options.get("include_usage"))
    return StreamingResponse(
        _stream_events(first, events, created, body.model, include_usage),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def _model_names(runtime: Any) -> list[str]:
    return [AUTO_MODEL, *TIER_MODELS, *runtime.settings.model_aliases]


def _model(name: str) -> ModelCard:
    return ModelCard(id=name, object="model", created=0, owned_by="persona")


@router.get("/v1/models")
async def list_models(runtime: RuntimeDep, _: TenantDep) -> ModelList:
    """The model names this server accepts."""
    return ModelList(object="list", data=[_model(n) for n in _model_names(runtime)])


@router.get("/v1/models/{model_id:path}")
async def get_model(model_id: str, runtime: RuntimeDep, _: TenantDep) -> ModelCard:
    """One model name this server accepts, or 404 naming those it does."""
    names = _model_names(runtime)
    if model_id not in names:
        raise NotFound(f"the model {model_id!r} does not exist; use one of: {', '.join(names)}")
    return _model(model_id)
