"""Text helpers for the preference parser: numbers, count relations, quoted lists, languages.

The parser maps what people say about counts to IFEval's two relations, exactly:

- "at least N", "N or more", "N+"              -> ("at least", N)
- "more than N", "over N"                       -> ("at least", N + 1)
- "less than N", "fewer than N", "under N"      -> ("less than", N)
- "at most N", "no more than N", "N or less",
  "up to N", "not exceed N", "within N"         -> ("less than", N + 1)

"no more than 80 words" therefore becomes ``less than 81``: 80 words still complies, as the user
meant. IFEval's own annotations use the same convention ("at most 150 words" -> less than 151).
"""

from __future__ import annotations

import re

AT_LEAST = "at least"
LESS_THAN = "less than"

_UNITS = {
    "zero": 0,
    "no": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "once": 1,
    "twice": 2,
    "thrice": 3,
}
_WORD_NUMS = "|".join(
    sorted((k for k in _UNITS if k not in {"a", "an", "no"}), key=len, reverse=True)
)
# A number as people write it: digits (with thousands commas) or a number word.
NUM = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{_WORD_NUMS})(?:[- ](?:one|two|three|four|five|six|"
    rf"seven|eight|nine))?)"
)
ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d+(?:st|nd|rd|th))"

# Phrases that turn the number after them into a relation; order matters (longest first).
_BEFORE = [
    (
        r"at\s+least|no\s+(?:less|fewer)\s+than|not\s+(?:less|fewer)\s+than|a\s+minimum\s+of|"
        r"minimum(?:\s+of)?|min\.?",
        0,
        AT_LEAST,
    ),
    (r"more\s+than|over|above|in\s+excess\s+of|greater\s+than", 1, AT_LEAST),
    (
        r"no\s+more\s+than|not\s+more\s+than|at\s+most|no\s+longer\s+than|up\s+to|"
        r"a\s+maximum\s+of|maximum(?:\s+of)?|max\.?|"
        r"no\s+longer\s+than|not\s+(?:to\s+)?exceed(?:ing)?|exceeding|within|tops",
        1,
        LESS_THAN,
    ),
    (r"(?:less|fewer|shorter)\s+than|under|below|beneath", 0, LESS_THAN),
]
BEFORE_RE = "|".join(f"(?:{p})" for p, _, _ in _BEFORE)
_AFTER = [
    (r"or\s+(?:more|greater|above)|\+|plus", 0, AT_LEAST),
    (r"or\s+(?:less|fewer|below|under)|(?:at\s+)?max(?:imum)?|tops|at\s+most", 1, LESS_THAN),
]
AFTER_RE = "|".join(f"(?:{p})" for p, _, _ in _AFTER)


def to_int(token: str) -> int | None:
    """The integer a number token stands for ("12", "1,200", "twelve", "twenty-five", "twice")."""
    t = token.strip().lower().replace(",", "")
    if t.isdigit():
        return int(t)
    parts = re.split(r"[- ]", t)
    total = 0
    for part in parts:
        if part not in _UNITS:
            return None
        total += _UNITS[part]
    return total


def relation_before(phrase: str, n: int) -> tuple[str, int] | None:
    """Map a quantifier written before a number ("at most") to an IFEval relation and bound."""
    p = re.sub(r"\s+", " ", phrase.strip().lower())
    for pattern, shift, rel in _BEFORE:
        if re.fullmatch(pattern, p):
            return rel, n + shift
    return None


def relation_after(phrase: str, n: int) -> tuple[str, int] | None:
    """Map a quantifier written after a number ("or less") to an IFEval relation and bound."""
    p = re.sub(r"\s+", " ", phrase.strip().lower())
    for pattern, shift, rel in _AFTER:
        if re.fullmatch(pattern, p):
            return rel, n + shift
    return None


