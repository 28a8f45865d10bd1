"""Fixtures of the SDK tests: a real server on loopback (`live_server`) and the fake upstream."""

from __future__ import annotations

from tests.api.conftest import live_server

__all__ = ["live_server"]
