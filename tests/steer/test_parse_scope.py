"""Scope of a parsed preference (standing / one-off / none) and free-text standing instructions."""

from __future__ import annotations

import pytest

from persona.steer.parse import ParseResult, parse_preferences
from persona.steer.types import Constraint

LOWER = {"id": "change_case:english_lowercase", "kwargs": {}}


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("reply in lowercase", "one_off"),
        ("from now on reply in lowercase", "standing"),
        ("always reply in lowercase", "standing"),
        ("going forward, reply in lowercase", "standing"),
        ("In all your replies use lowercase", "standing"),
        ("stop using capital letters", "standing"),
        ("don't ever use capital letters", "standing"),
        ("reply in lowercase just this once", "one_off"),
        ("for this answer, use lowercase only", "one_off"),
        ("write a haiku about rain in all lowercase", "one_off"),
    ],
)
def test_scope_of_a_lowercase_request(text: str, scope: str) -> None:
    assert parse_preferences(text).as_dict() == {"constraints": [LOWER], "scope": scope}


def test_standing_preference_with_two_constraints() -> None:
    text = "from now on never use capital letters and don't ask me follow-up questions"
    result = parse_preferences(text)
    assert result == ParseResult(
        constraints=[
            Constraint(id="change_case:english_lowercase", source="chat"),
            Constraint(id="style:no_follow_up_questions", source="chat"),
        ],
        scope="standing",
        instructions=[],
    )


def test_each_constraint_carries_its_own_duration() -> None:
    text = "From now on, reply in lowercase. Also, answer this one in French."
    assert parse_preferences(text) == ParseResult(
        constraints=[
            Constraint(id="change_case:english_lowercase", source="chat"),
            Constraint(
                id="language:response_language", kwargs={"language": "fr"}, source="one_off"
            ),
        ],
        scope="standing",
        instructions=[],
    )


def test_a_standing_lead_in_covers_the_list_after_it() -> None:
    text = "From now on, please follow these rules:\n- no capitals\n- no commas"
    assert parse_preferences(text) == ParseResult(
        constraints=[
            Constraint(id="change_case:english_lowercase", source="chat"),
            Constraint(id="punctuation:no_comma", source="chat"),
        ],
        scope="standing",
        instructions=[],
    )


def test_a_standing_word_in_another_sentence_does_not_carry() -> None:
    result = parse_preferences("She never calls me back. Reply in lowercase.")
    assert result == ParseResult(
        constraints=[Constraint(id="change_case:english_lowercase", source="one_off")],
        scope="one_off",
        instructions=[],
    )


def test_task_with_requirements_is_one_off() -> None:
    text = 'Write a poem about the sea. Do not use any commas and end it with the phrase "Fin."'
    assert parse_preferences(text).as_dict() == {
        "constraints": [
            {"id": "punctuation:no_comma", "kwargs": {}},
            {"id": "startend:end_checker", "kwargs": {"end_phrase": "Fin."}},
        ],
        "scope": "one_off",
    }


@pytest.mark.parametrize(
    ("text", "instructions"),
    [
        ("from now on, be more concise", ["Be more concise"]),
        ("Always call me Sam.", ["Always call me Sam"]),
        ("going forward, explain things like I'm five", ["Explain things like I'm five"]),
        ("Never be sarcastic with me.", ["Never be sarcastic with me"]),
        ("Could you write shorter answers from now on?", ["Write shorter answers"]),
    ],
)
def test_standing_free_text_instruction(text: str, instructions: list[str]) -> None:
    assert parse_preferences(text) == ParseResult(
        constraints=[], scope="standing", instructions=instructions
    )


@pytest.mark.parametrize(
    "text",
    [
        "I always drink coffee in the morning.",
        "Do you ever stop to think about it?",
        "She never calls me back.",
        "I never use emojis myself, do you?",
    ],
)
def test_statements_with_standing_words_are_not_preferences(text: str) -> None:
    assert parse_preferences(text) == ParseResult(constraints=[], scope=None, instructions=[])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I want you to never use emojis", {"id": "style:no_emoji", "kwargs": {}}),
        (
            "I'd like all answers in Spanish from now on",
            {"id": "language:response_language", "kwargs": {"language": "es"}},
        ),
    ],
)
def test_first_person_requests_still_count(text: str, expected: dict[str, object]) -> None:
    assert parse_preferences(text).as_dict() == {"constraints": [expected], "scope": "standing"}


def test_no_more_than_is_inclusive() -> None:
    """'no more than 80' allows 80, so it maps to IFEval's strict 'less than' 81."""
    assert parse_preferences("no more than 80 words").as_dict() == {
        "constraints": [
            {
                "id": "length_constraints:number_words",
                "kwargs": {"relation": "less than", "num_words": 81},
            }
        ],
        "scope": "one_off",
    }
