"""Calls straight over the OpenAI wire (`persona.llm.direct`): which calls go that way, and
that every field passes as sent, both ways. The gateway's behaviour on either path (retries,
fallbacks, streams, errors) is `test_gateway.py`, run on both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from persona.errors import ProviderError, ProviderRateLimited
from persona.llm import direct
from persona.llm.gateway import Gateway
from tests.fakes.provider import FakeProvider, _completion, error, ok

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
BASE = "http://127.0.0.1:9/v1"


@pytest.mark.parametrize(
    ("model", "api_base", "goes_direct"),
    [
        ("openai/llama-3.1-8b-instruct", BASE, True),  # a vLLM model: nothing to translate
        ("openai/a", BASE + "/", True),
        ("openai/gpt-4.1-mini", BASE, False),  # litellm knows it: it adapts what it does not take
        ("openai/o3", BASE, False),
        ("openai/llama-3.1-8b-instruct", None, False),  # no base URL of its own
        ("ollama/llama3", BASE, False),  # another provider: litellm translates
        ("gpt-4.1-mini", BASE, False),
        ("local/gemma-3-270m", None, False),
    ],
)
def test_only_an_openai_compatible_servers_own_models_go_direct(
    model: str, api_base: str | None, goes_direct: bool
) -> None:
    where = direct.target(model, api_base, "sk-x")
    assert (where is not None) is goes_direct
    if where is not None:
        assert where.url == BASE + "/chat/completions"
        assert where.headers == {"Authorization": "Bearer sk-x"}
        assert where.name == model.removeprefix("openai/")


def test_without_a_key_the_environments_openai_key_is_sent_as_litellm_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert direct.target("openai/a", BASE, None) == direct.Target(
        BASE + "/chat/completions", {"Authorization": "Bearer sk-env"}, "a"
    )
    monkeypatch.delenv("OPENAI_API_KEY")
    assert direct.target("openai/a", BASE, None).headers == {}  # type: ignore[union-attr]


@pytest.fixture
def direct_wire() -> bool:
    """These tests are of the direct path (the gateway tests' parameter, fixed)."""
    return True


@pytest.fixture
def gateway(make_gateway: Callable[..., Gateway]) -> Gateway:
    return make_gateway(max_retries=1, retry_backoff_s=0.0)


def test_every_field_the_app_sent_reaches_the_server_as_sent(
    fake_provider: FakeProvider, gateway: Gateway
) -> None:
    messages = [
        *MESSAGES,
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ]},
        {"role": "tool", "tool_call_id": "c1", "content": "42"},
    ]  # fmt: skip
    extra = {
        "verbosity": "low",  # litellm leaves it out for its generic OpenAI model; sent here
        "tool_choice": "none",  # without tools: litellm drops it; the server decides here
        "seed": 7,
        "chat_template_kwargs": {"enable_thinking": False},  # vLLM's own
    }
    gateway.complete(messages, model="openai/a", temperature=0.3, extra=extra)
    [request] = fake_provider.requests
    assert request.body == {
        "model": "a",
        "messages": messages,
        "temperature": 0.3,
        **extra,
    }


