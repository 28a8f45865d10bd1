"""Without llama-cpp-python the local model fails with an install hint, not a provider error."""

from __future__ import annotations

import sys

import pytest

from persona.config import get_settings
from persona.errors import DependencyMissing
from persona.llm.gateway import Gateway


def test_missing_llama_cpp_gives_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # makes `import llama_cpp` fail
    with pytest.raises(DependencyMissing) as caught:
        Gateway(get_settings()).complete(
            [{"role": "user", "content": "hi"}], model="local/gemma-3-270m"
        )
    assert caught.value.message == (
        "the local model needs llama-cpp-python: pip install 'persona[local]'"
    )
