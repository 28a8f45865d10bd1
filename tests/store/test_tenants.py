"""Tenants, hashed API keys, users and profiles on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from store.db import session_scope
from store.models import Profile, Tenant
from store.tenants import (
    TenantExists,
    cached_tenant_by_key,
    create_tenant,
    rotate_key,
    tenant_by_key,
    tenant_by_name,
)
from store.users import get_or_create_user, get_profile


def test_api_keys_are_stored_only_as_hashes(engine: Engine) -> None:
    with session_scope(engine) as session:
        tenant, key = create_tenant(session, "acme")
    assert key.startswith("psn_") and len(key) > 40
    with session_scope(engine) as session:
        row = session.get(Tenant, tenant.id)
        assert row is not None
        assert row.api_key_hash == hashlib.sha256(key.encode()).hexdigest()
        assert key not in repr(row.model_dump())
        assert row.key_prefix == key[:8]


def test_lookup_by_key_and_rotation(engine: Engine) -> None:
    with session_scope(engine) as session:
        tenant, old = create_tenant(session, "acme")
    with session_scope(engine) as session:
        found = tenant_by_key(session, old)
        assert found is not None and found.id == tenant.id
        assert tenant_by_key(session, old + "x") is None
        new = rotate_key(session, found)
    with session_scope(engine) as session:
        assert tenant_by_key(session, old) is None
        again = tenant_by_key(session, new)
        assert again is not None and again.id == tenant.id


def test_disabled_tenants_cannot_authenticate(engine: Engine) -> None:
    with session_scope(engine) as session:
        tenant, key = create_tenant(session, "acme")
        tenant.disabled = True
    with session_scope(engine) as session:
        assert tenant_by_key(session, key) is None


def test_tenant_names_are_unique(engine: Engine) -> None:
    with session_scope(engine) as session:
        create_tenant(session, "acme")
    with pytest.raises(TenantExists), session_scope(engine) as session:
        create_tenant(session, "acme")
    with session_scope(engine) as session:
        assert tenant_by_name(session, "nobody") is None


def test_users_are_per_tenant_and_get_an_empty_profile(engine: Engine) -> None:
    with session_scope(engine) as session:
        a, _ = create_tenant(session, "a")
        b, _ = create_tenant(session, "b")
        alice_a = get_or_create_user(session, a.id, "alice")
        alice_b = get_or_create_user(session, b.id, "alice")
        assert alice_a.id != alice_b.id
        assert get_or_create_user(session, a.id, "alice").id == alice_a.id
        profile = get_profile(session, alice_a)
        assert profile.model_dump(exclude={"updated_at"}) == Profile(user_id=alice_a.id).model_dump(
            exclude={"updated_at"}
        )


def test_the_key_cache_answers_without_sql_and_forgets_a_rotated_key(engine: Engine) -> None:
    with session_scope(engine) as session:
        tenant, key = create_tenant(session, "cached")
    with session_scope(engine) as session:
        first = cached_tenant_by_key(session, key)
    assert first is not None and first.id == tenant.id
    with session_scope(engine) as session:
        session.exec(delete_stmt(tenant.id))  # the row is gone, the cache still knows the key
    with session_scope(engine) as session:
        again = cached_tenant_by_key(session, key)
    assert again is not None and again.id == tenant.id
    with session_scope(engine) as session:
        _, other = create_tenant(session, "rotated")
        row = cached_tenant_by_key(session, other)
        assert row is not None
        rotate_key(session, session.get(Tenant, row.id) or row)
    with session_scope(engine) as session:
        assert cached_tenant_by_key(session, other) is None


def delete_stmt(tenant_id: str) -> Any:
    return delete(Tenant).where(col(Tenant.id) == tenant_id)
