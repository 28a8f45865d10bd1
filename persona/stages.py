"""The stages of the hot path, each a small function over the runtime's components.

`engine.py` holds the order; this module holds what each stage does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from persona.errors import NotFound
from persona.types import AUTO_MODEL, TIER_MODELS, ChatRequest
from store.models import Profile, Tenant, Turn, User, utcnow

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
    """A memory chosen for the prompt."""

    id: str
    kind: str
    text: str
    score: float
    date: str | None

    def as_trace(self) -> dict[str, Any]:
        """Trace form."""
        return {"id": self.id, "kind": self.kind, "text": self.text, "score": round(self.score, 4)}


def recall(
    rt: Runtime, session: Session, user: User, message: str, embedding: NDArray[np.float32]
) -> list[Recalled]:
    """Hybrid retrieval of the user's memories, gated for relevance, capped by the token budget."""
    from persona.memory.retrieve import select_for_prompt

    assert user.id is not None
    hits = rt.retriever.search(session, user.id, message, embedding, k=rt.settings.memory_top_k)
    chosen = select_for_prompt(hits, rt.settings.memory_token_budget)
    return [
        Recalled(
            id=h.memory.id,
            kind=h.memory.kind,
            text=h.memory.text,
            score=float(h.score),
            date=h.memory.valid_from.date().isoformat() if h.memory.valid_from else None,
        )
        for h in chosen
    ]


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
    tenant = session.get(Tenant, user.tenant_id)
    threshold = (tenant.settings or {}).get("route_threshold") if tenant else None
    history = [m.model_dump() for m in request.messages[:-1]]
    return rt.router.decide(
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
