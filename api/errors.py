"""Map persona errors (and malformed requests) to OpenAI-style error bodies."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from persona.errors import (
    InvalidInput,
    PersonaError,
    ProviderError,
    ProviderRateLimited,
    RateLimited,
    retry_after_seconds,
)
from persona.public import ErrorBody

log = logging.getLogger("persona.api")

_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}


def error_body(
    message: str, status: int, code: str | None, param: str | None = None
) -> dict[str, Any]:
    """The OpenAI error format (`ErrorBody`): {"error": {"message", "type", "param", "code"}}."""
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def _param(loc: tuple[int | str, ...] | list[int | str]) -> str | None:
    """The field a validation error is about, as a client names it: `messages[0].content`,
    `offset` (where FastAPI says `body.messages.0.content` or `query.offset`)."""
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


def error_response(exc: PersonaError) -> JSONResponse:
    """The response for one persona error."""
    param = exc.param if isinstance(exc, InvalidInput) else None
    headers = {}
    retry_after = exc.retry_after if isinstance(exc, RateLimited | ProviderRateLimited) else None
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after_seconds(retry_after))
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(
        error_body(exc.message, exc.status_code, exc.code, param),
        status_code=exc.status_code,
        headers=headers,
    )


def _describe(err: dict) -> str:  # type: ignore[type-arg]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
    msg = str(err.get("msg", "invalid value"))
    if err.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    return f"{loc}: {msg}" if loc else msg


_DESCRIPTIONS = {
    400: "Invalid request (the message says which field and why)",
    401: "Missing or wrong API key",
    403: "The key may not do this",
    404: "Unknown user, memory, model or route",
    409: "Conflicts with the current state",
    413: "Request body too large",
    429: "Rate limited (see Retry-After)",
    500: "Internal error (see the server log)",
    502: "The model provider failed after retries and fallbacks",
    504: "The model provider timed out",
}


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses one operation can answer.

    Any request can be malformed (400; persona answers 400, never FastAPI's default 422) or fail
    (500); a body can be too large (413). Under `/v1` and `/admin` a key is checked and counted
    (401, 429); admin keys can be scoped (403) and the admin API is absent (404) until an admin
    key exists. A path naming a resource can miss (404), as can the chat routes' model or the
    feedback's reply; a POST, PUT or PATCH can conflict (409); the chat routes report provider
    failures (502, 504).
    """
    statuses = [400, 500]
    if method != "get" or "requestBody" in operation:
        statuses.append(413)
    admin = path.startswith("/admin")
    if admin or path.startswith("/v1/"):
        statuses += [401, 429]
    if admin:
        statuses.append(403)
    chat = path in ("/v1/chat/completions", "/v1/responses")
    if admin or "{" in path or chat or path == "/v1/feedback":
        statuses.append(404)
    if method in ("post", "put", "patch"):
        statuses.append(409)
    if chat:
        statuses += [502, 504]
    return sorted(statuses)


def document_errors(app: FastAPI) -> None:
    """Declare, on every operation of the OpenAPI document, the errors it can answer (see
    `error_statuses`), each with the `ErrorBody` schema."""
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, summary=app.summary, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        body = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(body.pop("$defs", {}))
        components["ErrorBody"] = body
        ref = {"$ref": "#/components/schemas/ErrorBody"}
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                for status in error_statuses(path, method, operation):
                    responses.setdefault(
                        str(status),
                        {
                            "description": _DESCRIPTIONS[status],
                            "content": {"application/json": {"schema": ref}},
                        },
                    )
        components.pop("HTTPValidationError", None)
        components.pop("ValidationError", None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


SERVED = (
    "persona serves POST /v1/chat/completions, POST /v1/responses, GET|DELETE "
    "/v1/responses/{id}, GET /v1/models, GET /v1/models/{id}, "
    "/v1/users/{user}/memories|constraints|instructions, POST /v1/feedback, /healthz, /readyz "
    "and /admin"
)


def install(app: FastAPI) -> None:
    """Register the exception handlers on `app` and declare its errors in the OpenAPI document."""
    document_errors(app)

    @app.exception_handler(PersonaError)
    async def _persona(_: Request, exc: PersonaError) -> JSONResponse:
        if exc.status_code >= 500 or isinstance(exc, ProviderError):
            detail = exc.detail if isinstance(exc, ProviderError) else None
            log.error("request failed: %s%s", exc.message, f" ({detail})" if detail else "")
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "; ".join(_describe(e) for e in errors[:5]) or "invalid request"
        param = None
        if errors and errors[0].get("type") != "json_invalid":
            param = _param(errors[0].get("loc", ()))
        return JSONResponse(error_body(message, 400, "invalid_request", param), 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else None
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":  # no route matched
            message = f"no endpoint {request.method} {request.url.path}; {SERVED}"
        return JSONResponse(
            error_body(message, exc.status_code, code),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return JSONResponse(
            error_body("internal error; see the server log", 500, "internal_error"), 500
        )
