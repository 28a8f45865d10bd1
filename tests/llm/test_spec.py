"""`model_spec`: provider, name, family and capabilities of a model string, decided once."""

from __future__ import annotations

import pytest

from persona.config import LOCAL_MODEL, Settings
from persona.llm.spec import ModelSpec, model_spec, tier_specs


@pytest.mark.parametrize(
    ("model", "tier", "spec"),
    [
        (LOCAL_MODEL, "fast", ModelSpec(LOCAL_MODEL, "local", "gemma-3-270m", "local")),
        (LOCAL_MODEL, "reasoning", ModelSpec(LOCAL_MODEL, "local", "gemma-3-270m", "local")),
        ("gpt-4.1-mini", "fast", ModelSpec("gpt-4.1-mini", None, "gpt-4.1-mini", "chat")),
        ("o4-mini", "reasoning", ModelSpec("o4-mini", None, "o4-mini", "reasoning")),
        ("o4-mini", "fast", ModelSpec("o4-mini", None, "o4-mini", "chat")),
        (
            "openrouter/deepseek/DeepSeek-R1",
            "reasoning",
            ModelSpec(
                "openrouter/deepseek/DeepSeek-R1", "openrouter", "deepseek/DeepSeek-R1", "reasoning"
            ),
        ),
        (
            "ollama/llama3.2",
            "reasoning",
            ModelSpec("ollama/llama3.2", "ollama", "llama3.2", "chat"),
        ),
        # "local" names the provider only as the first segment
        ("openai/local", "fast", ModelSpec("openai/local", "openai", "local", "chat")),
    ],
)
def test_model_spec(model: str, tier: str, spec: ModelSpec) -> None:
    assert model_spec(model, tier) == spec


def test_capabilities_follow_the_family() -> None:
    local, chat, reasoning = (
        model_spec(LOCAL_MODEL),
        model_spec("gpt-4.1-mini"),
        model_spec("o3", "reasoning"),
    )
    assert [(s.is_local, s.writes_json, s.takes_temperature, s.reasoning) for s in (
        local, chat, reasoning
    )] == [(True, False, True, False), (False, True, True, False), (False, True, False, True)]  # fmt: skip


def test_tier_specs_from_settings() -> None:
    settings = Settings(fast_model="gpt-4.1-mini", reasoning_model="o4-mini")
    assert tier_specs(settings) == {
        "fast": ModelSpec("gpt-4.1-mini", None, "gpt-4.1-mini", "chat"),
        "reasoning": ModelSpec("o4-mini", None, "o4-mini", "reasoning"),
    }
