"""Product style constraints: no follow-up questions, no emoji, no markdown, formality."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from persona.steer.checks import markdown
from persona.steer.checks.text import sentence_spans
from persona.steer.registry import ConstraintType, Param
from persona.steer.types import Verdict

NO_FOLLOW_UP = "style:no_follow_up_questions"
NO_EMOJI = "style:no_emoji"
NO_MARKDOWN = "style:no_markdown"
FORMALITY = "style:formality"

_OFFER = re.compile(
    r"\b(?:let\s+me\s+know|feel\s+free\s+to\s+(?:ask|reach|let)|would\s+you\s+like|"
    r"do\s+you\s+want|want\s+me\s+to|shall\s+i|should\s+i|happy\s+to\s+help\s+(?:with|further)|"
    r"(?:any|if\s+you\s+have\s+(?:any\s+)?)(?:other|more|further)\s+questions)\b",
    re.IGNORECASE,
)
# a closing question is a follow-up when it is put to the user, not when it is the content
# itself (a riddle's "What am I?" or a rhetorical question)
_TO_USER = re.compile(
    r"\b(?:you|your|yours|shall\s+i|should\s+i|can\s+i|may\s+i|anything\s+else|"
    r"make\s+sense|sounds?\s+good|helpful|help)\b",
    re.IGNORECASE,
)
_ASKS = re.compile(r"(?:want|need|would|could|shall|should|do|does|is\s+there|any)\b", re.I)
_TRAILING_MARKS = " \t\n\"')*_"


def _trailing_follow_ups(reply: str) -> int:
    """Start offset of the trailing follow-up questions/offers, or len(reply) if none."""
    cut = len(reply.rstrip())
    for start, end in reversed(sentence_spans(reply)):
        # a "sentence" can run over unpunctuated lines; only its last line is a candidate
        newline = reply[start:end].rstrip().rfind("\n")
        line_start = start + newline + 1 if newline >= 0 else start
        sentence = reply[line_start:end].strip().rstrip(_TRAILING_MARKS)
        to_user = _TO_USER.search(sentence) or _ASKS.match(sentence.lstrip(_TRAILING_MARKS))
        if not ((sentence.endswith("?") and to_user) or _OFFER.search(sentence)):
            break
        cut = line_start
        if newline >= 0:
            break
    return cut


def _check_follow_up(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    cut = _trailing_follow_ups(reply)
    if cut >= len(reply.rstrip()):
        return Verdict(id=NO_FOLLOW_UP, passed=True)
    tail = reply[cut:].strip()
    return Verdict(id=NO_FOLLOW_UP, passed=False, detail=f"ends with a follow-up: {tail!r}")


def _repair_follow_up(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    cut = _trailing_follow_ups(reply)
    kept = reply[:cut].rstrip()
    return kept if kept and cut < len(reply.rstrip()) else None


EMOJI = re.compile(
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff\u3030\u303d\u3297\u3299]"
    "[\ufe0f\u200d\U0001f3fb-\U0001f3ff\U0001f000-\U0001faff\u2600-\u27bf]*"
)


def _check_emoji(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    found = EMOJI.findall(reply)
    if not found:
        return Verdict(id=NO_EMOJI, passed=True)
    return Verdict(id=NO_EMOJI, passed=False, detail="contains emoji: " + " ".join(found[:5]))


def _repair_emoji(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    text = re.sub(r"(?m)^([ \t]*)(?:" + EMOJI.pattern + r")+[ \t]*", r"\1", reply)
    text = re.sub(r"[ \t]*(?:" + EMOJI.pattern + r")+", "", text)
    return text.replace("\ufe0f", "")


def _check_markdown(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    found = markdown.find(reply)
    if not found:
        return Verdict(id=NO_MARKDOWN, passed=True)
    return Verdict(id=NO_MARKDOWN, passed=False, detail="uses markdown: " + ", ".join(found))


def _repair_markdown(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return markdown.strip(reply)


def _fallback_markdown(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    return markdown.flatten_tables(reply)


_CONTRACTIONS = {
    "can't": "cannot", "won't": "will not", "shan't": "shall not", "let's": "let us",
    "it's": "it is", "that's": "that is", "what's": "what is", "there's": "there is",
    "here's": "here is", "he's": "he is", "she's": "she is", "who's": "who is",
    "where's": "where is", "i'm": "I am",
}  # fmt: skip
_CONTRACTION = re.compile(
    r"\b(?:\w+n't|\w+'re|\w+'ve|\w+'ll|" + "|".join(re.escape(c) for c in _CONTRACTIONS) + r")\b",
    re.IGNORECASE,
)
_SLANG = re.compile(
    r"\b(?:gonna|wanna|gotta|kinda|sorta|yeah|yep|nope|lol|lmao|omg|btw|tbh|dude|ya|y'all)\b",
    re.IGNORECASE,
)
_STIFF = re.compile(
    r"\b(?:dear\s+(?:sir|madam)|to\s+whom\s+it\s+may\s+concern|yours\s+(?:faithfully|sincerely)|"
    r"hereby|herein|aforementioned|henceforth|pursuant|notwithstanding|i\s+am\s+writing\s+to)\b",
    re.IGNORECASE,
)


def _check_formality(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    text = reply.replace("\u2019", "'")
    if kwargs["level"] == "formal":
        found = [m.group(0) for m in _CONTRACTION.finditer(text)]
        found += [m.group(0) for m in _SLANG.finditer(text)]
        found += EMOJI.findall(text)
        if found:
            detail = "informal: " + ", ".join(dict.fromkeys(found[:6]))
            return Verdict(id=FORMALITY, passed=False, detail=detail)
        return Verdict(id=FORMALITY, passed=True)
    stiff = [m.group(0) for m in _STIFF.finditer(text)]
    if stiff:
        return Verdict(id=FORMALITY, passed=False, detail="too formal: " + ", ".join(stiff[:6]))
    return Verdict(id=FORMALITY, passed=True)


def _expand(m: re.Match[str]) -> str:
    word = m.group(0)
    low = word.lower()
    if low in _CONTRACTIONS:
        full = _CONTRACTIONS[low]
    elif low.endswith("n't"):
        full = low[:-3] + " not"
    else:
        stem, _, tail = low.partition("'")
        full = stem + " " + {"re": "are", "ve": "have", "ll": "will"}[tail]
    if word.isupper() and len(word) > 3:
        return full.upper()
    return full[0].upper() + full[1:] if word[0].isupper() else full


def _repair_formality(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    if kwargs["level"] != "formal":
        return None  # loosening the tone means rewriting it
    straight = reply.replace("\u2019", "'")
    return _CONTRACTION.sub(_expand, straight) if _CONTRACTION.search(straight) else None


TYPES = (
    ConstraintType(
        id=NO_FOLLOW_UP,
        params=(),
        describe=lambda kw: (
            "Do not end your reply with a follow-up question or an offer of more help; "
            "stop when the answer is complete."
        ),
        check=_check_follow_up,
        repair=_repair_follow_up,
        repair_rank=15,
    ),
    ConstraintType(
        id=NO_EMOJI,
        params=(),
        describe=lambda kw: "Do not use any emoji.",
        check=_check_emoji,
        repair=_repair_emoji,
        repair_rank=50,
    ),
    ConstraintType(
        id=NO_MARKDOWN,
        params=(),
        describe=lambda kw: (
            "Write plain text only: no markdown (no headings, bold or italics, bullet markers, "
            "code blocks, links or tables)."
        ),
        check=_check_markdown,
        repair=_repair_markdown,
        repair_rank=45,
        fallback=_fallback_markdown,
    ),
    ConstraintType(
        id=FORMALITY,
        params=(Param("level", str, choices=("formal", "casual")),),
        describe=lambda kw: (
            "Use a formal register: no contractions, slang or emoji."
            if kw["level"] == "formal"
            else "Use a casual, conversational register: no stiff formal phrases "
            "such as 'hereby' or 'to whom it may concern'."
        ),
        check=_check_formality,
        repair=_repair_formality,
        repair_rank=55,
    ),
)
