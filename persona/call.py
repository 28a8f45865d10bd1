"""The model call of one message: the compiled prompt for the chosen model and its
parameters, and what the trace's `prompt` and `request` sections record of them (forwarded,
adapted with why, refused). `persona.stages` runs the other stages; `engine.py` the order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import JsonValue

from persona.llm.spec import model_spec
from persona.route.types import RouteDecision, Tier
from persona.stages import ModelChoice, Recalled
from persona.steering import Steering
from persona.trace import AdaptedParam, PromptTrace, RequestTrace
from persona.types import ChatRequest
from store.models import Profile

if TYPE_CHECKING:
    from persona.llm.gateway import CallParams, Messages
    from persona.runtime import Runtime


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
