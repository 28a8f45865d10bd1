"""Candidate builders: what a matched statement pattern becomes, shared by every language.

A builder takes the pattern's match (named groups: `v` the value, sometimes `a`, `verb`,
`neg`, `p`, `n`, `what`, `pet`, `rel`) and returns a `Candidate`, or None when the captured
value does not look like what the pattern is about ("I'm a big person" is no job).
Memory texts are English templates around the user's own words ("Lives in München"), so a
fact said in two languages is one attribute and duplicates compare equal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from persona.memory.extract import health
from persona.memory.extract import lexicon as lx
from persona.memory.extract.candidate import Candidate, normalize_text
from persona.memory.extract.dates import DATE_PHRASE, resolve_date

# one candidate, several ("allergic to peanuts and shellfish"), or None for no match
Builder = Callable[[re.Match[str], datetime], Candidate | list[Candidate] | None]

_FIRST_PERSON = [
    (re.compile(r"\bI'm\b"), "they're"),
    (re.compile(r"\bI am\b"), "they are"),
    (re.compile(r"\bI was\b"), "they were"),
    (re.compile(r"\bmyself\b", re.IGNORECASE), "themselves"),
    (re.compile(r"\bmine\b", re.IGNORECASE), "theirs"),
    (re.compile(r"\bmy\b", re.IGNORECASE), "their"),
    (re.compile(r"\bme\b", re.IGNORECASE), "them"),
    (re.compile(r"\bI\b"), "they"),
]
# articles and possessives in front of an object, in the six languages
_ARTICLE = re.compile(
    r"^(?:the|a|an|some|my|le|la|les|l'|un|une|des|du|de la|de l'|aux|au|à la|à l'|à|al|"
    r"alla|alle|ai|agli|ao|aos|às|el|los|las|il|lo|gli|i|"
    r"o|os|as|der|die|das|den|dem|ein|eine|einen|de|do|da|dos)\s*(?<=\s|')",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|never|nicht|kein\w*|nie|pas|plus|jamais|no|nunca|non|mai|più|não|nada)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"[^\W\d_][\w'-]*(?: [^\W\d_][\w'-]*){0,2}")


def third_person(phrase: str) -> str:
    """Rewrite first-person words in a captured phrase ("my" -> "their", "I" -> "they")."""
    for pattern, repl in _FIRST_PERSON:
        phrase = pattern.sub(repl, phrase)
    return phrase


def clean(value: str, cut: bool = True, pattern: re.Pattern[str] = lx.VALUE_CUT) -> str:
    """A captured value without what follows the phrase (", but …", "now") or edge marks."""
    value = value.strip()
    if cut:
        value = pattern.sub("", value)
    return value.strip(" .!?,;:\"'")


def object_key(value: str) -> str:
    """The object a keyed attribute names, without articles ("the cold" -> "cold")."""
    key = normalize_text(value)
    while (stripped := _ARTICLE.sub("", key, count=1)) != key:
        key = stripped
    return key


def ok_value(value: str, max_words: int = 6) -> bool:
    """Whether a captured value is a usable object (not a pronoun, not cut mid-phrase)."""
    words = value.lower().split()
    return (
        0 < len(words) <= max_words
        and words[0] not in lx.NON_OBJECTS
        and words[-1] not in lx.DANGLING
        and not value.lower().startswith("the way ")
        # deictic objects ("this park") mean something only next to the photo they refer to
        and not lx.DEICTIC.search(value)
    )


def _with_article(value: str) -> str:
    if re.match(r"^(?:a|an|the)\s", value, re.IGNORECASE):
        return value
    return ("an " if value[:1].lower() in "aeiou" else "a ") + value


def name(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "My name is …", "Ich heiße …": the user's name."""
    value = clean(m["v"])
    if not _NAME.fullmatch(value) or any(w in lx.NON_NAMES for w in value.lower().split()):
        return None
    value = " ".join(w[:1].upper() + w[1:] for w in value.split())
    return Candidate("fact", f"Name is {value}", "name", value, 0.9)


