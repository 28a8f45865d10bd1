"""Preference rules about layout and format: paragraphs, sections, bullets, highlights, JSON,
title, quotes, two responses, a constrained answer, an end phrase, a postscript, repeating the
request.

Every rule returns ``Hit`` tuples (constraint id, kwargs, start, end) over the message text.
"""

from __future__ import annotations

import re

from persona.steer.parse_keywords import NEG, Hit, clause_before
from persona.steer.parse_text import (
    NUM,
    ORDINAL,
    ORDINALS,
    count_bounds,
    to_int,
)

_THREE_STARS = (
    r"(?<!\*)\*\s?\*\s?\*(?!\s?\*)|markdown\s+divider|(?:three|3)\s+(?:asterisks?|"
    r"aterisks?|\W\*\W\s+symbols|stars)"
)
_PARTS = r"(?:paragraphs?|parts?|sections?|stanzas?|pieces?|chunks?|blocks?|segments?|advice)"


def layout_hits(text: str) -> list[Hit]:
    """Paragraph counts (``***``-separated), the nth paragraph's first word, numbered sections."""
    hits: list[Hit] = []
    nth = re.search(
        rf"\b(?:(?:the\s+)?(?:very\s+)?({ORDINAL}|last|final)\s+paragraph|paragraph\s+({NUM}))\s+"
        rf"(?:\w+\s+){{0,2}}?(?:start|begin)s?\s+with\s+(?:the\s+)?(?:word\s+)?[\"'“]?([\w'-]+)"
        rf"|\b(?:start|begin)\s+(?:the\s+)?(?:(?:very\s+)?({ORDINAL}|last|final)\s+paragraph|"
        rf"paragraph\s+({NUM}))\s+with\s+(?:the\s+)?(?:word\s+)?[\"'“]?([\w'-]+)",
        text,
        re.I,
    )
    count = (
        re.search(rf"\bexactly\s+({NUM})[\s-]+(?:\w+\s+)?{_PARTS}\b", text, re.I)
        or re.search(
            rf"\b({NUM})[\s-]+(?:\w+\s+)?(?:paragraphs?|sections?|parts?|stanzas?)\b", text, re.I
        )
        or re.search(rf"\b({NUM})[\s-]+(?:\w+\s+)?{_PARTS}\b", text, re.I)
    )
    num = to_int(count.group(1)) if count else None
    if nth:
        which = (nth.group(1) or nth.group(4) or "").lower()
        idx_tok = nth.group(2) or nth.group(5)
        word = (nth.group(3) or nth.group(6)).lower().strip("'")
        idx = to_int(idx_tok) if idx_tok else ORDINALS.get(which) or _ordinal_digits(which)
        total = num or idx
        if which in {"last", "final"}:
            idx = total
        if idx and total:
            kwargs = {"num_paragraphs": total, "nth_paragraph": idx, "first_word": word}
            hits.append(
                ("length_constraints:nth_paragraph_first_word", kwargs, nth.start(), nth.end())
            )
    stars = re.search(_THREE_STARS, text, re.I)
    if stars:
        n = num if num else max(2, len(re.findall(r"^\s*\*\*\*\s*$", text, re.M)) + 1)
        if n:
            hits.append(
                (
                    "length_constraints:number_paragraphs",
                    {"num_paragraphs": n},
                    stars.start(),
                    stars.end(),
                )
            )
    sec = re.search(
        r"\b(?:mark\w*|label\w*|start\w*|begin\w*|denot\w*|indicat\w*|titl\w*|head\w*|not\w*|"
        r"prefix\w*)\b[^.!?]{0,70}?"
        r"\b(?:with|as|by)\s+[\"'“]?([A-Za-z]+)\s+(?:X|N|\d+|\{?[a-z]\}?)\b",
        text,
    ) or re.search(
        r"\(([A-Za-z]+)\s+1\s+and\s+\1\s+2\)|[\"'“]([A-Z]+)\s+1[\"'”]\s+and\s+[\"'“]\2\s+2", text
    )
    if sec:
        splitter = sec.group(1) or (sec.group(2) if sec.lastindex and sec.lastindex >= 2 else None)
        n_sec = num
        explicit = re.search(
            rf"\b({NUM})[\s-]+(?:\w+\s+)?(?:sections?|parts?|days?|chapters?)\b", text, re.I
        )
        if explicit:
            n_sec = to_int(explicit.group(1))
        if splitter and n_sec is None:
            n_sec = len(re.findall(rf"\b{re.escape(splitter)}\s+\d+", text)) or None
        if splitter and n_sec and splitter.lower() not in {"the", "a", "word", "p", "step"}:
            hits.append(
                (
                    "detectable_format:multiple_sections",
                    {"section_spliter": splitter, "num_sections": n_sec},
                    sec.start(),
                    sec.end(),
                )
            )
    return hits


