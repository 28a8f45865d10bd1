"""Plain results of a model call: what the gateway hands back, independent of litellm."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts of one call, as the provider reported them (or as counted locally)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class ChatResult:
    """One finished completion.

    `model` is the model that actually answered (after any fallback); `attempts` lists every
    failed attempt before it as ``{"model", "error", "status", "ms"}``.
    """

    text: str
    model: str
    usage: Usage
    cost_usd: float | None
    latency_ms: float
    attempts: list[dict[str, Any]] = field(default_factory=list)
    reasoning: str | None = None
    finish_reason: str | None = None
    raw: dict[str, Any] | None = field(default=None, compare=False)  # as litellm returned it


@dataclass(frozen=True)
class StreamChunk:
    """One piece of a streamed reply; `raw` is the provider chunk (tool calls, logprobs...)."""

    delta: str
    raw: dict[str, Any] | None = field(default=None, compare=False)
