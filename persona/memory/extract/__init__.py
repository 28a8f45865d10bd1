"""Memory extraction: explicit commands first, then an LLM or the rule-based extractor.

Which extractor runs is chosen by what the configured model can do: in `auto` mode a model
that can follow a JSON schema gets the LLM extractor (falling back to the rules on bad output);
the bundled tiny local model, or no gateway at all, gets the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from persona.errors import InvalidInput
from persona.memory.extract.candidate import Candidate, CurrentMemory, normalize_text
from persona.memory.extract.commands import parse_commands
from persona.memory.extract.lenient_json import parse_json_lenient
from persona.memory.extract.llm import ChatGateway, LLMExtractor
from persona.memory.extract.rules import extract_rules, settle

__all__ = [
    "Candidate",
    "ChatGateway",
    "CurrentMemory",
    "Extraction",
    "ExtractorMode",
    "LLMExtractor",
    "can_extract_json",
    "extract",
    "extract_rules",
    "extract_turns",
    "normalize_text",
    "parse_commands",
    "parse_json_lenient",
]

ExtractorMode = Literal["auto", "rules", "llm"]


@dataclass
class Extraction:
    """The candidates of one message, in the order said, and which extractor produced them."""

    candidates: list[Candidate]
    extractor: str  # "rules" | "llm" | "llm_retry" | "fallback:<why>" | "none"


def can_extract_json(model: str | None) -> bool:
    """Whether `model` is expected to produce schema-following JSON."""
    from persona.llm.spec import model_spec

    return bool(model) and model_spec(str(model)).writes_json


def extract(
    message: str,
    *,
    reply: str | None = None,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    mode: ExtractorMode = "auto",
    now: datetime | None = None,
    current: Sequence[CurrentMemory] = (),
) -> Extraction:
    """Commands, then the chosen extractor over the text the commands did not consume.

    `current` is the user's currently valid memories: both extractors emit operations
    against them (supersede / invalidate by id, a restated fact as the memory it restates).
    """
    if mode not in ("auto", "rules", "llm"):
        raise InvalidInput(f"unknown extractor mode {mode!r}: use auto, rules or llm")
    parsed = parse_commands(message, now=now)
    candidates = list(parsed.candidates)
    rest = parsed.remaining
    use_llm = mode == "llm" or (mode == "auto" and gateway is not None and can_extract_json(model))
    if not rest.strip():
        return Extraction(settle(candidates, current), "none")
    if use_llm:
        if gateway is None or not model:
            raise InvalidInput("the llm extractor needs a gateway and a model")
        extractor = LLMExtractor(gateway, model)
        candidates.extend(extractor.extract(rest, reply, now=now, current=current))
        return Extraction(settle(candidates, current), extractor.last_outcome)
    candidates.extend(extract_rules(rest, now=now, current=current))
    return Extraction(settle(candidates, current), "rules")


def extract_turns(
    turns: Sequence[tuple[str, str | None, datetime | None]],
    *,
    gateway: ChatGateway | None = None,
    model: str | None = None,
    mode: ExtractorMode = "auto",
    current: Sequence[CurrentMemory] = (),
) -> list[Extraction]:
    """`extract` for several turns of one user (message, reply, when), in the order said.

    With the LLM extractor, one model call covers every turn the commands left text in; the
    rules (no model) run turn by turn as in `extract`.
    """
    if mode not in ("auto", "rules", "llm"):
        raise InvalidInput(f"unknown extractor mode {mode!r}: use auto, rules or llm")
    use_llm = mode == "llm" or (mode == "auto" and gateway is not None and can_extract_json(model))
    if not use_llm or len(turns) <= 1:
        return [
            extract(m, reply=r, gateway=gateway, model=model, mode=mode, now=t, current=current)
            for m, r, t in turns
        ]
    if gateway is None or not model:
        raise InvalidInput("the llm extractor needs a gateway and a model")
    parsed = [parse_commands(message, now=when) for message, _, when in turns]
    asked = [i for i, p in enumerate(parsed) if p.remaining.strip()]
    extractor = LLMExtractor(gateway, model)
    found = extractor.extract_turns(
        [(parsed[i].remaining, turns[i][1], turns[i][2]) for i in asked], current=current
    )
    by_turn = dict(zip(asked, found, strict=True))
    return [
        Extraction(
            settle([*p.candidates, *by_turn.get(i, [])], current),
            extractor.last_outcome if i in by_turn else "none",
        )
        for i, p in enumerate(parsed)
    ]
