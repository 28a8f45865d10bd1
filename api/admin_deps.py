"""Admin authentication: `AdminDep` is the admin behind the request's key.

Admin keys are separate from tenant keys. `PERSONA_ADMIN_KEY` is a global admin key (compared
in constant time, never stored or logged); `persona admin keys create [--tenant T]` stores more,
hashed, each global or scoped to one tenant. A scoped admin sees only its tenant: any other
tenant id in a path is answered 404, exactly as for a tenant that does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from api.deps import RuntimeDep, bearer_key
from api.ratelimit import enforce_rate_limit
from persona.errors import Forbidden, NotFound, Unauthorized
from store.db import session_scope
from store.tenants import admin_key_by_key


@dataclass(frozen=True)
class Admin:
    """An authenticated admin: `tenant_id` None means global."""

    key_id: str  # "global" for PERSONA_ADMIN_KEY, else the admin_key row id
    label: str  # what the audit log records: "env:global" or the key's prefix and name
    tenant_id: str | None

    @property
    def is_global(self) -> bool:
        """Whether this admin may see every tenant."""
        return self.tenant_id is None

    def check_tenant(self, tenant_id: str) -> str:
        """`tenant_id` if this admin may act on it, else NotFound (no hint that it exists)."""
        if self.tenant_id is not None and self.tenant_id != tenant_id:
            raise NotFound(f"no tenant with id {tenant_id!r}")
        return tenant_id

    def require_global(self) -> None:
        """Forbidden unless this is a global admin."""
        if self.tenant_id is not None:
            raise Forbidden("this needs a global admin key; this key is scoped to one tenant")


def _same(a: str, b: str) -> bool:
    # hash first so the comparison time depends on neither length
    return hmac.compare_digest(
        hashlib.sha256(a.encode()).digest(), hashlib.sha256(b.encode()).digest()
    )


def get_admin(request: Request, runtime: RuntimeDep) -> Admin:
    """The admin whose key the request carries, or 401; then count it against its rate limit."""
    key = bearer_key(request)
    configured = runtime.settings.admin_key
    admin: Admin | None = None
    if configured and _same(key, configured):
        admin = Admin(key_id="global", label="env:global", tenant_id=None)
    else:
        with session_scope(runtime.db) as session:
            row = admin_key_by_key(session, key)
            if row is not None:
                label = f"{row.key_prefix}:{row.name}" if row.name else row.key_prefix
                admin = Admin(key_id=row.id, label=label, tenant_id=row.tenant_id)
    if admin is None:
        raise Unauthorized(
            "invalid admin key (admin keys are separate from tenant keys; "
            "create one with `persona admin keys create`)"
        )
    enforce_rate_limit(request, admin.key_id, admin=True)
    return admin


AdminDep = Annotated[Admin, Depends(get_admin)]


# a listing's page: offsets past any database's integer range (or any real table) are a 400
MAX_OFFSET = 2**31 - 1
Limit = Annotated[int, Query(ge=1, le=1000, description="rows to return (1-1000)")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")]
