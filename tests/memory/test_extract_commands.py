"""Explicit commands: remember, forget, "I no longer", "that's no longer true"."""

from __future__ import annotations

import pytest

from persona.memory.extract import Candidate, parse_commands


@pytest.mark.parametrize(
    ("message", "candidates", "remaining"),
    [
        (
            "Remember that I live in Paris",
            [Candidate("fact", "Lives in Paris", "location", "Paris", 0.8)],
            "",
        ),
        (
            "please remember to always answer in French",
            [Candidate("instruction", "Always answer in French", None, None, 0.8)],
            "",
        ),
        (
            "Remember that my locker code is 4711",
            [Candidate("fact", "Their locker code is 4711", None, None, 0.8)],
            "",
        ),
        (
            "Can you remember that I like tea?",
            [Candidate("preference", "Likes tea", "opinion:tea", "tea", 0.8)],
            "",
        ),
        (
            "Forget that I live in Paris.",
            [Candidate("fact", "Lives in Paris", "location", "Paris", 0.8, op="forget")],
            "",
        ),
        ("forget my job", [Candidate("fact", "my job", "job", None, op="forget")], ""),
        (
            "Forget where I live",
            [Candidate("fact", "where I live", "location", None, op="forget")],
            "",
        ),
        (
            "forget about my locker code",
            [Candidate("fact", "Their locker code", None, None, op="forget")],
            "",
        ),
        (
            "That's no longer true.",
            [Candidate("fact", "", None, None, op="invalidate_previous")],
            "",
        ),
        (
            "It is not the case anymore, I'm vegan now.",
            [Candidate("fact", "", None, None, op="invalidate_previous")],
            "I'm vegan now.",
        ),
        (
            "I no longer live in Paris, I moved to Berlin.",
            [Candidate("fact", "Lives in Paris", "location", "Paris", 0.8, op="forget")],
            "I moved to Berlin.",
        ),
        (
            "I'm no longer vegetarian",
            [Candidate("fact", "Is vegetarian", "diet", "vegetarian", 0.8, op="forget")],
            "",
        ),
        (
            "I don't like jazz anymore",
            [Candidate("preference", "Likes jazz", "opinion:jazz", "jazz", 0.5, op="forget")],
            "",
        ),
        ("forget it, let's move on.", [], "forget it, let's move on."),
        ("Do I no longer live in Paris?", [], "Do I no longer live in Paris?"),
        ("I'm vegetarian and I live in Paris", [], "I'm vegetarian, I live in Paris."),
    ],
)
def test_commands(message: str, candidates: list[Candidate], remaining: str) -> None:
    parsed = parse_commands(message)
    assert (parsed.candidates, parsed.remaining) == (candidates, remaining)
