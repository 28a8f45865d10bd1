"""Kwargs validation, rule descriptions and registering a third-party type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from persona.errors import InvalidInput
from persona.steer import (
    Constraint,
    ConstraintType,
    Param,
    Verdict,
    check,
    describe,
    make,
    register,
)
from persona.steer.registry import _REGISTRY, validate


@pytest.mark.parametrize(
    ("type_id", "kwargs", "message", "param"),
    [
        ("nope:nothing", {}, "unknown constraint id 'nope:nothing'", "id"),
        (
            "length_constraints:number_words",
            {"num_words": 5},
            "length_constraints:number_words: missing argument relation",
            "relation",
        ),
        (
            "length_constraints:number_words",
            {"num_words": 5, "relation": "at most"},
            "length_constraints:number_words: relation must be one of 'less than', 'at least', "
            "got 'at most'",
            "relation",
        ),
        (
            "length_constraints:number_words",
            {"num_words": "many", "relation": "at least"},
            "length_constraints:number_words: num_words must be an integer, got 'many'",
            "num_words",
        ),
        (
            "length_constraints:number_words",
            {"num_words": 0, "relation": "at least"},
            "length_constraints:number_words: num_words must be >= 1, got 0",
            "num_words",
        ),
        (
            "punctuation:no_comma",
            {"strict": True},
            "punctuation:no_comma: unknown argument(s) strict (allowed: none)",
            "strict",
        ),
        (
            "keywords:forbidden_words",
            {"forbidden_words": []},
            "keywords:forbidden_words: forbidden_words must be a non-empty list of strings",
            "forbidden_words",
        ),
        (
            "keywords:letter_frequency",
            {"letter": "ab", "let_frequency": 2, "let_relation": "at least"},
            "keywords:letter_frequency: letter must be one character, got 'ab'",
            "letter",
        ),
        (
            "length_constraints:nth_paragraph_first_word",
            {"num_paragraphs": 2, "nth_paragraph": 3, "first_word": "so"},
            "length_constraints:nth_paragraph_first_word: nth_paragraph (3) must not exceed "
            "num_paragraphs (2)",
            "nth_paragraph",
        ),
        (
            "style:formality",
            {"level": "stiff"},
            "style:formality: level must be one of 'formal', 'casual', got 'stiff'",
            "level",
        ),
        (
            "language:response_language",
            {"language": "xx"},
            None,
            "language",
        ),
    ],
)
def test_bad_kwargs_are_refused(
    type_id: str, kwargs: dict[str, Any], message: str | None, param: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        validate(Constraint(id=type_id, kwargs=kwargs))
    if message is not None:
        assert info.value.message == message
    assert info.value.param == param


def test_kwargs_are_normalised() -> None:
    assert make("language:response_language", language="ES").kwargs == {"language": "es"}
    assert make("length_constraints:number_words", num_words="80", relation="Less Than").kwargs == {
        "num_words": 80,
        "relation": "less than",
    }
    assert make("keywords:existence", keywords="budget").kwargs == {"keywords": ["budget"]}
    # IFEval's data spells absent kwargs as null
    assert validate(Constraint(id="punctuation:no_comma", kwargs={"x": None})).kwargs == {}


@pytest.mark.parametrize(
    ("constraint", "text"),
    [
        (
            make("change_case:english_lowercase"),
            "Write your entire reply in English and in lowercase letters; "
            "no capital letters at all.",
        ),
        (
            make("length_constraints:number_words", num_words=80, relation="less than"),
            "Your reply must contain fewer than 80 words.",
        ),
        (
            make("language:response_language", language="fr"),
            "Write your entire reply in French; no other language is allowed.",
        ),
        (
            make("startend:end_checker", end_phrase="Peace!"),
            'Finish your reply with this exact phrase: "Peace!". No other words may follow it.',
        ),
        (make("style:max_words", max_words=100), "Keep your reply to at most 100 words."),
    ],
)
def test_descriptions_state_the_rule_literally(constraint: Constraint, text: str) -> None:
    assert describe(constraint) == text


def test_third_party_type_registers_like_a_builtin() -> None:
    def no_x(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
        return Verdict(
            id="acme:no_x", passed="x" not in reply, detail="" if "x" not in reply else "has x"
        )

    ctype = ConstraintType(id="acme:no_x", params=(), describe=lambda kw: "No x.", check=no_x)
    register(ctype)
    try:
        assert check([make("acme:no_x")], "box") == [
            Verdict(id="acme:no_x", passed=False, detail="has x")
        ]
        with pytest.raises(ValueError, match="already registered"):
            register(ctype)
    finally:
        _REGISTRY.pop("acme:no_x")


def test_param_list_rejects_non_strings() -> None:
    with pytest.raises(InvalidInput) as info:
        Param("keywords", list).validate("keywords:existence", ["ok", 3])
    assert info.value.message == "keywords:existence: keywords must be a non-empty list of strings"
