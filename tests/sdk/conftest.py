"""Fixtures of the SDK tests: a real server on loopback (`live_server`), an in-process `Persona`
on a fresh SQLite file (`p`), and the app's own OpenAI client pointed at the fake upstream."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from persona import Persona
from tests.api.conftest import live_server
from tests.fakes.provider import FakeProvider

__all__ = ["live_server"]


@pytest.fixture
def p(sqlite_url: str) -> Iterator[Persona]:
    """An embedded `Persona` without re-asks."""
    with Persona(sqlite_url, reask=False) as instance:
        yield instance


@pytest.fixture
def upstream(fake_provider: FakeProvider) -> Iterator[openai.OpenAI]:
    """The app's `openai.OpenAI`, pointed at the fake provider, without retries."""
    with openai.OpenAI(base_url=fake_provider.url, api_key="sk-app", max_retries=0) as client:
        yield client
