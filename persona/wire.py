"""An OpenAI Chat Completions request as persona reads it: the few fields persona personalizes
(the end user, the text of the conversation, the model/tier) and the rest, carried as is.

One reading for every way a request arrives: the REST route (`POST /v1/chat/completions`) and
`persona.wrap(openai_client)` in-process, so both forward exactly the same parameters.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from persona.errors import InvalidInput
from persona.types import AUTO_MODEL, ChatMessage, ChatRequest

PART_TYPES = {
    "system": ("text",),
    "developer": ("text",),
    "user": ("text", "image_url", "input_audio", "file"),
    "assistant": ("text", "refusal"),
    "tool": ("text",),
}
# fields persona reads itself; everything else in the body is the app's, forwarded as is
OWN_FIELDS = (
    "model",
    "messages",
    "stream",
    "temperature",
    "max_tokens",
    "reasoning_effort",
    "persona_tier",
    "persona_session",
    "persona_memory",
)


def message_text(index: int, msg: Any) -> ChatMessage:
    """A client message as the engine takes it: its text parts, and the message as sent."""
    if not isinstance(msg, dict):
        raise InvalidInput(f"messages[{index}] must be an object", param=f"messages[{index}]")
    role = msg.get("role")
    if role not in PART_TYPES:
        raise InvalidInput(
            f"messages[{index}] has role {role!r}; Chat Completions roles are "
            "system, developer, user, assistant and tool",
            param=f"messages[{index}].role",
        )
    content = msg.get("content")
    if content is None or isinstance(content, str):
        text = content or ""
    elif isinstance(content, list):
        texts: list[str] = []
        for j, part in enumerate(content):
            kind = part.get("type") if isinstance(part, dict) else None
            if kind not in PART_TYPES[role]:
                raise InvalidInput(
                    f"messages[{index}].content[{j}] is a {kind!r} part, which a {role} message "
                    f"cannot carry; {role} content parts are: {', '.join(PART_TYPES[role])}",
                    param=f"messages[{index}].content",
                )
            if kind == "text":
                texts.append(str(part.get("text") or ""))
        text = "\n".join(texts)
    else:
        raise InvalidInput(
            f"messages[{index}].content must be a string, a list of content parts or null",
            param=f"messages[{index}].content",
        )
    if role == "tool" and not msg.get("tool_call_id"):
        raise InvalidInput(
            f"messages[{index}] is a tool message without tool_call_id",
            param=f"messages[{index}].tool_call_id",
        )
    return ChatMessage(role=role, content=text, raw=dict(msg))


class CompletionRequest(BaseModel):
    """A Chat Completions request: persona reads a few fields; the rest is forwarded as is."""

    model_config = ConfigDict(extra="allow")

    model: str = AUTO_MODEL
    messages: list[Any] = Field(min_length=1)
    stream: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1, le=32_000)
    reasoning_effort: str | None = None
    persona_tier: Literal["fast", "reasoning"] | None = None
    persona_session: str | None = Field(default=None, max_length=256)


def end_user(body: dict[str, Any], header_user: str | None) -> str:
    """The end user: `user`, `safety_identifier`, `metadata.user_id` or X-Persona-User."""
    metadata = body.get("metadata")
    candidates = [
        body.get("user"),
        body.get("safety_identifier"),
        metadata.get("user_id") if isinstance(metadata, dict) else None,
        header_user,
    ]
    for value in candidates:
        if isinstance(value, str) and value.strip():
            if len(value) > 256:
                raise InvalidInput("the end user id is longer than 256 characters", param="user")
            return value.strip()
    raise InvalidInput(
        "no end user: set the 'user' or 'safety_identifier' field, 'metadata.user_id', "
        "or the X-Persona-User header",
        param="user",
    )


def to_chat_request(body: CompletionRequest, header_user: str | None) -> ChatRequest:
    """The engine's request: what persona reads, and every other field in `params`.

    `header_user` is the end user given beside the body (the X-Persona-User header, or the
    `user` of `persona.wrap`); a user named in the body wins.
    """
    extra = dict(body.model_extra or {})
    user = end_user(extra, header_user)
    return ChatRequest(
        user=user,
        messages=[message_text(i, m) for i, m in enumerate(body.messages)],
        model=body.model,
        session_id=body.persona_session,
        temperature=body.temperature,
        max_tokens=body.max_tokens,
        tier=body.persona_tier,
        stream=body.stream,
        reasoning_effort=body.reasoning_effort,
        params={k: v for k, v in extra.items() if k not in OWN_FIELDS},
    )


def memory_controls(
    request: ChatRequest,
    body: dict[str, Any],
    header_mode: str | None = None,
    header_project: str | None = None,
) -> ChatRequest:
    """Temporary chat and project scope: `persona_memory` ("on" | "off" | "project") and
    `metadata.project` in the body, else the given header values."""
    meta = body.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    mode = body.get("persona_memory") or header_mode or "on"
    project = meta.get("project") or header_project
    if not isinstance(mode, str) or mode.strip().lower() not in ("on", "off", "project"):
        raise InvalidInput(
            "persona_memory (or X-Persona-Memory) must be 'on', 'off' or 'project'",
            param="persona_memory",
        )
    if project is not None and (not isinstance(project, str) or not 0 < len(project) <= 256):
        raise InvalidInput("metadata.project must be a string of 1-256 characters", "metadata")
    return request.model_copy(update={"memory": mode.strip().lower(), "project": project})
