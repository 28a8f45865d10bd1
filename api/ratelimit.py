"""Per-key rate limits: a token bucket per API key, 429 with Retry-After when empty.

Buckets are keyed by an opaque id (tenant id or admin key id), never by the key itself. They
live in the process (one app = one limiter), so N replicas allow N times the rate; that is
the usual trade-off for an in-process limiter and keeps the hot path free of a network call.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from persona.errors import RateLimited, retry_after_seconds

MAX_BUCKETS = 100_000  # least recently used buckets beyond this are dropped (they were full)

# Setting names read with these defaults until `persona/config.py` defines them.
DEFAULTS = {
    "rate_limit_per_minute": 600.0,  # tenant API keys; 0 disables
    "rate_limit_burst": 60.0,
    "admin_rate_limit_per_minute": 300.0,  # admin keys; 0 disables
    "admin_rate_limit_burst": 60.0,
}


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucketLimiter:
    """Token buckets: `rate` tokens per second refill up to `burst`; each request takes one."""

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


def limiter_for(request: Request) -> TokenBucketLimiter:
    """The app's limiter (created on first use)."""
    state = request.app.state
    limiter: TokenBucketLimiter | None = getattr(state, "rate_limiter", None)
    if limiter is None:
        limiter = TokenBucketLimiter()
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
