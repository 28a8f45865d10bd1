"""The kinds of memory, named once: every list of kinds (API, CLI, extractors, summary) is here.

A `StatedKind` is something the user said or an app wrote (extractors, the REST API, the CLI);
an `episode` is a past exchange, indexed by the background worker for episodic recall.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

from persona.errors import InvalidInput

StatedKind = Literal["fact", "preference", "event", "instruction"]
MemoryKind = Literal[StatedKind, "episode"]

STATED_KINDS: Final[tuple[StatedKind, ...]] = get_args(StatedKind)
MEMORY_KINDS: Final[tuple[MemoryKind, ...]] = (*STATED_KINDS, "episode")
EPISODE: Final[MemoryKind] = "episode"

# standing facts about the user, put in every prompt (retrieval adds the relevant rest)
PROFILE_KINDS: Final[tuple[StatedKind, ...]] = ("fact", "preference", "instruction")
# the memory summary's sections, in the order it shows them
SUMMARY_KINDS: Final[tuple[StatedKind, ...]] = ("fact", "preference", "instruction", "event")


def stated_kind(value: str) -> StatedKind:
    """`value` as a kind a user or app may write, or InvalidInput naming the kinds."""
    for kind in STATED_KINDS:
        if value == kind:
            return kind
    raise InvalidInput(f"kind must be one of {', '.join(STATED_KINDS)}", param="kind")


def memory_kind(value: str) -> MemoryKind:
    """`value` as any memory kind (episodes included), or InvalidInput naming the kinds."""
    for kind in MEMORY_KINDS:
        if value == kind:
            return kind
    raise InvalidInput(f"kind must be one of {', '.join(MEMORY_KINDS)}", param="kind")
