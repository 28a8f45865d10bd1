"""Text measures shared by the checkers, following IFEval's published definitions.

Words are ``\\w+`` runs (IFEval's RegexpTokenizer). Sentences follow the behaviour of the
Punkt English tokenizer IFEval uses, reimplemented here without NLTK: a sentence ends at
``.``, ``?`` or ``!`` followed by whitespace or closing punctuation, except after a known
abbreviation or an initial, after a number or ellipsis when the next word is lowercase, and
never at a bare line break.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_WORD = re.compile(r"\w+")
_END_CONTEXT = re.compile(r"\S*[.?!](?=(?P<after>[?!)\";}\]*:@'({\[])|\s+(?P<next>\S+))")
_CLOSERS = re.compile(r"[\"')\]}]+(?=\s|$)")
_NUMBER = re.compile(r"^-?[.,]?\d[\d,.\-]*\.?$")
_LEADING_PUNCT = "(\"`{[:;&#*@)}]-,'"
# fmt: off
# Punkt's common English abbreviations (lowercase, without the final period)
ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "u.s", "u.k",
    "u.s.a", "a.m", "p.m", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul",
    "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "no", "approx", "dept", "est", "fig",
    "gen", "gov", "lt", "col", "sgt", "capt", "rev", "hon", "messrs", "mme", "mlle", "ph.d",
    "ave", "blvd", "rd", "n.y", "d.c", "l.a", "cf", "al", "viz",
))
# fmt: on
# fmt: off
# capitalised words that start sentences far more often than they occur mid-sentence
_SENT_STARTERS = frozenset((
    "the", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "you",
    "i'm", "our", "your", "my", "a", "an", "in", "on", "at", "for", "but", "and", "or", "so",
    "if", "when", "while", "as", "however", "there", "here", "what", "why", "how", "then",
    "also", "finally", "first", "next", "after", "before", "although", "because", "since",
    "with", "without", "to", "from", "by", "of",
))
# fmt: on


def count_words(text: str) -> int:
    """Number of ``\\w+`` tokens."""
    return len(_WORD.findall(text))


def _is_break(word: str, next_tok: str | None) -> bool:
    """Whether the period/question/exclamation ending `word` ends a sentence."""
    if word[-1] in "?!":
        return True
    if word.endswith(".."):
        return _starts_sentence(next_tok)
    core = word.lstrip(_LEADING_PUNCT)
    stem = core[:-1].lower()
    if not stem:
        return True
    if stem in ABBREVIATIONS or stem.split("-")[-1] in ABBREVIATIONS:
        return _starts_sentence(next_tok)
    if len(stem) == 1 and stem.isalpha():  # an initial
        return _starts_sentence(next_tok)
    if _NUMBER.match(core):
        return not (next_tok and (next_tok[0].islower() or next_tok[0] in ";:,.!?"))
    return True


def _starts_sentence(next_tok: str | None) -> bool:
    if not next_tok or not next_tok[0].isupper():
        return False
    return next_tok.lower().strip(".,;:!?\"'") in _SENT_STARTERS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Start and end offsets of each sentence in `text`."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END_CONTEXT.finditer(text):
        if _is_break(m.group(0), m.group("next")):
            spans.append((start, m.end()))
            start = m.start("next") if m.group("next") else m.end()
    end = len(text.rstrip())
    if text[start:end].strip():
        spans.append((start, end))
    # closing quotes and brackets after a sentence end belong to that sentence
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        lead = _CLOSERS.match(text, s)
        if merged and lead:
            merged[-1] = (merged[-1][0], lead.end())
            s = lead.end()
        if text[s:e].strip():
            merged.append((s, e))
    return merged


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, stripped."""
    return [text[s:e].strip() for s, e in sentence_spans(text)]


def count_sentences(text: str) -> int:
    """Number of sentences (Punkt-compatible, see the module docstring)."""
    return len(sentence_spans(text))


_CLITIC = re.compile(r"(?i)^(.+?)(n't|'s|'m|'d|'ll|'re|'ve)$")
_SPLIT_ALSO = re.compile(r"(?i)^(can)(not)$|^(gon)(na)$|^(got)(ta)$|^(wan)(na)$")
_EDGE = "\"'`([{<)]}>.,;:!?\u201c\u201d\u2018\u2019"


def word_tokens(text: str) -> list[str]:
    """Treebank-style word tokens: punctuation at the edges and clitics split off."""
    out: list[str] = []
    for raw in text.split():
        tok = raw.strip(_EDGE)
        if not tok:
            continue
        m = _SPLIT_ALSO.match(tok)
        if m:
            out.extend(g for g in m.groups() if g)
            continue
        m = _CLITIC.match(tok)
        if m:
            out.extend(m.groups())
        else:
            out.append(tok)
    return out


def count_capital_words(text: str) -> int:
    """Number of word tokens written entirely in capitals (IFEval's ``isupper`` words)."""
    return sum(1 for tok in word_tokens(text) if tok.isupper())


def paragraphs_by_divider(text: str) -> list[str]:
    """Paragraphs separated by the markdown divider ``***`` (IFEval number_paragraphs)."""
    return re.split(r"\s?\*\*\*\s?", text)


def paragraphs_by_blank_line(text: str) -> list[str]:
    """Paragraphs separated by ``\\n\\n`` (IFEval nth_paragraph_first_word)."""
    return re.split(r"\n\n", text)


def cut_to_limit(text: str, fits: Callable[[str], bool]) -> str | None:
    """The longest prefix of `text` ending at a sentence boundary for which `fits(prefix)`.

    Returns None when not even the first sentence fits.
    """
    for _, end in reversed(sentence_spans(text)):
        prefix = text[:end].rstrip()
        if fits(prefix):
            return prefix
    return None


ELLIPSIS = "\u2026"


def cut_at_words(text: str, fits: Callable[[str], bool]) -> str | None:
    """The longest prefix of `text` that `fits`, cut at a line break or else after a word.

    The fallback of the length limits when not even the first sentence fits: a cut inside a
    sentence is marked with an ellipsis, so the reader sees the text was cut. None when not
    even the first word fits.
    """
    for m in reversed(list(re.finditer(r"\n", text))):
        prefix = text[: m.start()].rstrip()
        if prefix and fits(prefix):
            return prefix
    for m in reversed(list(re.finditer(r"\S+", text))):
        prefix = text[: m.end()].rstrip(" \t,;:-\u2013\u2014") + ELLIPSIS
        if fits(prefix):
            return prefix
    return None
