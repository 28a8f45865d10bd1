"""Response language: the whole reply in one given language.

No repair can change a reply's language without translating it, and persona never fakes a
translation. A re-ask restates the rule in the language itself, which a small model follows
far better than the English description; the fallback keeps the reply's lines that are in the
language, and when none are, answers with a short notice in it that the reply could not be
written (the trace keeps the model's text).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from persona.steer.checks.language import LANGUAGE_NAMES, detect_language, keep_lines
from persona.steer.registry import ConstraintType, Param
from persona.steer.types import Verdict

LANGUAGE = "language:response_language"

# the rule, and the notice of last resort, in the language itself
IN_LANGUAGE = {
    "en": ("Answer only in English.", "I could not write this reply in English."),
    "de": (
        "Antworte ausschließlich auf Deutsch.",
        "Ich konnte diese Antwort leider nicht auf Deutsch schreiben.",
    ),
    "fr": (
        "Réponds uniquement en français.",
        "Je n'ai pas pu rédiger cette réponse en français.",
    ),
    "es": (
        "Responde únicamente en español.",
        "No he podido escribir esta respuesta en español.",
    ),
    "pt": (
        "Responda apenas em português.",
        "Não consegui escrever esta resposta em português.",
    ),
    "it": (
        "Rispondi solo in italiano.",
        "Non sono riuscito a scrivere questa risposta in italiano.",
    ),
    "nl": (
        "Antwoord alleen in het Nederlands.",
        "Het is me niet gelukt om dit antwoord in het Nederlands te schrijven.",
    ),
}


def _check(reply: str, kwargs: Mapping[str, Any]) -> Verdict:
    found = detect_language(reply)
    if found is None or found == kwargs["language"]:
        return Verdict(id=LANGUAGE, passed=True)
    want = LANGUAGE_NAMES[kwargs["language"]]
    got = LANGUAGE_NAMES.get(found, found)
    return Verdict(id=LANGUAGE, passed=False, detail=f"the reply is in {got}, not {want}")


def _reask(kwargs: Mapping[str, Any]) -> str:
    lang = kwargs["language"]
    native = IN_LANGUAGE.get(lang, ("", ""))[0]
    english = f"Write the whole reply in {LANGUAGE_NAMES[lang]}."
    return f"{english} {native}".strip()


def _fallback(reply: str, kwargs: Mapping[str, Any]) -> str | None:
    lang = kwargs["language"]
    kept = keep_lines(reply, (lang, None))
    if kept is not None and _check(kept, kwargs).passed:
        return kept
    notice = IN_LANGUAGE.get(lang)
    return notice[1] if notice else None


TYPES = (
    ConstraintType(
        id=LANGUAGE,
        params=(Param("language", str, choices=tuple(LANGUAGE_NAMES)),),
        describe=lambda kw: (
            f"Write your entire reply in {LANGUAGE_NAMES[kw['language']]}; "
            "no other language is allowed."
        ),
        check=_check,
        reask=_reask,
        fallback=_fallback,
    ),
)
