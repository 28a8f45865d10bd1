"""Per-tenant routing state in SQL: calibrate from logged traces, apply stored feedback."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import col, select

from persona.bootstrap import find_tenant
from persona.errors import InvalidInput
from persona.route.calibrate import adjust_threshold, calibrate_threshold
from store.db import session_scope
from store.models import Feedback, Trace, Turn


def calibrate_tenant(
    engine: Engine, target_share: float, tenant_name: str | None = None
) -> dict[str, Any]:
    """Set the tenant's `route_threshold` to the quantile of its logged route scores."""
    with session_scope(engine) as session:
        tenant = find_tenant(session, tenant_name)
        scores = session.exec(
            select(Trace.route_score).where(
                Trace.tenant_id == tenant.id, col(Trace.route_score).is_not(None)
            )
        ).all()
        if not scores:
            raise InvalidInput(
                f"tenant {tenant.name!r} has no routed traffic yet; nothing to calibrate on"
            )
        threshold = calibrate_threshold([float(s) for s in scores if s is not None], target_share)
        tenant.settings = {
            **tenant.settings,
            "route_threshold": threshold,
            "target_share": target_share,
        }
        session.add(tenant)
        achieved = sum(1 for s in scores if s is not None and s >= threshold) / len(scores)
        return {
            "tenant": tenant.name,
            "target_share": target_share,
            "route_threshold": threshold,
            "scores": len(scores),
            "reasoning_share_on_logged_traffic": round(achieved, 4),
        }


def apply_feedback(
    engine: Engine, threshold: float, tenant_name: str | None = None
) -> dict[str, Any]:
    """Adjust the tenant's threshold from its stored feedback newer than the last adjustment."""
    with session_scope(engine) as session:
        tenant = find_tenant(session, tenant_name)
        last_id = int(tenant.settings.get("route_feedback_seen", 0))
        rows = session.exec(
            select(Feedback.id, Feedback.rating, Turn.tier)
            .join(Turn, col(Turn.id) == col(Feedback.turn_id))
            .where(Feedback.tenant_id == tenant.id, col(Feedback.id) > last_id)
            .order_by(col(Feedback.id))
        ).all()
        current = float(tenant.settings.get("route_threshold", threshold))
        if not rows:
            return {"tenant": tenant.name, "route_threshold": current, "feedback": 0}
        new = adjust_threshold(current, [(rating, tier) for _, rating, tier in rows])
        tenant.settings = {
            **tenant.settings,
            "route_threshold": new,
            "route_feedback_seen": rows[-1][0],
        }
        session.add(tenant)
        return {
            "tenant": tenant.name,
            "route_threshold": new,
            "previous": current,
            "feedback": len(rows),
        }
