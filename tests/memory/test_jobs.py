"""The extraction job, the outbox queue and the worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from persona.embed import HashEmbedder
from persona.memory.extraction import extraction_handler, run_extraction
from persona.memory.jobs import Worker, claim_jobs, complete_job, fail_job
from store.db import session_scope
from store.models import Memory, MemoryHistory, Outbox, User
from store.tenants import create_tenant
from store.turns import record_turn
from store.users import get_or_create_user
from tests.conftest import table_counts
from tests.memory.test_extract_llm import FakeGateway, Reply

EMB = HashEmbedder()


def setup_user(engine: Engine) -> tuple[str, int]:
    with session_scope(engine) as session:
        tenant, _ = create_tenant(session, "app")
        user = get_or_create_user(session, tenant.id, "u1")
        assert user.id is not None
        return tenant.id, user.id


def say(engine: Engine, user_id: int, message: str, reply: str = "ok") -> dict[str, Any]:
    """Record a turn (and its extraction job) as the engine does; returns the job payload."""
    with session_scope(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        record_turn(
            session, user=user, user_message=message, reply=reply, model="m", tier="fast",
            trace={}, route_score=None,
        )  # fmt: skip
    with session_scope(engine) as session:
        job = session.exec(select(Outbox).order_by(col(Outbox.id).desc())).first()
        assert job is not None
        return dict(job.payload)


def valid_texts(engine: Engine, user_id: int) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(Memory).where(Memory.user_id == user_id, col(Memory.invalid_at).is_(None))
        ).all()
        return sorted(m.text for m in rows)


def test_vegetarian_paris_then_berlin(engine: Engine) -> None:
    _, uid = setup_user(engine)
    say(engine, uid, "I'm vegetarian and I live in Paris")
    say(engine, uid, "Great news: I moved to Berlin!")
    worker = Worker(engine, {"extract": extraction_handler(embedder=EMB, extractor_mode="rules")})
    assert worker.run_until_idle() == 2
    assert valid_texts(engine, uid) == ["Is vegetarian", "Lives in Berlin"]
    with session_scope(engine) as session:
        paris = session.exec(select(Memory).where(Memory.text == "Lives in Paris")).one()
        berlin = session.exec(select(Memory).where(Memory.text == "Lives in Berlin")).one()
        assert (paris.superseded_by, paris.invalid_at) == (berlin.id, berlin.valid_from)
        ops = session.exec(
            select(MemoryHistory.op, MemoryHistory.memory_id).order_by(col(MemoryHistory.id))
        ).all()
        jobs = session.exec(select(Outbox.status, Outbox.attempts)).all()
    assert [op for op, _ in ops] == ["add", "add", "supersede", "add"]
    assert ops[2] == ("supersede", paris.id) and ops[3] == ("add", berlin.id)
    assert sorted(jobs) == [("done", 1), ("done", 1)]


def test_the_same_job_twice_changes_nothing_the_second_time(engine: Engine) -> None:
    _, uid = setup_user(engine)
    say(engine, uid, "I live in Paris")
    payload = say(
        engine, uid, "I'm vegan. I live in Berlin. Actually I live in Munich. I like jazz."
    )
    snapshots, results = [], []
    for _ in range(2):
        with session_scope(engine) as session:
            results.append(run_extraction(session, payload, embedder=EMB, extractor_mode="rules"))
        with session_scope(engine) as session:
            snapshots.append(
                (
                    [m.model_dump() for m in session.exec(select(Memory).order_by(col(Memory.id)))],
                    [h.model_dump() for h in session.exec(select(MemoryHistory))],
                    table_counts(engine),
                )
            )
    assert snapshots[0] == snapshots[1]
    assert valid_texts(engine, uid) == ["Is vegan", "Likes jazz", "Lives in Munich"]
    assert [r.extractor for r in results] == ["rules", "already_applied"]
    assert [[c.op for c in r.changes] for r in results] == [
        ["add", "add", "supersede", "add", "add"],
        [],
    ]


def test_that_is_no_longer_true_invalidates_the_previous_topic(engine: Engine) -> None:
    _, uid = setup_user(engine)
    worker = Worker(engine, {"extract": extraction_handler(embedder=EMB, extractor_mode="rules")})
    say(engine, uid, "I'm vegetarian and I work as a nurse")
    worker.run_until_idle()
    say(engine, uid, "Any dinner ideas?", "As a vegetarian you could try a lentil curry.")
    say(engine, uid, "That's no longer true.")
    worker.run_until_idle()
    assert valid_texts(engine, uid) == ["Works as a nurse"]


def test_post_processors_run_in_the_job_transaction(engine: Engine) -> None:
    _, uid = setup_user(engine)
    payload = say(engine, uid, "I live in Oslo")
    seen: list[tuple[str, bool]] = []

    def hook(session: Session, jobs: Sequence[dict[str, Any]]) -> None:
        seen.extend((job["turn_id"], session.in_transaction()) for job in jobs)

    with session_scope(engine) as session:
        result = run_extraction(session, payload, embedder=EMB, post_processors=[hook])
    assert seen == [(payload["turn_id"], True)]
    assert (result.extractor, [c.op for c in result.changes]) == ("rules", ["add"])


def test_claim_complete_and_fail_with_backoff(engine: Engine) -> None:
    now = datetime(2026, 2, 1, tzinfo=UTC)
    with session_scope(engine) as session:
        for i in range(3):
            session.add(Outbox(kind="extract", payload={"n": i}, available_at=now))
        session.add(Outbox(kind="other", payload={}, available_at=now))
        session.add(
            Outbox(kind="extract", payload={"later": 1}, available_at=now + timedelta(hours=1))
        )
    with session_scope(engine) as session:
        claimed = claim_jobs(session, 2, kinds=["extract"], now=now)
        ids = [j.id for j in claimed]
        assert [(j.payload, j.attempts, j.locked_until) for j in claimed] == [
            ({"n": 0}, 1, now + timedelta(minutes=5)),
            ({"n": 1}, 1, now + timedelta(minutes=5)),
        ]
    with session_scope(engine) as session:  # leased jobs are not handed out twice
        assert [j.payload for j in claim_jobs(session, 10, kinds=["extract"], now=now)] == [
            {"n": 2}
        ]
    with session_scope(engine) as session:
        assert ids[0] is not None and ids[1] is not None
        complete_job(session, ids[0], now=now)
        assert fail_job(session, ids[1], "boom", max_attempts=2, now=now) == "pending"
    with session_scope(engine) as session:
        job = session.get(Outbox, ids[1])
        assert job is not None
        assert (job.status, job.last_error, job.available_at, job.locked_until) == (
            "pending", "boom", now + timedelta(seconds=2), None,
        )  # fmt: skip
        done = session.get(Outbox, ids[0])
        assert done is not None and (done.status, done.done_at) == ("done", now)
    later = now + timedelta(seconds=3)
    with session_scope(engine) as session:
        again = claim_jobs(session, 10, kinds=["extract"], now=later)
        assert [(j.id, j.attempts) for j in again] == [(ids[1], 2)]
        assert fail_job(session, ids[1], "boom again", max_attempts=2, now=later) == "failed"
    with session_scope(engine) as session:
        job = session.get(Outbox, ids[1])
        assert job is not None and (job.status, job.last_error) == ("failed", "boom again")


def test_worker_retries_a_failing_handler_then_gives_up(sqlite_engine: Engine) -> None:
    with session_scope(sqlite_engine) as session:
        session.add(Outbox(kind="extract", payload={}))

    def broken(session: Session, payload: dict[str, Any]) -> None:
        raise RuntimeError("model down")

    worker = Worker(sqlite_engine, {"extract": broken}, max_attempts=2, backoff=timedelta(0))
    assert worker.run_until_idle() == 2
    with session_scope(sqlite_engine) as session:
        job = session.exec(select(Outbox)).one()
        assert (job.status, job.attempts, job.last_error) == (
            "failed",
            2,
            "RuntimeError: model down",
        )


def test_worker_thread_processes_jobs_and_stops(sqlite_engine: Engine) -> None:
    _, uid = setup_user(sqlite_engine)
    worker = Worker(
        sqlite_engine,
        {"extract": extraction_handler(embedder=EMB)},
        poll_interval=0.05,
    )
    worker.start()
    try:
        say(sqlite_engine, uid, "My name is Ada")
        deadline = time.monotonic() + 10
        while valid_texts(sqlite_engine, uid) != ["Name is Ada"] and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
    assert valid_texts(sqlite_engine, uid) == ["Name is Ada"]
    assert worker._thread is None


def test_two_postgres_workers_never_claim_the_same_job(pg_url: str) -> None:
    from store.db import make_engine, upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    try:
        with session_scope(engine) as session:
            for i in range(3):
                session.add(Outbox(kind="extract", payload={"n": i}))
        with Session(engine) as first, Session(engine) as second:
            a = claim_jobs(first, 2)  # still uncommitted: rows locked, not yet leased
            b = claim_jobs(second, 10)
            assert ([j.payload for j in a], [j.payload for j in b]) == (
                [{"n": 0}, {"n": 1}],
                [{"n": 2}],
            )
            first.commit()
            second.commit()
    finally:
        engine.dispose()


def test_after_commit_runs_once_per_committed_job_and_never_fails_it(
    sqlite_engine: Engine,
) -> None:
    with session_scope(sqlite_engine) as session:
        session.add(Outbox(kind="extract", payload={"n": 1}))
        session.add(Outbox(kind="extract", payload={"n": 2, "fail": True}))
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(session: Session, payload: dict[str, Any]) -> None:
        if payload.get("fail"):
            raise RuntimeError("model down")

    def after(kind: str, payload: dict[str, Any]) -> None:
        seen.append((kind, payload))
        raise RuntimeError("cache warm-up failed")  # logged; the job stays done

    worker = Worker(sqlite_engine, {"extract": handler}, max_attempts=1, after_commit=after)
    assert worker.run_until_idle() == 2
    assert seen == [("extract", {"n": 1})]
    with session_scope(sqlite_engine) as session:
        statuses = [job.status for job in session.exec(select(Outbox).order_by(col(Outbox.id)))]
    assert statuses == ["done", "failed"]


def test_the_runtime_worker_rebuilds_the_users_index_after_a_job(sqlite_url: str) -> None:
    from persona.config import Settings
    from persona.runtime import Runtime
    from persona.worker import make_worker
    from store.vectors import memory_version

    runtime = Runtime.build(
        Settings(database_url=sqlite_url, fast_model="local/none"),
        embedder=EMB,  # type: ignore[arg-type]
        upgrade=True,
    )
    try:
        _, uid = setup_user(runtime.db)
        say(runtime.db, uid, "I live in Oslo")
        assert make_worker(runtime).run_until_idle() == 1
        cache = runtime.retriever.cache
        with session_scope(runtime.db) as session:
            version = memory_version(session, uid)
            assert version > 0 and cache.builds == 1
            hits = runtime.retriever.search(session, uid, "where do I live", None, 3)
        assert cache.builds == 1  # the search found the state the worker built
        assert "Lives in Oslo" in [h.memory.text for h in hits]
    finally:
        runtime.close()


def test_a_restarted_worker_reclaims_the_claims_of_dead_workers_at_once(engine: Engine) -> None:
    import socket
    import subprocess
    import sys

    from persona.memory.jobs import Worker, reclaim_dead_claims, worker_id

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()
    with session_scope(engine) as session:
        session.add(Outbox(kind="extract", payload={"n": 0}))
        session.add(Outbox(kind="extract", payload={"n": 1}))
        session.add(Outbox(kind="extract", payload={"n": 2}))
    with session_scope(engine) as session:
        jobs = claim_jobs(session, 1, kinds=["extract"], owner=f"{host}:{dead.pid}")
        jobs += claim_jobs(session, 1, kinds=["extract"], owner=worker_id())  # alive: this one
        jobs += claim_jobs(session, 1, kinds=["extract"], owner="elsewhere:1")  # other host
        assert [j.locked_by for j in jobs] == [f"{host}:{dead.pid}", worker_id(), "elsewhere:1"]
        ids = [j.id for j in jobs]
    with session_scope(engine) as session:
        assert reclaim_dead_claims(session) == 1
    with session_scope(engine) as session:
        rows = [session.get(Outbox, i) for i in ids]
        assert [(r.locked_by, r.locked_until is None) for r in rows if r] == [
            (None, True), (worker_id(), False), ("elsewhere:1", False),
        ]  # fmt: skip
    ran: list[int] = []
    worker = Worker(engine, {"extract": lambda _s, p: ran.append(p["n"])}, poll_interval=0.05)
    worker.start()  # start reclaims, then the freed job runs now, not after the 5-minute lease
    deadline = time.monotonic() + 10
    while not ran and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    assert ran == [0]


def _run_all(engine: Engine, uid: int, messages: list[str]) -> list[str]:
    worker = Worker(engine, {"extract": extraction_handler(embedder=EMB, extractor_mode="rules")})
    for message in messages:
        say(engine, uid, message)
        worker.run_until_idle()  # one turn at a time: each job sees the memories before it
    with session_scope(engine) as session:
        ops = session.exec(select(MemoryHistory.op).order_by(col(MemoryHistory.id))).all()
    return list(ops)


@pytest.mark.parametrize(
    "messages",
    [
        [
            "I live in Paris and I smoke.",
            "My brother Tom lives in Rome. My sister's name is Maria.",
            "We moved to Berlin last spring.",
            "I quit smoking.",
            "Forget what I told you about Maria.",
        ],
        [
            "Ich wohne in Paris und ich rauche.",
            "Mein Bruder wohnt in Rom. Meine Schwester heißt Maria.",
            "Wir sind nach Berlin gezogen.",
            "Ich habe aufgehört zu rauchen.",
            "Vergiss alles, was ich dir über Maria gesagt habe.",
        ],
        [
            "J'habite à Paris et je fume.",
            "Mon frère habite à Rome. Ma sœur s'appelle Maria.",
            "Nous avons déménagé à Berlin.",
            "J'ai arrêté de fumer.",
            "Oublie tout ce que je t'ai dit sur Maria.",
        ],
        [
            "Vivo en París y fumo.",
            "Mi hermano vive en Roma. Mi hermana se llama Maria.",
            "Nos mudamos a Berlin.",
            "Dejé de fumar.",
            "Olvida todo sobre Maria.",
        ],
    ],
)
def test_moves_negations_and_forget_through_the_job(engine: Engine, messages: list[str]) -> None:
    _, uid = setup_user(engine)
    ops = _run_all(engine, uid, messages)
    # nothing of the brother's; the move supersedes, smoking and Maria end
    assert valid_texts(engine, uid) == ["Lives in Berlin"]
    assert ops == ["add", "add", "add", "supersede", "add", "invalidate", "invalidate"]


@pytest.mark.parametrize(
    ("first", "fix"),
    [
        ("I live in Paris.", "I meant Lyon, not Paris."),
        ("Ich wohne in Paris.", "Ich meinte Lyon, nicht Paris."),
        ("Vivo a Paris.", "Intendevo Lyon, non Paris."),
        ("Moro em Paris.", "Quis dizer Lyon, não Paris."),
    ],
)
def test_a_correction_supersedes_the_corrected_memory(engine: Engine, first: str, fix: str) -> None:
    _, uid = setup_user(engine)
    ops = _run_all(engine, uid, [first, fix])
    assert valid_texts(engine, uid) == ["Lives in Lyon"]
    assert ops == ["add", "supersede", "add"]
    with session_scope(engine) as session:
        paris = session.exec(select(Memory).where(Memory.text == "Lives in Paris")).one()
        lyon = session.exec(select(Memory).where(Memory.text == "Lives in Lyon")).one()
    assert (paris.superseded_by, lyon.attribute) == (lyon.id, "location")


def test_llm_operations_apply_to_the_memories_they_name(engine: Engine) -> None:
    """The LLM extractor's supersede / invalidate, through the job, on whole rows."""
    _, uid = setup_user(engine)
    say(engine, uid, "I live in Paris and I love jazz")
    rules = extraction_handler(embedder=EMB, extractor_mode="rules")
    Worker(engine, {"extract": rules}).run_until_idle()
    payload = say(engine, uid, "Nous avons déménagé à Berlin, et le jazz, c'est fini.")
    gateway = FakeGateway([
        Reply('{"operations": ['
              '{"op": "supersede", "id": "m1", "kind": "fact", "text": "Lives in Berlin",'
              ' "attribute": "location", "importance": 0.8},'
              '{"op": "invalidate", "id": "m2", "kind": "preference", "text": null,'
              ' "attribute": null, "importance": 0.5}]}')
    ])  # fmt: skip
    with session_scope(engine) as session:
        result = run_extraction(
            session, payload, embedder=EMB, gateway=gateway, model="gpt-test", extractor_mode="llm"
        )
    assert result.extractor == "llm"
    prompt = gateway.calls[0]["messages"][1]["content"]
    assert "m1 | fact | location | Lives in Paris\nm2 | preference | opinion:jazz | Loves jazz" in (
        prompt
    )
    assert valid_texts(engine, uid) == ["Lives in Berlin"]
    with session_scope(engine) as session:
        rows = {m.text: m for m in session.exec(select(Memory)).all()}
        ops = session.exec(
            select(MemoryHistory.op, MemoryHistory.memory_id).order_by(col(MemoryHistory.id))
        ).all()
    paris, jazz, berlin = rows["Lives in Paris"], rows["Loves jazz"], rows["Lives in Berlin"]
    assert (paris.superseded_by, paris.invalid_at) == (berlin.id, berlin.valid_from)
    assert (jazz.superseded_by, jazz.invalid_at is not None) == (None, True)
    assert ops[2:] == [("supersede", paris.id), ("add", berlin.id), ("invalidate", jazz.id)]


