"""The engine's reply as a Responses API `Response` object, and as its stream of events.

One rendering for every way a Responses request arrives: the REST route (`POST /v1/responses`,
the events as server-sent events) and `persona.wrap(openai_client).responses.create` in-process
(the same dicts as the OpenAI SDK's `Response` and stream event types).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from persona.errors import PersonaError
from persona.llm.types import StreamChunk
from persona.types import ChatReply
from store.models import new_id

INCOMPLETE = {"length": "max_output_tokens", "content_filter": "content_filter"}


def response_id() -> str:
    """A new response id, `resp_<hex>`."""
    return f"resp_{new_id()}"


def message_item(
    text: str, refusal: str | None = None, status: str = "completed"
) -> dict[str, Any]:
    """An assistant message output item."""
    content: list[dict[str, Any]] = []
    if text or not refusal:
        content.append({"type": "output_text", "text": text, "annotations": [], "logprobs": []})
    if refusal:
        content.append({"type": "refusal", "refusal": refusal})
    return {
        "id": f"msg_{new_id()}",
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": content,
    }


def call_item(call: dict[str, Any], status: str = "completed") -> dict[str, Any]:
    """A function_call output item for one chat tool call."""
    fn = call.get("function") or {}
    return {
        "id": f"fc_{new_id()}",
        "type": "function_call",
        "call_id": call.get("id") or f"call_{new_id()}",
        "name": fn.get("name") or "",
        "arguments": fn.get("arguments") or "",
        "status": status,
    }


def output_items(reply: ChatReply) -> list[dict[str, Any]]:
    """The reply's output items: its (steered) text, then its function calls."""
    choices = (reply.raw or {}).get("choices") or [{}]
    message = choices[0].get("message") or {}
    calls = message.get("tool_calls") or []
    items = []
    if reply.reply or message.get("refusal") or not calls:
        items.append(message_item(reply.reply, message.get("refusal")))
    return items + [call_item(c) for c in calls]


def usage(reply: ChatReply) -> dict[str, Any]:
    """Responses usage from the reply's token counts (and the provider's details if any)."""
    raw = (reply.raw or {}).get("usage") or {}
    prompt = raw.get("prompt_tokens_details") or {}
    reasoning = (raw.get("completion_tokens_details") or {}).get("reasoning_tokens") or 0
    return {
        "input_tokens": reply.usage.prompt_tokens,
        "input_tokens_details": {
            "cached_tokens": prompt.get("cached_tokens") or 0,
            "cache_write_tokens": prompt.get("cache_write_tokens") or 0,
        },
        "output_tokens": reply.usage.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": reply.usage.total_tokens,
    }


def skeleton(rid: str, body: dict[str, Any], created: int, previous: str | None) -> dict[str, Any]:
    """The Response object before the model answered (status in_progress, no output)."""
    return {
        "id": rid,
        "object": "response",
        "created_at": created,
        "status": "in_progress",
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body.get("model") or "persona/auto",
        "output": [],
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "previous_response_id": previous,
        "reasoning": body.get("reasoning") or {"effort": None, "summary": None},
        "store": body.get("store") is not False,
        "temperature": body.get("temperature"),
        "text": body.get("text") or {"format": {"type": "text"}},
        "tool_choice": body.get("tool_choice") or "auto",
        "tools": body.get("tools") or [],
        "top_p": body.get("top_p"),
        "truncation": body.get("truncation") or "disabled",
        "usage": None,
        "user": body.get("user"),
        "metadata": body.get("metadata") or {},
    }


def finished(
    response: dict[str, Any], reply: ChatReply, output: list[dict[str, Any]]
) -> dict[str, Any]:
    """The Response object once the reply is in: output, usage, status, trace."""
    reason = INCOMPLETE.get(reply.finish_reason or "")
    return {
        **response,
        "status": "incomplete" if reason else "completed",
        "incomplete_details": {"reason": reason} if reason else None,
        "model": reply.model,
        "output": output,
        "usage": usage(reply),
        "persona": reply.trace.dump(),
    }


