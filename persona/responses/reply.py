"""The engine's reply as a Responses API `Response` object, and as its stream of events.

One rendering for every way a Responses request arrives: the REST route (`POST /v1/responses`,
the events as server-sent events) and `persona.wrap(openai_client).responses.create` in-process
(the same dicts as the OpenAI SDK's `Response` and stream event types).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
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


class StreamRender:
    """The official event sequence for one streamed reply, fed one engine item at a time (so a
    sync and an async stream render alike). After the final `ChatReply`, `final` holds the
    finished response: keep it, then send `closing()`."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.response = response
        self.ev = Events()
        self.output: list[dict[str, Any]] = []
        self.text_item: dict[str, Any] | None = None
        self.text = ""
        self.calls: dict[int, dict[str, Any]] = {}  # chat tool-call index -> output item
        self.final: dict[str, Any] | None = None

    def opening(self) -> list[dict[str, Any]]:
        ev, response = self.ev, self.response
        return [
            ev("response.created", response=response),
            ev("response.in_progress", response=response),
        ]

    def feed(self, item: Any) -> list[dict[str, Any]]:
        """The events for one engine item (a text delta, a `StreamChunk` or the `ChatReply`)."""
        if isinstance(item, ChatReply):
            return self._end(item)
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
        ev, output, out = self.ev, self.output, []
        for piece in deltas:
            if self.text_item is None:
                self.text_item = {**message_item("", status="in_progress"), "content": []}
                output.append(self.text_item)
                idx = len(output) - 1
                out.append(ev("response.output_item.added", output_index=idx, item=self.text_item))
                part = {"type": "output_text", "text": "", "annotations": [], "logprobs": []}
                out.append(ev("response.content_part.added", item_id=self.text_item["id"],
                              output_index=idx, content_index=0, part=part))  # fmt: skip
            self.text += piece
            out.append(ev("response.output_text.delta", item_id=self.text_item["id"],
                          output_index=output.index(self.text_item), content_index=0,
                          delta=piece, logprobs=[]))  # fmt: skip
        for td in tool_deltas:
            index = int(td.get("index") or 0)
            fn = td.get("function") or {}
            if index not in self.calls:
                call = call_item({"id": td.get("id"), "function": {"name": fn.get("name")}},
                                 status="in_progress")  # fmt: skip
                self.calls[index] = call
                output.append(call)
                out.append(
                    ev("response.output_item.added", output_index=len(output) - 1, item=call)
                )
            call = self.calls[index]
            if fn.get("arguments"):
                call["arguments"] += fn["arguments"]
                out.append(ev("response.function_call_arguments.delta", item_id=call["id"],
                              output_index=output.index(call), delta=fn["arguments"]))  # fmt: skip
        return out

    def _end(self, reply: ChatReply) -> list[dict[str, Any]]:
        ev, output, out = self.ev, self.output, []
        if self.text_item is not None:
            text_item, text = self.text_item, self.text
            idx = output.index(text_item)
            part = {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
            ids = {"item_id": text_item["id"], "output_index": idx, "content_index": 0}
            out.append(ev("response.output_text.done", **ids, text=text, logprobs=[]))
            out.append(ev("response.content_part.done", **ids, part=part))
            text_item.update(status="completed", content=[part])
            out.append(ev("response.output_item.done", output_index=idx, item=text_item))
        for call in self.calls.values():
            idx = output.index(call)
            ids = {"item_id": call["id"], "output_index": idx}
            out.append(ev("response.function_call_arguments.done", **ids,
                          name=call["name"], arguments=call["arguments"]))  # fmt: skip
            call["status"] = "completed"
            out.append(ev("response.output_item.done", output_index=idx, item=call))
        if not output:
            output.append(message_item(""))
        self.final = finished(self.response, reply, output)
        return out

    def closing(self) -> list[dict[str, Any]]:
        """The final status event, once `final` is kept."""
        assert self.final is not None
        return [self.ev(f"response.{self.final['status']}", response=self.final)]

    def failed(self, exc: PersonaError) -> list[dict[str, Any]]:
        """Headers are already sent: the failure, in-band, as OpenAI reports it."""
        failed = {**self.response, "status": "failed", "error": {"code": "server_error",
                  "message": exc.message}}  # fmt: skip
        return [self.ev("error", code=exc.code, message=exc.message, param=None),
                self.ev("response.failed", response=failed)]  # fmt: skip


def stream_events(
    response: dict[str, Any], first: Any, rest: Iterator[Any], on_done: Any
) -> Iterator[dict[str, Any]]:
    """The events of a sync engine stream; `on_done(final_response)` runs when the reply is
    complete (it stores the response)."""
    render = StreamRender(response)
    yield from render.opening()
    item: Any = first
    try:
        while item is not None:
            yield from render.feed(item)
            if render.final is not None:
                on_done(render.final)
                yield from render.closing()
                return
            item = next(rest, None)
    except PersonaError as exc:
        yield from render.failed(exc)


async def astream_events(
    response: dict[str, Any], first: Any, rest: AsyncIterator[Any], on_done: Any
) -> AsyncIterator[dict[str, Any]]:
    """`stream_events` for an async engine stream; `on_done` is awaited (the caller runs the
    store where it may block)."""
    render = StreamRender(response)
    for event in render.opening():
        yield event
    item: Any = first
    try:
        while item is not None:
            for event in render.feed(item):
                yield event
            if render.final is not None:
                await on_done(render.final)
                for event in render.closing():
                    yield event
                return
            item = await anext(rest, None)
    except PersonaError as exc:
        for event in render.failed(exc):
            yield event


def now() -> int:
    """Seconds since the epoch (created_at)."""
    return int(time.time())
