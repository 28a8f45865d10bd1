"""FastAPI dependencies as `Annotated` aliases: runtime, engine, authenticated tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.ratelimit import enforce_rate_limit
from persona.engine import ChatEngine
from persona.errors import Unauthorized
from persona.runtime import Runtime
from store.db import session_scope
from store.models import Tenant
from store.tenants import cached_tenant_by_key


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


def get_tenant(request: Request, runtime: Annotated[Runtime, Depends(get_runtime)]) -> Tenant:
    """The tenant that owns the request's API key, or 401."""
    key = bearer_key(request)
    with session_scope(runtime.db) as session:
        tenant = cached_tenant_by_key(session, key)
    if tenant is None:
        raise Unauthorized(
            "invalid API key (keys look like 'psn_...'; "
            "create one with `persona tenants create NAME`)"
        )
    request.state.tenant_id = tenant.id
    enforce_rate_limit(request, tenant.id)
    return tenant


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
EngineDep = Annotated[ChatEngine, Depends(get_engine)]
TenantDep = Annotated[Tenant, Depends(get_tenant)]
