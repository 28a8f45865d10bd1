"""`persona.wrap(...).responses` embedded: the official `openai` client pointed at the fake
provider; the app gets the SDK's own `Response` and stream event types, the upstream a Chat
Completions call through the app's client."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import openai
import pytest
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseTextDeltaEvent,
)

import persona
from persona import Persona
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider, length, ok, tool_call

WEATHER: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
CHAT_WEATHER = {
    "type": "function",
    "function": {k: WEATHER[k] for k in ("name", "description", "parameters")},
}


def _system(body: dict[str, Any]) -> str:
    first = body["messages"][0]
    assert first["role"] == "system"
    return str(first["content"])


def test_create_returns_the_sdk_response_with_memory_and_a_constraint(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("alice").add("Alice lives in Oslo")
    p.instruct("alice", "never use capital letters")
    fake_provider.script(ok("Try The Fish Soup.", prompt_tokens=30, completion_tokens=4))
    client = persona.wrap(upstream, user="alice", persona=p)
    r = client.responses.create(
        model="gpt-app",
        input="where should I eat tonight?",
        instructions="Be brief.",
        temperature=0.2,
        max_output_tokens=60,
        metadata={"app": "demo"},
        extra_headers={"X-App": "demo"},
    )
    assert type(r) is Response
    assert (r.status, r.model, r.output_text) == ("completed", "gpt-app", "try the fish soup.")
    assert r.id.startswith("resp_") and r.instructions == "Be brief."
    assert r.usage is not None
    assert (r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens) == (30, 4, 34)
    assert r.usage.input_tokens_details.cached_tokens == 2
    assert r.model_extra is not None and r.model_extra["persona"]["user"] == "alice"
    [sent] = fake_provider.requests
    assert sent.path == "/v1/chat/completions"  # the app's client, its Chat Completions
    assert sent.headers["authorization"] == "Bearer sk-app"
    assert sent.headers["x-app"] == "demo"
    system = _system(sent.body)
    assert "Alice lives in Oslo" in system and "Be brief." in system
    assert "capital" in system.lower()
    assert {k: v for k, v in sent.body.items() if k != "messages"} == {
        "model": "gpt-app",
        "temperature": 0.2,
        "max_tokens": 60,
        "metadata": {"app": "demo"},
    }
    assert sent.body["messages"][1:] == [{"role": "user", "content": "where should I eat tonight?"}]


def test_a_function_call_loop_continued_by_previous_response_id(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("bob").add("Bob lives in Rome")
    fake_provider.script(tool_call(("call_a", "get_weather", {"city": "Rome"})), ok("Sunny."))
    client = persona.wrap(upstream, user="bob", persona=p)
    first = client.responses.create(
        model="gpt-app",
        input="weather near me?",
        tools=[WEATHER],
        tool_choice="auto",
        parallel_tool_calls=False,
        text={"format": {"type": "text"}},
    )
    [call] = first.output
    assert isinstance(call, ResponseFunctionToolCall)
    assert (call.call_id, call.name, json.loads(call.arguments)) == (
        "call_a",
        "get_weather",
        {"city": "Rome"},
    )
    sent = fake_provider.requests[0].body
    assert sent["tools"] == [CHAT_WEATHER]
    assert (sent["tool_choice"], sent["parallel_tool_calls"]) == ("auto", False)
    second = client.responses.create(
        model="gpt-app",
        previous_response_id=first.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": "call_a", "output": "Rome: sunny"}],
    )
    assert second.output_text == "Sunny." and second.previous_response_id == first.id
    again = fake_provider.requests[1].body
    assert "Bob lives in Rome" in _system(again)
    assert again["messages"][1:] == [
        {"role": "user", "content": "weather near me?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Rome"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "Rome: sunny"},
    ]
    kept = client.responses.retrieve(second.id)
    assert type(kept) is Response and kept.output_text == "Sunny."
    client.responses.delete(second.id)
    with pytest.raises(persona.NotFound, match=second.id):
        client.responses.create(model="gpt-app", input="more", previous_response_id=second.id)


def test_the_sdks_own_output_items_can_be_sent_back_as_input(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(tool_call(("call_b", "get_weather", {"city": "Oslo"})), ok("Cold."))
    client = persona.wrap(upstream, user="cy", persona=p)
    first = client.responses.create(model="gpt-app", input="Oslo?", tools=[WEATHER], store=False)
    result = {"type": "function_call_output", "call_id": "call_b", "output": "-5C"}
    final = client.responses.create(
        model="gpt-app",
        input=[{"role": "user", "content": "Oslo?"}, *first.output, result],
        tools=[WEATHER],
    )
    assert final.output_text == "Cold."
    assert fake_provider.requests[1].body["messages"][-2:] == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_b", "content": "-5C"},
    ]


def test_structured_output_image_and_effort_reach_the_upstream(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok('{"animal": "cat"}'))
    image = "data:image/png;base64,iVBORw0KGgo="
    schema = {"type": "object", "properties": {"animal": {"type": "string"}}}
    client = persona.wrap(upstream, user="dee", persona=p)
    r = client.responses.create(
        model="gpt-app",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "What animal is this?"},
                    {"type": "input_image", "image_url": image, "detail": "low"},
                ],
            }
        ],
        text={"format": {"type": "json_schema", "name": "animal", "schema": schema}},
        reasoning={"effort": "low"},
    )
    assert json.loads(r.output_text) == {"animal": "cat"}
    sent = fake_provider.requests[0].body
    assert sent["messages"][-1] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What animal is this?"},
            {"type": "image_url", "image_url": {"url": image, "detail": "low"}},
        ],
    }
    assert sent["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "animal", "schema": schema},
    }
    assert sent["reasoning_effort"] == "low"


def test_streaming_returns_the_sdk_stream_of_response_events(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("eve").add("Eve is vegetarian")
    fake_provider.script(ok("one two three"))
    client = persona.wrap(upstream, user="eve", persona=p)
    stream = client.responses.create(model="gpt-app", input="dinner idea?", stream=True)
    assert isinstance(stream, openai.Stream)
    with stream:
        events = list(stream)
    kinds = [e.type for e in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 3,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = [e.delta for e in events if isinstance(e, ResponseTextDeltaEvent)]
    assert deltas == ["one ", "two ", "three"]
    done = events[-1]
    assert isinstance(done, ResponseCompletedEvent)
    assert done.response.output_text == "one two three"
    assert done.response.model_extra is not None
    assert done.response.model_extra["persona"]["user"] == "eve"
    [sent] = fake_provider.requests
    assert sent.body["stream"] is True
    assert "Eve is vegetarian" in _system(sent.body)
    kept = client.responses.retrieve(done.response.id)
    assert kept.output_text == "one two three"


def test_a_streamed_function_call(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(tool_call(("call_z", "get_weather", {"city": "Rome"})))
    client = persona.wrap(upstream, user="fin", persona=p)
    events = list(
        client.responses.create(model="gpt-app", input="Rome?", tools=[WEATHER], stream=True)
    )
    kinds = [e.type for e in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * 2,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    done = events[-1]
    assert isinstance(done, ResponseCompletedEvent)
    [call] = done.response.output
    assert isinstance(call, ResponseFunctionToolCall)
    assert (call.call_id, json.loads(call.arguments)) == ("call_z", {"city": "Rome"})


def test_async_create_and_stream(p: Persona, fake_provider: FakeProvider) -> None:
    p.memories("gil").add("Gil plays the cello")
    fake_provider.script(ok("async hello"), ok("streamed async hello"))

    async def run() -> tuple[Response, list[Any], Response]:
        async with openai.AsyncOpenAI(
            base_url=fake_provider.url, api_key="sk-app", max_retries=0
        ) as app:
            client = persona.wrap(app, user="gil", persona=p)
            r = await client.responses.create(model="gpt-app", input="hi")
            stream = await client.responses.create(
                model="gpt-app", input="hi again", previous_response_id=r.id, stream=True
            )
            assert isinstance(stream, openai.AsyncStream)
            events = [e async for e in stream]
            return r, events, await client.responses.retrieve(r.id)

    r, events, kept = asyncio.run(run())
    assert type(r) is Response and r.output_text == "async hello"
    assert isinstance(events[-1], ResponseCompletedEvent)
    assert events[-1].response.output_text == "streamed async hello"
    assert kept.output_text == "async hello"
    first, second = fake_provider.requests
    assert all("Gil plays the cello" in _system(x.body) for x in (first, second))
    assert second.body["messages"][1:] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "async hello"},
        {"role": "user", "content": "hi again"},
    ]


def test_store_false_writes_nothing(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    client = persona.wrap(upstream, user="hal", persona=p)
    client.responses.create(model="gpt-app", input="hello")
    before = table_counts(p.runtime.db)
    r = client.responses.create(model="gpt-app", input="I love jazz", store=False)
    assert r.output_text == "Hello from the fake provider." and r.store is False
    assert table_counts(p.runtime.db) == before
    with pytest.raises(persona.NotFound):
        client.responses.create(model="gpt-app", input="more", previous_response_id=r.id)


def test_length_is_incomplete_and_unsupported_fields_are_refused(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    fake_provider.script(length("cut short"))
    client = persona.wrap(upstream, user="ida", persona=p)
    r = client.responses.create(model="gpt-app", input="long story", max_output_tokens=2)
    assert r.status == "incomplete"
    assert r.incomplete_details is not None and r.incomplete_details.reason == "max_output_tokens"
    [message] = r.output
    assert isinstance(message, ResponseOutputMessage)
    with pytest.raises(persona.InvalidInput, match="web_search") as info:
        client.responses.create(model="gpt-app", input="news?", tools=[{"type": "web_search"}])
    assert info.value.param == "tools[0]"
    with pytest.raises(persona.InvalidInput, match="fast_model"):
        client.responses.create(model="persona/auto", input="hi")
    assert len(fake_provider.requests) == 1  # nothing refused reached the upstream


def test_routing_and_persona_fields_in_extra_body(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("jo").add("Jo lives in Lima")
    client = persona.wrap(
        upstream, user="jo", persona=p, fast_model="small-m", reasoning_model="big-m"
    )
    r = client.responses.create(
        model="persona/reasoning", input="hi", extra_body={"persona_memory": "off"}
    )
    assert r.model_extra is not None
    assert r.model_extra["persona"]["tier"] == "reasoning"
    assert r.model_extra["persona"]["memory"] == {"mode": "off"}
    [sent] = fake_provider.requests
    assert sent.model == "big-m"
    assert "Jo lives in Lima" not in _system(sent.body)
    assert "persona_memory" not in sent.body
