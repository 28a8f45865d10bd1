"""Preference rules about words, letters and language: keywords, forbidden words, letter counts.

Every rule returns ``Hit`` tuples (constraint id, kwargs, start, end) over the message text.
"""

from __future__ import annotations

import re
from typing import Any

from persona.steer.parse_text import (
    AT_LEAST,
    BEFORE_RE,
    LANGUAGE_RE,
    LANGUAGES,
    LESS_THAN,
    NUM,
    count_bounds,
    relation_after,
    relation_before,
    to_int,
    word_list,
)

Hit = tuple[str, dict[str, Any], int, int]

NEG = (
    r"(?:\bno\b|\bnot\b|n't\b|\b(?:dont|cant|wont|shouldnt|mustnt)\b|\bnever\b|\bwithout\b|\bavoid\w*|\brefrain\w*|\bstop\b|\bzero\b|"
    r"\bfree\s+of\b|\bomit\w*|\bexclud\w*|\bforbid\w*|\bban\b|\bleave\s+out\b|\bditch\b|\bquit\b)"
)
_CLAUSE_END = r"[.!?;\n]"
_Q = "\"'\u201c\u201d\u2018\u2019"  # straight and typographic quotes


def clause_before(text: str, pos: int, width: int = 60) -> str:
    """The words before `pos` within its clause (what could negate or qualify them)."""
    start = max(0, pos - width)
    chunk = text[start:pos]
    parts = re.split(r"[.!?;\n]|,\s*(?:and|but)\b", chunk)
    return parts[-1]


def _segment_after(text: str, pos: int, width: int = 90) -> str:
    """The text after `pos` up to the end of its sentence."""
    return re.split(r"[!?;\n]|\.(?:\s|$)", text[pos : pos + width], maxsplit=1)[0]


def frequency(segment: str, negated: bool = False) -> list[tuple[str, int]]:
    """Count bounds such as "at least 3 times", "twice", "3 to 5 times", "only once" (or none)."""
    s = segment.lower()
    bounds = count_bounds(s, r"times?")
    if not bounds:
        m = re.search(
            rf"\b(?:({BEFORE_RE})\s+)?(?:(only|just|exactly)\s+)?(once|twice|"
            rf"thrice)\b(?:\s+(or\s+(?:more|less|fewer)))?",
            s,
        )
        if m:
            n = to_int(m.group(3)) or 1
            if m.group(1):
                rel = relation_before(m.group(1), n)
                bounds = [rel] if rel else []
            elif m.group(4):
                rel = relation_after(m.group(4), n)
                bounds = [rel] if rel else []
            elif m.group(2):
                bounds = [(LESS_THAN, n + 1)]
            else:
                bounds = [(AT_LEAST, n)]
    if not bounds:
        bare = re.search(rf"\b({NUM})\s+times?\b", s)
        count = to_int(bare.group(1)) if bare else None
        if count is not None:
            bounds = [(AT_LEAST, count)]
    if negated and len(bounds) == 1 and bounds[0][0] == AT_LEAST:  # "avoid using X more than twice"
        bounds = [(LESS_THAN, bounds[0][1])]
    return bounds


_SYMBOLS = {
    r"hash\s?tags?|#": "#",
    r"exclamation\s+(?:marks?|points?)": "!",
    r"question\s+marks?": "?",
}


def letter_hits(text: str) -> list[Hit]:
    """``keywords:letter_frequency``: "letter q at least 5 times", "no letter e", "4 hashtags"."""
    hits: list[Hit] = []
    pat = rf"\bletters?\s+[{_Q}]?([a-z])[{_Q}]?(?![\w'])"
    for m in re.finditer(pat, text, re.I):
        before = re.split(r"\band\b", clause_before(text, m.start(), 45))[-1]
        after = _segment_after(text, m.end())
        negated = bool(re.search(NEG, before, re.I)) or bool(
            re.search(r"\b(?:not|never)\b|n't", after[:30])
        )
        after = re.split(r",?\s+and\s+(?!more|less|fewer)|,\s+(?:but|while)\b", after, maxsplit=1)[
            0
        ]
        bounds = frequency(after, negated) or frequency(before[-25:], negated)
        if not bounds:
            if not negated:
                continue
            bounds = [(LESS_THAN, 1)]
        for rel, n in bounds:
            kwargs = {"letter": m.group(1).lower(), "let_relation": rel, "let_frequency": n}
            hits.append(("keywords:letter_frequency", kwargs, m.start(), m.end() + len(after)))
    for sym_pat, sym in _SYMBOLS.items():
        for m in re.finditer(
            rf"{NEG}\s+(?:\w+\s+){{0,2}}?(?:{sym_pat})(?!\s+(?:more|at))", text, re.I
        ):
            kwargs = {"letter": sym, "let_relation": LESS_THAN, "let_frequency": 1}
            hits.append(("keywords:letter_frequency", kwargs, m.start(), m.end()))
        pat = (
            rf"\b({BEFORE_RE})?\s*({NUM})\s*(or\s+more|or\s+less|or\s+fewer|"
            rf"\+)?\s+(?:\w+\s+)?(?:{sym_pat})"
        )
        for m in re.finditer(pat, text, re.I):
            num = to_int(m.group(2))
            if num is None:
                continue
            if m.group(1):
                bound = relation_before(m.group(1), num)
            elif m.group(3):
                bound = relation_after(m.group(3), num)
            else:
                bound = (AT_LEAST, num)
            if bound:
                kwargs = {"letter": sym, "let_relation": bound[0], "let_frequency": bound[1]}
                hits.append(("keywords:letter_frequency", kwargs, m.start(), m.end()))
    return hits


