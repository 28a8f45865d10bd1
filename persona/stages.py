"""The stages of the hot path, each a small function over the runtime's components.

`engine.py` holds the order; this module holds what each stage does, except steering
(`persona.steering`) and compiling the model call (`persona.call`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import JsonValue
from sqlmodel import Session, col, select

from persona.errors import InvalidInput, NotFound
from persona.llm.types import ChatResult, Usage
from persona.route.types import TIERS, RouteDecision, Tier
from persona.steering import Steering
from persona.trace import (
    Fallback,
    MemoryTrace,
    NotApplicable,
)
from persona.types import AUTO_MODEL, TIER_MODELS, ChatRequest
from store.models import Memory, Profile, Tenant, Trace, Turn, User, utcnow

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from persona.call import ModelCall
    from persona.config import Settings
    from persona.runtime import Runtime

STICKY_WINDOW = timedelta(minutes=30)


@dataclass
class ModelChoice:
    """What the request's `model` field asks for."""

    override: Tier | None = None  # forced by the request
    model: str | None = None  # a configured alias's target model, used as is
    why: str = ""


def resolve_model(request: ChatRequest, settings: Settings) -> ModelChoice:
    """Map `model` (persona/auto|fast|reasoning or an alias) and `tier` to a choice, or 404."""
    name = request.model
    if request.tier is not None:
        return ModelChoice(override=request.tier, why="request field persona_tier")
    if name == AUTO_MODEL:
        return ModelChoice()
    if name in TIER_MODELS:
        return ModelChoice(override=TIER_MODELS[name], why=f"model={name} requested")
    if name in settings.model_aliases:
        return ModelChoice(override="fast", model=settings.model_aliases[name], why=f"alias {name}")
    known = ", ".join([AUTO_MODEL, *TIER_MODELS, *settings.model_aliases])
    raise NotFound(f"the model {name!r} does not exist; use one of: {known}")


@dataclass
class Recalled:
    """A memory chosen for the prompt, and why: a standing `profile` fact or `relevant` now."""

    id: str
    kind: str
    text: str
    score: float
    date: str | None
    why: Literal["profile", "relevant"] = "relevant"

    def as_trace(self) -> MemoryTrace:
        """Trace form."""
        return MemoryTrace(
            id=self.id, kind=self.kind, text=self.text, score=round(self.score, 4), why=self.why
        )


def memory_projects(request: ChatRequest) -> tuple[str | None, ...]:
    """Whose memories a chat may read: the user's own and its project's, or (project-only
    mode) the project's alone. A chat never reads another project's memories."""
    if request.memory == "project":
        if not request.project:
            raise InvalidInput(
                "project-only memory needs a project (metadata.project or X-Persona-Project)",
                param="persona_memory",
            )
        return (request.project,)
    return (None, request.project) if request.project else (None,)


def write_project(request: ChatRequest) -> str | None:
    """The project what a chat teaches belongs to: its own in project-only mode, else none
    (a default-mode chat in a project adds to the user's shared memory, as it reads it)."""
    return request.project if request.memory == "project" else None


def recall(
    rt: Runtime,
    session: Session,
    user: User,
    message: str,
    embedding: NDArray[np.float32],
    projects: tuple[str | None, ...] = (None,),
) -> list[Recalled]:
    """Standing profile facts, then hybrid retrieval (relevance-gated), capped by the budget;
    only memories of `projects` (None: the user's own, outside any project)."""
    from persona.memory.retrieve import approx_tokens

    assert user.id is not None
    settings = rt.settings
    # the user row was read by this request: the search state is checked against its version
    # (no second read of it)
    version = user.memory_version
    hits = rt.retriever.search(
        session,
        user.id,
        message,
        embedding,
        k=settings.memory_top_k,
        projects=projects,
        version=version,
    )
    chosen: list[Recalled] = []
    seen: set[str] = set()
    used = 0
    # what persona knows about the user goes into every prompt (like saved memories),
    # whether or not the message mentions it: "a restaurant near me" must bring the city along
    profile = rt.retriever.profile(
        session, user.id, settings.memory_profile_limit, projects, version=version
    )
    candidates: list[tuple[Memory, float, Literal["profile", "relevant"]]] = [
        (m, 0.0, "profile") for m in profile
    ]
    candidates += [(h.memory, float(h.score), "relevant") for h in hits]
    for memory, score, why in candidates:
        cost = approx_tokens(memory.text)
        if memory.id in seen or used + cost > settings.memory_token_budget:
            continue
        seen.add(memory.id)
        used += cost
        chosen.append(
            Recalled(
                id=memory.id,
                kind=memory.kind,
                text=memory.text,
                score=score,
                date=memory.valid_from.date().isoformat(),
                why=why,
            )
        )
    return chosen


