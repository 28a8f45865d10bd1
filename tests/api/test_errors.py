"""Client mistakes get the right 4xx and an OpenAI-format error body, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.api.conftest import LiveServer


@pytest.fixture
def srv(live_server: Callable[..., LiveServer]) -> LiveServer:
    # no request in this module may reach a model: a gateway that is never called
    return live_server(gateway=object())


def _post(srv: LiveServer, body: object, key: str | None = "valid", **kw: object) -> httpx.Response:
    headers = (
        {} if key is None else {"Authorization": f"Bearer {srv.api_key if key == 'valid' else key}"}
    )
    if isinstance(body, str | bytes):
        return httpx.post(
            f"{srv.url}/v1/chat/completions",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
            **kw,  # type: ignore[arg-type]
        )
    return httpx.post(f"{srv.url}/v1/chat/completions", json=body, headers=headers, **kw)  # type: ignore[arg-type]


HI = {"model": "persona/auto", "user": "alice", "messages": [{"role": "user", "content": "hi"}]}


def _err(message: str, kind: str, code: str | None, param: str | None = None) -> dict[str, object]:
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


def test_missing_api_key(srv: LiveServer) -> None:
    r = _post(srv, HI, key=None)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert r.json() == _err(
        "missing API key: send it as 'Authorization: Bearer <key>'",
        "authentication_error",
        "invalid_api_key",
    )


def test_wrong_api_key(srv: LiveServer) -> None:
    r = _post(srv, HI, key="psn_nope")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "invalid_api_key"
    assert "invalid API key" in r.json()["error"]["message"]


def test_malformed_json(srv: LiveServer) -> None:
    r = _post(srv, '{"model": "persona/auto", "messages": [')
    assert r.status_code == 400
    assert r.json() == _err(
        "the request body is not valid JSON", "invalid_request_error", "invalid_request", None
    )


def test_missing_messages(srv: LiveServer) -> None:
    r = _post(srv, {"model": "persona/auto", "user": "alice"})
    assert r.status_code == 400
    assert r.json() == _err(
        "messages: Field required", "invalid_request_error", "invalid_request", "messages"
    )


def test_empty_messages(srv: LiveServer) -> None:
    r = _post(srv, {**HI, "messages": []})
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "messages"


def test_unknown_role(srv: LiveServer) -> None:
    r = _post(srv, {**HI, "messages": [{"role": "wizard", "content": "hi"}]})
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "messages[0].role"
    assert "system, developer, user, assistant and tool" in r.json()["error"]["message"]


def test_last_message_must_be_from_the_user(srv: LiveServer) -> None:
    r = _post(srv, {**HI, "messages": [{"role": "assistant", "content": "hello"}]})
    assert r.status_code == 400
    assert r.json() == _err(
        "the last message has role 'assistant'; it must be 'user' or 'tool'",
        "invalid_request_error",
        "invalid_request",
        "messages",
    )


def test_empty_user_message(srv: LiveServer) -> None:
    r = _post(srv, {**HI, "messages": [{"role": "user", "content": "   "}]})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "the last user message is empty"


def test_oversize_message(live_server: Callable[..., LiveServer]) -> None:
    srv = live_server(gateway=object(), max_message_chars=100)
    r = _post(srv, {**HI, "messages": [{"role": "user", "content": "x" * 101}]})
    assert r.status_code == 400
    assert r.json() == _err(
        "messages[0] is 101 characters long; the limit is 100",
        "invalid_request_error",
        "invalid_request",
        "messages[0].content",
    )


def test_oversize_body(live_server: Callable[..., LiveServer]) -> None:
    srv = live_server(gateway=object(), max_request_bytes=1000)
    r = _post(srv, {**HI, "messages": [{"role": "user", "content": "x" * 2000}]})
    assert r.status_code == 413
    size = len(r.request.content)
    assert r.json() == _err(
        f"request body is {size} bytes; the limit is 1000", "invalid_request_error",
        "request_too_large",
    )  # fmt: skip


def _chunked(body: bytes, size: int = 100) -> Iterator[bytes]:
    # a generator body makes httpx send Transfer-Encoding: chunked, with no Content-Length
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_oversize_chunked_body_without_a_length(live_server: Callable[..., LiveServer]) -> None:
    srv = live_server(gateway=object(), max_request_bytes=1000)
    body = json.dumps({**HI, "messages": [{"role": "user", "content": "x" * 2000}]}).encode()
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        content=_chunked(body),
        headers={"Authorization": f"Bearer {srv.api_key}", "Content-Type": "application/json"},
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 413
    assert r.json() == _err(
        "request body is over 1000 bytes; the limit is 1000", "invalid_request_error",
        "request_too_large",
    )  # fmt: skip


def test_chunked_body_within_the_limit_is_read_whole(srv: LiveServer) -> None:
    body = json.dumps({**HI, "messages": [{"role": "user", "content": "   "}]}).encode()
    r = httpx.post(
        f"{srv.url}/v1/chat/completions",
        content=_chunked(body, size=7),
        headers={"Authorization": f"Bearer {srv.api_key}", "Content-Type": "application/json"},
    )
    assert r.status_code == 400  # the route parsed the reassembled JSON and validated it
    assert r.json()["error"]["message"] == "the last user message is empty"


def test_too_many_messages(live_server: Callable[..., LiveServer]) -> None:
    srv = live_server(gateway=object(), max_messages=2)
    msgs = [{"role": "user", "content": "a"}] * 3
    r = _post(srv, {**HI, "messages": msgs})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "too many messages: 3 (the limit is 2)"


def test_unknown_model(srv: LiveServer) -> None:
    r = _post(srv, {**HI, "model": "gpt-9"})
    assert r.status_code == 404
    assert r.json() == _err(
        "the model 'gpt-9' does not exist; use one of: persona/auto, persona/fast, "
        "persona/reasoning",
        "not_found_error",
        "not_found",
    )


def test_missing_user(srv: LiveServer) -> None:
    body = {k: v for k, v in HI.items() if k != "user"}
    r = _post(srv, body)
    assert r.status_code == 400
    assert r.json() == _err(
        "no end user: set the 'user' or 'safety_identifier' field, 'metadata.user_id', "
        "or the X-Persona-User header",
        "invalid_request_error",
        "invalid_request",
        "user",
    )


def test_unknown_path_is_a_json_404(srv: LiveServer) -> None:
    r = httpx.get(f"{srv.url}/v1/nothing")
    assert r.status_code == 404
    message = r.json()["error"]["message"]
    assert r.json() == _err(message, "not_found_error", "not_found")
    assert message.startswith("no endpoint GET /v1/nothing; persona serves POST /v1/chat/")


def test_health_and_models(srv: LiveServer) -> None:
    assert httpx.get(f"{srv.url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{srv.url}/readyz").json() == {"status": "ready", "database": "sqlite"}
    r = httpx.get(f"{srv.url}/v1/models", headers={"Authorization": f"Bearer {srv.api_key}"})
    assert [m["id"] for m in r.json()["data"]] == [
        "persona/auto",
        "persona/fast",
        "persona/reasoning",
    ]
    assert httpx.get(f"{srv.url}/openapi.json").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_null_profile_field_means_its_default(srv: LiveServer, method: str) -> None:
    headers = {"Authorization": f"Bearer {srv.api_key}"}
    url = f"{srv.url}/v1/users/nina/profile"
    custom = {"about_you": "nurse", "personality": "candid", "traits": {"warmth": 4}}
    custom |= {"ambiguity": "proceed", "route_preference": "prefer_fast", "response_style": "brief"}
    assert httpx.put(url, json=custom, headers=headers).status_code == 200
    nulls = dict.fromkeys(custom)
    r = getattr(httpx, method)(url, json=nulls, headers=headers)
    assert r.status_code == 200, r.text
    fields = list(custom)
    fresh = httpx.put(f"{srv.url}/v1/users/fresh/profile", json={}, headers=headers).json()
    assert {f: r.json()[f] for f in fields} == {f: fresh[f] for f in fields}
    assert r.json()["personality"] != "candid"
