"""NUL characters are refused at the door, with a 400 that names where they were.

PostgreSQL cannot store U+0000 in text, and no user id, memory or message needs one. Rather
than a database error deep inside a request (a 500, and a behaviour that differs between
SQLite and PostgreSQL), a NUL in the URL path, in a query parameter or in a JSON body answers
400 in the OpenAI error format naming the field. Bodies are scanned for the JSON escape
`\\u0000` first (a byte search); only a body that has one is parsed to name the field.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.bodylimit import replay
from api.errors import error_body

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_ESCAPED_NUL = b"\\u0000"


class NulGuard:
    """ASGI middleware: 400 for a NUL character in the path, the query or a JSON body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the path and query; buffer and check a body that may hold `\\u0000`."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = nul_in_url(scope["path"], scope.get("query_string", b""))
        if where is not None:
            await _refuse(where, scope, receive, send)
            return
        if scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        if _ESCAPED_NUL in body:
            where = nul_in_json(body)
            if where is not None:
                await _refuse(where, scope, receive, send)
                return
        await self.app(scope, replay(messages, receive), send)


def nul_in_url(path: str, query_string: bytes) -> str | None:
    """`"path"`, or the name of the first query parameter holding a NUL; None if clean."""
    if "\x00" in path:
        return "path"
    if b"%00" not in query_string and b"\x00" not in query_string:
        return None
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if "\x00" in name or "\x00" in value:
            return name.replace("\x00", "") or "query"
    return None


def nul_in_json(body: bytes) -> str | None:
    """The dotted path of the first JSON string (key or value) holding a NUL, or None."""
    try:
        document = json.loads(body)
    except ValueError:  # not JSON: the route answers that
        return None
    return _walk(document, "")


def _walk(value: Any, path: str) -> str | None:
    if isinstance(value, str):
        return (path or "body") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in key:
                return child.replace("\x00", "")
            found = _walk(item, child)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _walk(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    """Every message of the request body, and the body's bytes."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":  # the client went away
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


async def _refuse(where: str, scope: Scope, receive: Receive, send: Send) -> None:
    message = (
        f"{where} contains a NUL character (U+0000), which persona does not accept in any "
        "text; remove it and send the request again"
    )
    body = error_body(message, 400, "invalid_value", param=where)
    await JSONResponse(body, status_code=400)(scope, receive, send)