def previous_tier(session: Session, user: User, session_id: str | None) -> Tier | None:
    """The tier of this user's previous turn in the same conversation, if recent."""
    # only the trace's `tier_override`, read in SQL: not the whole trace parsed per message
    query = (
        select(Turn.tier, col(Trace.data)["tier_override"])
        .outerjoin(Trace, col(Trace.turn_id) == Turn.id)
        .where(Turn.user_id == user.id, Turn.created_at > utcnow() - STICKY_WINDOW)
    )
    if session_id is not None:
        query = query.where(Turn.session_id == session_id)
    last = session.exec(query.order_by(col(Turn.created_at).desc()).limit(1)).first()
    if last is None:
        return None
    tier, override = last
    if override:
        return None  # an explicit tier applied to that request only; it is not sticky
    return _tier(tier)


def _tier(name: str) -> Tier | None:
    return "reasoning" if name == "reasoning" else "fast" if name in TIERS else None


def route(
    rt: Runtime,
    session: Session,
    tenant: Tenant | None,
    user: User,
    profile: Profile,
    request: ChatRequest,
    message: str,
    embedding: NDArray[np.float32],
    choice: ModelChoice,
) -> RouteDecision:
    """The fast/reasoning decision with its score, threshold, signals and reason."""
    from persona.route.calibrate import tenant_threshold

    router = rt.router
    threshold = tenant_threshold(
        tenant.settings if tenant else {},
        router.default_threshold,
        router.classifier.reference_scores,
    )
    history = [m.model_dump() for m in request.messages[:-1]]
    return router.decide(
        message,
        embedding,
        history=history,
        override=choice.override,
        user_preference=profile.route_preference,
        threshold=threshold,
        previous_tier=previous_tier(session, user, request.session_id),
    )


def not_applicable(request: ChatRequest, tool_call: bool) -> str | None:
    """Why the reply's text must not be checked or rewritten, if it must not."""
    if tool_call:
        return "the reply is a tool call"
    fmt = request.params.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") in ("json_object", "json_schema"):
        return f"the app set response_format {fmt['type']}: structured output is never rewritten"
    return None


def has_tool_call(raw: Mapping[str, JsonValue] | None) -> bool:
    """Whether a provider response's first choice calls a tool."""
    choices = (raw or {}).get("choices")
    first = choices[0] if isinstance(choices, list) and choices else None
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        return False
    return bool(message.get("tool_calls") or message.get("function_call"))


def verify(
    rt: Runtime,
    request: ChatRequest,
    call: ModelCall,
    steering: Steering,
    text: str,
    result: ChatResult,
    *,
    tool_call: bool | None = None,
) -> tuple[str, ChatResult]:
    """Check the reply against the active constraints: repair, re-ask once if still failing,
    and fall back (`persona.steer.repair.fall_back`) as the last resort.

    What happened is recorded in `steering` (verdicts, repairs, re-ask, fallback), for the
    trace; returns the text to send and the result (usage and cost of both calls if re-asked).
    """
    if not steering.active:
        return text, result
    if tool_call is None:
        tool_call = has_tool_call(result.raw)
    reason = not_applicable(request, tool_call)
    if reason is not None:
        steering.not_applicable = [NotApplicable(id=c.id, why=reason) for c in steering.active]
        return text, result
    from persona.steer.repair import fall_back, reask_prompt, repair

    fixed = repair(steering.active, text)
    steering.results_before_repair = list(fixed.before)
    if not fixed.passed and rt.settings.reask:
        retry_messages = [
            *call.messages,
            {"role": "assistant", "content": text},
            {"role": "user", "content": reask_prompt(steering.active, fixed.verdicts)},
        ]
        from persona.errors import ProviderError

        try:
            second = rt.gateway.complete(retry_messages, model=call.model, **call.params)
        except ProviderError:
            second = None  # keep the first, repaired reply rather than fail the turn
        if second is not None:
            steering.reasked = True
            again = repair(steering.active, second.text)
            result = _merge_usage(result, second)
            if sum(v.passed for v in again.verdicts) > sum(v.passed for v in fixed.verdicts):
                fixed = again.model_copy(update={"before": fixed.before})
    if not fixed.passed:
        kept = fall_back(steering.active, fixed)
        if kept.fell_back:
            steering.fallback = Fallback(rules=kept.fell_back, model_text=fixed.text)
            fixed = kept
    steering.repairs = list(fixed.applied)
    steering.results = list(fixed.verdicts)
    return fixed.text, result


def _merge_usage(first: ChatResult, second: ChatResult) -> ChatResult:
    usage = Usage(
        prompt_tokens=first.usage.prompt_tokens + second.usage.prompt_tokens,
        completion_tokens=first.usage.completion_tokens + second.usage.completion_tokens,
        total_tokens=first.usage.total_tokens + second.usage.total_tokens,
    )
    cost = (
        None
        if first.cost_usd is None or second.cost_usd is None
        else first.cost_usd + second.cost_usd
    )
    return replace(second, usage=usage, cost_usd=cost, attempts=[*first.attempts, *second.attempts])
