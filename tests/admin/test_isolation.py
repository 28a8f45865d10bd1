"""Tenant isolation, property-tested over every admin route and every tenant-facing /v1 route.

A tenant-scoped admin key, or a tenant API key, aimed at another tenant's tenant, users,
memories, turns or constraints must get an error, change nothing and leak nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.admin.conftest import AdminServer
from tests.admin.seed import ACME, ACME_KEY, GLOBEX, GLOBEX_KEY
from tests.conftest import table_counts

# What each tenant owns; the other tenant is the victim.
OWNED = {
    ACME: {"user_id": "alice", "memory_id": "m-veg", "turn_id": "turn3", "cid": "c1"},
    GLOBEX: {"user_id": "bob", "memory_id": "m-bob", "turn_id": "turn-bob", "cid": "c-none"},
}
SECRETS = {
    ACME: ("Lives in Berlin", "Is vegetarian", "restaurant"),
    GLOBEX: ("pilot", "fly planes"),
}
OTHER = {ACME: GLOBEX, GLOBEX: ACME}
BODY = {"reason": "x", "text": "hacked", "name": "evil", "disabled": True, "kind": "fact"}

# Every admin route: (method, path template). The test fails if the app has one not listed.
ADMIN_ROUTES = {
    ("GET", "/admin/v1/me"),
    ("GET", "/admin/v1/tenants"),
    ("POST", "/admin/v1/tenants"),
    ("GET", "/admin/v1/tenants/{tenant_id}"),
    ("POST", "/admin/v1/tenants/{tenant_id}/rotate-key"),
    ("POST", "/admin/v1/tenants/{tenant_id}/disable"),
    ("GET", "/admin/v1/tenants/{tenant_id}/stats"),
    ("GET", "/admin/v1/audit"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/turns"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/traces"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/traces/{turn_id}"),
    ("DELETE", "/admin/v1/tenants/{tenant_id}/users/{user_id}/constraints/{cid}"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/export"),
    ("POST", "/admin/v1/tenants/{tenant_id}/users/{user_id}/purge"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories"),
    ("POST", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories"),
    ("GET", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories/{memory_id}"),
    ("PATCH", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories/{memory_id}"),
    ("POST", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories/{memory_id}/invalidate"),
    ("POST", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories/{memory_id}/suppress"),
    ("POST", "/admin/v1/tenants/{tenant_id}/users/{user_id}/memories/{memory_id}/unsuppress"),
    ("GET", "/admin"),
    ("GET", "/admin/static/{name}"),
}


def _flatten(routes: list[Any]) -> Iterator[Any]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI >= 0.165 nests included routers
        yield from _flatten(inner.routes) if inner is not None else [route]


def app_routes(srv: AdminServer, prefix: str) -> set[tuple[str, str]]:
    """(method, path) of every route of the running app under `prefix`."""
    found = set()
    for route in _flatten(list(srv.app.routes)):
        path = getattr(route, "path_format", "")  # `{user_id}` for `{user_id:path}`
        if path.startswith(prefix):
            found |= {(m, path) for m in getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}}
    return found


def fingerprint(engine: Engine) -> str:
    """A digest of everything an attack could change."""
    parts: list[Any] = [table_counts(engine)]
    with engine.connect() as conn:
        for query in (
            "SELECT id, text, invalid_at, superseded_by FROM memory ORDER BY id",
            "SELECT id, name, api_key_hash, disabled FROM tenant ORDER BY id",
            "SELECT user_id, constraints, version FROM profile ORDER BY user_id",
            "SELECT id, memory_version FROM user ORDER BY id",
        ):
            parts.append([list(map(str, row)) for row in conn.execute(text(query))])
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fill(template: str, values: dict[str, str]) -> str:
    """The template with its `{placeholders}` replaced."""
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def call(
    srv: AdminServer, key: str, method: str, path: str, extra: dict[str, Any] | None = None
) -> httpx.Response:
    """One request with a JSON body for writes (`BODY` and `extra`) and a reason for deletes."""
    headers = {"Authorization": f"Bearer {key}"}
    body = {**BODY, **(extra or {})} if method in {"POST", "PATCH", "PUT"} else None
    params = {"reason": "x"} if method == "DELETE" else None
    return httpx.request(
        method, srv.url + path, headers=headers, json=body, params=params, timeout=60
    )


def test_route_list_covers_the_app(admin_server: Callable[..., AdminServer]) -> None:
    srv = admin_server()
    assert app_routes(srv, "/admin") == ADMIN_ROUTES


def cross_tenant_path(data: st.DataObject, template: str, own: str) -> str:
    """`template` filled so that at least one id in it belongs to the tenant other than `own`."""
    victim = OTHER[own]
    names = re.findall(r"\{(\w+)\}", template)
    if "tenant_id" not in names:
        return fill(template, {"name": "admin.js"})
    owners = data.draw(
        st.lists(st.sampled_from([own, victim]), min_size=len(names), max_size=len(names))
    )
    if victim not in owners:
        owners[data.draw(st.integers(0, len(names) - 1))] = victim
    values = {}
    for name, owner in zip(names, owners, strict=True):
        values[name] = owner if name == "tenant_id" else OWNED[owner][name]
    return fill(template, values)


NO_RATE_LIMITS = {"admin_rate_limit_per_minute": 0, "rate_limit_per_minute": 0}


def test_scoped_admin_keys_never_cross_tenants(admin_server: Callable[..., AdminServer]) -> None:
    srv = admin_server(extra=NO_RATE_LIMITS)
    scoped = {ACME: srv.keys["acme"], GLOBEX: srv.keys["globex"]}
    tenant_keys = {ACME: ACME_KEY, GLOBEX: GLOBEX_KEY}
    before = fingerprint(srv.runtime.db)

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(method: str, template: str, data: st.DataObject) -> None:
        own = data.draw(st.sampled_from([ACME, GLOBEX]), label="attacker")
        victim = OTHER[own]
        use_tenant_key = data.draw(st.booleans(), label="tenant key")
        path = cross_tenant_path(data, template, own)
        audit_of_victim = template == "/admin/v1/audit" and data.draw(st.booleans())
        if audit_of_victim:
            path += f"?tenant_id={victim}"
        r = call(srv, tenant_keys[own] if use_tenant_key else scoped[own], method, path)
        if not template.startswith("/admin/v1"):  # the page's static files: public, no data
            assert r.status_code == 200, (method, path)
        elif use_tenant_key:
            assert r.status_code == 401, (method, path)
        elif "{tenant_id}" in template or audit_of_victim:
            assert r.status_code in {403, 404}, (method, path, r.status_code, r.text)
        else:  # /me, tenant list, audit, tenant create: only the attacker's own data
            assert r.status_code in {200, 403}, (method, path)
            assert victim not in r.text
        for secret in SECRETS[victim]:
            assert secret not in r.text, (method, path)
        assert fingerprint(srv.runtime.db) == before, (method, path)

    for method, template in sorted(ADMIN_ROUTES):
        check(method, template)


def victim_state(srv: AdminServer, tenant_id: str, user: str) -> dict[str, Any]:
    """Everything stored about a user, read through the global admin key."""
    with srv.client("env") as c:
        exported = c.get(f"/admin/v1/tenants/{tenant_id}/users/{user}/export").json()
    return dict(exported)


def test_tenant_keys_only_reach_their_own_users(admin_server: Callable[..., AdminServer]) -> None:
    """Every tenant /v1 route (but chat, which needs a model), aimed at another tenant's ids."""
    srv = admin_server(extra=NO_RATE_LIMITS)
    routes = sorted(r for r in app_routes(srv, "/v1/") if r[1] != "/v1/chat/completions")
    tenant_keys = {ACME: ACME_KEY, GLOBEX: GLOBEX_KEY}
    ids = {"user": "user_id", "memory_id": "memory_id", "turn_id": "turn_id", "cid": "cid"}

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def check(method: str, template: str, data: st.DataObject) -> None:
        own = data.draw(st.sampled_from([ACME, GLOBEX]), label="attacker")
        victim = OTHER[own]

        def value(match: re.Match[str]) -> str:
            field = ids.get(match.group(1), "user_id")
            return data.draw(st.sampled_from([OWNED[victim][field], OWNED[own][field]]))

        path = re.sub(r"\{(\w+)(?::\w+)?\}", value, template)
        # the attacker may change its own users (even one named like the victim's): compare the
        # victim's state around this one call only
        before = victim_state(srv, victim, OWNED[victim]["user_id"])
        # bodies name the victim's user and turn too (e.g. feedback on another tenant's turn)
        extra = {"user": OWNED[victim]["user_id"], "turn_id": OWNED[victim]["turn_id"]}
        r = call(srv, tenant_keys[own], method, path, extra)
        assert r.status_code < 500, (method, path, r.text)
        for secret in SECRETS[victim]:
            assert secret not in r.text, (method, path)
        assert victim_state(srv, victim, OWNED[victim]["user_id"]) == before, path

    assert routes, "no tenant routes found"
    for method, template in routes:
        check(method, template)
