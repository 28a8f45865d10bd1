"""Per-tenant aggregates: reasoning share, compliance per constraint type, memories, latency.

Compliance is read from each trace's `steering.results`: the verdict per active constraint on
the reply as sent (after repair and any re-ask), `{"id": <constraint type>, "passed": bool}`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from persona.admin.queries import get_tenant
from persona.errors import NotFound
from persona.public import MemoryState, TenantRef, memory_state
from store.models import Memory, Trace, User, utcnow

MAX_TRACES = 20_000  # the newest traces aggregated; bounds the cost of one stats call


class TypeCompliance(BaseModel):
    """How often replies met one constraint type."""

    checks: int
    passed: int
    rate: float


class Compliance(BaseModel):
    """Constraint checks on replies as sent: overall and per constraint type."""

    checks: int
    rate: float | None
    by_type: dict[str, TypeCompliance]


class MemoryCounts(BaseModel):
    """A tenant's memories by state, and its valid ones by kind."""

    total: int
    by_state: dict[MemoryState, int]
    valid_by_kind: dict[str, int]


class LatencyStats(BaseModel):
    """Reply latency percentiles (ms), overall and the median per stage."""

    p50: float | None
    p95: float | None
    p99: float | None
    by_stage_p50: dict[str, float | None]


class TenantStats(BaseModel):
    """Aggregates over a tenant's (or one user's) traces and memories."""

    tenant: TenantRef
    user: str | None
    users: int
    messages: int
    tiers: dict[str, int]
    reasoning_share: float | None
    compliance: Compliance
    memories: MemoryCounts
    latency_ms: LatencyStats
    tokens: int
    cost_usd: float


def percentile(values: list[float], q: float) -> float | None:
    """The `q` quantile (0-1) by linear interpolation, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (pos - low), 3)


def _checks(data: dict[str, Any]) -> list[tuple[str, bool]]:
    steering = data.get("steering")
    if not isinstance(steering, dict):
        return []
    items = steering.get("results", [])
    found: list[tuple[str, bool]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind = item.get("id")
        passed = item.get("passed")
        if isinstance(kind, str) and isinstance(passed, bool):
            found.append((kind, passed))
    return found


def _memory_counts(session: Session, tenant_id: str) -> MemoryCounts:
    now = utcnow()
    by_state: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    query = select(Memory).join(User, col(User.id) == col(Memory.user_id))
    for memory in session.exec(query.where(User.tenant_id == tenant_id)).all():
        state = memory_state(memory, now)
        by_state[state] += 1
        if state == "valid":
            by_kind[memory.kind] += 1
    return MemoryCounts(
        total=sum(by_state.values()),
        by_state={s: by_state[s] for s in ("valid", "superseded", "forgotten", "expired")},
        valid_by_kind=dict(sorted(by_kind.items())),
    )


def tenant_stats(
    session: Session, tenant_id: str, user_external_id: str | None = None
) -> dict[str, Any]:
    """Aggregates (`TenantStats`, JSON form) over the tenant's traces (newest `MAX_TRACES`)
    and memories; with `user_external_id`, over that one user's traces (compliance per user)."""
    tenant = get_tenant(session, tenant_id)
    n_users = session.exec(select(func.count()).where(User.tenant_id == tenant_id)).one()
    query = select(Trace).where(Trace.tenant_id == tenant_id)
    if user_external_id is not None:
        user = session.exec(
            select(User).where(User.tenant_id == tenant_id, User.external_id == user_external_id)
        ).first()
        if user is None:
            raise NotFound(f"no user {user_external_id!r} in this tenant")
        query = query.where(Trace.user_id == user.id)
    traces = session.exec(query.order_by(col(Trace.created_at).desc()).limit(MAX_TRACES)).all()
    tiers: Counter[str] = Counter(t.tier for t in traces)
    totals = [t.total_ms for t in traces if t.total_ms]
    stages: dict[str, list[float]] = defaultdict(list)
    checks: dict[str, list[bool]] = defaultdict(list)
    cost = 0.0
    tokens = 0
    for t in traces:
        data = t.data or {}
        for stage, ms in (data.get("latency_ms") or {}).items():
            if stage != "total" and isinstance(ms, int | float):
                stages[stage].append(float(ms))
        for kind, passed in _checks(data):
            checks[kind].append(passed)
        cost += float(data.get("cost_usd") or 0.0)
        tokens += int((data.get("usage") or {}).get("total_tokens") or 0)
    all_checks = [p for results in checks.values() for p in results]
    return TenantStats(
        tenant=TenantRef(id=tenant.id, name=tenant.name),
        user=user_external_id,
        users=int(n_users),
        messages=len(traces),
        tiers=dict(sorted(tiers.items())),
        reasoning_share=round(tiers["reasoning"] / len(traces), 4) if traces else None,
        compliance=Compliance(
            checks=len(all_checks),
            rate=round(sum(all_checks) / len(all_checks), 4) if all_checks else None,
            by_type={
                kind: TypeCompliance(checks=len(r), passed=sum(r), rate=round(sum(r) / len(r), 4))
                for kind, r in sorted(checks.items())
            },
        ),
        memories=_memory_counts(session, tenant_id),
        latency_ms=LatencyStats(
            p50=percentile(totals, 0.5),
            p95=percentile(totals, 0.95),
            p99=percentile(totals, 0.99),
            by_stage_p50={s: percentile(v, 0.5) for s, v in sorted(stages.items())},
        ),
        tokens=tokens,
        cost_usd=round(cost, 6),
    ).model_dump(mode="json")
