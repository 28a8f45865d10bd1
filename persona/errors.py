"""persona's error types. Every failure a caller can act on is one of these.

    PersonaError
    ├── InvalidInput        the caller sent something unusable (400/422)
    ├── Unauthorized        missing or wrong API key (401)
    ├── Forbidden           a valid key that may not do this (403)
    ├── NotFound            no such tenant, user, memory, model (404)
    ├── Conflict            contradicts stored state (409)
    ├── RateLimited         too many requests for this key (429)
    ├── SchemaOutOfDate     the database needs `persona db upgrade`
    ├── DependencyMissing   an optional package is not installed
    ├── ModelSetupFailed    a bundled model could not be prepared (export, cache directory)
    └── ProviderError       the model provider failed after retries and fallbacks (502)
        └── ProviderTimeout the provider did not answer in time (504)

Library errors (litellm, sqlalchemy, faiss) are wrapped at the boundary with
``raise ... from exc`` so callers only ever catch these.
"""

from __future__ import annotations

import math


class PersonaError(Exception):
    """Base class of every error persona raises on purpose."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(PersonaError):
    """The request or argument is malformed or out of bounds."""

    status_code = 400
    code = "invalid_request"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


class Unauthorized(PersonaError):
    """No API key, or one that matches no tenant."""

    status_code = 401
    code = "invalid_api_key"


class Forbidden(PersonaError):
    """The key is valid but may not perform this action."""

    status_code = 403
    code = "forbidden"


class NotFound(PersonaError):
    """The named object does not exist (for this tenant)."""

    status_code = 404
    code = "not_found"


class Conflict(PersonaError):
    """The change contradicts what is stored (e.g. conflicting constraints)."""

    status_code = 409
    code = "conflict"


def retry_after_seconds(wait: float) -> int:
    """A wait as the whole seconds of a `Retry-After` header (at least 1, rounded up)."""
    return max(1, math.ceil(wait))


class RateLimited(PersonaError):
    """The key exceeded its request rate."""

    status_code = 429
    code = "rate_limit_exceeded"

    def __init__(self, message: str, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class SchemaOutOfDate(PersonaError):
    """The database schema is older than this code expects."""

    status_code = 503
    code = "schema_out_of_date"


class DependencyMissing(PersonaError):
    """An optional dependency is needed for this feature but not installed."""

    status_code = 500
    code = "dependency_missing"


class ModelSetupFailed(PersonaError):
    """A bundled model could not be prepared (its export failed or its cache is not writable)."""

    status_code = 500
    code = "model_setup_failed"


class ProviderError(PersonaError):
    """The model provider failed even after retries and the fallback chain.

    `message` is safe to show a client (models tried, error kinds and statuses); `detail` is
    the provider's own error text, for the server log only (it can carry upstream internals).
    """

    status_code = 502
    code = "provider_error"

    def __init__(self, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail


class ProviderRateLimited(ProviderError):
    """The model provider kept answering 429: the client should back off and retry."""

    status_code = 429
    code = "provider_rate_limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderTimeout(ProviderError):
    """The model provider did not answer within the timeout."""

    status_code = 504
    code = "provider_timeout"


def _subclasses(cls: type[PersonaError]) -> list[type[PersonaError]]:
    out: list[type[PersonaError]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def error_for(status: int, code: str | None, message: str) -> PersonaError:
    """The error a persona server's error response stands for (what `PersonaClient` raises).

    The body's `code` names the class (each carries its own); an unknown code falls back to
    the class of the status (a 413/422 is bad input too), else `PersonaError`.
    """
    by_code = {cls.code: cls for cls in _subclasses(PersonaError)}
    by_status = {
        cls.status_code: cls
        for cls in (
            InvalidInput,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            RateLimited,
            ProviderError,
            ProviderTimeout,
        )
    }
    cls = by_code.get(code or "") or by_status.get(status)
    if cls is None and status in (413, 422):
        cls = InvalidInput
    return (cls or PersonaError)(message)
