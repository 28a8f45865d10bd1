"""Who a message speaks for, and whether it asks or only talks about writing.

Two checks run before any rule: `refused_claims` finds claims of authority the sender does not
have (developer, admin, system, rules "for all users"), and `mention_sentences` finds sentences
that talk about writing without asking anything of the replies (reported speech, someone else's
style or sign-off, a question about how to write). Both work in English, German, French,
Spanish, Portuguese and Italian. Neither ever yields a rule.
"""

from __future__ import annotations

import re

_ROLE = (
    r"(?:developer|dev|admin|administrator|operator|owner\s+of\s+this\s+app|system|root|"
    r"entwickler(?:in)?|administrator(?:in)?|betreiber|développeur|développeuse|"
    r"administrateur|administratrice|desarrollador(?:a)?|administrador(?:a)?|"
    r"desenvolvedor(?:a)?|sviluppatore|sviluppatrice|amministratore|amministratrice)"
)
_AUTHORITY = re.compile(
    rf"\b(?:i\s*(?:am|'m)\s+(?:the|an?|your)\s+{_ROLE}|as\s+(?:the|an?|your)\s+{_ROLE}|"
    rf"this\s+is\s+(?:the|your)\s+{_ROLE}|ich\s+bin\s+(?:der|die|ein|eine|dein|deine)\s+{_ROLE}|"
    rf"als\s+(?:der|die|dein|deine)?\s*{_ROLE}|je\s+suis\s+(?:le|la|l'|un|une|ton|votre)\s*"
    rf"{_ROLE}|en\s+tant\s+qu(?:e\s+|')(?:le\s+|la\s+|l'|un\s+|une\s+)?{_ROLE}|soy\s+(?:el|la|un|una|tu)\s+"
    rf"{_ROLE}|com[oe]\s+(?:el|la|o|a|il|lo)?\s*{_ROLE}|sou\s+(?:o|a|um|uma|seu|sua)\s+{_ROLE}|"
    rf"sono\s+(?:il|lo|la|l'|un|una|il\s+tuo|la\s+tua)\s*{_ROLE}|in\s+qualità\s+di\s+{_ROLE}|"
    r"developer\s+mode|admin\s+mode|system\s+(?:override|message|prompt|instruction)|"
    r"^\s*\[?(?:system|admin|developer)\]?\s*:|ignore\s+(?:all\s+)?(?:previous|prior|your)\s+"
    r"(?:instructions|rules))",
    re.I,
)
_OTHERS = re.compile(
    r"\b(?:for\s+(?:all|every|each|other)\s+(?:the\s+)?(?:users?|customers?|people|accounts?)|"
    r"for\s+everyone|all\s+users|every\s+user|everyone\s+(?:else\s+)?(?:using|on)|"
    r"other\s+users|für\s+alle\s+(?:nutzer|benutzer|anwender)\w*|alle\s+(?:nutzer|benutzer)\w*|"
    r"pour\s+tous\s+les\s+utilisateurs|tous\s+les\s+utilisateurs|pour\s+tout\s+le\s+monde|"
    r"para\s+todos\s+los\s+usuarios|todos\s+los\s+usuarios|para\s+todos\s+os\s+usuários|"
    r"todos\s+os\s+usuários|per\s+tutti\s+gli\s+utenti|tutti\s+gli\s+utenti)\b",
    re.I,
)

