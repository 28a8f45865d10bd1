"""The admin API over HTTP on loopback: every endpoint, whole response bodies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from store.db import session_scope
from store.models import StoredResponse
from store.users import find_user
from tests.admin.conftest import AdminServer
from tests.admin.expected import BERLIN, PARIS, PROFILE, VEG, iso, snapshot, tenant, trace, turn
from tests.admin.seed import ACME, GLOBEX

Factory = Callable[..., AdminServer]
ALICE = f"/admin/v1/tenants/{ACME}/users/alice"


def recent(stamp: str) -> bool:
    """Whether an ISO timestamp is within the last minute."""
    return datetime.now(UTC) - datetime.fromisoformat(stamp) < timedelta(minutes=1)


def audit_rows(srv: AdminServer) -> list[dict[str, Any]]:
    """The audit log, with `id` and `created_at` checked and dropped."""
    with srv.client("env") as c:
        rows = c.get("/admin/v1/audit").json()["data"]
    assert all(isinstance(r.pop("id"), int) and recent(r.pop("created_at")) for r in rows)
    return rows


def error(message: str, status: int, code: str, param: str | None = None) -> dict[str, Any]:
    """An OpenAI-style error body."""
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        409: "conflict_error",
    }
    return {"error": {"message": message, "type": kinds[status], "param": param, "code": code}}


def test_whoami_for_each_kind_of_key(admin_server: Factory) -> None:
    srv = admin_server()
    expected = {
        "env": {"admin": "env:global", "scope": "global", "tenant_id": None},
        "global": {"admin": f"{srv.keys['global'][:8]}:ops", "scope": "global", "tenant_id": None},
        "acme": {
            "admin": f"{srv.keys['acme'][:8]}:acme-support",
            "scope": "tenant",
            "tenant_id": ACME,
        },
    }
    for key, body in expected.items():
        with srv.client(key) as c:
            r = c.get("/admin/v1/me")
        assert (r.status_code, r.json()) == (200, body)


def test_tenant_keys_and_bad_keys_are_refused(admin_server: Factory) -> None:
    srv = admin_server()
    msg = (
        "invalid admin key (admin keys are separate from tenant keys; "
        "create one with `persona admin keys create`)"
    )
    for header in ({"Authorization": "Bearer psn_acme-test-key"}, {"Authorization": "Bearer nope"}):
        r = httpx.get(f"{srv.url}/admin/v1/me", headers=header)
        assert (r.status_code, r.json()) == (401, error(msg, 401, "invalid_api_key"))
        assert r.headers["www-authenticate"] == "Bearer"
    r = httpx.get(f"{srv.url}/admin/v1/tenants")
    assert (r.status_code, r.json()) == (
        401,
        error("missing API key: send it as 'Authorization: Bearer <key>'", 401, "invalid_api_key"),
    )


def test_admin_routes_absent_without_an_admin_key(admin_server: Factory) -> None:
    srv = admin_server(seeded=False, admin_key=None)
    for path in ("/admin", "/admin/v1/me", "/admin/static/admin.js", f"{ALICE}/memories"):
        r = httpx.get(srv.url + path, headers={"Authorization": "Bearer anything"})
        body = r.json()
        message = body["error"].pop("message")
        expected = error("", 404, "not_found")
        expected["error"].pop("message")
        assert (r.status_code, body) == (404, expected), path
        assert message.startswith(f"no endpoint GET {path}; persona serves POST /v1/chat/"), path
    from store.db import session_scope
    from store.tenants import create_admin_key

    with session_scope(srv.runtime.db) as s:
        _, key = create_admin_key(s, None, "late")
    r = httpx.get(f"{srv.url}/admin/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert (r.status_code, r.json()) == (
        200,
        {"admin": f"{key[:8]}:late", "scope": "global", "tenant_id": None},
    )


def test_tenants_listing_is_scoped(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("global") as c:
        assert c.get("/admin/v1/tenants").json() == {
            "data": [tenant("acme", 2), tenant("globex", 1)]
        }
        assert c.get(f"/admin/v1/tenants/{GLOBEX}").json() == tenant("globex", 1)
    with srv.client("acme") as c:
        assert c.get("/admin/v1/tenants").json() == {"data": [tenant("acme", 2)]}
        r = c.get(f"/admin/v1/tenants/{GLOBEX}")
        assert (r.status_code, r.json()) == (
            404,
            error(f"no tenant with id {GLOBEX!r}", 404, "not_found"),
        )


def test_create_rotate_disable_tenant(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        r = c.post("/admin/v1/tenants", json={"name": "initech"})
        assert (r.status_code, r.json()) == (
            403,
            error(
                "this needs a global admin key; this key is scoped to one tenant", 403, "forbidden"
            ),
        )
    with srv.client("env") as c:
        r = c.post("/admin/v1/tenants", json={"name": "initech"})
        body = r.json()
        key = body.pop("api_key")
        tid = body["tenant"]["id"]
        assert (
            r.status_code == 201
            and key.startswith("psn_")
            and recent(body["tenant"].pop("created_at"))
        )
        assert body == {
            "tenant": {
                "id": tid,
                "name": "initech",
                "key_prefix": key[:8],
                "disabled": False,
                "users": 0,
            }
        }
        r = c.post("/admin/v1/tenants", json={"name": "initech"})
        assert (r.status_code, r.json()) == (
            409,
            error("a tenant named 'initech' already exists", 409, "conflict"),
        )

        models = f"{srv.url}/v1/models"
        assert httpx.get(models, headers={"Authorization": f"Bearer {key}"}).status_code == 200
        rotated = c.post(
            f"/admin/v1/tenants/{tid}/rotate-key", json={"reason": "key leaked"}
        ).json()
        new_key = rotated["api_key"]
        assert rotated["tenant"]["key_prefix"] == new_key[:8] and new_key != key
        assert httpx.get(models, headers={"Authorization": f"Bearer {key}"}).status_code == 401
        assert httpx.get(models, headers={"Authorization": f"Bearer {new_key}"}).status_code == 200

        r = c.post(f"/admin/v1/tenants/{tid}/disable", json={"reason": "unpaid"})
        assert r.json()["disabled"] is True
        assert httpx.get(models, headers={"Authorization": f"Bearer {new_key}"}).status_code == 401
        r = c.post(f"/admin/v1/tenants/{tid}/disable", json={"disabled": False, "reason": "paid"})
        assert r.json()["disabled"] is False
        assert httpx.get(models, headers={"Authorization": f"Bearer {new_key}"}).status_code == 200
        r = c.post(f"/admin/v1/tenants/{tid}/disable", json={})
        assert (r.status_code, r.json()) == (
            400,
            error("reason: Field required", 400, "invalid_request", "reason"),
        )
    assert audit_rows(srv) == [
        {
            "admin": "env:global",
            "tenant_id": tid,
            "user": None,
            "action": "tenant.enable",
            "target": "initech",
            "reason": "paid",
            "details": {},
        },
        {
            "admin": "env:global",
            "tenant_id": tid,
            "user": None,
            "action": "tenant.disable",
            "target": "initech",
            "reason": "unpaid",
            "details": {},
        },
        {
            "admin": "env:global",
            "tenant_id": tid,
            "user": None,
            "action": "tenant.rotate_key",
            "target": "initech",
            "reason": "key leaked",
            "details": {},
        },
        {
            "admin": "env:global",
            "tenant_id": tid,
            "user": None,
            "action": "tenant.create",
            "target": "initech",
            "reason": "",
            "details": {},
        },
    ]


def test_users_with_counts_and_search(admin_server: Factory) -> None:
    srv = admin_server()
    alice = {
        "id": "alice",
        "created_at": iso(0),
        "last_active_at": iso(30),
        "last_turn_at": iso(30),
        "memories_valid": 2,
        "memories_total": 3,
        "turns": 3,
    }
    carol = {
        "id": "carol",
        "created_at": iso(1),
        "last_active_at": iso(5),
        "last_turn_at": None,
        "memories_valid": 0,
        "memories_total": 0,
        "turns": 0,
    }
    with srv.client("acme") as c:
        assert c.get(f"/admin/v1/tenants/{ACME}/users").json() == {"data": [alice, carol]}
        assert c.get(f"/admin/v1/tenants/{ACME}/users", params={"q": "CAR"}).json() == {
            "data": [carol]
        }
        assert c.get(f"/admin/v1/tenants/{ACME}/users", params={"q": "%"}).json() == {"data": []}
        assert c.get(
            f"/admin/v1/tenants/{ACME}/users", params={"limit": 1, "offset": 1}
        ).json() == {"data": [carol]}


def test_user_detail(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        assert c.get(ALICE).json() == {
            "id": "alice",
            "tenant": {"id": ACME, "name": "acme"},
            "created_at": iso(0),
            "last_active_at": iso(30),
            "memory_version": 0,
            "memories": {"valid": 2, "superseded": 1, "expired": 0, "forgotten": 0},
            "turns": 3,
            "profile": PROFILE,
            "tenant_constraints": [],
        }
        r = c.get(f"/admin/v1/tenants/{ACME}/users/bob")
        assert (r.status_code, r.json()) == (
            404,
            error("no user 'bob' in this tenant", 404, "not_found"),
        )


def test_memories_by_state_kind_and_words(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:

        def get(**params: str) -> Any:
            return c.get(f"{ALICE}/memories", params=params).json()

        assert get() == {"data": [BERLIN, VEG]}
        assert get(state="superseded") == {"data": [PARIS]}
        assert get(state="forgotten") == {"data": []}
        assert get(state="all") == {"data": [BERLIN, PARIS, VEG]}
        assert get(state="all", q="lives in") == {"data": [BERLIN, PARIS]}
        assert get(kind="preference") == {"data": [VEG]}
        r = c.get(f"{ALICE}/memories", params={"state": "old"})
        assert (r.status_code, r.json()) == (
            400,
            error(
                "state must be one of valid, superseded, expired, forgotten, all",
                400,
                "invalid_request",
                "state",
            ),
        )


def test_memory_history_and_supersede_chain(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        body = c.get(f"{ALICE}/memories/m-paris").json()
    ids = [h.pop("id") for h in body["history"]]
    assert ids == sorted(ids)
    assert body == {
        "memory": PARIS,
        "history": [
            {
                "memory_id": "m-paris",
                "op": "add",
                "actor": "extractor",
                "reason": "stated by the user",
                "source_turn_id": "turn1",
                "before": None,
                "after": snapshot(
                    {**PARIS, "invalid_at": None, "superseded_by": None, "updated_at": iso(10)}
                ),
                "created_at": iso(10),
            },
            {
                "memory_id": "m-paris",
                "op": "supersede",
                "actor": "extractor",
                "reason": "moved to Berlin",
                "source_turn_id": "turn2",
                "before": snapshot(
                    {**PARIS, "invalid_at": None, "superseded_by": None, "updated_at": iso(10)}
                ),
                "after": snapshot(PARIS),
                "created_at": iso(20),
            },
        ],
        "chain": [PARIS, BERLIN],
    }


def test_turns_and_traces(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        assert c.get(f"{ALICE}/turns").json() == {
            "data": [turn("turn3"), turn("turn2"), turn("turn1")]
        }
        listed = c.get(f"{ALICE}/traces").json()["data"]
        assert listed == [
            trace(t, row["id"]) for t, row in zip(("turn3", "turn2", "turn1"), listed, strict=True)
        ]
        used = c.get(f"{ALICE}/traces", params={"memory_id": "m-paris"}).json()["data"]
        assert used == [trace("turn2", listed[1]["id"])]
        assert c.get(f"{ALICE}/traces/turn3").json() == listed[0]
        r = c.get(f"/admin/v1/tenants/{GLOBEX}/users/bob/traces/turn3")
        assert r.status_code == 404


def test_edit_memory(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        r = c.patch(
            f"{ALICE}/memories/m-veg", json={"text": "Is vegan", "reason": "user corrected it"}
        )
        edited = r.json()
        assert r.status_code == 200 and recent(edited.pop("updated_at"))
        assert edited == {k: v for k, v in {**VEG, "text": "Is vegan"}.items() if k != "updated_at"}
        history = c.get(f"{ALICE}/memories/m-veg").json()["history"]
        assert [
            (
                h["op"],
                h["actor"],
                h["reason"],
                h["before"]["text"] if h["before"] else None,
                h["after"]["text"],
            )
            for h in history
        ] == [
            ("add", "extractor", "stated by the user", None, "Is vegetarian"),
            ("update", "admin", "user corrected it", "Is vegetarian", "Is vegan"),
        ]
        r = c.patch(f"{ALICE}/memories/m-paris", json={"text": "x", "reason": "r"})
        assert (r.status_code, r.json()) == (
            409,
            error("memory 'm-paris' is no longer valid and cannot be updated", 409, "conflict"),
        )
        assert c.get(ALICE).json()["memory_version"] == 1
    assert audit_rows(srv) == [
        {
            "admin": f"{srv.keys['acme'][:8]}:acme-support",
            "tenant_id": ACME,
            "user": "alice",
            "action": "memory.edit",
            "target": "m-veg",
            "reason": "user corrected it",
            "details": {"before": "Is vegetarian", "after": "Is vegan"},
        },
    ]


def test_invalidate_memory(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("env") as c:
        r = c.post(f"{ALICE}/memories/m-berlin/invalidate", json={"reason": "wrong city"})
        body = r.json()
        stamp = body["invalid_at"]
        assert r.status_code == 200 and recent(stamp)
        assert body == {**BERLIN, "invalid_at": stamp, "updated_at": stamp, "state": "forgotten"}
        assert c.get(f"{ALICE}/memories").json() == {"data": [VEG]}
        assert c.get(f"{ALICE}/memories", params={"state": "forgotten"}).json() == {"data": [body]}
        history = c.get(f"{ALICE}/memories/m-berlin").json()["history"]
        assert [(h["op"], h["actor"], h["reason"]) for h in history] == [
            ("add", "extractor", "stated by the user"),
            ("invalidate", "admin", "wrong city"),
        ]
        r = c.post(f"{ALICE}/memories/m-berlin/invalidate", json={"reason": "again"})
        assert (r.status_code, r.json()) == (
            409,
            error(
                "memory 'm-berlin' is already invalid (forgotten or superseded)", 409, "conflict"
            ),
        )
    assert audit_rows(srv) == [
        {
            "admin": "env:global",
            "tenant_id": ACME,
            "user": "alice",
            "action": "memory.invalidate",
            "target": "m-berlin",
            "reason": "wrong city",
            "details": {"text": "Lives in Berlin"},
        },
    ]


def test_add_note(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        r = c.post(
            f"{ALICE}/memories",
            json={"text": "Allergic to nuts", "kind": "fact", "reason": "support ticket 42"},
        )
        note = r.json()
        mid, stamp = note["id"], note["created_at"]
        assert r.status_code == 201 and recent(stamp)
        assert note == {
            "id": mid,
            "kind": "fact",
            "text": "Allergic to nuts",
            "attribute": None,
            "importance": 0.5,
            "scope": "user",
            "agent_id": None,
            "session_id": None,
            "actor": "admin",
            "source_turn_id": None,
            "valid_from": note["valid_from"],
            "invalid_at": None,
            "superseded_by": None,
            "expires_at": None,
            "suppressed_at": None,
            "project": None,
            "created_at": stamp,
            "updated_at": note["updated_at"],
            "meta": {"admin_note": True},
            "state": "valid",
        }
        assert mid in [m["id"] for m in c.get(f"{ALICE}/memories").json()["data"]]
        r = c.post(f"{ALICE}/memories", json={"text": "x", "kind": "secret", "reason": "r"})
        assert (r.status_code, r.json()) == (
            400,
            error(
                "kind must be one of fact, preference, event, instruction, episode",
                400,
                "invalid_request",
                "kind",
            ),
        )
    assert audit_rows(srv) == [
        {
            "admin": f"{srv.keys['acme'][:8]}:acme-support",
            "tenant_id": ACME,
            "user": "alice",
            "action": "memory.note",
            "target": mid,
            "reason": "support ticket 42",
            "details": {"kind": "fact", "text": "Allergic to nuts"},
        },
    ]


def test_remove_constraint(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        r = c.delete(f"{ALICE}/constraints/c1", params={"reason": "user asked"})
        body = r.json()
        assert r.status_code == 200 and recent(body.pop("updated_at"))
        assert body == {
            **{k: v for k, v in PROFILE.items() if k != "updated_at"},
            "constraints": [],
            "version": 1,
        }
        r = c.delete(f"{ALICE}/constraints/c1", params={"reason": "again"})
        assert (r.status_code, r.json()) == (
            404,
            error("user 'alice' has no constraint 'c1'", 404, "not_found"),
        )
    assert audit_rows(srv)[0]["details"] == {"constraint": PROFILE["constraints"][0]}  # type: ignore[index]


def test_export_then_purge(admin_server: Factory) -> None:
    srv = admin_server()
    with session_scope(srv.runtime.db) as session:
        alice = find_user(session, ACME, "alice")
        assert alice is not None and alice.id is not None
        session.add(
            StoredResponse(
                id="resp_1",
                tenant_id=ACME,
                user_id=alice.id,
                input_items=[{"type": "message", "role": "user", "content": "hi"}],
                output_items=[],
                response={"id": "resp_1", "object": "response"},
            )
        )
    with srv.client("acme") as c:
        exported = c.get(f"{ALICE}/export", params={"reason": "GDPR request"}).json()
        assert [(r["id"], r["input_items"][0]["content"]) for r in exported["responses"]] == [
            ("resp_1", "hi")
        ]
        assert exported["user"] == {"id": "alice", "created_at": iso(0)}
        assert exported["profile"] == PROFILE
        assert [(m["id"], [h["op"] for h in m["history"]]) for m in exported["memories"]] == [
            ("m-berlin", ["add"]),
            ("m-paris", ["add", "supersede"]),
            ("m-veg", ["add"]),
        ]
        assert exported["turns"] == [turn("turn1"), turn("turn2"), turn("turn3")]
        assert [t["turn_id"] for t in exported["traces"]] == ["turn1", "turn2", "turn3"]
        r = c.post(f"{ALICE}/purge", json={"reason": "GDPR erasure"})
        assert r.json() == {
            "deleted": {
                "history": 4,
                "memories": 3,
                "traces": 3,
                "turns": 3,
                "feedback": 0,
                "jobs": 3,
                "responses": 1,
                "proposals": 0,
            }
        }
        after = c.get(f"{ALICE}/export").json()
        assert (after["memories"], after["turns"], after["traces"]) == ([], [], [])
        assert after["responses"] == []
    with srv.client("globex") as c:
        bob = c.get(f"/admin/v1/tenants/{GLOBEX}/users/bob/memories").json()["data"]
        assert [m["id"] for m in bob] == ["m-bob"]
    admin = f"{srv.keys['acme'][:8]}:acme-support"
    assert audit_rows(srv) == [
        {
            "admin": admin,
            "tenant_id": ACME,
            "user": "alice",
            "action": "user.export",
            "target": None,
            "reason": "",
            "details": {},
        },
        {
            "admin": admin,
            "tenant_id": ACME,
            "user": "alice",
            "action": "user.purge",
            "target": None,
            "reason": "GDPR erasure",
            "details": {
                "history": 4,
                "memories": 3,
                "traces": 3,
                "turns": 3,
                "feedback": 0,
                "jobs": 3,
                "responses": 1,
                "proposals": 0,
            },
        },
        {
            "admin": admin,
            "tenant_id": ACME,
            "user": "alice",
            "action": "user.export",
            "target": None,
            "reason": "GDPR request",
            "details": {},
        },
    ]


def test_stats(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        assert c.get(f"/admin/v1/tenants/{ACME}/stats").json() == {
            "tenant": {"id": ACME, "name": "acme"},
            "user": None,
            "users": 2,
            "messages": 3,
            "tiers": {"fast": 2, "reasoning": 1},
            "reasoning_share": 0.3333,
            "compliance": {
                "checks": 3,
                "rate": 1.0,
                "by_type": {
                    "change_case:english_lowercase": {"checks": 3, "passed": 3, "rate": 1.0}
                },
            },
            "memories": {
                "total": 3,
                "by_state": {"valid": 2, "superseded": 1, "forgotten": 0, "expired": 0},
                "valid_by_kind": {"fact": 1, "preference": 1},
            },
            "latency_ms": {
                "p50": 120.0,
                "p95": 120.0,
                "p99": 120.0,
                "by_stage_p50": {"embed": 10.0, "model": 100.0, "retrieve": 2.0},
            },
            "tokens": 180,
            "cost_usd": 0.003,
        }


def test_stats_per_user(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        alice = c.get(f"/admin/v1/tenants/{ACME}/stats", params={"user": "alice"}).json()
        missing = c.get(f"/admin/v1/tenants/{ACME}/stats", params={"user": "nobody"})
    assert alice["user"] == "alice"
    assert (alice["messages"], alice["compliance"]["checks"]) == (3, 3)
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "no user 'nobody' in this tenant"


def test_audit_log_is_scoped(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("acme") as c:
        c.post(f"{ALICE}/memories/m-veg/invalidate", json={"reason": "a"})
    with srv.client("globex") as c:
        c.post(
            f"/admin/v1/tenants/{GLOBEX}/users/bob/memories/m-bob/invalidate", json={"reason": "b"}
        )
        rows = c.get("/admin/v1/audit").json()["data"]
        assert [(r["tenant_id"], r["target"]) for r in rows] == [(GLOBEX, "m-bob")]
        assert c.get("/admin/v1/audit", params={"tenant_id": ACME}).status_code == 404
    assert [(r["tenant_id"], r["target"]) for r in audit_rows(srv)] == [
        (GLOBEX, "m-bob"),
        (ACME, "m-veg"),
    ]


def test_keys_are_never_logged(admin_server: Factory, caplog: pytest.LogCaptureFixture) -> None:
    srv = admin_server(extra={"admin_rate_limit_per_minute": 60, "admin_rate_limit_burst": 1})
    caplog.set_level(logging.DEBUG)
    for key in (*srv.keys.values(), "psa_not-a-real-key", "psn_acme-test-key"):
        for _ in range(2):  # the second call with a valid key is rate limited
            httpx.get(f"{srv.url}/admin/v1/tenants", headers={"Authorization": f"Bearer {key}"})
    with srv.client("env") as c:
        c.post(f"{ALICE}/purge", json={"reason": "x"})
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (*srv.keys.values(), "psa_not-a-real-key", "psn_acme-test-key"):
        assert secret not in logged


def test_suppress_and_unsuppress_memory(admin_server: Factory) -> None:
    srv = admin_server()
    with srv.client("env") as c:
        r = c.post(f"{ALICE}/memories/m-berlin/suppress", json={"reason": "user asked"})
        body = r.json()
        stamp = body["suppressed_at"]
        assert r.status_code == 200 and recent(stamp)
        assert body == {**BERLIN, "suppressed_at": stamp, "updated_at": stamp}
        assert c.get(f"{ALICE}/memories").json() == {"data": [body, VEG]}  # still valid
        r = c.post(f"{ALICE}/memories/m-berlin/suppress", json={"reason": "again"})
        assert (r.status_code, r.json()) == (
            409,
            error("memory 'm-berlin' is already suppressed", 409, "conflict"),
        )
        r = c.post(f"{ALICE}/memories/m-berlin/unsuppress", json={"reason": "asked back"})
        assert r.status_code == 200 and r.json()["suppressed_at"] is None
        history = c.get(f"{ALICE}/memories/m-berlin").json()["history"]
        assert [(h["op"], h["actor"], h["reason"]) for h in history] == [
            ("add", "extractor", "stated by the user"),
            ("suppress", "admin", "user asked"),
            ("unsuppress", "admin", "asked back"),
        ]
    assert [(a["action"], a["target"], a["reason"]) for a in audit_rows(srv)] == [
        ("memory.unsuppress", "m-berlin", "asked back"),  # newest first
        ("memory.suppress", "m-berlin", "user asked"),
    ]
