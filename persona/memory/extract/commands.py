"""Explicit memory commands in a user's message: "remember that …", "forget …", "I no longer …",
"that's no longer true", in the six languages of `lang/`.

Commands are recognised before any extractor runs; the sentences (or clauses) they consume are
removed from the text the extractor sees, so one statement never yields two candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from persona.memory.extract.candidate import Candidate
from persona.memory.extract.lang import LANGUAGES
from persona.memory.extract.rules import (
    is_statement,
    match_all,
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
_PLEASE = r"(?:please |can you |could you |and |bitte |por favor |s'il te plaît |per favore |)"
_REMEMBER = re.compile(
    rf"^{_PLEASE}(?:{'|'.join(f'(?:{lang.remember})' for lang in LANGUAGES)})"
    r"(?: please| bitte| por favor| per favore| s'il te plaît)?"
    r"(?:(?:,? (?:that|dass|(?:de )?que|qu'|che)\s*|\s*:\s*)(?P<x>.+?)|"
    r"\s+(?P<y>(?:i|i'm|i've|my)\b.+?|"
    rf"(?:to |not to )?(?:always |never |not )?(?:{_REPLY_VERBS})\b.+?|(?:always|never)\b.+?))"
    r"[.!?]*$",
    re.IGNORECASE,
)
_FORGET = re.compile(
    rf"^{_PLEASE}(?:{'|'.join(f'(?:{lang.forget})' for lang in LANGUAGES)}),?\s+(?P<x>.+?)[.!?]*$",
    re.IGNORECASE,
)
_NO_LONGER_TRUE = re.compile(
    r"^(?:that's|that is|this is|it's|it is)\s+(?:no longer (?:true|the case|correct|accurate|"
    r"right)|not (?:true|the case|correct|accurate|right) any ?more)\b|"
    r"^(?:das stimmt nicht mehr|das ist nicht mehr (?:so|wahr|richtig)|ce n'est plus vrai|"
    r"c'est plus vrai|ça n'est plus vrai|eso ya no es (?:así|verdad|cierto)|ya no es así|"
    r"non è più vero|non è più così|isso já não é verdade|isso não é mais verdade)\b",
    re.IGNORECASE,
)
_NO_LONGER = [
    (lang.code, re.compile(pattern, re.IGNORECASE), template)
    for lang in LANGUAGES
    for pattern, template in lang.no_longer
]
_INSTRUCTION = re.compile(r"^(?:to |always |never |not to |please )", re.IGNORECASE)
_NOT_A_TARGET = {
    "it", "about it", "that", "this", "everything you said", "what i said", "everything",
    "es", "das", "alles", "ça", "cela", "tout", "le", "lo", "eso", "esto", "todo", "questo",
    "tutto", "isso", "tudo", "isto",
}  # fmt: skip
# "forget that I live in Paris" (a statement) / "… everything about Maria" (a named thing)
_THAT = re.compile(r"^(?:that|dass|que|qu'|che)\s*", re.IGNORECASE)
_ABOUT_THING = re.compile(
    r"^(?:(?:everything|all|anything|what (?:i|i've) (?:told|said to|tell) you|what i said|"
    r"alles,?(?: was ich dir)?|was ich dir|tout(?: ce que je t'ai dit)?|ce que je t'ai dit|"
    r"todo(?: lo que te (?:dije|conté))?|lo que te (?:dije|conté)|"
    r"tutto(?: quello che ti ho detto)?|quello che ti ho detto|"
    r"tudo(?: o que (?:eu )?te disse)?|o que (?:eu )?te disse)\s+)?"
    r"(?:about|über|von|sur|à propos de|au sujet de|de|sobre|acerca de|su|di)\s+"
    r"(?:(?:a|o|la|el|le|der|die|das|den|dem)\s+)?(?P<t>.+?)"
    r"(?:\s+(?:gesagt|erzählt)(?: habe)?)?$",
    re.IGNORECASE,
)
_PROPER = re.compile(r"(?<!^)\b(?!I\b)[A-ZÀ-ÖØ-Þ][\w'-]+")
# "forget my job" / "forget where I live": the attribute to invalidate, whatever its value
_ABOUT = [
    (re.compile(r"^(?:my |the )?(?:name|what i'm called)$|^(?:meinen namen|mon nom|"
                r"mi nombre|il mio nome|o meu nome|meu nome)$", re.I), "name"),
    (re.compile(r"^(?:my |the )?(?:location|address|city|home)$|^where i live$|"
                r"^(?:wo ich wohne|où j'habite|dónde vivo|dove vivo|onde moro)$", re.I),
     "location"),
    (re.compile(r"^(?:my |the )?(?:job|work|occupation|profession)$|^what i do$|"
                r"^(?:meinen beruf|mon métier|mi trabajo|il mio lavoro|o meu trabalho)$", re.I),
     "job"),
    (re.compile(r"^(?:my |the )?employer$|^where i work$|^(?:wo ich arbeite|où je travaille|"
                r"dónde trabajo|dove lavoro|onde trabalho)$", re.I), "employer"),
    (re.compile(r"^(?:my |the )?(?:diet|dietary restrictions?)$", re.I), "diet"),
    (re.compile(r"^(?:my |the )?age$|^how old i am$|^(?:mein alter|mon âge|mi edad|"
                r"la mia età|a minha idade)$", re.I), "age"),
    (re.compile(r"^(?:my |the )?birthday$", re.I), "birthday"),
    (re.compile(r"^(?:my |the )?(?:partner|wife|husband|girlfriend|boyfriend)$", re.I), "partner"),
]  # fmt: skip


@dataclass
class Parsed:
    """The commands found in a message and the text left for the extractor."""

    candidates: list[Candidate] = field(default_factory=list)
    remaining: str = ""


_VERB_S = {"have": "has", "do": "does", "go": "goes", "am": "is", "was": "was"}


def _generic_text(phrase: str) -> str:
    """A first-person phrase as a third-person memory ("I'm on call Fridays" -> "Is on call …",
    "I take my coffee black" -> "Takes their coffee black"); other languages stay as said."""
    phrase = phrase.strip().rstrip(".!")
    phrase = re.sub(r"^i(?:'m| am)\s+", "Is ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^i(?:'ve| have)\s+", "Has ", phrase, flags=re.IGNORECASE)
    phrase = re.sub(r"^my\s+", "Their ", phrase, flags=re.IGNORECASE)
    if m := re.match(r"^i\s+([a-z]+)\b", phrase, flags=re.IGNORECASE):
        verb = m[1].lower()
        if verb in _VERB_S:
            third = _VERB_S[verb]
        elif verb.endswith(("s", "sh", "ch", "x", "z", "o")):
            third = verb + "es"
        elif verb.endswith("y") and verb[-2:-1] not in "aeiou":
            third = verb[:-1] + "ies"
        else:
            third = verb + "s"
        phrase = third + phrase[m.end() :]
    phrase = third_person(phrase)
    return phrase[:1].upper() + phrase[1:]


def _remember(x: str, now: datetime | None) -> list[Candidate]:
    if _INSTRUCTION.match(x):
        text = re.sub(r"^(?:to |please )", "", x, flags=re.IGNORECASE)
        return [Candidate("instruction", _generic_text(text), None, None, EXPLICIT_IMPORTANCE)]
    found = [c for clause in split_clauses(x) for c in match_all(clause, now)]
    if found:
        return [replace(c, importance=max(c.importance, EXPLICIT_IMPORTANCE)) for c in found]
    return [Candidate("fact", _generic_text(x), None, None, EXPLICIT_IMPORTANCE)]


def _forget(x: str, now: datetime | None) -> list[Candidate]:
    x = _THAT.sub("", x.strip())
    x = re.sub(r"^about\s+", "", x, flags=re.IGNORECASE)
    for pattern, attribute in _ABOUT:
        if pattern.match(x):
            return [Candidate("fact", x, attribute, None, op="forget")]
    if (about := _ABOUT_THING.match(x)) is not None and about["t"][:1].isupper():
        # a named person or thing: whatever memory mentions it
        return [Candidate("fact", about["t"], None, None, op="forget")]
    found = match_clause(x, now)
    if found is not None:
        return [replace(found, op="forget")]
    names = _PROPER.findall(x)
    if names:  # "my brother Paul", "my job at Acme": the named thing is what to forget
        return [Candidate("fact", " ".join(names), None, None, op="forget")]
    return [Candidate("fact", _generic_text(x), None, None, op="forget")]


def no_longer(clause: str, now: datetime | None) -> list[Candidate] | None:
    """What a negated statement ends ("I don't like jazz anymore" -> forget "Likes jazz"),
    or None when `clause` is no such statement. A keyed attribute ("opinion:jazz") names the
    memory whatever its wording; a single-valued one ("location") only with the same value."""
    for code, pattern, template in _NO_LONGER:
        m = pattern.match(clause)
        if m is None:
            continue
        statement = m.expand(template)
        found = match_clause(statement, now)
        if found is not None:
            return [replace(found, op="forget")]
        if code == "en":
            return [Candidate("fact", _generic_text(statement), None, None, op="forget")]
        return []  # a negation we cannot map: it states no current fact either way
    return None


def parse_commands(message: str, *, now: datetime | None = None) -> Parsed:
    """Find the explicit commands in `message`, in order; return them and the rest of the text."""
    parsed = Parsed()
    kept: list[str] = []
    for sentence in sentences(message):
        bare = re.sub(r"^(?:ok|okay|also|and|actually|oh|hey)[,!]?\s+", "", sentence, flags=re.I)
        m = _FORGET.match(bare)
        target, *rest = split_clauses(m["x"]) if m else [""]
        named = m is not None and _ABOUT_THING.match(m["x"]) is not None
        if m and (named or m["x"].split(",")[0].lower().strip(" .!") not in _NOT_A_TARGET):
            if named:
                target, rest = m["x"], []  # "alles, was ich dir über Maria gesagt habe"
            elif _THAT.match(m["x"]):
                target, rest = m["x"], []  # "vergiss, dass ich in Paris wohne": one statement
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
            ended = None if question or not is_statement(clause) else no_longer(clause, now)
            if _NO_LONGER_TRUE.match(clause):
                parsed.candidates.append(
                    Candidate("fact", "", None, None, op="invalidate_previous")
                )
            elif ended is not None:
                parsed.candidates.extend(ended)
            else:
                kept_clauses.append(clause)
        if kept_clauses:
            end = "?" if question else "."
            kept.append(", ".join(kept_clauses) + end)
    parsed.remaining = " ".join(kept)
    return parsed
