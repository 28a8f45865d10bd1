"""`persona.wrap` under the OpenAI SDK's helpers (`parse`, `stream`, `with_raw_response`,
`with_streaming_response`) and under agent frameworks given a wrapped client (the OpenAI Agents
SDK, LangChain's `ChatOpenAI`): every request still goes through persona (memory, steering)
and reaches the fake upstream through the app's client."""

from __future__ import annotations

import asyncio
from typing import Any

import openai
import pytest
from pydantic import BaseModel

import persona
from persona import Persona
from tests.fakes.provider import FakeProvider, ok, tool_call


def _system(body: dict[str, Any]) -> str:
    first = body["messages"][0]
    assert first["role"] == "system"
    return str(first["content"])


def test_the_sdks_stream_helper_with_a_text_format(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    class City(BaseModel):
        name: str
        country: str

    p.memories("kim").add("Kim lives in Lyon")
    fake_provider.script(ok('{"name": "Lyon", "country": "France"}'))
    client = persona.wrap(upstream, user="kim", persona=p)
    with client.responses.stream(model="gpt-app", input="where do I live?", text_format=City) as s:
        events = list(s)
        final = s.get_final_response()
    assert events[-1].type == "response.completed"
    assert final.output_parsed == City(name="Lyon", country="France")
    [sent] = fake_provider.requests
    assert "Kim lives in Lyon" in _system(sent.body)
    fmt = sent.body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["name"] == "City"
    assert fmt["json_schema"]["schema"]["required"] == ["name", "country"]


def test_the_async_stream_and_parse_helpers(p: Persona, fake_provider: FakeProvider) -> None:
    class Count(BaseModel):
        n: int

    fake_provider.script(ok("one two"), ok('{"n": 2}'), ok('{"n": 3}'))

    async def run() -> tuple[str, Any, Any]:
        async with openai.AsyncOpenAI(
            base_url=fake_provider.url, api_key="sk-app", max_retries=0
        ) as app:
            client = persona.wrap(app, user="lou", persona=p)
            async with client.responses.stream(model="gpt-app", input="count") as s:
                deltas = [e.delta async for e in s if e.type == "response.output_text.delta"]
                final = await s.get_final_response()
            assert deltas == ["one ", "two"]
            parsed = await client.responses.parse(model="gpt-app", input="n?", text_format=Count)
            chat = await client.chat.completions.parse(
                model="gpt-app", messages=[{"role": "user", "content": "n?"}], response_format=Count
            )
            return final.output_text, parsed.output_parsed, chat.choices[0].message.parsed

    assert asyncio.run(run()) == ("one two", Count(n=2), Count(n=3))
    assert fake_provider.requests[0].body["stream"] is True
    assert len(fake_provider.requests) == 3


@pytest.mark.parametrize("streamed", [False, True], ids=["run", "run_streamed"])
@pytest.mark.parametrize("api", ["responses", "chat_completions"])
def test_an_openai_agents_sdk_agent_on_a_wrapped_client(
    p: Persona, fake_provider: FakeProvider, streamed: bool, api: str
) -> None:
    from agents import (
        Agent,
        OpenAIChatCompletionsModel,
        OpenAIResponsesModel,
        RunConfig,
        Runner,
        function_tool,
    )

    p.memories("mo").add("Mo lives in Oslo")
    p.instruct("mo", "never use capital letters")
    fake_provider.script(tool_call(("call_a", "get_weather", {"city": "Oslo"})), ok("Sunny Oslo."))
    cities: list[str] = []

    @function_tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        cities.append(city)
        return f"{city}: sunny"

    async def run() -> Any:
        async with openai.AsyncOpenAI(
            base_url=fake_provider.url, api_key="sk-app", max_retries=0
        ) as app:
            kind = OpenAIResponsesModel if api == "responses" else OpenAIChatCompletionsModel
            wrapped = persona.wrap(app, user="mo", persona=p)
            model = kind(model="gpt-app", openai_client=wrapped)
            agent = Agent(name="weather", tools=[get_weather], model=model)
            config = RunConfig(tracing_disabled=True)
            if not streamed:
                return (await Runner.run(agent, "weather near me?", run_config=config)).final_output
            result = Runner.run_streamed(agent, "weather near me?", run_config=config)
            async for _ in result.stream_events():
                pass
            return result.final_output

    assert asyncio.run(run()) == "sunny oslo."
    assert cities == ["Oslo"]
    first, second = (r.body for r in fake_provider.requests)
    assert all("Mo lives in Oslo" in _system(b) for b in (first, second))
    assert [t["function"]["name"] for t in first["tools"]] == ["get_weather"]
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_a",
        "content": "Oslo: sunny",
    }


