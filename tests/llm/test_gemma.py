"""Gemma's turn format and fitting a conversation into the context (no model needed)."""

from __future__ import annotations

from typing import Any

from persona.llm.gemma import fit, render, split


def test_system_and_developer_text_go_into_the_first_user_turn() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": "Be brief."},
        {"role": "developer", "content": "No emoji."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": [{"type": "text", "text": "Capital of France?"}]},
    ]
    system, turns = split(messages)
    assert render(system, turns) == (
        "<start_of_turn>user\nBe brief.\n\nNo emoji.\n\nHi<end_of_turn>\n"
        "<start_of_turn>model\nHello!<end_of_turn>\n"
        "<start_of_turn>user\nCapital of France?<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_consecutive_turns_of_one_role_are_joined_and_a_lone_system_becomes_user() -> None:
    assert render("", [("user", "a"), ("user", "b")]) == (
        "<start_of_turn>user\na\n\nb<end_of_turn>\n<start_of_turn>model\n"
    )
    assert render("Only rules.", []) == (
        "<start_of_turn>user\nOnly rules.<end_of_turn>\n<start_of_turn>model\n"
    )


def test_fit_drops_the_oldest_turns_but_keeps_system_and_the_last_message() -> None:
    messages = [
        {"role": "system", "content": "Rules."},
        {"role": "user", "content": "one " * 50},
        {"role": "assistant", "content": "two " * 50},
        {"role": "user", "content": "three"},
    ]

    def count(text: str) -> int:
        return len(text.split())

    prompt, dropped = fit(messages, count, budget=20)
    assert (prompt, dropped) == (
        "<start_of_turn>user\nRules.\n\nthree<end_of_turn>\n<start_of_turn>model\n",
        2,
    )
    assert fit(messages, count, budget=1000) == (render(*split(messages)), 0)
