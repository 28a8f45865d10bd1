"""End to end with the real local Gemma model and the real embedding model (no network)."""

from __future__ import annotations

import pytest

from persona import Persona

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def p(tmp_path_factory: pytest.TempPathFactory) -> Persona:
    data = tmp_path_factory.mktemp("e2e")
    with Persona(data_dir=data, max_tokens_default=48) as persona:
        yield persona


def test_memory_follows_the_user_across_turns(p: Persona) -> None:
    first = p.chat("maria", "I'm vegetarian and I live in Paris")
    assert first.reply.strip()
    assert first.model == "local/gemma-3-270m"
    p.process_background()
    p.chat("maria", "I moved to Berlin last month")
    p.process_background()

    reply = p.chat("maria", "suggest a restaurant near me")
    used = " ".join(m.text for m in reply.trace.memories)
    assert "Berlin" in used and "egetarian" in used
    assert "Paris" not in used
    system = reply.trace.prompt.system
    assert "Berlin" in system and "Paris" not in system

    facts = {m.text for m in p.memories("maria").list(kind="fact")}
    assert any("Berlin" in t for t in facts) and not any("Paris" in t for t in facts)
    everything = p.memories("maria").list(include_invalid=True)
    paris = next(m for m in everything if "Paris" in m.text)
    assert paris.invalid_at is not None and paris.superseded_by is not None
    ops = [h.op for h in p.memories("maria").history(paris.id)]
    assert ops == ["add", "supersede"]


def test_a_standing_constraint_holds_through_turn_twelve(p: Persona) -> None:
    first = p.chat("leo", "From now on, never use capital letters.")
    saved = first.trace.steering.stored_from_message.constraints
    assert [c.id for c in saved] == ["change_case:english_lowercase"]
    history = [
        {"role": "user", "content": "From now on, never use capital letters."},
        {"role": "assistant", "content": first.reply},
    ]
    fell_back = 0
    for i in range(11):
        question = f"Tell me one fact about the number {i + 2}."
        reply = p.chat("leo", messages=[*history, {"role": "user", "content": question}])
        history += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": reply.reply},
        ]
        steering = reply.trace.steering
        # the rule holds after repair on every turn, whatever the tiny model wrote
        assert reply.reply.strip() and reply.reply == reply.reply.lower()
        assert [(r.id, r.passed) for r in steering.results] == [
            ("change_case:english_lowercase", True)
        ]
        assert steering.compliant is True
        if steering.fallback is not None:
            # the honest last resort: it says which rule it kept and keeps the model's text
            assert steering.fallback.rules == ["change_case:english_lowercase"]
            fell_back += 1
    assert fell_back <= 3, f"fallback on {fell_back} of 11 turns"
    assert len(history) == 24  # turn 12 answered


def test_streaming_reply_is_the_repaired_text(p: Persona) -> None:
    items = list(p.stream("leo", "Say hello to Ada Lovelace."))
    final = items[-1]
    text = "".join(i for i in items[:-1] if isinstance(i, str))
    assert text == final.reply == final.reply.lower()
