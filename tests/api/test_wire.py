"""Chat Completions fidelity: the official `openai` client against `persona serve` (fake upstream).

Every test asserts what the client received and what the upstream received (whole bodies).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from sqlmodel import select

from persona.stages import previous_tier
from persona.trace import ConstraintTrace, NotApplicable, SteeringTrace
from store.db import session_scope
from store.models import User
from tests.api.conftest import (
    FAST,
    REASONING,
    LiveServer,
    api_request,
    in_front_of,
    openai_client,
)
from tests.conftest import table_counts
from tests.fakes.provider import FakeProvider, length, ok, refuse, tool_call

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def dump(section: SteeringTrace) -> dict[str, Any]:
    """A trace section as the `persona` JSON has it."""
    return section.model_dump(mode="json")


def _app_messages(body: dict[str, Any]) -> list[dict[str, Any]]:
    """What the upstream got after persona's own leading system message."""
    messages: list[dict[str, Any]] = body["messages"]
    assert messages[0]["role"] == "system"
    return messages[1:]


def test_tools_and_every_parameter_reach_the_upstream(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(tool_call(("call_1", "get_weather", {"city": "Oslo"})))
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="alice",
        messages=[{"role": "user", "content": "weather in Oslo?", "name": "alice_w"}],
        tools=[WEATHER],  # type: ignore[list-item]
        tool_choice="auto",
        parallel_tool_calls=False,
        seed=7,
        stop=["END"],
        top_p=0.9,
        temperature=0.3,
        presence_penalty=0.1,
        frequency_penalty=0.2,
        logit_bias={"50256": -100},
        metadata={"app": "demo"},
        service_tier="default",
        max_completion_tokens=300,
        extra_body={"custom_knob": {"a": 1}},
    )
    choice = r.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    assert choice.message.tool_calls is not None
    call = choice.message.tool_calls[0]
    assert (call.id, call.type, call.function.name) == ("call_1", "function", "get_weather")
    assert json.loads(call.function.arguments) == {"city": "Oslo"}
    assert r.system_fingerprint == "fp_fake"
    assert r.usage is not None and r.usage.prompt_tokens_details is not None
    assert r.usage.prompt_tokens_details.cached_tokens == 2
    sent = fake_provider.requests[-1].body
    assert _app_messages(sent) == [
        {"role": "user", "content": "weather in Oslo?", "name": "alice_w"}
    ]
    expected = {
        "tools": [WEATHER],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "seed": 7,
        "stop": ["END"],
        "top_p": 0.9,
        "temperature": 0.3,
        "presence_penalty": 0.1,
        "frequency_penalty": 0.2,
        "logit_bias": {"50256": -100},
        "metadata": {"app": "demo"},
        "service_tier": "default",
        "max_completion_tokens": 300,
        "custom_knob": {"a": 1},
        "user": "alice",
    }
    assert {k: sent.get(k) for k in expected} == expected
    assert "max_tokens" not in sent
    request = r.model_extra["persona"]["request"]  # type: ignore[index]
    assert set(expected) - {"user"} <= set(request["forwarded"]) | {"custom_knob"}
    assert request["adapted"] == [] and request["refused"] == []


def test_a_three_call_tool_loop_with_memory_and_a_constraint(
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
        tool_call(("call_a", "get_weather", {"city": "Oslo"})),
        tool_call(("call_b", "get_weather", {"city": "Bergen"})),
        ok("It Is Sunny In Oslo And Rainy In Bergen."),
    )
    client = openai_client(srv)
    before = table_counts(srv.runtime.db)
    messages: list[Any] = [{"role": "user", "content": "How is the weather near me and Bergen?"}]
    replies = []
    for _ in range(3):
        r = client.chat.completions.create(
            model="persona/fast",
            user="tina",
            messages=messages,
            tools=[WEATHER],  # type: ignore[list-item]
        )
        replies.append(r)
        message = r.choices[0].message
        if not message.tool_calls:
            break
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            city = json.loads(call.function.arguments)["city"]
            messages.append({"role": "tool", "tool_call_id": call.id, "content": f"{city}: ok"})
    assert [r.choices[0].finish_reason for r in replies] == ["tool_calls", "tool_calls", "stop"]
    # the final text answer is steered; the tool calls were never rewritten
    assert replies[-1].choices[0].message.content == "it is sunny in oslo and rainy in bergen."
    assert replies[0].choices[0].message.tool_calls[0].function.name == "get_weather"  # type: ignore[index]
    first_trace = replies[0].model_extra["persona"]  # type: ignore[index]
    lowercase = ConstraintTrace(id="change_case:english_lowercase", source="user")
    assert first_trace["steering"] == dump(
        SteeringTrace(
            active=[lowercase],
            not_applicable=[NotApplicable(id=lowercase.id, why="the reply is a tool call")],
        )
    )
    assert first_trace["reply_kind"] == "tool_call"
    third = fake_provider.requests[-1].body
    # the whole loop reaches the upstream as the client sent it
    assert _app_messages(third) == messages
    assert third["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_b",
        "content": "Bergen: ok",
    }
    assert third["messages"][2]["tool_calls"][0]["id"] == "call_a"
    # personalized with the memory and the rule of the user turn that started it
    for recorded in fake_provider.requests[-3:]:
        system = recorded.body["messages"][0]["content"]
        assert "Tina lives in Oslo" in system
        assert "lowercase" in system.lower()
    memories = [[m["text"] for m in r.model_extra["persona"]["memories"]] for r in replies]  # type: ignore[index]
    assert all("Tina lives in Oslo" in m for m in memories)
    after = table_counts(srv.runtime.db)
    # three turns stored; only the first (the user's own words) is queued for extraction
    assert after["turn"] - before["turn"] == 3
    assert after["outbox"] - before["outbox"] == 1


