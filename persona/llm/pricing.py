"""What a model call cost, from litellm's price map (fixed at import)."""

from __future__ import annotations

from typing import Any

from persona.llm.registry import load_litellm
from persona.llm.spec import model_spec
from persona.llm.types import Usage

_UNPRICED: set[str] = set()  # models litellm's price map does not know


def cost(model: str, usage: Usage) -> float | None:
    """Dollar cost of `usage` on `model`; 0 for the local model, None when it has no price."""
    if model_spec(model).is_local:
        return 0.0
    if model in _UNPRICED:
        return None
    litellm = load_litellm()
    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=model,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
        )
    except Exception:  # a model litellm has no price for: it will not gain one while we run
        _UNPRICED.add(model)
        return None
    return float(prompt_cost + completion_cost)


def priced(response: Any, model: str, usage: Usage) -> float | None:
    """The cost litellm already put on a completion (`_hidden_params.response_cost`, from the
    same map), else `cost`: the price is looked up once per call."""
    hidden = getattr(response, "_hidden_params", None)
    stamped = hidden.get("response_cost") if isinstance(hidden, dict) else None
    if isinstance(stamped, (int, float)) and not model_spec(model).is_local:
        return float(stamped)
    return cost(model, usage)
