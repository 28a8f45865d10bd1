"""The real local Gemma model through the gateway (`local/gemma-3-270m`, in-process llama.cpp)."""

from __future__ import annotations

import pytest

from persona.config import get_settings
from persona.llm.gateway import Gateway
from persona.llm.types import Usage

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:.*is using the `ReadOnly` qualifier:UserWarning"),
]

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant. Answer in one short sentence."},
    {"role": "user", "content": "What is the capital of France?"},
]


def test_local_model_chats_and_streams_through_the_gateway() -> None:
    settings = get_settings()
    gateway = Gateway(settings)

    result = gateway.complete(MESSAGES, model="local/gemma-3-270m", max_tokens=24)
    assert result.text.strip()
    assert "<end_of_turn>" not in result.text and "<start_of_turn>" not in result.text
    assert result.model == "local/gemma-3-270m"
    assert result.cost_usd == 0.0
    assert result.attempts == []
    assert result.finish_reason in {"stop", "length"}
    assert 0 < result.usage.completion_tokens <= 24
    assert result.usage.prompt_tokens > 20  # the system text is inside the prompt
    assert result.usage.total_tokens == result.usage.prompt_tokens + result.usage.completion_tokens
    # the GGUF file was assembled once into the data directory and is reused
    assert (settings.data_dir / "models" / "gemma-3-270m-q4_k_m.gguf").is_file()

    handle = gateway.stream(MESSAGES, model="local/gemma-3-270m", max_tokens=24)
    deltas = [chunk.delta for chunk in handle]
    final = handle.result
    assert len(deltas) >= 1 and all(deltas)
    assert final.text == "".join(deltas)
    assert final.model == "local/gemma-3-270m"
    assert final.usage == Usage(
        result.usage.prompt_tokens,
        final.usage.completion_tokens,
        result.usage.prompt_tokens + final.usage.completion_tokens,
    )
    assert 0 < final.usage.completion_tokens <= 24


async def test_local_model_async_path() -> None:
    result = await Gateway(get_settings()).acomplete(
        MESSAGES, model="local/gemma-3-270m", max_tokens=8
    )
    assert result.text.strip() and result.usage.completion_tokens <= 8


def test_an_unknown_local_model_is_not_found() -> None:
    from persona.errors import NotFound

    with pytest.raises(NotFound) as caught:
        Gateway(get_settings()).complete(MESSAGES, model="local/gemma-9000")
    assert caught.value.message == (
        "no local model named 'gemma-9000'; available: local/gemma-3-270m"
    )


def test_a_long_history_is_cut_to_fit_the_context() -> None:
    settings = get_settings().model_copy(update={"local_model_context": 512})
    history = []
    for i in range(30):
        history.append({"role": "user", "content": f"Message {i}: " + "tell me more " * 20})
        history.append({"role": "assistant", "content": "Here is more. " * 10})
    messages = [MESSAGES[0], *history, {"role": "user", "content": "Say hello."}]
    result = Gateway(settings).complete(messages, model="local/gemma-3-270m", max_tokens=16)
    assert result.text.strip()
    assert result.usage.prompt_tokens <= 512 - 16
    assert result.usage.completion_tokens <= 16
