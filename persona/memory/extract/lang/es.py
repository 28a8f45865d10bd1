"""Spanish statement patterns (the subject is usually left out: "vivo en …", "tengo …")."""

from __future__ import annotations

from persona.memory.extract import builders as b
from persona.memory.extract.health import DIET_WORDS
from persona.memory.extract.lang.base import NAME, ORG, PLACE, TAIL, Language

_FILL = (
    r"(?:(?:ahora|actualmente|ya|también|todavía|desde hace poco|últimamente|finalmente|"
    r"recientemente|realmente|mucho|todos los días|cada día) )*"
)
_YO = r"(?:yo )?"
_ART = r"(?:a la |a los |a las |al |a |de la |de los |del |de )"

PATTERNS = [
    (rf"^(?:{_YO}me llamo|mi nombre es) {_FILL}(?P<v>{NAME})$", b.name),
    (rf"^{_YO}(?:vivo|resido|vivimos|residimos) {_FILL}en (?P<v>{PLACE}){TAIL}$", b.location),
    (
        rf"^{_YO}(?:me mudé|me he mudado|nos mudamos|nos hemos mudado|me trasladé|"
        r"me he trasladado|nos trasladamos|nos hemos trasladado|me fui a vivir|"
        rf"nos fuimos a vivir|me vine a vivir|nos vinimos a vivir) {_FILL}a "
        rf"(?P<v>{PLACE}){TAIL}$",
        b.location,
    ),
    (rf"^{_YO}soy (?:originari[oa] )?de (?P<v>{PLACE})$", b.hometown),
    (
        rf"^{_YO}(?:soy|me hice|me he hecho|me volví|ahora soy) {_FILL}(?P<v>{DIET_WORDS}){TAIL}$",
        b.diet,
    ),
    (rf"^{_YO}soy {_FILL}(?:muy )?alérgic[oa] {_ART}(?P<v>.+)$", b.allergy),
    (rf"^{_YO}tengo {_FILL}(?:una )?(?:fuerte |grave |leve )?alergia {_ART}(?P<v>.+)$", b.allergy),
    (rf"^{_YO}soy intolerante {_ART}(?P<v>lactosa|gluten)$", b.intolerance),
    (rf"^{_YO}tengo (?:una )?intolerancia {_ART}(?P<v>lactosa|gluten)$", b.intolerance),
    (rf"^{_YO}soy (?P<v>diabétic[oa]|asmátic[oa]|celíac[oa]|epiléptic[oa])$", b.condition),
    (r"^(?:yo )?tengo (?P<v>\d{1,3}) años$", b.age),
    (rf"^{_YO}(?:tengo|padezco(?: de)?|sufro de) {_FILL}(?P<v>.+)$", b.condition),
    (rf"^(?:me diagnosticaron|me han diagnosticado) {_FILL}(?P<v>.+)$", b.condition),
    (rf"^{_YO}(?:tomo|estoy tomando) {_FILL}(?P<v>.+)$", b.medication),
    (r"^(?:yo )?(?P<v>fumo)(?: .*)?$", b.habit),
    (rf"^{_YO}trabajo {_FILL}(?:como|de) (?P<v>.+)$", b.job_as),
    (rf"^{_YO}trabajo {_FILL}(?:en|para) (?:la |el )?(?P<v>{ORG}){TAIL}$", b.employer),
    (
        rf"^{_YO}(?:empecé|he empezado|comencé|he comenzado) (?:un )?(?:trabajo|empleo|puesto)"
        rf"(?: nuevo)? (?:en|para) (?:la |el )?(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (
        rf"^{_YO}(?:empecé|he empezado|comencé) a trabajar (?:en|para) (?:la |el )?(?P<v>{ORG})"
        rf"{TAIL}$",
        b.employer,
    ),
    (
        rf"^(?:me contrataron|me han contratado|me contrató) (?:en|para) (?:la |el )?"
        rf"(?P<v>{ORG}){TAIL}$",
        b.employer,
    ),
    (rf"^{_YO}soy {_FILL}(?:un |una )?(?P<v>[\w-]+)(?: (?:en|de|desde|para)\b.*)?$", b.job_noun),
    (r"^(?:a mí )?no me gusta(?:n)? (?:nada )?(?P<v>.+)$", b.opinion_as("Dislikes")),
    (rf"^(?:a mí )?me gusta(?:n)? {_FILL}(?P<v>.+)$", b.opinion_as("Likes")),
    (r"^(?:a mí )?me encanta(?:n)? (?P<v>.+)$", b.opinion_as("Loves")),
    (rf"^{_YO}adoro (?P<v>.+)$", b.opinion_as("Loves")),
    (rf"^{_YO}(?:odio|detesto) (?P<v>.+)$", b.opinion_as("Hates")),
    (
        r"^mi (?P<rel>hijo|hija|mujer|esposa|marido|novio|novia|pareja|hermano|hermana|madre|"
        rf"padre|perro|gato) se llama (?P<v>{NAME})$",
        b.relative_name,
    ),
]

LANGUAGE = Language(
    code="es",
    patterns=PATTERNS,
    starters=r"yo|mi|mis|vivo|tengo|soy|estoy|trabajo|me|nos|fumo",
    conjunctions=r"y|pero|también|e",
    leads=(
        r"por cierto|de hecho|en realidad|la verdad|ahora|pues|bueno|y|pero|también|además|"
        r"perdón|perdona|lo siento|desde \w+|el año pasado|hace \w+ \w+"
    ),
    leads_comma=r"vale|sí|si|no|hola|oye",
    hypothetical=(
        r"\b(?:podría|debería|sería|tendría|gustaría|querría|haría|iría|viviría|mudaría|"
        r"necesitaría|quizás|quizá|tal vez|a lo mejor|ojalá|voy a|vamos a|pienso|planeo|"
        r"quiero|quisiera|tengo pensado|estoy pensando|pronto|el año que viene|"
        r"el próximo año|el mes que viene|la semana que viene|algún día|supongamos)\b"
    ),
    hypothetical_start=r"si",
    no_longer=[
        (r"^ya no me gusta(?P<n>n?) (?P<x>.+)$", r"me gusta\g<n> \g<x>"),
        (r"^no me gusta(?P<n>n?) (?P<x>.+?) (?:ya|más)$", r"me gusta\g<n> \g<x>"),
        (r"^ya no (?P<x>.+)$", r"\g<x>"),
        (r"^no (?P<x>.+?) más$", r"\g<x>"),
        (r"^(?:dejé|he dejado|deje) de (?P<x>fumar)$", r"fumo"),
        (r"^(?:dejé|he dejado) de tomar (?P<x>.+)$", r"tomo \g<x>"),
    ],
    meant=r"quise decir|quería decir|quiero decir|me refería a|es",
    not_word=r"no",
    remember=(
        r"recuerda|recuérdalo|acuérdate de|acuérdate|no olvides|no te olvides de|ten en cuenta|"
        r"apunta|anota|recuerda esto|guarda"
    ),
    forget=r"olvida|olvídate de|olvídate|olvide",
)
