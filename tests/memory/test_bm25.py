"""BM25: tokenizer, stemmer and scores against the textbook formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from persona.memory.bm25 import BM25Index, stem, tokenize


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("painting", "paint"),
        ("painted", "paint"),
        ("paints", "paint"),
        ("paintings", "paint"),
        ("running", "run"),
        ("studies", "study"),
        ("notes", "note"),
        ("boxes", "box"),
        ("glass", "glass"),
        ("happiness", "happi"),
        ("cat", "cat"),
        ("2023", "2023"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_tokenize_drops_stop_words_and_possessives() -> None:
    assert tokenize("Caroline's kids LOVED the paintings, and I'm going hiking in 2023!") == [
        "caroline",
        "kid",
        "lov",
        "paint",
        "going",
        "hik",
        "2023",
    ]
    assert tokenize("the and of") == []


def _reference(docs: list[list[str]], query: list[str], k1: float, b: float) -> list[float]:
    n = len(docs)
    avg = sum(len(d) for d in docs) / n
    out = []
    for doc in docs:
        score = 0.0
        for term in set(query):
            df = sum(term in d for d in docs)
            tf = doc.count(term)
            if tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avg))
        out.append(score)
    return out


def test_scores_match_the_formula() -> None:
    docs = [
        ["paint", "sunris", "lake"],
        ["paint", "paint", "hous"],
        ["run", "marathon"],
        ["lake", "swim", "lake", "summer", "camp"],
    ]
    index = BM25Index.build(docs, k1=1.2, b=0.5)
    query = ["paint", "lake", "unknown"]
    np.testing.assert_allclose(index.scores(query), _reference(docs, query, 1.2, 0.5), rtol=1e-5)


def test_search_returns_positive_hits_best_first() -> None:
    texts = ["I painted a sunrise by the lake", "We went running", "Painting is my hobby"]
    index = BM25Index.build([tokenize(t) for t in texts])
    assert [pos for pos, _ in index.search("paintings of lakes", 5)] == [0, 2]
    assert index.search("quantum chromodynamics", 5) == []
    assert BM25Index.build([]).search("anything", 3) == []
