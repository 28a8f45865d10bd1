"""`PersonaClient`: the same SDK surface as `Persona`, over HTTP against `persona serve`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from persona import errors
from persona.public import InstructionAdded, UserProfile
from persona.sdk import Chats
from persona.trace import Trace
from persona.types import ChatReply, ChatRequest

if TYPE_CHECKING:
    from persona.resources import HttpMemories
    from persona.steer.proposal_types import ProposalPublic, ProposalsPublic


def raise_for_error(response: httpx.Response) -> None:
    """Turn an error response into the matching `PersonaError` (see `errors.error_for`)."""
    if response.status_code < 400:
        return
    try:
        error = response.json()["error"]
        message, code = str(error["message"]), error.get("code")
    except (ValueError, KeyError, TypeError, AttributeError):
        message, code = response.text or f"HTTP {response.status_code}", None
    exc = errors.error_for(response.status_code, code, message)
    if isinstance(exc, errors.RateLimited | errors.ProviderRateLimited):
        retry = response.headers.get("retry-after")
        if retry is not None and retry.replace(".", "", 1).isdigit():
            exc.retry_after = float(retry)
    raise exc


def _payload(request: ChatRequest, stream: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": request.model,
        "user": request.user,
        "messages": [m.model_dump() for m in request.messages],
        "stream": stream,
    }
    for key, value in (
        ("temperature", request.temperature),
        ("max_tokens", request.max_tokens),
        ("persona_tier", request.tier),
        ("persona_session", request.session_id),
    ):
        if value is not None:
            body[key] = value
    if request.memory != "on":
        body["persona_memory"] = request.memory
    if request.project is not None:
        body["metadata"] = {"project": request.project}
    return body


def _reply(data: dict[str, Any], text: str, finish_reason: str | None) -> ChatReply:
    """The `ChatReply` of a completion, or of the stream's final chunk (which has the trace).

    Both carry the trace (`persona`): the id, model and usage are the trace's (the stored turn,
    the model that answered), as the in-process `Persona` reports them.
    """
    if not isinstance(data.get("persona"), dict):
        raise errors.PersonaError(
            "the server's reply has no trace ('persona'): not a persona server?"
        )
    trace = Trace.model_validate(data["persona"])
    return ChatReply(
        id=trace.turn_id or str(data["id"]).removeprefix("chatcmpl-"),
        reply=text,
        model=trace.model,  # the model that answered (a stream's chunks name the one asked for)
        tier=trace.tier,
        usage=trace.usage,
        trace=trace,
        finish_reason=finish_reason,
    )


def _completion_reply(data: dict[str, Any]) -> ChatReply:
    choice = data["choices"][0]
    return _reply(data, choice["message"].get("content") or "", choice.get("finish_reason"))


class PersonaClient(Chats):
    """HTTP client for a persona server: `PersonaClient(url, api_key).chat("alice", "hi")`."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8000",
        api_key: str | None = None,
        *,
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(
            base_url=base_url, headers=headers, timeout=timeout, transport=transport
        )

    def _answer(self, request: ChatRequest) -> ChatReply:
        response = self._http.post("/v1/chat/completions", json=_payload(request, False))
        raise_for_error(response)
        return _completion_reply(response.json())

    def _answer_stream(self, request: ChatRequest) -> Iterator[str | ChatReply]:
        """Text deltas, then the final `ChatReply` (from the chunk with the trace)."""
        parts: list[str] = []
        with self._http.stream(
            "POST", "/v1/chat/completions", json=_payload(request, True)
        ) as response:
            if response.status_code >= 400:
                response.read()
                raise_for_error(response)
            for line in response.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                event = json.loads(line[6:])
                if "error" in event:
                    raise errors.error_for(
                        502, event["error"].get("code"), event["error"]["message"]
                    )
                choices = event.get("choices") or []
                delta = (choices[0].get("delta") or {}).get("content") if choices else None
                if delta:
                    parts.append(delta)
                    yield delta
                if "persona" in event:  # the final chunk carries the trace
                    finish = choices[0].get("finish_reason") if choices else None
                    yield _reply(event, "".join(parts), finish)

    def memories(self, user: str) -> HttpMemories:
        """The user's memories: list, search, get, add, update, delete, history, export, purge."""
        from persona.resources import HttpMemories

        return HttpMemories(self._http, user, raise_for_error)

    def _user_call(self, method: str, user: str, path: str, **kw: Any) -> Any:
        response = self._http.request(method, f"/v1/users/{quote(user, safe='')}{path}", **kw)
        raise_for_error(response)
        return response.json()

    def profile(self, user: str) -> UserProfile:
        """The user's profile, constraints and standing instructions."""
        return UserProfile.model_validate(self._user_call("GET", user, "/profile"))

    def update_profile(self, user: str, **fields: Any) -> UserProfile:
        """Change profile fields (personality, traits, about_you, response_style ...)."""
        return UserProfile.model_validate(self._user_call("PATCH", user, "/profile", json=fields))

    def instruct(self, user: str, text: str) -> InstructionAdded:
        """Store a standing preference said in words ("never use capital letters")."""
        added = self._user_call("POST", user, "/instructions", json={"text": text})
        return InstructionAdded.model_validate(added)

    def remove_instruction(self, user: str, item_id: str) -> dict[str, Any]:
        """Remove a stored constraint (`c_...`) or instruction (`i_...`)."""
        out: dict[str, Any] = self._user_call("DELETE", user, f"/instructions/{quote(item_id)}")
        return out["removed"]  # type: ignore[no-any-return]

    def proposals(self, user: str, status: str | None = None) -> ProposalsPublic:
        """Constraints proposed from the user's messages (`status`: only those in that state)."""
        from persona.steer.proposal_types import ProposalsPublic

        params = {} if status is None else {"status": status}
        return ProposalsPublic.model_validate(
            self._user_call("GET", user, "/proposals", params=params)
        )

    def confirm_proposal(self, user: str, proposal_id: str) -> ProposalPublic:
        """Bring a proposed constraint (`p_...`) into force."""
        from persona.steer.proposal_types import ProposalPublic

        path = f"/proposals/{quote(proposal_id, safe='')}/confirm"
        return ProposalPublic.model_validate(self._user_call("POST", user, path))

    def reject_proposal(self, user: str, proposal_id: str) -> ProposalPublic:
        """Drop a proposed constraint (`p_...`) for good."""
        from persona.steer.proposal_types import ProposalPublic

        path = f"/proposals/{quote(proposal_id, safe='')}/reject"
        return ProposalPublic.model_validate(self._user_call("POST", user, path))

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> PersonaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
