"""Fixtures for the gateway tests: the fake provider and a gateway pointed at it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from persona.config import Settings
from persona.llm.gateway import Endpoint, Gateway
from tests.fakes import fake_provider  # noqa: F401  (fixture)
from tests.fakes.provider import FakeProvider, closed_url

FAST = {"max_retries": 2, "retry_backoff_s": 0.01, "request_timeout_s": 0.5}


@pytest.fixture(params=[True, False], ids=["direct", "litellm"])
def direct_wire(request: pytest.FixtureRequest) -> bool:
    """Each gateway test runs twice: the fake's models straight over the wire (their names are
    unknown to litellm: `persona.llm.direct`), and through litellm."""
    return bool(request.param)


@pytest.fixture
def make_gateway(fake_provider: FakeProvider, direct_wire: bool) -> Callable[..., Gateway]:  # noqa: F811
    """Build a gateway whose `openai/a`, `openai/b` live on the fake; `openai/down` refuses."""

    def make(**overrides: Any) -> Gateway:
        settings = Settings(**{**FAST, "direct_wire": direct_wire, **overrides})
        endpoints = {
            "openai/a": Endpoint(fake_provider.url, "sk-fake-a"),
            "openai/b": Endpoint(fake_provider.url, "sk-fake-b"),
            "openai/down": Endpoint(closed_url(), "sk-fake"),
        }
        return Gateway(settings, endpoints=endpoints)

    return make
