"""Lossless repairs: each output passes its checker and differs from the input only as stated."""

from __future__ import annotations

from typing import Any

import pytest

from persona.steer import RepairResult, Verdict, check, get_type, make, repair

# (id, kwargs, failing reply, exact repaired reply)
REPAIRS: list[tuple[str, dict[str, Any], str, str]] = [
    ("change_case:english_lowercase", {}, "Hello There, World.", "hello there, world."),
    ("change_case:english_capital", {}, "Hello there.", "HELLO THERE."),
    (
        "punctuation:no_comma",
        {},
        "Yes, it costs 1,500 dollars, sadly.",
        "Yes it costs 1500 dollars sadly.",
    ),
    ("startend:quotation", {}, "  Wrapped reply.\n", '"Wrapped reply."'),
    ("startend:end_checker", {"end_phrase": "Peace!"}, "All done.\n", "All done.\n\nPeace!"),
    ("startend:end_checker", {"end_phrase": "Peace!"}, '"All done."', '"All done.\n\nPeace!"'),
    (
        "startend:end_checker",
        {"end_phrase": "Any questions?"},
        "Done.\nAny questions",
        "Done.\nAny questions?",
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Name a fruit."},
        "Apple.",
        "Name a fruit.\n\nApple.",
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Name a fruit."},
        "Sure, here is your request: Name a fruit.\n\nApple.",
        "Name a fruit.\n\nApple.",
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Name a fruit."},
        '"Name a fruit."\n\nApple.',
        "Name a fruit.\n\nApple.",
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "See you.\n\nPS: bring snacks.",
        "See you.\n\nP.S. bring snacks.",
    ),
    ("detectable_format:title", {}, "# My Trip\n\nIt was fun.", "<<My Trip>>\n\nIt was fun."),
    ("detectable_format:title", {}, "**My Trip**\nIt was fun.", "<<My Trip>>\nIt was fun."),
    (
        "detectable_format:json_format",
        {},
        'Here is the JSON:\n```json\n{"a": [1, 2]}\n```',
        '{"a": [1, 2]}',
    ),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "Steps:\n1. wash\n2) dry",
        "Steps:\n* wash\n* dry",
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "SECTION", "num_sections": 2},
        "SECTION I\nA.\nSECTION Two\nB.",
        "SECTION 1\nA.\nSECTION 2\nB.",
    ),
    (
        "combination:two_responses",
        {},
        "Poem 1\n******\nRoses.\n******\nViolets.",
        "Poem 1\nRoses.\n******\nViolets.",
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "One.\n\nTwo.\n",
        "One.\n\n***\n\nTwo.",
    ),
    (
        "length_constraints:number_words",
        {"num_words": 7, "relation": "less than"},
        "This is one. This is two. This is three.",
        "This is one. This is two.",
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 2, "relation": "less than"},
        "First point. Second point. Third point.",
        "First point.",
    ),
    ("style:max_words", {"max_words": 3}, "Short one. Much longer second sentence.", "Short one."),
    (
        "style:no_follow_up_questions",
        {},
        "Paris is the capital.\n\nWant more facts? Let me know!",
        "Paris is the capital.",
    ),
    (
        "style:no_follow_up_questions",
        {},
        "Tips\n- sleep early\n- drink water\nWould you like more tips?",
        "Tips\n- sleep early\n- drink water",
    ),
    ("style:no_emoji", {}, "🎉 Great job! 👍\nDone ✅.", "Great job!\nDone."),
    (
        "style:no_markdown",
        {},
        "## Plan\n\n- **Buy** milk\n- see [docs](https://x.io)\n\nRun `make`.",
        "Plan\n\n• Buy milk\n• see docs (https://x.io)\n\nRun make.",
    ),
    (
        "style:formality",
        {"level": "formal"},
        "We can't attend and won't be there; they're away.",
        "We cannot attend and will not be there; they are away.",
    ),
]

