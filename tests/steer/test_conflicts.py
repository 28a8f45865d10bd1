"""The conflict table and refusing a conflicting set."""

from __future__ import annotations

import pytest

from persona.errors import Conflict
from persona.steer import Constraint, find_conflicts, make, validate_set


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        (
            make("change_case:english_lowercase"),
            make("change_case:english_capital"),
            "a reply cannot be all lowercase and all capitals",
        ),
        (
            make("change_case:english_lowercase"),
            make(
                "change_case:capital_word_frequency",
                capital_frequency=2,
                capital_relation="at least",
            ),
            "an all-lowercase reply has no all-capital words",
        ),
        (
            make("change_case:english_capital"),
            make("language:response_language", language="de"),
            "change_case:english_capital requires English, language:response_language requires de",
        ),
        (
            make("detectable_format:json_format"),
            make("detectable_content:postscript", postscript_marker="P.S."),
            "a reply that is only JSON cannot also have a postscript",
        ),
        (
            make("detectable_format:title"),
            make("detectable_format:json_format"),
            "a reply that is only JSON cannot also have a <<title>>",
        ),
        (
            make("length_constraints:number_words", num_words=50, relation="less than"),
            make("length_constraints:number_words", num_words=60, relation="at least"),
            "no count is both at least 60 and at most 49",
        ),
        (
            make("style:max_words", max_words=100),
            make("length_constraints:number_words", num_words=101, relation="at least"),
            "no count is both at least 101 and at most 100",
        ),
        (
            make("language:response_language", language="es"),
            make("language:response_language", language="fr"),
            "a reply cannot be in two languages",
        ),
        (
            make("style:formality", level="formal"),
            make("style:formality", level="casual"),
            "a reply cannot be both formal and casual",
        ),
        (
            make("startend:end_checker", end_phrase="Bye, now."),
            make("punctuation:no_comma"),
            "the text that startend:end_checker requires breaks punctuation:no_comma: 'Bye, now.'",
        ),
        (
            make("startend:end_checker", end_phrase="Anything else?"),
            make("style:no_follow_up_questions"),
            "the text that startend:end_checker requires breaks style:no_follow_up_questions: "
            "'Anything else?'",
        ),
        (
            make("keywords:existence", keywords=["cloud"]),
            make("keywords:forbidden_words", forbidden_words=["Cloud", "rain"]),
            "required and forbidden at once: cloud",
        ),
        (
            make("style:no_markdown"),
            make("detectable_format:number_highlighted_sections", num_highlights=1),
            "detectable_format:number_highlighted_sections needs markdown, which style:no_markdown "
            "forbids",
        ),
        (
            make("combination:repeat_prompt", prompt_to_repeat="Say hi."),
            make("startend:quotation"),
            "a reply cannot both start with the repeated request and with a quotation mark",
        ),
        (
            make("startend:end_checker", end_phrase="Bye."),
            make("startend:end_checker", end_phrase="Ciao."),
            "a reply cannot end with two different phrases",
        ),
    ],
)
def test_conflicting_pairs(a: Constraint, b: Constraint, reason: str) -> None:
    assert find_conflicts([a, b]) == [(a, b, reason)]


@pytest.mark.parametrize(
    "pair",
    [
        [make("change_case:english_lowercase"), make("punctuation:no_comma")],
        [
            make("length_constraints:number_words", num_words=50, relation="less than"),
            make("length_constraints:number_words", num_words=49, relation="at least"),
        ],
        [
            make("startend:end_checker", end_phrase="Bye now."),
            make("startend:end_checker", end_phrase="now."),
        ],
        [make("startend:quotation"), make("startend:end_checker", end_phrase="Bye.")],
        [make("style:no_markdown"), make("detectable_format:number_bullet_lists", num_bullets=0)],
        [
            make("keywords:frequency", keyword="cloud", frequency=1, relation="less than"),
            make("keywords:forbidden_words", forbidden_words=["cloud"]),
        ],
    ],
)
def test_compatible_pairs(pair: list[Constraint]) -> None:
    assert find_conflicts(pair) == []


def test_validate_set_refuses_with_every_clash_named() -> None:
    with pytest.raises(Conflict) as info:
        validate_set(
            [
                make("change_case:english_lowercase"),
                make("change_case:english_capital"),
                make("detectable_format:json_format"),
                make("startend:quotation"),
            ]
        )
    assert info.value.message == (
        "conflicting constraints: change_case:english_lowercase vs change_case:english_capital: "
        "a reply cannot be all lowercase and all capitals; detectable_format:json_format vs "
        "startend:quotation: a reply that is only JSON cannot also have quotation marks around "
        "the reply"
    )


def test_validate_set_returns_normalised_constraints() -> None:
    raw = [Constraint(id="style:max_words", kwargs={"max_words": "80"})]
    assert validate_set(raw) == [Constraint(id="style:max_words", kwargs={"max_words": 80})]