def test_steer_parse_jobs_batch_per_user_and_never_mix_users(engine: Engine) -> None:
    import json

    from persona.steer.proposals import SteerParseHandler, enqueue
    from store.models import SteerProposal, Turn

    tenant_id, ann = setup_user(engine)
    with session_scope(engine) as session:
        bob = get_or_create_user(session, tenant_id, "u2").id
    said = {ann: ["Ann one.", "Ann two."], bob: ["Bob one."]}
    for uid, sentences in said.items():
        for sentence in sentences:
            say(engine, uid, sentence)
            with session_scope(engine) as session:
                turn = session.exec(select(Turn).where(Turn.user_message == sentence)).one()
                user = session.get(User, uid)
                assert user is not None
                enqueue(session, user, turn.id, [sentence])

    def answer(n: int) -> Reply:
        items = [
            {"sentence": i, "id": "style:no_emoji", "kwargs": {}, "scope": "standing",
             "quote": "one" if i == 1 else "two"}
            for i in range(1, n + 1)
        ]  # fmt: skip
        return Reply(json.dumps({"constraints": items}))

    gateway = FakeGateway([answer(2), answer(1)])
    handler = SteerParseHandler(gateway, "gpt-test")
    assert Worker(engine, {"steer_parse": handler}).run_until_idle() == 3
    prompts = [c["messages"][1]["content"] for c in gateway.calls]
    assert prompts == ["SENTENCE 1: Ann one.\nSENTENCE 2: Ann two.", "SENTENCE 1: Bob one."]
    with session_scope(engine) as session:
        rows = session.exec(select(SteerProposal.user_id, SteerProposal.source_text)).all()
        jobs = session.exec(select(Outbox.status).where(Outbox.kind == "steer_parse")).all()
    # one proposal per user: Ann's second sentence proposes what her first already did
    assert sorted(rows) == sorted([(ann, "Ann one."), (bob, "Bob one.")])
    assert jobs == ["done", "done", "done"]