NO_REPAIR = {
    "change_case:capital_word_frequency",
    "keywords:existence",
    "keywords:forbidden_words",
    "keywords:frequency",
    "keywords:letter_frequency",
    "language:response_language",
    "length_constraints:nth_paragraph_first_word",
    "detectable_content:number_placeholders",
    "detectable_format:constrained_response",
    "detectable_format:number_highlighted_sections",
}


@pytest.mark.parametrize(("type_id", "kwargs", "reply", "expected"), REPAIRS)
def test_repair_is_exact_and_passes(
    type_id: str, kwargs: dict[str, Any], reply: str, expected: str
) -> None:
    constraint = make(type_id, **kwargs)
    assert not check([constraint], reply)[0].passed
    assert repair([constraint], reply) == RepairResult(
        text=expected,
        applied=[type_id],
        verdicts=[Verdict(id=type_id, passed=True)],
        before=check([constraint], reply),
    )


def test_types_without_a_repair() -> None:
    from persona.steer import all_types

    assert {i for i, t in all_types().items() if t.repair is None} == NO_REPAIR


@pytest.mark.parametrize(
    ("type_id", "kwargs", "reply"),
    [
        ("punctuation:no_comma", {}, '{"a": 1, "b": 2}'),
        ("detectable_format:title", {}, "It was a fun trip.\n\nThe end."),
        ("detectable_content:postscript", {"postscript_marker": "P.S."}, "No postscript here."),
        ("length_constraints:number_words", {"num_words": 50, "relation": "at least"}, "Short."),
        (
            "length_constraints:number_words",
            {"num_words": 2, "relation": "less than"},
            "One long sentence.",
        ),
        ("style:no_follow_up_questions", {}, "Would you like to know more?"),
        ("style:no_follow_up_questions", {}, "Riddle: what has keys but no locks?"),
        ("style:no_markdown", {}, "| a | b |\n|---|---|\n| 1 | 2 |"),
        ("style:formality", {"level": "casual"}, "I hereby resign."),
    ],
)
def test_repair_refuses_when_not_lossless(type_id: str, kwargs: dict[str, Any], reply: str) -> None:
    ctype = get_type(type_id)
    assert ctype.repair is not None
    assert ctype.repair(reply, ctype.validate(kwargs)) is None


def test_repairs_run_in_order_and_recheck_everything() -> None:
    constraints = [
        make("startend:quotation"),
        make("change_case:english_lowercase"),
        make("punctuation:no_comma"),
        make("startend:end_checker", end_phrase="That is all."),
        make("style:no_follow_up_questions"),
    ]
    result = repair(constraints, "Hi, Sam. The plan works. Want details?")
    assert result == RepairResult(
        text='"hi sam. the plan works.\n\nthat is all."',
        applied=[
            "style:no_follow_up_questions",
            "startend:end_checker",
            "change_case:english_lowercase",
            "punctuation:no_comma",
            "startend:quotation",
        ],
        verdicts=[Verdict(id=c.id, passed=True) for c in constraints],
        before=check(constraints, "Hi, Sam. The plan works. Want details?"),
    )


def test_repair_that_breaks_a_passing_constraint_is_undone() -> None:
    constraints = [
        make("length_constraints:number_words", num_words=4, relation="less than"),
        make("startend:end_checker", end_phrase="Thanks for reading this."),
    ]
    result = repair(constraints, "Done now.")
    assert result == RepairResult(
        text="Done now.",
        applied=[],
        verdicts=[
            Verdict(id="length_constraints:number_words", passed=True),
            Verdict(
                id="startend:end_checker",
                passed=False,
                detail="does not end with 'Thanks for reading this.' (ends 'Done now.')",
            ),
        ],
        before=result.verdicts,
    )
    assert not result.passed


def test_no_repair_needed_changes_nothing() -> None:
    constraints = [make("change_case:english_lowercase")]
    assert repair(constraints, "all good.") == RepairResult(
        text="all good.",
        applied=[],
        verdicts=[Verdict(id="change_case:english_lowercase", passed=True)],
        before=[Verdict(id="change_case:english_lowercase", passed=True)],
    )
