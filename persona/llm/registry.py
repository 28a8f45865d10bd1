"""Loading litellm quietly and registering persona's built-in providers with it."""

from __future__ import annotations

import logging
import os
import threading
from types import ModuleType

from persona.config import Settings

_lock = threading.Lock()
_litellm: ModuleType | None = None

LOCAL_PROVIDER = "local"


def load_litellm() -> ModuleType:
    """Import litellm once, offline and silent (no cost-map download, no telemetry, no banners)."""
    global _litellm
    with _lock:
        if _litellm is None:
            # without this, importing litellm fetches the model price map from GitHub
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            os.environ.setdefault("LITELLM_LOG", "ERROR")
            import litellm

            litellm.suppress_debug_info = True
            litellm.telemetry = False
            litellm.turn_off_message_logging = True
            for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "litellm"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
            _litellm = litellm
        return _litellm


def register_local_provider(settings: Settings) -> None:
    """Make `local/<name>` models resolve to the in-process llama.cpp handler for `settings`.

    The handler is registered once; later calls only update the settings it loads with.
    """
    litellm = load_litellm()
    from persona.llm.local import LocalLLM

    with _lock:
        for item in litellm.custom_provider_map:
            handler = item["custom_handler"]
            if item["provider"] == LOCAL_PROVIDER and isinstance(handler, LocalLLM):
                handler.configure(settings)
                return
        handler = LocalLLM(settings)
        litellm.custom_provider_map.append({"provider": LOCAL_PROVIDER, "custom_handler": handler})
        # litellm reads the map into its provider list lazily; do it now so the first call works
        from litellm.utils import custom_llm_setup

        custom_llm_setup()  # type: ignore[no-untyped-call]