def test_streamed_tool_call_deltas_keep_index_and_id(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(
        tool_call(
            ("call_1", "get_weather", {"city": "Oslo"}), ("call_2", "get_weather", {"city": "Rome"})
        )
    )
    stream = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="sam",
        messages=[{"role": "user", "content": "weather in Oslo and Rome"}],
        tools=[WEATHER],  # type: ignore[list-item]
        stream=True,
    )
    chunks = list(stream)
    assert len({c.id for c in chunks}) == 1
    assert len({c.model for c in chunks}) == 1
    calls: dict[int, dict[str, str]] = {}
    for c in chunks:
        for choice in c.choices:
            for d in choice.delta.tool_calls or []:
                slot = calls.setdefault(d.index, {"id": "", "name": "", "args": ""})
                slot["id"] += d.id or ""
                slot["name"] += (d.function.name or "") if d.function else ""
                slot["args"] += (d.function.arguments or "") if d.function else ""
    assert calls == {
        0: {"id": "call_1", "name": "get_weather", "args": json.dumps({"city": "Oslo"})},
        1: {"id": "call_2", "name": "get_weather", "args": json.dumps({"city": "Rome"})},
    }
    finals = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finals == ["tool_calls"]
    assert fake_provider.requests[-1].body["tools"] == [WEATHER]


@pytest.mark.parametrize("stream", [False, True])
def test_finish_reason_length_is_kept(
    srv: LiveServer, fake_provider: FakeProvider, stream: bool
) -> None:
    fake_provider.script(length("cut short by the"))
    kwargs: dict[str, Any] = {
        "model": "persona/fast",
        "user": "lena",
        "messages": [{"role": "user", "content": "write a long story"}],
        "max_tokens": 4,
    }
    if stream:
        chunks = list(openai_client(srv).chat.completions.create(stream=True, **kwargs))
        reasons = [c.choices[0].finish_reason for c in chunks if c.choices]
        assert [r for r in reasons if r] == ["length"]
    else:
        r = openai_client(srv).chat.completions.create(**kwargs)
        assert r.choices[0].finish_reason == "length"
    assert fake_provider.requests[-1].body["max_tokens"] == 4


def test_n_choices_logprobs_and_refusal(srv: LiveServer, fake_provider: FakeProvider) -> None:
    fake_provider.script(ok("one answer"))
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="nia",
        messages=[{"role": "user", "content": "say something"}],
        n=2,
        logprobs=True,
        top_logprobs=2,
    )
    assert [c.message.content for c in r.choices] == ["one answer", "one answer (2)"]
    assert [c.index for c in r.choices] == [0, 1]
    assert r.choices[0].logprobs is not None and r.choices[0].logprobs.content is not None
    assert [t.token for t in r.choices[0].logprobs.content] == ["one", "answer"]
    sent = fake_provider.requests[-1].body
    assert (sent["n"], sent["logprobs"], sent["top_logprobs"]) == (2, True, 2)
    fake_provider.script(refuse("I can't help with that."))
    r = openai_client(srv).chat.completions.create(
        model="persona/fast", user="nia", messages=[{"role": "user", "content": "bad idea"}]
    )
    assert r.choices[0].message.refusal == "I can't help with that."


