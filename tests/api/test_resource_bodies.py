"""Whole bodies of the user resources over REST: memories (add, get, list, change, history,
suppress, forget, search) and the profile, constraints and instructions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.api.conftest import LiveServer

MEMORIES = "/v1/users/ann/memories"


@pytest.fixture
def call(live_server: Callable[..., LiveServer]) -> Callable[..., Any]:
    srv = live_server()

    def call(method: str, path: str, status: int = 200, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {srv.api_key}"}
        response = httpx.request(method, f"{srv.url}{path}", headers=headers, **kw)
        assert response.status_code == status, response.text
        return response.json()

    return call


def _time(value: str) -> datetime:
    """An answered time: ISO 8601 in UTC, as `isoformat()` writes it."""
    parsed = datetime.fromisoformat(value)
    assert value.endswith("+00:00") and parsed.isoformat() == value
    return parsed


def memory(mid: str, text: str, at: str, **changes: Any) -> dict[str, Any]:
    """A memory added through the API at `at`, as the API answers it."""
    return {
        "id": mid,
        "kind": "fact",
        "text": text,
        "attribute": None,
        "importance": 0.5,
        "scope": "user",
        "agent_id": None,
        "session_id": None,
        "actor": "api",
        "source_turn_id": None,
        "valid_from": at,
        "invalid_at": None,
        "superseded_by": None,
        "expires_at": None,
        "suppressed_at": None,
        "project": None,
        "created_at": at,
        "updated_at": at,
        "meta": {},
        "state": "valid",
        **changes,
    }


def snapshot(m: dict[str, Any]) -> dict[str, Any]:
    """A memory as a history row keeps it (no `state`)."""
    return {k: v for k, v in m.items() if k != "state"}


def test_memory_bodies_through_their_life(call: Callable[..., Any]) -> None:
    added = call("POST", MEMORIES, 201, json={"text": "Lives in Oslo", "metadata": {"k": "v"}})
    at = added["created_at"]
    _time(at)
    first = memory(added["id"], "Lives in Oslo", at, meta={"k": "v"})
    assert added == first
    assert call("GET", f"{MEMORIES}/{added['id']}") == first
    assert call("GET", MEMORIES) == {"memories": [first]}

    changed = call("PATCH", f"{MEMORIES}/{added['id']}", json={"text": "Lives in Bergen"})
    second = {**first, "text": "Lives in Bergen", "updated_at": changed["updated_at"]}
    assert changed == second
    assert _time(second["updated_at"]) >= _time(at)

    hidden = call("POST", f"{MEMORIES}/{added['id']}/suppress", params={"reason": "private"})
    third = {**second, "suppressed_at": hidden["suppressed_at"], "updated_at": hidden["updated_at"]}
    assert hidden == third
    _time(third["suppressed_at"])

    forgotten = call("DELETE", f"{MEMORIES}/{added['id']}", params={"reason": "moved"})
    fourth = {
        **third,
        "invalid_at": forgotten["invalid_at"],
        "updated_at": forgotten["updated_at"],
        "state": "forgotten",
    }
    assert forgotten == fourth
    assert call("GET", MEMORIES) == {"memories": []}
    assert call("GET", MEMORIES, params={"valid": "all"}) == {"memories": [fourth]}

    history = call("GET", f"{MEMORIES}/{added['id']}/history")["history"]
    assert [h.pop("id") for h in history] == [1, 2, 3, 4]
    times = [h.pop("created_at") for h in history]
    assert [_time(t) for t in times] == sorted(_time(t) for t in times)
    common = {"memory_id": added["id"], "actor": "api", "source_turn_id": None}
    assert history == [
        {**common, "op": "add", "reason": "new memory", "before": None, "after": snapshot(first)},
        {
            **common,
            "op": "update",
            "reason": "updated",
            "before": snapshot(first),
            "after": snapshot(second),
        },
        {
            **common,
            "op": "suppress",
            "reason": "private",
            "before": snapshot(second),
            "after": snapshot(third),
        },
        {
            **common,
            "op": "invalidate",
            "reason": "moved",
            "before": snapshot(third),
            "after": snapshot(fourth),
        },
    ]
    assert call("GET", f"{MEMORIES}/history")["history"] == [
        {**h, "id": i, "created_at": t}
        for i, (h, t) in enumerate(zip(history, times, strict=True), start=1)
    ]


def test_search_answers_scored_public_memories(call: Callable[..., Any]) -> None:
    added = call("POST", MEMORIES, 201, json={"text": "Plays the cello", "kind": "preference"})
    found = call("POST", f"{MEMORIES}/search", json={"query": "Plays the cello"})["results"]
    assert len(found) == 1
    score = found[0].pop("score")
    assert isinstance(score, float) and score > 0
    assert found == [memory(added["id"], "Plays the cello", added["created_at"], kind="preference")]


def test_profile_constraint_and_instruction_bodies(call: Callable[..., Any]) -> None:
    profile = call(
        "PATCH", "/v1/users/ann/profile", json={"about_you": "I cook", "personality": "Nerdy"}
    )
    _time(profile["updated_at"])
    expected = {
        "user": "ann",
        "about_you": "I cook",
        "response_style": "",
        "personality": "nerdy",
        "traits": {},
        "ambiguity": "proceed",
        "route_preference": None,
        "constraints": [],
        "instructions": [],
        "version": 1,
        "updated_at": profile["updated_at"],
    }
    assert profile == expected
    assert call("GET", "/v1/users/ann/profile") == expected

    added = call(
        "POST",
        "/v1/users/ann/constraints",
        201,
        json={"constraints": [{"id": "change_case:english_lowercase"}]},
    )
    row = added["added"][0]
    _time(row["created_at"])
    lowercase = {
        "cid": row["cid"],
        "id": "change_case:english_lowercase",
        "kwargs": {},
        "source": "api",
        "created_at": row["created_at"],
        "turn_id": None,
    }
    assert added == {"added": [lowercase], "superseded": []}
    assert call("GET", "/v1/users/ann/constraints") == {"constraints": [lowercase]}

    said = call("POST", "/v1/users/ann/instructions", 201, json={"text": "Mention my cat"})
    instruction = said["instruction"]
    assert said == {
        "constraints": {"added": [], "superseded": []},
        "instruction": {
            "iid": instruction["iid"],
            "text": "Mention my cat",
            "source": "api",
            "created_at": instruction["created_at"],
            "turn_id": None,
        },
    }
    assert call("GET", "/v1/users/ann/instructions") == {
        "constraints": [lowercase],
        "instructions": [instruction],
    }
    assert call("DELETE", f"/v1/users/ann/instructions/{instruction['iid']}") == {
        "removed": instruction
    }
    assert call("DELETE", f"/v1/users/ann/constraints/{lowercase['cid']}") == {"removed": lowercase}
    final = call("GET", "/v1/users/ann/profile")
    assert final == {**expected, "version": 5, "updated_at": final["updated_at"]}
