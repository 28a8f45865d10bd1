"""First-start set-up: the `local` tenant used by the embedded SDK and a fresh server."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from store.db import session_scope
from store.models import Tenant
from store.tenants import create_tenant, list_tenants, tenant_by_name

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
