"""The stages of the hot path, each a small function over the runtime's components.

`engine.py` holds the order; this module holds what each stage does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_, select

from persona.errors import NotFound
from persona.types import AUTO_MODEL, TIER_MODELS, ChatRequest
from store.models import Memory, Profile, Tenant, Turn, User, utcnow

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from persona.config import Settings
    from persona.runtime import Runtime

STICKY_WINDOW = timedelta(minutes=30)
REASONING_MODEL_HINTS = ("o1", "o3", "o4", "gpt-5", "reason", "r1", "thinking", "qwq")


@dataclass
class ModelChoice:
    """What the request's `model` field asks for."""

    override: str | None = None  # "fast" | "reasoning" forced by the request
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
    why: str = "relevant"

    def as_trace(self) -> dict[str, Any]:
        """Trace form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "score": round(self.score, 4),
            "why": self.why,
        }


PROFILE_KINDS = ("fact", "preference", "instruction")


def profile_facts(session: Session, user: User, limit: int) -> list[Memory]:
    """The user's currently valid facts and preferences, most important and recent first.

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
            or_(col(Memory.expires_at).is_(None), col(Memory.expires_at) > now),
            col(Memory.scope) == "user",
        )
        .order_by(col(Memory.importance).desc(), col(Memory.updated_at).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def recall(
    rt: Runtime, session: Session, user: User, message: str, embedding: NDArray[np.float32]
) -> list[Recalled]:
    """Standing profile facts, then hybrid retrieval (relevance-gated), capped by the budget."""
    from persona.memory.retrieve import approx_tokens

    assert user.id is not None
    settings = rt.settings
    hits = rt.retriever.search(session, user.id, message, embedding, k=settings.memory_top_k)
    chosen: list[Recalled] = []
    seen: set[str] = set()
    used = 0
    candidates = [
        (m, 0.0, "profile") for m in profile_facts(session, user, settings.memory_profile_limit)
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


def previous_tier(session: Session, user: User, session_id: str | None) -> str | None:
    """The tier of this user's previous turn in the same conversation, if recent."""
    query = select(Turn).where(Turn.user_id == user.id, Turn.created_at > utcnow() - STICKY_WINDOW)
    if session_id is not None:
        query = query.where(Turn.session_id == session_id)
    last = session.exec(query.order_by(col(Turn.created_at).desc()).limit(1)).first()
    return last.tier if last else None


def route(
    rt: Runtime,
    session: Session,
    user: User,
    profile: Profile,
    request: ChatRequest,
    message: str,
    embedding: NDArray[np.float32],
    choice: ModelChoice,
) -> Any:
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
    """The provider call: messages, parameters, and what the trace records of the prompt."""

    tier: str
    messages: list[dict[str, Any]]
    params: dict[str, Any]
    prompt_trace: dict[str, Any] = field(default_factory=dict)


def model_family(model: str, tier: str) -> str:
    """`local`, `reasoning` or `chat`: which prompt adapter a model gets."""
    if model.startswith("local/"):
        return "local"
    name = model.rsplit("/", 1)[-1].lower()
    if tier == "reasoning" and any(name.startswith(h) or h in name for h in REASONING_MODEL_HINTS):
        return "reasoning"
    return "chat"


@dataclass
class Steering:
    """The constraints and instructions in force for one reply, and what happened to them."""

    active: list[Any] = field(default_factory=list)  # steer.types.Constraint, after precedence
    dropped: list[dict[str, Any]] = field(default_factory=list)
    developer_instructions: str = ""
    instructions: list[str] = field(default_factory=list)
    new_constraints: list[dict[str, Any]] = field(default_factory=list)  # standing, from chat
    new_instructions: list[str] = field(default_factory=list)
    one_off: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    reasked: bool = False

    @property
    def has_checks(self) -> bool:
        """Whether the reply must be checked (and so buffered when streaming)."""
        return bool(self.active)

    def as_trace(self) -> dict[str, Any]:
        """Trace form: active constraints, which won and lost, verdicts, repairs."""
        return {
            "active": [c.as_dict() for c in self.active],
            "dropped": self.dropped,
            "instructions": self.instructions,
            "stored_from_message": {
                "constraints": self.new_constraints,
                "instructions": self.new_instructions,
            },
            "one_off": self.one_off,
            "rejected": self.rejected,
            "results": self.results,
            "repairs": self.repairs,
            "reasked": self.reasked,
            "compliant": all(r["passed"] for r in self.results) if self.results else None,
        }


def steer(session: Session, tenant_id: str, profile: Profile, message: str) -> Steering:
    """Gather developer and user rules, read new preferences from the message, apply precedence."""
    from persona.errors import PersonaError
    from persona.profiles import constraint_row, merge_constraint, to_constraint
    from persona.steer.parse import parse_preferences
    from persona.steer.precedence import resolve

    tenant = session.get(Tenant, tenant_id)
    developer_rows = list(tenant.constraints) if tenant else []
    user_rows = list(profile.constraints)
    out = Steering(
        developer_instructions=tenant.instructions if tenant else "",
        instructions=[i["text"] for i in profile.instructions],
    )
    parsed = parse_preferences(message)
    one_off_rows: list[dict[str, Any]] = []
    for c in parsed.constraints:
        source = "chat" if parsed.scope == "standing" else "one_off"
        try:
            row = constraint_row(c.id, dict(c.kwargs), source)
        except PersonaError as exc:
            out.rejected.append({**c.as_dict(), "reason": exc.message})
            continue
        if parsed.scope == "standing":
            user_rows, _ = merge_constraint(user_rows, row)
            out.new_constraints.append(row)
        else:
            one_off_rows.append(row)
    if parsed.scope == "standing":
        out.new_instructions = list(parsed.instructions)
        out.instructions.extend(parsed.instructions)
    out.one_off = one_off_rows
    resolution = resolve(
        [to_constraint(r) for r in developer_rows],
        [to_constraint(r) for r in user_rows],
        [to_constraint(r) for r in one_off_rows],
    )
    out.active = list(resolution.active)
    out.dropped = [
        {"constraint": c.as_dict(), "reason": reason, "winner": w.as_dict() if w else None}
        for c, reason, w in resolution.dropped
    ]
    return out


def persist_steering(session: Session, user: User, steering: Steering, turn_id: str) -> None:
    """Store standing preferences the message set, with the turn as provenance."""
    if not steering.new_constraints and not steering.new_instructions:
        return
    from persona.profiles import instruction_row, merge_constraint
    from store.users import get_profile

    profile = get_profile(session, user)
    rows = list(profile.constraints)
    for row in steering.new_constraints:
        row["turn_id"] = turn_id
        rows, _ = merge_constraint(rows, row)
    profile.constraints = rows
    profile.instructions = [
        *profile.instructions,
        *(instruction_row(t, "chat", turn_id) for t in steering.new_instructions),
    ]
    profile.version += 1
    profile.updated_at = utcnow()
    session.add(profile)


def compile_call(
    rt: Runtime,
    request: ChatRequest,
    profile: Profile,
    steering: Steering,
    memories: list[Recalled],
    decision: Any,
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
    family = model_family(model, tier)
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
            model_family=family,  # type: ignore[arg-type]
            history=[m.model_dump() for m in request.messages],
            describe=describe,
        )
    )
    params: dict[str, Any] = {
        "model": model,
        "max_tokens": request.max_tokens or settings.max_tokens_default,
    }
    if request.temperature is not None and "temperature" not in compiled.drop_params:
        params["temperature"] = request.temperature
    if family == "reasoning" and decision.effort:
        params["reasoning_effort"] = decision.effort
    system = next(
        (m["content"] for m in compiled.messages if m["role"] in ("system", "developer")), ""
    )
    return ModelCall(
        tier=tier,
        messages=compiled.messages,
        params=params,
        prompt_trace={"family": family, "sections": compiled.sections, "system": system},
    )


def verify(rt: Runtime, prep: Any, text: str, result: Any) -> tuple[str, Any]:
    """Check the reply against the active constraints; repair, and re-ask once if still failing."""
    steering: Steering = prep.steering
    if not steering.active:
        return text, result
    from persona.steer.repair import repair

    fixed = repair(steering.active, text)
    if not fixed.passed and rt.settings.reask:
        failed = [v for v in fixed.verdicts if not v.passed]
        retry_messages = [
            *prep.call.messages,
            {"role": "assistant", "content": text},
            {
                "role": "user",
                "content": "Your reply broke these rules: "
                + "; ".join(f"{v.id}: {v.detail}" for v in failed)
                + ". Write the reply again, following every rule. Output only the reply.",
            },
        ]
        from persona.errors import ProviderError

        try:
            second = rt.gateway.complete(retry_messages, **prep.call.params)
        except ProviderError:
            second = None  # keep the first, repaired reply rather than fail the turn
        if second is not None:
            steering.reasked = True
            again = repair(steering.active, second.text)
            result = _merge_usage(result, second)
            if sum(v.passed for v in again.verdicts) > sum(v.passed for v in fixed.verdicts):
                fixed = again
    steering.repairs = list(fixed.applied)
    steering.results = [
        {"id": v.id, "passed": v.passed, "detail": v.detail} for v in fixed.verdicts
    ]
    prep.trace["steering"] = steering.as_trace()
    return fixed.text, result


def _merge_usage(first: Any, second: Any) -> Any:
    from dataclasses import replace

    from persona.llm.types import Usage

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