def _ordinal_digits(token: str) -> int | None:
    m = re.match(r"(\d+)", token)
    return int(m.group(1)) if m else None


def format_hits(text: str) -> list[Hit]:
    """Bullets, highlights, placeholders, JSON, title, two responses, quotes, constrained answer."""
    hits: list[Hit] = []
    m: re.Match[str] | None
    for m in re.finditer(r"\bbullet(?:ed)?(?:[\s-]?points?|\s+lists?|\s+items?|s)?\b", text, re.I):
        before = clause_before(text, m.start(), 60)
        if re.search(NEG, before, re.I):
            continue
        mm = re.search(rf"\b(?:exactly\s+|only\s+)?({NUM})\s+(?:\w+\s+)?$", before, re.I)
        n = to_int(mm.group(1)) if mm else None
        if n is None:
            ex = re.search(rf"\bexactly\s+({NUM})\b", text, re.I)
            n = to_int(ex.group(1)) if ex else None
        if n is not None:
            hits.append(
                ("detectable_format:number_bullet_lists", {"num_bullets": n}, m.start(), m.end())
            )
            break
    for m in re.finditer(r"\b(?:highlight\w*|italic\w*|emphasi[sz]\w*|bold\w*)\b", text, re.I):
        sent = text[max(0, m.start() - 80) : m.end() + 140]
        if not re.search(
            r"markdown|\*\w[^*\n]*\*|\bsections?\b|\bparts?\b|\bphrases?\b", sent, re.I
        ):
            continue
        if re.search(NEG, clause_before(text, m.start(), 15), re.I):
            continue
        near = text[max(0, m.start() - 40) : m.end() + 50]
        bounds = count_bounds(
            near, r"(?:\w+\s+){0,2}?(?:sections?|parts?|phrases?|words?|places?|points?|keywords?)"
        )
        mm = re.search(
            rf"\b({NUM})\s+(?:\w+\s+)?(?:italic|highlight|section)", near, re.I
        ) or re.search(rf"\b({NUM})\b", near)
        n = bounds[0][1] if bounds else (to_int(mm.group(1)) if mm else None)
        hits.append(
            (
                "detectable_format:number_highlighted_sections",
                {"num_highlights": n or 1},
                m.start(),
                m.end(),
            )
        )
        break
    places = list(re.finditer(rf"(?:\b({NUM})\s+(?:\w+\s+)?)?\bplace[\s-]?holders?\b", text, re.I))
    if places:
        counted = [p for p in places if p.group(1)]
        m = counted[0] if counted else places[0]
        n = to_int(m.group(1)) if m.group(1) else 1
        hits.append(
            (
                "detectable_content:number_placeholders",
                {"num_placeholders": n or 1},
                m.start(),
                m.end(),
            )
        )
    m = re.search(r"\bjson\b", text, re.I)
    if m and not re.search(
        r"\b(?:what|why|how|explain)\b[^.!?\n]{0,20}$",
        text[max(0, m.start() - 30) : m.start()],
        re.I,
    ):
        ctx = text[max(0, m.start() - 40) : m.end() + 25]
        if re.search(
            r"\b(?:format\w*|in|as|into|using|use|valid|wrap\w*|output|json\s+(?:object|block|"
            r"only|output|response))\b",
            ctx,
            re.I,
        ) and not re.search(r"json\s+schema", ctx, re.I):
            hits.append(("detectable_format:json_format", {}, m.start(), m.end()))
    m = re.search(
        r"<<[A-Za-z][^<>\n]{0,40}>>|(?:double\s+)?angul?ar\s+brackets|double\s+angle\s+brackets",
        text,
        re.I,
    )
    if m:
        hits.append(("detectable_format:title", {}, m.start(), m.end()))
    m = re.search(
        r"\*{6,}|\b(?:6|six)\s+asterisk|\btwo\s+(?:different\s+|separate\s+)?(?:responses|"
        r"answers|replies)\b",
        text,
        re.I,
    )
    if m:
        hits.append(("combination:two_responses", {}, m.start(), m.end()))
    m = re.search(
        r"\b(?:wrap\w*|enclos\w*|surround\w*|put|place\w*|encapsulat\w*)\b[^.!?\n]{0,"
        r"60}?\b(?:double\s+)?(?:quotations?\s+marks|quotes|quote\s+marks)\b"
        r"|\bdouble\s+(?:quotations?\s+marks|quotes)\b[^.!?\n]{0,40}?\b(?:around|wrap\w*|"
        r"enclos\w*)\b"
        r"|\bin\s+double\s+(?:quotations?\s+marks|quotes)\b",
        text,
        re.I,
    )
    if (
        m
        and re.search(
            r"\b(?:response|reply|answer|output|everything|it|whole|entire|all|message)\b",
            text[max(0, m.start() - 40) : m.end() + 40],
            re.I,
        )
        and not re.search(r"\btitle|\bangular", m.group(0), re.I)
    ):
        hits.append(("startend:quotation", {}, m.start(), m.end()))
    options = list(re.finditer(r"my\s+answer\s+is\s+(?:yes|no|maybe)\.?", text, re.I))
    if options:  # the span covers every option, so the quoted options are not read as keywords
        start, end = max(0, options[0].start() - 2), min(len(text), options[-1].end() + 2)
        hits.append(("detectable_format:constrained_response", {}, start, end))
    return hits


