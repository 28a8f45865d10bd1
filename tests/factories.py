"""Row factories shared by tests."""

from __future__ import annotations

from sqlmodel import Session

from store.models import Tenant, User


def make_user(session: Session, name: str = "u", *, commit: bool = True) -> User:
    """A user `name` in a tenant of its own (`t-<name>`); committed unless `commit=False`."""
    tenant = Tenant(name=f"t-{name}", api_key_hash=name.ljust(64, "0"), key_prefix="psn_x")
    session.add(tenant)
    session.flush()
    user = User(tenant_id=tenant.id, external_id=name)
    session.add(user)
    if commit:
        session.commit()
    else:
        session.flush()
    return user
