"""Fakes for what lives outside persona (a model provider), and their pytest fixtures.

Use the fixtures by adding `pytest_plugins = ["tests.fakes"]` to `tests/conftest.py`
(or importing `fake_provider` into a conftest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.provider import FakeProvider


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    """A running fake OpenAI-compatible provider on loopback, stopped after the test."""
    with FakeProvider() as fake:
        yield fake
