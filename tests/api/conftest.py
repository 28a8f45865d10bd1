"""A real `persona` server on loopback, for HTTP-level tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
import openai
import pytest
import uvicorn

from api.app import create_app
from persona.config import Settings
from persona.embed import HashEmbedder
from persona.runtime import Runtime
from store.db import session_scope
from store.tenants import create_tenant
from tests.fakes.provider import FakeProvider

C = TypeVar("C", openai.OpenAI, httpx.Client)


@dataclass
class LiveServer:
    """A running server: its base URL, a tenant key, and the runtime behind it."""

    url: str
    api_key: str
    runtime: Runtime
    # clients made for this server, closed when it stops: a pooled connection left to the
    # garbage collector warns (unclosed socket) in whichever later test it is collected
    clients: list[openai.OpenAI | httpx.Client] = field(default_factory=list)

    def track(self, client: C) -> C:
        """`client`, closed with the server."""
        self.clients.append(client)
        return client


def start_server(runtime: Runtime) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Run the app on 127.0.0.1 with a free port; returns the server, its thread and URL."""
    config = uvicorn.Config(create_app(runtime), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, thread, f"http://127.0.0.1:{port}"


@pytest.fixture
def live_server(sqlite_url: str) -> Iterator[Callable[..., LiveServer]]:
    """Factory: `live_server(**settings)` starts a server with those settings on a fresh DB."""
    running: list[tuple[uvicorn.Server, threading.Thread, LiveServer]] = []

    def make(
        embedder: object | None = None, gateway: object | None = None, **overrides: object
    ) -> LiveServer:
        values = {"database_url": sqlite_url, "background_worker": False, **overrides}
        settings = Settings(**values)  # type: ignore[arg-type]
        runtime = Runtime.build(
            settings,
            embedder=embedder or HashEmbedder(),  # type: ignore[arg-type]
            gateway=gateway,  # type: ignore[arg-type]
            upgrade=True,
        )
        with session_scope(runtime.db) as session:
            _, key = create_tenant(session, "test-app")
        server, thread, url = start_server(runtime)
        live = LiveServer(url=url, api_key=key, runtime=runtime)
        running.append((server, thread, live))
        return live

    yield make
    for server, thread, live in running:
        for client in live.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=10)
        live.runtime.close()


FAST, REASONING = "openai/fast-fake", "openai/o4-mini-fake"


def in_front_of(
    fake: FakeProvider, live_server: Callable[..., LiveServer], **overrides: object
) -> LiveServer:
    """A server in front of `fake` (both tiers), no retries, no re-asks, then `overrides`."""
    endpoint = {"api_base": fake.url, "api_key": "sk-fake"}
    settings: dict[str, object] = {
        "fast_model": FAST,
        "reasoning_model": REASONING,
        "model_endpoints": {FAST: endpoint, REASONING: endpoint},
        "max_retries": 0,
        "reask": False,
    }
    return live_server(**{**settings, **overrides})


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    """`in_front_of` the fake provider; a module needing other settings defines its own `srv`."""
    return in_front_of(fake_provider, live_server)


def openai_client(srv: LiveServer) -> openai.OpenAI:
    """The official client pointed at `srv`, without retries (closed with the server)."""
    return srv.track(openai.OpenAI(base_url=f"{srv.url}/v1", api_key=srv.api_key, max_retries=0))


def api_request(srv: LiveServer, method: str, path: str, **kw: object) -> httpx.Response:
    """A raw HTTP call to `srv` with the tenant key."""
    return httpx.request(
        method,
        f"{srv.url}{path}",
        headers={"Authorization": f"Bearer {srv.api_key}"},
        **kw,  # type: ignore[arg-type]
    )
