"""Shared fixtures for router tests: the real embedder and the shipped router."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from persona.embed import get_embedder
from persona.route import Router


@pytest.fixture(scope="session")
def router() -> Router:
    """The router with the shipped weights."""
    return Router.load()


@pytest.fixture(scope="session")
def embed() -> Callable[[str], NDArray[np.float32]]:
    """Embed one message with the real bundled MiniLM model."""
    embedder = get_embedder()
    return lambda text: embedder.embed([text])[0]
