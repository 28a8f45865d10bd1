"""Correcting a memory over REST gives the answers the admin API gives (one `MemoryService`):
forgetting a memory that is no longer valid, suppressing a suppressed one, updating a
forgotten one are each refused with 409 and the same message (see tests/admin/test_api.py)."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import LiveServer, api_request


def conflict(message: str) -> dict[str, Any]:
    """The error body of a 409."""
    return {
        "error": {"message": message, "type": "conflict_error", "param": None, "code": "conflict"}
    }


def test_a_correction_with_nothing_to_change_is_refused(srv: LiveServer) -> None:
    base = "/v1/users/ann/memories"
    memory = api_request(srv, "POST", base, json={"text": "Lives in Berlin"}).json()
    one = f"{base}/{memory['id']}"

    r = api_request(srv, "POST", f"{one}/suppress")
    assert r.status_code == 200 and r.json()["suppressed_at"] is not None
    r = api_request(srv, "POST", f"{one}/suppress")
    assert (r.status_code, r.json()) == (
        409,
        conflict(f"memory {memory['id']!r} is already suppressed"),
    )
    r = api_request(srv, "POST", f"{one}/unsuppress")
    assert r.status_code == 200 and r.json()["suppressed_at"] is None
    r = api_request(srv, "POST", f"{one}/unsuppress")
    assert (r.status_code, r.json()) == (
        409,
        conflict(f"memory {memory['id']!r} is not suppressed"),
    )

    forgotten = api_request(srv, "DELETE", one, params={"reason": "moved"})
    assert forgotten.status_code == 200 and forgotten.json()["invalid_at"] is not None
    r = api_request(srv, "DELETE", one, params={"reason": "again"})
    assert (r.status_code, r.json()) == (
        409,
        conflict(f"memory {memory['id']!r} is already invalid (forgotten or superseded)"),
    )
    r = api_request(srv, "PATCH", one, json={"text": "Lives in Paris"})
    assert (r.status_code, r.json()) == (
        409,
        conflict(f"memory {memory['id']!r} is no longer valid and cannot be updated"),
    )
    history = api_request(srv, "GET", f"{one}/history").json()["history"]
    assert [(h["op"], h["actor"], h["reason"]) for h in history] == [
        ("add", "api", "new memory"),
        ("suppress", "api", "don't mention this again"),
        ("unsuppress", "api", "may be mentioned again"),
        ("invalidate", "api", "moved"),
    ]  # the refused ones wrote nothing
