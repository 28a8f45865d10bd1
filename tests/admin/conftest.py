"""An admin-enabled persona server on loopback, seeded with known data."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from persona.config import Settings
from persona.embed import HashEmbedder
from persona.runtime import Runtime
from tests.admin.seed import seed

ENV_ADMIN_KEY = "env-admin-key-0123456789abcdef"


@dataclass
class AdminServer:
    """A running server, its admin keys (`env`, `global`, `acme`, `globex`) and runtime."""

    url: str
    keys: dict[str, str]
    runtime: Runtime
    app: FastAPI

    def client(self, key: str | None = None) -> httpx.Client:
        """An HTTP client for this server, authenticated with `keys[key]` (or none)."""
        headers = {"Authorization": f"Bearer {self.keys[key]}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def serve(app: FastAPI) -> tuple[uvicorn.Server, threading.Thread, str]:
    """Run `app` on 127.0.0.1 with a free port."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
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
def admin_server(sqlite_url: str) -> Iterator[Callable[..., AdminServer]]:
    """Factory: `admin_server(seeded=True, chat=False, embedder=None, **settings)`."""
    running: list[tuple[uvicorn.Server, threading.Thread, Runtime]] = []

    def make(
        seeded: bool = True,
        chat: bool = False,
        embedder: object | None = None,
        extra: dict[str, object] | None = None,
        **overrides: object,
    ) -> AdminServer:
        values = {
            "database_url": sqlite_url,
            "background_worker": False,
            "admin_key": ENV_ADMIN_KEY,
            **overrides,
        }
        from api.app import create_app

        settings = Settings(**values)  # type: ignore[arg-type]
        if extra:  # settings the lead has not added to Settings yet
            settings = settings.model_copy(update=extra)
        runtime = Runtime.build(
            settings,
            embedder=embedder or HashEmbedder(),  # type: ignore[arg-type]
            # chat=True: the real gateway, built from the settings; otherwise no model is called
            gateway=None if chat else object(),  # type: ignore[arg-type]
            upgrade=True,
        )
        keys = {"env": ENV_ADMIN_KEY} if settings.admin_key else {}
        if seeded:
            keys.update(seed(runtime.db, runtime.embedder))
        app = create_app(runtime)  # mounts the admin routes (`api.routes.admin.include`)
        server, thread, url = serve(app)
        running.append((server, thread, runtime))
        return AdminServer(url=url, keys=keys, runtime=runtime, app=app)

    yield make
    for server, thread, runtime in running:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.close()
