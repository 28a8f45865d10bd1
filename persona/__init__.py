"""persona: personalization and steerability middleware for LLM chat.

`persona.wrap(openai_client, user=...)` personalizes an app's own OpenAI client (in-process or
through a server); `Persona` runs in-process; `PersonaClient` talks to `persona serve` over HTTP.
Both expose `chat`, `achat` and `stream`. Everything in `__all__` is the public, supported surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from persona.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    PersonaError,
    ProviderError,
    ProviderTimeout,
    RateLimited,
    Unauthorized,
)

if TYPE_CHECKING:
    from persona.client import PersonaClient
    from persona.config import Settings
    from persona.public import HistoryEntry, MemoryPublic, ScoredMemory, UserProfile
    from persona.sdk import Persona
    from persona.trace import Trace
    from persona.types import ChatMessage, ChatReply, Usage
    from persona.wrapped import wrap

__all__ = [
    "ChatMessage",
    "ChatReply",
    "Conflict",
    "Forbidden",
    "HistoryEntry",
    "InvalidInput",
    "MemoryPublic",
    "NotFound",
    "Persona",
    "PersonaClient",
    "PersonaError",
    "ProviderError",
    "ProviderTimeout",
    "RateLimited",
    "ScoredMemory",
    "Settings",
    "Trace",
    "Unauthorized",
    "Usage",
    "UserProfile",
    "wrap",
]

_LAZY = {
    "HistoryEntry": "persona.public",
    "MemoryPublic": "persona.public",
    "ScoredMemory": "persona.public",
    "UserProfile": "persona.public",
    "ChatMessage": "persona.types",
    "ChatReply": "persona.types",
    "Usage": "persona.types",
    "Persona": "persona.sdk",
    "PersonaClient": "persona.client",
    "Settings": "persona.config",
    "Trace": "persona.trace",
    "wrap": "persona.wrapped",
}


def __getattr__(name: str) -> Any:
    # these pull in pydantic, httpx and sqlmodel; import them on first use so `persona --help`
    # and `import persona` stay fast
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'persona' has no attribute {name!r}")
