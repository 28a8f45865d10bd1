"""Text features, light acknowledgements and explicit asks."""

from __future__ import annotations

import pytest

from persona.route.features import FEATURE_NAMES, explicit_ask, is_light, text_features


@pytest.mark.parametrize(
    ("text", "light"),
    [
        ("thanks!", True),
        ("ok", True),
        ("cool, thank you so much", True),
        ("merci beaucoup !", True),
        ("ok but why?", False),
        ("thanks, now do it for 5 years", False),
        ("", False),
    ],
)
def test_is_light(text: str, light: bool) -> None:
    assert is_light(text) is light


@pytest.mark.parametrize(
    ("text", "ask"),
    [
        ("Think hard about this: is 91 prime?", "reasoning"),
        ("please take your time and be thorough", "reasoning"),
        ("Réfléchis bien avant de répondre", "reasoning"),
        ("just a quick answer: capital of Peru?", "fast"),
        ("Respuesta rápida: ¿qué hora es en Tokio?", "fast"),
        ("What is 2 + 2?", None),
    ],
)
def test_explicit_ask(text: str, ask: str | None) -> None:
    assert explicit_ask(text) == ask


def test_text_features() -> None:
    values = dict(zip(FEATURE_NAMES, text_features("thanks!").tolist(), strict=True))
    assert values == dict.fromkeys(FEATURE_NAMES, 0.0) | {
        "length": pytest.approx(0.1156, abs=1e-3),
        "light": 1.0,
    }
    code = "```\ndef f(x):\n    return x[0]\n```\nIndexError: list index out of range"
    history = [{"role": "user", "content": code}, {"role": "assistant", "content": "..."}]
    follow = dict(zip(FEATURE_NAMES, text_features("and now?", history).tolist(), strict=True))
    assert follow["context_code"] == 1.0
    assert follow["follow_up"] == 1.0
    assert follow["code"] == 0.0
