"""French statement patterns."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import NAME, ORG, PLACE, TAIL, Language

_FILL = (
    r"(?:(?:maintenant|actuellement|désormais|aujourd'hui|depuis peu|en ce moment|aussi|"
    r"toujours|enfin|finalement|récemment|déjà|vraiment|bien|tous les jours) )*"
)
_A = r"(?:à|au|aux|en|dans)"  # "à Paris", "au Canada", "en France"
_ART = r"(?:à la |à l'|aux |au |à |a |de la |de l'|du |des |d'|de )"
_JE_SUIS = r"(?:je suis|moi je suis)"

PATTERNS = [
    (
        rf"^(?:je m'appelle|mon (?:pré)?nom (?:est|c'est)|moi c'est|appelle-moi) {_FILL}"
        rf"(?P<v>{NAME})$",
        b.name,
    ),
    (
        rf"^(?:j'habite|je vis|je réside|nous habitons|nous vivons|on habite|on vit) {_FILL}"
        rf"{_A} (?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^(?:j'ai|nous avons|on a) {_FILL}déménagé {_A} (?P<v>{PLACE}){TAIL}$", b.location),
    (rf"^(?:je viens de|nous venons de) déménager {_A} (?P<v>{PLACE}){TAIL}$", b.location),
    (
        rf"^(?:je me suis|on s'est|nous nous sommes) {_FILL}install[ée]+s? {_A} "
        rf"(?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (
        rf"^{_JE_SUIS} {_FILL}(?:parti|partie|allé|allée) vivre {_A} (?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^(?:{_JE_SUIS} (?:originaire )?(?:de|d')|je viens (?:de|d')) ?(?P<v>{PLACE})$", b.hometown),
    (rf"^{_JE_SUIS} {_FILL}(?:devenue? )?(?P<v>{DIET_WORDS}){TAIL}$", b.diet),
    (rf"^{_JE_SUIS} {_FILL}(?:très |gravement )?allergique {_ART}(?P<v>.+)$", b.allergy),
    (rf"^j'ai {_FILL}une (?:forte |grave |légère )?allergie {_ART}(?P<v>.+)$", b.allergy),
    (rf"^{_JE_SUIS} intolérante? {_ART}(?P<v>lactose|gluten)$", b.intolerance),
    (rf"^j'ai une intolérance {_ART}(?P<v>lactose|gluten)$", b.intolerance),
    (rf"^{_JE_SUIS} (?P<v>diabétique|asthmatique|épileptique|cœliaque|coeliaque)$", b.condition),
    (rf"^(?:j'ai |je souffre de |je souffre d'){_FILL}(?P<v>.+)$", b.condition),
    (rf"^on m'a diagnostiqué {_FILL}(?:une |un |le |la |l'|de l'|du )?(?P<v>.+)$", b.condition),
    (rf"^(?:je prends|je suis sous) {_FILL}(?P<v>.+)$", b.medication),
    (r"^je (?P<v>fume)(?: .*)?$", b.habit),
    (rf"^(?:je travaille|je bosse) {_FILL}(?:comme|en tant que) (?P<v>.+)$", b.job_as),
    (
        rf"^(?:je travaille|je bosse) {_FILL}(?:chez|pour) (?:la |le |l')?(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^(?:j'ai|je viens de) (?:commencé|commencer|trouvé|trouver) un (?:nouveau )?"
        rf"(?:travail|boulot|job|poste|emploi)(?: nouveau)? chez (?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (rf"^(?:j'ai rejoint|je viens de rejoindre) (?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^(?:j'ai été|je viens d'être) (?:embauchée?|recrutée?) (?:chez|par) (?:la |le |l')?"
        rf"(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (rf"^(?:je viens de commencer|j'ai commencé) chez (?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^{_JE_SUIS} {_FILL}(?:embauchée?|employée?|salariée?) chez (?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (r"^j'ai (?P<v>\d{1,3}) ans$", b.age),
    (
        rf"^{_JE_SUIS} {_FILL}(?:un |une )?(?P<v>[\w-]+)(?: (?:à|au|dans|chez|de|depuis|en)\b.*)?$",
        b.job_noun,
    ),
    (r"^je n'aime pas (?:du tout )?(?P<v>.+)$", b.opinion_as("Dislikes")),
    (rf"^j'aime {_FILL}(?:beaucoup |bien )?(?P<v>.+)$", b.opinion_as("Likes")),
    (r"^j'adore (?P<v>.+)$", b.opinion_as("Loves")),
    (r"^(?:je déteste|je hais) (?P<v>.+)$", b.opinion_as("Hates")),
    (
        r"^(?:mon|ma) (?P<rel>fils|fille|femme|mari|copine|copain|partenaire|frère|sœur|soeur|"
        rf"mère|père|chien|chat) s'appelle (?P<v>{NAME})$",
        b.relative_name,
    ),
]

LANGUAGE = Language(
    code="fr",
    patterns=PATTERNS,
    starters=r"je|j'|mon|ma|mes|nous|on|moi",
    conjunctions=r"et|mais|aussi",
    leads=(
        r"en fait|d'ailleurs|au fait|par ailleurs|maintenant|désormais|alors|bon|et|mais|"
        r"aussi|sinon|franchement|pardon|désolée?|depuis \w+|l'année dernière|le mois dernier"
    ),
    leads_comma=r"ok|oui|non|salut|bonjour|coucou",
    hypothetical=(
        r"\b(?:aimerais|voudrais|pourrais|devrais|serais|aurais|irais|ferais|déménagerais|"
        r"habiterais|peut-être|éventuellement|je vais|on va|nous allons|je compte|je veux|"
        r"je prévois|j'envisage|je pense|je songe|bientôt|demain|un jour|"
        r"l'année prochaine|le mois prochain|la semaine prochaine|l'an prochain)\b|"
        r"\bsupposons\b|\bimagine\b"
    ),
    hypothetical_start=r"si|s'il|s'ils|et si",
    no_longer=[
        (r"^je n'aime plus (?P<x>.+)$", r"j'aime \g<x>"),
        (r"^je ne suis plus (?P<x>.+)$", r"je suis \g<x>"),
        (r"^je n'habite plus (?P<x>.+)$", r"j'habite \g<x>"),
        (r"^je ne (?P<v>vis|travaille|prends|bosse) plus (?P<x>.+)$", r"je \g<v> \g<x>"),
        (r"^je ne fume plus$", r"je fume"),
        (r"^j'ai arrêté (?:de |la )(?P<x>fumer|cigarette)$", r"je fume"),
        (r"^j'ai arrêté de prendre (?P<x>.+)$", r"je prends \g<x>"),
    ],
    meant=r"je voulais dire|je veux dire|je voulais dire que|c'est",
    not_word=r"pas|non",
    remember=(
        r"retiens|retenez|souviens-toi|rappelle-toi|n'oublie pas|note|notez|retiens bien|"
        r"garde en tête|garde à l'esprit|mémorise"
    ),
    forget=r"oublie|oubliez",
)
