"""The hot path: one message in, one reply and its trace out.

    user -> profile -> embed -> retrieve -> route -> compile -> call -> verify/repair -> store

Everything but the model call is persona's overhead; each stage's time is in the trace.
No database session is held open during the model call.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from persona import stages
from persona.errors import InvalidInput
from persona.llm.types import StreamChunk
from persona.runtime import Runtime
from persona.steering import Steering, persist_steering, steer
from persona.types import ChatReply, ChatRequest, Usage
from store.db import session_scope
from store.models import Profile, User, new_id
from store.turns import record_turn
from store.users import find_user, get_or_create_user, get_profile, touch


class Clock:
    """Per-stage wall time in milliseconds."""

    def __init__(self) -> None:
        self.start = self._last = time.perf_counter()
        self.ms: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        """Charge the time since the previous lap to `stage`."""
        now = time.perf_counter()
        self.ms[stage] = round(self.ms.get(stage, 0.0) + (now - self._last) * 1000, 2)
        self._last = now

    def total(self) -> float:
        """Milliseconds since the clock started."""
        return round((time.perf_counter() - self.start) * 1000, 2)


@dataclass
class Prepared:
    """Everything decided before the model call."""

    request: ChatRequest
    tenant_id: str
    user_pk: int
    message: str
    call: stages.ModelCall
    trace: dict[str, Any]
    steering: Steering
    clock: Clock = field(default_factory=Clock)


def _memory_trace(request: ChatRequest) -> dict[str, Any]:
    """What the trace says of memory use: the mode, and the project if any."""
    out: dict[str, Any] = {"mode": request.memory}
    if request.project is not None and request.memory != "off":
        out["project"] = request.project
        out["writes_to"] = stages.write_project(request)
    return out


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


class ChatEngine:
    """Answers chat requests for tenants; shared by the REST API, the SDK and the CLI."""

    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

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
            found = None
            if readonly:
                found = find_user(session, tenant_id, request.user)
                user = found or User(id=0, tenant_id=tenant_id, external_id=request.user)
                profile = (found and session.get(Profile, found.id)) or Profile(user_id=0)
            else:
                # read-only for a known user: `last_seen_at` is written with the turn in
                # `_finish`, so no write transaction (SQLite's one writer) spans the stages
                user = get_or_create_user(session, tenant_id, request.user)
                profile = get_profile(session, user)
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
            steering = steer(session, tenant_id, profile, message)
            # a temporary chat saves nothing (standing preferences hold for this reply); a turn
            # answering tool output: the user turn's preferences were saved when it was answered
            if readonly or request.messages[-1].role == "tool":
                steering.new_constraints, steering.new_instructions = [], []
            clock.lap("steer")
            route = stages.route(
                self.rt, session, user, profile, request, message, embedding, tier_override
            )
            clock.lap("route")
            user_pk = user.id
        call = stages.compile_call(
            self.rt, request, profile, steering, memories, route, tier_override
        )
        clock.lap("compile")
        trace: dict[str, Any] = {
            "user": request.user,
            "memory": _memory_trace(request),
            "memories": [m.as_trace() for m in memories],
            "route": route.as_dict(),
            "requested_model": request.model,
            "tier_override": tier_override.override,
            "prompt": call.prompt_trace,
            "steering": steering.as_trace(),
            "request": call.request_trace,
        }
        return Prepared(request, tenant_id, user_pk, message, call, trace, steering, clock)

    def chat(self, tenant_id: str, request: ChatRequest) -> ChatReply:
        """Answer one request (non-streaming)."""
        prep = self.prepare(tenant_id, request)
        result = self.rt.gateway.complete(prep.call.messages, **prep.call.params)
        prep.clock.lap("model")
        text, result = stages.verify(self.rt, prep, result.text, result)
        prep.clock.lap("verify")
        return self._finish(prep, text, result)

    def stream(
        self, tenant_id: str, request: ChatRequest, *, chunks: bool = False
    ) -> Iterator[Any]:
        """Yield text deltas, then the final `ChatReply` (whose text may be repaired).

        With active constraints the reply is buffered, checked and repaired before any of it is
        sent, so a streaming client only ever sees compliant text; otherwise deltas pass through.
        With `chunks=True` the provider's `StreamChunk`s are yielded instead of text (tool-call
        deltas, logprobs, finish reasons), and a repaired text as one `str`.
        """
        prep = self.prepare(tenant_id, request)
        handle = self.rt.gateway.stream(prep.call.messages, **prep.call.params)
        handle.payload = True
        buffered = prep.steering.has_checks
        parts: list[str] = []
        held: list[StreamChunk] = []
        tool_call = False
        for chunk in handle:
            parts.append(chunk.delta)
            tool_call = tool_call or _calls_tool(chunk.raw)
            if buffered:
                held.append(chunk)
            elif chunks:
                yield chunk
            elif chunk.delta:
                yield chunk.delta
        prep.clock.lap("model")
        text, result = stages.verify(
            self.rt, prep, "".join(parts), handle.result, tool_call=tool_call
        )
        prep.clock.lap("verify")
        reply = self._finish(prep, text, result, tool_call=tool_call)
        if buffered:
            if chunks and text == "".join(parts):
                yield from held
            elif chunks:
                yield text
                yield from (c for c in held if not c.delta)  # the finish, logprobs-free
            else:
                yield text
        yield reply

    def _finish(
        self, prep: Prepared, text: str, result: Any, *, tool_call: bool | None = None
    ) -> ChatReply:
        usage = Usage(
            prompt_tokens=result.usage.prompt_tokens,
            completion_tokens=result.usage.completion_tokens,
            total_tokens=result.usage.total_tokens,
        )
        trace = prep.trace
        trace.update(
            {
                "model": result.model,
                "tier": prep.call.tier,
                "usage": usage.model_dump(),
                "cost_usd": result.cost_usd,
                "attempts": result.attempts,
            }
        )
        turn_id = new_id()
        if tool_call is None:
            tool_call = stages.has_tool_call(result.raw)
        trace["reply_kind"] = "tool_call" if tool_call else "text"
        in_loop = prep.request.messages[-1].role == "tool"
        if prep.request.memory == "off" or not prep.request.record:  # no turn, trace or jobs
            trace["turn_id"] = None
            trace["latency_ms"] = {**prep.clock.ms, "total": prep.clock.total()}
            return ChatReply(
                id=turn_id,
                reply=text,
                model=result.model,
                tier=prep.call.tier,
                usage=usage,
                trace=trace,
                finish_reason=result.finish_reason,
                raw=result.raw,
            )
        with session_scope(self.rt.db) as session:
            user = session.get(User, prep.user_pk)
            assert user is not None
            touch(session, user)
            persist_steering(session, user, prep.steering, turn_id)
            trace["turn_id"] = turn_id
            _, trace_row = record_turn(
                session,
                turn_id=turn_id,
                user=user,
                user_message=prep.message,
                reply=text,
                model=result.model,
                tier=prep.call.tier,
                trace=trace,
                route_score=trace["route"].get("score"),
                session_id=prep.request.session_id,
                project=stages.write_project(prep.request),
                # a turn answering tool output: the user's words were extracted at its start
                jobs=() if in_loop else ("extract",),
            )
            # the rows are inserted at commit, so the stored trace includes the store stage
            prep.clock.lap("store")
            trace["latency_ms"] = {**prep.clock.ms, "total": prep.clock.total()}
            trace_row.total_ms = trace["latency_ms"]["total"]
        return ChatReply(
            id=turn_id,
            reply=text,
            model=result.model,
            tier=prep.call.tier,
            usage=usage,
            trace=trace,
            finish_reason=result.finish_reason,
            raw=result.raw,
        )


def _calls_tool(raw: dict[str, Any] | None) -> bool:
    for choice in (raw or {}).get("choices") or []:
        delta = choice.get("delta") or {}
        if delta.get("tool_calls") or delta.get("function_call"):
            return True
    return False
