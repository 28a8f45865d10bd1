"""Relative date phrases in statements ("yesterday", "3 weeks ago", "in 2019")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

DATE_PHRASE = re.compile(
    r"\b(?:yesterday|today|tonight|last (?:week|weekend|month|year|night|summer|winter|spring|"
    r"fall|autumn|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:\d+|a|one|two|three|four|five|six) (?:days?|weeks?|months?|years?) ago|"
    r"in (?:19|20)\d\d|on (?:\w+ \d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)? \w+))\b",
    re.IGNORECASE,
)
_N = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def resolve_date(phrase: str, now: datetime) -> str | None:
    """An ISO date for a relative date phrase ("yesterday", "3 days ago", "in 2019"), or None."""
    p = phrase.lower()
    if p in {"today", "tonight"}:
        return now.date().isoformat()
    if p == "yesterday":
        return (now - timedelta(days=1)).date().isoformat()
    if m := re.fullmatch(r"in ((?:19|20)\d\d)", p):
        return m[1]
    if m := re.fullmatch(r"(\d+|a|one|two|three|four|five|six) (day|week|month|year)s? ago", p):
        n = int(m[1]) if m[1].isdigit() else _N[m[1]]
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[m[2]]
        return (now - timedelta(days=n * days)).date().isoformat()
    if m := re.fullmatch(r"last (week|month|year)", p):
        days = {"week": 7, "month": 30, "year": 365}[m[1]]
        return (now - timedelta(days=days)).date().isoformat()
    return None
