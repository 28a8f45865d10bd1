"""One contract, two transports: `Persona` in-process and `PersonaClient` against a real server
answer the same calls with the same results (both in front of the fake provider)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from persona import ChatReply, Conflict, MemoryPublic, NotFound, Persona, PersonaClient, Usage
from persona.public import MemorySnapshot
from tests.api.conftest import LiveServer
from tests.factories import plain_trace
from tests.fakes.provider import FakeProvider, ok

FAST = "openai/fast-fake"


@pytest.fixture(params=["in-process", "http"])
def sdk(
    request: pytest.FixtureRequest,
    sqlite_url: str,
    live_server: Callable[..., LiveServer],
    fake_provider: FakeProvider,
) -> Iterator[Any]:
    settings: dict[str, Any] = {
        "fast_model": FAST,
        "reasoning_model": FAST,
        "model_endpoints": {FAST: {"api_base": fake_provider.url, "api_key": "sk-fake"}},
        "max_retries": 0,
        "reask": False,
    }
    if request.param == "in-process":
        with Persona(sqlite_url, **settings) as p:
            yield p
    else:
        srv = live_server(**settings)
        with PersonaClient(srv.url, srv.api_key) as client:
            yield client


def _expected(sdk: Any, reply: ChatReply, text: str, usage: Usage, system: str) -> ChatReply:
    assert reply.trace.turn_id is not None
    # over HTTP the user travels as the OpenAI `user` field, which is forwarded upstream
    forwarded = ("user",) if isinstance(sdk, PersonaClient) else ()
    trace = plain_trace(
        reply.trace, user="ann", model=FAST, usage=usage, system=system, forwarded=forwarded
    )
    return ChatReply(
        id=reply.trace.turn_id,
        reply=text,
        model=FAST,
        tier="fast",
        usage=usage,
        trace=trace,
        finish_reason="stop",
    )


def test_chat_and_stream(sdk: Any, fake_provider: FakeProvider) -> None:
    fake_provider.script(
        ok("hello you", prompt_tokens=30, completion_tokens=2),
        ok("streamed hello", prompt_tokens=31, completion_tokens=2),
    )
    reply = sdk.chat("ann", "hi", model="persona/fast")
    system = fake_provider.requests[0].body["messages"][0]["content"]
    usage = Usage(prompt_tokens=30, completion_tokens=2, total_tokens=32)
    assert reply.model_copy(update={"raw": None}) == _expected(
        sdk, reply, "hello you", usage, system
    )
    *deltas, final = list(sdk.stream("ann", "hi again", model="persona/fast"))
    assert deltas == ["streamed ", "hello"]
    usage = Usage(prompt_tokens=31, completion_tokens=2, total_tokens=33)
    assert final.model_copy(update={"raw": None}) == _expected(
        sdk, final, "streamed hello", usage, system
    )


def test_memories(sdk: Any) -> None:
    mem = sdk.memories("ben")
    added = mem.add("Ben lives in Lisbon")
    at = added.created_at
    assert added == MemoryPublic(
        id=added.id,
        kind="fact",
        text="Ben lives in Lisbon",
        importance=0.5,
        scope="user",
        actor="api",
        valid_from=at,
        created_at=at,
        updated_at=at,
        state="valid",
    )
    assert mem.get(added.id) == added
    assert mem.list() == [added]
    changed = mem.update(added.id, text="Ben lives in Porto")
    assert changed == added.model_copy(
        update={"text": "Ben lives in Porto", "updated_at": changed.updated_at}
    )
    forgotten = mem.delete(added.id, reason="moved away")
    assert forgotten == changed.model_copy(
        update={
            "invalid_at": forgotten.invalid_at,
            "updated_at": forgotten.invalid_at,
            "state": "forgotten",
        }
    )
    assert mem.list() == []
    assert [(h.op, h.reason, h.before, h.after) for h in mem.history(added.id)] == [
        ("add", "new memory", None, MemorySnapshot(**added.model_dump(exclude={"state"}))),
        (
            "update",
            "updated",
            MemorySnapshot(**added.model_dump(exclude={"state"})),
            MemorySnapshot(**changed.model_dump(exclude={"state"})),
        ),
        (
            "invalidate",
            "moved away",
            MemorySnapshot(**changed.model_dump(exclude={"state"})),
            MemorySnapshot(**forgotten.model_dump(exclude={"state"})),
        ),
    ]
    with pytest.raises(Conflict, match="no longer valid"):
        mem.update(added.id, text="Ben lives in Faro")
    with pytest.raises(NotFound):
        mem.get("mem_missing")


def test_unknown_model(sdk: Any) -> None:
    with pytest.raises(NotFound, match="the model 'nope' does not exist"):
        sdk.chat("cid", "hi", model="nope")
