"""Per-key token buckets: the limiter itself, and 429 with Retry-After over HTTP."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from api.ratelimit import (
    DatabaseLimiter,
    FailOpen,
    Limiter,
    RedisLimiter,
    TokenBucketLimiter,
    build_limiter,
)
from persona.config import Settings
from store.db import make_engine, upgrade
from tests.admin.conftest import AdminServer
from tests.admin.seed import ACME_KEY
from tests.conftest import REDIS_TEST_URL


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


@pytest.fixture
def engines() -> Iterator[Callable[[str], Engine]]:
    """Make engines that are disposed after the test (no connection outlives it)."""
    made: list[Engine] = []

    def make(url: str) -> Engine:
        made.append(make_engine(url))
        return made[-1]

    yield make
    for engine in made:
        engine.dispose()


def _replicas(
    kind: str, url: str, engines: Callable[[str], Engine], count: int = 2
) -> list[Limiter]:
    """`count` limiters as `count` replicas would build them: one each, one shared store."""
    if kind == "redis":
        return [RedisLimiter(url) for _ in range(count)]
    engine = engines(url)
    upgrade(engine)
    return [DatabaseLimiter(engine) for _ in range(count)]


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_replicas_share_one_bucket(
    kind: str, request: pytest.FixtureRequest, engines: Callable[[str], Engine]
) -> None:
    url = request.getfixturevalue("pg_url" if kind == "database" else "redis_url")
    first, second = _replicas(kind, url, engines)
    # 60 per minute, bursts of 4: four requests pass, whichever replica they reach
    waits = [(first if i % 2 else second).acquire("tenant-a", 60, 4) for i in range(6)]
    assert waits[:4] == [0.0] * 4
    assert all(0 < w <= 1.0 for w in waits[4:]), waits
    assert first.acquire("tenant-b", 60, 4) == 0.0  # buckets are per key
    time.sleep(1.1)  # one token back, on the store's clock
    assert second.acquire("tenant-a", 60, 4) == 0.0
    assert first.acquire("tenant-a", 60, 4) > 0


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_refused_requests_take_nothing(
    kind: str, request: pytest.FixtureRequest, engines: Callable[[str], Engine]
) -> None:
    url = request.getfixturevalue("pg_url" if kind == "database" else "redis_url")
    (limiter,) = _replicas(kind, url, engines, 1)
    assert limiter.acquire("k", 30, 1) == 0.0  # one per two seconds, no burst
    # hammering while empty does not push the refill further away: a refused request that
    # took a token would add two seconds to every later wait
    waits = [limiter.acquire("k", 30, 1) for _ in range(20)]
    assert all(0 < w <= 2.0 for w in waits), waits
    assert all(later <= earlier + 0.05 for earlier, later in itertools.pairwise(waits)), waits
    time.sleep(waits[-1] + 0.1)
    assert limiter.acquire("k", 30, 1) == 0.0


def test_the_backend_follows_the_settings(
    pg_url: str, sqlite_url: str, engines: Callable[[str], Engine]
) -> None:
    pg, lite = engines(pg_url), engines(sqlite_url)
    assert isinstance(build_limiter(Settings(), lite), TokenBucketLimiter)
    shared = build_limiter(Settings(), pg)
    assert isinstance(shared, FailOpen) and isinstance(shared.inner, DatabaseLimiter)
    redis_backed = build_limiter(Settings(redis_url=REDIS_TEST_URL), lite)
    assert isinstance(redis_backed, FailOpen) and isinstance(redis_backed.inner, RedisLimiter)
    assert isinstance(build_limiter(Settings(rate_limit_backend="process"), pg), TokenBucketLimiter)
    with pytest.raises(ValueError, match="needs PostgreSQL"):
        build_limiter(Settings(rate_limit_backend="database"), lite)
    with pytest.raises(ValueError, match="PERSONA_REDIS_URL"):
        build_limiter(Settings(rate_limit_backend="redis"), lite)


def test_an_unreachable_backend_lets_requests_through(caplog: pytest.LogCaptureFixture) -> None:
    limiter = FailOpen(RedisLimiter("redis://127.0.0.1:1/0"), "redis")
    assert [limiter.acquire("k", 60, 1) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert len([r for r in caplog.records if "unavailable" in r.message]) == 1  # once a minute


def test_two_api_replicas_on_postgresql_share_the_limit(
    admin_server: Callable[..., AdminServer], pg_url: str
) -> None:
    limits = {"rate_limit_per_minute": 6, "rate_limit_burst": 3, "database_url": pg_url}
    first = admin_server(**limits)
    second = admin_server(seeded=False, **limits)  # the same database, another app
    codes = []
    for i in range(6):
        srv = first if i % 2 else second
        with httpx.Client(base_url=srv.url, timeout=30) as client:
            r = client.get(
                "/v1/users/alice/memories", headers={"Authorization": f"Bearer {ACME_KEY}"}
            )
            codes.append(r.status_code)
    assert codes == [200, 200, 200, 429, 429, 429]