_KW_VERB = (
    r"(?:includ\w*|contain\w*|mention\w*|us(?:e|es|ing)|say\w*|feature\w*|incorporat\w*|"
    r"ha(?:s|ve)|with)"
)
_KW_NOUN = r"(?:key\s?words?|words?|terms?|names?)"
_QLIST = (
    rf"[{_Q}][^{_Q}\n]{{1,60}}[{_Q}](?:\s*,?\s*(?:and\s+|or\s+|&\s+)?[{_Q}][^{_Q}\n]{{1,"
    rf"60}}[{_Q}])*"
)
_LIST_RE = (
    rf"((?:\[[^\]]{{1,200}}\])|(?:{_QLIST})|(?:[\w'-]+(?:\s*,\s*(?:and\s+|"
    rf"or\s+)?[\w'-]+|\s+(?:and|or)\s+[\w'-]+)*))"
)
_STOP = {
    "the",
    "a",
    "an",
    "that",
    "this",
    "it",
    "in",
    "of",
    "for",
    "to",
    "and",
    "or",
    "from",
    "with",
    "you",
    "your",
    "should",
    "must",
    "is",
    "be",
    "after",
    "before",
    "about",
    "into",
    "than",
    "per",
    "on",
    "at",
    "as",
    "by",
    "are",
    "which",
    "will",
    "can",
    "count",
    "limit",
    "each",
    "every",
    "long",
    "such",
    "like",
}


def keyword_hits(text: str) -> list[Hit]:
    """Keyword existence, frequency and forbidden words, from however the words are named."""
    hits: list[Hit] = []
    pats = [
        # "include the keywords X and Y", "do not use the words 'a', 'b'", "the word war 8 times"
        rf"(?<!\d\s)(?<!\d-)\b(?:the\s+|these\s+|following\s+|"
        rf"any\s+(?:of\s+)?(?:the\s+)?)*{_KW_NOUN}\b(?:\s*(?::|like|such\s+as))?\s+{_LIST_RE}",
        # "include "X"", "don't use 'heute'", "avoid mentioning "photography""
        rf"\b(?:includ\w*|contain\w*|mention\w*|us(?:e|es|ing)|say\w*|feature\w*|"
        rf"incorporat\w*)\s+(?:the\s+)?({_QLIST})",
    ]
    seen: list[tuple[int, int]] = []
    for pi, pat in enumerate(pats):
        for m in re.finditer(pat, text, re.I):
            raw = m.group(1)
            if any(s <= m.start(1) < e for s, e in seen):
                continue
            words = word_list(raw)
            if pi == 0 and not re.match(rf"[{_Q}\[]", raw):
                words = [w for w in _unquoted_words(raw) if w.lower() not in _STOP]
            words = [w for w in words if re.search(r"\w", w)]
            if not words:
                continue
            before = clause_before(text, m.start(), 60)
            list_end = m.start(1) + _list_span(raw, words)
            after = _segment_after(text, list_end)
            verb_before = re.search(rf"\b{_KW_VERB}\b|{NEG}", before[-30:], re.I)
            verb_after = re.search(
                r"^\W*(?:should|must|has\s+to|needs?\s+to|is\s+to|will|can|does|do|cannot|"
                r"can't|doesn't|don't|won't|shouldn't|mustn't)?\s*"
                r"(?:not\s+|never\s+)?(?:appears?|be\s+used|occurs?|show\s+up|be\s+(?:included|"
                r"mentioned|present|in)\b)",
                after,
                re.I,
            )
            bounds = frequency(after[:60])
            if pi == 0 and not (verb_before or verb_after or bounds):
                continue
            if re.search(r"\bletters?\s*$|\bcharacters?\s*$", before, re.I):
                continue
            seen.append((m.start(1), list_end))
            negated = bool(
                re.search(NEG, re.sub(r"n't\s+forget|not\s+forget", "", before[-45:]), re.I)
            ) or bool(
                re.match(
                    r"^\W*(?:should|must|can|may|is|are|will|does|do)\s*(?:not|never)\b|"
                    r"^\W*(?:shouldn't|mustn't|can't|cannot|won't|doesn't|don't)\b"
                    r"|^\W*(?:is|are)\s+(?:not\s+allowed|forbidden|banned)",
                    after,
                    re.I,
                )
            )
            bounds = frequency(after[:60], negated)
            if negated and not bounds:
                hits.append(
                    (
                        "keywords:forbidden_words",
                        {"forbidden_words": [w.lower() for w in words]},
                        m.start(),
                        list_end,
                    )
                )
            elif bounds and bounds != [(AT_LEAST, 1)]:
                for w in words:
                    for rel, n in bounds:
                        hits.append(
                            (
                                "keywords:frequency",
                                {"keyword": w, "relation": rel, "frequency": n},
                                m.start(),
                                list_end,
                            )
                        )
                if bounds == [(LESS_THAN, 2)] and re.search(r"\bonly\s+once\b", after, re.I):
                    hits.append(("keywords:existence", {"keywords": words}, m.start(), list_end))
            else:
                hits.append(("keywords:existence", {"keywords": words}, m.start(), list_end))
    return hits


