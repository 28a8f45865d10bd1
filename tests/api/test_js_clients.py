"""The official JavaScript `openai` package and the Vercel AI SDK (`ai`, `@ai-sdk/openai`) from
npm against a live `persona serve`: text, streaming and a tool call, through the Responses API
and Chat Completions. Needs node and `npm ci` in tests/api/js (skipped without; required in CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.api.conftest import LiveServer
from tests.fakes.provider import FakeProvider, ok, tool_call

JS_DIR = Path(__file__).parent / "js"
FAST = "openai/fast-fake"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.mark.parametrize(
    ("script", "greeting", "package"),
    [
        ("openai_client.mjs", "hello from js", "openai"),
        ("vercel_client.mjs", "hello from vercel", "ai"),
    ],
)
def test_js_client(
    live_server: Callable[..., LiveServer],
    fake_provider: FakeProvider,
    script: str,
    greeting: str,
    package: str,
) -> None:
    _require(shutil.which("node") is not None, "node is not installed")
    _require(
        (JS_DIR / "node_modules" / package).is_dir(),
        f"{package} is not installed: run `npm ci` in tests/api/js",
    )
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    srv = live_server(fast_model=FAST, model_endpoints={FAST: endpoint}, max_retries=0)
    fake_provider.script(
        ok(greeting),
        ok("one two three"),
        tool_call(("call_r", "get_weather", {"city": "Rome"})),
        ok("chat ok"),
    )
    env = {**os.environ, "PERSONA_URL": srv.url, "PERSONA_KEY": srv.api_key}
    proc = subprocess.run(
        ["node", script], cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "ok"
    bodies = [r.body for r in fake_provider.requests]
    assert len(bodies) == 4
    assert [b.get("stream", False) for b in bodies] == [False, True, False, False]
    assert bodies[2]["tools"][0]["function"]["name"] == "get_weather"
    assert all(b["messages"][-1]["role"] == "user" for b in bodies)