def test_with_raw_and_streaming_response_keep_personas_create(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    p.memories("nia").add("Nia lives in Kyiv")
    fake_provider.script(ok("raw chat"), ok("raw response"), ok("streamed raw"), ok("root raw"))
    client = persona.wrap(upstream, user="nia", persona=p)
    raw = client.chat.completions.with_raw_response.create(
        model="gpt-app", messages=[{"role": "user", "content": "hi"}]
    )
    assert raw.parse().choices[0].message.content == "raw chat"
    assert (
        client.responses.with_raw_response.create(model="gpt-app", input="hi").parse().output_text
        == "raw response"
    )
    with client.responses.with_streaming_response.create(
        model="gpt-app", input="hi", stream=True
    ) as opened:
        events = list(opened.parse())
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == "streamed raw"
    root = client.with_raw_response.responses.create(model="gpt-app", input="hi")
    assert root.parse().output_text == "root raw"
    assert client.with_raw_response.models is not None  # the rest is the client's own
    assert len(fake_provider.requests) == 4
    assert all("Nia lives in Kyiv" in _system(r.body) for r in fake_provider.requests)


def test_the_sdks_parse_and_stream_helpers_of_both_apis_go_through_persona(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    class City(BaseModel):
        name: str

    p.memories("ola").add("Ola lives in Bergen")
    p.instruct("ola", "never use capital letters")
    answer = '{"name": "Bergen"}'
    fake_provider.script(ok(answer), ok(answer), ok(answer), ok("Plain Text"))
    client = persona.wrap(upstream, user="ola", persona=p)
    ask = [{"role": "user", "content": "where do I live?"}]
    chat = client.chat.completions.parse(model="gpt-app", messages=ask, response_format=City)
    assert chat.choices[0].message.parsed == City(name="Bergen")  # structured: not lowercased
    raw = client.chat.completions.with_raw_response.parse(
        model="gpt-app", messages=ask, response_format=City
    )
    assert raw.parse().choices[0].message.parsed == City(name="Bergen")
    parsed = client.responses.parse(model="gpt-app", input="where do I live?", text_format=City)
    assert parsed.output_parsed == City(name="Bergen")
    with client.chat.completions.stream(model="gpt-app", messages=ask) as s:
        for _ in s:
            pass
        final = s.get_final_completion()
    assert final.choices[0].message.content == "plain text"
    assert len(fake_provider.requests) == 4
    for sent in fake_provider.requests:
        assert "Ola lives in Bergen" in _system(sent.body)
    formats = [r.body.get("response_format") for r in fake_provider.requests]
    assert [f["json_schema"]["name"] for f in formats[:3] if f] == ["City", "City", "City"]
    assert formats[3] is None


def test_a_langchain_chat_model_on_a_wrapped_client(
    p: Persona, upstream: openai.OpenAI, fake_provider: FakeProvider
) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    class City(BaseModel):
        name: str

    @tool
    def get_weather(city: str) -> str:
        """The weather in a city."""
        return f"{city}: sunny"

    p.memories("pia").add("Pia lives in Oslo")
    p.instruct("pia", "never use capital letters")
    fake_provider.script(
        tool_call(("call_a", "get_weather", {"city": "Oslo"})),
        ok("Sunny In Oslo."),
        ok('{"name": "Oslo"}'),
    )
    wrapped = persona.wrap(upstream, user="pia", persona=p)
    llm = ChatOpenAI(
        model="gpt-app", client=wrapped.chat.completions, root_client=wrapped, api_key="unused"
    )
    bound = llm.bind_tools([get_weather])
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}
    messages: list[Any] = [HumanMessage([{"type": "text", "text": "weather here?"}, image])]
    ai = bound.invoke(messages)
    assert [(c["name"], c["args"]) for c in ai.tool_calls] == [("get_weather", {"city": "Oslo"})]
    messages += [ai, ToolMessage("Oslo: sunny", tool_call_id="call_a")]
    assert bound.invoke(messages).content == "sunny in oslo."
    assert llm.with_structured_output(City).invoke("where do I live?") == City(name="Oslo")
    first, second, third = (r.body for r in fake_provider.requests)
    assert all("Pia lives in Oslo" in _system(b) for b in (first, second, third))
    assert first["messages"][1]["content"][1] == image
    assert second["messages"][-1] == {
        "role": "tool",
        "tool_call_id": "call_a",
        "content": "Oslo: sunny",
    }
    assert third["response_format"]["json_schema"]["name"] == "City"
