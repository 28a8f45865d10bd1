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
        path = getattr(route, "path", "")
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


def call(srv: AdminServer, key: str, method: str, path: str) -> httpx.Response:
    """One request with a JSON body for writes and a reason for deletes."""
    headers = {"Authorization": f"Bearer {key}"}
    body = BODY if method in {"POST", "PATCH", "PUT"} else None
    params = {"reason": "x"} if method == "DELETE" else None
    return httpx.request(method, srv.url + path, headers=headers, json=body, params=params)


def test_route_list_covers_the_app(admin_server: Callable[..., AdminServer]) -> None:
    srv = admin_server()
    assert app_routes(srv, "/admin") == ADMIN_ROUTES


@st.composite
def cross_tenant_request(draw: st.DrawFn) -> tuple[str, str, str, str]:
    """(attacker tenant, method, template, path) whose target belongs to the other tenant."""
    method, template = draw(st.sampled_from(sorted(ADMIN_ROUTES)))
    own = draw(st.sampled_from([ACME, GLOBEX]))
    victim = OTHER[own]
    names = re.findall(r"\{(\w+)\}", template)
    if "tenant_id" not in names:
        return own, method, template, fill(template, {"name": "admin.js"})
    # each placeholder from the attacker's or the victim's data, at least one from the victim's
    owners = draw(
        st.lists(st.sampled_from([own, victim]), min_size=len(names), max_size=len(names))
    )
    if victim not in owners:
        owners[draw(st.integers(0, len(names) - 1))] = victim
    values = {}
    for name, owner in zip(names, owners, strict=True):
        values[name] = owner if name == "tenant_id" else OWNED[owner][name]
    return own, method, template, fill(template, values)


def test_scoped_admin_keys_never_cross_tenants(admin_server: Callable[..., AdminServer]) -> None:
    srv = admin_server()
    scoped = {ACME: srv.keys["acme"], GLOBEX: srv.keys["globex"]}
    tenant_keys = {ACME: ACME_KEY, GLOBEX: GLOBEX_KEY}
    before = fingerprint(srv.runtime.db)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(cross_tenant_request(), st.booleans(), st.sampled_from(["", "?tenant_id="]))
    def check(req: tuple[str, str, str, str], use_tenant_key: bool, query: str) -> None:
        own, method, template, path = req
        victim = OTHER[own]
        audit_of_victim = template == "/admin/v1/audit" and bool(query)
        if audit_of_victim:
            path += query + victim
        key = tenant_keys[own] if use_tenant_key else scoped[own]
        r = call(srv, key, method, path)
        if not template.startswith("/admin/v1"):  # the page's static files: public, no data
            assert r.status_code == 200, (method, path)
        elif use_tenant_key:
            assert r.status_code == 401, (method, path)
        elif "{tenant_id}" in template or audit_of_victim:
            assert r.status_code in {403, 404}, (method, path, r.status_code, r.text)
        else:  # /me, tenant list, audit, UI: allowed, but only the attacker's own data
            assert r.status_code in {200, 403}, (method, path)
            assert victim not in r.text
        for secret in SECRETS[victim]:
            assert secret not in r.text, (method, path)
        assert fingerprint(srv.runtime.db) == before, (method, path)

    check()


def test_tenant_keys_only_reach_their_own_users(admin_server: Callable[..., AdminServer]) -> None:
    """Every tenant /v1 route (but chat, which needs a model), aimed at another tenant's ids."""
    srv = admin_server()
    routes = sorted(r for r in app_routes(srv, "/v1/") if r[1] != "/v1/chat/completions")
    victim_ids = {**OWNED[GLOBEX], "user": "bob", "memory": "m-bob", "turn": "turn-bob"}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(routes))
    def check(route: tuple[str, str]) -> None:
        method, template = route
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: victim_ids.get(m.group(1), "bob"), template)
        with srv.client("env") as c:
            before = c.get(f"/admin/v1/tenants/{GLOBEX}/users/bob/memories?state=all").json()
        r = call(srv, ACME_KEY, method, path)
        assert r.status_code < 500, (method, path, r.text)
        for secret in SECRETS[GLOBEX]:
            assert secret not in r.text, (method, path)
        with srv.client("env") as c:
            after = c.get(f"/admin/v1/tenants/{GLOBEX}/users/bob/memories?state=all").json()
        assert after == before, (method, path)

    check()
