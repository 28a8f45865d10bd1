"""Sentences that ask for a lasting change to the replies' form that the rules did not read.

These are the candidates for the optional model-assisted parse in the background
(`persona.steer.model_parse`); the rules' own result for the message is unchanged. A sentence
of a message (mentions blanked, claims refused before: a message that borrows authority has no
ambiguous sentence) is *ambiguous* when all of these hold, in any of the six languages:

1. it asks for something lasting: a standing cue ("from now on", "always", "never", "stop",
   "anymore"), a preference ("I'd prefer", "please don't", "avoid", "make sure"), or a word
   about the replies in general ("your answers", "when you reply"); a one-off cue ("just this
   once") rules it out, since the reply it was for is sent before the background parse runs;
2. one of its clauses names something a verifiable constraint governs (letter case,
   punctuation, a count of words or sentences, language, lists and markdown, JSON, quotes,
   emoji, questions, how a reply starts or ends; not "shorter" or "concise", which name no
   checkable limit a model could read without inventing one) ...
3. ... and the rules found no constraint in that clause nor any of that family in the sentence:
   "always answer in lowercase, and stop with those little pictures" is ambiguous for its
   second half although the first was understood, while "lowercase letters and plain text, no
   markdown" is not (each family was read). When the cue stands only after a colon, only what
   follows the colon counts ("Bold the key word: always back up your files" asks nothing);
4. it is not a question about something, nor the speaker describing a habit of their own
   ("I never use emoji myself").

A free-text standing instruction that names no such thing ("from now on, write like a pirate")
is not ambiguous: it is stored and followed as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from persona.steer.parse_context import about_others, sentence_spans
from persona.steer.parse_i18n import to_english

Hits = Callable[[str], Sequence[tuple[str, object, int, int]]]

_STANDING = re.compile(
    r"\b(?:from\s+now\s+on|from\s+here\s+on|going\s+forward|henceforth|in\s+(?:the\s+)?future|"
    r"always|never|every\s+time|whenever|each\s+time|in\s+every\s+(?:reply|response|answer)|"
    r"stop|quit|no\s+more(?!\s+than)|anymore|any\s+more|by\s+default|for\s+the\s+rest\s+of|"
    r"(?<=,\s)ever|(?:keep|start)\s+(?:using|replying|writing|answering|responding))\b",
    re.I,
)
_PREFERENCE = re.compile(
    r"\b(?:i\s+(?:would\s+|'d\s+|really\s+)?(?:prefer|like|want|need)\s+(?:you\s+to|it\s+if|"
    r"your|replies|answers|responses)|i'd\s+rather|i\s+would\s+rather|please\s+(?:don't|do\s+not)|"
    r"(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:not|stop|avoid|mind\s+not)|avoid|refrain|"
    r"make\s+sure|try\s+to\s+(?:keep|use|avoid|write|stick)|stick\s+to|"
    r"ich\s+(?:möchte|will|hätte\s+gern),?\s+dass\s+du|bitte\s+(?:keine|nicht|ohne)|vermeide|"
    r"verzichte|je\s+préfère|je\s+voudrais\s+que|j'aimerais\s+que|évite[sz]?|"
    r"prefiero|quiero\s+que|me\s+gustaría\s+que|evita|prefiro|quero\s+que|gostaria\s+que|evite|"
    r"preferisco|vorrei\s+che|voglio\s+che)\b",
    re.I,
)
_REPLIES = re.compile(
    r"\b(?:your|ur)\s+(?:replies|responses|answers|messages|texts|writing|output|style)|"
    r"when\s+you\s+(?:reply|answer|respond|write)|(?:reply|answer|respond|write|talk)\s+to\s+me|"
    r"deine\s+antworten|ihre\s+antworten|tes\s+réponses|vos\s+réponses|tus\s+respuestas|"
    r"sus\s+respuestas|suas\s+respostas|tuas\s+respostas|le\s+tue\s+risposte\b",
    re.I,
)
_ONE_OFF = re.compile(
    r"\b(?:this\s+time|just\s+this\s+once|for\s+this\s+(?:one|answer|reply|response|question))\b",
    re.I,
)
_LANGUAGES = (
    r"english|german|french|spanish|portuguese|italian|dutch|chinese|japanese|korean|russian|"
    r"arabic|hindi|englisch|deutsch|französisch|spanisch|portugiesisch|italienisch|anglais|"
    r"allemand|français|espagnol|portugais|italien|inglés|alemán|francés|español|portugués|"
    r"italiano|inglês|alemão|francês|espanhol|português|inglese|tedesco|francese|spagnolo|"
    r"portoghese"
)
# What a verifiable constraint governs, as people name it in the six languages, by family:
# (the id prefixes that read it, the words). A clause naming a family none of the sentence's
# constraints belongs to is what the rules did not read.
_FAMILIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("change_case:",),
        r"capital(?:s|ized|ised)?|caps|upper\s*-?case|lower\s*-?case|small\s+letters|letters|"
        r"großbuchstaben|kleinbuchstaben|buchstaben|majuscules?|minuscules?|lettres|"
        r"mayúsculas?|minúsculas?|maiúsculas?|letras|maiuscol[aeio]|minuscol[aeio]|lettere",
    ),
    (
        ("punctuation:",),
        r"punctuation|commas?|exclamation|full\s+stops?|periods|satzzeichen|kommas?|"
        r"ausrufezeichen|ponctuation|virgules?|puntuación|pontuação|comas|vírgulas?|exclamación|"
        r"exclamação|punteggiatura|virgol[ae]|esclamativ[io]",
    ),
    (
        ("length_constraints:", "style:max_words"),
        r"words?|sentences?|paragraphs?|lines|characters|wörter\w*|worte\w*|sätze\w*|"
        r"absätze\w*|absatz|zeilen|mots|phrases|paragraphes|lignes|palabras|palavras|frases|"
        r"oraciones|párrafos|parágrafos|líneas|linhas|parole|frasi|paragrafi|righe",
    ),
    (
        ("style:no_markdown", "detectable_format:"),
        r"bullets?|lists?|numbered|markdown|headings?|headers?|titles?|bold|italics?|tables?|"
        r"sections?|json|plain\s+text|format(?:ting)?|aufzählung\w*|listen|überschrift\w*|"
        r"titel|fett|tabellen?|abschnitt\w*|formatierung|puces|listes|titres|gras|tableaux|"
        r"mise\s+en\s+forme|viñetas|marcadores|listas|títulos|negrita|negrito|tablas|tabelas|"
        r"secciones|seções|secções|formato|formatação|elench[io]|puntat[io]|titol[io]|grassetto|"
        r"tabelle|sezion[ei]|formattazione",
    ),
    (
        ("style:no_emoji",),
        r"emojis?|emoticons?|smileys?|pictures|icons|émojis?",
    ),
    (
        ("style:no_follow_up_questions",),
        r"questions?|follow[\s-]?ups?|fragen|rückfragen|preguntas|perguntas|domande?",
    ),
    (
        ("startend:", "detectable_content:"),
        r"quot(?:e|es|ation)|sign[\s-]?off|signature|p\.?\s?s\.?|postscript|greetings?|"
        r"(?:start|begin|end|finish|close)(?:s|ing)?\s+(?:with|by|on)|anführungszeichen|"
        r"grußformel|gruß|unterschrift|guillemets|comillas|aspas|firma|assinatura|virgolette",
    ),
    (
        ("language:",),
        rf"language|sprache|langue|idioma|língua|lingua|{_LANGUAGES}",
    ),
)
_FAMILY_RES = tuple((ids, re.compile(rf"\b(?:{words})\b", re.I)) for ids, words in _FAMILIES)
_FORM = re.compile(r"\b(?:" + "|".join(words for _, words in _FAMILIES) + r")\b", re.I)
_CLAUSE = re.compile(
    r"[,;:]|\s(?:-|\u2013|\u2014)\s|\b(?:and|but|also|plus|as\s+well|und|aber|et|mais|y|pero|e|mas|ma)\b",
    re.I,
)
_POLITE = re.compile(
    r"^\W*(?:please\s+)?(?:can|could|would|will)\s+you\b|^\W*(?:kannst|könntest)\s+du\b|"
    r"^\W*(?:peux|pourrais)-tu\b|^\W*(?:pouvez|pourriez)-vous\b|^\W*(?:puedes|podrías)\b|"
    r"^\W*(?:você\s+)?(?:pode|poderia)\b|^\W*(?:puoi|potresti)\b",
    re.I,
)
_HABIT = re.compile(
    r"^\W*(?:I|we)\s+(?!(?:want|need|prefer|would|'d|ask|expect|like\s+you)\b)"
    r"(?:[\w']+\s+){0,3}?(?:use|write|say|speak|type|like|love|hate|learn|am|was|do)\b",
    re.I,
)


def ambiguous_sentences(text: str, find: Hits) -> list[str]:
    """The sentences of `text` (as written) that look like a lasting request about the
    replies' form the rules did not understand; `find` is the rules' hit finder."""
    out: list[str] = []
    for start, end in sentence_spans(text):
        original = text[start:end].strip()
        english = to_english(original).replace("\u2019", "'")
        if _asks(english) and _unread(english, find):
            out.append(original)
    return out


def _asks(sentence: str) -> bool:
    """Conditions 1 and 4: a request, not a question or a habit of the speaker or others'."""
    if _ONE_OFF.search(sentence) or _HABIT.match(sentence) or about_others(sentence):
        return False
    if sentence.rstrip().endswith("?") and not _POLITE.match(sentence):
        return False
    return _lasting(sentence)