_THIRD = (
    r"(?:my|our|his|her|their|the|a)\s+(?:\w+\s+)?(?:colleague|coworker|co-worker|boss|manager|"
    r"friend|mother|mom|mum|dad|father|sister|brother|teacher|client|customer|partner|wife|"
    r"husband|neighbou?r|team|students?|professor|aunt|uncle|cousin|son|daughter)|"
    r"(?:he|she|they|someone|somebody|people|everyone\s+at\s+work)|"
    r"(?:mein|meine|unser|unsere|sein|seine|ihr|ihre)\s+(?:\w+\s+)?(?:kollege|kollegin|chef|chefin|"
    r"freund|freundin|mutter|vater|schwester|bruder|lehrer|lehrerin|kunde|kundin)|er|sie(?=\s+(?:hat|sagt|sagte|schreibt|schrieb|meint|benutzt|will))|"
    r"(?:mon|ma|notre|son|sa)\s+(?:\w+\s+)?(?:collègue|patron|patronne|chef|ami|amie|mère|père|"
    r"sœur|frère|prof|professeur|client|cliente)|il|elle|ils|elles|"
    r"(?:mi|mis|nuestro|nuestra|su)\s+(?:\w+\s+)?(?:colega|jefe|jefa|amigo|amiga|madre|padre|"
    r"hermana|hermano|profesor|profesora|cliente)|él|ella|"
    r"(?:meu|minha|nosso|nossa|o\s+meu|a\s+minha)\s+(?:\w+\s+)?(?:colega|chefe|amigo|amiga|mãe|"
    r"pai|irmã|irmão|professor|professora|cliente)|ele|ela|eles|elas|"
    r"(?:il\s+mio|la\s+mia|mio|mia|il\s+nostro|la\s+nostra)\s+(?:\w+\s+)?(?:collega|capo|amico|"
    r"amica|madre|padre|sorella|fratello|professore|professoressa|cliente|capa)|lui|lei"
)
_SAYS = (
    r"(?:always\s+|never\s+|usually\s+|often\s+)?(?:writes?|wrote|says?|said|told|tells|asked|"
    r"asks|signs?\s+off|signs|ends?|starts?|types?|uses?|texts?|emails?|insists?|prefers?|"
    r"wants?|hates?|loves?|likes?|puts?|adds?|answers?|replies|replied|responds?|keeps?|"
    r"schreibt|schrieb|sagt|sagte|meint|unterschreibt|endet|beendet|benutzt|verwendet|"
    r"écrit|dit|disait|a\s+dit|signe|termine|finit|utilise|"
    r"escribe|dice|dijo|firma|termina|usa|gesagt|geschrieben|dit|écrit|detto|scritto|"
    r"escreve|diz|disse|assina|"
    r"scrive|dice|ha\s+detto|firma|finisce|usa)"
)
_REPORTED = re.compile(
    rf"^\W*(?:{_THIRD})\b[\s,]*(?:[\w']+\s+){{0,3}}?(?:m'a\s+|m'|me\s+|mi\s+|hat\s+mir\s+|ha\s+)?{_SAYS}\b",
    re.I,
)
_THIRD_STYLE = re.compile(
    r"\b(?:her|his|their|my\s+(?:boss|colleague|friend|manager)'s|sein|seine|ihre|son|sa|su|"
    r"seu|sua|il\s+suo|la\s+sua)\s+(?:\w+\s+)?(?:sign-?off|signature|emails?|messages?|"
    r"texts?|style|unterschrift|signatur|mails?|nachrichten|stil|signature|courriels?|style|"
    r"firma|correos?|mensajes?|estilo|assinatura|mensagens|stile)\b",
    re.I,
)
_HOW_TO = re.compile(
    r"^\W*(?:how\s+(?:do|should|can|would)\s+(?:i|we|you|one)|how\s+to|what(?:'s|\s+is)\s+the\s+"
    r"(?:best|right|proper|correct)\s+way|is\s+it\s+(?:ok|okay|rude|polite|normal|fine|"
    r"correct|better)|should\s+i|what\s+does|what\s+is\s+a|can\s+you\s+explain\s+(?:how|what|"
    r"why)|wie\s+(?:schreibe|mache|füge|beende|formuliere|setze)|wie\s+schreibt\s+man|"
    r"ist\s+es\s+(?:unhöflich|okay|ok|normal)|soll\s+ich|sollte\s+ich|"
    r"comment\s+(?:écrire|on\s+écrit|j'écris|est-ce\s+qu|faire|ajouter|terminer|dois-je)|"
    r"est-ce\s+(?:impoli|normal|correct)|dois-je|faut-il|"
    r"cómo\s+(?:escribo|se\s+escribe|puedo|debo|añado|termino|pongo)|es\s+de\s+mala\s+educación|"
    r"¿\s*cómo|¿\s*es|debería|"
    r"como\s+(?:escrevo|se\s+escreve|posso|devo|adiciono|termino|coloco)|é\s+falta\s+de|"
    r"devo\s+|come\s+(?:scrivo|si\s+scrive|posso|devo|aggiungo|termino|metto)|è\s+maleducato|"
    r"dovrei)",
    re.I,
)

# A sentence boundary: end punctuation followed by space, or a newline.
_SPLIT = re.compile(r"(?<=[.!?;])\s+|(?<=[.!?;][\"\u201d')])\s+|\n+")
# A request inside a question ("how to say it without using the word X?") is still a request.
_EMBEDDED = re.compile(
    r"\bwithout\s+(?:saying|using|mentioning)\b|\b(?:in|under|at\s+most|at\s+least)\s+\d+\s+"
    r"(?:words?|sentences?)\b",
    re.I,
)


def sentences(text: str) -> list[str]:
    """The message split into sentences (keeping their end punctuation)."""
    return [text[a:b] for a, b in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the message."""
    spans, start = [], 0
    for m in _SPLIT.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def refused_claims(text: str) -> list[tuple[str, str]]:
    """(sentence, reason) for each claim of authority or rule aimed at other users."""
    out: list[tuple[str, str]] = []
    for s in sentences(text):
        if _AUTHORITY.search(s):
            out.append((s.strip(), "claims developer, admin or system authority"))
        elif _OTHERS.search(s):
            out.append((s.strip(), "aimed at other users"))
    return out


def about_others(sentence: str) -> bool:
    """Whether a sentence's subject is someone else ("they always reply with emojis")."""
    return bool(_OTHER_SUBJECT.match(sentence))


_OTHER_SUBJECT = re.compile(
    rf"^\W*(?:{_THIRD}|ses|leurs?|sus|seus|suas|i\s+suoi|le\s+sue)\b(?!\s*[,:])", re.I
)


def mention_reason(sentence: str) -> str | None:
    """Why a sentence only talks about writing (never a rule), or None when it may ask."""
    s = sentence.strip()
    if (_HOW_TO.match(s) or (s.endswith("?") and _HOW_TO.search(s))) and not _EMBEDDED.search(s):
        return "question about how to write"
    if _REPORTED.match(s):
        return "reported speech"
    if _THIRD_STYLE.search(s):
        return "third party's style"
    if re.search(r"\b(?:told|asked)\s+(?:me|us|him|her|them)\s+to\b", s, re.I):
        return "reported speech"
    return None
