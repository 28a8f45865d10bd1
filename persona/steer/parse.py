"""Natural-language preferences -> typed constraints, their scope, and free-text instructions.

``parse_preferences("from now on, no capital letters")`` finds what a chat message asks of the
replies. Constraint ids are IFEval's instruction ids (``change_case:english_lowercase``, ...)
with IFEval's kwargs names, plus ``style:*`` ids for product constraints. Counts follow the
convention documented in :mod:`persona.steer.parse_text` ("no more than 80 words" -> less than
81, exact). Scope is ``standing`` when the message sets a lasting preference ("from now on",
"always", "never", "stop ..."), ``one_off`` when it only asks something of this reply, and
``None`` when it asks nothing of the replies at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from persona.steer.parse_ambiguous import ambiguous_sentences
from persona.steer.parse_context import mention_reason, refused_claims, sentence_spans
from persona.steer.parse_format import format_hits, layout_hits, startend_hits
from persona.steer.parse_i18n import to_english
from persona.steer.parse_keywords import Hit, keyword_hits, language_hits, letter_hits
from persona.steer.parse_rules import case_hits, comma_hits, length_hits, style_hits
from persona.steer.types import Constraint

Scope = Literal["standing", "one_off"]

_STANDING = re.compile(
    r"\b(?:from\s+now\s+on|from\s+here\s+on(?:\s+out)?|going\s+forward|henceforth|"
    r"in\s+(?:the\s+)?future|"
    r"always|never|every\s+time|whenever|each\s+time|all\s+(?:of\s+)?your\s+(?:replies|"
    r"responses|answers|messages)|"
    r"(?:in\s+)?every\s+(?:reply|response|answer|message)|(?:do\s+not|don't)\s+ever|stop|quit|"
    r"(?<=,\s)ever|"
    r"no\s+more(?!\s+than)|"
    r"for\s+the\s+rest\s+of\s+(?:this|our|the)\s+(?:conversation|chat)|by\s+default|anymore|"
    r"any\s+more|"
    r"(?:keep|start)\s+(?:using|replying|writing|answering|responding))\b",
    re.I,
)
_ONE_OFF = re.compile(
    r"\b(?:this\s+time|just\s+this\s+once|for\s+this\s+(?:one|answer|reply|response|question))\b",
    re.I,
)
# Cue words stripped from either end of a standing instruction before it is stored.
_TRAIL_CUE = re.compile(
    r"[\s,]*\b(?:from\s+now\s+on|going\s+forward|in\s+(?:the\s+)?future|please|pls)\W*$", re.I
)
_POLITE = re.compile(r"^(?:please\s+)?(?:could|can|would|will)\s+you\s+(?:please\s+)?", re.I)
# A question about something ("is it rude to write in all caps?") asks nothing of the reply.
_QUESTION = re.compile(
    r"\s*(?:is|are|was|were|what|what's|why|how|when|where|who|which|does|did|do|should\s+i)\b"
    r"[^.!?\n]*\?",
    re.I,
)
_LEAD_CUE = re.compile(
    r"^(?:please\s+)?(?:from\s+now\s+on|from\s+here\s+on(?:\s+out)?|going\s+forward|henceforth|"
    r"in\s+(?:the\s+)?future|by\s+default)[\s,:-]*(?:please\s+)?",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(?:please\s+)?(?:always|never|stop|quit|don't|do\s+not|be|keep|use|write|respond|reply|"
    r"answer|talk|speak|call|"
    r"explain|give|avoid|make|prefer|include|skip|focus|assume|tell|show|treat|address|refer|"
    r"limit|start|end|sign|"
    r"remember|get|go|cut|add|try|ask|mention|refrain|no)\b",
    re.I,
)


@dataclass(frozen=True)
class Mention:
    """Text that talks about writing without asking anything of the replies (never a rule)."""

    text: str
    reason: str  # e.g. "reported speech", "question about how to write", "third party"


@dataclass(frozen=True)
class RefusedClaim:
    """A claim of authority the sender does not have; its rules are never stored or applied."""

    text: str
    reason: str  # e.g. "claims developer authority", "aimed at other users"


@dataclass(frozen=True)
class ParseResult:
    """What a message asks of the replies, what it only mentions, and what it may not ask."""

    constraints: list[Constraint]
    scope: Scope | None
    instructions: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    claims: list[RefusedClaim] = field(default_factory=list)
    # sentences that look like a request about the replies but that the rules did not understand
    # (candidates for the optional model-assisted parse in the background)
    ambiguous: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``persona steer parse --json``."""
        return {
            "constraints": [{"id": c.id, "kwargs": dict(c.kwargs)} for c in self.constraints],
            "scope": self.scope,
        }

    def explain(self) -> dict[str, Any]:
        """Rules found, mentions ignored and claims refused, with the reason for each, and the
        sentences the rules could not read (see `persona.steer.parse_ambiguous`)."""
        return {
            **self.as_dict(),
            "instructions": list(self.instructions),
            "mentions": [{"text": m.text, "reason": m.reason} for m in self.mentions],
            "claims": [{"text": c.text, "reason": c.reason} for c in self.claims],
            "ambiguous": list(self.ambiguous),
        }


