"""Keywords: required words, word frequency, forbidden words, letter frequency."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from persona.errors import InvalidInput
from persona.steer.registry import RELATIONS, ConstraintType, Param, relation_ok
from persona.steer.types import Verdict

EXISTENCE = "keywords:existence"
FREQUENCY = "keywords:frequency"
FORBIDDEN = "keywords:forbidden_words"
LETTER = "keywords:letter_frequency"


def _occurrences(keyword: str, reply: str) -> int:
    # IFEval counts case-insensitive substring matches, not whole words
    return len(re.findall(re.escape(keyword), reply, flags=re.IGNORECASE))


def _check_existence(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    missing = [k for k in kwargs["keywords"] if not _occurrences(k, reply)]
    if missing:
        return Verdict(id=EXISTENCE, passed=False, detail="missing keywords: " + ", ".join(missing))
    return Verdict(id=EXISTENCE, passed=True)


def _check_frequency(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = _occurrences(kwargs["keyword"], reply)
    relation, threshold = kwargs["relation"], kwargs["frequency"]
    if relation_ok(count, relation, threshold):
        return Verdict(id=FREQUENCY, passed=True)
    detail = f"{kwargs['keyword']!r} appears {count} times; needs {relation} {threshold}"
    return Verdict(id=FREQUENCY, passed=False, detail=detail)


def forbidden_found(reply: str, words: list[str]) -> list[str]:
    """The forbidden words that occur in `reply` as whole words (case-insensitive)."""
    return [w for w in words if re.search(r"\b" + re.escape(w) + r"\b", reply, flags=re.I)]


def _check_forbidden(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    found = forbidden_found(reply, kwargs["forbidden_words"])
    if found:
        return Verdict(
            id=FORBIDDEN, passed=False, detail="uses forbidden words: " + ", ".join(found)
        )
    return Verdict(id=FORBIDDEN, passed=True)


def _check_letter(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    letter = kwargs["letter"].lower()
    count = reply.lower().count(letter)
    relation, threshold = kwargs["let_relation"], kwargs["let_frequency"]
    if relation_ok(count, relation, threshold):
        return Verdict(id=LETTER, passed=True)
    detail = f"letter {letter!r} appears {count} times; needs {relation} {threshold}"
    return Verdict(id=LETTER, passed=False, detail=detail)


def _validate_letter(kwargs: Mapping[str, Any]) -> None:
    letter = kwargs["letter"]
    if len(letter) != 1:
        raise InvalidInput(f"{LETTER}: letter must be one character, got {letter!r}", "letter")


def _quoted(words: list[str]) -> str:
    return ", ".join(f'"{w}"' for w in words)


TYPES = (
    ConstraintType(
        id=EXISTENCE,
        params=(Param("keywords", list),),
        describe=lambda kw: f"Include these keywords in your reply: {_quoted(kw['keywords'])}.",
        check=_check_existence,
    ),
    ConstraintType(
        id=FREQUENCY,
        params=(
            Param("keyword", str),
            Param("frequency", int, minimum=0),
            Param("relation", str, choices=RELATIONS),
        ),
        describe=lambda kw: (
            f'The word "{kw["keyword"]}" must appear {kw["relation"]} {kw["frequency"]} times '
            "in your reply."
        ),
        check=_check_frequency,
    ),
    ConstraintType(
        id=FORBIDDEN,
        params=(Param("forbidden_words", list),),
        describe=lambda kw: (
            f"Do not use these words anywhere in your reply: {_quoted(kw['forbidden_words'])}."
        ),
        check=_check_forbidden,
    ),
    ConstraintType(
        id=LETTER,
        params=(
            Param("letter", str),
            Param("let_frequency", int, minimum=0),
            Param("let_relation", str, choices=RELATIONS),
        ),
        describe=lambda kw: (
            f'The letter "{kw["letter"]}" must appear {kw["let_relation"]} '
            f"{kw['let_frequency']} times in your reply."
        ),
        check=_check_letter,
        extra_validation=_validate_letter,
    ),
)
