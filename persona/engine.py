"""The hot path: one message in, one reply and its trace out.

    user -> profile -> embed -> retrieve -> route -> compile -> call -> verify/repair -> store

Everything but the model call is persona's overhead; each stage's time is in the trace.
No database session is held open during the model call.

On an event loop (`achat`, the REST routes) the stages before and after the model call run in
the engine's few threads (`offload`, `PERSONA_ENGINE_THREADS`) and the model call is awaited on
the process's shared loop: no thread waits on the provider, so a slow model does not use up
threads, and a busy process runs a handful of threads instead of one per request (each extra
runnable thread costs CPU in GIL hand-offs).
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, ParamSpec, TypeVar, overload

from pydantic import JsonValue

from persona import stages
from persona.call import ModelCall, compile_call
from persona.errors import InvalidInput
from persona.llm.streaming import StreamHandle
from persona.llm.types import ChatResult, StreamChunk
from persona.memory.episodes import encode_vector
from persona.prepared import Clock, Prepared
from persona.runtime import Runtime
from persona.steering import persist_steering, steer
from persona.trace import Trace
from persona.types import ChatReply, ChatRequest
from store.db import session_scope
from store.models import EXTRACT_JOB, Profile, User, new_id
from store.turns import record_turn
from store.users import create_user, find_user_for_chat, get_profile, touch


def validate(request: ChatRequest, max_chars: int, max_messages: int) -> str:
    """Check the request's shape; returns the last user message."""
    if not request.messages:
        raise InvalidInput("'messages' must contain at least one message", param="messages")
    if len(request.messages) > max_messages:
        raise InvalidInput(
            f"too many messages: {len(request.messages)} (the limit is {max_messages})",
            param="messages",
        )
    for i, msg in enumerate(request.messages):
        if len(msg.content) > max_chars:
            raise InvalidInput(
                f"messages[{i}] is {len(msg.content)} characters long; the limit is {max_chars}",
                param=f"messages[{i}].content",
            )
    last = request.messages[-1]
    if last.role == "tool":
        # an agent loop going on: personalize with the user turn that started it
        users = [m for m in request.messages if m.role == "user" and m.content.strip()]
        if not users:
            raise InvalidInput(
                "the conversation ends with a 'tool' message but has no user message",
                param="messages",
            )
        return users[-1].content
    if last.role != "user":
        raise InvalidInput(
            f"the last message has role {last.role!r}; it must be 'user' or 'tool'",
            param="messages",
        )
    if not last.content.strip():
        raise InvalidInput("the last user message is empty", param="messages")
    return last.content


P = ParamSpec("P")
R = TypeVar("R")
_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def _engine_pool(threads: int) -> ThreadPoolExecutor:
    """The process's engine threads: one pool per size, however many engines use it
    (`persona.wrap` makes an engine per call)."""
    with _pools_lock:
        if threads not in _pools:
            _pools[threads] = ThreadPoolExecutor(threads, thread_name_prefix="persona-engine")
        return _pools[threads]


