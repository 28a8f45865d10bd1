"""What persona knows about a model from its litellm model string, worked out in one place.

`model_spec("local/gemma-3-270m")` says the model runs in-process and cannot be trusted with a
JSON schema; `model_spec("o4-mini", "reasoning")` says it gets the reasoning adapter (a
developer message, no sampling temperature). Every such question is asked here, never by
testing a model name's prefix where the answer is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from persona.llm.registry import LOCAL_PROVIDER

if TYPE_CHECKING:
    from persona.config import Settings
    from persona.steer.compile import ModelFamily

# names of reasoning models (matched in the last path segment): the reasoning adapter is used
# when one of them serves the reasoning tier
REASONING_MODEL_HINTS = ("o1", "o3", "o4", "gpt-5", "reason", "r1", "thinking", "qwq")


@dataclass(frozen=True)
class ModelSpec:
    """A model string resolved: its provider, its name and the prompt family it gets."""

    model: str  # the litellm model string, as configured
    provider: str | None  # "local", "openai", "ollama" ...; None: litellm infers it from the name
    name: str  # the model string without the provider
    family: ModelFamily  # which prompt adapter the model gets (see persona.steer.compile)

    @property
    def is_local(self) -> bool:
        """The bundled model, run in-process by llama.cpp (CPU-bound, free, loaded per process)."""
        return self.provider == LOCAL_PROVIDER

    @property
    def reasoning(self) -> bool:
        """A reasoning model: it takes a reasoning effort and thinks before it answers."""
        return self.family == "reasoning"

    @property
    def takes_temperature(self) -> bool:
        """Whether sampling parameters (temperature, top_p) are passed on; reasoning models
        reject them."""
        return not self.reasoning

    @property
    def writes_json(self) -> bool:
        """Whether the model can be trusted to follow a JSON schema (the LLM extractor); the
        tiny local model cannot, the rules do better."""
        return not self.is_local


@lru_cache(maxsize=256)
def model_spec(model: str, tier: str = "fast") -> ModelSpec:
    """The spec of `model` serving `tier` (a reasoning-named model on the fast tier is
    prompted as a chat model)."""
    provider, sep, rest = model.partition("/")
    name = rest if sep else model
    family: ModelFamily = "chat"
    last = model.rsplit("/", 1)[-1].lower()
    if sep and provider == LOCAL_PROVIDER:
        family = "local"
    elif tier == "reasoning" and any(hint in last for hint in REASONING_MODEL_HINTS):
        family = "reasoning"
    return ModelSpec(model=model, provider=provider if sep else None, name=name, family=family)


def tier_specs(settings: Settings) -> dict[str, ModelSpec]:
    """The spec of each tier's configured model: {"fast": ..., "reasoning": ...}."""
    return {
        "fast": model_spec(settings.fast_model, "fast"),
        "reasoning": model_spec(settings.reasoning_model, "reasoning"),
    }
