"""Cheap text and conversation features for routing: regexes and counts, no model.

`text_features` gives the classifier's extra inputs beside the embedding (code, math, numbers,
multi-step asks, length, and the same for the previous user message). `explicit_ask` and
`is_light` feed the policy: an explicit "think hard" or "quick answer", and acknowledgements
that may leave a hard task without dragging the reasoning tier along.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

FEATURE_NAMES: tuple[str, ...] = (
    "code",
    "math_notation",
    "numbers",
    "multi_step",
    "length",
    "question",
    "light",
    "context_code",
    "context_math",
    "context_numbers",
    "context_multi_step",
    "follow_up",
)

# Each detector is a plain substring, a word-set lookup or a line-anchored regex: scanning
# IGNORECASE alternations at every position cost ~0.1 ms per message, too much for the budget.
_CODE_MARKERS = (
    "```",
    "traceback (most recent",
    "exception in thread",
    "panicked at",
    "segmentation fault",
    "error[e",
    "=>",
    "->",
    "#include",
    "console.log",
    "println",
    "printf(",
    "select ",
)
_CODE_LINE = re.compile(
    r"^\s*(?:def|class|import|from|return|func|fn|const|let|var|public|private|async|for|if|"
    r"while|at)\b[^\n]*[:;({=]|[;{}]\s*$|(?<=[a-z])(?:Error|Exception)\b",
    re.MULTILINE,
)
_MATH_SYMBOLS = re.compile(r"\d ?[-+*/^=<>] ?[\d(a-z]|\b[a-z] ?[\^=] ?\S|\^|\\frac|[∫∑√π≤≥≠]")
_MATH_WORDS = frozenset(
    [
        "log",
        "ln",
        "sin",
        "cos",
        "tan",
        "lim",
        "mod",
        "dx",
        "det",
        "sqrt",
        "integral",
        "derivative",
        "eigenvalue",
        "eigenvalues",
        "matrix",
        "equation",
        "equations",
        "theorem",
        "prime",
        "primes",
        "probability",
        "polynomial",
        "irrational",
    ]
)
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d+(?:[.,]\d+)*%?")
_MULTI_WORDS = frozenset(
    [
        "prove",
        "proof",
        "derive",
        "calculate",
        "compute",
        "solve",
        "plan",
        "schedule",
        "itinerary",
        "timeline",
        "milestones",
        "compare",
        "tradeoffs",
        "justify",
        "debug",
        "bug",
        "fix",
        "implement",
        "design",
        "refactor",
        "complexity",
        "estimate",
        "forecast",
        "legal",
        "enforceable",
        "contract",
        "evaluate",
        "verify",
        "demuestra",
        "calcula",
        "resuelve",
        "cuántos",
        "cuántas",
        "cuanto",
        "cuantos",
        "démontre",
        "calcule",
        "combien",
        "beweise",
        "berechne",
        "quantos",
        "quantas",
        "dimostra",
        "calcola",
    ]
)
_MULTI_STEMS = ("analy", "reason", "optimi", "deduct", "tax", "liab")
_MULTI_PHRASES = (
    "step by step",
    "step-by-step",
    "show that",
    "how many",
    "how much",
    "how long",
    "how far",
    "how old",
    "when will",
    "at what",
    "trade-off",
    "pros and cons",
    "explain why",
    "what if",
    "double-check",
    "paso a paso",
    "étape par étape",
    "schritt für schritt",
    "wie viele",
    "passo a passo",
    "prove que",
)
_THINK_HARD = (
    "think hard",
    "think carefully",
    "think deeply",
    "think it through",
    "think step by step",
    "take your time",
    "reason carefully",
    "reason it through",
    "be thorough",
    "thoroughly",
    "deep dive",
    "réfléchis bien",
    "piensa bien",
    "piénsalo bien",
    "denk gründlich",
    "gründlich prüfen",
    "pensa bene",
    "pense bem",
)
_QUICK = (
    "quick answer",
    "just a quick",
    "quick question",
    "briefly",
    "in one word",
    "one-word",
    "short answer",
    "tl;dr",
    "tldr",
    "no need to think",
    "dont overthink",
    "don't overthink",
    "off the top of your head",
    "respuesta rápida",
    "réponse rapide",
    "kurze frage",
    "kurz gesagt",
    "resposta rápida",
    "risposta veloce",
)
_WORD = re.compile(r"\w+", re.UNICODE)

_LIGHT_WORDS = frozenset(
    [
        "thanks",
        "thank",
        "you",
        "ty",
        "thx",
        "ok",
        "okay",
        "k",
        "cool",
        "great",
        "perfect",
        "got",
        "it",
        "nice",
        "awesome",
        "lol",
        "haha",
        "hi",
        "hello",
        "hey",
        "bye",
        "good",
        "night",
        "morning",
        "see",
        "later",
        "that",
        "works",
        "makes",
        "sense",
        "all",
        "much",
        "so",
        "a",
        "lot",
        "cheers",
        "brilliant",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "sure",
        "fine",
        "sounds",
        "to",
        "know",
        "wow",
        "merci",
        "danke",
        "gracias",
        "obrigado",
        "obrigada",
        "grazie",
        "mille",
        "beaucoup",
        "schön",
        "vielen",
        "dank",
        "super",
        "vale",
        "perfecto",
        "d",
        "accord",
        "fantastic",
        "amazing",
        "appreciate",
        "appreciated",
        "that's",
        "thats",
        "worked",
        "alright",
        "np",
        "will",
        "do",
        "exactly",
        "right",
        "understood",
    ]
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def is_light(text: str) -> bool:
    """True for short acknowledgements and greetings ("thanks!", "ok", "cool") with no new ask."""
    stripped = text.strip()
    if not stripped or "?" in stripped or any(ch.isdigit() for ch in stripped):
        return False
    words = _words(stripped)
    return 0 < len(words) <= 6 and all(word in _LIGHT_WORDS for word in words)


def explicit_ask(text: str) -> str | None:
    """ "reasoning" for an explicit ask to think hard, "fast" for a quick-answer ask, else None."""
    lower = text.lower()
    if any(phrase in lower for phrase in _THINK_HARD):
        return "reasoning"
    if any(phrase in lower for phrase in _QUICK):
        return "fast"
    return None


def _content_features(text: str) -> tuple[float, float, float, float]:
    lower = text.lower()
    words = _WORD.findall(lower)
    code_hits = sum(marker in lower for marker in _CODE_MARKERS) + len(_CODE_LINE.findall(text))
    math_hits = len(_MATH_SYMBOLS.findall(lower)) + sum(w in _MATH_WORDS for w in words)
    multi_hits = sum(w in _MULTI_WORDS or w.startswith(_MULTI_STEMS) for w in words)
    multi_hits += sum(phrase in lower for phrase in _MULTI_PHRASES)
    return (
        min(code_hits, 3) / 3.0,
        min(math_hits, 3) / 3.0,
        min(len(_NUMBER.findall(text)), 6) / 6.0,
        min(multi_hits, 3) / 3.0,
    )


def last_user_message(history: Sequence[Mapping[str, str]]) -> str | None:
    """The content of the most recent user message in `history`, if any."""
    for message in reversed(history):
        if message.get("role") == "user":
            return str(message.get("content", ""))
    return None


def text_features(text: str, history: Sequence[Mapping[str, str]] = ()) -> NDArray[np.float32]:
    """The feature vector named by `FEATURE_NAMES`, each value in [0, 1]."""
    code, maths, numbers, multi = _content_features(text)
    n_words = len(_words(text))
    length = min(math.log1p(n_words) / math.log1p(400), 1.0)
    previous = last_user_message(history)
    if previous is None:
        context = (0.0, 0.0, 0.0, 0.0)
        follow_up = 0.0
    else:
        context = _content_features(previous)
        follow_up = 1.0 if n_words <= 25 else 0.5
    values = (
        code,
        maths,
        numbers,
        multi,
        length,
        1.0 if "?" in text else 0.0,
        1.0 if is_light(text) else 0.0,
        *context,
        follow_up,
    )
    return np.asarray(values, dtype=np.float32)
