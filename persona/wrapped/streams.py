"""The OpenAI SDK's own `Stream` / `AsyncStream` types over persona's items (chat chunks or
Responses events): what a wrapped client's `create(stream=True)` returns."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import openai

T = TypeVar("T")
_END = object()


class PersonaStream(openai.Stream[T]):
    """`openai.Stream` over persona's items; closing it closes the upstream's response."""

    def __init__(self, items: Iterator[T], upstream: openai.Stream[Any]) -> None:
        # not the SDK's __init__: the SSE decoding happened in the upstream's own stream
        self.response = upstream.response
        self._items, self._upstream = items, upstream

    def __next__(self) -> T:
        return next(self._items)

    def __iter__(self) -> Iterator[T]:
        yield from self._items

    def close(self) -> None:
        """Stop: nothing is stored for an abandoned reply; the upstream's response is closed."""
        self._items.close()  # type: ignore[attr-defined]
        self._upstream.close()


class AsyncPersonaStream(openai.AsyncStream[T]):
    """`openai.AsyncStream` over persona's items (produced in a worker thread)."""

    def __init__(self, items: Iterator[T], upstream: openai.AsyncStream[Any]) -> None:
        self.response = upstream.response
        self._items, self._upstream = items, upstream

    async def __anext__(self) -> T:
        item = await asyncio.to_thread(next, self._items, _END)
        if item is _END:
            raise StopAsyncIteration
        return item  # type: ignore[return-value]

    async def __aiter__(self) -> AsyncIterator[T]:
        while True:
            try:
                yield await self.__anext__()
            except StopAsyncIteration:
                return

    async def close(self) -> None:
        """Stop, and close the upstream's response."""
        await asyncio.to_thread(self._items.close)  # type: ignore[attr-defined]
        await self._upstream.close()
