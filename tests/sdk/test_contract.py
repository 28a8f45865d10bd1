"""One contract, two transports: `Persona` in-process and `PersonaClient` against a real server
answer the same calls with the same results (both in front of the fake provider)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from persona import ChatReply, Conflict, NotFound, Persona, PersonaClient, Usage
from tests.api.conftest import LiveServer
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


def _expected(reply: ChatReply, text: str) -> ChatReply:
    return ChatReply(
        id=reply.trace["turn_id"],
        reply=text,
        model=FAST,
        tier="fast",
        usage=Usage(**reply.trace["usage"]),
        trace=reply.trace,
        finish_reason="stop",
    )


def test_chat_and_stream(sdk: Any, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("hello you"), ok("streamed hello"))
    reply = sdk.chat("ann", "hi", model="persona/fast")
    assert reply.model_copy(update={"raw": None}) == _expected(reply, "hello you")
    *deltas, final = list(sdk.stream("ann", "hi again", model="persona/fast"))
    assert deltas == ["streamed ", "hello"]
    assert final.model_copy(update={"raw": None}) == _expected(final, "streamed hello")


def test_memories(sdk: Any) -> None:
    mem = sdk.memories("ben")
    added = mem.add("Ben lives in Lisbon")
    assert (added.text, added.kind) == ("Ben lives in Lisbon", "fact")
    assert mem.get(added.id) == added
    assert mem.list() == [added]
    changed = mem.update(added.id, text="Ben lives in Porto")
    assert (changed.id, changed.text) == (added.id, "Ben lives in Porto")
    mem.delete(added.id, reason="moved away")
    assert mem.list() == []
    with pytest.raises(Conflict, match="no longer valid"):
        mem.update(added.id, text="Ben lives in Faro")
    with pytest.raises(NotFound):
        mem.get("mem_missing")


def test_unknown_model(sdk: Any) -> None:
    with pytest.raises(NotFound, match="the model 'nope' does not exist"):
        sdk.chat("cid", "hi", model="nope")
