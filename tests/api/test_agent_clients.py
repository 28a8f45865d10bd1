"""Real agent frameworks pointed at a live `persona serve` (fake upstream on loopback): the OpenAI
Agents SDK (its Responses and Chat Completions models) and LangChain's `ChatOpenAI`. Each calls
its tools, gets structured output and sees images as it would against the upstream directly,
while persona adds memory, steering and routing. Asserted: what the framework returned and what
the upstream received."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
import openai
import pytest
from agents import (
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    function_tool,
)
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import BaseModel

from tests.api.conftest import FAST, REASONING, LiveServer, api_request, openai_client
from tests.fakes.provider import FakeProvider, ok, tool_call

IMAGE = "data:image/png;base64,iVBORw0KGgo="
NO_TRACING = RunConfig(tracing_disabled=True)  # the SDK's traces would go to OpenAI


class City(BaseModel):
    name: str
    country: str


def _remember(srv: LiveServer, user: str, fact: str, *, lowercase: bool = False) -> None:
    """A memory for `user` (and the lowercase constraint) through persona's REST API."""
    added = api_request(srv, "POST", f"/v1/users/{user}/memories", json={"text": fact})
    assert added.status_code == 201, added.text
    if lowercase:
        rule = {"constraints": [{"id": "change_case:english_lowercase"}]}
        made = api_request(srv, "POST", f"/v1/users/{user}/constraints", json=rule)
        assert made.status_code in (200, 201), made.text


def _system(body: dict[str, Any]) -> str:
    first = body["messages"][0]
    assert first["role"] in ("system", "developer")
    return str(first["content"])


def _weather_tool(calls: list[str]) -> Any:
    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        calls.append(city)
        return f"{city}: sunny"

    return get_weather


WEATHER_PARAMS = {
    "properties": {"city": {"title": "City", "type": "string"}},
    "required": ["city"],
    "title": "get_weather_args",
    "type": "object",
    "additionalProperties": False,
}
AGENT_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": WEATHER_PARAMS,
        "strict": True,
    },
}
WEATHER_CALL = {  # as these clients send it back: `content: null` beside the tool calls
    "role": "assistant",
    "content": None,
    "tool_calls": [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'},
        }
    ],
}


def _run(
    srv: LiveServer, user: str, body: Callable[[openai.AsyncOpenAI], Coroutine[Any, Any, Any]]
) -> Any:
    """Run `body(client)` with an `AsyncOpenAI` pointed at `srv` for the end user `user`."""

    async def go() -> Any:
        async with openai.AsyncOpenAI(
            base_url=f"{srv.url}/v1",
            api_key=srv.api_key,
            max_retries=0,
            default_headers={"X-Persona-User": user},
        ) as client:
            return await body(client)

    return asyncio.run(go())


# -- OpenAI Agents SDK ---------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["run", "run_streamed"])
def test_agents_sdk_tool_loop_with_memory_and_a_constraint(
    srv: LiveServer, fake_provider: FakeProvider, streamed: bool
) -> None:
    _remember(srv, "ann", "Ann lives in Oslo", lowercase=True)
    fake_provider.script(
        tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("It Is Sunny In Oslo.")
    )
    calls: list[str] = []

    async def body(client: openai.AsyncOpenAI) -> Any:
        agent = Agent(
            name="weather",
            instructions="Answer weather questions.",
            tools=[_weather_tool(calls)],
            model=OpenAIResponsesModel(model="persona/fast", openai_client=client),
        )
        if not streamed:
            return await Runner.run(agent, "weather near me?", run_config=NO_TRACING)
        run = Runner.run_streamed(agent, "weather near me?", run_config=NO_TRACING)
        kinds = [event.type async for event in run.stream_events()]
        assert "raw_response_event" in kinds and "run_item_stream_event" in kinds
        return run

    result = _run(srv, "ann", body)
    assert result.final_output == "it is sunny in oslo."  # the constraint, applied
    assert calls == ["Oslo"]
    first, second = (r.body for r in fake_provider.requests)
    for sent in (first, second):
        assert "Ann lives in Oslo" in _system(sent)
        assert "Answer weather questions." in _system(sent)
        assert "lowercase" in _system(sent).lower()
        assert sent["tools"] == [AGENT_WEATHER]
        assert sent["model"] == FAST.split("/", 1)[1]
        assert bool(sent.get("stream")) is streamed
    assert first["messages"][1:] == [{"role": "user", "content": "weather near me?"}]
    assert second["messages"][1:] == [
        {"role": "user", "content": "weather near me?"},
        WEATHER_CALL,
        {"role": "tool", "tool_call_id": "call_a", "content": "Oslo: sunny"},
    ]


