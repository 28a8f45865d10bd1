"""'Don't mention this again': suppressed memories leave prompts, stay in history and export."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from persona.embed import HashEmbedder
from persona.errors import Conflict
from persona.memory.retrieve import Retriever
from persona.memory.service import MemoryService
from store.db import session_scope
from store.tenants import create_tenant
from store.users import find_user

EMB = HashEmbedder()


@pytest.fixture
def svc(engine: Engine) -> MemoryService:
    return MemoryService(engine, EMB)


@pytest.fixture
def tenant(engine: Engine) -> str:
    with session_scope(engine) as session:
        return create_tenant(session, "app")[0].id


def _in_prompt_sources(engine: Engine, tenant: str, query: str) -> tuple[list[str], list[str]]:
    """Texts from the profile facts and from retrieval for `query`."""
    with session_scope(engine) as session:
        user = find_user(session, tenant, "ann")
        assert user is not None and user.id is not None
        retriever = Retriever()
        facts = [m.text for m in retriever.profile(session, user.id, 20)]
        hits = retriever.search(session, user.id, query, EMB.embed([query])[0], k=10)
        return facts, [h.memory.text for h in hits]


def test_suppress_hides_from_prompts_keeps_history_export_and_is_reversible(
    svc: MemoryService, engine: Engine, tenant: str
) -> None:
    kept = svc.add(tenant, "ann", "Has a dog called Rex", attribute="pet")
    hidden = svc.add(tenant, "ann", "Is going through a divorce", attribute="relationship")
    facts, hits = _in_prompt_sources(engine, tenant, "divorce dog Rex")
    assert set(facts) == {kept.text, hidden.text} and hidden.text in hits

    out = svc.suppress(tenant, "ann", hidden.id, actor="user", reason="private")
    assert out.suppressed_at is not None and out.invalid_at is None
    facts, hits = _in_prompt_sources(engine, tenant, "divorce dog Rex")
    assert facts == [kept.text]
    assert hidden.text not in hits and kept.text in hits
    # still a current memory of the user, listed and exported, with its history
    assert {m.id for m in svc.list(tenant, "ann")} == {kept.id, hidden.id}
    exported = {m["id"]: m for m in svc.export(tenant, "ann")["memories"]}
    assert exported[hidden.id]["suppressed_at"] == out.suppressed_at.isoformat()
    assert [h["op"] for h in exported[hidden.id]["history"]] == ["add", "suppress"]
    row = svc.history(tenant, "ann", hidden.id)[-1]
    assert (row.op, row.actor, row.reason) == ("suppress", "user", "private")
    assert row.before is not None and row.after is not None
    assert row.before["suppressed_at"] is None
    assert row.after["suppressed_at"] == out.suppressed_at.isoformat()
    assert {k for k in row.after if row.after[k] != row.before[k]} == {
        "suppressed_at",
        "updated_at",
    }

    # suppressing twice is refused and writes no second row
    with pytest.raises(Conflict) as refused:
        svc.suppress(tenant, "ann", hidden.id)
    assert refused.value.message == f"memory {hidden.id!r} is already suppressed"
    assert [h.op for h in svc.history(tenant, "ann", hidden.id)] == ["add", "suppress"]

    back = svc.suppress(tenant, "ann", hidden.id, suppressed=False)
    assert back.suppressed_at is None
    facts, hits = _in_prompt_sources(engine, tenant, "divorce dog Rex")
    assert set(facts) == {kept.text, hidden.text} and hidden.text in hits
    last = svc.history(tenant, "ann", hidden.id)[-1]
    assert (last.op, last.reason) == ("unsuppress", "may be mentioned again")


def test_restating_a_suppressed_fact_does_not_bring_it_back(
    svc: MemoryService, engine: Engine, tenant: str
) -> None:
    hidden = svc.add(tenant, "ann", "Is going through a divorce")
    svc.suppress(tenant, "ann", hidden.id)
    again = svc.add(tenant, "ann", "is going through a divorce")
    assert again.id == hidden.id and again.suppressed_at is not None  # refreshed, not copied
    facts, hits = _in_prompt_sources(engine, tenant, "divorce")
    assert (facts, hits) == ([], [])
