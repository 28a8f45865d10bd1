"""`persona.wrap`: the official `openai` client pointed at the fake provider, personalized.

Each test asserts what the app got (the OpenAI SDK's own types) and what the upstream got.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import openai
import pytest
from openai.types.chat import ChatCompletion, ChatCompletionChunk

import persona
from persona import Persona
from tests.api.conftest import LiveServer
from tests.fakes.provider import FakeProvider, ok, tool_call

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
SCHEMA = {
    "type": "json_schema",
    "json_schema": {"name": "city", "schema": {"type": "object"}},
}


def _system(body: dict[str, Any]) -> str:
    first = body["messages"][0]
    assert first["role"] == "system"
    return str(first["content"])


def test_sync_create_injects_memory_and_returns_the_upstream_completion(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("alice").add("Alice lives in Oslo")
    fake_provider.script(ok("Try the fish soup."))
    client = persona.wrap(upstream, user="alice", persona=p)
    r = client.chat.completions.create(
        model="gpt-app", messages=[{"role": "user", "content": "where should I eat tonight?"}]
    )
    assert type(r) is ChatCompletion
    assert r.id == "chatcmpl-fake" and r.system_fingerprint == "fp_fake"
    assert r.choices[0].message.content == "Try the fish soup."
    assert r.model_extra is not None and r.model_extra["persona"]["user"] == "alice"
    [sent] = fake_provider.requests
    assert sent.headers["authorization"] == "Bearer sk-app"  # the app's own client and key
    assert sent.model == "gpt-app"
    assert "Alice lives in Oslo" in _system(sent.body)
    assert sent.body["messages"][1:] == [{"role": "user", "content": "where should I eat tonight?"}]
    assert "user" not in sent.body  # the wrap's user is persona's, not sent upstream
    assert "max_tokens" not in sent.body  # nor persona's default limit, when the app set none


def test_tools_response_format_and_other_parameters_reach_the_upstream_untouched(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(tool_call(("call_1", "get_weather", {"city": "Oslo"})))
    client = persona.wrap(upstream, user="bob", persona=p)
    r = client.chat.completions.create(
        model="gpt-app",
        messages=[{"role": "user", "content": "weather in Oslo?"}],
        tools=[WEATHER],  # type: ignore[list-item]
        tool_choice="auto",
        seed=7,
        max_tokens=99,
        top_p=0.5,
        stop=["END"],
        response_format=SCHEMA,  # type: ignore[arg-type]
        metadata={"app": "demo"},
        extra_body={"brand_new_field": {"x": 1}},
        extra_headers={"X-App": "demo"},
    )
    assert r.choices[0].finish_reason == "tool_calls"
    [call] = r.choices[0].message.tool_calls or []
    assert call.id == "call_1" and call.function.arguments == '{"city": "Oslo"}'
    [sent] = fake_provider.requests
    assert sent.headers["x-app"] == "demo"
    body = {k: v for k, v in sent.body.items() if k != "messages"}
    assert body == {
        "model": "gpt-app",
        "tools": [WEATHER],
        "tool_choice": "auto",
        "seed": 7,
        "max_tokens": 99,
        "top_p": 0.5,
        "stop": ["END"],
        "response_format": SCHEMA,
        "metadata": {"app": "demo"},
        "brand_new_field": {"x": 1},
    }


def test_a_constraint_is_applied_to_the_reply(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.instruct("cara", "never use capital letters")
    fake_provider.script(ok("Hello There From Oslo."))
    client = persona.wrap(upstream, user="cara", persona=p)
    r = client.chat.completions.create(
        model="gpt-app", messages=[{"role": "user", "content": "say hi"}]
    )
    assert r.choices[0].message.content == "hello there from oslo."
    assert "capital" in _system(fake_provider.requests[0].body).lower()


def test_streaming_returns_the_sdk_stream_of_upstream_chunks(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("dan").add("Dan is vegetarian")
    fake_provider.script(ok("one two three"))
    client = persona.wrap(upstream, user="dan", persona=p)
    stream = client.chat.completions.create(
        model="gpt-app",
        messages=[{"role": "user", "content": "dinner idea?"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    assert isinstance(stream, openai.Stream)
    with stream:
        chunks = list(stream)
    assert all(type(c) is ChatCompletionChunk and c.id == "chatcmpl-fake" for c in chunks)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "one two three"
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert [c.choices[0].finish_reason for c in finish] == ["stop"]
    assert finish[0].model_extra is not None and finish[0].model_extra["persona"]["user"] == "dan"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    [sent] = fake_provider.requests
    assert sent.body["stream"] is True
    assert "Dan is vegetarian" in _system(sent.body)


def test_streaming_with_a_constraint_sends_the_repaired_text(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.instruct("eve", "never use capital letters")
    fake_provider.script(ok("Big Loud Words"))
    client = persona.wrap(upstream, user="eve", persona=p)
    chunks = list(
        client.chat.completions.create(
            model="gpt-app", messages=[{"role": "user", "content": "shout"}], stream=True
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == "big loud words"
    assert all(c.id == "chatcmpl-fake" for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is None  # the app did not ask for usage


def test_async_client_create_and_stream(p: Persona, fake_provider: FakeProvider) -> None:
    p.memories("fay").add("Fay plays the cello")
    fake_provider.script(ok("async hello"), ok("streamed async hello"))

    async def run() -> tuple[ChatCompletion, list[ChatCompletionChunk]]:
        async with openai.AsyncOpenAI(
            base_url=fake_provider.url, api_key="sk-app", max_retries=0
        ) as app:
            client = persona.wrap(app, user="fay", persona=p)
            r = await client.chat.completions.create(
                model="gpt-app", messages=[{"role": "user", "content": "hi"}]
            )
            stream = await client.chat.completions.create(
                model="gpt-app", messages=[{"role": "user", "content": "hi again"}], stream=True
            )
            assert isinstance(stream, openai.AsyncStream)
            return r, [c async for c in stream]

    r, chunks = asyncio.run(run())
    assert type(r) is ChatCompletion and r.choices[0].message.content == "async hello"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "streamed async hello"
    assert all("Fay plays the cello" in _system(x.body) for x in fake_provider.requests)
    assert len(fake_provider.requests) == 2


def test_routing_between_the_models_given_to_wrap(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    client = persona.wrap(
        upstream, user="gus", persona=p, fast_model="small-m", reasoning_model="o4-mini-m"
    )
    r = client.chat.completions.create(
        model="persona/fast", messages=[{"role": "user", "content": "hi"}]
    )
    assert r.model_extra is not None and r.model_extra["persona"]["tier"] == "fast"
    assert fake_provider.requests[0].model == "small-m"
    plain = persona.wrap(upstream, user="gus", persona=p)
    with pytest.raises(persona.InvalidInput, match="fast_model"):
        plain.chat.completions.create(
            model="persona/auto", messages=[{"role": "user", "content": "hi"}]
        )


def test_everything_else_is_the_clients_own(p: Persona, upstream: openai.OpenAI) -> None:
    client = persona.wrap(upstream, user="hal", persona=p)
    assert isinstance(client, openai.OpenAI)
    assert client.base_url == upstream.base_url and client.api_key == "sk-app"
    assert client.models is not None and client.embeddings is not None
    assert client.chat.completions.list == upstream.chat.completions.list
    again = client.with_options(timeout=5)
    assert type(again.chat.completions).__name__ == "Completions"
    assert again.chat.completions is not upstream.chat.completions
    with pytest.raises(persona.InvalidInput, match="already wrapped"):
        persona.wrap(client, user="hal", persona=p)
    assert type(client.responses).__name__ == "Responses"
    assert client.responses.input_items == upstream.responses.input_items


def test_server_mode_sends_through_persona_serve(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-server"}
    srv = live_server(
        fast_model="openai/fast-fake",
        reasoning_model="openai/fast-fake",
        model_endpoints={"openai/fast-fake": endpoint},
        max_retries=0,
        reask=False,
    )
    fake_provider.script(ok("hi from the server"), ok("streamed from the server"))
    with openai.OpenAI(api_key="sk-app", max_retries=0) as app:
        client = persona.wrap(app, user="ivy", base_url=f"{srv.url}/v1", api_key=srv.api_key)
        assert isinstance(client, openai.OpenAI)
        r = client.chat.completions.create(
            model="persona/fast", messages=[{"role": "user", "content": "hi"}]
        )
        chunks = list(
            client.chat.completions.create(
                model="persona/fast", messages=[{"role": "user", "content": "hi"}], stream=True
            )
        )
    assert type(r) is ChatCompletion and r.choices[0].message.content == "hi from the server"
    assert r.model_extra is not None and r.model_extra["persona"]["user"] == "ivy"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "streamed from the server"
    assert [x.headers["authorization"] for x in fake_provider.requests] == ["Bearer sk-server"] * 2


def test_persona_fields_go_in_extra_body(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("jon").add("Jon lives in Rome")
    client = persona.wrap(upstream, user="jon", persona=p)
    r = client.chat.completions.create(
        model="gpt-app",
        messages=[{"role": "user", "content": "I love Rome's pizza"}],
        extra_body={"persona_memory": "off"},
    )
    assert r.model_extra is not None and r.model_extra["persona"]["memory"] == {"mode": "off"}
    [sent] = fake_provider.requests
    assert "Jon lives in Rome" not in _system(sent.body)
    assert "persona_memory" not in sent.body


def test_closing_a_stream_early_closes_the_upstream_response(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("a b c d e f"))
    client = persona.wrap(upstream, user="kay", persona=p)
    stream = client.chat.completions.create(
        model="gpt-app", messages=[{"role": "user", "content": "count"}], stream=True
    )
    first = next(stream)
    assert first.choices[0].delta.content
    stream.close()
    assert stream.response.is_closed
    with pytest.raises(StopIteration):
        next(stream)


def test_server_true_uses_the_clients_own_base_url(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-server"}
    srv = live_server(
        fast_model="openai/fast-fake", model_endpoints={"openai/fast-fake": endpoint}, reask=False
    )
    with openai.OpenAI(base_url=f"{srv.url}/v1", api_key=srv.api_key, max_retries=0) as app:
        client = persona.wrap(app, user="lee", server=True)
        r = client.chat.completions.create(
            model="persona/fast", messages=[{"role": "user", "content": "hi"}]
        )
    assert r.model_extra is not None and r.model_extra["persona"]["user"] == "lee"


def test_a_tool_loop_with_the_sdks_own_message_objects(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.instruct("max", "never use capital letters")
    calls_weather = tool_call(("call_9", "get_weather", {"city": "Oslo"}))
    fake_provider.script(calls_weather, calls_weather, ok("Sunny In Oslo"))
    client = persona.wrap(upstream, user="max", persona=p)
    messages: list[Any] = [{"role": "user", "content": "weather in Oslo?"}]
    stream = client.chat.completions.create(
        model="gpt-app",
        messages=messages,
        tools=[WEATHER],
        stream=True,  # type: ignore[list-item]
    )
    chunks = list(stream)
    deltas = [c.choices[0].delta.tool_calls for c in chunks if c.choices]
    calls = [call for d in deltas for call in d or []]
    assert calls[0].id == "call_9" and calls[0].function is not None
    assert "".join(c.function.arguments or "" for c in calls if c.function) == '{"city": "Oslo"}'
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    first = client.chat.completions.create(
        model="gpt-app",
        messages=messages,
        tools=[WEATHER],  # type: ignore[list-item]
    )
    tool_result = {"role": "tool", "tool_call_id": "call_9", "content": "sunny"}
    messages += [first.choices[0].message, tool_result]
    final = client.chat.completions.create(
        model="gpt-app",
        messages=messages,
        tools=[WEATHER],  # type: ignore[list-item]
    )
    assert final.choices[0].message.content == "sunny in oslo"
    last = fake_provider.requests[-1].body["messages"]
    assert last[-2:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_9",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_9", "content": "sunny"},
    ]
