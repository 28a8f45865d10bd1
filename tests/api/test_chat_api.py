"""The official `openai` client against a real `persona serve` on loopback (fake provider)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import openai
import pytest
from sqlmodel import select

from store.db import session_scope
from store.models import Tenant, Trace
from tests.api.conftest import LiveServer, openai_client
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider, closed_url, cut, error, hang, ok

FAST, REASONING, BACKUP = "openai/fast-fake", "openai/reasoning-fake", "openai/backup-fake"
STAGES = ["user", "embed", "retrieve", "steer", "route", "compile", "model", "verify"]
NO_STEERING = {
    "active": [],
    "dropped": [],
    "instructions": [],
    "stored_from_message": {"constraints": [], "instructions": []},
    "one_off": [],
    "rejected": [],
    "results": [],
    "results_before_repair": [],
    "repairs": [],
    "reasked": False,
    "fallback": None,
    "refused_claims": [],
    "mentions": [],
    "ambiguous": [],
    "proposed": [],
    "compliant": None,
}


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    return live_server(
        fast_model=FAST,
        reasoning_model=REASONING,
        model_endpoints={FAST: endpoint, REASONING: endpoint, BACKUP: endpoint},
        max_retries=1,
        retry_backoff_s=0.01,
        request_timeout_s=2,
    )


def _client(srv: LiveServer) -> openai.OpenAI:
    return openai_client(srv)


def test_chat_completion_returns_reply_and_trace(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("Hello Alice!", prompt_tokens=50, completion_tokens=3))
    r = _client(srv).chat.completions.create(
        model="persona/fast", user="alice", messages=[{"role": "user", "content": "hi there"}]
    )
    assert r.object == "chat.completion"
    assert r.choices[0].message.content == "Hello Alice!"
    assert r.choices[0].finish_reason == "stop"
    assert (r.usage.prompt_tokens, r.usage.completion_tokens, r.usage.total_tokens) == (50, 3, 53)
    sent = fake_provider.requests[-1].body
    assert sent["messages"][0]["role"] == "system"
    assert sent["messages"][-1] == {"role": "user", "content": "hi there"}
    trace = r.model_extra["persona"]
    route, latency = trace["route"], trace["latency_ms"]
    assert list(latency) == [*STAGES, "store", "total"]
    assert (
        trace
        == {
            "user": "alice",
            "memory": {"mode": "on"},
            "memories": [],
            "route": {
                "tier": "fast",
                "score": route["score"],  # the classifier's, not forced
                "threshold": srv.runtime.router.default_threshold,
                "effort": None,
                "signals": [
                    *route["signals"][:-1],
                    {"name": "override", "value": "fast", "effect": "forces fast"},
                ],
                "reason": "The request asked for the fast model explicitly.",
            },
            "requested_model": "persona/fast",
            "tier_override": "fast",
            "prompt": {
                "family": "chat",
                "sections": ["role"],
                "system": sent["messages"][0]["content"],
            },
            "steering": NO_STEERING,
            "request": {"forwarded": ["user"], "adapted": [], "refused": []},
            "model": FAST,
            "tier": "fast",
            "usage": {"prompt_tokens": 50, "completion_tokens": 3, "total_tokens": 53},
            "cost_usd": None,
            "attempts": [],
            "reply_kind": "text",
            "turn_id": r.id.removeprefix("chatcmpl-"),
            "latency_ms": latency,
        }
    )
    # what is stored with the turn is what the reply carried
    with session_scope(srv.runtime.db) as session:
        row = session.exec(select(Trace).where(Trace.turn_id == trace["turn_id"])).one()
        assert (row.data, row.tier, row.route_score, row.total_ms) == (
            trace,
            "fast",
            route["score"],
            latency["total"],
        )


def test_streaming_with_the_openai_client(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("one two three four"))
    stream = _client(srv).chat.completions.create(
        model="persona/fast",
        user="bob",
        messages=[{"role": "user", "content": "count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three four"
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finals) == 1
    trace = finals[0].model_extra["persona"]
    assert (trace["tier"], trace["reply_kind"], trace["usage"]) == (
        "fast",
        "text",
        chunks[-1].usage.model_dump(exclude_none=True),
    )
    assert chunks[-1].usage.total_tokens > 0
    with session_scope(srv.runtime.db) as session:  # the streamed trace is the stored one
        row = session.exec(select(Trace).where(Trace.turn_id == trace["turn_id"])).one()
        assert row.data == trace


def test_user_from_header(srv: LiveServer, fake_provider: FakeProvider) -> None:
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}", "X-Persona-User": "carol"},
        json={"model": "persona/fast", "messages": [{"role": "user", "content": "hi"}]},
    )
    assert r.status_code == 200
    assert r.json()["persona"]["user"] == "carol"


def test_retries_then_succeeds(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(error(500), ok("recovered"), model="fast-fake")
    r = _client(srv).chat.completions.create(
        model="persona/fast", user="dan", messages=[{"role": "user", "content": "hi"}]
    )
    assert r.choices[0].message.content == "recovered"
    attempts = r.model_extra["persona"]["attempts"]
    assert attempts == [
        {"model": FAST, "error": "server_error", "status": 500, "ms": attempts[0]["ms"]}
    ]


def test_falls_back_to_the_next_model(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    srv = live_server(
        fast_model=FAST,
        reasoning_model=REASONING,
        fallback_models=[BACKUP],
        model_endpoints={FAST: endpoint, REASONING: endpoint, BACKUP: endpoint},
        max_retries=1,
        retry_backoff_s=0.01,
    )
    fake_provider.script(error(503), error(429, retry_after=0), model="fast-fake")
    fake_provider.script(ok("from the backup"), model="backup-fake")
    r = _client(srv).chat.completions.create(
        model="persona/fast", user="erin", messages=[{"role": "user", "content": "hi"}]
    )
    assert r.choices[0].message.content == "from the backup"
    assert r.model_extra["persona"]["model"] == BACKUP


def test_provider_failure_is_a_502_and_writes_nothing(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    before = table_counts(srv.runtime.db)
    fake_provider.script(error(500), error(500), model="fast-fake")
    with pytest.raises(openai.APIStatusError) as info:
        _client(srv).chat.completions.create(
            model="persona/fast", user="frank", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 502
    body = info.value.body
    assert isinstance(body, dict)
    assert body["code"] == "provider_error"
    assert body["message"] == (
        f"model provider failed after 2 attempt(s): {FAST} (server_error 500, server_error 500)"
    )  # what was tried, never the provider's own error text
    assert "litellm" not in json.dumps(body) and "Exception" not in json.dumps(body)
    after = table_counts(srv.runtime.db)
    # the user row may be created on first sight; no turn, trace, job or memory is written
    assert {k: after[k] for k in ("turn", "trace", "outbox", "memory", "memory_history")} == {
        k: before[k] for k in ("turn", "trace", "outbox", "memory", "memory_history")
    }


def test_an_upstream_429_reaches_the_client_as_a_429_with_its_retry_after(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    srv = live_server(fast_model=FAST, model_endpoints={FAST: endpoint}, max_retries=0)
    fake_provider.script(error(429, "slow down", retry_after=30), model="fast-fake")
    with pytest.raises(openai.RateLimitError) as info:
        _client(srv).chat.completions.create(
            model="persona/fast", user="ivy", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "30"
    body = info.value.body
    assert isinstance(body, dict)
    assert body["code"] == "provider_rate_limited"
    assert body["type"] == "rate_limit_error"
    assert "slow down" not in body["message"]


def test_provider_timeout_is_a_504(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(hang(5), hang(5), model="fast-fake")
    with pytest.raises(openai.APIStatusError) as info:
        _client(srv).chat.completions.create(
            model="persona/fast", user="gina", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 504


def test_connection_refused_is_a_502(live_server: Callable[..., LiveServer]) -> None:
    endpoint = {"api_base": closed_url(), "api_key": "sk-fake"}
    srv = live_server(
        fast_model=FAST, model_endpoints={FAST: endpoint}, max_retries=0, retry_backoff_s=0.01
    )
    with pytest.raises(openai.APIStatusError) as info:
        _client(srv).chat.completions.create(
            model="persona/fast", user="hal", messages=[{"role": "user", "content": "hi"}]
        )
    assert info.value.status_code == 502


def test_stream_cut_midway_reports_an_error_and_writes_nothing(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    before = table_counts(srv.runtime.db)
    fake_provider.script(cut("one two three four five", after=2), model="fast-fake")
    with httpx.stream(
        "POST",
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}"},
        json={
            "model": "persona/fast",
            "user": "ivy",
            "stream": True,
            "messages": [{"role": "user", "content": "count"}],
        },
    ) as r:
        lines = [line for line in r.iter_lines() if line.startswith("data: ")]
    assert lines[-1] == "data: [DONE]"
    assert '"error"' in lines[-2] and "provider_error" in lines[-2]
    after = table_counts(srv.runtime.db)
    assert after["turn"] == before["turn"] and after["outbox"] == before["outbox"]


def test_turn_trace_and_job_are_written_together(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    before = table_counts(srv.runtime.db)
    _client(srv).chat.completions.create(
        model="persona/fast", user="jo", messages=[{"role": "user", "content": "I live in Oslo"}]
    )
    after = table_counts(srv.runtime.db)
    assert (after["turn"] - before["turn"], after["trace"] - before["trace"]) == (1, 1)
    assert after["outbox"] - before["outbox"] == 1


def test_the_admin_api_shows_the_trace_the_reply_carried(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    admin_key = "adm-" + "k" * 40
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    srv = live_server(fast_model=FAST, model_endpoints={FAST: endpoint}, admin_key=admin_key)
    fake_provider.script(ok("Hello Ada!"))
    r = _client(srv).chat.completions.create(
        model="persona/fast", user="ada", messages=[{"role": "user", "content": "hi"}]
    )
    trace = r.model_extra["persona"]
    with session_scope(srv.runtime.db) as session:
        tenant = session.exec(select(Tenant)).one()
    users = f"{srv.url}/admin/v1/tenants/{tenant.id}/users"
    auth = {"Authorization": f"Bearer {admin_key}"}
    one = httpx.get(f"{users}/ada/traces/{trace['turn_id']}", headers=auth)
    assert one.status_code == 200, one.text
    assert one.json() == {
        "id": one.json()["id"],
        "turn_id": trace["turn_id"],
        "tier": "fast",
        "route_score": trace["route"]["score"],
        "total_ms": trace["latency_ms"]["total"],
        "created_at": one.json()["created_at"],
        "user_message": "hi",
        "reply": "Hello Ada!",
        "data": trace,
    }
    assert httpx.get(f"{users}/ada/traces", headers=auth).json() == {"data": [one.json()]}
