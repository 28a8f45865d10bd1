"""`persona eval steering-turns`: standing rules over a conversation, before and after repair."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from persona.cli import main
from persona.evals.steering_turns import load_conversations
from persona.steer.types import Verdict
from persona.trace import (
    ConstraintRow,
    ConstraintTrace,
    Fallback,
    SteeringTrace,
    StoredFromMessage,
)
from tests.fakes.provider import FakeProvider, ok

FAST, REASONING = "openai/fast-fake", "openai/reasoning-fake"
LOWER, NO_FOLLOW_UP = "change_case:english_lowercase", "style:no_follow_up_questions"
LANGUAGE = "language:response_language"


def _write(path: Path, conversations: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(c) for c in conversations), encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["eval", "steering-turns", "--json", "--no-progress", *argv]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.fixture
def fake_models(fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    endpoint = {"api_base": fake_provider.url, "api_key": "sk-fake"}
    monkeypatch.setenv("PERSONA_FAST_MODEL", FAST)
    monkeypatch.setenv("PERSONA_REASONING_MODEL", REASONING)
    monkeypatch.setenv("PERSONA_MODEL_ENDPOINTS", json.dumps({FAST: endpoint, REASONING: endpoint}))
    monkeypatch.setenv("PERSONA_MAX_RETRIES", "0")
    return fake_provider


def test_before_and_after_repair_per_turn_with_a_model_that_breaks_rules(
    tmp_path: Path, fake_models: FakeProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(
        tmp_path / "conversations.jsonl",
        [
            {
                "id": "lower",
                "lang": "en",
                "expect": [LOWER, NO_FOLLOW_UP],
                "turns": [
                    "From now on, write only in lowercase and never end with a question.",
                    "What is the capital of France?",
                    "Tell me about Paris.",
                ],
            },
            {
                "id": "french",
                "lang": "fr",
                "expect": [LANGUAGE],
                "turns": [
                    "À partir de maintenant, réponds toujours en français.",
                    "What is the capital of Canada?",
                ],
            },
        ],
    )
    fake_models.script(
        ok("Noted, all lowercase from now on."),  # lower 1: capitals, repaired
        ok("paris is the capital of france."),  # lower 2: keeps every rule
        ok("Would you like to know more?"),  # lower 3: only a follow-up, no repair ...
        ok("paris is known for the eiffel tower."),  # ... the re-ask keeps every rule
        ok("D'accord, je réponds en français à partir de maintenant."),  # french 1: keeps it
        ok("The capital of Canada is Ottawa, a city in Ontario."),  # french 2: English ...
        ok("Ottawa is the capital of Canada and it is in Ontario."),  # ... so is the re-ask
    )
    out = _run(capsys, "--data", str(data))

    assert out == {
        "models": {"fast": FAST, "reasoning": REASONING},
        "max_tokens": 80,
        "conversations": 2,
        "replies": 5,
        "overall": {
            "replies": 5,
            "before_repair": 0.4,
            "after_repair": 1.0,
            "reasked": 0.4,
            "fallback": 0.2,
        },
        "per_turn": [
            {
                "turn": 1,
                "replies": 2,
                "before_repair": 0.5,
                "after_repair": 1.0,
                "reasked": 0.0,
                "fallback": 0.0,
            },
            {
                "turn": 2,
                "replies": 2,
                "before_repair": 0.5,
                "after_repair": 1.0,
                "reasked": 0.5,
                "fallback": 0.5,
            },
            {
                "turn": 3,
                "replies": 1,
                "before_repair": 0.0,
                "after_repair": 1.0,
                "reasked": 1.0,
                "fallback": 0.0,
            },
        ],
        "first_turn_after_repair": 1.0,
        "last_turn_after_repair": 1.0,
        "last_turn_not_below_first": True,
        "per_constraint": {
            LOWER: {"checks": 3, "before_repair": 0.3333, "after_repair": 1.0},
            LANGUAGE: {"checks": 2, "before_repair": 0.5, "after_repair": 1.0},
            NO_FOLLOW_UP: {"checks": 3, "before_repair": 0.6667, "after_repair": 1.0},
        },
        "per_conversation": {
            "french": {
                "lang": "fr",
                "rules": [LANGUAGE],
                "set_as_expected": True,
                "replies": 2,
                "before_repair": 0.5,
                "after_repair": 1.0,
                "reasked": 0.5,
                "fallback": 0.5,
            },
            "lower": {
                "lang": "en",
                "rules": [LOWER, NO_FOLLOW_UP],
                "set_as_expected": True,
                "replies": 3,
                "before_repair": 0.3333,
                "after_repair": 1.0,
                "reasked": 0.3333,
                "fallback": 0.0,
            },
        },
        "failures": [],
    }
    bodies = [r.body for r in fake_models.requests]
    assert len(bodies) == 7  # five turns and two re-asks
    # the conversation carries the replies the user got: repaired, or the notice
    assert bodies[2]["messages"][-3:-1] == [
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "paris is the capital of france."},
    ]
    assert bodies[1]["messages"][2] == {
        "role": "assistant",
        "content": "noted, all lowercase from now on.",
    }
    reask = bodies[6]["messages"][-1]["content"]
    assert reask.endswith("Write the whole reply in French. Réponds uniquement en français.")


def test_the_trace_shows_the_verdicts_before_repair_and_the_fallback(
    tmp_path: Path, fake_models: FakeProvider
) -> None:
    from persona import Persona

    fake_models.script(
        ok("Hello! The capital of Canada is Ottawa."), ok("Ottawa is the capital of Canada.")
    )
    with Persona(f"sqlite:///{tmp_path / 'p.db'}", background_worker=False) as p:
        reply = p.chat("zoe", "Réponds toujours en français : quelle est la capitale du Canada ?")
    assert reply.reply == "Je n'ai pas pu rédiger cette réponse en français."
    steering = reply.trace.steering
    french = {"language": "fr"}
    (saved,) = steering.stored_from_message.constraints  # its id and time are new ones
    assert steering == SteeringTrace(
        active=[ConstraintTrace(id=LANGUAGE, kwargs=french, source="user")],
        stored_from_message=StoredFromMessage(
            constraints=[
                ConstraintRow(
                    cid=saved.cid,
                    id=LANGUAGE,
                    kwargs=french,
                    source="chat",
                    created_at=saved.created_at,
                    turn_id=reply.id,  # the turn is its provenance
                )
            ]
        ),
        results=[Verdict(id=LANGUAGE, passed=True)],
        # the first reply as the model wrote it
        results_before_repair=[
            Verdict(id=LANGUAGE, passed=False, detail="the reply is in English, not French")
        ],
        reasked=True,
        # the re-ask did no better: the first reply is kept
        fallback=Fallback(rules=[LANGUAGE], model_text="Hello! The capital of Canada is Ottawa."),
        compliant=True,
    )


def test_a_rule_the_first_message_did_not_set_fails_every_turn(
    tmp_path: Path, fake_models: FakeProvider, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _write(
        tmp_path / "c.jsonl",
        [{"id": "lost", "expect": [LOWER], "turns": ["Hello there.", "How are you?"]}],
    )
    out = _run(capsys, "--data", str(data))
    assert out["per_turn"][1] == {
        "turn": 2,
        "replies": 1,
        "before_repair": 0.0,
        "after_repair": 0.0,
        "reasked": 0.0,
        "fallback": 0.0,
    }
    assert out["per_conversation"]["lost"]["set_as_expected"] is False
    assert out["failures"] == [
        {"conversation": "lost", "turn": 1, "failed": [], "missing": [LOWER]},
        {"conversation": "lost", "turn": 2, "failed": [], "missing": [LOWER]},
    ]


def test_the_shipped_conversations_set_their_rules_in_their_first_message() -> None:
    from persona.steer.parse import parse_preferences

    conversations = load_conversations(None)
    assert len(conversations) >= 6
    assert len({c["lang"] for c in conversations}) >= 2
    for conv in conversations:
        assert len(conv["turns"]) == 20, conv["id"]
        first = parse_preferences(conv["turns"][0])
        assert first.scope == "standing", conv["id"]
        assert sorted(c.id for c in first.constraints) == sorted(conv["expect"]), conv["id"]
        for text in conv["turns"][1:]:  # the later turns pull against the rules, set none
            later = parse_preferences(text)
            assert later.constraints == [] and later.instructions == [], (conv["id"], text)


def test_unknown_conversation_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "steering-turns", "--conversation", "nope"]) == 2
    assert capsys.readouterr().err == "persona: error: no conversation named nope\n"


@pytest.mark.slow
def test_the_local_model_keeps_lowercase_no_follow_up_and_a_word_limit_to_turn_20(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = _run(capsys, "--conversation", "en-lowercase-brief", "--max-tokens", "48")
    assert out["models"] == {"fast": "local/gemma-3-270m", "reasoning": "local/gemma-3-270m"}
    conv = out["per_conversation"]["en-lowercase-brief"]
    assert conv["rules"] == [LOWER, NO_FOLLOW_UP, "length_constraints:number_words"]
    assert conv["set_as_expected"] is True
    assert [t["turn"] for t in out["per_turn"]] == list(range(1, 21))
    assert [t["after_repair"] for t in out["per_turn"]] == [1.0] * 20
    assert out["failures"] == []
    # kept by repairs of the model's own text, the last resort only now and then
    assert out["overall"]["fallback"] <= 0.5
