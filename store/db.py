"""Engines, sessions and schema migrations (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


class SchemaError(Exception):
    """The database schema is missing or older than the code (run `persona db upgrade`)."""


# SQLite has one writer per database file. Threads of one process that want to write queue on
# a lock of the process instead of on SQLite's busy handler, which sleeps in steps of up to
# 100 ms between tries (a waiter often sleeps through the moments the file was free, and under
# load the unlucky ones wait seconds). Other processes still meet at SQLite's own lock.
SQLITE_BUSY_S = 30.0
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_HOLDS_WRITE = "persona_write_lock"


def _serialise_writes(engine: Engine) -> None:
    lock = threading.Lock()  # not owner-bound: a transaction may end in another thread
    owner: list[int | None] = [None]

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if conn.info.get(_HOLDS_WRITE) or not statement.lstrip().upper().startswith(_WRITE_VERBS):
            return
        if owner[0] == threading.get_ident():
            return  # this thread's other connection writes: wait at SQLite, as without the lock
        # bounded like SQLite's own wait: past it, the statement meets SQLite's lock unqueued
        if lock.acquire(timeout=SQLITE_BUSY_S):
            owner[0] = threading.get_ident()
            conn.info[_HOLDS_WRITE] = True

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITE, False):
            owner[0] = None
            lock.release()

    event.listen(engine, "commit", lambda conn: _release(conn.info))
    event.listen(engine, "rollback", lambda conn: _release(conn.info))
    # a connection returned to the pool or closed mid-transaction (no commit/rollback event)
    def _returned(_dbapi: Any, record: Any) -> None:
        if record is not None:
            _release(record.info)

    event.listen(engine.pool, "checkin", _returned)
    event.listen(engine.pool, "close", _returned)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys, a busy timeout and writers
    queued per process."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_S}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        _serialise_writes(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration this code ships."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(ALEMBIC_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to `revision`."""
    from alembic import command

    command.upgrade(_alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to `revision` ("base" for an empty schema)."""
    from alembic import command

    command.downgrade(_alembic_config(engine), revision)


def check_schema(engine: Engine) -> None:
    """Raise `SchemaError` unless the database is at the head migration."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaError(
            f"the database is {state} but this version of persona needs {head}: "
            "run `persona db upgrade` (or set PERSONA_AUTO_UPGRADE=true)"
        )
