"""The preference parser: phrasings of every constraint type, scope, instructions, negatives."""

from __future__ import annotations

from typing import Any

import pytest

from persona.steer.parse import parse_preferences

# (message, [(id, kwargs), ...], scope). Many phrasings are deliberately unlike IFEval's.
PHRASINGS: list[tuple[str, list[tuple[str, dict[str, Any]]], str | None]] = [
    ("please reply in all lowercase", [("change_case:english_lowercase", {})], "one_off"),
    ("from now on, no capital letters", [("change_case:english_lowercase", {})], "standing"),
    (
        "don't capitalize anything in your answers",
        [("change_case:english_lowercase", {})],
        "one_off",
    ),
    ("write everything in lower case", [("change_case:english_lowercase", {})], "one_off"),
    ("write in all capital letters", [("change_case:english_capital", {})], "one_off"),
    ("ANSWER IN ALL CAPS PLEASE", [("change_case:english_capital", {})], "one_off"),
    ("reply in uppercase only", [("change_case:english_capital", {})], "one_off"),
    ("capitalize every letter of your reply", [("change_case:english_capital", {})], "one_off"),
    (
        "use at least 3 words in all caps for emphasis",
        [
            (
                "change_case:capital_word_frequency",
                {"capital_relation": "at least", "capital_frequency": 3},
            )
        ],
        "one_off",
    ),
    (
        "all-caps words should appear fewer than 4 times",
        [
            (
                "change_case:capital_word_frequency",
                {"capital_relation": "less than", "capital_frequency": 4},
            )
        ],
        "one_off",
    ),
    ("don't use commas", [("punctuation:no_comma", {})], "one_off"),
    ("stop using commas", [("punctuation:no_comma", {})], "standing"),
    ("no commas please", [("punctuation:no_comma", {})], "one_off"),
    ("commas are not allowed in your reply", [("punctuation:no_comma", {})], "one_off"),
    (
        "no more than 80 words",
        [("length_constraints:number_words", {"relation": "less than", "num_words": 81})],
        "one_off",
    ),
    (
        "keep it under 100 words",
        [("length_constraints:number_words", {"relation": "less than", "num_words": 100})],
        "one_off",
    ),
    (
        "at least 300 words please",
        [("length_constraints:number_words", {"relation": "at least", "num_words": 300})],
        "one_off",
    ),
    (
        "answer in 50 to 80 words",
        [
            ("length_constraints:number_words", {"relation": "at least", "num_words": 50}),
            ("length_constraints:number_words", {"relation": "less than", "num_words": 81}),
        ],
        "one_off",
    ),
    (
        "200 words or less",
        [("length_constraints:number_words", {"relation": "less than", "num_words": 201})],
        "one_off",
    ),
    (
        "use no more than 5 sentences",
        [("length_constraints:number_sentences", {"relation": "less than", "num_sentences": 6})],
        "one_off",
    ),
    (
        "write at least 10 sentences",
        [("length_constraints:number_sentences", {"relation": "at least", "num_sentences": 10})],
        "one_off",
    ),
    (
        "reply in fewer than 3 sentences",
        [("length_constraints:number_sentences", {"relation": "less than", "num_sentences": 3})],
        "one_off",
    ),
    (
        "keep it to 2 sentences",
        [("length_constraints:number_sentences", {"relation": "less than", "num_sentences": 3})],
        "one_off",
    ),
    (
        "your response must have 3 paragraphs separated by ***",
        [("length_constraints:number_paragraphs", {"num_paragraphs": 3})],
        "one_off",
    ),
    (
        "split it into 4 parts with the markdown divider ***",
        [("length_constraints:number_paragraphs", {"num_paragraphs": 4})],
        "one_off",
    ),
    (
        "write exactly 3 paragraphs separated by blank lines, and start the second paragraph "
        "with the word 'However'",
        [
            (
                "length_constraints:nth_paragraph_first_word",
                {"num_paragraphs": 3, "nth_paragraph": 2, "first_word": "however"},
            )
        ],
        "one_off",
    ),
    (
        "the first paragraph must start with the word Dear. Use exactly 2 paragraphs.",
        [
            (
                "length_constraints:nth_paragraph_first_word",
                {"num_paragraphs": 2, "nth_paragraph": 1, "first_word": "dear"},
            )
        ],
        "one_off",
    ),
    (
        "include the keywords apple and banana",
        [("keywords:existence", {"keywords": ["apple", "banana"]})],
        "one_off",
    ),
    (
        'make sure you mention "latency" and "throughput"',
        [("keywords:existence", {"keywords": ["latency", "throughput"]})],
        "one_off",
    ),
    (
        "use the words 'river', 'stone'",
        [("keywords:existence", {"keywords": ["river", "stone"]})],
        "one_off",
    ),
    (
        "do not include the words delve or tapestry",
        [("keywords:forbidden_words", {"forbidden_words": ["delve", "tapestry"]})],
        "one_off",
    ),
    (
        "never say 'as an AI'",
        [("keywords:forbidden_words", {"forbidden_words": ["as an ai"]})],
        "standing",
    ),
    (
        "avoid the word 'synergy'",
        [("keywords:forbidden_words", {"forbidden_words": ["synergy"]})],
        "one_off",
    ),
    (
        "the word 'very' should not appear",
        [("keywords:forbidden_words", {"forbidden_words": ["very"]})],
        "one_off",
    ),
    (
        "mention the word 'synergy' at least twice",
        [("keywords:frequency", {"keyword": "synergy", "relation": "at least", "frequency": 2})],
        "one_off",
    ),
    (
        "use the word cloud at least 4 times",
        [("keywords:frequency", {"keyword": "cloud", "relation": "at least", "frequency": 4})],
        "one_off",
    ),
    (
        "say 'banana' 3 or more times",
        [("keywords:frequency", {"keyword": "banana", "relation": "at least", "frequency": 3})],
        "one_off",
    ),
    (
        "use the letter q at least 5 times",
        [
            (
                "keywords:letter_frequency",
                {"letter": "q", "let_relation": "at least", "let_frequency": 5},
            )
        ],
        "one_off",
    ),
    (
        "don't use the letter e at all",
        [
            (
                "keywords:letter_frequency",
                {"letter": "e", "let_relation": "less than", "let_frequency": 1},
            )
        ],
        "one_off",
    ),
    (
        "the letter z should appear at most twice",
        [
            (
                "keywords:letter_frequency",
                {"letter": "z", "let_relation": "less than", "let_frequency": 3},
            )
        ],
        "one_off",
    ),
    ("answer in Spanish", [("language:response_language", {"language": "es"})], "one_off"),
    (
        "from now on respond only in German",
        [("language:response_language", {"language": "de"})],
        "standing",
    ),
    (
        "please write your reply entirely in Japanese",
        [("language:response_language", {"language": "ja"})],
        "one_off",
    ),
    ("use Hindi only", [("language:response_language", {"language": "hi"})], "one_off"),
    (
        "include at least 2 placeholders like [name]",
        [("detectable_content:number_placeholders", {"num_placeholders": 2})],
        "one_off",
    ),
    (
        "add placeholders in square brackets such as [address]",
        [("detectable_content:number_placeholders", {"num_placeholders": 1})],
        "one_off",
    ),
    (
        "add a P.S. at the end",
        [("detectable_content:postscript", {"postscript_marker": "P.S."})],
        "one_off",
    ),
    (
        "end with a postscript starting with P.P.S",
        [("detectable_content:postscript", {"postscript_marker": "P.P.S"})],
        "one_off",
    ),
    (
        "include a postscript",
        [("detectable_content:postscript", {"postscript_marker": "P.S."})],
        "one_off",
    ),
    (
        "use exactly 3 bullet points",
        [("detectable_format:number_bullet_lists", {"num_bullets": 3})],
        "one_off",
    ),
    (
        "give me 5 bullet points",
        [("detectable_format:number_bullet_lists", {"num_bullets": 5})],
        "one_off",
    ),
    (
        "answer in exactly 4 bullets",
        [("detectable_format:number_bullet_lists", {"num_bullets": 4})],
        "one_off",
    ),
    (
        "highlight at least 2 sections with markdown",
        [("detectable_format:number_highlighted_sections", {"num_highlights": 2})],
        "one_off",
    ),
    (
        "italicize at least 3 phrases using *asterisks*",
        [("detectable_format:number_highlighted_sections", {"num_highlights": 3})],
        "one_off",
    ),
    (
        "write 3 sections and mark the beginning of each with SECTION X",
        [
            (
                "detectable_format:multiple_sections",
                {"section_spliter": "SECTION", "num_sections": 3},
            )
        ],
        "one_off",
    ),
    (
        "label each part with Part 1, Part 2: 2 parts in total",
        [("detectable_format:multiple_sections", {"section_spliter": "Part", "num_sections": 2})],
        "one_off",
    ),
    ("give me the answer in JSON", [("detectable_format:json_format", {})], "one_off"),
    ("respond in valid JSON only", [("detectable_format:json_format", {})], "one_off"),
    ("format the whole output as JSON", [("detectable_format:json_format", {})], "one_off"),
    (
        "give it a title in double angular brackets like <<title>>",
        [("detectable_format:title", {})],
        "one_off",
    ),
    (
        "include a title wrapped in <<double angular brackets>>",
        [("detectable_format:title", {})],
        "one_off",
    ),
    ("give me two different responses", [("combination:two_responses", {})], "one_off"),
    ("give two answers separated by ******", [("combination:two_responses", {})], "one_off"),
    (
        "repeat my question first, then answer it: what is 2+2?",
        [("combination:repeat_prompt", {"prompt_to_repeat": "what is 2+2?"})],
        "one_off",
    ),
    (
        "First repeat the request word for word, then answer.\n\nWhat is the tallest mountain?",
        [("combination:repeat_prompt", {"prompt_to_repeat": "What is the tallest mountain?"})],
        "one_off",
    ),
    (
        "end your response with 'Is there anything else?'",
        [("startend:end_checker", {"end_phrase": "Is there anything else?"})],
        "one_off",
    ),
    (
        'always finish with the exact phrase "Cheers, Bot"',
        [("startend:end_checker", {"end_phrase": "Cheers, Bot"})],
        "standing",
    ),
    (
        'the last sentence of your reply must be "Stay curious."',
        [("startend:end_checker", {"end_phrase": "Stay curious."})],
        "one_off",
    ),
    ("wrap your entire response in double quotes", [("startend:quotation", {})], "one_off"),
    (
        "put double quotation marks around your whole answer",
        [("startend:quotation", {})],
        "one_off",
    ),
    ("enclose everything in double quotes", [("startend:quotation", {})], "one_off"),
    (
        "Is it going to rain? Answer with one of: My answer is yes. My answer is no. "
        "My answer is maybe.",
        [("detectable_format:constrained_response", {})],
        "one_off",
    ),
    ("stop asking me questions at the end", [("style:no_follow_up_questions", {})], "standing"),
    ("don't ask follow-up questions", [("style:no_follow_up_questions", {})], "one_off"),
    ("never end your replies with a question", [("style:no_follow_up_questions", {})], "standing"),
    ("no emojis please", [("style:no_emoji", {})], "one_off"),
    ("never use emoji again", [("style:no_emoji", {})], "standing"),
    ("stop using emojis", [("style:no_emoji", {})], "standing"),
    ("no markdown", [("style:no_markdown", {})], "one_off"),
    ("don't use markdown in your replies", [("style:no_markdown", {})], "one_off"),
    ("plain text only please", [("style:no_markdown", {})], "one_off"),
    ("word limit: 50 words", [("style:max_words", {"max_words": 50})], "one_off"),
    ("maximum of 120 words", [("style:max_words", {"max_words": 120})], "one_off"),
    ("100 words max", [("style:max_words", {"max_words": 100})], "one_off"),
    (
        "can you be a bit more formal from now on?",
        [("style:formality", {"level": "formal"})],
        "standing",
    ),
    ("use a casual tone", [("style:formality", {"level": "casual"})], "one_off"),
    ("talk to me more casually", [("style:formality", {"level": "casual"})], "one_off"),
    ("be less formal", [("style:formality", {"level": "casual"})], "one_off"),
    (
        "answer this in French: what's the capital of Peru?",
        [("language:response_language", {"language": "fr"})],
        "one_off",
    ),
    ("reply in lowercase just this once", [("change_case:english_lowercase", {})], "one_off"),
    (
        "from now on never use capital letters and don't ask me follow-up questions",
        [("change_case:english_lowercase", {}), ("style:no_follow_up_questions", {})],
        "standing",
    ),
    # casual chat spellings
    ("dont use commas", [("punctuation:no_comma", {})], "one_off"),
    ("no caps please", [("change_case:english_lowercase", {})], "one_off"),
    ("respond in lowercase from now on pls", [("change_case:english_lowercase", {})], "standing"),
    (
        "reply in french from now on",
        [("language:response_language", {"language": "fr"})],
        "standing",
    ),
    ("Please stop using emojis \U0001f64f", [("style:no_emoji", {})], "standing"),
    (
        "Stop with the follow-up questions please",
        [("style:no_follow_up_questions", {})],
        "standing",
    ),
    (
        'sign off every message with "- Bot"',
        [("startend:end_checker", {"end_phrase": "- Bot"})],
        "standing",
    ),
    ("Put everything in quotes", [("startend:quotation", {})], "one_off"),
    (
        "tl;dr style, max 2 sentences",
        [("length_constraints:number_sentences", {"relation": "less than", "num_sentences": 3})],
        "one_off",
    ),
    (
        "can you keep your answers short, like under 50 words?",
        [("length_constraints:number_words", {"relation": "less than", "num_words": 50})],
        "one_off",
    ),
]