# Rules about words and language run last, on the text with every other rule's span blanked,
# so an end phrase or a paragraph's first word is not read as a keyword too.
_RULES = (
    case_hits,
    comma_hits,
    length_hits,
    letter_hits,
    language_hits,
    layout_hits,
    format_hits,
    startend_hits,
    style_hits,
)
_WORD_RULES = (keyword_hits,)


def find_constraints(text: str) -> list[Hit]:
    """Every constraint hit in `text` (id, kwargs, start, end), in order of position."""
    norm = _normalise(text)
    hits: list[Hit] = []
    for rule in _RULES:
        hits.extend(rule(norm))
    masked = norm
    for _, _, start, end in hits:
        masked = masked[:start] + " " * (end - start) + masked[end:]
    for rule in _WORD_RULES:
        hits.extend(rule(masked))
    unique: list[Hit] = []
    for h in sorted(hits, key=lambda h: (h[2], h[0])):
        if _first_person_habit(norm, h[2], h[3]) or _asks_about(norm, h[2]):
            continue
        if not any(u[0] == h[0] and u[1] == h[1] for u in unique):
            unique.append(h)
    return unique


def parse_preferences(text: str) -> ParseResult:
    """Parse a chat message into constraints, their scope and standing free-text instructions.

    Each constraint's ``source`` says how long it holds: ``chat`` (a standing preference, to be
    stored with provenance) or ``one_off`` (this reply only). The message's ``scope`` is
    ``standing`` when anything in it is standing.
    """
    claims = [RefusedClaim(t, r) for t, r in refused_claims(text)]
    if claims:
        # a message that borrows authority sets nothing: not even the sender's own rules
        return ParseResult(constraints=[], scope=None, claims=claims)
    mentions: list[Mention] = []
    text = _normalise(text)
    for start, end in sentence_spans(text):
        # a quoted sentence is material to work on, not the sender talking about writing
        quoted = text[start:end].lstrip()[:1] in {'"', "\u201c", "'"}
        reason = None if quoted else mention_reason(text[start:end])
        if reason:
            # blank the sentence in place, so the rest of the message keeps its layout
            mentions.append(Mention(text[start:end].strip(), reason))
            text = text[:start] + " " * (end - start) + text[end:]
    ambiguous = ambiguous_sentences(text, find_constraints)
    text = to_english(text)
    hits = find_constraints(text)
    norm = _normalise(text)
    standing_at: list[bool] = [False] * len(hits)
    instructions: list[str] = []
    carry = False  # "From now on, these rules:" makes the sentences after it standing too
    for start, end in _sentence_spans(norm):
        sentence = norm[start:end]
        inside = [i for i, h in enumerate(hits) if start <= h[2] < end]
        one_off = bool(_ONE_OFF.search(sentence))
        cue = bool(_STANDING.search(sentence)) and not one_off
        for i in inside:
            standing_at[i] = (cue or carry) and not one_off
        if cue and not inside:
            instruction = _instruction(sentence)
            if instruction:
                instructions.append(instruction)
            elif _LEAD_CUE.match(sentence.strip()):
                carry = True
    constraints = [
        Constraint(id=cid, kwargs=kwargs, source="chat" if standing else "one_off")
        for (cid, kwargs, _, _), standing in zip(hits, standing_at, strict=True)
    ]
    scope: Scope | None = None
    if instructions or any(standing_at):
        scope = "standing"
    elif constraints:
        scope = "one_off"
    return ParseResult(
        constraints=constraints,
        scope=scope,
        instructions=instructions,
        mentions=mentions,
        ambiguous=ambiguous,
    )


_HABIT = re.compile(
    r"\s*(?:I|we)\s+(?!(?:want|need|prefer|would|'d|ask|expect)\b)(?:[\w']+\s+){0,3}?"
    r"(?:use|write|say|speak|type|like|love|hate|learn|am|was|do)\b",
    re.I,
)


def _asks_about(text: str, pos: int) -> bool:
    """True when the hit sits in a question about something rather than a request."""
    sentence_start = max(text.rfind(c, 0, pos) for c in ".!?\n") + 1
    return bool(_QUESTION.match(text[sentence_start:]))


def _first_person_habit(text: str, start: int, end: int) -> bool:
    """True when the sentence around a hit describes the speaker ("I never use emoji myself")."""
    sentence_start = max(text.rfind(c, 0, start) for c in ".!?\n") + 1
    return bool(_HABIT.match(text[sentence_start:end]))


def _instruction(sentence: str) -> str | None:
    """The standing instruction a sentence states, or None if it is not one."""
    s = _LEAD_CUE.sub("", sentence.strip()).strip(" ,;:")
    polite = _POLITE.match(s)
    if polite:
        s = s[polite.end() :].rstrip(" ?")
    s = _TRAIL_CUE.sub("", s).strip(" ,;:")
    if not s or not _IMPERATIVE.match(s) or s.endswith("?"):
        return None
    s = s.rstrip(".! ")
    return s[:1].upper() + s[1:]


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in re.finditer(r"[.!?;](?=\s|$)|\n", text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _normalise(text: str) -> str:
    """Same-length normalisation: typographic apostrophes to ASCII so rules see one spelling."""
    return text.replace("\u2019", "'").replace("\u2018", "'")