def test_agents_sdk_structured_output_and_an_image(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok('{"name": "Oslo", "country": "Norway"}'))

    async def body(client: openai.AsyncOpenAI) -> Any:
        agent = Agent(
            name="geo",
            instructions="Name the city in the picture.",
            output_type=City,
            model=OpenAIResponsesModel(model="persona/fast", openai_client=client),
        )
        picture = [
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Which city is this?"},
                    {"type": "input_image", "image_url": IMAGE, "detail": "low"},
                ],
            }
        ]
        return await Runner.run(agent, picture, run_config=NO_TRACING)  # type: ignore[arg-type]

    result = _run(srv, "bo", body)
    assert result.final_output == City(name="Oslo", country="Norway")
    [sent] = (r.body for r in fake_provider.requests)
    assert sent["messages"][1:] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Which city is this?"},
                {"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}},
            ],
        }
    ]
    fmt = sent["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"]["required"] == ["name", "country"]


def test_agents_sdk_routing_and_the_trace_of_its_responses(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("Step one: ..."))

    async def body(client: openai.AsyncOpenAI) -> Any:
        agent = Agent(
            name="planner",
            model=OpenAIResponsesModel(model="persona/reasoning", openai_client=client),
            model_settings=ModelSettings(reasoning={"effort": "low"}),
        )
        return await Runner.run(agent, "plan my week", run_config=NO_TRACING)

    result = _run(srv, "cy", body)
    assert result.final_output == "Step one: ..."
    [sent] = (r.body for r in fake_provider.requests)
    assert sent["model"] == REASONING.split("/", 1)[1]
    assert sent["reasoning_effort"] == "low"  # the app's effort, not the router's
    stored = openai_client(srv).responses.retrieve(result.last_response_id)
    assert stored.model_extra is not None
    trace = stored.model_extra["persona"]
    assert (trace["user"], trace["tier"]) == ("cy", "reasoning")


def test_agents_sdk_continues_a_conversation_by_previous_response_id(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("Nice to meet you, Dee."), ok("You are Dee."))

    async def body(client: openai.AsyncOpenAI) -> Any:
        agent = Agent(
            name="chat", model=OpenAIResponsesModel(model="persona/fast", openai_client=client)
        )
        first = await Runner.run(agent, "I am Dee", run_config=NO_TRACING)
        return await Runner.run(
            agent,
            "who am I?",
            previous_response_id=first.last_response_id,
            run_config=NO_TRACING,
        )

    assert _run(srv, "dee", body).final_output == "You are Dee."
    assert fake_provider.requests[-1].body["messages"][1:] == [
        {"role": "user", "content": "I am Dee"},
        {"role": "assistant", "content": "Nice to meet you, Dee."},
        {"role": "user", "content": "who am I?"},
    ]


def test_agents_sdk_chat_completions_model_tool_loop(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    _remember(srv, "eli", "Eli lives in Oslo")
    fake_provider.script(tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("Sunny."))
    calls: list[str] = []

    async def body(client: openai.AsyncOpenAI) -> Any:
        agent = Agent(
            name="weather",
            tools=[_weather_tool(calls)],
            model=OpenAIChatCompletionsModel(model="persona/fast", openai_client=client),
        )
        return await Runner.run(agent, "weather near me?", run_config=NO_TRACING)

    assert _run(srv, "eli", body).final_output == "Sunny."
    assert calls == ["Oslo"]
    first, second = (r.body for r in fake_provider.requests)
    assert all("Eli lives in Oslo" in _system(b) for b in (first, second))
    assert first["tools"] == [AGENT_WEATHER]
    assert second["messages"][1:] == [
        {"role": "user", "content": "weather near me?"},
        WEATHER_CALL,  # as the client sent it
        {"role": "tool", "tool_call_id": "call_a", "content": "Oslo: sunny"},
    ]


# -- LangChain ChatOpenAI ------------------------------------------------------------------


@tool
def get_weather(city: str) -> str:
    """The weather in a city."""
    return f"{city}: sunny"


LC_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
            "type": "object",
        },
    },
}


def _chat_openai(srv: LiveServer, user: str, **kwargs: Any) -> ChatOpenAI:
    return ChatOpenAI(
        base_url=f"{srv.url}/v1",
        api_key=srv.api_key,  # type: ignore[arg-type]
        max_retries=0,
        http_client=srv.track(httpx.Client()),
        default_headers={"X-Persona-User": user},
        **kwargs,
    )


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_langchain_bind_tools_loop_with_memory_and_a_constraint(
    srv: LiveServer, fake_provider: FakeProvider, streamed: bool
) -> None:
    _remember(srv, "fay", "Fay lives in Oslo", lowercase=True)
    fake_provider.script(
        tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("It Is Sunny In Oslo.")
    )
    llm = _chat_openai(srv, "fay", model="persona/fast").bind_tools([get_weather])

    def ask(messages: list[Any]) -> Any:
        if not streamed:
            return llm.invoke(messages)
        chunks = list(llm.stream(messages))
        total = chunks[0]
        for chunk in chunks[1:]:
            total += chunk
        return total

    messages: list[Any] = [HumanMessage("weather near me?")]
    ai = ask(messages)
    assert [(c["name"], c["args"], c["id"]) for c in ai.tool_calls] == [
        ("get_weather", {"city": "Oslo"}, "call_a")
    ]
    messages += [
        ai,
        ToolMessage(get_weather.invoke(ai.tool_calls[0]["args"]), tool_call_id="call_a"),
    ]
    final = ask(messages)
    assert final.content == "it is sunny in oslo."
    first, second = (r.body for r in fake_provider.requests)
    for sent in (first, second):
        assert "Fay lives in Oslo" in _system(sent)
        assert sent["tools"] == [LC_WEATHER]
    assert second["messages"][1:] == [
        {"role": "user", "content": "weather near me?"},
        WEATHER_CALL,  # as the client sent it
        {"role": "tool", "tool_call_id": "call_a", "content": "Oslo: sunny"},
    ]


