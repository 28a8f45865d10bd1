"""`/v1/users/{user}/proposals`: list, confirm and reject proposed constraints over HTTP, on
SQLite and PostgreSQL, with the background parse fed by the fake provider."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from persona.config import Settings
from persona.embed import HashEmbedder
from persona.runtime import Runtime
from persona.worker import make_worker
from store.db import session_scope
from store.tenants import create_tenant
from tests.api.conftest import LiveServer, start_server
from tests.fakes.provider import FakeProvider, ok

FAST, STEER = "openai/fast-fake", "openai/steer-fake"
TEXT = "Ne me pose plus de questions à la fin, jamais."
ANSWER = {
    "constraints": [
        {
            "sentence": 1,
            "id": "style:no_follow_up_questions",
            "kwargs": {},
            "scope": "standing",
            "quote": "Ne me pose plus de questions à la fin",
        }
    ]
}


@dataclass
class Server(LiveServer):
    """The server, and the key of a second tenant."""

    other_key: str = ""


@pytest.fixture
def srv(db_url: str, fake_provider: FakeProvider) -> Iterator[Server]:
    """A server on SQLite and on PostgreSQL; proposals come into force only when confirmed."""
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    settings = Settings(
        database_url=db_url,
        fast_model=FAST,
        reasoning_model=FAST,
        steer_model=STEER,
        model_endpoints={FAST: endpoint, STEER: endpoint},
        max_retries=0,
        reask=False,
        background_worker=False,
        steer_proposal_turns=0,
    )
    runtime = Runtime.build(settings, embedder=HashEmbedder(), upgrade=True)
    with session_scope(runtime.db) as session:
        _, key = create_tenant(session, "test-app")
        _, other_key = create_tenant(session, "other-app")
    server, thread, url = start_server(runtime)
    yield Server(url=url, api_key=key, runtime=runtime, other_key=other_key)
    server.should_exit = True
    thread.join(timeout=10)
    runtime.close()


def call(srv: LiveServer, method: str, path: str, key: str | None = None, **kw: Any) -> Any:
    r = httpx.request(
        method,
        f"{srv.url}{path}",
        headers={"Authorization": f"Bearer {key or srv.api_key}"},
        timeout=30,
        **kw,
    )
    return r.status_code, r.json()


def chat(srv: LiveServer, text: str, user: str = "alice") -> dict[str, Any]:
    code, body = call(
        srv,
        "POST",
        "/v1/chat/completions",
        json={
            "model": "persona/auto",
            "user": user,
            "messages": [{"role": "user", "content": text}],
        },
    )
    assert code == 200, body
    return body["persona"]  # type: ignore[no-any-return]


@pytest.fixture
def proposed(srv: LiveServer, fake_provider: FakeProvider) -> dict[str, Any]:
    """Alice said something the rules could not read; the worker proposed a constraint."""
    trace = chat(srv, TEXT)
    fake_provider.script(ok(json.dumps(ANSWER)), model="steer-fake")
    make_worker(srv.runtime).run_until_idle()
    code, body = call(srv, "GET", "/v1/users/alice/proposals")
    assert code == 200
    (proposal,) = body["proposals"]
    assert proposal == {
        "id": proposal["id"],
        "constraint": {"id": "style:no_follow_up_questions", "kwargs": {}},
        "status": "proposed",
        "source_turn_id": trace["turn_id"],
        "source_text": TEXT,
        "model": STEER,
        "turns_seen": 0,
        "accept_after": 0,
        "decided_by": None,
        "reason": "",
        "cid": None,
        "created_at": proposal["created_at"],
        "decided_at": None,
    }
    return proposal  # type: ignore[no-any-return]


def test_confirm_brings_it_into_force(srv: LiveServer, proposed: dict[str, Any]) -> None:
    # shown but not in force, however many turns pass (confirmation only)
    for _ in range(2):
        steering = chat(srv, "What is the capital of France?")["steering"]
        assert ([p["id"] for p in steering["proposed"]], steering["active"]) == (
            [proposed["id"]],
            [],
        )
    code, body = call(srv, "POST", f"/v1/users/alice/proposals/{proposed['id']}/confirm")
    assert code == 200
    assert body == {
        **proposed,
        "status": "accepted",
        "turns_seen": 2,
        "decided_by": "user",
        "cid": body["cid"],
        "decided_at": body["decided_at"],
    }
    code, listing = call(srv, "GET", "/v1/users/alice/constraints")
    assert [(c["cid"], c["id"], c["turn_id"], c["proposal"]) for c in listing["constraints"]] == [
        (body["cid"], "style:no_follow_up_questions", proposed["source_turn_id"], proposed["id"])
    ]
    steering = chat(srv, "And of Spain?")["steering"]
    assert (steering["proposed"], [c["id"] for c in steering["active"]]) == (
        [],
        ["style:no_follow_up_questions"],
    )
    # decided: a second word on it is refused
    code, err = call(srv, "POST", f"/v1/users/alice/proposals/{proposed['id']}/reject")
    assert (code, err["error"]["message"]) == (
        409,
        f"proposal {proposed['id']!r} is accepted, not proposed",
    )


def test_reject_drops_it(srv: LiveServer, proposed: dict[str, Any]) -> None:
    code, body = call(srv, "POST", f"/v1/users/alice/proposals/{proposed['id']}/reject")
    assert code == 200
    assert (body["status"], body["decided_by"], body["cid"]) == ("rejected", "user", None)
    assert call(srv, "GET", "/v1/users/alice/constraints") == (200, {"constraints": []})
    assert call(srv, "GET", "/v1/users/alice/proposals?status=proposed") == (
        200,
        {"proposals": []},
    )
    code, listing = call(srv, "GET", "/v1/users/alice/proposals?status=rejected")
    assert [p["id"] for p in listing["proposals"]] == [proposed["id"]]
    assert chat(srv, "Hi")["steering"]["proposed"] == []


def test_no_one_else_can_see_or_decide_it(srv: Server, proposed: dict[str, Any]) -> None:
    chat(srv, "Hi", user="bob")
    pid = proposed["id"]
    assert call(srv, "GET", "/v1/users/bob/proposals") == (200, {"proposals": []})
    code, err = call(srv, "POST", f"/v1/users/bob/proposals/{pid}/confirm")
    assert (code, err["error"]["message"]) == (404, f"user 'bob' has no proposal {pid!r}")
    other = srv.other_key
    code, err = call(srv, "GET", "/v1/users/alice/proposals", key=other)
    assert (code, err["error"]["message"]) == (404, "no user 'alice'")
    code, _ = call(srv, "POST", f"/v1/users/alice/proposals/{pid}/confirm", key=other)
    assert code == 404
    # still proposed for alice
    code, body = call(srv, "GET", "/v1/users/alice/proposals?status=proposed")
    assert [p["id"] for p in body["proposals"]] == [pid]


def test_unknown_proposal_and_bad_status(srv: LiveServer, proposed: dict[str, Any]) -> None:
    code, err = call(srv, "POST", "/v1/users/alice/proposals/p_nope/confirm")
    assert (code, err["error"]["message"]) == (404, "user 'alice' has no proposal 'p_nope'")
    code, _ = call(srv, "GET", "/v1/users/alice/proposals?status=maybe")
    assert code == 400


def test_openapi_documents_the_response_models(srv: LiveServer) -> None:
    spec = httpx.get(f"{srv.url}/openapi.json").json()
    get = spec["paths"]["/v1/users/{user}/proposals"]["get"]
    schema = get["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ProposalsPublic"}
    confirm = spec["paths"]["/v1/users/{user}/proposals/{pid}/confirm"]["post"]
    assert confirm["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProposalPublic"
    }
