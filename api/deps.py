"""FastAPI dependencies as `Annotated` aliases: runtime, engine, authenticated tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from api.ratelimit import aenforce_rate_limit
from persona.engine import ChatEngine
from persona.errors import Unauthorized
from persona.runtime import Runtime
from store.db import session_scope
from store.models import Tenant
from store.tenants import cached_tenant, cached_tenant_by_key


def get_runtime(request: Request) -> Runtime:
    """The process's runtime (built at start-up)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_engine(request: Request) -> ChatEngine:
    """The chat engine."""
    engine: ChatEngine = request.app.state.engine
    return engine


def bearer_key(request: Request) -> str:
    """The API key from `Authorization: Bearer ...`, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("missing API key: send it as 'Authorization: Bearer <key>'")
    return key.strip()


async def get_tenant(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Tenant:
    """The tenant that owns the request's API key, or 401.

    On the event loop: a key this process has seen is answered from its cache; only a
    database lookup (and a shared rate limiter) goes to a thread."""
    key = bearer_key(request)
    tenant = cached_tenant(key)
    if tenant is None:
        tenant = await run_in_threadpool(_lookup, runtime, key)
    if tenant is None:
        raise Unauthorized(
            "invalid API key (keys look like 'psn_...'; "
            "create one with `persona tenants create NAME`)"
        )
    request.state.tenant_id = tenant.id
    await aenforce_rate_limit(request, tenant.id)
    return tenant


def _lookup(runtime: Runtime, key: str) -> Tenant | None:
    with session_scope(runtime.db) as session:
        return cached_tenant_by_key(session, key)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
EngineDep = Annotated[ChatEngine, Depends(get_engine)]
TenantDep = Annotated[Tenant, Depends(get_tenant)]
