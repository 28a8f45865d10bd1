"""Consolidation scenarios on SQLite and PostgreSQL, asserting whole memory and history rows."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from persona.embed import HashEmbedder, get_embedder
from persona.memory.consolidate import Change, Scope, consolidate
from persona.memory.extract import Candidate
from persona.memory.writes import memory_snapshot
from store.db import session_scope
from store.models import Memory, MemoryHistory, User
from store.tenants import create_tenant
from store.users import get_or_create_user

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=30)
T2 = T0 + timedelta(days=60)
EMB = HashEmbedder()


def make_user(engine: Engine, external_id: str = "u1") -> int:
    with session_scope(engine) as session:
        tenant, _ = create_tenant(session, f"app-{external_id}")
        user = get_or_create_user(session, tenant.id, external_id)
        assert user.id is not None
        return user.id


def apply(
    engine: Engine, user_id: int, candidates: list[Candidate], now: datetime, **kw: Any
) -> list[Change]:
    kw.setdefault("embedder", EMB)
    kw.setdefault("actor", "extractor")
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return consolidate(session, user, candidates, now=now, **kw)


def memories(engine: Engine, user_id: int) -> list[dict[str, Any]]:
    with session_scope(engine) as session:
        rows = session.exec(select(Memory).where(Memory.user_id == user_id)).all()
        return sorted(
            (memory_snapshot(m) for m in rows), key=lambda m: (m["created_at"], m["text"])
        )


def history(engine: Engine, user_id: int) -> list[tuple[str, str, str | None, str | None, str]]:
    """(op, memory id, text before, text after, actor) per history row, in order."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(MemoryHistory)
            .where(MemoryHistory.user_id == user_id)
            .order_by(col(MemoryHistory.id))
        ).all()
        return [
            (
                r.op,
                r.memory_id,
                (r.before or {}).get("text"),
                (r.after or {}).get("text"),
                r.actor,
            )
            for r in rows
        ]


def version(engine: Engine, user_id: int) -> int:
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.memory_version


def mem(id: str, text: str, at: datetime, **fields: Any) -> dict[str, Any]:
    """The expected snapshot of a memory written at `at` by the extractor."""
    row: dict[str, Any] = {
        "id": id,
        "kind": "fact",
        "text": text,
        "attribute": None,
        "importance": 0.8,
        "scope": "user",
        "agent_id": None,
        "session_id": None,
        "actor": "extractor",
        "source_turn_id": None,
        "valid_from": at.isoformat(),
        "invalid_at": None,
        "superseded_by": None,
        "expires_at": None,
        "suppressed_at": None,
        "project": None,
        "created_at": at.isoformat(),
        "updated_at": at.isoformat(),
        "meta": {},
    }
    row.update(fields)
    return row


PARIS = Candidate("fact", "Lives in Paris", "location", "Paris", 0.8)
BERLIN = Candidate("fact", "Lives in Berlin", "location", "Berlin", 0.8)
MUNICH = Candidate("fact", "Lives in Munich", "location", "Munich", 0.8)
VEGGIE = Candidate("fact", "Is vegetarian", "diet", "vegetarian", 0.8)


def test_add_then_duplicate_refreshes_without_a_copy(engine: Engine) -> None:
    uid = make_user(engine)
    [added] = apply(engine, uid, [PARIS], T0, source_turn_id="t1")
    pid = added.memory_id
    dup = Candidate("fact", "lives in paris.", "location", None, 0.9)
    [refreshed] = apply(engine, uid, [dup], T1)
    assert (added.op, refreshed.op, refreshed.memory_id) == ("add", "refresh", pid)
    assert memories(engine, uid) == [
        mem(pid, "Lives in Paris", T0, attribute="location", source_turn_id="t1",
            importance=0.9, updated_at=T1.isoformat())
    ]  # fmt: skip
    assert history(engine, uid) == [
        ("add", pid, None, "Lives in Paris", "extractor"),
        ("refresh", pid, "Lives in Paris", "Lives in Paris", "extractor"),
    ]
    assert version(engine, uid) == 2


def test_supersede_chain_keeps_every_value_queryable_by_time(engine: Engine) -> None:
    uid = make_user(engine)
    pid = apply(engine, uid, [PARIS, VEGGIE], T0)[0].memory_id
    bid = apply(engine, uid, [BERLIN], T1)[-1].memory_id
    mid = apply(engine, uid, [MUNICH], T2)[-1].memory_id
    vid = next(m["id"] for m in memories(engine, uid) if m["text"] == "Is vegetarian")
    assert memories(engine, uid) == [
        mem(vid, "Is vegetarian", T0, attribute="diet"),
        mem(pid, "Lives in Paris", T0, attribute="location", invalid_at=T1.isoformat(),
            superseded_by=bid, updated_at=T1.isoformat()),
        mem(bid, "Lives in Berlin", T1, attribute="location", invalid_at=T2.isoformat(),
            superseded_by=mid, updated_at=T2.isoformat()),
        mem(mid, "Lives in Munich", T2, attribute="location"),
    ]  # fmt: skip
    assert history(engine, uid) == [
        ("add", pid, None, "Lives in Paris", "extractor"),
        ("add", vid, None, "Is vegetarian", "extractor"),
        ("supersede", pid, "Lives in Paris", "Lives in Paris", "extractor"),
        ("add", bid, None, "Lives in Berlin", "extractor"),
        ("supersede", bid, "Lives in Berlin", "Lives in Berlin", "extractor"),
        ("add", mid, None, "Lives in Munich", "extractor"),
    ]
    assert version(engine, uid) == 3  # one bump per transaction, not per change


