"""Rule-based extraction of plain first-person statements (offline, and the LLM's fallback).

A message is split into sentences and clauses; each clause is matched, anchored at its start,
against patterns for name, location, job, likes/dislikes, family and pets, diet, dates and age.
Anchoring at "I"/"my" is what keeps reported speech out ("my friend lives in Rome" names
someone else); questions and hypotheticals are skipped before any pattern runs.

Attributes: single-valued ones ("name", "location", "job", "diet", "age", ...) supersede on a
new value; many-valued things get a keyed attribute ("opinion:jazz", "pet:dog", "allergy:nuts")
so "I hate jazz" supersedes "Likes jazz" but "I like pizza" does not touch it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from persona.memory.extract import lexicon as lx
from persona.memory.extract.candidate import Candidate, normalize_text
from persona.memory.extract.dates import DATE_PHRASE, resolve_date
from store.models import utcnow

_I_AM = r"i(?:'m| am)"
_I_HAVE = r"i(?:'ve| have)"
_NOT = r"(?:don't|do not|never)"
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(
    r"\s*;\s*|,?\s+(?:and|but|also|plus|so)\s+(?=(?:i|i'm|i've|my)\b)|"
    r"(?:[,:]|\s[-\u2013\u2014])\s+(?=(?:i|i'm|i've|my)\b)",
    re.IGNORECASE,
)
_LEAD = re.compile(
    r"^(?:well|actually|oh|so|also|and|but|btw|by the way|anyway|now|ok|okay|yes|yeah|no|"
    r"fyi|just so you know|as you know|oh and|these days|nowadays)[,!]?\s+",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:do|does|did|am|is|are|was|were|can|could|would|should|will|shall|have|has|"
    r"where|what|who|whom|whose|when|why|how|which)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:if|unless|would|might|wish|imagine|suppose|pretend|hypothetically|whether)\b|"
    r"\bwhat if\b",
    re.IGNORECASE,
)
_SPEECH_END = re.compile(
    r"\b(?:say|says|said|tell|tells|told|think|thinks|thought|ask|asks|asked|write|writes|"
    r"wrote|claim|claims|claimed|believe|believes|believed|insist|insists|insisted)"
    r"(?:\s+(?:me|us|them|him|her|everyone|people))?\s*$",
    re.IGNORECASE,
)
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

Builder = Callable[[re.Match[str], datetime], Candidate | None]


def third_person(phrase: str) -> str:
    """Rewrite first-person words in a captured phrase ("my" -> "their", "I" -> "they")."""
    for pattern, repl in _FIRST_PERSON:
        phrase = pattern.sub(repl, phrase)
    return phrase


def _clean(value: str, cut: bool = True, pattern: re.Pattern[str] = lx.VALUE_CUT) -> str:
    value = value.strip()
    if cut:
        value = pattern.sub("", value)
    return value.strip(" .!?,;:\"'")


def _object_key(value: str) -> str:
    return re.sub(r"^(?:the|a|an|some|my)\s+", "", normalize_text(value))


def _ok_value(value: str, max_words: int = 6) -> bool:
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


def _name(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not re.fullmatch(r"[A-Za-z][\w'-]*(?: [A-Za-z][\w'-]*){0,2}", value):
        return None
    value = " ".join(w[:1].upper() + w[1:] for w in value.split())
    return Candidate("fact", f"Name is {value}", "name", value, 0.9)


def _location(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value) or value.lower() in {"here", "there"}:
        return None
    return Candidate("fact", f"Lives in {value}", "location", value, 0.8)


def _hometown(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value):
        return None
    return Candidate("fact", f"Is from {value}", "hometown", value, 0.6)


def _born_in(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"], cut=False)
    if re.search(r"\d", value):
        return Candidate("fact", f"Was born in {value}", "birth_date", value, 0.7)
    value = _clean(value)
    return Candidate("fact", f"Was born in {value}", "birthplace", value, 0.6) if value else None


def _job(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value):
        return None
    return Candidate("fact", f"Works as {_with_article(third_person(value))}", "job", value, 0.7)


def _job_is_a(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    last = value.lower().split()[-1] if value else ""
    is_job = last in lx.JOBS or (last.endswith(lx.JOB_SUFFIXES) and len(last) > 4)
    if not is_job or last in lx.NOT_JOBS or len(value.split()) > 3:
        return None
    return Candidate("fact", f"Is {m['a'].lower()} {value}", "job", value, 0.7)


def _employer(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value):
        return None
    return Candidate("fact", f"Works at {value}", "employer", value, 0.6)


def _job_status(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = m["v"].lower()
    return Candidate("fact", f"Is {value}", "job", value, 0.6)


_OPINION_TEXT = {
    "like": "Likes", "love": "Loves", "enjoy": "Enjoys", "adore": "Loves", "prefer": "Prefers",
    "hate": "Hates", "dislike": "Dislikes", "detest": "Hates", "loathe": "Hates",
}  # fmt: skip


def _opinion(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"], pattern=lx.OPINION_CUT)
    if not _ok_value(value, 8):
        return None
    verb = m["verb"].lower()
    if m.groupdict().get("neg"):
        text = "Does not enjoy" if verb == "enjoy" else "Dislikes"
    else:
        text = _OPINION_TEXT.get(verb, "Hates")
    return Candidate(
        "preference", f"{text} {third_person(value)}", f"opinion:{_object_key(value)}", value, 0.5
    )


def _fan_of(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"], pattern=lx.OPINION_CUT)
    if not _ok_value(value, 8):
        return None
    text = f"Likes {third_person(value)}"
    return Candidate("preference", text, f"opinion:{_object_key(value)}", value, 0.5)


def _marital(m: re.Match[str], _now: datetime) -> Candidate | None:
    status = m["v"].lower()
    partner = _clean(m["p"]) if m["p"] else ""
    text = f"Is {status}" + (f" to {third_person(partner)}" if partner else "")
    return Candidate("fact", text, "marital_status", status, 0.7)


def _children(m: re.Match[str], _now: datetime) -> Candidate | None:
    what = m["what"].lower()
    count = m["n"].lower()
    key = "children" if what.startswith(("kid", "child")) else what.rstrip("s")
    text = f"Has {count} {what}"
    return Candidate("fact", text, key if key == "children" else f"children:{key}", count, 0.7)


def _pet(m: re.Match[str], _now: datetime) -> Candidate | None:
    species = m["pet"].lower()
    name = _clean(m["name"]) if m.groupdict().get("name") else ""
    text = f"Has {m['n'].lower()} {species}" + (f" named {name}" if name else "")
    return Candidate("fact", text, f"pet:{species}", name or species, 0.6)


def _relative_name(m: re.Match[str], _now: datetime) -> Candidate | None:
    rel = m["rel"].lower()
    value = _clean(m["v"])
    if not value or not value[0].isupper() or len(value.split()) > 3:
        return None
    if rel in {"dog", "cat"}:
        return Candidate("fact", f"Has a {rel} named {value}", f"pet:{rel}", value, 0.6)
    attribute = "partner" if rel in lx.PARTNERS else f"family:{rel}"
    return Candidate("fact", f"{rel.capitalize()}'s name is {value}", attribute, value, 0.7)


def _diet(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = m["v"].lower()
    return Candidate("fact", f"Is {value}", "diet", value, 0.8)


def _avoids(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value):
        return None
    key = f"avoids:{_object_key(value)}"
    return Candidate("preference", f"Does not eat {third_person(value)}", key, value, 0.7)


def _allergy(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"])
    if not _ok_value(value):
        return None
    return Candidate("fact", f"Is allergic to {value}", f"allergy:{_object_key(value)}", value, 0.9)


def _intolerance(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = m["v"].lower()
    return Candidate("fact", f"Is {value} intolerant", f"intolerance:{value}", value, 0.8)


def _birthday(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"], cut=False)
    if not _ok_value(value, 5):
        return None
    return Candidate("fact", f"Birthday is on {value}", "birthday", value, 0.7)


def _born_on(m: re.Match[str], _now: datetime) -> Candidate | None:
    value = _clean(m["v"], cut=False)
    return Candidate("fact", f"Was born on {value}", "birth_date", value, 0.7) if value else None


def _age(m: re.Match[str], _now: datetime) -> Candidate | None:
    age = int(m["v"])
    if not 1 <= age <= 120:
        return None
    return Candidate("fact", f"Is {age} years old", "age", str(age), 0.6)


def _event(m: re.Match[str], now: datetime) -> Candidate | None:
    date = DATE_PHRASE.search(m["rest"])
    if date is None:
        return None
    text = lx.EVENT_CUT.sub("", f"{m['verb']}{m['rest']}")
    text = _clean(text, cut=False)
    text = third_person(text)
    return Candidate(
        "event", text[:1].upper() + text[1:], None, None, 0.6, event_date=resolve_date(date[0], now)
    )


_PATTERNS: list[tuple[str, Builder]] = [
    (rf"^(?:my name(?:'s| is)|call me|{_I_AM} called|people call me) (?P<v>.+)$", _name),
    (r"^i (?:currently |now |still )?(?:live|reside) in (?P<v>.+)$", _location),
    (rf"^{_I_AM} (?:currently |now )?(?:living|based|residing|staying) in (?P<v>.+)$", _location),
    (
        rf"^(?:i|{_I_HAVE})(?: just| recently| finally| now)? (?:moved|relocated) to (?P<v>.+)$",
        _location,
    ),
    (rf"^(?:{_I_AM} (?:originally )?from|i come from) (?P<v>.+)$", _hometown),
    (r"^i was born in (?P<v>.+)$", _born_in),
    (r"^i was born on (?P<v>.+)$", _born_on),
    (r"^my birthday(?:'s| is)(?: on)? (?P<v>.+)$", _birthday),
    (
        rf"^{_I_AM}(?: now| also| strictly| a strict)? (?:a |an )?"
        r"(?P<v>vegetarian|vegan|pescatarian|pescetarian|flexitarian|carnivore)$",
        _diet,
    ),
    (rf"^(?:i|{_I_HAVE}) (?:went|gone|become|became) (?P<v>vegetarian|vegan)$", _diet),
    (rf"^{_I_AM} (?:severely |very |mildly |deathly )?allergic to (?P<v>.+)$", _allergy),
    (rf"^{_I_AM} (?P<v>lactose|gluten)[- ]intolerant$", _intolerance),
    (rf"^i {_NOT} eat (?P<v>.+)$", _avoids),
    (rf"^(?:i|{_I_AM}) (?:currently )?work(?:ing)? as (?P<v>.+)$", _job),
    (r"^my (?:job|profession|occupation) is (?P<v>.+)$", _job),
    (rf"^(?:i|{_I_AM}) (?:currently )?work(?:ing)? (?:at|for) (?P<v>.+)$", _employer),
    (rf"^{_I_AM} (?:now )?(?P<v>retired|unemployed|self-employed)$", _job_status),
    (rf"^{_I_AM} (?P<a>a|an) (?P<v>[\w -]+)$", _job_is_a),
    (
        r"^i (?:really |absolutely |also |just |kind of |kinda )*"
        r"(?P<verb>like|love|enjoy|adore|prefer|hate|dislike|detest|loathe) "
        r"(?:also |really |so much |a lot )?(?P<v>.+)$",
        _opinion,
    ),
    (rf"^i (?P<neg>{_NOT}) (?:really )?(?P<verb>like|enjoy|love) (?P<v>.+)$", _opinion),
    (r"^i (?P<verb>can't|cannot|can not) stand (?P<v>.+)$", _opinion),
    (rf"^{_I_AM} (?:a (?:big |huge )?fan of|really into|into|obsessed with) (?P<v>.+)$", _fan_of),
    (
        rf"^{_I_AM} (?:happily )?(?P<v>married|single|divorced|engaged|widowed|separated)"
        r"(?: to (?P<p>.+))?$",
        _marital,
    ),
    (
        rf"^(?:{_I_HAVE}|i)(?: got)? (?P<n>{lx.NUMBER_WORDS}) "
        r"(?P<what>kids?|children|child|sons?|daughters?)$",
        _children,
    ),
    (
        rf"^(?:{_I_HAVE}|i)(?: got)? (?P<n>{lx.NUMBER_WORDS}) (?P<pet>{lx.PETS})s?"
        r"(?: (?:called|named) (?P<name>.+))?$",
        _pet,
    ),
    (
        r"^my (?P<rel>wife|husband|partner|girlfriend|boyfriend|fiancee|fiancée|fiance|fiancé|"
        r"spouse|son|daughter|sister|brother|mother|father|mom|mum|dad|dog|cat)"
        r"(?:'s name is| is called| is named| is) (?P<v>.+)$",
        _relative_name,
    ),
    (rf"^{_I_AM} (?P<v>\d{{1,3}})(?: years old| yrs old| years of age| year old)?$", _age),
    (r"^i (?:just )?turned (?P<v>\d{1,3})$", _age),
    (rf"^i (?:just )?(?P<verb>{lx.EVENT_VERBS})(?P<rest>\b.*)$", _event),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), b) for p, b in _PATTERNS]
_GREETING_NAME = re.compile(
    r"^(?i:hi|hello|hey)(?: there)?[,!.]?\s+(?i:i'm|i am|this is) "
    r"(?P<v>[A-Z][\w'-]*(?: [A-Z][\w'-]*)?)[.!]?$"
)


def sentences(message: str) -> list[str]:
    """`message` split into sentences (curly apostrophes made straight)."""
    message = message.replace("\u2019", "'").replace("\u2018", "'")
    return [s.strip() for s in _SENTENCE.split(message) if s.strip()]


def split_clauses(sentence: str) -> list[str]:
    """The clauses of one sentence, lead words ("well", "actually", "and") cut."""
    out = []
    for clause in _CLAUSE.split(sentence):
        clause = clause.strip().rstrip(".!?")
        while (stripped := _LEAD.sub("", clause, count=1)) != clause:
            clause = stripped
        if clause:
            out.append(clause)
    return out


def is_statement(clause: str) -> bool:
    """False for questions and hypotheticals, which state nothing about the user."""
    return not (_QUESTION_START.match(clause) or _HYPOTHETICAL.search(clause))


def clauses(message: str) -> list[str]:
    """The statement clauses of `message`: questions, hypotheticals and quoted speech dropped."""
    out: list[str] = []
    for sentence in sentences(message):
        if sentence.endswith("?"):
            continue
        previous = ""
        for clause in split_clauses(sentence):
            # "my mom says, I'm vegan" / "he told me: I live in Rome" report someone else
            if is_statement(clause) and not _SPEECH_END.search(previous):
                out.append(clause)
            previous = clause
    return out


def match_clause(clause: str, now: datetime | None = None) -> Candidate | None:
    """The candidate the first matching pattern builds from one clause, or None."""
    for pattern, build in _COMPILED:
        match = pattern.match(clause)
        if match and (candidate := build(match, now or utcnow())) is not None:
            return candidate
    return None


def extract_rules(message: str, *, now: datetime | None = None) -> list[Candidate]:
    """Candidates for the plain first-person statements in `message`, in the order said."""
    now = now or utcnow()
    found: list[Candidate] = []
    for sentence in sentences(message):
        greeting = _GREETING_NAME.match(sentence)
        if greeting and (c := _name(greeting, now)):
            found.append(c)
    for clause in clauses(message):
        if (candidate := match_clause(clause, now)) is not None:
            found.append(candidate)
    return found
