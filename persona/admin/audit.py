"""The admin audit log: one row per correction (who, what, when, why)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from persona.public import AuditEntry
from store.models import AuditLog


def write_audit(
    session: Session,
    *,
    admin: str,
    action: str,
    tenant_id: str | None = None,
    user_external_id: str | None = None,
    target: str | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit row in the caller's transaction (so it commits with the change)."""
    row = AuditLog(
        admin=admin[:64],
        tenant_id=tenant_id,
        user_external_id=user_external_id,
        action=action,
        target=target,
        reason=reason,
        details=details or {},
    )
    session.add(row)
    session.flush()
    return row


def list_audit(
    session: Session, tenant_id: str | None = None, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Audit rows (`AuditEntry`, JSON form), newest first; only `tenant_id`'s when given."""
    query = select(AuditLog)
    if tenant_id is not None:
        query = query.where(AuditLog.tenant_id == tenant_id)
    query = query.order_by(col(AuditLog.created_at).desc(), col(AuditLog.id).desc())
    rows = session.exec(query.offset(offset).limit(limit)).all()
    return [AuditEntry.of(r).model_dump(mode="json") for r in rows]
