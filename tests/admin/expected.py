"""Expected JSON of the seeded rows (see `seed.py`), for whole-body assertions."""

from __future__ import annotations

from typing import Any

from tests.admin.seed import ACME, CONSTRAINT, GLOBEX, trace_data


def iso(minutes: int) -> str:
    """The ISO form of T0 + `minutes`."""
    hours, mins = divmod(minutes, 60)
    return f"2026-01-05T{9 + hours:02d}:{mins:02d}:00+00:00"


def memory(
    mid: str,
    text: str,
    minutes: int,
    *,
    kind: str = "fact",
    attribute: str | None = None,
    source: str | None = None,
    state: str = "valid",
    **changes: Any,
) -> dict[str, Any]:
    """A memory as the admin API returns it."""
    row: dict[str, Any] = {
        "id": mid,
        "kind": kind,
        "text": text,
        "attribute": attribute,
        "importance": 0.5,
        "scope": "user",
        "agent_id": None,
        "session_id": None,
        "actor": "extractor",
        "source_turn_id": source,
        "valid_from": iso(minutes),
        "invalid_at": None,
        "superseded_by": None,
        "expires_at": None,
        "suppressed_at": None,
        "project": None,
        "created_at": iso(minutes),
        "updated_at": iso(minutes),
        "meta": {},
        "state": state,
    }
    row.update(changes)
    return row


BERLIN = memory("m-berlin", "Lives in Berlin", 20, attribute="location", source="turn2")
PARIS = memory(
    "m-paris",
    "Lives in Paris",
    10,
    attribute="location",
    source="turn1",
    state="superseded",
    invalid_at=iso(20),
    superseded_by="m-berlin",
    updated_at=iso(20),
)
VEG = memory("m-veg", "Is vegetarian", 10, kind="preference", source="turn1")


def snapshot(m: dict[str, Any]) -> dict[str, Any]:
    """A memory as stored in a history row (no `state`)."""
    return {k: v for k, v in m.items() if k != "state"}


def tenant(which: str, users: int) -> dict[str, Any]:
    """A seeded tenant as listed."""
    tid, name, prefix, minutes = (
        (ACME, "acme", "psn_acme", 0) if which == "acme" else (GLOBEX, "globex", "psn_glob", 1)
    )
    return {
        "id": tid,
        "name": name,
        "key_prefix": prefix,
        "disabled": False,
        "created_at": iso(minutes),
        "users": users,
    }


PROFILE = {
    "about_you": "I cook a lot",
    "response_style": "",
    "personality": "default",
    "traits": {},
    "ambiguity": "proceed",
    "constraints": [CONSTRAINT],
    "instructions": [],
    "route_preference": None,
    "version": 0,
    "updated_at": iso(0),
}

TURNS = {
    "turn1": ("I live in Paris and I'm vegetarian", "noted!", "fast", 10, []),
    "turn2": (
        "I moved to Berlin",
        "berlin, nice!",
        "fast",
        20,
        [{"id": "m-paris", "kind": "fact", "text": "Lives in Paris", "score": 0.8}],
    ),
    "turn3": (
        "suggest a restaurant near me",
        "try a vegetarian place in berlin",
        "reasoning",
        30,
        [
            {"id": "m-berlin", "kind": "fact", "text": "Lives in Berlin", "score": 0.9},
            {"id": "m-veg", "kind": "preference", "text": "Is vegetarian", "score": 0.7},
        ],
    ),
}


def turn(tid: str) -> dict[str, Any]:
    """A seeded turn as listed."""
    message, reply, tier, minutes, _ = TURNS[tid]
    return {
        "id": tid,
        "session_id": None,
        "user_message": message,
        "reply": reply,
        "model": "local/gemma-3-270m",
        "tier": tier,
        "created_at": iso(minutes),
    }


def trace(tid: str, trace_id: str) -> dict[str, Any]:
    """A seeded trace as listed (`trace_id` is random, read from the response)."""
    message, reply, tier, minutes, memories = TURNS[tid]
    return {
        "id": trace_id,
        "turn_id": tid,
        "tier": tier,
        "route_score": 0.91 if tier == "reasoning" else 0.12,
        "total_ms": 120.0,
        "created_at": iso(minutes),
        "user_message": message,
        "reply": reply,
        "data": trace_data(tid, memories, tier),
    }
