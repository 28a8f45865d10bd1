"""Temporal expressions in chat text, for retrieval: does a turn say when something happened,
does a question ask when, and which calendar month or year does a question name.

Deliberately small and English-first (the lexical index is English-first too): retrieval only
needs a yes/no per turn and a coarse span per question, not a full date parser. "When did I
see the dentist?" is answered by the turn that says "I saw the dentist yesterday", which
shares few words with the question; a turn with a temporal expression is the likelier answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH_ALIASES = {name[:3]: i + 1 for i, name in enumerate(MONTHS)} | {"sept": 9}
_MONTH_NUMBER = {name: i + 1 for i, name in enumerate(MONTHS)} | _MONTH_ALIASES
# "may" and "march" are common words: as months they are capitalised or next to a number
_AMBIGUOUS = ("may", "march", "mar", "jan", "jun", "dec")
_UNITS = r"(?:day|night|week|weekend|month|year|summer|winter|spring|fall|autumn)"
_WEEKDAYS = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
_NUMBER = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|few|couple(?: of)?)"
_RELATIVE = re.compile(
    rf"""\b(?:
        yesterday|today|tonight|tomorrow|recently|lately|earlier|nowadays|
        (?:last|next|this|past|coming|previous|other)\s+(?:{_UNITS}|{_WEEKDAYS})s?|
        {_NUMBER}\s+(?:{_UNITS}|hour)s?\s+(?:ago|back|earlier|later|before|from\s+now)|
        ago|{_WEEKDAYS}s?|weekends?|
        (?:19|20)\d\d|
        \d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|
        (?:january|february|april|june|july|august|september|october|november|december)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_CASED_MONTH = re.compile(r"\b(?:May|March)\b|\b(?:may|march)\s+\d", re.IGNORECASE)

_ASKS = re.compile(
    r"""\b(?:
        when|what\s+(?:date|day|time|year|month|week|season)|
        which\s+(?:date|day|year|month|week|season)|how\s+long(?:\s+ago)?|since\s+when|
        how\s+many\s+(?:days|weeks|months|years)
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th)?"
# "25 May, 2022", "the 3rd of June", "June 3, 2023", "May 2023", "June"
_MONTH_WORD = re.compile(
    rf"""\b(?:(?P<day1>\d{{1,2}}){_ORD}\s+(?:of\s+)?)?(?P<month>{_MONTH_NAMES})\.?\b
    (?:\s+(?P<day2>\d{{1,2}}){_ORD}\b)?(?:,?\s+(?P<year>(?:19|20)\d\d)\b)?""",
    re.IGNORECASE | re.VERBOSE,
)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def has_temporal(text: str) -> bool:
    """Whether `text` contains a temporal expression ("yesterday", "last week", "in June",
    "two years ago", "on Friday", "2022", "5/12")."""
    if _RELATIVE.search(text):
        return True
    return any(
        m.group(0)[0].isupper() or m.group(0)[-1].isdigit() for m in _CASED_MONTH.finditer(text)
    )


def asks_when(query: str) -> bool:
    """Whether a question asks for a time: "when ...", "what year ...", "how long ago ..."."""
    return _ASKS.search(query) is not None


@dataclass(frozen=True)
class Span:
    """A calendar span a question names: a day, a month or a year (None: any)."""

    month: int | None
    year: int | None
    day: int | None = None


def named_span(query: str) -> Span | None:
    """The day, month and/or year a question names ("on 25 May, 2022", "in June", "in
    2022"), if any.

    Lower-case "may"/"march" are taken for verbs unless a day or year is next to them.
    """
    for match in _MONTH_WORD.finditer(query):
        word, year = match.group("month"), match.group("year")
        day = match.group("day1") or match.group("day2")
        bare = word.lower() in _AMBIGUOUS and not (year or day)
        if bare and (not word[0].isupper() or match.start() == 0):
            continue  # a verb, or "May I ask ..." at the start of a sentence
        day_number = int(day) if day and 1 <= int(day) <= 31 else None
        return Span(_MONTH_NUMBER[word.lower()], int(year) if year else None, day_number)
    year_match = _YEAR.search(query)
    return Span(None, int(year_match.group(1))) if year_match else None
