"""What a language contributes to the rule-based extractor, and sub-patterns all of them share.

Every pattern is anchored at the start of a clause and names its value `v`. Anchoring at the
first person ("I", "ich", "je", or a first-person verb in the pro-drop languages: "vivo",
"tenho") is what keeps other people's facts out: "Mi padre es alérgico" starts with neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from persona.memory.extract.builders import Builder

# a word starting with a capital: places, employers and names are proper nouns in all six
_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'.&+-]*"
_LINK = r"(?: (?:de|do|da|dos|das|del|de la|della|di|am|an der|im|sur|la|le|los|las|el|upon|on))?"
PLACE = rf"(?-i:{_CAP}(?:{_LINK} {_CAP}){{0,3}})"
ORG = rf"(?-i:(?:{_CAP}|[0-9][\w&.-]*)(?: (?:&|und|y|e|et|and) {_CAP}| {_CAP}){{0,3}})"
NAME = r"(?-i:[A-ZÀ-ÖØ-Þ][\w'-]*(?: [A-ZÀ-ÖØ-Þ][\w'-]*){0,2})"
# negations: a value phrase containing one of these is not a plain statement
NEG = (
    r"not|never|no longer|anymore|nicht|kein\w*|nie|niemals|mehr|ne|n'|pas|plus|jamais|nunca|"
    r"non|mai|più|não|nem"
)
# what may follow a place or an employer: lower-case words ("seit 2019", "depuis deux ans",
# "por trabajo") that are no negation
TAIL = rf"(?:\s+(?!.*\b(?:{NEG})\b)(?-i:[a-zß-öø-ÿ0-9]).*)?"


@dataclass(frozen=True)
class Language:
    """One language's statement patterns and the words the clause filters look for."""

    code: str
    patterns: Sequence[tuple[str, Builder]]
    # words that open a new first-person clause after "and" or a comma
    starters: str
    conjunctions: str
    # phrases cut from a clause start ("well", "by the way", "now"); `leads_comma` only before
    # a comma ("no, …": "no vivo en Madrid" is a negation, not a lead word)
    leads: str
    leads_comma: str
    # anywhere in a clause: conditionals, wishes, plans (not the user's current facts)
    hypothetical: str
    # only at the clause start: "si" / "se" mean "if" there and something else elsewhere
    hypothetical_start: str = ""
    # "I don't like X anymore" -> "I like X" (the statement whose memory ends)
    no_longer: Sequence[tuple[str, str]] = ()
    # "I meant" in "I meant X, not Y"; "not" in "X, not Y"
    meant: str = ""
    not_word: str = ""
    # command openings: "remember (that|:)", "forget"
    remember: str = ""
    forget: str = ""