def test_forget_invalidates_and_re_adding_creates_a_new_memory(engine: Engine) -> None:
    uid = make_user(engine)
    pid = apply(engine, uid, [PARIS], T0)[0].memory_id
    forget = Candidate("fact", "Lives in Paris", "location", "Paris", op="forget")
    [gone] = apply(engine, uid, [forget], T1, actor="user")
    [again] = apply(engine, uid, [PARIS], T2)
    assert (gone.op, gone.memory_id, again.op) == ("invalidate", pid, "add")
    assert again.memory_id != pid
    assert memories(engine, uid) == [
        mem(pid, "Lives in Paris", T0, attribute="location", invalid_at=T1.isoformat(),
            updated_at=T1.isoformat()),
        mem(again.memory_id, "Lives in Paris", T2, attribute="location"),
    ]  # fmt: skip
    assert history(engine, uid) == [
        ("add", pid, None, "Lives in Paris", "extractor"),
        ("invalidate", pid, "Lives in Paris", "Lives in Paris", "user"),
        ("add", again.memory_id, None, "Lives in Paris", "extractor"),
    ]


def test_forget_by_attribute_or_text_touches_only_what_it_names(engine: Engine) -> None:
    uid = make_user(engine)
    apply(engine, uid, [PARIS, VEGGIE, Candidate("fact", "Has a locker code 4711", None, None)], T0)
    changes = apply(
        engine,
        uid,
        [
            Candidate("fact", "my diet", "diet", None, op="forget"),
            Candidate("fact", "Their locker code", None, None, op="forget"),
            Candidate("fact", "Lives in Rome", "location", "Rome", op="forget"),  # not stored
        ],
        T1,
    )
    assert [(c.op, (c.before or {})["text"]) for c in changes] == [
        ("invalidate", "Is vegetarian"),
        ("invalidate", "Has a locker code 4711"),
    ]
    valid = [m["text"] for m in memories(engine, uid) if m["invalid_at"] is None]
    assert valid == ["Lives in Paris"]


def test_conflicting_statements_in_one_message_the_later_wins(engine: Engine) -> None:
    uid = make_user(engine)
    changes = apply(engine, uid, [PARIS, BERLIN], T0, source_turn_id="t9")
    pid, bid = changes[0].memory_id, changes[-1].memory_id
    assert [c.op for c in changes] == ["add", "supersede", "add"]
    assert memories(engine, uid) == [
        mem(bid, "Lives in Berlin", T0, attribute="location", source_turn_id="t9"),
        mem(pid, "Lives in Paris", T0, attribute="location", source_turn_id="t9",
            invalid_at=T0.isoformat(), superseded_by=bid),
    ]  # fmt: skip
    assert version(engine, uid) == 1


def test_nothing_is_deleted_because_texts_look_alike(engine: Engine) -> None:
    uid = make_user(engine)
    apply(engine, uid, [Candidate("preference", "Likes tea", "opinion:tea", None, 0.5)], T0)
    apply(
        engine,
        uid,
        [Candidate("preference", "Likes green tea", "opinion:green tea", None, 0.5)],
        T1,
    )
    assert [(m["text"], m["invalid_at"]) for m in memories(engine, uid)] == [
        ("Likes tea", None),
        ("Likes green tea", None),
    ]


def test_re_applying_a_turns_candidates_changes_nothing(engine: Engine) -> None:
    uid = make_user(engine)
    apply(engine, uid, [PARIS, BERLIN], T0, source_turn_id="t1")
    before = (memories(engine, uid), history(engine, uid), version(engine, uid))
    assert apply(engine, uid, [PARIS, BERLIN], T1, source_turn_id="t1") == []
    assert apply(engine, uid, [PARIS], T1, skip_keys={PARIS.key()}) == []
    assert (memories(engine, uid), history(engine, uid), version(engine, uid)) == before
    [munich] = [c.op for c in apply(engine, uid, [PARIS, MUNICH], T1, source_turn_id="t1")][-1:]
    assert munich == "add"  # only the candidate this turn had not applied yet


def test_scopes_do_not_consolidate_with_each_other(engine: Engine) -> None:
    uid = make_user(engine)
    apply(engine, uid, [PARIS], T0)
    agent = Scope("agent", agent_id="travel-bot")
    [added] = apply(engine, uid, [BERLIN], T1, scope=agent)
    assert added.op == "add"
    assert [
        (m["text"], m["scope"], m["agent_id"], m["invalid_at"]) for m in memories(engine, uid)
    ] == [
        ("Lives in Paris", "user", None, None),
        ("Lives in Berlin", "agent", "travel-bot", None),
    ]


