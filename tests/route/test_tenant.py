"""Calibration from logged traces and feedback from stored ratings, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from persona.errors import InvalidInput, NotFound
from persona.route.tenant import apply_feedback, calibrate_tenant
from store.db import session_scope
from store.models import Feedback, Tenant, Trace, Turn, User


def seed(engine: Engine, name: str, scores: list[float], tiers: list[str]) -> str:
    """A tenant with one user and one turn + trace per score; returns the tenant id."""
    with session_scope(engine) as session:
        tenant = Tenant(name=name, api_key_hash=name.ljust(64, "0"), key_prefix="psn_x")
        session.add(tenant)
        session.flush()
        user = User(tenant_id=tenant.id, external_id="u1")
        session.add(user)
        session.flush()
        assert user.id is not None
        for i, (score, tier) in enumerate(zip(scores, tiers, strict=True)):
            turn = Turn(
                id=f"{name}-t{i}",
                user_id=user.id,
                tenant_id=tenant.id,
                user_message="m",
                reply="r",
                model="x",
                tier=tier,
            )
            session.add(turn)
            session.add(
                Trace(
                    turn_id=turn.id,
                    tenant_id=tenant.id,
                    user_id=user.id,
                    tier=tier,
                    route_score=score,
                )
            )
        return tenant.id


def settings(engine: Engine, name: str) -> dict[str, object]:
    """The tenant's settings as stored."""
    with session_scope(engine) as session:
        tenant = session.exec(select(Tenant).where(Tenant.name == name)).one()
        return dict(tenant.settings)


def test_calibrate_tenant(engine: Engine) -> None:
    scores = [i / 10 for i in range(10)]
    seed(engine, "acme", scores, ["fast"] * 10)
    result = calibrate_tenant(engine, 0.2)
    assert result == {
        "tenant": "acme",
        "target_share": 0.2,
        "route_threshold": 0.8,
        "scores": 10,
        "reasoning_share_on_logged_traffic": 0.2,
    }
    assert settings(engine, "acme") == {"route_threshold": 0.8, "target_share": 0.2}


def test_calibrate_needs_traffic_and_a_tenant(engine: Engine) -> None:
    with pytest.raises(NotFound):
        calibrate_tenant(engine, 0.2)
    seed(engine, "quiet", [], [])
    with pytest.raises(InvalidInput, match="no routed traffic"):
        calibrate_tenant(engine, 0.2)
    seed(engine, "other", [0.5], ["fast"])
    with pytest.raises(InvalidInput, match="several tenants"):
        calibrate_tenant(engine, 0.2)
    with pytest.raises(NotFound):
        calibrate_tenant(engine, 0.2, "nobody")
    assert calibrate_tenant(engine, 1.0, "other")["route_threshold"] == 0.5


def test_feedback_shifts_threshold_once(engine: Engine) -> None:
    tenant_id = seed(engine, "acme", [0.3, 0.9, 0.2], ["fast", "reasoning", "fast"])
    with session_scope(engine) as session:
        session.add(Feedback(tenant_id=tenant_id, turn_id="acme-t0", rating="regenerate_reasoning"))
        session.add(Feedback(tenant_id=tenant_id, turn_id="acme-t1", rating="down"))
        session.add(Feedback(tenant_id=tenant_id, turn_id="acme-t2", rating="down"))
    first = apply_feedback(engine, 0.45)
    assert first == {"tenant": "acme", "route_threshold": 0.42, "previous": 0.45, "feedback": 3}
    # the same feedback is not counted twice
    assert apply_feedback(engine, 0.45) == {
        "tenant": "acme",
        "route_threshold": 0.42,
        "feedback": 0,
    }
    assert settings(engine, "acme")["route_threshold"] == 0.42
