"""Admin API: who am I, tenants (list, create, rotate key, disable), stats, audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.admin_deps import AdminDep, Limit, Offset
from api.deps import RuntimeDep
from persona.admin import corrections, queries, stats
from persona.admin.audit import list_audit
from store.db import session_scope

router = APIRouter(prefix="/admin/v1", tags=["admin"])

Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class TenantCreate(BaseModel):
    """A new tenant."""

    name: str = Field(min_length=1, max_length=200)


class ReasonBody(BaseModel):
    """Why an admin made a change (recorded in the audit log)."""

    reason: Reason


class TenantDisable(BaseModel):
    """Disable or re-enable a tenant."""

    disabled: bool = True
    reason: Reason


@router.get("/me")
def whoami(admin: AdminDep) -> dict[str, Any]:
    """The calling admin: global, or scoped to one tenant."""
    return {
        "admin": admin.label,
        "scope": "global" if admin.is_global else "tenant",
        "tenant_id": admin.tenant_id,
    }


@router.get("/tenants")
def tenants(admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Tenants this admin may see, with user counts."""
    with session_scope(runtime.db) as session:
        return {"data": queries.list_tenants(session, admin.tenant_id)}


@router.post("/tenants", status_code=201)
def create_tenant(body: TenantCreate, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    """Create a tenant (global admins only); the API key is in the response, only this once."""
    admin.require_global()
    with session_scope(runtime.db) as session:
        return corrections.create_tenant_audited(session, admin=admin.label, name=body.name)


@router.get("/tenants/{tenant_id}")
def tenant(tenant_id: str, admin: AdminDep, runtime: RuntimeDep) -> dict[str, Any]:
    """One tenant."""
    with session_scope(runtime.db) as session:
        rows = queries.list_tenants(session, admin.check_tenant(tenant_id))
        if not rows:
            queries.get_tenant(session, tenant_id)  # raises NotFound
        return rows[0]


@router.post("/tenants/{tenant_id}/rotate-key")
def rotate_key(
    tenant_id: str, body: ReasonBody, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Replace the tenant's API key; the new key is in the response, only this once."""
    with session_scope(runtime.db) as session:
        return corrections.rotate_tenant_key(
            session, admin=admin.label, tenant_id=admin.check_tenant(tenant_id), reason=body.reason
        )


@router.post("/tenants/{tenant_id}/disable")
def disable(
    tenant_id: str, body: TenantDisable, admin: AdminDep, runtime: RuntimeDep
) -> dict[str, Any]:
    """Disable (`disabled: true`) or re-enable a tenant; a disabled tenant's key is refused."""
    with session_scope(runtime.db) as session:
        return corrections.set_tenant_disabled(
            session,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            disabled=body.disabled,
            reason=body.reason,
        )


@router.get("/tenants/{tenant_id}/stats")
def tenant_stats(
    tenant_id: str, admin: AdminDep, runtime: RuntimeDep, user: str | None = None
) -> dict[str, Any]:
    """Aggregates: reasoning share, compliance per constraint type, memories, latency.
    With `?user=U`, over that user's messages only (compliance per user)."""
    with session_scope(runtime.db) as session:
        return stats.tenant_stats(session, admin.check_tenant(tenant_id), user)


@router.get("/audit")
def audit(
    admin: AdminDep,
    runtime: RuntimeDep,
    tenant_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The audit log, newest first (a scoped admin sees only its tenant's entries)."""
    if admin.tenant_id is not None:
        tenant_id = admin.check_tenant(tenant_id or admin.tenant_id)
    with session_scope(runtime.db) as session:
        return {"data": list_audit(session, tenant_id, limit, offset)}
