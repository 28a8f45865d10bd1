"""The value types of steering: a constraint, a checker's verdict, and a repair's result."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["developer", "user", "chat", "one_off"]


class Constraint(BaseModel):
    """One verifiable constraint on replies: a type id (IFEval's or ``style:*``) and its kwargs."""

    model_config = ConfigDict(frozen=True)

    id: str
    kwargs: dict[str, Any] = Field(default_factory=dict)
    source: Source | None = None
    created_at: datetime | None = None

    def key(self) -> tuple[str, str]:
        """A hashable identity (id and kwargs) for de-duplication."""
        return self.id, json.dumps(self.kwargs, sort_keys=True, default=str)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape ``{"id": ..., "kwargs": {...}}`` plus provenance when known."""
        out: dict[str, Any] = {"id": self.id, "kwargs": dict(self.kwargs)}
        if self.source is not None:
            out["source"] = self.source
        if self.created_at is not None:
            out["created_at"] = self.created_at.isoformat()
        return out


class Verdict(BaseModel):
    """A checker's answer for one constraint on one reply; `detail` says what failed."""

    model_config = ConfigDict(frozen=True)

    id: str
    passed: bool
    detail: str = ""


class RepairResult(BaseModel):
    """A reply after lossless repairs, which repairs were applied, and the final verdicts."""

    model_config = ConfigDict(frozen=True)

    text: str
    applied: list[str]
    verdicts: list[Verdict]
    before: list[Verdict] = Field(default_factory=list)  # the verdicts on the reply as given
    fell_back: list[str] = Field(default_factory=list)  # rules kept only by their fallback

    @property
    def passed(self) -> bool:
        """True when every constraint holds on the repaired text."""
        return all(v.passed for v in self.verdicts)
