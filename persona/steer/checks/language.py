"""Offline language identification for the response_language and English-case checkers.

IFEval uses ``langdetect``; it is not a dependency here, so the language is found from the
writing system (Devanagari, Hangul, Arabic, Cyrillic, ...) and, within a script shared by
several languages, from distinctive letters and common function words. It covers IFEval's
30 languages (ISO 639-1 codes). Text with no letters has no language (None), which the
checkers treat as passing, as IFEval does when langdetect cannot decide.
"""

from __future__ import annotations

import re
from collections import Counter

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "ar": "Arabic", "hi": "Hindi",
    "fr": "French", "ru": "Russian", "de": "German", "ja": "Japanese", "it": "Italian",
    "bn": "Bengali", "uk": "Ukrainian", "th": "Thai", "ur": "Urdu", "ta": "Tamil",
    "te": "Telugu", "bg": "Bulgarian", "ko": "Korean", "pl": "Polish", "he": "Hebrew",
    "fa": "Persian", "vi": "Vietnamese", "ne": "Nepali", "sw": "Swahili", "kn": "Kannada",
    "mr": "Marathi", "gu": "Gujarati", "pa": "Punjabi", "ml": "Malayalam", "fi": "Finnish",
    "zh": "Chinese", "nl": "Dutch", "el": "Greek",
}  # fmt: skip