def location(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Where the user lives (a move is a new value, which supersedes the old one)."""
    value = clean(m["v"], pattern=lx.PLACE_CUT)
    if not ok_value(value) or value.lower() in {"here", "there"}:
        return None
    return Candidate("fact", f"Lives in {value}", "location", value, 0.8)


def hometown(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Where the user is from."""
    value = clean(m["v"])
    if not ok_value(value):
        return None
    return Candidate("fact", f"Is from {value}", "hometown", value, 0.6)


def born_in(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I was born in 1990" (a date) or "… in Lyon" (a place)."""
    value = clean(m["v"], cut=False)
    if re.search(r"\d", value):
        return Candidate("fact", f"Was born in {value}", "birth_date", value, 0.7)
    value = clean(value)
    return Candidate("fact", f"Was born in {value}", "birthplace", value, 0.6) if value else None


def job(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I work as a nurse": any occupation."""
    value = clean(m["v"], pattern=lx.JOB_CUT)
    if not ok_value(value):
        return None
    return Candidate("fact", f"Works as {_with_article(third_person(value))}", "job", value, 0.7)


def job_is_a(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I'm a teacher": an occupation only when the noun looks like one."""
    value = clean(m["v"])
    last = value.lower().split()[-1] if value else ""
    is_job = last in lx.JOBS or (last.endswith(lx.JOB_SUFFIXES) and len(last) > 4)
    if not is_job or last in lx.NOT_JOBS or len(value.split()) > 3:
        return None
    return Candidate("fact", f"Is {m['a'].lower()} {value}", "job", value, 0.7)


def job_noun(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "Ich bin Lehrerin", "Sou enfermeira": an occupation from the word list (or a German
    compound ending in one, "Grundschullehrerin")."""
    value = clean(m["v"])
    word = value.lower()
    if not (word in lx.JOBS_I18N or any(word.endswith(j) for j in lx.JOB_STEMS_DE)):
        return None
    return Candidate("fact", f"Works as {value}", "job", value, 0.7)


def job_as(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "Ich arbeite als …", "Trabalho como …": any occupation, in the user's words."""
    value = clean(m["v"], pattern=lx.JOB_CUT)
    if not ok_value(value, 4) or not value[:1].isalpha():
        return None
    return Candidate("fact", f"Works as {value}", "job", value, 0.7)


def employer(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Where the user works."""
    value = clean(m["v"])
    if not ok_value(value) or value.lower() in lx.NOT_EMPLOYERS:
        return None
    return Candidate("fact", f"Works at {value}", "employer", value, 0.6)


def job_status(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Retired, unemployed, self-employed."""
    value = m["v"].lower()
    return Candidate("fact", f"Is {value}", "job", value, 0.6)


_OPINION_TEXT = {
    "like": "Likes", "love": "Loves", "enjoy": "Enjoys", "adore": "Loves", "prefer": "Prefers",
    "hate": "Hates", "dislike": "Dislikes", "detest": "Hates", "loathe": "Hates",
}  # fmt: skip


def opinion(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I love jazz", "I don't like cilantro": a preference keyed by its object."""
    value = clean(m["v"], pattern=lx.OPINION_CUT)
    if not ok_value(value, 8):
        return None
    verb = m["verb"].lower()
    if m.groupdict().get("neg"):
        text = "Does not enjoy" if verb == "enjoy" else "Dislikes"
    else:
        text = _OPINION_TEXT.get(verb, "Hates")
    return Candidate(
        "preference", f"{text} {third_person(value)}", f"opinion:{object_key(value)}", value, 0.5
    )


def opinion_as(verb: str) -> Builder:
    """A builder for an opinion pattern whose verb is fixed ("Ich mag …" -> "Likes …")."""

    def build(m: re.Match[str], _now: datetime) -> Candidate | None:
        value = clean(m["v"], pattern=lx.OPINION_CUT)
        words = value.lower().split()
        # "me gusta mucho" has no object; "ich mag das nicht" is no liking
        if (
            not ok_value(value, 8)
            or value.lower() in lx.NON_OBJECTS_I18N
            or words[-1] in lx.NON_OBJECTS_I18N
        ):
            return None
        if _NEGATED.search(value):
            return None
        key = object_key(value)
        return Candidate("preference", f"{verb} {key}", f"opinion:{key}", value, 0.5)

    return build


def fan_of(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I'm a big fan of sci-fi"."""
    value = clean(m["v"], pattern=lx.OPINION_CUT)
    if not ok_value(value, 8):
        return None
    text = f"Likes {third_person(value)}"
    return Candidate("preference", text, f"opinion:{object_key(value)}", value, 0.5)


def marital(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Married, single, engaged … (to someone)."""
    status = m["v"].lower()
    partner = clean(m["p"]) if m["p"] else ""
    text = f"Is {status}" + (f" to {third_person(partner)}" if partner else "")
    return Candidate("fact", text, "marital_status", status, 0.7)


def children(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I have two kids"."""
    what = m["what"].lower()
    count = m["n"].lower()
    key = "children" if what.startswith(("kid", "child")) else what.rstrip("s")
    text = f"Has {count} {what}"
    return Candidate("fact", text, key if key == "children" else f"children:{key}", count, 0.7)


def pet(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I have a cat named Luna"."""
    species = m["pet"].lower()
    named = clean(m["name"]) if m.groupdict().get("name") else ""
    text = f"Has {m['n'].lower()} {species}" + (f" named {named}" if named else "")
    return Candidate("fact", text, f"pet:{species}", named or species, 0.6)


def relative_name(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "My sister is called Ruth", "Mein Sohn heißt Felix": a relative's (or pet's) name."""
    rel = lx.RELATIVES.get(m["rel"].lower(), m["rel"].lower())
    value = clean(m["v"])
    if not value or not value[0].isupper() or len(value.split()) > 3:
        return None
    if rel in {"dog", "cat"}:
        return Candidate("fact", f"Has a {rel} named {value}", f"pet:{rel}", value, 0.6)
    attribute = "partner" if rel in lx.PARTNERS else f"family:{rel}"
    return Candidate("fact", f"{rel.capitalize()}'s name is {value}", attribute, value, 0.7)


def diet(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Vegetarian, vegan … in any of the six languages, stored under its English name."""
    word = m["v"]
    canonical = health.diet(word) or word.lower()
    text = f"Is {health.with_original(canonical, word.lower())}"
    return Candidate("fact", text, "diet", canonical, 0.8)


def avoids(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I don't eat pork"."""
    value = clean(m["v"])
    if not ok_value(value):
        return None
    key = f"avoids:{object_key(value)}"
    return Candidate("preference", f"Does not eat {third_person(value)}", key, value, 0.7)


_LIST = re.compile(r"\s*,\s*|\s+(?:and|or|und|oder|et|ou|y|o|e)\s+", re.IGNORECASE)


def allergy(m: re.Match[str], _now: datetime) -> list[Candidate] | None:
    """Allergies ("to peanuts and shellfish"), each keyed by the allergen's English name when
    it is a known one."""
    items = _LIST.split(clean(m["v"], pattern=lx.LIST_CUT))
    found = [c for item in items if (c := _allergy(re.sub(r"^(?:to|a|à|gegen) ", "", item)))]
    # a list counts only if every item is an allergen ("cats and it gets worse" is no list)
    if len(found) == len(items) and found:
        return found
    first = _allergy(clean(m["v"]))
    return [first] if first else None


def _allergy(value: str) -> Candidate | None:
    if not ok_value(value) or value.lower() in lx.NON_OBJECTS_I18N:
        return None
    value = object_key(value) if value.islower() else _ARTICLE.sub("", value) or value
    canonical = health.allergen(value)
    shown = health.with_original(canonical, value) if canonical else value
    key = canonical or object_key(value)
    return Candidate(
        "fact", f"Is allergic to {shown}", f"allergy:{key}", value, health.HEALTH_IMPORTANCE
    )


def intolerance(m: re.Match[str], _now: datetime) -> Candidate | None:
    """Lactose or gluten intolerance."""
    word = m["v"]
    canonical = health.allergen(word) or word.lower()
    text = f"Is {canonical} intolerant" + ("" if canonical == word.lower() else f" ({word})")
    return Candidate("fact", text, f"intolerance:{canonical}", canonical, 0.8)


def condition(m: re.Match[str], _now: datetime) -> Candidate | None:
    """A condition the user has ("type 2 diabetes", "Zöliakie"), when it is a known one."""
    value = _ARTICLE.sub("", clean(m["v"], pattern=lx.CONDITION_CUT)).strip()
    canonical = health.condition(value)
    if canonical is None or len(value.split()) > 5:
        return None
    # the user's words name it in English already ("type 2 diabetes"), or need the name
    known = re.search(rf"\b{re.escape(canonical.lower().rstrip('s'))}s?\b", value.lower())
    shown = value if known else f"{canonical} ({value})"
    return Candidate(
        "fact", f"Has {shown}", f"condition:{canonical.lower()}", value, health.HEALTH_IMPORTANCE
    )


def medication(m: re.Match[str], _now: datetime) -> Candidate | None:
    """A medication the user takes, when the word is a known drug or has a drug-stem ending."""
    value = _ARTICLE.sub("", clean(m["v"], pattern=lx.MED_CUT)).strip()
    canonical = health.medication(value)
    if canonical is None or len(value.split()) > 3:
        return None
    shown = health.with_original(canonical, value)
    return Candidate(
        "fact", f"Takes {shown}", f"medication:{canonical}", value, health.HEALTH_IMPORTANCE
    )


def habit(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I smoke" / "Ich rauche": a habit, keyed so "I stopped smoking" can end it."""
    name_ = lx.HABITS.get(m["v"].lower())
    if name_ is None:
        return None
    return Candidate("fact", lx.HABIT_TEXT[name_], f"habit:{name_}", None, 0.6)


def birthday(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "My birthday is on March 3rd"."""
    value = clean(m["v"], cut=False)
    if not ok_value(value, 5):
        return None
    return Candidate("fact", f"Birthday is on {value}", "birthday", value, 0.7)


def born_on(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I was born on …"."""
    value = clean(m["v"], cut=False)
    return Candidate("fact", f"Was born on {value}", "birth_date", value, 0.7) if value else None


def age(m: re.Match[str], _now: datetime) -> Candidate | None:
    """ "I'm 34", "J'ai 34 ans"."""
    years = int(m["v"])
    if not 1 <= years <= 120:
        return None
    return Candidate("fact", f"Is {years} years old", "age", str(years), 0.6)


def event(m: re.Match[str], now: datetime) -> Candidate | None:
    """Something that happened to the user, when a date is said ("I graduated yesterday")."""
    date = DATE_PHRASE.search(m["rest"])
    if date is None:
        return None
    text = lx.EVENT_CUT.sub("", f"{m['verb']}{m['rest']}")
    text = clean(text, cut=False)
    text = third_person(text)
    return Candidate(
        "event", text[:1].upper() + text[1:], None, None, 0.6, event_date=resolve_date(date[0], now)
    )
