"""Migrations on SQLite and PostgreSQL, and the schema check."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

import store.models  # noqa: F401
from store.db import (
    SchemaError,
    check_schema,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)


def test_upgrade_creates_every_table_and_downgrade_removes_them(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    assert tables == set(SQLModel.metadata.tables)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    engine.dispose()


def test_the_migrated_schema_matches_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_0003_moves_the_candidate_key_out_of_the_reason_and_back(db_url: str) -> None:
    from sqlalchemy import text

    from store.db import session_scope
    from store.tenants import create_tenant
    from store.users import get_or_create_user

    engine = make_engine(db_url)
    upgrade(engine, "0002")
    with session_scope(engine) as session:  # tenant, user and profile are unchanged since 0002
        tenant, _ = create_tenant(session, "app")
        get_or_create_user(session, tenant.id, "u")
    with engine.begin() as conn:
        for reason in ("new memory; candidate add|fact|location|lives in paris", "typo"):
            conn.execute(
                text("INSERT INTO memory_history (memory_id, user_id, op, actor, reason, "
                     "created_at) SELECT 'm', id, 'add', 'api', :r, CURRENT_TIMESTAMP "
                     "FROM \"user\""),
                {"r": reason},
            )  # fmt: skip
    read = text("SELECT reason, candidate_key FROM memory_history ORDER BY id")
    upgrade(engine)
    with engine.connect() as conn:
        assert [tuple(r) for r in conn.execute(read)] == [
            ("new memory", "add|fact|location|lives in paris"),
            ("typo", None),
        ]
    downgrade(engine, "0002")
    with engine.connect() as conn:
        assert [
            r[0] for r in conn.execute(text("SELECT reason FROM memory_history ORDER BY id"))
        ] == [
            "new memory; candidate add|fact|location|lives in paris",
            "typo",
        ]
    engine.dispose()


def test_check_schema_refuses_an_empty_database_and_says_what_to_run(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with pytest.raises(SchemaError) as info:
        check_schema(engine)
    assert str(info.value) == (
        f"the database is empty but this version of persona needs {head_revision()}: "
        "run `persona db upgrade` (or set PERSONA_AUTO_UPGRADE=true)"
    )
    upgrade(engine)
    check_schema(engine)


def test_0004_adds_suppressed_at_and_project_keeping_rows(db_url: str) -> None:
    from sqlalchemy import text

    from store.db import session_scope
    from store.tenants import create_tenant
    from store.users import get_or_create_user

    engine = make_engine(db_url)
    upgrade(engine, "0003")
    with session_scope(engine) as session:
        tenant, _ = create_tenant(session, "app")
        get_or_create_user(session, tenant.id, "u")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO memory (id, user_id, kind, text, importance, scope, actor, "
                 "valid_from, created_at, updated_at, metadata) SELECT 'm1', id, 'fact', "
                 "'Lives in Paris', 0.5, 'user', 'api', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                 "CURRENT_TIMESTAMP, '{}' FROM \"user\"")
        )  # fmt: skip
    upgrade(engine)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, suppressed_at, project FROM memory")).one()
    assert tuple(row) == ("m1", None, None)
    downgrade(engine, "0003")
    columns = {c["name"] for c in inspect(engine).get_columns("memory")}
    assert "suppressed_at" not in columns and "project" not in columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT text FROM memory")).scalar_one() == "Lives in Paris"
    engine.dispose()
