"""Routing decisions on clear cases, with the real embedder and the shipped weights."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from persona.errors import InvalidInput
from persona.route import RouteDecision, Router

Embed = Callable[[str], NDArray[np.float32]]

STACK_TRACE = (
    "My checkout service crashes on every request:\n"
    "Traceback (most recent call last):\n"
    '  File "shop/views.py", line 118, in checkout\n'
    "    total = sum(item.price for item in basket.items)\n"
    "AttributeError: 'NoneType' object has no attribute 'items'\n"
    "What is going on and how do I fix it?"
)

CLEAR_CASES = [
    ("hello! how's your day going?", "fast"),
    ("good morning :)", "fast"),
    ("thanks a lot!", "fast"),
    ("What is the capital of Italy?", "fast"),
    ("Who painted The Starry Night?", "fast"),
    ("Write a short poem about rain on a tin roof.", "fast"),
    ("Prove that the sum of two odd integers is always even.", "reasoning"),
    ("Show that there is no rational number whose square is 3.", "reasoning"),
    (STACK_TRACE, "reasoning"),
    (
        "Give me a step-by-step plan to move our team's 40 services from Heroku to Kubernetes "
        "over two months, with milestones, risks and a rollback strategy.",
        "reasoning",
    ),
    (
        "A cinema sells 340 tickets at $12 and 125 at $8, and pays $900 for the film. "
        "What is its profit?",
        "reasoning",
    ),
]


@pytest.mark.parametrize(("message", "tier"), CLEAR_CASES)
def test_clear_cases(router: Router, embed: Embed, message: str, tier: str) -> None:
    decision = router.decide(message, embed(message))
    assert (decision.tier, decision.threshold) == (tier, router.default_threshold)
    assert (decision.score >= decision.threshold) == (tier == "reasoning")
    assert decision.effort in (("low", "medium", "high") if tier == "reasoning" else (None,))
    assert decision.reason.endswith(".") and len(decision.reason.split()) >= 5
    assert decision.signals[0].name == "embedding"


def test_decision_is_json(router: Router, embed: Embed) -> None:
    message = "Prove that there are infinitely many primes."
    decision = router.decide(message, embed(message), override="fast")
    score = round(router.score(message, embed(message)), 4)
    out = json.loads(json.dumps(decision.as_dict()))
    signals = out.pop("signals")
    assert out == {
        "tier": "fast",
        "score": score,
        "threshold": router.default_threshold,
        "effort": None,
        "reason": "The request asked for the fast model explicitly.",
    }
    assert signals[-1] == {"name": "override", "value": "fast", "effect": "forces fast"}
    assert {"name", "value", "effect"} == set(signals[0])


def test_stickiness_and_release(router: Router, embed: Embed) -> None:
    task = "Prove that every integer n > 1 has a prime factorisation."
    history = [{"role": "user", "content": task}, {"role": "assistant", "content": "Proof: ..."}]
    first = router.decide(task, embed(task))
    assert first.tier == "reasoning"
    follow = "ok and is it unique?"
    sticky = router.decide(follow, embed(follow), history, previous_tier=first.tier)
    assert sticky.tier == "reasoning"
    assert sticky.effort in ("low", "medium", "high")
    thanks = "thanks, that makes sense!"
    released = router.decide(thanks, embed(thanks), history, previous_tier="reasoning")
    assert (released.tier, released.effort, released.signals[-1].value) == (
        "fast",
        None,
        "released",
    )
    assert released.reason == "A short acknowledgement after a hard task needs no reasoning."


def test_no_stickiness_from_fast_turn(router: Router, embed: Embed) -> None:
    message = "cool, and what's the capital of Spain?"
    decision = router.decide(message, embed(message), previous_tier="fast")
    assert decision.tier == "fast"
    assert all(s.name != "sticky" for s in decision.signals)


def test_overrides_win(router: Router, embed: Embed) -> None:
    hi = router.decide("hi", embed("hi"), override="reasoning")
    assert (hi.tier, hi.effort) == ("reasoning", "high")
    proof = "Prove that sqrt(5) is irrational."
    fast = router.decide(proof, embed(proof), override="fast", user_preference="always_reason")
    assert fast.tier == "fast"


def test_explicit_asks_win(router: Router, embed: Embed) -> None:
    hard = "Think hard about this: what's a good name for a grey cat?"
    decision = router.decide(hard, embed(hard))
    assert (decision.tier, decision.effort) == ("reasoning", "high")
    assert decision.reason == "The message asks to think it through."
    quick = "Just a quick answer: how do I solve x^2 - 4 = 0?"
    decision = router.decide(quick, embed(quick), previous_tier="reasoning")
    assert (decision.tier, decision.reason) == ("fast", "The message asks for a quick answer.")


def test_user_preference(router: Router, embed: Embed) -> None:
    fact = "What is the capital of Japan?"
    always = router.decide(fact, embed(fact), user_preference="always_reason")
    assert (always.tier, always.reason) == (
        "reasoning",
        "The user prefers careful, reasoned answers.",
    )
    thanks = router.decide("thanks!", embed("thanks!"), user_preference="always_reason")
    assert thanks.tier == "fast"
    prefer = router.decide(fact, embed(fact), user_preference="prefer_fast")
    assert prefer.threshold == round(router.default_threshold + 0.15, 4)


def test_tenant_threshold_is_used(router: Router, embed: Embed) -> None:
    fact = "What is the capital of Japan?"
    score = router.score(fact, embed(fact))
    low = router.decide(fact, embed(fact), threshold=score / 2)
    high = router.decide(fact, embed(fact), threshold=min(score * 2 + 0.01, 1.0))
    assert (low.tier, low.threshold, high.tier) == ("reasoning", round(score / 2, 4), "fast")


def test_invalid_inputs(router: Router, embed: Embed) -> None:
    with pytest.raises(InvalidInput):
        router.decide("hi", embed("hi"), override="medium")
    with pytest.raises(InvalidInput):
        router.decide("hi", embed("hi"), user_preference="sometimes")
    with pytest.raises(InvalidInput):
        router.decide("hi", np.zeros(10, dtype=np.float32))


def test_load_is_cached() -> None:
    assert Router.load() is Router.load()


def test_decision_is_fast(router: Router, embed: Embed) -> None:
    vector = embed(STACK_TRACE)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        result = router.decide(STACK_TRACE, vector)
        timings.append(time.perf_counter() - start)
    assert isinstance(result, RouteDecision)
    assert float(np.median(timings)) < 0.001
