"""The standing profile (facts, preferences, instructions in every prompt), chosen from the
search state: the same memories, in the same order, as the SQL definition, on SQLite and
PostgreSQL; no query for a user who has none."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import event, false, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from persona.memory.kinds import PROFILE_KINDS
from persona.memory.retrieve import Retriever
from persona.memory.writes import bump_version
from store.models import Memory, User, utcnow
from tests.factories import make_user

_IDS = itertools.count()


def _sql_profile(
    session: Session, user: User, limit: int, projects: tuple[str | None, ...] | None
) -> list[str]:
    """The definition, as one query: valid, unsuppressed, user-wide profile memories of
    `projects`, by importance then last update."""
    now = utcnow()
    query = select(Memory).where(
        Memory.user_id == user.id,
        col(Memory.kind).in_(PROFILE_KINDS),
        col(Memory.invalid_at).is_(None),
        col(Memory.suppressed_at).is_(None),
        or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
        col(Memory.scope) == "user",
    )
    if projects is not None:
        named = [p for p in projects if p is not None]
        allowed = [col(Memory.project).in_(named)] if named else []
        if None in projects:
            allowed.append(col(Memory.project).is_(None))
        query = query.where(or_(false(), *allowed))
    query = query.order_by(col(Memory.importance).desc(), col(Memory.updated_at).desc())
    return [m.id for m in session.exec(query.limit(limit))]


def _memories(session: Session, user: User, count: int, seed: int) -> None:
    """`count` memories of every shape the profile must tell apart."""
    assert user.id is not None
    rng = random.Random(seed)
    now = utcnow()
    for _ in range(count):
        fields: dict[str, Any] = {
            "kind": rng.choice([*PROFILE_KINDS, "episode"]),
            "importance": rng.choice([0.2, 0.5, 0.5, 0.9]),  # ties: the update time decides
            "scope": rng.choice(["user", "user", "session"]),
            "project": rng.choice([None, None, "A", "B"]),
            "updated_at": now - timedelta(minutes=rng.randrange(10_000)),
        }
        shape = rng.randrange(6)
        if shape == 0:
            fields["invalid_at"] = now - timedelta(days=1)
        elif shape == 1:
            fields["expires_at"] = now - timedelta(hours=1)
        elif shape == 2:
            fields["expires_at"] = now + timedelta(days=3)
        elif shape == 3:
            fields["suppressed_at"] = now
        session.add(Memory(id=f"m{next(_IDS):05d}", user_id=user.id, text="x", **fields))
    bump_version(session, user)
    session.commit()


def test_the_profile_from_the_state_is_the_sql_definition(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "prof")
        assert user.id is not None
        _memories(session, user, 160, seed=7)
        retriever = Retriever()
        for projects in (None, (None,), ("A",), (None, "B"), ("A", "B"), ()):
            for limit in (1, 5, 40, 500):
                got = [m.id for m in retriever.profile(session, user.id, limit, projects)]
                assert got == _sql_profile(session, user, limit, projects), (projects, limit)
        assert retriever.profile(session, user.id, 0) == []


def test_a_memory_written_after_the_state_was_built_is_in_the_next_profile(
    engine: Engine,
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "fresh")
        assert user.id is not None
        retriever = Retriever()
        assert retriever.profile(session, user.id, 10) == []
        session.add(Memory(id="new-fact", user_id=user.id, kind="fact", text="Lives in Porto"))
        bump_version(session, user)
        session.commit()
        assert [m.id for m in retriever.profile(session, user.id, 10)] == ["new-fact"]


def test_no_query_reads_the_profile_of_a_user_who_has_none(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        user = make_user(session, "none")
        assert user.id is not None
        session.add(Memory(id="ep", user_id=user.id, kind="episode", text="user: hi"))
        bump_version(session, user)
        session.commit()
        retriever = Retriever()
        retriever.state(session, user.id)  # cached, as after the user's first message
        queries: list[str] = []

        def seen(_conn: Any, _cur: Any, statement: str, *_: Any) -> None:
            queries.append(statement)

        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert retriever.profile(session, user.id, 10, version=user.memory_version) == []
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert queries == []
