"""`chat.completions.create` of a wrapped client, embedded: persona in-process, the model call
through the app's client, the upstream's own `ChatCompletion` / chunks back.

The sync path is the implementation; the async client runs it in a worker thread (as the REST
route runs the engine) and awaits the upstream on its own loop (`LoopUpstream`).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import openai
from openai import Omit
from openai.types.chat import ChatCompletion, ChatCompletionChunk
from openai.types.chat.chat_completion_chunk import Choice, ChoiceDelta
from pydantic import ValidationError

from persona.errors import InvalidInput
from persona.llm.types import StreamChunk
from persona.types import AUTO_MODEL, TIER_MODELS, ChatReply, ChatRequest
from persona.wire import CompletionRequest, memory_controls, to_chat_request
from persona.wrapped.gateway import (
    REQUEST_OPTIONS,
    ClientGateway,
    LoopUpstream,
    SyncUpstream,
    Upstream,
    accepted_params,
)
from persona.wrapped.raw import Views
from persona.wrapped.streams import AsyncPersonaStream, PersonaStream

if TYPE_CHECKING:
    from persona.engine import ChatEngine
    from persona.sdk import Persona


class Embedded:
    """What one wrapped client shares across calls: persona, the end user, the tier models."""

    def __init__(
        self,
        client: Any,
        user: str,
        persona: Persona,
        fast_model: str | None,
        reasoning_model: str | None,
    ) -> None:
        self.client, self.user, self.persona = client, user, persona
        engine, self.tenant_id = persona._ensure()
        rt = engine.rt
        self._routed = fast_model is not None
        # a model the app names is its own alias: called as named (as a configured alias is)
        self._aliases = dict(rt.settings.model_aliases)
        settings = rt.settings.model_copy(
            update={
                "fast_model": fast_model or rt.settings.fast_model,
                "reasoning_model": reasoning_model or fast_model or rt.settings.reasoning_model,
                "model_aliases": self._aliases,
                "fallback_models": [],
            }
        )
        self._runtime = dataclasses.replace(rt, settings=settings)
        self.db = rt.db  # where turns, memories and stored responses are kept
        self._accepted = accepted_params(client)

    def body(self, kwargs: dict[str, Any], items: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """`create`'s arguments as the request body a server would get, and the SDK request
        options; `items` names the list (messages, input) whose SDK objects are dumped."""
        body = {k: v for k, v in kwargs.items() if not isinstance(v, openai.NotGiven | Omit)}
        options = {k: body.pop(k) for k in REQUEST_OPTIONS if k in body}
        body.update(body.pop("extra_body", None) or {})  # body fields, as the server sees them
        if isinstance(body.get(items), Iterable) and not isinstance(body[items], str | dict):
            # the SDK takes any iterable, and its own objects (a reply appended, as loops do)
            body[items] = [_as_dict(m) for m in body[items]]
        model = body.get("model")
        if model in (AUTO_MODEL, *TIER_MODELS):
            if not self._routed:
                raise InvalidInput(
                    f"model={model!r} routes between the models given to "
                    "persona.wrap(client, fast_model=..., reasoning_model=...); none were given",
                    param="model",
                )
        elif isinstance(model, str):
            self._aliases.setdefault(model, model)
        return body, options

    def request(self, kwargs: dict[str, Any]) -> tuple[ChatRequest, dict[str, Any]]:
        """The engine's request from `create`'s arguments, and the SDK request options."""
        body, options = self.body(kwargs, "messages")
        try:
            parsed = CompletionRequest.model_validate(body)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"])
            raise InvalidInput(f"{field}: {error['msg']}", param=field) from exc
        request = memory_controls(to_chat_request(parsed, self.user), body)
        return request, options

    def engine(
        self, upstream: Upstream, request: ChatRequest, options: dict[str, Any]
    ) -> tuple[ChatEngine, ClientGateway]:
        """An engine whose gateway is the app's client, for one call."""
        from persona.engine import ChatEngine

        gateway = ClientGateway(
            upstream, self._accepted, options, max_tokens=request.max_tokens is not None
        )
        return ChatEngine(dataclasses.replace(self._runtime, gateway=gateway)), gateway

    def complete(self, upstream: Upstream, kwargs: dict[str, Any]) -> ChatCompletion:
        """A non-streamed call: the upstream's `ChatCompletion`, its text as steering left it."""
        request, options = self.request(kwargs)
        engine, gateway = self.engine(upstream, request, options)
        reply = engine.chat(self.tenant_id, request)
        completion: ChatCompletion = gateway.responses[-1]  # a re-ask's answer, if there was one
        message = completion.choices[0].message
        if message.content is not None and message.content != reply.reply:
            message.content = reply.reply  # repaired by steering
        if len(gateway.responses) > 1 and completion.usage is not None:
            completion.usage.prompt_tokens = reply.usage.prompt_tokens
            completion.usage.completion_tokens = reply.usage.completion_tokens
            completion.usage.total_tokens = reply.usage.total_tokens
        completion.persona = reply.trace.dump()  # type: ignore[attr-defined]  # as the server sends it
        return completion

    def stream(
        self, upstream: Upstream, kwargs: dict[str, Any]
    ) -> tuple[Iterator[ChatCompletionChunk], Any]:
        """A streamed call: the chunks for the app, and the upstream's stream (to close it).

        The engine's first item is produced here, so bad input and an upstream failing before
        its first token raise from `create`, as they do without persona.
        """
        request, options = self.request(kwargs)
        engine, gateway = self.engine(upstream, request, options)
        events = engine.stream(self.tenant_id, request, chunks=True)
        first = next(events)
        wanted = request.params.get("stream_options")
        usage = bool(isinstance(wanted, dict) and wanted.get("include_usage"))
        return _chunks(first, events, gateway, usage), gateway.streams[-1]