def test_a_developer_message_goes_as_a_system_one_as_litellm_sends_it_to_such_servers(
    fake_provider: FakeProvider, gateway: Gateway
) -> None:
    messages = [
        {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
        *MESSAGES,
    ]
    gateway.complete(messages, model="openai/a")
    assert fake_provider.requests[-1].body["messages"] == [
        {"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
        *MESSAGES,
    ]
    assert messages[0]["role"] == "developer"  # the caller's list is not changed


def test_the_servers_json_is_the_raw_result_untouched(
    fake_provider: FakeProvider, gateway: Gateway
) -> None:
    fake_provider.script(ok("Paris.", reasoning="the capital"), model="a")
    result = gateway.complete(MESSAGES, model="openai/a", extra={"logprobs": True})
    [request] = fake_provider.requests
    assert result.raw == _completion(request.body, ok("Paris.", reasoning="the capital"))
    assert (result.text, result.reasoning, result.finish_reason) == (
        "Paris.",
        "the capital",
        "stop",
    )
    assert result.usage.prompt_tokens == 6 and result.cost_usd is None  # no price for "a"


def test_a_429_carries_the_servers_retry_after_to_the_caller(
    fake_provider: FakeProvider, gateway: Gateway
) -> None:
    fake_provider.script(error(429, "slow", retry_after=0), error(429, "slow", retry_after=30))
    with pytest.raises(ProviderRateLimited) as caught:
        gateway.complete(MESSAGES, model="openai/a", fallbacks=[])
    assert caught.value.retry_after == 30
    assert caught.value.detail == "the server answered 429: slow"


def test_a_call_with_direct_wire_off_goes_through_litellm(
    fake_provider: FakeProvider, make_gateway: Callable[..., Gateway]
) -> None:
    gateway = make_gateway(direct_wire=False)
    gateway.complete(MESSAGES, model="openai/a", extra={"verbosity": "low"})
    assert "verbosity" not in fake_provider.requests[-1].body  # litellm's adaptation
    assert gateway.dropped_params("openai/a") == {"verbosity"}
    assert make_gateway(direct_wire=True).dropped_params("openai/a") == frozenset()


# -- the SSE reader, on scripted bytes ------------------------------------------------------


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[int, bytes], None]]:
    """Make the direct client answer every request with `status` and `body` (SSE bytes)."""
    answer: dict[str, Any] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream", "retry-after": "3"}
        return httpx.Response(answer["status"], content=answer["body"], headers=headers)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    monkeypatch.setattr(direct, "_client", lambda: client)

    def serve(status: int, body: bytes) -> None:
        answer.update(status=status, body=body)

    yield serve


WHERE = direct.Target(BASE + "/chat/completions", {}, "a")


def _event(delta: dict[str, Any], finish: str | None = None) -> bytes:
    import json

    chunk = {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(chunk)}\n\n".encode()


async def test_comments_names_and_blank_lines_are_skipped_and_done_ends_the_stream(
    served: Callable[[int, bytes], None],
) -> None:
    served(
        200,
        b": keep-alive\n\nevent: message\n"
        + _event({"content": "Hi"})
        + _event({"content": " there"}, "stop")
        + b"data: [DONE]\n\n"
        + _event({"content": "after the end"}),
    )
    events = [e async for e in await direct.open_stream(WHERE, {"stream": True}, 5.0)]
    texts = [e["choices"][0]["delta"].get("content") for e in events]
    assert texts == ["Hi", " there"]


async def test_an_error_event_mid_stream_breaks_it_with_the_servers_message(
    served: Callable[[int, bytes], None],
) -> None:
    served(200, _event({"content": "Hi"}) + b'data: {"error": {"message": "overloaded"}}\n\n')
    stream = await direct.open_stream(WHERE, {"stream": True}, 5.0)
    assert (await anext(stream))["choices"][0]["delta"]["content"] == "Hi"
    with pytest.raises(direct.WireError, match="overloaded") as caught:
        await anext(stream)
    assert caught.value.status_code is None  # a bad response, retried before any text


async def test_an_error_status_raises_before_the_stream_with_status_and_headers(
    served: Callable[[int, bytes], None],
) -> None:
    served(503, b'{"error": {"message": "warming up"}}')
    with pytest.raises(direct.WireError) as caught:
        await direct.open_stream(WHERE, {"stream": True}, 5.0)
    assert caught.value.status_code == 503
    assert caught.value.message == "the server answered 503: warming up"
    assert caught.value.response.headers["retry-after"] == "3"


async def test_an_event_that_is_not_json_is_a_bad_response(
    served: Callable[[int, bytes], None],
) -> None:
    served(200, b"data: {not json\n\n")
    stream = await direct.open_stream(WHERE, {"stream": True}, 5.0)
    with pytest.raises(direct.WireError, match="not JSON"):
        await anext(stream)


def test_a_broken_stream_after_text_is_a_provider_error(
    fake_provider: FakeProvider, gateway: Gateway
) -> None:
    from tests.fakes.provider import cut

    fake_provider.script(cut("one two three four", after=2), model="a")
    handle = gateway.stream(MESSAGES, model="openai/a")
    with pytest.raises(ProviderError, match="broke after"):
        list(handle)
