"""One background event loop per process, for the gateway's sync calls.

litellm's sync `completion` creates and closes an event loop per call for its logging hooks
and builds its HTTP client state per call; running the async form on one long-lived loop
reuses litellm's cached async client (connection pool) and skips that work. The sync API is
derived from the async one: `run(coro)` blocks the calling thread until the coroutine is done.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_owner_pid = 0


def _shared_loop() -> asyncio.AbstractEventLoop:
    """The process's loop, started on first use (and again in a forked child)."""
    global _loop, _owner_pid
    with _lock:
        if _loop is None or _owner_pid != os.getpid() or _loop.is_closed():
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="persona-llm-loop", daemon=True)
            thread.start()
            _loop, _owner_pid = loop, os.getpid()
            atexit.register(_shutdown, loop)
        return _loop


def _shutdown(loop: asyncio.AbstractEventLoop) -> None:
    """At exit, cancel what still runs on the loop (litellm's logging worker waits forever)
    and stop it, so no task is destroyed while pending."""
    if loop.is_closed() or not loop.is_running():
        return

    async def cancel_all() -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run_coroutine_threadsafe(cancel_all(), loop).result(timeout=2)
    except Exception:  # at exit, a loop that will not stop is left to die with the process
        return
    loop.call_soon_threadsafe(loop.stop)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the shared loop and wait for its result (exceptions propagate)."""
    loop = _shared_loop()
    if threading.current_thread().name == "persona-llm-loop":
        coro.close()
        raise RuntimeError("persona.llm.loop.run called from the loop's own thread")
    return asyncio.run_coroutine_threadsafe(coro, loop).result()


async def arun(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` run on the shared loop from any event loop, holding no thread (cancelling
    the awaiting task cancels it there too)."""
    loop = _shared_loop()
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        return await coro
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, loop))


class Bridged(Iterator[T]):
    """A sync iterator over an async one that lives on the shared loop (a stream opened by
    `run`): each `next` waits for the loop to produce the item; `close` closes the source.
    `anext` is the async form, for another event loop (see `_Pump`)."""

    def __init__(self, source: AsyncIterator[T]) -> None:
        self._source = source
        self._pump: _Pump[T] | None = None

    def __next__(self) -> T:
        try:
            return run(_anext(self._source))
        except StopAsyncIteration:
            raise StopIteration from None

    async def anext(self, default: Any) -> T | Any:
        """The next item, awaited from any event loop without a thread; `default` at the end."""
        if self._pump is None:
            self._pump = _Pump(self._source)
        return await self._pump.get(default)

    def close(self) -> None:
        if self._pump is not None:  # reading ahead on the shared loop: stop it there
            self._pump.task.cancel()
            return
        aclose = getattr(self._source, "aclose", None)
        if callable(aclose):
            run(aclose())


_END = object()


class _Pump(Generic[T]):
    """Hands a shared-loop async iterator's items to the loop that awaits them: one task on the
    shared loop reads ahead and passes each item over with one `call_soon_threadsafe` (no
    future and no thread hop per item; items that arrive together are taken in one wake-up)."""

    def __init__(self, source: AsyncIterator[T]) -> None:
        self._consumer = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()
        self.task = asyncio.run_coroutine_threadsafe(self._read(source), _shared_loop())

    async def _read(self, source: AsyncIterator[T]) -> None:
        consumer, put = self._consumer, self._queue.put_nowait

        def hand(entry: tuple[bool, Any]) -> None:
            consumer.call_soon_threadsafe(put, entry)

        try:
            async for item in source:
                hand((True, item))
        except BaseException as exc:  # the stream broke (or was stopped): the reader raises it
            hand((False, exc))
            raise
        hand((False, _END))

    async def get(self, default: Any) -> T | Any:
        ok, value = await self._queue.get()
        if ok:
            return value
        self._queue.put_nowait((False, value))  # the end stays the end for any later call
        if value is _END:
            return default
        raise value


async def _anext(source: AsyncIterator[T]) -> T:
    return await anext(source)