class Events:
    """Numbered events of one streamed response."""

    def __init__(self) -> None:
        self.seq = 0

    def __call__(self, kind: str, **fields: Any) -> dict[str, Any]:
        event = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return event


def sse(event: dict[str, Any]) -> str:
    """One event as a server-sent event, as OpenAI sends it."""
    return f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"


def stream_events(
    response: dict[str, Any], first: Any, rest: Iterator[Any], on_done: Any
) -> Iterator[dict[str, Any]]:
    """The official event sequence for one streamed reply; `on_done(final_response)` runs
    when the reply is complete (it stores the response)."""
    ev = Events()
    yield ev("response.created", response=response)
    yield ev("response.in_progress", response=response)
    output: list[dict[str, Any]] = []
    text_item: dict[str, Any] | None = None
    text = ""
    calls: dict[int, dict[str, Any]] = {}  # chat tool-call index -> output item

    def close_text() -> Iterator[dict[str, Any]]:
        assert text_item is not None
        idx = output.index(text_item)
        part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
        ids = {"item_id": text_item["id"], "output_index": idx, "content_index": 0}
        yield ev("response.output_text.done", **ids, text=text, logprobs=[])
        yield ev("response.content_part.done", **ids, part=part)
        text_item.update(status="completed", content=[part])
        yield ev("response.output_item.done", output_index=idx, item=text_item)

    item: Any = first
    try:
        while item is not None:
            if isinstance(item, ChatReply):
                if text_item is not None:
                    yield from close_text()
                for call in calls.values():
                    idx = output.index(call)
                    ids = {"item_id": call["id"], "output_index": idx}
                    yield ev("response.function_call_arguments.done", **ids,
                             name=call["name"], arguments=call["arguments"])  # fmt: skip
                    call["status"] = "completed"
                    yield ev("response.output_item.done", output_index=idx, item=call)
                if not output:
                    output.append(message_item(""))
                final = finished(response, item, output)
                on_done(final)
                yield ev(f"response.{final['status']}", response=final)
                break
            deltas: list[str] = []
            tool_deltas: list[dict[str, Any]] = []
            if isinstance(item, str):
                deltas.append(item)
            elif isinstance(item, StreamChunk):
                for choice in (item.raw or {}).get("choices") or []:
                    delta = choice.get("delta") or {}
                    if delta.get("content"):
                        deltas.append(delta["content"])
                    tool_deltas += delta.get("tool_calls") or []
                if item.raw is None and item.delta:
                    deltas.append(item.delta)
            for piece in deltas:
                if text_item is None:
                    text_item = {**message_item("", status="in_progress"), "content": []}
                    output.append(text_item)
                    idx = len(output) - 1
                    yield ev("response.output_item.added", output_index=idx, item=text_item)
                    part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
                    yield ev("response.content_part.added", item_id=text_item["id"],
                             output_index=idx, content_index=0, part=part)  # fmt: skip
                text += piece
                yield ev("response.output_text.delta", item_id=text_item["id"],
                         output_index=output.index(text_item), content_index=0,
                         delta=piece, logprobs=[])  # fmt: skip
            for td in tool_deltas:
                index = int(td.get("index") or 0)
                fn = td.get("function") or {}
                if index not in calls:
                    call = call_item({"id": td.get("id"), "function": {"name": fn.get("name")}},
                                     status="in_progress")  # fmt: skip
                    calls[index] = call
                    output.append(call)
                    yield ev("response.output_item.added", output_index=len(output) - 1, item=call)
                call = calls[index]
                if fn.get("arguments"):
                    call["arguments"] += fn["arguments"]
                    yield ev("response.function_call_arguments.delta", item_id=call["id"],
                             output_index=output.index(call), delta=fn["arguments"])  # fmt: skip
            item = next(rest, None)
    except PersonaError as exc:
        # headers are already sent: report the failure in-band, as OpenAI does
        yield ev("error", code=exc.code, message=exc.message, param=None)
        failed = {**response, "status": "failed", "error": {"code": "server_error",
                  "message": exc.message}}  # fmt: skip
        yield ev("response.failed", response=failed)


def now() -> int:
    """Seconds since the epoch (created_at)."""
    return int(time.time())