def _unquoted_words(raw: str) -> list[str]:
    """Words of an unquoted list: "war at least 8 times" -> [war]; "a, b or c." -> [a, b, c]."""
    head = re.split(r"[.;:!?\n(]", raw, maxsplit=1)[0]
    words: list[str] = []
    for item in re.split(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or|nor)\s+", head):
        tokens = item.split()
        if not tokens:
            break
        words.append(tokens[0].strip("'\""))
        if len(tokens) > 1:
            break
    return words


def _list_span(raw: str, words: list[str]) -> int:
    """How far into `raw` the listed words reach."""
    last = words[-1]
    idx = raw.lower().find(last.lower())
    end = idx + len(last) if idx >= 0 else len(raw)
    while end < len(raw) and raw[end] in _Q + "]":
        end += 1
    return end


_LANG_CTX = (
    r"\b(?:respond\w*|repl\w*|answer\w*|writ\w*|wrote|speak\w*|talk\w*|response|output|text|"
    r"everything|"
    r"entire\w*|only|solely|exclusively|all|it|translate\s+(?:your|the)\s+(?:answer|reply|"
    r"response)|"
    r"rewrite|say|tell|explain|communicate|message|messages|poem|story|email|letter|essay|song|"
    r"joke)\b"
)


def language_hits(text: str) -> list[Hit]:
    """``language:response_language``: "answer in Spanish", "use only Hindi", "Kannada only"."""
    hits: list[Hit] = []
    pats = [
        rf"\b(?:in|into|using|use)\s+(?:the\s+)?(?:(?:only|entirely|solely|just|fluent|proper|"
        rf"exclusively)\s+)?(?:the\s+)?({LANGUAGE_RE})\b(?!\s+(?:word|words|term|name|food|"
        rf"culture|history|people|speakers?))",
        rf"\b(?:only|entirely|solely|exclusively)\s+(?:in\s+)?(?:the\s+)?({LANGUAGE_RE})\b",
        rf"\b({LANGUAGE_RE})\s+only\b",
        rf"\b(?:except|other\s+than|but)\s+({LANGUAGE_RE})\b",
    ]
    for pat in pats:
        for m in re.finditer(pat, text, re.I):
            lang = m.group(1).lower()
            sentence_start = max(text.rfind(c, 0, m.start()) for c in ".!?\n")
            sentence = text[sentence_start + 1 : m.end() + 80]
            sentence = re.split(r"[.!?\n]", sentence[m.start() - sentence_start - 1 :], maxsplit=1)[
                0
            ]
            sentence = text[sentence_start + 1 : m.start()] + sentence
            if re.search(
                r"translat|\bfrom\s+\w+\s+(?:in)?to\b|\bplain\s+english\b", sentence, re.I
            ):
                continue
            if lang == "english" and re.search(
                r"capital|lower\s*-?case|upper\s*-?case|\bcaps\b", sentence, re.I
            ):
                continue  # "in English and all lowercase" states the case, not a language
            if pat == pats[0] and not re.search(_LANG_CTX, sentence, re.I):
                continue
            hits.append(
                ("language:response_language", {"language": LANGUAGES[lang]}, m.start(), m.end())
            )
    return hits
