"""Per-key rate limits: a token bucket per API key, 429 with Retry-After when empty.

Buckets are keyed by an opaque id (tenant id or admin key id), never by the key itself. Where
they live is `rate_limit_backend`:

- `process`: in memory, one limiter per process (N API processes allow N times the rate);
- `database`: one row per bucket in PostgreSQL's unlogged `rate_bucket` table, refilled and
  taken in one atomic statement on the database clock, so every replica shares the limit;
- `redis`: one hash per bucket in Redis (`PERSONA_REDIS_URL`), taken by one Lua script;
- `auto` (default): Redis when `redis_url` is set, the database on PostgreSQL, else process.

A shared backend that cannot be reached lets requests through (logged, at most once a
minute): a limiter outage must not take the API down with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text

from persona.errors import RateLimited, retry_after_seconds

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from persona.config import Settings

log = logging.getLogger("persona.api")

MAX_BUCKETS = 100_000  # least recently used buckets beyond this are dropped (they were full)

# Setting names read with these defaults until `persona/config.py` defines them.
DEFAULTS = {
    "rate_limit_per_minute": 600.0,  # tenant API keys; 0 disables
    "rate_limit_burst": 60.0,
    "admin_rate_limit_per_minute": 300.0,  # admin keys; 0 disables
    "admin_rate_limit_burst": 60.0,
}


class Limiter(Protocol):
    """Takes one token from a bucket."""

    def acquire(self, key_id: str, per_minute: float, burst: float) -> float:
        """0 when allowed, else the seconds until a token is there."""
        ...


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucketLimiter:
    """Token buckets in this process: `rate` tokens per second refill up to `burst`."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def acquire(self, key_id: str, per_minute: float, burst: float) -> float:
        """Take one token for `key_id`; returns 0 when allowed, else seconds until allowed."""
        if per_minute <= 0:
            return 0.0
        rate = per_minute / 60.0
        capacity = max(1.0, burst)
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(key_id, None) or _Bucket(capacity, now)
            bucket.tokens = min(capacity, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            self._buckets[key_id] = bucket
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / rate


# refill (on the database clock) and take in one statement; a refused request takes nothing,
# and `taken` records which it was
_REFILL = "least(:capacity, b.tokens + greatest(0, excluded.stamp - b.stamp) * :rate)"
_TAKE_SQL = text(
    f"""
    INSERT INTO rate_bucket AS b (key, tokens, stamp, taken)
    SELECT :key, :capacity - 1, extract(epoch FROM clock_timestamp())::float8, true
    ON CONFLICT (key) DO UPDATE SET
        tokens = CASE WHEN {_REFILL} >= 1 THEN {_REFILL} - 1 ELSE {_REFILL} END,
        taken = {_REFILL} >= 1,
        stamp = excluded.stamp
    RETURNING tokens, taken
    """
)


class DatabaseLimiter:
    """Token buckets in PostgreSQL's `rate_bucket`, shared by every replica."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def acquire(self, key_id: str, per_minute: float, burst: float) -> float:
        """Take one token for `key_id` in the shared table."""
        if per_minute <= 0:
            return 0.0
        rate = per_minute / 60.0
        params = {"key": key_id, "capacity": max(1.0, burst), "rate": rate}
        with self._engine.begin() as conn:
            tokens, taken = conn.execute(_TAKE_SQL, params).one()
        return 0.0 if taken else (1.0 - tokens) / rate


_REDIS_TAKE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local row = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(row[1]) or capacity
local stamp = tonumber(row[2]) or t
tokens = math.min(capacity, tokens + math.max(0, t - stamp) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(t))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
return {allowed, tostring(tokens)}
"""


class RedisLimiter:
    """Token buckets in Redis (`persona:rl:<key id>`), shared by every replica."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
        self._take = self._redis.register_script(_REDIS_TAKE)

    def acquire(self, key_id: str, per_minute: float, burst: float) -> float:
        """Take one token for `key_id` in Redis."""
        if per_minute <= 0:
            return 0.0
        rate = per_minute / 60.0
        allowed, tokens = self._take(keys=[f"persona:rl:{key_id}"], args=[rate, max(1.0, burst)])
        return 0.0 if int(allowed) else (1.0 - float(tokens)) / rate


class FailOpen:
    """A shared limiter that lets requests through while its backend is unreachable."""

    def __init__(self, inner: Limiter, name: str, clock: Callable[[], float] = time.monotonic):
        self.inner = inner
        self._name = name
        self._clock = clock
        self._last_warning = -1e9

    def acquire(self, key_id: str, per_minute: float, burst: float) -> float:
        """The backend's answer, or 0 (allowed) when it fails."""
        try:
            return self.inner.acquire(key_id, per_minute, burst)
        except Exception as exc:
            now = self._clock()
            if now - self._last_warning > 60:
                self._last_warning = now
                log.warning("rate limiter (%s) unavailable, not limiting: %s", self._name, exc)
            return 0.0


def build_limiter(settings: Settings, engine: Engine) -> Limiter:
    """The limiter `settings.rate_limit_backend` names (see the module docstring)."""
    backend = settings.rate_limit_backend
    if backend == "auto":
        if settings.redis_url:
            backend = "redis"
        elif engine.dialect.name == "postgresql":
            backend = "database"
        else:
            backend = "process"
    if backend == "redis":
        if not settings.redis_url:
            raise ValueError("rate_limit_backend 'redis' needs PERSONA_REDIS_URL")
        return FailOpen(RedisLimiter(settings.redis_url), "redis")
    if backend == "database":
        if engine.dialect.name != "postgresql":
            raise ValueError("rate_limit_backend 'database' needs PostgreSQL")
        return FailOpen(DatabaseLimiter(engine), "database")
    return TokenBucketLimiter()


def limiter_for(request: Request) -> Limiter:
    """The app's limiter (created on first use)."""
    state = request.app.state
    limiter: Limiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        runtime: Any = getattr(state, "runtime", None)
        if runtime is None:
            limiter = TokenBucketLimiter()
        else:
            limiter = build_limiter(runtime.settings, runtime.db)
        state.rate_limiter = limiter
    return limiter


def _setting(request: Request, name: str) -> float:
    settings = getattr(request.app.state, "settings", None)
    if settings is None:
        runtime = getattr(request.app.state, "runtime", None)
        settings = getattr(runtime, "settings", None)
    return float(getattr(settings, name, DEFAULTS[name]))


def enforce_rate_limit(request: Request, key_id: str, *, admin: bool = False) -> None:
    """Count one request against `key_id`'s bucket; raise RateLimited (429) when it is empty.

    `key_id` must identify the key without revealing it (a tenant id, an admin key id).
    """
    prefix = "admin_" if admin else ""
    per_minute = _setting(request, f"{prefix}rate_limit_per_minute")
    burst = _setting(request, f"{prefix}rate_limit_burst")
    wait = limiter_for(request).acquire(f"{prefix}{key_id}", per_minute, burst)
    if wait > 0:
        raise RateLimited(
            f"too many requests for this key: the limit is {per_minute:g} per minute "
            f"(bursts of {burst:g}); retry in {retry_after_seconds(wait)} s",
            retry_after=wait,
        )


async def aenforce_rate_limit(request: Request, key_id: str, *, admin: bool = False) -> None:
    """`enforce_rate_limit` from the event loop: in a thread only when counting takes I/O (a
    shared limiter, the database or Redis, with a limit set)."""
    limited = _setting(request, f"{'admin_' if admin else ''}rate_limit_per_minute") > 0
    if limited and not isinstance(limiter_for(request), TokenBucketLimiter):
        await run_in_threadpool(enforce_rate_limit, request, key_id, admin=admin)
    else:
        enforce_rate_limit(request, key_id, admin=admin)
