"""`responses.create` of a wrapped client, embedded.

The Responses request is read as `POST /v1/responses` reads it (`persona.responses`), the
engine answers it with the model call through the app's client (its `chat.completions`, as
persona's own upstreams are called), and the app gets the OpenAI SDK's own `Response` or
`Stream[ResponseStreamEvent]`. Stored responses live in persona's database, so
`previous_response_id`, `retrieve` and `delete` work as they do against OpenAI; `store: false`
writes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import openai
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

from persona.errors import NotFound
from persona.responses import ResponseCall, prepare, stored
from persona.wrapped.chat import Embedded
from persona.wrapped.gateway import LoopUpstream, SyncUpstream, Upstream
from persona.wrapped.raw import Views
from persona.wrapped.streams import AsyncPersonaStream, PersonaStream

_EVENT: TypeAdapter[ResponseStreamEvent] = TypeAdapter(ResponseStreamEvent)


def _typed(events: Iterator[dict[str, Any]], engine: Iterator[Any]) -> Iterator[Any]:
    """The events as the SDK's event types; closing stops the engine's stream too."""
    try:
        for event in events:
            yield _EVENT.validate_python(event)
    finally:
        events.close()  # type: ignore[attr-defined]
        engine.close()  # type: ignore[attr-defined]


class Responses(Views):
    """`client.responses` of a wrapped `OpenAI`: `create` (and the SDK's `parse` and `stream`
    helpers over it, also through `with_raw_response` / `with_streaming_response`), `retrieve`
    and `delete` through persona; the rest (`input_items`, `cancel` ...) is the client's own,
    unpersonalized."""

    def __init__(self, embedded: Embedded, original: Any) -> None:
        self._embedded, self._original = embedded, original

    def _call(self, kwargs: dict[str, Any]) -> tuple[ResponseCall, dict[str, Any]]:
        body, options = self._embedded.body(kwargs, "input")
        call = prepare(self._embedded.db, self._embedded.tenant_id, body, self._embedded.user)
        return call, options

    def _complete(self, upstream: Upstream, kwargs: dict[str, Any]) -> Response:
        call, options = self._call(kwargs)
        engine, _ = self._embedded.engine(upstream, call.request, options)
        reply = engine.chat(self._embedded.tenant_id, call.request)
        return Response.model_validate(call.finish(reply))

    def _stream(self, upstream: Upstream, kwargs: dict[str, Any]) -> tuple[Iterator[Any], Any]:
        # the engine's first item is produced here, so bad input and an upstream failing
        # before its first token raise from `create`, as they do without persona
        call, options = self._call(kwargs)
        engine, gateway = self._embedded.engine(upstream, call.request, options)
        items = engine.stream(self._embedded.tenant_id, call.request, chunks=True)
        first = next(items)
        return _typed(call.events(first, items), items), gateway.streams[-1]

    def _stored(self, response_id: str) -> Response | None:
        try:
            row = stored.fetch(self._embedded.db, self._embedded.tenant_id, response_id)
        except NotFound:
            return None
        return Response.model_validate({**row.response, "output": row.output_items})

    def _delete(self, response_id: str) -> bool:
        try:
            stored.delete(self._embedded.db, self._embedded.tenant_id, response_id)
        except NotFound:
            return False
        return True

    def create(self, **kwargs: Any) -> Response | openai.Stream[ResponseStreamEvent]:
        """`responses.create` with memory, steering and routing."""
        upstream = SyncUpstream(self._embedded.client)
        if not kwargs.get("stream"):
            return self._complete(upstream, kwargs)
        events, stream = self._stream(upstream, kwargs)
        return PersonaStream[ResponseStreamEvent](events, stream)

    def retrieve(self, response_id: str, **kwargs: Any) -> Response:
        """A response persona stored; any other id is asked of the client's own API."""
        found = self._stored(response_id)
        return found if found is not None else self._original.retrieve(response_id, **kwargs)

    def delete(self, response_id: str, **kwargs: Any) -> None:
        """Delete a response persona stored; any other id is deleted by the client's own API."""
        if not self._delete(response_id):
            self._original.delete(response_id, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class AsyncResponses(Responses):
    """`client.responses` of a wrapped `AsyncOpenAI`."""

    is_async = True

    async def create(  # type: ignore[override]
        self, **kwargs: Any
    ) -> Response | openai.AsyncStream[ResponseStreamEvent]:
        """`responses.create` with memory, steering and routing (awaitable)."""
        upstream = LoopUpstream(self._embedded.client, asyncio.get_running_loop())
        if not kwargs.get("stream"):
            return await asyncio.to_thread(self._complete, upstream, kwargs)
        events, stream = await asyncio.to_thread(self._stream, upstream, kwargs)
        return AsyncPersonaStream[ResponseStreamEvent](events, stream)

    async def retrieve(self, response_id: str, **kwargs: Any) -> Response:  # type: ignore[override]
        """A response persona stored; any other id is asked of the client's own API."""
        found = await asyncio.to_thread(self._stored, response_id)
        if found is not None:
            return found
        return await self._original.retrieve(response_id, **kwargs)  # type: ignore[no-any-return]

    async def delete(self, response_id: str, **kwargs: Any) -> None:  # type: ignore[override]
        """Delete a response persona stored; any other id is deleted by the client's own API."""
        if not await asyncio.to_thread(self._delete, response_id):
            await self._original.delete(response_id, **kwargs)
