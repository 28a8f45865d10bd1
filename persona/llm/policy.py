"""Which failures are worth retrying, how long to wait, and the walk along the fallback chain.

Shared by the sync and async paths of the gateway so both behave the same.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from persona.errors import PersonaError, ProviderError, ProviderRateLimited, ProviderTimeout

RETRY_AFTER_CAP_S = 10.0  # never let a provider's Retry-After stall a request longer than this


@dataclass(frozen=True)
class Failure:
    """One classified provider error."""

    kind: str  # rate_limit | server_error | timeout | connection | bad_response | client_error
    status: int | None
    retryable: bool
    retry_after: float | None
    message: str


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date; the exponential backoff covers it


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and all(current is not e for e in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _transport_fault(chain: list[BaseException]) -> str | None:
    """`connection` or `bad_response` when litellm reports a transport fault as a "500"."""
    import httpx
    import openai

    for exc in chain:
        if isinstance(exc, ValueError) and type(exc).__name__ == "JSONDecodeError":
            return "bad_response"
        if isinstance(exc, openai.APIConnectionError | httpx.TransportError | ConnectionError):
            return "connection"
    return None


def classify(exc: BaseException) -> Failure:
    """Map a litellm (or transport, or `persona.llm.direct.WireError`) exception to a
    `Failure`."""
    import httpx
    from litellm import exceptions as lx

    message = (getattr(exc, "message", None) or str(exc) or type(exc).__name__).strip()
    message = message.splitlines()[0][:300] if message else type(exc).__name__
    chain = _chain(exc)
    if any(isinstance(e, lx.Timeout | TimeoutError | httpx.TimeoutException) for e in chain):
        return Failure("timeout", None, True, None, message)
    status = _status(exc)
    if isinstance(exc, lx.RateLimitError) or status == 429:
        return Failure("rate_limit", 429, True, _retry_after(exc), message)
    # litellm wraps a transport fault (its cause); a direct call raises httpx's own
    fault = _transport_fault(chain if isinstance(exc, httpx.TransportError) else chain[1:])
    if fault is not None:
        return Failure(fault, None, True, None, message)
    if status is not None and status >= 500:
        return Failure("server_error", status, True, _retry_after(exc), message)
    if status is not None and 400 <= status < 500:
        return Failure("client_error", status, False, None, message)
    # anything else the provider did wrong (an odd body, a broken stream): worth a retry
    return Failure("bad_response", status, True, None, message)


def persona_cause(exc: BaseException) -> PersonaError | None:
    """A persona error hidden in the cause chain (litellm wraps what custom providers raise)."""
    return next((e for e in _chain(exc) if isinstance(e, PersonaError)), None)


@dataclass
class Plan:
    """Attempts along `models`, each retried up to `max_retries` times on retryable failures."""

    models: list[str]
    max_retries: int
    backoff_s: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    last: Failure | None = None
    cause: BaseException | None = None  # the last exception, chained to the final error
    _skip: bool = False

    @classmethod
    def build(cls, model: str, fallbacks: list[str], max_retries: int, backoff_s: float) -> Plan:
        """The chain `model, *fallbacks` without duplicates."""
        chain = list(dict.fromkeys([model, *fallbacks]))
        return cls(chain, max(0, max_retries), max(0.0, backoff_s))

    def __iter__(self) -> Iterator[tuple[str, int]]:
        """Yield `(model, retry_index)` for every attempt to make."""
        for model in self.models:
            self._skip = False
            for retry in range(self.max_retries + 1):
                if self._skip:
                    break
                yield model, retry

    def failed(self, model: str, retry: int, exc: BaseException, started: float) -> float:
        """Record a failed attempt; return how long to wait before the next one."""
        failure = classify(exc)
        self.last, self.cause = failure, exc
        self.attempts.append(
            {
                "model": model,
                "error": failure.kind,
                "status": failure.status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )
        if not failure.retryable or retry >= self.max_retries:
            self._skip = True
            return 0.0  # the next model, if any, is tried at once
        delay = self.backoff_s * (2.0**retry)
        if failure.retry_after is not None:
            delay = max(delay, min(failure.retry_after, RETRY_AFTER_CAP_S))
        return delay

    def error(self) -> ProviderError:
        """The error to raise once every attempt failed."""
        tried = ", ".join(
            f"{m} ({', '.join(self._kinds(m))})" for m in self.models if self._kinds(m)
        )
        last = self.last
        detail = last.message if last else None
        text = f"model provider failed after {len(self.attempts)} attempt(s): {tried}"
        if last is not None and last.kind == "timeout":
            return ProviderTimeout(text, detail)
        if last is not None and last.kind == "rate_limit":
            error = ProviderRateLimited(
                f"{text}; the provider is rate limiting: retry later", last.retry_after
            )
            error.detail = detail
            return error
        return ProviderError(text, detail)

    def _kinds(self, model: str) -> list[str]:
        kinds = [
            f"{a['error']} {a['status']}" if a["status"] else str(a["error"])
            for a in self.attempts
            if a["model"] == model
        ]
        return kinds
