"""Known data for the admin tests: two tenants, users, a supersede chain, turns and traces.

Ids and timestamps are fixed so tests can assert whole response bodies.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from persona.embed import Embedder, HashEmbedder
from persona.memory.writes import embedding_bytes, memory_snapshot, record_history
from store.db import session_scope
from store.models import Memory, Profile, Tenant, User
from store.tenants import create_admin_key, hash_key
from store.turns import record_turn

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
ACME = "acme0000000000000000000000000000"
GLOBEX = "globex00000000000000000000000000"
ACME_KEY = "psn_acme-test-key"
GLOBEX_KEY = "psn_globex-test-key"
CONSTRAINT = {
    "cid": "c1",
    "id": "change_case:english_lowercase",
    "kwargs": {},
    "source": "chat",
    "created_at": "2026-01-05T09:00:00+00:00",
}


def at(minutes: int) -> datetime:
    """T0 plus `minutes`."""
    return T0 + timedelta(minutes=minutes)


def trace_data(turn_id: str, memories: list[dict[str, Any]], tier: str = "fast") -> dict[str, Any]:
    """A trace shaped like the engine's."""
    return {
        "turn_id": turn_id,
        "memories": memories,
        "route": {
            "tier": tier,
            "score": 0.12 if tier == "fast" else 0.91,
            "threshold": 0.5,
            "effort": None if tier == "fast" else "medium",
            "signals": ["embedding classifier 0.12"] if tier == "fast" else ["math notation"],
            "reason": "light message" if tier == "fast" else "multi-step math",
        },
        "prompt": {"system": "## Role\nYou are a helpful assistant."},
        "steering": {
            "results": [{"id": "change_case:english_lowercase", "passed": True, "detail": ""}],
            "repairs": ["change_case:english_lowercase"],
            "compliant": True,
        },
        "model": "local/gemma-3-270m",
        "latency_ms": {"embed": 10.0, "retrieve": 2.0, "model": 100.0, "total": 120.0},
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
        "cost_usd": 0.001,
    }


def _memory(
    session: Any, user: User, mid: str, text: str, minutes: int, kind: str = "fact", **kw: Any
) -> Memory:
    embedder: Embedder = kw.pop("embedder", None) or HashEmbedder()
    assert user.id is not None
    memory = Memory(
        id=mid,
        user_id=user.id,
        kind=kind,
        text=text,
        embedding=embedding_bytes(embedder.embed([text])[0]),
        valid_from=at(minutes),
        created_at=at(minutes),
        updated_at=at(minutes),
        source_turn_id=kw.pop("source_turn_id", None),
        **kw,
    )
    session.add(memory)
    session.flush()
    record_history(
        session,
        memory_id=mid,
        user_id=user.id,
        op="add",
        before=None,
        after=memory_snapshot(memory),
        actor="extractor",
        reason="stated by the user",
        source_turn_id=memory.source_turn_id,
        now=at(minutes),
    )
    return memory


