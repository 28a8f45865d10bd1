"""`PersonaClient` against a real `persona serve` on loopback (the fake provider upstream)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from persona import (
    ChatReply,
    Conflict,
    InvalidInput,
    NotFound,
    PersonaClient,
    ProviderError,
    ProviderTimeout,
    RateLimited,
    Unauthorized,
    Usage,
)
from tests.api.conftest import LiveServer
from tests.factories import plain_trace
from tests.fakes.provider import FakeProvider, error, hang, ok

FAST = "openai/fast-fake"


@pytest.fixture
def server(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    return _server(live_server, fake_provider)


def _server(
    live_server: Callable[..., LiveServer], fake: FakeProvider, **settings: Any
) -> LiveServer:
    endpoint = {"api_base": fake.url, "api_key": "sk-fake"}
    values: dict[str, Any] = {
        "fast_model": FAST,
        "reasoning_model": FAST,
        "model_endpoints": {FAST: endpoint},
        "max_retries": 0,
        "reask": False,
        **settings,
    }
    return live_server(**values)


class Counting(httpx.HTTPTransport):
    """A real transport that counts the requests it carried."""

    def __init__(self) -> None:
        super().__init__()
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return super().handle_request(request)


def test_chat_achat_and_stream_use_the_one_client_and_its_transport(
    server: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(
        ok("one reply", prompt_tokens=40, completion_tokens=2),
        ok("two reply"),
        ok("three word reply", prompt_tokens=41, completion_tokens=3),
    )
    transport = Counting()
    with PersonaClient(server.url, server.api_key, transport=transport) as client:
        reply = client.chat("alice", "hi there", model="persona/fast")
        areply = asyncio.run(client.achat("alice", "hi again"))
        items = list(client.stream("alice", "and once more"))
    assert transport.requests == 3
    system = fake_provider.requests[0].body["messages"][0]["content"]
    usage = Usage(prompt_tokens=40, completion_tokens=2, total_tokens=42)
    assert reply.id == reply.trace.turn_id
    assert reply == ChatReply(
        id=reply.id,
        reply="one reply",
        model=FAST,
        tier="fast",
        usage=usage,
        trace=plain_trace(reply.trace, user="alice", model=FAST, usage=usage, system=system),
        finish_reason="stop",
    )
    assert areply.reply == "two reply" and areply.id == areply.trace.turn_id
    *deltas, final = items
    assert deltas == ["three ", "word ", "reply"]
    assert isinstance(final, ChatReply)
    usage = Usage(prompt_tokens=41, completion_tokens=3, total_tokens=44)
    assert final == ChatReply(
        id=final.id,
        reply="three word reply",
        model=FAST,
        tier=final.route.tier,  # persona/auto: the classifier's
        usage=usage,
        trace=plain_trace(
            final.trace,
            user="alice",
            model=FAST,
            usage=usage,
            system=system,
            requested_model="persona/auto",
            turn_id=final.id,
        ),
        finish_reason="stop",
    )
    with pytest.raises(RuntimeError):  # closed with the context manager
        client.chat("alice", "after close")


def test_memories_crud(server: LiveServer) -> None:
    with PersonaClient(server.url, server.api_key) as client:
        mem = client.memories("bob")
        added = mem.add("Bob lives in Lisbon")
        assert mem.get(added.id) == added
        assert [m.id for m in mem.list()] == [added.id]
        changed = mem.update(added.id, text="Bob lives in Porto")
        assert changed.text == "Bob lives in Porto"
        assert [h.op for h in mem.history(added.id)][:1] == ["add"]
        mem.delete(added.id, reason="moved away")
        assert mem.list() == []
        with pytest.raises(Conflict, match="no longer valid"):
            mem.update(added.id, text="Bob lives in Faro")
        with pytest.raises(NotFound):
            mem.get("mem_missing")
        assert mem.purge()["memories"] == 1


def test_errors_map_to_their_classes(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    srv = _server(
        live_server, fake_provider, request_timeout_s=0.5, rate_limit_burst=8, max_message_chars=50
    )
    with PersonaClient(srv.url, "wrong-key") as bad, pytest.raises(Unauthorized):
        bad.chat("carl", "hi")
    with PersonaClient(srv.url, srv.api_key) as client:
        with pytest.raises(NotFound, match="the model 'nope' does not exist"):
            client.chat("carl", "hi", model="nope")
        with pytest.raises(InvalidInput, match="the limit is 50"):
            client.chat("carl", "x" * 60)
        fake_provider.script(error(500, "upstream broke"))
        with pytest.raises(ProviderError) as failed:
            client.chat("carl", "hi")
        assert type(failed.value) is ProviderError
        fake_provider.script(hang(3))
        with pytest.raises(ProviderTimeout):
            client.chat("carl", "hi")
        with pytest.raises(RateLimited) as limited:
            for _ in range(20):
                client.memories("carl").list()
        assert limited.value.retry_after >= 1
