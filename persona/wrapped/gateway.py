"""The model call through the app's own OpenAI client: the gateway of `persona.wrap`.

persona compiles the call (messages, model, parameters); this gateway sends it with
`client.chat.completions.create(...)`, so the app's base URL, key, headers, retries and HTTP
client are the ones used. An async client is driven on the app's own event loop from the
worker thread the engine runs in, so one gateway serves both.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Iterator, Mapping
from typing import Any, Protocol, Unpack

from persona.llm.gateway import CallParams, Messages
from persona.llm.streaming import Accumulator, StreamHandle, chunk_text, to_usage
from persona.llm.types import ChatResult, Usage

# the OpenAI SDK's request options, not body fields: they go to `create` as they came
REQUEST_OPTIONS = ("extra_headers", "extra_query", "timeout")
_NAMED = ("temperature", "max_tokens", "reasoning_effort", "response_format", "stop")


class Upstream(Protocol):
    """How the gateway reaches the app's client: one call, and the chunks of a stream."""

    def create(self, kwargs: dict[str, Any]) -> Any:
        """`client.chat.completions.create(**kwargs)`: a `ChatCompletion` or a stream."""
        ...

    def chunks(self, stream: Any) -> Iterator[Any]:
        """The `ChatCompletionChunk`s of a stream `create` returned."""
        ...


class SyncUpstream:
    """An `openai.OpenAI` client, called in the calling thread."""

    def __init__(self, client: Any) -> None:
        self._create = client.chat.completions.create

    def create(self, kwargs: dict[str, Any]) -> Any:
        """One call."""
        return self._create(**kwargs)

    def chunks(self, stream: Any) -> Iterator[Any]:
        """The stream's chunks."""
        return iter(stream)


class LoopUpstream:
    """An `openai.AsyncOpenAI` client, driven on its event loop from another thread."""

    def __init__(self, client: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._create = client.chat.completions.create
        self._loop = loop

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def create(self, kwargs: dict[str, Any]) -> Any:
        """One call, awaited on the client's loop."""
        return self._run(self._create(**kwargs))

    def chunks(self, stream: Any) -> Iterator[Any]:
        """The stream's chunks, each awaited on the client's loop."""
        while True:
            try:
                yield self._run(stream.__anext__())
            except StopAsyncIteration:
                return


def accepted_params(client: Any) -> frozenset[str]:
    """The body fields the client's `create` takes by name; the others go in `extra_body`."""
    names = inspect.signature(client.chat.completions.create).parameters
    return frozenset(names) - {"extra_body", *REQUEST_OPTIONS}


class ClientGateway:
    """One `create` call's gateway: sends persona's compiled call through the app's client.

    It keeps what the upstream answered (`responses`, `streams`, the first and the usage
    chunk), so the app gets the upstream's own objects back. Upstream errors are the OpenAI
    SDK's own, as the app would see them without persona; there is no persona fallback chain
    (the app's client has its own retries).
    """

    def __init__(
        self,
        upstream: Upstream,
        accepted: frozenset[str],
        options: Mapping[str, Any],
        *,
        max_tokens: bool = True,
    ) -> None:
        self._upstream, self._accepted, self._options = upstream, accepted, dict(options)
        # False: the app set no max_tokens, so persona's default is not sent either (the app's
        # code without persona gets the upstream's own limit)
        self._max_tokens = max_tokens
        self.responses: list[Any] = []
        self.streams: list[Any] = []
        self.first_chunk: Any = None
        self.usage_chunk: Any = None

    def _kwargs(self, messages: Messages, model: str, params: CallParams) -> dict[str, Any]:
        body: dict[str, Any] = {"model": model, "messages": [dict(m) for m in messages]}
        body.update({k: params[k] for k in _NAMED if params.get(k) is not None})  # type: ignore[literal-required]
        body.update(params.get("extra") or {})
        if not self._max_tokens:
            body.pop("max_tokens", None)
        kwargs = {k: v for k, v in body.items() if k in self._accepted}
        unknown = {k: v for k, v in body.items() if k not in self._accepted}
        if unknown:
            kwargs["extra_body"] = unknown
        return {**kwargs, **self._options}

    def dropped_params(self, model: str) -> frozenset[str]:
        """Nothing: the app's own client sends every parameter as given."""
        return frozenset()

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> ChatResult:
        """One completion through the app's client."""
        started = time.perf_counter()
        response = self._upstream.create(self._kwargs(messages, model, params))
        self.responses.append(response)
        choice = response.choices[0]
        usage = to_usage(response.usage) if response.usage is not None else Usage()
        return ChatResult(
            text=str(choice.message.content or ""),
            model=model,
            usage=usage,
            cost_usd=None,  # the app's provider bills it; persona knows no price for it
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            finish_reason=choice.finish_reason,
            raw=response.model_dump(),
        )

    def stream(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> StreamHandle:
        """A streamed completion through the app's client; returns once text arrived.

        Usage is asked for (`stream_options.include_usage`) so the trace has it; the usage
        chunk reaches the app only if it asked for it too.
        """
        started = time.perf_counter()
        kwargs = self._kwargs(messages, model, params)
        kwargs["stream"] = True
        kwargs["stream_options"] = {**(kwargs.get("stream_options") or {}), "include_usage": True}
        stream = self._upstream.create(kwargs)
        self.streams.append(stream)
        rest = self._recorded(self._upstream.chunks(stream))
        buffered: list[Any] = []
        for chunk in rest:
            buffered.append(chunk)
            if chunk_text(chunk):
                break
        acc = Accumulator(model, started, [], lambda _model, _usage: None)
        return StreamHandle(acc, buffered, rest)

    def _recorded(self, chunks: Iterator[Any]) -> Iterator[Any]:
        for chunk in chunks:
            if self.first_chunk is None:
                self.first_chunk = chunk
            if not chunk.choices and chunk.usage is not None:
                self.usage_chunk = chunk
            yield chunk
