"""The model gateway: litellm with retries and fallbacks, plus the in-process local model.

Importing this package is cheap; litellm and llama-cpp load on first use.
"""

from __future__ import annotations

from persona.llm.types import ChatResult, StreamChunk, Usage

__all__ = ["ChatResult", "StreamChunk", "Usage"]
