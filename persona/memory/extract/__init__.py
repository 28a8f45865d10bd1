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
from persona.memory.extract.candidate import KINDS, Candidate, CurrentMemory, normalize_text
from persona.memory.extract.commands import parse_commands
from persona.memory.extract.lenient_json import parse_json_lenient
from persona.memory.extract.llm import ChatGateway, LLMExtractor
from persona.memory.extract.rules import extract_rules, settle

__all__ = [
    "KINDS",
    "Candidate",
    "ChatGateway",
    "CurrentMemory",
    "Extraction",
    "ExtractorMode",
    "LLMExtractor",
    "can_extract_json",
    "extract",
    "extract_rules",
    "normalize_text",
    "parse_commands",
    "parse_json_lenient",
]

ExtractorMode = Literal["auto", "rules", "llm"]
# small local models cannot be trusted to follow a JSON schema; the rules do better
_NO_JSON_PREFIXES = ("local/",)


@dataclass
class Extraction:
    """The candidates of one message, in the order said, and which extractor produced them."""

    candidates: list[Candidate]
    extractor: str  # "rules" | "llm" | "llm_retry" | "fallback:<why>" | "none"


def can_extract_json(model: str | None) -> bool:
    """Whether `model` is expected to produce schema-following JSON."""
    return bool(model) and not str(model).startswith(_NO_JSON_PREFIXES)


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