def test_invalidate_previous_picks_what_the_previous_turn_was_about(engine: Engine) -> None:
    uid = make_user(engine)
    apply(engine, uid, [PARIS, VEGGIE], T0)
    previous = Candidate(
        "fact", "Any vegetarian places near me?\nSince you are vegetarian, try Le Potager.",
        None, None, op="invalidate_previous",
    )  # fmt: skip
    [change] = apply(engine, uid, [previous], T1)
    assert (change.op, (change.before or {})["text"]) == ("invalidate", "Is vegetarian")


@pytest.mark.parametrize(
    ("first", "second", "op"),
    [
        ("Has a dog named Rex", "Has a dog called Rex", "refresh"),
        ("Works as a nurse", "Works as a nurse at the hospital", "refresh"),
        ("Likes tea", "Likes coffee", "add"),
        ("Is 30 years old", "Is 31 years old", "add"),
    ],
)
def test_near_duplicates_with_the_real_embedder(
    sqlite_engine: Engine, first: str, second: str, op: str
) -> None:
    uid = make_user(sqlite_engine)
    embedder = get_embedder()
    apply(sqlite_engine, uid, [Candidate("fact", first)], T0, embedder=embedder)
    [change] = apply(sqlite_engine, uid, [Candidate("fact", second)], T1, embedder=embedder)
    assert change.op == op
    assert len(memories(sqlite_engine, uid)) == (1 if op == "refresh" else 2)


def test_concurrent_writers_for_one_user_are_serialised_on_postgres(pg_url: str) -> None:
    from store.db import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        uid = make_user(engine)
        barrier = threading.Barrier(2)
        results: list[str] = []

        def write() -> None:
            with session_scope(engine) as session:
                user = session.get(User, uid)
                assert user is not None
                barrier.wait()
                changes = consolidate(session, user, [PARIS], embedder=EMB, actor="extractor")
                results.extend(c.op for c in changes)

        threads = [threading.Thread(target=write) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert sorted(results) == ["add", "refresh"]
        assert [m["text"] for m in memories(engine, uid)] == ["Lives in Paris"]
        assert version(engine, uid) == 2
    finally:
        engine.dispose()


def test_supersede_by_target_replaces_exactly_that_memory(engine: Engine) -> None:
    uid = make_user(engine)
    pid = apply(engine, uid, [PARIS], T0)[0].memory_id
    # "I meant Berlin, not Paris", emitted against the current memories
    fix = Candidate("fact", "Lives in Berlin", None, "Berlin", 0.8, op="supersede", target_id=pid)
    changes = apply(engine, uid, [fix], T1)
    bid = changes[-1].memory_id
    assert [(c.op, c.memory_id) for c in changes] == [("supersede", pid), ("add", bid)]
    assert memories(engine, uid) == [
        mem(pid, "Lives in Paris", T0, attribute="location", invalid_at=T1.isoformat(),
            superseded_by=bid, updated_at=T1.isoformat()),
        mem(bid, "Lives in Berlin", T1, attribute="location"),
    ]  # fmt: skip
    assert history(engine, uid) == [
        ("add", pid, None, "Lives in Paris", "extractor"),
        ("supersede", pid, "Lives in Paris", "Lives in Paris", "extractor"),
        ("add", bid, None, "Lives in Berlin", "extractor"),
    ]


def test_invalidate_by_target_and_a_target_no_longer_valid(engine: Engine) -> None:
    uid = make_user(engine)
    pid, vid = (c.memory_id for c in apply(engine, uid, [PARIS, VEGGIE], T0))
    end = Candidate("fact", "Is vegetarian", None, None, op="invalidate", target_id=vid)
    assert [(c.op, c.memory_id) for c in apply(engine, uid, [end], T1)] == [("invalidate", vid)]
    # the same target again, or an id that is not this user's: nothing changes
    other = Candidate("fact", "x", None, None, op="invalidate", target_id="no-such-id")
    assert apply(engine, uid, [end, other], T2, skip_keys=()) == []
    valid = [m["id"] for m in memories(engine, uid) if m["invalid_at"] is None]
    assert valid == [pid]


def test_forget_of_a_keyed_attribute_ends_it_whatever_the_wording(engine: Engine) -> None:
    uid = make_user(engine)
    smokes = Candidate("fact", "Smokes", "habit:smoking", None, 0.6)
    jazz = Candidate("preference", "Loves jazz", "opinion:jazz", "jazz", 0.5)
    sid, jid = (c.memory_id for c in apply(engine, uid, [smokes, jazz], T0))
    stopped = [
        Candidate("fact", "Smokes", "habit:smoking", "smoking", 0.6, op="forget"),
        Candidate("preference", "Likes Jazz", "opinion:jazz", "Jazz", 0.5, op="forget"),
    ]
    changes = apply(engine, uid, stopped, T1)
    assert [(c.op, c.memory_id) for c in changes] == [("invalidate", sid), ("invalidate", jid)]
