"""Memory controls over REST and the HTTP SDK: suppress, temporary chat, project scope."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from persona.client import PersonaClient
from tests.api.conftest import LiveServer
from tests.fakes.provider import FakeProvider

FAST, REASONING = "openai/fast-fake", "openai/reasoning-fake"


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    return live_server(
        fast_model=FAST,
        reasoning_model=REASONING,
        model_endpoints={FAST: endpoint, REASONING: endpoint},
        max_retries=0,
        reask=False,
    )


def _chat(
    srv: LiveServer, user: str, text: str, headers: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}", **(headers or {})},
        json={"user": user, "messages": [{"role": "user", "content": text}], **extra},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _system(reply: dict[str, Any]) -> str:
    return str(reply["persona"]["prompt"]["system"])


def test_suppressed_memory_leaves_the_prompt_and_comes_back(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        mem = client.memories("ann")
        dog = mem.add("Has a dog called Rex", attribute="pet")
        secret = mem.add("Is recovering from surgery", attribute="health")
        assert "recovering from surgery" in _system(_chat(srv, "ann", "hello"))

        out = mem.suppress(secret["id"], reason="private")
        assert out["suppressed_at"] is not None and out["invalid_at"] is None
        system = _system(_chat(srv, "ann", "how is my surgery recovery going?"))
        assert "recovering from surgery" not in system and "Rex" in system
        assert [m["id"] for m in mem.list()] == [dog["id"], secret["id"]]
        exported = {m["id"]: m for m in mem.export()["memories"]}
        assert exported[secret["id"]]["suppressed_at"] == out["suppressed_at"]
        assert [h["op"] for h in mem.history(secret["id"])] == ["add", "suppress"]

        assert mem.unsuppress(secret["id"])["suppressed_at"] is None
        assert "recovering from surgery" in _system(_chat(srv, "ann", "hello again"))
        assert [h["op"] for h in mem.history(secret["id"])] == ["add", "suppress", "unsuppress"]


def test_suppress_an_unknown_memory_is_404(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        client.memories("ann").add("Likes tea")
    r = httpx.post(
        f"{srv.url}/v1/users/ann/memories/nope/suppress",
        headers={"Authorization": f"Bearer {srv.api_key}"},
    )
    assert r.status_code == 404
