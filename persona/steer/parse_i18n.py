"""German, French, Spanish, Portuguese and Italian requests rewritten into the English phrasing
the rules read.

Each entry maps a request as people type it ("ab jetzt keine Emojis", "réponds toujours en
français") to the English words for the same request. Only request phrasings are mapped, so a
message in another language that asks nothing still sets nothing.
"""

from __future__ import annotations

import re

_N = r"(\d+)"
_W = r"(?:wörtern|wörter|worten|worte|mots|palabras|palavras|parole)"
_S = r"(?:sätze|phrases|frases|frasi)"

# (pattern, English replacement); applied in order, case-insensitive.
_MAP: list[tuple[str, str]] = [
    # standing / one-off cues
    (r"\bab\s+jetzt\b|\bvon\s+nun\s+an\b|\bab\s+sofort\b|\bkünftig\b|\bzukünftig\b", "from now on"),
    (
        r"\bà\s+partir\s+de\s+maintenant\b|\bdésormais\b|\bdorénavant\b|\bà\s+l'avenir\b",
        "from now on",
    ),
    (
        r"\ba\s+partir\s+de\s+ahora\b|\bde\s+ahora\s+en\s+adelante\b|\ben\s+adelante\b",
        "from now on",
    ),
    (
        r"\ba\s+partir\s+de\s+agora\b|\bde\s+agora\s+em\s+diante\b|\bdaqui\s+(?:em|para)\s+"
        r"(?:diante|frente)\b",
        "from now on",
    ),
    (
        r"\bda\s+ora\s+in\s+(?:poi|avanti)\b|\bd'ora\s+in\s+(?:poi|avanti)\b|\bin\s+futuro\b",
        "from now on",
    ),
    (
        r"\bnur\s+(?:dieses\s+mal|diesmal|dies\s+eine\s+mal)\b|\bdiesmal\b|\bnur\s+hier\b|"
        r"\bjuste\s+(?:pour\s+)?cette\s+fois\b|\bcette\s+fois\b|\bpour\s+cette\s+réponse\b|"
        r"\bsolo\s+esta\s+vez\b|\besta\s+vez\b|\bpara\s+esta\s+respuesta\b|\bsó\s+desta\s+vez\b|"
        r"\bdesta\s+vez\b|\bpara\s+esta\s+resposta\b|\bsolo\s+questa\s+volta\b|\bquesta\s+volta\b|"
        r"\bper\s+questa\s+risposta\b",
        "just this once",
    ),
    (r",\s*(?:niemals|nie|jamais|nunca|mai)\s*([.!]|$)", ", ever\1"),
    (r"\b(?:sei|sois|sé|seja|sii)\s+(?:immer|stets|toujours|siempre|sempre)\b", "always be"),
    (r"\bnon\s+(finire|terminare|chiudere)\s+mai\b", r"never \1"),
    (r"\bimmer\b|\bstets\b|\btoujours\b|\bsiempre\b|\bsempre\b", "always"),
    (r"\bniemals\b|\bnie\b|\bjamais\b|\bnunca\b|\bmai\s+più\b|\bnon\s+\w+\s+mai\b", "never"),
    (
        r"\bin\s+jeder\s+antwort\b|\bdans\s+chaque\s+réponse\b|\ben\s+cada\s+respuesta\b|"
        r"\bem\s+cada\s+resposta\b|\bin\s+ogni\s+risposta\b",
        "in every reply",
    ),
    (
        r"\bhör\s+auf\b|\bhöre\s+auf\b|\bhören\s+sie\s+auf\b|\barrête\b|\barrêtez\b|\bdeja\s+de\b|"
        r"\bdeixa\s+de\b|\bpara\s+de\b|\bpare\s+de\b|\bsmettila\s+di\b|\bsmetti\s+di\b|"
        r"\bbasta\s+con\b",
        "stop",
    ),
    # follow-up questions / ending with a question
    (
        r"\b(?:keine|ohne)\s+(?:rückfragen|gegenfragen|nachfragen|folgefragen|fragen\s+am\s+ende)\b|"
        r"\bstell\w*\s+(?:mir\s+)?keine\s+(?:rück|gegen|nach)?fragen\b|"
        r"\bfrag\s+(?:mich\s+)?nicht\s+(?:immer\s+|always\s+|mehr\s+)?(?:nach|zurück)\w*|"
        r"\bpas\s+de\s+questions?(?:\s+de\s+suivi|\s+à\s+la\s+fin|\s+en\s+retour)?\b|"
        r"\bsans\s+questions?(?:\s+à\s+la\s+fin)?\b|\bne\s+(?:me\s+)?pose\s+(?:plus\s+)?pas\s+de\s+"
        r"questions?\b|"
        r"\bsin\s+preguntas(?:\s+al\s+final|\s+de\s+seguimiento)?\b|\bno\s+(?:me\s+)?hagas\s+"
        r"preguntas\b|"
        r"\bsem\s+perguntas(?:\s+no\s+final|\s+de\s+seguimento)?\b|\bnão\s+(?:me\s+)?faça\s+"
        r"perguntas\b|"
        r"\bniente\s+domande(?:\s+alla\s+fine|\s+di\s+follow-up)?\b|\bsenza\s+domande(?:\s+alla\s+"
        r"fine)?\b|\bnon\s+farmi\s+domande\b",
        " no follow-up questions",
    ),
    (
        r"\b(?:de\s+|di\s+)?(?:terminer|finir|terminar|acabar|finire|terminare|chiudere|termines|termine|acabes|"
        r"acabe|finisci|termini|chiudi|termine|finis|termines)\s+"
        r"(?:chaque\s+réponse\s+|cada\s+respuesta\s+|cada\s+resposta\s+|ogni\s+risposta\s+)?"
        r"(?:par|avec|con|com)\s+(?:une|una|uma)\s+(?:question|pregunta|pergunta|domanda)\b|"
        r"\bmit\s+einer\s+frage\s+(?:zu\s+)?(?:enden|aufzuhören|beenden|abzuschließen|"
        r"schließen)\b",
        "ending with a question",
    ),
    # emojis
    (
        r"\b(?:keine|ohne)\s+(?:emojis?|smileys?|emoticons?)\b|\bpas\s+d'(?:émojis?|emojis?)\b|"
        r"\bsans\s+(?:émojis?|emojis?)\b|\bpas\s+d'émoticônes\b|\b(?:sin|sem|senza|niente)\s+"
        r"(?:emojis?|emoji|emoticonos?|emoticons?)\b|\bnada\s+de\s+emojis?\b",
        "no emojis",
    ),
    (
        r"\b(?:non\s+usare|no\s+uses|não\s+use|não\s+uses|n'utilise\s+pas|benutze\s+keine|"
        r"verwende\s+keine)\s+(?:(?:d'|de\s+|gli\s+|los\s+|os\s+)?(?:émojis?|emojis?|emoji))\b",
        "no emojis",
    ),
    # formality
    (
        r"\bprofessionell\b|\bprofessionnel(?:le)?\b|\bprofesional\b|\bprofissional\b|"
        r"\bprofessionale\b",
        "professional",
    ),
    (r"\bförmlich\b|\bformell\b|\bformel(?:le)?\b|\bformal\b|\bformale\b", "formal"),
    (r"\blocker\b|\bdécontracté\b|\binformel\b|\binformal\b|\binformale\b|\bcasual\b", "casual"),
    (r"\bsois\b|\bsei\b|\bsé\b|\bseja\b|\bsii\b", "be"),
    # languages
    (
        r"\b(?:auf|in)\s+deutsch\b|\ben\s+allemand\b|\ben\s+alemán\b|\bem\s+alemão\b|"
        r"\bin\s+tedesco\b",
        "in German",
    ),
    (
        r"\b(?:auf|in)\s+englisch\b|\ben\s+anglais\b|\ben\s+inglés\b|\bem\s+inglês\b|"
        r"\bin\s+inglese\b",
        "in English",
    ),
    (
        r"\b(?:auf|in)\s+französisch\b|\ben\s+français\b|\ben\s+francés\b|\bem\s+francês\b|"
        r"\bin\s+francese\b",
        "in French",
    ),
    (
        r"\b(?:auf|in)\s+spanisch\b|\ben\s+espagnol\b|\ben\s+español\b|\bem\s+espanhol\b|"
        r"\bin\s+spagnolo\b",
        "in Spanish",
    ),
    (
        r"\b(?:auf|in)\s+portugiesisch\b|\ben\s+portugais\b|\ben\s+portugués\b|"
        r"\bem\s+português\b|\bin\s+portoghese\b",
        "in Portuguese",
    ),
    (
        r"\b(?:auf|in)\s+italienisch\b|\ben\s+italien\b|\ben\s+italiano\b|\bem\s+italiano\b|"
        r"\bin\s+italiano\b",
        "in Italian",
    ),
    (
        r"\bantworte\w*\b|\bréponds\b|\brépondez\b|\bresponde\b|\bresponda\b|\bcontesta\b|"
        r"\brispondi\b|\brisponda\b",
        "answer",
    ),
    (
        r"\bschreib\w*\b|\bécris\b|\bécrivez\b|\bescribe\b|\bescreve\b|\bescreva\b|\bscrivi\b",
        "write",
    ),
    # case
    (
        r"\bnur\s+(?:in\s+)?kleinbuchstaben\b|\bin\s+kleinbuchstaben\b|\bkleinbuchstaben\b|"
        r"\ben\s+minuscules\b|\bminuscules\b|\ben\s+minúsculas\b|\bem\s+minúsculas\b|"
        r"\bminúsculas\b|\bin\s+minuscolo\b|\bminuscolo\b|\bminuscole\b",
        "in lowercase",
    ),
    (
        r"\bnur\s+(?:in\s+)?großbuchstaben\b|\bin\s+großbuchstaben\b|\bgroßbuchstaben\b|"
        r"\ben\s+majuscules\b|\bmajuscules\b|\ben\s+mayúsculas\b|\bem\s+maiúsculas\b|"
        r"\bmayúsculas\b|\bmaiúsculas\b|\bin\s+maiuscolo\b|\bmaiuscolo\b|\bmaiuscole\b",
        "in all capital letters",
    ),
    # commas / markdown
    (
        r"\b(?:keine|ohne)\s+kommas?\b|\bsans\s+virgules?\b|\bpas\s+de\s+virgules?\b|"
        r"\bsin\s+comas\b|\bsem\s+vírgulas\b|\bsenza\s+virgole\b|\bniente\s+virgole\b",
        "no commas",
    ),
    (
        r"\b(?:kein|ohne)\s+markdown\b|\bsans\s+markdown\b|\bpas\s+de\s+markdown\b|"
        r"\b(?:sin|sem|senza|niente)\s+markdown\b",
        "no markdown",
    ),
    # lengths
    # "un máximo de 50 palabras", "un maximum de 50 mots", "un massimo di 50 parole"
    (
        rf"\b(?:(?:un|um|el|o|il)\s+)?(?:máximo|maximum|massimo)\s+(?:de|di)\s+{_N}\s+{_W}",
        r"at most \1 words",
    ),
    (rf"\b(?:höchstens|maximal|max\.?)\s+{_N}\s+{_W}", r"at most \1 words"),
    (rf"\b(?:weniger\s+als)\s+{_N}\s+{_W}", r"less than \1 words"),
    (rf"\b(?:mindestens)\s+{_N}\s+{_W}", r"at least \1 words"),
    (rf"\b(?:pas\s+plus\s+de|au\s+maximum|maximum|au\s+plus)\s+{_N}\s+{_W}", r"at most \1 words"),
    (rf"\b(?:moins\s+de)\s+{_N}\s+{_W}", r"less than \1 words"),
    (rf"\b(?:au\s+moins)\s+{_N}\s+{_W}", r"at least \1 words"),
    (
        rf"\b(?:como\s+máximo|máximo|no\s+más\s+de|no\s+mais\s+de|no\s+máximo)\s+{_N}\s+{_W}",
        r"at most \1 words",
    ),
    (rf"\b(?:menos\s+de)\s+{_N}\s+{_W}", r"less than \1 words"),
    (
        rf"\b(?:al\s+menos|como\s+mínimo|pelo\s+menos|no\s+mínimo)\s+{_N}\s+{_W}",
        r"at least \1 words",
    ),
    (rf"\b(?:al\s+massimo|massimo|non\s+più\s+di)\s+{_N}\s+{_W}", r"at most \1 words"),
    (rf"\b(?:meno\s+di)\s+{_N}\s+{_W}", r"less than \1 words"),
    (rf"\b(?:almeno)\s+{_N}\s+{_W}", r"at least \1 words"),
    (
        rf"\b(?:höchstens|maximal|pas\s+plus\s+de|au\s+maximum|como\s+máximo|no\s+más\s+de|"
        rf"no\s+máximo|al\s+massimo|non\s+più\s+di)\s+{_N}\s+{_S}",
        r"at most \1 sentences",
    ),
    (
        rf"\b{_N}\s+{_W}\s+(?:au\s+maximum|au\s+plus|maximum|como\s+máximo|máximo|no\s+máximo|"
        rf"al\s+massimo|massimo|höchstens|maximal)\b",
        r"at most \1 words",
    ),
    # fillers that would otherwise stop an imperative match
    (
        r"\bbitte\b|\bs'il\s+te\s+plaît\b|\bs'il\s+vous\s+plaît\b|\bpor\s+favor\b|\bper\s+favore\b",
        "please",
    ),
    (r"\bund\b|\bet\b", "and"),
]
_COMPILED = [(re.compile(p, re.I), r) for p, r in _MAP]


def to_english(text: str) -> str:
    """`text` with the request phrasings of de/fr/es/pt/it replaced by English ones."""
    out = text
    for pat, repl in _COMPILED:
        out = pat.sub(repl, out)
    out = re.sub(r"\bbe\s+from\s+now\s+on\b", "from now on be", out, flags=re.I)
    out = re.sub(r"\bstop,\s*", "stop ", out, flags=re.I)
    out = re.sub(
        r"\b(no\s+(?:follow-up\s+questions|emojis|commas|markdown))\s+mehr\b", r"\1 anymore", out
    )
    return out.replace("¿", "").replace("¡", "")
