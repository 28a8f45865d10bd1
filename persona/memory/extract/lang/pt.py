"""Portuguese statement patterns (European and Brazilian; the subject is often left out)."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import NAME, ORG, PLACE, TAIL, Language

_FILL = (
    r"(?:(?:agora|atualmente|já|também|ainda|recentemente|finalmente|realmente|muito|"
    r"todos os dias|todo dia) )*"
)
_EU = r"(?:eu )?"
_EM = r"(?:em|no|na|nos|nas)"
_PARA = r"(?:para|pra|pro)(?: o| a)?"
_ART = r"(?:à |ao |aos |às |a |de |do |da |dos |das )"

PATTERNS = [
    (rf"^(?:(?:o )?meu nome é|{_EU}me chamo|chamo-me) {_FILL}(?P<v>{NAME})$", b.name),
    (rf"^{_EU}(?:moro|vivo|moramos|vivemos|resido) {_FILL}{_EM} (?P<v>{PLACE}){TAIL}$", b.location),
    (
        rf"^(?:eu |nós )?(?:me mudei|mudei-me|mudei|nos mudamos|mudamo-nos|mudamos|"
        rf"fui morar|fomos morar) {_FILL}(?:{_PARA}|{_EM}) (?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^{_EU}(?:sou|venho) (?:natural )?(?:de|do|da) (?P<v>{PLACE})$", b.hometown),
    (rf"^{_EU}(?:sou|virei|me tornei|tornei-me|fiquei) {_FILL}(?P<v>{DIET_WORDS}){TAIL}$", b.diet),
    (rf"^{_EU}sou {_FILL}(?:muito )?alérgic[oa] {_ART}?(?P<v>.+)$", b.allergy),
    (rf"^{_EU}tenho {_FILL}(?:uma )?(?:forte |grave |leve )?alergia {_ART}(?P<v>.+)$", b.allergy),
    (rf"^{_EU}sou intolerante {_ART}(?P<v>lactose|glúten|gluten)$", b.intolerance),
    (rf"^{_EU}tenho intolerância {_ART}(?P<v>lactose|glúten|gluten)$", b.intolerance),
    (rf"^{_EU}sou (?P<v>diabétic[oa]|asmátic[oa]|celíac[oa]|epiléptic[oa])$", b.condition),
    (r"^(?:eu )?tenho (?P<v>\d{1,3}) anos$", b.age),
    (rf"^{_EU}(?:tenho|sofro de) {_FILL}(?P<v>.+)$", b.condition),
    (rf"^{_EU}fui diagnosticad[oa] com {_FILL}(?P<v>.+)$", b.condition),
    (rf"^{_EU}(?:tomo|estou tomando|estou a tomar) {_FILL}(?P<v>.+)$", b.medication),
    (r"^(?:eu )?(?P<v>fumo)(?: .*)?$", b.habit),
    (rf"^{_EU}trabalho {_FILL}como (?P<v>.+)$", b.job_as),
    (rf"^{_EU}trabalho {_FILL}(?:na|no|em|para a|para o|para) (?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^{_EU}comecei (?:um |uma )?(?:emprego|trabalho|vaga)(?: novo| nova)? "
        rf"(?:na|no|em) (?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_EU}comecei (?:a|um novo emprego a) trabalhar (?:na|no|em|para a|para o) "
        rf"(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (rf"^{_EU}fui contratad[oa] (?:pela|pelo|na|no|em) (?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^{_EU}sou {_FILL}(?:um |uma )?(?P<v>[\w-]+)(?: (?:em|no|na|de|do|da|há)\b.*)?$",
        b.job_noun,
    ),
    (r"^(?:eu )?não gosto (?:nada )?(?:de |do |da |dos |das )(?P<v>.+)$", b.opinion_as("Dislikes")),
    (rf"^{_EU}gosto {_FILL}(?:de |do |da |dos |das )(?P<v>.+)$", b.opinion_as("Likes")),
    (rf"^{_EU}(?:amo|adoro) (?P<v>.+)$", b.opinion_as("Loves")),
    (rf"^{_EU}(?:odeio|detesto) (?P<v>.+)$", b.opinion_as("Hates")),
    (
        r"^(?:o |a )?(?:meu|minha) (?P<rel>filho|filha|mulher|esposa|marido|namorado|namorada|"
        rf"irmão|irmã|mãe|pai|cachorro|cão|gato|gata) (?:se chama|chama-se) (?P<v>{NAME})$",
        b.relative_name,
    ),
]

LANGUAGE = Language(
    code="pt",
    patterns=PATTERNS,
    starters=r"eu|meu|minha|meus|minhas|moro|vivo|tenho|sou|estou|trabalho|me|nós|nos|fumo",
    conjunctions=r"e|mas|também",
    leads=(
        r"aliás|na verdade|de fato|por sinal|agora|então|bem|e|mas|também|além disso|"
        r"desculpa|desculpe|perdão|desde \w+|no ano passado|há \w+ \w+"
    ),
    leads_comma=r"ok|sim|não|olá|oi",
    hypothetical=(
        r"\b(?:gostaria|poderia|deveria|seria|teria|faria|iria|mudaria|talvez|quem sabe|"
        r"se calhar|vou|vamos|pretendo|quero|penso em|estou pensando|planejo|planeio|"
        r"tenciono|no ano que vem|ano que vem|próximo ano|mês que vem|amanhã|um dia|"
        r"suponha|imagina)\b"
    ),
    hypothetical_start=r"se",
    no_longer=[
        (r"^já não gosto (?P<x>.+)$", r"gosto \g<x>"),
        (r"^não gosto mais (?P<x>.+)$", r"gosto \g<x>"),
        (r"^não gosto (?P<x>.+?) mais$", r"gosto \g<x>"),
        (r"^já não (?P<x>.+)$", r"\g<x>"),
        (r"^(?:eu )?não (?P<v>\w+) mais (?P<x>.+)$", r"\g<v> \g<x>"),
        (r"^(?:eu )?não (?P<v>\w+) mais$", r"\g<v>"),
        (r"^(?:eu )?(?:parei|deixei) de (?P<x>fumar)$", r"fumo"),
        (r"^(?:eu )?(?:parei|deixei) de tomar (?P<x>.+)$", r"tomo \g<x>"),
    ],
    meant=r"(?:eu )?quis dizer|(?:eu )?queria dizer|quero dizer|me referia a|é",
    not_word=r"não",
    remember=(
        r"lembra|lembre|lembra-te|lembre-se|lembra disso|lembre-se disso|lembra-te disto|"
        r"não esqueça|não te esqueças|não se esqueça|guarda|anota|grava|memoriza"
    ),
    forget=r"esquece|esqueça|esquece-te de|esqueça-se de",
)
