"""Hostile inputs on both databases: each is a 400 naming the field, never a 500.

NUL characters anywhere (PostgreSQL cannot store them), ids and headers past their limits,
times at the ends of the calendar, offsets past the integers, LIKE wildcards in searches,
and user ids holding '/' (reachable through every user route, percent-encoded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.admin.conftest import AdminServer
from tests.admin.seed import ACME, ACME_KEY
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider

FAST = "openai/hostile-fake"
NUL = "\u0000"
USERS = f"/admin/v1/tenants/{ACME}/users"
HUGE = str(2**63)


@pytest.fixture
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as provider:
        yield provider


@pytest.fixture
def srv(admin_server: Callable[..., AdminServer], fake: FakeProvider, db_url: str) -> AdminServer:
    endpoint = {"api_base": fake.url, "api_key": "sk-fake"}
    return admin_server(
        chat=True,
        database_url=db_url,
        fast_model=FAST,
        reasoning_model=FAST,
        model_endpoints={FAST: endpoint},
        max_retries=0,
        rate_limit_per_minute=0,
        admin_rate_limit_per_minute=0,
    )


def chat(user: str | None = None, content: str = "hello", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": "persona/fast",
        "messages": [{"role": "user", "content": content}],
    }
    if user is not None:
        body["user"] = user
    return body | extra


# (method, path, keyword arguments for httpx, the `param` the 400 must name)
CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "POST",
        "/v1/chat/completions",
        {"json": chat(), "headers": {"X-Persona-User": "u" * 5000}},
        "user",
    ),
    ("POST", "/v1/chat/completions", {"json": chat(user=f"a{NUL}b")}, "user"),
    (
        "POST",
        "/v1/chat/completions",
        {"json": chat(user="alice", content=f"hi{NUL}")},
        "messages[0].content",
    ),
    (
        "POST",
        "/v1/chat/completions",
        {"json": chat(user="alice", metadata={"project": f"p{NUL}"})},
        "metadata.project",
    ),
    ("GET", f"/v1/users/a{quote(NUL)}b/memories", {}, "path"),
    ("GET", "/v1/users/alice/memories", {"params": {"project": f"x{NUL}"}}, "project"),
    (
        "GET",
        "/v1/users/alice/memories",
        {"params": {"as_of": "0001-01-01T00:00:00+05:00"}},
        "as_of",
    ),
    (
        "POST",
        "/v1/users/alice/memories/search",
        {"json": {"query": "tea", "as_of": "0001-01-01T00:00:00Z"}},
        "as_of",
    ),
    (
        "POST",
        "/v1/users/alice/memories",
        {"json": {"text": "likes tea", "expires_at": "0001-01-01T00:00:00+05:00"}},
        "expires_at",
    ),
    (
        "POST",
        "/v1/users/alice/memories",
        {"json": {"text": "likes tea", "expires_at": "9999-12-31T23:59:59-05:00"}},
        "expires_at",
    ),
    ("POST", "/v1/users/alice/memories", {"json": {"text": f"likes{NUL}tea"}}, "text"),
    (
        "POST",
        "/v1/users/alice/memories",
        {"json": {"text": "likes tea", "metadata": {f"k{NUL}": 1}}},
        "metadata.k",
    ),
    ("POST", "/v1/feedback", {"json": {"response_id": f"r{NUL}", "rating": "up"}}, "response_id"),
    ("GET", USERS, {"params": {"q": f"al{NUL}"}}, "q"),
    ("POST", "/admin/v1/tenants", {"json": {"name": f"evil{NUL}"}}, "name"),
    *[
        ("GET", path, {"params": {"offset": HUGE}}, "offset")
        for path in (
            "/admin/v1/audit",
            USERS,
            f"{USERS}/alice/turns",
            f"{USERS}/alice/traces",
            f"{USERS}/alice/memories",
        )
    ],
]


@pytest.mark.parametrize(("method", "path", "kwargs", "param"), CASES, ids=lambda v: str(v)[:40])
def test_hostile_input_is_a_400_naming_the_field(
    srv: AdminServer, method: str, path: str, kwargs: dict[str, Any], param: str
) -> None:
    key = srv.keys["global"] if path.startswith("/admin") else ACME_KEY
    headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
    before = table_counts(srv.runtime.db)
    response = httpx.request(method, srv.url + path, headers=headers, timeout=30, **kwargs)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param, error
    assert table_counts(srv.runtime.db) == before  # nothing was written


def test_like_wildcards_in_admin_searches_match_only_themselves(srv: AdminServer) -> None:
    with srv.client("global") as client:
        assert [u["id"] for u in client.get(USERS, params={"q": "ali"}).json()["data"]] == ["alice"]
        for wildcard in ("%", "_", "a%e"):
            assert client.get(USERS, params={"q": wildcard}).json()["data"] == []
            memories = client.get(f"{USERS}/alice/memories", params={"q": wildcard, "state": "all"})
            assert memories.status_code == 200
            assert memories.json()["data"] == []


def test_a_user_id_with_a_slash_reaches_every_user_route(srv: AdminServer) -> None:
    user = "org/7/alice"
    path = quote(user, safe="")
    tenant = {"Authorization": f"Bearer {ACME_KEY}"}
    with httpx.Client(base_url=srv.url, headers=tenant, timeout=30) as client:
        made = client.post(f"/v1/users/{path}/memories", json={"text": "Plays the cello"})
        assert made.status_code == 201, made.text
        memory_id = made.json()["id"]
        answer = client.post("/v1/chat/completions", json=chat(user=user))
        assert answer.status_code == 200, answer.text
        listed = client.get(f"/v1/users/{path}/memories").json()["memories"]
        assert [m["text"] for m in listed] == ["Plays the cello"]
        got = client.get(f"/v1/users/{path}/memories/{memory_id}")
        assert got.status_code == 200 and got.json()["id"] == memory_id
        history = client.get(f"/v1/users/{path}/memories/{memory_id}/history")
        assert history.status_code == 200
        assert client.get(f"/v1/users/{path}/profile").status_code == 200
        assert client.get(f"/v1/users/{path}/memories/export").status_code == 200
    with srv.client("global") as admin:
        detail = admin.get(f"{USERS}/{path}")
        assert detail.status_code == 200, detail.text
        assert detail.json()["id"] == user
        turns = admin.get(f"{USERS}/{path}/turns").json()["data"]
        assert len(turns) == 1
        memories = admin.get(f"{USERS}/{path}/memories").json()["data"]
        assert [m["text"] for m in memories] == ["Plays the cello"]
        purged = admin.post(f"{USERS}/{path}/purge", json={"reason": "test"})
        assert purged.status_code == 200, purged.text
        assert purged.json()["deleted"]["memories"] == 1
        assert purged.json()["deleted"]["turns"] == 1
        after = admin.get(f"{USERS}/{path}/export").json()
        assert (after["memories"], after["turns"]) == ([], [])
        # the plain user routes still mean what they meant
        assert admin.get(f"{USERS}/alice").json()["id"] == "alice"
        assert admin.get(f"{USERS}/alice/turns").status_code == 200
