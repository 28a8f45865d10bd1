"""Italian statement patterns (the subject is usually left out: "vivo a …", "ho …")."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import NAME, ORG, PLACE, TAIL, Language

_FILL = (
    r"(?:(?:adesso|ora|attualmente|ormai|anche|ancora|da poco|finalmente|recentemente|"
    r"davvero|molto|tutti i giorni|ogni giorno) )*"
)
_IO = r"(?:io )?"
_A = r"(?:a|in)"
_ART = r"(?:all'|alle |alla |agli |ai |allo |al |a |di |del |della |dei |degli )"

PATTERNS = [
    (rf"^(?:{_IO}mi chiamo|il mio nome è|mi chiamano) {_FILL}(?P<v>{NAME})$", b.name),
    (
        rf"^{_IO}(?:vivo|abito|viviamo|abitiamo|risiedo) {_FILL}{_A} (?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (
        rf"^{_IO}(?:mi sono trasferit[oa]|ci siamo trasferit[ie]|mi sono spostat[oa]|"
        rf"ci siamo spostat[ie]|sono andat[oa] a vivere|siamo andati a vivere) {_FILL}{_A} "
        rf"(?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^{_IO}(?:sono (?:originari[oa] )?di|vengo da) (?P<v>{PLACE})$", b.hometown),
    (rf"^{_IO}(?:sono|sono diventat[oa]) {_FILL}(?P<v>{DIET_WORDS}){TAIL}$", b.diet),
    (rf"^{_IO}sono {_FILL}(?:molto |gravemente )?allergic[oa] {_ART}(?P<v>.+)$", b.allergy),
    (
        rf"^{_IO}ho {_FILL}(?:un'|una )?(?:forte |grave |lieve )?allergia {_ART}(?P<v>.+)$",
        b.allergy,
    ),
    (rf"^{_IO}sono intollerante {_ART}(?P<v>lattosio|glutine)$", b.intolerance),
    (rf"^{_IO}ho (?:un'|una )?intolleranza {_ART}(?P<v>lattosio|glutine)$", b.intolerance),
    (rf"^{_IO}sono (?P<v>diabetic[oa]|asmatic[oa]|celiac[oa]|epilettic[oa])$", b.condition),
    (r"^(?:io )?ho (?P<v>\d{1,3}) anni$", b.age),
    (rf"^{_IO}(?:ho|soffro di) {_FILL}(?P<v>.+)$", b.condition),
    (rf"^mi (?:hanno|è stato|è stata) diagnosticat[oa]? {_FILL}(?P<v>.+)$", b.condition),
    (rf"^{_IO}(?:prendo|assumo|sto prendendo) {_FILL}(?P<v>.+)$", b.medication),
    (r"^(?:io )?(?P<v>fumo)(?: .*)?$", b.habit),
    (rf"^{_IO}lavoro {_FILL}come (?P<v>.+)$", b.job_as),
    (rf"^{_IO}lavoro {_FILL}(?:da|per|presso|alla|al|nella|nel) (?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^{_IO}ho (?:iniziato|cominciato) (?:un )?(?:nuovo )?(?:lavoro|impiego|posto)"
        rf"(?: nuovo)? (?:da|presso|alla|al|per|nella|nel) (?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_IO}ho (?:iniziato|cominciato) a lavorare (?:da|presso|alla|al|per|nella|nel) "
        rf"(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_IO}sono stat[oa] assunt[oa] (?:da|presso|alla|al|nella|nel) (?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_IO}(?:faccio (?:il |la |l')|sono (?:un |una |un')?)(?P<v>[\w-]+)"
        r"(?: (?:a|in|da|presso|di|per)\b.*)?$",
        b.job_noun,
    ),
    (r"^non mi piac(?:e|ciono) (?:per niente )?(?P<v>.+)$", b.opinion_as("Dislikes")),
    (rf"^(?:a me )?mi piac(?:e|ciono) {_FILL}(?P<v>.+)$", b.opinion_as("Likes")),
    (rf"^{_IO}(?:amo|adoro) (?P<v>.+)$", b.opinion_as("Loves")),
    (rf"^{_IO}(?:odio|detesto) (?P<v>.+)$", b.opinion_as("Hates")),
    (
        r"^(?:il )?(?:mio|mia) (?P<rel>figlio|figlia|moglie|marito|ragazzo|ragazza|compagno|"
        rf"compagna|fratello|sorella|madre|padre|cane|gatto) si chiama (?P<v>{NAME})$",
        b.relative_name,
    ),
]

LANGUAGE = Language(
    code="it",
    patterns=PATTERNS,
    starters=r"io|mio|mia|miei|mie|vivo|abito|ho|sono|lavoro|mi|ci|fumo",
    conjunctions=r"e|ma|anche|ed",
    leads=(
        # no "ma" (but): it is also the French "my" ("Ma sœur s'appelle …")
        r"tra l'altro|a proposito|in realtà|anzi|adesso|ora|allora|beh|e|anche|inoltre|"
        r"scusa|scusami|da \w+|l'anno scorso|il mese scorso"
    ),
    leads_comma=r"ok|sì|si|no|ciao",
    hypothetical=(
        r"\b(?:vorrei|potrei|dovrei|sarei|avrei|farei|andrei|trasferirei|piacerebbe|"
        r"servirebbe|forse|magari|ho intenzione|voglio|penso di|sto pensando|vado a|andrò|"
        r"l'anno prossimo|il mese prossimo|la settimana prossima|prima o poi|un giorno|"
        r"domani|supponiamo)\b"
    ),
    hypothetical_start=r"se",
    no_longer=[
        (r"^non mi piace(?P<n>(?:ciono)?) più (?P<x>.+)$", r"mi piace\g<n> \g<x>"),
        (r"^non (?P<v>\w+) più (?P<x>.+)$", r"\g<v> \g<x>"),
        (r"^non (?P<v>\w+) più$", r"\g<v>"),
        (r"^ho smesso di (?P<x>fumare)$", r"fumo"),
        (r"^ho smesso di prendere (?P<x>.+)$", r"prendo \g<x>"),
    ],
    meant=r"intendevo|volevo dire|voglio dire|intendo|è",
    not_word=r"non",
    remember=(
        r"ricorda|ricordati|ricorda questo|ricordati questo|non dimenticare|tieni a mente|"
        r"tieni presente|segnati|annota|memorizza"
    ),
    forget=r"dimentica|dimenticati di|dimenticati|scordati di|scorda",
)
