"""Every constraint type's checker on a passing and a failing reply, with the exact verdict."""

from __future__ import annotations

from typing import Any

import pytest

from persona.steer import Verdict, all_types, check, make

IFEVAL_IDS = {
    "change_case:capital_word_frequency",
    "change_case:english_capital",
    "change_case:english_lowercase",
    "combination:repeat_prompt",
    "combination:two_responses",
    "detectable_content:number_placeholders",
    "detectable_content:postscript",
    "detectable_format:constrained_response",
    "detectable_format:json_format",
    "detectable_format:multiple_sections",
    "detectable_format:number_bullet_lists",
    "detectable_format:number_highlighted_sections",
    "detectable_format:title",
    "keywords:existence",
    "keywords:forbidden_words",
    "keywords:frequency",
    "keywords:letter_frequency",
    "language:response_language",
    "length_constraints:nth_paragraph_first_word",
    "length_constraints:number_paragraphs",
    "length_constraints:number_sentences",
    "length_constraints:number_words",
    "punctuation:no_comma",
    "startend:end_checker",
    "startend:quotation",
}
STYLE_IDS = {
    "style:no_follow_up_questions",
    "style:no_emoji",
    "style:max_words",
    "style:no_markdown",
    "style:formality",
}

# (id, kwargs, passing reply, failing reply, detail of the failure)
CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "change_case:english_lowercase",
        {},
        "the meeting moved to thursday at noon.",
        "The meeting moved to Thursday.",
        "contains capital letters: T",
    ),
    (
        "change_case:english_capital",
        {},
        "THE MEETING MOVED TO THURSDAY.",
        "THE MEETING moved TO THURSDAY.",
        "contains lowercase letters: d e m o v",
    ),
    (
        "change_case:capital_word_frequency",
        {"capital_frequency": 2, "capital_relation": "at least"},
        "This is VERY IMPORTANT news.",
        "This is VERY important news.",
        "1 all-capital words; needs at least 2",
    ),
    (
        "keywords:existence",
        {"keywords": ["budget", "deadline"]},
        "The Budget is fixed and the deadline is Friday.",
        "The budget is fixed.",
        "missing keywords: deadline",
    ),
    (
        "keywords:frequency",
        {"keyword": "cat", "frequency": 2, "relation": "less than"},
        "One cat sat on the mat.",
        "The cat saw another cat.",
        "'cat' appears 2 times; needs less than 2",
    ),
    (
        "keywords:forbidden_words",
        {"forbidden_words": ["delve", "tapestry"]},
        "Let us look at the delved-into topic? No: let us look closer.",
        "Let us delve into the rich Tapestry of history.",
        "uses forbidden words: delve, tapestry",
    ),
    (
        "keywords:letter_frequency",
        {"letter": "z", "let_frequency": 2, "let_relation": "at least"},
        "Zany zebras.",
        "Quiet zebras.",
        "letter 'z' appears 1 times; needs at least 2",
    ),
    (
        "language:response_language",
        {"language": "es"},
        "El tiempo de hoy es soleado y la gente está en la playa con sus familias.",
        "The weather today is sunny and people are at the beach with their families.",
        "the reply is in English, not Spanish",
    ),
    (
        "length_constraints:number_words",
        {"num_words": 5, "relation": "less than"},
        "Four words right here.",
        "These are five words exactly.",
        "5 words; needs less than 5",
    ),
    (
        "length_constraints:number_sentences",
        {"num_sentences": 3, "relation": "at least"},
        "One. Two! Three?",
        "Dr. Smith arrived. He sat down.",
        "2 sentences; needs at least 3",
    ),
    (
        "length_constraints:number_paragraphs",
        {"num_paragraphs": 2},
        "First part.\n***\nSecond part.",
        "First part.\n\nSecond part.",
        "1 paragraphs; needs exactly 2",
    ),
    (
        "length_constraints:nth_paragraph_first_word",
        {"num_paragraphs": 2, "nth_paragraph": 2, "first_word": "finally"},
        'We start here.\n\n"Finally, we end.',
        "We start here.\n\nThen we end.",
        "paragraph 2 starts with 'then', not 'finally'",
    ),
    (
        "detectable_content:number_placeholders",
        {"num_placeholders": 2},
        "Dear [name], see you at [address].",
        "Dear [name], see you soon.",
        "1 [placeholders]; needs at least 2",
    ),
    (
        "detectable_content:postscript",
        {"postscript_marker": "P.S."},
        "Thanks for the help.\n\nP.S. I owe you lunch.",
        "Thanks for the help.\n\nPS I owe you lunch.",
        "no postscript starting with P.S.",
    ),
    (
        "detectable_format:number_bullet_lists",
        {"num_bullets": 2},
        "Two points:\n* first\n- second",
        "Three points:\n* first\n* second\n* third",
        "3 bullet points; needs exactly 2",
    ),
    (
        "detectable_format:constrained_response",
        {},
        "Having thought about it: My answer is maybe.",
        "My answer is: maybe.",
        "the reply contains none of: My answer is yes. / My answer is no. / My answer is maybe.",
    ),
    (
        "detectable_format:number_highlighted_sections",
        {"num_highlights": 2},
        "A *first* point and a **second** one.",
        "A *first* point and a ** ** blank.",
        "1 highlighted sections; needs at least 2",
    ),
    (
        "detectable_format:multiple_sections",
        {"section_spliter": "Section", "num_sections": 2},
        "Section 1\nIntro.\nSection 2\nBody.",
        "Section 1\nIntro.\nSection two\nBody.",
        "1 sections marked 'Section N'; needs 2",
    ),
    (
        "detectable_format:json_format",
        {},
        '```json\n{"a": 1}\n```',
        'Here it is: {"a": 1}',
        "the reply is not valid JSON (Expecting value: line 1 column 1 (char 0))",
    ),
    (
        "detectable_format:title",
        {},
        "<<Ode to Joy>>\nA poem.",
        "<< >>\nA poem.",
        "no title wrapped in double angular brackets",
    ),
    (
        "combination:two_responses",
        {},
        "Answer one.\n******\nAnswer two.",
        "Same answer.\n******\nSame answer.",
        "the two responses are identical",
    ),
    (
        "combination:repeat_prompt",
        {"prompt_to_repeat": "Write a haiku about rain."},
        "write a haiku about rain.\n\nSoft rain on the roof",
        "Sure! Write a haiku about rain.\n\nSoft rain on the roof",
        "does not start by repeating the request verbatim",
    ),
    (
        "startend:end_checker",
        {"end_phrase": "Any other questions?"},
        '"All done. any other questions?"',
        "All done. Any other questions? Bye.",
        "does not end with 'Any other questions?' (ends 'All done. Any other questions? Bye.')",
    ),
    (
        "startend:quotation",
        {},
        '  "Quoted reply."\n',
        '"Half quoted.',
        "the reply is not wrapped in double quotes",
    ),
    ("punctuation:no_comma", {}, "No commas here.", "One, two, three.", "2 commas"),
    (
        "style:no_follow_up_questions",
        {},
        "I have keys but open no locks. What am I?",
        "Paris is the capital of France. Would you like to know more?",
        "ends with a follow-up: 'Would you like to know more?'",
    ),
    (
        "style:no_follow_up_questions",
        {},
        "Use a hash map for constant-time lookups.",
        "Use a hash map. Let me know if you need an example.",
        "ends with a follow-up: 'Let me know if you need an example.'",
    ),
    ("style:no_emoji", {}, "Great job! (c) 2024", "Great job! 🎉👍", "contains emoji: 🎉👍"),
    (
        "style:max_words",
        {"max_words": 4},
        "Exactly four words here.",
        "Now there are five words.",
        "5 words; the limit is 4",
    ),
    (
        "style:no_markdown",
        {},
        "Plain text with 2 * 3 = 6 and a snake_case_name.",
        "# Title\n\nSome **bold** text and `code`.",
        "uses markdown: heading, bold, code",
    ),
    (
        "style:formality",
        {"level": "formal"},
        "We cannot attend; the committee will reply in writing.",
        "We can't make it, gonna reply later.",
        "informal: can't, gonna",
    ),
    (
        "style:formality",
        {"level": "casual"},
        "Hey, can't make it tonight, sorry!",
        "To whom it may concern: I hereby decline.",
        "too formal: To whom it may concern, hereby",
    ),
]


