"""Map persona errors (and malformed requests) to OpenAI-style error bodies."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from persona.errors import InvalidInput, PersonaError, RateLimited

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


def error_body(message: str, status: int, code: str | None, param: str | None = None) -> dict:  # type: ignore[type-arg]
    """The OpenAI error format: {"error": {"message", "type", "param", "code"}}."""
    kind = _TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def error_response(exc: PersonaError) -> JSONResponse:
    """The response for one persona error."""
    param = exc.param if isinstance(exc, InvalidInput) else None
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, round(exc.retry_after)))
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


SERVED = (
    "persona serves POST /v1/chat/completions, GET /v1/models, GET /v1/models/{id}, "
    "/v1/users/{user}/memories|constraints|instructions, POST /v1/feedback, /healthz, /readyz "
    "and /admin"
)


def install(app: FastAPI) -> None:
    """Register the exception handlers on `app`."""

    @app.exception_handler(PersonaError)
    async def _persona(_: Request, exc: PersonaError) -> JSONResponse:
        if exc.status_code >= 500:
            log.error("request failed: %s", exc.message)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        message = "; ".join(_describe(e) for e in errors[:5]) or "invalid request"
        param = None
        if errors and errors[0].get("type") != "json_invalid":
            param = ".".join(str(p) for p in errors[0].get("loc", ()) if p != "body") or None
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