def startend_hits(text: str) -> list[Hit]:
    """End phrase, postscript and repeating the request first."""
    hits: list[Hit] = []
    ps = re.search(
        r"\bpost[\s-]?script\b|\b(?:add\w*|includ\w*|end\w*|finish\w*|clos\w*|append\w*|with|"
        r"start\w*|followed\s+by|indicated\s+by|sign\s+off)\s+(?:a\s+|an\s+|"
        r"your\s+)?(?:note\s+)?(?:starting\s+with\s+)?[\"'“]?P\.\s?(?:P\.\s?)?S\b",
        text,
        re.I,
    )
    if ps:
        marker = "P.P.S" if re.search(r"P\.\s?P\.\s?S", text) else "P.S."
        hits.append(
            ("detectable_content:postscript", {"postscript_marker": marker}, ps.start(), ps.end())
        )
    end = re.search(
        r"(?<!starting\sand\s)\b(?:end|finish|conclude|close|wrap\s+up|sign\s+off)(?:s|"
        r"ing)?\s+(?:(?:your|the|this|it|each|every|all|my|off)\s+)*(?:(?:entire|whole|"
        r"very)\s+)?(?:\w+\s+){0,2}?"
        r"(?:with|by\s+saying|saying)\s*(?:(?:this|the|a|following|"
        r"exactly)\s+)*(?:exact\s+)?(phrase|sentence|words?|line|question|"
        r"statement)?\s*(?:of\s+)?(:)?\s*"
        r"|\b(?:last|final|very\s+end)\s+(?:sentence|line|words?|"
        r"part)?\s*(?:of\s+(?:your\s+)?(?:entire\s+)?(?:response|reply|answer|email|"
        r"message))?\s*(?:should|must|has\s+to|needs\s+to)\s+(?:be|"
        r"read)\s*(?:exactly\s+(?:like)?)?\s*(:)?\s*",
        text,
        re.I,
    )
    phrase = _end_phrase(text, end) if end and not _banned_ending(text, end) else None
    if end and phrase:
        stop = text.find(phrase, end.end()) + len(phrase) + 1
        hits.append(
            ("startend:end_checker", {"end_phrase": phrase}, end.start(), min(stop, len(text)))
        )
    rep = re.search(
        r"\b(?:repeat|restate|echo|repleat)\s+(?:back\s+)?(?:(?:the|my|this|your|exact|entire|"
        r"whole|full|following|first|all)\s*,?\s*)*(?:request|question|prompt|query|"
        r"instruction|message|line|sentence|text)\b"
        r"|\brepeat\s+it\s+(?:at\s+the\s+(?:very\s+)?beginning|first|exactly|word\s+for\s+word)",
        text,
        re.I,
    )
    if rep:
        hits.append(
            (
                "combination:repeat_prompt",
                {"prompt_to_repeat": _request_to_repeat(text, rep.start())},
                rep.start(),
                rep.end(),
            )
        )
    return hits


