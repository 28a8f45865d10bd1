"""What the engine decided before the model call (`Prepared`), its per-stage clock, and the
trace built from both once the model answered."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from persona import stages
from persona.call import ModelCall
from persona.llm.types import ChatResult
from persona.route.types import RouteDecision
from persona.steering import Steering
from persona.trace import Attempt, Latency, MemoryUse, ProjectMemoryUse, RouteTrace, Trace
from persona.types import ChatRequest, Usage

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from store.models import User


class Clock:
    """Per-stage wall time in milliseconds."""

    def __init__(self) -> None:
        self.start = self._last = time.perf_counter()
        self.ms: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        """Charge the time since the previous lap to `stage`."""
        now = time.perf_counter()
        self.ms[stage] = round(self.ms.get(stage, 0.0) + (now - self._last) * 1000, 2)
        self._last = now

    def total(self) -> float:
        """Milliseconds since the clock started."""
        return round((time.perf_counter() - self.start) * 1000, 2)


@dataclass
class Prepared:
    """Everything decided before the model call."""

    request: ChatRequest
    tenant_id: str
    user_pk: int
    message: str
    choice: stages.ModelChoice
    memories: list[stages.Recalled]
    route: RouteDecision
    steering: Steering
    call: ModelCall
    # the message's embedding: the background job reuses it for the episodic index
    embedding: NDArray[np.float32]
    clock: Clock = field(default_factory=Clock)
    # the user row as read (the turn is stored without reading it again); None for a user
    # that does not exist and is not created (a temporary chat)
    user: User | None = None

    def trace(self, result: ChatResult, *, tool_call: bool, turn_id: str | None) -> Trace:
        """The reply's trace, once the model answered (and `verify` recorded its checks)."""
        request = self.request
        return Trace(
            user=request.user,
            memory=_memory_use(request),
            memories=[m.as_trace() for m in self.memories],
            route=RouteTrace.model_validate(self.route.as_dict()),
            requested_model=request.model,
            tier_override=self.choice.override,
            prompt=self.call.prompt,
            steering=self.steering.as_trace(),
            request=self.call.request,
            model=result.model,
            tier=self.call.tier,
            usage=_usage(result),
            cost_usd=result.cost_usd,
            attempts=[Attempt.model_validate(a) for a in result.attempts],
            reply_kind="tool_call" if tool_call else "text",
            turn_id=turn_id,
            latency_ms=Latency.model_validate({**self.clock.ms, "total": self.clock.total()}),
        )


def _memory_use(request: ChatRequest) -> MemoryUse:
    """What the trace says of memory use: the mode, and the project if any."""
    if request.project is None or request.memory == "off":
        return MemoryUse(mode=request.memory)
    return ProjectMemoryUse(
        mode=request.memory, project=request.project, writes_to=stages.write_project(request)
    )


def _usage(result: ChatResult) -> Usage:
    return Usage(
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        total_tokens=result.usage.total_tokens,
    )
