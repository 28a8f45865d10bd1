"""Rule-based extraction of plain first-person statements (offline, and the LLM's fallback).

A message is split into sentences and clauses; each clause is matched, anchored at its start,
against every language's patterns (`lang/`) for name, location, job, employer, likes and
dislikes, family, diet, health, dates and age. Anchoring at "I"/"my" (or a first-person verb:
"vivo", "tenho") is what keeps reported speech and other people out ("my friend lives in
Rome" names someone else); questions, hypotheticals and plans are skipped before any pattern
runs.

With the user's current memories, a correction ("I meant Berlin, not Paris") replaces the
memory that holds the corrected-away value, and a restated fact becomes the current memory's
own text (consolidation then refreshes it instead of writing a copy).

Attributes: single-valued ones ("name", "location", "job", "diet", "age", ...) supersede on a
new value; many-valued things get a keyed attribute ("opinion:jazz", "pet:dog", "allergy:nuts")
so "I hate jazz" supersedes "Likes jazz" but "I like pizza" does not touch it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from persona.memory.extract import builders as b
from persona.memory.extract.builders import third_person
from persona.memory.extract.candidate import Candidate, CurrentMemory, normalize_text
from persona.memory.extract.lang import LANGUAGES
from store.models import utcnow

__all__ = [
    "clauses",
    "correction",
    "extract_rules",
    "is_statement",
    "match_all",
    "match_clause",
    "sentences",
    "settle",
    "split_clauses",
    "third_person",
]


def _union(field: str) -> str:
    return "|".join(f"(?:{getattr(lang, field)})" for lang in LANGUAGES if getattr(lang, field))


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STARTERS = rf"(?:{_union('starters')})\b"
_CLAUSE = re.compile(
    rf"\s*;\s*|,?\s+(?:{_union('conjunctions')})\s+(?={_STARTERS})|"
    rf"(?:[,:]|\s[-\u2013\u2014])\s+(?={_STARTERS})",
    re.IGNORECASE,
)
_LEAD = re.compile(
    rf"^(?:(?:{_union('leads')})(?:[,!]\s*|\s+)|(?:{_union('leads_comma')})[,!.]\s*)",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:do|does|did|am|is|are|was|were|can|could|would|should|will|shall|have|has|"
    r"where|what|who|whom|whose|when|why|how|which|est-ce que)\b|^¿",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    rf"{_union('hypothetical')}|^(?:{_union('hypothetical_start')})\b", re.IGNORECASE
)
_SPEECH_END = re.compile(
    r"\b(?:say|says|said|tell|tells|told|think|thinks|thought|ask|asks|asked|write|writes|"
    r"wrote|claim|claims|claimed|believe|believes|believed|insist|insists|insisted|"
    r"sagt|sagte|meint|meinte|dit|disait|dice|dijo|dice che|diz|disse)"
    r"(?:\s+(?:me|us|them|him|her|everyone|people|mir|moi|me|mi))?\s*$",
    re.IGNORECASE,
)
_COMPILED = [
    (re.compile(p, re.IGNORECASE), build) for lang in LANGUAGES for p, build in lang.patterns
]
_GREETING_NAME = re.compile(
    r"^(?i:hi|hello|hey|hallo|salut|bonjour|hola|ciao|olá|oi)(?: there)?[,!.]?\s+"
    r"(?i:i'm|i am|this is|ich bin|hier ist|moi c'est|je suis|soy|sono|sou) "
    r"(?P<v>[A-ZÀ-Þ][\w'-]*(?: [A-ZÀ-Þ][\w'-]*)?)[.!]?$"
)
# "X, not Y": the value Y the user corrects away
_NOT_TAIL = re.compile(
    rf"^(?P<s>.+?),\s*(?:{_union('not_word')})\s+(?:(?:in|à|a|en|em|na|no|au|aux|at|bei|"
    r"chez|da|nach)\s+)?(?P<old>[^\s,]+(?: [^\s,]+){0,2})$",
    re.IGNORECASE,
)
# English leaves the subject out of a clause that shares it ("I'm 35, live in Leeds and work
# as a nurse"); only before these verbs, so an object ("cats and dogs") is never cut
_I_START = re.compile(r"^i(?:'m| am| have|'ve)?\b", re.IGNORECASE)
_SAME_SUBJECT = re.compile(
    r"(?:,\s*|\s+and\s+|,\s*and\s+)(?=(?:live|work|take|suffer|moved|relocated)\b)",
    re.IGNORECASE,
)
_MEANT = re.compile(rf"^(?:{_union('meant')})\s+(?P<new>.+)$", re.IGNORECASE)
_BARE = re.compile(r"(?P<new>[A-ZÀ-ÖØ-Þ][\w'-]*(?: [A-ZÀ-ÖØ-Þ][\w'-]*){0,2})")


def sentences(message: str) -> list[str]:
    """`message` split into sentences (curly apostrophes made straight)."""
    message = message.replace("\u2019", "'").replace("\u2018", "'").replace("¡", "")
    return [s.strip() for s in _SENTENCE.split(message) if s.strip()]


def split_clauses(sentence: str) -> list[str]:
    """The clauses of one sentence, lead words ("well", "actually", "and") cut."""
    out: list[str] = []
    for part in _CLAUSE.split(sentence):
        part = part.strip().rstrip(".!?")
        while (stripped := _LEAD.sub("", part, count=1)) != part:
            part = stripped
        first, *more = _SAME_SUBJECT.split(part) if _I_START.match(part) else [part]
        # "I have asthma and take inhalers": the subject carries over
        out.extend(c for c in [first, *(f"I {m}" for m in more)] if c)
    return out


def is_statement(clause: str) -> bool:
    """False for questions, hypotheticals and plans, which state nothing current about the user."""
    return not (_QUESTION_START.match(clause) or _HYPOTHETICAL.search(clause))


def clauses(message: str) -> list[str]:
    """The statement clauses of `message`: questions, hypotheticals and quoted speech dropped."""
    out: list[str] = []
    for sentence in sentences(message):
        if sentence.endswith("?") or sentence.startswith("¿"):
            continue
        previous = ""
        for clause in split_clauses(sentence):
            # "my mom says, I'm vegan" / "he told me: I live in Rome" report someone else
            if is_statement(clause) and not _SPEECH_END.search(previous):
                out.append(clause)
            previous = clause
    return out


def match_all(clause: str, now: datetime | None = None) -> list[Candidate]:
    """The candidates the first matching pattern builds from one clause (usually one).

    A clause that matches nothing is tried once more up to its first comma ("I've got a
    shellfish allergy, so be careful" -> "I've got a shellfish allergy").
    """
    when = now or utcnow()
    tries = [clause]
    if "," in clause:
        tries.append(clause.split(",", 1)[0])
    for text in tries:
        for pattern, build in _COMPILED:
            match = pattern.match(text)
            if match and (built := build(match, when)):
                return built if isinstance(built, list) else [built]
    return []


def match_clause(clause: str, now: datetime | None = None) -> Candidate | None:
    """The first candidate one clause states, or None."""
    found = match_all(clause, now)
    return found[0] if found else None


def _core(text: str) -> str:
    """A memory text without the user's own word in brackets, for comparing two memories."""
    return normalize_text(re.sub(r"\s*\([^)]*\)", "", text))


def correction(
    clause: str, now: datetime | None, current: Sequence[CurrentMemory]
) -> list[Candidate] | None:
    """A correction ("I meant Berlin, not Paris", "I'm 34, not 43"), or None if `clause` is none.

    "I meant X, not Y" supersedes the (most recent) current memory that holds Y, nothing
    without one;
    "<statement>, not Y" is the statement itself, which supersedes by its attribute.
    """
    m = _NOT_TAIL.match(clause)
    if m is None:
        return None
    statement, old = m["s"].strip(), m["old"].strip(" .!")
    # "I meant Turin, not Rome", "It's Turin, not Rome", or just "Turin, not Rome"
    meant = _MEANT.match(statement) or _BARE.fullmatch(statement)
    if meant is None:
        return match_all(statement, now) or None
    if stated := match_all(meant["new"], now):
        return stated  # "I meant I work at Acme, not Globex": the statement supersedes
    new = b.clean(meant["new"])
    old_word = re.compile(rf"\b{re.escape(old)}\b", re.IGNORECASE)
    holding = [m for m in current if old_word.search(m.text)]
    if not holding or not new:
        return []
    # the most recent memory that says Y is the one being corrected, not every mention of Y
    memory = holding[-1]
    return [
        Candidate(
            memory.kind,
            old_word.sub(new, memory.text),
            memory.attribute,
            new,
            0.8,
            op="supersede",
            target_id=memory.id,
        )
    ]


def settle(candidates: Sequence[Candidate], current: Sequence[CurrentMemory]) -> list[Candidate]:
    """Candidates against the user's current memories: a restated fact takes the current
    memory's text (so it refreshes, "Lives in Paris" vs "Lives in Paris (Parigi)"), nothing else
    changes."""
    out: list[Candidate] = []
    for c in candidates:
        if c.op == "add" and c.attribute:
            same = next(
                (
                    m
                    for m in current
                    if m.attribute == c.attribute and _core(m.text) == _core(c.text)
                ),
                None,
            )
            if same is not None:
                c = replace(c, text=same.text)
        out.append(c)
    return out


def extract_rules(
    message: str, *, now: datetime | None = None, current: Sequence[CurrentMemory] = ()
) -> list[Candidate]:
    """Candidates for the plain first-person statements in `message`, in the order said."""
    now = now or utcnow()
    found: list[Candidate] = []
    for sentence in sentences(message):
        greeting = _GREETING_NAME.match(sentence)
        if greeting and (c := b.name(greeting, now)):
            found.append(c)
    for clause in clauses(message):
        corrected = correction(clause, now, current)
        if corrected is not None:
            found.extend(corrected)
        else:
            found.extend(match_all(clause, now))
    return settle(found, current)
