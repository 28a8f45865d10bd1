"""The memory summary: compiled from current memories; an edit is memory operations."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from persona.embed import HashEmbedder
from persona.memory.service import MemoryService
from store.db import session_scope
from store.tenants import create_tenant

EMB = HashEmbedder()


@pytest.fixture
def svc(engine: Engine) -> MemoryService:
    return MemoryService(engine, EMB)


@pytest.fixture
def tenant(engine: Engine) -> str:
    with session_scope(engine) as session:
        return create_tenant(session, "app")[0].id


def test_summary_lists_current_memories_and_an_edit_becomes_operations(
    svc: MemoryService, tenant: str
) -> None:
    paris = svc.add(tenant, "ann", "Lives in Paris", attribute="location")
    tea = svc.add(tenant, "ann", "Likes green tea", kind="preference")
    hidden = svc.add(tenant, "ann", "Is going through a divorce")
    svc.add(tenant, "ann", "Plays the violin", project="music")
    svc.suppress(tenant, "ann", hidden.id)
    assert svc.summary(tenant, "ann") == (
        "About you:\n- Lives in Paris\n\nPreferences:\n- Likes green tea"
    )

    edited = "About you:\n- Lives in Paris\n- Works as a nurse\n\nPreferences:\n"
    out = svc.edit_summary(tenant, "ann", edited, actor="user")
    assert out["summary"] == "About you:\n- Lives in Paris\n- Works as a nurse"
    nurse = next(m for m in svc.list(tenant, "ann") if m.text == "Works as a nurse")
    assert out["changes"] == [
        {"op": "invalidate", "memory_id": tea.id},
        {"op": "add", "memory_id": nurse.id},
    ]
    tea_history = svc.history(tenant, "ann", tea.id)
    assert [(h.op, h.actor, h.reason) for h in tea_history] == [
        ("add", "api", "new memory"),
        ("invalidate", "user", "removed from the memory summary"),
    ]
    assert [(h.op, h.actor) for h in svc.history(tenant, "ann", nurse.id)] == [("add", "user")]
    # untouched lines and memories the summary does not show are left as they were
    assert [h.op for h in svc.history(tenant, "ann", paris.id)] == ["add"]
    assert {m.text for m in svc.list(tenant, "ann")} == {
        "Lives in Paris",
        "Works as a nurse",
        "Is going through a divorce",
        "Plays the violin",
    }
    # the same text again changes nothing
    again = svc.edit_summary(tenant, "ann", out["summary"])
    assert again == {"summary": out["summary"], "changes": []}
