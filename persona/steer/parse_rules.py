"""Preference rules about case, punctuation, length and style.

Every rule returns ``Hit`` tuples (constraint id, kwargs, start, end) over the message text.
Rules look for what an instruction does ("no commas", "wrap your answer in double quotes"), never
for a mention of the thing alone ("what's a comma splice?" sets nothing).
"""

from __future__ import annotations

import re

from persona.steer.parse_keywords import NEG, Hit, clause_before, frequency
from persona.steer.parse_text import (
    AT_LEAST,
    BEFORE_RE,
    NUM,
    count_bounds,
    relation_before,
    to_int,
)

_GAP = r"[^.!?\n]{0,60}?"
_CAPS = r"(?:capital(?:s|\s+letters?|i[sz]\w*)?\b|caps\b|upper[\s-]?case\w*|capitali[sz]\w*)"
_LOWER = r"(?:lower[\s-]?case\w*|small\s+letters|lower\s+case\s+letters)"
_CAP_WORDS = (
    rf"(?:\bwords?\b(?:\s+or\s+phrases)?\s+(?:\w+\s+){{0,4}}?(?:in|with|be\s+in|"
    rf"written\s+in)\s+(?:all[\s-]+)?{_CAPS}|(?:all[\s-]+caps?|capitali[sz]ed|"
    rf"{_CAPS})\s+(?!all\b|every\b|each\b)(?:\w+\s+){{0,2}}?words?\b|stress\s+words)"
)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans, not split inside "i.e.", "e.g." or "P.S."."""
    spans, start = [], 0
    for m in re.finditer(r"(?<!\bi\.e)(?<!\be\.g)(?<!P\.S)(?<!\bP)[.!?](?=\s)|\n", text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def case_hits(text: str) -> list[Hit]:
    """Capital-word frequency, all capitals and all lowercase."""
    hits: list[Hit] = []
    for s, e in _sentences(text):
        sent = text[s:e]
        if not re.search(_CAP_WORDS, sent, re.I):
            continue
        bounds = count_bounds(sent, r"(?:times?|words?)") or _bare_bound(sent)
        if not bounds and not re.search(NEG, sent, re.I):
            bounds = [(AT_LEAST, 1)]  # "use some words in all caps"
        for rel, n in bounds:
            kwargs = {"capital_relation": rel, "capital_frequency": n}
            hits.append(("change_case:capital_word_frequency", kwargs, s, e))
    taken = [(h[2], h[3]) for h in hits]
    taken += [(m.start(), m.end()) for m in re.finditer(_CAP_WORDS, text, re.I)]

    def free(m: re.Match[str]) -> bool:
        return not any(a <= m.start() < b for a, b in taken)

    for m in re.finditer(_LOWER, text, re.I):
        if not free(m):
            continue
        before = clause_before(text, m.start(), 70)
        # "no emojis and lowercase": the negation belongs to the first request, not this one
        before = re.split(r"\band\b", before)[-1]
        if re.search(NEG, before, re.I):
            hits.append(("change_case:english_capital", {}, m.start(), m.end()))
        elif not re.search(r"\b(?:what|why|how)\b", before, re.I):
            hits.append(("change_case:english_lowercase", {}, m.start(), m.end()))
    for m in re.finditer(_CAPS, text, re.I):
        if not free(m) or re.match(
            r"capital\s+(?!letters?)\w", text[m.start() : m.end() + 12], re.I
        ):
            continue
        before = clause_before(text, m.start(), 50)
        after = text[m.end() : m.end() + 25]
        if re.match(
            r"\s+(?:all|every|each)\s+(?:\w+\s+)?(?:words?|letters?)", after, re.I
        ) and m.group(0).lower().startswith("capitali"):
            hits.append(("change_case:english_capital", {}, m.start(), m.end()))
        elif re.search(r"\bnot\s+(?:a\s+)?single\s+letter\b", before, re.I):
            hits.append(("change_case:english_lowercase", {}, m.start(), m.end()))
        elif re.search(NEG, before, re.I) or re.match(
            r"\s*(?:are|is)\s+(?:not\s+allowed|forbidden|banned)", after, re.I
        ):
            if not re.search(r"\bonly\b|\bexcept\b", before, re.I):
                hits.append(("change_case:english_lowercase", {}, m.start(), m.end()))
        elif (
            re.search(r"\b(?:all|only|entirely|entire|completely|every|full)\b", before, re.I)
            or re.search(r"\bin\s+$", before)
            or re.match(r"\s*(?:letters\s+)?only\b", after, re.I)
        ) and not re.search(r"\bwhat\b|\bcity|\bcities", before + after, re.I):
            hits.append(("change_case:english_capital", {}, m.start(), m.end()))
    return _dedupe(hits)


def _bare_bound(sent: str) -> list[tuple[str, int]]:
    """A bound with no unit: "limit them to less than four"."""
    bounds = frequency(sent)
    if bounds:
        return bounds
    m = re.search(rf"\b({BEFORE_RE})\s+({NUM})\b", sent, re.I)
    n = to_int(m.group(2)) if m else None
    rel = relation_before(m.group(1), n) if m and n is not None else None
    return [rel] if rel else []


def _dedupe(hits: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    for h in hits:
        if h[1] or not any(o[0] == h[0] for o in out):
            out.append(h)
    return out


def comma_hits(text: str) -> list[Hit]:
    """``punctuation:no_comma``: "no commas", "refrain from using commas", "commas not allowed"."""
    for m in re.finditer(r"\bcommas?\b(?!\s+splices?)", text, re.I):
        before = clause_before(text, m.start(), 50)
        after = text[m.end() : m.end() + 30]
        if re.search(NEG + r"|\bcannot\b", before, re.I) or re.match(
            r"\s*(?:are|is)\s+(?:not\s+allowed|forbidden|banned|off[\s-]limits)", after, re.I
        ):
            return [("punctuation:no_comma", {}, m.start(), m.end())]
        if re.search(r"\bcomma[\s-]free\b", text[m.start() : m.end() + 5], re.I):
            return [("punctuation:no_comma", {}, m.start(), m.end())]
    return []


def length_hits(text: str) -> list[Hit]:
    """Word and sentence counts, and ``style:max_words`` for a stated word limit."""
    hits: list[Hit] = []
    masked = text
    for m in re.finditer(
        rf"\b(?:max(?:imum)?|word\s+(?:limit|cap|budget))\s*(?:of|is|"
        rf":)?\s*({NUM})(?:\s+words?)?\b|\b({NUM})[\s-]words?\s+(?:max(?:imum)?|limit|cap)\b",
        text,
        re.I,
    ):
        n = to_int(m.group(1) or m.group(2))
        if n is not None and re.search(r"word", m.group(0), re.I):
            hits.append(("style:max_words", {"max_words": n}, m.start(), m.end()))
            masked = masked[: m.start()] + " " * (m.end() - m.start()) + masked[m.end() :]
    for m in re.finditer(_CAP_WORDS, masked, re.I):
        start = max(0, m.start() - 20)
        masked = masked[:start] + " " * (m.end() - start) + masked[m.end() :]
    for s, e in _sentences(masked):
        sent = masked[s:e]
        for unit, cid, key in _LENGTH_UNITS:
            # Order hits by where the unit is named; the span still covers the whole sentence.
            at = re.search(rf"\b{unit}\b", sent, re.I)
            start = s + at.start() if at else s
            for rel, n in count_bounds(sent, unit):
                hits.append((cid, {"relation": rel, key: n}, start, e))
    return hits


_LENGTH_UNITS = (
    (r"words?", "length_constraints:number_words", "num_words"),
    (r"sentences?", "length_constraints:number_sentences", "num_sentences"),
)


_STYLE = [
    (
        "style:no_follow_up_questions",
        r"\b(?:stop|quit|don't|do\s+not|never|no\s+more|avoid|without|no)\s+(?:\w+\s+){0,"
        r"3}?(?:ask\w*\s+(?:me\s+)?(?:any\s+|more\s+|so\s+many\s+|a\s+)*(?:follow[\s-]?up\s+|"
        r"clarifying\s+)?questions?"
        r"|follow[\s-]?up\s+questions?|(?:end|finish|close|wrap)\w*\s+(?:\w+\s+){0,3}?(?:with|"
        r"in)\s+(?:a\s+)?questions?|questions?\s+at\s+the\s+end)",
    ),
    (
        # softer phrasings: "no need to ask me anything back", "skip the closing question"
        "style:no_follow_up_questions",
        r"\b(?:(?:you\s+)?(?:don't|do\s+not|no)\s+need\s+to|there's\s+no\s+need\s+to|"
        r"don't|do\s+not|without|never)\s+ask\w*\s+(?:me\s+)?(?:anything|something|stuff|"
        r"questions?)\s+(?:back|in\s+return)\b|\bno\s+questions\s+back\b|"
        r"\bskip\s+the\s+(?:closing|final|follow[\s-]?up|trailing)\s+questions?\b|"
        r"\bleave\s+out\s+the\s+(?:closing|final|follow[\s-]?up)\s+questions?\b",
    ),
    (
        "style:no_emoji",
        rf"{NEG}[^.!?\n]{{0,30}}?\b(?:emojis?|emoticons?|smileys?)\b|\bemoji[\s-]free\b|"
        r"\b(?:cut|leave)\s+out\s+(?:the\s+|all\s+|any\s+)?(?:emojis?|smileys?)\b|"
        r"\bdrop\s+(?:the\s+|all\s+)?(?:emojis?|smileys?)\b",
    ),
    (
        "style:no_markdown",
        rf"{NEG}[^.!?\n]{{0,30}}?\bmarkdown\b|\bplain[\s-]text\s+only\b|"
        rf"\bonly\s+plain[\s-]text\b|\bin\s+plain\s+text\b",
    ),
]


def style_hits(text: str) -> list[Hit]:
    """Product style constraints: no follow-up questions, no emoji, no markdown, formality."""
    hits: list[Hit] = []
    for cid, pat in _STYLE:
        m = re.search(pat, text, re.I)
        if m and not any(h[0] == cid for h in hits):
            hits.append((cid, {}, m.start(), m.end()))
    m = re.search(
        r"\b(?:be|sound|stay|make\s+it|keep\s+(?:it|things|your\s+\w+))\s+(?:more\s+|very\s+|"
        r"a\s+bit\s+(?:more\s+)?|less\s+)?(formal|casual|informal|relaxed|professional)\b"
        r"|\b(formal|casual|informal)\s+(?:tone|register|style|voice|language|manner)\b"
        r"|\b(?:talk|speak|write|reply|respond|answer)\s+(?:to\s+me\s+)?(?:more\s+)?(formally|"
        r"casually|informally)\b",
        text,
        re.I,
    )
    if m:
        word = next(g for g in m.groups() if g).lower()
        less = re.search(r"\bless\s+" + word, m.group(0), re.I)
        formal = word.startswith(("formal", "professional"))
        level = "formal" if formal != bool(less) else "casual"
        hits.append(("style:formality", {"level": level}, m.start(), m.end()))
    return hits
