"""The SDK's public surface is exactly `__all__`, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import persona


def test_all_is_the_public_surface() -> None:
    assert sorted(persona.__all__) == [
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
    for name in persona.__all__:
        assert getattr(persona, name).__name__ == name


def test_import_and_help_do_not_load_heavy_libraries() -> None:
    code = (
        "import sys, persona, persona.cli; persona.cli.build_parser(); "
        "heavy = {'torch', 'litellm', 'sentence_transformers', 'faiss', 'llama_cpp', 'fastapi'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
