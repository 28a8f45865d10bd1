"""A Responses API request as the engine's `ChatRequest`: items become chat messages, the
Responses parameters their Chat Completions equivalents; what persona cannot honour is a 400
naming the field."""

from __future__ import annotations

from typing import Any

from persona.errors import InvalidInput
from persona.types import AUTO_MODEL, ChatRequest
from persona.wire import end_user, message_text

# Responses fields with the same name and meaning in Chat Completions: forwarded as is
FORWARDED = (
    "parallel_tool_calls",
    "top_p",
    "metadata",
    "user",
    "safety_identifier",
    "service_tier",
    "prompt_cache_key",
    "seed",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "logit_bias",
)
# fields persona reads itself
OWN = (
    "model",
    "input",
    "instructions",
    "stream",
    "store",
    "previous_response_id",
    "tools",
    "tool_choice",
    "text",
    "reasoning",
    "max_output_tokens",
    "temperature",
    "truncation",
    "background",
    "persona_tier",
    "persona_session",
    "persona_memory",
)
REFUSED = {
    "conversation": "persona keeps conversations by previous_response_id; send that instead",
    "prompt": "persona has no stored prompt templates; send instructions and input instead",
    "include": "persona cannot produce extra output data; remove include",
    "max_tool_calls": "persona cannot cap built-in tool calls; remove max_tool_calls",
    "top_logprobs": "logprobs are available through POST /v1/chat/completions",
    "stream_options": "remove stream_options",
    "prompt_cache_retention": "remove prompt_cache_retention",
}
ROLES = ("user", "assistant", "system", "developer")


def _refuse(field: str, why: str) -> InvalidInput:
    return InvalidInput(f"{field} is not supported by persona: {why}", param=field)


