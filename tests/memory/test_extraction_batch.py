"""One user's pending turns extracted together: one model call, each turn's own history."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from persona.embed import HashEmbedder
from persona.memory.extraction import extraction_handler, run_extraction_batch
from persona.memory.jobs import Worker
from store.db import session_scope
from store.models import Memory, MemoryHistory, Outbox, Turn
from store.users import get_or_create_user
from tests.memory.test_extract_llm import FakeGateway, Reply
from tests.memory.test_jobs import say, setup_user, valid_texts

EMB = HashEmbedder()


def ops(*items: dict[str, Any]) -> Reply:
    return Reply(json.dumps({"operations": list(items)}))


def op(turn: int, text: str, attribute: str | None, kind: str = "fact") -> dict[str, Any]:
    return {
        "turn": turn, "op": "add", "id": None, "kind": kind, "text": text,
        "attribute": attribute, "importance": 0.7,
    }  # fmt: skip


def turn_ids(engine: Engine, user_id: int) -> list[str]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(Turn.id).where(Turn.user_id == user_id).order_by(col(Turn.created_at))
        ).all()
    return list(rows)


def test_three_turns_one_call_each_memory_from_its_own_turn(engine: Engine) -> None:
    _, uid = setup_user(engine)
    say(engine, uid, "I live in Paris")
    say(engine, uid, "what's a good jazz album?")
    say(engine, uid, "We relocated to Berlin last week")
    gateway = FakeGateway(
        [ops(op(1, "Lives in Paris", "location"), op(3, "Lives in Berlin", "location"))]
    )
    handler = extraction_handler(
        embedder=EMB, gateway=gateway, model="gpt-test", extractor_mode="llm"
    )
    assert Worker(engine, {"extract": handler}).run_until_idle() == 3

    assert len(gateway.calls) == 1
    prompt = gateway.calls[0]["messages"][1]["content"]
    assert (
        prompt.index("TURN 1\nUSER: I live in Paris")
        < prompt.index("TURN 2\nUSER: what's a good jazz album?")
        < prompt.index("TURN 3\nUSER: We relocated to Berlin last week")
    )
    assert (
        gateway.calls[0]["fmt"]["json_schema"]["schema"]["properties"]["operations"]["items"][
            "required"
        ][0]
        == "turn"
    )
    assert valid_texts(engine, uid) == ["Lives in Berlin"]
    first, _, third = turn_ids(engine, uid)
    with session_scope(engine) as session:
        rows = {m.text: m for m in session.exec(select(Memory).where(Memory.kind != "episode"))}
        history = session.exec(
            select(MemoryHistory.op, MemoryHistory.memory_id, MemoryHistory.source_turn_id)
            .join(Memory, col(Memory.id) == MemoryHistory.memory_id)
            .where(Memory.kind != "episode")
            .order_by(col(MemoryHistory.id))
        ).all()
        jobs = session.exec(select(Outbox.status, Outbox.attempts)).all()
    paris, berlin = rows["Lives in Paris"], rows["Lives in Berlin"]
    assert (paris.source_turn_id, berlin.source_turn_id) == (first, third)
    assert (paris.superseded_by, paris.invalid_at) == (berlin.id, berlin.valid_from)
    assert history == [
        ("add", paris.id, first),
        ("supersede", paris.id, third),
        ("add", berlin.id, third),
    ]
    assert jobs == [("done", 1)] * 3


def test_an_operation_naming_no_turn_it_was_shown_is_dropped(engine: Engine) -> None:
    _, uid = setup_user(engine)
    say(engine, uid, "I'm a nurse")
    say(engine, uid, "I have a dog")
    reply = ops(op(1, "Works as a nurse", "job"), op(7, "Has a cat", "pet:cat"), {
        **op(2, "Has a dog", "pet:dog"), "turn": "two"})  # fmt: skip
    handler = extraction_handler(
        embedder=EMB, gateway=FakeGateway([reply]), model="gpt-test", extractor_mode="llm"
    )
    Worker(engine, {"extract": handler}).run_until_idle()
    assert valid_texts(engine, uid) == ["Works as a nurse"]


def test_users_are_batched_apart_and_max_batch_splits_a_backlog(engine: Engine) -> None:
    tenant_id, uid = setup_user(engine)
    with session_scope(engine) as session:
        other = get_or_create_user(session, tenant_id, "u2").id
    assert other is not None
    for n in range(3):
        say(engine, uid, f"note {n}: I like tea")
        say(engine, other, f"note {n}: I like coffee")
    empty = ops()
    gateway = FakeGateway([empty, empty, empty, empty])
    handler = extraction_handler(
        embedder=EMB, gateway=gateway, model="gpt-test", extractor_mode="llm", max_batch=2
    )
    assert Worker(engine, {"extract": handler}).run_until_idle() == 6
    batches = [call["messages"][1]["content"].count("TURN ") for call in gateway.calls]
    users = ["tea" in call["messages"][1]["content"] for call in gateway.calls]
    # per user: a batch of two turns, then the third alone (the single-turn prompt)
    assert sorted(zip(users, batches, strict=True)) == [
        (False, 0),
        (False, 2),
        (True, 0),
        (True, 2),
    ]


def test_a_failing_batch_runs_each_turn_alone(engine: Engine) -> None:
    _, uid = setup_user(engine)
    say(engine, uid, "I live in Rome")
    say(engine, uid, "boom")
    say(engine, uid, "I'm vegan")

    def explode(session: Session, payloads: Sequence[dict[str, Any]]) -> None:
        if any(p["user_message"] == "boom" for p in payloads):
            raise RuntimeError("index down")

    handler = extraction_handler(embedder=EMB, extractor_mode="rules", post_processors=[explode])
    assert Worker(engine, {"extract": handler}).run_until_idle() == 3
    assert valid_texts(engine, uid) == ["Is vegan", "Lives in Rome"]
    with session_scope(engine) as session:
        jobs = session.exec(select(Outbox.status, Outbox.last_error).order_by(col(Outbox.id))).all()
    assert [status for status, _ in jobs] == ["done", "pending", "done"]
    assert jobs[1][1] == "RuntimeError: index down"


def test_a_rerun_batch_changes_nothing_and_asks_no_model(engine: Engine) -> None:
    _, uid = setup_user(engine)
    payloads = [say(engine, uid, "I live in Oslo"), say(engine, uid, "I'm a pilot")]
    gateway = FakeGateway(
        [ops(op(1, "Lives in Oslo", "location"), op(2, "Works as a pilot", "job"))]
    )
    results = []
    for _ in range(2):
        with session_scope(engine) as session:
            results.append(
                run_extraction_batch(
                    session,
                    payloads,
                    embedder=EMB,
                    gateway=gateway,
                    model="gpt-test",
                    extractor_mode="llm",
                )
            )
    assert len(gateway.calls) == 1
    assert [[r.extractor for r in rs] for rs in results] == [
        ["llm", "llm"],
        ["already_applied", "already_applied"],
    ]
    assert valid_texts(engine, uid) == ["Lives in Oslo", "Works as a pilot"]


def test_the_rules_batch_learns_what_turn_by_turn_learns(engine: Engine) -> None:
    tenant_id, together = setup_user(engine)
    with session_scope(engine) as session:
        alone = get_or_create_user(session, tenant_id, "u2").id
    assert alone is not None
    chat = ["I'm vegetarian and I live in Paris", "Great news: I moved to Berlin!",
            "I meant Munich, not Berlin.", "I don't eat meat anymore... actually I'm vegan now"]  # fmt: skip
    batched = extraction_handler(embedder=EMB, extractor_mode="rules")
    single = extraction_handler(embedder=EMB, extractor_mode="rules", max_batch=1)
    for message in chat:
        say(engine, together, message)
    Worker(engine, {"extract": batched}).run_until_idle()
    for message in chat:
        say(engine, alone, message)
        Worker(engine, {"extract": single}).run_until_idle()
    assert valid_texts(engine, together) == valid_texts(engine, alone)
    assert "Lives in Munich" in valid_texts(engine, together)


class CountingEmbedder(HashEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[override]
        self.batches.append(len(texts))
        return super().embed(texts)


def test_the_episodic_index_embeds_a_batch_in_one_call(engine: Engine) -> None:
    from persona.worker import make_worker

    _, uid = setup_user(engine)
    for n in range(3):
        say(engine, uid, f"question {n}", f"answer {n}")

    class Rt:  # the parts of a Runtime the worker uses
        db = engine
        embedder = CountingEmbedder()
        gateway = None

        class settings:
            fast_model = "local/gemma"
            extract_batch_turns = 8
            extract_settle_s = 1.5
            steer_model = None
            steer_model_parse = "auto"
            steer_proposal_turns = 3

        class retriever:
            @staticmethod
            def state(session: Session, user_id: int) -> None:
                return None

    assert make_worker(Rt()).run_until_idle() == 3  # type: ignore[arg-type]
    assert Rt.embedder.batches == [6]
    with session_scope(engine) as session:
        episodes = session.exec(
            select(Memory.text, Memory.meta).where(Memory.kind == "episode")
        ).all()
    assert sorted(text for text, _ in episodes) == sorted(
        [f"user: question {n}" for n in range(3)] + [f"assistant: answer {n}" for n in range(3)]
    )
    assert sorted(meta["seq"] for _, meta in episodes) == list(range(6))
