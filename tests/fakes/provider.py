"""A fake model provider speaking the OpenAI Chat Completions wire protocol on loopback.

A real HTTP server in a thread (`http.server`, port 0) that answers `POST /v1/chat/completions`
with JSON or SSE, following a per-test script of behaviours, and records every request.
Models not scripted answer `ok()`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Behaviour:
    """What the fake does with one request."""

    kind: str  # ok | error | hang | cut | malformed | drop
    text: str = ""
    status: int = 200
    message: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    after: int = 0
    reasoning: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    tool_calls: tuple[dict[str, Any], ...] = ()
    finish: str | None = None  # default: "tool_calls" with tool calls, else "stop"
    refusal: str | None = None


def tool_call(*calls: tuple[str, str, dict[str, Any]]) -> Behaviour:
    """Answer with tool calls `(id, function name, arguments)` (streamed as deltas)."""
    return Behaviour(
        "ok",
        tool_calls=tuple(
            {"id": cid, "type": "function", "function": {"name": n, "arguments": json.dumps(a)}}
            for cid, n, a in calls
        ),
    )


def length(text: str = "cut short by the") -> Behaviour:
    """Answer `text` with finish_reason "length"."""
    return Behaviour("ok", text=text, finish="length")


def refuse(refusal: str = "I can't help with that.") -> Behaviour:
    """Answer with a refusal and no content."""
    return Behaviour("ok", refusal=refusal)


def ok(
    text: str = "Hello from the fake provider.",
    *,
    reasoning: str | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
) -> Behaviour:
    """Answer with `text` (JSON, or SSE split by word when the request streams)."""
    return Behaviour(
        "ok",
        text=text,
        reasoning=reasoning,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
    )


def error(status: int, message: str = "", *, retry_after: float | None = None) -> Behaviour:
    """Answer `status` with an OpenAI error body (and a Retry-After header if given)."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return Behaviour(
        "error", status=status, message=message or f"fake error {status}", headers=headers
    )


def hang(seconds: float = 5.0) -> Behaviour:
    """Say nothing for `seconds` (past the client's timeout), then answer `ok()`."""
    return Behaviour("hang", seconds=seconds, text="too late")


def cut(text: str = "one two three four five six", after: int = 2) -> Behaviour:
    """Stream `after` word chunks of `text`, then drop the connection mid-stream."""
    return Behaviour("cut", text=text, after=after)


def malformed() -> Behaviour:
    """Answer 200 with a body that is not JSON."""
    return Behaviour("malformed")


def drop() -> Behaviour:
    """Close the connection without any response."""
    return Behaviour("drop")


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def model(self) -> str:
        """The model named in the request body."""
        return str(self.body.get("model", ""))


def words(text: str) -> int:
    """The fake's token count: whitespace-separated words."""
    return len(text.split())


def prompt_words(body: dict[str, Any]) -> int:
    """Prompt tokens the fake reports for a request: words over all message contents."""
    return sum(words(str(m.get("content") or "")) for m in body.get("messages", []))


