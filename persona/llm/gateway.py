"""The LLM gateway: one call through litellm with retries, a fallback chain, usage and cost.

Model strings are litellm's (`openai/gpt-4.1-mini`, `ollama/llama3`, `local/gemma-3-270m`).
A model of an OpenAI-compatible server that litellm does not know is called straight over the
wire instead (`persona.llm.direct`), with the same retries, fallbacks and errors.
Every provider failure leaves as `ProviderError` / `ProviderTimeout` naming the models tried.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypedDict, Unpack

from persona.config import Settings
from persona.errors import DependencyMissing
from persona.llm import direct, loop
from persona.llm.params import split_extra, unsupported_params
from persona.llm.policy import Plan, persona_cause
from persona.llm.pricing import cost, priced
from persona.llm.registry import load_litellm, register_local_provider
from persona.llm.spec import model_spec
from persona.llm.streaming import (
    Accumulator,
    StreamHandle,
    as_dict,
    chunk_text,
    field_of,
    reasoning_of,
    to_usage,
)
from persona.llm.types import ChatResult, Usage

Messages = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Endpoint:
    """Where a model lives when it is not the provider's default: base URL and key."""

    api_base: str | None = None
    api_key: str | None = None


class CallParams(TypedDict, total=False):
    """Optional parameters of one call (all may be omitted)."""

    temperature: float | None
    max_tokens: int | None
    reasoning_effort: str | None
    response_format: Any
    stop: str | list[str] | None
    timeout: float | None  # seconds per attempt; default settings.request_timeout_s
    api_base: str | None
    api_key: str | None
    extra: dict[str, Any] | None  # the app's own OpenAI parameters, forwarded unchanged