# (first, last) code point -> script name
_SCRIPTS = (
    (0x0041, 0x024F, "latin"), (0x1E00, 0x1EFF, "latin"), (0x0370, 0x03FF, "greek"),
    (0x0400, 0x04FF, "cyrillic"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"), (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"), (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"),
    (0x0A80, 0x0AFF, "gu"), (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"),
    (0x0C80, 0x0CFF, "kn"), (0x0D00, 0x0D7F, "ml"), (0x0E00, 0x0E7F, "th"),
    (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"), (0xAC00, 0xD7AF, "ko"),
    (0x3040, 0x30FF, "kana"), (0x4E00, 0x9FFF, "han"),
)  # fmt: skip

_STOPWORDS = {
    "en": "the and of to is in that it for you with are this be on as not have was or your can "
          "i a my me we he she they his her their will would what which who has had do",
    "es": "el la de que y en los las un una es por con para del se no su al lo como más",
    "pt": "o a de que e do da em um uma para com não os as se por mais dos das ao é você",
    "fr": "le la les de des et est un une du que en pour pas qui dans sur au avec ce vous",
    "de": "der die das und ist nicht ein eine zu den mit von sie es im auf für ich dem sich",
    "it": "il di che e la per un una non sono del della le si con è gli da nel sul in anche",
    "pl": "w nie na się z że jest jak co ale po tak jego przez być dla jest są oraz",
    "nl": "de het een en van is dat niet op te in zijn voor met die ook als er",
    "sw": "na ya wa kwa ni za katika la kuwa hii au cha kama lakini pia wake huo",
    "fi": "ja on ei se että hän oli ovat mutta kuin myös tai jos niin ole tämä sen",
    "vi": "và của là có không những được trong cho người các một với này đã để",
    "hi": "है हैं का की के में और से यह को नहीं भी पर एक कि था हो",
    "mr": "आहे आहेत आणि हे या ला ची चा चे मध्ये नाही करण्यासाठी होते त्या पण",
    "ne": "छ छन् र मा हो पनि गर्न लागि हुन्छ गरेको भएको यो थियो",
    "ar": "في من على أن إلى عن هذا التي الذي مع كان هو ما لا",
    "fa": "و در به از که این را با است می برای آن یک هم",
    "ur": "کے میں کی ہے اور کا سے کو یہ ہیں نہیں پر بھی",
    "ru": "и в не на что с как по это он я но из его у",  # noqa: RUF001
    "uk": "і в не на що з як це та до але він від є",  # noqa: RUF001
    "bg": "и в на да не се от за е с че това са като по",  # noqa: RUF001
}  # fmt: skip
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_LATIN = ("en", "es", "pt", "fr", "de", "it", "pl", "nl", "sw", "fi", "vi")
# words run to whitespace or punctuation; \w would split Indic words at their vowel signs
_TOKEN = re.compile(r"[^\s\d.,;:!?()\[\]{}<>\"'“”‘’«»।॥*#/|+=~_–—-]+")  # noqa: RUF001
_VIETNAMESE = re.compile(r"[ăơưđạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_LATIN_MARKS = {
    "es": re.compile(r"[ñ¿¡]"), "pt": re.compile(r"[ãõç]"), "de": re.compile(r"[äöüß]"),
    "pl": re.compile(r"[ąćęłńśźż]"), "fi": re.compile(r"[äö]"), "fr": re.compile(r"[èêëœç]"),
}  # fmt: skip


def _script(ch: str) -> str | None:
    code = ord(ch)
    for first, last, name in _SCRIPTS:
        if first <= code <= last:
            return name
    return None


def _by_stopwords(tokens: list[str], candidates: tuple[str, ...]) -> dict[str, int]:
    return {lang: sum(1 for t in tokens if t in _STOPSETS.get(lang, ())) for lang in candidates}


def _best(scores: dict[str, int], default: str) -> str:
    lang, top = max(scores.items(), key=lambda kv: kv[1])
    return lang if top > 0 else default


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the language `text` is mostly written in, or None without letters."""
    scripts = Counter(s for s in map(_script, text) if s is not None)
    if not scripts:
        return None
    if scripts["kana"]:
        scripts["han"] += scripts.pop("kana")
        if scripts.most_common(1)[0][0] == "han":
            return "ja"
    script = scripts.most_common(1)[0][0]
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    if script == "latin":
        return _latin(text, tokens)
    if script == "han":
        return "zh"
    if script == "greek":
        return "el"
    if script == "devanagari":
        return _best(_by_stopwords(tokens, ("hi", "mr", "ne")), "hi")
    if script == "cyrillic":
        return _cyrillic(text, tokens)
    if script == "arabic":
        return _arabic(text, tokens)
    return script


def _latin(text: str, tokens: list[str]) -> str:
    scores = _by_stopwords(tokens, _LATIN)
    if len(_VIETNAMESE.findall(text)) > max(3, len(tokens) // 20):
        return "vi"
    lang = _best(scores, "en")
    if scores[lang] < 2:
        return "en"  # too little evidence to call it anything but the default
    if lang == "en" and scores["en"] >= 3:
        return lang
    # close calls between neighbours are settled by their distinctive letters
    runner_up = sorted(scores, key=lambda k: scores[k], reverse=True)[1]
    if scores[runner_up] * 1.5 >= scores[lang]:
        marks = {k: len(p.findall(text.lower())) for k, p in _LATIN_MARKS.items()}
        if marks.get(runner_up, 0) > marks.get(lang, 0):
            return runner_up
    return lang


def _cyrillic(text: str, tokens: list[str]) -> str:
    low = text.lower()
    if re.search(r"[іїєґ]", low):
        return "uk"
    if not re.search(r"[ыэё]", low) and low.count("ъ") >= 2:
        return "bg"
    return _best(_by_stopwords(tokens, ("ru", "bg", "uk")), "ru")


def _arabic(text: str, tokens: list[str]) -> str:
    if len(re.findall(r"[ٹڈڑںےۓھ]", text)) >= 3:
        return "ur"
    scores = _by_stopwords(tokens, ("ar", "fa", "ur"))
    if re.search(r"[پچژگ]", text) and scores["fa"] >= scores["ar"]:
        return "fa"
    return _best(scores, "ar")


def confident_language(text: str) -> str | None:
    """The language of `text` when the evidence is clear, else None.

    `detect_language` calls Latin text with too few function words English; a short line such
    as "Bonjour Marie" has no clear language, and a filter must not drop it as English.
    """
    found = detect_language(text)
    if found is None or found not in _LATIN:
        return found
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    scores = _by_stopwords(tokens, _LATIN)
    return found if scores.get(found, 0) >= 2 else None


def keep_lines(text: str, languages: tuple[str | None, ...]) -> str | None:
    """`text` without its lines clearly in a language not in `languages` (None: no clear one).

    Returns None when no line is left or nothing was dropped.
    """
    lines = text.split("\n")
    kept = [line for line in lines if confident_language(line) in languages]
    if len(kept) == len(lines):
        return None
    out = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return out if re.search(r"\w", out) else None


def is_english(text: str) -> bool:
    """True when the text is English or has no letters (IFEval's case checkers need English)."""
    return detect_language(text) in (None, "en")