def _as_dict(message: Any) -> Any:
    """A message or item as the app would send it: an SDK object is dumped like the OpenAI SDK
    dumps it."""
    dump = getattr(message, "model_dump", None)
    return dump(exclude_unset=True, mode="json") if callable(dump) else message


def _chunks(
    first: Any, events: Iterator[Any], gateway: ClientGateway, usage: bool
) -> Iterator[ChatCompletionChunk]:
    """The engine's stream items as the upstream's chunks (the finish carries the trace)."""
    finish: ChatCompletionChunk | None = None  # held back to carry the trace
    item = first
    try:
        while item is not None:
            if isinstance(item, ChatReply):
                final = finish or _text_chunk(gateway, None, item.finish_reason or "stop")
                final.persona = item.trace.dump()  # type: ignore[attr-defined]
                yield final
                if usage and gateway.usage_chunk is not None:
                    tail: ChatCompletionChunk = gateway.usage_chunk
                    if tail.usage is not None:
                        tail.usage.prompt_tokens = item.usage.prompt_tokens
                        tail.usage.completion_tokens = item.usage.completion_tokens
                        tail.usage.total_tokens = item.usage.total_tokens
                    yield tail
                return
            if isinstance(item, StreamChunk) and item.raw is not None:
                chunk = ChatCompletionChunk.model_validate(item.raw)
                if any(c.finish_reason for c in chunk.choices):
                    if finish is None:
                        finish = chunk
                    else:
                        finish.choices.extend(chunk.choices)
                elif chunk.choices:
                    yield chunk
            elif isinstance(item, str) and item:  # the whole reply, repaired by steering
                yield _text_chunk(gateway, item, None)
            item = next(events, None)
    finally:
        events.close()  # type: ignore[attr-defined]


def _text_chunk(
    gateway: ClientGateway, text: str | None, finish: str | None
) -> ChatCompletionChunk:
    """A chunk like the upstream's (same id, model, created) with `text` or a finish."""
    template = gateway.first_chunk
    choice = Choice(index=0, delta=ChoiceDelta(content=text), finish_reason=finish)  # type: ignore[arg-type]
    if template is None:
        return ChatCompletionChunk(
            id="chatcmpl-persona",
            object="chat.completion.chunk",
            created=0,
            model="",
            choices=[choice],
        )
    out: ChatCompletionChunk = template.model_copy(update={"choices": [choice], "usage": None})
    return out


class Completions(Views):
    """`client.chat.completions` of a wrapped `OpenAI`: `create` through persona; the rest
    (`retrieve`, `list`, `update` ...) is the client's own, unpersonalized; the SDK's `parse` and
    `stream` helpers and `with_raw_response` / `with_streaming_response` keep persona's
    `create`."""

    def __init__(self, embedded: Embedded, original: Any) -> None:
        self._embedded, self._original = embedded, original

    def create(self, **kwargs: Any) -> ChatCompletion | openai.Stream[ChatCompletionChunk]:
        """`chat.completions.create` with memory, steering and routing."""
        upstream = SyncUpstream(self._embedded.client)
        if not kwargs.get("stream"):
            return self._embedded.complete(upstream, kwargs)
        chunks, stream = self._embedded.stream(upstream, kwargs)
        return PersonaStream[ChatCompletionChunk](chunks, stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class AsyncCompletions(Completions):
    """`client.chat.completions` of a wrapped `AsyncOpenAI`."""

    is_async = True

    async def create(  # type: ignore[override]
        self, **kwargs: Any
    ) -> ChatCompletion | openai.AsyncStream[ChatCompletionChunk]:
        """`chat.completions.create` with memory, steering and routing (awaitable)."""
        upstream = LoopUpstream(self._embedded.client, asyncio.get_running_loop())
        if not kwargs.get("stream"):
            return await asyncio.to_thread(self._embedded.complete, upstream, kwargs)
        chunks, stream = await asyncio.to_thread(self._embedded.stream, upstream, kwargs)
        return AsyncPersonaStream[ChatCompletionChunk](chunks, stream)


class Chat:
    """`client.chat` of a wrapped client."""

    def __init__(self, completions: Completions, original: Any) -> None:
        self.completions, self._original = completions, original

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)