class ModelGateway(Protocol):
    """What the engine calls for the model: `Gateway` (litellm), or `persona.wrap`'s gateway
    through an app's own OpenAI client."""

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> ChatResult:
        """One completion."""
        ...

    def stream(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> StreamHandle:
        """A streamed completion, started."""
        ...

    def dropped_params(self, model: str) -> frozenset[str]:
        """The OpenAI parameters this gateway leaves out of a call to `model` (the trace
        reports them as adapted)."""
        ...


@dataclass(frozen=True)
class _Options:
    temperature: float | None
    max_tokens: int | None
    reasoning_effort: str | None
    response_format: Any
    stop: list[str] | None
    timeout: float
    api_base: str | None
    api_key: str | None
    extra: dict[str, Any]


class Gateway:
    """Chat completion and streaming over litellm (async on the shared loop, called sync).

    Per-model endpoints come from `settings.model_endpoints` (model string ->
    `{"api_base": ..., "api_key": ...}`) and then `endpoints`; a per-call `api_base` / `api_key`
    applies to the models of the chain that have no endpoint of their own.
    """

    def __init__(
        self, settings: Settings, *, endpoints: Mapping[str, Endpoint] | None = None
    ) -> None:
        self.settings = settings
        self.endpoints: dict[str, Endpoint] = {
            name: Endpoint(api_base=value.get("api_base"), api_key=value.get("api_key"))
            for name, value in settings.model_endpoints.items()
        }
        self.endpoints.update(endpoints or {})

    def complete(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> ChatResult:
        """One completion; retries, then falls back, then raises `ProviderError`.

        `acomplete` run on the process's shared loop (`persona.llm.loop`): one implementation,
        and litellm's pooled async client instead of its per-call sync set-up.
        """
        return loop.run(self.acomplete(messages, model=model, fallbacks=fallbacks, **params))

    async def acomplete(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> ChatResult:
        """The async form of `complete`."""
        plan, opts = self._begin(model, fallbacks, params)
        for name, retry in plan:
            started = time.perf_counter()
            try:
                response = await self._call(name, messages, opts)
            except Exception as exc:
                await asyncio.sleep(self._failed(plan, name, retry, exc, started))
                continue
            return self._result(name, response, started, plan.attempts)
        raise plan.error() from plan.cause

    def stream(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> StreamHandle:
        """Start a streamed completion; returns once the first text arrived.

        Failures before the first text are retried and fall back like `complete`; a failure
        after it raises `ProviderError` from the handle. The stream is litellm's async one on
        the shared loop (`_open`), read chunk by chunk from the calling thread.
        """
        return loop.run(self.aopen(messages, model=model, fallbacks=fallbacks, **params))

    async def aopen(
        self,
        messages: Messages,
        *,
        model: str,
        fallbacks: list[str] | None = None,
        **params: Unpack[CallParams],
    ) -> StreamHandle:
        """`stream` on the shared loop: the handle iterates sync (`for`) or async (`async for`,
        awaiting each chunk on this loop from any other)."""
        acc, buffered, rest = await self._open(messages, model, fallbacks, params)
        return StreamHandle(acc, buffered, loop.Bridged(rest))

    async def _open(
        self, messages: Messages, model: str, fallbacks: list[str] | None, params: CallParams
    ) -> tuple[Accumulator, list[Any], AsyncIterator[Any]]:
        """Open the stream: the first model of the chain that sends text, the chunks up to that
        text, and the rest of the stream."""
        plan, opts = self._begin(model, fallbacks, params)
        call_started = time.perf_counter()
        for name, retry in plan:
            started = time.perf_counter()
            try:
                rest = aiter(await self._call(name, messages, opts, stream=True))
                buffered: list[Any] = []
                async for chunk in rest:
                    buffered.append(chunk)
                    if chunk_text(chunk):
                        break
            except Exception as exc:
                await asyncio.sleep(self._failed(plan, name, retry, exc, started))
                continue
            return Accumulator(name, call_started, plan.attempts, cost), buffered, rest
        raise plan.error() from plan.cause

    def dropped_params(self, model: str) -> frozenset[str]:
        """What litellm leaves out for `model` (`unsupported_params`); nothing for a model
        called directly (`persona.llm.direct`)."""
        endpoint = self.endpoints.get(model)
        if endpoint is not None and self._direct(model, endpoint.api_base, endpoint.api_key):
            return frozenset()
        return unsupported_params(model)

    # -- helpers ---------------------------------------------------------------------------

    async def _call(
        self, model: str, messages: Messages, opts: _Options, *, stream: bool = False
    ) -> Any:
        """One attempt: straight over the wire when `model` is an OpenAI-compatible server's
        own (`persona.llm.direct`), else through litellm. A completion, or a stream's chunks."""
        kwargs = self._kwargs(model, messages, opts, stream=stream)
        where = self._direct(model, kwargs.get("api_base"), kwargs.get("api_key"))
        if where is None:
            return await load_litellm().acompletion(**kwargs)
        payload = direct.body(kwargs, where.name)
        if stream:
            return await direct.open_stream(where, payload, opts.timeout)
        return await direct.complete(where, payload, opts.timeout)

    def _direct(
        self, model: str, api_base: str | None, api_key: str | None
    ) -> direct.Target | None:
        if not self.settings.direct_wire:
            return None
        return direct.target(model, api_base, api_key)

    def _begin(
        self, model: str, fallbacks: list[str] | None, params: CallParams
    ) -> tuple[Plan, _Options]:
        unknown = set(params) - set(_Options.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown gateway parameter(s): {', '.join(sorted(unknown))}")
        settings = self.settings
        chain = self.settings.fallback_models if fallbacks is None else fallbacks
        plan = Plan.build(model, chain, settings.max_retries, settings.retry_backoff_s)
        if any(model_spec(m).is_local for m in plan.models):
            _require_llama_cpp()
            register_local_provider(settings)
        stop = params.get("stop")
        opts = _Options(
            temperature=params.get("temperature"),
            max_tokens=params.get("max_tokens"),
            reasoning_effort=params.get("reasoning_effort"),
            response_format=params.get("response_format"),
            stop=[stop] if isinstance(stop, str) else stop,
            timeout=float(params.get("timeout") or settings.request_timeout_s),
            api_base=params.get("api_base"),
            api_key=params.get("api_key"),
            extra=dict(params.get("extra") or {}),
        )
        return plan, opts

    def _kwargs(
        self, model: str, messages: Messages, opts: _Options, *, stream: bool = False
    ) -> dict[str, Any]:
        endpoint = self.endpoints.get(model) or Endpoint(opts.api_base, opts.api_key)
        kwargs: dict[str, Any] = {
            "model": model,
            "messages": [dict(m) for m in messages],
            "timeout": opts.timeout,
            "max_retries": 0,  # retries are ours, so they are counted and bounded in one place
            "drop_params": True,  # e.g. reasoning_effort for a model that has no such knob
        }
        optional = {
            "api_base": endpoint.api_base,
            "api_key": endpoint.api_key,
            "temperature": opts.temperature,
            "max_tokens": opts.max_tokens,
            "reasoning_effort": opts.reasoning_effort,
            "response_format": opts.response_format,
            "stop": opts.stop,
        }
        kwargs.update({k: v for k, v in optional.items() if v is not None})
        known, unknown = split_extra(opts.extra)
        kwargs.update(known)
        if unknown:
            kwargs["extra_body"] = unknown
        if stream:
            kwargs["stream"] = True
            kwargs["stream_options"] = {**known.get("stream_options", {}), "include_usage": True}
        return kwargs

    @staticmethod
    def _failed(plan: Plan, model: str, retry: int, exc: BaseException, started: float) -> float:
        cause = persona_cause(exc)
        if cause is not None:  # ours (e.g. DependencyMissing from the local provider): not a fault
            raise cause from exc
        return plan.failed(model, retry, exc, started)

    def _result(
        self, model: str, response: Any, started: float, attempts: list[dict[str, Any]]
    ) -> ChatResult:
        choices = field_of(response, "choices") or [{}]
        choice = choices[0]
        message = field_of(choice, "message")
        raw_usage = field_of(response, "usage")
        usage = to_usage(raw_usage) if raw_usage is not None else Usage()
        return ChatResult(
            text=str(field_of(message, "content") or ""),
            model=model,
            usage=usage,
            cost_usd=priced(response, model, usage),
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            attempts=list(attempts),
            reasoning=reasoning_of(message),
            finish_reason=field_of(choice, "finish_reason"),
            raw=as_dict(response),
        )


def _require_llama_cpp() -> None:
    try:
        import llama_cpp  # noqa: F401
    except ImportError as exc:
        raise DependencyMissing(
            "the local model needs llama-cpp-python: pip install 'persona[local]'"
        ) from exc


__all__ = [
    "CallParams",
    "Endpoint",
    "Gateway",
    "ModelGateway",
    "StreamHandle",
    "unsupported_params",
]