def test_image_parts_are_forwarded_and_bad_parts_refused_clearly(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    content = [
        {"type": "text", "text": "What is in this picture?"},
        {
            "type": "image_url",
            "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
        },
    ]
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="ivan",
        messages=[{"role": "user", "content": content}],  # type: ignore[list-item]
    )
    assert r.choices[0].message.content
    assert _app_messages(fake_provider.requests[-1].body) == [{"role": "user", "content": content}]
    with pytest.raises(openai.BadRequestError) as info:
        openai_client(srv).chat.completions.create(
            model="persona/fast",
            user="ivan",
            messages=[{"role": "user", "content": [{"type": "video", "video": "x"}]}],  # type: ignore[list-item, misc]
        )
    body = info.value.body
    assert isinstance(body, dict)
    assert "'video' part" in body["message"] and "image_url" in body["message"]
    assert "content.str" not in body["message"]


def test_structured_output_is_never_rewritten(srv: LiveServer, fake_provider: FakeProvider) -> None:
    rule = {"constraints": [{"id": "change_case:english_lowercase"}]}
    assert api_request(srv, "POST", "/v1/users/jay/constraints", json=rule).status_code in (
        200,
        201,
    )
    fmt = {
        "type": "json_schema",
        "json_schema": {
            "name": "city",
            "schema": {"type": "object", "properties": {"City": {"type": "string"}}},
        },
    }
    fake_provider.script(ok('{"City": "Oslo"}'))
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="jay",
        messages=[{"role": "user", "content": "which city?"}],
        response_format=fmt,  # type: ignore[arg-type]
    )
    assert r.choices[0].message.content == '{"City": "Oslo"}'
    assert fake_provider.requests[-1].body["response_format"] == fmt
    steering = r.model_extra["persona"]["steering"]  # type: ignore[index]
    why = "the app set response_format json_schema: structured output is never rewritten"
    lowercase = ConstraintTrace(id="change_case:english_lowercase", source="user")
    assert steering == dump(
        SteeringTrace(active=[lowercase], not_applicable=[NotApplicable(id=lowercase.id, why=why)])
    )


