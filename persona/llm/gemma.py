"""Gemma's chat turn format for a base model, and fitting a conversation into its context."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

START = "<start_of_turn>"
END = "<end_of_turn>"
STOP_SEQUENCES = [END, START]

_ROLES = {"user": "user", "assistant": "model", "model": "model", "tool": "user"}


def content_text(content: Any) -> str:
    """The text of an OpenAI message content: a string or a list of `{"type": "text"}` parts."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = [
        p.get("text", "") for p in content if isinstance(p, Mapping) and p.get("type") == "text"
    ]
    return "\n".join(str(p) for p in parts)


def split(messages: Sequence[Mapping[str, Any]]) -> tuple[str, list[tuple[str, str]]]:
    """The system/developer text, and the conversation as `(user|model, text)` turns."""
    system: list[str] = []
    turns: list[tuple[str, str]] = []
    for message in messages:
        role = str(message.get("role", "user"))
        text = content_text(message.get("content")).strip()
        if role in {"system", "developer"}:
            if text:
                system.append(text)
            continue
        turns.append((_ROLES.get(role, "user"), text))
    return "\n\n".join(system), turns


def render(system: str, turns: Sequence[tuple[str, str]]) -> str:
    """The prompt: turns in Gemma's format, system text inside the first user turn."""
    merged: list[tuple[str, str]] = []
    for role, text in turns:
        if merged and merged[-1][0] == role:  # Gemma alternates; join consecutive same-role turns
            merged[-1] = (role, f"{merged[-1][1]}\n\n{text}")
        else:
            merged.append((role, text))
    if system:
        if merged and merged[0][0] == "user":
            merged[0] = ("user", f"{system}\n\n{merged[0][1]}".strip())
        else:
            merged.insert(0, ("user", system))
    body = "".join(f"{START}{role}\n{text}{END}\n" for role, text in merged)
    return f"{body}{START}model\n"


def fit(
    messages: Sequence[Mapping[str, Any]], count: Callable[[str], int], budget: int
) -> tuple[str, int]:
    """Render, dropping the oldest turns until the prompt has at most `budget` tokens.

    The system text and the last turn are always kept; returns the prompt and how many
    turns were dropped (the caller cuts tokens if even that is too long).
    """
    system, turns = split(messages)
    dropped = 0
    prompt = render(system, turns)
    while len(turns) > 1 and count(prompt) > budget:
        turns.pop(0)
        dropped += 1
        while len(turns) > 1 and turns[0][0] == "model":  # a conversation starts with the user
            turns.pop(0)
            dropped += 1
        prompt = render(system, turns)
    return prompt, dropped