def seed(engine: Engine, embedder: Embedder | None = None) -> dict[str, str]:
    """Write the known data; returns the admin keys: global-db, acme-scoped, globex-scoped.

    Memory embeddings come from `embedder` (the model-free `HashEmbedder` by default).
    """
    emb = embedder or HashEmbedder()
    with session_scope(engine) as s:
        for tid, name, key, minutes in (
            (ACME, "acme", ACME_KEY, 0),
            (GLOBEX, "globex", GLOBEX_KEY, 1),
        ):
            s.add(
                Tenant(
                    id=tid,
                    name=name,
                    api_key_hash=hash_key(key),
                    key_prefix=key[:8],
                    created_at=at(minutes),
                )
            )
        s.flush()
        alice = User(tenant_id=ACME, external_id="alice", created_at=at(0), last_seen_at=at(30))
        carol = User(tenant_id=ACME, external_id="carol", created_at=at(1), last_seen_at=at(5))
        bob = User(tenant_id=GLOBEX, external_id="bob", created_at=at(2), last_seen_at=at(40))
        for u in (alice, carol, bob):
            s.add(u)
        s.flush()
        assert alice.id is not None and bob.id is not None and carol.id is not None
        s.add(
            Profile(
                user_id=alice.id,
                about_you="I cook a lot",
                constraints=[CONSTRAINT],
                updated_at=at(0),
            )
        )
        s.add(Profile(user_id=carol.id, updated_at=at(1)))
        s.add(Profile(user_id=bob.id, updated_at=at(2)))

        turn1 = record_turn(
            s,
            user=alice,
            user_message="I live in Paris and I'm vegetarian",
            reply="noted!",
            model="local/gemma-3-270m",
            tier="fast",
            trace=trace_data("turn1", []),
            turn_id="turn1",
            route_score=0.12,
        )
        turn1[0].created_at = turn1[1].created_at = at(10)
        paris = _memory(
            s,
            alice,
            "m-paris",
            "Lives in Paris",
            10,
            attribute="location",
            source_turn_id="turn1",
            embedder=emb,
        )
        _memory(
            s,
            alice,
            "m-veg",
            "Is vegetarian",
            10,
            kind="preference",
            source_turn_id="turn1",
            embedder=emb,
        )
        berlin = _memory(
            s,
            alice,
            "m-berlin",
            "Lives in Berlin",
            20,
            attribute="location",
            source_turn_id="turn2",
            embedder=emb,
        )
        before = memory_snapshot(paris)
        paris.invalid_at = at(20)
        paris.superseded_by = berlin.id
        paris.updated_at = at(20)
        s.add(paris)
        record_history(
            s,
            memory_id="m-paris",
            user_id=alice.id,
            op="supersede",
            before=before,
            after=memory_snapshot(paris),
            actor="extractor",
            reason="moved to Berlin",
            source_turn_id="turn2",
            now=at(20),
        )
        turn2 = record_turn(
            s,
            user=alice,
            user_message="I moved to Berlin",
            reply="berlin, nice!",
            model="local/gemma-3-270m",
            tier="fast",
            trace=trace_data(
                "turn2", [{"id": "m-paris", "kind": "fact", "text": "Lives in Paris", "score": 0.8}]
            ),
            turn_id="turn2",
            route_score=0.12,
        )
        turn2[0].created_at = turn2[1].created_at = at(20)
        turn3 = record_turn(
            s,
            user=alice,
            user_message="suggest a restaurant near me",
            reply="try a vegetarian place in berlin",
            model="local/gemma-3-270m",
            tier="reasoning",
            trace=trace_data(
                "turn3",
                [
                    {"id": "m-berlin", "kind": "fact", "text": "Lives in Berlin", "score": 0.9},
                    {"id": "m-veg", "kind": "preference", "text": "Is vegetarian", "score": 0.7},
                ],
                tier="reasoning",
            ),
            turn_id="turn3",
            route_score=0.91,
        )
        turn3[0].created_at = turn3[1].created_at = at(30)
        for tr in (turn1, turn2, turn3):
            tr[1].total_ms = 120.0
        _memory(s, bob, "m-bob", "Works as a pilot", 40, source_turn_id="turn-bob", embedder=emb)
        bob_turn = record_turn(
            s,
            user=bob,
            user_message="I fly planes for a living",
            reply="cool",
            model="local/gemma-3-270m",
            tier="fast",
            trace=trace_data(
                "turn-bob",
                [{"id": "m-bob", "kind": "fact", "text": "Works as a pilot", "score": 0.5}],
            ),
            turn_id="turn-bob",
            route_score=0.12,
        )
        bob_turn[0].created_at = bob_turn[1].created_at = at(40)
        _, global_key = create_admin_key(s, None, "ops")
        _, acme_key = create_admin_key(s, ACME, "acme-support")
        _, globex_key = create_admin_key(s, GLOBEX, "globex-support")
    return {"global": global_key, "acme": acme_key, "globex": globex_key}
