"""The Responses API through the official `openai` client against `persona serve` (fake upstream):
what the client received and what the upstream received."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from tests.api.conftest import LiveServer, api_request, openai_client
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider, ok, tool_call

WEATHER: Any = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}


def test_text_response_and_what_the_upstream_got(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("Hello Ann!", prompt_tokens=40, completion_tokens=3))
    r = openai_client(srv).responses.create(
        model="persona/fast",
        input="hi there",
        instructions="Be brief.",
        user="ann",
        temperature=0.3,
        top_p=0.9,
        max_output_tokens=50,
        metadata={"app": "demo"},
        text={"format": {"type": "json_object"}},
    )
    assert r.object == "response"
    assert r.status == "completed"
    assert r.output_text == "Hello Ann!"
    assert r.usage is not None
    assert (r.usage.input_tokens, r.usage.output_tokens, r.usage.total_tokens) == (40, 3, 43)
    assert r.id.startswith("resp_")
    sent = fake_provider.requests[-1].body
    assert sent["messages"][0]["role"] == "system"
    assert "Be brief." in sent["messages"][0]["content"]  # the app's instructions, merged
    assert sent["messages"][1:] == [{"role": "user", "content": "hi there"}]
    assert sent["temperature"] == 0.3
    assert sent["top_p"] == 0.9
    assert sent["max_tokens"] == 50 or sent.get("max_completion_tokens") == 50
    assert sent["metadata"] == {"app": "demo"}
    assert sent["response_format"] == {"type": "json_object"}
    got = openai_client(srv).responses.retrieve(r.id)
    assert got.output_text == "Hello Ann!"
    items = openai_client(srv).responses.input_items.list(r.id)
    assert [i.type for i in items.data] == ["message"]


def test_function_call_loop_with_memory_and_a_constraint(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    added = api_request(srv, "POST", "/v1/users/tina/memories", json={"text": "Tina lives in Oslo"})
    assert added.status_code == 201, added.text
    rule = {"constraints": [{"id": "change_case:english_lowercase"}]}
    assert api_request(srv, "POST", "/v1/users/tina/constraints", json=rule).status_code in (
        200,
        201,
    )
    fake_provider.script(
        tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("It Is Sunny In Oslo.")
    )
    client = openai_client(srv)
    first = client.responses.create(
        model="persona/fast", input="Weather near me?", user="tina", tools=[WEATHER]
    )
    calls = [o for o in first.output if o.type == "function_call"]
    assert len(calls) == 1
    call = calls[0]
    assert (call.call_id, call.name, json.loads(call.arguments)) == (
        "call_a",
        "get_weather",
        {"city": "Oslo"},
    )
    upstream = fake_provider.requests[-1].body
    assert upstream["tools"] == [
        {
            "type": "function",
            "function": {k: WEATHER[k] for k in ("name", "description", "parameters")},
        }
    ]
    second = client.responses.create(
        model="persona/fast",
        user="tina",
        previous_response_id=first.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": "call_a", "output": "Oslo: sunny"}],
    )
    assert second.output_text == "it is sunny in oslo."
    sent = fake_provider.requests[-1].body
    assert sent["messages"][1:] == [
        {"role": "user", "content": "Weather near me?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "Oslo: sunny"},
    ]
    for recorded in fake_provider.requests[-2:]:
        system = recorded.body["messages"][0]["content"]
        assert "Tina lives in Oslo" in system
        assert "lowercase" in system.lower()


def test_streaming_events(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("one two three"))
    with openai_client(srv).responses.stream(model="persona/fast", input="count", user="sam") as s:
        events = list(s)
        final = s.get_final_response()
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    assert "response.output_text.delta" in kinds
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert final.output_text == "one two three"


def test_streamed_function_call(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(tool_call(("call_z", "get_weather", {"city": "Rome"})))
    stream = openai_client(srv).responses.create(
        model="persona/fast", input="Rome?", user="sam", tools=[WEATHER], stream=True
    )
    events = list(stream)
    kinds = [e.type for e in events]
    assert "response.function_call_arguments.delta" in kinds
    assert "response.function_call_arguments.done" in kinds
    done = next(e for e in events if e.type == "response.completed")
    call = done.response.output[-1]
    assert call.type == "function_call"
    assert json.loads(call.arguments) == {"city": "Rome"}


def test_store_false_writes_nothing(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("first"), ok("second"))
    client = openai_client(srv)
    client.responses.create(model="persona/fast", input="hello", user="zoe")
    before = table_counts(srv.runtime.db)
    r = client.responses.create(model="persona/fast", input="I love jazz", user="zoe", store=False)
    assert r.output_text == "second"
    assert table_counts(srv.runtime.db) == before
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)


def test_tenant_and_user_scoping_and_delete(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("mine"))
    client = openai_client(srv)
    r = client.responses.create(model="persona/fast", input="hello", user="una")
    with pytest.raises(openai.NotFoundError):
        client.responses.create(
            model="persona/fast", input="more", user="other", previous_response_id=r.id
        )
    client.responses.delete(r.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(r.id)


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"tools": [{"type": "web_search"}]}, "web_search"),
        ({"background": True}, "background"),
        ({"conversation": "conv_1"}, "previous_response_id"),
        ({"input": [{"type": "computer_call", "id": "x"}]}, "computer_call"),
        ({"wat": 1}, "wat"),
    ],
)
def test_unsupported_is_a_clear_400(srv: LiveServer, extra: dict[str, Any], needle: str) -> None:
    body = {"model": "persona/fast", "input": "hi", "user": "vic", **extra}
    r = api_request(srv, "POST", "/v1/responses", json=body)
    assert r.status_code == 400, r.text
    assert r.headers.get("x-request-id")
    error = r.json()["error"]
    assert needle in error["message"]
    assert "str:" not in error["message"]


def test_image_parts_schema_and_effort_reach_the_upstream(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok('{"animal": "cat"}'))
    image = "data:image/png;base64,iVBORw0KGgo="
    schema = {"type": "object", "properties": {"animal": {"type": "string"}}}
    r = openai_client(srv).responses.create(
        model="persona/fast",
        user="ivy",
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
        parallel_tool_calls=False,
        tools=[WEATHER],
    )
    assert r.output_text == '{"animal": "cat"}'
    sent = fake_provider.requests[-1].body
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
    assert sent["parallel_tool_calls"] is False


def test_file_and_audio_parts_become_chat_parts(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    pdf = "data:application/pdf;base64,JVBERi0xLjQ="
    audio = {"data": "UklGRiQAAABXQVZF", "format": "wav"}
    r = openai_client(srv).responses.create(
        model="persona/fast",
        user="wes",
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Summarize both."},
                    {"type": "input_file", "file_data": pdf, "filename": "a.pdf"},
                    {"type": "input_file", "file_id": "file-123"},
                    {"type": "input_audio", "input_audio": audio},
                ],
            }
        ],
    )
    assert r.output_text == "Hello from the fake provider."
    assert fake_provider.requests[-1].body["messages"][-1] == {
        "role": "user",
        "content": [
            {"type": "text", "text": "Summarize both."},
            {"type": "file", "file": {"file_data": pdf, "filename": "a.pdf"}},
            {"type": "file", "file": {"file_id": "file-123"}},
            {"type": "input_audio", "input_audio": audio},
        ],
    }
    by_url = {"type": "input_file", "file_url": "https://example.com/a.pdf"}
    body = {
        "model": "persona/fast",
        "user": "wes",
        "input": [{"role": "user", "content": [by_url]}],
    }
    refused = api_request(srv, "POST", "/v1/responses", json=body)
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "message": "input[0].content[0].file_url is not supported by persona: send the file as "
        "file_data (a data URL) or file_id",
        "type": "invalid_request_error",
        "param": "input[0].content[0].file_url",
        "code": "invalid_request",
    }
