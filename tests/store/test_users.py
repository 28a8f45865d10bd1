"""What a chat message reads first: tenant, user, profile and waiting proposals in one query."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store.models import Profile, SteerProposal
from store.users import create_user, find_user_for_chat
from tests.factories import make_user


def _proposal(user_id: int, tenant_id: str, status: str) -> SteerProposal:
    return SteerProposal(
        id=f"p_{status}",
        tenant_id=tenant_id,
        user_id=user_id,
        source_turn_id="t1",
        source_text="no more questions at the end",
        constraint_id="style:no_follow_up_questions",
        kwargs={},
        status=status,
    )


def test_one_query_reads_the_tenant_the_user_the_profile_and_waiting_proposals(
    engine: Engine,
) -> None:
    with Session(engine, expire_on_commit=False) as session:
        ann = make_user(session, "ann")
        assert ann.id is not None
        session.add(Profile(user_id=ann.id, about_you="a pharmacist in Porto"))
        bo, _ = create_user(session, ann.tenant_id, "bo")  # same tenant, no proposals
        assert bo.id is not None
        session.add(_proposal(bo.id, ann.tenant_id, "rejected"))  # decided: not waiting
        session.commit()
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", count)
        try:
            rows = find_user_for_chat(session, ann.tenant_id, "ann")
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert rows.tenant is not None and rows.tenant.id == ann.tenant_id
        assert rows.user is not None and rows.user.id == ann.id
        assert rows.profile is not None and rows.profile.about_you == "a pharmacist in Porto"
        assert rows.proposals_waiting is False
        assert find_user_for_chat(session, ann.tenant_id, "bo").proposals_waiting is False

        session.add(_proposal(ann.id, ann.tenant_id, "proposed"))
        session.commit()
        assert find_user_for_chat(session, ann.tenant_id, "ann").proposals_waiting is True
        assert find_user_for_chat(session, ann.tenant_id, "bo").proposals_waiting is False


def test_a_missing_user_or_tenant_reads_as_none(engine: Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        ann = make_user(session, "ann")
        other = make_user(session, "cy")  # another tenant's user of another name
        nobody = find_user_for_chat(session, ann.tenant_id, "cy")
        assert (nobody.user, nobody.profile, nobody.proposals_waiting) == (None, None, False)
        assert nobody.tenant is not None and nobody.tenant.id == ann.tenant_id
        assert find_user_for_chat(session, other.tenant_id, "ann").user is None
        assert find_user_for_chat(session, "no-such-tenant", "ann") == (None, None, None, False)
        # a user without a profile row: the user, no profile
        assert find_user_for_chat(session, ann.tenant_id, "ann").profile is None