class ChatEngine:
    """Answers chat requests for tenants; shared by the REST API, the SDK and the CLI."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    async def offload(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run blocking work (SQL, embedding, CPU) in the engine's threads and await it."""
        context = contextvars.copy_context()  # e.g. the request id, for the logs
        call = functools.partial(context.run, fn, *args, **kwargs)
        pool = _engine_pool(self.rt.settings.engine_threads)
        return await asyncio.get_running_loop().run_in_executor(pool, call)

    def prepare(self, tenant_id: str, request: ChatRequest) -> Prepared:
        """Every stage before the model call.

        `request.memory == "off"` (temporary chat): memories are neither read nor written, and
        the user and profile are only read (a new user is not created; preferences the message
        states apply to this reply only).
        """
        settings = self.rt.settings
        message = validate(request, settings.max_message_chars, settings.max_messages)
        tier_override = stages.resolve_model(request, settings)
        off = request.memory == "off"
        readonly = off or not request.record
        projects = () if off else stages.memory_projects(request)
        clock = Clock()
        with session_scope(self.rt.db) as session:
            tenant, found, stored, proposals = find_user_for_chat(session, tenant_id, request.user)
            if readonly:
                user = found or User(id=0, tenant_id=tenant_id, external_id=request.user)
                profile = (found and stored) or Profile(user_id=0)
            else:
                # read-only for a known user: `last_seen_at` is written with the turn in
                # `_finish`; a new user's rows are committed at once, so no write transaction
                # (SQLite's one writer) spans the stages
                user, row = (
                    (found, stored)
                    if found is not None
                    else create_user(session, tenant_id, request.user)
                )
                profile = row or get_profile(session, user)
                if found is None or stored is None:
                    session.commit()
            assert user.id is not None
            clock.lap("user")
            embedding = self.rt.embedder.embed([message])[0]
            clock.lap("embed")
            known = not readonly or found is not None
            memories = (
                stages.recall(self.rt, session, user, message, embedding, projects)
                if known and not off
                else []
            )
            clock.lap("retrieve")
            steering = steer(session, tenant, profile, message, proposals=proposals)
            # a temporary chat saves nothing (standing preferences hold for this reply); a turn
            # answering tool output: the user turn's preferences were saved when it was answered
            if readonly or request.messages[-1].role == "tool":
                steering.new_constraints, steering.new_instructions = [], []
            clock.lap("steer")
            route = stages.route(
                self.rt, session, tenant, user, profile, request, message, embedding, tier_override
            )
            clock.lap("route")
            user_pk = user.id
        call = compile_call(self.rt, request, profile, steering, memories, route, tier_override)
        clock.lap("compile")
        return Prepared(
            request=request,
            tenant_id=tenant_id,
            user_pk=user_pk,
            message=message,
            choice=tier_override,
            memories=memories,
            route=route,
            steering=steering,
            call=call,
            clock=clock,
            embedding=embedding,
            user=None if readonly else user,
        )

    def chat(self, tenant_id: str, request: ChatRequest) -> ChatReply:
        """Answer one request (non-streaming)."""
        prep = self.prepare(tenant_id, request)
        call = prep.call
        result = self.rt.gateway.complete(call.messages, model=call.model, **call.params)
        return self._answered(prep, result)

    async def achat(self, tenant_id: str, request: ChatRequest) -> ChatReply:
        """`chat` on an event loop (see the module's docstring)."""
        prep = await self.offload(self.prepare, tenant_id, request)
        result = await self._model(prep.call, stream=False)
        return await self.offload(self._answered, prep, result)

    @overload
    async def _model(self, call: ModelCall, *, stream: Literal[False]) -> ChatResult: ...

    @overload
    async def _model(self, call: ModelCall, *, stream: Literal[True]) -> StreamHandle: ...

    async def _model(self, call: ModelCall, *, stream: bool) -> ChatResult | StreamHandle:
        """The model call from an event loop: litellm's async call awaited on the shared loop;
        an app's own client (`persona.wrap`) called sync in the engine's threads."""
        from persona.llm import loop
        from persona.llm.gateway import Gateway

        gateway, kwargs = self.rt.gateway, {"model": call.model, **call.params}
        if isinstance(gateway, Gateway):
            opened = gateway.aopen if stream else gateway.acomplete
            return await loop.arun(opened(call.messages, **kwargs))  # type: ignore[arg-type]
        method = gateway.stream if stream else gateway.complete
        return await self.offload(method, call.messages, **kwargs)  # type: ignore[arg-type]

    def _answered(self, prep: Prepared, result: ChatResult) -> ChatReply:
        """Check (and repair) the reply, store the turn: everything after the model call."""
        call = prep.call
        prep.clock.lap("model")
        text, result = stages.verify(
            self.rt, prep.request, call, prep.steering, result.text, result
        )
        prep.clock.lap("verify")
        return self._finish(prep, text, result)

    @overload
    def stream(
        self, tenant_id: str, request: ChatRequest, *, chunks: Literal[False] = False
    ) -> Iterator[str | ChatReply]: ...

    @overload
    def stream(
        self, tenant_id: str, request: ChatRequest, *, chunks: Literal[True]
    ) -> Iterator[str | StreamChunk | ChatReply]: ...

    def stream(
        self, tenant_id: str, request: ChatRequest, *, chunks: bool = False
    ) -> Iterator[str | StreamChunk | ChatReply]:
        """Yield text deltas, then the final `ChatReply` (whose text may be repaired).

        With active constraints the reply is buffered, checked and repaired before any of it is
        sent, so a streaming client only ever sees compliant text; otherwise deltas pass through.
        With `chunks=True` the provider's `StreamChunk`s are yielded instead of text (tool-call
        deltas, logprobs, finish reasons), and a repaired text as one `str`.
        """
        prep = self.prepare(tenant_id, request)
        call = prep.call
        handle = self.rt.gateway.stream(call.messages, model=call.model, **call.params)
        out = _Relay(self.rt, prep, handle, chunks=chunks)
        for chunk in handle:
            yield from out.take(chunk)
        text, result = stages.verify(*out.verify_args(), tool_call=out.tool_call)
        prep.clock.lap("verify")
        reply = self._finish(prep, text, result, tool_call=out.tool_call)
        yield from out.end(text, reply)

    async def astream(
        self, tenant_id: str, request: ChatRequest, *, chunks: bool = False
    ) -> AsyncIterator[str | StreamChunk | ChatReply]:
        """`stream` on an event loop: the stages run in the engine's threads, the provider's
        chunks are awaited on the shared loop (no thread waits on the model)."""
        prep = await self.offload(self.prepare, tenant_id, request)
        handle = await self._model(prep.call, stream=True)
        out = _Relay(self.rt, prep, handle, chunks=chunks)
        async for chunk in handle:
            for passed in out.take(chunk):
                yield passed
        text, result = await self.offload(
            stages.verify, *out.verify_args(), tool_call=out.tool_call
        )
        prep.clock.lap("verify")
        reply = await self.offload(self._finish, prep, text, result, tool_call=out.tool_call)
        for item in out.end(text, reply):
            yield item

    def _finish(
        self, prep: Prepared, text: str, result: ChatResult, *, tool_call: bool | None = None
    ) -> ChatReply:
        """Store the turn (unless nothing may be), and the reply with its trace, built once:
        the trace stored with the turn is the one the reply carries."""
        turn_id = new_id()
        if tool_call is None:
            tool_call = stages.has_tool_call(result.raw)
        request = prep.request
        if request.memory == "off" or not request.record:  # no turn, trace or jobs
            trace = prep.trace(result, tool_call=tool_call, turn_id=None)
            return _reply(turn_id, text, result, trace)
        in_loop = request.messages[-1].role == "tool"
        with session_scope(self.rt.db) as session:
            # the row read before the model call, attached without reading it again: only
            # `last_seen_at` is written (what else changed since stays as the database has it)
            user = (
                session.merge(prep.user, load=False)
                if prep.user is not None
                else session.get(User, prep.user_pk)
            )
            assert user is not None
            touch(session, user)
            persist_steering(session, user, prep.steering, turn_id)
            # the rows are written at commit; the store stage is what it took to prepare them
            prep.clock.lap("store")
            trace = prep.trace(result, tool_call=tool_call, turn_id=turn_id)
            record_turn(
                session,
                turn_id=turn_id,
                user=user,
                user_message=prep.message,
                reply=text,
                model=result.model,
                tier=trace.tier,
                trace=trace.dump(),
                route_score=trace.route.score,
                total_ms=trace.latency_ms.total,
                session_id=request.session_id,
                project=stages.write_project(request),
                # a turn answering tool output: the user's words were extracted at its start
                jobs=() if in_loop else (EXTRACT_JOB,),
                message_vector=None if in_loop else encode_vector(prep.embedding, self.rt.embedder),
            )
        return _reply(turn_id, text, result, trace)


