"""Chat completions sent straight over the OpenAI wire to an OpenAI-compatible server.

litellm translates between providers and knows each OpenAI model's parameters. A model string
`openai/<name>` with a base URL of its own, where `<name>` is no model litellm knows (a vLLM,
llama.cpp or Ollama server, a company gateway, a fine-tune behind one), leaves it nothing to
translate and nothing it knows to adapt: the request persona built is the body, the server's
JSON is the answer. Sent directly, with one pooled HTTP client per event loop, such a call
costs about a fifth of the CPU of `litellm.acompletion` (which builds a logging object, a
provider config, a typed response and a price per call), and every field passes as sent, both
ways. Known OpenAI models keep litellm (it renames and leaves out what they do not take);
`PERSONA_DIRECT_WIRE=false` sends every call through litellm.

Failures leave as `WireError` (an HTTP status and the response, like litellm's exceptions) or
httpx's own, so `persona.llm.policy.classify` treats both paths alike.
"""

from __future__ import annotations

import asyncio
import json
import os
import weakref
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import httpx

from persona.llm.registry import load_litellm
from persona.llm.spec import model_spec

# what the gateway's call arguments carry for litellm only: never part of the request body
_LITELLM_ONLY = frozenset({"model", "timeout", "max_retries", "drop_params", "api_base", "api_key"})
_LIMITS = httpx.Limits(max_connections=1000, max_keepalive_connections=200, keepalive_expiry=30)
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True)
class Target:
    """Where a direct call goes: the endpoint's chat URL, its headers and the model's name."""

    url: str
    headers: dict[str, str]
    name: str  # the model string without `openai/`, as the server knows it


class WireError(Exception):
    """The server answered with an error status (or an error event mid-stream)."""

    def __init__(self, message: str, status_code: int | None, response: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.response = response  # for its Retry-After header


@lru_cache(maxsize=256)
def unknown_to_litellm(model: str) -> bool:
    """Whether litellm has no entry for `model` (`openai/<name>`) in its model map."""
    name = model_spec(model).name
    known = load_litellm().model_cost
    return name not in known and model not in known


def target(model: str, api_base: str | None, api_key: str | None) -> Target | None:
    """The direct target for `model` at `api_base`, or None when the call needs litellm: another
    provider, no base URL of its own (OpenAI's API), or a model litellm knows."""
    spec = model_spec(model)
    if spec.provider != "openai" or not api_base or not unknown_to_litellm(model):
        return None
    key = api_key or os.environ.get("OPENAI_API_KEY")
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return Target(api_base.rstrip("/") + "/chat/completions", headers, spec.name)


def body(kwargs: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The request body from the gateway's litellm arguments: litellm's own keys left out,
    `extra_body` merged in (as OpenAI's client does), the model as the server names it.

    The one change, as litellm makes it for such servers: a `developer` message goes as a
    `system` one (OpenAI's own role for it; the chat templates of these servers know only
    `system`), its content unchanged.
    """
    out = {"model": name}
    out.update({k: v for k, v in kwargs.items() if k not in _LITELLM_ONLY and k != "extra_body"})
    out.update(kwargs.get("extra_body") or {})
    messages = out.get("messages")
    if isinstance(messages, list) and any(_developer(m) for m in messages):
        out["messages"] = [{**m, "role": "system"} if _developer(m) else m for m in messages]
    return out


def _developer(message: Any) -> bool:
    return isinstance(message, dict) and message.get("role") == "developer"


def _client() -> httpx.AsyncClient:
    """This event loop's pooled client (a client's connections belong to one loop)."""
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = httpx.AsyncClient(limits=_LIMITS, follow_redirects=False)
        _clients[loop] = client
    return client


async def complete(where: Target, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One completion: the server's JSON body."""
    client = _client()
    request = client.build_request(
        "POST", where.url, json=payload, headers=where.headers, timeout=httpx.Timeout(timeout)
    )
    response = await _send(client, request, timeout, stream=False)
    if response.status_code >= 400:
        raise _error(response, response.text)
    return _json(response.content, response)


async def open_stream(
    where: Target, payload: dict[str, Any], timeout: float
) -> AsyncIterator[dict[str, Any]]:
    """Start a stream; returns once the server accepted it (an error status raises here, as a
    failed call does) with the iterator of its chunks, each the event's JSON."""
    client = _client()
    request = client.build_request(
        "POST", where.url, json=payload, headers=where.headers, timeout=httpx.Timeout(timeout)
    )
    response = await _send(client, request, timeout, stream=True)
    if response.status_code >= 400:
        try:
            text = (await response.aread()).decode(errors="replace")
        finally:
            await response.aclose()
        raise _error(response, text)
    return _events(response)


async def _send(
    client: httpx.AsyncClient, request: httpx.Request, timeout: float, *, stream: bool
) -> httpx.Response:
    """Send `request`; a transport failure leaves as a `WireError` that says what happened
    (httpx's own, the cause, is what `classify` reads: a timeout, a connection fault)."""
    try:
        return await client.send(request, stream=stream)
    except httpx.TimeoutException as exc:
        raise WireError(f"no answer from {request.url} within {timeout:g} s", None) from exc
    except httpx.TransportError as exc:
        reason = str(exc) or type(exc).__name__
        raise WireError(f"cannot reach {request.url}: {reason}", None) from exc


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    try:
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue  # blank separators, comments, `event:` names
            data = line[5:].strip()
            if data == "[DONE]":
                return
            event = _json(data.encode(), response)
            if "error" in event and not event.get("choices"):
                raise _error(None, data)
            yield event
    finally:
        await response.aclose()


def _json(raw: bytes, response: httpx.Response) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise WireError("the server sent a body that is not JSON", None, response) from exc
    if not isinstance(value, dict):
        raise WireError("the server sent JSON that is not an object", None, response)
    return value


def _error(response: httpx.Response | None, text: str) -> WireError:
    """The error for an error status (or an error event): the server's own message."""
    message = text.strip()[:300] or "no message"
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict) and error.get("message"):
        message = str(error["message"])
    elif isinstance(error, str) and error:
        message = error
    status = response.status_code if response is not None else None
    return WireError(f"the server answered {status or 'an error'}: {message}", status, response)


__all__ = ["Target", "WireError", "body", "complete", "open_stream", "target"]