def _text_part(where: str, part: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    kind = part.get("type") if isinstance(part, dict) else None
    if kind not in allowed:
        raise InvalidInput(
            f"{where} is a {kind!r} part, which persona cannot forward; "
            f"the parts this item may carry are: {', '.join(allowed)}",
            param=where,
        )
    assert isinstance(part, dict)
    if kind == "input_image":
        url = part.get("image_url")
        if not isinstance(url, str) or not url:
            raise _refuse(f"{where}.file_id", "send the image as image_url (a URL or data URL)")
        image: dict[str, Any] = {"url": url}
        if part.get("detail"):
            image["detail"] = part["detail"]
        return {"type": "image_url", "image_url": image}
    if kind == "input_file":
        if part.get("file_url"):
            raise _refuse(f"{where}.file_url", "send the file as file_data (a data URL) or file_id")
        file = {k: part[k] for k in ("file_data", "file_id", "filename") if part.get(k)}
        if not file.get("file_data") and not file.get("file_id"):
            raise InvalidInput(f"{where} needs file_data or file_id", param=where)
        return {"type": "file", "file": file}
    if kind == "input_audio":
        audio = part.get("input_audio")
        if not isinstance(audio, dict) or not audio.get("data"):
            raise InvalidInput(f"{where} needs input_audio {{data, format}}", param=where)
        return {"type": "input_audio", "input_audio": audio}
    if kind == "refusal":
        return {"type": "refusal", "refusal": str(part.get("refusal") or "")}
    return {"type": "text", "text": str(part.get("text") or "")}


def _message(where: str, item: dict[str, Any]) -> dict[str, Any]:
    role = item.get("role")
    if role not in ROLES:
        raise InvalidInput(
            f"{where} has role {role!r}; message roles are {', '.join(ROLES)}",
            param=f"{where}.role",
        )
    content = item.get("content")
    if isinstance(content, str):
        return {"role": role, "content": content}
    if not isinstance(content, list):
        raise InvalidInput(f"{where}.content must be a string or a list of parts", f"{where}")
    if role == "assistant":
        allowed: tuple[str, ...] = ("output_text", "refusal", "input_text")
    elif role == "user":
        allowed = ("input_text", "input_image", "input_file", "input_audio")
    else:
        allowed = ("input_text",)
    parts = [_text_part(f"{where}.content[{j}]", p, allowed) for j, p in enumerate(content)]
    if role != "user" and all(p["type"] == "text" for p in parts):
        return {"role": role, "content": "".join(p["text"] for p in parts)}
    if role == "assistant":
        text = "".join(p.get("text", "") for p in parts)
        refusal = "".join(p.get("refusal", "") for p in parts)
        message: dict[str, Any] = {"role": role, "content": text or None}
        if refusal:
            message["refusal"] = refusal
        return message
    return {"role": role, "content": parts}


def _tool_output(where: str, output: Any) -> str | list[dict[str, Any]]:
    if isinstance(output, str):
        return output
    if isinstance(output, list):
        return [_text_part(f"{where}[{j}]", p, ("input_text",)) for j, p in enumerate(output)]
    raise InvalidInput(f"{where} must be a string or a list of input_text parts", param=where)


def to_messages(items: list[Any], base: str = "input") -> list[dict[str, Any]]:
    """Responses input items as Chat Completions messages: function_call items become the
    assistant's tool_calls, function_call_output items tool messages."""
    out: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        where = f"{base}[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput(f"{where} must be an object", param=where)
        kind = item.get("type", "message")
        if kind == "message":
            out.append(_message(where, item))
        elif kind == "function_call":
            call = {
                "id": str(item.get("call_id") or ""),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""},
            }
            if not call["id"] or not isinstance(item.get("name"), str):
                raise InvalidInput(f"{where} needs call_id and name", param=where)
            last = out[-1] if out else None
            if last is not None and last["role"] == "assistant" and "tool_call_id" not in last:
                last.setdefault("content", None)
                last.setdefault("tool_calls", []).append(call)
            else:
                out.append({"role": "assistant", "content": None, "tool_calls": [call]})
        elif kind == "function_call_output":
            if not item.get("call_id"):
                raise InvalidInput(f"{where} needs call_id", param=f"{where}.call_id")
            out.append(
                {
                    "role": "tool",
                    "tool_call_id": str(item["call_id"]),
                    "content": _tool_output(f"{where}.output", item.get("output")),
                }
            )
        else:
            raise InvalidInput(
                f"{where} is a {kind!r} item, which persona cannot forward; input items may be "
                "message, function_call and function_call_output",
                param=f"{where}.type",
            )
    return out


def _tools(tools: Any) -> list[dict[str, Any]]:
    if not isinstance(tools, list):
        raise InvalidInput("tools must be a list", param="tools")
    out = []
    for i, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind != "function":
            raise _refuse(
                f"tools[{i}]",
                f"the {kind!r} tool is built into OpenAI; only function tools pass "
                "through persona (run the tool in your app and declare it as a function)",
            )
        fn = {k: tool[k] for k in ("name", "description", "parameters", "strict") if k in tool}
        out.append({"type": "function", "function": fn})
    return out


def _tool_choice(choice: Any) -> Any:
    if choice in ("auto", "none", "required"):
        return choice
    if isinstance(choice, dict) and choice.get("type") == "function" and choice.get("name"):
        return {"type": "function", "function": {"name": choice["name"]}}
    raise _refuse("tool_choice", "use 'auto', 'none', 'required' or a function")


def _response_format(text: Any) -> dict[str, Any] | None:
    if not isinstance(text, dict):
        raise InvalidInput("text must be an object", param="text")
    extra = set(text) - {"format", "verbosity"}
    if extra:
        raise _refuse(f"text.{sorted(extra)[0]}", "text takes format and verbosity")
    fmt = text.get("format")
    if fmt is None or fmt.get("type") == "text":
        return None
    if fmt.get("type") == "json_object":
        return {"type": "json_object"}
    if fmt.get("type") == "json_schema":
        keys = ("name", "schema", "strict", "description")
        return {"type": "json_schema", "json_schema": {k: fmt[k] for k in keys if k in fmt}}
    raise _refuse("text.format", "use text, json_object or json_schema")


