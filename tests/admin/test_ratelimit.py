"""Per-key token buckets: the limiter itself, and 429 with Retry-After over HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from api.ratelimit import TokenBucketLimiter
from tests.admin.conftest import AdminServer


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(clock)
    # 60 per minute = 1 per second, bursts of 3
    assert [limiter.acquire("k", 60, 3) for _ in range(4)] == [0.0, 0.0, 0.0, pytest.approx(1.0)]
    clock.now += 0.5
    assert limiter.acquire("k", 60, 3) == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("k", 60, 3) == 0.0
    assert limiter.acquire("other", 60, 3) == 0.0  # buckets are per key
    clock.now += 3600
    assert [limiter.acquire("k", 60, 3) for _ in range(4)][-1] > 0  # never more than the burst


def test_zero_disables_the_limit() -> None:
    limiter = TokenBucketLimiter(Clock())
    assert {limiter.acquire("k", 0, 1) for _ in range(1000)} == {0.0}


def test_admin_key_gets_429_with_retry_after(admin_server: Callable[..., AdminServer]) -> None:
    srv = admin_server(extra={"admin_rate_limit_per_minute": 6, "admin_rate_limit_burst": 2})
    with srv.client("acme") as c:
        assert [c.get("/admin/v1/me").status_code for _ in range(2)] == [200, 200]
        r = c.get("/admin/v1/me")
    assert r.status_code == 429
    assert 1 <= int(r.headers["retry-after"]) <= 10
    body = r.json()
    message = body["error"].pop("message")
    assert re.fullmatch(
        r"too many requests for this key: the limit is 6 per minute \(bursts of 2\); "
        rf"retry in {r.headers['retry-after']} s",
        message,
    ), message
    assert body == {
        "error": {"type": "rate_limit_error", "param": None, "code": "rate_limit_exceeded"}
    }
    assert srv.keys["acme"] not in r.text
    with srv.client("globex") as c:  # another key has its own bucket
        assert c.get("/admin/v1/me").status_code == 200
    r = httpx.get(f"{srv.url}/admin/v1/me", headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401  # bad keys are refused before they can use up a bucket
