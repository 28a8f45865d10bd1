"""The OpenAI Responses API on persona's engine, for the REST route and `persona.wrap` alike.

A Responses body is read into the engine's chat request (`request`), the engine's reply is
rendered as a `Response` object or its stream of events (`reply`), and stored responses give
`previous_response_id` its conversation (`stored`); `ResponseCall` ties the three together for
one request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from persona.responses import stored
from persona.responses.reply import astream_events as _astream_events
from persona.responses.reply import finished, now, output_items, response_id, skeleton
from persona.responses.reply import stream_events as _stream_events
from persona.responses.request import to_request
from persona.types import ChatReply, ChatRequest
from persona.wire import end_user, memory_controls


@dataclass
class ResponseCall:
    """One Responses request read for the engine: the chat request, this request's own input
    items, the `Response` skeleton, and where the finished response is kept (if at all)."""

    request: ChatRequest
    items: list[dict[str, Any]]
    response: dict[str, Any]
    db: Engine
    tenant_id: str
    user: str
    store: bool

    def done(self, final: dict[str, Any]) -> None:
        """Keep the finished response (unless `store: false` or a temporary chat)."""
        if self.store:
            stored.save(self.db, self.tenant_id, self.user, self.items, final)

    def finish(self, reply: ChatReply) -> dict[str, Any]:
        """The finished `Response` for a non-streamed reply, kept."""
        final = finished(self.response, reply, output_items(reply))
        self.done(final)
        return final

    def events(self, first: Any, rest: Iterator[Any]) -> Iterator[dict[str, Any]]:
        """The stream events for the engine's stream (`first` item, then `rest`)."""
        return _stream_events(self.response, first, rest, self.done)

    def aevents(
        self,
        first: Any,
        rest: AsyncIterator[Any],
        offload: Callable[..., Awaitable[Any]],
    ) -> AsyncIterator[dict[str, Any]]:
        """`events` for the engine's async stream; the response is kept through `offload`
        (e.g. `ChatEngine.offload`: the store is SQL)."""

        async def done(final: dict[str, Any]) -> None:
            await offload(self.done, final)

        return _astream_events(self.response, first, rest, done)


def prepare(
    db: Engine,
    tenant_id: str,
    body: dict[str, Any],
    header_user: str | None = None,
    header_memory: str | None = None,
    header_project: str | None = None,
) -> ResponseCall:
    """Read a Responses body (the end user beside it in `header_user`, memory controls in the
    header values): a bad field is `InvalidInput`, an unknown `previous_response_id` `NotFound`."""
    user = end_user(body, header_user)
    previous = body.get("previous_response_id")
    history = stored.history(db, tenant_id, user, previous)
    request, items = to_request(body, header_user, history)
    request = memory_controls(request, body, header_memory, header_project)
    return ResponseCall(
        request=request,
        items=items,
        response=skeleton(response_id(), body, now(), previous),
        db=db,
        tenant_id=tenant_id,
        user=user,
        store=request.record and request.memory != "off",
    )


__all__ = ["ResponseCall", "prepare"]
