"""Stream handles: iterate `StreamChunk`s, then read the finished `ChatResult` from `.result`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from persona.errors import ProviderError
from persona.llm.policy import classify
from persona.llm.types import ChatResult, StreamChunk, Usage

_END = object()  # the end of a chunk source

CostFn = Callable[[str, Usage], "float | None"]


def field_of(obj: Any, key: str) -> Any:
    """`obj[key]` of a dict (a chunk or body read off the wire, `persona.llm.direct`), else the
    attribute (litellm's objects); None when absent."""
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def chunk_text(chunk: Any) -> str:
    """The content delta of one stream chunk ('' for role-only or usage-only chunks)."""
    choices = field_of(chunk, "choices") or []
    if not choices:
        return ""
    return str(field_of(field_of(choices[0], "delta"), "content") or "")


@dataclass
class Accumulator:
    """Collects deltas, reasoning, finish reason and usage from litellm stream chunks."""

    model: str
    started: float
    attempts: list[dict[str, Any]]
    cost: CostFn
    parts: list[str] = field(default_factory=list)
    reasoning: list[str] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None
    chunks: int = 0

    def feed(self, chunk: Any) -> str:
        """Take one chunk; return its text delta."""
        self.chunks += 1
        raw_usage = field_of(chunk, "usage")
        if raw_usage is not None and field_of(raw_usage, "total_tokens"):
            self.usage = to_usage(raw_usage)
        choices = field_of(chunk, "choices") or []
        if not choices:
            return ""
        choice = choices[0]
        if field_of(choice, "finish_reason"):
            self.finish_reason = str(field_of(choice, "finish_reason"))
        delta = field_of(choice, "delta")
        thought = reasoning_of(delta)
        if thought:
            self.reasoning.append(str(thought))
        text = chunk_text(chunk)
        if text:
            self.parts.append(text)
        return text

    def broken(self, exc: BaseException) -> ProviderError:
        """The error for a stream that failed after it started."""
        failure = classify(exc)
        self.attempts.append(
            {
                "model": self.model,
                "error": failure.kind,
                "status": failure.status,
                "ms": round((time.perf_counter() - self.started) * 1000, 1),
            }
        )
        return ProviderError(
            f"the stream from {self.model} broke after {self.chunks} chunk(s) "
            f"({failure.kind}): {failure.message}"
        )

    def result(self) -> ChatResult:
        """The finished result (usage as reported, or 0 when the provider sent none)."""
        usage = self.usage or Usage()
        return ChatResult(
            text="".join(self.parts),
            model=self.model,
            usage=usage,
            cost_usd=self.cost(self.model, usage),
            latency_ms=round((time.perf_counter() - self.started) * 1000, 1),
            attempts=list(self.attempts),
            reasoning="".join(self.reasoning) or None,
            finish_reason=self.finish_reason,
        )


def reasoning_of(message: Any) -> Any:
    """A message's or delta's reasoning text: litellm's `reasoning_content`, or `reasoning`
    as some OpenAI-compatible servers name it."""
    for key in ("reasoning_content", "reasoning"):
        value = field_of(message, key)
        if isinstance(value, str) and value:
            return value
    return None


def _has_payload(chunk: Any) -> bool:
    """Whether a chunk carries more than a role: tool calls, refusal, logprobs, a finish."""
    for choice in field_of(chunk, "choices") or []:
        if field_of(choice, "finish_reason") or field_of(choice, "logprobs"):
            return True
        delta = field_of(choice, "delta")
        if any(field_of(delta, k) for k in ("tool_calls", "refusal", "function_call", "audio")):
            return True
    return False


def as_dict(obj: Any) -> dict[str, Any] | None:
    """A response or chunk as a plain dict: the body read off the wire as it is, a litellm
    object dumped (None when it cannot be)."""
    if isinstance(obj, dict):
        return obj
    dump = getattr(obj, "model_dump", None)
    if not callable(dump):
        return None
    try:
        value = dump()
    except Exception:  # a provider object litellm could not serialise
        return None
    return value if isinstance(value, dict) else None


def to_usage(raw: Any) -> Usage:
    """A `Usage` from litellm's usage object (or dict)."""
    prompt = int(field_of(raw, "prompt_tokens") or 0)
    completion = int(field_of(raw, "completion_tokens") or 0)
    total = int(field_of(raw, "total_tokens") or prompt + completion)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)


class StreamHandle:
    """An iterator of `StreamChunk`; `.result` holds the `ChatResult` once it is exhausted.

    A failure while iterating raises `ProviderError`: the reply is incomplete and the caller
    must not keep any of it. `rest` is any iterator of provider chunks: an app's own OpenAI
    stream, or the gateway's async stream bridged from the shared loop (`loop.Bridged`).
    """

    def __init__(self, acc: Accumulator, buffered: list[Any], rest: Iterator[Any]) -> None:
        self._acc = acc
        self._buffered = buffered
        self._rest = rest
        self._result: ChatResult | None = None
        # also yield chunks without text (tool-call deltas, logprobs, the finish), each with
        # the provider chunk in `raw`; off by default, so text consumers see text only
        self.payload = False

    @property
    def model(self) -> str:
        """The model that is answering."""
        return self._acc.model

    @property
    def result(self) -> ChatResult:
        """The finished result; only available after the stream was fully consumed."""
        if self._result is None:
            raise RuntimeError("the stream has not been consumed yet")
        return self._result

    def __iter__(self) -> StreamHandle:
        return self

    def __next__(self) -> StreamChunk:
        while True:
            if self._buffered:
                chunk = self._buffered.pop(0)
            else:
                if self._result is not None:
                    raise StopIteration
                try:
                    chunk = next(self._rest, _END)
                except Exception as exc:
                    raise self._acc.broken(exc) from exc
                if chunk is _END:
                    self._result = self._acc.result()
                    raise StopIteration
            out = self._take(chunk)
            if out is not None:
                return out

    def __aiter__(self) -> StreamHandle:
        return self

    async def __anext__(self) -> StreamChunk:
        """The async form of `__next__`: the gateway's stream is awaited on the shared loop
        (no thread waits on the provider); any other source is read in a thread."""
        from persona.llm.loop import Bridged

        while True:
            if self._buffered:
                chunk = self._buffered.pop(0)
            else:
                if self._result is not None:
                    raise StopAsyncIteration
                try:
                    if isinstance(self._rest, Bridged):
                        chunk = await self._rest.anext(_END)
                    else:
                        chunk = await asyncio.to_thread(next, self._rest, _END)
                except Exception as exc:
                    raise self._acc.broken(exc) from exc
                if chunk is _END:
                    self._result = self._acc.result()
                    raise StopAsyncIteration
            out = self._take(chunk)
            if out is not None:
                return out

    def _take(self, chunk: Any) -> StreamChunk | None:
        text = self._acc.feed(chunk)
        if text or (self.payload and _has_payload(chunk)):
            return StreamChunk(delta=text, raw=as_dict(chunk))
        return None

    def close(self) -> None:
        """Stop reading and release the connection (for callers that give up early)."""
        close = getattr(self._rest, "close", None)
        if callable(close):
            close()
