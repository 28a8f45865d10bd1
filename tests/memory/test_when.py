"""Temporal expressions: which turns say when, which questions ask when, named spans."""

from __future__ import annotations

import pytest

from persona.memory.when import Span, asks_when, has_temporal, named_span


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I went to a support group yesterday", True),
        ("We went camping last weekend", True),
        ("I moved here two years ago", True),
        ("See you on Friday!", True),
        ("My birthday is in June", True),
        ("It was back in May, I think", True),
        ("I read it in 2022", True),
        ("The exam is on 5/12", True),
        ("You may want to try pottery", False),
        ("That painting is lovely", False),
    ],
)
def test_has_temporal(text: str, expected: bool) -> None:
    assert has_temporal(text) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("When did Caroline go to the support group?", True),
        ("what year did I start running", True),
        ("How long ago was my last checkup?", True),
        ("How many years have we been friends?", True),
        ("What did Melanie paint?", False),
        ("Where do I live?", False),
    ],
)
def test_asks_when(query: str, expected: bool) -> None:
    assert asks_when(query) is expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("When did Melanie go camping in June?", Span(6, None)),
        ("What did I do in May 2023?", Span(5, 2023)),
        ("what happened in march 2022", Span(3, 2022)),
        ("Which books did I read in 2022?", Span(None, 2022)),
        ("What did we talk about in Sept.?", Span(9, None)),
        ("What did Nate do for Joanna on 25 May, 2022?", Span(5, 2022, 25)),
        ("what did I say on the 3rd of June", Span(6, None, 3)),
        ("What did Audrey eat on October 24, 2023?", Span(10, 2023, 24)),
        ("May I ask what I ate?", None),
        ("I may have said what?", None),
        ("What did I say about pottery?", None),
    ],
)
def test_named_span(query: str, expected: Span | None) -> None:
    assert named_span(query) == expected
