"""The trace's JSON: the keys clients and the stored rows have, and parsing it back (the SDK's
HTTP client builds its `Trace` from that JSON)."""

from __future__ import annotations

from persona.steer.types import Verdict
from persona.trace import (
    AdaptedParam,
    Attempt,
    ConstraintTrace,
    Latency,
    MemoryTrace,
    MemoryUse,
    NotApplicable,
    ProjectMemoryUse,
    PromptTrace,
    RequestTrace,
    RouteTrace,
    SignalTrace,
    SteeringTrace,
    Trace,
    Usage,
)

STAGES = {
    "user": 1.0,
    "embed": 2.0,
    "retrieve": 3.0,
    "steer": 4.0,
    "route": 5.0,
    "compile": 6.0,
    "model": 70.0,
    "verify": 0.5,
}


def _trace(**changes: object) -> Trace:
    trace = Trace(
        user="ann",
        memory=ProjectMemoryUse(mode="on", project="music", writes_to=None),
        memories=[
            MemoryTrace(
                id="m1", kind="fact", text="Ann plays the violin", score=0.5, why="relevant"
            )
        ],
        route=RouteTrace(
            tier="reasoning",
            score=0.91,
            threshold=0.5,
            effort="medium",
            signals=[SignalTrace(name="embedding", value=1.0, effect=2.5)],
            reason="multi-step math",
        ),
        requested_model="persona/auto",
        tier_override=None,
        prompt=PromptTrace(family="reasoning", sections=["role", "memories"], system="## Role"),
        steering=SteeringTrace(
            active=[ConstraintTrace(id="change_case:english_lowercase", source="user")],
            results=[Verdict(id="change_case:english_lowercase", passed=True)],
            compliant=True,
        ),
        request=RequestTrace(
            forwarded=["user"],
            adapted=[
                AdaptedParam.model_validate(
                    {"param": "temperature", "from": 0.2, "to": None, "why": "a reasoning model"}
                )
            ],
        ),
        model="openai/o4-mini",
        tier="reasoning",
        usage=Usage(prompt_tokens=50, completion_tokens=10, total_tokens=60),
        cost_usd=0.001,
        attempts=[Attempt(model="openai/o3", error="server_error", status=500, ms=12.5)],
        reply_kind="text",
        turn_id="t1",
        latency_ms=Latency(**STAGES, store=1.5, total=95.0),
    )
    return trace.model_copy(update=changes)


def test_a_trace_dumps_with_the_keys_clients_see() -> None:
    assert _trace().dump() == {
        "user": "ann",
        "memory": {"mode": "on", "project": "music", "writes_to": None},
        "memories": [
            {
                "id": "m1",
                "kind": "fact",
                "text": "Ann plays the violin",
                "score": 0.5,
                "why": "relevant",
            }
        ],
        "route": {
            "tier": "reasoning",
            "score": 0.91,
            "threshold": 0.5,
            "effort": "medium",
            "signals": [{"name": "embedding", "value": 1.0, "effect": 2.5}],
            "reason": "multi-step math",
        },
        "requested_model": "persona/auto",
        "tier_override": None,
        "prompt": {"family": "reasoning", "sections": ["role", "memories"], "system": "## Role"},
        "steering": {
            "active": [{"id": "change_case:english_lowercase", "kwargs": {}, "source": "user"}],
            "dropped": [],
            "instructions": [],
            "stored_from_message": {"constraints": [], "instructions": []},
            "one_off": [],
            "rejected": [],
            "results": [{"id": "change_case:english_lowercase", "passed": True, "detail": ""}],
            "results_before_repair": [],
            "repairs": [],
            "reasked": False,
            "fallback": None,
            "refused_claims": [],
            "mentions": [],
            "ambiguous": [],
            "proposed": [],
            "compliant": True,
        },
        "request": {
            "forwarded": ["user"],
            "adapted": [
                {"param": "temperature", "from": 0.2, "to": None, "why": "a reasoning model"}
            ],
            "refused": [],
        },
        "model": "openai/o4-mini",
        "tier": "reasoning",
        "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
        "cost_usd": 0.001,
        "attempts": [{"model": "openai/o3", "error": "server_error", "status": 500, "ms": 12.5}],
        "reply_kind": "text",
        "turn_id": "t1",
        "latency_ms": {**STAGES, "store": 1.5, "total": 95.0},
    }


def test_keys_that_do_not_apply_are_left_out() -> None:
    steering = SteeringTrace(
        active=[ConstraintTrace(id="change_case:english_lowercase")],
        not_applicable=[NotApplicable(id="change_case:english_lowercase", why="a tool call")],
    )
    dumped = _trace(
        memory=MemoryUse(mode="off"),
        steering=steering,
        turn_id=None,
        latency_ms=Latency(**STAGES, total=90.0),
    ).dump()
    assert dumped["memory"] == {"mode": "off"}  # no project: neither it nor where it writes
    assert dumped["steering"] == {
        **SteeringTrace().model_dump(mode="json"),
        "active": [{"id": "change_case:english_lowercase", "kwargs": {}}],  # no provenance
        "not_applicable": [{"id": "change_case:english_lowercase", "why": "a tool call"}],
    }
    assert dumped["turn_id"] is None
    assert dumped["latency_ms"] == {**STAGES, "total": 90.0}  # nothing was stored


def test_the_json_parses_back_into_the_same_trace() -> None:
    for trace in (_trace(), _trace(memory=MemoryUse(mode="off"), turn_id=None)):
        assert Trace.model_validate(trace.dump()) == trace
        assert Trace.model_validate_json(trace.model_dump_json()) == trace
