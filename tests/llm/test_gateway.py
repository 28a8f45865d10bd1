"""The gateway against a fake OpenAI-compatible provider, through litellm's real HTTP path."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import pytest

from persona.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from persona.llm.gateway import Gateway
from persona.llm.types import ChatResult, StreamChunk, Usage
from tests.fakes.provider import FakeProvider, cut, drop, error, hang, malformed, ok

# pydantic warns while building litellm's stream types; third-party, harmless (see the report)
pytestmark = pytest.mark.filterwarnings("ignore:.*is using the `ReadOnly` qualifier:UserWarning")

MESSAGES = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": "What is the capital of France?"},
]
PROMPT_WORDS = sum(len(m["content"].split()) for m in MESSAGES)  # the fake counts words


def settled(result: ChatResult) -> ChatResult:
    """The result without its timings (latency, per-attempt ms), for whole-value comparison."""
    attempts = [{k: v for k, v in a.items() if k != "ms"} for a in result.attempts]
    return dataclasses.replace(result, latency_ms=0.0, attempts=attempts)


def expected(text: str, model: str = "openai/a", attempts: list[Any] | None = None) -> ChatResult:
    completion = len(text.split())
    return ChatResult(
        text=text,
        model=model,
        usage=Usage(PROMPT_WORDS, completion, PROMPT_WORDS + completion),
        cost_usd=None,  # litellm has no price for the fake models
        latency_ms=0.0,
        attempts=attempts or [],
        reasoning=None,
        finish_reason="stop",
    )


def test_complete_returns_text_usage_and_sends_the_request(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("Paris."), model="a")
    result = make_gateway().complete(MESSAGES, model="openai/a", temperature=0.2, max_tokens=50)
    assert settled(result) == expected("Paris.")
    assert result.latency_ms > 0
    [request] = fake_provider.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-fake-a"
    assert request.body == {
        "model": "a",
        "messages": MESSAGES,
        "temperature": 0.2,
        "max_tokens": 50,
    }


def test_reasoning_content_is_captured(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("42", reasoning="six times seven"), model="a")
    result = make_gateway().complete(MESSAGES, model="openai/a")
    assert settled(result) == dataclasses.replace(expected("42"), reasoning="six times seven")


@pytest.mark.parametrize(
    ("failure", "kind", "status"),
    [
        (error(500), "server_error", 500),
        (error(503), "server_error", 503),
        (error(429), "rate_limit", 429),
        (hang(3.0), "timeout", None),
        (drop(), "connection", None),
        (malformed(), "bad_response", None),
    ],
)
def test_transient_failures_are_retried_then_succeed(
    fake_provider: FakeProvider,
    make_gateway: Callable[..., Gateway],
    failure: Any,
    kind: str,
    status: int | None,
) -> None:
    fake_provider.script(failure, failure, ok("Paris."), model="a")
    result = make_gateway().complete(MESSAGES, model="openai/a")
    attempt = {"model": "openai/a", "error": kind, "status": status}
    assert settled(result) == expected("Paris.", attempts=[attempt, attempt])
    assert [r.model for r in fake_provider.requests] == ["a", "a", "a"]


def test_retry_after_is_honoured(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(error(429, retry_after=1), ok("Paris."), model="a")
    started = time.perf_counter()
    result = make_gateway(retry_backoff_s=0.01).complete(MESSAGES, model="openai/a")
    assert time.perf_counter() - started >= 1.0
    assert result.text == "Paris."


def test_falls_back_to_the_next_model_after_retries(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(error(500), error(500), error(500), model="a")
    fake_provider.script(ok("Paris."), model="b")
    result = make_gateway().complete(MESSAGES, model="openai/a", fallbacks=["openai/b"])
    failed = {"model": "openai/a", "error": "server_error", "status": 500}
    assert settled(result) == expected("Paris.", "openai/b", [failed, failed, failed])
    assert [r.model for r in fake_provider.requests] == ["a", "a", "a", "b"]
    assert fake_provider.requests[-1].headers["authorization"] == "Bearer sk-fake-b"


def test_fallbacks_default_to_the_settings(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("from b"), model="b")
    gateway = make_gateway(max_retries=0, fallback_models=["openai/b"])
    result = gateway.complete(MESSAGES, model="openai/down")
    refused = {"model": "openai/down", "error": "connection", "status": None}
    assert settled(result) == expected("from b", "openai/b", [refused])


def test_all_failing_raises_provider_error_naming_every_model(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway], direct_wire: bool
) -> None:
    fake_provider.script(error(500, "boom"), error(502, "boom"), model="a")
    fake_provider.script(error(429, "slow down"), error(429, "slow down"), model="b")
    with pytest.raises(ProviderError) as caught:
        make_gateway(max_retries=1).complete(MESSAGES, model="openai/a", fallbacks=["openai/b"])
    assert type(caught.value) is ProviderRateLimited  # the last word was the provider's 429
    assert caught.value.message == (
        "model provider failed after 4 attempt(s): "
        "openai/a (server_error 500, server_error 502), "
        "openai/b (rate_limit 429, rate_limit 429); "
        "the provider is rate limiting: retry later"
    )
    assert caught.value.detail == (
        "the server answered 429: slow down"
        if direct_wire
        else "litellm.RateLimitError: RateLimitError: OpenAIException - slow down"
    )
    assert caught.value.__cause__ is not None
    assert len(fake_provider.requests) == 4


def test_a_timeout_as_the_last_error_raises_provider_timeout(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway], direct_wire: bool
) -> None:
    fake_provider.script(error(500), hang(3.0), model="a")
    with pytest.raises(ProviderTimeout) as caught:
        make_gateway(max_retries=1, request_timeout_s=0.3).complete(MESSAGES, model="openai/a")
    assert caught.value.message.startswith(
        "model provider failed after 2 attempt(s): openai/a (server_error 500, timeout)"
    )
    if direct_wire:
        assert (
            caught.value.detail
            == f"no answer from {fake_provider.url}/chat/completions within 0.3 s"
        )
    else:
        assert (caught.value.detail or "").startswith("litellm.Timeout:")
    assert caught.value.status_code == 504


def test_connection_refused_everywhere_names_the_model(
    make_gateway: Callable[..., Gateway], direct_wire: bool
) -> None:
    with pytest.raises(ProviderError) as caught:
        make_gateway(max_retries=1).complete(MESSAGES, model="openai/down", fallbacks=[])
    assert caught.value.message == (
        "model provider failed after 2 attempt(s): openai/down (connection, connection)"
    )
    if direct_wire:
        assert (caught.value.detail or "").startswith("cannot reach http://127.0.0.1:")
    else:
        assert caught.value.detail == (
            "litellm.InternalServerError: InternalServerError: OpenAIException - Connection error."
        )


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway], status: int
) -> None:
    fake_provider.script(error(status, "nope"), ok("never"), model="a")
    with pytest.raises(ProviderError) as caught:
        make_gateway().complete(MESSAGES, model="openai/a")
    assert caught.value.message == (
        f"model provider failed after 1 attempt(s): openai/a (client_error {status})"
    )
    assert len(fake_provider.requests) == 1


def test_a_client_error_still_moves_to_the_fallback(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(error(400, "context too long"), model="a")
    fake_provider.script(ok("Paris."), model="b")
    result = make_gateway().complete(MESSAGES, model="openai/a", fallbacks=["openai/b"])
    rejected = {"model": "openai/a", "error": "client_error", "status": 400}
    assert settled(result) == expected("Paris.", "openai/b", [rejected])


def test_stream_yields_chunks_then_the_result(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("The capital is Paris."), model="a")
    handle = make_gateway().stream(MESSAGES, model="openai/a")
    with pytest.raises(RuntimeError, match="not been consumed"):
        _ = handle.result
    chunks = list(handle)
    assert chunks == [StreamChunk(d) for d in ["The ", "capital ", "is ", "Paris."]]
    assert settled(handle.result) == expected("The capital is Paris.")
    [request] = fake_provider.requests
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}


@pytest.mark.parametrize("failure", [error(500), hang(3.0), cut(after=0)])
def test_stream_failures_before_the_first_text_are_retried(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway], failure: Any
) -> None:
    fake_provider.script(failure, ok("Paris."), model="a")
    handle = make_gateway().stream(MESSAGES, model="openai/a")
    assert [c.delta for c in handle] == ["Paris."]
    assert [a["model"] for a in handle.result.attempts] == ["openai/a"]
    assert len(fake_provider.requests) == 2


def test_stream_falls_back_before_the_first_text(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("from b"), model="b")
    handle = make_gateway(max_retries=0).stream(
        MESSAGES, model="openai/down", fallbacks=["openai/b"]
    )
    assert "".join(c.delta for c in handle) == "from b"
    refused = {"model": "openai/down", "error": "connection", "status": None}
    assert settled(handle.result) == expected("from b", "openai/b", [refused])


def test_a_stream_cut_midway_raises_provider_error(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(cut("one two three four five", after=2), ok("never"), model="a")
    handle = make_gateway().stream(MESSAGES, model="openai/a")
    received = []
    with pytest.raises(ProviderError) as caught:
        for chunk in handle:
            received.append(chunk.delta)
    assert received == ["one ", "two "]
    assert caught.value.message.startswith(
        "the stream from openai/a broke after 3 chunk(s) (connection): "
    )
    assert len(fake_provider.requests) == 1  # nothing is retried once text went out
    with pytest.raises(RuntimeError):
        _ = handle.result


def test_stream_all_failing_raises_before_any_chunk(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway], direct_wire: bool
) -> None:
    fake_provider.script(error(503), error(503), model="a")
    with pytest.raises(ProviderError) as caught:
        make_gateway(max_retries=1).stream(MESSAGES, model="openai/a")
    assert caught.value.message == (
        "model provider failed after 2 attempt(s): openai/a (server_error 503, server_error 503)"
    )
    assert caught.value.detail == (
        "the server answered 503: fake error 503"
        if direct_wire
        else "litellm.ServiceUnavailableError: ServiceUnavailableError: OpenAIException - "
        "fake error 503"
    )


async def test_acomplete_retries_and_falls_back(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(error(500), model="a")
    fake_provider.script(ok("Paris."), model="b")
    result = await make_gateway(max_retries=0).acomplete(
        MESSAGES, model="openai/a", fallbacks=["openai/b"]
    )
    failed = {"model": "openai/a", "error": "server_error", "status": 500}
    assert settled(result) == expected("Paris.", "openai/b", [failed])


def test_a_stream_closed_early_leaves_the_gateway_serving(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    fake_provider.script(ok("one two three four"), ok("Paris."), model="a")
    gateway = make_gateway()
    handle = gateway.stream(MESSAGES, model="openai/a")
    assert next(handle).delta == "one "
    handle.close()
    assert gateway.complete(MESSAGES, model="openai/a").text == "Paris."


def test_unknown_parameters_are_refused(make_gateway: Callable[..., Gateway]) -> None:
    with pytest.raises(TypeError, match="unknown gateway parameter"):
        make_gateway().complete(MESSAGES, model="openai/a", top_q=1)  # type: ignore[call-arg]


def test_endpoints_come_from_settings_or_the_call(fake_provider: FakeProvider) -> None:
    from persona.config import Settings

    settings = Settings(
        max_retries=0,
        model_endpoints={"openai/x": {"api_base": fake_provider.url, "api_key": "sk-settings"}},
    )
    gateway = Gateway(settings)
    assert gateway.complete(MESSAGES, model="openai/x").text == "Hello from the fake provider."
    per_call = gateway.complete(
        MESSAGES, model="openai/y", api_base=fake_provider.url, api_key="sk-call"
    )
    assert per_call.model == "openai/y"
    assert [(r.model, r.headers["authorization"]) for r in fake_provider.requests] == [
        ("x", "Bearer sk-settings"),
        ("y", "Bearer sk-call"),
    ]


def test_unsupported_params_follow_litellms_provider_lists() -> None:
    from persona.llm.gateway import unsupported_params

    assert {"top_p", "logprobs"} <= unsupported_params("openai/o4-mini")
    assert "tools" not in unsupported_params("openai/gpt-4.1-mini")
    assert unsupported_params("local/gemma-3-270m") == frozenset()
