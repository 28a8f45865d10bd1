"""The rule-based extractor: what first-person statements become, and what must not fire."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from persona.memory.extract import Candidate, extract, extract_rules

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def C(
    kind: str, text: str, attribute: str | None, value: str | None, importance: float
) -> Candidate:
    return Candidate(kind, text, attribute, value, importance)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "I'm vegetarian and I live in Paris",
            [
                C("fact", "Is vegetarian", "diet", "vegetarian", 0.8),
                C("fact", "Lives in Paris", "location", "Paris", 0.8),
            ],
        ),
        ("I moved to Berlin last year.", [C("fact", "Lives in Berlin", "location", "Berlin", 0.8)]),
        (
            "I've just moved to New York City!",
            [C("fact", "Lives in New York City", "location", "New York City", 0.8)],
        ),
        ("I\u2019m based in Lyon", [C("fact", "Lives in Lyon", "location", "Lyon", 0.8)]),
        ("I'm originally from Spain", [C("fact", "Is from Spain", "hometown", "Spain", 0.6)]),
        ("My name is bob", [C("fact", "Name is Bob", "name", "Bob", 0.9)]),
        ("Hi, I'm Alice.", [C("fact", "Name is Alice", "name", "Alice", 0.9)]),
        ("I work as a nurse", [C("fact", "Works as a nurse", "job", "a nurse", 0.7)]),
        (
            "I'm a software engineer",
            [C("fact", "Is a software engineer", "job", "software engineer", 0.7)],
        ),
        ("I work at Google", [C("fact", "Works at Google", "employer", "Google", 0.6)]),
        ("Well, I'm retired", [C("fact", "Is retired", "job", "retired", 0.6)]),
        ("I really like jazz", [C("preference", "Likes jazz", "opinion:jazz", "jazz", 0.5)]),
        ("I love my dog", [C("preference", "Loves their dog", "opinion:dog", "my dog", 0.5)]),
        (
            "I don't like cilantro",
            [C("preference", "Dislikes cilantro", "opinion:cilantro", "cilantro", 0.5)],
        ),
        ("I hate the cold", [C("preference", "Hates the cold", "opinion:cold", "the cold", 0.5)]),
        (
            "I can't stand country music",
            [C("preference", "Hates country music", "opinion:country music", "country music", 0.5)],
        ),
        (
            "I'm a big fan of sci-fi",
            [C("preference", "Likes sci-fi", "opinion:sci-fi", "sci-fi", 0.5)],
        ),
        (
            "I'm married to Sam and I have two kids",
            [
                C("fact", "Is married to Sam", "marital_status", "married", 0.7),
                C("fact", "Has two kids", "children", "two", 0.7),
            ],
        ),
        ("My wife's name is Anna", [C("fact", "Wife's name is Anna", "partner", "Anna", 0.7)]),
        (
            "My sister is called Ruth",
            [C("fact", "Sister's name is Ruth", "family:sister", "Ruth", 0.7)],
        ),
        ("I have a cat named Luna", [C("fact", "Has a cat named Luna", "pet:cat", "Luna", 0.6)]),
        ("I'm vegan", [C("fact", "Is vegan", "diet", "vegan", 0.8)]),
        ("I don't eat pork", [C("preference", "Does not eat pork", "avoids:pork", "pork", 0.7)]),
        (
            "I'm allergic to peanuts",
            [C("fact", "Is allergic to peanuts", "allergy:peanuts", "peanuts", 0.9)],
        ),
        (
            "I'm lactose intolerant",
            [C("fact", "Is lactose intolerant", "intolerance:lactose", "lactose", 0.8)],
        ),
        (
            "My birthday is on March 3rd",
            [C("fact", "Birthday is on March 3rd", "birthday", "March 3rd", 0.7)],
        ),
        ("I was born in 1990", [C("fact", "Was born in 1990", "birth_date", "1990", 0.7)]),
        ("I'm 34 years old", [C("fact", "Is 34 years old", "age", "34", 0.6)]),
        ("I just turned 40", [C("fact", "Is 40 years old", "age", "40", 0.6)]),
        (
            "I live in Paris. Actually I live in Lyon.",
            [
                C("fact", "Lives in Paris", "location", "Paris", 0.8),
                C("fact", "Lives in Lyon", "location", "Lyon", 0.8),
            ],
        ),
    ],
)
def test_statements(message: str, expected: list[Candidate]) -> None:
    assert extract_rules(message, now=NOW) == expected


def test_event_with_a_resolved_date() -> None:
    assert extract_rules("I graduated from college yesterday", now=NOW) == [
        Candidate(
            "event", "Graduated from college yesterday", None, None, 0.6, event_date="2026-03-09"
        )
    ]


@pytest.mark.parametrize(
    "message",
    [
        "do I live in Paris?",
        "Do you think I'm vegetarian?",
        "Where do I work?",
        "my friend lives in Rome",
        "My brother is vegetarian",
        "She told me she works as a nurse",
        "My mom says, I'm vegan",
        "He told me: I live in Rome",
        'She said "I live in Rome"',
        "If I lived in Paris I would be happy",
        "I would move to Rome",
        "I wish I were vegan",
        "I'd love to visit Rome",
        "I love you",
        "I like it when you answer briefly",
        "I think you are wrong",
        "I'm a big person",
        "Suppose I am 30 years old",
        "I'm not vegetarian",
        "I don't live in Paris",
        "What if I moved to Berlin",
        "I went to the shop",
        "",
    ],
)
def test_no_false_positives(message: str) -> None:
    assert extract_rules(message, now=NOW) == []


def test_extract_runs_commands_before_the_rules_and_never_twice() -> None:
    result = extract("Remember that I live in Paris. I'm vegan.", now=NOW)
    assert result.extractor == "rules"
    assert result.candidates == [
        Candidate("fact", "Lives in Paris", "location", "Paris", 0.8),
        Candidate("fact", "Is vegan", "diet", "vegan", 0.8),
    ]


def test_extract_only_commands_runs_no_extractor() -> None:
    result = extract("Please forget my name", now=NOW)
    assert result.extractor == "none"
    assert result.candidates == [Candidate("fact", "my name", "name", None, 0.5, op="forget")]


@pytest.mark.parametrize(
    ("message", "text"),
    [
        (
            "I love action and sci-fi movies, the effects are so cool!",
            "Loves action and sci-fi movies",
        ),
        ("I live in Paris, France", "Lives in Paris"),
        ("I like also cheese pizza", "Likes cheese pizza"),
        ("I'm a fan of pottery - it is calming", "Likes pottery"),
        ("I moved to Berlin this summer", "Lives in Berlin"),
        ("I went to a castle last Friday and it was great", "Went to a castle last Friday"),
        ("I adopted her two years ago when I was lonely", "Adopted her two years ago"),
    ],
)
def test_values_are_cut_at_clause_boundaries(message: str, text: str) -> None:
    assert [c.text for c in extract_rules(message, now=NOW)] == [text]


@pytest.mark.parametrize(
    "message",
    [
        "Remember to focus on a balanced diet.",
        "Don't forget to take some nice pictures!",
        "Remember any good memories from those days?",
        "I love being in places like this",
        "I love going to this park",
        "I love making this cake",
    ],
)
def test_advice_and_fragments_are_not_memories(message: str) -> None:
    assert extract(message, now=NOW).candidates == []