@pytest.mark.parametrize("method", ["json_schema", "function_calling", "json_mode"])
def test_langchain_with_structured_output(
    srv: LiveServer, fake_provider: FakeProvider, method: str
) -> None:
    _remember(srv, "gus", "Gus lives in Lyon", lowercase=True)
    answer = '{"name": "Lyon", "country": "France"}'
    fake_provider.script(
        tool_call(("call_s", "City", {"name": "Lyon", "country": "France"}))
        if method == "function_calling"
        else ok(answer)
    )
    llm = _chat_openai(srv, "gus", model="persona/fast")
    got = llm.with_structured_output(City, method=method).invoke(  # type: ignore[arg-type]
        "where do I live? answer as JSON with name and country"
    )
    assert got == City(name="Lyon", country="France")  # never lowercased by the constraint
    [sent] = (r.body for r in fake_provider.requests)
    assert "Gus lives in Lyon" in _system(sent)
    if method == "json_schema":
        fmt = sent["response_format"]
        assert (fmt["type"], fmt["json_schema"]["name"]) == ("json_schema", "City")
        assert fmt["json_schema"]["schema"]["required"] == ["name", "country"]
    elif method == "function_calling":
        assert sent["tool_choice"] == {"type": "function", "function": {"name": "City"}}
        assert [t["function"]["name"] for t in sent["tools"]] == ["City"]
    else:
        assert sent["response_format"] == {"type": "json_object"}


def test_langchain_sees_an_image_and_routes_to_reasoning(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    fake_provider.script(ok("A red square."))
    llm = _chat_openai(srv, "hal", model="persona/reasoning", reasoning_effort="low")
    message = HumanMessage(
        content=[
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}},
        ]
    )
    ai = llm.invoke([message])
    assert ai.content == "A red square."
    [sent] = (r.body for r in fake_provider.requests)
    assert sent["model"] == REASONING.split("/", 1)[1]
    assert sent["reasoning_effort"] == "low"
    assert sent["messages"][1:] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is in this picture?"},
                {"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}},
            ],
        }
    ]


def test_langchain_on_the_responses_api(srv: LiveServer, fake_provider: FakeProvider) -> None:
    _remember(srv, "ivy", "Ivy lives in Oslo")
    fake_provider.script(tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("Sunny."))
    llm = _chat_openai(srv, "ivy", model="persona/fast", use_responses_api=True)
    bound = llm.bind_tools([get_weather])
    messages: list[Any] = [HumanMessage("weather near me?")]
    ai = bound.invoke(messages)
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("get_weather", {"city": "Oslo"})]
    messages += [ai, ToolMessage("Oslo: sunny", tool_call_id=ai.tool_calls[0]["id"])]
    final = bound.invoke(messages)
    assert final.text == "Sunny."
    first, second = (r.body for r in fake_provider.requests)
    assert all("Ivy lives in Oslo" in _system(b) for b in (first, second))
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_a",
        "content": "Oslo: sunny",
    }
    assert json.loads(second["messages"][-2]["tool_calls"][0]["function"]["arguments"]) == {
        "city": "Oslo"
    }


def test_langchain_structured_output_and_an_image_on_the_responses_api(
    srv: LiveServer, fake_provider: FakeProvider
) -> None:
    _remember(srv, "jan", "Jan lives in Riga", lowercase=True)
    fake_provider.script(ok('{"name": "Riga", "country": "Latvia"}'))
    llm = _chat_openai(srv, "jan", model="persona/fast", use_responses_api=True)
    message = HumanMessage(
        content=[
            {"type": "text", "text": "Which city is this?"},
            {"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}},
        ]
    )
    got = llm.with_structured_output(City).invoke([message])
    assert got == City(name="Riga", country="Latvia")
    [sent] = (r.body for r in fake_provider.requests)
    assert "Jan lives in Riga" in _system(sent)
    assert sent["messages"][1:] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "Which city is this?"},
                {"type": "image_url", "image_url": {"url": IMAGE, "detail": "low"}},
            ],
        }
    ]
    fmt = sent["response_format"]
    assert (fmt["type"], fmt["json_schema"]["name"]) == ("json_schema", "City")