_CLOSE = {'"': '"', "“": "”", "'": "'"}


def _banned_ending(text: str, end: re.Match[str]) -> bool:
    """True for "never end with ...": a ban on an ending, not a phrase every reply must end with.

    "Don't forget to end with ..." still asks for the phrase.
    """
    # "no commas and end with ...": a negation before "and" belongs to the earlier request
    before = re.split(r"\band\b|\bbut\b|,", clause_before(text, end.start(), 40))[-1]
    return bool(re.search(NEG, before, re.I)) and not re.search(r"\bforget\b", before, re.I)


# what follows "end with a question" when no phrase is given: the rest of the request
_NOT_A_PHRASE = re.compile(r"\s*(?:[,;]|(?:and|but|or|please|then)\b)", re.I)


def _end_phrase(text: str, end: re.Match[str]) -> str | None:
    """The phrase after "end your response with": quoted, or after a colon / "exact phrase".

    Unquoted, the phrase runs to the end of the line; "end with a question" names a kind of
    ending, not its words, so without a colon it gives none.
    """
    rest = text[end.end() :]
    phrase: str | None = None
    if rest[:1] in _CLOSE:
        close = rest.find(_CLOSE[rest[0]], 1)
        if rest[0] == "'":  # a single quote may be an apostrophe inside the phrase
            q = re.match(r"'(.+?)'(?=\s*(?:[.,;!?]|$|\n|and\b|with\b|no\b))", rest)
            close = q.end() - 1 if q else -1
        if close > 1:
            phrase = rest[1:close].strip()
    elif end.group(2) or end.group(3) or (end.group(1) or "").lower() not in ("", "question"):
        if _NOT_A_PHRASE.match(rest):
            return None
        phrase = rest.strip().split("\n", 1)[0].strip() or None
    if not phrase or not re.search(r"\w", phrase) or len(phrase) > 200:
        return None
    if re.search(r"post[\s-]?script|P\.\s?P?\.?\s?S\b", phrase, re.I):
        return None
    return phrase


def _request_to_repeat(text: str, pos: int) -> str:
    """The request a "repeat the request first" instruction refers to: the text beside it."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[:line_start].strip()
    if before and not re.search(r"\b(?:below|following)\b", text[line_start : pos + 120], re.I):
        return before
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) > 1:
        offset = text.find(blocks[0]) + len(blocks[0])
        return text[offset:].strip()
    colon = text.find(":", pos)
    if colon >= 0 and text[colon + 1 :].strip():
        return text[colon + 1 :].strip()
    sentence_start = max(text.rfind(c, 0, pos) for c in ".!?")
    sentence_end = min((i for i in (text.find(c, pos) for c in ".!?") if i >= 0), default=len(text))
    rest = (text[: sentence_start + 1] + " " + text[sentence_end + 1 :]).strip()
    return rest