class _Relay:
    """What a stream passes on, shared by `stream` and `astream`: deltas (or chunks) as they
    come, or, with active constraints, everything held until the reply is checked."""

    def __init__(self, rt: Runtime, prep: Prepared, handle: StreamHandle, *, chunks: bool) -> None:
        handle.payload = True
        self.rt, self.prep, self.handle, self.chunks = rt, prep, handle, chunks
        self.buffered = prep.steering.has_checks
        self.parts: list[str] = []
        self.held: list[StreamChunk] = []
        self.tool_call = False

    def take(self, chunk: StreamChunk) -> list[str | StreamChunk]:
        """The items to pass on now for one provider chunk."""
        self.parts.append(chunk.delta)
        self.tool_call = self.tool_call or _calls_tool(chunk.raw)
        if self.buffered:
            self.held.append(chunk)
            return []
        if self.chunks:
            return [chunk]
        return [chunk.delta] if chunk.delta else []

    def verify_args(self) -> tuple[Any, ...]:
        """`stages.verify`'s arguments once the stream ended (the model stage ends here)."""
        prep = self.prep
        prep.clock.lap("model")
        text = "".join(self.parts)
        return (self.rt, prep.request, prep.call, prep.steering, text, self.handle.result)

    def end(self, text: str, reply: ChatReply) -> list[str | StreamChunk | ChatReply]:
        """The held items (or the repaired text), then the reply."""
        items: list[str | StreamChunk | ChatReply] = []
        if self.buffered:
            if self.chunks and text == "".join(self.parts):
                items.extend(self.held)
            elif self.chunks:
                items.append(text)
                items.extend(c for c in self.held if not c.delta)  # the finish, logprobs-free
            else:
                items.append(text)
        items.append(reply)
        return items


def _reply(turn_id: str, text: str, result: ChatResult, trace: Trace) -> ChatReply:
    return ChatReply(
        id=turn_id,
        reply=text,
        model=result.model,
        tier=trace.tier,
        usage=trace.usage,
        trace=trace,
        finish_reason=result.finish_reason,
        raw=result.raw,
    )


def _calls_tool(raw: Mapping[str, JsonValue] | None) -> bool:
    choices = (raw or {}).get("choices")
    for choice in choices if isinstance(choices, list) else []:
        delta = choice.get("delta") if isinstance(choice, dict) else None
        if isinstance(delta, dict) and (delta.get("tool_calls") or delta.get("function_call")):
            return True
    return False
