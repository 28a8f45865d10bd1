"""The LLM extractor against a fake gateway replaying what real models return."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from persona.errors import ProviderError
from persona.memory.extract import Candidate, CurrentMemory, extract
from persona.memory.extract.llm import RESPONSE_FORMAT, LLMExtractor, ParseError, parse_json_lenient

ITEM = '"kind": "fact", "text": "Lives in Paris", "attribute": "location", "importance": 0.8'
GOOD = '{"memories": [{' + ITEM + "}]}"
PARIS = [Candidate("fact", "Lives in Paris", "location", None, 0.8)]


@dataclass
class Reply:
    text: str
    reasoning: str | None = None
    model: str = "fake"


@dataclass
class FakeGateway:
    """Returns the scripted replies in order (an exception instance is raised instead)."""

    replies: list[Reply | Exception]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def complete(
        self,
        messages: list[dict[str, Any]],
        *,
        model: str,
        response_format: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> Reply:
        self.calls.append(
            {"messages": [dict(m) for m in messages], "model": model, "fmt": response_format}
        )
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        return reply


@pytest.mark.parametrize(
    "reply",
    [
        Reply(GOOD),
        Reply(f"```json\n{GOOD}\n```"),
        Reply(
            f"Sure! Here are the memories I found:\n```\n{GOOD}\n```\nLet me know if you need more."
        ),
        Reply(f"Here you go: {GOOD} Hope that helps!"),
        Reply("", reasoning=f"The user says they live in Paris. Output: {GOOD}"),
        Reply(f"<think>the user lives in Paris, so {{not json}}</think>\n{GOOD}"),
        Reply(GOOD.replace('"', "'")),
        Reply('{"memories": [{' + ITEM + ",},],}"),
        Reply("[{" + ITEM.replace('"location"', '"Location"').replace("0.8", '"0.8"') + "}]"),
        Reply(
            '{"facts": [{' + ITEM.replace('"kind"', '"type"').replace('"text"', '"memory"') + "}]}"
        ),
    ],
    ids=[
        "clean",
        "fence",
        "chatty-fence",
        "surrounded",
        "reasoning",
        "think",
        "single-quotes",
        "trailing-commas",
        "bare-list",
        "other-keys",
    ],
)
def test_malformed_but_usable_output_parses_first_time(reply: Reply) -> None:
    gateway = FakeGateway([reply])
    extractor = LLMExtractor(gateway, "gpt-test")
    assert extractor.extract("I live in Paris") == PARIS
    assert extractor.last_outcome == "llm"
    assert len(gateway.calls) == 1
    assert gateway.calls[0]["fmt"] == RESPONSE_FORMAT
    assert gateway.calls[0]["model"] == "gpt-test"


def test_items_are_validated_and_clamped() -> None:
    raw = (
        '{"memories": [{"kind": "hobby", "text": "Plays chess", "importance": 7},'
        ' {"kind": "fact", "text": "   "}, "Has a cat", 42,'
        ' {"kind": "instruction", "text": "Answer briefly", "attribute": "", "importance": "x"}]}'
    )
    extractor = LLMExtractor(FakeGateway([Reply(raw)]), "m")
    assert extractor.extract("…") == [
        Candidate("fact", "Plays chess", None, None, 1.0),
        Candidate("fact", "Has a cat", None, None, 0.5),
        Candidate("instruction", "Answer briefly", None, None, 0.5),
    ]


def test_one_retry_carries_the_parse_error() -> None:
    gateway = FakeGateway([Reply("I found that the user lives in Paris."), Reply(GOOD)])
    extractor = LLMExtractor(gateway, "m")
    assert extractor.extract("I live in Paris") == PARIS
    assert extractor.last_outcome == "llm_retry"
    retry = gateway.calls[1]["messages"]
    assert retry[:2] == gateway.calls[0]["messages"]
    assert retry[2] == {"role": "assistant", "content": "I found that the user lives in Paris."}
    assert retry[3]["role"] == "user"
    assert retry[3]["content"].startswith(
        "That was not valid JSON (the reply contains no JSON object)"
    )


def test_two_bad_replies_fall_back_to_the_rules() -> None:
    gateway = FakeGateway([Reply('{"memories": [ {"kind": '), Reply("no")])
    extractor = LLMExtractor(gateway, "m")
    assert extractor.extract("I'm vegan and I live in Rome") == [
        Candidate("fact", "Is vegan", "diet", "vegan", 0.8),
        Candidate("fact", "Lives in Rome", "location", "Rome", 0.8),
    ]
    assert (extractor.last_outcome, len(gateway.calls)) == ("fallback:unparsable", 2)


def test_provider_error_falls_back_to_the_rules() -> None:
    gateway = FakeGateway([ProviderError("upstream 503")])
    extractor = LLMExtractor(gateway, "m")
    assert extractor.extract("I live in Rome") == [
        Candidate("fact", "Lives in Rome", "location", "Rome", 0.8)
    ]
    assert extractor.last_outcome == "fallback:provider_error"


def test_unstructured_mode_sends_no_response_format() -> None:
    gateway = FakeGateway([Reply(GOOD)])
    LLMExtractor(gateway, "m", structured=False).extract("I live in Paris")
    assert gateway.calls[0]["fmt"] is None


def test_parse_errors() -> None:
    with pytest.raises(ParseError, match="no JSON object"):
        parse_json_lenient("nothing here", None, "")
    with pytest.raises(ParseError):
        parse_json_lenient('{"a": [1, 2}')
    assert parse_json_lenient("x", '{"a": true, "b": null}') == {"a": True, "b": None}


def test_auto_mode_uses_the_llm_for_capable_models_and_rules_for_tiny_local_ones() -> None:
    gateway = FakeGateway([Reply(GOOD)])
    remembered = extract(
        "Remember that I'm vegan. I live in Paris", gateway=gateway, model="gpt-4.1-mini"
    )
    assert remembered.extractor == "llm"
    assert remembered.candidates == [Candidate("fact", "Is vegan", "diet", "vegan", 0.8), *PARIS]
    assert gateway.calls[0]["messages"][1]["content"] == "USER: I live in Paris."

    local = extract("I live in Paris", gateway=FakeGateway([]), model="local/gemma-3-270m")
    assert local.extractor == "rules"
    assert local.candidates == [Candidate("fact", "Lives in Paris", "location", "Paris", 0.8)]


CURRENT = [
    CurrentMemory("id-paris", "fact", "Lives in Paris", "location"),
    CurrentMemory("id-jazz", "preference", "Loves jazz", "opinion:jazz"),
    CurrentMemory("id-cat", "fact", "Has a cat", None),
]


def _ops(*items: str) -> Reply:
    return Reply('{"operations": [' + ", ".join(items) + "]}")


def test_the_prompt_lists_the_current_memories_under_short_references() -> None:
    gateway = FakeGateway([_ops()])
    assert LLMExtractor(gateway, "m").extract("hello", current=CURRENT) == []
    assert gateway.calls[0]["messages"][1]["content"] == (
        "CURRENT MEMORIES (id | kind | attribute | text):\n"
        "m1 | fact | location | Lives in Paris\n"
        "m2 | preference | opinion:jazz | Loves jazz\n"
        "m3 | fact | - | Has a cat\n"
        "\n"
        "USER: hello"
    )


def test_operations_name_the_memories_they_replace_or_end() -> None:
    reply = _ops(
        '{"op": "supersede", "id": "m1", "kind": "fact", "text": "Lives in Berlin",'
        ' "attribute": "location", "importance": 0.8}',
        '{"op": "invalidate", "id": "m2", "kind": "preference", "text": null,'
        ' "attribute": null, "importance": 0.5}',
        '{"op": "add", "id": null, "kind": "fact", "text": "Is allergic to peanuts",'
        ' "attribute": "allergy:peanuts", "importance": 0.9}',
        '{"op": "none", "id": null, "kind": "fact", "text": "nothing", "attribute": null,'
        ' "importance": 0}',
    )
    got = LLMExtractor(FakeGateway([reply]), "m").extract(
        "We relocated to Berlin, I'm over jazz, and I have a peanut allergy", current=CURRENT
    )
    assert got == [
        Candidate("fact", "Lives in Berlin", "location", None, 0.8, op="supersede",
                  target_id="id-paris"),
        Candidate("preference", "Loves jazz", "opinion:jazz", op="invalidate", target_id="id-jazz"),
        Candidate("fact", "Is allergic to peanuts", "allergy:peanuts", None, 0.9),
    ]  # fmt: skip


def test_references_to_memories_it_was_not_shown_are_not_trusted() -> None:
    reply = _ops(
        # a real id copied from elsewhere, or an invented reference: never ends a memory
        '{"op": "invalidate", "id": "id-paris", "kind": "fact", "text": null,'
        ' "attribute": null, "importance": 0.5}',
        '{"op": "invalidate", "id": "m9", "kind": "fact", "text": null, "attribute": null,'
        ' "importance": 0.5}',
        # a supersede without a known target is an add: consolidation still replaces by attribute
        '{"op": "supersede", "id": "m7", "kind": "fact", "text": "Lives in Rome",'
        ' "attribute": "location", "importance": 0.8}',
        '{"op": "delete", "id": "m1", "kind": "fact", "text": "x", "attribute": null,'
        ' "importance": 0.5}',
        '{"op": "supersede", "id": "m1", "kind": "fact", "text": "  ", "attribute": null,'
        ' "importance": 0.5}',
    )
    got = LLMExtractor(FakeGateway([reply]), "m").extract("I live in Rome", current=CURRENT)
    assert got == [Candidate("fact", "Lives in Rome", "location", None, 0.8)]


def test_the_rule_fallback_sees_the_current_memories_too() -> None:
    current = [CurrentMemory("id-paris", "fact", "Lives in Paris", "location")]
    gateway = FakeGateway([ProviderError("upstream 503")])
    got = LLMExtractor(gateway, "m").extract("I meant Lyon, not Paris.", current=current)
    assert [(c.op, c.text, c.target_id) for c in got] == [
        ("supersede", "Lives in Lyon", "id-paris")
    ]