def _lasting(text: str) -> bool:
    return bool(_STANDING.search(text) or _PREFERENCE.search(text) or _REPLIES.search(text))


def _unread(sentence: str, find: Hits) -> bool:
    """Conditions 2 and 3, where the lasting cue governs the form: what follows a colon is
    material when the cue is only there ("Bold the key word: always back up your files")."""
    head, colon, tail = sentence.partition(":")
    if not colon or _lasting(head):
        return _unread_clause(sentence, find)
    return _unread_clause(tail, find)


def _unread_clause(sentence: str, find: Hits) -> bool:
    """Conditions 2 and 3: a clause names a form the rules found no constraint for."""
    if not _FORM.search(sentence):
        return False
    hits = find(sentence)
    found = {h[0] for h in hits}
    bounds = [0, *(m.start() for m in _CLAUSE.finditer(sentence)), len(sentence)]
    for a, b in pairwise(bounds):
        clause = sentence[a:b]
        named = [ids for ids, words in _FAMILY_RES if words.search(clause)]
        if not named or any(h[2] < b and h[3] > a for h in hits):
            continue
        if all(any(f.startswith(ids) for f in found) for ids in named):
            continue  # "lowercase letters and plain text, no markdown": each family was read
        if not find(clause):  # a rule found once (de-duplicated) also covers its clause
            return True
    return False
