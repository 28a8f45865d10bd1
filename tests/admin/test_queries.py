"""The admin query and correction functions on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from persona.admin import corrections, queries, stats
from persona.admin.audit import list_audit
from persona.embed import HashEmbedder
from persona.errors import Conflict, NotFound
from persona.memory.service import MemoryService
from store.db import session_scope
from store.models import Memory, User, utcnow
from tests.admin.expected import BERLIN, PARIS, VEG
from tests.admin.seed import ACME, GLOBEX, seed
from tests.conftest import table_counts


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """The migrated engine (SQLite and PostgreSQL) with the known data."""
    seed(engine)
    return engine


def test_reads(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        assert [u["id"] for u in queries.list_users(s, ACME)] == ["alice", "carol"]
        assert [u["id"] for u in queries.list_users(s, ACME, "LI")] == ["alice"]
        assert [u["id"] for u in queries.list_users(s, ACME, "_")] == []  # LIKE wildcards escaped
        assert queries.list_memories(s, ACME, "alice") == [BERLIN, VEG]
        assert queries.list_memories(s, ACME, "alice", state="all", search="PARIS") == [PARIS]
        assert queries.memory_detail(s, ACME, "alice", "m-berlin")["chain"] == [PARIS, BERLIN]
        assert [
            t["turn_id"] for t in queries.list_traces(s, ACME, "alice", memory_id="m-berlin")
        ] == ["turn3"]
        assert stats.tenant_stats(s, ACME)["memories"]["by_state"] == {
            "valid": 2,
            "superseded": 1,
            "forgotten": 0,
            "expired": 0,
        }
        for call in (
            lambda: queries.get_user(s, ACME, "bob"),
            lambda: queries.get_memory(s, ACME, "alice", "m-bob"),
            lambda: queries.get_trace(s, GLOBEX, "bob", "turn3"),
            lambda: queries.list_memories(s, GLOBEX, "alice"),
        ):
            with pytest.raises(NotFound):
                call()


def test_expired_memories(seeded: Engine) -> None:
    with session_scope(seeded) as s:
        veg = s.get(Memory, "m-veg")
        assert veg is not None
        veg.expires_at = utcnow() - timedelta(seconds=1)
        s.add(veg)
    with session_scope(seeded) as s:
        assert [m["id"] for m in queries.list_memories(s, ACME, "alice")] == ["m-berlin"]
        assert [m["id"] for m in queries.list_memories(s, ACME, "alice", state="expired")] == [
            "m-veg"
        ]
        assert queries.user_detail(s, ACME, "alice")["memories"] == {
            "valid": 1,
            "superseded": 1,
            "expired": 1,
            "forgotten": 0,
        }


def invalidate_veg(s: Session, memories: MemoryService) -> None:
    """An admin invalidates alice's "Is vegetarian" in the session `s`."""
    corrections.invalidate_memory(
        s,
        memories,
        admin="t",
        tenant_id=ACME,
        external_id="alice",
        memory_id="m-veg",
        reason="r",
    )


def test_corrections_bump_the_memory_version_and_purge_only_one_user(seeded: Engine) -> None:
    memories = MemoryService(seeded, HashEmbedder())
    with session_scope(seeded) as s:
        invalidate_veg(s, memories)
        corrections.add_note(
            s,
            memories,
            admin="t",
            tenant_id=ACME,
            external_id="alice",
            text="Has a cat",
            reason="r",
        )
    with session_scope(seeded) as s:
        alice = queries.get_user(s, ACME, "alice")
        assert alice.memory_version == 1  # two changes, one transaction: one bump
        assert [m["text"] for m in queries.list_memories(s, ACME, "alice")] == [
            "Has a cat",
            "Lives in Berlin",
        ]
    before = table_counts(seeded)
    with session_scope(seeded) as s:
        deleted = corrections.purge_user(
            s, admin="t", tenant_id=ACME, external_id="alice", reason="r"
        )
    assert deleted == {
        "history": 6,
        "memories": 4,
        "traces": 3,
        "turns": 3,
        "feedback": 0,
        "jobs": 3,
        "responses": 0,
        "proposals": 0,
    }
    after = table_counts(seeded)
    assert after == {
        **before,
        "memory": before["memory"] - 4,
        "memory_history": before["memory_history"] - 6,
        "trace": before["trace"] - 3,
        "turn": before["turn"] - 3,
        "outbox": before["outbox"] - 3,
        "audit_log": before["audit_log"] + 1,
    }
    with session_scope(seeded) as s:
        assert [m["id"] for m in queries.list_memories(s, GLOBEX, "bob")] == ["m-bob"]
        assert s.get(User, queries.get_user(s, ACME, "alice").id) is not None  # the user stays


def test_a_correction_commits_or_rolls_back_with_its_audit_row(seeded: Engine) -> None:
    memories = MemoryService(seeded, HashEmbedder())
    before = table_counts(seeded)
    with pytest.raises(RuntimeError), session_scope(seeded) as s:
        invalidate_veg(s, memories)
        raise RuntimeError("the request fails after the correction")
    assert table_counts(seeded) == before  # neither the change, its history nor the audit row
    with session_scope(seeded) as s:
        invalidate_veg(s, memories)
    with session_scope(seeded) as s:
        assert queries.get_memory(s, ACME, "alice", "m-veg").invalid_at is not None
        assert [(a["action"], a["target"]) for a in list_audit(s, ACME)] == [
            ("memory.invalidate", "m-veg")
        ]
    with pytest.raises(Conflict) as refused, session_scope(seeded) as s:
        invalidate_veg(s, memories)  # the service's answer: refused, and no second audit row
    assert refused.value.message == "memory 'm-veg' is already invalid (forgotten or superseded)"
    with session_scope(seeded) as s:
        assert len(list_audit(s, ACME)) == 1
