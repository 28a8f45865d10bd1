"""Which OpenAI parameters litellm knows by name, and which a model's provider does not take."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from persona.llm.registry import load_litellm
from persona.llm.spec import model_spec

# OpenAI Chat Completions parameters litellm knows by name (and translates per provider);
# anything else an app sends (`metadata` and `user` too: litellm keeps or drops them) goes
# to the upstream as is, in the request body.
_PASSTHROUGH_NAMED = frozenset(
    {
        "audio",
        "frequency_penalty",
        "function_call",
        "functions",
        "logit_bias",
        "logprobs",
        "max_completion_tokens",
        "modalities",
        "n",
        "parallel_tool_calls",
        "prediction",
        "presence_penalty",
        "prompt_cache_key",
        "reasoning_effort",
        "response_format",
        "safety_identifier",
        "seed",
        "service_tier",
        "stop",
        "store",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "verbosity",
        "web_search_options",
    }
)


@lru_cache(maxsize=256)
def unsupported_params(model: str) -> frozenset[str]:
    """The OpenAI parameters persona forwards by name that `model`'s provider does not take:
    litellm leaves them out of the call (`drop_params`), so the trace must say so. Empty when
    litellm has no list for the provider (a custom one such as the local model)."""
    if model_spec(model).is_local:
        return frozenset()
    litellm = load_litellm()
    try:
        name, provider, _, _ = litellm.get_llm_provider(model)
        supported = litellm.get_supported_openai_params(model=name, custom_llm_provider=provider)
    except Exception:  # a model string litellm cannot place: it will say so when called
        return frozenset()
    if not supported:
        return frozenset()
    return frozenset(_PASSTHROUGH_NAMED - set(supported))


def split_extra(extra: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An app's extra parameters: (the ones litellm knows by name, the rest for the body)."""
    known = {k: v for k, v in extra.items() if k in _PASSTHROUGH_NAMED}
    unknown = {k: v for k, v in extra.items() if k not in _PASSTHROUGH_NAMED}
    return known, unknown


__all__ = ["split_extra", "unsupported_params"]
