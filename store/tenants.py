"""Tenants and their API keys. Keys are random, shown once, and stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from sqlmodel import Session, select

from store.models import AdminKey, Tenant

KEY_PREFIX = "psn_"
ADMIN_KEY_PREFIX = "psa_"
KEY_CACHE_TTL_S = 10.0  # how long another process's rotate/disable may take to apply here
KEY_CACHE_SIZE = 4096


class _KeyCache:
    """Recently authenticated keys (by digest) -> their tenant, for `KEY_CACHE_TTL_S`.

    Only hits are kept, so unknown keys cannot grow it; a rotate or disable in this process
    drops the tenant at once, in another process within the TTL.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, Tenant]] = {}

    def get(self, digest: str) -> Tenant | None:
        with self._lock:
            entry = self._entries.get(digest)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def put(self, digest: str, tenant: Tenant) -> None:
        with self._lock:
            if len(self._entries) >= KEY_CACHE_SIZE:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + KEY_CACHE_TTL_S, tenant)

    def forget(self, tenant_id: str) -> None:
        with self._lock:
            for digest in [d for d, (_, t) in self._entries.items() if t.id == tenant_id]:
                del self._entries[digest]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


key_cache = _KeyCache()


def hash_key(key: str) -> str:
    """The stored form of an API key."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_key(prefix: str = KEY_PREFIX) -> str:
    """A fresh random API key (256 bits)."""
    return prefix + secrets.token_urlsafe(32)


class TenantExists(Exception):
    """A tenant with this name already exists."""


def create_tenant(session: Session, name: str) -> tuple[Tenant, str]:
    """Create a tenant; returns it and its API key (the only time the key is visible)."""
    if session.exec(select(Tenant).where(Tenant.name == name)).first() is not None:
        raise TenantExists(name)
    key = new_key()
    tenant = Tenant(name=name, api_key_hash=hash_key(key), key_prefix=key[:8])
    session.add(tenant)
    session.flush()
    return tenant, key


def rotate_key(session: Session, tenant: Tenant) -> str:
    """Give `tenant` a new key; the old one stops working at commit."""
    key_cache.forget(tenant.id)
    key = new_key()
    tenant.api_key_hash = hash_key(key)
    tenant.key_prefix = key[:8]
    session.add(tenant)
    session.flush()
    return key


def tenant_by_key(session: Session, key: str) -> Tenant | None:
    """The enabled tenant whose key this is, or None. Compared in constant time."""
    digest = hash_key(key)
    return _tenant_by_digest(session, digest)


def cached_tenant(key: str) -> Tenant | None:
    """The tenant of `key` if the process's key cache holds it (no I/O), else None."""
    return key_cache.get(hash_key(key))


def cached_tenant_by_key(session: Session, key: str) -> Tenant | None:
    """`tenant_by_key` through the process's key cache (the request path's lookup)."""
    digest = hash_key(key)
    tenant = key_cache.get(digest)
    if tenant is None:
        tenant = _tenant_by_digest(session, digest)
        if tenant is not None:
            session.expunge(tenant)
            key_cache.put(digest, tenant)
    return tenant


def _tenant_by_digest(session: Session, digest: str) -> Tenant | None:
    tenant = session.exec(select(Tenant).where(Tenant.api_key_hash == digest)).first()
    if tenant is None or tenant.disabled:
        return None
    return tenant if hmac.compare_digest(tenant.api_key_hash, digest) else None


def tenant_by_name(session: Session, name: str) -> Tenant | None:
    """The tenant called `name`, or None."""
    return session.exec(select(Tenant).where(Tenant.name == name)).first()


def list_tenants(session: Session) -> list[Tenant]:
    """All tenants, oldest first."""
    return list(session.exec(select(Tenant).order_by(Tenant.created_at)).all())  # type: ignore[arg-type]


def create_admin_key(
    session: Session, tenant_id: str | None = None, name: str = ""
) -> tuple[AdminKey, str]:
    """Create an admin key, global or scoped to one tenant; returns it and the key."""
    key = new_key(ADMIN_KEY_PREFIX)
    row = AdminKey(key_hash=hash_key(key), key_prefix=key[:8], tenant_id=tenant_id, name=name)
    session.add(row)
    session.flush()
    return row, key


def admin_key_by_key(session: Session, key: str) -> AdminKey | None:
    """The enabled admin key row matching `key`, or None (constant-time compare)."""
    digest = hash_key(key)
    row = session.exec(select(AdminKey).where(AdminKey.key_hash == digest)).first()
    if row is None or row.disabled:
        return None
    return row if hmac.compare_digest(row.key_hash, digest) else None
