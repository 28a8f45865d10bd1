"""Admin API: who am I, tenants (list, create, rotate key, disable), stats, audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.admin_deps import AdminDep, Limit, Offset
from api.deps import RuntimeDep
from persona.admin import corrections, queries, stats
from persona.admin.audit import list_audit
from persona.admin.stats import TenantStats
from persona.public import (
    AdminIdentity,
    AuditEntry,
    Page,
    TenantCreated,
    TenantKey,
    TenantListed,
    TenantPublic,
)
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
def whoami(admin: AdminDep) -> AdminIdentity:
    """The calling admin: global, or scoped to one tenant."""
    return AdminIdentity(
        admin=admin.label,
        scope="global" if admin.is_global else "tenant",
        tenant_id=admin.tenant_id,
    )


@router.get("/tenants")
def tenants(admin: AdminDep, runtime: RuntimeDep) -> Page[TenantListed]:
    """Tenants this admin may see, with user counts."""
    with session_scope(runtime.db) as session:
        rows = queries.list_tenants(session, admin.tenant_id)
    return Page[TenantListed].model_validate({"data": rows})


@router.post("/tenants", status_code=201)
def create_tenant(body: TenantCreate, admin: AdminDep, runtime: RuntimeDep) -> TenantCreated:
    """Create a tenant (global admins only); the API key is in the response, only this once."""
    admin.require_global()
    with session_scope(runtime.db) as session:
        created = corrections.create_tenant_audited(session, admin=admin.label, name=body.name)
    return TenantCreated.model_validate(created)


@router.get("/tenants/{tenant_id}")
def tenant(tenant_id: str, admin: AdminDep, runtime: RuntimeDep) -> TenantListed:
    """One tenant."""
    with session_scope(runtime.db) as session:
        rows = queries.list_tenants(session, admin.check_tenant(tenant_id))
        if not rows:
            queries.get_tenant(session, tenant_id)  # raises NotFound
    return TenantListed.model_validate(rows[0])


@router.post("/tenants/{tenant_id}/rotate-key")
def rotate_key(tenant_id: str, body: ReasonBody, admin: AdminDep, runtime: RuntimeDep) -> TenantKey:
    """Replace the tenant's API key; the new key is in the response, only this once."""
    with session_scope(runtime.db) as session:
        rotated = corrections.rotate_tenant_key(
            session, admin=admin.label, tenant_id=admin.check_tenant(tenant_id), reason=body.reason
        )
    return TenantKey.model_validate(rotated)


@router.post("/tenants/{tenant_id}/disable")
def disable(
    tenant_id: str, body: TenantDisable, admin: AdminDep, runtime: RuntimeDep
) -> TenantPublic:
    """Disable (`disabled: true`) or re-enable a tenant; a disabled tenant's key is refused."""
    with session_scope(runtime.db) as session:
        changed = corrections.set_tenant_disabled(
            session,
            admin=admin.label,
            tenant_id=admin.check_tenant(tenant_id),
            disabled=body.disabled,
            reason=body.reason,
        )
    return TenantPublic.model_validate(changed)


@router.get("/tenants/{tenant_id}/stats")
def tenant_stats(
    tenant_id: str, admin: AdminDep, runtime: RuntimeDep, user: str | None = None
) -> TenantStats:
    """Aggregates: reasoning share, compliance per constraint type, memories, latency.
    With `?user=U`, over that user's messages only (compliance per user)."""
    with session_scope(runtime.db) as session:
        data = stats.tenant_stats(session, admin.check_tenant(tenant_id), user)
    return TenantStats.model_validate(data)


@router.get("/audit")
def audit(
    admin: AdminDep,
    runtime: RuntimeDep,
    tenant_id: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AuditEntry]:
    """The audit log, newest first (a scoped admin sees only its tenant's entries)."""
    if admin.tenant_id is not None:
        tenant_id = admin.check_tenant(tenant_id or admin.tenant_id)
    with session_scope(runtime.db) as session:
        rows = list_audit(session, tenant_id, limit, offset)
    return Page[AuditEntry].model_validate({"data": rows})