class FakeProvider:
    """The server; script it with `script(*behaviours, model=...)`, read `requests` after."""

    def __init__(self) -> None:
        self._queues: dict[str | None, deque[Behaviour]] = {}
        self._lock = threading.Lock()
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        """The OpenAI-style base URL (`http://127.0.0.1:<port>/v1`)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(self, *behaviours: Behaviour, model: str | None = None) -> None:
        """Queue behaviours for requests naming `model` (None: for any model)."""
        with self._lock:
            self._queues.setdefault(model, deque()).extend(behaviours)

    def next_behaviour(self, model: str) -> Behaviour:
        """The behaviour for the next request to `model`."""
        with self._lock:
            for key in (model, None):
                queue = self._queues.get(key)
                if queue:
                    return queue.popleft()
        return ok()

    def record(self, item: Recorded) -> None:
        """Remember one request."""
        with self._lock:
            self.requests.append(item)

    def close(self) -> None:
        """Release hanging requests and stop the server."""
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def closed_url() -> str:
    """A base URL on a loopback port nothing listens on (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that timed out and left is expected here, not worth a traceback


def _handler_for(fake: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        provider = fake

    return Handler


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    provider: FakeProvider

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.provider.record(Recorded(self.path, headers, body))
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        model = str(body.get("model", ""))
        behaviour = self.provider.next_behaviour(model)
        if behaviour.kind == "hang" and self.provider.stopping.wait(behaviour.seconds):
            self.close_connection = True
            return
        if behaviour.kind == "drop":
            self.close_connection = True
            return
        if behaviour.kind == "error":
            self._json(
                behaviour.status,
                {"error": {"message": behaviour.message, "type": "fake_error", "code": None}},
                behaviour.headers,
            )
            return
        if behaviour.kind == "malformed":
            self._send(200, b"{this is not json", "application/json")
            return
        if body.get("stream"):
            self._stream(body, behaviour)
        else:
            self._json(200, _completion(body, behaviour))

    def _send(
        self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", headers)

    def _stream(self, body: dict[str, Any], behaviour: Behaviour) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        model = str(body.get("model", ""))
        pieces = re.findall(r"\S+\s*", behaviour.text)
        self._event(_chunk(model, {"role": "assistant", "content": ""}))
        if behaviour.reasoning:
            self._event(_chunk(model, {"reasoning_content": behaviour.reasoning}))
        for i, piece in enumerate(pieces):
            if behaviour.kind == "cut" and i == behaviour.after:
                self.close_connection = True  # no final chunk, no [DONE]: the client sees a cut
                return
            self._event(_chunk(model, {"content": piece}))
        for i, call in enumerate(behaviour.tool_calls):
            fn = call["function"]
            head = {"index": i, "id": call["id"], "type": "function"}
            self._event(_chunk(model, {"tool_calls": [head | {"function": {"name": fn["name"]}}]}))
            half = len(fn["arguments"]) // 2
            for args in (fn["arguments"][:half], fn["arguments"][half:]):
                self._event(
                    _chunk(model, {"tool_calls": [{"index": i, "function": {"arguments": args}}]})
                )
        self._event(_chunk(model, {}, finish=_finish(behaviour)))
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = _chunk(model, {}) | {"choices": [], "usage": _usage(body, behaviour)}
            self._event(usage_chunk)
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(f"data: {json.dumps(payload)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _usage(body: dict[str, Any], behaviour: Behaviour) -> dict[str, int]:
    prompt = behaviour.prompt_tokens if behaviour.prompt_tokens is not None else prompt_words(body)
    completion = (
        behaviour.completion_tokens
        if behaviour.completion_tokens is not None
        else words(behaviour.text)
    )
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _finish(behaviour: Behaviour) -> str:
    return behaviour.finish or ("tool_calls" if behaviour.tool_calls else "stop")


def _texts(body: dict[str, Any], behaviour: Behaviour) -> list[str]:
    """One text per choice: `n` > 1 numbers the extra choices."""
    n = int(body.get("n") or 1)
    return [behaviour.text if i == 0 else f"{behaviour.text} ({i + 1})" for i in range(n)]


def _logprobs(body: dict[str, Any], text: str) -> dict[str, Any] | None:
    if not body.get("logprobs"):
        return None
    return {
        "content": [
            {"token": w, "logprob": -0.5, "bytes": list(w.encode()), "top_logprobs": []}
            for w in text.split()
        ],
        "refusal": None,
    }


def _completion(body: dict[str, Any], behaviour: Behaviour) -> dict[str, Any]:
    choices = []
    for i, text in enumerate(_texts(body, behaviour)):
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None if behaviour.tool_calls or behaviour.refusal else text,
        }
        if behaviour.tool_calls:
            message["tool_calls"] = list(behaviour.tool_calls)
        if behaviour.refusal:
            message["refusal"] = behaviour.refusal
        if behaviour.reasoning:
            message["reasoning_content"] = behaviour.reasoning
        choices.append(
            {
                "index": i,
                "message": message,
                "logprobs": _logprobs(body, text),
                "finish_reason": _finish(behaviour),
            }
        )
    usage: dict[str, Any] = _usage(body, behaviour)
    usage["prompt_tokens_details"] = {"cached_tokens": 2, "audio_tokens": 0}
    usage["completion_tokens_details"] = {"reasoning_tokens": 1, "audio_tokens": 0}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", ""),
        "system_fingerprint": "fp_fake",
        "choices": choices,
        "usage": usage,
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
