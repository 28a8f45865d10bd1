"""The issues' end-to-end scenarios through the REST endpoint (fake provider, real embedder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from persona.embed import get_embedder
from tests.api.conftest import LiveServer
from tests.fakes.provider import FakeProvider, ok

FAST, REASONING = "openai/fast-fake", "openai/reasoning-fake"


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    return live_server(
        embedder=get_embedder(),
        fast_model=FAST,
        reasoning_model=REASONING,
        model_endpoints={FAST: endpoint, REASONING: endpoint},
        max_retries=0,
        reask=False,
    )


def _chat(srv: LiveServer, user: str, text: str, **extra: Any) -> dict[str, Any]:
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}"},
        json={
            "model": "persona/auto",
            "user": user,
            "messages": [{"role": "user", "content": text}],
            **extra,
        },
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _api(srv: LiveServer, method: str, path: str, **kw: Any) -> httpx.Response:
    return httpx.request(
        method, f"{srv.url}{path}", headers={"Authorization": f"Bearer {srv.api_key}"}, **kw
    )


def test_standing_style_instructions_hold_and_can_be_removed(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(
        ok("Got it, I will write that way. Anything else I can help you with?"),
        ok("Paris is the Capital of France. Would you like to know more?"),
        ok("Rome is the Capital of Italy. Do you want more facts?"),
    )
    first = _chat(
        srv, "ann", "From now on never use capital letters and don't ask me follow-up questions"
    )
    assert first["choices"][0]["message"]["content"] == "got it, i will write that way."
    steering = first["persona"]["steering"]
    assert [c["id"] for c in steering["stored_from_message"]["constraints"]] == [
        "change_case:english_lowercase",
        "style:no_follow_up_questions",
    ]
    assert all(r["passed"] for r in steering["results"])

    second = _chat(srv, "ann", "What is the capital of France?")
    assert second["choices"][0]["message"]["content"] == "paris is the capital of france."
    assert second["persona"]["steering"]["results"] == [
        {"id": "change_case:english_lowercase", "passed": True, "detail": ""},
        {"id": "style:no_follow_up_questions", "passed": True, "detail": ""},
    ]
    assert sorted(second["persona"]["steering"]["repairs"]) == [
        "change_case:english_lowercase",
        "style:no_follow_up_questions",
    ]

    listed = _api(srv, "GET", "/v1/users/ann/constraints").json()["constraints"]
    assert [(c["id"], c["source"]) for c in listed] == [
        ("change_case:english_lowercase", "chat"),
        ("style:no_follow_up_questions", "chat"),
    ]
    assert all(c["turn_id"] == first["persona"]["turn_id"] for c in listed)
    lower = next(c for c in listed if c["id"] == "change_case:english_lowercase")
    removed = _api(srv, "DELETE", f"/v1/users/ann/constraints/{lower['cid']}")
    assert removed.status_code == 200 and removed.json() == {"removed": lower}

    third = _chat(srv, "ann", "And of Italy?")
    assert third["choices"][0]["message"]["content"] == "Rome is the Capital of Italy."


def test_conflicting_constraints_are_refused(srv: LiveServer) -> None:
    r = _api(
        srv,
        "POST",
        "/v1/users/bo/constraints",
        json={
            "constraints": [
                {"id": "change_case:english_lowercase"},
                {"id": "change_case:english_capital"},
            ]
        },
    )
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "conflict"
    assert "english_lowercase" in r.json()["error"]["message"]


def test_a_mixed_conversation_routes_as_a_person_would_expect(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    session = {"persona_session": "conv-1"}
    turns = [
        ("hi there!", "fast"),
        ("What's the capital of Portugal?", "fast"),
        (
            "Prove that there are infinitely many primes, step by step, and then show how the "
            "argument changes for primes of the form 4k+3.",
            "reasoning",
        ),
        ("ok, and what about primes of the form 4k+1?", "reasoning"),
        ("thanks!", "fast"),
        ("just a quick answer: is a tomato a fruit?", "fast"),
    ]
    for text, expected in turns:
        route = _chat(srv, "cy", text, **session)["persona"]["route"]
        assert route["tier"] == expected, (text, route)
        assert route["reason"] and route["signals"]
    models = [r.model for r in fake_provider.requests]
    assert models == [
        "fast-fake",
        "fast-fake",
        "reasoning-fake",
        "reasoning-fake",
        "fast-fake",
        "fast-fake",
    ]


def test_feedback_is_stored_and_moves_the_threshold(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    from sqlmodel import select

    from persona.route import Router
    from store.db import session_scope
    from store.models import Feedback

    reply = _chat(srv, "di", "what's a good name for a cat?")
    assert reply["persona"]["tier"] == "fast"
    r = _api(
        srv,
        "POST",
        "/v1/feedback",
        json={
            "response_id": reply["id"],
            "rating": "regenerate_reasoning",
            "comment": "too shallow",
        },
    )
    assert r.status_code == 201
    body = r.json()
    default = Router.load().default_threshold
    assert body["feedback"]["rating"] == "regenerate_reasoning"
    assert body["feedback"]["tier"] == "fast"
    assert body["route_threshold"] < default
    with session_scope(srv.runtime.db) as session:
        rows = session.exec(select(Feedback)).all()
        assert [(f.turn_id, f.rating, f.comment) for f in rows] == [
            (reply["persona"]["turn_id"], "regenerate_reasoning", "too shallow")
        ]
    # the next decision uses the tenant's moved threshold
    nxt = _chat(srv, "di", "and a name for a dog?")
    assert nxt["persona"]["route"]["threshold"] == body["route_threshold"]
    missing = _api(
        srv, "POST", "/v1/feedback", json={"response_id": "chatcmpl-nope", "rating": "up"}
    )
    assert missing.status_code == 404
    bad = _api(srv, "POST", "/v1/feedback", json={"response_id": reply["id"], "rating": "meh"})
    assert bad.status_code == 400


def _jobs(srv: LiveServer) -> int:
    from persona.worker import make_worker

    return make_worker(srv.runtime).run_until_idle()


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", ["I live in Paris.", "My sister lives in Madrid.", "We moved to Berlin."]),
        ("de", ["Ich wohne in Paris.", "Meine Schwester wohnt in Madrid.", "Wir sind nach Berlin gezogen."]),
        ("fr", ["J'habite à Paris.", "Ma sœur habite à Madrid.", "Nous avons déménagé à Berlin."]),
        ("es", ["Vivo en Paris.", "Mi hermana vive en Madrid.", "Nos mudamos a Berlin."]),
        ("it", ["Vivo a Paris.", "Mia sorella vive a Madrid.", "Ci siamo trasferiti a Berlin."]),
        ("pt", ["Moro em Paris.", "Minha irmã mora em Madrid.", "Nós nos mudamos para Berlin."]),
    ],
)  # fmt: skip
def test_paris_then_berlin_in_six_languages(
    srv: LiveServer, fake_provider: FakeProvider, lang: str, said: list[str]
) -> None:
    fake_provider.script(*(ok("ok") for _ in range(len(said) + 1)))
    user = f"mover-{lang}"
    for text in said:
        _chat(srv, user, text)
        _jobs(srv)  # as the background worker would, between turns
    system = _chat(srv, user, "where do I live?")["persona"]["prompt"]["system"]
    # (the raw turns may come back as episodes; the current facts are what must be right)
    assert "Lives in Berlin" in system
    assert "Lives in Paris" not in system and "Lives in Madrid" not in system
    memories = _api(srv, "GET", f"/v1/users/{user}/memories").json()
    facts = [m for m in memories["memories"] if m["kind"] != "episode"]
    assert [(m["kind"], m["text"], m["attribute"]) for m in facts] == [
        ("fact", "Lives in Berlin", "location")
    ]
