"""The memory service: the operations REST, SDK and CLI expose, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from persona.embed import HashEmbedder
from persona.errors import Conflict, InvalidInput, NotFound
from persona.memory.extraction import extraction_handler
from persona.memory.jobs import Worker
from persona.memory.service import MemoryService
from persona.memory.writes import memory_snapshot
from store.db import session_scope
from store.models import Feedback, utcnow
from store.tenants import create_tenant
from store.turns import record_turn
from store.users import get_or_create_user
from tests.conftest import table_counts

EMB = HashEmbedder()


@pytest.fixture
def svc(engine: Engine) -> MemoryService:
    return MemoryService(engine, EMB)


@pytest.fixture
def tenant(engine: Engine) -> str:
    with session_scope(engine) as session:
        return create_tenant(session, "app")[0].id


def version(engine: Engine, tenant: str, user: str) -> int:
    with session_scope(engine) as session:
        return get_or_create_user(session, tenant, user).memory_version


def test_add_get_update_delete_history(svc: MemoryService, engine: Engine, tenant: str) -> None:
    m = svc.add(tenant, "ann", "Lives in Paris", attribute="location", metadata={"src": "crm"})
    assert svc.get(tenant, "ann", m.id) == m
    assert svc.add(tenant, "ann", "lives in Paris").id == m.id  # duplicate: refreshed
    updated = svc.update(
        tenant, "ann", m.id, text="Lives in Paris, France", actor="admin", reason="typo"
    )
    assert (updated.text, updated.meta, updated.actor) == (
        "Lives in Paris, France",
        {"src": "crm"},
        "api",
    )
    deleted = svc.delete(tenant, "ann", m.id, actor="user", reason="moved away")
    assert deleted.invalid_at is not None
    with pytest.raises(Conflict) as refused:  # nothing to forget: said, and nothing written
        svc.delete(tenant, "ann", m.id)
    assert refused.value.message == f"memory {m.id!r} is already invalid (forgotten or superseded)"
    rows = svc.history(tenant, "ann", m.id)
    assert [(r.op, r.actor, r.reason) for r in rows] == [
        ("add", "api", "new memory"),
        ("refresh", "api", "same text as a valid memory"),
        ("update", "admin", "typo"),
        ("invalidate", "user", "moved away"),
    ]
    assert rows[2].before is not None
    assert rows[2].before == {**memory_snapshot(m), "updated_at": rows[2].before["updated_at"]}
    assert rows[2].after == {**memory_snapshot(updated)}
    assert rows[3].after == memory_snapshot(deleted)
    assert svc.history(tenant, "ann") == rows
    assert version(engine, tenant, "ann") == 4
    with pytest.raises(Conflict):
        svc.update(tenant, "ann", m.id, text="x")


def test_list_filters_and_time_travel(svc: MemoryService, tenant: str) -> None:
    paris = svc.add(tenant, "ann", "Lives in Paris", attribute="location")
    svc.add(tenant, "ann", "Likes jazz", kind="preference", metadata={"app": "music"})
    svc.add(
        tenant, "ann", "Prefers short answers", kind="instruction", scope="agent", agent_id="a1"
    )
    between = utcnow()
    berlin = svc.add(tenant, "ann", "Lives in Berlin", attribute="location")

    def texts(**kw: object) -> list[str]:
        return [m.text for m in svc.list(tenant, "ann", **kw)]  # type: ignore[arg-type]

    assert texts() == ["Likes jazz", "Prefers short answers", "Lives in Berlin"]
    assert texts(as_of=between) == ["Lives in Paris", "Likes jazz", "Prefers short answers"]
    assert texts(include_invalid=True) == [
        "Lives in Paris",
        "Likes jazz",
        "Prefers short answers",
        "Lives in Berlin",
    ]
    assert texts(kind="preference") == ["Likes jazz"]
    assert texts(scope="agent") == ["Prefers short answers"]
    assert texts(metadata={"app": "music"}) == ["Likes jazz"]
    assert texts(metadata={"app": "other"}) == []
    assert svc.get(tenant, "ann", paris.id).superseded_by == berlin.id


def test_unknown_users_memories_and_bad_input(svc: MemoryService, tenant: str) -> None:
    m = svc.add(tenant, "ann", "Lives in Paris")
    svc.add(tenant, "bob", "Lives in Rome")
    with pytest.raises(NotFound, match="no user 'zed'"):
        svc.list(tenant, "zed")
    with pytest.raises(NotFound, match="no memory"):
        svc.get(tenant, "bob", m.id)  # another user's memory is invisible
    with pytest.raises(NotFound):
        svc.delete(tenant, "bob", m.id)
    with pytest.raises(NotFound):
        svc.history(tenant, "bob", m.id)
    for kwargs, param in [
        ({"text": "  "}, "text"),
        ({"text": "x", "kind": "episode"}, "kind"),
        ({"text": "x", "scope": "session"}, "session_id"),
        ({"text": "x", "importance": 2.0}, "importance"),
        ({"text": "x", "actor": "robot"}, "actor"),
    ]:
        with pytest.raises(InvalidInput) as err:
            svc.add(tenant, "ann", **kwargs)  # type: ignore[arg-type]
        assert err.value.param == param


def test_export_purge_export_leaves_nothing(
    svc: MemoryService, engine: Engine, tenant: str
) -> None:
    with session_scope(engine) as session:
        for name in ("ann", "bob"):
            user = get_or_create_user(session, tenant, name)
            record_turn(
                session, user=user, user_message="I'm vegan and I live in Oslo", reply="Nice!",
                model="m", tier="fast", trace={"k": 1}, route_score=0.1,
            )  # fmt: skip
            session.add(Feedback(tenant_id=tenant, user_id=user.id, rating="up"))
    Worker(engine, {"extract": extraction_handler(embedder=EMB)}).run_until_idle()
    svc.add(tenant, "ann", "Prefers metric units", kind="preference")

    before = svc.export(tenant, "ann")
    assert sorted(m["text"] for m in before["memories"]) == [
        "Is vegan",
        "Lives in Oslo",
        "Prefers metric units",
    ]
    assert [h["op"] for m in before["memories"] for h in m["history"]] == ["add"] * 3
    assert [t["user_message"] for t in before["turns"]] == ["I'm vegan and I live in Oslo"]
    assert [(t["data"], len(before["feedback"])) for t in before["traces"]] == [({"k": 1}, 1)]
    assert before["user"]["external_id"] == "ann"
    v = version(engine, tenant, "ann")
    bob_before = svc.export(tenant, "bob")

    assert svc.purge(tenant, "ann") == {
        "history": 3,
        "memories": 3,
        "traces": 1,
        "turns": 1,
        "feedback": 1,
        "jobs": 1,
        "responses": 0,
        "proposals": 0,
    }
    after = svc.export(tenant, "ann")
    keys = ("memories", "turns", "traces", "feedback", "responses", "proposals")
    assert {k: after[k] for k in keys} == {
        "responses": [],
        "proposals": [],
        "memories": [],
        "turns": [],
        "traces": [],
        "feedback": [],
    }
    assert (after["user"], after["profile"]) == (before["user"], before["profile"])
    assert svc.history(tenant, "ann") == []
    assert version(engine, tenant, "ann") == v + 1  # index caches drop the vectors
    assert svc.export(tenant, "bob") == bob_before  # other users untouched
    assert svc.purge(tenant, "ann") == dict.fromkeys(
        ("history", "memories", "traces", "turns", "feedback", "jobs", "responses", "proposals"), 0
    )
    counts = table_counts(engine)
    assert (counts["memory"], counts["turn"], counts["user"]) == (2, 1, 2)


def test_expired_memories_are_not_listed(svc: MemoryService, tenant: str) -> None:
    svc.add(tenant, "ann", "Is in Rome this week", expires_at=utcnow() - timedelta(seconds=1))
    svc.add(tenant, "ann", "Lives in Paris")
    assert [m.text for m in svc.list(tenant, "ann")] == ["Lives in Paris"]
    assert len(svc.list(tenant, "ann", include_invalid=True)) == 2


class FakeRetriever:
    """Records the call; the real hybrid retriever is tested with the read path."""

    def __init__(self) -> None:
        self.calls: list[tuple[int | None, str, list[float], int, dict[str, object]]] = []

    def search(
        self, session: object, user_id: int, query: str, embedding: Any, k: int, **kw: object
    ) -> list[str]:
        self.calls.append((user_id, query, list(embedding), k, kw))
        return ["hit"]


def test_search_embeds_once_and_delegates_to_the_retriever(engine: Engine, tenant: str) -> None:
    retriever = FakeRetriever()
    svc = MemoryService(engine, EMB, retriever=retriever)
    svc.add(tenant, "ann", "Lives in Paris")
    assert svc.search(tenant, "ann", "where do I live?", k=3) == ["hit"]
    with session_scope(engine) as session:
        uid = get_or_create_user(session, tenant, "ann").id
    expected = [float(x) for x in EMB.embed(["where do I live?"])[0]]
    assert retriever.calls == [(uid, "where do I live?", expected, 3, {})]
    with pytest.raises(InvalidInput):
        svc.search(tenant, "ann", "  ")
    with pytest.raises(NotFound):
        svc.search(tenant, "zed", "x")


def test_search_with_the_real_retriever_follows_supersedes(svc: MemoryService, tenant: str) -> None:
    svc.add(tenant, "ann", "Lives in Paris", attribute="location")
    svc.add(tenant, "ann", "Is vegetarian", attribute="diet")
    between = utcnow()
    svc.add(tenant, "ann", "Lives in Berlin", attribute="location")
    svc.add(tenant, "bob", "Lives in Rome", attribute="location")
    now = [h.memory.text for h in svc.search(tenant, "ann", "which city does ann live in", k=5)]
    past = [
        h.memory.text
        for h in svc.search(tenant, "ann", "which city does ann live in", k=5, as_of=between)
    ]
    assert "Lives in Berlin" in now and "Lives in Paris" in past
    assert not {"Lives in Paris", "Lives in Rome"} & set(now)
    assert not {"Lives in Berlin", "Lives in Rome"} & set(past)