def test_registry_covers_every_ifeval_and_style_type() -> None:
    assert set(all_types()) == IFEVAL_IDS | STYLE_IDS
    assert {c[0] for c in CASES} == IFEVAL_IDS | STYLE_IDS


@pytest.mark.parametrize(("type_id", "kwargs", "good", "bad", "detail"), CASES)
def test_checker_passes_and_fails(
    type_id: str, kwargs: dict[str, Any], good: str, bad: str, detail: str
) -> None:
    constraint = make(type_id, **kwargs)
    assert check([constraint], good) == [Verdict(id=type_id, passed=True, detail="")]
    assert check([constraint], bad) == [Verdict(id=type_id, passed=False, detail=detail)]


def test_lowercase_requires_english() -> None:
    verdicts = check(
        [make("change_case:english_lowercase")], "el gato está en la casa de la playa."
    )
    assert verdicts == [
        Verdict(
            id="change_case:english_lowercase",
            passed=False,
            detail="the reply is not in English (detected es)",
        )
    ]


def test_nth_paragraph_counts_must_match() -> None:
    constraint = make(
        "length_constraints:nth_paragraph_first_word",
        num_paragraphs=3,
        nth_paragraph=1,
        first_word="hello",
    )
    assert check([constraint], "Hello there.\n\nBye.") == [
        Verdict(
            id="length_constraints:nth_paragraph_first_word",
            passed=False,
            detail="2 paragraphs; needs exactly 3",
        )
    ]
    assert check([constraint], "\n\nHello.") == [
        Verdict(
            id="length_constraints:nth_paragraph_first_word",
            passed=False,
            detail="paragraph 1 is missing or empty (1 paragraphs)",
        )
    ]


def test_empty_paragraph_between_dividers_fails() -> None:
    constraint = make("length_constraints:number_paragraphs", num_paragraphs=2)
    assert check([constraint], "***\nOne.\n***\n***\nTwo.") == [
        Verdict(
            id="length_constraints:number_paragraphs",
            passed=False,
            detail="an empty paragraph between *** dividers; needs exactly 2",
        )
    ]


def test_two_responses_needs_exactly_two() -> None:
    constraint = make("combination:two_responses")
    assert check([constraint], "One.\n******\nTwo.\n******\nThree.") == [
        Verdict(
            id="combination:two_responses",
            passed=False,
            detail="3 responses separated by ******; needs exactly 2",
        )
    ]