def test_settle_waits_for_a_users_turns_to_come_together(engine: Engine) -> None:
    now = datetime(2026, 2, 1, tzinfo=UTC)
    settle = timedelta(seconds=2)
    with session_scope(engine) as session:
        # user 1: a turn 3 s old and one just sent; user 2: only a fresh turn; one other job
        session.add(Outbox(kind="extract", user_id=1, payload={"t": "1a"}, available_at=now,
                           created_at=now - timedelta(seconds=3)))  # fmt: skip
        session.add(Outbox(kind="extract", user_id=1, payload={"t": "1b"}, available_at=now,
                           created_at=now))  # fmt: skip
        session.add(Outbox(kind="extract", user_id=2, payload={"t": "2a"}, available_at=now,
                           created_at=now - timedelta(seconds=1)))  # fmt: skip
        session.add(Outbox(kind="other", payload={"t": "x"}, available_at=now, created_at=now))
    with session_scope(engine) as session:
        claimed = claim_jobs(
            session, 10, kinds=["extract", "other"], now=now, same_user={"extract": 8},
            settle=settle,
        )  # fmt: skip
        # the settled turn brings its user's fresh one; user 2 waits; other kinds never wait
        assert sorted(j.payload["t"] for j in claimed) == ["1a", "1b", "x"]
    with session_scope(engine) as session:
        later = now + timedelta(seconds=1.5)
        claimed = claim_jobs(
            session, 10, kinds=["extract"], now=later, same_user={"extract": 8}, settle=settle
        )
        assert [j.payload["t"] for j in claimed] == ["2a"]
