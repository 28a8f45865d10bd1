"""The stages of the hot path, each a small function over the runtime's components.

`engine.py` holds the order; this module holds what each stage does, except steering
(`persona.steering`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import JsonValue
from sqlmodel import Session, col, or_, select

from persona.errors import InvalidInput, NotFound
from persona.llm.spec import model_spec
from persona.llm.types import ChatResult, Usage
from persona.memory.kinds import PROFILE_KINDS
from persona.route.types import TIERS, RouteDecision, Tier
from persona.steering import Steering
from persona.trace import (
    AdaptedParam,
    Fallback,
    MemoryTrace,
    NotApplicable,
    PromptTrace,
    RequestTrace,
)
from persona.types import AUTO_MODEL, TIER_MODELS, ChatRequest
from store.models import Memory, Profile, Tenant, Trace, Turn, User, utcnow

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from persona.config import Settings
    from persona.llm.gateway import CallParams, Messages
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


def profile_facts(
    session: Session,
    user: User,
    limit: int,
    projects: tuple[str | None, ...] | None = None,
) -> list[Memory]:
    """The user's currently valid facts and preferences, most important and recent first
    (suppressed ones never).

    What persona knows about the user goes into every prompt (like saved memories), whether
    or not the message mentions it: "a restaurant near me" must bring the city along.
    """
    now = utcnow()
    query = (
        select(Memory)
        .where(
            Memory.user_id == user.id,
            col(Memory.kind).in_(PROFILE_KINDS),
            col(Memory.invalid_at).is_(None),
            col(Memory.suppressed_at).is_(None),
            or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
            col(Memory.scope) == "user",
        )
        .order_by(col(Memory.importance).desc(), col(Memory.updated_at).desc())
        .limit(limit)
    )
    if projects is not None:
        named = [p for p in projects if p is not None]
        allowed = [col(Memory.project).in_(named)] if named else []
        if None in projects:
            allowed.append(col(Memory.project).is_(None))
        query = query.where(or_(*allowed))
    return list(session.exec(query).all())


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
    hits = rt.retriever.search(
        session, user.id, message, embedding, k=settings.memory_top_k, projects=projects
    )
    chosen: list[Recalled] = []
    seen: set[str] = set()
    used = 0
    candidates: list[tuple[Memory, float, Literal["profile", "relevant"]]] = [
        (m, 0.0, "profile")
        for m in profile_facts(session, user, settings.memory_profile_limit, projects)
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
    query = select(Turn).where(Turn.user_id == user.id, Turn.created_at > utcnow() - STICKY_WINDOW)
    if session_id is not None:
        query = query.where(Turn.session_id == session_id)
    last = session.exec(query.order_by(col(Turn.created_at).desc()).limit(1)).first()
    if last is None:
        return None
    trace = session.exec(select(Trace).where(Trace.turn_id == last.id)).first()
    if trace is not None and (trace.data or {}).get("tier_override"):
        return None  # an explicit tier applied to that request only; it is not sticky
    return _tier(last.tier)


def _tier(name: str) -> Tier | None:
    return "reasoning" if name == "reasoning" else "fast" if name in TIERS else None


def route(
    rt: Runtime,
    session: Session,
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
    tenant = session.get(Tenant, user.tenant_id)
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


@dataclass
class ModelCall:
    """The provider call: model, messages, parameters, and what the trace records of them."""

    tier: Tier
    model: str
    messages: Messages
    params: CallParams
    prompt: PromptTrace
    request: RequestTrace = field(default_factory=RequestTrace)


def compile_call(
    rt: Runtime,
    request: ChatRequest,
    profile: Profile,
    steering: Steering,
    memories: list[Recalled],
    decision: RouteDecision,
    choice: ModelChoice,
) -> ModelCall:
    """The provider call: the compiled prompt for the chosen model and its parameters."""
    from persona.steer.compile import PromptInputs, compile_messages
    from persona.steer.registry import describe

    settings = rt.settings
    tier = decision.tier
    model = choice.model or (
        settings.reasoning_model if tier == "reasoning" else settings.fast_model
    )
    family = model_spec(model, tier).family
    instructions = list(steering.instructions)
    if steering.new_constraints or steering.new_instructions:
        instructions.append(
            "The user's latest message sets a lasting preference; it has been saved. "
            "Acknowledge it in one short sentence, following it already."
        )
    compiled = compile_messages(
        PromptInputs(
            personality=profile.personality,
            traits=profile.traits,
            ambiguity=profile.ambiguity,
            about_you=profile.about_you,
            response_style=profile.response_style,
            developer_instructions=steering.developer_instructions,
            constraints=steering.active,
            user_instructions=instructions,
            memories=[(m.id, m.kind, m.text, m.date) for m in memories],
            model_family=family,
            history=[m.model_dump() for m in request.messages],
            describe=describe,
        )
    )
    params: CallParams = {}
    extra = dict(request.params)
    record = RequestTrace()
    if "max_completion_tokens" in extra:
        record.forwarded.append("max_completion_tokens")
    else:
        params["max_tokens"] = request.max_tokens or settings.max_tokens_default
        if request.max_tokens:
            record.forwarded.append("max_tokens")
    for name in ("temperature", "top_p"):
        value = request.temperature if name == "temperature" else extra.get(name)
        if value is None:
            continue
        if name in compiled.drop_params:
            extra.pop(name, None)
            why = f"{model} is a reasoning model and takes no {name}"
            record.adapted.append(
                AdaptedParam.model_validate({"param": name, "from": value, "to": None, "why": why})
            )
        elif name == "temperature" and request.temperature is not None:
            params["temperature"] = request.temperature
            record.forwarded.append(name)
    if request.reasoning_effort is not None:
        params["reasoning_effort"] = request.reasoning_effort
        record.forwarded.append("reasoning_effort")
    elif family == "reasoning" and decision.effort:
        params["reasoning_effort"] = decision.effort
    record.forwarded.extend(sorted(k for k in extra if k not in record.forwarded))
    dropped = rt.gateway.dropped_params(model)
    _note_dropped(model, dropped, record, {**extra, **params, "temperature": request.temperature})
    if extra:
        params["extra"] = extra
    system = next(
        (m["content"] for m in compiled.messages if m["role"] in ("system", "developer")), ""
    )
    return ModelCall(
        tier=tier,
        model=model,
        messages=_with_raw(compiled.messages, request),
        params=params,
        prompt=PromptTrace(family=family, sections=compiled.sections, system=system),
        request=record,
    )


def _note_dropped(
    model: str, dropped: frozenset[str], record: RequestTrace, values: Mapping[str, object]
) -> None:
    """Move the forwarded parameters the gateway leaves out of the call to `model` (its
    provider does not take them) from `forwarded` to `adapted`, saying why."""
    for name in sorted(dropped.intersection(record.forwarded)):
        record.forwarded.remove(name)
        why = f"the provider of {model} does not take {name}: litellm leaves it out of the call"
        record.adapted.append(
            AdaptedParam.model_validate(
                {"param": name, "from": _json_value(values.get(name)), "to": None, "why": why}
            )
        )


def _json_value(value: object) -> JsonValue:
    """`value` as JSON (a typed SDK object the app passed: its JSON dump)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        out: JsonValue = dump(mode="json")
        return out
    return value  # type: ignore[return-value]  # the app's JSON body


def _with_raw(compiled: list[dict[str, str]], request: ChatRequest) -> Messages:
    """The compiled messages with each client message as sent (parts, tool calls, names).

    The compiler keeps the conversation's non-system messages in order at the end; where it
    appended a reminder to the last user message, the reminder becomes a text part of it.
    """
    history = [m for m in request.messages if m.role not in ("system", "developer")]
    if not history or not any(m.raw for m in history):
        return compiled
    head = compiled[: len(compiled) - len(history)]
    out: list[dict[str, JsonValue]] = [dict(m) for m in head]
    for msg, built in zip(history, compiled[len(head) :], strict=True):
        if msg.raw is None:
            out.append(dict(built))
            continue
        raw: dict[str, JsonValue] = dict(msg.raw)
        added = str(built.get("content") or "")[len(msg.content) :]
        if added and built.get("content") != msg.content:
            content = raw.get("content")
            if isinstance(content, list):
                raw["content"] = [*content, {"type": "text", "text": added.lstrip()}]
            else:
                raw["content"] = f"{content or ''}{added}"
        out.append(raw)
    return out


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
