"""The languages the rule-based extractor reads: English, German, French, Spanish, Italian,
Portuguese. Every clause is tried against all of them (a first-person pattern of one language
does not match a sentence of another), so no language detection can get a message wrong."""

from __future__ import annotations

from persona.memory.extract.lang import de, en, es, fr, it, pt
from persona.memory.extract.lang.base import Language

LANGUAGES: tuple[Language, ...] = (
    en.LANGUAGE, de.LANGUAGE, fr.LANGUAGE, es.LANGUAGE, it.LANGUAGE, pt.LANGUAGE,
)  # fmt: skip

__all__ = ["LANGUAGES", "Language"]