# Messages that mention the vocabulary of a constraint without asking anything of the reply.
NOT_PREFERENCES = [
    "I like capital cities",
    "what's a comma splice?",
    "hi, how are you?",
    "I'm learning Spanish",
    "Translate 'hello' into French",
    "what is JSON?",
    "Tell me about the Dutch language",
    "I always drink coffee in the morning",
    "how many words are in this sentence?",
    "what does P.S. stand for?",
    "my favourite letter is q",
    "who wrote 'The Raven'?",
    "can you explain bullet points in PowerPoint?",
    "The word 'serendipity' is lovely",
    "Paris is the capital of France",
    "I never use emojis myself, do you?",
    "I don't use commas in my writing, can you help me proofread?",
    "Is it rude to write in all caps?",
    "How do I make text lowercase in Python?",
    "Why do people hate commas?",
    "Explain JSON format to me",
    "Can you translate this to Spanish: good morning",
]


def _expected(constraints: list[tuple[str, dict[str, Any]]], scope: str | None) -> dict[str, Any]:
    return {"constraints": [{"id": i, "kwargs": k} for i, k in constraints], "scope": scope}


@pytest.mark.parametrize(("text", "constraints", "scope"), PHRASINGS)
def test_phrasing(
    text: str, constraints: list[tuple[str, dict[str, Any]]], scope: str | None
) -> None:
    assert parse_preferences(text).as_dict() == _expected(constraints, scope)


@pytest.mark.parametrize("text", NOT_PREFERENCES)
def test_ordinary_message_sets_nothing(text: str) -> None:
    result = parse_preferences(text)
    assert (result.as_dict(), result.instructions) == ({"constraints": [], "scope": None}, [])
