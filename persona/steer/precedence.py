"""Which constraints apply to a reply when developer, user and one-off requests meet.

The chain of command: a developer (tenant) constraint outranks any user constraint that
conflicts with it; among the user's standing constraints a later one supersedes an earlier
one it conflicts with or that fills the same slot (a new word limit replaces the old one);
a one-off request overrides the user's standing constraints for that reply only, never the
developer's. Keyword lists are additive: "also never say X" does not lift an earlier ban on Y.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from persona.steer.conflicts import conflict_reason
from persona.steer.registry import validate
from persona.steer.types import Constraint

_ADDITIVE = ("keywords:existence", "keywords:forbidden_words")


class Dropped(NamedTuple):
    """A constraint that does not apply, why, and the constraint that won over it."""

    constraint: Constraint
    reason: str
    winner: Constraint


@dataclass(frozen=True)
class Resolution:
    """The constraints that apply to one reply and the ones dropped (for the trace)."""

    active: list[Constraint]
    dropped: list[Dropped] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"active": [...], "dropped": [{"constraint", "reason", "winner"}]}``."""
        return {
            "active": [c.as_dict() for c in self.active],
            "dropped": [
                {
                    "constraint": d.constraint.as_dict(),
                    "reason": d.reason,
                    "winner": d.winner.as_dict(),
                }
                for d in self.dropped
            ],
        }


def slot(c: Constraint) -> tuple[str, ...]:
    """Constraints in the same slot replace each other; additive ones only when identical."""
    if c.id in _ADDITIVE:
        return c.key()
    if c.id == "keywords:frequency":
        return c.id, str(c.kwargs["keyword"]).lower()
    if c.id == "keywords:letter_frequency":
        return c.id, str(c.kwargs["letter"]).lower()
    return (c.id,)


def _with_source(constraints: Sequence[Constraint], source: str) -> list[Constraint]:
    out = []
    for c in constraints:
        c = validate(c)
        out.append(c if c.source else c.model_copy(update={"source": source}))
    return out


def _supersede(
    active: list[Constraint], new: Constraint, dropped: list[Dropped], why: str
) -> list[Constraint]:
    kept = []
    for old in active:
        if slot(old) == slot(new):
            dropped.append(Dropped(old, f"{why} of the same type", new))
        elif (reason := conflict_reason(old, new)) is not None:
            dropped.append(Dropped(old, f"{why} that conflicts: {reason}", new))
        else:
            kept.append(old)
    return [*kept, new]


def resolve(
    developer: Sequence[Constraint],
    user: Sequence[Constraint],
    one_off: Sequence[Constraint] = (),
) -> Resolution:
    """Active constraints for one reply; `user` is oldest first. InvalidInput for a bad one."""
    dropped: list[Dropped] = []
    dev: list[Constraint] = []
    for c in _with_source(developer, "developer"):
        dev = _supersede(dev, c, dropped, "superseded by a later developer constraint")
    standing: list[Constraint] = []
    for level, items, why in (
        ("user", user, "superseded by a later user constraint"),
        ("one_off", one_off, "overridden for this reply by a one-off request"),
    ):
        for c in _with_source(items, level):
            winner = next((d for d in dev if conflict_reason(d, c) is not None), None)
            if winner is not None:
                reason = f"developer constraint outranks {level}: {conflict_reason(winner, c)}"
                dropped.append(Dropped(c, reason, winner))
                continue
            standing = _supersede(standing, c, dropped, why)
    return Resolution(active=[*dev, *standing], dropped=dropped)
