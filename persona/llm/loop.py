"""One background event loop per process, for the gateway's sync calls.

litellm's sync `completion` creates and closes an event loop per call for its logging hooks
and builds its HTTP client state per call; running the async form on one long-lived loop
reuses litellm's cached async client (connection pool) and skips that work. The sync API is
derived from the async one: `run(coro)` blocks the calling thread until the coroutine is done.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

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
        return _loop


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on the shared loop and wait for its result (exceptions propagate)."""
    loop = _shared_loop()
    if threading.current_thread().name == "persona-llm-loop":
        coro.close()
        raise RuntimeError("persona.llm.loop.run called from the loop's own thread")
    return asyncio.run_coroutine_threadsafe(coro, loop).result()