def count_bounds(text: str, unit: str) -> list[tuple[str, int]]:
    """Every count bound on `unit` (a regex such as ``words?``) stated in `text`, in order.

    Ranges ("100 to 120 words", "between 5 and 6 sentences", "5 or 6 sentences") give two
    bounds; "exactly N" gives ``at least N`` and ``less than N+1``.
    """
    found: list[tuple[int, list[tuple[str, int]]]] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], bounds: list[tuple[str, int]]) -> None:
        if any(m.start() < e and s < m.end() for s, e in taken):
            return
        taken.append((m.start(), m.end()))
        found.append((m.start(), bounds))

    mid = r"(?:[\s-]+(?:\w+[\s-]+){0,2}?)"  # e.g. "300 *short* words", "30-line"
    neg_longer = (
        rf"(?:n't|\bnot|\bnothing)\s+(?:\w+\s+){{0,3}}?(?:longer|"
        rf"more)\s+than\s+({NUM}){mid}?{unit}\b"
    )
    for m in re.finditer(neg_longer, text, re.I):
        n = to_int(m.group(1))
        if n is not None:
            add(m, [(LESS_THAN, n + 1)])
    named = (
        rf"\bnumber\s+of\s+{unit}\b[^.!?\n]{{0,60}}?\b(?:(?:range\s+of|"
        rf"between)\s+({NUM})\s*(?:to|-|and)\s*({NUM})|({NUM})\s+(or\s+(?:more|less|"
        rf"fewer))|({BEFORE_RE})\s+({NUM}))"
    )
    for m in re.finditer(named, text, re.I):
        if m.group(1):
            lo, hi = to_int(m.group(1)), to_int(m.group(2))
            if lo is not None and hi is not None:
                add(m, [(AT_LEAST, lo), (LESS_THAN, hi + 1)])
        elif m.group(3):
            n = to_int(m.group(3))
            rel = relation_after(m.group(4), n) if n is not None else None
            if rel:
                add(m, [rel])
        else:
            n = to_int(m.group(6))
            rel = relation_before(m.group(5), n) if n is not None else None
            if rel:
                add(m, [rel])
    rng = rf"(?:between\s+)?({NUM})\s*(?:to|-|\u2013|and|or)\s*({NUM}){mid}{unit}\b"
    for m in re.finditer(rng, text, re.I):
        lo, hi = to_int(m.group(1)), to_int(m.group(2))
        if lo is not None and hi is not None and lo < hi:
            add(m, [(AT_LEAST, lo), (LESS_THAN, hi + 1)])
    exact = rf"\bexactly\s+({NUM}){mid}?{unit}\b"
    for m in re.finditer(exact, text, re.I):
        n = to_int(m.group(1))
        if n is not None:
            add(m, [(AT_LEAST, n), (LESS_THAN, n + 1)])
    before = rf"\b({BEFORE_RE})\s+(?:a\s+total\s+of\s+|only\s+)?({NUM}){mid}?{unit}\b"
    for m in re.finditer(before, text, re.I):
        n = to_int(m.group(2))
        rel = relation_before(m.group(1), n) if n is not None else None
        if rel:
            add(m, [rel])
    after = rf"\b({NUM})\s*({AFTER_RE})?[\s-]*{unit}\b(?:\s+(?:long\s+)?({AFTER_RE}))?"
    for m in re.finditer(after, text, re.I):
        n = to_int(m.group(1))
        suffix = m.group(2) or m.group(3)
        if n is None or not suffix:
            continue
        rel = relation_after(suffix, n)
        if rel:
            add(m, [rel])
    # "limit ... to 100 words", "keep it to 3 sentences", "word limit of 50", "N-word limit"
    limit = rf"\b(?:limit|cap|keep|restrict)\w*\b[^.!?\n]{{0,40}}?\bto\s+({NUM}){mid}?{unit}\b"
    for m in re.finditer(limit, text, re.I):
        n = to_int(m.group(1))
        if n is not None:
            add(m, [(LESS_THAN, n + 1)])
    return [b for _, bounds in sorted(found, key=lambda x: x[0]) for b in bounds]


_QUOTED = (
    r"\"([^\"\n]{1,80})\"|'([^'\n]{1,80})'"
    "|\u201c([^\u201d\n]{1,80})\u201d|\u2018([^\u2019\n]{1,80})\u2019"
)


def quoted(text: str) -> list[str]:
    """Every quoted string in `text`, in order."""
    return [next(g for g in m.groups() if g is not None) for m in re.finditer(_QUOTED, text)]


def word_list(text: str) -> list[str]:
    """Words named in a list such as ``"a", "b" and 'c'``, ``['a', 'b']`` or ``a, b, or c``."""
    q = [w.strip() for w in quoted(text) if w.strip()]
    if q:
        return q
    text = re.split(
        r"[.;:!?\n(]|\b(?:in|to|for|anywhere|throughout|at|when|while|if|because|as|so|within)\b",
        text,
        maxsplit=1,
    )[0]
    items = re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+", text)
    words = [w.strip(" '\"[]") for w in items]
    return [w for w in words if w and re.fullmatch(r"[\w'-]+(?: [\w'-]+)?", w)]


# Language names people use -> the ISO 639-1 code langdetect reports.
LANGUAGES = {
    "english": "en",
    "spanish": "es",
    "french": "fr",
    "german": "de",
    "italian": "it",
    "portuguese": "pt",
    "dutch": "nl",
    "russian": "ru",
    "ukrainian": "uk",
    "polish": "pl",
    "czech": "cs",
    "slovak": "sk",
    "bulgarian": "bg",
    "romanian": "ro",
    "hungarian": "hu",
    "greek": "el",
    "turkish": "tr",
    "arabic": "ar",
    "hebrew": "he",
    "persian": "fa",
    "farsi": "fa",
    "urdu": "ur",
    "hindi": "hi",
    "bengali": "bn",
    "bangla": "bn",
    "punjabi": "pa",
    "gujarati": "gu",
    "marathi": "mr",
    "tamil": "ta",
    "telugu": "te",
    "kannada": "kn",
    "malayalam": "ml",
    "nepali": "ne",
    "thai": "th",
    "vietnamese": "vi",
    "indonesian": "id",
    "malay": "ms",
    "tagalog": "tl",
    "filipino": "tl",
    "chinese": "zh",
    "mandarin": "zh",
    "japanese": "ja",
    "korean": "ko",
    "swahili": "sw",
    "swedish": "sv",
    "norwegian": "no",
    "danish": "da",
    "finnish": "fi",
    "estonian": "et",
    "latvian": "lv",
    "lithuanian": "lt",
    "croatian": "hr",
    "serbian": "sr",
    "slovenian": "sl",
    "albanian": "sq",
    "macedonian": "mk",
    "catalan": "ca",
    "welsh": "cy",
    "afrikaans": "af",
    "somali": "so",
}
LANGUAGE_RE = "|".join(sorted(LANGUAGES, key=len, reverse=True))
