"""The model gateway: litellm with retries and fallbacks, plus the in-process local model.

Importing this package is cheap; litellm and llama-cpp load on first use.
"""

from __future__ import annotations

import os

from persona.llm.types import ChatResult, StreamChunk, Usage

# before anything here imports litellm: otherwise its import fetches the price map from GitHub
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

__all__ = ["ChatResult", "StreamChunk", "Usage"]
