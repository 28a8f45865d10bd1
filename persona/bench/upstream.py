"""A loopback model upstream for benchmarks: the OpenAI Chat Completions wire, answered at once.

A bare asyncio HTTP/1.1 server (keep-alive, no framework) so that the upstream costs next to
nothing and what a benchmark measures is the gateway in front of it. `POST .../chat/completions`
answers JSON or, with `"stream": true`, server-sent events; a request carrying a JSON-schema
`response_format` gets the smallest instance of that schema (so a structured-output caller such
as persona's memory extractor sees a valid, empty answer); `GET .../models` lists one model.
`--delay-ms` adds a fixed think time per request. Run it as a process:

    python -m persona.bench.upstream --port 0 --delay-ms 0

It prints `listening on <port>` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from typing import Any

REPLY = "Sure. Here is a short, plain answer to your message, with nothing else added."
_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}


def minimal_instance(schema: dict[str, Any]) -> Any:
    """The smallest value that validates against a (strict, OpenAI-style) JSON schema."""
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = "null" if "null" in kind else kind[0]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: minimal_instance(props.get(name, {})) for name in schema.get("required", [])}
    return {"array": [], "string": "", "number": 0, "integer": 0, "boolean": False}.get(kind)


def _content_for(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return json.dumps(minimal_instance(fmt.get("json_schema", {}).get("schema", {})))
    if fmt.get("type") == "json_object":
        return "{}"
    return REPLY


def _usage(body: dict[str, Any], text: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", [])) // 4 + 1
    completion = len(text) // 4 + 1
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def completion(body: dict[str, Any]) -> bytes:
    """A whole `chat.completion` answer to `body`."""
    text = _content_for(body)
    return json.dumps(
        {
            "id": f"chatcmpl-bench-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "bench"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": _usage(body, text),
        }
    ).encode()


def stream(body: dict[str, Any]) -> bytes:
    """The same answer as server-sent `chat.completion.chunk` events, ending in `[DONE]`."""
    text = _content_for(body)
    base = {
        "id": f"chatcmpl-bench-{time.monotonic_ns()}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "bench"),
    }
    third = max(1, len(text) // 3)
    pieces = [text[i : i + third] for i in range(0, len(text), third)]
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    deltas += [{"content": piece} for piece in pieces]
    chunks = [
        {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    if (body.get("stream_options") or {}).get("include_usage"):
        chunks.append({**base, "choices": [], "usage": _usage(body, text)})
    events = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in chunks)
    return events + b"data: [DONE]\n\n"


def _response(status: int, payload: bytes, content_type: bytes) -> bytes:
    head = b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\n\r\n" % (
        status,
        _REASONS.get(status, b"OK"),
        content_type,
        len(payload),
    )
    return head + payload


def answer(method: bytes, path: bytes, raw: bytes) -> bytes:
    """The full HTTP response to one request."""
    if method == b"GET" and path.rstrip(b"/").endswith(b"/models"):
        models = {
            "object": "list",
            "data": [{"id": "bench", "object": "model", "owned_by": "bench"}],
        }
        return _response(200, json.dumps(models).encode(), b"application/json")
    if method != b"POST" or not path.rstrip(b"/").endswith(b"/chat/completions"):
        return _response(404, b'{"error": {"message": "not found"}}', b"application/json")
    try:
        body = json.loads(raw)
    except ValueError:
        return _response(400, b'{"error": {"message": "invalid JSON"}}', b"application/json")
    if body.get("stream"):
        return _response(200, stream(body), b"text/event-stream")
    return _response(200, completion(body), b"application/json")


async def _serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float
) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            method, path, _ = lines[0].split(b" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value.strip())
            raw = await reader.readexactly(length) if length else b""
            if delay:
                await asyncio.sleep(delay)
            writer.write(answer(method, path, raw))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def serve(port: int, delay_ms: float) -> None:
    """Serve until cancelled, printing the bound port."""
    delay = delay_ms / 1000

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _serve_connection(reader, writer, delay)

    server = await asyncio.start_server(on_connect, "127.0.0.1", port, backlog=1024)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    """`python -m persona.bench.upstream`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay-ms", type=float, default=0.0)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.delay_ms))


if __name__ == "__main__":
    main()
