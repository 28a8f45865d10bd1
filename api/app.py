"""The FastAPI application: OpenAI-compatible chat, user resources, admin, health."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api import errors
from api.bodylimit import BodyLimit
from api.nulguard import NulGuard
from api.requestid import RequestId
from api.routes import admin, chat, feedback, health, memories, profiles, proposals, responses
from persona.bootstrap import first_start_key
from persona.config import Settings, get_settings
from persona.engine import ChatEngine
from persona.runtime import Runtime

if TYPE_CHECKING:
    from persona.memory.jobs import Worker

log = logging.getLogger("persona.api")


def create_app(runtime: Runtime | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app; with no `runtime`, one is built from settings at start-up."""
    settings = runtime.settings if runtime else settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        rt = runtime or Runtime.build(settings)
        if runtime is None:
            rt.warm_up()
        app.state.runtime = rt
        app.state.engine = ChatEngine(rt)
        key = first_start_key(rt.db)
        if key is not None:
            print(
                "persona: created tenant 'local'. Its API key (shown only this once):\n"
                f"  {key}\n"
                "Use it as 'Authorization: Bearer <key>'.",
                flush=True,
            )
        worker = _start_worker(rt) if settings.background_worker else None
        try:
            yield
        finally:
            if worker is not None:
                worker.stop()
            if runtime is None:
                rt.close()

    app = FastAPI(
        title="persona",
        version="0.1.0",
        summary="Personalization and steerability middleware for LLM chat.",
        lifespan=lifespan,
    )
    errors.install(app)
    app.add_middleware(NulGuard)  # inside the body limit: it reads bounded bodies only
    app.add_middleware(BodyLimit, limit=settings.max_request_bytes)
    app.add_middleware(RequestId)  # outside the body limit: its refusals carry an id too
    if settings.cors_origins:  # added last, so outermost: refusals carry CORS headers too
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )

    for module in (health, chat, responses, profiles, proposals, memories, feedback):
        app.include_router(module.router)
    admin.include(app, settings)
    return app


def serve_app() -> FastAPI:
    """The app of one `persona serve` API process: its own runtime, no in-process worker
    (`persona serve` runs the background worker as a process of its own)."""
    settings = get_settings().model_copy(update={"background_worker": False})
    return create_app(settings=settings)


def _start_worker(rt: Runtime) -> Worker:
    from persona.worker import start_worker

    return start_worker(rt)