def test_reasoning_model_adapts_temperature_and_keeps_the_clients_effort(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    r = openai_client(srv).chat.completions.create(
        model="persona/reasoning",
        user="rex",
        messages=[{"role": "user", "content": "prove it"}],
        temperature=0.2,
        reasoning_effort="low",
    )
    sent = fake_provider.requests[-1].body
    assert sent["reasoning_effort"] == "low"
    assert "temperature" not in sent
    assert r.model_extra["persona"]["request"] == {  # type: ignore[index]
        "forwarded": ["reasoning_effort", "user"],
        "adapted": [
            {
                "param": "temperature",
                "from": 0.2,
                "to": None,
                "why": f"{REASONING} is a reasoning model and takes no temperature",
            }
        ],
        "refused": [],
    }


def test_end_user_from_metadata_or_safety_identifier(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    client = openai_client(srv)
    r = client.chat.completions.create(
        model="persona/fast",
        messages=[{"role": "user", "content": "hi"}],
        metadata={"user_id": "meta-user"},
    )
    assert r.model_extra["persona"]["user"] == "meta-user"  # type: ignore[index]
    r = client.chat.completions.create(
        model="persona/fast",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"safety_identifier": "safe-user"},
    )
    assert r.model_extra["persona"]["user"] == "safe-user"  # type: ignore[index]


def test_request_id_models_and_unknown_paths(srv: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {srv.api_key}"}
    r = httpx.get(f"{srv.url}/v1/models/persona/fast", headers=auth)
    assert r.status_code == 200 and r.json()["id"] == "persona/fast"
    assert r.headers["x-request-id"].startswith("req_")
    assert httpx.get(f"{srv.url}/v1/models/gpt-nope", headers=auth).status_code == 404
    r = httpx.get(f"{srv.url}/healthz", headers={"x-request-id": "mine-1"})
    assert r.headers["x-request-id"] == "mine-1"
    model = openai_client(srv).models.retrieve("persona/auto")
    assert model.id == "persona/auto"
    r = httpx.post(f"{srv.url}/v1/embeddings", headers=auth, json={})
    assert r.status_code == 404
    assert "POST /v1/chat/completions" in r.json()["error"]["message"]
    assert r.headers["x-request-id"]


def test_an_explicit_tier_is_not_sticky(srv: LiveServer, fake_provider: FakeProvider) -> None:
    client = openai_client(srv)
    r = client.chat.completions.create(
        model="persona/reasoning", user="stick", messages=[{"role": "user", "content": "plan it"}]
    )
    assert r.model_extra["persona"]["tier"] == "reasoning"  # type: ignore[index]
    r = client.chat.completions.create(
        model="persona/auto", user="stick", messages=[{"role": "user", "content": "hi there"}]
    )
    route = r.model_extra["persona"]["route"]  # type: ignore[index]
    assert "in progress" not in route["reason"]
    with session_scope(srv.runtime.db) as session:
        user = session.exec(select(User).where(User.external_id == "stick")).one()
        # the last turn was routed by the router itself: it counts for stickiness
        assert previous_tier(session, user, None) == route["tier"]
    client.chat.completions.create(
        model="persona/reasoning", user="stick", messages=[{"role": "user", "content": "hmm"}]
    )
    with session_scope(srv.runtime.db) as session:
        user = session.exec(select(User).where(User.external_id == "stick")).one()
        assert previous_tier(session, user, None) is None
    assert not any(s["name"] == "sticky" for s in route.get("signals", []))


def test_streamed_tool_call_with_a_constraint_is_not_rewritten(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    rule = {"constraints": [{"id": "change_case:english_lowercase"}]}
    assert api_request(srv, "POST", "/v1/users/kim/constraints", json=rule).status_code in (
        200,
        201,
    )
    fake_provider.script(
        tool_call(("call_X", "Get_Weather", {"City": "Oslo"})), ok("Sunny In Oslo")
    )
    client = openai_client(srv)
    messages: list[Any] = [{"role": "user", "content": "weather?"}]
    chunks = list(
        client.chat.completions.create(
            model="persona/fast",
            user="kim",
            messages=messages,
            tools=[WEATHER],
            stream=True,  # type: ignore[list-item]
        )
    )
    deltas = [d for c in chunks if c.choices for d in c.choices[0].delta.tool_calls or []]
    assert deltas[0].id == "call_X" and deltas[0].function.name == "Get_Weather"  # type: ignore[union-attr]
    args = "".join(d.function.arguments or "" for d in deltas if d.function)
    assert json.loads(args) == {"City": "Oslo"}
    messages += [
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_X", "type": "function", "function": {"name": "Get_Weather", "arguments": args}}
        ]},
        {"role": "tool", "tool_call_id": "call_X", "content": [{"type": "text", "text": "SUNNY"}]},
    ]  # fmt: skip
    chunks = list(
        client.chat.completions.create(
            model="persona/fast",
            user="kim",
            messages=messages,
            tools=[WEATHER],
            stream=True,  # type: ignore[list-item]
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "sunny in oslo"
    # the conversation reaches the model as the client sent it, `"content": null` included
    assert _app_messages(fake_provider.requests[-1].body) == messages


def test_a_parameter_litellm_leaves_out_is_reported_not_dropped_in_silence(
    live_server: Callable[..., LiveServer], fake_provider: FakeProvider
) -> None:
    # through litellm (not straight over the wire), its generic OpenAI model takes no
    # `verbosity`: litellm leaves it out of the call, and the trace says so
    srv = in_front_of(fake_provider, live_server, direct_wire=False)
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="vera",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"verbosity": "low", "seed": 7},
    )
    sent = fake_provider.requests[-1].body
    assert "verbosity" not in sent and sent["seed"] == 7
    assert r.model_extra["persona"]["request"] == {  # type: ignore[index]
        "forwarded": ["seed", "user"],
        "adapted": [
            {
                "param": "verbosity",
                "from": "low",
                "to": None,
                "why": f"the provider of {FAST} does not take verbosity: litellm leaves it "
                "out of the call",
            }
        ],
        "refused": [],
    }


def test_an_openai_compatible_servers_model_gets_every_parameter_as_sent(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    # straight over the wire (a model litellm does not know): nothing is adapted
    r = openai_client(srv).chat.completions.create(
        model="persona/fast",
        user="vera",
        messages=[{"role": "user", "content": "hi"}],
        extra_body={"verbosity": "low", "seed": 7, "chat_template_kwargs": {"thinking": False}},
    )
    sent = fake_provider.requests[-1].body
    assert sent["verbosity"] == "low" and sent["seed"] == 7
    assert sent["chat_template_kwargs"] == {"thinking": False}
    assert r.model_extra["persona"]["request"] == {  # type: ignore[index]
        "forwarded": ["chat_template_kwargs", "seed", "user", "verbosity"],
        "adapted": [],
        "refused": [],
    }
