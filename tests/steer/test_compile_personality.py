"""Personality presets, trait levels and the ambiguity policy."""

from __future__ import annotations

from typing import Any

import pytest

from persona.errors import InvalidInput
from persona.steer.personality import (
    AMBIGUITY_POLICIES,
    PRESETS,
    ambiguity_directive,
    normalise_traits,
    personality_directive,
    trait_directives,
    validate_profile_text,
)

REQUIRED = [
    "default",
    "professional",
    "friendly",
    "candid",
    "quirky",
    "efficient",
    "nerdy",
    "cynical",
]


def test_every_required_preset_is_a_directive_of_two_to_four_sentences() -> None:
    assert list(PRESETS) == REQUIRED
    for name, text in PRESETS.items():
        sentences = [s for s in text.replace("!", ".").split(". ") if s.strip()]
        assert 2 <= len(sentences) <= 4, (name, sentences)
        assert text.startswith("You are "), name


def test_presets_are_distinct_and_case_insensitive() -> None:
    assert len(set(PRESETS.values())) == len(PRESETS)
    assert personality_directive("  Candid ") == PRESETS["candid"]


def test_trait_levels_accept_numbers_and_names() -> None:
    assert normalise_traits(
        {"warmth": 0, "enthusiasm": "low", "verbosity": "medium", "emoji": "high", "formality": 4}
    ) == {
        "warmth": 0,
        "enthusiasm": 1,
        "verbosity": 2,
        "emoji": 3,
        "formality": 4,
    }


def test_trait_directives_skip_medium_and_follow_trait_order() -> None:
    assert trait_directives({"emoji": 0, "verbosity": 2, "warmth": 4}) == [
        "Be very warm and caring; show genuine empathy and encouragement.",
        "Never use emoji.",
    ]


@pytest.mark.parametrize(
    ("traits", "message"),
    [
        (
            {"humour": 2},
            "unknown trait 'humour'; traits are: warmth, enthusiasm, verbosity, formality, emoji",
        ),
        ({"warmth": 5}, "trait 'warmth' must be 0..4 or low/medium/high, not 5"),
        ({"warmth": -1}, "trait 'warmth' must be 0..4 or low/medium/high, not -1"),
        ({"warmth": "very"}, "trait 'warmth' must be 0..4 or low/medium/high, not 'very'"),
        ({"warmth": True}, "trait 'warmth' must be 0..4 or low/medium/high, not True"),
        ({"warmth": 2.5}, "trait 'warmth' must be 0..4 or low/medium/high, not 2.5"),
    ],
)
def test_invalid_traits_are_refused(traits: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        normalise_traits(traits)
    assert (info.value.message, info.value.param) == (message, "traits")


def test_ambiguity_policies() -> None:
    assert list(AMBIGUITY_POLICIES) == ["ask", "proceed"]
    assert ambiguity_directive("ASK") == AMBIGUITY_POLICIES["ask"]
    assert "clarifying question" in AMBIGUITY_POLICIES["ask"]
    assert "state the assumption" in AMBIGUITY_POLICIES["proceed"]


def test_profile_text_limits_are_inclusive() -> None:
    validate_profile_text("a" * 1500, "b" * 1500)
    with pytest.raises(InvalidInput) as info:
        validate_profile_text("a" * 1500, "b" * 1501)
    assert (info.value.message, info.value.param) == (
        "response_style is 1501 characters; the limit is 1500",
        "response_style",
    )
