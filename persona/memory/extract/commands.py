"""Explicit memory commands in a user's message: "remember that …", "forget …", "I no longer …",
"that's no longer true".

Commands are recognised before any extractor runs; the sentences (or clauses) they consume are
removed from the text the extractor sees, so one statement never yields two candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from persona.memory.extract.candidate import Candidate
from persona.memory.extract.rules import (
    is_statement,
    match_clause,
    sentences,
    split_clauses,
    third_person,
)

EXPLICIT_IMPORTANCE = 0.8

# "remember that …" stores anything; without "that" only a first-person statement or a
# standing request about replies counts ("remember to bring a coat" is advice, not a command)
_REPLY_VERBS = (
    r"answer|reply|respond|use|call me|address me|write|speak|talk|keep (?:it|your|answers|"
    r"replies)|format|include|avoid|mention|explain|give me|show me|ask me"
)
_REMEMBER = re.compile(
    r"^(?:please |can you |could you |and )?(?:remember|don't forget|do not forget|keep in mind|"
    r"note)(?:(?: that|:)\s+(?P<x>.+?)|\s+(?P<y>(?:i|i'm|i've|my)\b.+?|"
    rf"(?:to |not to )?(?:always |never |not )?(?:{_REPLY_VERBS})\b.+?|(?:always|never)\b.+?))"
    r"[.!?]*$",
    re.IGNORECASE,
)
_FORGET = re.compile(
    r"^(?:please |can you |could you |and )?forget(?: about| that)?\s+(?P<x>.+?)[.!?]*$",
    re.IGNORECASE,
)
_NO_LONGER_TRUE = re.compile(
    r"^(?:that's|that is|this is|it's|it is)\s+(?:no longer (?:true|the case|correct|accurate|"
    r"right)|not (?:true|the case|correct|accurate|right) any ?more)\b",
    re.IGNORECASE,
)
_I_NO_LONGER = re.compile(
    r"^(?P<subject>i(?:'m| am)?) no longer (?P<x>.+)$|"
    r"^(?P<subject2>i(?:'m| am)) not (?P<x2>.+?) any ?more$|"
    r"^i (?:don't|do not) (?P<x3>.+?) any ?more$",
    re.IGNORECASE,
)
_INSTRUCTION = re.compile(r"^(?:to |always |never |not to |please )", re.IGNORECASE)
_NOT_A_TARGET = {"it", "about it", "that", "this", "everything you said", "what i said"}
# "forget my job" / "forget where I live": the attribute to invalidate, whatever its value
_ABOUT = [
    (re.compile(r"^(?:my |the )?(?:name|what i'm called)$", re.I), "name"),
    (re.compile(r"^(?:my |the )?(?:location|address|city|home)$|^where i live$", re.I), "location"),
    (re.compile(r"^(?:my |the )?(?:job|work|occupation|profession)$|^what i do$", re.I), "job"),
    (re.compile(r"^(?:my |the )?employer$|^where i work$", re.I), "employer"),
    (re.compile(r"^(?:my |the )?(?:diet|dietary restrictions?)$", re.I), "diet"),
    (re.compile(r"^(?:my |the )?age$|^how old i am$", re.I), "age"),
    (re.compile(r"^(?:my |the )?birthday$", re.I), "birthday"),
    (re.compile(r"^(?:my |the )?(?:partner|wife|husband|girlfriend|boyfriend)$", re.I), "partner"),
]


@dataclass
class Parsed:
    """The commands found in a message and the text left for the extractor."""

    candidates: list[Candidate] = field(default_factory=list)
    remaining: str = ""


def _generic_text(phrase: str) -> str:
    """A first-person phrase as a third-person memory ("I'm on call Fridays" -> "Is on call …")."""
    phrase = phrase.strip().rstrip(".!")
    phrase = re.sub(r"^i(?:'m| am)\s+", "Is ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^i(?:'ve| have)\s+", "Has ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^my\s+", "Their ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^i\s+", "User ", phrase, flags=re.IGNORECASE)
    phrase = third_person(phrase)
    return phrase[:1].upper() + phrase[1:]


def _remember(x: str, now: datetime | None) -> list[Candidate]:
    if _INSTRUCTION.match(x):
        text = re.sub(r"^(?:to |please )", "", x, flags=re.IGNORECASE)
        return [Candidate("instruction", _generic_text(text), None, None, EXPLICIT_IMPORTANCE)]
    found = [c for clause in split_clauses(x) if (c := match_clause(clause, now)) is not None]
    if found:
        return [replace(c, importance=max(c.importance, EXPLICIT_IMPORTANCE)) for c in found]
    return [Candidate("fact", _generic_text(x), None, None, EXPLICIT_IMPORTANCE)]


def _forget(x: str, now: datetime | None) -> list[Candidate]:
    x = re.sub(r"^(?:that|about)\s+", "", x.strip(), flags=re.IGNORECASE)
    for pattern, attribute in _ABOUT:
        if pattern.match(x):
            return [Candidate("fact", x, attribute, None, op="forget")]
    found = match_clause(x, now)
    if found is not None:
        return [replace(found, op="forget")]
    return [Candidate("fact", _generic_text(x), None, None, op="forget")]


def _no_longer(m: re.Match[str], now: datetime | None) -> list[Candidate]:
    if m["x"] is not None:
        statement = f"{m['subject']} {m['x']}"
    elif m["x2"] is not None:
        statement = f"{m['subject2']} {m['x2']}"
    else:
        statement = f"I {m['x3']}"
    found = match_clause(statement, now)
    if found is not None:
        return [replace(found, op="forget")]
    return [Candidate("fact", _generic_text(statement), None, None, op="forget")]


def parse_commands(message: str, *, now: datetime | None = None) -> Parsed:
    """Find the explicit commands in `message`, in order; return them and the rest of the text."""
    parsed = Parsed()
    kept: list[str] = []
    for sentence in sentences(message):
        bare = re.sub(r"^(?:ok|okay|also|and|actually|oh|hey)[,!]?\s+", "", sentence, flags=re.I)
        m = _FORGET.match(bare)
        target, *rest = split_clauses(m["x"]) if m else [""]
        if m and m["x"].split(",")[0].lower().strip(" .!") not in _NOT_A_TARGET:
            parsed.candidates.extend(_forget(target, now))
            if rest:
                kept.append(", ".join(rest) + ".")
            continue
        if m := _REMEMBER.match(bare):
            parsed.candidates.extend(_remember(m["x"] or m["y"], now))
            continue
        question = sentence.endswith("?")
        kept_clauses: list[str] = []
        for clause in split_clauses(sentence):
            if _NO_LONGER_TRUE.match(clause):
                parsed.candidates.append(
                    Candidate("fact", "", None, None, op="invalidate_previous")
                )
            elif not question and is_statement(clause) and (m := _I_NO_LONGER.match(clause)):
                parsed.candidates.extend(_no_longer(m, now))
            else:
                kept_clauses.append(clause)
        if kept_clauses:
            end = "?" if question else "."
            kept.append(", ".join(kept_clauses) + end)
    parsed.remaining = " ".join(kept)
    return parsed
