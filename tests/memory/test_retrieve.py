"""Hybrid retrieval with the real embedding model on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from persona.embed import Embedder
from persona.memory.retrieve import Hit, Retriever, approx_tokens, select_for_prompt
from persona.memory.state import terms
from persona.memory.writes import bump_version
from store.models import Memory, User
from tests.factories import make_user

T0 = datetime(2024, 1, 1, tzinfo=UTC)
T1 = datetime(2024, 6, 1, tzinfo=UTC)


def _remember(
    session: Session, embedder: Embedder, user: User, mid: str, text: str, **fields: Any
) -> None:
    assert user.id is not None
    vector = embedder.embed([text])[0].astype("<f4").tobytes()
    fields.setdefault("kind", "fact")
    session.add(Memory(id=mid, user_id=user.id, text=text, embedding=vector, **fields))
    bump_version(session, user)
    session.commit()


def _search(
    retriever: Retriever, session: Session, embedder: Embedder, user: User, query: str, **kw: Any
) -> list[str]:
    assert user.id is not None
    hits = retriever.search(session, user.id, query, embedder.embed([query])[0], 5, **kw)
    return [h.memory.id for h in hits]


@pytest.fixture
def alice(session: Session, embedder: Embedder) -> User:
    user = make_user(session, "alice")
    _remember(session, embedder, user, "dog", "I have a dog named Rex", valid_from=T0)
    _remember(session, embedder, user, "job", "I work as a nurse at the city hospital")
    _remember(session, embedder, user, "food", "My favourite food is sushi", kind="preference")
    _remember(
        session, embedder, user, "paris", "I live in Paris",
        valid_from=T0, invalid_at=T1, superseded_by="berlin",
    )  # fmt: skip
    _remember(session, embedder, user, "berlin", "I live in Berlin", valid_from=T1)
    return user


def test_hybrid_finds_semantic_and_lexical_matches(
    session: Session, embedder: Embedder, alice: User
) -> None:
    retriever = Retriever()
    assert _search(retriever, session, embedder, alice, "What kind of pet do I own?")[0] == "dog"
    assert _search(retriever, session, embedder, alice, "Rex")[0] == "dog"
    assert _search(retriever, session, embedder, alice, "Where do I live now?")[0] == "berlin"
    assert alice.id is not None
    hit = retriever.search(session, alice.id, "sushi", embedder.embed(["sushi"])[0], 1)[0]
    assert (hit.memory.id, hit.lexical > 0, hit.lexical_rank, hit.dense_rank) == (
        "food", True, 1, 1
    )  # fmt: skip


def test_terms_meet_irregular_past_forms_with_the_base_form() -> None:
    assert terms("She bought a guitar, went home and wrote songs") == [
        "buy", "guitar", "go", "home", "write", "song"
    ]  # fmt: skip
    assert terms("What did she buy? Where did she go?") == ["buy", "go"]
    assert terms("a bit of rose tea") == ["bit", "rose", "tea"]  # other senses stay whole


def test_a_question_in_the_base_form_matches_an_irregular_past_lexically(
    session: Session, embedder: Embedder
) -> None:
    user = make_user(session, "bea")
    _remember(session, embedder, user, "bought", "I bought a bike last week")
    _remember(session, embedder, user, "rode", "We rode along the river on Sunday")
    _remember(session, embedder, user, "cake", "I baked a cake for my mother")
    assert user.id is not None
    query = "What did I buy?"
    hits = Retriever().search(session, user.id, query, embedder.embed([query])[0], 3)
    assert [(h.memory.id, h.lexical > 0, h.lexical_rank) for h in hits][:1] == [("bought", True, 1)]
    assert [h.memory.id for h in hits if h.lexical > 0] == ["bought"]


def test_relevance_gate_returns_nothing_for_unrelated_queries(
    session: Session, embedder: Embedder, alice: User
) -> None:
    assert (
        _search(Retriever(), session, embedder, alice, "quantum chromodynamics on a lattice") == []
    )


def test_validity_as_of_and_filters(session: Session, embedder: Embedder, alice: User) -> None:
    r = Retriever()
    where = "Where do I live?"
    assert "paris" not in _search(r, session, embedder, alice, where)
    assert _search(r, session, embedder, alice, where, as_of=T0 + timedelta(days=1))[:1] == [
        "paris"
    ]
    assert "berlin" not in _search(r, session, embedder, alice, where, as_of=T0 + timedelta(days=1))
    both = _search(r, session, embedder, alice, where, include_invalid=True)
    assert {"paris", "berlin"} <= set(both)
    assert _search(r, session, embedder, alice, "sushi food", kinds=["fact"]) == []
    assert _search(r, session, embedder, alice, "sushi food", kinds=["preference"]) == ["food"]

    _remember(
        session, embedder, alice, "trip", "I am travelling to Rome next week",
        expires_at=datetime.now(UTC) - timedelta(days=1),
    )  # fmt: skip
    assert "trip" not in _search(r, session, embedder, alice, "Rome trip")
    _remember(
        session, embedder, alice, "tagged", "I play the violin",
        meta={"source": "import"}, scope="session", session_id="s1", agent_id="a1",
    )  # fmt: skip
    violin = "Do I play the violin?"
    assert _search(r, session, embedder, alice, violin, metadata={"source": "import"}) == ["tagged"]
    assert _search(r, session, embedder, alice, violin, metadata={"source": "chat"}) == []
    assert "tagged" not in _search(r, session, embedder, alice, violin, session_id="s2")
    assert "tagged" not in _search(r, session, embedder, alice, violin, agent_id="a2")
    assert _search(r, session, embedder, alice, violin, session_id="s1", agent_id="a1")[0] == (
        "tagged"
    )


def test_isolation_versions_and_cache_loss(
    session: Session, embedder: Embedder, alice: User
) -> None:
    bob = make_user(session, "bob")
    _remember(session, embedder, bob, "bob-dog", "I have a dog named Rex")
    retriever = Retriever(cache_size=1)
    query = "Tell me about my dog Rex"
    for_alice = _search(retriever, session, embedder, alice, query)
    for_bob = _search(retriever, session, embedder, bob, query)  # evicts alice
    assert (for_alice[0], for_bob) == ("dog", ["bob-dog"])
    assert _search(Retriever(), session, embedder, alice, query) == for_alice

    _remember(session, embedder, bob, "bob-cat", "My dog Rex gets along with my cat")
    assert sorted(_search(retriever, session, embedder, bob, query)) == ["bob-cat", "bob-dog"]


def test_select_for_prompt_keeps_order_within_budget() -> None:
    def hit(text: str) -> Hit:
        return Hit(Memory(user_id=1, kind="fact", text=text), 1.0, 0.5, 0.0, 0.0, 1, None)

    hits = [hit("a" * 40), hit("b" * 200), hit("c" * 20), hit("d" * 8)]
    assert [approx_tokens(h.memory.text) for h in hits] == [10, 50, 5, 2]
    assert select_for_prompt(hits, 16) == [hits[0], hits[2]]
    assert select_for_prompt(hits, 100) == hits
    assert select_for_prompt(hits, 0) == []
