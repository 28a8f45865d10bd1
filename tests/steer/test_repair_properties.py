"""Properties over arbitrary replies: checking never crashes, repairs never make things worse."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from persona.steer import check, make, repair

ALL = [
    make("change_case:english_lowercase"),
    make("punctuation:no_comma"),
    make("startend:end_checker", end_phrase="That is all."),
    make("style:no_follow_up_questions"),
    make("style:no_emoji"),
    make("style:no_markdown"),
    make("style:max_words", max_words=12),
    make("detectable_format:title"),
    make("detectable_content:postscript", postscript_marker="P.S."),
    make("length_constraints:number_sentences", num_sentences=3, relation="less than"),
    make("language:response_language", language="en"),
    make("change_case:capital_word_frequency", capital_frequency=2, capital_relation="less than"),
    make(
        "length_constraints:nth_paragraph_first_word",
        num_paragraphs=2,
        nth_paragraph=2,
        first_word="so",
    ),
]

PIECES = st.sampled_from(
    [
        "Hello, World.",
        " ",
        "\n\n",
        "# Heading\n",
        "**bold**",
        "- item\n",
        "Would you like more?",
        "🎉",
        "P.S. later",
        "Dr. Who?",
        "1. first\n",
        "***",
        "<<t>>",
        '"',
        "SO MUCH",
        "so",
        "Let me know if you need anything.",
        "äöü ß",
        "",
    ]
)
REPLIES = st.lists(PIECES, max_size=12).map("".join) | st.text(max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(REPLIES)
def test_repair_never_breaks_a_passing_constraint(reply: str) -> None:
    before = check(ALL, reply)
    result = repair(ALL, reply)
    assert result.verdicts == check(ALL, result.text)
    for was, now in zip(before, result.verdicts, strict=True):
        assert now.passed or not was.passed
    if not result.applied:
        assert result.text == reply
    for type_id in result.applied:
        assert next(v for v in result.verdicts if v.id == type_id).passed
