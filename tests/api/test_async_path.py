"""The REST chat path holds no engine thread while the model answers: with one engine thread,
two requests to a slow model are both at the provider at once (JSON and SSE)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx
import pytest

from tests.api.conftest import FAST, LiveServer, in_front_of
from tests.fakes.provider import FakeProvider, hang


@pytest.fixture
def srv(live_server: Callable[..., LiveServer], fake_provider: FakeProvider) -> LiveServer:
    return in_front_of(fake_provider, live_server, engine_threads=1)


def _chat_requests(fake: FakeProvider) -> int:
    return sum(1 for r in fake.requests if r.path.rstrip("/").endswith("/chat/completions"))


@pytest.mark.parametrize("stream", [False, True])
def test_a_slow_model_holds_no_engine_thread(
    srv: LiveServer, fake_provider: FakeProvider, stream: bool
) -> None:
    statuses: list[int] = []

    def send(user: str) -> None:
        body = {
            "model": "persona/fast",
            "messages": [{"role": "user", "content": "hello there"}],
            "user": user,
            "stream": stream,
        }
        headers = {"Authorization": f"Bearer {srv.api_key}"}
        with httpx.Client(timeout=30) as client:
            reply = client.post(f"{srv.url}/v1/chat/completions", json=body, headers=headers)
            statuses.append(reply.status_code)

    send("warm-up")  # the first call of a process imports litellm
    fake_provider.script(hang(3.0), hang(3.0), model=FAST)
    seen = _chat_requests(fake_provider)
    threads = [threading.Thread(target=send, args=(f"u{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    # both reach the provider while the first still waits on it (3 s): had the model call held
    # the one engine thread, the second would arrive only after the first was answered
    deadline = time.monotonic() + 2.5
    while _chat_requests(fake_provider) < seen + 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _chat_requests(fake_provider) == seen + 2
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200, 200, 200]
