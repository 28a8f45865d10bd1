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

_CODE = re.compile(
    r"```|Traceback \(most recent|^\s*at [\w.$]+\(|Exception in thread|panicked at|"
    r"\b(def|class|import|return|func|fn|const|let|var|async|await|public|void|#include)\b"
    r".*[:;({=]|[;{}]\s*$|=>|->|\w+\([^)]*\)\s*[;{:]|\bSELECT\b.+\bFROM\b|\w+Error\b|"
    r"\w+Exception\b|segmentation fault|error\[E\d+\]",
    re.MULTILINE,
)
_MATH = re.compile(
    r"\d\s*[-+*/^=<>]\s*[\d(a-z]|\b[a-z]\s*[\^=]\s*\S|\^\d|sqrt|\\frac|∫|∑|√|π|≤|≥|≠|"
    r"\b(log|ln|sin|cos|tan|lim|mod|dx|det)\b|\b(integral|derivative|eigen\w*|matrix|"
    r"equation|theorem|prime|probability|polynomial)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])[$€£]?\d+(?:[.,]\d+)*%?")
_MULTI_STEP = re.compile(
    r"step[- ]by[- ]step|\b(prove|proof|show that|derive|calculate|compute|solve|how (many|much|"
    r"long|far|old)|when will|at what|plan|schedule|itinerary|timeline|milestones|analy[sz]\w*|"
    r"compare|trade-?offs?|pros and cons|justify|explain why|reason\w*|optimi[sz]\w*|debug|"
    r"bug|fix|implement|design|refactor|complexity|estimate|forecast|deduct\w*|tax\w*|legal|"
    r"liab\w*|enforceable|contract|evaluate|what if|double-check|verify|"
    r"paso a paso|demuestra|calcula|resuelve|cu[aá]nt[oa]s?|étape par étape|démontre|"
    r"calcule|combien|schritt für schritt|beweise|berechne|wie viele|passo a passo|prove que|"
    r"quant[oa]s|dimostra)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+", re.UNICODE)

_LIGHT_WORDS = frozenset(
    "thanks thank you ty thx ok okay k cool great perfect got it nice awesome lol haha hi hello "
    "hey bye good night morning see later that works makes sense all much so a lot cheers "
    "brilliant yes yep yeah no nope sure fine sounds to know wow merci danke gracias obrigado "
    "obrigada grazie mille beaucoup schön vielen dank super vale perfecto d accord fantastic "
    "amazing appreciate appreciated that's thats worked alright np will do exactly right "
    "understood".split()
)
_THINK_HARD = re.compile(
    r"\b(think (hard|carefully|deeply|it through|step by step)|take your time|reason (carefully|"
    r"it through)|be thorough|thoroughly|double-check|careful(ly)? reason\w*|deep dive|"
    r"réfléchis bien|piensa bien|piénsalo bien|denk gründlich|gründlich prüfen|pensa bene|"
    r"pense bem)\b",
    re.IGNORECASE,
)
_QUICK = re.compile(
    r"\b(quick answer|just a quick|quick question|briefly|in one word|one-word|short answer|"
    r"tl;?dr|no need to think|don'?t overthink|off the top of your head|respuesta rápida|"
    r"réponse rapide|kurze frage|kurz gesagt|resposta rápida|risposta veloce)\b",
    re.IGNORECASE,
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
    """"reasoning" for an explicit ask to think hard, "fast" for a quick-answer ask, else None."""
    if _THINK_HARD.search(text):
        return "reasoning"
    if _QUICK.search(text):
        return "fast"
    return None


def _content_features(text: str) -> tuple[float, float, float, float]:
    code = min(len(_CODE.findall(text)), 3) / 3.0
    maths = min(len(_MATH.findall(text)), 3) / 3.0
    numbers = min(len(_NUMBER.findall(text)), 6) / 6.0
    multi = min(len(_MULTI_STEP.findall(text)), 3) / 3.0
    return code, maths, numbers, multi


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
