"""Word overlap between two memory texts: lower-cased, crudely stemmed content words."""

from __future__ import annotations

import re

_STOP = {
    "a", "an", "the", "is", "are", "was", "to", "in", "on", "of", "and", "or", "at", "for",
    "with", "their", "they", "them", "user", "user's", "has", "have", "i", "my", "me", "you",
    "your", "that", "this", "it", "be", "as", "do", "does", "not", "no",
}  # fmt: skip
_WORD = re.compile(r"[a-z0-9']+")


def _stem(word: str) -> str:
    for suffix in ("ing", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Lower-cased, crudely stemmed words minus stop words."""
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in _STOP}


def overlap(needle: str, haystack: str) -> float:
    """Share of `needle`'s content words that occur in `haystack`."""
    words = content_words(needle)
    return len(words & content_words(haystack)) / len(words) if words else 0.0
