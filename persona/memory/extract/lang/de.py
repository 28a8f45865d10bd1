"""German statement patterns (both word orders: "ich wohne …" and, after a lead word,
"jetzt wohne ich …"; in a list the subject may be left out: "…, wohne in Bremen")."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import NAME, ORG, PLACE, TAIL, Language

_W = r"[\wäöüß]+"
_FILL = (
    r"(?:(?:jetzt|nun|inzwischen|mittlerweile|seit kurzem|schon|wieder|derzeit|momentan|"
    r"aktuell|zurzeit|übrigens|auch|gerade|ja|eigentlich|wirklich|sehr|total|"
    rf"seit (?:\d+ )?{_W}|letztes jahr|letzten monat|letzte woche|im {_W}|vor {_W} {_W}|"
    rf"jeden tag|täglich|morgens|abends|mit (?:meiner|meinem|meinen) {_W}) )*"
)


def _v(verbs: str, subject: str = "ich") -> str:
    """A first-person verb in either word order, or without its subject."""
    return rf"(?:{subject} (?:{verbs})|(?:{verbs})(?: {subject})?)"


_BIN = _v("bin")
_HABE = _v("habe")
# "meine Frau und ich sind …" reaches the patterns as "ich sind …" (split at "und ich")
_WIR_SIND = r"(?:wir sind|sind wir|ich sind)"

PATTERNS = [
    (
        rf"^(?:mein name ist|{_v('heiße|heisse')}|man nennt mich|nenn mich) {_FILL}"
        rf"(?P<v>{NAME})(?: übrigens)?$",
        b.name,
    ),
    (
        rf"^(?:{_v('wohne|lebe')}|{_v('wohnen|leben', 'wir')}) {_FILL}"
        rf"in (?:der |dem |den )?(?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^(?:{_BIN}|{_WIR_SIND}) {_FILL}nach (?P<v>{PLACE}) (?:um)?gezogen$", b.location),
    (rf"^(?:ich|wir) {_FILL}in (?P<v>{PLACE}) (?:wohne|lebe|wohnen|leben)$", b.location),
    (
        rf"^(?:{_BIN} (?:ursprünglich )?aus|{_v('komme')} (?:ursprünglich )?aus) (?P<v>{PLACE})$",
        b.hometown,
    ),
    (rf"^{_BIN} {_FILL}(?:ein |eine |strenger |strenge )?(?P<v>{DIET_WORDS}){TAIL}$", b.diet),
    (rf"^{_BIN} {_FILL}(?:zum |zur )?(?P<v>{DIET_WORDS}) geworden$", b.diet),
    (rf"^{_v('ernähre')} mich {_FILL}(?P<v>vegan|vegetarisch){TAIL}$", b.diet),
    (
        rf"^{_BIN} {_FILL}(?:stark |schwer |leicht |sehr )?allergisch (?:gegen|auf) (?P<v>.+)$",
        b.allergy,
    ),
    (
        rf"^{_HABE} {_FILL}(?:eine |einen )?(?:starke |schwere |leichte )?allergie "
        r"(?:gegen|auf) (?P<v>.+)$",
        b.allergy,
    ),
    (
        rf"^{_HABE} {_FILL}(?:eine |einen )?(?:starke |schwere |leichte )?"
        r"(?P<v>[\wäöüß]+?)-?allergie$",
        b.allergy,
    ),
    (
        rf"^{_HABE} {_FILL}(?:eine )?(?P<v>laktose|gluten|fruktose)[- ]?"
        r"(?:intoleranz|unverträglichkeit)$",
        b.intolerance,
    ),
    (rf"^{_BIN} (?P<v>laktose|gluten)[- ]?intolerant$", b.intolerance),
    (rf"^{_v('vertrage')} (?:kein|keine|keinen) (?P<v>laktose|gluten)$", b.intolerance),
    (rf"^{_v('vertrage')} (?P<v>laktose|gluten) nicht$", b.intolerance),
    (r"^ich (?:keine |kein )?(?P<v>laktose|gluten) (?:nicht )?vertrage$", b.intolerance),
    (rf"^{_BIN} (?P<v>diabetiker(?:in)?|asthmatiker(?:in)?|epileptiker(?:in)?)$", b.condition),
    (rf"^(?:{_HABE}|{_v('leide')} (?:an|unter)) {_FILL}(?P<v>.+)$", b.condition),
    (
        rf"^bei mir (?:wurde|ist) {_FILL}(?P<v>.+?) (?:diagnostiziert|festgestellt)"
        r"(?: worden)?$",
        b.condition,
    ),
    (rf"^{_v('nehme')} {_FILL}(?P<v>.+)$", b.medication),
    (rf"^(?:ich )?(?P<v>rauche)(?: ich)?{TAIL}$", b.habit),
    (rf"^{_v('esse')} (?:kein|keine|keinen) (?P<v>{_W})$", b.avoids),
    (rf"^{_v('arbeite')} {_FILL}als (?P<v>.+)$", b.job_as),
    (
        rf"^{_v('arbeite')} {_FILL}(?:bei|für) (?:der |dem |den |die )?(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_HABE} {_FILL}(?:eine[n]? )?(?:neue[n]? )?(?:stelle|job|arbeit|arbeitsstelle|"
        rf"position) (?:als {_W} )?bei (?:der |dem )?(?P<v>{ORG}) (?:angefangen|angetreten|"
        r"begonnen|bekommen)$",
        b.employer,
    ),
    (rf"^{_BIN} {_FILL}zu (?P<v>{ORG}) gewechselt$", b.employer),
    (
        rf"^{_HABE} {_FILL}(?:einen neuen job|eine neue stelle|eine stelle|einen job) "
        rf"bei (?:der |dem )?(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (rf"^{_HABE} {_FILL}bei (?:der |dem )?(?P<v>{ORG}) angefangen$", b.employer),
    (rf"^{_BIN} {_FILL}(?P<v>\d{{1,3}})(?: jahre alt| jahre)?$", b.age),
    (rf"^{_BIN} {_FILL}(?P<v>\d{{1,3}}) geworden$", b.age),
    (
        rf"^{_BIN} {_FILL}(?:von beruf )?(?:ein |eine )?(?P<v>[\wäöüß-]+)"
        r"(?: (?:von beruf|an|in|bei|im|am|seit|und)\b.*)?$",
        b.job_noun,
    ),
    (rf"^{_v('mag')} (?P<v>.+?) (?:überhaupt |gar )?nicht$", b.opinion_as("Dislikes")),
    (rf"^{_v('mag')} (?:keinen|keine|kein) (?P<v>.+)$", b.opinion_as("Dislikes")),
    (rf"^{_v('mag')} (?:sehr gern |gern |gerne )?(?P<v>.+)$", b.opinion_as("Likes")),
    (rf"^{_v('liebe')} (?P<v>.+)$", b.opinion_as("Loves")),
    (rf"^{_v('hasse')} (?P<v>.+)$", b.opinion_as("Hates")),
    (
        r"^(?:mein|meine) (?P<rel>sohn|tochter|frau|mann|partner|partnerin|freundin|freund|"
        rf"bruder|schwester|mutter|vater|hund|katze) (?:heißt|heisst|ist) (?P<v>{NAME})$",
        b.relative_name,
    ),
    (
        r"^(?:mein|meine) (?P<rel>sohn|tochter|frau|mann|partner|partnerin|freundin|freund|"
        rf"bruder|schwester|mutter|vater|hund|katze) (?P<v>{NAME}) (?:heißt|heisst)$",
        b.relative_name,
    ),
]

LANGUAGE = Language(
    code="de",
    patterns=PATTERNS,
    starters=r"ich|mein|meine|meinen|meinem|wir|wohne|lebe|arbeite|habe|bin",
    conjunctions=r"und|aber|außerdem|also",
    leads=(
        r"also|übrigens|eigentlich|jetzt|inzwischen|mittlerweile|nun|und|aber|ach ja|"
        r"ach|naja|tatsächlich|ehrlich gesagt|seit kurzem|seit \w+|letztes jahr|"
        r"im \w+|sorry|entschuldigung"
    ),
    leads_comma=r"ok|okay|ja|nein|hallo|hi|hey",
    hypothetical=(
        r"\b(?:wenn|falls|würde|würdest|würden|könnte|könnten|hätte|hätten|wäre|wären|"
        r"möchte|möchten|vielleicht|eventuell|möglicherweise|angenommen|plane|planen|"
        r"vorhabe|habe vor|will|wollen|werde|werden|überlege|überlegen|bald|"
        r"nächstes jahr|nächsten monat|nächste woche|morgen|irgendwann)\b"
    ),
    no_longer=[
        (r"^ich mag (?:keinen|keine|kein) (?P<x>.+?) mehr$", r"ich mag \g<x>"),
        (r"^ich mag (?P<x>.+?) nicht mehr$", r"ich mag \g<x>"),
        (r"^ich bin (?:kein|keine|keiner) (?P<x>.+?) mehr$", r"ich bin \g<x>"),
        (r"^ich bin (?:nicht mehr|kein\w* mehr) (?P<x>.+)$", r"ich bin \g<x>"),
        (r"^ich bin nicht (?:länger )?(?P<x>.+?) mehr$", r"ich bin \g<x>"),
        (r"^ich (?P<v>wohne|lebe|arbeite) nicht mehr (?P<x>.+)$", r"ich \g<v> \g<x>"),
        (r"^ich (?P<v>\w+) (?P<x>.+?) nicht mehr$", r"ich \g<v> \g<x>"),
        (r"^ich (?P<v>\w+) nicht mehr$", r"ich \g<v>"),
        (r"^ich habe (?:mit dem |das )?(?P<x>rauchen) aufgehört$", r"ich rauche"),
        (r"^ich habe aufgehört,? zu (?P<x>rauchen)$", r"ich rauche"),
    ],
    meant=r"ich meinte|ich meine|ich sagte|gemeint war|ich wollte sagen|es ist",
    not_word=r"nicht",
    remember=(
        r"merk dir|merke dir|merk dir das|merken sie sich|vergiss nicht|denk daran|denke daran|"
        r"behalte im kopf|notier dir|notiere dir|bitte merk dir|bitte merke dir"
    ),
    forget=r"vergiss(?! nicht)|vergessen sie",
)
