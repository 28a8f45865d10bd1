"""Memory controls over REST and the HTTP SDK: suppress, temporary chat, project scope."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from persona.client import PersonaClient
from persona.trace import MemoryUse
from tests.api.conftest import LiveServer
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider

FAST, REASONING = "openai/fast-fake", "openai/reasoning-fake"


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    return live_server(
        fast_model=FAST,
        reasoning_model=REASONING,
        model_endpoints={FAST: endpoint, REASONING: endpoint},
        max_retries=0,
        reask=False,
    )


def _chat(
    srv: LiveServer, user: str, text: str, headers: dict[str, str] | None = None, **extra: Any
) -> dict[str, Any]:
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}", **(headers or {})},
        json={"user": user, "messages": [{"role": "user", "content": text}], **extra},
        timeout=30,
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _system(reply: dict[str, Any]) -> str:
    return str(reply["persona"]["prompt"]["system"])


def test_suppressed_memory_leaves_the_prompt_and_comes_back(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        mem = client.memories("ann")
        dog = mem.add("Has a dog called Rex", attribute="pet")
        secret = mem.add("Is recovering from surgery", attribute="health")
        assert "recovering from surgery" in _system(_chat(srv, "ann", "hello"))

        out = mem.suppress(secret.id, reason="private")
        assert out.suppressed_at is not None and out.invalid_at is None
        system = _system(_chat(srv, "ann", "how is my surgery recovery going?"))
        assert "recovering from surgery" not in system and "Rex" in system
        assert [m.id for m in mem.list()] == [dog.id, secret.id]
        exported = {m["id"]: m for m in mem.export().memories}
        assert exported[secret.id]["suppressed_at"] == out.suppressed_at.isoformat()
        assert [h.op for h in mem.history(secret.id)] == ["add", "suppress"]

        assert mem.unsuppress(secret.id).suppressed_at is None
        assert "recovering from surgery" in _system(_chat(srv, "ann", "hello again"))
        assert [h.op for h in mem.history(secret.id)] == ["add", "suppress", "unsuppress"]


def test_suppress_an_unknown_memory_is_404(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        client.memories("ann").add("Likes tea")
    r = httpx.post(
        f"{srv.url}/v1/users/ann/memories/nope/suppress",
        headers={"Authorization": f"Bearer {srv.api_key}"},
    )
    assert r.status_code == 404


def _jobs(srv: LiveServer) -> int:
    from persona.worker import make_worker

    return make_worker(srv.runtime).run_until_idle()


def test_temporary_chat_reads_and_writes_no_memory(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        client.memories("ann").add("Lives in Paris", attribute="location")
        client.instruct("ann", "Always sign replies with a dash")
        assert "Lives in Paris" in _system(_chat(srv, "ann", "where do I live?"))
        _jobs(srv)
        before = table_counts(srv.runtime.db)
        said = "I moved to Berlin. From now on answer in French. Remember that I am a nurse."
        by_body = _chat(srv, "ann", said, persona_memory="off")
        by_header = _chat(srv, "ann", said, headers={"X-Persona-Memory": "off"})
        newcomer = _chat(srv, "bob", "I live in Rome", persona_memory="off")
        by_sdk = client.chat("ann", "where do I live?", memory="off")
        assert _jobs(srv) == 0
        assert table_counts(srv.runtime.db) == before  # nothing was written anywhere
        for reply in (by_body, by_header, newcomer):
            trace = reply["persona"]
            assert (trace["memory"], trace["memories"], trace["turn_id"]) == (
                {"mode": "off"},
                [],
                None,
            )
            assert "Paris" not in _system(reply)
        assert by_sdk.trace.memory == MemoryUse(mode="off") and by_sdk.trace.turn_id is None
        assert "Paris" not in json.dumps(by_sdk.trace.dump())
        # the profile is read (instructions still hold) but not changed
        assert "Always sign replies with a dash" in _system(by_body)
        assert [m.text for m in client.memories("ann").list(kind="fact")] == ["Lives in Paris"]
        assert client.profile("ann").instructions[0]["text"] == "Always sign replies with a dash"
        assert len(client.profile("ann").instructions) == 1
        assert _chat(srv, "ann", "hi")["persona"]["memory"] == {"mode": "on"}


def test_bad_memory_mode_is_400(srv: LiveServer) -> None:
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}", "X-Persona-Memory": "sometimes"},
        json={"user": "ann", "messages": [{"role": "user", "content": "hi"}]},
        timeout=30,
    )
    assert r.status_code == 400 and r.json()["error"]["param"] == "persona_memory"
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        headers={"Authorization": f"Bearer {srv.api_key}"},
        json={
            "user": "ann",
            "persona_memory": "project",
            "messages": [{"role": "user", "content": "hi"}],
        },
        timeout=30,
    )
    assert r.status_code == 400 and r.json()["error"]["param"] == "persona_memory"


WORDS = ("Rex", "Lisbon", "violin", "Kyoto", "sailing", "Oslo", "cactus", "tango", "Lima", "chess")


def test_project_only_chat_reads_and_writes_only_its_project(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        mem = client.memories("ann")
        mem.add("Has a dog called Rex")
        mem.add("Plays the violin", metadata={"project": "music"})
        mem.add("Is writing a novel about Kyoto", project="novel")
        assert [m.text for m in mem.list()] == [
            "Has a dog called Rex",
            "Plays the violin",
            "Is writing a novel about Kyoto",
        ]
        assert [m.project for m in mem.list()] == [None, "music", "novel"]

        default = _system(_chat(srv, "ann", "hi", headers={"X-Persona-Project": "music"}))
        assert "Rex" in default and "violin" in default and "Kyoto" not in default
        only = _chat(srv, "ann", "hi", persona_memory="project", metadata={"project": "music"})
        assert only["persona"]["memory"] == {
            "mode": "project",
            "project": "music",
            "writes_to": "music",
        }
        assert "violin" in _system(only) and "Rex" not in _system(only)
        plain = _system(_chat(srv, "ann", "hi"))
        assert "Rex" in plain and "violin" not in plain and "Kyoto" not in plain

        # what a project-only chat teaches belongs to the project
        client.chat("ann", "I live in Lisbon", memory="project", project="music")
        _jobs(srv)
        lisbon = [m for m in mem.list(include_invalid=True) if "Lisbon" in m.text]
        assert lisbon and {m.project for m in lisbon} == {"music"}
        assert "Lisbon" not in _system(_chat(srv, "ann", "where do I live?"))
        novel = client.chat("ann", "where do I live?", memory="project", project="novel")
        assert "Lisbon" not in novel.trace.prompt.system
        music = client.chat("ann", "where do I live?", memory="project", project="music")
        assert "Lisbon" in music.trace.prompt.system


def test_no_memory_of_one_project_in_a_prompt_of_another(engine: Any) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from persona.embed import HashEmbedder
    from persona.memory.retrieve import Retriever
    from persona.memory.service import MemoryService
    from persona.stages import memory_projects
    from persona.types import ChatMessage, ChatRequest
    from store.db import session_scope
    from store.tenants import create_tenant
    from store.users import find_user

    emb = HashEmbedder()
    svc = MemoryService(engine, emb)
    retriever = Retriever()
    with session_scope(engine) as session:
        tenant = create_tenant(session, "app")[0].id
    projects = st.sampled_from([None, "A", "B"])
    counter = iter(range(10_000))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        facts=st.lists(st.tuples(projects, st.sampled_from(WORDS)), min_size=1, max_size=8),
        mode=st.sampled_from(["on", "project"]),
        query=st.sampled_from(WORDS),
    )
    def check(facts: list[tuple[str | None, str]], mode: str, query: str) -> None:
        user = f"u{next(counter)}"
        for project, word in facts:
            svc.add(tenant, user, f"Likes {word} ({project or 'own'})", project=project)
        request = ChatRequest(
            user=user,
            messages=[ChatMessage(role="user", content=f"tell me about {query}")],
            memory=mode,  # type: ignore[arg-type]
            project="B",
        )
        allowed = memory_projects(request)
        with session_scope(engine) as session:
            found = find_user(session, tenant, user)
            assert found is not None and found.id is not None
            facts_in = retriever.profile(session, found.id, 50, allowed)
            hits = retriever.search(
                session, found.id, query, emb.embed([query])[0], k=50, projects=allowed
            )
            seen = [m.project for m in facts_in] + [h.memory.project for h in hits]
        assert "A" not in seen
        assert set(seen) <= ({"B"} if mode == "project" else {None, "B"})
        want = {p for p, _ in facts if p in allowed}
        assert set(seen) >= want  # profile facts bring every allowed fact along

    check()


def test_temporary_chat_streams_and_writes_nothing(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        client.memories("ann").add("Lives in Paris")
        before = table_counts(srv.runtime.db)
        items = list(client.stream("ann", "I live in Rome now", memory="off"))
        reply = items[-1]
        assert not isinstance(reply, str)
        trace = reply.trace
        assert (trace.memory, trace.memories, trace.turn_id) == (MemoryUse(mode="off"), [], None)
        assert "store" not in trace.dump()["latency_ms"]  # no stage stored anything
        assert _jobs(srv) == 0
        assert table_counts(srv.runtime.db) == before


def test_memory_summary_over_http(srv: LiveServer) -> None:
    with PersonaClient(srv.url, api_key=srv.api_key) as client:
        mem = client.memories("ann")
        old = mem.add("Lives in Paris")
        assert mem.summary() == "About you:\n- Lives in Paris"
        out = mem.edit_summary("About you:\n- Lives in Berlin")
        assert out.summary == "About you:\n- Lives in Berlin"
        assert [c.op for c in out.changes] == ["invalidate", "add"]
        assert [h.op for h in mem.history(old.id)] == ["add", "invalidate"]
        system = _system(_chat(srv, "ann", "where do I live?"))
        assert "Berlin" in system and "Paris" not in system
