"""SQLite writers queue (threads on a lock, processes on a lock file) instead of sleeping in
SQLite's busy handler; the queue is released however a transaction ends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from store.db import make_engine


def _engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'q.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    return engine


def test_concurrent_writers_all_land(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            for i in range(20):
                with engine.begin() as conn:
                    conn.execute(text("INSERT INTO t (who) VALUES (:w)"), {"w": f"{n}-{i}"})
                    conn.execute(text("SELECT count(*) FROM t")).scalar()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 160
    assert (tmp_path / "q.db.writelock").exists()  # the processes' queue
    engine.dispose()


def test_a_failed_write_releases_the_queue(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t (id, who) VALUES (1, 'a')"))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("INSERT INTO t (id, who) VALUES (1, 'again')"))
    # a connection closed without commit or rollback (returned to the pool) releases it too
    conn2 = engine.connect()
    conn2.execute(text("INSERT INTO t (who) VALUES ('open')"))
    conn2.close()  # rolled back on return to the pool

    done = threading.Event()

    def other_thread() -> None:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t (who) VALUES ('b')"))
        done.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert done.wait(10), "a writer in another thread waited on a queue nobody held"
    thread.join()
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT who FROM t ORDER BY id")).scalars().all()
    assert rows == ["a", "b"]
    engine.dispose()
