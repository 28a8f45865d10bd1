"""Length: words, sentences, paragraphs, the first word of the nth paragraph, a word cap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from persona.errors import InvalidInput
from persona.steer.checks.text import (
    count_sentences,
    count_words,
    cut_at_words,
    cut_to_limit,
    paragraphs_by_blank_line,
    paragraphs_by_divider,
)
from persona.steer.registry import RELATIONS, ConstraintType, Param, relation_ok
from persona.steer.types import Verdict

WORDS = "length_constraints:number_words"
SENTENCES = "length_constraints:number_sentences"
PARAGRAPHS = "length_constraints:number_paragraphs"
NTH_FIRST_WORD = "length_constraints:nth_paragraph_first_word"
MAX_WORDS = "style:max_words"


def _check_words(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = count_words(reply)
    if relation_ok(count, kwargs["relation"], kwargs["num_words"]):
        return Verdict(id=WORDS, passed=True)
    detail = f"{count} words; needs {kwargs['relation']} {kwargs['num_words']}"
    return Verdict(id=WORDS, passed=False, detail=detail)


def _repair_words(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    if kwargs["relation"] != "less than":
        return None  # adding words would invent content
    return cut_to_limit(reply, lambda t: count_words(t) < kwargs["num_words"])


def _fallback_words(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    if kwargs["relation"] != "less than":
        return None
    return cut_at_words(reply, lambda t: count_words(t) < kwargs["num_words"])


def _check_sentences(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = count_sentences(reply)
    if relation_ok(count, kwargs["relation"], kwargs["num_sentences"]):
        return Verdict(id=SENTENCES, passed=True)
    detail = f"{count} sentences; needs {kwargs['relation']} {kwargs['num_sentences']}"
    return Verdict(id=SENTENCES, passed=False, detail=detail)


def _repair_sentences(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    if kwargs["relation"] != "less than":
        return None
    return cut_to_limit(reply, lambda t: count_sentences(t) < kwargs["num_sentences"])


def count_divided_paragraphs(reply: str) -> int | None:
    """Paragraphs separated by ``***``; None when an inner paragraph is empty (IFEval fails it)."""
    parts = paragraphs_by_divider(reply)
    count = len(parts)
    for i, part in enumerate(parts):
        if not part.strip():
            if i in (0, len(parts) - 1):
                count -= 1
            else:
                return None
    return count


def _check_paragraphs(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = count_divided_paragraphs(reply)
    want = kwargs["num_paragraphs"]
    if count == want:
        return Verdict(id=PARAGRAPHS, passed=True)
    found = "an empty paragraph between *** dividers" if count is None else f"{count} paragraphs"
    return Verdict(id=PARAGRAPHS, passed=False, detail=f"{found}; needs exactly {want}")


def _repair_paragraphs(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    # blank-line paragraphs, exactly as many as wanted, get *** dividers; no text changes
    if "***" in reply:
        return None
    parts = [p.strip() for p in reply.strip().split("\n\n") if p.strip()]
    if len(parts) != kwargs["num_paragraphs"]:
        return None
    return "\n\n***\n\n".join(parts)


def _first_word(paragraph: str) -> str:
    word = paragraph.split()[0].strip().lstrip("'").lstrip('"')
    out = ""
    for ch in word:
        if ch in ".,?!'\"":
            break
        out += ch.lower()
    return out


def _check_nth(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    parts = paragraphs_by_blank_line(reply)
    count = sum(1 for p in parts if p.strip())
    nth, want_count = kwargs["nth_paragraph"], kwargs["num_paragraphs"]
    want_word = kwargs["first_word"].lower()
    if nth > count or not parts[nth - 1].strip():
        detail = f"paragraph {nth} is missing or empty ({count} paragraphs)"
        return Verdict(id=NTH_FIRST_WORD, passed=False, detail=detail)
    problems = []
    if count != want_count:
        problems.append(f"{count} paragraphs; needs exactly {want_count}")
    first = _first_word(parts[nth - 1].strip())
    if first != want_word:
        problems.append(f"paragraph {nth} starts with {first!r}, not {want_word!r}")
    return Verdict(id=NTH_FIRST_WORD, passed=not problems, detail="; ".join(problems))


def _validate_nth(kwargs: Mapping[str, Any]) -> None:
    if kwargs["nth_paragraph"] > kwargs["num_paragraphs"]:
        raise InvalidInput(
            f"{NTH_FIRST_WORD}: nth_paragraph ({kwargs['nth_paragraph']}) must not exceed "
            f"num_paragraphs ({kwargs['num_paragraphs']})",
            "nth_paragraph",
        )


def _check_max_words(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = count_words(reply)
    if count <= kwargs["max_words"]:
        return Verdict(id=MAX_WORDS, passed=True)
    detail = f"{count} words; the limit is {kwargs['max_words']}"
    return Verdict(id=MAX_WORDS, passed=False, detail=detail)


def _repair_max_words(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return cut_to_limit(reply, lambda t: count_words(t) <= kwargs["max_words"])


def _fallback_max_words(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return cut_at_words(reply, lambda t: count_words(t) <= kwargs["max_words"])


def _relation_text(relation: str) -> str:
    return "fewer than" if relation == "less than" else "at least"


TYPES = (
    ConstraintType(
        id=WORDS,
        params=(Param("num_words", int, minimum=1), Param("relation", str, choices=RELATIONS)),
        describe=lambda kw: (
            f"Your reply must contain {_relation_text(kw['relation'])} {kw['num_words']} words."
        ),
        check=_check_words,
        repair=_repair_words,
        repair_rank=10,
        fallback=_fallback_words,
    ),
    ConstraintType(
        id=SENTENCES,
        params=(Param("num_sentences", int, minimum=1), Param("relation", str, choices=RELATIONS)),
        describe=lambda kw: (
            f"Your reply must contain {_relation_text(kw['relation'])} "
            f"{kw['num_sentences']} sentences."
        ),
        check=_check_sentences,
        repair=_repair_sentences,
        repair_rank=10,
    ),
    ConstraintType(
        id=PARAGRAPHS,
        params=(Param("num_paragraphs", int, minimum=1),),
        describe=lambda kw: (
            f"Your reply must have exactly {kw['num_paragraphs']} paragraphs, separated from "
            "each other by the markdown divider *** on its own line."
        ),
        check=_check_paragraphs,
        repair=_repair_paragraphs,
        repair_rank=40,
    ),
    ConstraintType(
        id=NTH_FIRST_WORD,
        params=(
            Param("num_paragraphs", int, minimum=1),
            Param("nth_paragraph", int, minimum=1),
            Param("first_word", str),
        ),
        describe=lambda kw: (
            f"Your reply must have exactly {kw['num_paragraphs']} paragraphs, separated by one "
            f"blank line (two newlines) and nothing else; paragraph {kw['nth_paragraph']} must "
            f'start with the word "{kw["first_word"]}".'
        ),
        check=_check_nth,
        extra_validation=_validate_nth,
    ),
    ConstraintType(
        id=MAX_WORDS,
        params=(Param("max_words", int, minimum=1),),
        describe=lambda kw: f"Keep your reply to at most {kw['max_words']} words.",
        check=_check_max_words,
        repair=_repair_max_words,
        repair_rank=10,
        fallback=_fallback_max_words,
    ),
)
