"""Engines, sessions and schema migrations (Alembic) for SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: the threads of a process still queue
    fcntl = None  # type: ignore[assignment]

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

ALEMBIC_DIR = Path(__file__).resolve().parent.parent / "alembic"


class SchemaError(Exception):
    """The database schema is missing or older than the code (run `persona db upgrade`)."""


# SQLite has one writer per database file, and a writer that finds it taken sleeps in steps of
# up to 100 ms between tries (its busy handler): a waiter often sleeps through the moments the
# file was free, and under load the unlucky ones (the background worker beside busy API
# processes) wait seconds. persona's writers queue instead: the threads of a process on a lock,
# the processes on a lock file beside the database (tried every millisecond), so SQLite's own
# wait is left for writers that are not persona's.
SQLITE_BUSY_S = 30.0
_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_HOLDS_WRITE = "persona_write_lock"


class _WriterQueue:
    def __init__(self, path: str | None) -> None:
        self.lock = threading.Lock()  # not owner-bound: a transaction may end in another thread
        self.owner: int | None = None
        self.fd: int | None = None
        if path is not None and fcntl is not None:
            try:
                self.fd = os.open(f"{path}.writelock", os.O_RDWR | os.O_CREAT, 0o600)
            except OSError:  # a read-only directory: the process's threads still queue
                self.fd = None

    def acquire(self) -> bool:
        """Queue for the file; False when that took longer than SQLite's own wait would."""
        deadline = time.monotonic() + SQLITE_BUSY_S
        if not self.lock.acquire(timeout=SQLITE_BUSY_S):
            return False
        if self.fd is not None and fcntl is not None:
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        self.lock.release()
                        return False
                    time.sleep(0.001)
        self.owner = threading.get_ident()
        return True

    def release(self) -> None:
        self.owner = None
        if self.fd is not None and fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.lock.release()


_queues: dict[tuple[int, str], _WriterQueue] = {}
_queues_lock = threading.Lock()


def _writer_queue(path: str | None) -> _WriterQueue:
    """One queue per database file and process (every engine on the file shares it; a forked
    child opens its own lock file, since a lock held through a shared descriptor is shared)."""
    if path is None:  # an in-memory database: its engine's own
        return _WriterQueue(None)
    key = (os.getpid(), os.path.realpath(path))
    with _queues_lock:
        if key not in _queues:
            _queues[key] = _WriterQueue(key[1])
        return _queues[key]


def _serialise_writes(engine: Engine, path: str | None) -> None:
    queue = _writer_queue(path)

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        if conn.info.get(_HOLDS_WRITE) or not statement.lstrip().upper().startswith(_WRITE_VERBS):
            return
        if queue.owner == threading.get_ident():
            return  # this thread's other connection writes: it waits at SQLite, as it would
        # past SQLite's own wait, the statement meets SQLite's lock unqueued
        if queue.acquire():
            conn.info[_HOLDS_WRITE] = True

    def _release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS_WRITE, False):
            queue.release()

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

        _serialise_writes(engine, path if path and path != ":memory:" else None)
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