def _check_refused(body: dict[str, Any]) -> None:
    for field, why in REFUSED.items():
        if body.get(field) not in (None, [], {}):
            raise _refuse(field, why)
    if body.get("background"):
        raise _refuse("background", "persona answers in the request; set background to false")
    if body.get("truncation") not in (None, "disabled", "auto"):
        raise _refuse("truncation", "use 'disabled' or 'auto'")
    reasoning = body.get("reasoning")
    if reasoning is not None:
        if not isinstance(reasoning, dict):
            raise InvalidInput("reasoning must be an object", param="reasoning")
        for key, value in reasoning.items():
            if key != "effort" and value is not None:
                raise _refuse(f"reasoning.{key}", "persona passes on reasoning.effort only")
    unknown = sorted(set(body) - set(OWN) - set(FORWARDED) - set(REFUSED))
    if unknown:
        raise InvalidInput(
            f"unknown field {unknown[0]!r}: it has no Chat Completions equivalent persona could "
            "forward; remove it",
            param=unknown[0],
        )


def to_request(
    body: dict[str, Any], header_user: str | None, history: list[dict[str, Any]]
) -> tuple[ChatRequest, list[dict[str, Any]]]:
    """The engine's request for a Responses body (after `history`, the stored conversation a
    previous_response_id continues), and this request's own input items as stored."""
    _check_refused(body)
    raw_input = body.get("input")
    if isinstance(raw_input, str):
        items: list[dict[str, Any]] = [{"type": "message", "role": "user", "content": raw_input}]
    elif isinstance(raw_input, list) and raw_input:
        items = [dict(i) if isinstance(i, dict) else i for i in raw_input]
    else:
        raise InvalidInput("input must be a string or a non-empty list of items", param="input")
    messages = to_messages(history, "previous_response_id") + to_messages(items)
    instructions = body.get("instructions")
    if instructions:
        if not isinstance(instructions, str):
            raise InvalidInput("instructions must be a string", param="instructions")
        messages.insert(0, {"role": "system", "content": instructions})
    params = {k: body[k] for k in FORWARDED if body.get(k) is not None}
    if body.get("tools"):
        params["tools"] = _tools(body["tools"])
    if body.get("tool_choice") is not None:
        params["tool_choice"] = _tool_choice(body["tool_choice"])
    if body.get("text") is not None:
        fmt = _response_format(body["text"])
        if fmt is not None:
            params["response_format"] = fmt
        if body["text"].get("verbosity") is not None:
            params["verbosity"] = body["text"]["verbosity"]
    temperature = body.get("temperature")
    max_tokens = body.get("max_output_tokens")
    if temperature is not None and not (
        isinstance(temperature, int | float) and 0 <= temperature <= 2
    ):
        raise InvalidInput("temperature must be a number between 0 and 2", param="temperature")
    if max_tokens is not None and not (isinstance(max_tokens, int) and max_tokens >= 1):
        raise InvalidInput("max_output_tokens must be a positive integer", "max_output_tokens")
    tier = body.get("persona_tier")
    if tier not in (None, "fast", "reasoning"):
        raise InvalidInput("persona_tier must be 'fast' or 'reasoning'", param="persona_tier")
    request = ChatRequest(
        user=end_user(body, header_user),
        messages=[message_text(i, m) for i, m in enumerate(messages)],
        model=body.get("model") or AUTO_MODEL,
        session_id=body.get("persona_session"),
        temperature=temperature,
        max_tokens=max_tokens,
        tier=tier,
        stream=bool(body.get("stream")),
        reasoning_effort=(body.get("reasoning") or {}).get("effort"),
        params=params,
        record=body.get("store") is not False,
    )
    return request, items
