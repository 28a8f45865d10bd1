"""Letter case: all lowercase, all capitals, frequency of all-capital words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from persona.steer.checks.language import detect_language, is_english, keep_lines
from persona.steer.checks.text import count_capital_words
from persona.steer.registry import RELATIONS, ConstraintType, Param, relation_ok
from persona.steer.types import Verdict

LOWER = "change_case:english_lowercase"
CAPITAL = "change_case:english_capital"
CAPITAL_FREQ = "change_case:capital_word_frequency"


def _check_lower(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    if not reply.islower():
        caps = sorted({c for c in reply if c.isupper()})[:5]
        detail = "contains capital letters: " + " ".join(caps) if caps else "no lowercase letters"
        return Verdict(id=LOWER, passed=False, detail=detail)
    if not is_english(reply):
        return Verdict(id=LOWER, passed=False, detail=_not_english(reply))
    return Verdict(id=LOWER, passed=True)


def _check_capital(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    if not reply.isupper():
        lows = sorted({c for c in reply if c.islower()})[:5]
        detail = "contains lowercase letters: " + " ".join(lows) if lows else "no capital letters"
        return Verdict(id=CAPITAL, passed=False, detail=detail)
    if not is_english(reply):
        return Verdict(id=CAPITAL, passed=False, detail=_not_english(reply))
    return Verdict(id=CAPITAL, passed=True)


def _not_english(reply: str) -> str:
    return f"the reply is not in English (detected {detect_language(reply)})"


def _repair_lower(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return reply.lower()


def _repair_capital(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return reply.upper()


NOT_ENGLISH = "I could not write this reply in English."


def _english_only(reply: str, case: str) -> str:
    """The fallback of the case rules, which hold for English text only.

    The reply's lines in another language or script go (a small model drifts into them); the
    English lines stay. With no English line left, a notice that says so.
    """
    kept = keep_lines(reply, ("en", None))
    text = kept if kept is not None and is_english(kept) else NOT_ENGLISH
    return text.lower() if case == "lower" else text.upper()


def _fallback_lower(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return _english_only(reply, "lower")


def _fallback_capital(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return _english_only(reply, "upper")


def _check_capital_freq(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    count = count_capital_words(reply)
    relation, threshold = kwargs["capital_relation"], kwargs["capital_frequency"]
    if relation_ok(count, relation, threshold):
        return Verdict(id=CAPITAL_FREQ, passed=True)
    detail = f"{count} all-capital words; needs {relation} {threshold}"
    return Verdict(id=CAPITAL_FREQ, passed=False, detail=detail)


TYPES = (
    ConstraintType(
        id=LOWER,
        params=(),
        describe=lambda kw: (
            "Write your entire reply in English and in lowercase letters; "
            "no capital letters at all."
        ),
        check=_check_lower,
        repair=_repair_lower,
        repair_rank=60,
        fallback=_fallback_lower,
    ),
    ConstraintType(
        id=CAPITAL,
        params=(),
        describe=lambda kw: "Write your entire reply in English and in capital letters only.",
        check=_check_capital,
        repair=_repair_capital,
        repair_rank=60,
        fallback=_fallback_capital,
    ),
    ConstraintType(
        id=CAPITAL_FREQ,
        params=(
            Param("capital_frequency", int, minimum=0),
            Param("capital_relation", str, choices=RELATIONS),
        ),
        describe=lambda kw: (
            f"Words written entirely in capital letters must appear {kw['capital_relation']} "
            f"{kw['capital_frequency']} times in your reply."
        ),
        check=_check_capital_freq,
    ),
)
