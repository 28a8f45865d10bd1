"""Tenants outside a request: the `local` tenant of the embedded SDK and a fresh server, a new
tenant, and the tenant a command names (by name or id; the only one when none is named)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from persona.errors import Conflict, InvalidInput, NotFound
from store.db import session_scope
from store.models import Tenant
from store.tenants import TenantExists, create_tenant, list_tenants, tenant_by_name

LOCAL_TENANT = "local"


def local_tenant(db: Engine) -> tuple[Tenant, str | None]:
    """The `local` tenant, created if missing; its API key is returned only when just created."""
    with session_scope(db) as session:
        tenant = tenant_by_name(session, LOCAL_TENANT)
        if tenant is not None:
            return tenant, None
        return create_tenant(session, LOCAL_TENANT)


def first_start_key(db: Engine) -> str | None:
    """On a database with no tenant at all, create `local` and return its key (shown once)."""
    with session_scope(db) as session:
        if list_tenants(session):
            return None
    return local_tenant(db)[1]


def find_tenant(session: Session, name: str | None) -> Tenant:
    """The tenant called `name` (or with that id); with no name, the only tenant.

    NotFound when there is no such tenant or none at all, InvalidInput when several exist and
    none is named: the one lookup, and the one set of messages, of every command.
    """
    if name:
        tenant = tenant_by_name(session, name) or session.get(Tenant, name)
        if tenant is None:
            raise NotFound(f"no tenant named {name!r} (see `persona tenants list`)")
        return tenant
    tenants = list_tenants(session)
    if not tenants:
        raise NotFound("there are no tenants yet: create one with `persona tenants create NAME`")
    if len(tenants) > 1:
        names = ", ".join(t.name for t in tenants)
        raise InvalidInput(f"several tenants exist ({names}): choose one with --tenant NAME")
    return tenants[0]


def new_tenant(session: Session, name: str) -> tuple[Tenant, str]:
    """Create the tenant `name` (1-200 characters, unused); returns it and its API key, the
    only time the key is visible. The admin API and `persona tenants create` both call this."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a tenant name must be 1-200 characters", param="name")
    try:
        return create_tenant(session, name)
    except TenantExists as exc:
        raise Conflict(f"a tenant named {name!r} already exists") from exc
